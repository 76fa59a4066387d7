"""gloss.py: pinyin readings after characters are found; real parentheses are not."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.stages.gloss import REASON, find_pinyin_glosses, parse_gloss
from antifraud_corpus.text.textmap import TrackedText
from conftest import SEED_PATHS

SEEDS = {path.stem: path.read_text(encoding="utf-8") for path in SEED_PATHS}
_TONED = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]")


def _found(text: str, config) -> list[str]:
    return [text[e.start : e.end] for e in find_pinyin_glosses(text, config)]


def _strip(text: str, config) -> str:
    return TrackedText.from_raw(text).apply(find_pinyin_glosses(text, config))[0].text


def test_glosses_after_characters_are_deleted(config):
    text = "湖南人大網(wǎng)>重要發(fā)布>決議決定"
    edits = find_pinyin_glosses(text, config)
    assert [(text[e.start : e.end], e.replacement, e.reason) for e in edits] == [
        ("(wǎng)", "", REASON),
        ("(fā)", "", REASON),
    ]
    assert _strip(text, config) == "湖南人大網>重要發布>決議決定"


@pytest.mark.parametrize(
    "text",
    [
        "（以下简称《意见》）",
        "(以下簡稱《意見》)",
        "（2023年2月7日临汾市第五届人民代表大会常务委员会第七次会议通过）",
        "乡镇（街道）、村（社区）",
        "（一）加强组织领导",
        "国家反诈APP(APP)",
        "(2022)第3号",
        "条(a)项",
        "某(Wang)先生",
        "指数(e)值",
        "(wǎng)",  # nothing before it: not a gloss of anything
        "网 (wǎng)",
    ],
)
def test_real_parentheses_are_kept(config, text):
    assert find_pinyin_glosses(text, config) == []


@pytest.mark.parametrize(
    ("text", "gloss"),
    [
        ("网（wǎng）络", "（wǎng）"),
        ("绿(lǜ)色", "(lǜ)"),
        ("绿(lv4)色", "(lv4)"),
        ("网(wang3)络", "(wang3)"),
        ("网络(wǎng luò)", "(wǎng luò)"),
        ("网络(wǎngluò)", "(wǎngluò)"),
        ("啪W(wǎng)絡", "(wǎng)"),  # after a garbled letter, a toned gloss is still a gloss
        ("斬?cái)嚯", "cái)"),  # its '(' went with a lost byte
    ],
)
def test_gloss_forms(config, text, gloss):
    assert _found(text, config) == [gloss]


def test_plain_letter_glosses_only_in_a_glossed_text(config):
    assert _found("的(de)确", config) == []
    glossed = "網(wǎng)絡(luò)關(guān)的(de)條(a)"
    # (de) goes: the text is evidently glossed; (a) is too short to be sure.
    assert _found(glossed, config) == ["(wǎng)", "(luò)", "(guān)", "(de)"]
    # two tone-marked glosses are not evidence enough: the plain one between them stays
    assert _found("網(wǎng)的(de)絡(luò)", config) == ["(wǎng)", "(luò)"]
    # after a lost byte only a tone-marked gloss is one, however glossed the text
    assert _found(glossed + "斬?de)嚯?cái)", config) == ["(wǎng)", "(luò)", "(guān)", "(de)", "cái)"]


def test_parse_gloss(config):
    assert parse_gloss("wǎng", config) == ("wang",)
    assert parse_gloss("wǎngluò", config) == ("wang", "luo")
    assert parse_gloss("lǜ", config) == ("lü",)
    assert parse_gloss("APP", config) is None
    assert parse_gloss("xyz", config) is None
    assert parse_gloss("wǎngx", config) is None
    assert parse_gloss("Wǎng", config) is None  # capitalized: a name, not a gloss


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seeds_lose_every_gloss_and_keep_their_parentheses(config, doc_id):
    text = SEEDS[doc_id]
    edits = find_pinyin_glosses(text, config)
    assert all(e.reason == REASON and e.replacement == "" for e in edits)
    out = _strip(text, config)
    # What is left in parentheses is text, never a toned syllable.
    for inner in re.findall(r"[(（]([^()（）]*)[)）]", out):
        assert not _TONED.search(inner), inner
    if doc_id.startswith("004"):
        assert edits == []
    else:
        assert len(edits) > 200


def test_seed_real_parentheses_survive(config):
    out = _strip(SEEDS["002_b06b64127b7163c7"], config)
    assert "(2023年2月7日臨汾市第五屆人民代表大會常務委員會第七次會議通過)" in out
    assert "鄉鎮(街道)、村(社區)" in out
    out = _strip(SEEDS["001_1fada07f3521683b"], config)
    assert "(以下簡稱《意見》)" in out
    assert "高原(北京)文化傳播有限公司" in out


_HAN = st.sampled_from(list("网络诈骗法第一条为了预防遏制和惩治活动公安机关"))
_SYLLABLE = st.sampled_from(["wǎng", "luò", "zhà", "piàn", "fǎ", "dì", "yī", "tiáo", "lǜ", "guān"])


@settings(max_examples=80, deadline=None)
@given(pieces=st.lists(st.tuples(_HAN, st.none() | _SYLLABLE), min_size=1, max_size=30))
def test_stripping_inserted_glosses_gives_back_the_text(config, pieces):
    plain = "".join(char for char, _ in pieces)
    glossed = "".join(char + (f"({syl})" if syl else "") for char, syl in pieces)
    assert _strip(glossed, config) == plain


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="網絡(（)）? \ufffdwangǎuòlǜ1A", max_size=40))
def test_one_opening_class_finds_what_two_branches_find(config, text):
    from antifraud_corpus.stages.gloss import _pinyin

    pattern = _pinyin(config).pattern
    opening = "[(（?\ufffd](?:(?<=[^\\s(（)）][(（])|(?<=[?\ufffd]))"
    assert pattern.pattern.startswith(opening) and pattern.pattern.endswith("[)）]")
    content = pattern.pattern[len(opening) : -len("[)）]")]
    # the pattern as first written: one branch per opening, each with its own group
    two = re.compile(rf"[(（](?<=[^\s(（)）][(（]){content}[)）]|[?\ufffd]{content}[)）]")
    assert [(m.span(), m.group(1)) for m in pattern.finditer(text)] == [
        (m.span(), m.group(1) or m.group(2)) for m in two.finditer(text)]
