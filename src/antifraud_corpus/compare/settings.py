"""`compare.yaml` read, checked and compiled once per run."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import Config, compile_rule
from ..errors import ConfigError
from ..extract.topic import TopicRules, topic_rules
from ..text.fastregex import FastPattern

# --------------------------------------------------------------------------- settings


@dataclass(frozen=True, slots=True)
class Deadline:
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
    # (concept cues, action words) of each action concept: a reference leading with the first is carried
    # out only by a directive naming one of the second
    action_cues: tuple[tuple[re.Pattern[str] | FastPattern, re.Pattern[str] | FastPattern], ...]
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
    guiding_re: re.Pattern[str] | FastPattern | None  # a guiding-principle paragraph (`guiding.pattern`)
    principle_re: re.Pattern[str] | FastPattern | None  # a fragment opening with a principle verb
    min_principles: int
    single_principle_re: re.Pattern[str] | FastPattern | None  # a directive stating one principle
    heading_re: re.Pattern[str] | FastPattern
    penalty_re: re.Pattern[str] | FastPattern | None
    statute_kinds: frozenset[str]
    topic: TopicRules
    strength_modalities: Mapping[str, float]  # modality class -> rank (`要` and `应当` are one class)
    generic_actors: frozenset[str]
    umbrella: Mapping[str, frozenset[str]]
    named_sources: frozenset[str]
    deadlines: tuple[Deadline, ...]
    numbers: tuple[re.Pattern[str] | FastPattern, ...]
    deadline_hint: re.Pattern[str]  # a cheap test before the deadline patterns run
    number_hint: re.Pattern[str]


def _number(section: Mapping[str, Any], key: str, low: float = 0.0, high: float = math.inf) -> float:
    """`section[key]` checked against its range (the value itself comes from compare.yaml only)."""
    value = section[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"compare.yaml: '{key}' must be a number in [{low}, {high}], got {value!r}")
    return float(value)


def _regex(pattern: Any, where: str) -> re.Pattern[str] | FastPattern:
    """A rule of compare.yaml, compiled (searched past runs it cannot match in: see `fastregex`)."""
    return FastPattern(compile_rule(pattern, f"compare.yaml: {where}")).fastest()


def _modality_ranks(own: Mapping[str, Any]) -> dict[str, float]:
    """The rank of each modality class (`strength.modalities`): statuses compare classes, never marker words.

    (Types are the schema's to check, when the file is loaded; an empty table it allows.)
    """
    table = own["modalities"]
    if not table:
        raise ConfigError("compare.yaml: 'strength' needs 'modalities' mapping modality ids to numbers")
    return {str(k): float(v) for k, v in table.items()}


def _action_cues(ngram: Mapping[str, Any], concepts: Mapping[str, Any]) -> tuple:
    actions = ngram["action_concepts"]
    unknown = [name for name in actions if name not in concepts]
    if unknown:
        raise ConfigError(f"compare.yaml: ngram.action_concepts names {', '.join(map(str, unknown))}, "
                          "which ngram.concepts does not define")
    # An empty pattern turns the rule off for its concept (a user file cannot remove a shipped entry).
    return tuple((_regex(concepts[name], f"ngram.concepts.{name}"), _regex(words, f"ngram.action_concepts.{name}"))
                 for name, words in actions.items() if words)


def compare_settings(config: Config) -> CompareSettings:
    """Read and check `compare.yaml`.

    Raises:
        ConfigError: a missing file, a value out of range or an invalid pattern, naming the key.
    """
    if "compare" not in config.files:
        raise ConfigError("config file 'compare.yaml' is missing; reinstall the package")
    data = config["compare"]
    ngram, weights, thresholds = data["ngram"], data["weights"], data["thresholds"]
    concrete, omissions, guiding = data["concreteness"], data["omissions"], data["guiding"]
    synonyms = {str(k): str(v) for k, v in (ngram.get("synonyms") or {}).items() if k}
    synonym_re = re.compile("|".join(re.escape(k) for k in sorted(synonyms, key=len, reverse=True))) \
        if synonyms else None
    frame = ngram.get("frame")
    concepts = ngram["concepts"]
    # (shapes and types are checked against config_schema when the file is loaded; ranges and
    # cross-references, which a schema does not state, are checked here)
    deadlines = [Deadline(_regex(entry["pattern"], f"concreteness.deadlines[{number}]"), entry["lapse"])
                 for number, entry in enumerate(concrete["deadlines"])]
    modalities = _modality_ranks(data["strength"])
    return CompareSettings(
        n=int(_number(ngram, "n", 1, 6)),
        synonyms=synonyms,
        synonym_re=synonym_re,
        concepts=tuple((str(name), _regex(cues, f"ngram.concepts.{name}")) for name, cues in concepts.items()),
        concept_weight=_number(ngram, "concept_weight", 0, 100),
        action_cues=_action_cues(ngram, concepts),
        frame_re=_regex(frame, "ngram.frame") if frame else None,
        w_text=_number(weights, "text"),
        w_measures=_number(weights, "measures"),
        w_measures_apart=_number(weights, "measures_apart"),
        w_actors=_number(weights, "actors"),
        cosine_share=_number(weights, "cosine_share", 0, 1),
        fragment_factor=_number(weights, "fragment_factor", 0, 1),
        fragment_min_grams=int(_number(weights, "fragment_min_grams", 1)),
        idf_power=_number(weights, "idf_power", 0, 4),
        match=_number(thresholds, "match", 0, 1),
        min_text=_number(thresholds, "min_text", 0, 1),
        carry=_number(thresholds, "carry", 0, 1),
        candidates=int(_number(thresholds, "candidates", 1)),
        postings=int(_number(thresholds, "postings", 1)),
        min_grams=int(_number(thresholds, "min_grams", 1)),
        min_shared=int(_number(thresholds, "min_shared", 1)),
        max_sources=int(_number(thresholds, "max_sources", 1)),
        omission_candidates=int(_number(thresholds, "omission_candidates", 0)),
        counterpart_ratio=_number(thresholds, "counterpart_ratio", 0, 1),
        max_counterparts=int(_number(thresholds, "max_counterparts", 1)),
        guiding_re=_regex(guiding["pattern"], "guiding.pattern") if guiding["pattern"] else None,
        principle_re=_regex(guiding["principle"], "guiding.principle") if guiding["principle"] else None,
        min_principles=int(_number(guiding, "min_principles", 1)),
        single_principle_re=_regex(guiding["single"], "guiding.single") if guiding["single"] else None,
        heading_re=_regex(omissions.get("heading") or "$^", "omissions.heading"),
        penalty_re=_regex(omissions["penalty"], "omissions.penalty") if omissions.get("penalty") else None,
        statute_kinds=frozenset(omissions.get("statute_kinds") or ()),
        topic=topic_rules(config),
        strength_modalities=modalities,
        generic_actors=frozenset(concrete.get("generic_actors") or ()),
        umbrella={str(k): frozenset(v or ()) for k, v in (concrete.get("umbrella_actors") or {}).items()},
        named_sources=frozenset(concrete["named_actor_sources"]),
        deadlines=tuple(deadlines),
        deadline_hint=re.compile(r"[年月日天周时限\d]"),
        number_hint=re.compile(r"[\d０-９一二两三四五六七八九十百千万]"),
        numbers=tuple(_regex(p, f"concreteness.numbers[{i}]") for i, p in enumerate(concrete.get("numbers") or ())),
    )
