"""`corpus ingest` through the CLI: bad input of every kind is one clear line, the rest goes on."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from antifraud_corpus.cli import main
from conftest import RAW_DIR, SEED_PATHS

GOOD = SEED_PATHS[0]


def stored(normalized: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in normalized.glob("*.json")
            if not p.name.startswith(".")}


def ingest(runner, raw: Path, normalized: Path, *extra: str):
    return runner.invoke(main, ["ingest", "--raw", str(raw), "--normalized", str(normalized), *extra])


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error")]


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(GOOD, folder / GOOD.name)
    return folder


def assert_one_bad_file(result, raw: Path, tmp_path: Path, name: str, problem: str) -> None:
    assert result.exit_code == 1, result.output
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and problem in lines[0]
    assert "Traceback" not in result.output
    assert GOOD.stem in stored(tmp_path / "normalized")


def test_bundled_corpus_ingests_cleanly(runner, tmp_path: Path):
    result = ingest(runner, RAW_DIR, tmp_path / "normalized")
    assert result.exit_code == 0, result.output
    assert set(stored(tmp_path / "normalized")) == {p.stem for p in SEED_PATHS}
    assert "5 ingested, 0 skipped (unchanged), 0 failed" in result.stderr


def test_empty_file(runner, raw: Path, tmp_path: Path):
    (raw / "empty.txt").write_bytes(b"")
    assert_one_bad_file(ingest(runner, raw, tmp_path / "normalized"), raw, tmp_path, "empty.txt", "empty file")


def test_png_renamed_txt(runner, raw: Path, tmp_path: Path):
    (raw / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_one_bad_file(ingest(runner, raw, tmp_path / "normalized"), raw, tmp_path, "picture.txt", "binary")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8-sig"])
def test_other_encodings_give_the_same_document(runner, tmp_path: Path, encoding: str):
    seed = RAW_DIR / "002_b06b64127b7163c7.txt"
    text = seed.read_text(encoding="utf-8")
    for name, data in [("utf8", "utf-8"), ("copy", encoding)]:
        folder = tmp_path / name / "raw"
        folder.mkdir(parents=True)
        (folder / seed.name).write_bytes(text.encode(data))
        assert ingest(runner, folder, tmp_path / name / "normalized").exit_code == 0
    original = stored(tmp_path / "utf8" / "normalized")[seed.stem]
    copy = stored(tmp_path / "copy" / "normalized")[seed.stem]
    for key in ("text", "title", "date", "level", "region", "kind", "clauses", "duties", "removed"):
        assert copy[key] == original[key], key


def test_big5_copy_gives_the_same_document(runner, tmp_path: Path):
    text = "臨汾市人民代表大會常務委員會關於加強打擊治理電信網絡詐騙工作的審議意見\n\n" \
           "一、加強組織領導，壓實工作責任。要深入貫徹落實打擊治理電信網絡詐騙犯罪工作的重要指示精神。\n" \
           "二、擴大社會宣傳，提高防騙意識。要積極宣傳反電信網絡詐騙法。\n"
    for name, data in [("utf8", "utf-8"), ("big5", "big5")]:
        folder = tmp_path / name / "raw"
        folder.mkdir(parents=True)
        (folder / "doc.txt").write_bytes(text.encode(data))
        assert ingest(runner, folder, tmp_path / name / "normalized").exit_code == 0
    original = stored(tmp_path / "utf8" / "normalized")["doc"]
    copy = stored(tmp_path / "big5" / "normalized")["doc"]
    assert copy["text"] == original["text"] and copy["clauses"] == original["clauses"]
    assert copy["text"].startswith("临汾市")


def test_truncated_utf8_is_ingested_with_a_warning(runner, raw: Path, tmp_path: Path):
    data = (RAW_DIR / "004_cb00f39c3fb5eb64.txt").read_bytes()
    (raw / "cut.txt").write_bytes(data[:-1])
    result = ingest(runner, raw, tmp_path / "normalized")
    assert result.exit_code == 0, result.output
    doc = stored(tmp_path / "normalized")["cut"]
    assert any("undecodable" in w or "byte" in w for w in doc["warnings"])
    assert any("\ufffd" in r["text"] or r["reason"].endswith("undecodable") for r in doc["removed"])
    assert "cut" in result.stderr


def test_all_junk_file(runner, raw: Path, tmp_path: Path):
    (raw / "junk.txt").write_text("湖南人大网>重要发布>决议决定>正文\n来源:湖南人大融媒体中心 编辑:黄飞飞\n"
                                  "—分享—\n版权声明:本网站所有内容版权所有\n", encoding="utf-8")
    assert_one_bad_file(ingest(runner, raw, tmp_path / "normalized"), raw, tmp_path, "junk.txt", "nothing left")


@pytest.mark.parametrize(("sidecar", "problem"), [
    ("titel: 某标题\n", "unknown key"),
    ("date: 2022-13-45\n", "date"),
    ("title: [unclosed\n", "YAML"),
])
def test_bad_sidecar(runner, raw: Path, tmp_path: Path, sidecar: str, problem: str):
    shutil.copy(RAW_DIR / "004_cb00f39c3fb5eb64.txt", raw / "doc.txt")
    (raw / "doc.meta.yaml").write_text(sidecar, encoding="utf-8")
    assert_one_bad_file(ingest(runner, raw, tmp_path / "normalized"), raw, tmp_path, "doc.meta.yaml", problem)


def test_good_sidecar_overrides_metadata(runner, raw: Path, tmp_path: Path):
    shutil.copy(RAW_DIR / "004_cb00f39c3fb5eb64.txt", raw / "doc.txt")
    (raw / "doc.meta.yaml").write_text("date: 2021-04-08\n", encoding="utf-8")
    assert ingest(runner, raw, tmp_path / "normalized").exit_code == 0
    assert stored(tmp_path / "normalized")["doc"]["date"] == "2021-04-08"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(runner, raw: Path, tmp_path: Path):
    locked = raw / "locked.txt"
    shutil.copy(GOOD, locked)
    locked.chmod(0)
    try:
        assert_one_bad_file(ingest(runner, raw, tmp_path / "normalized"), raw, tmp_path, "locked.txt", "cannot read")
    finally:
        locked.chmod(0o644)


def test_unreadable_file_as_root_uses_a_directory_named_like_a_document(runner, raw: Path, tmp_path: Path):
    broken = raw / "broken.txt"
    broken.symlink_to(raw / "missing-target.txt")
    result = ingest(runner, raw, tmp_path / "normalized")
    assert result.exit_code == 1
    assert "broken.txt" in error_lines(result)[0]


def test_file_name_with_spaces_and_chinese(runner, raw: Path, tmp_path: Path):
    shutil.copy(RAW_DIR / "002_b06b64127b7163c7.txt", raw / "临汾 审议意见 2023.txt")
    result = ingest(runner, raw, tmp_path / "normalized")
    assert result.exit_code == 0, result.output
    assert stored(tmp_path / "normalized")["临汾 审议意见 2023"]["source"] == "临汾 审议意见 2023.txt"


def test_symlink_outside_the_raw_folder(runner, raw: Path, tmp_path: Path):
    outside = tmp_path / "secret.txt"
    outside.write_text("外部文件", encoding="utf-8")
    (raw / "link.txt").symlink_to(outside)
    result = ingest(runner, raw, tmp_path / "normalized")
    assert_one_bad_file(result, raw, tmp_path, "link.txt", "outside the raw folder")
    assert "link" not in stored(tmp_path / "normalized")


def test_missing_raw_folder_is_exit_2(runner, tmp_path: Path):
    result = ingest(runner, tmp_path / "nope", tmp_path / "normalized")
    assert result.exit_code == 2
    assert "raw folder does not exist" in result.stderr


def test_missing_config_folder_is_exit_2(runner, raw: Path, tmp_path: Path):
    result = ingest(runner, raw, tmp_path / "normalized", "--config", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "config folder does not exist" in result.stderr


def test_rerun_skips_unchanged_and_force_redoes(runner, raw: Path, tmp_path: Path):
    normalized = tmp_path / "normalized"
    assert ingest(runner, raw, normalized).exit_code == 0
    result = ingest(runner, raw, normalized)
    assert "0 ingested, 1 skipped" in result.stderr
    result = ingest(runner, raw, normalized, "--force")
    assert "1 ingested, 0 skipped" in result.stderr


def test_gone_raw_file_is_reported_and_pruned_only_on_request(runner, raw: Path, tmp_path: Path):
    normalized = tmp_path / "normalized"
    shutil.copy(RAW_DIR / "004_cb00f39c3fb5eb64.txt", raw / "extra.txt")
    assert ingest(runner, raw, normalized).exit_code == 0
    (raw / "extra.txt").unlink()
    result = ingest(runner, raw, normalized)
    assert "extra: raw file is gone" in result.stderr
    assert "extra" in stored(normalized)
    result = ingest(runner, raw, normalized, "--prune")
    assert "1 pruned" in result.stderr
    assert "extra" not in stored(normalized)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_two_clean_runs_are_byte_identical(runner, tmp_path: Path):
    assert ingest(runner, RAW_DIR, tmp_path / "a").exit_code == 0
    assert ingest(runner, RAW_DIR, tmp_path / "b", "--workers", "2").exit_code == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


@pytest.mark.slow
def test_sigkill_then_rerun_gives_a_clean_result(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(40):
        for seed in SEED_PATHS:
            shutil.copy(seed, raw / f"{i:02d}_{seed.name}")
    clean = tmp_path / "clean"
    cmd = [sys.executable, "-m", "antifraud_corpus.cli", "ingest", "--raw", str(raw)]
    subprocess.run(cmd + ["--normalized", str(clean)], check=True, capture_output=True)
    killed = tmp_path / "killed"
    proc = subprocess.Popen(cmd + ["--normalized", str(killed), "--workers", "2"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(killed.glob("*.json"))) < 20:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(list(killed.glob("*.json"))) < 200  # it really was interrupted
    rerun = subprocess.run(cmd + ["--normalized", str(killed)], check=True, capture_output=True, text=True)
    assert tree_bytes(killed) == tree_bytes(clean)
    # the documents the killed run had finished are not done again (the journal kept them)
    assert int(re.search(r"(\d+) skipped", rerun.stderr).group(1)) > 0


def test_raw_files_named_like_the_store_files_are_documents(runner, tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("manifest.txt", "lock.txt", "check-index.txt", "manifest.journal.txt"):
        shutil.copy(GOOD, raw / name)
    normalized = tmp_path / "normalized"
    assert ingest(runner, raw, normalized).exit_code == 0
    assert set(stored(normalized)) == {"manifest", "lock", "check-index", "manifest.journal"}
    again = ingest(runner, raw, normalized)
    assert "0 ingested, 4 skipped" in again.stderr  # not destroyed, not redone


def test_a_store_written_by_an_older_version_keeps_its_documents(runner, tmp_path: Path):
    normalized = tmp_path / "normalized"
    assert ingest(runner, RAW_DIR, normalized).exit_code == 0
    (normalized / ".manifest.json").rename(normalized / "manifest.json")  # where 0.1 kept it
    result = ingest(runner, RAW_DIR, normalized)
    assert "0 ingested, 5 skipped" in result.stderr
    assert not (normalized / "manifest.json").exists() and (normalized / ".manifest.json").is_file()


def _children(pid: int) -> set[int]:
    found = set()
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # field 4 of stat: the parent's pid
            found.add(int(stat_file.parent.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_end_with_a_killed_run(tmp_path: Path, sig):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(60):
        for seed in SEED_PATHS:
            shutil.copy(seed, raw / f"{i:02d}_{seed.name}")
    cmd = [sys.executable, "-m", "antifraud_corpus.cli", "ingest", "--raw", str(raw),
           "--normalized", str(tmp_path / "n"), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    workers: set[int] = set()
    while time.time() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.05)
    assert workers, "the run started no workers"
    os.kill(proc.pid, sig)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(Path(f"/proc/{w}").exists() for w in workers):
        time.sleep(0.05)
    alive = [w for w in workers if Path(f"/proc/{w}/stat").exists()
             and Path(f"/proc/{w}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert not alive, f"workers {alive} outlived their run"


def test_a_bad_rule_in_a_user_config_is_one_error_for_the_run(runner, tmp_path: Path):
    configs = tmp_path / "configs"
    configs.mkdir()
    clean = (RAW_DIR.parent.parent / "configs" / "clean.yaml").read_text(encoding="utf-8")
    (configs / "clean.yaml").write_text(clean.replace("keep_lines:\n", "keep_lines:\n  - '(unclosed'\n", 1),
                                        encoding="utf-8")
    result = runner.invoke(main, ["ingest", "--raw", str(RAW_DIR), "--normalized", str(tmp_path / "n"),
                                  "--config", str(configs)])
    assert result.exit_code == 2
    assert result.stderr.count("invalid regex") == 1 and "Traceback" not in result.stderr
    wrong_type = runner.invoke(main, ["ingest", "--raw", str(RAW_DIR), "--normalized", str(tmp_path / "m"),
                                      "--set", "extract.sentence=5"])
    assert wrong_type.exit_code == 2 and "--set extract.sentence=5" in wrong_type.stderr
    assert "Traceback" not in wrong_type.stderr


def test_hostile_file_names_and_link_loops_are_one_line_each(runner, tmp_path: Path, hostile_raw: Path):
    result = ingest(runner, hostile_raw, tmp_path / "normalized")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 5, result.stderr  # one line each, a newline in a name cannot forge a second
    assert any("\\udcffbad.txt: file name is not valid UTF-8" in e for e in errors)
    assert any("two\\nlines.txt: file name holds a control character" in e for e in errors)
    assert any("more than the store allows" in e for e in errors)
    assert sum("link cannot be followed" in e for e in errors) == 2
    assert "1 ingested" in result.stderr
    assert list(stored(tmp_path / "normalized")) == [GOOD.stem]


def test_a_full_disk_stops_the_run_with_one_line_and_keeps_what_was_stored(runner, tmp_path: Path, full_disk):
    normalized = tmp_path / "normalized"
    full_disk(after=3)  # the first document, the journal, the second document; then nothing fits
    result = ingest(runner, RAW_DIR, normalized)
    third = normalized / f"{SEED_PATHS[2].stem}.json"
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {third}: no space left on device; free some space and run again "
                             "(the 2 document(s) stored are kept)\n")
    assert "permission" not in result.stderr
    assert sorted(stored(normalized)) == [p.stem for p in SEED_PATHS[:2]]
    assert not (normalized / ".manifest.json").exists()  # left as it was: the journal holds the work
    journal = (normalized / ".manifest.journal").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["doc_id"] for line in journal[1:]] == [p.stem for p in SEED_PATHS[:2]]
    assert [p.name for p in normalized.iterdir() if p.name.startswith(".tmp-")] == []

    full_disk(after=1_000)  # space again: the next run keeps the two and does the rest
    again = ingest(runner, RAW_DIR, normalized)
    assert again.exit_code == 0, again.output
    assert "3 ingested, 2 skipped (unchanged), 0 failed" in again.stderr


def test_a_full_disk_at_the_manifest_keeps_every_document(runner, tmp_path: Path, full_disk):
    normalized = tmp_path / "normalized"
    full_disk(after=len(SEED_PATHS) + 1)  # every document and the journal; not the manifest
    result = ingest(runner, RAW_DIR, normalized)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {normalized / '.manifest.json'}: no space left on device; free some space "
                             f"and run again (the {len(SEED_PATHS)} document(s) stored are kept)\n")
    assert [p.name for p in normalized.iterdir() if p.name.startswith(".tmp-")] == []
    full_disk(after=1_000)
    assert f"0 ingested, {len(SEED_PATHS)} skipped" in ingest(runner, RAW_DIR, normalized).stderr



def test_png_behind_a_bom_is_refused_as_binary(runner, raw: Path, tmp_path: Path):
    (raw / "picture.txt").write_bytes(b"\xef\xbb\xbf\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    result = ingest(runner, raw, tmp_path / "normalized")
    assert_one_bad_file(result, raw, tmp_path, "picture.txt", "binary")
    assert error_lines(result) == ["error picture.txt: binary file (PNG image), not text; remove it or convert it "
                                   "to UTF-8 text"]
    assert "picture" not in stored(tmp_path / "normalized")


def test_a_full_disk_stops_worker_processes_too(runner, tmp_path: Path, full_disk):
    normalized = tmp_path / "normalized"
    full_disk(after=2)  # the first document (done before the workers start) and the journal
    result = ingest(runner, RAW_DIR, normalized, "--workers", "2")
    second = normalized / f"{SEED_PATHS[1].stem}.json"
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {second}: no space left on device; free some space and run again "
                             "(the 1 document(s) stored are kept)\n")
    assert [p.name for p in normalized.iterdir() if p.name.startswith(".tmp-")] == []
    journal = (normalized / ".manifest.journal").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["doc_id"] for line in journal[1:]] == [SEED_PATHS[0].stem]
