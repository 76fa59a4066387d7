"""`corpus check`: crafted drops (one per finding code), formats, index, --since, exit codes."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus import check
from antifraud_corpus.check import (
    CODES,
    Finding,
    check_paths,
    check_rules,
    document_signature,
    file_name_problems,
    findings_to_github,
    findings_to_json,
    findings_to_junit,
    refresh_index,
    signature_similarity,
)
from antifraud_corpus.check.signatures import _shingles
from antifraud_corpus.check.targets import display_path
from antifraud_corpus.config import load_config
from antifraud_corpus.errors import ConfigError, IngestError
from conftest import RAW_DIR, SEED_PATHS

CASES = Path(__file__).parent / "cases" / "check"
CASE_TABLE: dict[str, dict[str, int]] = yaml.safe_load((CASES / "cases.yaml").read_text(encoding="utf-8"))
SEED = SEED_PATHS[0]


@pytest.fixture(scope="session")
def store(ingested_seeds) -> Path:
    normalized, report = ingested_seeds
    assert not report.failed
    return normalized


@pytest.fixture()
def raw(tmp_path: Path) -> Path:
    """A raw folder holding the seeds (as in the store) and an empty `new/` drop folder."""
    folder = tmp_path / "raw"
    shutil.copytree(RAW_DIR, folder)
    (folder / "new").mkdir()
    return folder


def drop(raw: Path, name: str, content: str | bytes | None = None, source: Path | None = None) -> Path:
    path = raw / "new" / name
    if content is None:
        shutil.copy(source or CASES / name, path)
        sidecar = (source or CASES / name).with_name(Path(name).stem + ".meta.yaml")
        if sidecar.is_file():
            shutil.copy(sidecar, path.with_name(sidecar.name))
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def run(paths, raw: Path, store: Path, config, **kw):
    return check_paths(paths, raw_dir=raw, normalized_dir=store, config=config, **kw)


def serious(result) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for f in result.findings:
        if f.severity != "info":
            out.setdefault(f.code, []).append(f.line)
    return out


# ---------------------------------------------------------------- crafted drops, one per code


@pytest.mark.parametrize("name", sorted(CASE_TABLE))
def test_crafted_drop_triggers_exactly_its_finding(name, raw, store, config):
    path = drop(raw, name)
    result = run([path], raw, store, config)
    expected = {code: [line] for code, line in (CASE_TABLE[name] or {}).items()}
    assert serious(result) == expected, result.findings
    rules = check_rules(config)
    for finding in result.findings:
        assert finding.severity == rules.severity[finding.code]
    assert result.exit_code == (1 if any(rules.severity[c] == "error" for c in expected) else 0)


def test_clean_document_passes(raw, store, config):
    result = run([drop(raw, "clean.txt")], raw, store, config)
    assert result.findings == []
    assert result.exit_code == 0
    assert result.files_checked == [display_path(raw / "new" / "clean.txt")]


def test_gb18030_file_gets_only_an_info_finding(raw, store, config):
    result = run([drop(raw, "encoding-found.txt")], raw, store, config)
    assert [(f.code, f.severity) for f in result.findings] == [("encoding-found", "info")]
    assert "gb18030" in result.findings[0].message
    assert result.exit_code == 0


def test_undecodable_file_is_an_error_exit_1(raw, store, config):
    result = run([drop(raw, "encoding.txt")], raw, store, config)
    assert [(f.code, f.severity, f.line) for f in result.findings] == [("encoding", "error", 1)]
    # (a PDF saved as .txt is read by its bytes, as a PDF: this one is cut short)
    assert result.findings[0].message.startswith("damaged PDF")
    assert result.exit_code == 1


def test_exact_duplicate_of_a_stored_document(raw, store, config):
    path = drop(raw, "copy.txt", source=SEED)
    result = run([path], raw, store, config)
    assert serious(result) == {"duplicate": [1]}
    (finding,) = result.findings
    assert finding.severity == "error" and SEED.name in finding.message
    assert "already in the corpus" in finding.message
    assert result.exit_code == 1


def test_duplicate_inside_the_drop_is_reported_once_on_the_later_file(raw, store, config):
    first = drop(raw, "a.txt", source=CASES / "clean.txt")
    second = drop(raw, "b.txt", source=CASES / "clean.txt")
    result = run([first, second], raw, store, config)
    assert [(f.file.rsplit("/", 1)[-1], f.code) for f in result.findings] == [("b.txt", "duplicate")]
    assert "a.txt" in result.findings[0].message and "also in this drop" in result.findings[0].message


def test_near_duplicate_of_a_stored_document_names_it(raw, store, config):
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[20] = lines[20] + "各地要结合实际抓好落实。"  # one sentence added to a long document
    result = run([drop(raw, "revised.txt", "\n".join(lines))], raw, store, config)
    assert serious(result) == {"near-duplicate": [1]}
    (finding,) = result.findings
    assert SEED.name in finding.message and finding.severity == "warning"
    score = re.search(r"similarity (\d\.\d\d)", finding.message)
    assert "the same text after cleaning" in finding.message or 0.8 <= float(score.group(1)) < 1.0
    assert result.exit_code == 0


def test_unrelated_documents_are_not_near_duplicates(raw, store, config):
    files = [drop(raw, "a.txt", source=CASES / "clean.txt"),
             drop(raw, "b.txt", source=CASES / "no-directives.txt")]
    result = run(files, raw, store, config)
    assert "near-duplicate" not in serious(result)


def test_checking_the_whole_raw_folder_does_not_match_files_with_their_own_stored_copy(store, config):
    result = run(None, RAW_DIR, store, config)
    assert not {"duplicate", "near-duplicate", "doc-id"} & set(serious(result))


def test_a_renamed_file_is_not_a_duplicate_of_its_orphaned_stored_copy(raw, store, config):
    # Ingest keeps a stored document whose raw file is gone (until --prune): after a rename
    # the old copy must not make the renamed file a duplicate or take its id.
    renamed = raw / "new" / SEED.name
    (raw / SEED.name).rename(renamed)
    result = run([renamed], raw, store, config)
    assert not {"duplicate", "near-duplicate", "doc-id"} & set(serious(result))


def test_a_folder_is_walked(raw, store, config):
    drop(raw, "clean.txt")
    drop(raw, "numbering-gap.meta.yaml", "kind: notice\n")
    drop(raw, "numbering-gap.txt")
    result = run([raw / "new"], raw, store, config)
    assert [f.rsplit("/", 1)[-1] for f in result.files_checked] == ["clean.txt", "numbering-gap.txt"]


def test_a_folder_walk_finds_what_ingest_would_refuse(raw, store, config, tmp_path):
    # The same files as ingest's discovery, plus the ones it refuses or passes over.
    drop(raw, "clean.txt")
    (raw / "new" / "sub").mkdir()
    shutil.copy(CASES / "no-directives.txt", raw / "new" / "sub" / "clean.txt")  # same document id
    (raw / "new" / "linked").symlink_to(tmp_path, target_is_directory=True)
    drop(raw, ".hidden.txt", source=CASES / "clean.txt")
    result = run([raw / "new"], raw, store, config)
    assert [f.split("new/", 1)[-1] for f in result.files_checked] == ["clean.txt", "linked", "sub/clean.txt"]
    found = {(f.code, f.file.split("new/", 1)[-1]) for f in result.findings if f.severity == "error"}
    assert found == {("not-a-file", "linked"), ("doc-id", "sub/clean.txt")}


def test_document_id_taken_by_a_stored_document(raw, store, config):
    path = drop(raw, SEED.name, source=CASES / "clean.txt")  # new/<seed name>: same id, other source
    result = run([path], raw, store, config)
    assert serious(result) == {"doc-id": [1]}
    assert result.findings[0].severity == "error" and SEED.name in result.findings[0].message


def test_file_name_with_a_space(raw, store, config):
    result = run([drop(raw, "clean copy.txt", source=CASES / "clean.txt")], raw, store, config)
    assert serious(result) == {"file-name": [1]}
    assert "white space" in result.findings[0].message
    assert result.exit_code == 0


def test_link_outside_the_raw_folder_is_not_a_file(raw, store, config, tmp_path):
    outside = tmp_path / "elsewhere.txt"
    shutil.copy(CASES / "clean.txt", outside)
    link = raw / "new" / "link.txt"
    link.symlink_to(outside)
    result = run([link], raw, store, config)
    assert [(f.code, f.severity) for f in result.findings] == [("not-a-file", "error")]


def test_junk_that_cleaning_left_is_reported_on_its_raw_line(raw, store, config, monkeypatch):
    # A cleaning stage that misses junk (as one that trips on an invisible character would):
    # the check runs the junk rules again on the cleaned body and points at the raw line.
    from antifraud_corpus import pipeline

    real = pipeline.clean_text

    def clean_without_junk_rules(text, cfg):
        import antifraud_corpus.stages.clean as clean

        with monkeypatch.context() as m:
            m.setattr(clean, "find_junk", lambda t, c: [])
            return real(text, cfg)

    monkeypatch.setattr(pipeline, "clean_text", clean_without_junk_rules)
    result = run([drop(raw, "junk-left.txt")], raw, store, config)
    assert serious(result) == {"junk-left": [18]}
    assert "share-widget" in result.findings[0].message


def test_personal_data_finding_never_shows_the_value(raw, store, config):
    result = run([drop(raw, "personal-data.txt")], raw, store, config)
    text = findings_to_json(result.findings) + findings_to_github(result.findings) + \
        findings_to_junit(result.findings, result.files_checked)
    assert "13912345678" not in text and "李明" not in text
    assert "mobile" in result.findings[0].message


def test_invalid_sidecar_is_reported_on_the_sidecar_and_the_document_still_checked(raw, store, config):
    result = run([drop(raw, "invalid-sidecar.txt")], raw, store, config)
    (finding,) = result.findings
    assert finding.file.endswith("invalid-sidecar.meta.yaml") and "'dat'" in finding.message


def test_a_sidecar_alone_stands_for_its_document(raw, store, config):
    drop(raw, "missing-region.txt")
    result = run([raw / "new" / "missing-region.meta.yaml"], raw, store, config)
    assert [f.rsplit("/", 1)[-1] for f in result.files_checked] == ["missing-region.txt"]
    assert serious(result) == {"missing-region": [1]}


def test_a_sidecar_without_its_document(raw, store, config):
    lonely = drop(raw, "lonely.meta.yaml", "date: 2023-03-15\n")
    result = run([lonely], raw, store, config)
    found = [(f.code, f.file.rsplit("/", 1)[-1]) for f in result.findings]
    assert found == [("invalid-sidecar", "lonely.meta.yaml")]
    assert "sidecar without a document" in result.findings[0].message


def test_findings_of_one_code_are_capped_with_a_count(raw, store, config):
    text = (CASES / "clean.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    for i in (6, 8, 10, 12, 14, 16, 17):
        lines.insert(i, "锟斤拷")
    result = run([drop(raw, "many.txt", "\n".join(lines))], raw, store, config)
    mojibake = [f for f in result.findings if f.code == "mojibake"]
    assert len(mojibake) == check_rules(config).max_per_code
    assert mojibake[-1].message.endswith("(and 2 more like it)")


def test_bundled_seeds_give_no_errors(store, config):
    result = run(None, RAW_DIR, store, config)
    assert result.exit_code == 0, [f for f in result.findings if f.severity == "error"]
    assert len(result.files_checked) == len(SEED_PATHS)
    # The warnings README explains: reports without a year, a news report of an
    # opinion (unnumbered), personal data in a news page.
    assert set(serious(result)) <= {"missing-date", "low-clause-coverage", "personal-data"}


def test_no_store_is_a_note_not_an_error(raw, config, tmp_path):
    result = run([drop(raw, "clean.txt")], raw, tmp_path / "missing", config)
    assert result.findings == [] and result.exit_code == 0
    assert "no normalized store" in result.notes[0]


def test_missing_path_is_a_usage_error(raw, store, config):
    with pytest.raises(IngestError, match="no such file"):
        run([raw / "nope.txt"], raw, store, config)


# ---------------------------------------------------------------- config


def test_every_code_has_a_default_severity(config):
    packaged_file = Path(check.__file__).parent.parent / "configs" / "check.yaml"
    packaged = yaml.safe_load(packaged_file.read_text(encoding="utf-8"))
    assert set(packaged["severity"]) == set(CODES)
    rules = check_rules(config)
    assert rules.severity["encoding"] == "error" and rules.severity["duplicate"] == "error"
    assert rules.severity["missing-date"] == "warning"


def test_team_check_yaml_overrides_only_what_it_sets(tmp_path, raw, store):
    team = tmp_path / "configs"
    team.mkdir()
    (team / "check.yaml").write_text("severity:\n  missing-date: error\n  file-name: off\n", encoding="utf-8")
    config = load_config(team)
    rules = check_rules(config)
    assert rules.severity["missing-date"] == "error" and rules.severity["file-name"] == "off"
    assert rules.severity["duplicate"] == "error" and rules.near_duplicate == 0.8
    result = run([drop(raw, "missing-date.txt")], raw, store, config)
    assert result.exit_code == 1
    result = run([drop(raw, "clean copy.txt", source=CASES / "clean.txt")], raw, store, config)
    assert result.findings == []


@pytest.mark.parametrize("body, problem", [
    ("severity:\n  missing-dates: error\n", "unknown finding code 'missing-dates'"),
    ("severity:\n  duplicate: fatal\n", "'severity.duplicate': invalid value 'fatal' (allowed: off,"),
    ("thresholds:\n  near_duplicate: 2\n", "near_duplicate must be a number from 0 to 1"),
    ("file_names:\n  forbidden: '[a-'\n", "file_names.forbidden: invalid regex"),
])
def test_bad_check_yaml_is_a_config_error(tmp_path, body, problem):
    team = tmp_path / "configs"
    team.mkdir()
    (team / "check.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(problem)):
        check_rules(load_config(team))


# ---------------------------------------------------------------- file names


@pytest.mark.parametrize("name, problem", [
    ("关于加强反诈工作的通知.txt", None),
    ("2023-notice_01.txt", None),
    ("a b.txt", "white space"),
    ("-rf.txt", "starts with '-'"),
    ("what?.txt", "'?'"),
    ("tab\there.txt", "'\\t'"),
    ("name.", "ends with '.'"),
    ("CON.txt", "reserved device name"),
    ("x" * 121 + ".txt", "at most 120"),
])
def test_file_name_rules(config, name, problem):
    problems = file_name_problems(name, check_rules(config).file_names)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_file_name_rules_are_configurable(tmp_path):
    team = tmp_path / "configs"
    team.mkdir()
    (team / "check.yaml").write_text("file_names:\n  allow_spaces: true\n  allow_non_ascii: false\n"
                                     "  extensions: [.txt]\n", encoding="utf-8")
    rules = check_rules(load_config(team)).file_names
    assert file_name_problems("a b.txt", rules) == []
    assert any("non-ASCII" in p for p in file_name_problems("通知.txt", rules))
    assert any("extension" in p for p in file_name_problems("page.html", rules))


# ---------------------------------------------------------------- signatures


def test_signature_is_stable_and_sized(config):
    text = SEED.read_text(encoding="utf-8")
    sig = document_signature(text, config)
    assert len(sig) == check_rules(config).similarity.bins
    assert sig == document_signature(text, config)
    assert all(0 <= v <= 0xFFFFFFFF for v in sig)
    # Fixed hash (blake2b), not Python's salted hash(): the same in every process.
    code = ("import json; from antifraud_corpus.check import document_signature;"
            "from antifraud_corpus.config import load_config;"
            f"text = open({str(SEED)!r}, encoding='utf-8').read();"
            "print(json.dumps(document_signature(text, load_config())[:4]))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert sig[:4] == json.loads(other.stdout)


def _jaccard(a: str, b: str, n: int = 5) -> float:
    sa, sb = _shingles(a, n), _shingles(b, n)
    return len(sa & sb) / len(sa | sb)


def test_similarity_estimates_jaccard(config):
    sentences = [s for p in SEED_PATHS for s in p.read_text(encoding="utf-8").split("。") if len(s) > 10]
    rng = random.Random(7)
    for _ in range(20):
        common = rng.sample(sentences, 30)
        a = "。".join(common + rng.sample(sentences, rng.randint(0, 30)))
        b = "。".join(common + rng.sample(sentences, rng.randint(0, 30)))
        estimate = signature_similarity(document_signature(a, config), document_signature(b, config))
        assert abs(estimate - _jaccard(a, b)) < 0.15


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="反电信网络诈骗要加强宣传工作公安机关和金融部门，。", min_size=0, max_size=120),
       st.text(alphabet="反电信网络诈骗要加强宣传工作公安机关和金融部门，。", min_size=0, max_size=120))
def test_similarity_is_symmetric_bounded_and_reflexive(config, a, b):
    sa, sb = document_signature(a, config), document_signature(b, config)
    score = signature_similarity(sa, sb)
    assert score == signature_similarity(sb, sa)
    assert 0.0 <= score <= 1.0
    assert signature_similarity(sa, sa) == 1.0


# ---------------------------------------------------------------- the store's index


def test_index_is_written_once_and_then_read_without_the_documents(tmp_path, store, config, monkeypatch):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    (copy / check.INDEX_NAME).unlink(missing_ok=True)
    entries = refresh_index(copy, config)
    assert [e.doc_id for e in entries] == [p.stem for p in SEED_PATHS]
    assert (copy / check.INDEX_NAME).is_file()
    # Not a document of the store: the store lists only `*.json` files.
    from antifraud_corpus import store as store_module

    assert all(p.suffix == ".json" for p in store_module.iter_document_paths(copy))

    def no_reading(path):
        raise AssertionError(f"read {path}")

    monkeypatch.setattr(store_module, "read_document", no_reading)
    again = refresh_index(copy, config)
    assert [(e.doc_id, e.signature) for e in again] == [(e.doc_id, e.signature) for e in entries]


def test_index_rereads_only_changed_documents(tmp_path, store, config, monkeypatch):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    refresh_index(copy, config)
    manifest = json.loads((copy / ".manifest.json").read_text(encoding="utf-8"))
    changed = SEED_PATHS[1].stem
    manifest["documents"][changed]["sha256"] = "0" * 64
    (copy / ".manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    from antifraud_corpus import store as store_module

    real = store_module.read_document
    read: list[str] = []

    def counting(path):
        read.append(path.stem)
        return real(path)

    monkeypatch.setattr(store_module, "read_document", counting)
    refresh_index(copy, config)
    assert read == [changed]


def test_index_survives_a_store_it_cannot_write(tmp_path, store, config):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    (copy / check.INDEX_NAME).unlink(missing_ok=True)
    (copy / check.INDEX_NAME).mkdir()  # the index cannot be put in place (as in a read-only store)
    notes: list[str] = []
    assert len(refresh_index(copy, config, notes=notes)) == len(SEED_PATHS)
    assert notes == []  # a store that cannot be written is normal (a CI cache): nothing to say
    assert [p.name for p in copy.iterdir() if p.name.startswith(".tmp-")] == []


def test_index_on_a_full_disk_is_a_note_and_the_check_goes_on(tmp_path, raw, store, config, full_disk):
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    (copy / check.INDEX_NAME).unlink(missing_ok=True)
    full_disk()
    result = run([drop(raw, "copy.txt", source=SEED)], raw, copy, config)
    assert serious(result) == {"duplicate": [1]}
    assert result.notes == [f"the check index was not saved: {copy / check.INDEX_NAME}: no space left on device; "
                            "free some space and run again"]
    assert not (copy / check.INDEX_NAME).exists()
    assert [p.name for p in copy.iterdir() if p.name.startswith(".tmp-")] == []


# ---------------------------------------------------------------- --since


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    shutil.copytree(RAW_DIR, root / "data" / "raw")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=t", "add", ".")
    git(root, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "seeds")
    return root


def test_since_checks_only_files_changed_in_the_branch(repo, store, config):
    raw = repo / "data" / "raw"
    git(repo, "checkout", "-q", "-b", "drop")
    shutil.copy(CASES / "numbering-gap.txt", raw / "new-notice.txt")
    (repo / "README").write_text("not raw\n")
    git(repo, "add", ".")
    git(repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-q", "-m", "drop")
    shutil.copy(CASES / "clean.txt", raw / "untracked.txt")
    result = run(None, raw, store, config, since="main")
    assert [f.rsplit("/", 1)[-1] for f in result.files_checked] == ["new-notice.txt", "untracked.txt"]
    assert serious(result) == {"numbering-gap": [12]}


def test_since_with_nothing_changed(repo, store, config):
    result = run(None, repo / "data" / "raw", store, config, since="HEAD")
    assert result.files_checked == [] and result.exit_code == 0
    assert "no raw files changed since HEAD" in result.notes


def test_since_bad_revision_is_a_usage_error(repo, store, config):
    with pytest.raises(ConfigError, match="unknown git revision"):
        run(None, repo / "data" / "raw", store, config, since="no-such-branch")


def test_since_outside_a_repository_is_a_usage_error(raw, store, config):
    with pytest.raises(ConfigError, match="not inside a git work tree"):
        run(None, raw, store, config, since="HEAD")


# ---------------------------------------------------------------- formats


FINDINGS = [
    Finding("data/raw/a b.txt", 3, "error", "duplicate", "same bytes as data/raw/x.txt, 100% : done"),
    Finding("data/raw/a b.txt", 1, "warning", "file-name", "name contains white space\nrename it"),
    Finding("data/raw/c.txt", 7, "info", "encoding-found", "decoded as gb18030"),
]


def test_json_is_the_contract_list():
    data = json.loads(findings_to_json(FINDINGS))
    assert [set(d) for d in data] == [{"file", "line", "severity", "code", "message"}] * 3
    assert data[0] == {"file": "data/raw/a b.txt", "line": 3, "severity": "error", "code": "duplicate",
                       "message": "same bytes as data/raw/x.txt, 100% : done"}


def test_github_annotations_are_valid_workflow_commands():
    lines = findings_to_github(FINDINGS).splitlines()
    command = re.compile(r"^::(error|warning|notice) file=([^,:]*),line=(\d+),title=([^,:]*)::(.*)$")
    parsed = [command.match(line) for line in lines]
    assert all(parsed), lines
    assert [m.group(1) for m in parsed] == ["error", "warning", "notice"]
    assert parsed[0].group(2) == "data/raw/a b.txt" and parsed[0].group(3) == "3"
    assert parsed[0].group(4) == "corpus check%3A duplicate"
    # Data escaping: % and newlines (the message may hold commas and colons as they are).
    assert parsed[0].group(5) == "same bytes as data/raw/x.txt, 100%25 : done"
    assert parsed[1].group(5) == "name contains white space%0Arename it"
    assert findings_to_github([]) == ""


def _junit_schema():
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(CASES / "junit-10.xsd"))


def test_junit_report_is_valid_and_counts_errors_as_failures():
    xml = findings_to_junit(FINDINGS, ["data/raw/a b.txt", "data/raw/c.txt", "data/raw/ok.txt"])
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["data/raw/a b.txt", "data/raw/c.txt", "data/raw/ok.txt"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == list(CODES)
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    failing = [(s.get("name"), c.get("name")) for s in suites for c in s if c.find("failure") is not None]
    assert failing == [("data/raw/a b.txt", "duplicate")]
    warned = suites[0].find("testcase[@name='file-name']/system-out").text
    assert "warning: data/raw/a b.txt:1: name contains white space" in warned
    assert int(root.get("failures")) == 1 and int(root.get("tests")) == 3 * len(CODES)


def test_junit_report_validates_against_the_junit_schema():
    schema = _junit_schema()
    schema.validate(findings_to_junit(FINDINGS, ["data/raw/a b.txt", "data/raw/c.txt"]))
    schema.validate(findings_to_junit([], []))


def test_junit_report_reads_with_junitparser(tmp_path):
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "report.xml"
    path.write_text(findings_to_junit(FINDINGS, ["data/raw/a b.txt", "data/raw/c.txt"]), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    results = {(case.classname, case.name): case.result for suite in xml for case in suite}
    assert len(results) == 2 * len(CODES)
    assert isinstance(results[("data/raw/a b.txt", "duplicate")][0], junitparser.Failure)
    assert results[("data/raw/c.txt", "duplicate")] == []


def test_junit_from_a_real_run_validates(raw, store, config):
    result = run([drop(raw, "copy.txt", source=SEED), drop(raw, "numbering-gap.txt")], raw, store, config)
    xml = check.format_findings(result, "junit", config)
    root = ET.fromstring(xml.encode("utf-8"))
    assert int(root.get("failures")) == 1
    _junit_schema().validate(xml)


def test_text_report_groups_by_file_and_sums_up(raw, store, config):
    from rich.console import Console

    from antifraud_corpus.report.check import render_check

    result = run([drop(raw, "copy.txt", source=SEED), drop(raw, "numbering-gap.txt")], raw, store, config)
    console = Console(record=True, width=200, color_system=None)
    render_check(console, result, verbosity="verbose")
    text = console.export_text()
    assert "copy.txt" in text and "numbering-gap.txt" in text
    assert re.search(r"12\s+warning\s+numbering-gap\s+numbering gap: 四 follows 二", text)
    assert text.strip().endswith("2 files checked: 1 error, 1 warning")


# ---------------------------------------------------------------- the command


def _cli():
    from antifraud_corpus.cli import main

    if "check" not in main.commands:
        pytest.skip("`corpus check` is not wired into cli.py yet")
    return main


def test_cli_exit_codes_and_formats(runner, raw, store):
    main = _cli()
    clean = drop(raw, "clean.txt")
    base = ["check", "--raw", str(raw), "--normalized", str(store)]
    ok = runner.invoke(main, [*base, str(clean)])
    assert ok.exit_code == 0, ok.output
    assert "1 file checked: 0 errors, 0 warnings" in ok.stdout
    dup = drop(raw, "copy.txt", source=SEED)
    bad = runner.invoke(main, [*base, "--format", "json", str(dup)])
    assert bad.exit_code == 1, bad.output
    assert json.loads(bad.stdout)[0]["code"] == "duplicate"
    gh = runner.invoke(main, [*base, "--format", "github", str(dup)])
    assert gh.exit_code == 1 and gh.stdout.startswith("::error file=")
    junit = runner.invoke(main, [*base, "--format", "junit", str(dup)])
    assert junit.exit_code == 1
    _junit_schema().validate(junit.stdout)


def test_cli_usage_errors_exit_2(runner, raw, store, tmp_path):
    main = _cli()
    base = ["check", "--raw", str(raw), "--normalized", str(store)]
    assert runner.invoke(main, [*base, "--format", "xml"]).exit_code == 2
    assert runner.invoke(main, [*base, str(raw / "missing.txt")]).exit_code == 2
    assert runner.invoke(main, [*base, "--since", "HEAD"]).exit_code == 2  # not a git work tree
    team = tmp_path / "configs"
    team.mkdir()
    (team / "check.yaml").write_text("severity:\n  nonsense: error\n", encoding="utf-8")
    result = runner.invoke(main, [*base, "--config", str(team)])
    assert result.exit_code == 2 and "nonsense" in result.stderr
    assert "Traceback" not in result.output


def test_hostile_file_names_and_link_loops_are_findings_not_tracebacks(runner, tmp_path: Path, hostile_raw: Path):
    result = runner.invoke(_cli(), ["check", str(hostile_raw), "--normalized", str(tmp_path / "none"),
                                  "--format", "json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    findings = json.loads(result.stdout)
    files = {f["file"] for f in findings if f["code"] == "not-a-file"}
    assert len(files) == 5
    assert all("\n" not in f and "\udcff" not in f for f in files)


@pytest.mark.parametrize("length", [254, 255])
def test_a_file_name_of_the_longest_kind_is_checked_without_a_traceback(runner, tmp_path: Path, store, length):
    # 254: a valid document id whose sidecar name (`.meta.yaml`) is too long for the file system;
    # 255: the longest name a file can have, too long for the store.
    raw = tmp_path / "raw"
    raw.mkdir()
    name = "a" * (length - 4) + ".txt"
    (raw / name).write_text("关于加强反诈宣传的通知\n各单位要加强反诈宣传。\n", encoding="utf-8")
    result = runner.invoke(_cli(), ["check", str(raw / name), "--raw", str(raw), "--normalized", str(store),
                                    "--format", "json"])
    assert "Traceback" not in result.output
    findings = json.loads(result.stdout)
    assert findings and all(f["file"].endswith(name) and "\n" not in f["message"] for f in findings)
    too_long = [f for f in findings if "more than the store allows" in f["message"]]
    assert result.exit_code == (1 if too_long else 0) and bool(too_long) == (length == 255)


def test_text_report_lists_errors_by_file_and_groups_warnings_by_code(raw, store, config):
    from rich.console import Console

    from antifraud_corpus.report.check import render_check

    result = run([drop(raw, "copy.txt", source=SEED), drop(raw, "numbering-gap.txt"),
                  drop(raw, "gap2.txt", (CASES / "numbering-gap.txt").read_text(encoding="utf-8") + "\n")],
                 raw, store, config)
    copy, gap, gap2 = (display_path(raw / "new" / name) for name in ("copy.txt", "numbering-gap.txt", "gap2.txt"))
    texts = {}
    for verbosity in ("summary", "quiet"):
        console = Console(record=True, width=300, color_system=None)
        render_check(console, result, verbosity=verbosity)
        texts[verbosity] = console.export_text()
    error = [copy, f"  1  error    duplicate  same bytes as {display_path(raw / SEED.name)} (already in the "
                   "corpus); remove one of them"]
    assert [line.rstrip() for line in texts["summary"].splitlines()] == [
        *error,
        "warnings and notes by code (-v lists every one, by file):",
        f"  2  numbering-gap   {gap2}:12: numbering gap: 四 follows 二; check the clause numbers",
        f"                     {gap}:12: numbering gap: 四 follows 二; check the clause numbers",
        f"  1  near-duplicate  {gap}:1: near-duplicate of {gap2} (in this drop) (the same text after cleaning, "
        "though not the same bytes); keep one version, or give the other a distinct role",
        "3 files checked: 1 error, 3 warnings"]
    assert [line.rstrip() for line in texts["quiet"].splitlines()] == [*error, "3 files checked: 1 error, 3 warnings"]
