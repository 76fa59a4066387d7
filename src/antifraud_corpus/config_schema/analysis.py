"""Schemas of the analysis files: check, compare, labels, topic."""

from __future__ import annotations

from typing import Literal, TypeAlias

from ..models import Level, Modality, Status
from .base import Number, Regex, Section, Words

# ---------------------------------------------------------------- check.yaml


class FileNames(Section):
    max_length: int
    allow_spaces: bool
    allow_non_ascii: bool
    forbidden: Regex
    forbidden_start: Regex
    forbidden_end: Regex
    reserved: Words
    extensions: Words


class CheckThresholds(Section):
    near_duplicate: Number
    clause_coverage: Number
    min_body_chars: int
    max_per_code: int


class Similarity(Section):
    shingle: int
    bins: int
    bands: int


class Expect(Section):
    numbered: Words
    directives: Words


class Residual(Section):
    pinyin: Regex
    mojibake: list[Regex]
    traditional_ignore: str
    junk_ignore: Words


class CheckFile(Section):
    # finding code -> severity (the codes are checked by check.py, which defines them); YAML reads a
    # bare `off` as false
    severity: dict[str, Literal["error", "warning", "info", "off"] | bool]
    file_names: FileNames
    thresholds: CheckThresholds
    similarity: Similarity
    expect: Expect
    residual: Residual


# ---------------------------------------------------------------- compare.yaml


class Ngram(Section):
    n: int
    synonyms: dict[str, str]
    concept_weight: Number
    concepts: dict[str, Regex]
    action_concepts: dict[str, Regex]  # concept id -> its action words (a crackdown carried out by a crackdown)
    frame: Regex


class CompareWeights(Section):
    text: Number
    measures: Number
    measures_apart: Number
    actors: Number
    cosine_share: Number
    fragment_factor: Number
    fragment_min_grams: int
    idf_power: Number


class CompareThresholds(Section):
    match: Number
    min_text: Number
    carry: Number
    candidates: int
    postings: int
    min_grams: int
    min_shared: int
    max_sources: int
    omission_candidates: int
    counterpart_ratio: Number
    max_counterparts: int


class Omissions(Section):
    heading: Regex
    statute_kinds: Words
    penalty: Regex


class Guiding(Section):
    pattern: Regex
    principle: Regex
    min_principles: int
    single: Regex


class Strength(Section):
    modalities: dict[str, Number]


class Deadline(Section):
    pattern: Regex
    lapse: Literal["year", "next_year", "stated", "never"]


class Concreteness(Section):
    generic_actors: Words
    umbrella_actors: dict[str, Words]
    named_actor_sources: Words
    deadlines: list[Deadline]
    numbers: list[Regex]


class CompareFile(Section):
    ngram: Ngram
    weights: CompareWeights
    thresholds: CompareThresholds
    omissions: Omissions
    guiding: Guiding
    strength: Strength
    concreteness: Concreteness


# ---------------------------------------------------------------- labels.yaml, topic.yaml


# The ids each label table translates (a misspelt one is an error, not a label never shown).
LevelId: TypeAlias = Level
ModalityId: TypeAlias = Modality
ActorSourceId: TypeAlias = Literal["explicit", "inherited", "addressee", "none"]
StatusId: TypeAlias = Status
ColumnId: TypeAlias = Literal[
    "doc_id", "source", "sha256", "title", "issuer", "date", "level", "region", "province", "kind", "text",
    "clauses", "removed", "warnings", "clause", "sentence", "start", "end", "actor", "actor_name", "actor_source",
    "modality", "marker", "action", "measures", "n_clauses", "n_duties"]


class ReportWords(Section):
    """The wording of a compare report in one language (report/compare.py; the HTML report falls back to it)."""

    title: str
    documents: str
    coverage: str
    actors: str
    diffs: str
    timeline: str
    no_actor: str
    doc: str
    level: str
    region: str
    date: str
    title_col: str
    duties: str
    status: str
    sim: str
    local: str
    reference: str
    echoes: str
    later: str
    sources: str
    missing: str
    none: str
    undated: str
    warnings: str
    role_reference: str
    no_diffs: str
    more: str
    reasons: str
    count: str
    measure: str
    actor: str


class ReportLanguages(Section):
    en: ReportWords
    zh: ReportWords


class ReportHtmlWords(Section):
    """The wording only the HTML compare report uses, in one language (report/compare_html.py)."""

    lede: str
    overview: str
    by_level: str
    by_province: str
    coverage: str
    actors: str
    timeline: str
    documents: str
    no_province: str
    no_level: str
    docs: str
    dated: str
    all: str
    cell: str
    outside: str
    echoing: str
    silent: str
    link: str
    undated_docs: str
    no_dated: str
    off_topic: str
    id: str
    province: str


class ReportHtmlLanguages(Section):
    en: ReportHtmlWords
    zh: ReportHtmlWords


class ExplainLabels(Section):
    templates: dict[str, str]  # `corpus explain --lang zh`: a line's wording by name (checked by report_explain)
    phrases: list[list[str]]  # [regular expression, replacement], applied in order


class LabelsFile(Section):
    levels: dict[LevelId, str]
    modalities: dict[ModalityId, str]
    actor_sources: dict[ActorSourceId, str]
    statuses: dict[StatusId, str]
    columns: dict[ColumnId, str]
    report: ReportLanguages
    report_html: ReportHtmlLanguages
    warning_kinds: dict[str, Regex]  # how an ingest's warnings are grouped at the end of a run
    explain: ExplainLabels


class TopicFile(Section):
    threshold: Number
    clause_share: Number
    title_share: Number
    terms: dict[str, Number]
