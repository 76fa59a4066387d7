"""Measures: which policy instruments a directive is about.

Each cue of `configs/measures.yaml` has a weight; where the cue stands scales
it: the comma-part that holds the main verb phrase right after the marker
counts most, other parts less, a part that states a purpose or an outcome
(`为…`, `防止…`, `最大限度…`) little. A cue inside an actor's name
(`教育部门`, `国家反诈中心`) or inside a longer word (`互联` in `互联网`) is no
cue. A measure is kept when its summed score reaches the threshold and a share
of the best one, and it rests on one strong cue or two different ones (a lone
hint word is a word in passing); at most `max_per_directive`, strongest first.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ..errors import ExtractError
from .lexicon import compile_words, trie_pattern

PART_SPLIT = re.compile(r"[，,：:；;]")


# A cue word in the body: (start, end, cue, first, last, part), offsets into the document.
# `first` and `last` are the starts of the actor names (no short forms) that hold its
# first and its last character, or -1; `part` the last part mark (`part_marks`) at or
# before its start, or -1. (A plain tuple: one is made per cue word of every document.)
Hit = tuple[int, int, str, int, int, int]


# A measure kept for a unit: (measure, score, its different cue words sorted, the
# first of its strongest cues, where that cue stands: action | body | lead | purpose).
Chosen = tuple[str, float, list[str], Hit, str]


@dataclass(frozen=True, slots=True)
class MeasureRules:
    """Compiled `measures.yaml`."""

    cue_re: re.Pattern[str]
    cues: Mapping[str, tuple[tuple[str, float, bool], ...]]  # cue -> ((measure, weight, strong), …)
    place_weight: Mapping[str, float]
    # place -> cue -> ((measure, weight times the place's weight, strong), …), none at 0 or below
    scored: Mapping[str, Mapping[str, tuple[tuple[str, float, bool], ...]]]
    purpose_re: re.Pattern[str]  # matched where a part starts (blanks before its first word are skipped)
    min_score: float
    relative: float
    max_per: int

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], taxonomy: Mapping[str, Any]) -> MeasureRules:
        known = set((taxonomy.get("measures") or {}).keys())
        cues: dict[str, list[tuple[str, float]]] = {}
        for measure, by_weight in (cfg.get("measures") or {}).items():
            if known and measure not in known:
                raise ExtractError(
                    f"measures.yaml: measure '{measure}' is not in taxonomy.yaml; use a taxonomy id"
                )
            if not isinstance(by_weight, Mapping):
                raise ExtractError(f"measures.yaml: measures.{measure} must map weights to cue lists")
            for weight, words in by_weight.items():
                for word in words or ():
                    entry = cues.setdefault(str(word), [])
                    if all(m != measure for m, _ in entry):
                        entry.append((measure, float(weight)))
        weights = cfg.get("weights") or {}
        places = {k: float(weights.get(k, d)) for k, d in
                  (("action", 2.0), ("body", 1.0), ("lead", 1.0), ("purpose", 0.4), ("subject", 0.0))}
        starts = [str(w) for w in weights.get("purpose_starts") or ()]
        strong = float(weights.get("strong", 2.0))
        lexicon = {k: tuple((m, w, w >= strong) for m, w in v) for k, v in cues.items()}
        return cls(
            cue_re=compile_words(cues),
            cues=lexicon,
            place_weight=places,
            scored={
                place: {
                    cue: tuple((m, s, is_strong) for m, w, is_strong in entries for s in (w * factor,) if not s <= 0)
                    for cue, entries in lexicon.items()
                }
                for place, factor in places.items()
            },
            # blanks skipped possessively: as if skipped first, then one of the words matched
            purpose_re=re.compile(f"[ \u3000]*+(?:{trie_pattern(starts)})") if starts else re.compile("(?!)"),
            min_score=float(weights.get("min_score", 2.0)),
            relative=float(weights.get("relative", 0.5)),
            max_per=int(cfg.get("max_per_directive", 3)),
        )


def part_marks(text: str, lo: int, hi: int) -> list[int]:
    """Where each comma-part of `text[lo:hi]` after the first starts (after its `，`, `：`, `；`)."""
    return [m.end() for m in PART_SPLIT.finditer(text, lo, hi)]


def cue_hits(
    text: str,
    lo: int,
    hi: int,
    offs: Sequence[int],
    named: Mapping[int, int],
    marks: Sequence[int],
    rules: MeasureRules,
) -> list[Hit]:
    """Every cue word in `text[lo:hi]`, leftmost-longest, found once for the whole body.

    Args:
        text: the document.
        lo: start of the stretch to scan; `hi` its end.
        offs: the word starts (and the end); a cue of one or two characters must start
            and end on one (`互联` is no cue inside `互联网`).
        named: character offset -> start of the actor name (no short form) holding it.
        marks: `part_marks` of the stretch.
        rules: compiled measure rules.
    """
    out: list[Hit] = []
    i = k = 0
    n_marks = len(marks)
    part = first = last = -1
    for m in rules.cue_re.finditer(text, lo, hi):
        a, b = m.span()
        if b - a <= 2:
            i = bisect.bisect_left(offs, a, i)
            if offs[i] != a:
                continue
            j = i + 1 if offs[i + 1] >= b else i + 2  # (b - a is 1 or 2: at most two words)
            if offs[j] != b:
                continue
        while k < n_marks and marks[k] <= a:  # (cues and marks both come in order)
            part = marks[k]
            k += 1
        if named:
            first, last = named.get(a, -1), named.get(b - 1, -1)
        out.append((a, b, m.group(), first, last, part))
    return out


def choose_measures(
    text: str,
    lo: int,
    hi: int,
    hits: Sequence[Hit],
    action_start: int,
    marks: Sequence[int],
    purpose: dict[int, bool],
    rules: MeasureRules,
) -> list[Chosen]:
    """The measures of the unit starting at `lo`, strongest first, scored from its cues.

    A cue weighs its lexicon weight times the weight of its place: the comma-part
    of the main verb phrase (`action_start` on: after the marker, or the head verb
    of an imperative; before it in that part is the subject or frame, `subject`),
    the parts before it (`lead`) or after it (`body`), or a part that states a
    purpose (`purpose`). A cue inside an actor's name counts for nothing.

    Args:
        text: the document.
        lo: start of the unit; `hi` its end.
        hits: the unit's cue words (`cue_hits`).
        action_start: where the main verb phrase starts.
        marks: the part marks of the body (`part_marks`); those after `lo` and up to
            the unit's end are its own.
        purpose: part start -> whether it states a purpose; filled as parts are seen
            (one per document: the answer depends on the position alone).
        rules: compiled measure rules.
    """
    # part starts stand for part numbers: they grow with them
    k = bisect.bisect_right(marks, action_start) - 1
    action_part = marks[k] if k >= 0 and marks[k] > lo else lo
    scored = rules.scored
    # measure -> [score, best weight, best cue, its place, its cue words, rests on a strong cue]
    found: dict[str, list] = {}
    for hit in hits:
        a, _, cue, first, last, part = hit
        if first >= lo or lo <= last < hi:
            continue  # inside an actor's name of the unit (`教育部门`)
        if part <= lo:
            part = lo
        if part == action_part and a < action_start:
            place = "subject"
        else:
            if part == action_part:
                place = "action"
            else:
                place = "lead" if part < action_part else "body"
            states = purpose.get(part)
            if states is None:
                states = purpose[part] = rules.purpose_re.match(text, part) is not None
            if states:
                place = "purpose"
        for measure, w, strong in scored[place][cue]:
            entry = found.get(measure)
            if entry is None:
                found[measure] = [w, w, hit, place, [cue], strong]
                continue
            entry[0] += w
            if w > entry[1]:
                entry[1] = w
                entry[2] = hit
                entry[3] = place
            entry[4].append(cue)
            if strong:
                entry[5] = True
    if not found:
        return []
    top = max(map(_FIRST, found.values()))
    floor = max(rules.min_score, rules.relative * top)
    # a measure rests on one strong cue or two different ones: a lone hint word is no measure
    kept = []
    for m, (score, _, best, place, cues, strong) in found.items():
        if score >= floor:
            if len(cues) > 1:
                cues = sorted(set(cues))
            if strong or len(cues) >= 2:
                kept.append((m, score, cues, best, place))
    if not kept:  # the best one, the first of them on a tie
        for m, (score, _, best, place, cues, _) in found.items():
            if score == top:
                kept = [(m, score, sorted(set(cues)), best, place)]
                break
    elif len(kept) > 1:
        # by score, then by first appearance (dicts keep insertion order; the sort is stable)
        kept.sort(key=_SECOND, reverse=True)
    return kept[: rules.max_per]


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
