"""Schemas of the extraction files: taxonomy, segment, actors, agencies, modality, measures, extract."""

from __future__ import annotations

from typing import Literal

from msgspec import UNSET

from .base import Number, Omittable, Regex, Section, Words

# ---------------------------------------------------------------- taxonomy.yaml


class TaxonomyActor(Section):
    name: str
    aliases: Words


class TaxonomyMeasure(Section):
    name: str
    cues: Words


class TaxonomyFile(Section):
    levels: dict[str, str]
    kinds: dict[str, str]
    modalities: dict[str, Words]
    actors: dict[str, TaxonomyActor]
    measures: dict[str, TaxonomyMeasure]


# ---------------------------------------------------------------- segment.yaml


class HeadingKind(Section):
    kind: str
    rank: int
    strong: bool
    pattern: Regex
    key: str
    not_followed_by: Omittable[Regex] = UNSET


class Sequence(Section):
    start_max: int
    max_gap: int


class Chapters(Section):
    pattern: Regex
    units: dict[str, int]
    max_chars: int
    forbidden: Regex


class Contents(Section):
    min_entries: int
    min_share: Number
    gap_lines: int
    wraps_after: Regex
    max_chars: int
    trim: str


class Subheading(Section):
    min_chars: int
    max_chars: int
    sentence_end: Regex
    closing: str
    exclude: Regex
    contents: Contents


class SegmentFile(Section):
    headings: list[HeadingKind]
    sequence: Sequence
    chapters: Chapters
    subheading: Subheading


# ---------------------------------------------------------------- actors.yaml


class Actor(Section):
    name: str
    aliases: Words
    short: Omittable[Words] = UNSET


class Coordination(Section):
    connectors: Words
    distributive_suffixes: Words
    non_distributive: Words
    owners: Words
    prefixes: Words
    scope_words: Words
    place_suffixes: Words
    pre_marker: Words
    object_prepositions: Words
    not_after: Words
    co_actor_verbs: Words


class Collective(Section):
    salutation_max_chars: int
    salutation_window: int
    subject_words: Words


class ActorsFile(Section):
    actors: dict[str, Actor]
    generic_heads: Words
    coordination: Coordination
    target_verbs: Words
    collective: Collective


# ---------------------------------------------------------------- agencies.yaml


class PatternToId(Section):
    pattern: Regex
    id: str


class AgenciesFile(Section):
    prefixes: Words
    fields: dict[str, Words]
    heads: Words
    government_heads: Words
    unknown_field_id: str
    not_fields: Words
    roles: dict[str, Words]
    role_max_chars: int
    role_connectors: Words
    role_pronouns: Words
    duty_phrases: list[PatternToId]
    activity_subjects: list[PatternToId]


# ---------------------------------------------------------------- modality.yaml


class Negation(Section):
    negators: Words
    modality: str


class PredicateAfter(Section):
    words: Words
    verbs: Words


class ConditionParts(Section):
    endings: Words
    time_ending: str
    time_openers: Words


class NonModal(Section):
    tokens: Words
    weak: Words
    predicate_before: Words
    predicate_after: PredicateAfter
    not_followed_by: Words
    pair_joiners: Words
    attributive_before: Words
    quotes: list[Words]
    descriptive_before: Words
    condition_parts: ConditionParts


class Imperative(Section):
    verbs: Words
    adverbs: Words
    prepositions: Words
    frames: Words
    subject_adverbials: Words
    series_marks: Words


class NotDirective(Section):
    tokens: Words
    definitions: list[Regex]
    patterns: list[Regex]
    condition_endings: Words
    list_condition_words: Words
    list_words: Words
    list_duty_nouns: Words
    noun_list_nouns: Words
    catch_all_items: Words
    item_noun_heads: Words


class Penalty(Section):
    pattern: Regex
    cues: list[Regex]
    continuing: list[Regex]
    refusal: Regex


class ModalityFile(Section):
    markers: dict[str, Words]
    compounds: dict[str, str]
    negation: Negation
    non_modal: NonModal
    reporting_verbs: Words
    imperative: Imperative
    not_directive: NotDirective
    penalty: Penalty


# ---------------------------------------------------------------- measures.yaml


class Sense(Section):
    measure: str
    weight: Omittable[Number] = UNSET
    words: Omittable[Words] = UNSET
    actors: Omittable[Words] = UNSET


class Places(Section):
    head: Number
    object: Number
    body: Number
    lead: Number
    topic: Number
    purpose: Number
    condition: Number
    modifier: Number
    title: Number


class Fallback(Section):
    actors: dict[str, str]
    default: str


class MeasureWeights(Section):
    head_chars: int
    purpose_starts: Words
    condition_ends: Words
    modifier_opens: Words
    modifier_chars: int
    min_score: Number
    relative: Number
    strong: Number


class MeasuresFile(Section):
    measures: dict[str, dict[float, Words]]
    senses: dict[str, list[Sense]]
    compounds: dict[str, Words]
    places: Places
    fallback: Fallback
    weights: MeasureWeights
    max_per_directive: int


# ---------------------------------------------------------------- extract.yaml


class ExtractSentence(Section):
    terminators: str
    part_separator: str
    closers: str
    colon: str
    colon_split_before: Regex
    enumerator: Regex
    min_chars: int
    part_commas: str


class Inheritance(Section):
    scope: Literal["paragraph"]
    colon_lead: bool
    article_heading: Regex


class Action(Section):
    stop: str
    max_chars: int


class ExtractFile(Section):
    engine: Literal["rjieba", "jieba"]
    hmm: bool
    sentence: ExtractSentence
    inheritance: Inheritance
    action: Action
    user_words: Words
