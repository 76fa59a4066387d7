"""Traditional → simplified Chinese with OpenCC, a few known fixes, and full-width punctuation.

OpenCC's t2s tables map every phrase to one of equal length, so the converted
text lines up character by character with its input and offsets are kept with
`TrackedText.map_chars`. Other OpenCC configs may change a line's length; such
lines become replacement edits instead.

On top of OpenCC, all configured in `ingest.yaml` (`convert`):

- in a traditional text, `char_rules` fix characters OpenCC leaves alone although
  simplified writing differs (著 → 着 except in 著作, 显著 ...);
- in a simplified text, `keep_in_simplified` characters stay as written (乾县 is
  not 干县); whether a text is traditional is decided by how much OpenCC changes;
- `overrides` fix known wrong phrases in the output;
- ASCII punctuation next to Chinese text becomes full-width (`,` → `，`), but not
  in numbers (`20:07:15`, `1,000`), ASCII words or URLs.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .config import Config, per_config
from .errors import ConfigError
from .textmap import Edit, TrackedText

_SAMPLE_CHARS = 200_000
_BLOCK = 2048
_FIRST_BLOCK = 128


@lru_cache(maxsize=4)
def opencc_converter(name: str) -> Any:
    """The OpenCC converter for a config name (`t2s`, `tw2s`, ...), built once per process.

    Raises:
        ConfigError: OpenCC has no such config.
    """
    import opencc

    stem = name.removesuffix(".json")
    known = sorted(getattr(opencc, "CONFIGS", []) or [])
    if known and f"{stem}.json" not in known and stem not in known:
        raise ConfigError(
            f"ingest.yaml: convert.opencc '{name}' is not an OpenCC config (known: {', '.join(known)})"
        )
    try:
        return opencc.OpenCC(f"{stem}.json")
    except Exception as exc:  # the binding raises plain RuntimeError/ValueError
        raise ConfigError(f"ingest.yaml: cannot load OpenCC config '{name}' ({exc})") from None


@dataclass(frozen=True, slots=True)
class _Settings:
    opencc: str
    traditional_ratio: float
    char_rules: tuple[tuple[re.Pattern[str], str], ...]
    keep_in_simplified: re.Pattern[str] | None
    overrides: re.Pattern[str] | None
    override_map: Mapping[str, str]
    punctuation: tuple[tuple[str, re.Pattern[str], str], ...]  # (mark, where it becomes, full width)
    parens: tuple[tuple[re.Pattern[str], str], ...]
    cjk: re.Pattern[str]
    not_cjk: re.Pattern[str] | None  # runs of anything else
    protect: re.Pattern[str] | None


@per_config
def _settings(config: Config) -> _Settings:
    """`ingest.convert`, compiled (once per config)."""
    section = config["ingest"]["convert"]
    cjk_body = str(section["cjk_class"])
    cjk = re.compile(f"[{cjk_body}]")
    rules = []
    for rule in section.get("char_rules") or ():
        char, replacement = str(rule["char"]), str(rule["replacement"])
        if len(char) != 1 or len(replacement) != 1:
            raise ConfigError(
                f"ingest.yaml: convert.char_rules '{char}' → '{replacement}' must be single characters"
            )
        words = sorted((str(w) for w in rule.get("except_in") or ()), key=len, reverse=True)
        # Matching the exception words first lets them pass through unchanged.
        pattern = "|".join([*(re.escape(w) for w in words), re.escape(char)])
        rules.append((re.compile(pattern), replacement))
    keep = str(section.get("keep_in_simplified") or "")
    overrides = {str(k): str(v) for k, v in (section.get("overrides") or {}).items()}
    for wrong, right in overrides.items():
        if len(wrong) != len(right):
            raise ConfigError(f"ingest.yaml: convert.overrides '{wrong}' → '{right}' must keep the length")
    punct = {str(k): str(v) for k, v in section["punctuation"].items()}
    separators = [p for p in punct if p not in "()"]
    punctuation = []
    for mark in separators:
        # Chinese on either side, but not between two digits (1,000 / 20:07) or two ASCII
        # letters. The literal first lets the regex engine skip ahead to candidates.
        mark_re = re.escape(mark)
        pattern = f"{mark_re}(?:(?=[{cjk_body}])|(?<=[{cjk_body}]{mark_re}))"
        punctuation.append((mark, re.compile(pattern), punct[mark]))
    parens = []
    if "(" in punct and ")" in punct:
        # A `( … )` pair is Chinese if it holds Chinese or a Chinese character stands right
        # outside; template replacements keep this at C speed.
        opening, closing = (punct[k].replace("\\", "\\\\") for k in "()")
        pair = r"\(([^()\n]{0,300})\)"
        parens = [
            (re.compile(rf"\(([^()\n]{{0,300}}?[{cjk_body}][^()\n]{{0,300}})\)"), rf"{opening}\1{closing}"),
            (re.compile(rf"\((?<=[{cjk_body}]\()([^()\n]{{0,300}})\)"), rf"{opening}\1{closing}"),
            (re.compile(rf"{pair}(?=[{cjk_body}])"), rf"{opening}\1{closing}"),
            # Unpaired parentheses: by the side that holds the text they open or close.
            (re.compile(rf"\((?=[{cjk_body}])"), opening),
            (re.compile(rf"\)(?<=[{cjk_body}]\))"), closing),
        ]
    protect = str(section.get("protect") or "")
    return _Settings(
        opencc=str(section["opencc"]),
        traditional_ratio=float(section["traditional_ratio"]),
        char_rules=tuple(rules),
        keep_in_simplified=re.compile(f"[{re.escape(keep)}]") if keep else None,
        overrides=re.compile("|".join(re.escape(k) for k in sorted(overrides, key=len, reverse=True)))
        if overrides
        else None,
        override_map=overrides,
        punctuation=tuple(punctuation),
        parens=tuple(parens),
        cjk=cjk,
        not_cjk=None if cjk_body.startswith("^") else re.compile(f"[^{cjk_body}]+"),
        protect=re.compile(protect) if protect else None,
    )


def convert_text(tracked: TrackedText, config: Config) -> TrackedText:
    """Convert a tracked text to simplified Chinese with full-width punctuation, keeping offsets.

    Args:
        tracked: the text after repair and gloss stripping.
        config: the loaded config (`ingest.convert`).

    Returns:
        The converted text; each character still maps to its raw offset.
    """
    settings = _settings(config)
    text = tracked.text
    if not text:
        return tracked
    converted = opencc_converter(settings.opencc).convert(text)
    aligned = text
    if len(converted) != len(text) or not _same_line_lengths(text, converted):
        tracked, aligned = _realign(tracked, text, converted)
    traditional = _is_traditional(aligned, converted, settings)
    if traditional:
        for pattern, replacement in settings.char_rules:
            converted = pattern.sub(_keep_words(replacement), converted)
    elif settings.keep_in_simplified is not None:
        converted = _restore(aligned, converted, settings.keep_in_simplified)
    converted = _apply_overrides(converted, settings)
    converted = _normalize_punctuation(converted, settings)
    return tracked.map_chars(converted)


def convert_phrases(text: str, config: Config) -> str:
    """`text` through OpenCC and the phrase `overrides` only, as a plain string.

    No alignment, character rules or punctuation: for checking what the conversion
    would still change in a text that has been through it (`瞭解` left in a body).
    """
    settings = _settings(config)
    converted = opencc_converter(settings.opencc).convert(text)
    return _apply_overrides(converted, settings)


def normalize_punctuation(text: str, config: Config) -> str:
    """Full-width punctuation next to Chinese text (`来源:新华社` → `来源：新华社`); same length."""
    return _normalize_punctuation(text, _settings(config))


def _apply_overrides(text: str, settings: _Settings) -> str:
    if settings.overrides is None:
        return text
    return settings.overrides.sub(lambda m: settings.override_map[m.group()], text)


def _keep_words(replacement: str) -> Callable[[re.Match[str]], str]:
    def swap(match: re.Match[str]) -> str:
        found = match.group()
        return replacement if len(found) == 1 else found

    return swap


def _same_line_lengths(text: str, converted: str) -> bool:
    if text.count("\n") != converted.count("\n"):
        return False
    return list(map(len, text.split("\n"))) == list(map(len, converted.split("\n")))


def _realign(tracked: TrackedText, text: str, converted: str) -> tuple[TrackedText, str]:
    """Lines whose length OpenCC changed become edits; return the new tracked text and an
    "aligned original": the input with those lines replaced by their conversion."""
    edits: list[Edit] = []
    aligned_lines: list[str] = []
    offset = 0
    source_lines = text.split("\n")
    target_lines = converted.split("\n")
    if len(source_lines) != len(target_lines):  # OpenCC never adds or drops newlines; be safe anyway
        source_lines, target_lines = [text], [converted]
    for source, target in zip(source_lines, target_lines, strict=True):
        if len(source) == len(target):
            aligned_lines.append(source)
        else:
            head = 0
            while head < min(len(source), len(target)) and source[head] == target[head]:
                head += 1
            tail = 0
            while (
                tail < min(len(source), len(target)) - head
                and source[len(source) - 1 - tail] == target[len(target) - 1 - tail]
            ):
                tail += 1
            edits.append(
                Edit(offset + head, offset + len(source) - tail, target[head : len(target) - tail], "convert")
            )
            aligned_lines.append(target)
        offset += len(source) + 1
    new_tracked, _, _ = tracked.apply(edits)
    return new_tracked, "\n".join(aligned_lines)


def _is_traditional(original: str, converted: str, settings: _Settings) -> bool:
    """Whether OpenCC changed enough CJK characters (in a sample) for the text to be traditional."""
    sample_in = original[:_SAMPLE_CHARS]
    sample_out = converted[:_SAMPLE_CHARS]
    ratio = settings.traditional_ratio
    # Changes are counted block by block (growing blocks), skipping blocks OpenCC left alone.
    # A count that reaches the ratio of the whole sample reaches it of the CJK characters in
    # it, which are never more: a traditional text stops after a block or two, uncounted.
    enough = ratio * len(sample_in)
    changed = start = 0
    size = _FIRST_BLOCK
    while start < len(sample_in):
        block_in = sample_in[start : start + size]
        block_out = sample_out[start : start + size]
        if block_in != block_out:
            changed += sum(map(operator.ne, block_in, block_out))
            if changed >= enough:
                return settings.cjk.search(sample_in) is not None
        start += size
        size = min(2 * size, _BLOCK)
    if not changed and ratio > 0:
        return False  # (however many CJK characters there are)
    # Counted as what is left once the runs of other characters are dropped: one match
    # per run instead of one per character.
    if settings.not_cjk is not None:
        cjk = len(settings.not_cjk.sub("", sample_in))
    else:
        cjk = len(settings.cjk.findall(sample_in))
    return bool(cjk) and changed >= ratio * cjk


def _restore(original: str, converted: str, pattern: re.Pattern[str]) -> str:
    """Put back characters of `original` that match `pattern` (texts of equal length)."""
    pieces: list[str] = []
    cursor = 0
    for match in pattern.finditer(original):
        pos = match.start()
        if converted[pos] != original[pos]:
            pieces.append(converted[cursor:pos])
            pieces.append(original[pos])
            cursor = pos + 1
    if not pieces:
        return converted
    pieces.append(converted[cursor:])
    return "".join(pieces)


def _normalize_punctuation(text: str, settings: _Settings) -> str:
    if settings.protect is None:
        return _normalize_span(text, settings)
    pieces: list[str] = []
    cursor = 0
    for match in settings.protect.finditer(text):
        pieces.append(_normalize_span(text[cursor : match.start()], settings))
        pieces.append(match.group())
        cursor = match.end()
    pieces.append(_normalize_span(text[cursor:], settings))
    return "".join(pieces)


def _normalize_span(text: str, settings: _Settings) -> str:
    # A converted mark can make its ASCII neighbour Chinese-adjacent (`:!。`), so repeat
    # until nothing changes; almost always one round plus a check.
    for _ in range(8):
        before = text
        if "(" in text or ")" in text:
            for pattern, template in settings.parens:
                text = pattern.sub(template, text)
        for mark, pattern, full in settings.punctuation:
            if mark in text:  # (a scan for one character costs a fraction of a regex pass)
                text = pattern.sub(full, text)
        if text == before:
            break
    return text
