"""convert.py: OpenCC t2s with offsets kept, known fixes, full-width punctuation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import Config
from antifraud_corpus.convert import convert_text, normalize_punctuation, opencc_converter
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.gloss import find_pinyin_glosses
from antifraud_corpus.repair import find_mojibake
from antifraud_corpus.textmap import TrackedText
from conftest import SEED_PATHS

SEEDS = {path.stem: path.read_text(encoding="utf-8") for path in SEED_PATHS}


def _convert(text: str, config) -> str:
    return convert_text(TrackedText.from_raw(text), config).text


def _ingest(raw: str, config) -> TrackedText:
    tracked = TrackedText.from_raw(raw)
    tracked = tracked.apply(find_mojibake(tracked.text, config))[0]
    tracked = tracked.apply(find_pinyin_glosses(tracked.text, config))[0]
    return convert_text(tracked, config)


def test_traditional_to_simplified(config):
    assert _convert("中華人民共和國反電信網絡詐騙法", config) == "中华人民共和国反电信网络诈骗法"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # OpenCC leaves 著 alone; in a traditional text it is 着 unless it means "to write / notable".
        ("隨著我國經濟社會快速發展，著力解決問題", "随着我国经济社会快速发展，着力解决问题"),
        ("顯著提高，著名的著作", "显著提高，著名的著作"),
        ("接著、意味著", "接着、意味着"),
        # In a simplified text, characters that are simplified too stay as written.
        ("吉林省乾安县和陕西省乾县", "吉林省乾安县和陕西省乾县"),
        ("乾隆年间", "乾隆年间"),
    ],
)
def test_known_opencc_errors_are_fixed(config, text, expected):
    assert _convert(text, config) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来源:湖南人大 编辑:黄飞飞 2022-09-26 20:07:15", "来源：湖南人大 编辑：黄飞飞 2022-09-26 20:07:15"),
        ("会议认为,我省", "会议认为，我省"),
        ("出货!智己上市!", "出货！智己上市！"),
        ("为什么?因为", "为什么？因为"),
        ("规定;加强", "规定；加强"),
        ("高原(北京)文化", "高原（北京）文化"),
        ("(以下简称《意见》)", "（以下简称《意见》）"),
        ("(2022)第3号", "（2022）第3号"),
        ("抓获1,255人,破获625起", "抓获1,255人，破获625起"),
        ("增长1.5倍", "增长1.5倍"),
        (
            "Copyright © 2012 hnr.cn Corporation,All Rights Reserved",
            "Copyright © 2012 hnr.cn Corporation,All Rights Reserved",
        ),
        ("请访问http://www.gov.cn/a?b=1,2:3 谢谢,再见", "请访问http://www.gov.cn/a?b=1,2:3 谢谢，再见"),
        ("f(x) = (a+b)", "f(x) = (a+b)"),
        ("见(附件", "见（附件"),
    ],
)
def test_punctuation_becomes_full_width_only_in_chinese_text(config, text, expected):
    assert _convert(text, config) == expected
    assert normalize_punctuation(text, config) == expected


def test_offsets_still_point_at_the_raw_characters(config):
    raw = "湖南人大網(wǎng)>重要發(fā)布\n會議認(rèn)為,我省"
    tracked = _ingest(raw, config)
    assert tracked.text == "湖南人大网>重要发布\n会议认为，我省"
    to_simplified = opencc_converter("t2s").convert
    for pos, char in enumerate(tracked.text):
        start, end = tracked.raw_span(pos, pos + 1)
        assert end - start == 1
        source = raw[start]
        assert to_simplified(source) == char or normalize_punctuation("我" + source + "我", config)[1] == char


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seeds_end_up_simplified_and_stable(config, doc_id):
    out = _ingest(SEEDS[doc_id], config).text
    assert opencc_converter("t2s").convert(out) == out  # nothing traditional left
    assert _convert(out, config) == out  # converting again changes nothing


def test_lines_whose_length_changes_become_edits(config, monkeypatch):
    class Stretching:
        def convert(self, text: str) -> str:
            return text.replace("計程車", "出租汽车").replace("網", "网")

    monkeypatch.setattr("antifraud_corpus.convert.opencc_converter", lambda name: Stretching())
    raw = "叫計程車,好\n上網"
    tracked = convert_text(TrackedText.from_raw(raw), config)
    assert tracked.text == "叫出租汽车，好\n上网"
    # The stretched words map to the raw words; the rest keeps its own offsets.
    assert tracked.raw_span(1, 5) == (1, 4)
    assert raw[slice(*tracked.raw_span(6, 7))] == "好"
    assert raw[slice(*tracked.raw_span(9, 10))] == "網"


def test_unknown_opencc_config_is_a_config_error(config):
    ingest = config.plain("ingest")
    ingest["convert"]["opencc"] = "t2klingon"
    with pytest.raises(ConfigError, match="t2klingon"):
        convert_text(TrackedText.from_raw("網"), Config(files={"ingest": ingest}))


def test_overrides_must_keep_length(config):
    ingest = config.plain("ingest")
    ingest["convert"]["overrides"] = {"随著": "随"}
    with pytest.raises(ConfigError, match="must keep the length"):
        convert_text(TrackedText.from_raw("網"), Config(files={"ingest": ingest}))


_MIXED = st.text(
    alphabet=st.sampled_from(list("隨著網絡詐騙乾安县随着网络诈骗著名顯著,:;!?()。，1234 abc\n")),
    max_size=120,
)


@settings(max_examples=80, deadline=None)
@given(text=_MIXED)
def test_conversion_keeps_length_and_is_idempotent(config, text):
    tracked = convert_text(TrackedText.from_raw(text), config)
    assert len(tracked.text) == len(text)
    assert tracked.text.count("\n") == text.count("\n")
    assert _convert(tracked.text, config) == tracked.text


@settings(max_examples=200, deadline=None)
@given(base=st.text(alphabet="中華国國a1，。 \n", min_size=1, max_size=40), repeat=st.integers(1, 150),
       changes=st.lists(st.integers(0, 6000), max_size=400), ratio=st.sampled_from([0.0, 0.01, 0.03, 0.3, 1.0]))
def test_traditional_is_decided_as_by_counting_every_change(config, base, repeat, changes, ratio):
    import dataclasses
    import operator

    from antifraud_corpus.convert import _is_traditional, _settings

    settings = dataclasses.replace(_settings(config), traditional_ratio=ratio)
    original = base * repeat
    converted = list(original)
    for at in changes:
        converted[at % len(original)] = "变"
    converted = "".join(converted)
    cjk = len(settings.cjk.findall(original))
    counted = bool(cjk) and sum(map(operator.ne, original, converted)) >= ratio * cjk
    assert _is_traditional(original, converted, settings) == counted
