"""extract: which units of a statute are directives, and their modality (handmade sentences)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import load_config
from antifraud_corpus.extract import compile_rules, extract_duties
from antifraud_corpus.extract.rules import _alternation
from antifraud_corpus.stages.segment import segment_clauses


@pytest.fixture(scope="module")
def config():
    return load_config()


def _articles(*articles: str) -> str:
    """A small statute: a purpose article, then `articles` as 第二条, 第三条, … (blank lines between paragraphs)."""
    numbers = "二三四五六七八九"
    lines = ["第一条 为了规范测试工作，制定本规定。"]
    lines += [f"第{numbers[k]}条 {body}" for k, body in enumerate(articles)]
    return "\n\n".join(lines) + "\n"


def _duties(text: str, config) -> list[tuple[str, str, str, str]]:
    """(clause, sentence, modality, marker) of each directive."""
    return [(d.clause, d.sentence, d.modality, d.marker)
            for d in extract_duties(text, segment_clauses(text, config), config)]


def test_a_duty_list_gives_directives_an_object_list_none(config):
    text = _articles(
        "网络运营者应当履行下列安全义务：\n\n（一）核对用户的真实身份；\n\n（二）法律、法规规定的其他义务。",
        "下列场所应当设置防骗提示：\n\n（一）车站、码头；\n\n（二）银行营业厅。",
        "银行应当告知客户下列事项：\n\n（一）转账的风险；\n\n（二）冻结的期限。",
        "经营者开办网店，应当遵守下列规定：\n\n（一）公示经营者的身份；",
    )
    assert _duties(text, config) == [
        ("第二条", "网络运营者应当履行下列安全义务：", "obligation", "应当"),
        ("第二条/（一）", "核对用户的真实身份；", "obligation", ""),
        ("第三条", "下列场所应当设置防骗提示：", "obligation", "应当"),
        ("第四条", "银行应当告知客户下列事项：", "obligation", "应当"),
        ("第五条", "经营者开办网店，应当遵守下列规定：", "obligation", "应当"),
        ("第五条/（一）", "公示经营者的身份；", "obligation", ""),
    ]


def test_a_list_of_systems_keeps_its_acts_and_drops_its_nouns(config):
    text = _articles("运营单位应当建立以下管理制度：\n\n（一）用户登记和核验制度；\n\n"
                     "（二）采取日志留存的技术措施，并定期检查；")
    assert _duties(text, config) == [
        ("第二条", "运营单位应当建立以下管理制度：", "obligation", "应当"),
        ("第二条/（二）", "采取日志留存的技术措施，并定期检查；", "obligation", ""),
    ]


def test_prohibited_acts_are_prohibitions_and_a_forbidden_catch_all_is_no_act(config):
    text = _articles("任何单位不得有下列行为：\n\n（一）出租、出借银行账户；\n\n（二）利用网络发送诈骗信息；\n\n"
                     "（三）法律、法规禁止的其他行为。")
    assert _duties(text, config) == [
        ("第二条", "任何单位不得有下列行为：", "prohibition", "不得"),
        ("第二条/（一）", "出租、出借银行账户；", "prohibition", ""),
        ("第二条/（二）", "利用网络发送诈骗信息；", "prohibition", ""),
    ]


def test_a_list_runs_past_its_tenth_item(config):
    items = "\n\n".join(f"（{n}）提醒第{k}类用户；" for k, n in enumerate("一二三四五六七八九十", 1))
    text = _articles(f"银行应当履行下列义务：\n\n{items}\n\n（十一）提醒其他用户。")
    duties = _duties(text, config)
    assert duties[-1] == ("第二条/（十一）", "提醒其他用户。", "obligation", "")
    assert len(duties) == 12


def test_a_prohibition_does_not_turn_the_positive_order_after_it(config):
    text = "银行不得为匿名客户开立账户。加强对可疑交易的监测。\n"
    assert _duties(text, config) == [
        ("", "银行不得为匿名客户开立账户。", "prohibition", "不得"),
        ("", "加强对可疑交易的监测。", "obligation", ""),
    ]


def test_a_definition_with_a_modal_word_inside_is_no_directive(config):
    text = _articles("公安机关应当指定反诈联络员。\n\n"
                     "本规定所称的反诈联络员，是指依照规定应当承担宣传和劝阻职责的人员。")
    assert _duties(text, config) == [("第二条", "公安机关应当指定反诈联络员。", "obligation", "应当")]


def test_a_statutory_duty_with_a_bare_verb_and_its_list(config):
    text = _articles("公安机关负责本辖区电信诈骗的防范管理工作。",
                     "公安机关对反诈工作履行以下监督职责：\n\n（一）查处利用网络实施的诈骗活动；")
    assert _duties(text, config) == [
        ("第二条", "公安机关负责本辖区电信诈骗的防范管理工作。", "obligation", ""),
        ("第三条", "公安机关对反诈工作履行以下监督职责：", "obligation", ""),
        ("第三条/（一）", "查处利用网络实施的诈骗活动；", "obligation", ""),
    ]


@pytest.mark.parametrize(("text", "modality", "marker"), [
    # a late 可 decides, wherever it stands
    ("由公安机关给予警告，责令改正，并可处以五千元以下罚款。", "permission", "可"),
    ("对负有责任的主管人员可处以一千元以下罚款。", "permission", "可"),
    ("亲属之间骗取少量财物，被害人谅解的，一般可不按犯罪处理。", "permission", "可"),
    # a modal word inside a condition is no marker
    ("实施禁止性行为的，由公安机关责令改正。", "obligation", ""),
    ("发现法律禁止发布的信息时，应当立即停止传输。", "obligation", "应当"),
    ("银行不得在客户开户时，代为填写身份信息。", "prohibition", "不得"),
    ("鼓励商户在收款时，提示顾客核对收款人。", "encouragement", "鼓励"),
    # `是指导` is no definition
    ("各地要认真学习这份纲要，这是指导今后工作的依据。", "obligation", "要"),
    # 支持 paired with 鼓励 heads the unit
    ("支持和鼓励银行开展反诈宣传。", "encouragement", "支持"),
    # judicial bare verbs and refusals
    ("明知他人实施诈骗，为其提供银行账户的，以共同犯罪论处。", "obligation", ""),
    ("同时构成两个罪名的，依照处罚较重的规定处罚。", "obligation", ""),
    ("第三人已经合法取得该财物的，不予没收。", "prohibition", ""),
    # a penalty part with no authority of its own
    ("情节严重的，给予三个月以内停业整顿的处罚。", "obligation", ""),
    ("造成设备损坏的，依法予以赔偿。", "obligation", ""),
    ("泄露用户信息造成损失的，依法承担民事责任。", "obligation", ""),
    ("出租电话卡的，由公安机关依照其规定处罚。", "obligation", ""),
])
def test_modality_of_one_sentence(config, text, modality, marker):
    assert _duties(text + "\n", config) == [("", text, modality, marker)]


@pytest.mark.parametrize("text", [
    "但是，经匿名化处理不能识别个人的除外。",
    "系统运行日志应当保存的期限，是指自记录之日起算的期间。",
    "转账时未按提示核对而不予制止；",
    "对出租电话卡的行为，其他法律已经规定处罚的，从其规定。",
])
def test_no_directive(config, text):
    assert _duties(text + "\n", config) == []


def test_the_paragraph_after_a_list_is_no_item(config):
    # the clause of the last item runs on over the next paragraph; it is still the article's 款
    text = _articles("具有下列情形之一的，应当从重处理：\n\n（一）多次作案的；\n\n（二）骗取老人财物的。\n\n"
                     "第三人已经合法取得该财物的，不予没收。")
    assert _duties(text, config) == [
        ("第二条", "具有下列情形之一的，应当从重处理：", "obligation", "应当"),
        ("第二条/（二）", "第三人已经合法取得该财物的，不予没收。", "prohibition", ""),
    ]


def test_an_order_may_open_with_a_preposition_before_its_verb(config):
    text = _articles("银行发现可疑交易的，应当立即冻结账户。涉及外地账户的，向当地公安机关报告。")
    assert _duties(text, config) == [
        ("第二条", "银行发现可疑交易的，应当立即冻结账户。", "obligation", "应当"),
        ("第二条", "涉及外地账户的，向当地公安机关报告。", "obligation", ""),
    ]


def test_a_modal_word_lends_its_modality_to_the_orders_of_its_own_paragraph_of_an_article(config):
    # in a policy outline a numbered clause's paragraphs share one governor; an article's 款 stand alone
    text = _articles("国家鼓励银行开展反诈宣传，加强对老年人的提醒。\n\n加强对可疑交易的监测。")
    assert _duties(text, config) == [
        ("第二条", "国家鼓励银行开展反诈宣传，加强对老年人的提醒。", "encouragement", "鼓励"),
        ("第二条", "加强对可疑交易的监测。", "obligation", ""),
    ]
    outline = "一、宣传\n\n鼓励银行开展反诈宣传。\n\n加强对老年人的提醒。\n"
    assert _duties(outline, config) == [
        ("一", "鼓励银行开展反诈宣传。", "encouragement", "鼓励"),
        ("一", "加强对老年人的提醒。", "encouragement", ""),
    ]


# Pieces of penalty clauses, definitions, reports and duty phrases (handmade), and filler.
_RULE_PIECES = ["由", "县公安机关", "处", "五千元以上", "罚款", "拘留", "追究", "刑事", "责任", "责令改正", "给予警告",
                "给予", "记过", "处分", "没收违法所得", "吊销", "营业许可证", "以诈骗罪论处", "依照", "规定", "罪",
                "定罪", "处罚", "是指", "本条例所称", "负责", "反诈宣传", "保护工作的部门", "负有", "监管职责的部门",
                "作出", "处理决定的机关", "依法", "，", "。", "；", "、", "的", "已经", "截至", "甲", "乙"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_RULE_PIECES), max_size=14))
def test_rules_behind_a_lookahead_find_what_the_plain_rules_find(config, pieces):
    # the compiled stand-ins (first-character scans, accelerated duty phrases) against the
    # patterns written in the configs
    rules = compile_rules(config)
    mod, grammar = config["modality"], config["agencies"]
    pairs = [(rules.penalty_cue_re, _alternation(mod["penalty"]["cues"])),
             (rules.definition_re, _alternation(mod["not_directive"]["definitions"])),
             (rules.not_directive_re, _alternation([*mod["not_directive"]["patterns"],
                                                    *mod["not_directive"]["definitions"]]))]
    pairs += [(fast, re.compile(rule["pattern"]))
              for (fast, _), rule in zip(rules.actors.agencies.phrases, grammar["duty_phrases"], strict=True)]
    text = "".join(pieces)
    for fast, plain in pairs:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], plain.pattern
        found, want = fast.search(text, 1), plain.search(text, 1)
        assert (found and found.group()) == (want and want.group())
