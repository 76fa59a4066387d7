"""Clause segmentation: paths, offsets, chapters, paragraph fallback, numbering problems."""

from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path

import opencc
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import Config, default_config_dir, load_config
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.stages.segment import numbering_problems, segment_clauses

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GOLD = ROOT / "tests" / "fixtures" / "gold"


@lru_cache(maxsize=1)
def _config() -> Config:
    """Only segment.yaml, so these tests do not depend on other stages' config files."""
    data = yaml.safe_load((default_config_dir() / "segment.yaml").read_text(encoding="utf-8"))
    return Config(files={"segment": data})


def _segment(text: str) -> list:
    return segment_clauses(text, _config())


def _paths(text: str) -> list[str]:
    return [c.path for c in _segment(text)]


# --- an approximation of the cleaned body, for the seed documents ------------------------

_PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")
_CJK = "\u4e00-\u9fff“”《》（）"
_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}0-9])([,;:()])|([,;:()])(?=[{_CJK}])")
_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}


@lru_cache(maxsize=8)
def _cleaned(doc: str) -> str:
    raw = (RAW / f"{doc}.txt").read_text(encoding="utf-8")
    text = opencc.OpenCC("t2s").convert(_PINYIN.sub("", raw))
    text = _ASCII_PUNCT.sub(lambda m: _FULL[m.group(1) or m.group(2)], text)
    lines = (line.strip(" \t\u3000") for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _gold() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.yaml"))]


def _check_offsets(text: str, clauses: list) -> None:
    previous_end = 0
    for clause in clauses:
        assert clause.text == text[clause.start : clause.end]
        assert clause.start >= previous_end  # flat, in order, no overlap
        assert clause.text == clause.text.strip()
        previous_end = clause.end


# --- seeds against the gold ----------------------------------------------------------------


def test_seed_clauses_match_gold_with_scorer_rule() -> None:
    tp = fp = fn = 0
    for gold in _gold():
        if gold.get("clauses") is None:
            continue
        text = _cleaned(gold["doc"])
        predicted = _segment(text)
        _check_offsets(text, predicted)
        used: set[int] = set()
        for item in gold["clauses"]:
            want = item["starts_with"]
            for i, clause in enumerate(predicted):
                if (
                    i not in used
                    and clause.path == item["path"]
                    and want[:6] in clause.text[: len(want) + 12]
                ):
                    used.add(i)
                    tp += 1
                    break
            else:
                fn += 1
        fp += sum(1 for c in predicted if not c.path.startswith("¶")) - len(used)
        if not gold["clauses"]:
            assert all(c.path.startswith("¶") for c in predicted), gold["doc"]
    assert tp / (tp + fn) >= 0.95
    assert tp / (tp + fp) >= 0.95


def test_seed_resolution_clause_spans_two_paragraphs() -> None:
    text = _cleaned("000_888081b4012a42ca")
    clauses = {c.path: c for c in _segment(text)}
    second = clauses["二"]
    assert second.heading == "二、"
    assert second.text.startswith("各级人民政府要加强组织领导")
    assert "\n公安机关要切实履行反电诈工作牵头单位责任" in second.text
    assert "\n本决议自公布之日起施行。" in clauses["十"].text  # un-numbered text after the last clause
    preamble_end = text.index("一、")
    assert all(c.start > preamble_end for c in clauses.values())


def test_seed_news_subtitles_head_the_next_paragraph() -> None:
    gold = yaml.safe_load((GOLD / "003_88b48e3f98e8c1bb.yaml").read_text(encoding="utf-8"))
    clauses = _segment(_cleaned(gold["doc"]))
    assert [c.heading for c in clauses if c.heading] == gold["subheadings"]
    headed = next(c for c in clauses if c.heading == "研究建立诈骗钱财返还制度")
    assert headed.path.startswith("¶")
    assert headed.text.startswith("赵克志表示")
    assert not any(c.text == "研究建立诈骗钱财返还制度" for c in clauses)


def test_packaged_config_loads_and_segments() -> None:
    text = "前言。\n一、甲。\n二、乙。"
    assert [c.path for c in segment_clauses(text, load_config())] == ["一", "二"]


# --- laws: chapters, articles, cross-references --------------------------------------------

LAW = """中华人民共和国反电信网络诈骗法
第一章　总则
第一条　为了预防、遏制和惩治电信网络诈骗活动，制定本法。
第二条　本法所称电信网络诈骗，是指以非法占有为目的的行为。
第二章　电信治理
第九条　电信业务经营者应当依法全面落实电话用户真实身份信息登记制度。
违反本法第二十五条第二款规定的，依照第三十八条规定处罚。
第十条电信业务经营者应当履行下列义务：
（一）建立监测制度；
（二）采取处置措施：
1.限制功能；
2.暂停服务。
第五条规定的情形除外。
第十二条、第十三条的规定适用于前款。
第十二条 有下列情形之一的，依照本法处罚。
第三章 金融治理
第一节 一般规定
第一百零三条 金融机构应当建立监测制度。
第一百零三条之一 本条为增补条文。
"""


def test_law_articles_chapters_and_cross_references() -> None:
    clauses = _segment(LAW)
    _check_offsets(LAW, clauses)
    assert [c.path for c in clauses] == [
        "第一条",
        "第二条",
        "第九条",
        "第十条",
        "第十条/（一）",
        "第十条/（二）",
        "第十条/（二）/1",
        "第十条/（二）/2",
        "第十二条",
        "第一百零三条",
        "第一百零三条之一",
    ]
    by_path = {c.path: c for c in clauses}
    assert by_path["第一条"].heading == "第一条"
    assert by_path["第一条"].text.startswith("为了预防")  # after the full-width space
    assert by_path["第一条"].chapter == "第一章 总则"
    assert by_path["第九条"].chapter == "第二章 电信治理"
    # a cross-reference at a line start stays in the clause above
    assert by_path["第九条"].text.endswith("依照第三十八条规定处罚。")
    assert by_path["第十条"].text == "电信业务经营者应当履行下列义务："
    assert by_path["第十条/（二）/2"].text.startswith("暂停服务。\n第五条规定的情形除外。\n第十二条、")
    assert by_path["第一百零三条"].chapter == "第三章 金融治理 第一节 一般规定"
    # the chapter line ends the article before it
    assert "第三章" not in by_path["第十二条"].text


def test_law_problems_report_article_gaps_only() -> None:
    problems = numbering_problems(_segment(LAW))
    assert [(c.path, message) for c, message in problems] == [
        ("第九条", "numbering gap: 第九条 follows 第二条"),
        ("第十二条", "numbering gap: 第十二条 follows 第十条"),
        ("第一百零三条", "numbering gap: 第一百零三条 follows 第十二条"),
    ]


def test_articles_in_the_hundreds_are_in_sequence() -> None:
    text = "第九十九条　甲。\n第一百条　乙。\n第一百零一条　丙。\n第一百一十条　丁。"
    clauses = _segment(text)
    assert [c.path for c in clauses] == ["第九十九条", "第一百条", "第一百零一条", "第一百一十条"]
    assert [m for _, m in numbering_problems(clauses)] == [
        "numbering starts at 第九十九条",  # an excerpt: reported, since 第一条…第九十八条 are missing
        "numbering gap: 第一百一十条 follows 第一百零一条",
    ]


# --- notices: GB/T 9704 levels -------------------------------------------------------------

NOTICE = """各区县人民政府，市直各部门：
为深入贯彻落实有关部署，现通知如下。
一、总体要求
坚持人民至上。
二、重点任务
（一）加强技术反制。通信管理部门要完善平台。
1.强化监测。
（1）建立模型；
(2)及时预警。
2．落实处置。
3、加强宣传。
（二）强化宣传教育。
三、保障措施
要加强组织领导。
"""


def test_notice_levels_nest_and_spans_are_flat() -> None:
    clauses = _segment(NOTICE)
    _check_offsets(NOTICE, clauses)
    assert [(c.path, c.heading, c.text) for c in clauses] == [
        ("一", "一、", "总体要求\n坚持人民至上。"),
        ("二", "二、", "重点任务"),
        ("二/（一）", "（一）", "加强技术反制。通信管理部门要完善平台。"),
        ("二/（一）/1", "1.", "强化监测。"),
        ("二/（一）/1/（1）", "（1）", "建立模型；"),
        ("二/（一）/1/（2）", "(2)", "及时预警。"),
        ("二/（一）/2", "2．", "落实处置。"),
        ("二/（一）/3", "3、", "加强宣传。"),
        ("二/（二）", "（二）", "强化宣传教育。"),
        ("三", "三、", "保障措施\n要加强组织领导。"),
    ]
    assert numbering_problems(clauses) == []


def test_skipped_levels_attach_to_nearest_parent() -> None:
    text = "序言。\n一、甲\n1.子一。\n2.子二。\n二、乙\n（1）细一。\n（一）丙。"
    assert _paths(text) == ["一", "一/1", "一/2", "二", "二/（1）", "二/（一）"]


def test_weak_numbers_must_fit_their_sequence() -> None:
    text = "\n".join(
        [
            "一、总体要求。",
            "1.第一项。",
            "2.第二项。",
            "3.5亿元资金已到位。",  # a decimal, not a heading
            "7.跳号太多，不是标题。",  # jump larger than max_gap
            "3.第三项。",
            "2.回头的编号也不是标题。",
            "二、主要内容。",
            "4、张三，男，1977年出生。",  # a weak list must start at 1
            "主要包括：1、宣传；2、劝阻。",  # inline numbers are never headings
        ]
    )
    clauses = _segment(text)
    assert [c.path for c in clauses] == ["一", "一/1", "一/2", "一/3", "二"]
    by_path = {c.path: c for c in clauses}
    assert "3.5亿元" in by_path["一/2"].text and "7.跳号" in by_path["一/2"].text
    assert by_path["二"].text.endswith("2、劝阻。")


def test_lists_of_numerals_are_not_headings() -> None:
    text = "三、四月份是诈骗高发期。\n一、二级响应同时启动。"
    assert _paths(text) == ["¶1", "¶2"]


def test_heading_on_its_own_line_and_leading_blanks() -> None:
    text = "  一、\n  各地要落实责任。\n\u3000\u3000二、  压实责任。"
    clauses = _segment(text)
    assert [(c.path, c.text) for c in clauses] == [("一", "各地要落实责任。"), ("二", "压实责任。")]
    _check_offsets(text, clauses)


# --- documents without numbers ---------------------------------------------------------------

NEWS = """1月14日，全国打击治理电信网络新型违法犯罪工作电视电话会议召开。
同时，要强化属地管理，加强对涉诈犯罪人员的管理措施。
研究建立诈骗钱财返还制度
赵克志表示，一年来电信网络违法犯罪破案数大幅度上升。
对此，国务院部际联席会议决定，今年继续开展打击治理专项行动。
尽快开通反诈骗专线
会上提到，尽快开通96110反诈骗专线。
文/本报记者 高语阳
网站简介 | 版权声明
"""


def test_unnumbered_document_falls_back_to_paragraphs() -> None:
    clauses = _segment(NEWS)
    _check_offsets(NEWS, clauses)
    assert [c.path for c in clauses] == [f"¶{i}" for i in range(1, 8)]
    assert [c.heading for c in clauses] == [
        "",
        "",
        "研究建立诈骗钱财返还制度",
        "",
        "尽快开通反诈骗专线",
        "",
        "",
    ]
    assert clauses[2].text.startswith("赵克志表示")
    assert clauses[5].text == "文/本报记者 高语阳"  # a byline is not a sub-title


def test_short_lines_in_a_run_are_paragraphs_not_subtitles() -> None:
    text = "开头一段话，说明情况。\n短行甲\n短行乙\n后面一段话，提出要求。"
    clauses = _segment(text)
    assert [c.heading for c in clauses] == ["", "", "", ""]
    assert [c.text for c in clauses][1:3] == ["短行甲", "短行乙"]


def test_a_header_note_is_no_sub_title() -> None:
    text = ("最高人民检察院关于非监管机关在编监管人员私放在押人员行为适用法律问题的解释。\n"
            "2001年1月2日 最高人民检察院第九届检察委员会第七十九次会议通过\n"
            "为依法办理私放在押人员犯罪案件，解释如下：")
    assert [c.heading for c in _segment(text)] == ["", "", ""]


def test_first_line_title_is_a_paragraph() -> None:
    text = "研究建立诈骗钱财返还制度\n赵克志表示，要研究建立制度。"
    assert [(c.path, c.heading) for c in _segment(text)] == [("¶1", ""), ("¶2", "")]


def test_empty_text() -> None:
    assert _segment("") == []
    assert _segment("\n \n\u3000\n") == []


BULLETIN = """《新闻联播》 (20240105)
本期节目主要内容：
1.某某会见某国总理；
2.某地法院对电信网络诈骗集团案一审宣判；
3.2023年我国外贸总值创新高；
4.人民日报评论员文章：
共创开放繁荣的美好未来；
5.国内联播快讯：
（1）某省上线反诈 预警平台；
（2）某市开展宣传月活动。
（《新闻联播》 20240105 19:00）
某某会见某国总理
央视网消息（新闻联播）：5日上午，某某会见某国总理。双方表示，要深化合作。
某地法院对电信网络诈骗集团案一审宣判
央视网消息（新闻联播）：今天，某地中级人民法院对一电信网络诈骗集团案一审公开宣判。法院认定，被告人的行为构成诈骗罪。
2023年我国外贸总值创新高
央视网消息（新闻联播）：海关总署今天发布，2023年我国外贸总值创新高。
人民日报评论员文章：共创开放繁荣的美好未来
央视网消息（新闻联播）：人民日报发表评论员文章。
一、坚持开放合作
文章指出，要坚持开放合作。
二、坚持互利共赢
文章强调，要坚持互利共赢。
国内联播快讯
央视网消息（新闻联播）：
某省上线反诈预警平台
某省上线预警平台，拦截诈骗电话。
某市开展宣传月活动
某市公安机关开展反诈宣传月活动。
"""


def test_a_bulletin_rundown_is_contents_and_each_item_a_clause_under_its_headline() -> None:
    clauses = _segment(BULLETIN)
    _check_offsets(BULLETIN, clauses)
    assert all(c.path.startswith("¶") for c in clauses)  # the rundown's numbers are no outline
    assert [c.text for c in clauses[:3]] == ["《新闻联播》 (20240105)", "本期节目主要内容：", "1.某某会见某国总理；"]
    headed = [(c.heading, c.text[:12]) for c in clauses if c.heading]
    assert headed == [
        ("某某会见某国总理", "央视网消息（新闻联播）："),
        ("某地法院对电信网络诈骗集团案一审宣判", "央视网消息（新闻联播）："),
        ("2023年我国外贸总值创新高", "央视网消息（新闻联播）："),  # `3.2023年` reads as no heading: a gap in the list
        ("人民日报评论员文章：共创开放繁荣的美好未来", "央视网消息（新闻联播）："),  # listed across its two lines
        # an item's own numbered points are paragraphs: the document is read by its contents
        ("一、坚持开放合作", "文章指出，要坚持开放合作"),
        ("二、坚持互利共赢", "文章强调，要坚持互利共赢"),
        ("国内联播快讯", "央视网消息（新闻联播）："),
        ("某省上线反诈预警平台", "某省上线预警平台，拦截诈"),  # white space aside, as listed
        ("某市开展宣传月活动", "某市公安机关开展反诈宣传"),
    ]
    fraud = next(c for c in clauses if c.heading.startswith("某地法院"))
    assert fraud.text.endswith("构成诈骗罪。")


def test_a_contents_list_of_numbered_headings_stays_an_outline() -> None:
    # the entries come back numbered: a table of contents of the outline itself
    text = ("目录\n一、总体要求\n二、重点任务\n三、保障措施\n"
            "一、总体要求\n要加强领导。\n二、重点任务\n要落实责任。\n三、保障措施\n要强化保障。")
    assert _paths(text) == ["一", "二", "三", "一", "二", "三"]
    # and a few numbered lines that a later line repeats are not enough to be contents
    text = "一、加强领导\n要加强领导。\n二、落实责任\n要落实责任。\n加强领导\n要加强领导。"
    assert _paths(text) == ["一", "二"]


# --- numbering problems ----------------------------------------------------------------------


def test_numbering_gap_duplicate_disorder_and_start() -> None:
    text = "\n".join(["一、甲。", "二、乙。", "四、丁。", "四、又一个丁。", "三、丙。", "（二）子项。"])
    clauses = _segment(text)
    assert [c.path for c in clauses] == ["一", "二", "四", "四", "三", "三/（二）"]
    assert [(c.heading, m) for c, m in numbering_problems(clauses)] == [
        ("四、", "numbering gap: 四 follows 二"),
        ("四、", "duplicated number: 四 again after 四"),
        ("三、", "numbering out of order: 三 follows 四"),
        ("（二）", "numbering starts at （二）"),
    ]


def test_sequences_are_per_parent_and_restart_per_chapter() -> None:
    text = "\n".join(
        [
            "第一章 总则",
            "一、甲。",
            "（一）子。",
            "二、乙。",
            "（一）子。",
            "第二章 分则",
            "一、丙。",
            "二、丁。",
        ]
    )
    clauses = _segment(text)
    assert [c.path for c in clauses] == ["一", "一/（一）", "二", "二/（一）", "一", "二"]
    assert clauses[-1].chapter == "第二章 分则"
    assert numbering_problems(clauses) == []


def test_paragraph_clauses_have_no_numbering_problems() -> None:
    assert numbering_problems(_segment(NEWS)) == []


# --- configuration --------------------------------------------------------------------------


def test_bad_pattern_is_a_config_error() -> None:
    data = yaml.safe_load((default_config_dir() / "segment.yaml").read_text(encoding="utf-8"))
    data["headings"][0]["pattern"] = "第(?P<num>[一二"
    with pytest.raises(ConfigError, match=r"segment\.yaml: headings\[0\]\.pattern"):
        segment_clauses("一、甲", Config(files={"segment": data}))
    del data["headings"]
    with pytest.raises(ConfigError, match="missing key 'headings'"):
        segment_clauses("一、甲", Config(files={"segment": data}))


# --- properties and speed --------------------------------------------------------------------

_PIECES = st.sampled_from(
    "一、 二、 三、 （一） （二） 1. 2、 3． (1) 第二条 第一章".split()
    + ["第一条\u3000", "第一章 总则", "要加强领导。", "研究建立制度", "依照第五条规定"]
    + ["，", "。", "\n", "\n", "\n", " ", "\u3000"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_offsets_are_exact_and_clauses_flat(text: str) -> None:
    clauses = _segment(text)
    _check_offsets(text, clauses)
    numbered = [c for c in clauses if not c.path.startswith("¶")]
    assert not numbered or len(numbered) == len(clauses)  # never a mix
    for clause in clauses:
        assert clause.path and "//" not in clause.path
        if not clause.path.startswith("¶"):
            assert text[: clause.start].rstrip().endswith(clause.heading)
            line_start = text.rfind("\n", 0, clause.start - len(clause.heading)) + 1
            assert not text[line_start : clause.start].strip().removesuffix(clause.heading).strip()


def test_large_text_is_segmented_quickly() -> None:
    unit = NOTICE + LAW + NEWS
    text = "\n".join([unit] * (2_000_000 // len(unit)))
    began = time.perf_counter()
    clauses = _segment(text)
    assert len(clauses) > 10_000
    assert time.perf_counter() - began < 5


@pytest.mark.slow
def test_fifty_megabytes() -> None:
    unit = "\n".join(_cleaned(p.stem) for p in sorted(RAW.glob("*.txt")))
    text = "\n".join([unit] * (50_000_000 // len(unit)))
    began = time.perf_counter()
    clauses = _segment(text)
    assert clauses
    assert time.perf_counter() - began < 20
