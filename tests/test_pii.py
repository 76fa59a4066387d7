"""Personal data: seed 003's wanted notice in raw and simplified form, number rules, officials, properties."""

from __future__ import annotations

import re
from datetime import date, timedelta

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import default_config_dir, load_config
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.pii import (
    contains_personal_data,
    find_personal_data,
    id15_valid,
    id18_valid,
    pii_rules,
    redact,
)
from conftest import SEED_PATHS, load_gold

_T2S = opencc.OpenCC("t2s")


def raw_seed(prefix: str) -> str:
    (path,) = [p for p in SEED_PATHS if p.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


# ---------------------------------------------------------------- seed 003's wanted notice


def test_raw_notice_is_fully_redacted(config):
    raw = raw_seed("003")
    found = contains_personal_data(raw, config)
    assert sorted(kind for kind, _, _ in found) == [
        "address",
        "address",
        "id-number",
        "id-number",
        "name",
        "name",
    ]
    out = redact(raw, config)
    for value in (
        "楊孟臣",
        "王馨逸",
        "132129197711040035",
        "360721199901010015",
        "新家巷16號",
        "1101室",
        "邯鄲市",
    ):
        assert value not in out
    assert "4、[姓名],男,漢族,1977年11月4日出生,戶籍地:[住址],身份證號碼:[身份证号]。8、[姓名]" in out
    # Officials in their public role stay.
    assert "趙克志" in out and "李蓓" in out


def test_simplified_notice_is_redacted_against_gold(config):
    gold = load_gold(next(p.stem for p in SEED_PATHS if p.name.startswith("003")))
    simplified = _T2S.convert(raw_seed("003"))
    out = redact(simplified, config)
    assert [value for value in gold["pii"] if value in out] == []
    assert len(gold["pii"]) == 6


def test_edits_carry_placeholders_and_reasons(config):
    text = (
        "8、王馨逸，男，汉族，1999年1月1日出生，户籍地：江西省赣州市赣县区梅林镇杨仙大道东路1号蓝岸水郡"
        "3栋1单元1101室，身份证号码：360721199901010015。"
    )
    edits = find_personal_data(text, config)
    assert [(e.reason, e.replacement) for e in edits] == [
        ("pii:name", "[姓名]"),
        ("pii:address", "[住址]"),
        ("pii:id-number", "[身份证号]"),
    ]
    assert [text[e.start : e.end] for e in edits] == [
        "王馨逸",
        "江西省赣州市赣县区梅林镇杨仙大道东路1号蓝岸水郡3栋1单元1101室",
        "360721199901010015",
    ]


def test_an_address_stops_at_a_following_id_number(config):
    # Written without a separator, the ID number is still the next field, not part of the address.
    text = "户籍地：河北省邯郸市临漳县132129197711040035，"
    assert redact(text, config) == "户籍地：[住址][身份证号]，"
    assert redact("戶籍份110000200001010000号", config) == "戶籍份[身份证号]号"
    assert redact("住址河北省邯郸市临漳县13812345678", config) == "住址[住址][手机号]"


def test_raw_text_with_pinyin_glosses(config):
    raw = "戶(hù)籍地:河北省邯鄲(dān)市臨漳縣16號,身份證(zhèng)號碼:132129197711040035"
    out = redact(raw, config)
    assert out == "戶(hù)籍地:[住址],身份證(zhèng)號碼:[身份证号]"


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem[:3])
def test_no_personal_data_outside_the_notice(path, config):
    text = path.read_text(encoding="utf-8")
    found = contains_personal_data(text, config)
    if path.name.startswith("003"):
        assert all(start > text.index("文/本報記者") for _, start, _ in found)
    else:
        assert found == []


@pytest.mark.parametrize(
    "text",
    [
        "国务委员、公安部部长、国务院打击治理电信网络新型违法犯罪工作部际联席会议总召集人赵克志出席并讲话。",
        "编辑：黄飞飞",
        "教育引导群众到户籍地或居住地社区报到，加强户籍管理。",
        "家住农村的老年人要提高警惕，户籍所在地公安机关要加强宣传。",
        "收集姓名、身份证号码等个人信息，应当遵循合法原则。",
        "本法自2022年12月1日起施行，破获案件625起，开通96110反诈骗专线。",
        "男女老少齐参与，共建无诈社区。",
        "坚持各民族团结，中华民族，共同体意识；促进各族，汉族，少数民族共同发展。",
    ],
)
def test_policy_text_is_left_alone(text, config):
    assert contains_personal_data(text, config) == []
    assert redact(text, config) == text


# ---------------------------------------------------------------- numbers


def test_id_number_validation():
    assert id18_valid("132129197711040035")
    assert id18_valid("11010519491231002X") and id18_valid("11010519491231002x")
    assert not id18_valid("132129197711040036")  # check digit
    assert not id18_valid("132129197702300039")  # wrong check digit for this date
    assert id15_valid("130503670401001")
    assert not id15_valid("130503671301001")


def test_invalid_date_fails_even_with_right_check_digit():
    first17 = "13212919770230003"
    assert not id18_valid(first17 + check_digit(first17))


def test_id_numbers_in_and_out_of_context(config):
    bad = "132129197711040036"  # wrong check digit
    assert redact(f"编号{bad}。", config) == f"编号{bad}。"
    assert redact(f"身份证号：{bad}。", config) == "身份证号：[身份证号]。"
    assert redact("身份证号码130503670401001，", config) == "身份证号码[身份证号]，"
    assert redact("流水号130503670401001，", config) == "流水号130503670401001，"
    # Not inside a longer run of digits.
    assert redact("订单1132129197711040035", config) == "订单1132129197711040035"


def test_mobile_numbers(config):
    assert redact("联系电话：13812345678。", config) == "联系电话：[手机号]。"
    assert redact("手机 138-1234-5678，", config) == "手机 [手机号]，"
    assert redact("请拨+86 139 1234 5678", config) == "请拨[手机号]"
    for text in ("编号013812345678", "13812345678901", "96110", "12345678901"):
        assert redact(text, config) == text


def test_bank_card_needs_context(config):
    assert redact("银行卡号：6222 0202 0000 1234 567", config) == "银行卡号：[银行卡号]"
    assert redact("共计6222020200001234567元", config) == "共计6222020200001234567元"


def test_name_field_and_labelled_record(config):
    assert redact("姓名：张三，", config) == "姓名：[姓名]，"
    assert redact("犯罪嫌疑人李某某，男，1980年生，", config) == "犯罪嫌疑人[姓名]，男，1980年生，"
    assert redact("阿依古丽·买买提，女，维吾尔族", config) == "[姓名]，女，维吾尔族"
    assert redact("张三，汉族，1980年3月出生", config) == "[姓名]，汉族，1980年3月出生"


def test_unknown_kind_without_placeholder_is_a_config_error():
    config = load_config(
        default_config_dir(),
        ["pii.placeholders={id-number: '[id]', name: '[name]', address: '[address]'}",
         "pii.patterns=[{kind: mobile, pattern: '1\\d{10}'}]"],
    )
    with pytest.raises(ConfigError, match="no placeholder for kind 'mobile'"):
        pii_rules(config)


# ---------------------------------------------------------------- properties

_FILLER = st.text(alphabet="反诈工作要加强。，：编号 abcXY身份證戶籍地（）()\n", max_size=20)


@st.composite
def valid_id_numbers(draw) -> str:
    region = draw(st.integers(110000, 659999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=1)))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)


@settings(max_examples=200, deadline=None)
@given(before=_FILLER, number=valid_id_numbers(), after=_FILLER)
def test_valid_id_numbers_are_always_redacted(before, number, after, config):
    text = before + number + after
    out = redact(text, config)
    assert number not in out and number.upper() not in out
    assert re.search(r"\d{6,}", out) is None  # not even part of the digits is left
    assert "[身份证号]" in out


@settings(max_examples=100, deadline=None)
@given(before=_FILLER, number=st.from_regex(r"\A1[3-9]\d{9}\Z"), after=_FILLER)
def test_mobile_numbers_are_always_redacted(before, number, after, config):
    out = redact(before + number + after, config)
    assert re.search(r"\d{4,}", out) is None
    assert "[手机号]" in out


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="反诈工作要加强。，：身份证号码住址13580 \n", max_size=60))
def test_edits_never_overlap_and_redact_is_their_application(text, config):
    edits = find_personal_data(text, config)
    for a, b in zip(edits, edits[1:], strict=False):
        assert a.end <= b.start
    assert redact(redact(text, config), config) == redact(text, config)


# ---------------------------------------------------------------- the quick paths find what the patterns find


def _reference(view: str, config) -> list[tuple[int, int, str, int]]:
    """`pii._candidates` with every pattern run over the whole text (no runs, needles or record ends)."""
    from antifraud_corpus import pii

    rules = pii_rules(config)
    plain = pii.PiiRules(
        **{
            **{f: getattr(rules, f) for f in pii.PiiRules.__dataclass_fields__},
            "numbers": tuple(pii.NumberRule(r.kind, r.pattern.pattern, r.validate, r.context) for r in rules.numbers),
            "fields": tuple(pii.FieldRule(r.kind, r.pattern.pattern, r.shape, r.stop) for r in rules.fields),
            "number_runs": None,
            "person_after": None,
            "name_widths": None,
        }
    )
    return pii._candidates(view, plain)


_PIECES = ["张三", "李四", "欧阳修", "，", "、", "（", "男", "女", "汉族", "1977年11月4日出生", "1985.3.2生",
           "姓名：", "户籍地：", "住址", "河北省邯郸市临漳县", "身份证号", "110101199003074514", "13800138000",
           "139 0013 8000", "卡号6222 0202 0000 1234 567", "犯罪嫌疑人", "。", "\n", " ", "2023", "会议"]


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=25))
def test_quick_paths_find_the_same_candidates(pieces, config):
    from antifraud_corpus import pii

    view = "".join(pieces)
    assert pii._candidates(view, pii_rules(config)) == _reference(view, config)


def test_quick_paths_on_seed_pages(config):
    from antifraud_corpus import pii

    for path in SEED_PATHS:
        text = path.read_text(encoding="utf-8")
        view = pii._view(text, pii_rules(config)).text
        assert pii._candidates(view, pii_rules(config)) == _reference(view, config)
