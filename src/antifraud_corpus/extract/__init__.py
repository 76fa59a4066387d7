"""The extractor: directives with their actors, modality, measures and provenance.

`extract_duties(text, clauses, config)` cuts the cleaned body into units
(sentences and `；`-parts, `sentences.py`), segments the body once with
jieba's dictionary (`segmenter.py`; unit boundaries are word boundaries), finds
actor names and measure cues in one scan each, and decides for each unit
whether it is a directive and why:

* it holds a modal word (`modality.py`): the first one decides the modality;
  a definition (`……，是指……`) is none, whatever modal word it holds;
* it is an item of a list whose lead-in (a directive ending in a colon) lists
  duties (`应当履行下列义务：`, `不得有下列行为：`), not objects or conditions
  (`下列场所应当……：`, `告知下列事项：`), and names an act, not a thing or a
  catch-all (`法律、法规规定的其他义务。`): the lead-in's modality, marker "";
* it has none but is a penalty clause of a law (`由公安机关处……罚款`,
  `依法追究刑事责任`, `以共同犯罪论处`): obligation, marker ""; or a refusal
  (`……的，不予追缴。`): prohibition, marker "";
* it is a numbered heading phrased as an order (`加强组织领导，压实工作责任。`);
* its subject is an actor followed by a bare verb (`国务院建立……机制`);
* it is an imperative item (`强化技术反制，建立……机制`) governed by an earlier
  modal word in the same paragraph or clause, or introduced by a reporting
  verb (`会上提到，尽快开通……`): the governing modality (an obligation after a
  prohibition, or in a law's next 款), marker "".

Actors (`actors.py`) are the subject of the modal word or bare verb; a unit
without one carries over the actors of the previous directive of its
paragraph. Measures (`measures.py`) are scored from cues in the action. Every
tag records the rule or lexicon entry behind it (`explain.py`).
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, count
from typing import Any

from ..config import Config, per_config
from ..models import Clause, Duty, Mention
from ..regex_facts import analyse
from ..wordtrie import compile_words
from .actors import ActorRules, Chain, Name, agency_name, chain_is_subject, find_names, names_after, parse_chain
from .agencies import activity_subject
from .explain import explain_duty
from .measures import Hit, MeasureRules, choose_measures, cue_hits, fallback_measure, part_marks
from .modality import COMMAS, Marker, ModalityRules, find_markers, part_last_word
from .segmenter import Segmenter, build_segmenter
from .sentences import PARAGRAPH_MARK, SentenceRules, Unit, iter_units

# Words that may open an adverbial between a subject and its bare verb (`人民法院在……中发挥…`).
_SUBJECT_ADVERBIALS = frozenset(("在", "依照", "按照", "根据", "依法", "对", "结合", "围绕"))

# Provenance strings repeat across directives (`subject of '要'; alias '公安机关'`): one copy each.
_i = sys.intern
_FIRST_MARKER = _i("modality:first marker")
_BARE_VERB = _i("directive:actor with a bare verb (statutory duty)")

# The body is indexed (segmented, names and cues found) in stretches of about this many
# characters, so that memory stays bounded on a 50 MB file while calls stay few.
_CHUNK_CHARS = 200_000

# Sentences and actions remembered to share one copy between duties that repeat them.
_RECENT_TEXTS = 4096

# Words that join a verb to the next in a series (`记录、监测…措施`): the series modifies a noun.
_SERIES_MARKS = frozenset(("、", "和", "及", "与", "以及"))

# Item numbers (`（一）`, `1.`, `（1）`) as opposed to section numbers (`一、`).
_ITEM_OPENERS = frozenset("（(0123456789")

__all__ = ["Segmenter", "build_segmenter", "explain_duty", "extract_duties", "compile_rules", "Rules"]


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
    # (`深入研究`, `建立健全`, `_imperative_head`) starts with one of them
    fused_start_re: re.Pattern[str]
    prepositions: frozenset[str]
    frames: frozenset[str]
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
    stop = str(action.get("stop", "，；。！？："))
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
        action_max=int(action.get("max_chars", 80)),
        colon_lead=bool((ext.get("inheritance") or {}).get("colon_lead", True)),
        article_re=re.compile(str((ext.get("inheritance") or {}).get("article_heading") or "(?!)")),
    )


@dataclass(slots=True)
class _DocIndex:
    """Words, actor names and measure cues of the whole body, found once (one segmenter call).

    Word boundaries include every unit boundary, so a unit is a run of whole words.
    """

    text: str
    words: list[str]
    offs: list[int]  # start of each word, plus len(text)
    names: list[Name]
    name_starts: list[int]
    names_at: dict[int, Name]  # word start -> the name starting there
    name_ends: set[int]
    cues: list[Hit]
    cue_starts: list[int]
    marks: list[int]  # where comma-parts start (`measures.part_marks`)
    purpose: dict[int, str]  # part start -> what the part states (`choose_measures`; filled as needed)
    modal_tokens: list[int]  # indexes of words that are modal words
    part_tokens: list[int]  # indexes of the words after a comma or stop
    # where the last unit analysed ends in: words, names, part_tokens, modal_tokens, cues
    cursor: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])


@dataclass(slots=True)
class _Analysis:
    """What one unit holds, before deciding whether it is a directive. Offsets are document offsets."""

    text: str  # the whole body
    sentence: str  # text[lo:hi]
    lo: int
    hi: int
    i0: int  # its words are words[i0:i1]
    i1: int
    words: list[str]
    offs: list[int]
    names: list[Name]
    names_at: dict[int, Name]
    markers: list[Marker]
    cues: list[Hit]
    parts: list[int]  # word indexes where a comma-part starts (the first is i0)
    bare: list[Chain] | None = None  # `_bare_subjects`, once found
    may_head: bool | None = None  # `_may_head`, once found
    after_frames: int = -1  # `_skip_frames`, once found


@dataclass(slots=True)
class _Lead:
    """A directive ending in a colon: it governs the list items that follow."""

    clause_index: int
    para: int
    duty: Duty
    conditions: bool  # introduces conditions or objects rather than orders
    nouns: bool  # introduces duties that may be named by nouns (`建立以下制度：`)
    item_para: int = -1  # the paragraph of the item last opened


def extract_duties(
    text: str,
    clauses: Sequence[Clause],
    config: Config,
    segmenter: Segmenter | None = None,
) -> list[Duty]:
    """Tag every directive of a document body.

    Args:
        text: the cleaned simplified body (paragraphs separated by `\n`).
        clauses: its clauses as `segment_clauses` returns them.
        config: the loaded configuration.
        segmenter: a segmenter to reuse; built (and cached) from `config` when None.

    Returns:
        The directives in text order, offsets into `text`.
    """
    rules = compile_rules(config)
    seg = segmenter or build_segmenter(config)
    articles = [rules.article_re.match(c.heading) is not None for c in clauses]
    addressee: list[Mention] | None = None
    duties: list[Duty] = []
    last_in_para: dict[int, Duty] = {}
    last_in_sentence: dict[int, tuple[Duty, bool]] = {}
    governing: dict[int, tuple[Duty, int]] = {}  # scope -> the last directive with a marker, its paragraph
    lead: _Lead | None = None
    recent: dict[str, str] = {}
    long_body = len(text) > _CHUNK_CHARS  # (a short one holds few repeats: not worth hashing every sentence)
    # a stretch of the body at a time, indexed as it comes (bounded memory)
    for doc, stretch in _indexed_stretches(text, iter_units(text, clauses, rules.sentences), seg, rules):
        if addressee is None:
            addressee = _addressee(stretch, doc, rules)
        for unit in stretch:
            if lead is not None:
                if not _in_lead(unit, lead, clauses):
                    lead = None
                elif unit.heading:
                    lead.item_para = unit.para
            if unit.titled and not unit.heading:
                continue  # a title, sub-title or chapter line
            an = _analyse(unit, doc, rules, lead is not None and not lead.conditions)
            if an is None:
                continue  # no rule can find a directive in it
            # numbered clauses and paragraphs (~para) as one key space
            scope = unit.clause_index if unit.clause else ~unit.para
            governor, governor_para = governing.get(scope, (None, -1))
            # in a law's next 款 an order with no modal word is a statutory duty, whatever the last 款 said
            statutory = governor_para != unit.para and unit.clause_index >= 0 and articles[unit.clause_index]
            duty = _directive(unit, an, rules, governor, lead, statutory)
            if duty is None:
                continue
            penalty = duty.rules[0].startswith("directive:penalty")
            previous = last_in_para.get(unit.para)
            _assign_actors(
                duty, unit, an, rules, penalty, previous, last_in_sentence.get(unit.sentence), lead, addressee
            )
            _assign_measures(duty, an, doc, rules)
            if long_body:
                # Long documents repeat themselves (a page pasted twice, a law quoted in full):
                # one copy of each recent sentence and action.
                duty.sentence = recent.setdefault(duty.sentence, duty.sentence)
                duty.action = recent.setdefault(duty.action, duty.action)
                if len(recent) > _RECENT_TEXTS:
                    recent.clear()
            duties.append(duty)
            last_in_para[unit.para] = duty
            last_in_sentence[unit.sentence] = (duty, penalty)
            if duty.marker:
                # imperative items are governed within a numbered clause, or else within a paragraph
                governing[scope] = (duty, unit.para)
            if rules.colon_lead and an.sentence.endswith("：") and not unit.titled:
                lead = _Lead(unit.clause_index, unit.para, duty, not _lists_duties(an.sentence, rules),
                             rules.noun_list_re.search(an.sentence) is not None)
    return duties


def _lists_duties(lead: str, rules: Rules) -> bool:
    """Whether the lead-in `lead` (ending in a colon) introduces duties rather than objects or conditions."""
    if rules.list_condition_re.search(lead) is not None:
        return False
    return rules.list_word_re.search(lead) is None or rules.duty_list_re.search(lead) is not None


def _in_lead(unit: Unit, lead: _Lead, clauses: Sequence[Clause]) -> bool:
    """Whether `unit` is an item of the list that `lead` introduced (same paragraph or a sub-clause).

    A paragraph that opens no item after the list (`他人善意取得……的，不予追缴。`) is the
    article's next 款, though the clause of the last item runs on over it.
    """
    if unit.para == lead.para:
        return True
    if unit.clause_index < 0 or unit.para != lead.item_para and not unit.heading:
        return False
    path = clauses[unit.clause_index].path
    parent = clauses[lead.clause_index].path if lead.clause_index >= 0 else ""
    if parent and not parent.startswith(PARAGRAPH_MARK):
        return path.startswith(parent + "/")
    # a lead outside numbered clauses: its list runs over the item clauses (`（一）`, `1.`) that follow
    return not path.startswith(PARAGRAPH_MARK) and path.rsplit("/", 1)[-1][:1] in _ITEM_OPENERS


def _stretches(units: Iterable[Unit]) -> Iterator[list[Unit]]:
    """The units in stretches of about `_CHUNK_CHARS` characters (a unit that crosses the mark opens the next)."""
    stretch: list[Unit] = []
    start = 0
    for unit in units:
        if stretch and unit.end - start > _CHUNK_CHARS:
            yield stretch
            stretch = []
        if not stretch:
            start = unit.start
        stretch.append(unit)
    if stretch:
        yield stretch


def _indexed_stretches(
    text: str, units: Iterable[Unit], seg: Segmenter, rules: Rules
) -> Iterator[tuple[_DocIndex, list[Unit]]]:
    """The stretches of the body, each with its index, indexed one at a time."""
    for stretch in _stretches(units):
        yield _index(text, stretch, seg, rules), stretch


def _index(text: str, units: Sequence[Unit], seg: Segmenter, rules: Rules) -> _DocIndex:
    """Words, names and cues of the stretch of `text` that `units` cover."""
    # jieba cuts inside runs of CJK/alphanumerics only, so one cut of a stretch gives the
    # same words as a cut per unit (units end at punctuation) at a fraction of the calls.
    lo, hi = units[0].start, units[-1].end
    words = seg.cut(text[lo:hi])
    offs = list(accumulate(map(len, words), initial=lo))
    _split_at_units(words, offs, units)
    names = find_names(text, words, offs, rules.actors, lo, hi)
    names_at: dict[int, Name] = {}
    for name in names:
        # keyed by the word it starts (a name fused with a place prefix starts inside one)
        names_at.setdefault(name.word, name)
    # a cue inside an actor's name is no cue (`教育部门`)
    named = {k: name.start for name in names if not name.short for k in range(name.start, name.end)}
    marks = part_marks(text, lo, hi)
    cues = cue_hits(text, lo, hi, offs, named, marks, rules.measures)
    mod = rules.modality
    return _DocIndex(
        text=text,
        words=words,
        offs=offs,
        names=names,
        name_starts=[n.start for n in names],
        names_at=names_at,
        name_ends={n.end for n in names if not n.short},
        cues=cues,
        cue_starts=[c[0] for c in cues],
        marks=marks,
        purpose={},
        modal_tokens=_word_indexes(mod.first_chars, mod.by_token, text, words, offs, lo, hi),
        part_tokens=list(compress(count(1), map(COMMAS.__contains__, words))),
    )


def _word_indexes(
    first_chars: re.Pattern[str], vocabulary: Container[str], text: str, words: list[str], offs: list[int],
    lo: int, hi: int,
) -> list[int]:
    """Indexes of the words of `text[lo:hi]` that are in `vocabulary`, in order.

    `first_chars` matches a character that opens a word of the vocabulary: only
    words starting at one are looked up (a few dozen, not every word of the body).
    """
    out = []
    i = 0
    for m in first_chars.finditer(text, lo, hi):
        p = m.start()
        i = bisect.bisect_left(offs, p, i)
        if offs[i] == p and words[i] in vocabulary:
            out.append(i)
    return out


def _split_at_units(words: list[str], offs: list[int], units: Sequence[Unit]) -> None:
    """Split the (rare) words that straddle a unit boundary (`一是加强…` cut after `一是`)."""
    # every unit lies within offs[0]..offs[-1], after the one before it
    cuts: list[int] = []
    i = 0
    for unit in units:
        for b in (unit.start, unit.end):
            if offs[i] == b:
                continue
            i = bisect.bisect_left(offs, b, i)
            if offs[i] != b and (not cuts or cuts[-1] != b):
                cuts.append(b)
    for b in reversed(cuts):
        i = bisect.bisect_right(offs, b) - 1
        w, a = words[i], offs[i]
        words[i : i + 1] = [w[: b - a], w[b - a :]]
        offs.insert(i + 1, b)


def _range_from(keys: list[int], cursor: list[int], slot: int, lo: int, hi: int) -> tuple[int, int]:
    """Where the sorted `keys` in `[lo, hi)` lie, searched from `cursor[slot]`, which is left at the end.

    Units come in order, so a unit's range usually starts where the last one's ended.
    """
    j0 = cursor[slot]
    if j0 < len(keys) and keys[j0] < lo:
        j0 = bisect.bisect_left(keys, lo, j0)
    j1 = cursor[slot] = bisect.bisect_left(keys, hi, j0)
    return j0, j1


def _analyse(unit: Unit, doc: _DocIndex, rules: Rules, list_open: bool) -> _Analysis | None:
    """What `unit` holds, or None when no rule can take it for a directive.

    Units are analysed in order (a unit usually starts where the last ended).
    `list_open`: a lead (`…如下：`) governs the unit when it is a list item.
    """
    lo, hi = unit.start, unit.end
    offs, cursor = doc.offs, doc.cursor
    i0 = cursor[0]
    if offs[i0] != lo:
        i0 = bisect.bisect_left(offs, lo, i0)
    i1 = cursor[0] = bisect.bisect_left(offs, hi, i0)
    text = doc.text
    sentence = text[lo:hi]
    j0, j1 = _range_from(doc.modal_tokens, cursor, 3, i0, i1)
    may_head = None
    if j0 == j1 and not list_open and not (may_head := _may_head(text, doc.words, i0, i1, lo, hi, rules)) and not (
        _penalty_or_refusal(sentence, rules)
    ):
        # No modal word, no word to head an order and no penalty clause: most units of a
        # statute or a bulletin that state no duty end here, before their names and cues are
        # looked up (the other lists' cursors catch up at the next unit).
        return None
    # Its names, comma-parts, modal words and cues: slices of the body's lists.
    # (a comma-part starts after each comma or stop but the last word)
    k0, k1 = _range_from(doc.part_tokens, cursor, 2, i0 + 1, i1)
    parts = [i0]
    parts += doc.part_tokens[k0:k1]
    markers = []
    if j1 > j0:
        markers = find_markers(sentence, doc.words, offs, rules.modality, doc.name_ends, doc.modal_tokens[j0:j1],
                               parts, lo, i1)
    j0, j1 = _range_from(doc.name_starts, cursor, 1, lo, hi)
    names = doc.names[j0:j1]
    j0, j1 = _range_from(doc.cue_starts, cursor, 4, lo, hi)
    cues = doc.cues[j0:j1]
    return _Analysis(text, sentence, lo, hi, i0, i1, doc.words, offs, names, doc.names_at, markers, cues, parts,
                     may_head=may_head)


# ---------------------------------------------------------------- directives


def _directive(
    unit: Unit, an: _Analysis, rules: Rules, governor: Duty | None, lead: _Lead | None, statutory: bool = False
) -> Duty | None:
    """A Duty (without actors and measures yet) when the unit (no title) is a directive, else None.

    `statutory`: the unit stands in another 款 of a law than `governor`, whose modality
    then does not carry over (an order with no modal word is an obligation).
    """
    s = an.sentence
    if an.markers:
        if rules.definition_re.search(s) is not None:
            return None  # `……，是指……应当……的行为`: a definition, whatever modal word it holds
        first = an.markers[0]
        why = rules.whys.get(first.rule)
        if why is None:
            why = rules.whys[first.rule] = _i(f"directive:{first.rule}")
        return _new_duty(unit, s, first.modality, first.word, first.start, first.end, [why, _FIRST_MARKER])
    if lead is not None and lead.conditions:
        return None  # an item of a list of objects or conditions (`（三）景区、园区；`)
    if lead is None and not _analysis_may_head(an, rules):
        # No word can head an order, and no list item is due: of the rules below only a
        # penalty clause or a refusal can find a directive (most sentences of a statute end here).
        if not _penalty_or_refusal(s, rules):
            return None
    if s.rstrip("。；;！？").endswith(rules.condition_endings) or s.endswith(rules.condition_endings):
        # (a lead-in that ends in a plain colon may still be a statutory duty: `X履行以下职责：`)
        if not (s.endswith("：") and s[-2:] not in rules.condition_endings and _bare_subjects(an, rules)):
            return None
    if lead is not None:
        # an item of a list of duties: an act unless it only names one (a lead-in said what it lists)
        if (rules.catch_all_re.search(s) is not None or lead.nouns and _noun_item(an, rules)
                or rules.definition_re.search(s) is not None):
            return None  # `法律、法规规定的其他义务。`, `安全责任制度；`
        return _new_duty(unit, s, lead.duty.modality, "", -1, -1,
                         [_i(f"directive:list item governed by '{lead.duty.sentence[-12:]}'")])
    if _is_event(an, rules):
        return None
    pen = rules.penalty_re.search(s) or rules.penalty_cue_re.search(s)
    if pen is not None:
        return _new_duty(unit, s, "obligation", "", -1, -1, [_i(f"directive:penalty clause '{pen.group()}'")])
    refusal = rules.refusal_re.search(s) if "不予" in s else None
    if refusal is not None:
        return _new_duty(unit, s, "prohibition", "", -1, -1, [_i(f"directive:refusal '{refusal.group()}'")])
    head = _imperative_parts(an, rules, _skip_frames(an, rules))
    first_part_end = an.parts[1] if len(an.parts) > 1 else an.i1
    if unit.heading and head is not None and head[0] < first_part_end:
        why = f"directive:numbered heading phrased as an order ({head[1]})"
        return _new_duty(unit, s, "obligation", "", -1, -1, [_i(why)])
    if _bare_subjects(an, rules):
        return _new_duty(unit, s, "obligation", "", -1, -1, [_BARE_VERB])
    if head is not None and governor is not None:
        # an order stated positively: a prohibition before it does not turn it into one
        modality = "obligation" if statutory or governor.modality == "prohibition" else governor.modality
        return _new_duty(unit, s, modality, "", -1, -1,
                         [_i(f"directive:imperative item ({head[1]}) governed by '{governor.marker}'")])
    frame_head = _reported_imperative(an, rules)
    if frame_head is not None:
        return _new_duty(unit, s, "obligation", "", -1, -1,
                         [_i(f"directive:imperative after reporting verb '{frame_head[0]}' ({frame_head[1]})")])
    return None


def _penalty_or_refusal(s: str, rules: Rules) -> bool:
    """Whether the unit `s` holds a penalty clause or a refusal (`不予追缴`), the rules that need no head verb."""
    return (rules.penalty_re.search(s) is not None or rules.penalty_cue_re.search(s) is not None
            or "不予" in s and rules.refusal_re.search(s) is not None)


def _noun_item(an: _Analysis, rules: Rules) -> bool:
    """A list item that names a thing (`安全责任制度；`, `记录、监测……的审计措施；`), not an act.

    One comma-part ending in a noun head of `item_noun_heads`, not opened by a verb that
    takes it as its object (`采取……技术措施；` is an act; a verb in a series, `记录、监测…`, is not).
    """
    if len(an.parts) > 1 or not an.sentence.rstrip("；。;").endswith(rules.item_noun_heads):
        return False
    head = _imperative_head(an, rules, an.i0)
    return head is None or head[0] + 1 < an.i1 and an.words[head[0] + 1] in _SERIES_MARKS


def _new_duty(
    unit: Unit, s: str, modality: str, marker: str, m_start: int, m_end: int, why: list[str]
) -> Duty:
    """A directive without actors and measures yet; `why` holds interned strings."""
    # (positional: twice as fast as by keyword; tests/test_extract_index.py pins the field order)
    # clause, sentence, start, end, modality, marker, action, actor_source, actors, targets, measures,
    # marker_span, rules
    return Duty(unit.clause, s, unit.start, unit.end, modality, _i(marker), "", "none", [], [], [],
                (m_start, m_end) if marker else None, why)


def _is_event(an: _Analysis, rules: Rules) -> bool:
    """Reports of what happened, statistics, scope and definitions: no directive.

    A perfective word in a condition (`他人善意取得……的，不予追缴。`) reports nothing.
    """
    words = an.words
    if not rules.event_tokens.isdisjoint(words[an.i0 : an.i1]):
        ends = rules.modality.condition_ends
        for t in compress(count(an.i0), map(rules.event_tokens.__contains__, words[an.i0 : an.i1])):
            if part_last_word(words, an.parts, bisect.bisect_right(an.parts, t), an.i1) not in ends:
                return True
    return rules.not_directive_re.search(an.sentence) is not None


def _analysis_may_head(an: _Analysis, rules: Rules) -> bool:
    """`_may_head` of an analysed unit (found once: `_analyse` may have asked already)."""
    if an.may_head is None:
        an.may_head = _may_head(an.text, an.words, an.i0, an.i1, an.lo, an.hi, rules)
    return an.may_head


def _may_head(text: str, words: list[str], i0: int, i1: int, lo: int, hi: int, rules: Rules) -> bool:
    """Whether some word of the unit `words[i0:i1]` (`text[lo:hi]`) could head an order.

    Every rule after the penalty clause needs one (`_imperative_head`; a bare verb too):
    an imperative verb, or a word fused from a two-character verb or adverb and more
    (`深入研究`), which then holds that verb or adverb. A test of the whole unit at once:
    where it says no, none of those rules can find a directive.
    """
    return not rules.imperative_verbs.isdisjoint(words[i0:i1]) or rules.fused_start_re.search(text, lo, hi) is not None


def _part_end(an: _Analysis, start: int) -> int:
    """Word index where the comma-part starting at word `start` ends (its comma, or i1)."""
    k = bisect.bisect_right(an.parts, start)
    return an.parts[k] - 1 if k < len(an.parts) else an.i1


def _imperative_head(an: _Analysis, rules: Rules, token: int) -> tuple[int, str] | None:
    """The head verb of an order starting at word `token` (after adverbs and frames), or None."""
    words, end = an.words, an.i1
    i = token
    # a word that is both (`加快`, `依法`) heads the order when it is a verb
    while i < end and words[i] not in rules.imperative_verbs and (
        words[i] in rules.adverbs or words[i] in rules.frames
    ):
        i += 1
    if i >= end:
        return None
    w = words[i]
    if w in rules.imperative_verbs:
        return i, w
    if w in rules.prepositions:
        # `向有关部门报告`: the order starts at the preposition, its verb ends the part
        last = _part_end(an, i) - 1
        while last > i and words[last] in COMMAS:
            last -= 1
        return (i, words[last]) if last > i and words[last] in rules.imperative_verbs else None
    # an adverb or a verb fused with what follows into one word (`深入研究`, `建立健全`)
    if len(w) > 2 and (w[:2] in rules.adverbs and w[2:] in rules.imperative_verbs
                       or len(w) <= 4 and w[:2] in rules.imperative_verbs):
        return i, w
    return None


def _imperative_parts(an: _Analysis, rules: Rules, first: int, parts: int = 2) -> tuple[int, str] | None:
    """The head verb of the first or second comma-part from word `first` (`以……为重点，加强……`)."""
    starts = [k for k in an.parts if k >= first][:parts]
    for start in starts:
        head = _imperative_head(an, rules, start)
        if head is not None:
            return head
    return None


def _framing(an: _Analysis, rules: Rules, start: int, end: int) -> bool:
    """Whether the words `start`..`end` (at least one) are all frames or adverbs."""
    framing = rules.framing
    # (most parts open with a word of their own: one test)
    return an.words[start] in framing and all(w in framing for w in an.words[start + 1 : end])


def _skip_frames(an: _Analysis, rules: Rules) -> int:
    """Word index after leading frame parts (`同时，`, `除此之外，会上提到，`)."""
    if an.after_frames < 0:
        an.after_frames = _find_after_frames(an, rules)
    return an.after_frames


def _find_after_frames(an: _Analysis, rules: Rules) -> int:
    for start in an.parts:
        end = _part_end(an, start)
        if end <= start:
            continue
        if _framing(an, rules, start, end) or an.words[end - 1] in rules.modality.reporting:
            continue
        return start
    return an.i1


def _reported_imperative(an: _Analysis, rules: Rules) -> tuple[str, str] | None:
    """`会上提到，尽快开通……`: an order reported after a reporting verb."""
    if _skip_frames(an, rules) == an.i0:
        # the first part frames nothing and reports nothing: the loop below would stop there
        return None
    verb = ""
    for start in an.parts:
        end = _part_end(an, start)
        if end <= start:
            continue
        if an.words[end - 1] in rules.modality.reporting:
            verb = an.words[end - 1]
            continue
        if _framing(an, rules, start, end):
            continue
        if not verb:
            return None
        head = _imperative_head(an, rules, start)
        return (verb, head[1]) if head else None
    return None


def _bare_subjects(an: _Analysis, rules: Rules) -> list[Chain]:
    """Subjects followed by a bare verb (`国务院建立……`, `公安机关牵头负责……`)."""
    if not an.names:
        return []
    if an.bare is None:
        an.bare = _find_bare_subjects(an, rules)
    return an.bare


def _find_bare_subjects(an: _Analysis, rules: Rules) -> list[Chain]:
    out = []
    words, offs = an.words, an.offs
    for start in an.parts:
        i = start
        while i < an.i1 and words[i] in rules.frames:
            i += 1
        if i >= an.i1 or an.names_at.get(offs[i]) is None and words[i] not in rules.actors.prefixes:
            continue
        chain = parse_chain(an.text, words, offs, an.names_at, offs[i], an.hi, rules.actors)
        if chain is None or not chain_is_subject(an.text, chain, rules.actors):
            continue
        k = bisect.bisect_left(offs, chain.end, i)
        # skip a prepositional phrase up to the verb (`人民法院在……中发挥…`, `依照职责履行…`)
        if k < an.i1 and words[k] in _SUBJECT_ADVERBIALS:
            end = _part_end(an, k)
            if any(words[t] in rules.imperative_verbs for t in range(k + 1, end)):
                out.append(chain)
            continue
        if _imperative_head(an, rules, k) is not None:
            out.append(chain)
    return out


# ---------------------------------------------------------------- actors


def _assign_actors(
    duty: Duty,
    unit: Unit,
    an: _Analysis,
    rules: Rules,
    penalty: bool,
    previous: Duty | None,
    same_sentence: tuple[Duty, bool] | None,
    lead: _Lead | None,
    addressee: list[Mention],
) -> None:
    # (a unit naming no actor has no subject and no target of its own, unless it opens with a
    # 的-phrase that names a party by what it does: `提供……服务的，应当……`)
    if an.names or an.markers and len(an.parts) > 1 and an.words[an.parts[1] - 2] == "的":
        found, duty.targets = _named_actors(an, rules, penalty)
        if found:
            seen: set[tuple[str, str]] = set()
            mentions = []
            for name, why, agency in found:
                # one mention per agency: two agencies of one id (生态环境部门, 规划主管部门) both keep their name
                if (name.id, agency) not in seen:
                    seen.add((name.id, agency))
                    mentions.append(Mention(name.id, _i(name.text), name.start, name.end, _i(why), _i(agency)))
            duty.actors = list(mentions)  # of its exact size
            duty.actor_source = "explicit"
            return
    source: Duty | None = None
    if penalty:
        if same_sentence is not None and same_sentence[1] and rules.penalty_continuing_re.search(an.sentence):
            source = same_sentence[0]
    elif previous is not None:
        source = previous
    elif lead is not None and lead.duty is not duty:
        source = lead.duty
    if source is not None and source.actors:
        whys = rules.inherited_whys[penalty]
        if len(whys) > _RECENT_TEXTS:
            whys.clear()
        actors = []
        for m in source.actors:
            why = whys.get(m.rule)
            if why is None:
                how = "from the previous ；-part" if penalty else "from the previous directive of its paragraph"
                why = whys[m.rule] = _i(f"inherited {how} ({m.rule})")
            actors.append(Mention(m.id, m.text, -1, -1, why, m.name))
        duty.actors = actors
        duty.actor_source = "inherited"
        return
    if source is None and not penalty and addressee and unit.first_in_para:
        duty.actors = [Mention(m.id, m.text, -1, -1, m.rule, m.name) for m in addressee]
        duty.actor_source = "addressee"
        return
    duty.actors = []
    duty.actor_source = "none"


def _named_actors(
    an: _Analysis, rules: Rules, penalty: bool
) -> tuple[list[tuple[Name, str, str]], list[Mention]]:
    """The actors of a unit that names some (with why and agency name), and its targets."""
    ar = rules.actors
    text, words, offs = an.text, an.words, an.offs
    found: list[tuple[Name, str, str]] = []

    def add(chain: Chain | None, why: str) -> None:
        if chain is not None:
            for name, how, head in zip(chain.actors, chain.rules, chain.heads, strict=False):
                found.append((name, f"{why}; {how} '{name.text}'", agency_name(name, head, ar)))

    authority = _penalty_authority(an, rules, penalty)
    if authority is not None:
        add(authority, "subject after 由 in a penalty clause")
    for marker in an.markers:
        k = bisect.bisect_right(an.parts, marker.token) - 1
        part_start = _skip_frame_tokens(an, rules, an.parts[k])
        if marker.modality == "encouragement" and marker.token + 1 < an.i1:
            after = names_after(text, words, offs, an.names_at, marker.token, an.hi, ar)
            if after is not None and after.start == offs[marker.token + 1]:
                add(after, f"object of '{marker.word}' (encouraged actor)")
                continue
        if part_start < marker.start:
            chain = parse_chain(text, words, offs, an.names_at, part_start, marker.start, ar)
            if (
                chain is not None
                and chain.start == part_start
                and chain_is_subject(text, chain, ar)
                and marker.start - chain.end <= 30
                and not any(chain.end <= n.start < marker.start and not n.short for n in an.names)
            ):
                add(chain, f"subject of '{marker.word}'")
                continue
        if k > 0 and authority is None:
            # `X发现……时，应当……`, `X为……，……，应当……`: the subject opens the unit and the modal
            # word's own part names none (under a penalty clause's 由 the opener is the violator)
            first_part_end = offs[an.parts[1] - 1]
            start0 = _skip_frame_tokens(an, rules, an.i0)
            chain = parse_chain(text, words, offs, an.names_at, start0, first_part_end, ar)
            if (
                chain is not None
                and chain.start == start0
                and chain_is_subject(text, chain, ar)
                and not any(mk.start < first_part_end for mk in an.markers)
            ):
                add(chain, f"subject of '{marker.word}' opening the unit before a comma")
            elif chain is None and ar.agencies is not None and not found and k == 1:
                # `提供……服务的，应当……`: the party named by what it does
                activity = activity_subject(text[start0:first_part_end], ar.agencies)
                if activity is not None:
                    actor_id, why = activity
                    name = Name(actor_id, text[start0:first_part_end], start0, first_part_end, False, start0, why)
                    found.append((name, f"subject of '{marker.word}'; {why}", ar.canonical.get(actor_id, actor_id)))
    if not found and not an.markers and not penalty:
        for chain in _bare_subjects(an, rules):
            add(chain, "subject of a bare verb")
    targets: list[Mention] = []
    unit_words = words[an.i0 : an.i1 - 1]
    # co-actors named with 会同/联合 after the subject
    if found and not ar.co_actor_verbs.isdisjoint(unit_words):
        for i in compress(count(an.i0), map(ar.co_actor_verbs.__contains__, unit_words)):
            chain = names_after(text, words, offs, an.names_at, i, an.hi, ar)
            add(chain, f"co-actor after '{words[i]}'")
    # targets: bodies steered by the actor
    if not ar.target_verbs.isdisjoint(unit_words):
        for i in compress(count(an.i0), map(ar.target_verbs.__contains__, unit_words)):
            w = words[i]
            chain = names_after(text, words, offs, an.names_at, i, an.hi, ar)
            if chain is not None and chain.start == offs[i + 1]:
                for name in chain.actors:
                    if all(name.start != f.start for f, _, _ in found):
                        why = f"target: after '{w}'"
                        targets.append(Mention(name.id, _i(name.text), name.start, name.end, _i(why),
                                               _i(agency_name(name, "", ar))))
    return found, targets


def _skip_frame_tokens(an: _Analysis, rules: Rules, token: int) -> int:
    """Offset after frame words (`同时`, `下一步`) from word `token` on."""
    i = token
    while i < an.i1 and an.words[i] in rules.frames:
        i += 1
    return an.offs[i] if i < an.i1 else an.hi


def _penalty_authority(an: _Analysis, rules: Rules, penalty: bool) -> Chain | None:
    """The authority named with 由 in a penalty clause (`……的，由X责令改正，并可处……罚款`).

    Read in any unit that the penalty pattern or a penalty cue marks, whether or not a
    modal word (`并可处以`) makes it a directive of its own; the coordination after 由
    may run past a comma (`由X或者Y，根据情节轻重，可以……`).
    """
    m = rules.penalty_re.search(an.sentence)
    if m is not None:
        return parse_chain(an.text, an.words, an.offs, an.names_at, an.lo + m.start("who"), an.lo + m.end("who"),
                           rules.actors)
    if not penalty and rules.penalty_cue_re.search(an.sentence) is None \
            and rules.penalty_continuing_re.search(an.sentence) is None:
        return None
    for i in range(an.i0, an.i1 - 1):
        if an.words[i] == "由":
            chain = names_after(an.text, an.words, an.offs, an.names_at, i, an.hi, rules.actors)
            if chain is not None and chain.start == an.offs[i + 1]:
                return chain
    return None


def _addressee(units: Sequence[Unit], doc: _DocIndex, rules: Rules) -> list[Mention]:
    """Actors of a salutation (`各地区各部门：`) opening the document, if it has one."""
    ar = rules.actors
    for unit in units:
        if unit.para >= ar.salutation_window:
            break
        s = doc.text[unit.start : unit.end]
        if not s.endswith("：") or len(s) > ar.salutation_max or not unit.first_in_para:
            continue
        lo = bisect.bisect_left(doc.name_starts, unit.start)
        hi = bisect.bisect_left(doc.name_starts, unit.end)
        names = [n for n in doc.names[lo:hi] if not n.short]
        if not names or sum(n.end - n.start for n in names) * 2 < len(s.rstrip("：")):
            continue
        out, seen = [], set()
        for n in names:
            if n.id not in seen:
                seen.add(n.id)
                out.append(Mention(n.id, n.text, -1, -1, f"addressee of the document ('{s}')",
                                   agency_name(n, "", ar)))
        return out
    return []


# ---------------------------------------------------------------- measures, action


def _assign_measures(duty: Duty, an: _Analysis, doc: _DocIndex, rules: Rules) -> None:
    text = an.text
    if duty.marker_span is not None:
        action_start = duty.marker_span[1]
    else:
        head = _imperative_head(an, rules, _skip_frames(an, rules))
        action_start = an.offs[head[0]] if head else an.lo
    mr = rules.measures
    # (most directives have one actor or none: no dedup needed)
    actor_ids = [m.id for m in duty.actors] if len(duty.actors) < 2 else duty.actor_ids
    chosen = choose_measures(text, an.lo, an.hi, an.cues, action_start, doc.marks, doc.purpose, mr,
                             actor_ids) if an.cues else []
    whys = rules.measure_whys
    if len(whys) > _RECENT_TEXTS:
        whys.clear()
    if chosen:
        measures = []
        for measure, score, counted, best, _ in chosen:
            # the same cues in the same places recur: one copy of their wording
            key = (score, *counted)
            why = whys.get(key)
            if why is None:
                why = whys[key] = _i(_measure_why(score, counted, mr))
            measures.append(Mention(measure, _i(best[2]), best[0], best[1], why))
        duty.measures = measures
    else:
        nearest = fallback_measure(actor_ids, mr)
        if nearest is not None:
            measure, actor = nearest
            key = ("fallback", measure, actor)
            why = whys.get(key)
            if why is None:
                why = whys[key] = _i(f"no cue in the action: nearest instrument for actor {actor}" if actor
                                     else "no cue in the action: the default instrument (measures.yaml fallback)")
            duty.measures = [Mention(measure, "", -1, -1, why)]
    stop = rules.action_stop.search(text, action_start, an.hi) if duty.marker else None
    action = text[action_start : stop.start()] if stop else text[action_start : an.hi].rstrip("。；;！？!?")
    duty.action = action.strip()[: rules.action_max]


def _measure_why(score: float, counted: Sequence[tuple[str, str, float]], rules: MeasureRules) -> str:
    """`cues 冻结 (head: 2 × 2 = 4.0), 侦查 in 立案侦查 (object: 1 × 2 = 2.0); score 6.0`.

    Each cue that counted, where it stood, its lexicon weight times the strength of that place.
    """
    shown = []
    for cue, place, weight in counted:
        carried = rules.carried.get(cue)
        word = f"{carried} in {cue}" if carried else cue
        factor = rules.place_weight[place]
        shown.append(f"{word} ({place}: {weight / factor:g} × {factor:g} = {weight:.1f})")
    return f"cues {', '.join(shown)}; score {score:.1f}"
