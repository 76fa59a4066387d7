"""Sidecar files: a `NAME.meta.yaml` beside a raw file sets metadata fields by hand.

Where the rules cannot know a field (a page that never states its year, a
county notice that names no county), an analyst writes it down once:

    # data/raw/004_cb00f39c3fb5eb64.meta.yaml
    date: 2021-04-08
    level: central

Every field given overrides what `metadata.extract_metadata` finds. The file
is validated strictly, because a typo that is silently ignored would leave
the wrong value in the corpus: unknown keys, dates not in YYYY-MM-DD, levels
and kinds not in the taxonomy and unknown region names are errors that name
the file and say what is allowed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from ..config import Config, parse_yaml
from ..errors import ConfigError, file_error

SUFFIX = ".meta.yaml"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def sidecar_path(raw_path: Path) -> Path:
    """Where the sidecar of `raw_path` lives: `dir/NAME.txt` → `dir/NAME.meta.yaml`."""
    return raw_path.with_name(raw_path.stem + SUFFIX)


def is_sidecar(path: Path) -> bool:
    """True for a `*.meta.yaml` file (so the raw-file walk can skip it)."""
    return path.name.endswith(SUFFIX)


def document_stem(sidecar: Path) -> str:
    """The name stem of the document a sidecar belongs to: `dir/NAME.meta.yaml` → `NAME`."""
    return sidecar.name.removesuffix(SUFFIX)


@functools.lru_cache(maxsize=1)
def _loader() -> type[yaml.SafeLoader]:
    """A safe loader that keeps `2022-09-26` a string, so a bad date gets a clear message, not a crash."""

    class _SidecarLoader(yaml.SafeLoader):
        pass

    _SidecarLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return _SidecarLoader


# A sidecar holds a handful of short fields: anything much larger is not one.
MAX_BYTES = 16_384
MAX_FIELD_CHARS = 500


def _read(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise file_error(exc, path, action="read sidecar", error=ConfigError) from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{path}: sidecar is larger than {MAX_BYTES // 1024} KB; it should hold a few "
                          "metadata fields (e.g. date: 2022-09-26)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: sidecar is not UTF-8 text; save it as UTF-8") from None
    return parse_yaml(text, str(path), _loader())


def _text(path: Path, key: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ConfigError(f"{path}: '{key}' must be a string, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > MAX_FIELD_CHARS:
        raise ConfigError(f"{path}: '{key}' is longer than {MAX_FIELD_CHARS} characters; shorten it")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800": not a character
        raise ConfigError(f"{path}: '{key}' holds an invalid character (a lone surrogate); fix the value") from None
    return text


def _date(path: Path, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):  # a loader that does resolve timestamps
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    text = _text(path, "date", value)
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise ConfigError(f"{path}: date '{value}' is not a valid date in the format YYYY-MM-DD "
                      "(e.g. 2022-09-26)")


def _choice(path: Path, key: str, value: Any, allowed: list[str]) -> str | None:
    if value is None:
        return None
    value = _text(path, key, value)
    if value not in allowed:
        raise ConfigError(f"{path}: {key} '{value}' is not allowed (allowed: {', '.join(allowed)})")
    return str(value)


def _region(path: Path, key: str, value: Any, config: Config) -> str | None:
    from .metadata import place_of_region, region_index

    if value is None:
        return None
    name = _text(path, key, value)
    units = region_index(config).lookup(name)
    if key == "province":
        units = tuple(u for u in units if u.level == "provincial")
    if not units:
        example = "湖南省" if key == "province" else "湖南省, 临汾市, 宁乡市"
        raise ConfigError(f"{path}: {key} '{name}' is not a known {key} name (e.g. {example}; "
                          "see configs/regions.yaml)")
    unit = place_of_region(name, config)
    # A short form (`湖南`, `恩施州`) becomes the full name; a name shared by
    # several units (`朝阳区`) stays as written.
    return unit.name if unit is not None and (key != "province" or unit.level == "provincial") else name


def load_sidecar(path: Path, config: Config) -> dict:
    """Read and validate a `NAME.meta.yaml` sidecar.

    Args:
        path: the sidecar file.
        config: the loaded config; `metadata.sidecar_keys` lists the keys a
            sidecar may set, the taxonomy its levels and kinds, `regions.yaml`
            its region and province names.

    Returns:
        The fields it sets, normalized: dates as ISO strings, region and
        province short forms as full names. An empty file sets nothing.

    Raises:
        ConfigError: unreadable file, invalid YAML (with its line), an unknown
            key, a date not in YYYY-MM-DD, a level or kind outside the
            taxonomy, an unknown region or province.
    """
    # (metadata is imported here: a run over an unchanged corpus never needs it)
    from .metadata import LEVELS, taxonomy_kinds

    data = _read(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of metadata fields (e.g. date: 2022-09-26), "
                          f"got {type(data).__name__}")
    allowed = [str(k) for k in config.get("metadata", "sidecar_keys") or ()]
    for key in data:
        if key not in allowed:
            shown = str(key)[:40] if isinstance(key, str | int | float) else type(key).__name__
            raise ConfigError(f"{path}: unknown key '{shown}' (allowed: {', '.join(allowed)})")
    taxonomy_levels = list(config.get("taxonomy", "levels") or LEVELS)
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "date":
            out[key] = _date(path, value)
        elif key == "level":
            out[key] = _choice(path, key, value, taxonomy_levels)
        elif key == "kind":
            out[key] = _choice(path, key, value, sorted(taxonomy_kinds(config)))
        elif key in ("region", "province"):
            out[key] = _region(path, key, value, config)
        else:
            out[key] = _text(path, key, value)
    return out
