"""Configuration: rules and lexicons in YAML files, validated once, then frozen.

The defaults ship inside the package (`antifraud_corpus/configs/`); a
`configs/` folder in the working directory, or `--config DIR`, overrides them
file by file, and `--set file.key=value` overrides single top-level keys.
Every file has a declared set of top-level keys, so a typo is an error that
names the file and the key instead of a silently ignored rule.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from .errors import ConfigError, file_error

# libyaml's loader parses the larger lexicons (regions.yaml) about 8x faster; same safe subset.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

T = TypeVar("T")

# Top-level keys each config file may hold. A file not listed here is not a config file.
SCHEMAS: dict[str, frozenset[str]] = {
    "taxonomy": frozenset({"levels", "kinds", "actors", "modalities", "measures"}),
    "ingest": frozenset({"decode", "convert", "pinyin", "mojibake", "whitespace", "version", "document_seconds"}),
    "clean": frozenset({"numbered_lines", "note_lines", "keep_lines", "probe_strip", "line_rules", "inline_rules",
                        "sentence", "tail_markers", "headline_list", "footer", "title", "whitespace"}),
    "pii": frozenset({"enabled", "patterns", "context_chars", "boundary", "person_record", "fields", "placeholders",
                      "raw_view"}),
    "metadata": frozenset({"scan", "titles", "meetings", "issuers", "header_note", "bulletins", "dates", "levels",
                           "kinds", "sidecar_keys"}),
    "regions": frozenset({"source", "provinces", "former"}),
    "agencies": frozenset({"prefixes", "fields", "heads", "government_heads", "unknown_field_id", "not_fields",
                           "roles", "role_max_chars", "duty_phrases", "activity_subjects"}),
    "segment": frozenset({"headings", "sequence", "chapters", "subheading"}),
    "actors": frozenset({"actors", "generic_heads", "coordination", "target_verbs", "collective"}),
    "modality": frozenset({"markers", "compounds", "negation", "strength", "non_modal", "reporting_verbs",
                           "imperative", "not_directive", "penalty"}),
    "measures": frozenset({"measures", "senses", "compounds", "places", "weights", "fallback", "max_per_directive"}),
    "extract": frozenset({"engine", "hmm", "sentence", "inheritance", "action", "user_words"}),
    "check": frozenset({"severity", "file_names", "thresholds", "similarity", "expect", "residual"}),
    "compare": frozenset({"thresholds", "weights", "ngram", "strength", "concreteness", "omissions"}),
    "labels": frozenset({"levels", "modalities", "actor_sources", "statuses", "columns", "warning_kinds",
                         "explain"}),
    "topic": frozenset({"threshold", "clause_share", "title_share", "terms"}),
    "formats": frozenset({"version", "limits", "html", "pdf", "docx", "convert"}),
}


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Config:
    """All config files, read-only, plus where each came from and a fingerprint of the lot."""

    files: Mapping[str, Mapping[str, Any]] = field(repr=False)
    origins: Mapping[str, str] = field(default_factory=dict, repr=False)
    fingerprint: str = ""
    overrides: tuple[str, ...] = ()  # the `--set` values applied on top of the files

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        try:
            return self.files[name]
        except KeyError:
            raise ConfigError(f"config file '{name}.yaml' is missing; reinstall the package") from None

    def get(self, name: str, key: str, default: Any = None) -> Any:
        return self[name].get(key, default)

    def plain(self, name: str) -> dict:
        """A mutable deep copy of one file, for code that builds its own structures."""
        return _thaw(self[name])


def per_config(build: Callable[[Config], T]) -> Callable[[Config], T]:
    """Cache what `build(config)` compiles (regexes, lexicons), once per config fingerprint.

    Stages call `rules = _rules(config)` on every document; the compile runs
    once per process and config. A config without a fingerprint (built by
    hand in a test) is compiled each time.
    """
    cache: dict[str, T] = {}

    @functools.wraps(build)
    def cached(config: Config) -> T:
        key = config.fingerprint
        if not key:
            return _built(build, config)
        if key not in cache:
            if len(cache) >= 8:  # (tests and long sessions load many configs; a run uses one)
                cache.clear()
            cache[key] = _built(build, config)
        return cache[key]

    return cached


def _built(build: Callable[[Config], T], config: Config) -> T:
    """`build(config)`; a value of the wrong type or shape in a user's config file is a `ConfigError`.

    With only the shipped defaults such a failure is a bug and goes up as it is.
    """
    try:
        return build(config)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        defaults = default_config_dir().resolve()
        own = sorted(path for path in config.origins.values() if Path(path).resolve().parent != defaults)
        own += [f"--set {override}" for override in config.overrides]
        if not own:
            raise
        raise ConfigError(f"{', '.join(own)}: a value has the wrong type or shape for {build.__module__} "
                          f"({type(exc).__name__}: {str(exc)[:120]}); compare it with the shipped default "
                          f"in {defaults}") from None


def compile_rule(pattern: Any, where: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a regular expression from a config file; a bad one is a `ConfigError` naming `where`.

    Args:
        pattern: the value read from YAML (must be a non-empty string).
        where: file and key, e.g. `clean.yaml: line_rules[3]`.
        flags: `re` flags.
    """
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{where}: expected a non-empty regular expression string")
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"{where}: invalid regex ({exc}); fix the pattern") from None


def default_config_dir() -> Path:
    return Path(str(resources.files("antifraud_corpus") / "configs"))


def parse_yaml(text: str, where: str, loader: type = _SafeLoader) -> Any:
    """Parse a small hand-written YAML file (a config or a sidecar), refusing what such a file never needs.

    Anchors and aliases are refused: an alias bomb of a few hundred bytes expands to gigabytes as
    soon as its value is walked or printed. Numbers beyond Python's digit limit and other values the
    loader cannot build are errors, not tracebacks.

    Raises:
        ConfigError: invalid YAML (with its line), aliases, a value that cannot be read.
    """
    try:
        # Tokens first (a fraction of a load): a bomb is refused before anything is built. An
        # anchor or alias is written with `&` or `*`: a text with neither (regions.yaml) has none.
        if ("&" in text or "*" in text) and any(
                isinstance(token, yaml.AnchorToken | yaml.AliasToken) for token in yaml.scan(text, Loader=loader)):
            raise ConfigError(f"{where}: YAML anchors and aliases (&name, *name) are not allowed; "
                              "write each value out")
        return yaml.load(text, Loader=loader)  # noqa: S506 - safe loaders only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(f"{where}:{line} invalid YAML ({problem}); fix the syntax") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. an integer of 5,000 digits
        raise ConfigError(f"{where}: a value cannot be read ({str(exc)[:80]}); fix the value") from None


def _read_yaml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise file_error(exc, path, action="read", error=ConfigError) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    data = parse_yaml(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return data


def _validate(name: str, data: dict, path: Path) -> None:
    unknown = sorted(set(data) - SCHEMAS[name])
    if unknown:
        allowed = ", ".join(sorted(SCHEMAS[name]))
        raise ConfigError(f"{path}: unknown key '{unknown[0]}' in {name}.yaml (allowed: {allowed})")


def _apply_override(files: dict[str, dict], override: str) -> None:
    key, sep, raw_value = override.partition("=")
    name, dot, top = key.strip().partition(".")
    if not sep or not dot or not top:
        raise ConfigError(f"--set {override}: expected FILE.KEY=VALUE, e.g. extract.engine=jieba")
    if name not in SCHEMAS:
        raise ConfigError(f"--set {override}: no config file '{name}.yaml'")
    if top.split(".")[0] not in SCHEMAS[name]:
        raise ConfigError(f"--set {override}: unknown key '{top}' in {name}.yaml")
    value = parse_yaml(raw_value, f"--set {override}", yaml.SafeLoader) if raw_value.strip() else ""
    target = files.setdefault(name, {})
    *parents, leaf = top.split(".")
    for part in parents:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            raise ConfigError(f"--set {override}: '{part}' is not a mapping in {name}.yaml")
    target[leaf] = value


def load_config(config_dir: Path | None = None, overrides: tuple[str, ...] | list[str] = ()) -> Config:
    """Read the packaged defaults, overlay a config folder and `--set` overrides, validate, freeze.

    Args:
        config_dir: folder whose `*.yaml` files replace the defaults of the same name. `None`
            uses `./configs` when it exists, else only the defaults.
        overrides: `FILE.KEY=VALUE` strings; VALUE is parsed as YAML.

    Raises:
        ConfigError: a folder that does not exist, invalid YAML, an unknown file or key.
    """
    defaults = default_config_dir()
    if config_dir is None:
        local = Path("configs")
        config_dir = local if local.is_dir() else None
    elif not config_dir.is_dir():
        raise ConfigError(f"{config_dir}: config folder does not exist; pass an existing --config DIR")
    files: dict[str, dict] = {}
    origins: dict[str, str] = {}
    digest = hashlib.sha256()
    for name in sorted(SCHEMAS):
        path = defaults / f"{name}.yaml"
        if config_dir is not None and (config_dir / f"{name}.yaml").is_file():
            path = config_dir / f"{name}.yaml"
        if not path.is_file():
            continue
        data = _read_yaml(path)
        _validate(name, data, path)
        files[name] = data
        origins[name] = str(path)
        digest.update(name.encode() + b"\0" + path.read_bytes())
    if config_dir is not None:
        for path in sorted(config_dir.glob("*.yaml")):
            if path.stem not in SCHEMAS:
                raise ConfigError(f"{path}: not a config file of this tool (known: {', '.join(sorted(SCHEMAS))})")
    for override in overrides:
        _apply_override(files, override)
        digest.update(override.encode())
    return Config(
        files=MappingProxyType({k: _freeze(v) for k, v in files.items()}),
        origins=MappingProxyType(origins),
        fingerprint=digest.hexdigest()[:16],
        overrides=tuple(overrides),
    )
