"""Traditional → simplified Chinese with OpenCC where the text is traditional; full-width punctuation.

Only traditional stretches are converted. OpenCC's t2s tables also map characters
that are standard simplified ones (its phrase 坏土 makes 破坏土地 破坯土地; 菜薹,
濛溪河 and names such as 李奕昇 lose a character), so a document, or a stretch of
one, that is already simplified passes through as written. Each line is told
traditional or simplified by the characters only one of the two writings uses
(`_stretches`), so a traditional page quoting a simplified document, or the
reverse, is converted only where it is traditional.

OpenCC's t2s tables map every phrase to one of equal length, so the converted
text lines up character by character with its input and offsets are kept with
`TrackedText.map_chars`. Other OpenCC configs may change a line's length; such
lines become replacement edits instead.

On top of OpenCC, all configured in `ingest.yaml` (`convert`):

- in a traditional stretch, `char_rules` fix characters OpenCC leaves alone although
  simplified writing differs (著 → 着 except in 著作, 显著 ...);
- in a traditional stretch, `overrides` fix known wrong phrases in the output where
  the phrase starts and ends at word boundaries of jieba's cut (本著 → 本着, but
  not in 日本著名);
- ASCII punctuation next to Chinese text becomes full-width (`,` → `，`), but not
  in numbers (`20:07:15`, `1,000`), ASCII words or URLs; in every stretch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from ..config import Config, per_config
from ..errors import ConfigError
from ..text.textmap import Edit, TrackedText

# Characters are classified over the ideographs of the Basic Multilingual Plane only: `re`
# tests a class of BMP characters with one bitmap lookup, but a class holding characters
# beyond it range by range (a hundred times slower on a page of text). Ideographs beyond
# (Extension B on) are rare in either writing; a line of them goes with its neighbours.
_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


@lru_cache(maxsize=4)
def opencc_converter(name: str) -> Any:
    """The OpenCC converter for a config name (`t2s`, `tw2s`, ...), built once per process.

    Raises:
        ConfigError: OpenCC has no such config.
    """
    import opencc

    stem = name.removesuffix(".json")
    if not _is_opencc_config(stem):
        raise ConfigError(
            f"ingest.yaml: convert.opencc '{name}' is not an OpenCC config (known: {', '.join(_opencc_configs())})"
        )
    try:
        return opencc.OpenCC(f"{stem}.json")
    except Exception as exc:  # the binding raises plain RuntimeError/ValueError
        raise ConfigError(f"ingest.yaml: cannot load OpenCC config '{name}' ({exc})") from None


def _opencc_configs() -> list[str]:
    import opencc

    return sorted(getattr(opencc, "CONFIGS", []) or [])


def _is_opencc_config(name: str) -> bool:
    known = _opencc_configs()
    stem = name.removesuffix(".json")
    return not known or f"{stem}.json" in known or stem in known  # (an old binding lists none)


@dataclass(frozen=True, slots=True)
class _Settings:
    opencc: str
    to_traditional: tuple[str, ...]
    margin: int
    simplified_too: str
    traditional_too: str
    char_rules: tuple[tuple[re.Pattern[str], str], ...]
    overrides: re.Pattern[str] | None
    override_map: Mapping[str, str]
    punctuation: tuple[tuple[str, re.Pattern[str], str], ...]  # (mark, where it becomes, full width)
    parens: tuple[tuple[re.Pattern[str], str], ...]
    protect: re.Pattern[str] | None


@per_config
def _settings(config: Config) -> _Settings:
    """`ingest.convert`, compiled (once per config)."""
    section = config["ingest"]["convert"]
    cjk_body = str(section["cjk_class"])
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
    script = _script_section(section.get("script"))
    return _Settings(
        opencc=str(section["opencc"]),
        to_traditional=tuple(str(name) for name in script["to_traditional"]),
        margin=script["margin"],
        simplified_too=str(script.get("simplified_too") or ""),
        traditional_too=str(script.get("traditional_too") or ""),
        char_rules=tuple(rules),
        overrides=re.compile("|".join(re.escape(k) for k in sorted(overrides, key=len, reverse=True)))
        if overrides
        else None,
        override_map=overrides,
        punctuation=tuple(punctuation),
        parens=tuple(parens),
        protect=re.compile(protect) if protect else None,
    )


def _script_section(script: Any) -> Mapping[str, Any]:
    """`convert.script`, checked: OpenCC config names, a margin of at least one (its keys: the schema)."""
    where = "ingest.yaml: convert.script"
    names = script.get("to_traditional")
    if not names or isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
        raise ConfigError(f"{where}.to_traditional: expected a list of OpenCC configs, e.g. [s2t, s2tw, s2hk]")
    for name in names:
        if not _is_opencc_config(name):
            raise ConfigError(f"{where}.to_traditional: '{name}' is not an OpenCC config "
                              f"(known: {', '.join(_opencc_configs())})")
    margin = script.get("margin")
    if isinstance(margin, bool) or not isinstance(margin, int) or margin < 1:
        raise ConfigError(f"{where}.margin: expected a whole number of characters ≥ 1, got {margin!r}")
    for key in ("simplified_too", "traditional_too"):
        if not isinstance(script.get(key) or "", str):
            raise ConfigError(f"{where}.{key}: expected a string of characters")
    return script


def convert_text(tracked: TrackedText, config: Config) -> TrackedText:
    """Convert the traditional stretches of a tracked text to simplified Chinese, keeping offsets.

    Simplified stretches pass through as written; punctuation next to Chinese text
    becomes full-width everywhere.

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
    pieces: list[str] = []
    realign = False
    for start, end, traditional in _stretches(text, settings):
        piece = text[start:end]
        if traditional:
            converted = _to_simplified(piece, settings, config)
            realign = realign or len(converted) != len(piece) or not _same_line_lengths(piece, converted)
            piece = converted
        pieces.append(piece)
    converted = "".join(pieces)
    if realign:
        tracked = _realign(tracked, text, converted)
    converted = _normalize_punctuation(converted, settings)
    return tracked.map_chars(converted)


def convert_phrases(text: str, config: Config) -> str:
    """`text` through OpenCC and the phrase `overrides` only, as a plain string.

    No alignment, character rules, punctuation or telling simplified stretches apart:
    what the conversion would change if the text were traditional, for finding
    traditional left-overs (`瞭解`) in a text that has been through it.
    """
    settings = _settings(config)
    converted = _opencc(text, settings)
    return _apply_overrides(converted, settings, config)


def normalize_punctuation(text: str, config: Config) -> str:
    """Full-width punctuation next to Chinese text (`来源:新华社` → `来源：新华社`); same length."""
    return _normalize_punctuation(text, _settings(config))


def _to_simplified(text: str, settings: _Settings, config: Config) -> str:
    """A traditional stretch through OpenCC, the character rules and the phrase overrides."""
    converted = _opencc(text, settings)
    for pattern, replacement in settings.char_rules:
        converted = pattern.sub(_keep_words(replacement), converted)
    return _apply_overrides(converted, settings, config)


def _opencc(text: str, settings: _Settings) -> str:
    """OpenCC's conversion, except that a character only simplified writing uses stays.

    OpenCC's phrases also rewrite such characters: 坏 (simplified 壞) is an old form of 坯 in
    traditional text, so 打坏, 拉坏 and 坏土 become 打坯, 拉坯 and 坯土. A simplified word inside
    a traditional stretch (or a text `corpus check` looks at) keeps them.
    """
    converted = opencc_converter(settings.opencc).convert(text)
    if converted == text or len(converted) != len(text):
        return converted
    simplified = _simplified_only(settings.to_traditional, settings.traditional_too,
                                  settings.opencc, settings.simplified_too)
    if simplified is None:
        return converted
    pieces: list[str] = []
    cursor = 0
    for match in simplified.finditer(text):
        at = match.start()
        if converted[at] != text[at]:
            pieces += [converted[cursor:at], text[at]]
            cursor = at + 1
    if not pieces:
        return converted
    pieces.append(converted[cursor:])
    return "".join(pieces)


# ------------------------------------------------------------ traditional or simplified


def _stretches(text: str, settings: _Settings) -> list[tuple[int, int, bool]]:
    """`(start, end, traditional)`: runs of whole lines covering `text`, each of one writing.

    A line is traditional when it holds `margin` more characters that only traditional
    writing uses than characters that only simplified writing uses, and simplified in
    the reverse case. A line with less evidence (short, or mixed) goes with the decided
    line before it, lines before the first decided one with that one; a text with no
    decided line is traditional if it holds more traditional characters than simplified.
    """
    traditional = _traditional_only(settings.opencc, settings.simplified_too)
    if traditional is None or traditional.search(text) is None:
        return [(0, len(text), False)]  # nothing to convert (most texts: no per-line work)
    simplified = _simplified_only(settings.to_traditional, settings.traditional_too,
                                  settings.opencc, settings.simplified_too)
    if simplified is None or simplified.search(text) is None:
        return [(0, len(text), True)]  # what the per-line decision comes to without simplified signs
    lines = text.split("\n")
    kinds: list[bool | None] = []
    lead = 0  # traditional minus simplified characters over the whole text
    for line in lines:
        balance = len(traditional.findall(line)) - len(simplified.findall(line))
        lead += balance
        kinds.append(True if balance >= settings.margin else False if -balance >= settings.margin else None)
    decided = next((kind for kind in kinds if kind is not None), None)
    if decided is None:
        return [(0, len(text), lead > 0)]
    stretches: list[tuple[int, int, bool]] = []
    start = 0
    for line, kind in zip(lines, kinds, strict=True):
        decided = decided if kind is None else kind
        end = start + len(line) + 1
        if stretches and stretches[-1][2] == decided:
            stretches[-1] = (stretches[-1][0], end, decided)
        else:
            stretches.append((start, end, decided))
        start = end
    last_start, _, last_kind = stretches[-1]
    stretches[-1] = (last_start, len(text), last_kind)  # (no line break after the last line)
    return stretches


@lru_cache(maxsize=4)
def _changed_by(name: str) -> frozenset[str]:
    """The ideographs (BMP) that OpenCC config `name` changes when converted on their own."""
    return _changed(name, [chr(code) for first, last in _IDEOGRAPHS for code in range(first, last + 1)])


def _changed(name: str, chars: list[str]) -> frozenset[str]:
    # One call for all of them: OpenCC's phrases never span a line break.
    converted = opencc_converter(name).convert("\n".join(chars)).split("\n")
    return frozenset(char for char, out in zip(chars, converted, strict=True) if out != char)


@lru_cache(maxsize=4)
def _traditional_only(to_simplified: str, simplified_too: str) -> re.Pattern[str] | None:
    """Characters only traditional writing uses: those `to_simplified` changes, less `simplified_too`."""
    return _char_class(_changed_by(to_simplified) - set(simplified_too))


@lru_cache(maxsize=4)
def _simplified_only(to_traditional: tuple[str, ...], traditional_too: str,
                     to_simplified: str, simplified_too: str) -> re.Pattern[str] | None:
    """Characters only simplified writing uses: those every `to_traditional` config changes
    (a character Taiwan or Hong Kong writing keeps, 群 or 台, is traditional too), less
    `traditional_too` and less any character also counted as traditional."""
    first, *others = to_traditional
    chars = _changed_by(first)
    for name in others:  # (only the characters still in question: a tenth of them)
        chars = _changed(name, sorted(chars))
    return _char_class(chars - set(traditional_too) - _changed_by(to_simplified))


def _char_class(chars: frozenset[str]) -> re.Pattern[str] | None:
    return re.compile("[" + "".join(sorted(chars)) + "]") if chars else None


# ------------------------------------------------------------ phrase overrides


def _apply_overrides(text: str, settings: _Settings, config: Config) -> str:
    """The phrase overrides, each only where it starts and ends at word boundaries."""
    pattern = settings.overrides
    if pattern is None:
        return text
    pieces: list[str] = []
    cursor = 0
    match = pattern.search(text)
    while match is not None:
        start, end = match.span()
        if _on_word_boundaries(text, start, end, config):
            pieces += [text[cursor:start], settings.override_map[match.group()]]
            cursor = end
            match = pattern.search(text, end)
        else:  # a shorter phrase may still start inside this one (本著 in 日本著名 is no word)
            match = pattern.search(text, start + 1)
    if not pieces:
        return text
    pieces.append(text[cursor:])
    return "".join(pieces)


def _is_word_char(char: str) -> bool:
    # jieba (and jieba-rs) cut words only out of runs of letters, digits and `+#&._%-`;
    # any other character ends a word, so the run around a phrase is cut as the whole text.
    return char.isalnum() or char in "_+#&.%-"


def _on_word_boundaries(text: str, start: int, end: int, config: Config) -> bool:
    """Whether `text[start:end]` starts and ends where the project's segmenter cuts words."""
    from ..text.segmenter import build_segmenter

    first = start
    while first > 0 and _is_word_char(text[first - 1]):
        first -= 1
    last = end
    while last < len(text) and _is_word_char(text[last]):
        last += 1
    cuts = set(accumulate(map(len, build_segmenter(config).cut(text[first:last])), initial=0))
    return start - first in cuts and end - first in cuts


def _keep_words(replacement: str) -> Callable[[re.Match[str]], str]:
    def swap(match: re.Match[str]) -> str:
        found = match.group()
        return replacement if len(found) == 1 else found

    return swap


# ------------------------------------------------------------ alignment


def _same_line_lengths(text: str, converted: str) -> bool:
    if text.count("\n") != converted.count("\n"):
        return False
    return list(map(len, text.split("\n"))) == list(map(len, converted.split("\n")))


def _realign(tracked: TrackedText, text: str, converted: str) -> TrackedText:
    """Lines whose length the conversion changed become edits: the tracked text with those
    lines replaced by their conversion, so `converted` maps onto it character by character."""
    edits: list[Edit] = []
    offset = 0
    source_lines = text.split("\n")
    target_lines = converted.split("\n")
    if len(source_lines) != len(target_lines):  # OpenCC never adds or drops newlines; be safe anyway
        source_lines, target_lines = [text], [converted]
    for source, target in zip(source_lines, target_lines, strict=True):
        if len(source) != len(target):
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
        offset += len(source) + 1
    return tracked.apply(edits)[0]


# ------------------------------------------------------------ punctuation


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
