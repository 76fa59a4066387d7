"""Configuration: rules and lexicons in YAML files, validated once, then frozen.

The defaults ship inside the package (`antifraud_corpus/configs/`) and live
there only. A `configs/` folder in the working directory, or `--config DIR`,
holds the user's files, and `--set file.key.sub=value` single keys; both are
merged over the defaults by one rule (`merge_over`): mappings key by key at
every depth, anything else replaced. The merged files are then validated whole
against their schema (`config_schema`): a misspelt key at any depth or a value
of the wrong type is one `ConfigError` naming the file, the key path and the
allowed keys, before any document is read.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import msgspec
import yaml

from .config_schema import SCHEMAS
from .errors import ConfigError, file_error

# libyaml's loader parses the larger lexicons (regions.yaml) about 8x faster; same safe subset.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

T = TypeVar("T")


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


def merge_over(base: Any, own: Any) -> Any:
    """`own` over `base`, the one merge rule of user config: mappings key by key at every depth,
    any other value (a list, a string, a number) of `own` replacing that of `base`.

    An older user file that lacks a key added since gets the shipped value; a list of rules is
    the user's own (rules cannot be merged item by item without ids).
    """
    if isinstance(base, dict) and isinstance(own, dict):
        merged = dict(base)
        for key, value in own.items():
            merged[key] = merge_over(base[key], value) if key in base else value
        return merged
    return own


def validate_file(name: str, data: dict, where: str) -> None:
    """Check one merged config file against its schema (`config_schema.SCHEMAS[name]`).

    Raises:
        ConfigError: the first problem as one line: `where`, the key path and what is allowed,
            e.g. `configs/actors.yaml: unknown key 'actors.public_security.alias' (allowed: aliases,
            name, short); fix the spelling or remove it`.
    """
    try:
        msgspec.convert(data, SCHEMAS[name])
    except msgspec.ValidationError as exc:
        raise ConfigError(f"{where}: {_explain(str(exc), data, SCHEMAS[name])}") from None


_MSGSPEC_PATH = re.compile(r" - at (?:`key` in )?`\$(?P<path>[^`]*)`$")
_PATH_STEP = re.compile(r"\.(?P<field>\w+)|\[(?P<index>\d+)\]|\[\.\.\.\]")
_TYPE_NAMES = {"str": "text", "int": "an integer", "float": "a number", "bool": "true or false",
               "array": "a list", "object": "a mapping", "null": "nothing (null)"}


def _explain(message: str, data: Any, schema: type) -> str:
    """msgspec's error as the user's key path (dict keys named, not `[...]`) and what is allowed there."""
    at = _MSGSPEC_PATH.search(message)
    problem = message[:at.start()] if at else message
    keys, value, kind = _walk(data, schema, at.group("path") if at else "", "`key` in" in message)
    found = re.fullmatch(r"Object contains unknown field `(.+)`", problem)
    if found:
        allowed = _closest_first(found.group(1), [f.encode_name for f in msgspec.structs.fields(kind)])
        return (f"unknown key '{_joined(keys + [found.group(1)])}' (allowed: {', '.join(allowed)}); "
                "fix the spelling or remove it")
    found = re.fullmatch(r"Object missing required field `(.+)`", problem)
    if found:
        return f"'{_joined(keys + [found.group(1)])}' is missing; add it (see the shipped file)"
    found = re.fullmatch(r"Expected `(\w+)`(?: of length .*)?, got `(\w+)`", problem)
    if found:
        expected, got = (_TYPE_NAMES.get(t, t) for t in found.groups())
        return f"'{_joined(keys)}': expected {expected}, got {got} ({value!r:.60})"
    if problem.startswith("Invalid enum value"):
        allowed = ", ".join(_closest_first(str(value), _choices(kind)))
        if "`key` in" in message:  # a table of fixed ids (labels.yaml)
            return f"unknown key '{_joined(keys)}' (allowed: {allowed}); fix the spelling or remove it"
        return f"'{_joined(keys)}': invalid value {value!r} (allowed: {allowed})"
    return f"'{_joined(keys)}': {problem}"


def _walk(data: Any, schema: Any, path: str, at_key: bool) -> tuple[list[str], Any, Any]:
    """Follow msgspec's error path through `data` and `schema`: the keys, the value and its type.

    msgspec writes a mapping's key as `[...]`; the key is found again as the first entry whose
    value (or key, for a bad key) does not convert, so the message can name it.
    """
    keys: list[str] = []
    value, kind = data, schema
    for step in _PATH_STEP.finditer(path):
        kind = _present(kind)
        if step.group("field"):
            field_name = step.group("field")
            kind = next(f.type for f in msgspec.structs.fields(kind) if f.encode_name == field_name)
            keys.append(field_name)
            value = value.get(field_name) if isinstance(value, dict) else None
        elif step.group("index"):
            index = int(step.group("index"))
            keys[-1:] = [f"{keys[-1] if keys else ''}[{index}]"]
            kind = typing.get_args(kind)[0]
            value = value[index] if isinstance(value, list) and index < len(value) else None
        else:
            key_type, value_type = typing.get_args(kind)
            bad = next((k for k, v in (value or {}).items()
                        if not _converts(k, key_type) or not _converts(v, value_type)), None)
            keys.append(str(bad))
            value, kind = (value or {}).get(bad), value_type
    if at_key:
        key_type = typing.get_args(_present(kind))[0]
        value = next((k for k in (value or {}) if not _converts(k, key_type)), None)
        keys.append(str(value))
        kind = key_type
    return keys, value, _present(kind)


def _present(kind: Any) -> Any:
    """`kind` without the `UnsetType` of an omittable key."""
    args = [a for a in typing.get_args(kind) if a is not msgspec.UnsetType]
    return args[0] if typing.get_origin(kind) is typing.Union and len(args) == 1 else kind


def _choices(kind: Any) -> list[str]:
    """The values a `Literal` (or a union holding one) allows."""
    if typing.get_origin(kind) is typing.Literal:
        return [str(choice) for choice in typing.get_args(kind)]
    return [choice for part in typing.get_args(kind) for choice in _choices(part)]


def _converts(value: Any, kind: Any) -> bool:
    try:
        msgspec.convert(value, kind)
    except msgspec.ValidationError:
        return False
    return True


def _closest_first(wrong: str, allowed: list[str]) -> list[str]:
    return sorted(allowed, key=lambda name: (-difflib.SequenceMatcher(None, wrong, name).ratio(), name))


def _joined(keys: list[str]) -> str:
    return ".".join(keys) or "(top level)"


def _apply_override(files: dict[str, dict], override: str) -> str:
    """Set one `FILE.KEY.SUB=VALUE` in `files`; returns the file's name."""
    key, sep, raw_value = override.partition("=")
    name, dot, dotted = key.strip().partition(".")
    if not sep or not dot or not dotted:
        raise ConfigError(f"--set {override}: expected FILE.KEY=VALUE, e.g. extract.engine=jieba")
    if name not in SCHEMAS:
        allowed = ", ".join(_closest_first(name, sorted(SCHEMAS)))
        raise ConfigError(f"--set {override}: no config file '{name}.yaml' (known: {allowed})")
    value = parse_yaml(raw_value, f"--set {override}", yaml.SafeLoader) if raw_value.strip() else ""
    *parents, leaf = dotted.split(".")
    own: dict = {leaf: value}
    for part in reversed(parents):
        own = {part: own}
    files[name] = merge_over(files.get(name, {}), own)
    return name


def load_config(config_dir: Path | None = None, overrides: tuple[str, ...] | list[str] = ()) -> Config:
    """Read the packaged defaults, merge a config folder and `--set` overrides over them, validate, freeze.

    Args:
        config_dir: folder of the user's `*.yaml` files, each merged over the default of the same
            name (`merge_over`). `None` uses `./configs` when it exists, else only the defaults.
        overrides: `FILE.KEY.SUB=VALUE` strings; VALUE is parsed as YAML and merged the same way.

    Raises:
        ConfigError: a folder that does not exist, invalid YAML, an unknown file, a misspelt key
            at any depth or a value of the wrong type (see `validate_file`).
    """
    defaults = default_config_dir()
    if config_dir is None:
        local = Path("configs")
        config_dir = local if local.is_dir() else None
    elif not config_dir.is_dir():
        raise ConfigError(f"{config_dir}: config folder does not exist; pass an existing --config DIR")
    if config_dir is not None:
        for path in sorted(config_dir.glob("*.yaml")):
            if path.stem not in SCHEMAS:
                known = ", ".join(_closest_first(path.stem, sorted(SCHEMAS)))
                raise ConfigError(f"{path}: not a config file of this tool (known: {known})")
    files: dict[str, dict] = {}
    origins: dict[str, str] = {}
    digest = hashlib.sha256()
    for name in sorted(SCHEMAS):
        shipped = defaults / f"{name}.yaml"
        own = config_dir / f"{name}.yaml" if config_dir is not None else None
        if own is not None and not own.is_file():
            own = None
        if not shipped.is_file():
            raise ConfigError(f"{shipped}: shipped config file is missing; reinstall the package")
        data = _read_yaml(shipped)
        digest.update(name.encode() + b"\0" + shipped.read_bytes())
        if own is not None and not own.samefile(shipped):  # (the repository's configs/ links to the defaults)
            data = merge_over(data, _read_yaml(own))
            digest.update(b"\0" + own.read_bytes())
        validate_file(name, data, str(own or shipped))
        files[name] = data
        origins[name] = str(own or shipped)
    for override in overrides:
        name = _apply_override(files, override)
        validate_file(name, files[name], f"--set {override}")
        digest.update(override.encode())
    return Config(
        files=MappingProxyType({k: _freeze(v) for k, v in files.items()}),
        origins=MappingProxyType(origins),
        fingerprint=digest.hexdigest()[:16],
        overrides=tuple(overrides),
    )
