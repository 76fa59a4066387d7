"""The body indexed a stretch at a time (words, actor names), and each unit read off it.

One segmenter call per stretch gives the words; names are found in one scan of the
stretch. `analyse_unit` slices what a unit holds out of those lists, and passes over the
units no rule can take for a directive before their names are looked at. Measure cues
count only in directives (half the text of a statute, less of a bulletin): `unit_cues`
finds a directive's own.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress, count

from ..text.segmenter import Segmenter
from .actors import Chain, Name, find_names
from .measures import Frames, Hit, MeasureRules, cue_frames, cue_hits, part_marks
from .modality import COMMAS, Marker, find_markers
from .rules import Rules
from .sentences import Unit

# The body is indexed (segmented, names found) in stretches of about this many
# characters, so that memory stays bounded on a 50 MB file while calls stay few.
CHUNK_CHARS = 200_000


@dataclass(slots=True)
class DocIndex:
    """Words and actor names of a stretch of the body, found once (one segmenter call).

    Word boundaries include every unit boundary, so a unit is a run of whole words.
    """

    text: str
    lo: int  # the stretch: text[lo:hi]
    hi: int
    words: list[str]
    offs: list[int]  # start of each word, plus len(text)
    names: list[Name]
    name_starts: list[int]
    names_at: dict[int, Name]  # word start -> the name starting there
    name_ends: set[int]
    named: dict[int, int]  # character -> start of the name (no short form) holding it
    frames: Frames  # spans that frame a cue (`measures.cue_frames`)
    marks: list[int]  # where comma-parts start (`measures.part_marks`)
    purpose: dict[int, str]  # part start -> what the part states (`choose_measures`; filled as needed)
    modal_tokens: list[int]  # indexes of words that are modal words
    part_tokens: list[int]  # indexes of the words after a comma or stop
    # where the last unit analysed ends in: words, names, part_tokens, modal_tokens
    cursor: list[int] = field(default_factory=lambda: [0, 0, 0, 0])


@dataclass(slots=True)
class Analysis:
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
    parts: list[int]  # word indexes where a comma-part starts (the first is i0)
    bare: list[Chain] | None = None  # `bare_subjects`, once found
    may_head: bool | None = None  # `may_head_order`, once found
    after_frames: int = -1  # `skip_frames`, once found


def _stretches(units: Iterable[Unit]) -> Iterator[list[Unit]]:
    """The units in stretches of about `CHUNK_CHARS` characters (a unit that crosses the mark opens the next)."""
    stretch: list[Unit] = []
    start = 0
    for unit in units:
        if stretch and unit.end - start > CHUNK_CHARS:
            yield stretch
            stretch = []
        if not stretch:
            start = unit.start
        stretch.append(unit)
    if stretch:
        yield stretch


def indexed_stretches(
    text: str, units: Iterable[Unit], seg: Segmenter, rules: Rules
) -> Iterator[tuple[DocIndex, list[Unit]]]:
    """The stretches of the body, each with its index, indexed one at a time."""
    for stretch in _stretches(units):
        yield index_stretch(text, stretch, seg, rules), stretch


def index_stretch(text: str, units: Sequence[Unit], seg: Segmenter, rules: Rules) -> DocIndex:
    """Words and names of the stretch of `text` that `units` cover."""
    # jieba cuts inside runs of CJK/alphanumerics only, so one cut of a stretch gives the
    # same words as a cut per unit (units end at punctuation) at a fraction of the calls.
    lo, hi = units[0].start, units[-1].end
    words = seg.cut(text[lo:hi])
    offs = list(accumulate(map(len, words), initial=lo))
    split_at_units(words, offs, units)
    names = find_names(text, words, offs, rules.actors, lo, hi)
    names_at: dict[int, Name] = {}
    for name in names:
        # keyed by the word it starts (a name fused with a place prefix starts inside one)
        names_at.setdefault(name.word, name)
    # a cue inside an actor's name is no cue (`教育部门`)
    named = {k: name.start for name in names if not name.short for k in range(name.start, name.end)}
    mod = rules.modality
    return DocIndex(
        text=text,
        lo=lo,
        hi=hi,
        words=words,
        offs=offs,
        names=names,
        name_starts=[n.start for n in names],
        names_at=names_at,
        name_ends={n.end for n in names if not n.short},
        named=named,
        frames=cue_frames(text, lo, hi, rules.measures),
        marks=part_marks(text, lo, hi),
        purpose={},
        modal_tokens=word_indexes(mod.first_chars, mod.by_token, text, words, offs, lo, hi),
        part_tokens=list(compress(count(1), map(COMMAS.__contains__, words))),
    )


def word_indexes(
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


def split_at_units(words: list[str], offs: list[int], units: Sequence[Unit]) -> None:
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

    Units come in order, so a unit's range usually starts where the last one's ended, and
    holds a few keys at most: stepped over, not searched for.
    """
    j0 = cursor[slot]
    n = len(keys)
    if j0 < n and keys[j0] < lo:
        j0 = bisect.bisect_left(keys, lo, j0)
    j1 = j0
    while j1 < n and keys[j1] < hi:
        j1 += 1
    cursor[slot] = j1
    return j0, j1


def analyse_unit(unit: Unit, doc: DocIndex, rules: Rules, list_open: bool) -> Analysis | None:
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
    j0, j1 = _range_from(doc.modal_tokens, cursor, 3, i0, i1)  # its modal words
    sentence = text[lo:hi]
    may_head = None
    if j0 == j1 and not list_open and not (may_head := may_head_order(text, doc.words, i0, i1, lo, hi, rules)) and not (
        penalty_or_refusal(sentence, rules)
    ):
        # No modal word, no word to head an order and no penalty clause: most units of a
        # statute or a bulletin that state no duty end here, before their names are
        # looked up (the other lists' cursors catch up at the next unit).
        return None
    # Its names, comma-parts and modal words: slices of the body's lists.
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
    return Analysis(text, sentence, lo, hi, i0, i1, doc.words, offs, names, doc.names_at, markers, parts,
                    may_head=may_head)


def unit_cues(doc: DocIndex, lo: int, hi: int, rules: MeasureRules) -> list[Hit]:
    """The cue words that start in the unit `text[lo:hi]`: those a scan of the whole stretch finds there.

    The scan runs from the last character before the unit that no cue word holds (where a scan
    of the stretch restarts too) to the first after it (no cue word that starts in the unit runs
    past it).
    """
    text, chars = doc.text, rules.cue_chars
    start, end = lo, hi
    while start > doc.lo and text[start - 1] in chars:
        start -= 1
    while end < doc.hi and text[end] in chars:
        end += 1
    hits = cue_hits(text, start, end, doc.offs, doc.named, doc.marks, rules, doc.frames)
    if start < lo or end > hi:
        hits = [hit for hit in hits if lo <= hit[0] < hi]
    return hits


def may_head_order(text: str, words: list[str], i0: int, i1: int, lo: int, hi: int, rules: Rules) -> bool:
    """Whether some word of the unit `words[i0:i1]` (`text[lo:hi]`) could head an order.

    Every rule after the penalty clause needs one (`imperative_head`; a bare verb too):
    an imperative verb, or a word fused from a two-character verb or adverb and more
    (`深入研究`), which then holds that verb or adverb. A test of the whole unit at once:
    where it says no, none of those rules can find a directive.
    """
    return not rules.imperative_verbs.isdisjoint(words[i0:i1]) or rules.fused_start_re.search(text, lo, hi) is not None


def penalty_or_refusal(s: str, rules: Rules) -> bool:
    """Whether the unit `s` holds a penalty clause or a refusal (`不予追缴`), the rules that need no head verb."""
    return (rules.penalty_re.search(s) is not None or rules.penalty_cue_re.search(s) is not None
            or "不予" in s and rules.refusal_re.search(s) is not None)
