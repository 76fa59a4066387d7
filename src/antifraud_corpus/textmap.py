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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

Segment = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `text[start:end]` with `replacement` (empty: delete), because of `reason`."""

    start: int
    end: int
    replacement: str
    reason: str


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
        self._starts, self._ends, self._reason_ids = array("q"), array("q"), array("l")
        self._reasons: list[str] = []
        self._reason_index: dict[str, int] = {}
        self._texts: dict[int, str] = {}

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

    def set_text(self, index: int, text: str) -> None:
        """Show `text` instead of the raw slice for one piece (a redacted version)."""
        self._texts[index] = text

    def sorted(self) -> RemovedLog:
        """The same pieces in raw order (stable for equal starts)."""
        # Two stable sorts on plain keys: no tuple per piece (a big page has millions of pieces).
        order = sorted(range(len(self)), key=self._ends.__getitem__)
        order.sort(key=self._starts.__getitem__)
        log = RemovedLog(self.raw)
        for i in order:
            log.append(self._starts[i], self._ends[i], self._reasons[self._reason_ids[i]])
            if i in self._texts:
                log.set_text(len(log) - 1, self._texts[i])
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
        for index in range(len(self)):
            yield self[index]


@dataclass(frozen=True, slots=True)
class Replaced:
    """A raw span the pipeline rewrote rather than dropped (mojibake repair, redaction)."""

    start: int
    end: int
    replacement: str
    reason: str


class TrackedText:
    """A string plus the map from its offsets to offsets in the decoded raw text."""

    __slots__ = ("text", "raw", "_os", "_oe", "_rs", "_re")

    def __init__(self, text: str, raw: str, segments: Iterable[Segment]) -> None:
        self.text = text
        self.raw = raw
        # Four parallel arrays of machine integers: a heavily glossed 50 MB page has over a
        # million segments, which as Python tuples would cost ten times the memory.
        self._os, self._oe, self._rs, self._re = array("q"), array("q"), array("q"), array("q")
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
        ordered = sorted(edits, key=lambda e: (e.start, e.end))
        pieces: list[str] = []
        result = TrackedText("", self.raw, ())
        removed = RemovedLog(self.raw)
        replaced: list[Replaced] = []
        cursor = 0
        out = 0
        for edit in ordered:
            if edit.start < cursor:
                raise ValueError(f"overlapping edits at {edit.start} ({edit.reason})")
            out = self._copy(cursor, edit.start, out, pieces, result)
            raw_start, raw_end = self.raw_span(edit.start, edit.end)
            if edit.replacement:
                pieces.append(edit.replacement)
                result._push((out, out + len(edit.replacement), raw_start, raw_end))
                out += len(edit.replacement)
                if edit.end > edit.start:
                    replaced.append(Replaced(raw_start, raw_end, edit.replacement, edit.reason))
            elif edit.end > edit.start:
                removed.append(raw_start, raw_end, edit.reason)
            cursor = edit.end
        self._copy(cursor, len(self.text), out, pieces, result)
        result.text = "".join(pieces)
        return result, removed, replaced

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
