"""Personal data: seed 003's wanted notice in raw and simplified form, number rules, statute words,
officials in their public role, boundaries, properties."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import default_config_dir, load_config
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.stages.pii import (
    contains_personal_data,
    find_personal_data,
    id15_valid,
    id18_valid,
    pii_rules,
    redact,
)
from conftest import SEED_PATHS, load_gold, with_config_file

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
    assert redact("住址：河北省邯郸市临漳县13812345678", config) == "住址：[住址][手机号]"


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


# ---------------------------------------------------------------- words of a rule, public roles


@pytest.mark.parametrize(
    "text",
    [
        # a statute names the fields a record must hold; it holds no record
        "第十条 登记事项包括经营者姓名和住所、经营场所。",
        "申请书应当载明申请人的姓名、住所和联系方式；",
        "（二）投保人、被保险人的姓名或者名称、住所；",
        "转付记录应当载明权利人姓名等信息。",
        "本条例适用于户籍在本市的公民。",
        "（一）户籍在本村并且在本村居住的村民；",
        "由共同生活的家庭成员向户籍所在地的乡镇人民政府提出申请。",
        "由其户籍所在地或者居住地乡镇人民政府、街道办事处落实。",
        "已在户籍所在村或者居住村登记为选民的，不得再参加登记。",
        "因合同纠纷提起的诉讼，由被告住所地人民法院管辖。",
        "全省户籍人口城镇化率达到55.2%，常住人口城镇化率达到65%。",
        # reports: a word inside another word, a neighbourhood or a province is no household's address
        "<p>各地推进保交楼，实现住房交付3万套</p><p>国家住房公积金制度</p>",
        "家住某街道某花园小区的居民周先生预约了车辆。",
        "家住某省某自治州的小伙忙完工作，登上了列车。",
    ],
)
def test_words_of_a_rule_are_left_alone(text, config):
    assert contains_personal_data(text, config) == []


@pytest.mark.parametrize(
    "text",
    [
        "<p>任命林秀英（女）为文化部部长；免去周国平的文化部部长职务。</p>",
        # a funeral committee's list marks women, sometimes ethnicity, in brackets
        "<p>某某同志治丧委员会名单：赵立新、林秀英（女）、王建华、乌兰其其格（女，蒙古族）、陈志远</p>",
        "<p>二、授予玛丽亚·席尔瓦（女，巴西）“友谊勋章”；授予林秀英（女）“人民艺术家”国家荣誉称号</p>",
        # an appointed official's biography
        "<p>周建国，男，汉族，1963年5月生，河北某县人，1985年7月参加工作，1984年6月加入中国共产党。</p>",
        "<p>林秀英，女，汉族，1962年11月生，湖南某县人，研究生学历，现任某部部长、党组书记。</p>",
        "<p>王建华，男，汉族，1958年8月生，陕西某县人。1976年12月入伍。</p>",
        "会议决定任命陈志远（男，1966年生）为某省副省长。",
        # sports results: 男、女 are two events' sexes, not a person's
        "田径赛场，今天共产生女子跳高，女子跳远，男、女200米等9项冠军。",
        # sex and ethnicity alone do not single a person out
        "阿依古丽·买买提，女，维吾尔族，来自某村。",
    ],
)
def test_officials_and_public_figures_are_left_alone(text, config):
    assert contains_personal_data(text, config) == []


def test_a_wanted_notice_is_fully_redacted(config):
    first, second, third = (f + check_digit(f) for f in ("41010519850304123", "43052119920715004", "36072119990101001"))
    notice = (
        "悬赏通告\n"
        f"1、刘某强，男，汉族，1985年3月4日出生，户籍地：河南省郑州市金水区东风路12号，身份证号码：{first}。"
        f"2、陈某芳，女，1992年7月15日出生，户籍地：湖南省邵阳县塘渡口镇某村3组，身份证号码：{second}；\n"
        f"犯罪嫌疑人吴某（男，36岁），家住江西省赣州市赣县区梅林镇杨仙大道东路1号，身份证号：{third}，"
        "联系电话13912345678。\n"
        "姓名：黄某某\n"
    )
    assert redact(notice, config) == (
        "悬赏通告\n"
        "1、[姓名]，男，汉族，1985年3月4日出生，户籍地：[住址]，身份证号码：[身份证号]。"
        "2、[姓名]，女，1992年7月15日出生，户籍地：[住址]，身份证号码：[身份证号]；\n"
        "犯罪嫌疑人[姓名]（男，36岁），家住[住址]，身份证号：[身份证号]，"
        "联系电话[手机号]。\n"
        "姓名：[姓名]\n"
    )


def test_a_post_title_beside_a_record_gives_it_no_public_role(config):
    text = "某村党支部书记王某介绍，刘某强，男，65岁，家住某县某村3组。</p><p>周某任某部部长。"
    assert redact(text, config) == "某村党支部书记王某介绍，[姓名]，男，65岁，家住[住址]。</p><p>周某任某部部长。"


def test_a_field_mark_makes_a_coarse_address_a_value(config):
    # Written as a field, a county is the person's address; in prose it locates no household.
    assert redact("户籍地：湖南省邵阳县塘渡口镇，", config) == "户籍地：[住址]，"
    assert redact("家住湖南省邵阳县塘渡口镇，", config) == "家住湖南省邵阳县塘渡口镇，"
    assert redact("家住湖南省邵阳县某村，", config) == "家住[住址]，"
    assert redact("家住某县某村的村民刘某强，", config) == "家住[住址]的村民刘某强，"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("户籍地：河北省某县。某村5号", "户籍地：[住址]。某村5号"),
        ("户籍地：河北省某县\n某村5号", "户籍地：[住址]\n某村5号"),
        ("户籍地：河北省某县<br>某村5号", "户籍地：[住址]<br>某村5号"),
        ("户籍地：河北省某县**某村5号**", "户籍地：[住址]**某村5号**"),
        ("户籍地：河北省某县&nbsp;某村5号", "户籍地：[住址]&nbsp;某村5号"),
        ("<p>刘某强，男，1985年3月4日出生</p>", "<p>[姓名]，男，1985年3月4日出生</p>"),
        # the record's birth date is in the next paragraph: no record
        ("<p>刘某强，男</p><p>1985年3月4日出生</p>", "<p>刘某强，男</p><p>1985年3月4日出生</p>"),
    ],
)
def test_a_value_never_crosses_a_sentence_end_a_line_or_markup(text, expected, config):
    assert redact(text, config) == expected


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("fields", "[{kind: address, labels: [住址], connector: '：', value: '.+', locatr: '号'}]",
         "unknown key 'fields[0].locatr'"),
        ("fields", "[{kind: address, labels: [住址], value: '.+'}]", "'fields[0].connector' is missing"),
        ("person_record", "{labels: [被告人], name: '..', separator: '，', attributes: ['男'], public_rol: '部长'}",
         "unknown key 'person_record.public_rol'"),
        ("boundary", "'[。'", "pii.yaml: boundary: invalid regex"),
    ],
)
def test_malformed_rules_are_config_errors(key, value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        pii_rules(load_config(default_config_dir(), [f"pii.{key}={value}"]))


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
    # a label says whose record it is, with nothing else that singles the person out
    assert redact("犯罪嫌疑人：李某某，男，湖南人。", config) == "犯罪嫌疑人：[姓名]，男，湖南人。"
    assert redact("经查，李某某，男，湖南人。", config) == "经查，李某某，男，湖南人。"
    assert redact("阿依古丽·买买提，女，维吾尔族，1990年5月出生", config) == "[姓名]，女，维吾尔族，1990年5月出生"
    assert redact("张三，汉族，1980年3月出生", config) == "[姓名]，汉族，1980年3月出生"


def test_unknown_kind_without_placeholder_is_a_config_error():
    config = load_config(default_config_dir(), ["pii.patterns=[{kind: passport, pattern: 'E\\d{8}'}]"])
    with pytest.raises(ConfigError, match="no placeholder for kind 'passport'"):
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
    from antifraud_corpus.stages.pii import find as pii

    rules = pii_rules(config)
    plain = pii.PiiRules(
        **{
            **{f: getattr(rules, f) for f in pii.PiiRules.__dataclass_fields__},
            "numbers": tuple(pii.NumberRule(r.kind, r.pattern.pattern, r.validate, r.context) for r in rules.numbers),
            "fields": tuple(dataclasses.replace(r, pattern=r.pattern.pattern) for r in rules.fields),
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
    from antifraud_corpus.stages.pii import find as pii

    view = "".join(pieces)
    assert pii._candidates(view, pii_rules(config)) == _reference(view, config)


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=25))
def test_prefilter_passes_over_no_value(pieces, config):
    """A text the prefilter turns away gives no value that the rules would have found in it."""
    from antifraud_corpus.stages.pii import find as pii

    text = "".join(pieces)
    found = pii._candidates(text, pii_rules(config))
    held = any(p.search(text) for p in pii_rules(config).prefilter)
    assert held or found == []


def test_prefilter_turns_away_a_title_and_lets_a_record_through(config):

    prefilter = pii_rules(config).prefilter
    assert not any(p.search("某省反电信网络诈骗条例（2023年修订）") for p in prefilter)
    assert any(p.search("犯罪嫌疑人张三，男，1980年5月2日出生") for p in prefilter)
    assert contains_personal_data("犯罪嫌疑人张三，男，1980年5月2日出生", config) == [("name", 5, 7)]


def test_quick_paths_on_seed_pages(config):
    from antifraud_corpus.stages.pii import find as pii

    for path in SEED_PATHS:
        text = path.read_text(encoding="utf-8")
        view = pii._view(text, pii_rules(config)).text
        assert pii._candidates(view, pii_rules(config)) == _reference(view, config)


# Characters that cannot spell a label, an ID or address field word, a field mark or a number:
# names, sexes, ethnicities, posts, places, statute words, markup.
_NO_RECORD_WORDS = st.text(
    alphabet="张王李明华建国秀英男女汉族回蒙古满，、（）()。；;\n<p>/*&nbsp 任命为部长书记委员生年月出日"
             "的在本市省县村路号公民姓名和或者名称交付房实现家地所在",
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(text=_NO_RECORD_WORDS)
def test_text_without_digits_or_record_words_is_unchanged(text, config):
    assert find_personal_data(text, config) == []


_BOUNDARIES = ["。", "\n", "<br>", "</p><p>", "**", "&nbsp;", "；"]


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(_PIECES + _BOUNDARIES), max_size=25))
def test_values_hold_no_boundary_and_redaction_changes_nothing_else(pieces, config):
    text = "".join(pieces)
    edits = find_personal_data(text, config)
    boundary = pii_rules(config).boundary
    assert all(boundary.search(text, e.start, e.end) is None for e in edits)
    out, cursor = [], 0
    for edit in edits:
        out += [text[cursor:edit.start], edit.replacement]
        cursor = edit.end
    assert redact(text, config) == "".join(out) + text[cursor:]


# --------------------------------------------------------------------------- turning redaction off


def _with_pii(config, pii: dict):
    return with_config_file(config, "pii", pii)


@pytest.mark.parametrize("pii", [{}, {"placeholders": {"name": "[姓名]"}}])
def test_a_pii_file_cut_short_is_an_error_not_redaction_off(config, pii):
    with pytest.raises(ConfigError, match="would not be redacted; .* set `enabled: false`"):
        pii_rules(_with_pii(config, pii))


def test_redaction_turned_off_explicitly_is_said_once_per_run(config, tmp_path):
    from antifraud_corpus.pipeline import ingest_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a", "b"):
        (raw / f"{name}.txt").write_text("关于协查的通告\n犯罪嫌疑人：张某某，男，1980年1月1日出生。\n",
                                         encoding="utf-8")
    report = ingest_corpus(raw, tmp_path / "n", _with_pii(config, {"enabled": False}))
    assert report.ingested == ["a", "b"]
    assert len(report.notes) == 1 and "redaction is turned off" in report.notes[0]
    assert "张某某" in (tmp_path / "n" / "a.json").read_text(encoding="utf-8")


# ---------------------------------------------------------------- role words, `姓名为`


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a role word before a record's name stays
        ("村民刘某，男，65岁，被骗5万元。", "村民[姓名]，男，65岁，被骗5万元。"),
        ("男子王某某，男，1990年生，", "男子[姓名]，男，1990年生，"),
        # `姓名为` before a surname is a field
        ("法定代表人姓名为王小东，", "法定代表人姓名为[姓名]，"),
        ("申请表中姓名为必填项。", "申请表中姓名为必填项。"),
        # a label alone, with no record, says nothing of a private person (news of a public trial)
        ("法院认定被告人王小东、李建华等人的行为构成诈骗罪。", "法院认定被告人王小东、李建华等人的行为构成诈骗罪。"),
    ],
)
def test_role_words_and_name_fields(text, expected, config):
    assert redact(text, config) == expected
