"""The package's layers (docs/architecture.md): a module imports only from its own layer or lower ones.

Shared text utilities know nothing of the stages, the stages nothing of extraction, extraction
nothing of the pipeline, and so on up to the library and the CLI; a new import that points up a
layer fails here, so the layout keeps showing the architecture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "antifraud_corpus"

# top-level name under the package -> layer rank (lower ranks may not import higher ones)
LAYERS = {
    "text": 0, "errors": 0, "config": 0, "config_schema": 0, "models": 0,
    "files": 1, "doc_ids": 1, "store": 1,
    "stages": 2,
    "extract": 3,
    "pipeline": 4, "rawfiles": 4, "filters": 4, "export": 4, "messages": 4,
    "compare": 5, "check": 5, "evaluate": 5, "parquet": 5,
    "report": 6, "distributed": 6, "forkserver": 6, "forkserver_preload": 6,
    "api": 7, "cli": 7,
}


def _module(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _rank(module: str) -> int:
    return LAYERS[module.split(".")[0]] if module else LAYERS["api"]  # ("": the package root, the public API)


def _imports(path: Path) -> list[tuple[str, int]]:
    module, is_package = _module(path)
    parts = module.split(".") if module else []
    base = parts if is_package else parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            parent = base[: len(base) - node.level + 1]
            if node.module:
                found.append((".".join([*parent, node.module]), node.lineno))
            else:  # `from . import x`: x is a module of `parent` or a name of its __init__
                found += [(_imported(parent, alias.name), node.lineno) for alias in node.names]
    return found


def _imported(parent: list[str], name: str) -> str:
    """What `from <parent> import name` reads: the module `name` if there is one, else `parent` itself."""
    folder = PACKAGE.joinpath(*parent)
    is_module = (folder / name).is_dir() or (folder / f"{name}.py").exists()
    return ".".join([*parent, name] if is_module else parent)


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_top_level_module_has_a_layer():
    tops = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in MODULES} - {"__init__"}
    assert tops <= set(LAYERS), f"place {sorted(tops - set(LAYERS))} in a layer (tests/test_layers.py)"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_points_up_a_layer(path):
    module, _ = _module(path)
    # (`from . import __version__` reads the package root's one constant: no layer)
    upward = [f"line {line}: {target}" for target, line in _imports(path) if target and _rank(target) > _rank(module)]
    assert not upward, f"{module} imports from a higher layer: {upward}"


def test_relative_imports_are_read_as_the_modules_they_name():
    targets = {target for target, _ in _imports(PACKAGE / "stages" / "clean.py")}
    assert {"config", "text.textmap", "stages.clean_rules", "stages.whitespace"} <= targets
    assert _rank("filters") > _rank("store") > _rank("text.textmap")


def test_the_levels_are_written_out_once_and_every_other_list_is_that_one():
    from typing import get_args, get_type_hints

    from antifraud_corpus import compare, filters, models
    from antifraud_corpus.config_schema.analysis import LabelsFile
    from antifraud_corpus.stages import metadata

    assert models.LEVELS == ("central", "provincial", "municipal", "county")
    assert metadata.LEVELS is compare.LEVELS is filters.LEVELS is models.LEVELS
    levels_key = get_args(get_type_hints(LabelsFile)["levels"])[0]
    assert get_args(levels_key) == models.LEVELS
    written = [str(p.relative_to(PACKAGE)) for p in MODULES
               if '"central", "provincial", "municipal", "county"' in p.read_text(encoding="utf-8")]
    assert written == ["models.py"]


def test_no_module_imports_a_private_name_of_another():
    private = [f"{path.relative_to(PACKAGE)}:{node.lineno}: {alias.name}" for path in MODULES
               for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(node, ast.ImportFrom) and node.level
               for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert private == []


def test_the_compare_renderers_share_their_labels_without_importing_each_other():
    imported = {path.stem: {target for target, _ in _imports(path)}
                for path in (PACKAGE / "report" / "compare.py", PACKAGE / "report" / "compare_html.py")}
    assert "report.compare" not in imported["compare_html"]
    assert {"report.compare_labels", "report.compare_html"} <= imported["compare"]
    assert "report.compare_labels" in imported["compare_html"]
