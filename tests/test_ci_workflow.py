"""docs/ci/corpus-check.yml as copied into a corpus repository: its shell steps run in a scratch git repository.

GitHub runs each `run:` step with `bash --noprofile --norc -eo pipefail`, in the checkout, with the
workflow's and the step's `env`, and with GITHUB_STEP_SUMMARY and GITHUB_OUTPUT naming files. The
test does the same in a scratch repository holding a tiny corpus, evaluating the few `${{ }}`
expressions the workflow uses from a context it sets (an unknown one fails the test).

Not run: the `uses:` steps, GitHub's own actions (the scratch repository is the checkout, this
Python the set-up one, and there is no cache to restore), and the install step, which would fetch
ANTIFRAUD_CORPUS_SPEC over the network. In its place the test checks that the step installs exactly
that spec (and parses with `bash -n`), and that the `corpus` the other steps run is this checkout,
which the venv running the tests has installed (`pip install -e .`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import antifraud_corpus

WORKFLOW = Path(__file__).resolve().parent.parent / "docs" / "ci" / "corpus-check.yml"
_INSTALL = 'python -m pip install "$ANTIFRAUD_CORPUS_SPEC"'
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_SPEC = {"ANTIFRAUD_CORPUS_SPEC": "git+https://github.com/example-lab/antifraud-corpus@v0.1.0"}  # as a team sets it
_SET_UP, _INGEST, _CHECK = "Check that the tool's repository is set", "Bring the store up to date", "corpus check"

_GOOD = ("关于加强反电信网络诈骗宣传工作的通知\n2023年3月1日\n"
         "一、各级公安机关要加强反诈宣传，及时发布预警信息。\n"
         "二、银行业金融机构应当加强涉诈资金监测，发现异常及时止付。\n"
         "三、电信企业应当落实电话卡实名登记制度。\n")


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _commit(repo: Path, files: dict[str, bytes], message: str) -> str:
    for name, data in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _run_steps(repo: Path, context: dict[str, str], tmp_path: Path,
               workflow_env: dict[str, str] | None = None) -> list[tuple[str, int, str, str]]:
    """Run the workflow's shell steps as GitHub would, stopping at the first that fails.

    `workflow_env` replaces values of the workflow's top-level `env` (what a team edits after
    copying it; `_SPEC` by default, None for none). Returns (step name, exit status, stdout,
    stderr) for each step run; the summary is in `tmp_path/summary.md`.
    """
    workflow = _workflow()
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    summary.write_text("", encoding="utf-8")
    output.write_text("", encoding="utf-8")

    def evaluate(text: str) -> str:
        return _EXPRESSION.sub(lambda m: context[m[1]], str(text))

    base_env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output), "GITHUB_WORKSPACE": str(repo),
                "CI": "true", "GITHUB_ACTIONS": "true", "NO_COLOR": "1"}
    base_env.update({k: evaluate(v) for k, v in (workflow.get("env") or {}).items()})
    base_env.update(_SPEC if workflow_env is None else workflow_env)
    ran = []
    for step in workflow["jobs"]["check"]["steps"]:
        if "run" not in step:
            continue
        assert "if" not in step, "a conditional step: teach this test to evaluate it"
        env = {**base_env, **{k: evaluate(v) for k, v in (step.get("env") or {}).items()}}
        script = evaluate(step["run"])
        if script.strip() == _INSTALL:
            syntax = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True, check=False)
            assert syntax.returncode == 0, syntax.stderr
            continue  # see the module docstring: the venv already has this checkout installed
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=repo, env=env,
                                capture_output=True, text=True, timeout=300, check=False)
        ran.append((step.get("name", script), result.returncode, result.stdout, result.stderr))
        if result.returncode != 0:
            break
    return ran


@pytest.fixture()
def repo(tmp_path: Path) -> tuple[Path, str]:
    """A corpus repository: a base commit with one good document. Returns (repository, base commit)."""
    root = tmp_path / "corpus"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    base = _commit(root, {"data/raw/good.txt": _GOOD.encode("utf-8")}, "a good document")
    return root, base


def test_the_workflow_installs_the_spec_it_names_without_a_pip_cache():
    workflow = _workflow()
    spec = workflow["env"]["ANTIFRAUD_CORPUS_SPEC"]
    assert spec.startswith("git+https://") and "@v" in spec
    steps = workflow["jobs"]["check"]["steps"]
    assert [s["run"] for s in steps if "pip install" in s.get("run", "")] == [_INSTALL]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert "cache" not in setup.get("with", {})  # pip's cache needs a requirements file a corpus repo has not
    assert steps[0]["name"] == _SET_UP  # before anything is fetched or installed
    assert steps[1]["uses"].startswith("actions/checkout") and steps[1]["with"]["fetch-depth"] == 0
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "--format junit" not in runs  # no JUnit without the reporter that reads it
    assert "${{" not in runs  # expressions go through env, never spliced into a shell line


def test_the_corpus_the_steps_run_is_this_checkout():
    checkout = WORKFLOW.parent.parent.parent
    assert Path(antifraud_corpus.__file__).resolve().is_relative_to(checkout / "src")
    assert (Path(sys.executable).parent / "corpus").is_file()


def test_a_pull_request_with_bad_files_fails_with_every_finding_in_the_summary(repo, tmp_path):
    root, base = repo
    bad = {f"data/raw/bad-{n:02d}.txt": b"\x00\x01\xff\xfe" * 64 + bytes([n]) for n in range(12)}  # not duplicates
    _commit(root, {"data/raw/new.txt": _GOOD.replace("宣传", "预警").encode("utf-8"), **bad}, "a drop")
    ran = _run_steps(root, {"github.event.pull_request.base.sha": base}, tmp_path)
    assert [(name, status) for name, status, _, _ in ran] == [(_SET_UP, 0), (_INGEST, 0), (_CHECK, 1)]
    annotations = [line for line in ran[-1][2].splitlines() if line.startswith("::error ")]
    assert sorted(re.search(r"file=([^,]+)", a)[1] for a in annotations) == sorted(bad)  # 12: past GitHub's 10
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("### corpus check: 13 files checked, 12 errors")  # the drop only, not good.txt
    assert "| severity | file | line | code | message |" in summary
    rows = [line for line in summary.splitlines() if line.startswith("| error |")]
    assert sorted(re.search(r"<code>(.+?)</code>", row)[1] for row in rows) == sorted(bad)
    assert all("<code>encoding</code>" in row for row in rows)
    assert "good.txt" not in summary


def test_a_push_of_good_files_passes_and_says_so_in_the_summary(repo, tmp_path):
    root, _ = repo
    ran = _run_steps(root, {"github.event.pull_request.base.sha": ""}, tmp_path)
    assert [(name, status) for name, status, _, _ in ran] == [(_SET_UP, 0), (_INGEST, 0), (_CHECK, 0)]
    assert "::error" not in ran[-1][2]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("### corpus check: 1 file checked, 0 errors")


def test_copied_as_is_it_stops_at_the_first_step_and_says_what_to_set(repo, tmp_path):
    root, base = repo
    ran = _run_steps(root, {"github.event.pull_request.base.sha": base}, tmp_path, workflow_env={})
    assert ran == [(_SET_UP, 1, "::error::set ANTIFRAUD_CORPUS_SPEC at the top of this workflow to the tool's "
                                "repository\n", "")]


_UNDATED = ("关于开展反诈宣传进社区活动的通知\n"
            "一、各街道要组织反诈宣传进社区，张贴防范提示。\n"
            "二、派出所应当定期通报本辖区典型案例。\n")


def test_a_pull_request_that_changes_only_the_rules_checks_every_file(repo, tmp_path):
    root, _ = repo
    base = _commit(root, {"data/raw/undated.txt": _UNDATED.encode("utf-8")}, "an undated document")
    _commit(root, {"configs/check.yaml": b"severity:\n  missing-date: error\n"}, "undated documents are errors now")
    ran = _run_steps(root, {"github.event.pull_request.base.sha": base}, tmp_path)
    assert [(name, status) for name, status, _, _ in ran] == [(_SET_UP, 0), (_INGEST, 0), (_CHECK, 1)]
    assert ran[-1][2].splitlines()[0] == (f"::notice::configs/ or this workflow changed since {base}: "
                                          "checking every raw file")
    errors = [line for line in ran[-1][2].splitlines() if line.startswith("::error ")]
    assert [re.search(r"file=([^,]+)", e)[1] for e in errors] == ["data/raw/undated.txt"]
    assert "missing-date" in errors[0]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("### corpus check: 2 files checked, 1 error")


def test_a_pull_request_that_leaves_the_rules_alone_checks_only_its_files(repo, tmp_path):
    root, _ = repo
    base = _commit(root, {"data/raw/undated.txt": _UNDATED.encode("utf-8"),
                          "configs/check.yaml": b"severity:\n  missing-date: error\n"}, "rules and an old file")
    _commit(root, {"data/raw/new.txt": _GOOD.replace("宣传", "预警").encode("utf-8")}, "a dated drop")
    ran = _run_steps(root, {"github.event.pull_request.base.sha": base}, tmp_path)
    assert [(name, status) for name, status, _, _ in ran] == [(_SET_UP, 0), (_INGEST, 0), (_CHECK, 0)]
    assert "::notice::" not in ran[-1][2]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith("### corpus check: 1 file checked, 0 errors")
