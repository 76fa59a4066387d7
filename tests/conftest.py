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


def load_gold(doc_id: str) -> dict:
    return yaml.safe_load((GOLD_DIR / f"{doc_id}.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ingested_seeds(tmp_path_factory, config):
    """The bundled corpus ingested once per test session: (normalized_dir, report)."""
    from antifraud_corpus.pipeline import ingest_corpus

    out = tmp_path_factory.mktemp("normalized")
    report = ingest_corpus(RAW_DIR, out, config)
    return out, report
