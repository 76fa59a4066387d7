"""Text that remembers where every character came from in the raw file.

Each pipeline stage proposes `Edit`s on the current text (delete a span, or
replace it); `TrackedText.apply` carries them out and keeps a compact offset
map from the new text back to the decoded raw text. Deleted spans come back as
`Removed` records, so cleaned text plus removed pieces account for every raw
character (the invariant the property tests check), and any clause or duty can
be traced to raw offsets.

The map is a list of segments `(out_start, out_end, raw_start, raw_end)`
covering the text. Where a segment's two lengths agree it maps character by
character; where they differ (a repaired mojibake run, a redaction) every
character in it maps to the whole raw span.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, compress, count, islice, repeat
from operator import attrgetter, eq, le, lt, sub
from typing import NamedTuple

# Offsets as 32-bit machine integers: half the memory of 64-bit ones on a page with millions of
# pieces. A document of 2**31 characters never gets this far (the per-document time budget and
# memory stop it long before), and an array refuses an overflowing value rather than wrapping.
OFFSET_TYPE = "i"

Segment = tuple[int, int, int, int]


class Edit(NamedTuple):
    """Replace `text[start:end]` with `replacement` (empty: delete), because of `reason`.

    A named tuple rather than a dataclass: stages propose hundreds per document
    (over a million on a glossed 50 MB page), and a tuple is made in half the time.
    """

    start: int
    end: int
    replacement: str
    reason: str


# Edits are carried out in text order; equal starts keep their proposal order (stable sort).
_EDIT_ORDER = attrgetter("start", "end")

# `Edit(start, end, replacement, reason)` runs a Python-level `__new__`; a stage proposing
# hundreds of edits a page (the glosses) makes them from a tuple this way, in half the time.
edit_of: Callable[[tuple[int, int, str, str]], Edit] = partial(tuple.__new__, Edit)


@dataclass(frozen=True, slots=True)
class Removed:
    """A piece of the raw text that cleaning dropped: raw offsets, the raw text, and why."""

    start: int
    end: int
    text: str
    reason: str

    def to_dict(self) -> dict:
        return {"text": self.text, "reason": self.reason, "start": self.start, "end": self.end}


class SegmentMap(Sequence[Segment]):
    """`(out_start, out_end, raw_start, raw_end)` rows read from four integer arrays on demand."""

    __slots__ = ("_columns",)

    def __init__(self, *columns: array) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(self._columns[0])

    def __getitem__(self, index: int) -> Segment:  # type: ignore[override]
        os_, oe, rs, re_ = self._columns
        return os_[index], oe[index], rs[index], re_[index]

    def __iter__(self) -> Iterator[Segment]:
        return zip(*self._columns, strict=True)

    def rows(self, start: int = 0, stop: int | None = None) -> list[Segment]:
        """The rows `[start:stop]` as tuples."""
        return list(zip(*(column[start:stop] for column in self._columns), strict=True))


class RemovedLog(Sequence[Removed]):
    """Removed pieces kept compactly: raw offsets in integer arrays, reasons interned.

    A heavily glossed 50 MB page loses well over a million pieces; as objects
    (and later as JSON-ready dicts) they would cost many times the page. The
    text of a piece is the raw slice, read on demand, unless it was replaced
    (personal data redacted in it).
    """

    __slots__ = ("raw", "_starts", "_ends", "_reason_ids", "_reasons", "_reason_index", "_texts")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._starts, self._ends, self._reason_ids = array(OFFSET_TYPE), array(OFFSET_TYPE), array("l")
        self._reasons: list[str] = []
        self._reason_index: dict[str, int] = {}
        self._texts: dict[int, str] = {}

    @classmethod
    def of(cls, raw: str, starts: Iterable[int], ends: Iterable[int], reasons: Sequence[str]) -> RemovedLog:
        """A log of pieces given column by column (raw starts, raw ends, reasons)."""
        log = cls(raw)
        log._starts, log._ends = array(OFFSET_TYPE, starts), array(OFFSET_TYPE, ends)
        ids = {reason: log._intern(reason) for reason in dict.fromkeys(reasons)}
        if len(ids) == 1:  # (one reason, as for the glosses: the ids repeated at C speed)
            log._reason_ids = array("l", ids.values()) * len(reasons)
        else:
            log._reason_ids = array("l", map(ids.__getitem__, reasons))
        return log

    def _intern(self, reason: str) -> int:
        reason_id = self._reason_index.get(reason)
        if reason_id is None:
            reason_id = self._reason_index[reason] = len(self._reasons)
            self._reasons.append(reason)
        return reason_id

    def append(self, start: int, end: int, reason: str) -> None:
        self._starts.append(start)
        self._ends.append(end)
        self._reason_ids.append(self._intern(reason))

    def extend(self, pieces: Iterable[Removed]) -> None:
        if isinstance(pieces, RemovedLog):
            offset = len(self)
            ids = [self._intern(reason) for reason in pieces._reasons]
            self._starts.extend(pieces._starts)
            self._ends.extend(pieces._ends)
            self._reason_ids.extend(ids[i] for i in pieces._reason_ids)
            self._texts.update({offset + i: text for i, text in pieces._texts.items()})
            return
        for piece in pieces:
            self.append(piece.start, piece.end, piece.reason)

    def spans(self) -> tuple[array, array]:
        """The raw starts and ends of the pieces (read-only views of the log's own arrays)."""
        return self._starts, self._ends

    def removed_chars(self, reason: str) -> int:
        """How many raw characters the pieces removed for `reason` cover (read off the arrays)."""
        reason_id = self._reason_index.get(reason)
        if reason_id is None:
            return 0
        return sum(end - start for start, end, piece_reason in zip(self._starts, self._ends, self._reason_ids,
                                                                    strict=True) if piece_reason == reason_id)

    def set_text(self, index: int, text: str) -> None:
        """Show `text` instead of the raw slice for one piece (a redacted version)."""
        self._texts[index] = text

    def sorted(self) -> RemovedLog:
        """The same pieces in raw order (stable for equal starts)."""
        # One sort on an integer key per piece, (start, end) folded into one number: no tuple
        # per piece (a big page has millions of pieces).
        width = len(self.raw) + 1
        order = sorted(range(len(self)), key=[start * width + end for start, end in
                                             zip(self._starts, self._ends, strict=True)].__getitem__)
        log = RemovedLog(self.raw)
        log._starts = array(OFFSET_TYPE, map(self._starts.__getitem__, order))
        log._ends = array(OFFSET_TYPE, map(self._ends.__getitem__, order))
        log._reason_ids = array("l", map(self._reason_ids.__getitem__, order))
        log._reasons = list(self._reasons)
        log._reason_index = dict(self._reason_index)
        if self._texts:
            log._texts = {k: self._texts[i] for k, i in enumerate(order) if i in self._texts}
        return log

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, index: int) -> Removed:  # type: ignore[override]
        if index < 0:
            index += len(self)
        start, end = self._starts[index], self._ends[index]
        text = self._texts.get(index)
        return Removed(start, end, self.raw[start:end] if text is None else text,
                       self._reasons[self._reason_ids[index]])

    def __iter__(self) -> Iterator[Removed]:
        for lo in range(0, len(self), 1024):
            for row in self.rows(lo, lo + 1024):
                yield Removed(*row)

    def rows(self, start: int = 0, stop: int | None = None) -> list[tuple[int, int, str, str]]:
        """`(start, end, text, reason)` of the pieces `[start:stop]`, without a `Removed` record each."""
        raw, reasons = self.raw, self._reasons
        rows = [(lo, hi, raw[lo:hi], reasons[reason_id]) for lo, hi, reason_id in
                zip(self._starts[start:stop], self._ends[start:stop], self._reason_ids[start:stop], strict=True)]
        texts = self._texts
        if texts:
            end = start + len(rows)
            # the rewritten texts of these rows, looked up from whichever side is shorter
            for index in (texts if len(texts) < len(rows) else range(start, end)):
                if start <= index < end and index in texts:
                    lo, hi, _, reason = rows[index - start]
                    rows[index - start] = (lo, hi, texts[index], reason)
        return rows


@dataclass(frozen=True, slots=True)
class Replaced:
    """A raw span the pipeline rewrote rather than dropped (mojibake repair, redaction)."""

    start: int
    end: int
    replacement: str
    reason: str


def _shifted(values: Sequence[int], start: int, stop: int, shift: int) -> Iterable[int]:
    """`values[start:stop]`, each plus `shift`."""
    part = values[start:stop]
    return part if not shift else map(shift.__add__, part)


class TrackedText:
    """A string plus the map from its offsets to offsets in the decoded raw text."""

    __slots__ = ("text", "raw", "_os", "_oe", "_rs", "_re")

    def __init__(self, text: str, raw: str, segments: Iterable[Segment]) -> None:
        self.text = text
        self.raw = raw
        # Four parallel arrays of machine integers: a heavily glossed 50 MB page has over a
        # million segments, which as Python tuples would cost ten times the memory.
        self._os, self._oe, self._rs, self._re = (array(OFFSET_TYPE) for _ in range(4))
        for seg in segments:
            self._push(seg)

    @classmethod
    def from_raw(cls, raw: str) -> TrackedText:
        """Start tracking: the text is the raw text itself."""
        return cls(raw, raw, [(0, len(raw), 0, len(raw))] if raw else [])

    @classmethod
    def concat(cls, parts: list[TrackedText]) -> TrackedText:
        """One tracked text from consecutive parts of the same raw text, in order."""
        result = cls("", parts[0].raw if parts else "", ())
        out = 0
        for part in parts:
            for os_, oe, rs, re_ in zip(part._os, part._oe, part._rs, part._re, strict=True):
                result._push((os_ + out, oe + out, rs, re_))
            out += len(part.text)
        result.text = "".join(part.text for part in parts)
        return result

    def block(self, start: int, end: int) -> TrackedText:
        """`text[start:end]` as a tracked text of its own, still mapped to this raw text."""
        part = TrackedText("", self.raw, ())
        self._copy(start, end, 0, [], part)
        part.text = self.text[start:end]
        return part

    @property
    def segments(self) -> list[Segment]:
        return list(zip(self._os, self._oe, self._rs, self._re, strict=True))

    def segment_map(self) -> SegmentMap:
        """The segments as a read-only sequence over the arrays (no tuple per segment until read)."""
        return SegmentMap(self._os, self._oe, self._rs, self._re)

    def _segment(self, i: int) -> Segment:
        return self._os[i], self._oe[i], self._rs[i], self._re[i]

    def _push(self, seg: Segment) -> None:
        """Append a segment, merging with the last one where both map one-to-one and touch."""
        if self._os:
            os_, oe, rs, re_ = self._segment(-1)
            if oe == seg[0] and re_ == seg[2] and oe - os_ == re_ - rs and seg[1] - seg[0] == seg[3] - seg[2]:
                self._oe[-1] = seg[1]
                self._re[-1] = seg[3]
                return
        self._os.append(seg[0])
        self._oe.append(seg[1])
        self._rs.append(seg[2])
        self._re.append(seg[3])

    def raw_offset(self, pos: int, *, end: bool = False) -> int:
        """Raw offset of text offset `pos`; with `end`, the raw end of the character before `pos`."""
        if not self._os:
            return 0
        if end:
            if pos <= 0:
                return self._rs[0]
            i = bisect.bisect_right(self._os, pos - 1) - 1
            os_, oe, rs, re_ = self._segment(i)
            return rs + (pos - os_) if oe - os_ == re_ - rs else re_
        if pos >= len(self.text):
            return self._re[-1]
        i = bisect.bisect_right(self._os, pos) - 1
        os_, oe, rs, re_ = self._segment(i)
        return rs + (pos - os_) if oe - os_ == re_ - rs else rs

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw `(start, end)` of the text span `[start, end)`."""
        if end <= start:
            raw = self.raw_offset(start)
            return raw, raw
        return self.raw_offset(start), self.raw_offset(end, end=True)

    def apply(self, edits: Iterable[Edit]) -> tuple[TrackedText, RemovedLog, list[Replaced]]:
        """Carry out non-overlapping edits; return the new text, removed and replaced pieces."""
        # One forward sweep: the edits are sorted and the segments tile the text in order,
        # so the segment holding a position only ever moves forward (no bisect per edit).
        # The last segment of the new map is held in locals (a, b, c, d) until the next one
        # shows whether the two merge, as `_push` merges. This runs once per stage on every
        # document (over a million edits on a glossed 50 MB page), hence the inlining.
        ordered = list(edits)
        if ordered:
            starts, ends, replacements, reasons = zip(*ordered, strict=True)
            # Many deletions of something each on a map of fewer segments (the glosses) are
            # done a column at a time, once known to be in order and not to overlap; a few
            # on a map of many segments (junk, white space) go faster edit by edit below.
            if len(self._os) <= len(ordered) and not any(replacements) and all(map(lt, starts, ends)):
                if not all(map(le, ends, islice(starts, 1, None))):
                    ordered.sort(key=_EDIT_ORDER)
                    starts, ends, _, reasons = zip(*ordered, strict=True)
                    for before, edit in zip(ordered, ordered[1:], strict=False):
                        if edit.start < before.end:
                            raise ValueError(f"overlapping edits at {edit.start} ({edit.reason})")
                if starts[0] >= 0 and ends[-1] <= len(self.text):
                    return self._delete(starts, ends, reasons)
        ordered.sort(key=_EDIT_ORDER)
        text, raw = self.text, self.raw
        s_os, s_oe, s_rs, s_re = self._os, self._oe, self._rs, self._re
        count, size = len(s_os), len(text)
        pieces: list[str] = []
        removed_starts: list[int] = []
        removed_ends: list[int] = []
        removed_reasons: list[str] = []
        replaced: list[Replaced] = []
        n_os, n_oe, n_rs, n_re = array(OFFSET_TYPE), array(OFFSET_TYPE), array(OFFSET_TYPE), array(OFFSET_TYPE)
        a = b = c = d = -1  # the pending last segment of the new map (out start/end, raw start/end)
        i = 0  # the segment holding the current position
        cursor = out = 0
        for edit in (*ordered, None):
            if edit is None:  # the end: copy the rest
                e_start = e_end = size
            else:
                e_start, e_end = edit.start, edit.end
                if e_start < cursor:
                    raise ValueError(f"overlapping edits at {e_start} ({edit.reason})")
            if e_start > cursor:  # text[cursor:e_start] stays: copy it with its segments
                pieces.append(text[cursor:e_start])
                while i + 1 < count and s_os[i + 1] <= cursor:
                    i += 1
                last = bisect.bisect_left(s_os, e_start, i) - 1  # the last segment reached
                shift = out - cursor
                k = i
                while k <= last:
                    if k == i + 2 and k + 2 <= last:
                        # Segments wholly inside the copy: already merged as far as they go
                        # (a map is built merging), so they move over in bulk; only the ends,
                        # cut by the copy, and their neighbours go through the merge test.
                        if a >= 0:
                            n_os.append(a)
                            n_oe.append(b)
                            n_rs.append(c)
                            n_re.append(d)
                        n_os.extend(map(shift.__add__, s_os[k : last - 1]))
                        n_oe.extend(map(shift.__add__, s_oe[k : last - 1]))
                        n_rs.extend(s_rs[k : last - 1])
                        n_re.extend(s_re[k : last - 1])
                        k = last - 1
                        a, b, c, d = s_os[k] + shift, s_oe[k] + shift, s_rs[k], s_re[k]
                        k += 1
                        continue
                    os_, oe, rs, re_ = s_os[k], s_oe[k], s_rs[k], s_re[k]
                    lo = os_ if os_ > cursor else cursor
                    hi = oe if oe < e_start else e_start
                    na, nb = lo + shift, hi + shift
                    nc, nd = (rs + lo - os_, rs + hi - os_) if oe - os_ == re_ - rs else (rs, re_)
                    if b == na and d == nc and b - a == d - c and nb - na == nd - nc:
                        b, d = nb, nd
                    else:
                        if a >= 0:
                            n_os.append(a)
                            n_oe.append(b)
                            n_rs.append(c)
                            n_re.append(d)
                        a, b, c, d = na, nb, nc, nd
                    k += 1
                i = last
                out += e_start - cursor
            if edit is None:
                break
            # the raw span of text[e_start:e_end], as `raw_span` finds it
            if not count:
                raw_start = raw_end = 0
            else:
                if e_start >= size:
                    raw_start = s_re[-1]
                else:
                    while i + 1 < count and s_os[i + 1] <= e_start:
                        i += 1
                    os_, oe, rs, re_ = s_os[i], s_oe[i], s_rs[i], s_re[i]
                    raw_start = rs + e_start - os_ if oe - os_ == re_ - rs else rs
                if e_end <= e_start:
                    raw_end = raw_start
                else:
                    while i + 1 < count and s_os[i + 1] < e_end:
                        i += 1
                    os_, oe, rs, re_ = s_os[i], s_oe[i], s_rs[i], s_re[i]
                    raw_end = rs + e_end - os_ if oe - os_ == re_ - rs else re_
            replacement = edit.replacement
            if replacement:
                pieces.append(replacement)
                na, nb, nc, nd = out, out + len(replacement), raw_start, raw_end
                if b == na and d == nc and b - a == d - c and nb - na == nd - nc:
                    b, d = nb, nd
                else:
                    if a >= 0:
                        n_os.append(a)
                        n_oe.append(b)
                        n_rs.append(c)
                        n_re.append(d)
                    a, b, c, d = na, nb, nc, nd
                out = nb
                if e_end > e_start:
                    replaced.append(Replaced(raw_start, raw_end, replacement, edit.reason))
            elif e_end > e_start:
                removed_starts.append(raw_start)
                removed_ends.append(raw_end)
                removed_reasons.append(edit.reason)
            cursor = e_end
        if a >= 0:
            n_os.append(a)
            n_oe.append(b)
            n_rs.append(c)
            n_re.append(d)
        result = TrackedText("".join(pieces), raw, ())
        result._os, result._oe, result._rs, result._re = n_os, n_oe, n_rs, n_re
        return result, RemovedLog.of(raw, removed_starts, removed_ends, removed_reasons), replaced

    def _delete(self, starts: Sequence[int], ends: Sequence[int],
                reasons: Sequence[str]) -> tuple[TrackedText, RemovedLog, list[Replaced]]:
        """`apply` for deletions in order, each of something, a column at a time.

        A glossed page has hundreds of deletions (a glossed 50 MB page over a million),
        on a map of one segment (untouched text) or a few (repaired mojibake runs). The
        result is the one the edit-by-edit sweep gives: the text between the deletions
        is kept, cut where the segments under it end; a raw offset in a segment that maps
        one-to-one is the text offset shifted, elsewhere the segment's raw start or end;
        neighbours that touch and both map one-to-one merge, as `_push` merges. Offsets
        are worked out a segment at a time, as slices of sorted lists, so the Python
        loops run once per segment with a deletion in it, not once per deletion.
        """
        text, raw = self.text, self.raw
        s_os, s_oe = self._os, self._oe
        # the kept pieces [lo, hi) between the deletions (touching deletions keep nothing between)
        los, his = [0, *ends], [*starts, len(text)]
        if not all(map(lt, los, his)):
            keep = list(map(lt, los, his))
            los, his = list(compress(los, keep)), list(compress(his, keep))
        p_lo: list[int] = []
        p_hi: list[int] = []
        p_rs: list[int] = []
        p_re: list[int] = []
        i, size = 0, len(los)
        while i < size:
            k = bisect.bisect_right(s_os, los[i]) - 1  # the segment the piece starts in
            end, rs, re_ = s_oe[k], self._rs[k], self._re[k]
            j = bisect.bisect_left(los, end, i)  # the pieces that start there
            across = his[j - 1] > end  # only the last of them can run on past the segment
            inside = j - 1 if across else j
            p_lo += los[i:inside]
            p_hi += his[i:inside]
            if end - s_os[k] == re_ - rs:
                p_rs += _shifted(los, i, inside, rs - s_os[k])
                p_re += _shifted(his, i, inside, rs - s_os[k])
            else:
                p_rs += repeat(rs, inside - i)
                p_re += repeat(re_, inside - i)
            if across:  # cut where the segments under it end; the inner ones come over whole
                lo, hi = los[j - 1], his[j - 1]
                last = bisect.bisect_left(s_os, hi) - 1
                p_lo.append(lo)
                p_lo += s_os[k + 1 : last + 1]
                p_hi += s_oe[k:last]
                p_hi.append(hi)
                p_rs.append(self.raw_offset(lo))
                p_rs += self._rs[k + 1 : last + 1]
                p_re += self._re[k:last]
                p_re.append(self.raw_offset(hi, end=True))
            i = j
        lengths = list(map(sub, p_hi, p_lo))
        n_oe = list(accumulate(lengths))
        n_os = list(map(sub, n_oe, lengths))
        # Neighbours merge where they touch in the raw text and both map one-to-one (one
        # segment mapping one-to-one leaves a gap in the raw text at every deletion).
        if len(s_os) > 1:
            touching = list(compress(count(1), map(eq, p_re, islice(p_rs, 1, None))))
            if touching:
                whole = list(map(eq, lengths, map(sub, p_re, p_rs)))
                for k in reversed([k for k in touching if whole[k - 1] and whole[k]]):
                    n_oe[k - 1], p_re[k - 1] = n_oe[k], p_re[k]
                    del n_os[k], n_oe[k], p_rs[k], p_re[k]
        result = TrackedText("".join([text[lo:hi] for lo, hi in zip(los, his, strict=True)]), raw, ())
        result._os, result._oe = array(OFFSET_TYPE, n_os), array(OFFSET_TYPE, n_oe)
        result._rs, result._re = array(OFFSET_TYPE, p_rs), array(OFFSET_TYPE, p_re)
        removed = RemovedLog.of(raw, self._raw_offsets(starts, start=True), self._raw_offsets(ends, start=False),
                                reasons)
        return result, removed, []

    def _raw_offsets(self, positions: Sequence[int], *, start: bool) -> list[int]:
        """`raw_offset` of sorted positions (`end=not start`), worked out a segment at a time."""
        s_os, s_oe, s_rs, s_re = self._os, self._oe, self._rs, self._re
        found: list[int] = []
        i, size = 0, len(positions)
        while i < size:
            if start:  # the segment holding the position, and the positions it holds
                k = bisect.bisect_right(s_os, positions[i]) - 1
                j = bisect.bisect_left(positions, s_oe[k], i)
            else:  # the segment holding the character before the position
                k = bisect.bisect_left(s_os, positions[i]) - 1
                j = bisect.bisect_right(positions, s_oe[k], i)
            if s_oe[k] - s_os[k] == s_re[k] - s_rs[k]:
                found += _shifted(positions, i, j, s_rs[k] - s_os[k])
            else:
                found += repeat(s_rs[k] if start else s_re[k], j - i)
            i = j
        return found

    def map_chars(self, converted: str) -> TrackedText:
        """Same offsets, other characters: for one-to-one conversions of equal length."""
        if len(converted) != len(self.text):
            raise ValueError("map_chars needs a conversion of equal length")
        same = TrackedText(converted, self.raw, ())
        same._os, same._oe, same._rs, same._re = self._os, self._oe, self._rs, self._re
        return same

    def _copy(self, start: int, end: int, out: int, pieces: list[str], result: TrackedText) -> int:
        """Copy `text[start:end]` unchanged into `result`, carrying segments along; return the new out offset."""
        if end <= start:
            return out
        pieces.append(self.text[start:end])
        i = bisect.bisect_right(self._os, start) - 1
        count = len(self._os)
        while i < count and self._os[i] < end:
            os_, oe, rs, re_ = self._segment(i)
            lo, hi = max(os_, start), min(oe, end)
            if oe - os_ == re_ - rs:
                seg = (out + lo - start, out + hi - start, rs + lo - os_, rs + hi - os_)
            else:
                seg = (out + lo - start, out + hi - start, rs, re_)
            result._push(seg)
            i += 1
        return out + end - start


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def iter_lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield `(start, end, line)` for each line, `end` excluding the newline."""
    for match in _LINE.finditer(text):
        line = match.group()
        stripped = line[:-1] if line.endswith("\n") else line
        yield match.start(), match.start() + len(stripped), stripped


def raw_line_number(raw: str, raw_offset: int) -> int:
    """1-based line of the raw text holding `raw_offset`."""
    return raw.count("\n", 0, max(0, raw_offset)) + 1
