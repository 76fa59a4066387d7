"""Whether an analysed unit is a directive, and why: modal words, list items, penalty clauses, orders.

See the package docstring for the rules in the order they are tried.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, count

from ..models import Clause, Duty
from .actors import Chain, chain_is_subject, parse_chain
from .index import Analysis, may_head_order, penalty_or_refusal
from .modality import COMMAS, part_last_word
from .rules import Rules
from .sentences import PARAGRAPH_MARK, Unit

# Item numbers (`（一）`, `1.`, `（1）`) as opposed to section numbers (`一、`).
_ITEM_OPENERS = frozenset("（(0123456789")

# Provenance strings repeat across directives (`subject of '要'; alias '公安机关'`): one copy each.
_i = sys.intern
_FIRST_MARKER = _i("modality:first marker")
_BARE_VERB = _i("directive:actor with a bare verb (statutory duty)")


@dataclass(slots=True)
class Lead:
    """A directive ending in a colon: it governs the list items that follow."""

    clause_index: int
    para: int
    duty: Duty
    conditions: bool  # introduces conditions or objects rather than orders
    nouns: bool  # introduces duties that may be named by nouns (`建立以下制度：`)
    item_para: int = -1  # the paragraph of the item last opened


def lists_duties(lead: str, rules: Rules) -> bool:
    """Whether the lead-in `lead` (ending in a colon) introduces duties rather than objects or conditions."""
    if rules.list_condition_re.search(lead) is not None:
        return False
    return rules.list_word_re.search(lead) is None or rules.duty_list_re.search(lead) is not None


def in_lead(unit: Unit, lead: Lead, clauses: Sequence[Clause]) -> bool:
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


def find_directive(
    unit: Unit, an: Analysis, rules: Rules, governor: Duty | None, lead: Lead | None, statutory: bool = False
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
        if not penalty_or_refusal(s, rules):
            return None
    if s.rstrip("。；;！？").endswith(rules.condition_endings) or s.endswith(rules.condition_endings):
        # (a lead-in that ends in a plain colon may still be a statutory duty: `X履行以下职责：`)
        if not (s.endswith("：") and s[-2:] not in rules.condition_endings and bare_subjects(an, rules)):
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
    head = _imperative_parts(an, rules, skip_frames(an, rules))
    first_part_end = an.parts[1] if len(an.parts) > 1 else an.i1
    if unit.heading and head is not None and head[0] < first_part_end:
        why = f"directive:numbered heading phrased as an order ({head[1]})"
        return _new_duty(unit, s, "obligation", "", -1, -1, [_i(why)])
    if bare_subjects(an, rules):
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


def _noun_item(an: Analysis, rules: Rules) -> bool:
    """A list item that names a thing (`安全责任制度；`, `记录、监测……的审计措施；`), not an act.

    One comma-part ending in a noun head of `item_noun_heads`, not opened by a verb that
    takes it as its object (`采取……技术措施；` is an act; a verb in a series, `记录、监测…`, is not).
    """
    if len(an.parts) > 1 or not an.sentence.rstrip("；。;").endswith(rules.item_noun_heads):
        return False
    head = imperative_head(an, rules, an.i0)
    return head is None or head[0] + 1 < an.i1 and an.words[head[0] + 1] in rules.series_marks


def _new_duty(
    unit: Unit, s: str, modality: str, marker: str, m_start: int, m_end: int, why: list[str]
) -> Duty:
    """A directive without actors and measures yet; `why` holds interned strings."""
    # (positional: twice as fast as by keyword; tests/test_extract_index.py pins the field order)
    # clause, sentence, start, end, modality, marker, action, actor_source, actors, targets, measures,
    # marker_span, rules
    return Duty(unit.clause, s, unit.start, unit.end, modality, _i(marker), "", "none", [], [], [],
                (m_start, m_end) if marker else None, why)


def _is_event(an: Analysis, rules: Rules) -> bool:
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


def _analysis_may_head(an: Analysis, rules: Rules) -> bool:
    """`may_head_order` of an analysed unit (found once: `analyse_unit` may have asked already)."""
    if an.may_head is None:
        an.may_head = may_head_order(an.text, an.words, an.i0, an.i1, an.lo, an.hi, rules)
    return an.may_head


def _part_end(an: Analysis, start: int) -> int:
    """Word index where the comma-part starting at word `start` ends (its comma, or i1)."""
    k = bisect.bisect_right(an.parts, start)
    return an.parts[k] - 1 if k < len(an.parts) else an.i1


def imperative_head(an: Analysis, rules: Rules, token: int) -> tuple[int, str] | None:
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


def _imperative_parts(an: Analysis, rules: Rules, first: int, parts: int = 2) -> tuple[int, str] | None:
    """The head verb of the first or second comma-part from word `first` (`以……为重点，加强……`)."""
    starts = [k for k in an.parts if k >= first][:parts]
    for start in starts:
        head = imperative_head(an, rules, start)
        if head is not None:
            return head
    return None


def _framing(an: Analysis, rules: Rules, start: int, end: int) -> bool:
    """Whether the words `start`..`end` (at least one) are all frames or adverbs."""
    framing = rules.framing
    # (most parts open with a word of their own: one test)
    return an.words[start] in framing and all(w in framing for w in an.words[start + 1 : end])


def skip_frames(an: Analysis, rules: Rules) -> int:
    """Word index after leading frame parts (`同时，`, `除此之外，会上提到，`)."""
    if an.after_frames < 0:
        an.after_frames = _find_after_frames(an, rules)
    return an.after_frames


def _find_after_frames(an: Analysis, rules: Rules) -> int:
    for start in an.parts:
        end = _part_end(an, start)
        if end <= start:
            continue
        if _framing(an, rules, start, end) or an.words[end - 1] in rules.modality.reporting:
            continue
        return start
    return an.i1


def _reported_imperative(an: Analysis, rules: Rules) -> tuple[str, str] | None:
    """`会上提到，尽快开通……`: an order reported after a reporting verb."""
    if skip_frames(an, rules) == an.i0:
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
        head = imperative_head(an, rules, start)
        return (verb, head[1]) if head else None
    return None


def bare_subjects(an: Analysis, rules: Rules) -> list[Chain]:
    """Subjects followed by a bare verb (`国务院建立……`, `公安机关牵头负责……`)."""
    if not an.names:
        return []
    if an.bare is None:
        an.bare = _find_bare_subjects(an, rules)
    return an.bare


def _find_bare_subjects(an: Analysis, rules: Rules) -> list[Chain]:
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
        if k < an.i1 and words[k] in rules.subject_adverbials:
            end = _part_end(an, k)
            if any(words[t] in rules.imperative_verbs for t in range(k + 1, end)):
                out.append(chain)
            continue
        if imperative_head(an, rules, k) is not None:
            out.append(chain)
    return out
