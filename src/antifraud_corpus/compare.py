"""How local documents carry out the directives of the levels above them.

Each directive (`Duty`) of a provincial, municipal or county document is aligned
with the directives of the documents above it on its own line of authority:
central ← provincial ← municipal ← county, within one province (a municipal
document is held against its own province's documents and against central ones,
never against another province's). A pair is scored by character n-gram
similarity of the sentences (whole sentences and their best-matching
comma-separated fragments, since a local text often echoes one clause of a long
central sentence), together with agreement of measures and actors; weights and
thresholds are in `configs/compare.yaml`.

Every aligned pair gets a status (`echoed`, `strengthened`, `weakened`,
`reassigned`); a local directive with no counterpart is `added`; a directive of
a document that a local document draws on, which the local document does not
carry out, is `omitted`. A reference issued after the local document is marked
`reference_later` and is never counted as its source.

Scale: candidates come from an inverted index of n-grams per pool (the central
documents, each province's documents, each city's documents), read rarest
n-gram first under a fixed budget, so the work per directive does not grow with
the corpus; identical directives (the same sentence, actors, modality and
measures) are scored once. Nothing here prints or renders: the result is a
`Comparison` of plain records, rendered by `report_compare`.
"""

from __future__ import annotations

import bisect
import gc
import math
import multiprocessing
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .config import Config, compile_rule
from .errors import ConfigError
from .export import DutyFilter, actor_names, measure_names
from .fastregex import FastPattern
from .models import Document
from .pairscore import (
    GramTable,
    LocalGrams,
    PostingIndex,
    flat_grams,
    gram_table,
    local_grams,
    most_read,
    posting_index,
    rarest_reads,
    shared_counts,
    text_similarity,
)
from .store import DocumentDuties
from .topic import TopicRules, topic_rules

Status = Literal["echoed", "strengthened", "weakened", "reassigned", "added", "omitted", "off_topic"]

LEVELS = ("central", "provincial", "municipal", "county")
STATUSES: tuple[str, ...] = ("echoed", "strengthened", "weakened", "reassigned", "added", "omitted", "off_topic")
#: Statuses of a local directive that carries out a reference directive.
CARRIED: tuple[str, ...] = ("echoed", "strengthened", "weakened", "reassigned")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}
_NO_ACTOR = ""  # key of duties with no actor in the actor view, as in `export duties`


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class DocumentInfo:
    """A document as the comparison shows it: metadata and its number of directives."""

    doc_id: str
    level: str | None
    region: str | None
    province: str | None
    date: str | None
    title: str
    kind: str | None = None
    n_duties: int = 0
    role: str = "compared"  # compared (kept by the filters) | reference (shown as a source only)


@dataclass(slots=True)
class Directive:
    """One side of a diff: a directive with its provenance (document, clause, offsets)."""

    doc_id: str
    sentence: str
    clause: str
    start: int
    end: int
    actors: list[str]
    modality: str
    marker: str
    measures: list[str]
    date: str | None = None
    level: str | None = None


@dataclass(slots=True)
class Diff:
    """A local directive against its reference, or an unmatched directive of either side."""

    doc_id: str  # the lower-level document
    status: str
    local: Directive | None  # None for `omitted`
    reference: Directive | None  # None for `added`
    similarity: float  # combined score (text, measures, actors)
    text_similarity: float = 0.0
    reference_later: bool = False  # the reference was issued after the local document
    reasons: tuple[str, ...] = ()
    reference_undated: bool = False  # the reference's date is unknown: shown, not counted as a source


@dataclass(slots=True)
class Echo:
    """Which directives of one earlier document a document carries out (view 4)."""

    doc_id: str
    date: str | None
    level: str | None
    counts: dict[str, int]  # status -> directives
    directives: list[tuple[str, str, str]]  # (reference clause, reference sentence, status)


@dataclass(slots=True)
class TimelineEntry:
    """A document in date order with the earlier documents whose directives it echoes."""

    doc_id: str
    date: str | None
    level: str | None
    region: str | None
    title: str
    echoes: list[Echo] = field(default_factory=list)


@dataclass(slots=True)
class DocumentSummary:
    """Per local document: status counts, the documents it draws on, measures it leaves out."""

    doc_id: str
    counts: dict[str, int]
    later: int  # directives whose only counterpart is in a later reference
    references: int  # documents on its line of authority (any date)
    sources: list[str]  # documents held against it for omissions
    missing_measures: list[str]  # measures of its sources that none of its directives has


@dataclass(slots=True)
class Comparison:
    """Everything `corpus compare` shows: the four views as records, plus labels for rendering."""

    documents: list[DocumentInfo]
    coverage: dict[str, dict[str, int]]  # measure -> doc_id -> directives (zero counts left out)
    actors: dict[str, dict[str, int]]  # actor ("" = none) -> doc_id -> directives
    diffs: DiffList  # iterable, built as read
    timeline: list[TimelineEntry]
    summaries: list[DocumentSummary]
    labels: dict[str, dict[str, str]]  # levels, statuses, modalities, measures, actors -> Chinese
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True, slots=True)
class _Deadline:
    pattern: re.Pattern[str] | FastPattern
    lapse: str  # year | next_year | stated | never


@dataclass(frozen=True, slots=True)
class CompareSettings:
    """`compare.yaml` checked and compiled once per run."""

    n: int
    synonyms: Mapping[str, str]
    synonym_re: re.Pattern[str] | None
    concepts: tuple[tuple[str, re.Pattern[str] | FastPattern], ...]  # (id, cue pattern), paraphrase classes
    concept_weight: float  # a concept's weight, in multiples of the idf weight of its gram
    frame_re: re.Pattern[str] | FastPattern | None
    w_text: float
    w_measures: float
    w_measures_apart: float  # the weight of the measure term when the two share no measure
    w_actors: float
    cosine_share: float
    fragment_factor: float
    fragment_min_grams: int
    idf_power: float
    match: float
    min_text: float
    carry: float
    candidates: int
    postings: int
    min_grams: int
    min_shared: int
    max_sources: int
    omission_candidates: int
    counterpart_ratio: float
    max_counterparts: int
    heading_re: re.Pattern[str] | FastPattern
    penalty_re: re.Pattern[str] | FastPattern | None
    statute_kinds: frozenset[str]
    topic: TopicRules
    strength_modalities: Mapping[str, float]  # modality class -> rank (`要` and `应当` are one class)
    generic_actors: frozenset[str]
    umbrella: Mapping[str, frozenset[str]]
    named_sources: frozenset[str]
    deadlines: tuple[_Deadline, ...]
    numbers: tuple[re.Pattern[str] | FastPattern, ...]
    deadline_hint: re.Pattern[str]  # a cheap test before the deadline patterns run
    number_hint: re.Pattern[str]


_LAPSES = ("year", "next_year", "stated", "never")


def _number(section: Mapping[str, Any], key: str, default: float, low: float = 0.0,
            high: float = math.inf) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"compare.yaml: '{key}' must be a number in [{low}, {high}], got {value!r}")
    return float(value)


def _regex(pattern: Any, where: str) -> re.Pattern[str] | FastPattern:
    """A rule of compare.yaml, compiled (searched past runs it cannot match in: see `fastregex`)."""
    return FastPattern(compile_rule(pattern, f"compare.yaml: {where}")).fastest()


def _modality_ranks(own: Mapping[str, Any]) -> dict[str, float]:
    """The rank of each modality class (`strength.modalities`): statuses compare classes, never marker words."""
    table = own.get("modalities")
    if not isinstance(table, Mapping) or not table or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in table.values()):
        raise ConfigError("compare.yaml: 'strength' needs 'modalities' mapping modality ids to numbers")
    return {str(k): float(v) for k, v in table.items()}


def compare_settings(config: Config) -> CompareSettings:
    """Read and check `compare.yaml`.

    Raises:
        ConfigError: a missing file, a value out of range or an invalid pattern, naming the key.
    """
    if "compare" not in config.files:
        raise ConfigError("config file 'compare.yaml' is missing; reinstall the package")
    data = config["compare"]
    ngram = data.get("ngram") or {}
    weights = data.get("weights") or {}
    thresholds = data.get("thresholds") or {}
    concrete = data.get("concreteness") or {}
    omissions = data.get("omissions") or {}
    if not isinstance(omissions, Mapping):
        raise ConfigError("compare.yaml: 'omissions' must be a mapping")
    synonyms = {str(k): str(v) for k, v in (ngram.get("synonyms") or {}).items() if k}
    synonym_re = re.compile("|".join(re.escape(k) for k in sorted(synonyms, key=len, reverse=True))) \
        if synonyms else None
    frame = ngram.get("frame")
    concepts = ngram.get("concepts") or {}
    if not isinstance(concepts, Mapping):
        raise ConfigError("compare.yaml: 'ngram.concepts' must map a concept id to a pattern of its cue words")
    deadlines = []
    for number, entry in enumerate(concrete.get("deadlines") or ()):
        if not isinstance(entry, Mapping) or entry.get("lapse") not in _LAPSES:
            raise ConfigError(f"compare.yaml: concreteness.deadlines[{number}] needs 'pattern' and 'lapse' "
                              f"(one of {', '.join(_LAPSES)})")
        deadlines.append(_Deadline(_regex(entry.get("pattern"), f"concreteness.deadlines[{number}]"),
                                   entry["lapse"]))
    modalities = _modality_ranks(data.get("strength") or {})
    return CompareSettings(
        n=int(_number(ngram, "n", 2, 1, 6)),
        synonyms=synonyms,
        synonym_re=synonym_re,
        concepts=tuple((str(name), _regex(cues, f"ngram.concepts.{name}")) for name, cues in concepts.items()),
        concept_weight=_number(ngram, "concept_weight", 1.0, 0, 100),
        frame_re=_regex(frame, "ngram.frame") if frame else None,
        w_text=_number(weights, "text", 0.6),
        w_measures=_number(weights, "measures", 0.3),
        w_measures_apart=_number(weights, "measures_apart", _number(weights, "measures", 0.3)),
        w_actors=_number(weights, "actors", 0.1),
        cosine_share=_number(weights, "cosine_share", 0.5, 0, 1),
        fragment_factor=_number(weights, "fragment_factor", 0.8, 0, 1),
        fragment_min_grams=int(_number(weights, "fragment_min_grams", 4, 1)),
        idf_power=_number(weights, "idf_power", 2, 0, 4),
        match=_number(thresholds, "match", 0.34, 0, 1),
        min_text=_number(thresholds, "min_text", 0.14, 0, 1),
        carry=_number(thresholds, "carry", 0.34, 0, 1),
        candidates=int(_number(thresholds, "candidates", 24, 1)),
        postings=int(_number(thresholds, "postings", 2000, 1)),
        min_grams=int(_number(thresholds, "min_grams", 4, 1)),
        min_shared=int(_number(thresholds, "min_shared", 2, 1)),
        max_sources=int(_number(thresholds, "max_sources", 3, 1)),
        omission_candidates=int(_number(thresholds, "omission_candidates", 2, 0)),
        counterpart_ratio=_number(thresholds, "counterpart_ratio", 0.85, 0, 1),
        max_counterparts=int(_number(thresholds, "max_counterparts", 4, 1)),
        heading_re=_regex(omissions.get("heading") or "$^", "omissions.heading"),
        penalty_re=_regex(omissions["penalty"], "omissions.penalty") if omissions.get("penalty") else None,
        statute_kinds=frozenset(omissions.get("statute_kinds") or ()),
        topic=topic_rules(config),
        strength_modalities=modalities,
        generic_actors=frozenset(concrete.get("generic_actors") or ()),
        umbrella={str(k): frozenset(v or ()) for k, v in (concrete.get("umbrella_actors") or {}).items()},
        named_sources=frozenset(concrete.get("named_actor_sources") or ("explicit",)),
        deadlines=tuple(deadlines),
        deadline_hint=re.compile(r"[年月日天周时限\d]"),
        number_hint=re.compile(r"[\d０-９一二两三四五六七八九十百千万]"),
        numbers=tuple(_regex(p, f"concreteness.numbers[{i}]") for i, p in enumerate(concrete.get("numbers") or ())),
    )


# --------------------------------------------------------------------------- directive features


@dataclass(slots=True)
class _Sig:
    """What the comparison knows of a distinct directive: n-grams, actors, measures, modality rank."""

    grams: tuple[int, ...]  # distinct gram ids, fragment after fragment (a gram is kept in its first fragment)
    bounds: tuple[int, ...]  # end of each fragment in `grams`
    specific: frozenset[str]  # actors other than the generic ones
    named: bool  # a specific actor named in the sentence itself or carried over to it
    vague: bool  # only generic actors named (`各有关部门`): vaguer than a specific one
    measures: frozenset[str]
    rank: float  # of the modality
    label: str  # the marker as written, or the modality
    deadlines: tuple[tuple[str, str, int | None], ...]  # (text, lapse, stated year)
    numbers: tuple[str, ...]
    weight: float = 0.0  # sum of squared gram weights
    frag_weights: tuple[float, ...] = ()
    long: tuple[int, ...] = ()  # fragments of at least `fragment_min_grams` grams, aligned on their own
    floor: float = 0.0  # the smallest weight among the `long` fragments (0 when there is none)

    def part(self, number: int) -> tuple[int, ...]:
        """The gram ids of fragment `number`."""
        return self.grams[self.bounds[number - 1] if number else 0:self.bounds[number]]


@dataclass(slots=True)
class _Item:
    """A directive of a document, compact (the loaded `Document` is not kept)."""

    doc: int
    clause: str
    sentence: str
    start: int
    end: int
    actors: tuple[str, ...]
    modality: str
    marker: str
    measures: tuple[str, ...]
    sig: int
    pos: int = 0  # index among the directives of its document (in text order)
    on_topic: bool = True  # its topic relevance reaches topic.yaml's threshold (`topic.py`)
    section_end: int = 0  # for a section heading: the position after its last item (else 0)
    minor: bool = False  # a list item or a penalty provision (omitted only against a document of its kind)


@dataclass(slots=True)
class _Pool:
    """The directives of one reference pool (central, one province, one city) with an n-gram index."""

    rank: int
    sigs: list[int] = field(default_factory=list)  # local index -> global sig id
    local: dict[int, int] = field(default_factory=dict)  # global sig id -> local index
    index: PostingIndex | None = None  # local indexes by gram (`_Comparer._finish_pools`)
    occurrences: list[list[tuple[str, int, int]]] = field(default_factory=list)  # (date key, doc, item)
    dates: list[list[str]] = field(default_factory=list)
    docs: set[int] = field(default_factory=set)


class _Corpus:
    """Documents, their directives and the distinct directive features, built in one pass."""

    def __init__(self, settings: CompareSettings) -> None:
        self.s = settings
        self.infos: list[DocumentInfo] = []
        self.items: list[list[_Item]] = []
        self.sigs: list[_Sig] = []
        self.sig_ids: dict[tuple, int] = {}
        self.sig_count: list[int] = []
        self.gram_ids: dict[str, int] = {}
        self.concept_grams = [self.gram_ids.setdefault(_CONCEPT + name, len(self.gram_ids))
                              for name, _ in settings.concepts]
        self.w2: list[float] = []
        self.fragments: dict[str, tuple[int, ...]] = {}
        self.interned: dict[object, object] = {}
        self.table: GramTable | None = None  # the features as arrays, for batch scoring (`finish`)

    def add(self, doc: Document | DocumentDuties) -> None:
        index = len(self.infos)
        self.infos.append(DocumentInfo(doc.doc_id, doc.level if doc.level in _RANK else None, doc.region,
                                       doc.province, doc.date, doc.title, doc.kind, len(doc.duties)))
        items = []
        intern = self.interned.setdefault
        for duty in doc.duties:
            actors = tuple(duty.actor_ids)
            actors = intern(actors, actors)  # few distinct combinations: share one tuple each
            measures = tuple(duty.measure_ids)
            measures = intern(measures, measures)
            named = duty.actor_source in self.s.named_sources
            key = (duty.sentence, actors, named, duty.modality, duty.marker, measures)
            sig = self.sig_ids.get(key)
            if sig is None:
                sig = self.sig_ids[key] = len(self.sigs)
                self.sigs.append(self._features(duty.sentence, actors, named, duty.modality, duty.marker,
                                                measures))
                self.sig_count.append(0)
            self.sig_count[sig] += 1
            items.append(_Item(index, duty.clause or "", duty.sentence, duty.start, duty.end, actors,
                               duty.modality, duty.marker, measures, sig,
                               on_topic=self.s.topic.on_topic(getattr(duty, "topic", None))))
        items.sort(key=lambda it: (it.start, it.end))
        for pos, item in enumerate(items):
            item.pos = pos
        self._mark_sections(items)
        self.items.append(items)

    def _mark_sections(self, items: list[_Item]) -> None:
        """Mark section headings with the extent of their items, and the minor provisions of a statute.

        A heading opens with a reporting frame (`《意见》要求，要构建严密防范体系。`) or ends in a colon
        (`应当采取下列措施：`); its items run to the next heading, within its clause when it has one.
        """
        s = self.s
        opens = [bool(s.heading_re.search(item.sentence)) for item in items]
        for pos, item in enumerate(items):
            if s.penalty_re is not None and s.penalty_re.search(item.sentence) or "/" in item.clause:
                item.minor = True
            if not opens[pos]:
                continue
            end = pos + 1
            while end < len(items) and not opens[end] and \
                    (not item.clause or items[end].clause.startswith(item.clause)):
                end += 1
            if end > pos + 1:
                item.section_end = end

    def _features(self, sentence: str, actors: tuple[str, ...], named: bool, modality: str, marker: str,
                  measures: tuple[str, ...]) -> _Sig:
        s = self.s
        seen: set[int] = set()
        grams: list[int] = []
        bounds: list[int] = []
        for fragment in normalized_fragments(sentence, s):
            part = [g for g in self._fragment_grams(fragment) if g not in seen]
            if part:
                seen.update(part)
                grams.extend(part)
                bounds.append(len(grams))
        deadlines = []
        if s.deadline_hint.search(sentence):
            for rule in s.deadlines:
                for found in rule.pattern.finditer(sentence):
                    year = None
                    if rule.lapse == "stated" and found.groups() and (found.group(1) or "").isdigit():
                        year = int(found.group(1))
                    deadlines.append((found.group(0), rule.lapse, year))
        numbers: tuple[str, ...] = ()
        if s.number_hint.search(sentence):
            plain = _strip_titles(sentence)
            numbers = tuple(dict.fromkeys(m.group(0) for p in s.numbers for m in p.finditer(plain)))
        specific = frozenset(a for a in actors if a not in s.generic_actors)
        intern = self.interned.setdefault
        measure_set = frozenset(measures)
        return _Sig(tuple(grams), tuple(bounds), intern(specific, specific), named and bool(specific),
                    named and bool(actors) and not specific,
                    intern(measure_set, measure_set), s.strength_modalities.get(modality, 0.0), marker or modality,
                    tuple(deadlines), numbers)

    def _fragment_grams(self, fragment: str) -> tuple[int, ...]:
        """Distinct gram ids of a fragment, in order; fragments recur (formulaic text), so they are kept."""
        cached = self.fragments.get(fragment)
        if cached is not None:
            return cached
        n, gram_ids = self.s.n, self.gram_ids
        pieces = [fragment[i:i + n] for i in range(max(1, len(fragment) - n + 1))]
        ids = list(map(gram_ids.get, pieces))
        if None in ids:
            for number, piece in enumerate(pieces):
                if ids[number] is None:
                    gram = gram_ids.get(piece)
                    if gram is None:
                        gram = gram_ids[piece] = len(gram_ids)
                    ids[number] = gram
        # A paraphrase class named in the fragment is one more gram of it, shared by every wording.
        ids.extend(gram for gram, (_, cues) in zip(self.concept_grams, self.s.concepts, strict=True)
                   if cues.search(fragment))
        grams = tuple(dict.fromkeys(ids))
        if len(self.fragments) < _FRAGMENT_CACHE:
            self.fragments[fragment] = grams
        return grams  # type: ignore[return-value]

    def finish(self) -> None:
        """Gram weights (inverse document frequency over distinct directives) and per-directive norms."""
        # A gram found in one directive only can never be shared, so it would only lower every score
        # of that directive: it weighs as one found in two.
        total = len(self.sigs) + 1
        grams = flat_grams(self.sigs)
        df = np.bincount(grams, minlength=len(self.gram_ids))
        self.w2 = [math.log(total / (max(count, 2) + 1)) ** self.s.idf_power + 1e-9 for count in df.tolist()]
        for gram in self.concept_grams:
            self.w2[gram] *= self.s.concept_weight
        weight_of, minimum = self.w2.__getitem__, self.s.fragment_min_grams
        for sig in self.sigs:
            start = 0
            weights, long = [], []
            for number, end in enumerate(sig.bounds):
                weights.append(sum(map(weight_of, sig.grams[start:end])))
                if end - start >= minimum:
                    long.append(number)
                start = end
            sig.frag_weights = tuple(weights)
            sig.weight = sum(weights)
            sig.long = tuple(long)
            sig.floor = min((weights[n] for n in long), default=0.0)
        self.table = gram_table(self.sigs, self.w2, minimum, grams)


_DIGITS = 9  # of scores, so that equal scores tie whatever the order of summing
_TITLE_RE = re.compile(r"《[^》]*》")
_FRAGMENT_CACHE = 200_000  # distinct fragments whose gram ids are kept
_CONCEPT = "\x00"  # prefix of a concept's gram key: no n-gram of text holds it


def _strip_titles(sentence: str) -> str:
    return _TITLE_RE.sub("", sentence)


_SPLIT_RE = re.compile(r"[^\w]+")


def normalized_fragments(sentence: str, settings: CompareSettings) -> list[str]:
    """The sentence as the comparison reads it: frame words and quoted titles dropped, synonyms unified,
    split at punctuation.

    A title (`《中华人民共和国反电信网络诈骗法》`) says which text is carried out, not what is done: two
    directives that cite the same law are no counterparts for that.

    Example: `《意见》要求，要加强反电诈中心建设` → `['要加强反诈中心建设']` with the default config.
    """
    text = sentence
    if settings.frame_re is not None:
        text = settings.frame_re.sub("", text, count=1)
    text = _strip_titles(text)
    if settings.synonym_re is not None:
        text = settings.synonym_re.sub(lambda m: settings.synonyms[m.group(0)], text)
    return [piece for piece in _SPLIT_RE.split(text) if piece and piece != "_"]


# --------------------------------------------------------------------------- scoring


class _Scorer:
    """Pair scores of distinct directives: text (sentence and fragments), measures, actors."""

    def __init__(self, corpus: _Corpus) -> None:
        self.c = corpus
        self.s = corpus.s

    def text(self, q: _Sig, query: _Query, r: _Sig) -> float:
        """Text similarity: the better of the whole sentences and of their best pair of fragments.

        Fragment pairs are only looked at where an upper bound says they could beat the sentences:
        a fragment pair scores at most `fragment_factor` × shared weight / the smaller fragment weight.
        A gram belongs to one fragment on each side, so the shared weight of every fragment pair is
        summed in one pass over the grams shared with each long fragment of `r`.
        """
        shared = query.grams.intersection(r.grams)
        if not shared:
            return 0.0
        s, w2 = self.s, self.c.w2
        weight_of = w2.__getitem__
        dot = sum(map(weight_of, shared))
        share, factor = s.cosine_share, s.fragment_factor
        q_weight, r_weight = q.weight, r.weight
        best = share * dot / math.sqrt(q_weight * r_weight) + (1 - share) * dot / min(q_weight, r_weight)
        q_floor, r_floor = q.floor, r.floor
        if not q_floor or not r_floor or (len(r.bounds) == 1 and len(q.bounds) == 1) \
                or factor * dot / min(r_floor, q_floor) <= best:
            return min(best, 1.0)
        fragment_of, q_frag_weights, r_frag_weights = query.fragment_of, q.frag_weights, r.frag_weights
        grams, bounds = r.grams, r.bounds
        for rf in r.long:
            common_r = shared.intersection(grams[bounds[rf - 1] if rf else 0:bounds[rf]])
            if not common_r:
                continue
            rf_weight = r_frag_weights[rf]
            if factor * sum(map(weight_of, common_r)) / min(rf_weight, q_floor) <= best:
                continue
            parts: dict[int, float] = {}
            for gram in common_r:
                qf = fragment_of.get(gram)
                if qf is not None:
                    parts[qf] = parts.get(qf, 0.0) + w2[gram]
            for qf, part in parts.items():
                candidate = factor * _blend(part, q_frag_weights[qf], rf_weight, share)
                if candidate > best:
                    best = candidate
        return min(best, 1.0)

    def score(self, q: _Sig, query: _Query, r: _Sig) -> tuple[float, float]:
        """(combined score, text similarity) of local directive `q` against reference `r`."""
        text = self.text(q, query, r)
        return (self.combine(q, r, text), text) if text else (0.0, 0.0)

    def combine(self, q: _Sig, r: _Sig, text: float) -> float:
        """The combined score of a pair from its text similarity and its measures and actors."""
        s = self.s
        total, weight = s.w_text * text, s.w_text
        if q.measures and r.measures:
            # Overlap, not Jaccard: a local directive tagged with three measures that carries out a
            # reference tagged with one of them agrees with it fully on that one.
            shared = len(q.measures & r.measures)
            total += s.w_measures * shared / min(len(q.measures), len(r.measures))
            # Tags are coarse and a paraphrase is often tagged apart (`劝返` cross-border, `加强涉诈人员
            # 管理` organization): sharing one is evidence, sharing none only weak evidence against.
            weight += s.w_measures if shared else s.w_measures_apart
        if q.specific and r.specific:
            total += s.w_actors * len(q.specific & r.specific) / len(q.specific | r.specific)
            weight += s.w_actors
        return total / weight


def _blend(dot: float, a: float, b: float, share: float) -> float:
    if a <= 0 or b <= 0:
        return 0.0
    return share * dot / math.sqrt(a * b) + (1 - share) * dot / min(a, b)


@dataclass(frozen=True, slots=True)
class _Query:
    """What scoring needs of a local directive: its gram set and the long fragment of each of its grams."""

    grams: frozenset[int]
    fragment_of: dict[int, int]  # gram -> its fragment, for the grams of `long` fragments


def _query(sig: _Sig) -> _Query:
    return _Query(frozenset(sig.grams), {gram: n for n in sig.long for gram in sig.part(n)})


# --------------------------------------------------------------------------- lines of authority


def _city_lookup(config: Config) -> dict[str, dict[str, list[str]]]:
    """province -> county name -> cities containing it (from regions.yaml), for county documents."""
    out: dict[str, dict[str, list[str]]] = {}
    provinces = config["regions"].get("provinces") or {} if "regions" in config.files else {}
    for province, spec in provinces.items():
        table: dict[str, list[str]] = defaultdict(list)
        for city, city_spec in ((spec or {}).get("cities") or {}).items():
            for county in str((city_spec or {}).get("counties") or "").split():
                table[county].append(city)
        out[province] = table
    return out


def _county_city(info: DocumentInfo, lookup: dict[str, dict[str, list[str]]]) -> str | None:
    region, province = info.region or "", info.province or ""
    cities = lookup.get(province, {})
    city_names = {c for names in cities.values() for c in names}
    for city in sorted(city_names, key=len, reverse=True):
        if region.startswith(city) and region != city:
            return city
    found = cities.get(region) or []
    return found[0] if len(found) == 1 else None


def _pool_key(info: DocumentInfo) -> tuple | None:
    """The reference pool a document belongs to: the central documents, a province's, or a city's."""
    if info.level == "central":
        return ("central",)
    province = info.province or (info.region if info.level == "provincial" else None)
    if info.level == "provincial" and province:
        return ("provincial", province)
    if info.level == "municipal" and province and info.region:
        return ("municipal", province, info.region)
    return None


# --------------------------------------------------------------------------- the comparison


@dataclass(slots=True)
class _Match:
    """A local directive and one reference directive it carries out."""

    item: _Item
    ref: _Item
    score: float
    text: float
    when: str  # _EARLIER | _UNDATED | _LATER: the reference's date against the local document's

    @property
    def later(self) -> bool:
        return self.when == _LATER


# When a reference was issued, against the local document: a later one is never a source; an undated
# one is shown (flagged `reference_undated`) but not counted as a source until a sidecar dates it.
_EARLIER, _UNDATED, _LATER = "", "undated", "later"


def compare_corpus(docs: Iterable[Document | DocumentDuties], config: Config, *, filters: DutyFilter | None = None,
                   workers: int = 1) -> Comparison:
    """Align every kept lower-level document with the documents above it and build the four views.

    Args:
        docs: normalized documents (`store.load_document_duties`, or whole `Document`s); consumed once,
            not kept.
        config: the loaded config (`compare`, `labels`, `taxonomy`, `regions`, optionally `modality`).
        filters: which documents to compare (level, region, doc id) and which directives to show
            (actor, measure). References outside the filters are still used and shown as references.
        workers: processes for the alignment (forked, so they share the index); 1 runs in this one.

    Returns:
        The comparison: documents, coverage, actors, diffs, timeline, per-document summaries.

    Raises:
        ConfigError: `compare.yaml` is missing or invalid, or a filter names an unknown actor or measure.
    """
    keep = filters or DutyFilter()
    settings = compare_settings(config)
    check_filters(keep, config)
    with collector_paused():
        corpus = _Corpus(settings)
        for doc in docs:
            corpus.add(doc)
        corpus.finish()
        return _Comparer(corpus, config, keep, workers).run()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector while millions of small acyclic records are built or rendered.

    It would walk every live record again and again for nothing (reference counting frees them):
    at 20k documents that was a fifth of the time spent writing the JSON.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def check_filters(filters: DutyFilter, config: Config) -> None:
    """Reject actor and measure ids the taxonomy does not know (a typo would silently show nothing).

    Raises:
        ConfigError: naming the option and the id, with the known ids.
    """
    for option, given, known in (("--measure", filters.measures, measure_names(config)),
                                 ("--actor", filters.actors, actor_names(config))):
        for value in given:
            if value not in known:
                raise ConfigError(f"{option} {value}: unknown id; use one of {', '.join(sorted(known))}")


class _Comparer:
    """One run: the reference pools and their index, the alignment of each document, the views."""

    def __init__(self, corpus: _Corpus, config: Config, keep: DutyFilter, workers: int = 1) -> None:
        self.c = corpus
        self.workers = max(1, workers)
        self.s = corpus.s
        self.config = config
        self.keep = keep
        self.scorer = _Scorer(corpus)
        self.warnings: list[str] = []
        self.pools: dict[tuple, _Pool] = {}
        self.lines: dict[int, list[tuple]] = {}
        self.cache: dict[tuple[int, tuple], list[tuple[int, float, float]]] = {}

    # ----- pools and lines

    def _build_pools(self) -> None:
        infos = self.c.infos
        lookup: dict[str, dict[str, list[str]]] | None = None
        for index, info in enumerate(infos):
            if info.level is None:
                continue
            key = _pool_key(info)
            if key is not None:
                pool = self.pools.get(key)
                if pool is None:
                    pool = self.pools[key] = _Pool(_RANK[info.level])
                self._index(pool, index)
            if info.level == "central":
                continue
            province = info.province or (info.region if info.level == "provincial" else None)
            line: list[tuple] = [("central",)]
            if info.level in ("municipal", "county"):
                if province:
                    line.append(("provincial", province))
                else:
                    self.warnings.append(f"{info.doc_id}: no province known; compared with central documents only")
            if info.level == "county" and province:
                if lookup is None:
                    lookup = _city_lookup(self.config)
                city = _county_city(info, lookup)
                if city:
                    line.append(("municipal", province, city))
                else:
                    self.warnings.append(f"{info.doc_id}: the city of county region {info.region!r} is not known "
                                         "(regions.yaml); not compared with municipal documents")
            self.lines[index] = line

    def _index(self, pool: _Pool, doc: int) -> None:
        date_key = self.c.infos[doc].date or ""
        pool.docs.add(doc)
        for position, item in enumerate(self.c.items[doc]):
            if not item.on_topic:
                continue  # never a counterpart, never an omission
            local = pool.local.get(item.sig)
            if local is None:
                local = pool.local[item.sig] = len(pool.sigs)
                pool.sigs.append(item.sig)
                pool.occurrences.append([])
            pool.occurrences[local].append((date_key, doc, position))

    def _finish_pools(self) -> None:
        """Sort each directive's occurrences by date and build each pool's inverted index of n-grams."""
        for pool in self.pools.values():
            for occ in pool.occurrences:
                occ.sort()
            pool.dates = [[o[0] for o in occ] for occ in pool.occurrences]
            pool.index = posting_index(self.c.table, pool.sigs)

    # ----- candidates

    def _candidate_refs(self, sig_ids: list[int], pool_key: tuple) -> list[list[int]]:
        """Per directive, the reference directives of `pool_key` sharing most of its rare n-grams.

        Each directive reads the postings of its rarest grams within a budget (`rarest_reads`). Shared
        grams count by their weight (rarity), as in the score. Candidates sharing less than half the best
        one's weight rarely score higher, and at most `candidates` are kept, most shared first.
        """
        pool = self.pools[pool_key]
        reads = rarest_reads(self.c.table, pool.index, sig_ids, self.s.postings, self.s.min_grams)
        found = most_read(pool.index.entries, pool.index.size, reads, self.s.candidates)
        sigs = pool.sigs
        return [[sigs[local] for local in refs] for refs in found]

    def _scored(self, local: LocalGrams, pairs: list[tuple[int, int]]) -> list[tuple[float, float]]:
        """(combined score, text similarity) of each (local sig, reference sig) pair, scored together.

        A pair below `min_text` counts as sharing nothing (no use of the comparison looks at it).
        """
        if not pairs:
            return []
        column = {int(sig): n for n, sig in enumerate(local.sigs)}
        queries = np.fromiter((column[q] for q, _ in pairs), np.int64, len(pairs))
        refs = np.fromiter((r for _, r in pairs), np.int64, len(pairs))
        texts = text_similarity(self.c.table, local, queries, refs, share=self.s.cosine_share,
                                factor=self.s.fragment_factor)
        # Sums in another order differ in the last bits: scores that are equal must tie (and let the
        # next criterion decide), so they are kept to 9 decimals, far below the 3 that are shown.
        sigs, combine, low = self.c.sigs, self.scorer.combine, self.s.min_text
        return [(round(combine(sigs[q], sigs[r], text), _DIGITS), text) if text >= low else (0.0, 0.0)
                for (q, r), text in zip(pairs, np.round(texts, _DIGITS).tolist(), strict=True)]

    # ----- one local document

    def _align(self, doc: int, local: LocalGrams) -> tuple[list[list[_Match] | None], list[tuple], dict[int, float]]:
        """The reference directives each directive of `doc` carries out (best first), and the best score
        of every reference directive looked at (for omissions)."""
        info = self.c.infos[doc]
        local_date = info.date
        line = [key for key in self.lines[doc] if key in self.pools]
        # the candidates of every distinct directive in every pool of the line, scored in one batch
        lists: dict[tuple[int, tuple], list[tuple[int, float, float]]] = {}
        pending: list[tuple[tuple[int, tuple], list[int]]] = []
        for pool_key in line:
            unknown = []
            for sig in local.sigs.tolist():
                cached = self.cache.get((sig, pool_key))
                if cached is not None:
                    lists[(sig, pool_key)] = cached
                else:
                    unknown.append(sig)
            if unknown:
                refs = self._candidate_refs(unknown, pool_key)
                pending.extend(((sig, pool_key), found) for sig, found in zip(unknown, refs, strict=True))
        scores = iter(self._scored(local, [(key[0], ref) for key, refs in pending for ref in refs]))
        for key, refs in pending:
            found = []
            for ref in refs:
                score, text = next(scores)
                if text:
                    found.append((ref, score, text))
            found.sort(key=lambda f: -f[1])
            lists[key] = found
            if self.c.sig_count[key[0]] > 1:
                if len(self.cache) >= _CACHE_KEPT:
                    self.cache.clear()
                self.cache[key] = found
        results: list[list[_Match] | None] = []
        seen: dict[int, float] = {}  # reference sig -> best score with any directive of `doc`
        s = self.s
        for item in self.c.items[doc]:
            if not item.on_topic:
                results.append(None)
                continue
            found_in: dict[tuple[int, int], tuple[tuple, _Item, float, float, str]] = {}  # per reference directive
            for pool_key in line:
                pool = self.pools[pool_key]
                for ref_sig, score, text in lists[(item.sig, pool_key)]:
                    if text >= s.min_text:
                        if score > seen.get(ref_sig, -1.0):
                            seen[ref_sig] = score
                    else:
                        continue
                    if score < s.match:
                        continue
                    occ_doc, occ_item, when = self._occurrence(pool, ref_sig, local_date)
                    ref_info = self.c.infos[occ_doc]
                    later = when == _LATER
                    rank = (not later, score, pool.rank, (ref_info.date or "") if not later else "", -occ_doc)
                    key = (occ_doc, occ_item)
                    if key not in found_in or rank > found_in[key][0]:
                        found_in[key] = (rank, self.c.items[occ_doc][occ_item], score, text, when)
            if not found_in:
                results.append(None)
                continue
            ranked = sorted(found_in.values(), key=lambda f: f[0], reverse=True)
            _, ref, score, text, when = ranked[0]
            if when == _LATER:  # no earlier counterpart: the later one is shown, flagged, and is no source
                results.append([_Match(item, ref, score, text, when)])
                continue
            # Many-to-many: a local directive carries out every parallel directive it matches about as well
            # as its best one (a resolution restating what a law, an opinion and a report all ask).
            floor = max(s.match, score * s.counterpart_ratio)
            results.append([_Match(item, f[1], f[2], f[3], f[4]) for f in ranked[:s.max_counterparts]
                            if f[4] != _LATER and f[2] >= floor])
        return results, line, seen

    def _occurrence(self, pool: _Pool, ref_sig: int, local_date: str | None) -> tuple[int, int, str]:
        """The occurrence of a reference directive to hold against a local document issued on `local_date`.

        The latest dated one issued no later is preferred; then an undated one (which may be a source,
        but cannot be counted as one); a later one only when there is nothing else.
        """
        local = pool.local[ref_sig]
        occ, dates = pool.occurrences[local], pool.dates[local]
        undated = bisect.bisect_right(dates, "")
        if local_date is None:
            _, doc, item = occ[-1]
            return doc, item, _EARLIER if len(occ) > undated else _UNDATED
        position = bisect.bisect_right(dates, local_date)
        if position > undated:
            _, doc, item = occ[position - 1]
            return doc, item, _EARLIER
        if undated:
            _, doc, item = occ[0]
            return doc, item, _UNDATED
        _, doc, item = occ[0]
        return doc, item, _LATER

    def _sources(self, doc: int, matches: list[list[_Match] | None]) -> list[int]:
        """The documents held against `doc` for omissions: every dated reference issued no later that it
        draws on (`min_shared` of its directives carry out one of its directives; a statute: one), at most
        `max_sources` per level, those it draws on most first (the bound keeps a corpus with hundreds of
        central documents from listing each of them against every county notice)."""
        counts = Counter(m.ref.doc for found in matches if found for m in found if m.when == _EARLIER)
        local_date = self.c.infos[doc].date
        by_level: dict[str, list[int]] = defaultdict(list)
        for ref_doc, count in counts.items():
            info = self.c.infos[ref_doc]
            if not info.date or (local_date and info.date > local_date):
                continue
            if count >= self.s.min_shared or info.kind in self.s.statute_kinds:
                by_level[info.level or ""].append(ref_doc)
        sources = []
        for level in LEVELS:
            ranked = sorted(by_level.get(level, ()), key=lambda d: (-counts[d], self.c.infos[d].date or "",
                                                                    self.c.infos[d].doc_id))
            sources.extend(ranked[: self.s.max_sources])
        return sources

    def _omitted(self, doc: int, local: LocalGrams, matches: list[list[_Match] | None], sources: list[int],
                 seen: dict[int, float]) -> list[tuple[_Item, float]]:
        """Directives of the `sources` that no directive of `doc` carries out, with the best score found.

        A reference directive is carried out when a local directive is aligned with it, or when some
        local directive scores at least `carry` with it: the alignment's candidates already tell for
        most; the rest are held against the `omission_candidates` local directives that share most
        n-grams with them (the alignment reads only the rarest n-grams, so it can miss a second echo).
        A section heading whose items are carried out is covered by them; a statute's list items and
        penalty provisions are no omission of a document of another kind.
        """
        carried = {id(m.ref) for found in matches if found for m in found}
        unknown = list(dict.fromkeys(ref.sig for source in sources for ref in self.c.items[source]
                                     if id(ref) not in carried and ref.sig not in seen))
        if unknown and self.s.omission_candidates:
            counts = shared_counts(self.c.table, local, unknown)
            # the local directives sharing most grams with each, most first (ties: in text order)
            best_first = np.argsort(-counts, axis=1, kind="stable")[:, :self.s.omission_candidates]
            local_sigs = local.sigs.tolist()
            pairs = [(local_sigs[column], ref_sig)
                     for ref_sig, columns, row in zip(unknown, best_first.tolist(), counts.tolist(), strict=True)
                     for column in columns
                     if row[column] >= 2]  # one shared n-gram never makes a carried directive
            best = dict.fromkeys(unknown, 0.0)
            for (_, ref_sig), (score, text) in zip(pairs, self._scored(local, pairs), strict=True):
                if text >= self.s.min_text and score > best[ref_sig]:
                    best[ref_sig] = score
            seen.update(best)
        kind = self.c.infos[doc].kind
        out = []
        for source in sources:
            refs = self.c.items[source]
            done = [id(ref) in carried or seen.get(ref.sig, 0.0) >= self.s.carry for ref in refs]
            minor_exempt = self.c.infos[source].kind in self.s.statute_kinds and self.c.infos[source].kind != kind
            for ref in refs:
                if done[ref.pos] or (minor_exempt and ref.minor):
                    continue
                if ref.section_end and any(done[ref.pos + 1:ref.section_end]):
                    continue  # a heading, carried out through its items
                out.append((ref, seen.get(ref.sig, 0.0)))
        return out

    # ----- statuses

    def _status(self, item: _Item, ref: _Item) -> tuple[str, list[str]]:
        """Status of an aligned pair and the reasons for it, decided in order: modality class, actor,
        concreteness (deadlines, numbers), else `echoed`.

        A local directive with no actor of its own (a heading, an item addressed to the city government)
        keeps the reference's actor: that is no actor dropped. Naming a specific actor, carried over from
        an earlier sentence or not, where the reference names none, a generic one or their umbrella, is
        more concrete.
        """
        c, s = self.c, self.s
        q, r = c.sigs[item.sig], c.sigs[ref.sig]
        stronger = _compare_strength(q, r)
        if stronger:
            change = [f"modality {r.label} → {q.label}"]
            return ("strengthened", change) if stronger > 0 else ("weakened", change)
        if q.specific and r.specific and not q.specific & r.specific:
            change = f"actor {'+'.join(sorted(r.specific))} → {'+'.join(sorted(q.specific))}"
            if all(any(a in s.umbrella.get(u, ()) for u in r.specific) for a in q.specific):
                return "strengthened", [change + " (named within)"]
            if all(any(a in s.umbrella.get(u, ()) for u in q.specific) for a in r.specific):
                return "weakened", [change + " (broadened)"]
            return "reassigned", [change]
        if q.named and not r.specific:
            return "strengthened", [f"named actor {'+'.join(sorted(q.specific))}"]
        if q.vague and r.specific:
            return "weakened", [f"actor {'+'.join(sorted(r.specific))} → a generic one"]
        gains: list[str] = []
        losses: list[str] = []
        if q.deadlines and not r.deadlines:
            gains.append(f"deadline {q.deadlines[0][0]}")
        local_year = _year(c.infos[item.doc].date)
        ref_year = _year(c.infos[ref.doc].date)
        binding = [d for d in r.deadlines if _binding(d, ref_year, local_year)]
        if binding and not q.deadlines:
            losses.append(f"deadline {binding[0][0]} dropped")
        if q.numbers and not r.numbers:
            gains.append(f"number {q.numbers[0]}")
        if r.numbers and not q.numbers:
            losses.append(f"number {r.numbers[0]} dropped")
        if gains and not losses:
            return "strengthened", gains
        if losses and not gains:
            return "weakened", losses
        return "echoed", gains + losses

    # ----- views

    def _compare_doc(self, doc: int) -> tuple:
        """Everything found for one local document, as plain tuples (cheap to send between processes).

        Rows: ("m", local pos, ref doc, ref pos, score, text, later, status, reasons, undated) for each
        reference directive a local directive carries out, ("a", local pos) for an added one, ("o", ref doc,
        ref pos, score) for an omitted one.
        """
        local = local_grams(self.c.table, list(dict.fromkeys(item.sig for item in self.c.items[doc])))
        matches, line, seen = self._align(doc, local)
        references = sum(len(self.pools[k].docs) for k in line)
        rows: list[tuple] = []
        for item, found in zip(self.c.items[doc], matches, strict=True):
            if not item.on_topic:
                rows.append(("t", item.pos))
                continue
            if not found:
                rows.append(("a", item.pos))
                continue
            for match in found:
                status, reasons = self._status(item, match.ref)
                rows.append(("m", item.pos, match.ref.doc, match.ref.pos, round(match.score, 3),
                             round(match.text, 3), match.later, status, tuple(reasons), match.when == _UNDATED))
        sources = self._sources(doc, matches)
        for ref, score in self._omitted(doc, local, matches, sources, seen):
            rows.append(("o", ref.doc, ref.pos, round(score, 3)))
        return doc, rows, references, sources

    def _compare_all(self, docs: list[int]) -> list[tuple]:
        """`_compare_doc` for every document, split over `workers` processes when that pays."""
        if self.workers <= 1 or len(docs) < 64 or "fork" not in multiprocessing.get_all_start_methods():
            return [self._compare_doc(doc) for doc in docs]
        global _FORKED  # the forked workers read the corpus and index from here, copy-on-write
        chunks = [docs[i::self.workers] for i in range(self.workers)]
        _FORKED = self
        gc.freeze()  # keep the collector from touching (and so copying) every object in the workers
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(self.workers - 1) as pool:
                # The workers' documents go in small batches, so that their results come back as they
                # are made instead of piling up in the workers (and in one pickle each) until the end.
                batches = [chunk[i:i + _BATCH] for chunk in chunks[1:] for i in range(0, len(chunk), _BATCH)]
                pending = pool.map_async(_compare_chunk, batches, chunksize=1)
                results = [self._compare_doc(doc) for doc in chunks[0]]
                for batch in pending.get():
                    results.extend(batch)
        finally:
            _FORKED = None
            gc.unfreeze()
        order = {doc: n for n, doc in enumerate(docs)}
        return sorted(results, key=lambda r: order[r[0]])

    def run(self) -> Comparison:
        c = self.c
        self._build_pools()
        self._finish_pools()
        # What only reading the documents needed goes before the alignment (and before workers fork).
        c.sig_ids.clear()
        c.fragments.clear()
        c.interned.clear()
        kept = [i for i, info in enumerate(c.infos) if self.keep.keeps_document(info)]
        summaries: list[DocumentSummary] = []
        shown_refs: set[int] = set()
        order = sorted(kept, key=self._doc_order)
        for doc in order:
            if c.infos[doc].level is None:
                self.warnings.append(f"{c.infos[doc].doc_id}: level unknown; shown in the views, not compared")
        results = self._compare_all([d for d in order if d in self.lines])
        # The index and the directive features are not needed for the views: free them before the
        # diffs are built, which is when memory peaks on a large corpus.
        self.pools.clear()
        self.cache.clear()
        self.c.sigs.clear()
        self.c.table = None
        kept_rows: list[tuple[str, int, list[tuple]]] = []
        for doc, rows, references, sources in results:
            info = c.infos[doc]
            if not references:
                self.warnings.append(f"{info.doc_id}: no documents above it on its line of authority; "
                                     "every directive is `added`")
            counts: Counter[str] = Counter()
            later = 0
            counted: set[int] = set()  # a local directive counts once, with its best counterpart's status
            for row in rows:
                if row[0] == "m" and (row[1] in counted or counted.add(row[1])):
                    continue
                if row[0] == "m" and row[6]:
                    later += 1
                else:
                    counts[_ROW_STATUS.get(row[0]) or row[7]] += 1
            local_measures = {m for item in c.items[doc] for m in item.measures}
            source_measures = {m for s in sources for item in c.items[s] for m in item.measures}
            summaries.append(DocumentSummary(
                info.doc_id, {status: counts.get(status, 0) for status in STATUSES}, later, references,
                [c.infos[s].doc_id for s in sources], sorted(source_measures - local_measures)))
            rows = [row for row in rows if self._keeps_row(doc, row)]
            shown_refs.update(row[2 if row[0] == "m" else 1] for row in rows if row[0] in ("m", "o"))
            shown_refs.update(sources)
            kept_rows.append((info.doc_id, doc, rows))
        shown = sorted(set(kept) | shown_refs, key=self._doc_order)
        kept_set = set(kept)
        documents = []
        for doc in shown:
            info = c.infos[doc]
            info.role = "compared" if doc in kept_set else "reference"
            documents.append(info)
        coverage, actors = self._matrices(shown)
        timeline = self._timeline(order, results)
        return Comparison(documents, coverage, actors, DiffList(kept_rows, c.items, c.infos), timeline, summaries,
                          self._labels(), list(dict.fromkeys(self.warnings)))

    def _doc_order(self, doc: int) -> tuple:
        info = self.c.infos[doc]
        return (_RANK.get(info.level or "", len(LEVELS)), info.date or "9999", info.doc_id)

    def _keeps_row(self, doc: int, row: tuple) -> bool:
        """Whether a diff row passes the actor and measure filters (on either side)."""
        actors, measures = self.keep.actors, self.keep.measures
        sides = _row_items(self.c.items, doc, row)
        if not self.keep.keeps_topic(next(d for d in sides if d is not None).on_topic):
            return False
        if not actors and not measures:
            return True
        return (not actors or any(set(actors) & set(d.actors) for d in sides if d is not None)) and \
            (not measures or any(set(measures) & set(d.measures) for d in sides if d is not None))

    def _matrices(self, shown: list[int]) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
        taxonomy_measures = list(self.config["taxonomy"].get("measures") or {})
        coverage: dict[str, dict[str, int]] = {m: {} for m in (self.keep.measures or taxonomy_measures)}
        actors: dict[str, dict[str, int]] = {a: {} for a in self.keep.actors}
        for doc in shown:
            doc_id = self.c.infos[doc].doc_id
            for item in self.c.items[doc]:
                if self.keep.actors and not set(self.keep.actors) & set(item.actors):
                    continue
                if self.keep.measures and not set(self.keep.measures) & set(item.measures):
                    continue
                for measure in item.measures:
                    if not self.keep.measures or measure in self.keep.measures:
                        row = coverage.setdefault(measure, {})
                        row[doc_id] = row.get(doc_id, 0) + 1
                for actor in item.actors or (_NO_ACTOR,):
                    if not self.keep.actors or actor in self.keep.actors:
                        row = actors.setdefault(actor, {})
                        row[doc_id] = row.get(doc_id, 0) + 1
        actor_order = sorted(actors, key=lambda a: (a == _NO_ACTOR, -sum(actors[a].values()), a))
        return coverage, {a: actors[a] for a in actor_order}

    def _timeline(self, order: list[int], results: list[tuple]) -> list[TimelineEntry]:
        """Documents by date, each with the earlier documents whose directives it carries out."""
        items, infos = self.c.items, self.c.infos
        carried: dict[int, list[tuple[int, int, str]]] = {}  # doc -> (reference doc, position, status)
        for doc, rows, _, _ in results:
            carried[doc] = [(row[2], row[3], row[7]) for row in rows if row[0] == "m" and not row[6]]
        entries = []
        for doc in sorted(order, key=lambda d: (infos[d].date or "9999", self._doc_order(d))):
            info = infos[doc]
            grouped: dict[int, dict[tuple[int, int], tuple[str, str, str]]] = defaultdict(dict)
            for ref_doc, position, status in carried.get(doc, ()):
                item = items[ref_doc][position]
                grouped[ref_doc].setdefault((item.start, item.end), (item.clause, item.sentence, status))
            links = []
            for ref_doc, seen in grouped.items():
                ref = infos[ref_doc]
                directives = [seen[k] for k in sorted(seen)]
                counts = Counter(status for _, _, status in directives)
                links.append(Echo(ref.doc_id, ref.date, ref.level, dict(counts), directives))
            links.sort(key=lambda e: (e.date or "", e.doc_id))
            entries.append(TimelineEntry(info.doc_id, info.date, info.level, info.region, info.title, links))
        return entries

    def _labels(self) -> dict[str, dict[str, str]]:
        labels = self.config["labels"] if "labels" in self.config.files else {}
        return {
            "levels": dict(labels.get("levels") or {}),
            "statuses": dict(labels.get("statuses") or {}),
            "modalities": dict(labels.get("modalities") or {}),
            "columns": dict(labels.get("columns") or {}),
            "measures": measure_names(self.config),
            "actors": actor_names(self.config),
        }


_ROW_STATUS = {"a": "added", "o": "omitted", "t": "off_topic"}  # the status of a row that is not an aligned pair
_REFERENCES_KEPT = 50_000  # reference directive records a DiffList keeps while it is read


def _row_items(items: list[list[_Item]], doc: int, row: tuple) -> tuple[_Item | None, _Item | None]:
    """(local, reference) directive of a diff row of `_Comparer._compare_doc`."""
    if row[0] in ("a", "t"):
        return items[doc][row[1]], None
    if row[0] == "o":
        return None, items[row[1]][row[2]]
    return items[doc][row[1]], items[row[2]][row[3]]


class DiffList:
    """The diffs of a comparison, made into `Diff` records one document at a time as they are read.

    A large corpus has over a million diffs: as records they would take more memory than the whole
    index, so the comparison keeps the compact rows the alignment produced and builds each record when
    it is read (the records of one reading are not kept). Iterate it, take `len`, test it for truth.
    """

    def __init__(self, rows: list[tuple[str, int, list[tuple]]], items: list[list[_Item]],
                 infos: list[DocumentInfo]) -> None:
        self._rows = rows  # (local doc id, local doc, its rows)
        self._items = items
        self._infos = infos
        self._count = sum(len(doc_rows) for _, _, doc_rows in rows)
        self._lists: dict[tuple[str, ...], list[str]] = {}
        self._references: dict[int, Directive] = {}  # id(item) -> record; a reference recurs in many diffs

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __iter__(self) -> Iterator[Diff]:
        items, directive, reference = self._items, self._directive, self._reference
        for doc_id, doc, rows in self._rows:
            for row in rows:
                if row[0] in ("a", "t"):
                    yield Diff(doc_id, _ROW_STATUS[row[0]], directive(items[doc][row[1]]), None, 0.0)
                elif row[0] == "o":
                    yield Diff(doc_id, "omitted", None, reference(items[row[1]][row[2]]), row[3])
                else:
                    _, pos, ref_doc, ref_pos, score, text, later, status, reasons, undated = row
                    yield Diff(doc_id, status, directive(items[doc][pos]), reference(items[ref_doc][ref_pos]),
                               score, text, later, reasons, undated)

    def _reference(self, item: _Item) -> Directive:
        """The record of a reference directive, kept for its next diffs (up to a bound on memory)."""
        found = self._references.get(id(item))  # items live as long as this list: their ids are stable
        if found is None:
            if len(self._references) >= _REFERENCES_KEPT:
                self._references.clear()
            found = self._references[id(item)] = self._directive(item)
        return found

    def _directive(self, item: _Item) -> Directive:
        info = self._infos[item.doc]
        lists = self._lists  # few distinct actor and measure combinations: one (read-only) list each
        actors = lists.get(item.actors)
        if actors is None:
            actors = lists[item.actors] = list(item.actors)
        measures = lists.get(item.measures)
        if measures is None:
            measures = lists[item.measures] = list(item.measures)
        return Directive(info.doc_id, item.sentence, item.clause, item.start, item.end, actors, item.modality,
                         item.marker, measures, info.date, info.level)


def _compare_strength(q: _Sig, r: _Sig) -> int:
    """1 when the local directive is of a stronger modality class, -1 weaker, 0 the same.

    Classes, not markers: reports and opinions write `要`, laws and resolutions `应当`, and both oblige.
    """
    return (q.rank > r.rank) - (q.rank < r.rank)


_BATCH = 32  # local documents a worker compares per task
_CACHE_KEPT = 20_000  # candidate lists of recurring directives kept per process

_FORKED: _Comparer | None = None  # set only while forked workers run (`_Comparer._compare_all`)


def _compare_chunk(docs: list[int]) -> list[tuple]:
    """Worker side of `_Comparer._compare_all`: compare some documents with the inherited comparer."""
    assert _FORKED is not None
    return [_FORKED._compare_doc(doc) for doc in docs]


def _year(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def _binding(deadline: tuple[str, str, int | None], ref_year: int | None, local_year: int | None) -> bool:
    """Whether a reference deadline is known to still bind when the local document is issued.

    `今年内` in a 2021 reference no longer binds a 2022 document, so leaving it out is no weakening;
    with a date unknown on either side a dated deadline is not held against the local document.
    """
    _, lapse, stated = deadline
    if lapse == "never":
        return True
    if local_year is None:
        return False
    if lapse == "stated":
        return stated is not None and local_year <= stated
    if ref_year is None:
        return False
    return local_year <= ref_year + (1 if lapse == "next_year" else 0)


# --------------------------------------------------------------------------- JSON


def _side(d: Directive, with_doc: bool) -> dict:
    out: dict[str, Any] = {}
    if with_doc:
        out["doc_id"] = d.doc_id
    out.update({"sentence": d.sentence, "clause": d.clause, "start": d.start, "end": d.end,
                "actors": d.actors, "modality": d.modality, "measures": d.measures, "marker": d.marker})
    if with_doc:
        out.update({"date": d.date, "level": d.level})
    return out


def diff_to_json(diff: Diff, reference_side: Callable[[Directive], Any] | None = None) -> dict:
    """One diff as the contract's record (plus `reference_later`, `text_similarity`, `reasons`).

    `reference_side` may stand in for the reference's record (a writer that encodes each reference
    directive once, since one recurs in many diffs).
    """
    out: dict[str, Any] = {"doc_id": diff.doc_id, "status": diff.status}
    if diff.local is not None:
        out["local"] = _side(diff.local, False)
    if diff.reference is not None:
        out["reference"] = reference_side(diff.reference) if reference_side else _side(diff.reference, True)
    out["similarity"] = diff.similarity
    out["text_similarity"] = diff.text_similarity
    out["reference_later"] = diff.reference_later
    out["reference_undated"] = diff.reference_undated
    out["reasons"] = list(diff.reasons)
    return out


#: Columns of `diff_rows`: one row per diff, for CSV and the `diffs` table of a SQLite export.
DIFF_COLUMNS = ("doc_id", "level", "region", "date", "status", "clause", "sentence", "actors", "modality",
                "measures", "reference_doc_id", "reference_level", "reference_date", "reference_clause",
                "reference_sentence", "reference_actors", "reference_modality", "reference_measures",
                "similarity", "text_similarity", "reference_later", "reference_undated", "reasons")


def diff_rows(comparison: Comparison) -> Iterator[dict]:
    """Each diff as a flat row (`DIFF_COLUMNS`; lists joined with `;`), with its document's metadata.

    `start`/`end` of both sides are added (`start`, `end`, `reference_start`, `reference_end`), so a row
    can be keyed to the stored directive it shows.
    """
    infos = {d.doc_id: d for d in comparison.documents}
    for diff in comparison.diffs:
        info = infos.get(diff.doc_id)
        local, ref = diff.local, diff.reference
        yield {
            "doc_id": diff.doc_id, "level": info.level if info else None, "region": info.region if info else None,
            "date": info.date if info else None, "status": diff.status,
            "clause": local.clause if local else None, "sentence": local.sentence if local else None,
            "actors": ";".join(local.actors) if local else None, "modality": local.modality if local else None,
            "measures": ";".join(local.measures) if local else None,
            "start": local.start if local else None, "end": local.end if local else None,
            "reference_doc_id": ref.doc_id if ref else None, "reference_level": ref.level if ref else None,
            "reference_date": ref.date if ref else None, "reference_clause": ref.clause if ref else None,
            "reference_sentence": ref.sentence if ref else None,
            "reference_actors": ";".join(ref.actors) if ref else None,
            "reference_modality": ref.modality if ref else None,
            "reference_measures": ";".join(ref.measures) if ref else None,
            "reference_start": ref.start if ref else None, "reference_end": ref.end if ref else None,
            "similarity": diff.similarity, "text_similarity": diff.text_similarity,
            "reference_later": diff.reference_later, "reference_undated": diff.reference_undated,
            "reasons": "; ".join(diff.reasons),
        }


def comparison_to_json(comparison: Comparison, *, diffs: bool = True) -> dict:
    """The contract's `compare --format json` object, with `timeline`, `summary` and `warnings` added.

    Args:
        comparison: the result of `compare_corpus`.
        diffs: include the diffs, timeline and summary (the streaming writer adds them one by one instead).
    """
    return {
        "documents": [{"doc_id": d.doc_id, "level": d.level, "region": d.region, "date": d.date,
                       "title": d.title, "province": d.province, "kind": d.kind, "n_duties": d.n_duties,
                       "role": d.role} for d in comparison.documents],
        "coverage": comparison.coverage,
        "actors": comparison.actors,
        "diffs": [diff_to_json(d) for d in comparison.diffs] if diffs else [],
        "timeline": [timeline_to_json(t) for t in comparison.timeline] if diffs else [],
        "summary": [summary_to_json(s) for s in comparison.summaries] if diffs else [],
        "warnings": comparison.warnings,
    }


def timeline_to_json(entry: TimelineEntry) -> dict:
    """One timeline entry as a JSON record."""
    return {"doc_id": entry.doc_id, "date": entry.date, "level": entry.level, "region": entry.region,
            "echoes": [{"doc_id": e.doc_id, "date": e.date, "level": e.level, "counts": e.counts,
                        "directives": [{"clause": cl, "sentence": se, "status": st} for cl, se, st in e.directives]}
                       for e in entry.echoes]}


def summary_to_json(summary: DocumentSummary) -> dict:
    """One per-document summary as a JSON record."""
    return {"doc_id": summary.doc_id, "counts": summary.counts, "later": summary.later,
            "references": summary.references, "sources": summary.sources,
            "missing_measures": summary.missing_measures}
