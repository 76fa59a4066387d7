"""Redaction: personal data found once, in the converted page, replaced wherever it still shows.

The pipeline looks for values in the converted text (repaired, de-glossed, simplified: markup,
lines and sentence ends still there, so a person record is whole), maps them to raw spans, and
redacts them in the removed pieces and in the cleaned body; the body's own values count where
their raw text is one stretch (`spans_boundary`). Redacted values are never kept.
"""

from __future__ import annotations

import bisect

from ...config import Config
from ...text.blocks import BLOCK_CHARS, line_blocks
from ...text.textmap import Edit, RemovedLog, Replaced, TrackedText
from .find import find_personal_data, spans_boundary


def redact_removed(removed: RemovedLog, hits: list[Edit]) -> RemovedLog:
    """The removed pieces in raw order, with personal data in them replaced by placeholders.

    `hits` are the personal data values `clean_text` found (raw offsets, sorted,
    non-overlapping); only pieces that overlap a value are rewritten.
    """
    log = removed.sorted()
    if not hits:
        return log
    # The pieces a value overlaps, found from the values (a handful) rather than from the
    # pieces (thousands): pieces are sorted by start, and none is longer than `longest`.
    starts, ends = log.spans()
    longest = max((end - start for start, end in zip(starts, ends, strict=True)), default=0)
    touched = sorted({index for hit in hits
                      for index in range(bisect.bisect_left(starts, hit.start - longest),
                                         bisect.bisect_left(starts, hit.end))
                      if hit.start < ends[index]})
    hit_starts = [hit.start for hit in hits]
    for index in touched:
        piece = log[index]
        first = max(0, bisect.bisect_right(hit_starts, piece.start) - 1)
        overlapping = [h for h in hits[first:bisect.bisect_left(hit_starts, piece.end)]
                       if h.start < piece.end and piece.start < h.end]
        if not overlapping:
            continue
        text = piece.text
        for hit in reversed(overlapping):
            lo, hi = max(hit.start, piece.start) - piece.start, min(hit.end, piece.end) - piece.start
            text = text[:lo] + hit.replacement + text[hi:]
        log.set_text(index, text)
    return log


def raw_personal_data(tracked: TrackedText, config: Config) -> list[Edit]:
    """Personal data in the converted text before cleaning, as raw spans (sorted, non-overlapping).

    The converted text is the raw text repaired, without glosses and simplified: where a person
    record is whole and reads as the patterns expect. Looked for block by block (values never
    cross a line), so a big page is never viewed whole.
    """
    text = tracked.text
    spans: list[Edit] = []
    for offset, block_end in line_blocks(text, BLOCK_CHARS):
        for edit in find_personal_data(text[offset:block_end], config, converted=True):
            start, end = tracked.raw_span(edit.start + offset, edit.end + offset)
            if spans and start < spans[-1].end:
                # two values inside one repaired run map to the same raw span: one placeholder
                spans[-1] = spans[-1]._replace(end=max(end, spans[-1].end))
                continue
            spans.append(Edit(start, end, edit.replacement, edit.reason))
    return spans


def replaced_records(pieces: list[Replaced]) -> list[dict]:
    """The rewritten spans as stored records."""
    # Redactions are listed without the value they replaced; nothing else is kept of it.
    return [
        {"start": r.start, "end": r.end, "replacement": r.replacement, "reason": r.reason}
        for r in sorted(pieces, key=lambda r: (r.start, r.end))
    ]


def body_personal_data(tracked: TrackedText, raw_values: list[Edit], config: Config) -> list[Edit]:
    """Edits that redact the cleaned text: every value found before cleaning, and its own.

    A value found in the converted text (`raw_values`, raw spans) is redacted wherever the
    cleaned text still holds it, as it is in the removed pieces. The cleaned text can show
    values of its own (white space and markup gone: `户籍地：&nbsp;河北省…`), but cleaning also
    drops markup between two paragraphs without a trace (`交付</p><p>…` reads `交付…`): one of
    its own counts only where its raw text is one stretch, with no markup, line or sentence end.
    Where two overlap, one placeholder covers both.
    """
    raw = tracked.raw
    own = [edit for edit in find_personal_data(tracked.text, config, converted=True)
           if not spans_boundary(raw[slice(*tracked.raw_span(edit.start, edit.end))], config)]
    merged: list[Edit] = []
    for edit in sorted(_text_edits(tracked, raw_values) + own):
        if merged and edit.start < merged[-1].end:
            merged[-1] = merged[-1]._replace(end=max(edit.end, merged[-1].end))
        else:
            merged.append(edit)
    return merged


def _text_edits(tracked: TrackedText, raw_values: list[Edit]) -> list[Edit]:
    """`raw_values` (raw spans, sorted) as edits on `tracked.text`: what of each value the text holds."""
    segments = tracked.segment_map()
    edits = []
    for value in raw_values:
        # the segments the value overlaps: [first, last)
        first = bisect.bisect_right(segments, value.start, key=lambda segment: segment[3])
        last = bisect.bisect_left(segments, value.end, key=lambda segment: segment[2])
        if first >= last:
            continue  # all of it was removed
        out_start, out_end, raw_start, raw_end = segments[first]
        one_to_one = out_end - out_start == raw_end - raw_start
        start = out_start + max(0, value.start - raw_start) if one_to_one else out_start
        out_start, out_end, raw_start, raw_end = segments[last - 1]
        one_to_one = out_end - out_start == raw_end - raw_start
        end = out_start + min(raw_end, value.end) - raw_start if one_to_one else out_end
        if start < end:
            edits.append(Edit(start, end, value.replacement, value.reason))
    return edits
