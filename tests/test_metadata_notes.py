"""Metadata of laws, regulations, interpretations and bulletins as researchers collect them.

Handmade documents in the shapes of markdown law collections and broadcast bulletins:
a `# 标题` heading, a header note (题注) of dated events, `<!-- INFO END -->`, `##`
chapter headings, a bulletin titled by programme and date. The texts are invented.
"""

from __future__ import annotations

import pytest

from antifraud_corpus.stages.metadata import extract_metadata
from antifraud_corpus.stages.metadata.notes import find_header_note
from antifraud_corpus.stages.metadata.rules import compiled_rules
from antifraud_corpus.stages.metadata.titles import head_lines


def meta_of(text: str, config, **kwargs):
    return extract_metadata(text, text, config, **kwargs)


MARKDOWN_LAW = """# 中华人民共和国网络秩序促进法

2001年3月5日 第九届全国人民代表大会常务委员会第二十一次会议通过

2009年8月27日 第十一届全国人民代表大会常务委员会第十次会议《关于修改〈中华人民共和国网络秩序促进法〉的决定》第一次修正

2018年10月26日 第十三届全国人民代表大会常务委员会第六次会议修订

<!-- INFO END -->

## 第一章  总则

第一条 为了促进网络秩序，制定本法。

| 项目 | 标准 |
|---|---|
| 甲 | 一 |

第二条 本法自2019年1月1日起施行。
"""


def test_markdown_law_title_date_issuer_level_kind(config):
    meta = meta_of(MARKDOWN_LAW, config)
    assert meta.title == "中华人民共和国网络秩序促进法"  # no `# `, not the `## 第一章` line
    assert meta.date == "2018-10-26"  # the latest revision, not the first adoption nor the entry into force
    assert meta.issuer == "全国人民代表大会常务委员会"
    assert (meta.level, meta.region, meta.province, meta.kind) == ("central", None, None, "law")
    assert meta.sources["date"].startswith("header-note: 2018年10月26日")
    assert not meta.warnings


def test_note_events_read_outside_quoted_titles(config):
    rules = compiled_rules(config)
    lines = head_lines(MARKDOWN_LAW, rules.head_lines, rules.markup)
    note = find_header_note(lines, 0, rules)
    assert note is not None and len(note.lines) == 3
    # `《关于修改〈…〉的决定》第一次修正` is a revision: the 修改 inside the quoted title is not the event.
    assert [(e.iso, e.kind) for e in note.events] == [
        ("2001-03-05", "adoption"), ("2009-08-27", "adoption"), ("2018-10-26", "adoption")]


MUNICIPAL = """# 宁波市电信设施保护条例

2008年12月23日 宁波市第十三届人民代表大会常务委员会第十二次会议通过

2009年4月1日 浙江省第十一届人民代表大会常务委员会第十次会议批准

2009年4月9日 宁波市第十三届人民代表大会常务委员会公告第17号公布

2009年5月1日 施行

<!-- INFO END -->

## 第一章　总则

第一条 为了保护电信设施，根据有关法律、法规，结合本市实际，制定本条例。
"""


def test_city_regulation_approved_by_province_stays_municipal(config):
    meta = meta_of(MUNICIPAL, config)
    assert meta.date == "2009-04-09"  # promulgation: later than adoption and approval; 施行 never counts
    assert meta.issuer == "宁波市人民代表大会常务委员会"  # the adopting city, not the approving province
    assert (meta.level, meta.region, meta.province, meta.kind) == ("municipal", "宁波市", "浙江省", "regulation")


def test_approved_amendment_names_the_city_not_the_province(config):
    text = MUNICIPAL.replace(
        "2009年5月1日 施行",
        "2021年3月26日 浙江省第十三届人民代表大会常务委员会第二十八次会议通过批准的《宁波市人民代表大会"
        "常务委员会关于修改〈宁波市电信设施保护条例〉的决定》修正")
    meta = meta_of(text.replace("2009年4月9日 宁波市第十三届人民代表大会常务委员会公告第17号公布\n", "")
                   .replace("2008年12月23日 宁波市第十三届人民代表大会常务委员会第十二次会议通过\n", ""), config)
    assert meta.date == "2021-03-26"
    assert meta.issuer == "宁波市人民代表大会常务委员会"
    assert meta.level == "municipal"


STATE_COUNCIL_ORDER = """# 电信设备进网管理条例

1998年2月13日 中华人民共和国国务院令第240号发布

<!-- INFO END -->

第一条 为了加强电信设备进网管理，制定本条例。
"""


def test_state_council_order(config):
    meta = meta_of(STATE_COUNCIL_ORDER, config)
    assert (meta.date, meta.issuer, meta.level, meta.kind) == ("1998-02-13", "国务院", "central", "regulation")


def test_regulation_without_note_or_region_is_national(config):
    text = "# 电信设备进网管理条例\n\n<!-- INFO END -->\n\n第一条 为了加强电信设备进网管理，制定本条例。\n"
    meta = meta_of(text, config)
    assert (meta.level, meta.region, meta.kind) == ("central", None, "regulation")
    assert meta.date is None and any("no date found" in w for w in meta.warnings)


def test_judicial_interpretation_adopted_by_two_bodies_dated_by_publication(config):
    text = """# 最高人民法院、最高人民检察院关于办理网络诈骗刑事案件若干问题的解释

2016年2月21日 最高人民法院审判委员会第1512次会议、2015年11月24日最高人民检察院第十二届检察委员会第49次会议通过

2016年3月1日 最高人民法院、最高人民检察院公告公布

2016年4月8日 施行

<!-- INFO END -->

为依法惩治网络诈骗犯罪活动，现就有关问题解释如下：

第一条 诈骗公私财物数额较大的，依法追究刑事责任。
"""
    meta = meta_of(text, config)
    assert meta.date == "2016-03-01"
    assert meta.issuer == "最高人民法院、最高人民检察院"
    assert (meta.level, meta.kind) == ("central", "judicial_interpretation")
    rules = compiled_rules(config)
    note = find_header_note(head_lines(text, rules.head_lines, rules.markup), 0, rules)
    # the first date has no event word of its own: it shares the 通过 of the second
    assert [(e.iso, e.kind) for e in note.events][:2] == [("2016-02-21", "adoption"), ("2015-11-24", "adoption")]


def test_interpretation_issued_by_the_court_not_its_committee(config):
    text = ("# 人民法院网络诉讼规则\n\n2021年5月18日 最高人民法院审判委员会第1838次会议通过\n\n"
            "<!-- INFO END -->\n\n第一条 为了规范网络诉讼，制定本规则。\n")
    meta = meta_of(text, config)
    assert (meta.issuer, meta.level, meta.kind) == ("最高人民法院", "central", "judicial_interpretation")


@pytest.mark.parametrize("session, issuer, level", [
    ("1996年3月17日 八届全国人大四次会议通过", "全国人民代表大会", "central"),
    ("2016年8月2日 浙江省十二届人大常委会第31次会议通过", "浙江省人民代表大会常务委员会", "provincial"),
    ("2016年8月2日 杭州市第十二届人民代表大会常务委员会第46次会议通过", "杭州市人民代表大会常务委员会",
     "municipal"),
])
def test_sessions_in_arabic_numerals_and_short_forms(session, issuer, level, config):
    text = f"# 网络秩序条例\n\n{session}\n\n第一条 为了促进网络秩序，制定本条例。\n"
    meta = meta_of(text, config)
    assert (meta.issuer, meta.level) == (issuer, level)


def test_note_wrapped_inside_a_date_and_a_quoted_title(config):
    text = ("# 济南市网络秩序条例\n\n2015年12月14日 济南市第十五届人民代表大会常务委员会第二十五次会议通过\n\n"
            "2016年1月22\n\n日山东省第十二届人民代表大会常务委员会第十八次会议批准\n\n"
            "2017年9月30日 济南市第十六届人民代表大会常务委员会第五次会议《关于修改〈济南市网络秩序条例〉\n\n"
            "第三条的决定》修正\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了促进网络秩序，制定本条例。\n")
    meta = meta_of(text, config)
    assert meta.date == "2017-09-30"
    assert meta.issuer == "济南市人民代表大会常务委员会"


def test_body_sentence_after_a_note_is_not_part_of_it(config):
    text = "# 对外合作暂行规定\n\n1981年10月12日 国务院批准\n\n为了加强对外合作的管理，特制订本规定。\n"
    rules = compiled_rules(config)
    note = find_header_note(head_lines(text, rules.head_lines, rules.markup), 0, rules)
    assert note is not None and note.lines == ("1981年10月12日 国务院批准",)
    meta = meta_of(text, config)
    assert (meta.date, meta.level) == ("1981-10-12", "central")


@pytest.mark.parametrize("title", ["中华人民共和国公司法", "中华人民共和国公司法（2023年修订）"])
def test_law_ending_in_sifa_is_still_a_law(title, config):
    assert meta_of(f"# {title}\n\n第一条 为了规范公司的组织和行为，制定本法。\n", config).kind == "law"


BULLETIN = """# 《新闻联播》 (20240214)

## 新闻摘要

本期节目主要内容：

1.中共中央政治局召开会议；

2.多地开展打击治理电信网络诈骗专项行动。

## 详细新闻

### 中共中央政治局召开会议

<p><strong>央视网消息</strong>（新闻联播）：中共中央政治局2月14日召开会议。</p>

[查看原文](https://tv.cctv.com/2024/02/14/VIDEabc.shtml)

---

(更新时间戳: 1707916800000)
"""


def test_bulletin_title_date_issuer_level_kind(config):
    meta = meta_of(BULLETIN, config, name="20240214.md")
    assert meta.title == "《新闻联播》20240214"  # the bulletin, not `本期节目主要内容：` nor its first item
    assert meta.date == "2024-02-14"
    assert meta.issuer == "中央广播电视总台"  # not `1.中共中央政治局`
    assert (meta.level, meta.region, meta.kind) == ("central", None, "news")


def test_bulletin_of_an_unknown_programme_has_no_issuer_but_is_still_a_bulletin(config):
    meta = meta_of(BULLETIN.replace("新闻联播", "晚间要闻"), config)
    assert (meta.title, meta.date, meta.kind, meta.issuer) == ("《晚间要闻》20240214", "2024-02-14", "news", "")


@pytest.mark.parametrize("name, iso", [("20220924.md", "2022-09-24"), ("网络秩序条例(2021-12-01).md", "2021-12-01"),
                                       ("notes/2019_03_02.txt", "2019-03-02")])
def test_file_name_date_is_the_last_resort_with_a_warning(name, iso, config):
    text = "# 网络秩序条例\n\n第一条 为了促进网络秩序，制定本条例。\n"
    meta = meta_of(text, config, name=name)
    assert meta.date == iso
    assert meta.sources["date"] == f"file-name: {name}"
    assert any("file name" in w for w in meta.warnings)


def test_file_name_date_never_overrides_a_stated_date(config):
    meta = meta_of(STATE_COUNCIL_ORDER, config, name="电信设备进网管理条例(2016-02-06).md")
    assert meta.date == "1998-02-13"


def test_former_division_still_resolves_with_a_note(config):
    text = ("# 莱芜市网络秩序条例\n\n2017年10月27日 莱芜市第十七届人民代表大会常务委员会第五次会议通过\n\n"
            "2017年11月30日 山东省第十二届人民代表大会常务委员会第三十三次会议批准\n\n"
            "第一条 为了促进网络秩序，制定本条例。\n")
    meta = meta_of(text, config)
    assert (meta.level, meta.region, meta.province) == ("municipal", "莱芜市", "山东省")
    assert meta.issuer == "莱芜市人民代表大会常务委员会"
    assert "former unit: part of 济南市 since 2019-01-09" in meta.sources["region"]


def test_renamed_county_resolves_and_a_current_name_wins(config):
    meta = meta_of("宁乡县人民政府关于加强反诈宣传工作的通知\n各乡镇人民政府：\n要加强宣传。\n", config)
    assert (meta.level, meta.region, meta.province) == ("county", "宁乡县", "湖南省")
    assert "part of 宁乡市" in meta.sources["level"]
