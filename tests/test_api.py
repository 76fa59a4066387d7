"""The public API: records and frames from a store, filtered like the commands; processing in memory; README."""

import doctest
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import antifraud_corpus as ac
from antifraud_corpus.compare import DIFF_COLUMNS
from antifraud_corpus.export import CLAUSE_COLUMNS, DUTY_COLUMNS, duty_rows
from antifraud_corpus.filters import DutyFilter
from antifraud_corpus.store import load_documents
from conftest import RAW_DIR, ROOT

SEED_IDS = ["000_888081b4012a42ca", "001_1fada07f3521683b", "002_b06b64127b7163c7", "003_88b48e3f98e8c1bb",
            "004_cb00f39c3fb5eb64"]


@pytest.fixture()
def store(ingested_seeds, config):
    return ac.open_store(ingested_seeds[0], config)


def _readme_notebook() -> tuple[str, int]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.index("## In a notebook")
    start = readme.index("```python\n", section) + len("```python\n")
    return readme[start:readme.index("```", start)], readme.count("\n", 0, start) + 1


def test_the_readme_notebook_session_runs_as_written(ingested_seeds, tmp_path, monkeypatch):
    pytest.importorskip("pandas")
    shutil.copytree(RAW_DIR, tmp_path / "data" / "raw")
    shutil.copytree(ingested_seeds[0], tmp_path / "data" / "normalized")
    monkeypatch.chdir(tmp_path)  # the session names data/raw and data/normalized, as after `corpus ingest`
    block, line = _readme_notebook()
    test = doctest.DocTestParser().get_doctest(block, {}, "README.md: In a notebook", "README.md", line)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.append)
    assert len(test.examples) == 25
    assert runner.summarize(verbose=False).failed == 0, "".join(report)


def test_importing_the_package_imports_nothing_else():
    code = ("import sys, antifraud_corpus as ac; print(sorted(m for m in sys.modules if m.startswith("
            "('antifraud_corpus', 'yaml', 'msgspec', 'numpy', 'pandas', 'jieba', 'rich', 'click'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "['antifraud_corpus']\n"


def test_every_public_name_is_there_and_no_other():
    assert sorted(ac.__all__) == sorted([*ac._EXPORTS, "__version__"])
    for name in ac.__all__:
        assert getattr(ac, name) is not None
    assert ac.FilterError.__module__ == "antifraud_corpus.errors"
    assert ac.open_store is ac.api.open_store
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        ac.nothing  # noqa: B018


def test_every_record_the_readme_names_is_exported():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## In a notebook"):readme.index("\n## ", readme.index("## In a notebook") + 1)]
    named = set(re.findall(r"`([A-Z][A-Za-z]+)`", section)) - {"ValueError"}
    assert sorted(named) == ["Clause", "Comparison", "Document", "DocumentInfo", "Duty", "DutyRow", "FilterError"]
    assert named <= set(ac.__all__)
    assert ac.DocumentInfo.__module__ == "antifraud_corpus.compare.records"
    assert ac.Comparison.__module__ == "antifraud_corpus.compare.records"


def test_a_store_reads_ids_documents_and_prefixes(store):
    assert store.ids() == SEED_IDS
    assert store.resolve("004") == "004_cb00f39c3fb5eb64"
    doc = store.document("002_b")
    assert (doc.doc_id, doc.level, doc.region, doc.province) == (SEED_IDS[2], "municipal", "临汾市", "山西省")
    assert [d.doc_id for d in store.documents(level="central", region=None)] == [SEED_IDS[1], SEED_IDS[3], SEED_IDS[4]]


def test_a_missing_store_is_one_clear_error(tmp_path):
    with pytest.raises(ac.StoreError) as error:
        ac.open_store(tmp_path / "none").ids()
    assert str(error.value) == f"{tmp_path / 'none'}: no normalized store here; run `corpus ingest` first"


def test_the_listing_counts_the_directives_the_filters_keep(store):
    everything = list(store.listing())
    assert [(d.doc_id, d.n_duties) for d in everything] == list(zip(SEED_IDS, [31, 21, 19, 23, 41], strict=True))
    assert [(d.doc_id, d.n_duties) for d in store.listing(actor="court")] == [(SEED_IDS[0], 5)]
    assert [d.doc_id for d in store.documents(actor="court")] == [SEED_IDS[0]]
    assert [(d.doc_id, d.n_duties) for d in store.listing(region="山西", actor="government")] == [(SEED_IDS[2], 3)]
    assert list(store.listing(region="江苏省")) == []


def test_duties_are_the_export_table_as_records(store, config):
    rows = list(store.duties(level="provincial", actor=["court", "procuratorate"], measure="crackdown"))
    keep = DutyFilter(levels=("provincial",), actors=("court", "procuratorate"), measures=("crackdown",))
    assert [row.to_dict() for row in rows] == list(duty_rows(load_documents(store.path), config, keep))
    assert DUTY_COLUMNS == ["doc_id", "level", "region", "date", "kind", "clause", "sentence", "start", "end", "actor",
                            "actor_name", "actor_source", "modality", "marker", "action", "measures"]  # (the contract)
    assert list(rows[0].to_dict()) == DUTY_COLUMNS
    assert [(row.clause, row.actor, row.actor_name) for row in rows] == [
        ("三", "procuratorate", "人民检察院"), ("三", "court", "人民法院")] * 3


def test_clauses_carry_their_document(store):
    clauses = list(store.clauses(doc="000"))
    assert [c.path for c in clauses] == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    assert {c.doc_id for c in clauses} == {SEED_IDS[0]}


def test_a_typo_raises_before_anything_is_read(store):
    # (named as typed in Python, `actor=`; the CLI says `--actor`: tests/test_cli_list.py)
    with pytest.raises(ValueError, match=r"^actor=public_securty: unknown actor id; did you mean public_security\?$"):
        store.duties(actor="public_securty")
    with pytest.raises(ac.FilterError, match=r"^doc=00: 5 document ids start with it"):
        store.compare(doc="00")
    with pytest.raises(ac.FilterError, match=r"^level=town: unknown level; use one of central, county, municipal, "
                                             r"provincial$"):
        store.listing(level="town")
    with pytest.raises(ac.FilterError, match=r"^region=shanxi: unknown region; "):
        store.listing(region="shanxi")


def test_frames_have_the_export_columns(store):
    pytest.importorskip("pandas")
    duties = ac.to_frame(store.duties(doc="002"))
    assert list(duties.columns) == DUTY_COLUMNS and len(duties) == 19
    assert list(ac.to_frame(store.clauses(doc="002")).columns) == CLAUSE_COLUMNS
    listing = ac.to_frame(store.listing())
    assert list(listing.columns) == ["doc_id", "level", "region", "province", "date", "title", "kind", "n_duties",
                                     "role"]
    assert listing.n_duties.sum() == 135
    diffs = ac.to_frame(store.compare(doc="002"))
    assert list(diffs.columns) == list(DIFF_COLUMNS) and diffs.status.value_counts().to_dict() == {
        "echoed": 17, "omitted": 16, "added": 5, "strengthened": 3}
    assert ac.to_frame([]).empty
    with pytest.raises(TypeError, match="^to_frame takes records .*, not int$"):
        ac.to_frame([1])


def test_to_frame_without_pandas_says_how_to_install_it(store, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError) as error:
        ac.to_frame(store.listing())
    assert str(error.value) == "to_frame needs pandas, an optional extra: pip install 'antifraud-corpus[pandas]'"


NOTICE = ("湖南省人民政府关于加强反诈宣传工作的通知\n（2022年9月26日发布）\n"
          "一、各级公安机关要依法严厉打击电信网络诈骗犯罪。\n二、银行业金融机构应当加强涉诈资金监测。\n")
CITY_NOTICE = ("长沙市人民政府关于加强反诈宣传工作的通知\n（2023年3月1日发布）\n"
               "一、市公安局要依法严厉打击电信网络诈骗犯罪。\n二、各区县要广泛开展反诈宣传。\n")


def test_a_text_is_processed_in_memory_whatever_its_encoding(config):
    doc = ac.process_text(NOTICE, name="hunan_2022.txt", config=config)
    assert (doc.doc_id, doc.level, doc.region, doc.date) == ("hunan_2022", "provincial", "湖南省", "2022-09-26")
    assert [(d.clause, d.actor_ids, d.modality, d.measure_ids) for d in doc.duties] == [
        ("一", ["public_security"], "obligation", ["crackdown"]),
        ("二", ["financial_institution"], "obligation", ["fund_control"])]
    from_bytes = ac.process_text(NOTICE.encode("gb18030"), name="hunan_2022.txt", config=config)
    assert (from_bytes.text, from_bytes.encoding) == (doc.text, "gb18030")


def test_a_file_is_processed_with_its_sidecar(tmp_path, config):
    (tmp_path / "notice.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "notice.meta.yaml").write_text("date: 2022-10-01\n", encoding="utf-8")
    doc = ac.process_file(tmp_path / "notice.txt", config)
    assert (doc.doc_id, doc.source, doc.date, len(doc.duties)) == ("notice", "notice.txt", "2022-10-01", 2)


def test_documents_in_memory_are_compared_and_labelled_so_ids_type_back(config):
    from antifraud_corpus.report.compare import table_text

    docs = [ac.process_text(NOTICE, name="hunan_2022_1.txt", config=config),
            ac.process_text(CITY_NOTICE, name="hunan_2022_2.txt", config=config)]
    comparison = ac.compare_documents(docs, config, doc="hunan_2022_2")
    assert [(d.doc_id, d.status, d.reference.doc_id if d.reference else None) for d in comparison.diffs] == [
        ("hunan_2022_2", "echoed", "hunan_2022_1"), ("hunan_2022_2", "added", None)]
    # (cut at 12 characters, both ids were once `hunan_2022_`: a label that named neither)
    labels = re.findall(r"│ (hunan\S*) ", table_text(comparison, width=120))
    assert labels[:2] == ["hunan_2022_1", "hunan_2022_2"] and set(labels) == {"hunan_2022_1", "hunan_2022_2"}
    with pytest.raises(ac.FilterError) as error:
        ac.compare_documents(docs, config, doc="hunan_2023")
    assert str(error.value) == ("doc=hunan_2023: no such document in the documents given; did you mean "
                                "hunan_2022_1 or hunan_2022_2?")


def test_ingest_is_the_command(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notice.txt").write_text(NOTICE, encoding="utf-8")
    report = ac.ingest(raw, tmp_path / "store")
    assert (report.ingested, report.skipped, report.failed) == (["notice"], [], [])
    assert ac.open_store(tmp_path / "store").ids() == ["notice"]
    assert Path(tmp_path / "store" / "notice.json").is_file()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=st.lists(st.sampled_from(["central", "provincial", "municipal"]), max_size=2),
       actor=st.lists(st.sampled_from(["court", "government", "public_security", "departments"]), max_size=2),
       measure=st.lists(st.sampled_from(["crackdown", "organization", "fund_control"]), max_size=2),
       topic=st.sampled_from(["all", "on", "off"]))
def test_list_counts_the_directives_the_duties_table_holds(store, level, actor, measure, topic):
    filters = {"level": level, "actor": actor, "measure": measure, "topic": topic}
    listed = {d.doc_id: d.n_duties for d in store.listing(**filters)}
    directives: dict[str, set[tuple[int, int]]] = {}
    for row in store.duties(**filters):
        directives.setdefault(row.doc_id, set()).add((row.start, row.end))
    assert listed == {doc_id: len(spans) for doc_id, spans in directives.items()}
    assert sorted(listed) == [doc.doc_id for doc in store.documents(**filters)]
