"""Junk and white-space removal: seed documents against the gold checks, page types we lack, invariants."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import default_config_dir, load_config
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.stages.clean import clean_string, find_junk, has_body
from antifraud_corpus.stages.clean_rules import junk_rules
from antifraud_corpus.stages.whitespace import find_whitespace
from antifraud_corpus.text.textmap import Edit, TrackedText
from conftest import RAW_DIR, SEED_PATHS, load_gold

# The input of cleaning is the converted text; convert.py is another stage, so
# these tests approximate it: drop pinyin glosses, OpenCC t2s, and full-width
# , ; : ( ) next to CJK characters.
_GLOSS = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")
_CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’《》]"
_WIDE = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}
_T2S = opencc.OpenCC("t2s")


def converted(raw: str) -> str:
    text = _T2S.convert(_GLOSS.sub("", raw))
    return re.sub(rf"(?<={_CJK})[,;:()]|[,;:()](?={_CJK})", lambda m: _WIDE[m.group()], text)


def norm(text: str) -> str:
    """As score.py compares: width folded, no white space."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def seed(prefix: str) -> str:
    (path,) = [p for p in SEED_PATHS if p.name.startswith(prefix)]
    return converted(path.read_text(encoding="utf-8"))


def junk_reasons(text: str, config) -> Counter:
    return Counter(e.reason for e in find_junk(text, config))


# ---------------------------------------------------------------- seeds and gold


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem[:3])
def test_seed_meets_gold_cleaning_checks(path, config):
    gold = load_gold(path.stem)
    source = converted(path.read_text(encoding="utf-8"))
    text = norm(clean_string(source, config))
    left = [j for j in gold["junk"] if norm(j) in text]
    assert left == []
    # Keep strings that the approximate conversion spoils (mojibake, 著/着) are not cleaning's to keep.
    lost = [k for k in gold["keep"] if norm(k) in norm(source) and norm(k) not in text]
    assert lost == []
    start = text.find(norm(gold["body"]["starts_with"]))
    assert 0 <= start <= len(norm(gold["title"])) + 40
    end = text.rfind(norm(gold["body"]["ends_with"]))
    assert end >= 0 and len(text) - (end + len(norm(gold["body"]["ends_with"]))) <= 10


def test_seed_000_reasons_and_first_title_kept(config):
    text = seed("000")
    assert junk_reasons(text, config) == Counter(
        {"junk:source-line": 2, "junk:breadcrumb": 1, "junk:share-widget": 1, "junk:duplicate-title": 1}
    )
    cleaned = clean_string(text, config)
    title = "湖南省人民代表大会常务委员会关于加强打击治理电信网络诈骗违法犯罪工作的决议"
    assert cleaned.startswith(title + "\n湖南省第十三届")
    assert cleaned.count(title) == 1
    assert cleaned.endswith("本决议自公布之日起施行。")


def test_seed_001_headline_list_and_copyright(config):
    edits = find_junk(seed("001"), config)
    by_reason = {e.reason: seed("001")[e.start : e.end] for e in edits}
    assert set(by_reason) == {"junk:copyright", "junk:related-headlines"}
    assert by_reason["junk:copyright"].startswith("版权声明")
    assert by_reason["junk:related-headlines"].count("\n- ") == 9  # all ten bullet lines, one piece


def test_seed_003_article_ends_at_byline(config):
    text = seed("003")
    reasons = junk_reasons(text, config)
    assert reasons["junk:byline"] == 1 and reasons["junk:after-article-end"] == 1
    assert reasons["junk:footer-links"] == 1 and reasons["junk:copyright"] == 1
    (tail,) = [text[e.start : e.end] for e in find_junk(text, config) if e.reason == "junk:after-article-end"]
    assert tail.startswith("11月30日，公安部") and "杨孟臣" in tail
    cleaned = clean_string(text, config)
    for subtitle in (
        "研究建立诈骗钱财返还制度",
        "对通讯网络等领域开展问题风险大排查",
        "尽快开通96110反诈骗专线",
    ):
        assert f"\n{subtitle}\n" in cleaned


def test_seed_004_has_no_junk(config):
    text = seed("004")
    assert find_junk(text, config) == []
    cleaned = clean_string(text, config)
    assert cleaned == text.strip()
    assert cleaned.count("\n■") == 3


def test_seed_002_adoption_note_kept(config):
    cleaned = clean_string(seed("002"), config)
    assert "2023年2月7日临汾市第五届人民代表大会常务委员会第七次会议通过" in cleaned
    assert "浏览次数" not in cleaned and "2023-02-09" not in cleaned


def test_raw_seeds_exist():
    assert len(list(RAW_DIR.glob("*.txt"))) == 5


# ---------------------------------------------------------------- pages we do not have

GOV_PAGE = """首页 > 政策 > 政策文件库 > 国务院文件
【字体：大 中 小】 打印本页 关闭窗口
国务院办公厅关于进一步加强打击治理电信网络诈骗工作的通知
国办发〔2023〕12号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　电信网络诈骗犯罪严重侵害人民群众财产安全。为进一步加强打击治理工作，经国务院同意，现就有关事项通知如下：
　　一、加强组织领导。各地区各部门要把打击治理电信网络诈骗工作摆上重要议事日程，压实工作责任。
　　（一）电信企业要落实实名制。
　　二、加强宣传教育。各地区要广泛开展反诈宣传，提高群众防范意识。
　　附件：1. 重点任务分工表
　　　　　2. 联系人名单
国务院办公厅
2023年5月6日
（此件公开发布）
扫一扫在手机打开当前页
相关稿件
关于印发某某规划的通知
国务院关于某某工作的意见
某某部门负责人就某某答记者问
上一篇：国务院办公厅关于某某的通知
下一篇：国务院关于某某的批复
[责任编辑：张三]
主办单位：国务院办公厅 运行维护单位：中国政府网运行中心
版权所有：中国政府网 | 中文域名：中国政府网.政务
网站标识码bm01000001 京ICP备05070218号 京公网安备11010202000001号
"""


def test_gov_page_keeps_document_and_signature(config):
    cleaned = clean_string(GOV_PAGE, config)
    assert cleaned.startswith(
        "国务院办公厅关于进一步加强打击治理电信网络诈骗工作的通知\n国办发〔2023〕12号\n"
    )
    assert cleaned.endswith(
        "附件：1. 重点任务分工表\n2. 联系人名单\n国务院办公厅\n2023年5月6日\n（此件公开发布）"
    )
    reasons = {e.reason for e in find_junk(GOV_PAGE, config)}
    assert reasons == {
        "junk:breadcrumb", "junk:page-tools", "junk:share-widget", "junk:related-headlines",
        "junk:prev-next", "junk:source-line", "junk:footer-links", "junk:copyright",
    }  # fmt: skip


LAW_PAGE = """中华人民共和国反电信网络诈骗法

（2022年9月2日第十三届全国人民代表大会常务委员会第三十六次会议通过）

目　　录
第一章　总　　则
第二章　电信治理
第三章　金融治理
第七章　附　　则

第一章　总　　则

第一条　为了预防、遏制和惩治电信网络诈骗活动，加强反电信网络诈骗工作，根据宪法，制定本法。

第二章　电信治理

第九条　电信业务经营者应当依法全面落实电话用户真实身份信息登记制度。

第七章　附　　则

第五十条　本法自2022年12月1日起施行。
来源：中国人大网
责任编辑：李四
打印本页  关闭窗口
"""


def test_law_page_keeps_contents_chapters_and_articles(config):
    cleaned = clean_string(LAW_PAGE, config)
    lines = cleaned.split("\n")
    assert lines[:4] == ["中华人民共和国反电信网络诈骗法",
                         "（2022年9月2日第十三届全国人民代表大会常务委员会第三十六次会议通过）",
                         "目录", "第一章 总则"]  # fmt: skip
    assert lines.count("第二章 电信治理") == 2  # the table of contents and the chapter itself
    assert "第一条 为了预防、遏制和惩治电信网络诈骗活动" in cleaned
    assert cleaned.endswith("第五十条 本法自2022年12月1日起施行。")


def test_notice_with_attachment_list_after_content(config):
    page = (
        "当前位置：首页 > 通知公告\n某某省公安厅关于开展反诈宣传月活动的通知\n"
        "发布时间：2023-03-01 10:00  来源：省公安厅  浏览次数：1234\n各市州公安局：\n"
        "为深入贯彻落实《中华人民共和国反电信网络诈骗法》，省厅决定开展反诈宣传月活动。现将有关事项通知如下：\n"
        "一、活动时间\n2023年3月1日至3月31日。\n二、工作要求\n各地要高度重视，精心组织，确保活动取得实效。\n"
        "附件：活动方案\n任务分工表\n宣传材料清单\n某某省公安厅\n2023年3月1日\n分享到：\n"
    )
    cleaned = clean_string(page, config)
    assert cleaned.startswith("某某省公安厅关于开展反诈宣传月活动的通知\n各市州公安局：")
    assert cleaned.endswith("附件：活动方案\n任务分工表\n宣传材料清单\n某某省公安厅\n2023年3月1日")


def test_appendix_after_end_marker_resumes_document(config):
    body = "各地要加强反诈宣传，落实工作责任，确保各项措施取得实效。" * 6
    tail = "责任编辑：王某\n相关新闻标题一则\n附件\n反诈工作方案\n一、总体要求。\n"
    page = f"关于加强反诈工作的通知\n{body}\n{tail}"
    cleaned = clean_string(page, config)
    assert "相关新闻标题一则" not in cleaned and "王某" not in cleaned
    assert cleaned.endswith("附件\n反诈工作方案\n一、总体要求。")


def test_markup_links_and_entities(config):
    page = (
        "# 关于加强反诈工作的意见\n\n**发布日期：**2023-01-01\n\n"
        "<p>各地要加强反诈工作，落实&nbsp;责任&amp;义务。[查看原文](http://example.com/a.html)</p>\n"
        "<p>要推广[国家反诈中心APP](https://example.com/app)，详见 https://www.example.com/x?id=1 。</p>\n"
        "本意见自印发之日起施行。\ufffd\n"
    )
    cleaned = clean_string(page, config)
    assert cleaned == (
        "关于加强反诈工作的意见\n各地要加强反诈工作，落实责任&义务。\n要推广国家反诈中心APP，详见。\n本意见自印发之日起施行。"
    )
    reasons = junk_reasons(page, config)
    assert reasons["junk:undecodable"] == 1 and reasons["junk:source-line"] == 1
    entity = [e for e in find_junk(page, config) if e.replacement]
    assert [e.replacement for e in entity] == ["\u00a0", "&"]


def test_timestamp_line_goes_but_signature_date_stays(config):
    body = "各地要加强反诈宣传，落实工作责任，确保各项措施取得实效。" * 3
    page = f"2022-09-26 20:07:15\n{body}\n某某市人民政府\n2022年9月26日"
    assert [e.reason for e in find_junk(page, config)] == ["junk:timestamp"]


def test_byline_variants(config):
    for line in ("文/本报记者 高语阳", "（记者 张三 李四）", "本报记者 王五", "（完）", "摄影：赵六"):
        assert find_junk(line, config)[0].reason == "junk:byline", line
    for line in ("北京青年报记者在会上获悉，下一步要加强防范。", "记者从公安部获悉"):
        assert find_junk(line, config) == [], line


def test_bad_rule_is_a_config_error():
    config = load_config(default_config_dir(), ["clean.line_rules=[{id: x, pattern: '('}]"])
    with pytest.raises(ConfigError, match=r"clean\.yaml: line_rules\[0\]"):
        junk_rules(config)


# ---------------------------------------------------------------- white space


def ws(text: str, config) -> str:
    tracked, _, _ = TrackedText.from_raw(text).apply(find_whitespace(text, config))
    return tracked.text


def test_whitespace_rules(config):
    assert (
        ws("\r\n\n  第一段。 \r\n\r\n\r\n\u3000\u3000第二段。\u00a0\r第三段\n\n", config)
        == "第一段。\n第二段。\n第三段"
    )
    assert ws("会议  认为，要 加强 工作。", config) == "会议认为，要加强工作。"
    assert ws("use  the   app and  API 接口", config) == "use the app and API 接口"
    assert (
        ws("中共中央办公厅\u3000国务院办公厅印发《意见》", config)
        == "中共中央办公厅 国务院办公厅印发《意见》"
    )
    assert ws("第二章　　电信治理", config) == "第二章 电信治理"
    assert (
        ws("第一条　为了预防、遏制电信网络诈骗，制定本法。", config)
        == "第一条 为了预防、遏制电信网络诈骗，制定本法。"
    )
    assert ws("目　　录", config) == "目录"
    assert ws("中 华 人 民 共 和 国", config) == "中华人民共和国"
    assert ws("反\u200b诈", config) == "反诈"


def test_whitespace_edits_only_touch_white_space(config):
    text = seed("002")
    for edit in find_whitespace(text, config):
        assert text[edit.start : edit.end].strip() == "" or text[edit.start : edit.end] == "\u200b"
        assert edit.reason == "whitespace"
        assert edit.replacement in ("", " ", "\n")


_ALPHABET = "反诈要加强。，ab 1\u3000\u00a0\t\r\n\u200b"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=_ALPHABET, max_size=60))
def test_whitespace_keeps_every_visible_character_and_is_idempotent(text, config):
    out = ws(text, config)
    visible = re.compile(r"[\s\u200b]")
    assert visible.sub("", out) == visible.sub("", text)
    assert "\r" not in out and "\n\n" not in out
    assert out == out.strip()
    assert all(line == line.strip() for line in out.split("\n"))
    assert find_whitespace(out, config) == []


SEED_LINES = [line for p in SEED_PATHS for line in converted(p.read_text(encoding="utf-8")).splitlines()]


_JUNKY = st.text(alphabet="来源：编辑 >|- 反诈\u3000", max_size=10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(st.sampled_from(SEED_LINES), _JUNKY), max_size=15))
def test_junk_edits_apply_cleanly_on_any_mix_of_lines(lines, config):
    text = "\n".join(lines)
    edits = find_junk(text, config)
    tracked, removed, replaced = TrackedText.from_raw(text).apply(edits)
    assert sum(len(r.text) for r in removed) + len(tracked.text) - sum(
        len(r.replacement) for r in replaced
    ) + sum(r.end - r.start for r in replaced) == len(text)
    tracked, _, _ = tracked.apply(find_whitespace(tracked.text, config))
    assert "\n\n" not in tracked.text


def test_crlf_page_is_cleaned_like_lf(config):
    text = seed("000")
    assert clean_string(text.replace("\n", "\r\n"), config) == clean_string(text, config)
    assert junk_reasons(text.replace("\n", "\r\n"), config) == junk_reasons(text, config)


def test_widget_words_alone_are_not_junk(config):
    para = "各地要用好新媒体平台，广泛开展反诈宣传，提高群众识骗防骗能力。"
    page = f"{para}\n用好政务微信\n{para}\n湖南人大微信\n公众号二维码\n—分享—\n{para}"
    cleaned = clean_string(page, config)
    assert "用好政务微信" in cleaned
    assert "湖南人大微信" not in cleaned and "公众号二维码" not in cleaned


def test_invisible_characters_do_not_hide_a_junk_line(config):
    para = "各地要用好新媒体平台，广泛开展反诈宣传，提高群众识骗防骗能力。"
    page = f"{para}\n分\u200b享到：微信 微博\n\ufeff来\u200d源：\u2060某某网\n{para}"
    edits = find_junk(page, config)
    # The edits still cover the line as written, invisible characters included.
    assert [(page[e.start : e.end], e.reason) for e in edits] == [
        ("分\u200b享到：微信 微博\n", "junk:share-widget"),
        ("\ufeff来\u200d源：\u2060某某网\n", "junk:source-line"),
    ]
    assert clean_string(page, config) == f"{para}\n{para}"


def test_table_rows_are_not_footer_links(config):
    para = "各地要用好新媒体平台，广泛开展反诈宣传，提高群众识骗防骗能力。" * 6
    page = f"{para}\n| 序号 | 任务 | 牵头单位 |\n1 | 加强宣传 | 市公安局\n{para}"
    assert find_junk(page, config) == []
    assert find_junk("网站简介 | 版权声明 | 广告服务 | 联系方式", config)[0].reason == "junk:footer-links"


def test_contact_fields_after_the_body_stay(config):
    para = "各地要高度重视，精心组织，确保活动取得实效，并于3月底前报送工作总结。"
    fields = "联系人：王五\n联系电话：0357-1234567\n电子邮箱：fanzha@example.cn"
    page = f"{para}\n{fields}\n某某市公安局\n2023年3月1日"
    assert find_junk(page, config) == []


def test_short_article_with_long_unrelated_tail(config):
    article = (
        "会议要求，各地要压实行业监管责任，加强技术反制，强化宣传教育，坚决遏制电信网络诈骗犯罪多发态势。"
        * 18
    )
    tail = "\n".join(["某地举办反诈宣传活动，吸引群众参与，现场发放宣传资料一千余份，取得良好效果。"] * 60)
    page = f"{article}\n责任编辑：张三\n{tail}"
    assert clean_string(page, config) == article


_WIDE_MIX = st.text(alphabet=st.one_of(
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
    st.sampled_from("\u3000 abcAZ09,.:中文繁體\u0301\u0308\u1100\u1161\u11a8\ufb01\u2460\u3300\u00a0\u212b"),
    st.characters(),
), max_size=12)


@given(_WIDE_MIX)
def test_line_keys_are_the_nfkc_form_without_white_space(text):
    from antifraud_corpus.stages.clean import _norm

    assert _norm(text) == "".join(unicodedata.normalize("NFKC", text).split())


def test_line_rules_are_tried_only_on_lines_with_what_they_need(config):
    rules = junk_rules(config)
    # every inline rule names strings its matches must contain: a line without them is skipped
    assert rules.inline_needles is not None
    assert not rules.inline_needles.search("各地区各部门要加强组织领导，压实工作责任")
    labelled = find_junk("当前位置：首页>新闻\n正文第一段。\nCopyright © 2012 hnr.cn\n", config)
    assert [e.reason for e in labelled] == ["junk:breadcrumb", "junk:copyright"]
    # a line rule that would look through every line for what it needs is gated on a needle regex
    gated = load_config(default_config_dir(), [
        "clean.line_rules=[{id: stamp, pattern: '[^，。]{0,12}编辑部\\s*出品', max_chars: 40}]"])
    rules = junk_rules(gated)
    assert [r.gated for r in rules.line_rules] == [True] and rules.line_needles is not None
    assert rules.line_needles.search("本网编辑部 出品") and not rules.line_needles.search("正文第一段。")
    assert [e.reason for e in find_junk("正文第一段。\n本网编辑部 出品\n", gated)] == ["junk:stamp"]


# ---------------------------------------------------------------- the rules tried in steps

_RULE_WORDS = ["当前位置：", "首页>", "新闻 > 正文", "来源：新华网", "作者：", "2022-09-26", " 10:00:15", "分享到",
               "微信", "公众号", "二维码", "扫一扫", "【字体：大 中 小】", "打印", "关闭窗口", "Copyright ©",
               "湘ICP备1号", "主办单位：", "记者 张三", "（完）", "文/", "相关新闻", "上一篇：", "---", "```",
               "http://a.cn/x", "阅读原文", "第一章", "一、", "（一）", "1.", "附件", "本网", "|", "《", "。", "，",
               "未经许可", "增值电信业务经营许可证", "<!-- x -->", "|---|", "(更新时间戳: 1)", "新闻摘要", "##"]


def _lines_to_label(config) -> list[str]:
    lines = [ln.strip() for path in SEED_PATHS for ln in converted(path.read_text(encoding="utf-8")).split("\n")]
    return [ln for ln in lines if ln]


def _label_rule_by_rule(line: str, rules) -> tuple[str | None, bool, bool]:
    """What the steps must find: the first line rule that matches, each tried on its own."""
    import dataclasses

    from antifraud_corpus.stages.clean import _line_label, _reads_as_sentence

    for rule in rules.line_rules:
        if (rule.max_chars is None or len(line) <= rule.max_chars) and rule.pattern.search(line):
            if rule.not_in_sentences and _reads_as_sentence(line, rules):
                continue
            return rule.id, rule.weak, rule.in_articles
    return _line_label(line, dataclasses.replace(rules, line_steps=tuple(() for _ in rules.line_steps)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_RULE_WORDS), min_size=1, max_size=6), st.integers(0, 200))
def test_line_rules_in_steps_label_as_one_by_one(config, words, padding):
    from antifraud_corpus.stages.clean import _line_label

    rules = junk_rules(config)
    for line in ("".join(words), "".join(words) + "文" * padding, "文" * padding + "".join(words)):
        assert _line_label(line, rules) == _label_rule_by_rule(line, rules)
        assert any(find(line) for find in rules.keep_steps) == any(p.search(line) for p in rules.keep_lines)


def test_seed_lines_labelled_in_steps_as_one_by_one(config):
    from antifraud_corpus.stages.clean import _line_label

    rules = junk_rules(config)
    assert len(rules.line_steps) == len(rules.step_limits) + 1
    assert any(len(step.rules) > 1 for step in rules.line_steps[0])  # anchored rules were joined
    for line in _lines_to_label(config):
        assert _line_label(line, rules) == _label_rule_by_rule(line, rules)


@given(st.text(alphabet="网络安全ＡＢ１２　 \u3000e\u0301한\u1100\u1161ﬁ，。", max_size=60))
def test_a_key_keeps_every_han_character(text):
    from antifraud_corpus.stages.clean import _HAN, _norm

    # what lets a line with more Han characters than a title may have go unfolded
    assert len(_norm(text)) >= sum(map(len, _HAN.findall(text)))


# ---------------------------------------------------------------- markdown laws and statute text

MARKDOWN_LAW = """# 某某省电信设施保护条例

2020年6月4日 某某省第十三届人民代表大会常务委员会第十八次会议通过

2020年10月1日 施行

<!-- INFO END -->

## 第一章  总则

第一条 为了保护电信设施，制定本条例。

### 第一节\u3000一般规定

第二条 电信业务经营者应当履行下列义务：

（一）建立监测制度；

（二）保存记录。

<!-- TABLE -->
| 设施 | 保护范围 |
|-----|-----|
| 光缆 | 两侧各五米 |
| 基站 | 周边三米 |
| 铁塔 | 周边十米 |
<!-- TABLE END -->

## 第二章 附则

第三条 本条例自2020年10月1日起施行。
"""


def test_markdown_law_keeps_headings_notes_and_table_rows(config):
    cleaned = clean_string(MARKDOWN_LAW, config)
    lines = cleaned.split("\n")
    assert lines[:3] == ["某某省电信设施保护条例",
                         "2020年6月4日 某某省第十三届人民代表大会常务委员会第十八次会议通过",
                         "2020年10月1日 施行"]  # fmt: skip
    assert "第一章 总则" in lines and "第一节 一般规定" in lines and "第二章 附则" in lines
    assert "| 光缆 | 两侧各五米 |" in lines and "| 铁塔 | 周边十米 |" in lines  # cells are content
    assert "#" not in cleaned and "INFO END" not in cleaned and "TABLE" not in cleaned and "---" not in cleaned
    reasons = junk_reasons(MARKDOWN_LAW, config)
    assert set(reasons) == {"junk:markup"}  # marks, comments and the separator row; nothing else


def test_statute_sentences_that_read_like_page_furniture_stay(config):
    law = (
        "# 某某省电信条例\n\n"
        "第十五条 未经许可，任何单位或者个人不得从事电信业务经营活动。\n\n"
        "未经许可擅自经营增值电信业务的，由电信管理机构责令改正。\n\n"
        "第十六条 经营者应当在取得增值电信业务经营许可证后，向电信管理机构备案。\n\n"
        "第十七条 本条例自2020年10月1日起施行。\n\n"
        "未经授权，任何单位不得利用电信网络从事违法和不良信息举报处理以外的活动。\n"
    )
    assert find_junk(law, config) == [Edit(0, 2, "", "junk:markup")]
    cleaned = clean_string(law, config)
    assert "未经许可擅自经营增值电信业务的" in cleaned
    assert cleaned.endswith("第十七条 本条例自2020年10月1日起施行。\n"
                            "未经授权，任何单位不得利用电信网络从事违法和不良信息举报处理以外的活动。")


def test_a_real_copyright_footer_is_still_cut(config):
    body = "各地要加强反诈宣传，落实工作责任，确保各项措施取得实效。" * 6
    page = (f"某某市反诈工作通知\n{body}\n一、加强组织领导。\n二、强化宣传教育。\n"
            "未经授权禁止转载\n增值电信业务经营许可证：湘B2-20090001\n版权所有 © 2023 某某网\n")
    reasons = junk_reasons(page, config)
    assert reasons == Counter({"junk:copyright": 2, "junk:footer-links": 1})
    assert clean_string(page, config).endswith("二、强化宣传教育。")


def test_a_cut_after_the_article_end_never_takes_numbered_articles(config):
    body = "各地要加强反诈宣传，落实工作责任，确保各项措施取得实效。" * 30
    articles = "第一条 为了预防电信网络诈骗，制定本条例。\n第二条 本条例自公布之日起施行。\n"
    page = f"某某条例\n{body}\n来源：某某网\n{articles}"
    # the source line goes, but the articles after it are the document's: no cut
    assert junk_reasons(page, config) == Counter({"junk:source-line": 1})
    page = f"某某通知\n{body}\n责任编辑：王某\n某地举办反诈宣传活动。\n"
    assert junk_reasons(page, config) == Counter({"junk:source-line": 1, "junk:after-article-end": 1})


def test_short_lines_ending_a_document_are_no_headline_list_without_furniture(config):
    law = ("第七十四条 本条例自2013年7月1日起施行，原条例同时废止。\n送：省人大常委会\n"
           "市级机关各部门、市直属各单位\n各区县（市）人大常委会、政府\n市人大常委会组成人员，各工作机构\n")
    assert find_junk(law, config) == []
    page = law + "相关新闻\n"
    assert set(junk_reasons(page, config)) == {"junk:related-headlines"}


def test_a_title_and_header_notes_alone_are_kept(config):
    page = ("# 某某省某某条例\n\n2019年11月29日 某某省第十三届人民代表大会常务委员会第十四次会议通过\n\n"
            "<!-- INFO END -->\n")
    assert clean_string(page, config) == ("某某省某某条例\n"
                                          "2019年11月29日 某某省第十三届人民代表大会常务委员会第十四次会议通过")
    assert not has_body(clean_string(page, config), config)
    assert has_body("某某省某某条例\n第一条 为了。", config) and has_body("各地要加强反诈宣传。", config)


# ---------------------------------------------------------------- news bulletins

BULLETIN = """# 《新闻联播》 (20240105)

## 新闻摘要

本期节目主要内容：


1.某某会见某国总理；


2.国内联播快讯：


（1）某地开展反诈宣传月活动；


（2）某省上线反诈预警平台。
（《新闻联播》 20240105 19:00）

## 详细新闻

### 某某会见某国总理

<p><strong>央视网消息</strong>（新闻联播）：5日上午，某某会见某国总理。</p><p>双方表示，要深化合作。&nbsp;</p>

[查看原文](https://tv.cctv.com/2024/01/05/VIDEabc.shtml)

### 国内联播快讯

<p><strong>央视网消息</strong>（新闻联播）：</p><p><strong>某地开展反诈宣传月活动</strong></p><p>某地公安机关开展反诈宣传，提醒群众防范电信网络诈骗。</p><p><strong>某省上线反诈预警平台</strong></p><p>某省上线预警平台，拦截诈骗电话。</p>

[查看原文](https://tv.cctv.com/2024/01/05/VIDEdef.shtml)



---

(更新时间戳: 1704459600000)
"""


def test_bulletin_labels_links_markup_and_footer_are_junk(config):
    cleaned = clean_string(BULLETIN, config)
    for junk in ("新闻摘要", "详细新闻", "查看原文", "cctv.com", "<", "&nbsp;", "---", "更新时间戳", "#"):
        assert junk not in cleaned, junk
    assert cleaned.startswith("《新闻联播》 (20240105)\n本期节目主要内容：\n1.某某会见某国总理；\n")
    # a bold paragraph is the headline of a news flash: a line of its own
    assert ("国内联播快讯\n央视网消息（新闻联播）：\n某地开展反诈宣传月活动\n"
            "某地公安机关开展反诈宣传，提醒群众防范电信网络诈骗。\n某省上线反诈预警平台\n") in cleaned
    assert "after-article-end" not in "".join(junk_reasons(BULLETIN, config))  # the footer is a stamp


def test_a_bold_paragraph_with_a_break_inside_is_a_headline_too(config):
    line = ("<p><strong>央视网消息</strong>（新闻联播）：<br></p><p><strong>某地开展反诈宣传</strong><br></p>"
            "<p>某地公安机关开展反诈宣传。</p>\n")
    assert clean_string(line, config) == "央视网消息（新闻联播）：\n某地开展反诈宣传\n某地公安机关开展反诈宣传。"


def _merged_one_by_one(edits: list[Edit]) -> list[Edit]:
    """Touching deletions with one reason joined edit by edit; deletions of nothing dropped."""
    out: list[Edit] = []
    for edit in edits:
        if edit.end <= edit.start and not edit.replacement:
            continue
        if out and not out[-1].replacement and not edit.replacement and out[-1].end == edit.start and (
                out[-1].reason == edit.reason):
            out[-1] = Edit(out[-1].start, edit.end, "", out[-1].reason)
        else:
            out.append(edit)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from(["", " ", "\n"]),
                          st.sampled_from(["whitespace", "junk:markup"])), max_size=12))
def test_merged_deletions_are_the_ones_joined_edit_by_edit(steps):
    from antifraud_corpus.stages.whitespace import _merge_deletions

    edits, at = [], 0
    for gap, length, replacement, reason in steps:  # in order, never overlapping
        edits.append(Edit(at + gap, at + gap + length, replacement, reason))
        at += gap + length
    assert _merge_deletions(list(edits)) == _merged_one_by_one(edits)


def test_touching_blank_lines_go_as_one_deletion(config):
    text = "第一条 甲。\n\n\n第二条 乙。\n\n第三条 丙。"
    assert [e[:2] for e in find_whitespace(text, config)] == [(7, 9), (16, 17)]  # (the first break stays)
