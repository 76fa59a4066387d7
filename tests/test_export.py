import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus.errors import DiskFullError, WriteError
from antifraud_corpus.export import (
    DUTY_COLUMNS,
    DutyFilter,
    duty_rows,
    excel_safe,
    localize,
    write_csv,
    write_jsonl,
    write_sqlite,
)
from antifraud_corpus.models import Duty, Mention
from test_store import make_document


def two_actor_document():
    doc = make_document("d2")
    doc.duties.append(Duty(clause="", sentence="=各级人民政府和有关部门要宣传。", start=0, end=16,
                           modality="obligation", marker="要", action="-宣传",
                           actors=[Mention("government", "各级人民政府", 1, 7, "lexicon"),
                                   Mention("departments", "有关部门", 8, 12, "lexicon")],
                           measures=[Mention("publicity_education", "宣传", 13, 15, "cue")]))
    return doc


def test_one_row_per_duty_and_actor(config):
    rows = list(duty_rows([two_actor_document()], config))
    assert [r["actor"] for r in rows] == ["public_security", "government", "departments"]
    assert rows[0]["actor_name"] == "公安机关"
    assert rows[1]["measures"] == "publicity_education"
    assert set(rows[0]) == set(DUTY_COLUMNS)


def test_actor_name_is_the_agency_as_written_and_the_id_name_without_one(config):
    doc = make_document("d3")
    doc.duties.append(Duty(clause="", sentence="县级以上水利部门和档案部门应当配合。", start=0, end=18,
                           modality="obligation", marker="应当", action="配合",
                           actors=[Mention("departments", "县级以上水利部门", 0, 8, "grammar", "县级以上水利部门"),
                                   Mention("departments", "档案部门", 9, 13, "grammar", "档案部门"),
                                   Mention("government", "人民政府", -1, -1, "inherited")]))
    rows = [r for r in duty_rows([doc], config) if r["sentence"].startswith("县级")]
    assert [(r["actor"], r["actor_name"]) for r in rows] == [
        ("departments", "县级以上水利部门、档案部门"), ("government", "人民政府")]


def test_actor_source_keeps_to_the_contract(config):
    doc = two_actor_document()
    doc.duties[1].actor_source = "addressee"
    doc.duties.append(Duty(clause="", sentence="要加强宣传。", start=0, end=6, modality="obligation", marker="要",
                           action="加强宣传", actor_source="none"))
    sources = [(r["actor"], r["actor_source"]) for r in duty_rows([doc], config)]
    assert sources == [("public_security", "explicit"), ("government", "inherited"),
                       ("departments", "inherited"), ("", "")]


def test_filters(config):
    doc = two_actor_document()
    assert [r["actor"] for r in duty_rows([doc], config, DutyFilter(actors=("government",)))] == ["government"]
    assert len(list(duty_rows([doc], config, DutyFilter(measures=("crackdown",))))) == 1
    assert list(duty_rows([doc], config, DutyFilter(levels=("provincial",)))) == []


def test_csv_is_formula_safe(config):
    buffer = io.StringIO()
    write_csv(duty_rows([two_actor_document()], config), buffer, DUTY_COLUMNS)
    cells = [cell for row in csv.reader(io.StringIO(buffer.getvalue())) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    assert "'=各级人民政府和有关部门要宣传。" in cells


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@given(st.one_of(st.text(max_size=30), st.tuples(st.sampled_from(FORMULA_STARTS), st.text(max_size=10)).map("".join)))
def test_excel_safe_never_starts_with_a_formula_character(value):
    assert excel_safe(value)[:1] not in FORMULA_STARTS


def test_full_width_formula_characters_are_escaped_in_csv(config):
    doc = two_actor_document()
    doc.duties[1].sentence = "＝HYPERLINK(\"http://x\")"
    doc.duties[1].action = "＋1"
    doc.duties[1].marker = "＠SUM(A1)"
    doc.duties[1].clause = "－1"
    buffer = io.StringIO()
    write_csv(duty_rows([doc], config), buffer, DUTY_COLUMNS)
    cells = [cell for row in csv.reader(io.StringIO(buffer.getvalue())) for cell in row]
    assert not [c for c in cells if c[:1] in FORMULA_STARTS]
    assert {"'＝HYPERLINK(\"http://x\")", "'＋1", "'＠SUM(A1)", "'－1"} <= set(cells)


def test_chinese_labels(config):
    [row] = list(localize(duty_rows([make_document()], config), config))
    assert row["层级"] == "中央" and row["情态"] == "义务" and row["政策工具"] == "打击惩治"
    assert row["文种"] == "意见"


def test_jsonl_rows_parse(config):
    buffer = io.StringIO()
    assert write_jsonl(duty_rows([two_actor_document()], config), buffer) == 3
    assert json.loads(buffer.getvalue().splitlines()[0])["marker"] == "要"


def test_sqlite_has_related_tables_and_indexes(tmp_path: Path, config):
    path = tmp_path / "corpus.db"
    assert write_sqlite([make_document(), two_actor_document()], path, config) == 3
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    joined = db.execute(
        "SELECT d.sentence, a.actor FROM duties d JOIN duty_actors a ON a.duty_id = d.id "
        "JOIN clauses c ON c.id = d.clause_id WHERE c.path = '一'").fetchall()
    assert ("公安机关要加强打击。", "public_security") in joined
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"duty_actors_actor", "duty_measures_measure", "documents_level"} <= indexes
    assert db.execute("SELECT count(*) FROM duty_rows").fetchone() == (4,)


def test_sqlite_on_a_full_disk_is_one_line_and_leaves_no_temporary_file(tmp_path: Path, config, monkeypatch):
    connect = sqlite3.connect

    def on_a_small_disk(path, *args, **kwargs):
        db = connect(path, *args, **kwargs)
        db.execute("PRAGMA max_page_count = 16")  # SQLite's own "database or disk is full"
        return db

    monkeypatch.setattr(sqlite3, "connect", on_a_small_disk)
    big = make_document("big")
    big.text = "公安机关要加强打击。" * 20_000
    target = tmp_path / "corpus.db"
    with pytest.raises(DiskFullError) as caught:
        write_sqlite([make_document(), big], target, config)
    assert str(caught.value) == f"{target}: no space left on device; free some space and run again"
    assert list(tmp_path.iterdir()) == []


def test_two_sqlite_exports_to_one_path_do_not_collide(tmp_path: Path, config):
    target = tmp_path / "corpus.db"
    (tmp_path / "corpus.db.tmp").write_text("a temporary file of the old naming: not ours to touch")

    def documents_with_a_second_export_midway():
        yield make_document()
        assert write_sqlite([two_actor_document()], target, config) == 2  # while the first is still open
        yield make_document("d3")

    assert write_sqlite(documents_with_a_second_export_midway(), target, config) == 2
    ids = [row[0] for row in sqlite3.connect(target).execute("SELECT doc_id FROM documents ORDER BY doc_id")]
    assert ids == ["d1", "d3"]  # the export that finished last, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.db", "corpus.db.tmp"]


def test_sqlite_refuses_to_replace_a_device(tmp_path: Path, config):
    with pytest.raises(WriteError, match=r"^/dev/null: cannot write \(a device or a pipe, not a file\)"):
        write_sqlite([make_document()], Path("/dev/null"), config)
