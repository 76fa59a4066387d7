"""Shared fixtures: the bundled seed corpus, gold files, a CLI runner, the default config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"
GOLD_DIR = ROOT / "tests" / "fixtures" / "gold"
SEED_PATHS = sorted(RAW_DIR.glob("*.txt"))


@pytest.fixture(scope="session")
def config():
    from antifraud_corpus.config import default_config_dir, load_config

    return load_config(default_config_dir())


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def hostile_raw(tmp_path: Path) -> Path:
    """A raw folder of files whose names or links no document can come from, beside one good file."""
    import os
    import shutil

    raw = tmp_path / "hostile_raw"
    raw.mkdir()
    shutil.copy(SEED_PATHS[0], raw / SEED_PATHS[0].name)
    page = "关于加强反诈宣传的通知\n各单位要加强反诈宣传。\n".encode()
    with open(os.fsencode(raw) + b"/\xffbad.txt", "wb") as fh:  # a name that is not UTF-8
        fh.write(page)
    (raw / "two\nlines.txt").write_bytes(page)
    (raw / ("长" * 83 + "xx.txt")).write_bytes(page)  # 251 bytes before .txt: no room for .json in the store
    (raw / "loop_a.txt").symlink_to("loop_b.txt")
    (raw / "loop_b.txt").symlink_to("loop_a.txt")
    return raw


def with_config_file(config, name: str, data: dict):
    """`config` with one file's data swapped for `data`, under a fingerprint of its own (per-config caches)."""
    import hashlib
    from dataclasses import replace

    digest = hashlib.sha256(repr(data).encode("utf-8")).hexdigest()[:16]
    return replace(config, files={**config.files, name: data}, fingerprint=f"test-{name}-{digest}")


def load_gold(doc_id: str) -> dict:
    return yaml.safe_load((GOLD_DIR / f"{doc_id}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ingested_seeds(tmp_path_factory, config):
    """The bundled corpus ingested once per test session: (normalized_dir, report)."""
    from antifraud_corpus.pipeline import ingest_corpus

    out = tmp_path_factory.mktemp("normalized")
    report = ingest_corpus(RAW_DIR, out, config)
    return out, report


class _FullFile:
    """A file opened for writing on a device with no space left: every write fails, as the OS's would."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, data):
        import errno
        import os

        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()


@pytest.fixture()
def full_disk(monkeypatch):
    """`full_disk(after=n)`: the project's file writes (`files.py`) succeed n times, then the disk is full.

    Files are written through `files.open`; a real full disk is not needed (nor wanted on a shared machine).
    """
    import builtins

    from antifraud_corpus import files

    def fill(after: int = 0) -> None:
        left = [after]

        def open_on_full_disk(file, mode="r", *args, **kwargs):
            fh = builtins.open(file, mode, *args, **kwargs)
            if not set(mode) & set("wax"):
                return fh
            if left[0] > 0:
                left[0] -= 1
                return fh
            return _FullFile(fh)

        monkeypatch.setattr(files, "open", open_on_full_disk, raising=False)

    return fill
