"""Measures: which policy instruments a directive is about, read from cues in context.

Each cue of `configs/measures.yaml` has a lexicon weight; where the cue stands
gives it a strength (`places`): the head of the main verb phrase and its object
count most, other comma-parts less, a part that states a purpose or an outcome
(`为…`, `防止…`) little, and a cue inside a condition (`…的，`, `对…的`), a cited
title (`《…》`) or an actor's name (`教育部门`) nothing. A cue inside a longer word
(`互联` in `互联网`) is no cue, unless the word is listed as carrying it
(`compounds`: `立案侦查` carries `侦查`). An ambiguous cue (`senses`: `账户`,
`监督检查`, `配合`) takes the measure of its nearest context word in its part or
of the directive's actors. A measure is kept when its summed score reaches
`min_score` and it rests on one strong cue or two different ones (a lone hint
word is a word in passing); at most `max_per_directive` (the coding manual's
one to three), strongest first. A directive whose cues give nothing takes the
nearest instrument of its actor (`fallback`), as the coding manual asks for one
measure at least.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from ..config_schema.extract import Places
from ..errors import ExtractError
from ..text.wordtrie import compile_words, trie_pattern

PART_SPLIT = re.compile(r"[，,：:；;]")

# Where a cue can stand (head, object, body, lead, topic, purpose, condition, modifier, title): the
# schema of `measures.yaml` `places` names them, the file says how much a cue counts at each.
PLACES: tuple[str, ...] = Places.__struct_fields__

# Hit frame codes: what encloses a cue word apart from its comma-part.
FREE, TITLE, MODIFIER = 0, 1, 2

# A cue word in the body: (start, end, cue, first, last, part, frame), offsets into the
# document. `first` and `last` are the starts of the actor names (no short forms) that hold
# its first and its last character, or -1; `part` the last part mark (`part_marks`) at or
# before its start, or -1; `frame` FREE, TITLE (inside `《…》`) or MODIFIER (inside a
# `对…的` condition modifier). (A plain tuple: one is made per cue word of every document.)
Hit = tuple[int, int, str, int, int, int, int]


# A cue that counted for a measure: (cue word as written, its place, its weight there).
Counted = tuple[str, str, float]

# A measure kept for a unit: (measure, score, the cues that counted for it in text order,
# the first of its strongest cues, the place of that cue: a key of PLACES).
Chosen = tuple[str, float, list[Counted], Hit, str]

Entry = tuple[str, float, bool]  # (measure, weight, strong)


@dataclass(frozen=True, slots=True)
class Sense:
    """One reading of an ambiguous cue: its measure, and the context that selects it."""

    entry: Entry
    words: frozenset[str]  # context words in the cue's comma-part (any, when empty)
    actors: frozenset[str]  # actor ids of the directive (any, when empty)


@dataclass(frozen=True, slots=True)
class MeasureRules:
    """Compiled `measures.yaml`."""

    cue_re: re.Pattern[str]
    cues: Mapping[str, tuple[Entry, ...]]  # cue or compound -> entries (none for an ambiguous cue)
    carried: Mapping[str, str]  # compound word -> the cue it carries (`立案侦查` -> `侦查`)
    senses: Mapping[str, tuple[Sense, ...]]  # ambiguous cue -> its readings, in order
    sense_re: Mapping[str, re.Pattern[str]]  # ambiguous cue -> its context words
    place_weight: Mapping[str, float]
    # place -> cue -> ((measure, weight times the place's weight, strong), …), none at 0 or below
    scored: Mapping[str, Mapping[str, tuple[Entry, ...]]]
    purpose_re: re.Pattern[str]  # matched where a part starts (blanks before its first word are skipped)
    condition_ends: str  # a part ending in one of these characters states a condition (`…的，`)
    modifier_re: re.Pattern[str]  # a condition modifier of a noun inside a part (`对…的账户`)
    topic_opens_re: re.Pattern[str]  # a part `对…的，` names the verb's object, not a condition
    title_re: re.Pattern[str]
    head_chars: int
    min_score: float
    relative: float
    max_per: int
    fallback: Mapping[str, str]  # actor id -> measure, for a directive without cues
    fallback_default: str
    # every character of a cue word: a scan for cues restarted after any other character finds
    # what a scan of the whole body finds from there (no cue word runs across it)
    cue_chars: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], taxonomy: Mapping[str, Any]) -> MeasureRules:
        known = set((taxonomy.get("measures") or {}).keys())

        def measure_id(measure: Any, where: str) -> str:
            if known and measure not in known:
                raise ExtractError(f"measures.yaml: {where}: measure '{measure}' is not in taxonomy.yaml; "
                                   "use a taxonomy id")
            return str(measure)

        weights = cfg.get("weights") or {}
        strong = float(weights["strong"])
        cues: dict[str, list[Entry]] = {}
        for measure, by_weight in (cfg.get("measures") or {}).items():
            measure_id(measure, "measures")
            if not isinstance(by_weight, Mapping):
                raise ExtractError(f"measures.yaml: measures.{measure} must map weights to cue lists")
            for weight, words in by_weight.items():
                for word in words or ():
                    entry = cues.setdefault(str(word), [])
                    if all(m != measure for m, _, _ in entry):
                        entry.append((measure, float(weight), float(weight) >= strong))
        senses: dict[str, tuple[Sense, ...]] = {}
        for cue, readings in (cfg.get("senses") or {}).items():
            cue = str(cue)
            if cue in cues:
                raise ExtractError(f"measures.yaml: senses.{cue}: the cue is also listed under measures; "
                                   "keep it in one place")
            if not isinstance(readings, Sequence) or not readings:
                raise ExtractError(f"measures.yaml: senses.{cue} must be a list of readings")
            parsed = []
            for k, reading in enumerate(readings):
                unknown = set(reading) - {"measure", "weight", "words", "actors"} if isinstance(reading, Mapping) \
                    else {"(not a mapping)"}
                if unknown or "measure" not in reading:
                    raise ExtractError(f"measures.yaml: senses.{cue}[{k}] needs 'measure' and may hold 'weight', "
                                       f"'words', 'actors' (got {sorted(unknown) or 'no measure'})")
                w = float(reading.get("weight", strong))
                parsed.append(Sense((measure_id(reading["measure"], f"senses.{cue}"), w, w >= strong),
                                    frozenset(map(str, reading.get("words") or ())),
                                    frozenset(map(str, reading.get("actors") or ()))))
            senses[cue] = tuple(parsed)
            cues[cue] = []
        carried: dict[str, str] = {}
        for cue, words in (cfg.get("compounds") or {}).items():
            cue = str(cue)
            if cue not in cues:
                raise ExtractError(f"measures.yaml: compounds.{cue}: not a cue of measures or senses; add it there")
            for word in words or ():
                word = str(word)
                if cue not in word or word == cue:
                    raise ExtractError(f"measures.yaml: compounds.{cue}: '{word}' does not hold the cue")
                if word in cues:
                    raise ExtractError(f"measures.yaml: compounds.{cue}: '{word}' is a cue of its own")
                carried[word] = cue
        for word, cue in carried.items():
            cues[word] = cues[cue]
        places = {str(place): float(value) for place, value in cfg["places"].items()}
        unknown, missing = sorted(places.keys() - set(PLACES)), [p for p in PLACES if p not in places]
        if unknown:
            raise ExtractError(f"measures.yaml: places.{unknown[0]}: unknown place (known: {', '.join(PLACES)})")
        if missing:
            raise ExtractError(f"measures.yaml: places.{missing[0]}: missing; give every place a weight (0 for none)")
        starts = [str(w) for w in weights.get("purpose_starts") or ()]
        lexicon = {k: tuple(v) for k, v in cues.items()}
        fallback_cfg = cfg.get("fallback") or {}
        fallback = {str(a): measure_id(m, f"fallback.actors.{a}") for a, m in
                    (fallback_cfg.get("actors") or {}).items()}
        default = fallback_cfg.get("default") or ""
        if default:
            measure_id(default, "fallback.default")
        return cls(
            cue_re=compile_words(cues),
            cues=lexicon,
            carried=carried,
            senses=senses,
            sense_re={cue: compile_words(w for s in readings for w in s.words) for cue, readings in senses.items()},
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
            condition_ends="".join(str(c) for c in weights.get("condition_ends") or ()),
            # (bounded, and no 的 before the closing one: one short scan from each 对)
            modifier_re=re.compile(
                f"(?:{trie_pattern(str(w) for w in weights.get('modifier_opens') or ())})"
                f"[^，,；;：:。！？\n的]{{1,{int(weights['modifier_chars'])}}}的(?![，,])"
            ) if weights.get("modifier_opens") else re.compile("(?!)"),
            topic_opens_re=re.compile(trie_pattern(str(w) for w in weights.get("modifier_opens") or ())),
            title_re=re.compile("《[^《》\n]{1,80}》"),
            head_chars=int(weights["head_chars"]),
            min_score=float(weights["min_score"]),
            relative=float(weights["relative"]),
            max_per=int(cfg["max_per_directive"]),
            fallback=fallback,
            fallback_default=str(default),
            cue_chars=frozenset("".join(cues)),
        )


def part_marks(text: str, lo: int, hi: int) -> list[int]:
    """Where each comma-part of `text[lo:hi]` after the first starts (after its `，`, `：`, `；`)."""
    return [m.end() for m in PART_SPLIT.finditer(text, lo, hi)]


# Spans that frame a cue (cited titles, condition modifiers), each list in order and without overlaps.
Frames = tuple[list[tuple[int, int]], list[tuple[int, int]]]


def cue_frames(text: str, lo: int, hi: int, rules: MeasureRules) -> Frames:
    """The cited titles (`《…》`) and the condition modifiers (`对…的`) of `text[lo:hi]`."""
    return ([m.span() for m in rules.title_re.finditer(text, lo, hi)],
            [m.span() for m in rules.modifier_re.finditer(text, lo, hi)])


def cue_hits(
    text: str,
    lo: int,
    hi: int,
    offs: Sequence[int],
    named: Mapping[int, int],
    marks: Sequence[int],
    rules: MeasureRules,
    frames: Frames | None = None,
) -> list[Hit]:
    """Every cue word in `text[lo:hi]`, leftmost-longest.

    Args:
        text: the document.
        lo: start of the stretch to scan; `hi` its end.
        offs: the word starts (and the end); a cue of one or two characters must start
            and end on one (`互联` is no cue inside `互联网`).
        named: character offset -> start of the actor name (no short form) holding it.
        marks: `part_marks` of the stretch (or of a longer one that holds it).
        rules: compiled measure rules.
        frames: `cue_frames` of the stretch (or of a longer one); found when None.
    """
    titles, modifiers = frames if frames is not None else cue_frames(text, lo, hi, rules)
    n_titles, n_modifiers, n_marks = len(titles), len(modifiers), len(marks)
    out: list[Hit] = []
    i = 0
    # (cues, marks and spans all come in order: each list is followed from the last item at or before `lo`)
    k = bisect.bisect_right(marks, lo)
    part = marks[k - 1] if k else -1
    t = max(bisect.bisect_right(titles, (lo, hi)) - 1, 0) if titles else 0
    d = max(bisect.bisect_right(modifiers, (lo, hi)) - 1, 0) if modifiers else 0
    first = last = -1
    for m in rules.cue_re.finditer(text, lo, hi):
        a, b = m.span()
        if b - a <= 2:
            i = bisect.bisect_left(offs, a, i)
            if offs[i] != a:
                continue
            j = i + 1 if offs[i + 1] >= b else i + 2  # (b - a is 1 or 2: at most two words)
            if offs[j] != b:
                continue
        while k < n_marks and marks[k] <= a:
            part = marks[k]
            k += 1
        while t < n_titles and titles[t][1] <= a:
            t += 1
        while d < n_modifiers and modifiers[d][1] <= a:
            d += 1
        if t < n_titles and titles[t][0] <= a and b <= titles[t][1]:
            frame = TITLE
        elif d < n_modifiers and modifiers[d][0] <= a and b <= modifiers[d][1]:
            frame = MODIFIER
        else:
            frame = FREE
        if named:
            first, last = named.get(a, -1), named.get(b - 1, -1)
        out.append((a, b, m.group(), first, last, part, frame))
    return out


def choose_measures(
    text: str,
    lo: int,
    hi: int,
    hits: Sequence[Hit],
    action_start: int,
    marks: Sequence[int],
    purpose: dict[int, str],
    rules: MeasureRules,
    actors: Collection[str] = (),
) -> list[Chosen]:
    """The measures of the unit starting at `lo`, strongest first, scored from its cues.

    A cue weighs its lexicon weight times the strength of its place (`places`): in
    the comma-part of the main verb phrase (`action_start` on: after the marker, or
    the head verb of an imperative), its `head` or its `object`, before it the
    `topic`; the parts before it (`lead`) or after it (`body`); a part that states a
    purpose (`purpose`) or a condition, or a `对…的` modifier (`condition`); a cited
    title (`title`). A cue inside an actor's name counts for nothing.

    Args:
        text: the document.
        lo: start of the unit; `hi` its end.
        hits: the unit's cue words (`cue_hits`).
        action_start: where the main verb phrase starts.
        marks: the part marks of the body (`part_marks`); those after `lo` and up to
            the unit's end are its own.
        purpose: part start -> "purpose", "condition" or "" (what the part states); filled
            as parts are seen (one per document: the answer depends on the position alone).
        rules: compiled measure rules.
        actors: the directive's actor ids (they select a reading of an ambiguous cue).
    """
    # part starts stand for part numbers: they grow with them
    k = bisect.bisect_right(marks, action_start) - 1
    action_part = marks[k] if k >= 0 and marks[k] > lo else lo
    head_end = action_start + rules.head_chars
    scored = rules.scored
    # measure -> [score, best weight, best cue, its place, its counted cues, rests on a strong cue,
    #             has a cue outside a condition]
    found: dict[str, list] = {}
    for hit in hits:
        a, _, cue, first, last, part, frame = hit
        if first >= lo or lo <= last < hi:
            continue  # inside an actor's name of the unit (`教育部门`)
        if part <= lo:
            part = lo
        place = _place(text, a, part, frame, action_part, action_start, head_end, marks, hi, purpose, rules)
        entries = scored[place][cue]
        if not entries and rules.carried.get(cue, cue) in rules.senses:
            entries = _read_sense(text, hit, part, marks, hi, place, actors, rules)
        for measure, w, strong in entries:
            entry = found.get(measure)
            if entry is None:
                found[measure] = [w, w, hit, place, [(cue, place, w)], strong, place != "condition"]
                continue
            entry[0] += w
            if w > entry[1]:
                entry[1] = w
                entry[2] = hit
                entry[3] = place
            entry[4].append((cue, place, w))
            if strong:
                entry[5] = True
            if place != "condition":
                entry[6] = True
    # a condition adds to what the action says but says nothing alone
    found = {m: entry for m, entry in found.items() if entry[6]}
    if not found:
        return []
    # a measure rests on one strong cue or two different ones: a lone hint word is no measure
    kept = []
    floor = max(rules.min_score, rules.relative * max(map(_FIRST, found.values())))
    for m, (score, _, best, place, cues, strong, _) in found.items():
        if score >= floor and (strong or len({c[0] for c in cues}) >= 2):
            kept.append((m, score, cues, best, place))
    if not kept:  # the best one, the first of them on a tie
        top = max(map(_FIRST, found.values()))
        for m, (score, _, best, place, cues, _, _) in found.items():
            if score == top:
                kept = [(m, score, cues, best, place)]
                break
    elif len(kept) > 1:
        # by score, then by first appearance (dicts keep insertion order; the sort is stable)
        kept.sort(key=_SECOND, reverse=True)
    return kept[: rules.max_per]


def _place(
    text: str, a: int, part: int, frame: int, action_part: int, action_start: int, head_end: int,
    marks: Sequence[int], hi: int, states: dict[int, str], rules: MeasureRules,
) -> str:
    """Where the cue at `a`, in the comma-part starting at `part`, stands (a key of PLACES)."""
    if frame == TITLE:
        return "title"
    before = part < action_part or part == action_part and a < action_start
    if frame == MODIFIER and before:
        # (after the main verb, `对…的` is its object: `加强对…的监测`)
        return "modifier"
    if part == action_part and a < action_start:
        return "topic"
    said = states.get(part)
    if said is None:
        said = states[part] = _part_states(text, part, marks, hi, rules)
    if said:
        return said
    if part == action_part:
        return "head" if a < head_end else "object"
    return "lead" if part < action_part else "body"


def _part_states(text: str, part: int, marks: Sequence[int], hi: int, rules: MeasureRules) -> str:
    """"purpose" or "condition" for a comma-part that states one, else ""."""
    if rules.purpose_re.match(text, part) is not None:
        return "purpose"
    k = bisect.bisect_right(marks, part)
    if k < len(marks) and marks[k] <= hi and text[marks[k] - 1] in "，,":
        # a part set off by a comma whose last word is a condition ending (`…的，`)
        end = marks[k] - 2
        if end >= part and text[end] in rules.condition_ends and rules.topic_opens_re.match(text, part) is None:
            return "condition"
    return ""


def _read_sense(
    text: str, hit: Hit, part: int, marks: Sequence[int], hi: int, place: str, actors: Collection[str],
    rules: MeasureRules,
) -> tuple[Entry, ...]:
    """The entry of the reading of an ambiguous cue that its context selects (none when none does).

    A reading that names context words needs one in the cue's comma-part, and the nearest
    such word decides between readings; one that names actors needs one of the directive's;
    a reading with neither is the default, taken when no other applies.
    """
    cue = rules.carried.get(hit[2], hit[2])
    factor = rules.place_weight[place]
    if factor <= 0:
        return ()
    k = bisect.bisect_right(marks, part)
    end = min(marks[k], hi) if k < len(marks) else hi
    nearest: dict[str, int] = {}
    for m in rules.sense_re[cue].finditer(text, part, end):
        d = hit[0] - m.end() if m.end() <= hit[0] else m.start() - hit[1]
        if d >= 0 and d < nearest.get(m.group(), 1 << 30):
            nearest[m.group()] = d
    best: Sense | None = None
    best_d = 1 << 30
    for sense in rules.senses[cue]:
        if sense.actors and sense.actors.isdisjoint(actors):
            continue
        if sense.words:
            d = min((nearest[w] for w in sense.words if w in nearest), default=None)
            if d is None or d >= best_d:
                continue
            best, best_d = sense, d
        elif best is None:
            best = sense
            if not sense.actors:
                break  # the default: later readings are never reached
    if best is None:
        return ()
    measure, w, strong = best.entry
    return ((measure, w * factor, strong),)


def fallback_measure(actors: Sequence[str], rules: MeasureRules) -> tuple[str, str] | None:
    """The nearest instrument of a directive without cues: (measure, actor id or "") or None."""
    for actor in actors:
        measure = rules.fallback.get(actor)
        if measure:
            return measure, actor
    return (rules.fallback_default, "") if rules.fallback_default else None


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
