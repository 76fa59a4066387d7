"""compare: alignment, statuses, lines of authority, views, renderers; handmade cases and the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from antifraud_corpus.compare import (
    CARRIED,
    LEVELS,
    STATUSES,
    compare_corpus,
    compare_settings,
    comparison_to_json,
    normalized_fragments,
)
from antifraud_corpus.config import load_config
from antifraud_corpus.errors import ConfigError, FilterError
from antifraud_corpus.filters import DutyFilter
from antifraud_corpus.models import Document, Duty, Mention
from antifraud_corpus.report.compare import render_json, render_markdown, render_table, table_text
from antifraud_corpus.report.compare_html import render_html

ROOT = Path(__file__).resolve().parent
CASES = json.loads((ROOT / "cases" / "compare.json").read_text(encoding="utf-8"))["cases"]
EXPECT = yaml.safe_load((ROOT / "expectations" / "compare.yaml").read_text(encoding="utf-8"))
DOC = EXPECT["docs"]


def make_doc(spec: dict) -> Document:
    """A Document from a case entry: sentences are laid end to end, offsets follow."""
    text, duties = "", []
    for raw in spec["duties"]:
        start = len(text)
        text += raw["sentence"]
        actors = raw.get("actors") or []
        duties.append(Duty(
            clause=raw.get("clause", ""), sentence=raw["sentence"], start=start, end=len(text),
            modality=raw.get("modality", "obligation"), marker=raw.get("marker", ""), action="",
            actor_source=raw.get("actor_source", "explicit" if actors else "none"),
            actors=[Mention(a, a, start, start, "case") for a in actors],
            measures=[Mention(m, m, start, start, "case") for m in raw.get("measures") or []]))
    return Document(doc_id=spec["doc_id"], source=spec["doc_id"] + ".txt", sha256="", encoding="utf-8",
                    title=spec.get("title", ""), issuer="", date=spec.get("date"), level=spec.get("level"),
                    region=spec.get("region"), province=spec.get("province"), kind=spec.get("kind", "opinion"),
                    text=text, duties=duties)


def diffs_of(comparison, doc_id: str) -> list:
    return [d for d in comparison.diffs if d.doc_id == doc_id]


# --------------------------------------------------------------------------- handmade cases


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case, config):
    comparison = compare_corpus([make_doc(d) for d in case["documents"]], config)
    for expected in case["expect"]:
        diffs = diffs_of(comparison, expected["doc"])
        if "omitted" in expected:
            omitted = [d for d in diffs
                       if d.status == "omitted" and d.reference.sentence.startswith(expected["omitted"])]
            assert omitted and omitted[0].reference.doc_id == expected["reference"], expected
            assert omitted[0].local is None
            continue
        found = [d for d in diffs if d.local is not None and d.local.clause == expected["clause"]]
        assert len(found) == 1, expected
        diff = found[0]
        assert diff.status == expected["status"], (expected, diff.reasons, diff.similarity)
        if "reference" in expected:
            assert diff.reference is not None and diff.reference.doc_id == expected["reference"], expected
        if expected["status"] == "added":
            assert diff.reference is None
        assert diff.reference_later == expected.get("reference_later", False), expected
        if "reason" in expected:
            assert any(expected["reason"] in reason for reason in diff.reasons), (expected, diff.reasons)


def test_a_later_reference_is_never_a_source(config):
    case = next(c for c in CASES if c["name"].startswith("lines of authority"))
    comparison = compare_corpus([make_doc(d) for d in case["documents"]], config)
    summary = {s.doc_id: s for s in comparison.summaries}["linfen"]
    assert "c_late" not in summary.sources
    assert summary.later == 1
    assert not [d for d in diffs_of(comparison, "linfen") if d.status == "omitted" and d.reference.doc_id == "c_late"]
    timeline = {t.doc_id: t for t in comparison.timeline}["linfen"]
    assert "c_late" not in {e.doc_id for e in timeline.echoes}


def test_another_province_or_city_is_never_a_reference(config):
    case = next(c for c in CASES if c["name"].startswith("lines of authority"))
    comparison = compare_corpus([make_doc(d) for d in case["documents"]], config)
    referenced = {(d.doc_id, d.reference.doc_id) for d in comparison.diffs if d.reference is not None}
    assert ("linfen", "hunan") not in referenced
    assert ("yaodu", "datong") not in referenced
    assert ("yaodu", "hunan") not in referenced
    assert not diffs_of(comparison, "c_late")  # central documents have nothing above them


def test_county_of_unknown_city_is_warned_and_still_compared_with_higher_levels(config):
    docs = [make_doc({"doc_id": "c", "level": "central", "date": "2020-01-01",
                      "duties": [{"sentence": "要加强反诈宣传进校园，开展防骗知识讲座。", "marker": "要"}]}),
            make_doc({"doc_id": "k", "level": "county", "region": "某某县", "province": "山西省", "date": "2021-01-01",
                      "duties": [{"sentence": "要加强反诈宣传进校园，开展防骗知识讲座。", "marker": "要"}]})]
    comparison = compare_corpus(docs, config)
    assert diffs_of(comparison, "k")[0].status == "echoed"
    assert any("某某县" in w for w in comparison.warnings)


def test_every_local_directive_appears_once_and_statuses_are_known(config):
    docs = [make_doc(d) for case in CASES[:1] for d in case["documents"]]
    comparison = compare_corpus(docs, config)
    locals_ = [(d.doc_id, d.local.start) for d in comparison.diffs if d.local is not None]
    assert sorted(locals_) == sorted(("p1", duty.start) for duty in docs[1].duties)
    assert {d.status for d in comparison.diffs} <= set(STATUSES)


# --------------------------------------------------------------------------- views and filters


def _lines_of_authority(config):
    case = next(c for c in CASES if c["name"].startswith("lines of authority"))
    return compare_corpus([make_doc(d) for d in case["documents"]], config), case


def test_documents_are_ordered_by_level_then_date(config):
    comparison, _ = _lines_of_authority(config)
    keys = [(LEVELS.index(d.level), d.date) for d in comparison.documents]
    assert keys == sorted(keys)


def test_coverage_and_actor_matrices_count_directives(config):
    comparison = compare_corpus([make_doc(d) for d in CASES[0]["documents"]], config)
    assert comparison.coverage["capacity_building"] == {"c1": 1, "p1": 1}
    assert comparison.coverage["legislative_oversight"] == {"p1": 1}
    assert "cross_border" in comparison.coverage and comparison.coverage["cross_border"] == {}
    assert comparison.actors["public_security"] == {"c1": 1}
    assert comparison.actors[""] == {"c1": 5, "p1": 4}  # directives with no actor


def test_filters_keep_documents_and_show_their_references(config):
    comparison, _ = _lines_of_authority(config)
    only = compare_corpus([make_doc(d) for d in next(c for c in CASES if c["name"].startswith("lines"))["documents"]],
                          config, filters=DutyFilter(doc_ids=("yaodu",)))
    assert {d.doc_id for d in only.diffs} == {"yaodu"}
    roles = {d.doc_id: d.role for d in only.documents}
    assert roles["yaodu"] == "compared" and roles["linfen"] == "reference"
    by_region = compare_corpus([make_doc(d) for d in next(c for c in CASES if c["name"].startswith("lines"))
                                ["documents"]], config, filters=DutyFilter(regions=("临汾市",)))
    assert {d.doc_id for d in by_region.diffs} == {"linfen"}
    measure = compare_corpus([make_doc(d) for d in CASES[0]["documents"]], config,
                             filters=DutyFilter(measures=("crackdown",)))
    assert measure.diffs and all("crackdown" in (d.local or d.reference).measures for d in measure.diffs)
    assert list(measure.coverage) == ["crackdown"]
    actor = compare_corpus([make_doc(d) for d in CASES[0]["documents"]], config,
                           filters=DutyFilter(actors=("legislature",)))
    assert [d.status for d in actor.diffs] == ["added"]
    assert list(actor.actors) == ["legislature"]


def test_json_follows_the_contract(config):
    comparison = compare_corpus([make_doc(d) for d in CASES[0]["documents"]], config)
    data = json.loads(render_json(comparison))
    assert data == json.loads(json.dumps(comparison_to_json(comparison), ensure_ascii=False))
    assert {"documents", "coverage", "actors", "diffs"} <= set(data)
    assert set(data["documents"][0]) >= {"doc_id", "level", "region", "date", "title"}
    side_keys = {"sentence", "clause", "start", "end", "actors", "modality", "measures"}
    for diff in data["diffs"]:
        assert diff["status"] in STATUSES and isinstance(diff["similarity"], float)
        if diff["status"] == "added":
            assert "reference" not in diff and side_keys <= set(diff["local"])
        elif diff["status"] == "omitted":
            assert "local" not in diff and side_keys | {"doc_id"} <= set(diff["reference"])
        else:
            assert side_keys <= set(diff["local"]) and side_keys | {"doc_id"} <= set(diff["reference"])


# --------------------------------------------------------------------------- renderers


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_terminal_tables_fit_100_columns_with_chinese_aligned(config, lang):
    comparison = compare_corpus([make_doc(d) for d in CASES[0]["documents"]], config)
    text = table_text(comparison, lang)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 100
    # Every row of a bordered table is exactly as wide as its top border: wide characters are aligned.
    width = None
    for line in lines:
        if line.startswith(("┏", "┌")):
            width = cell_len(line)
        elif width is not None and line[:1] in "┃│┡├┗└":
            assert cell_len(line) == width, line
        if line.startswith(("┗", "└")):
            width = None
    assert ("呼应" in text and "新增" in text) if lang == "zh" else ("echoed" in text and "added" in text)
    console = Console(width=100, record=True)
    render_table(console, comparison, lang)
    assert console.export_text().strip()


def test_markdown_has_the_four_views_and_escapes_pipes(config):
    docs = [make_doc(d) for d in CASES[0]["documents"]]
    docs[1].duties[0].sentence = docs[1].duties[0].sentence.replace("，", "|，", 1)
    text = render_markdown(compare_corpus(docs, config), "zh")
    for heading in ("## 一、", "## 二、", "## 三、", "## 四、"):
        assert heading in text
    assert "\\|" in text and "人大监督" in text


def test_html_is_self_contained(config):
    page = render_html(compare_corpus([make_doc(d) for d in CASES[0]["documents"]], config), "en")
    assert page.startswith("<!DOCTYPE html>") and 'class="heatmap"' in page and "<details" in page
    assert "http://" not in page and "https://" not in page and "<script src" not in page
    assert "{{" not in page


# --------------------------------------------------------------------------- config


def test_normalization_uses_synonyms_and_drops_frames(config):
    settings_ = compare_settings(config)
    assert normalized_fragments("《意见》要求，要建强各级反电诈中心", settings_) == ["要建强各级反诈中心"]


def test_bad_compare_config_names_the_key(tmp_path):
    from antifraud_corpus.config import default_config_dir

    default = (default_config_dir() / "compare.yaml").read_text(encoding="utf-8")
    assert "  match: 0.37\n" in default and "lapse: never}" in default
    (tmp_path / "compare.yaml").write_text(default.replace("  match: 0.37\n", "  match: 3\n"), encoding="utf-8")
    with pytest.raises(ConfigError, match="'match'"):
        compare_settings(load_config(tmp_path))
    (tmp_path / "compare.yaml").write_text(default.replace("lapse: never}", "lapse: soon}", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="deadlines"):
        compare_settings(load_config(tmp_path))
    (tmp_path / "compare.yaml").write_text("thresholds: {match: 0.5}\n", encoding="utf-8")
    settings = compare_settings(load_config(tmp_path))  # a partial file: the rest is the shipped one
    assert (settings.match, settings.carry, settings.n) == (0.5, 0.45, 2)


# --------------------------------------------------------------------------- properties

_SENTENCES = [d for case in CASES for doc in case["documents"] for d in doc["duties"]]
_PLACES = [("湖南省", "湖南省", "provincial"), ("山西省", "山西省", "provincial"), ("临汾市", "山西省", "municipal"),
           ("大同市", "山西省", "municipal"), ("长沙市", "湖南省", "municipal"), ("尧都区", "山西省", "county")]


@st.composite
def corpora(draw):
    docs = []
    for number in range(draw(st.integers(2, 7))):
        central = draw(st.booleans()) if number else True
        region, province, level = (None, None, "central") if central else draw(st.sampled_from(_PLACES))
        duties = draw(st.lists(st.sampled_from(_SENTENCES), min_size=1, max_size=5))
        docs.append(make_doc({"doc_id": f"d{number}", "level": level, "region": region, "province": province,
                              "date": f"20{draw(st.integers(18, 24))}-0{draw(st.integers(1, 9))}-01",
                              "duties": duties}))
    return docs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corpora())
def test_invariants_on_random_corpora(config, docs):
    comparison = compare_corpus(docs, config)
    info = {d.doc_id: d for d in docs}
    counted: dict[tuple, set] = {}
    pairs = set()
    for diff in comparison.diffs:
        local = info[diff.doc_id]
        assert local.level != "central"
        if diff.local is not None:
            counted.setdefault((diff.doc_id, diff.local.start), set()).add(diff.status == "added")
        if diff.local is not None and diff.reference is not None:
            pair = (diff.doc_id, diff.local.start, diff.reference.doc_id, diff.reference.start)
            assert pair not in pairs  # many-to-many, but each pair once
            pairs.add(pair)
        if diff.reference is None:
            assert diff.status == "added"
            continue
        ref = info[diff.reference.doc_id]
        assert LEVELS.index(ref.level) < LEVELS.index(local.level)  # only higher levels
        assert ref.level == "central" or ref.province == local.province  # never another province
        later = ref.date > local.date
        assert diff.reference_later == (later and diff.status != "omitted")
        if diff.status == "omitted":
            assert not later  # a later document is never held against an earlier one
        else:
            assert diff.status in CARRIED
    for doc in docs:
        if doc.level != "central":
            for duty in doc.duties:
                assert len(counted[(doc.doc_id, duty.start)]) == 1  # added, or carries out one or more


# --------------------------------------------------------------------------- the bundled corpus


@pytest.fixture(scope="module")
def dated_seeds(tmp_path_factory, config):
    """The bundled corpus ingested with sidecars giving the dates its texts do not state (`dates:`)."""
    import shutil

    from antifraud_corpus.pipeline import ingest_corpus

    raw = tmp_path_factory.mktemp("dated-raw")
    for path in (ROOT.parent / "data" / "raw").iterdir():
        shutil.copyfile(path, raw / path.name)
    for doc, date in EXPECT["dates"].items():
        (raw / f"{DOC[doc]}.meta.yaml").write_text(f"date: {date}\n", encoding="utf-8")
    normalized = tmp_path_factory.mktemp("dated-normalized")
    ingest_corpus(raw, normalized, config)
    return normalized


@pytest.fixture(scope="module")
def seeds(dated_seeds, config):
    from antifraud_corpus.store import load_documents

    return compare_corpus(load_documents(dated_seeds), config)


def test_an_undated_reference_is_flagged_and_no_source(ingested_seeds, config):
    """Without its sidecar the 2021 report (004) has no date: its counterparts are shown, flagged, and
    nothing of it is counted as omitted."""
    from antifraud_corpus.store import load_documents

    comparison = compare_corpus(load_documents(ingested_seeds[0]), config)
    undated = DOC["004"]
    rows = [d for d in comparison.diffs if d.reference and d.reference.doc_id == undated]
    assert rows and all(d.reference_undated and d.status != "omitted" for d in rows)
    assert all(undated not in s.sources for s in comparison.summaries)


def _find(comparison, doc: str, contains: str):
    return [d for d in diffs_of(comparison, DOC[doc]) if d.local is not None and contains in d.local.sentence]


def _refs(diff) -> list:
    return [diff.reference] if diff.reference else []


@pytest.mark.parametrize("fact", EXPECT["added"], ids=lambda f: f["contains"])
def test_seed_added(seeds, fact):
    found = _find(seeds, fact["doc"], fact["contains"])
    assert found, fact
    assert all(d.status == "added" for d in found), [(d.status, d.reference) for d in found]
    if "clause" in fact:
        assert {d.local.clause for d in found} == {fact["clause"]}


@pytest.mark.parametrize("fact", EXPECT["carries"], ids=lambda f: f["contains"])
def test_seed_carries(seeds, fact):
    found = _find(seeds, fact["doc"], fact["contains"])
    assert found, fact
    reference = DOC[fact["reference"]]
    assert any(d.status in fact["status"] and any(r.doc_id == reference and fact["reference_contains"]
                                                  in r.sentence for r in _refs(d)) for d in found), \
        [(d.status, [r.sentence[:20] for r in _refs(d)]) for d in found]
    omitted = [d for d in diffs_of(seeds, DOC[fact["doc"]]) if d.status == "omitted"
               and d.reference.doc_id == reference and fact["reference_contains"] in d.reference.sentence]
    assert not omitted


@pytest.mark.parametrize("fact", EXPECT["omits"], ids=lambda f: f["reference_contains"])
def test_seed_omits(seeds, fact):
    reference = DOC[fact["reference"]]
    omitted = [d for d in diffs_of(seeds, DOC[fact["doc"]]) if d.status == "omitted"
               and d.reference.doc_id == reference and fact["reference_contains"] in d.reference.sentence]
    assert omitted, fact
    summary = {s.doc_id: s for s in seeds.summaries}[DOC[fact["doc"]]]
    assert reference in summary.sources


def test_seed_missing_measures_and_lines(seeds):
    summaries = {s.doc_id: s for s in seeds.summaries}
    for doc, measures in EXPECT["missing_measures"].items():
        assert set(measures) <= set(summaries[DOC[doc]].missing_measures)
    for doc, never in EXPECT["never_referenced"].items():
        never_ids = {DOC[n] for n in never}
        assert not [d for d in diffs_of(seeds, DOC[doc]) if d.reference and d.reference.doc_id in never_ids]
    for doc in EXPECT["central"]:
        assert not diffs_of(seeds, DOC[doc])


def test_workers_give_the_same_result(config):
    import random

    rng = random.Random(3)
    docs = []
    for number in range(90):
        central = number % 9 == 0
        region, province, level = (None, None, "central") if central else rng.choice(_PLACES)
        docs.append(make_doc({"doc_id": f"w{number:03d}", "level": level, "region": region, "province": province,
                              "date": f"20{rng.randint(18, 24)}-0{rng.randint(1, 9)}-01",
                              "duties": rng.sample(_SENTENCES, 4)}))
    one = render_json(compare_corpus(docs, config))
    assert one == render_json(compare_corpus(docs, config, workers=2))
    assert json.loads(one)["diffs"]


def test_unknown_filter_ids_are_filter_errors(config):
    with pytest.raises(FilterError, match="^measure=fund_contrl: unknown measure id; did you mean fund_control\\?$"):
        compare_corpus([], config, filters=DutyFilter(measures=("fund_contrl",)))
    with pytest.raises(FilterError, match="^actor=police: unknown actor id; use one of civil_affairs, "):
        compare_corpus([], config, filters=DutyFilter(actors=("police",)))


def test_cli_compare_exit_codes(tmp_path, runner):
    from antifraud_corpus.cli import main
    from conftest import RAW_DIR

    store = tmp_path / "normalized"
    assert runner.invoke(main, ["ingest", "--raw", str(RAW_DIR), "--normalized", str(store)]).exit_code == 0
    result = runner.invoke(main, ["compare", "--normalized", str(store), "--format", "json", "-o",
                                  str(tmp_path / "c.json")])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert {"documents", "coverage", "actors", "diffs"} <= set(data)
    assert runner.invoke(main, ["compare", "--normalized", str(store), "--measure", "bogus"]).exit_code == 2
    assert runner.invoke(main, ["compare", "--normalized", str(store), "--format", "pdf"]).exit_code == 2
    assert runner.invoke(main, ["compare", "--normalized", str(tmp_path / "none")]).exit_code == 2


def test_seed_store_read_lightly_compares_the_same(dated_seeds, config, seeds):
    """`compare` reads only metadata and directives (`load_document_duties`): the result is the same."""
    from antifraud_corpus.store import load_document_duties

    assert render_json(compare_corpus(load_document_duties(dated_seeds), config)) == render_json(seeds)


def test_diffs_are_built_anew_on_each_reading(seeds):
    first, second = list(seeds.diffs), list(seeds.diffs)
    assert len(seeds.diffs) == len(first) > 0 and bool(seeds.diffs)
    assert first == second and first[0] is not second[0]


def test_json_sides_carry_their_own_directive(dated_seeds, seeds):
    """Each side in the JSON is the directive of the store at its document and offsets (reference sides
    are encoded once and reused: a wrong reuse would show another directive's sentence)."""
    from antifraud_corpus.store import load_documents

    stored = {(doc.doc_id, duty.start, duty.end): duty.sentence
              for doc in load_documents(dated_seeds) for duty in doc.duties}
    data = json.loads(render_json(seeds))
    assert data["diffs"]
    for diff in data["diffs"]:
        if "reference" in diff:
            ref = diff["reference"]
            assert stored[(ref["doc_id"], ref["start"], ref["end"])] == ref["sentence"]
        if "local" in diff:
            local = diff["local"]
            assert stored[(diff["doc_id"], local["start"], local["end"])] == local["sentence"]
