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
from typing import Any, NamedTuple

from ..errors import ExtractError
from .lexicon import compile_words

PART_SPLIT = re.compile(r"[，,：:；;]")


class Cue(NamedTuple):
    """A measure cue found in a unit; offsets relative to the unit.

    (A tuple: a unit makes a handful and throws them away, so they should be cheap to make.)
    """

    measure: str
    text: str
    start: int
    end: int
    weight: float  # lexicon weight times position weight
    place: str  # action | body | lead | purpose | subject
    strength: float  # the lexicon weight alone


@dataclass(frozen=True, slots=True)
class MeasureRules:
    """Compiled `measures.yaml`."""

    cue_re: re.Pattern[str]
    cues: Mapping[str, tuple[tuple[str, float], ...]]  # cue -> ((measure, weight), …)
    place_weight: Mapping[str, float]
    purpose_re: re.Pattern[str]
    min_score: float
    relative: float
    strong: float
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
        return cls(
            cue_re=compile_words(cues),
            cues={k: tuple(v) for k, v in cues.items()},
            place_weight=places,
            purpose_re=re.compile(f"(?:{'|'.join(map(re.escape, sorted(starts, key=len, reverse=True)))})")
            if starts
            else re.compile("(?!)"),
            min_score=float(weights.get("min_score", 2.0)),
            relative=float(weights.get("relative", 0.5)),
            strong=float(weights.get("strong", 2.0)),
            max_per=int(cfg.get("max_per_directive", 3)),
        )


def find_cues(
    text: str,
    lo: int,
    hi: int,
    hits: Sequence[tuple[int, int, str]],
    action_start: int,
    excluded: Sequence[tuple[int, int]],
    rules: MeasureRules,
    offs: Sequence[int] = (),
) -> list[Cue]:
    """Cues of the unit `text[lo:hi]` with their position weights.

    Args:
        text: the document (or the unit, with `lo` 0).
        lo: start of the unit; `hi` its end.
        hits: the cue words found in it (`cue_hits`), offsets into `text`.
        action_start: where the main verb phrase starts (after the marker, or the
            head verb of an imperative); text before it in the same comma-part is
            the subject/frame.
        excluded: spans (actor names) whose cues do not count.
        rules: compiled measure rules.
        offs: sorted word starts; a two-character cue must start and end on a word
            boundary (`互联` is no cue inside `互联网`). Empty: no check.
    """
    if not hits:
        return []
    parts = [lo] + [m.end() for m in PART_SPLIT.finditer(text, lo, hi)]
    action_part = bisect.bisect_right(parts, action_start) - 1
    purpose: dict[int, bool] = {}
    out: list[Cue] = []
    for a, b, cue in hits:
        if excluded and _inside(a, b, excluded):
            continue
        if offs and b - a <= 2 and not (_on_boundary(offs, a) and _on_boundary(offs, b)):
            continue  # callers that filtered the hits already pass no `offs`
        k = bisect.bisect_right(parts, a) - 1
        if k == action_part:
            place = "subject" if a < action_start else "action"
        elif k < action_part:
            place = "lead"
        else:
            place = "body"
        if place != "subject":
            if k not in purpose:
                purpose[k] = rules.purpose_re.match(text, _skip_blank(text, parts[k])) is not None
            if purpose[k]:
                place = "purpose"
        factor = rules.place_weight[place]
        for measure, weight in rules.cues[cue]:
            out.append(Cue(measure, cue, a, b, weight * factor, place, weight))
    return out


def _inside(a: int, b: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether the first or last character of `[a, b)` lies inside one of `spans`."""
    for x, y in spans:
        if x <= a < y or x < b <= y:
            return True
    return False


def _on_boundary(offs: Sequence[int], pos: int) -> bool:
    i = bisect.bisect_left(offs, pos)
    return i < len(offs) and offs[i] == pos


def cue_hits(text: str, rules: MeasureRules) -> list[tuple[int, int, str]]:
    """Every cue word in `text`: (start, end, cue), leftmost-longest."""
    return [(m.start(), m.end(), m.group()) for m in rules.cue_re.finditer(text)]


def _skip_blank(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \u3000":
        pos += 1
    return pos


def choose_measures(cues: Sequence[Cue], rules: MeasureRules) -> list[tuple[str, float, list[Cue]]]:
    """The measures kept for a unit: (id, score, its cues), strongest first."""
    score: dict[str, float] = {}
    by: dict[str, list[Cue]] = {}
    strong: set[str] = set()
    for cue in cues:
        if cue.weight <= 0:
            continue
        m = cue.measure
        if m in score:
            score[m] += cue.weight
            by[m].append(cue)
        else:
            score[m] = cue.weight
            by[m] = [cue]
        if cue.strength >= rules.strong:
            strong.add(m)
    if not score:
        return []
    # by score, then by first appearance (dicts keep insertion order)
    ranked = sorted(score, key=score.__getitem__, reverse=True)
    floor = max(rules.min_score, rules.relative * score[ranked[0]])
    # a measure rests on one strong cue or two different ones: a lone hint word is no measure
    kept = [m for m in ranked if score[m] >= floor and (m in strong or len({c.text for c in by[m]}) >= 2)]
    if not kept:
        kept = ranked[:1]
    return [(m, score[m], by[m]) for m in kept[: rules.max_per]]
