"""convert.py: OpenCC t2s with offsets kept, known fixes, full-width punctuation."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import Config
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.stages.convert import convert_phrases, convert_text, normalize_punctuation, opencc_converter
from antifraud_corpus.stages.gloss import find_pinyin_glosses
from antifraud_corpus.stages.repair import find_mojibake
from antifraud_corpus.text.textmap import TrackedText
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
        ("接著說、意味著", "接着说、意味着"),
        # OpenCC's 本著 rule does not cross a word boundary (日本|著名).
        ("日本著名的學者來訪", "日本著名的学者来访"),
        ("本著實事求是的原則", "本着实事求是的原则"),
        ("陝西省乾縣和吉林省乾安縣", "陕西省乾县和吉林省乾安县"),
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

    monkeypatch.setattr("antifraud_corpus.stages.convert.opencc_converter", lambda name: Stretching())
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


# ---------------------------------------------------------------- simplified text stays as written


@pytest.mark.parametrize(
    "text",
    [
        "任何单位和个人不得破坏土地资源，破坏土壤结构的应当赔偿。",  # OpenCC's phrase 坏土 → 坯土
        "春天的菜薹最嫩，市场上的菜薹价格回落。",
        "濛溪河两岸的村民开始清理河道。",
        "战士陈昇华和船民刘和鑑都来自广东。",  # names keep their characters
        "日本著名作家的基本著作在我国出版。",  # 本著 is no word here
        "随著时间推移",  # 著 for 着 is how this writer wrote it: not ours to change
        "吉林省乾安县和陕西省乾县，乾隆年间。",
    ],
)
def test_simplified_text_passes_through_unchanged(config, text):
    assert _convert(text, config) == text


def test_simplified_document_keeps_a_short_line_with_a_traditional_character(config):
    # A heading or quote of one traditional character is no evidence against its neighbours.
    text = "二噁英污染防治\n各级人民政府应当加强对垃圾焚烧设施的监督管理。\n濛溪河\n这里的“會稽郡”砖是汉代的遗存。"
    assert _convert(text, config) == text


def test_mixed_document_converts_only_its_traditional_stretch(config):
    text = (
        "臺灣地區的雜誌報導\n"
        "隨著經濟發展，著力解決問題，不得破壞土地。\n"
        "以下为大陆发布的原文：\n"
        "任何单位和个人不得破坏土地资源，日本著名作家来访。\n"
        "報導結束\n"
    )
    assert _convert(text, config) == (
        "台湾地区的杂志报导\n"
        "随着经济发展，着力解决问题，不得破坏土地。\n"
        "以下为大陆发布的原文：\n"
        "任何单位和个人不得破坏土地资源，日本著名作家来访。\n"
        "报导结束\n"
    )


def test_a_simplified_page_with_a_traditional_quote_converts_only_the_quote(config):
    text = "各级人民政府应当加强领导，这是我们的责任。\n附：臺灣來函原文\n經濟發展與網絡詐騙問題的報告\n"
    assert _convert(text, config) == (
        "各级人民政府应当加强领导，这是我们的责任。\n附：台湾来函原文\n经济发展与网络诈骗问题的报告\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本著实事求是", "本着实事求是"),
        ("日本著名学者", "日本著名学者"),
        ("基本著作", "基本著作"),
        ("显著手段", "显著手段"),
        ("围绕著力", "围绕着力"),
        ("陕西省干县", "陕西省乾县"),
        ("若干县市", "若干县市"),  # 干县 is no word in 若干|县
    ],
)
def test_overrides_apply_only_at_word_boundaries(config, text, expected):
    assert convert_phrases(text, config) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("瞭解情况，保持沈默", "了解情况，保持沉默"),  # traditional words left in a simplified text
        ("破坏土地，打坏东西", "破坏土地，打坏东西"),  # 坏 is simplified (壞), never 坯
    ],
)
def test_convert_phrases_finds_traditional_left_overs_only(config, text, expected):
    assert convert_phrases(text, config) == expected


def test_a_simplified_word_in_a_traditional_stretch_keeps_its_characters(config):
    assert _convert("他們把東西打坏了，這裡的問題", config) == "他们把东西打坏了，这里的问题"


def test_simplified_too_holds_every_gb2312_character_opencc_changes(config):
    # The list is general data, not a list of words: GB 2312 is the simplified national set.
    from antifraud_corpus.stages.convert import _changed_by

    listed = set(config["ingest"]["convert"]["script"]["simplified_too"])
    missing = []
    for char in sorted(_changed_by(config["ingest"]["convert"]["opencc"])):
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if char not in listed:
            missing.append(char)
    assert not missing


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ({"to_traditional": ["s2t"], "margin": 0}, "margin"),
        ({"to_traditional": "s2t", "margin": 2}, "to_traditional"),
        ({"to_traditional": ["s2klingon"], "margin": 2}, "s2klingon"),
    ],
)
def test_script_settings_are_checked(config, script, message):
    ingest = config.plain("ingest")
    ingest["convert"]["script"] = script
    with pytest.raises(ConfigError, match=message):
        convert_text(TrackedText.from_raw("网络"), Config(files={"ingest": ingest}))


_SIMPLIFIED = "破坏土地菜薹昇乾县安於著名日本作基随接若干沿朝手重眼想落实意味围绕的了是一我国网络诈骗这们说 ，。、\n"
_TRADITIONAL_CHARS = "鑑濛內會噁網詐騙"


def _balance(config, margin: int | None = None):
    """The count a line is decided by (traditional-only minus simplified-only characters), and the margin."""
    from antifraud_corpus.stages.convert import _settings, _simplified_only, _traditional_only

    settings_ = _settings(config)
    traditional = _traditional_only(settings_.opencc, settings_.simplified_too)
    simplified = _simplified_only(settings_.to_traditional, settings_.traditional_too,
                                  settings_.opencc, settings_.simplified_too)

    def balance(line: str) -> int:
        return len(traditional.findall(line)) - len(simplified.findall(line))

    return balance, settings_.margin


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list(_SIMPLIFIED)), max_size=200))
def test_text_without_traditional_characters_passes_unchanged(config, text):
    from antifraud_corpus.stages.convert import _settings, _traditional_only

    settings_ = _settings(config)
    assert _traditional_only(settings_.opencc, settings_.simplified_too).search(_SIMPLIFIED) is None
    assert _convert(text, config) == text


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.tuples(st.text(alphabet=st.sampled_from(list(_SIMPLIFIED.strip())), max_size=60),
                                st.sampled_from(["", *_TRADITIONAL_CHARS]), st.integers(0, 60)),
                      min_size=1, max_size=8))
def test_simplified_lines_keep_the_traditional_characters_they_quote(config, lines):
    # A line whose own characters say it is simplified (more simplified-only characters than
    # traditional-only ones, by the margin: 们这说 against one quoted character) keeps a
    # traditional character quoted in it, whatever else the line holds.
    balance, margin = _balance(config)
    text_lines = []
    for body, quoted, at in lines:
        at %= len(body) + 1
        text_lines.append("我们这里说：" + body[:at] + quoted + body[at:])
    assert all(-balance(line) >= margin for line in text_lines)
    text = "\n".join(text_lines)
    assert _convert(text, config) == text


_TRADITIONAL_LINES = {
    "隨著經濟社會發展，著力解決問題": "随着经济社会发展，着力解决问题",
    "網絡詐騙違法犯罪": "网络诈骗违法犯罪",
    "日本著名的學者來訪": "日本著名的学者来访",
}
_SIMPLIFIED_LINES = [
    "任何单位和个人不得破坏土地资源",
    "春天的菜薹最嫩，濛溪河两岸的村民都来买菜",
    "陈昇华和刘鑑明是同学，他们来自广东",
    "日本著名作家来访，基本著作已出版",
]


@settings(max_examples=100, deadline=None)
@given(picks=st.lists(st.sampled_from([*_TRADITIONAL_LINES, *_SIMPLIFIED_LINES]), min_size=1, max_size=10))
def test_each_decided_line_is_converted_by_its_own_writing(config, picks):
    """Lines whose own characters decide their writing are converted or kept whatever their neighbours."""
    balance, margin = _balance(config)
    assert all(balance(line) >= margin for line in _TRADITIONAL_LINES)
    assert all(-balance(line) >= margin for line in _SIMPLIFIED_LINES)
    expected = [_TRADITIONAL_LINES.get(line, line) for line in picks]
    assert _convert("\n".join(picks), config) == "\n".join(expected)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.text(alphabet="中華国國网網这這的台后乾a1，。 ", max_size=12), min_size=1, max_size=12),
       margin=st.integers(1, 4))
def test_stretches_follow_the_line_by_line_rule(config, lines, margin):
    """The shortcuts (no traditional or no simplified character at all) and the merging of
    lines into stretches give what deciding every line by itself and carrying decisions
    over to undecided lines gives."""
    import dataclasses

    from antifraud_corpus.stages.convert import _settings, _stretches

    settings_ = dataclasses.replace(_settings(config), margin=margin)
    balance, _ = _balance(config)
    text = "\n".join(lines)
    assume(text)
    balances = [balance(line) for line in lines]
    kinds = [True if b >= margin else False if -b >= margin else None for b in balances]
    decided = [k for k in kinds if k is not None]
    if not decided:
        expected = [sum(balances) > 0] * len(lines)
    else:
        expected, current = [], decided[0]
        for kind in kinds:
            current = current if kind is None else kind
            expected.append(current)
    stretches = _stretches(text, settings_)
    assert [s[0] for s in stretches[1:]] == [s[1] for s in stretches[:-1]]  # they cover the text in order
    assert (stretches[0][0], stretches[-1][1]) == (0, len(text))
    got = []
    for start, end, kind in stretches:
        got += [kind] * len(text[start:end].split("\n")[: None if end == len(text) else -1])
    assert got == expected
