"""fastregex: the same matches as `re`, on the project's own rules and on hand-made patterns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import load_config
from antifraud_corpus.text.fastregex import FastPattern, SharedRuns, fast, joined, match_starts
from antifraud_corpus.text.regex_facts import Facts, analyse

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"

HANDMADE = [
    r"(?<![0-9])\d{17}[0-9Xx](?![0-9])",
    r"(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])",
    r"[^\s，。]{2,14}?(?P<date>(?:\d{4}年)?\d{1,2}月\d{1,2}日)电(?![视话报])|本报讯[^，。\n]{0,24}?(?P<d2>\d{1,2}月)",
    r"(?:姓名|户籍)[ \t]*(?:[:：]|是)?(?P<value>[\u4e00-\u9fff]{2,4})",
    r"^\s*(?P<date>\d{4}年\d{1,2}月)\s*$",
    r"\bab+c?\b",
    r"(a|b)?c+(?=d)",
    r"x(?:y|z)*w",
    r"[男女](?=[，,])|族",
    r"(?<=被告人)[\u4e00-\u9fff]{2,3}",
    # guarded runs (a branch opening with a repeat of one class), required strings, literal ends
    r"\d+[号室]|号|室",
    r"[一二三]+(?:项|次)",
    r"(?:[■□]+|[一二三]+[、．.]|\d{1,3}[.、](?!\d))[ \t]*",
    r"(?P<n>\d+)元|a+b",
    r"<!--.*?-->",
    r"\[(?P<text>[^\]\n]+)\]\([^)\n]*\)",
    r"&(nbsp|amp|#\d{1,6});",
    r"\*\*",
]


def _config_patterns() -> list[re.Pattern[str]]:
    from antifraud_corpus.stages import clean_rules, metadata, pii

    config = load_config()
    rules = metadata.rules.compiled_rules(config)
    found: list[re.Pattern[str]] = [p for _, p in rules.date_rules]
    found += [*rules.stamps, *rules.meetings, *rules.meeting_issuer, *rules.reported, *rules.sessions]
    p = pii.pii_rules(config)
    found += [r.pattern for r in p.numbers] + [r.pattern for r in p.fields]
    if p.person is not None:
        found.append(p.person)
    junk = clean_rules.junk_rules(config)
    found += [r.pattern for r in junk.line_rules] + [r.pattern for r in junk.inline_rules]
    return [x.pattern if isinstance(x, FastPattern) else x for x in found]


ALL = [re.compile(p) for p in HANDMADE] + _config_patterns()
ALPHABET = ("0123456789-+ 年月日电本报讯，。、：:（()男女族姓名户籍是abcdxyzw\n被告人张三李四出生19 20X"
            "号室项次一二三■□.元<!->[]&;#*nbsp")


def _same(pattern: re.Pattern[str], text: str, pos: int = 0, endpos: int | None = None) -> None:
    end = len(text) if endpos is None else endpos
    wrapped = FastPattern(pattern)
    want = [(m.span(), m.groups()) for m in pattern.finditer(text, pos, end)]
    got = [(m.span(), m.groups()) for m in wrapped.finditer(text, pos, end)]
    assert got == want, pattern.pattern
    whole = [(m.span(), m.groups()) for m in pattern.finditer(text)]
    assert [(m.span(), m.groups()) for m in wrapped.finditer_short(text)] == whole, pattern.pattern
    plain, quick = pattern.search(text, pos, end), wrapped.search(text, pos, end)
    assert (plain and (plain.span(), plain.groups())) == (quick and (quick.span(), quick.groups()))
    assert wrapped.sub("<>", text) == pattern.sub("<>", text)
    assert wrapped.split(text) == pattern.split(text)
    assert wrapped.findall(text, pos, end) == pattern.findall(text, pos, end)
    if not want:
        return
    assert wrapped.may_match(text, pos, end)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL), st.text(alphabet=ALPHABET, max_size=80), st.integers(0, 10), st.integers(0, 90))
def test_same_matches_as_re(pattern: re.Pattern[str], text: str, pos: int, endpos: int) -> None:
    _same(pattern, text)
    _same(pattern, text, min(pos, len(text)), max(min(endpos, len(text)), 0))


@pytest.mark.parametrize("path", sorted(RAW.glob("*.txt")), ids=lambda p: p.stem)
def test_same_matches_on_seed_pages(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for pattern in ALL:
        _same(pattern, text)


def test_needles_and_width_are_read_off_the_pattern() -> None:
    dateline = fast(HANDMADE[2])
    assert dateline.needles == ("日电", "本报讯")
    assert dateline.max_width is not None and dateline.max_width < 60
    assert not dateline.may_match("一段没有电头的正文。")
    assert fast(r"(?:姓名|户籍)[:：](?P<v>\w+)").needles == ("姓名", "户籍")


def test_nothing_is_claimed_where_it_cannot_be_proved() -> None:
    assert analyse(re.compile(r"(?i)abc")) == Facts()  # case-insensitive
    assert analyse(re.compile(r"(a)\1")) == Facts()  # back reference
    assert analyse(re.compile(r"x*")) == Facts()  # empty match
    assert fast(r".*abc").max_width is None
    assert fast(r"\d+").needles is None
    assert analyse(re.compile(r"[\u4e00-\u9fff]{2,4}")).region is None  # too broad to look for runs


def test_digit_patterns_are_tried_only_in_runs_of_their_characters() -> None:
    mobile = fast(r"(?<![0-9])1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])")
    assert mobile.may_match("电话 138-0013-8000") and not mobile.may_match("2023年4月18日，96110")
    text = "12345678901 然后 13800138000 和 139 0013 8000" + " " * 100 + "13700137000"
    assert [m.group() for m in mobile.finditer(text)] == ["13800138000", "139 0013 8000", "13700137000"]


NUMBERS = [
    r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])",
    r"(?<![0-9])\d{17}[0-9Xx](?![0-9])",
    r"(?<![0-9])(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![0-9])",
    r"(?<![0-9])\d{4}(?:[- ]?\d{4}){2,3}(?:[- ]?\d{1,3})?(?![0-9])",
]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-+ X年月\n", max_size=120))
def test_shared_runs_find_what_each_pattern_finds(text: str) -> None:
    patterns = [fast(p) for p in NUMBERS]
    runs = SharedRuns.of(patterns)
    assert runs is not None
    spans = runs.spans(text)
    for pattern in patterns:
        want = [(m.span(), m.groups()) for m in pattern.pattern.finditer(text)]
        assert [(m.span(), m.groups()) for m in SharedRuns.finditer(pattern, text, spans)] == want
        if want:
            assert spans


def test_shared_runs_need_a_narrow_alphabet() -> None:
    assert SharedRuns.of([fast(r"\d{11}"), fast(r"[\u4e00-\u9fff]{2}")]) is None
    runs = SharedRuns.of([fast(p) for p in NUMBERS])
    assert runs is not None and runs.spans("2023年4月18日，电话96110") == []


ANCHORED = [r"^(当前位置|您的位置)\s*[:：]", r"^[（(]?\s*(来源|作者)\s*[:：]", r"^\d{4}-\d{1,2}-\d{1,2}$",
            r"^(a|ab)c", r"^ab"]


def test_an_anchored_pattern_is_tried_only_at_the_start() -> None:
    wrapped = fast(ANCHORED[0])
    assert wrapped.anchored and wrapped.fastest() is wrapped.pattern  # no needle or run beats one position
    assert not fast(r"\d{4}年").anchored and not fast(r"(?m)^来源").anchored


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ANCHORED), min_size=1, max_size=5, unique=True),
       st.text(alphabet="当前位置您的来源作者：: （(0123456789-abc", max_size=20))
def test_joined_patterns_find_what_the_first_that_matches_finds(sources: list[str], text: str) -> None:
    patterns = [re.compile(p) for p in sources]
    both = joined(patterns)
    assert both is not None
    first = next(((i, m) for i, p in enumerate(patterns) if (m := p.search(text))), None)
    match = both.match(text)
    if first is None:
        assert match is None
    else:
        assert match is not None and match.lastgroup == f"_{first[0]}" and match.span() == first[1].span()


def test_only_patterns_that_can_stand_side_by_side_are_joined() -> None:
    assert joined([re.compile(r"^a"), re.compile(r"b")]) is None  # not tied to the start
    assert joined([re.compile(r"^a"), re.compile(r"^(?P<x>b)")]) is None  # a named group
    assert joined([re.compile(r"^a"), re.compile(r"^(b)\1")]) is None  # a group reference
    assert joined([re.compile(r"^a"), re.compile(r"(?i)^b")]) is None  # other flags


def test_the_plain_pattern_is_fastest_where_re_skips_ahead_itself() -> None:
    for plain in [r"[。！？；]", r"来源[:：]|作者[:：]", r"自\d{4}年起施行"]:
        pattern = re.compile(plain)
        assert FastPattern(pattern).fastest() is pattern  # opens with a few literal characters
    line_start = re.compile(r"^\s*\d{4}年\d{1,2}月\s*$", re.MULTILINE)
    assert FastPattern(line_start).fastest() is line_start  # tied to line starts, no window
    for rare in [r"[^，。]{2,14}?\d{1,2}月\d{1,2}日电", r"(?m)^[^，。]{1,60}印发《[^》]{4,40}》"]:
        assert isinstance(FastPattern(re.compile(rare)).fastest(), FastPattern)  # needles bound a window


def _every_start(pattern: re.Pattern[str], text: str) -> list[int]:
    """Each position where `pattern` matches, as a search loop finds them."""
    starts, pos = [], 0
    while pos <= len(text) and (found := pattern.search(text, pos)) is not None:
        starts.append(found.start())
        pos = found.start() + 1
    return starts


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL), st.text(alphabet=ALPHABET, max_size=80))
def test_match_starts_gives_every_position_where_the_pattern_matches(pattern: re.Pattern[str], text: str) -> None:
    assert list(match_starts(FastPattern(pattern), text)) == _every_start(pattern, text)


def test_match_starts_finds_the_starts_inside_a_run_of_blanks_long_or_short() -> None:
    after = FastPattern(re.compile(r"[ \t]*[，,][ \t]*(?:[男女]|\d{4}年)"))
    assert list(match_starts(after, "张三 ，男，李四,  1980年生")) == [2, 3, 8]  # not 5: `，李四` has no attribute
    assert list(match_starts(after, " " * 70 + "，女")) == list(range(71))
