import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus import store
from antifraud_corpus.errors import StoreError
from antifraud_corpus.models import Clause, Document, Duty, Mention
from antifraud_corpus.store import (
    Manifest,
    ManifestEntry,
    ManifestJournal,
    StoreLock,
    load_documents,
    read_manifest,
    sweep_temporary_files,
    write_atomic,
    write_document,
    write_manifest,
)


def make_document(doc_id: str = "d1") -> Document:
    duty = Duty(clause="一", sentence="公安机关要加强打击。", start=2, end=12, modality="obligation", marker="要",
                action="加强打击", actors=[Mention("public_security", "公安机关", 2, 6, "lexicon:公安机关")],
                measures=[Mention("crackdown", "打击", 9, 11, "cue:打击")], marker_span=(6, 7))
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", sha256="0" * 64, encoding="utf-8", title="标题",
                    issuer="", date="2022-01-02", level="central", region=None, province=None, kind="opinion",
                    text="一、公安机关要加强打击。", clauses=[Clause("一", "公安机关要加强打击。", 2, 12, "一、")],
                    duties=[duty])


def test_document_round_trips_through_the_store(tmp_path: Path):
    doc = make_document()
    path = write_document(tmp_path, doc)
    text = path.read_text(encoding="utf-8")
    assert "公安机关" in text and text.endswith("}\n")  # readable UTF-8, not \\u escapes
    [loaded] = list(load_documents(tmp_path))
    assert loaded.to_dict() == doc.to_dict()
    assert loaded.duties[0].marker_span == (6, 7)


def test_writes_are_byte_identical(tmp_path: Path):
    write_document(tmp_path / "a", make_document())
    write_document(tmp_path / "b", make_document())
    assert (tmp_path / "a" / "d1.json").read_bytes() == (tmp_path / "b" / "d1.json").read_bytes()


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path):
    write_atomic(tmp_path / "x.json", "{}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
    (tmp_path / ".tmp-abc").write_text("partial")
    assert sweep_temporary_files(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_manifest_round_trip_and_unreadable_manifest(tmp_path: Path):
    manifest = Manifest("0.1.0", "abc", {"b": ManifestEntry("b.txt", "1"), "a": ManifestEntry("a.txt", "2", "3")})
    write_manifest(tmp_path, manifest)
    data = json.loads((tmp_path / ".manifest.json").read_text(encoding="utf-8"))
    assert list(data["documents"]) == ["a", "b"]
    assert read_manifest(tmp_path).documents["a"].sidecar_sha256 == "3"
    (tmp_path / ".manifest.json").write_text("{broken", encoding="utf-8")
    assert read_manifest(tmp_path).documents == {}


def test_missing_or_empty_store_is_a_clear_error(tmp_path: Path):
    with pytest.raises(StoreError, match="run `corpus ingest` first"):
        list(load_documents(tmp_path / "missing"))
    with pytest.raises(StoreError, match="holds no documents"):
        list(load_documents(tmp_path))


def test_corrupt_document_names_the_file(tmp_path: Path):
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(StoreError, match=r"bad.json: unreadable normalized document"):
        list(load_documents(tmp_path))


def test_long_text_is_written_in_pieces_with_the_same_bytes(tmp_path: Path):
    doc = make_document()
    doc.text = ("“引号”\\反斜杠\n换行\t" * 20000) + "尾"
    write_document(tmp_path, doc)
    assert json.loads((tmp_path / "d1.json").read_text(encoding="utf-8"))["text"] == doc.text


def test_document_duties_read_what_compare_needs(tmp_path: Path):
    from antifraud_corpus.store import load_document_duties

    doc = make_document()
    write_document(tmp_path, doc)
    [light] = list(load_document_duties(tmp_path))
    assert (light.doc_id, light.title, light.date, light.level, light.region, light.province, light.kind) == \
        (doc.doc_id, doc.title, doc.date, doc.level, doc.region, doc.province, doc.kind)
    [duty], [stored] = light.duties, doc.duties
    assert (duty.clause, duty.sentence, duty.start, duty.end, duty.modality, duty.marker, duty.actor_source) == \
        (stored.clause, stored.sentence, stored.start, stored.end, stored.modality, stored.marker,
         stored.actor_source)
    assert duty.actor_ids == stored.actor_ids and duty.measure_ids == stored.measure_ids


def test_document_duties_report_a_broken_file(tmp_path: Path):
    from antifraud_corpus.store import load_document_duties

    write_document(tmp_path, make_document())
    (tmp_path / "d2.json").write_text('{"doc_id": "d2", "duties": [{"sentence": 3}]}', encoding="utf-8")
    with pytest.raises(StoreError, match="d2.json: unreadable normalized document"):
        list(load_document_duties(tmp_path))
    with pytest.raises(StoreError, match="no normalized store"):
        list(load_document_duties(tmp_path / "missing"))


# ---------------------------------------------------------------- the direct formatting against json


def reference_layout(data: dict) -> str:
    """The store's layout made with the json module alone: one key per line, one list item per line."""
    compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = []
    for key, value in data.items():
        if isinstance(value, (list, tuple)) or hasattr(value, "__len__") and not isinstance(value, (str, dict)):
            items = [compact(item.to_dict() if hasattr(item, "to_dict") else list(item) if isinstance(item, tuple)
                             else item) for item in value]
            body = "[\n" + ",\n".join("    " + item for item in items) + "\n  ]" if items else "[]"
        else:
            body = compact(value)
        lines.append(f"  {compact(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


json_text = st.text(max_size=12)
mentions = st.builds(Mention, json_text, json_text, st.integers(-1, 10**6), st.integers(-1, 10**6), json_text)


@given(st.builds(Clause, json_text, json_text, st.integers(0, 10**6), st.integers(0, 10**6), json_text,
                 st.one_of(st.none(), json_text)),
       st.builds(Duty, json_text, json_text, st.integers(0, 10**6), st.integers(0, 10**6), json_text, json_text,
                 json_text, json_text, st.lists(mentions, max_size=3), st.lists(mentions, max_size=2),
                 st.lists(mentions, max_size=3),
                 st.one_of(st.none(), st.tuples(st.integers(0, 999), st.integers(0, 999))),
                 st.lists(json_text, max_size=3)))
def test_records_format_as_the_json_encoder_does(clause: Clause, duty: Duty):
    """The store encodes records with msgspec; each line is what the json module writes for `to_dict`."""
    from antifraud_corpus.store import _encode

    compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    assert _encode(clause).decode("utf-8") == compact(clause.to_dict())
    assert _encode(duty).decode("utf-8") == compact(duty.to_dict())
    for mention in duty.actors:
        assert _encode(mention).decode("utf-8") == compact(mention.to_dict())


def test_stored_seeds_have_the_reference_layout_and_survive_a_round_trip(tmp_path: Path, config):
    from antifraud_corpus.pipeline import process_file
    from conftest import RAW_DIR, SEED_PATHS

    for path in SEED_PATHS:
        doc = process_file(path, RAW_DIR, config)
        written = write_document(tmp_path / "a", doc).read_text(encoding="utf-8")
        assert written == reference_layout(doc.to_dict())
        [again] = list(load_documents(tmp_path / "a", {doc.doc_id}))
        rewritten = write_document(tmp_path / "b", again).read_text(encoding="utf-8")
        assert rewritten == written


def test_a_big_document_is_streamed_with_the_same_bytes(tmp_path: Path, monkeypatch):
    doc = make_document()
    doc.clauses = doc.clauses * 3000
    whole = write_document(tmp_path / "whole", doc).read_bytes()
    monkeypatch.setattr(store, "_WHOLE", 1000)
    assert write_document(tmp_path / "streamed", doc).read_bytes() == whole


def test_journal_keeps_entries_of_a_killed_run_with_the_same_version_and_config(tmp_path: Path):
    journal = ManifestJournal(tmp_path, "1.0", "abc")
    journal.add("d1", ManifestEntry("d1.txt", "1" * 64))
    journal.add("d2", ManifestEntry("d2.txt", "2" * 64, "3" * 64))
    journal.close()
    with (tmp_path / store.JOURNAL_NAME).open("a", encoding="utf-8") as fh:
        fh.write('{"doc_id": "d3", "sou')  # cut short by a kill
    assert ManifestJournal(tmp_path, "1.0", "abc").read() == {
        "d1": ManifestEntry("d1.txt", "1" * 64), "d2": ManifestEntry("d2.txt", "2" * 64, "3" * 64)}
    assert ManifestJournal(tmp_path, "1.1", "abc").read() == {}  # another pipeline version: nothing kept
    assert ManifestJournal(tmp_path, "1.0", "xyz").read() == {}  # another config
    write_manifest(tmp_path, Manifest("1.0", "abc", {}))
    assert not (tmp_path / store.JOURNAL_NAME).exists()  # the manifest holds what the journal held


def test_store_lock_makes_a_second_writer_wait(tmp_path: Path):
    import threading

    from antifraud_corpus.config import load_config
    from antifraud_corpus.pipeline import ingest_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("关于加强反诈宣传的通知\n各单位要加强反诈宣传。\n", encoding="utf-8")
    normalized = tmp_path / "normalized"
    held = StoreLock(normalized).acquire()
    notes: list[str] = []
    done = threading.Event()

    def second() -> None:
        ingest_corpus(raw, normalized, load_config(), on_busy=notes.append)
        done.set()

    worker = threading.Thread(target=second)
    worker.start()
    assert not done.wait(1.0)  # it waits while the lock is held …
    assert notes and f"process {__import__('os').getpid()}" in notes[0]  # … and says for whom
    held.release()
    assert done.wait(60)
    worker.join()
    assert (normalized / "a.json").is_file()
    assert (normalized / store.LOCK_NAME).read_bytes() == b""  # no holder left behind
