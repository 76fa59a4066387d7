"""The HTML compare report's structure: aggregated heatmaps, the timeline chart, the drill-down, its size.

A small store is built through the pipeline from handmade texts (with sidecars for
level, region and date); the size bound uses 300 copies of the ingested seeds under
distinct ids, spread over levels, provinces and dates.
"""

from __future__ import annotations

import dataclasses
import json

import lxml.html
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus.compare import Comparison, DocumentInfo, compare_corpus
from antifraud_corpus.pipeline import ingest_corpus
from antifraud_corpus.report.compare_html import SHARE_BINS, aggregate, group_documents, render_html, share_class
from antifraud_corpus.store import load_document_duties

# (file, text, sidecar): a central opinion, two provinces, a city of each (the second one undated).
_TEXTS = [
    ("c1", "国务院关于加强反电信网络诈骗工作的意见\n一、公安机关要依法严厉打击电信网络诈骗犯罪。\n"
           "二、金融机构应当加强涉诈资金监测，及时冻结涉诈账户。\n三、要广泛开展反诈宣传教育。\n",
     "date: 2022-04-01\nlevel: central\n"),
    ("p1", "湖南省人民政府关于落实反电信网络诈骗工作的通知\n一、各级公安机关要依法严厉打击电信网络诈骗犯罪。\n"
           "二、银行业金融机构应当加强涉诈资金监测。\n三、要广泛开展反诈宣传教育进社区。\n",
     "date: 2022-06-01\nlevel: provincial\nregion: 湖南省\n"),
    ("p2", "山西省人民政府关于落实反电信网络诈骗工作的通知\n一、公安机关要严厉打击电信网络诈骗犯罪。\n"
           "二、通信企业应当落实电话卡实名制。\n",
     "date: 2022-07-01\nlevel: provincial\nregion: 山西省\n"),
    ("m1", "长沙市人民政府关于落实反诈工作的通知\n一、市公安局要依法严厉打击电信网络诈骗犯罪。\n"
           "二、要广泛开展反诈宣传教育进社区。\n",
     "date: 2023-01-01\nlevel: municipal\nregion: 长沙市\n"),
    ("m2", "临汾市人民政府关于落实反诈工作的通知\n一、通信企业应当落实电话卡实名制。\n",
     "level: municipal\nregion: 临汾市\n"),
]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory, config) -> Comparison:
    raw = tmp_path_factory.mktemp("raw")
    for name, text, sidecar in _TEXTS:
        (raw / f"{name}.txt").write_text(text, encoding="utf-8")
        (raw / f"{name}.meta.yaml").write_text(sidecar, encoding="utf-8")
    store = tmp_path_factory.mktemp("normalized")
    report = ingest_corpus(raw, store, config)
    assert not report.failed
    return compare_corpus(list(load_document_duties(store)), config)


@pytest.fixture(scope="module")
def page(comparison) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_html(comparison, "en"))


def _texts(elements) -> list[str]:
    return [" ".join(e.text_content().split()) for e in elements]


def _drill_down(page) -> dict:
    return json.loads(page.get_element_by_id("drill-down").text)


def test_the_handmade_store_has_the_shape_the_report_is_tested_on(comparison):
    docs = {d.doc_id: (d.level, d.province, d.date, d.n_duties) for d in comparison.documents}
    assert docs == {"c1": ("central", None, "2022-04-01", 3), "p1": ("provincial", "湖南省", "2022-06-01", 3),
                    "p2": ("provincial", "山西省", "2022-07-01", 2), "m1": ("municipal", "湖南省", "2023-01-01", 2),
                    "m2": ("municipal", "山西省", None, 1)}


def test_the_pages_wording_is_labels_yaml_and_a_user_file_rewords_it(tmp_path, comparison):
    from antifraud_corpus.compare.views import labels
    from antifraud_corpus.config import load_config

    (tmp_path / "labels.yaml").write_text("report_html:\n  en:\n    overview: Who issued what\n"
                                          "  zh:\n    no_province: （省份不详）\n", encoding="utf-8")
    reworded = dataclasses.replace(comparison, labels=labels(load_config(tmp_path)))
    headings = lxml.html.fromstring(render_html(reworded, "en")).xpath("//h2")
    assert _texts(headings) == ["Who issued what", "2. Measures by level and province (directives with each measure)",
                                "3. Actors by level and province (directives naming each actor)",
                                "4. Timeline: one mark per dated document",
                                "5. Documents: open one for its measures, actors and diffs"]
    zh = lxml.html.fromstring(render_html(reworded, "zh"))
    assert _texts(zh.xpath("//h2"))[0] == "一、按层级和省份的文件"
    assert "（省份不详）" in _texts(zh.xpath("//table[@class='overview']/tbody/tr/td"))


def test_a_misspelt_html_word_in_labels_yaml_is_refused(tmp_path):
    from antifraud_corpus.config import load_config
    from antifraud_corpus.errors import ConfigError

    (tmp_path / "labels.yaml").write_text("report_html:\n  en:\n    overveiw: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key 'report_html\.en\.overveiw' \(allowed: overview, "):
        load_config(tmp_path)


def test_overview_has_a_row_per_level_and_province_and_a_total(page):
    rows = [[" ".join(td.text_content().split()) for td in tr.findall("td")]
            for tr in page.xpath("//table[@class='overview']/tbody/tr")]
    # level, province, documents, dated, directives, then the diff statuses (echoed … off_topic)
    assert [row[:5] for row in rows] == [
        ["central", "(no province)", "1", "1", "3"],
        ["provincial", "山西省", "1", "1", "2"],
        ["provincial", "湖南省", "1", "1", "3"],
        ["municipal", "山西省", "1", "0", "1"],
        ["municipal", "湖南省", "1", "1", "2"],
        ["all documents", "", "5", "4", "11"],
    ]
    assert page.xpath("//table[@class='overview']/tbody/tr")[-1].get("class") == "total"


def test_heatmaps_aggregate_by_level_and_by_province_with_counts_and_shares(page):
    coverage = page.xpath("//table[@data-kind='coverage']")[0]
    assert _texts(coverage.xpath("thead//th[@class='part']")) == ["by level", "by province"]
    assert _texts(coverage.xpath("thead/tr")[1].findall("th")) == [
        "central 1", "provincial 2", "municipal 2", "山西省 2", "湖南省 2", "(no province) 1"]
    crackdown = next(tr for tr in coverage.xpath("tbody/tr") if tr.find("th").text_content() == "crackdown")
    cells = crackdown.findall("td")
    assert [c.get("data-count") for c in cells] == ["1", "2", "1", "1", "2", "1"]
    # central: 1 of 3 directives; provincial: 2 of 5; municipal: 1 of 3; 山西省: 1 of 3; 湖南省: 2 of 5
    assert _texts(cells) == ["1 33%", "2 40%", "1 33%", "1 33%", "2 40%", "1 33%"]
    assert [c.get("class") for c in cells] == ["n heat5"] * 6
    real_name = next(tr for tr in coverage.xpath("tbody/tr") if tr.find("th").text_content() == "real_name_cards")
    assert [c.get("data-count") for c in real_name.findall("td")] == ["0", "1", "1", "2", "0", "0"]
    # provincial 1 of 5 directives, municipal 1 of 3, 山西省 2 of 3
    assert [c.get("class") for c in real_name.findall("td")] == ["n", "n heat4", "n heat5", "n heat5", "n", "n"]


def test_the_no_actor_row_is_last_and_outside_the_colour_scale(page):
    actors = page.xpath("//table[@data-kind='actors']")[0]
    bodies = actors.findall("tbody")
    assert len(bodies) == 2
    outside = bodies[1].findall("tr")
    assert len(outside) == 1 and outside[0].get("class") == "outside"
    assert outside[0].find("th").text_content() == "(no actor)"
    cells = outside[0].findall("td")
    assert [c.get("data-count") for c in cells] == ["1", "1", "1", "0", "2", "1"]
    assert {c.get("class") for c in cells} == {"n"}  # counted and shared, never coloured
    assert "(no actor)" not in _texts(bodies[0].xpath("tr/th[@class='row']"))
    assert any("heat" in (c.get("class") or "") for c in bodies[0].xpath("tr/td"))


def test_every_colour_scale_has_a_legend_with_each_step(page):
    for table in page.xpath("//table[@class='heatmap']"):
        legend = table.getparent().getnext()
        assert legend.get("class") == "legend"
        assert [s.get("class") for s in legend.xpath("span[starts-with(@class, 'swatch')]")] == [
            f"swatch heat{n}" for n in range(1, len(SHARE_BINS) + 2)]
        assert "0–2% 2–5% 5–10% 10–20% > 20%" in " ".join(legend.text_content().split())
    timeline_legend = page.xpath("//section[@id='timeline']/p[@class='legend']")[0]
    assert len(timeline_legend.xpath(".//circle[@class='mark echoing']")) == 1
    assert len(timeline_legend.xpath(".//line[@class='echo']")) == 1


def test_the_timeline_is_an_svg_chart_with_one_mark_per_dated_document(page, comparison):
    svg = page.xpath("//svg[@class='timeline']")[0]
    marks = [c for c in svg.xpath(".//circle") if "mark" in c.get("class", "").split()]
    dated = {d.doc_id for d in comparison.documents if d.date}
    assert sorted(c.get("data-doc") for c in marks) == sorted(dated) == ["c1", "m1", "p1", "p2"]
    echoing = {c.get("data-doc") for c in marks if "echoing" in c.get("class").split()}
    assert echoing == {"p1", "p2", "m1"}  # each echoes an earlier document; c1 echoes none
    # lines to the echoed documents that are on the chart: p1→c1, p2→c1, m1→c1, m1→p1 (m2 has no date)
    assert len(svg.xpath(".//line[@class='echo']")) == 4
    assert _texts(svg.xpath(".//text[@class='lane']")) == ["central", "provincial", "municipal"]
    assert "2022" in _texts(svg.xpath(".//text[@class='year']"))
    undated = page.xpath("//section[@id='timeline']/p[@class='dim']//code")
    assert _texts(undated) == ["m2"]  # listed under the chart


def test_each_document_has_a_collapsed_drill_down_the_timeline_links_to(page, comparison):
    details = page.xpath("//details[@class='doc']")
    assert [d.get("data-doc") for d in details] == ["c1", "p2", "p1", "m2", "m1"]  # by level, then province
    assert all(d.get("open") is None for d in details)
    anchors = {d.get("id") for d in details}
    links = {a.get("href")[1:] for a in page.xpath("//section[@id='timeline']//a")}
    assert links <= anchors and len(links) == 5  # four marks and the undated m2
    m1 = page.xpath("//details[@data-doc='m1']")[0]
    assert _texts(m1.xpath("p/b")) == ["measure", "actor"]
    assert "crackdown 1" in m1.text_content() and "publicity_education 1" in m1.text_content()


def test_the_drill_down_table_holds_each_documents_diffs_once(page, comparison):
    data = _drill_down(page)
    by_anchor = {d.get("data-doc"): d.get("id") for d in page.xpath("//details[@class='doc']")}
    for doc in comparison.documents:
        expected = [d for d in comparison.diffs if d.doc_id == doc.doc_id and d.status != "off_topic"]
        rows = data["rows"].get(by_anchor[doc.doc_id], [])
        assert [data["statuses"][r[0]] for r in rows] == [d.status for d in expected]
        for row, diff in zip(rows, expected, strict=True):
            if diff.local is not None:
                assert data["strings"][data["directives"][row[2]][1]] == diff.local.sentence
            if diff.reference is not None:
                assert data["strings"][data["directives"][row[3]][1]] == diff.reference.sentence
    assert len(data["strings"]) == len(set(data["strings"]))
    assert len(data["directives"]) == len(set(map(tuple, data["directives"])))


def test_hostile_text_cannot_leave_the_json_table_or_the_markup(config):
    from test_compare import make_doc

    hostile = "公安机关要打击诈骗</script><script>alert(1)</script>"
    docs = [make_doc({"doc_id": "c", "level": "central", "date": "2022-01-01", "title": "<b>t</b>",
                      "duties": [{"sentence": hostile, "actors": ["public_security"], "measures": ["crackdown"]}]}),
            make_doc({"doc_id": "p", "level": "provincial", "region": "湖南省", "province": "湖南省",
                      "date": "2022-02-01", "title": "<img src=x>",
                      "duties": [{"sentence": hostile, "actors": ["public_security"], "measures": ["crackdown"]}]})]
    text = render_html(compare_corpus(docs, config), "en")
    assert text.count("<script") == 2 and "<img" not in text and "<b>t</b>" not in text
    page = lxml.html.fromstring(text)
    assert hostile in _drill_down(page)["strings"]


def test_300_documents_stay_under_3_mb(ingested_seeds, config):
    seeds = list(load_document_duties(ingested_seeds[0]))
    places = [("central", None, None), ("provincial", "湖南省", "湖南省"), ("provincial", "山西省", "山西省"),
              ("municipal", "长沙市", "湖南省"), ("municipal", "临汾市", "山西省"), ("county", "尧都区", "山西省")]
    docs = []
    for n in range(300):
        seed = seeds[n % len(seeds)]
        level, region, province = places[n % len(places)]
        date = None if n % 50 == 7 else f"{2015 + n % 10}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        docs.append(msgspec.structs.replace(seed, doc_id=f"{n:03d}_{seed.doc_id[4:]}", level=level, region=region,
                                            province=province, date=date))
    comparison = compare_corpus(docs, config)
    text = render_html(comparison, "zh")
    assert len(text.encode("utf-8")) < 3_000_000
    page = lxml.html.fromstring(text)
    assert len(page.xpath("//details[@class='doc']")) == 300
    assert len(page.xpath("//svg[@class='timeline']//circle")) == 294
    rows = sum(len(r) for r in _drill_down(page)["rows"].values())
    assert rows == sum(1 for d in comparison.diffs if d.status != "off_topic") > 5000


# --------------------------------------------------------------------------- plain functions


def test_share_class_bins():
    assert [share_class(s) for s in (None, 0, 0.01, 2, 2.01, 5, 9.9, 10, 20, 20.5, 100)] == [
        "", "", "heat1", "heat1", "heat2", "heat2", "heat3", "heat3", "heat4", "heat5", "heat5"]


_info = st.builds(DocumentInfo, doc_id=st.text("abc", min_size=1, max_size=4),
                  level=st.sampled_from(["central", "provincial", "municipal", "county", None]),
                  region=st.none(), province=st.sampled_from(["湖南省", "山西省", None]),
                  date=st.sampled_from(["2021-01-01", None]), title=st.just(""),
                  n_duties=st.integers(0, 9))


@given(st.lists(_info, max_size=12, unique_by=lambda d: d.doc_id), st.data())
def test_every_document_falls_in_one_group_and_aggregates_keep_the_totals(infos, data):
    comparison = Comparison(infos, {}, {}, [], [], [], {})  # type: ignore[arg-type]
    matrix = {"m": {d.doc_id: data.draw(st.integers(0, 5)) for d in infos}}
    for by in ("level", "province", "level+province"):
        groups = group_documents(comparison, by)
        assert sorted(i for g in groups for i in g.doc_ids) == sorted(d.doc_id for d in infos)
        assert sum(g.directives for g in groups) == sum(d.n_duties for d in infos)
        assert sum(aggregate(matrix, groups)["m"]) == sum(matrix["m"].values())


_dates = st.one_of(st.none(), st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
                   st.sampled_from(["2021", "2021-07", "not a date", "0000-01-01"]))


@given(st.lists(st.builds(DocumentInfo, doc_id=st.text("ab<&", min_size=1, max_size=5),
                          level=st.sampled_from(["central", "provincial", "municipal", "county", None]),
                          region=st.none(), province=st.sampled_from(["湖南省", None]), date=_dates,
                          title=st.text(max_size=5)),
                max_size=8, unique_by=lambda d: d.doc_id))
def test_any_set_of_documents_renders_one_entry_each_and_one_mark_per_readable_date(config, infos):
    from antifraud_corpus.compare.views import labels
    from antifraud_corpus.report.compare_html import _day

    wording = labels(config)  # (the report's words are labels.yaml's; the config is loaded once, not per example)
    page = lxml.html.fromstring(render_html(Comparison(infos, {}, {}, [], [], [], wording), "en"))  # type: ignore[arg-type]
    assert [d.get("data-doc") for d in page.xpath("//details[@class='doc']")] == [
        i for g in group_documents(Comparison(infos, {}, {}, [], [], [], {}), "level+province")  # type: ignore[arg-type]
        for i in g.doc_ids]
    marks = page.xpath("//svg[@class='timeline']//circle")
    assert sorted(m.get("data-doc") for m in marks) == sorted(d.doc_id for d in infos if _day(d.date) is not None)
