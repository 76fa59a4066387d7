"""The extractor's rules: `modality.yaml`, `extract.yaml`, `actors.yaml`, `measures.yaml` compiled once per config."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..config import Config, per_config
from ..text.regex_facts import analyse
from ..text.wordtrie import compile_words
from .actors import ActorRules
from .measures import MeasureRules
from .modality import ModalityRules
from .sentences import SentenceRules


@dataclass(frozen=True, slots=True)
class Rules:
    """Every compiled rule of the extractor (built once per configuration)."""

    sentences: SentenceRules
    modality: ModalityRules
    actors: ActorRules
    measures: MeasureRules
    imperative_verbs: frozenset[str]
    adverbs: frozenset[str]
    # the two-character imperative verbs and adverbs: a word fused from one and more
    # (`深入研究`, `建立健全`, `imperative_head`) starts with one of them
    fused_start_re: re.Pattern[str]
    prepositions: frozenset[str]
    frames: frozenset[str]
    subject_adverbials: frozenset[str]  # may open an adverbial between a subject and its bare verb
    series_marks: frozenset[str]  # join a verb to the next in a series
    framing: frozenset[str]  # frames and adverbs: what a part that only frames an order holds
    event_tokens: frozenset[str]
    not_directive_re: re.Pattern[str]
    definition_re: re.Pattern[str]
    condition_endings: tuple[str, ...]
    list_condition_re: re.Pattern[str]
    list_word_re: re.Pattern[str]  # `下列`: a lead-in that names what its list holds
    duty_list_re: re.Pattern[str]  # `下列……义务：`: ... and it holds duties
    noun_list_re: re.Pattern[str]  # `以下……制度：`: ... whose items may name things
    catch_all_re: re.Pattern[str]
    item_noun_heads: tuple[str, ...]
    refusal_re: re.Pattern[str]
    penalty_re: re.Pattern[str]
    penalty_cue_re: re.Pattern[str]
    penalty_continuing_re: re.Pattern[str]
    action_stop: re.Pattern[str]
    action_max: int
    colon_lead: bool
    article_re: re.Pattern[str]
    # provenance texts made from a rule name, one interned copy each (as few as the marker rules)
    whys: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    measure_whys: dict[tuple, str] = field(default_factory=dict, compare=False, hash=False)
    # inherited actors' provenance by their source's, for directives and penalty parts
    inherited_whys: tuple[dict[str, str], dict[str, str]] = field(
        default_factory=lambda: ({}, {}), compare=False, hash=False
    )
    # agency names as written, normalised (`actors.agency_name`), by (text, short, head, from the lexicon)
    agency_names: dict[tuple[str, bool, str, bool], str] = field(default_factory=dict, compare=False, hash=False)


@per_config
def compile_rules(config: Config) -> Rules:
    """The compiled rules of `config`, cached by its fingerprint (one compile per process)."""
    return _compile(config)


def _words(values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in values or ())


def _alternation(patterns: Any) -> re.Pattern[str]:
    items = [str(p) for p in patterns or ()]
    return re.compile("|".join(f"(?:{p})" for p in items)) if items else re.compile("(?!)")


def _first_char_scan(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return analyse(pattern).scan or pattern


def _duty_list(list_words: Any, nouns: Any) -> re.Pattern[str]:
    """`下列……义务：`: a list word (a regex), then a duty noun ending the lead-in or a comma-part of it."""
    words, heads = [str(w) for w in list_words or ()], [str(w) for w in nouns or ()]
    if not words or not heads:
        return re.compile("(?!)")
    listed, duty = "|".join(words), "|".join(map(re.escape, heads))
    # (the duty noun ends the lead-in or a comma-part of it: `履行下列义务，保障……：`)
    return re.compile(f"(?:{listed})[^，。；：:]*(?:{duty})(?:[，,][^：:]*)?[：:]$")


def _compile(config: Config) -> Rules:
    mod = config["modality"]
    ext = config["extract"]
    taxonomy = config["taxonomy"] if "taxonomy" in config.files else {}
    imperative = mod.get("imperative") or {}
    nd = mod.get("not_directive") or {}
    pen = mod.get("penalty") or {}
    action = ext.get("action") or {}
    stop = str(action["stop"])
    return Rules(
        sentences=SentenceRules.from_config(ext.get("sentence") or {}),
        modality=ModalityRules.from_config(mod),
        actors=ActorRules.from_config(config["actors"], taxonomy,
                                      config["agencies"] if "agencies" in config.files else None),
        measures=MeasureRules.from_config(config["measures"], taxonomy),
        imperative_verbs=_words(imperative.get("verbs")),
        adverbs=_words(imperative.get("adverbs")),
        fused_start_re=compile_words(
            w for w in _words(imperative.get("verbs")) | _words(imperative.get("adverbs")) if len(w) == 2
        ),
        prepositions=_words(imperative.get("prepositions")),
        frames=_words(imperative.get("frames")),
        subject_adverbials=_words(imperative["subject_adverbials"]),
        series_marks=_words(imperative["series_marks"]),
        framing=_words(imperative.get("frames")) | _words(imperative.get("adverbs")),
        event_tokens=_words(nd.get("tokens")),
        # (the pattern behind a lookahead for its first character: the same matches, most
        # positions rejected with one test)
        not_directive_re=_first_char_scan(_alternation([*(nd.get("patterns") or ()), *(nd.get("definitions") or ())])),
        definition_re=_first_char_scan(_alternation(nd.get("definitions"))),
        condition_endings=tuple(str(e) for e in nd.get("condition_endings") or ()),
        list_condition_re=_alternation(nd.get("list_condition_words")),
        list_word_re=_alternation(nd.get("list_words")),
        duty_list_re=_duty_list(nd.get("list_words"), nd.get("list_duty_nouns")),
        noun_list_re=_duty_list(nd.get("list_words"), nd.get("noun_list_nouns")),
        catch_all_re=_alternation(nd.get("catch_all_items")),
        item_noun_heads=tuple(str(w) for w in nd.get("item_noun_heads") or ()),
        refusal_re=re.compile(str(pen.get("refusal") or "(?!)")),
        penalty_re=re.compile(str(pen.get("pattern") or "(?!)")),
        # (searched in most units: its alternatives open with groups and classes, which `re` tries
        # at every position, 109 ms on the silver units against 49 ms behind the lookahead)
        penalty_cue_re=_first_char_scan(_alternation(pen.get("cues"))),
        penalty_continuing_re=_alternation(pen.get("continuing")),
        action_stop=re.compile(f"[{re.escape(stop)}]"),
        action_max=int(action["max_chars"]),
        colon_lead=bool(ext["inheritance"]["colon_lead"]),
        article_re=re.compile(str((ext.get("inheritance") or {}).get("article_heading") or "(?!)")),
    )
