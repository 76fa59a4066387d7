"""Filters and id names shared by export and compare, and the layering that puts them below both."""

from __future__ import annotations

import ast
from pathlib import Path

from antifraud_corpus.config import default_config_dir, load_config
from antifraud_corpus.filters import DutyFilter, actor_names, measure_names
from antifraud_corpus.models import Document

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "antifraud_corpus"


def _doc(level: str, region: str, province: str, doc_id: str = "d1") -> Document:
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", sha256="", encoding="utf-8", title="t", issuer="",
                    date="2023-01-01", level=level, region=region, province=province, kind="opinion", text="")


def test_keeps_document_by_level_region_or_province_and_id() -> None:
    keep = DutyFilter(levels=("municipal",), regions=("广东省",))
    assert keep.keeps_document(_doc("municipal", "深圳市", "广东省")) is True
    assert keep.keeps_document(_doc("county", "南山区", "广东省")) is False
    assert keep.keeps_document(_doc("municipal", "杭州市", "浙江省")) is False
    assert DutyFilter(doc_ids=("d2",)).keeps_document(_doc("municipal", "深圳市", "广东省")) is False


def test_keeps_topic_on_off_all() -> None:
    assert [DutyFilter(topic=t).keeps_topic(True) for t in ("all", "on", "off")] == [True, True, False]
    assert [DutyFilter(topic=t).keeps_topic(False) for t in ("all", "on", "off")] == [True, False, True]


def test_names_come_from_the_taxonomy() -> None:
    config = load_config(default_config_dir())
    taxonomy = config["taxonomy"]
    assert measure_names(config) == {k: v.get("name", k) for k, v in taxonomy["measures"].items()}
    names = actor_names(config)
    assert all(names[k] == v.get("name", k) for k, v in taxonomy["actors"].items())


def _imports(path: Path) -> set[str]:
    """Modules of the package `path` imports (relative imports resolved to their last part)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            out.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("antifraud_corpus."):
            out.add(node.module.split(".")[1])
    return out


def test_compare_does_not_import_export_or_the_renderers() -> None:
    offenders = {p.name: sorted(_imports(p) & {"export", "report", "report_compare", "cli"})
                 for p in sorted((PACKAGE / "compare").glob("*.py"))}
    assert {name: found for name, found in offenders.items() if found} == {}
