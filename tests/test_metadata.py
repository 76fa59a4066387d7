"""Metadata: title, issuer, date, level, region, province and kind on the seeds and on handmade pages."""

from __future__ import annotations

import datetime as dt
import re
import time
from functools import lru_cache
from pathlib import Path

import opencc
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import Config
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.stages.metadata import (
    LEVELS,
    extract_metadata,
    parse_date,
    place_of_region,
    region_index,
)
from antifraud_corpus.stages.metadata.dates import DateFind, find_date, first_stamp, iso_date
from antifraud_corpus.stages.metadata.rules import compiled_rules
from antifraud_corpus.stages.metadata.titles import head_lines, head_lines_with_raw
from conftest import with_config_file

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"
GOLD_DIR = ROOT / "tests" / "fixtures" / "gold"

_GLOSS = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")
_CJK = r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”]"


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def approx_convert(raw: str) -> str:
    """Roughly what the convert stage gives: glosses gone, simplified, full-width punctuation by CJK."""
    text = _t2s().convert(_GLOSS.sub("", raw))
    for half, full in {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}.items():
        text = re.sub(f"(?<={_CJK}){re.escape(half)}|{re.escape(half)}(?={_CJK})", full, text)
    return text


def meta_of(text: str, config, **kwargs):
    return extract_metadata(text, text, config, **kwargs)


# --------------------------------------------------------------------------- seeds

SEEDS = sorted(p.stem for p in RAW_DIR.glob("*.txt"))


@pytest.mark.parametrize("doc_id", SEEDS)
def test_seed_metadata_matches_gold(doc_id, config):
    gold = yaml.safe_load((GOLD_DIR / f"{doc_id}.yaml").read_text(encoding="utf-8"))
    text = approx_convert((RAW_DIR / f"{doc_id}.txt").read_text(encoding="utf-8"))
    meta = meta_of(text, config, name=f"{doc_id}.txt")
    assert meta.title == gold["title"]
    assert meta.issuer == gold["issuer"]
    assert meta.level == gold["level"]
    assert meta.region == gold["region"]
    assert meta.kind == gold["kind"]
    if gold["date_stated"]:
        assert meta.date == str(gold["date"])
    else:  # the year is not in the text: no guess, but say so
        assert meta.date is None
        assert any("no year" in w for w in meta.warnings)
    assert {"title", "level", "kind"} <= set(meta.sources)


@pytest.mark.parametrize("doc_id", SEEDS)
def test_seed_metadata_without_full_width_punctuation(doc_id, config):
    """Rules accept ASCII punctuation too, in case the convert stage leaves some."""
    gold = yaml.safe_load((GOLD_DIR / f"{doc_id}.yaml").read_text(encoding="utf-8"))
    text = _t2s().convert(_GLOSS.sub("", (RAW_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")))
    meta = meta_of(text, config)
    assert (meta.title, meta.level, meta.region, meta.kind) == (
        gold["title"], gold["level"], gold["region"], gold["kind"])


def test_seed_sources_name_the_evidence(config):
    text = approx_convert((RAW_DIR / "002_b06b64127b7163c7.txt").read_text(encoding="utf-8"))
    meta = meta_of(text, config)
    assert meta.sources["date"] == "header-note: 2023年2月7日临汾市第五届人民代表大会常务委员会第七次会议通过"
    assert meta.province == "山西省"
    text = approx_convert((RAW_DIR / "003_88b48e3f98e8c1bb.txt").read_text(encoding="utf-8"))
    meta = meta_of(text, config)
    assert meta.sources["date"].startswith("meeting: 1月14日")
    assert "2020年01月15日" in meta.sources["date"]
    assert meta.province is None


def test_cleaned_body_without_stamp_still_has_title_and_kind(config):
    """Rules must not depend on junk: the body alone (stamp and duplicate title gone) still works."""
    text = approx_convert((RAW_DIR / "000_888081b4012a42ca.txt").read_text(encoding="utf-8"))
    start = text.index("湖南省人民代表大会常务委员会关于", text.index("分享"))
    body = text[start:text.index("本决议自公布之日起施行。") + len("本决议自公布之日起施行。")]
    meta = extract_metadata(text, body, config)
    assert (meta.title, meta.level, meta.region, meta.kind, meta.date) == (
        "湖南省人民代表大会常务委员会关于加强打击治理电信网络诈骗违法犯罪工作的决议",
        "provincial", "湖南省", "resolution", "2022-09-26")
    alone = extract_metadata(body, body, config)
    assert alone.title == meta.title and alone.level == "provincial"
    assert alone.date is None and any("no date" in w for w in alone.warnings)


# --------------------------------------------------------------------------- handmade documents

LAW = """中华人民共和国反电信网络诈骗法
（2022年9月2日第十三届全国人民代表大会常务委员会第三十六次会议通过）
目　　录
第一章　总　　则
第二章　电信治理
第一章　总　　则
第一条　为了预防、遏制和惩治电信网络诈骗活动，加强反电信网络诈骗工作，制定本法。
第五十条　本法自2022年12月1日起施行。
"""


def test_law(config):
    meta = meta_of(LAW, config)
    assert meta.title == "中华人民共和国反电信网络诈骗法"
    assert meta.issuer == "全国人民代表大会常务委员会"
    assert meta.date == "2022-09-02"
    assert (meta.level, meta.region, meta.province, meta.kind) == ("central", None, None, "law")


def test_law_with_chinese_numeral_date_and_promulgation(config):
    text = LAW.replace("（2022年9月2日第十三届全国人民代表大会常务委员会第三十六次会议通过）",
                       "（二〇二二年九月二日第十三届全国人民代表大会常务委员会第三十六次会议通过　"
                       "2022年9月2日中华人民共和国主席令第一一九号公布）")
    meta = meta_of(text, config)
    assert meta.date == "2022-09-02"
    assert meta.sources["date"].startswith("header-note: 二〇二二年九月二日")


def test_law_dated_by_promulgation_never_by_entry_into_force(config):
    text = ("中华人民共和国反电信网络诈骗法\n（2022年9月3日公布）\n第一条　为了预防电信网络诈骗，制定本法。\n"
            "第五十条　本法自2022年12月1日起施行。\n")
    assert meta_of(text, config).date == "2022-09-03"
    effective_only = meta_of(text.replace("（2022年9月3日公布）\n", ""), config)
    assert effective_only.date is None  # the entry into force is never the document's date
    assert any("no date found" in w for w in effective_only.warnings)


PROVINCIAL_NOTICE = """首页 > 政务公开 > 政府文件
湖南省人民政府办公厅关于印发《湖南省打击治理电信网络诈骗违法犯罪工作实施方案》的通知
湘政办发〔2022〕30号
各市州人民政府，省政府各厅委、各直属机构：
《湖南省打击治理电信网络诈骗违法犯罪工作实施方案》已经省人民政府同意，现印发给你们，请认真贯彻执行。
湖南省人民政府办公厅
2022年10月8日
"""


def test_provincial_notice_dated_by_signature(config):
    meta = meta_of(PROVINCIAL_NOTICE, config)
    assert meta.title == PROVINCIAL_NOTICE.splitlines()[1]
    assert meta.issuer == "湖南省人民政府办公厅"
    assert meta.date == "2022-10-08"
    assert meta.sources["date"].startswith("signature")
    assert (meta.level, meta.region, meta.province, meta.kind) == ("provincial", "湖南省", "湖南省", "notice")


def test_title_split_after_issuer_is_joined(config):
    text = "湖南省人民政府\n关于加强反诈宣传工作的通知\n各市州人民政府：\n要加强宣传。\n"
    meta = meta_of(text, config)
    assert meta.title == "湖南省人民政府关于加强反诈宣传工作的通知"
    assert meta.issuer == "湖南省人民政府"


COUNTY = """宁乡市人民政府办公室关于开展“无诈社区”创建活动的通知
各镇人民政府、街道办事处，市直各单位：
为深入推进打击治理电信网络诈骗工作，现就有关事项通知如下。
宁乡市人民政府办公室
二〇二三年三月六日
"""


def test_county_document(config):
    meta = meta_of(COUNTY, config)
    assert (meta.level, meta.region, meta.province, meta.kind) == ("county", "宁乡市", "湖南省", "notice")
    assert meta.date == "2023-03-06"


def test_district_in_several_provinces_needs_a_province_mention(config):
    text = "朝阳区人民政府关于加强反诈工作的通知\n各街道办事处：\n要加强反诈宣传。\n"
    meta = meta_of(text, config)
    assert (meta.level, meta.region, meta.province) == ("county", "朝阳区", None)
    assert any("several provinces" in w for w in meta.warnings)
    named = meta_of(text.replace("要加强", "北京市要加强"), config)
    assert (named.level, named.region, named.province) == ("county", "朝阳区", "北京市")
    chained = meta_of(text.replace("朝阳区人民政府", "长春市朝阳区人民政府", 1), config)
    assert (chained.region, chained.province) == ("朝阳区", "吉林省")


def test_municipal_autonomous_prefecture_short_form(config):
    meta = meta_of("恩施州人民政府关于加强反诈工作的意见\n各县市人民政府：\n", config)
    assert (meta.level, meta.region, meta.province, meta.kind) == (
        "municipal", "恩施土家族苗族自治州", "湖北省", "opinion")


def test_party_committee_prefix(config):
    meta = meta_of("中共临汾市委办公室关于加强反诈工作的通知\n各县（市、区）委：\n", config)
    assert (meta.level, meta.region, meta.province) == ("municipal", "临汾市", "山西省")


MEETING = """2021年01月05日 08:30　来源：湖南日报
12月30日，全省打击治理电信网络诈骗违法犯罪工作会议在长沙召开。副省长出席会议并讲话。
会议强调，各地各部门要切实扛牢责任。
"""


def test_meeting_report_across_new_year(config):
    meta = meta_of(MEETING, config)
    assert meta.title == "全省打击治理电信网络诈骗违法犯罪工作会议"
    assert meta.date == "2020-12-30"  # a December meeting on a January page: last year
    assert meta.kind == "meeting_report"
    assert (meta.level, meta.region, meta.province) == ("provincial", "湖南省", "湖南省")


def test_meeting_date_with_year_and_convener(config):
    text = "2022年6月10日上午，长沙市人民政府召开全市反诈工作推进会。市长出席并讲话。\n"
    meta = meta_of(text, config)
    assert (meta.title, meta.issuer, meta.date) == ("全市反诈工作推进会", "长沙市人民政府", "2022-06-10")
    assert (meta.level, meta.region, meta.province) == ("municipal", "长沙市", "湖南省")
    assert meta.kind == "meeting_report"


def test_meeting_without_year_warns(config):
    meta = meta_of("4月8日，全国反诈工作电视电话会议在京召开。国务委员出席会议并讲话。\n", config)
    assert meta.date is None
    assert any("4月8日" in w and "no year" in w for w in meta.warnings)
    assert meta.level == "central"


def test_news_report_of_a_document_with_dateline_and_stamp(config):
    text = ("国务院办公厅印发《关于加强反诈宣传的意见》\n2022-04-19 09:12:00　来源：新华网\n"
            "新华社北京4月18日电　近日，国务院办公厅印发了《关于加强反诈宣传的意见》。\n")
    meta = meta_of(text, config)
    assert (meta.title, meta.issuer, meta.kind, meta.level) == (
        "关于加强反诈宣传的意见", "国务院办公厅", "opinion", "central")
    assert meta.date == "2022-04-18"
    assert meta.sources["date"].startswith("dateline")


def test_reported_document_found_in_body(config):
    text = ("本报讯　近日，中共中央办公厅、国务院办公厅印发了"
            "《关于加强打击治理电信网络诈骗违法犯罪工作的意见》，对工作作出部署。\n")
    meta = meta_of(text, config)
    assert meta.title == "关于加强打击治理电信网络诈骗违法犯罪工作的意见"
    assert meta.issuer == "中共中央办公厅、国务院办公厅"


@pytest.mark.parametrize("stamp, iso", [
    ("2022/9/26 10:00", "2022-09-26"),
    ("2022.09.26 10:00:01", "2022-09-26"),
    ("发布时间：2022年9月26日", "2022-09-26"),
    ("日期：二〇二二年九月二十六日", "2022-09-26"),
])
def test_page_stamp_formats(stamp, iso, config):
    text = f"湖南省人民政府关于加强反诈工作的决定\n{stamp}\n各市州人民政府：\n"
    assert meta_of(text, config).date == iso


def test_judicial_interpretation(config):
    text = ("最高人民法院 最高人民检察院 公安部关于办理电信网络诈骗等刑事案件适用法律若干问题的意见（二）\n"
            "为依法惩治电信网络诈骗犯罪，制定本意见。\n")
    meta = meta_of(text, config)
    assert meta.issuer == "最高人民法院、最高人民检察院、公安部"
    assert (meta.kind, meta.level) == ("judicial_interpretation", "central")


@pytest.mark.parametrize("title, kind", [
    ("湖南省反电信网络诈骗条例", "regulation"),
    ("长沙市打击治理电信网络诈骗工作实施方案", "plan"),
    ("湖南省人民代表大会常务委员会关于加强反诈工作的决定", "resolution"),
    ("公安部关于加强反诈工作的通告", "notice"),
    ("湖南省打击治理电信网络诈骗工作要点", "plan"),
])
def test_kind_from_title(title, kind, config):
    assert meta_of(f"{title}\n第一条　为了预防电信网络诈骗，制定本规定。\n", config).kind == kind


def test_plain_news_without_title_rules(config):
    text = "反诈民警走进社区开展宣传活动受到居民欢迎\n近日，民警走进社区，向居民讲解防骗知识。\n"
    meta = meta_of(text, config)
    assert meta.kind == "news"
    assert meta.title == "反诈民警走进社区开展宣传活动受到居民欢迎"
    assert any("first headline" in w for w in meta.warnings)


def test_source_account_named_x_fabu_is_not_an_issue_date(config):
    text = "2022年11月02日 来源：宁乡发布\n11月1日，宁乡市召开全市打击治理电信网络诈骗工作推进会。\n"
    meta = meta_of(text, config)
    assert meta.date == "2022-11-01"  # the meeting, not the stamp line that ends in 发布
    assert (meta.level, meta.region, meta.issuer) == ("county", "宁乡市", "宁乡市")


def test_dateline_line_is_not_a_headline(config):
    text = "2023年01月03日 09:00 来源：新华网\n新华社北京12月30日电　记者从公安部获悉，反诈工作取得成效。\n"
    meta = meta_of(text, config)
    assert not meta.title.startswith("新华社")
    assert meta.date == "2022-12-30"


def test_collective_word_after_a_year(config):
    meta = meta_of("2023年全省打击治理电信网络诈骗工作要点\n湖南省各市州：\n", config)
    assert (meta.kind, meta.level, meta.region) == ("plan", "provincial", "湖南省")


def test_file_name_is_the_last_resort_title(config):
    meta = meta_of("要加强宣传。", config, name="sub/湖南省反诈工作通报.txt")
    assert meta.title == "湖南省反诈工作通报"


# --------------------------------------------------------------------------- sidecar overrides


def test_sidecar_overrides_fields(config):
    text = approx_convert((RAW_DIR / "004_cb00f39c3fb5eb64.txt").read_text(encoding="utf-8"))
    meta = meta_of(text, config, sidecar={"date": "2021-04-08", "kind": "news"})
    assert (meta.date, meta.kind) == ("2021-04-08", "news")
    assert meta.sources["date"] == meta.sources["kind"] == "sidecar"
    assert not any("no year" in w for w in meta.warnings)


def test_sidecar_region_implies_province_and_level(config):
    meta = meta_of("要加强宣传。\n", config, sidecar={"region": "临汾市"})
    assert (meta.level, meta.region, meta.province) == ("municipal", "临汾市", "山西省")
    central = meta_of(PROVINCIAL_NOTICE, config, sidecar={"level": "central"})
    assert (central.level, central.region, central.province) == ("central", None, None)


# --------------------------------------------------------------------------- regions


def test_region_list_is_complete(config):
    index = region_index(config)
    provinces = {u.name for units in index.by_name.values() for u in units if u.level == "provincial"}
    cities = {u.name for units in index.by_name.values() for u in units if u.level == "municipal"}
    counties = {u for units in index.by_name.values() for u in units if u.level == "county"}
    assert len(provinces) == 34
    assert len(cities) >= 333
    assert len(counties) >= 2800
    assert {"内蒙古自治区", "广西壮族自治区", "香港特别行政区", "重庆市"} <= provinces


@pytest.mark.parametrize("name, full, level, province", [
    ("广西", "广西壮族自治区", "provincial", "广西壮族自治区"),
    ("湖南", "湖南省", "provincial", "湖南省"),
    ("临汾", "临汾市", "municipal", "山西省"),
    ("恩施州", "恩施土家族苗族自治州", "municipal", "湖北省"),
    ("仙桃市", "仙桃市", "county", "湖北省"),
    ("浦东新区", "浦东新区", "county", "上海市"),
])
def test_region_names_and_short_forms(name, full, level, province, config):
    unit = place_of_region(name, config)
    assert (unit.name, unit.level, unit.province) == (full, level, province)


def test_ambiguous_district_has_no_single_place(config):
    assert place_of_region("鼓楼区", config) is None
    assert len({u.province for u in region_index(config).lookup("鼓楼区")}) >= 3


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("text, parts", [
    ("2023年2月7日", (2023, 2, 7)),
    ("二〇二二年九月二日", (2022, 9, 2)),
    ("二〇二二年十二月三十一日", (2022, 12, 31)),
    ("2022/9/26", (2022, 9, 26)),
    ("2022.09.26", (2022, 9, 26)),
    ("1月14日", (None, 1, 14)),
    ("2023年2月30日", None),
])
def test_parse_date(text, parts):
    assert parse_date(text) == parts


_CN = "〇一二三四五六七八九"


def _cn_year(year: int) -> str:
    return "".join(_CN[int(c)] for c in str(year))


def _cn_small(n: int) -> str:
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _CN[tens] + "十")) + (_CN[ones] if ones else "")


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_parse_date_round_trips_written_forms(day):
    expected = (day.year, day.month, day.day)
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == expected
    assert parse_date(day.isoformat()) == expected
    assert parse_date(f"{_cn_year(day.year)}年{_cn_small(day.month)}月{_cn_small(day.day)}日") == expected


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="年月日通过会议召开关于的通知湖南省临汾市朝阳区全国0123456789（）\n，。：-/ ",
                    max_size=300))
def test_any_text_gives_well_formed_metadata(text, config):
    meta = meta_of(text, config)
    assert meta.level in (*LEVELS, None)
    assert meta.date is None or dt.date.fromisoformat(meta.date)
    assert meta.kind in config["taxonomy"]["kinds"]
    if meta.level == "central":
        assert meta.region is None and meta.province is None


# --------------------------------------------------------------------------- speed and config errors


def test_large_document_reads_only_head_and_tail(config):
    filler = "各级人民政府要加强组织领导，落实工作责任。\n" * 250_000  # ~5.5 M characters
    signature = "湖南省人民政府办公厅\n2022年10月8日"
    text = PROVINCIAL_NOTICE.replace(signature, filler + signature)
    meta_of(PROVINCIAL_NOTICE, config)  # compile the rules outside the timing
    start = time.perf_counter()
    meta = meta_of(text, config)
    assert time.perf_counter() - start < 0.5
    assert (meta.date, meta.level) == ("2022-10-08", "provincial")


def _with_metadata(config, **changes) -> Config:
    plain = config.plain("metadata")
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        plain[section][key] = value
    return with_config_file(config, "metadata", plain)


def test_bad_regex_in_config_names_the_key(config):
    broken = _with_metadata(config, titles__reported=["(unclosed"])
    with pytest.raises(ConfigError, match=r"metadata\.yaml: titles\.reported\[0\]: invalid regex"):
        meta_of("x", broken)


def test_pattern_without_the_group_the_code_reads_is_an_error(config):
    broken = _with_metadata(config, dates__stamps=[r"\d{4}-\d{2}-\d{2}"])
    with pytest.raises(ConfigError, match=r"dates\.stamps\[0\]: the pattern needs a named group \(\?P<date>"):
        meta_of("x", broken)


def test_bad_number_in_config(config):
    with pytest.raises(ConfigError, match=r"scan\.head_chars: expected a whole number, got 'many'"):
        meta_of("x", _with_metadata(config, scan__head_chars="many"))


def test_unknown_kind_in_config_is_an_error(config):
    broken = _with_metadata(config, kinds__title=[{"kind": "memo", "pattern": "备忘录$"}])
    with pytest.raises(ConfigError, match=r"kinds\.title\[0\]: kind 'memo' is not a taxonomy kind"):
        meta_of("x", broken)


# --------------------------------------------------------------------------- tools/build_regions.py

SAMPLE_LOCATIONS = """湖南省\t430000\t湖南
\t长沙市\t430100\t长沙
\t\t宁乡市\t430182\t宁乡
\t\t\t白马桥街道
\t湘西土家族苗族自治州\t433100\t湘西
\t\t吉首市\t433101\t吉首
北京市\t110000\t北京
\t北京市\t110000\t北京
\t\t朝阳区\t110105\t朝阳
湖北省\t420000\t湖北
\t省直辖行政区划\t429000\t省直辖
\t\t仙桃市\t429004\t仙桃
"""


def _build_regions_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_regions", ROOT / "tools" / "build_regions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_regions_output_feeds_the_region_index(tmp_path, config):
    build = _build_regions_module()
    source = tmp_path / "china_location.txt"
    source.write_text(SAMPLE_LOCATIONS, encoding="utf-8")
    out = tmp_path / "regions.yaml"
    assert build.main(["--source", str(source), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "GENERATED" in text and "china_location.txt" in text
    regions = yaml.safe_load(text)
    assert regions["provinces"]["北京市"]["type"] == "municipality"
    assert regions["provinces"]["北京市"]["counties"] == "朝阳区"  # districts sit under the municipality
    assert regions["provinces"]["湖北省"]["counties"] == "仙桃市"  # no pseudo-prefecture
    assert regions["provinces"]["湖南省"]["cities"]["湘西土家族苗族自治州"]["short"] == ["湘西", "湘西州"]
    small = with_config_file(config, "regions", regions)
    meta = meta_of("湘西州人民政府关于加强反诈工作的通知\n", small)
    assert (meta.level, meta.region, meta.province) == ("municipal", "湘西土家族苗族自治州", "湖南省")
    assert place_of_region("宁乡市", small).province == "湖南省"


SAMPLE_CHANGES = "2017-04-09\t民批\t湖南省\t湖南\t长沙市\t长沙\t宁乡县\t宁乡=>湖南省\t长沙市\t宁乡市\n"


def test_build_regions_lists_former_units(tmp_path, config):
    build = _build_regions_module()
    source, changes = tmp_path / "china_location.txt", tmp_path / "china_location_change.txt"
    source.write_text(SAMPLE_LOCATIONS, encoding="utf-8")
    changes.write_text(SAMPLE_CHANGES, encoding="utf-8")
    out = tmp_path / "regions.yaml"
    assert build.main(["--source", str(source), "--changes", str(changes), "-o", str(out)]) == 0
    regions = yaml.safe_load(out.read_text(encoding="utf-8"))
    former = {unit["name"]: unit for unit in regions["former"]}
    assert former["宁乡县"] == {"name": "宁乡县", "level": "county", "province": "湖南省", "city": "长沙市",
                               "now": "宁乡市", "since": "2017-04-09"}
    assert former["莱芜市"]["now"] == "济南市"  # from the script's supplement
    small = with_config_file(config, "regions", regions)
    meta = meta_of("宁乡县人民政府关于加强反诈工作的通知\n", small)
    assert (meta.level, meta.region, meta.province) == ("county", "宁乡县", "湖南省")


def test_shipped_regions_file_says_where_its_data_came_from():
    text = (ROOT / "src" / "antifraud_corpus" / "configs" / "regions.yaml").read_text(encoding="utf-8")
    header = text.split("\nsource:")[0]
    assert "jionlp" in header and "Generated on" in header and "tools/build_regions.py" in header


# --------------------------------------------------------------------------- dates rule by rule


def _date_every_rule_searched(head, lines, tail_lines, meeting, rules):
    """`_find_date` as it was first written: every rule searched, then the best ranked taken."""
    stamp = first_stamp(lines, rules)
    found, evidence = {}, {}
    for name, pattern in rules.date_rules:
        match = pattern.search(head)
        written = next((v for k, v in match.groupdict().items() if k.startswith("date") and v), None) \
            if match else None
        if match and written:
            found[name], evidence[name] = written, match.group().strip()
    for line in reversed(tail_lines):
        match = rules.signature_date.search(line)
        if match:
            found["signature"], evidence["signature"] = match["date"], line
            break
    if meeting is not None and meeting.groupdict().get("date"):
        found["meeting"], evidence["meeting"] = meeting["date"], meeting.group()
    if stamp:
        (y, m, d), text = stamp
        found["page-stamp"], evidence["page-stamp"] = f"{y}年{m}月{d}日", text
    result = DateFind()
    for name in rules.date_order:
        parts = parse_date(found[name]) if name in found else None
        if parts is None:
            continue
        year, month, day = parts
        note = f"{name}: {evidence[name]}"
        if year is None:
            if stamp is None:
                result.warnings.append(f"metadata: date {found[name]} ({name}) states no year and the page has "
                                       "no dated stamp; date left empty")
                continue
            (sy, sm, _), stamp_text = stamp
            year = sy - 1 if month > sm else sy
            note += f" + year of page stamp {stamp_text}"
        iso = iso_date(year, month, day)
        if iso:
            result.iso, result.source = iso, note
            return result
    if not result.warnings:
        result.warnings.append("metadata: no date found (no adoption note, signature, meeting date or page stamp)")
    return result


_DATE_PIECES = ["（2023年2月7日临汾市第五届人民代表大会常务委员会第七次会议通过）", "2022年9月26日印发",
                "自2023年3月1日起施行", "新华社北京4月18日电", "本报讯（记者 张三）12月3日", "2020-01-15 23:05",
                "发布时间：2021-13-40", "1月14日，全省工作会议召开", "2019年2月30日发布", "会议通过。", "正文。"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_DATE_PIECES), max_size=6), st.lists(st.sampled_from(_DATE_PIECES), max_size=3),
       st.booleans())
def test_dates_searched_rule_by_rule_as_all_at_once(config, head_pieces, tail_pieces, with_meeting):
    rules = compiled_rules(config)
    head = "\n".join(head_pieces)
    lines, tail_lines = head_lines(head, rules.head_lines), head_lines("\n".join(tail_pieces), 10_000)
    meeting = next((m for p in rules.meetings if (m := p.search(head))), None) if with_meeting else None
    assert find_date(head, lines, tail_lines, meeting, rules) == _date_every_rule_searched(
        head, lines, tail_lines, meeting, rules)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["# ", "## ", "**", "<!-- INFO END -->", "<br/>", "<p>", "&nbsp;", "\u200b", "#",
                                 "标题", "第一条", " ", "\u3000", "\n", "<", "-->", "*"]), max_size=30))
def test_head_lines_skip_lines_without_markup_and_read_the_same(config, pieces):
    rules = compiled_rules(config)
    text = "".join(pieces)
    assert rules.markup_any is not None
    assert head_lines_with_raw(text, 60, rules.markup, rules.markup_any) == head_lines_with_raw(text, 60, rules.markup)

