import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.text.textmap import Edit, RemovedLog, TrackedText, iter_lines, raw_line_number


def covered(tracked: TrackedText, removed) -> set[int]:
    raw_positions = set()
    for _, _, rs, re_ in tracked.segments:
        raw_positions.update(range(rs, re_))
    for piece in removed:
        raw_positions.update(range(piece.start, piece.end))
    return raw_positions


def test_deletion_keeps_offsets_and_records_the_piece():
    tracked = TrackedText.from_raw("網(wǎng)絡(luò)安全")
    out, removed, replaced = tracked.apply([Edit(1, 7, "", "pinyin-gloss"), Edit(8, 13, "", "pinyin-gloss")])
    assert out.text == "網絡安全"
    assert [r.text for r in removed] == ["(wǎng)", "(luò)"]
    assert out.raw_span(1, 2) == (7, 8)
    assert out.raw_span(2, 4) == (13, 15)
    assert replaced == []


def test_replacement_maps_to_whole_raw_span_and_is_listed():
    tracked = TrackedText.from_raw("a?!兑庖b")
    out, removed, replaced = tracked.apply([Edit(1, 5, "。《意", "mojibake")])
    assert out.text == "a。《意b"
    assert out.raw_span(1, 4) == (1, 5)
    assert out.raw_span(2, 3) == (1, 5)
    assert out.raw_span(4, 5) == (5, 6)
    assert replaced[0].replacement == "。《意" and len(removed) == 0


def test_stages_compose():
    tracked = TrackedText.from_raw("xx來源:abc\n正文(zhèng)內容")
    first, removed1, _ = tracked.apply([Edit(0, 9, "", "junk")])
    second, removed2, _ = first.apply([Edit(first.text.index("("), first.text.index(")") + 1, "", "gloss")])
    assert second.text == "正文內容"
    assert second.raw_span(0, 4) == (9, len(tracked.text))
    assert removed2[0].text == "(zhèng)"
    assert second.raw_offset(2) == tracked.text.index("內")


def test_map_chars_requires_equal_length():
    tracked = TrackedText.from_raw("網絡")
    assert tracked.map_chars("网络").text == "网络"


def test_iter_lines_and_raw_line_number():
    text = "a\nbc\n\nd"
    assert list(iter_lines(text)) == [(0, 1, "a"), (2, 4, "bc"), (5, 5, ""), (6, 7, "d")]
    assert raw_line_number(text, 6) == 4


@st.composite
def text_and_edits(draw):
    text = draw(st.text(alphabet="ab網絡 \n(", min_size=0, max_size=40))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        replacement = draw(st.sampled_from(["", "", "X", "YZ"]))
        edits.append(Edit(start, end, replacement, "test"))
    return text, edits


@given(text_and_edits(), text_and_edits())
def test_every_raw_character_is_accounted_for(first, second):
    text, edits = first
    tracked = TrackedText.from_raw(text)
    out, removed, _ = tracked.apply(edits)
    _, more_edits = second
    more_edits = [e for e in more_edits if e.end <= len(out.text)]
    out2, removed2, _ = out.apply(more_edits)
    assert covered(out2, [*removed, *removed2]) == set(range(len(text)))
    kept = sum(oe - os_ for os_, oe, _, _ in out2.segments)
    assert kept == len(out2.text)


def test_removed_log_is_compact_and_reads_like_a_list():
    tracked = TrackedText.from_raw("甲(jiǎ)乙(yǐ)丙")
    out, removed, _ = tracked.apply([Edit(1, 6, "", "pinyin-gloss"), Edit(7, 11, "", "pinyin-gloss")])
    assert out.text == "甲乙丙"
    assert [(r.start, r.end, r.text, r.reason) for r in removed] == [
        (1, 6, "(jiǎ)", "pinyin-gloss"), (7, 11, "(yǐ)", "pinyin-gloss")]
    removed.set_text(1, "[x]")
    assert removed[1].text == "[x]" and removed[-1].text == "[x]"
    merged = RemovedLog(tracked.raw)
    merged.extend(removed)
    merged.append(0, 1, "junk")
    assert [(r.reason, r.text) for r in merged.sorted()] == [
        ("junk", "甲"), ("pinyin-gloss", "(jiǎ)"), ("pinyin-gloss", "[x]")]


@given(text_and_edits(), st.integers(0, 40))
def test_blocks_processed_apart_and_joined_equal_the_whole(case, cut):
    text, edits = case
    cut = min(cut, len(text))
    whole = TrackedText.from_raw(text)
    expected, expected_removed, _ = whole.apply(edits)
    left, right = whole.block(0, cut), whole.block(cut, len(text))
    left_out, left_removed, _ = left.apply([e for e in edits if e.end <= cut])
    shifted = [Edit(e.start - cut, e.end - cut, e.replacement, e.reason) for e in edits if e.start >= cut]
    right_out, right_removed, _ = right.apply(shifted)
    if any(e.start < cut < e.end for e in edits):
        return  # an edit across the cut is not a block-local edit
    joined = TrackedText.concat([left_out, right_out])
    assert joined.text == expected.text
    assert joined.segments == expected.segments
    assert [*left_removed, *right_removed] == list(expected_removed)


# ---------------------------------------------------------------- the fast apply against a plain one


def reference_apply(tracked: TrackedText, edits):
    """`apply` the straightforward way: a bisect per position, a merge test per pushed segment."""
    segments = tracked.segments
    starts = [s[0] for s in segments]

    def raw_offset(pos: int, end: bool = False) -> int:
        if not segments:
            return 0
        if end:
            if pos <= 0:
                return segments[0][2]
            os_, oe, rs, re_ = segments[bisect.bisect_right(starts, pos - 1) - 1]
            return rs + (pos - os_) if oe - os_ == re_ - rs else re_
        if pos >= len(tracked.text):
            return segments[-1][3]
        os_, oe, rs, re_ = segments[bisect.bisect_right(starts, pos) - 1]
        return rs + (pos - os_) if oe - os_ == re_ - rs else rs

    out_segments: list[tuple[int, int, int, int]] = []

    def push(seg):
        if out_segments:
            os_, oe, rs, re_ = out_segments[-1]
            if oe == seg[0] and re_ == seg[2] and oe - os_ == re_ - rs and seg[1] - seg[0] == seg[3] - seg[2]:
                out_segments[-1] = (os_, seg[1], rs, seg[3])
                return
        out_segments.append(seg)

    def copy(start: int, end: int, out: int) -> int:
        if end <= start:
            return out
        for os_, oe, rs, re_ in segments:
            if oe <= start or os_ >= end:
                continue
            lo, hi = max(os_, start), min(oe, end)
            if oe - os_ == re_ - rs:
                push((out + lo - start, out + hi - start, rs + lo - os_, rs + hi - os_))
            else:
                push((out + lo - start, out + hi - start, rs, re_))
        return out + end - start

    pieces, removed, replaced = [], [], []
    cursor = out = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < cursor:
            raise ValueError("overlap")
        pieces.append(tracked.text[cursor:edit.start])
        out = copy(cursor, edit.start, out)
        raw_start = raw_offset(edit.start)
        raw_end = raw_offset(edit.end, end=True) if edit.end > edit.start else raw_start
        if edit.replacement:
            pieces.append(edit.replacement)
            push((out, out + len(edit.replacement), raw_start, raw_end))
            out += len(edit.replacement)
            if edit.end > edit.start:
                replaced.append((raw_start, raw_end, edit.replacement, edit.reason))
        elif edit.end > edit.start:
            removed.append((raw_start, raw_end, tracked.raw[raw_start:raw_end], edit.reason))
        cursor = edit.end
    pieces.append(tracked.text[cursor:])
    copy(cursor, len(tracked.text), out)
    return "".join(pieces), out_segments, removed, replaced


@st.composite
def edit_rounds(draw):
    """A raw text and several rounds of edits, each proposed on the text the last round left.

    Later rounds meet maps of many segments (some not one-to-one), where whole
    segments are copied in bulk (most of all the sparse last round); deletion-only
    rounds on untouched text take the arithmetic path.
    """
    raw = draw(st.text(alphabet="ab網絡 \n(", min_size=0, max_size=200))
    rounds = []
    for _ in range(draw(st.integers(2, 5))):
        rounds.append((draw(st.lists(st.integers(0, 400), max_size=24)),
                       draw(st.lists(st.sampled_from(["", "", "X", "YZ", "QQQ"]), min_size=12, max_size=12)),
                       draw(st.booleans())))
    # a sparse last round: its copies run over many segments
    rounds.append((draw(st.lists(st.integers(0, 400), max_size=3)), ["", "X"] * 6, False))
    return raw, rounds


@settings(max_examples=300, deadline=None)
@given(edit_rounds())
def test_apply_equals_the_straightforward_apply(case):
    raw, rounds = case
    tracked = TrackedText.from_raw(raw)
    for cuts, replacements, insert in rounds:
        size = len(tracked.text)
        points = sorted({c % (size + 1) for c in cuts})
        edits = [Edit(a, b, replacements[k % len(replacements)], "r" if k % 2 else "s")
                 for k, (a, b) in enumerate(zip(points[::2], points[1::2], strict=False))]
        if insert and all(not (e.start < size // 2 < e.end) for e in edits):
            edits.append(Edit(size // 2, size // 2, "I", "ins"))
        text, segments, removed, replaced = reference_apply(tracked, edits)
        out, got_removed, got_replaced = tracked.apply(list(reversed(edits)))
        assert out.text == text
        assert out.segments == segments
        assert [(r.start, r.end, r.text, r.reason) for r in got_removed] == removed
        assert [(r.start, r.end, r.replacement, r.reason) for r in got_replaced] == replaced
        tracked = out


def test_deletions_on_untouched_text_and_overlaps():
    tracked = TrackedText.from_raw("甲(jiǎ)乙(yǐ)丙")
    out, removed, replaced = tracked.apply([Edit(7, 11, "", "g"), Edit(6, 6, "", "g"), Edit(1, 6, "", "g")])
    assert (out.text, out.segments, replaced) == ("甲乙丙", [(0, 1, 0, 1), (1, 2, 6, 7), (2, 3, 11, 12)], [])
    assert [(r.start, r.end, r.text) for r in removed] == [(1, 6, "(jiǎ)"), (7, 11, "(yǐ)")]
    with pytest.raises(ValueError, match="overlapping edits at 2"):
        tracked.apply([Edit(1, 6, "", "g"), Edit(2, 3, "", "g")])
    with pytest.raises(ValueError, match="overlapping edits at 2"):
        tracked.apply([Edit(1, 6, "X", "g"), Edit(2, 3, "", "g")])


def test_rows_read_the_logs_without_records():
    tracked = TrackedText.from_raw("甲(jiǎ)乙(yǐ)丙")
    out, removed, _ = tracked.apply([Edit(1, 6, "", "pinyin-gloss"), Edit(7, 11, "", "pinyin-gloss")])
    removed.set_text(1, "[x]")
    assert removed.rows() == [(1, 6, "(jiǎ)", "pinyin-gloss"), (7, 11, "[x]", "pinyin-gloss")]
    assert removed.rows(1) == [(7, 11, "[x]", "pinyin-gloss")]
    assert out.segment_map().rows(1, 3) == out.segments[1:3]


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5), st.sampled_from("ab")), max_size=30))
def test_sorted_log_orders_by_start_then_end_stably(pieces):
    log = RemovedLog("x" * 40)
    for k, (start, length, reason) in enumerate(pieces):
        log.append(start, start + length, reason)
        if k % 3 == 0:
            log.set_text(k, f"t{k}")
    expected = sorted(list(log), key=lambda r: (r.start, r.end))
    assert list(log.sorted()) == expected


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5), st.sampled_from("abc")), max_size=30))
def test_removed_chars_add_up_the_pieces_of_one_reason(pieces):
    log = RemovedLog("x" * 40)
    for start, length, reason in pieces:
        if reason != "c":  # (a reason no piece has)
            log.append(start, start + length, reason)
    for reason in "abc":
        assert log.removed_chars(reason) == sum(r.end - r.start for r in log if r.reason == reason)


@st.composite
def deletion_rounds(draw):
    """A raw text, a round of mixed edits (which leaves a map of several segments, some not
    one-to-one), then rounds of deletions only: many (the column path) or a few (edit by edit)."""
    raw = draw(st.text(alphabet="ab網絡 \n(", min_size=0, max_size=120))
    mixed = (draw(st.lists(st.integers(0, 240), max_size=16)),
             draw(st.lists(st.sampled_from(["", "X", "YZ", "QQQQQ"]), min_size=12, max_size=12)))
    deletions = [(draw(st.lists(st.integers(0, 240), max_size=40)), draw(st.booleans()))
                 for _ in range(draw(st.integers(1, 3)))]
    return raw, mixed, deletions


@settings(max_examples=300, deadline=None)
@given(deletion_rounds())
def test_deletions_by_column_equal_the_straightforward_apply(case):
    raw, (cuts, replacements), deletions = case
    tracked = TrackedText.from_raw(raw)
    points = sorted({c % (len(raw) + 1) for c in cuts})
    tracked, _, _ = tracked.apply([Edit(a, b, replacements[k % 12], "m")
                                   for k, (a, b) in enumerate(zip(points[::2], points[1::2], strict=False))])
    for cuts, touching in deletions:
        points = sorted({c % (len(tracked.text) + 1) for c in cuts})
        pairs = zip(points, points[1:], strict=False) if touching else zip(points[::2], points[1::2], strict=False)
        edits = [Edit(a, b, "", "r" if k % 3 else "s") for k, (a, b) in enumerate(pairs)]
        text, segments, removed, _ = reference_apply(tracked, edits)
        out, got_removed, got_replaced = tracked.apply(edits[::-1] if touching else edits)
        assert (out.text, out.segments, got_replaced) == (text, segments, [])
        assert [(r.start, r.end, r.text, r.reason) for r in got_removed] == removed
        tracked = out


def test_deletions_by_column_cut_where_segments_end(monkeypatch):
    # a repaired run (5 raw characters read as 2) between glosses, then the glosses deleted
    tracked = TrackedText.from_raw("甲(jiǎ)?abc乙(yǐ)丙(bǐng)")
    tracked, _, _ = tracked.apply([Edit(6, 10, "木林", "mojibake")])
    assert tracked.text == "甲(jiǎ)木林乙(yǐ)丙(bǐng)" and len(tracked.segments) == 3
    by_column = []
    monkeypatch.setattr(TrackedText, "_delete", lambda self, *a: by_column.append(a) or _DELETE(self, *a))
    out, removed, _ = tracked.apply([Edit(1, 6, "", "g"), Edit(9, 13, "", "g"), Edit(14, 20, "", "g")])
    assert by_column  # as many deletions as segments: a column at a time
    assert out.text == "甲木林乙丙"
    assert out.segments == [(0, 1, 0, 1), (1, 3, 6, 10), (3, 4, 10, 11), (4, 5, 15, 16)]
    assert [(r.start, r.end, r.text) for r in removed] == [(1, 6, "(jiǎ)"), (11, 15, "(yǐ)"), (16, 22, "(bǐng)")]


_DELETE = TrackedText._delete


def test_edits_made_from_tuples_are_edits():
    from antifraud_corpus.text.textmap import edit_of

    made = edit_of((1, 6, "", "pinyin-gloss"))
    assert made == Edit(1, 6, "", "pinyin-gloss") and type(made) is Edit and made.reason == "pinyin-gloss"
