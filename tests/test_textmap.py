from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus.textmap import Edit, RemovedLog, TrackedText, iter_lines, raw_line_number


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
