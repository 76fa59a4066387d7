"""Repair GBK mojibake: runs of text whose double-byte pairs were read one byte out of step.

What happens on such pages: the text's GBK bytes were decoded starting one byte
late (or early), so each character is built from the second byte of one
character and the first byte of the next. The byte that lost its partner shows
as `?`; the run comes back into step at the next single-byte character (ASCII,
or 0x80 which Windows cp936 reads as `€`). Afterwards the site may have turned
full-width punctuation into ASCII (`！` → `!`, which shifts the byte count) and
added pinyin glosses to the garbled characters (`?cái)`: the gloss of the
character ending in the lost byte, its `(` swallowed with that byte).

The repair works on bytes, not strings: from each `?` it re-encodes the
following characters (ASCII punctuation either as is or as its full-width form,
glosses dropped), treats the `?` as one unknown byte, decodes the bytes in step,
and stops where the new reading comes back into step with the old one. The
unknown byte is tried over every value; a gloss right after it narrows the
values to those whose character has that reading (pypinyin). A candidate is
accepted only when it decodes cleanly into common characters, ends where the
text has a word boundary (not inside an ASCII word: `?APP` is a question mark
before an English word), and reads much better than the text it replaces, by
word and character frequencies of jieba's dictionary (after OpenCC t2s) over
the run and a few characters around it.
Ordinary text with a `?` is left alone: a shifted reading of it is gibberish.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from ..config import Config, per_config
from ..text.textmap import Edit
from .gloss import gloss_reading, parse_gloss
from .word_model import WordModel, best_segmentation, language_model

REASON = "mojibake"
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Characters a repaired run may contain besides CJK: the punctuation of Chinese prose.
_ALLOWED_OTHER = re.compile(r"[、。〈〉《》「」『』【】〔〕“”‘’—…·！（），．：；？０-９]")
_PINYIN_LETTERS = "a-zü\u00e0-\u00fc\u0101-\u01dc\u0144\u0148\u01f9\u1e3f"
_GLOSS = re.compile(rf"[(（]([{_PINYIN_LETTERS}]+[1-5]?)[)）]")
_GLOSS_AFTER_LOST = re.compile(rf"[(（]?([{_PINYIN_LETTERS}]+[1-5]?)[)）]")
_LOST_BYTES = range(0x81, 0xFF)
_TRAIL_BYTES = frozenset(range(0x40, 0xFF)) - {0x7F}  # the second byte of a double-byte character
# Characters on each side of a lost byte that can decide its repair: the window (at most
# max_units units, glosses included) and the context, with room to spare.
_MEMO_SPAN = 1024
# Repairs remembered across documents (each key holds up to 2 * _MEMO_SPAN characters).
_REPAIRS_KEPT = 4096
_ASCII_LETTER = re.compile("[A-Za-z]")
_TRAILING_GLOSS = re.compile(rf"[(（][{_PINYIN_LETTERS}]+[1-5]?[)）]$")


@dataclass(frozen=True, slots=True)
class _Settings:
    codec: str
    single_bytes: Mapping[str, int]
    single_chars: Mapping[int, str]
    anchors: frozenset[str]
    fullwidth: Mapping[str, str]
    max_units: int
    max_unknown: int
    max_readings: int
    context: int
    min_gain: float
    min_score: float
    min_char_freq: int
    max_word: int
    single_penalty: float
    opencc: str
    # What `_score` counts as unknown in a repaired run: lost-byte marks, stray single-byte
    # symbols, ASCII letters and digits.
    stray: re.Pattern[str]
    # Whether a character may stand in a repair (`_plausible`), by character, as they are met.
    verdicts: dict[str, bool] = field(default_factory=dict, compare=False)
    # A lost byte's repair, by the text around it (see `find_mojibake`), kept across documents.
    repairs: dict[tuple[str, int], tuple[int, int, str] | None] = field(default_factory=dict, compare=False)


class _Unit(NamedTuple):
    """One character of the window: its span and the byte strings it may stand for.

    `options` is empty for an unknown byte; a gloss has the single option b"". (A named
    tuple: a window is up to `max_units` of them, made for every lost byte.)
    """

    start: int
    end: int
    options: tuple[bytes, ...]
    unknown: bool = False
    reading: str = ""  # for an unknown byte: the gloss reading that follows it
    gloss: bool = False


@per_config
def _settings(config: Config) -> _Settings:
    """`ingest.mojibake`, read once per config."""
    section = config["ingest"]["mojibake"]
    single = {str(k): int(v) for k, v in section["single_bytes"].items()}
    return _Settings(
        codec=str(section["codec"]),
        single_bytes=single,
        single_chars={v: k for k, v in single.items()},
        anchors=frozenset(str(section["anchors"])),
        fullwidth={str(k): str(v) for k, v in section["fullwidth"].items()},
        max_units=int(section["max_units"]),
        max_unknown=int(section["max_unknown_bytes"]),
        max_readings=int(section["max_readings"]),
        context=int(section["context_chars"]),
        min_gain=float(section["min_gain"]),
        min_score=float(section["min_score"]),
        min_char_freq=int(section["min_char_freq"]),
        max_word=int(section["max_word_length"]),
        single_penalty=float(section["single_char_penalty"]),
        opencc=str(section["opencc"]),
        stray=re.compile("[A-Za-z0-9" + "".join(re.escape(c) for c in sorted(set(section["anchors"]) | set(single)))
                         + "]"),
    )


def find_mojibake(text: str, config: Config) -> list[Edit]:
    """Replacement edits for mojibake runs in `text`.

    Args:
        text: the decoded raw text.
        config: the loaded config (`ingest.mojibake`, `ingest.pinyin`).

    Returns:
        One `Edit` (reason `mojibake`) per repaired run, replacing it (with any glosses
        and lost-byte marks inside it) by the text it was garbled from, in text order.
    """
    settings = _settings(config)
    if not any(anchor in text for anchor in settings.anchors):
        return []
    edits: list[Edit] = []
    covered = 0
    anchor_re = re.compile("[" + re.escape("".join(sorted(settings.anchors))) + "]")
    # Pages repeat (reposts, shared footers, a site's pages crawled into many files): a run seen
    # before in the same surroundings, in this document or an earlier one, gets the same answer
    # without decoding and scoring it again (each costs milliseconds: every reading is scored).
    seen = settings.repairs
    if len(seen) > _REPAIRS_KEPT:
        seen.clear()
    for match in anchor_re.finditer(text):
        pos = match.start()
        if pos < covered or not _near_cjk(text, pos):
            continue
        line_start = text.rfind("\n", 0, pos) + 1
        line_end = text.find("\n", pos)
        lo = max(line_start, pos - _MEMO_SPAN)
        hi = len(text) if line_end < 0 else line_end
        hi = min(hi, pos + _MEMO_SPAN)
        key = (text[lo:hi], pos - lo)
        if key not in seen:
            edit = _repair_at(text, pos, settings, config)
            seen[key] = None if edit is None else (edit.start - lo, edit.end - lo, edit.replacement)
        found = seen[key]
        if found is not None:
            edits.append(Edit(lo + found[0], lo + found[1], found[2], REASON))
            covered = lo + found[1]
    return edits


def _near_cjk(text: str, pos: int) -> bool:
    """A lost byte sits inside Chinese text: right after a double-byte character, with Chinese
    just before it or just after it (past a gloss)."""
    if pos == 0 or not _double_byte_text(text[pos - 1]):
        return False
    if _CJK_CHAR.match(text, pos - 1):
        return True
    after = pos + 1
    gloss = _GLOSS_AFTER_LOST.match(text, after)
    if gloss:
        after = gloss.end()
    return _CJK_CHAR.match(text, after) is not None


def _double_byte_text(char: str) -> bool:
    """A Chinese character or full-width punctuation (not ASCII, not a pinyin letter like ǎ)."""
    if _CJK_CHAR.match(char):
        return True
    return not char.isascii() and unicodedata.category(char)[0] in "PS"


def _repair_at(text: str, pos: int, settings: _Settings, config: Config) -> Edit | None:
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    units = _units(text, pos, line_end, settings, config)
    if not units:
        return None
    if any(a.unknown and b.unknown for a, b in zip(units, units[1:], strict=False)):
        return None  # '??' is punctuation; a lost byte is followed by a character or its gloss
    readings = _decode_all(units, _byte_before(text, pos, settings), settings)
    if readings is None:
        return None  # more readings than one can be picked from with confidence
    candidates = set(readings)
    if not candidates:
        return None
    model = language_model()
    # The context around the window is the same for every candidate: its runs are scored once.
    memo: dict[str, float] = {}
    best: tuple[float, int, str] | None = None
    # In a fixed order: readings that differ only in punctuation can tie, and the answer
    # must not depend on set order (string hashing differs from process to process).
    ordered = sorted(candidates)
    # OpenCC is called once for all candidates (and once for all their contexts), not per candidate.
    simplified = _simplified_all([out for _, out in ordered], settings)
    kept = [
        (end, out)
        for (end, out), simple in zip(ordered, simplified, strict=True)
        if not _splits_ascii_word(text, end) and _plausible(out, settings, model, simple)
    ]
    # The context left of the run is the same for every candidate, the right one for each end.
    left = _left_context(text, pos, settings)
    rights = {end: _right_context(text, end, settings) for end in dict.fromkeys(end for end, _ in kept)}
    contexts = [(left, out, rights[end]) for end, out in kept]
    simplified = _simplified_all(["".join(parts) for parts in contexts], settings)
    for (end, out), parts, simple in zip(kept, contexts, simplified, strict=True):
        score = _score(parts, settings, model, memo, simple)
        if score is not None and (best is None or score > best[0]):
            best = (score, end, out)
    if best is None:
        return None
    score, end, out = best
    original = _score(_context(text, pos, end, _strip_glosses(text[pos:end]), settings), settings, model, memo)
    if score < settings.min_score or (original is not None and score - original < settings.min_gain):
        return None
    return Edit(pos, end, out, REASON)


def _units(text: str, pos: int, line_end: int, settings: _Settings, config: Config) -> list[_Unit]:
    """The window after a lost byte as units, up to the end of line or an unencodable character."""
    units: list[_Unit] = []
    unknown = 0
    i = pos
    while i < line_end and len(units) < settings.max_units:
        char = text[i]
        if char in settings.anchors:
            if unknown == settings.max_unknown:
                break
            unknown += 1
            gloss = _GLOSS_AFTER_LOST.match(text, i + 1)
            reading = ""
            if gloss and parse_gloss(gloss.group(1), config) and gloss.end() <= line_end:
                reading = gloss_reading(gloss.group(1))
            units.append(_Unit(i, i + 1, (), unknown=True, reading=reading))
            if reading and gloss is not None:
                units.append(_Unit(i + 1, gloss.end(), (b"",), gloss=True))
                i = gloss.end()
            else:
                i += 1
            continue
        gloss = _GLOSS.match(text, i) if char in "(（" else None
        if gloss and units and parse_gloss(gloss.group(1), config):
            units.append(_Unit(i, gloss.end(), (b"",), gloss=True))
            i = gloss.end()
            continue
        encoded = _encode(char, settings)
        if encoded is None:
            break
        options = [encoded]
        full = settings.fullwidth.get(char)
        if full is not None:
            full_bytes = _encode(full, settings)
            if full_bytes is not None:
                options.append(full_bytes)
        units.append(_Unit(i, i + 1, tuple(options)))
        i += 1
    return units


def _encode(char: str, settings: _Settings) -> bytes | None:
    if char in settings.single_bytes:
        return bytes([settings.single_bytes[char]])
    try:
        return char.encode(settings.codec)
    except UnicodeEncodeError:
        return None


def _byte_before(text: str, pos: int, settings: _Settings) -> int | None:
    """The last byte of the character before `pos`, skipping a gloss that follows it."""
    before = text[max(0, pos - 32) : pos]
    gloss = _TRAILING_GLOSS.search(before)
    if gloss:
        before = before[: gloss.start()]
    encoded = _encode(before[-1], settings) if before else None
    return encoded[-1] if encoded else None


class _TooManyReadings(Exception):
    """The window's readings outgrow `max_readings`."""


def _decode_all(units: list[_Unit], prev: int | None, settings: _Settings) -> list[tuple[int, str]] | None:
    """Every in-step reading of the window: `(end offset, decoded text)` at the first point
    after the lost byte(s) where the reading is back in step with the text.

    None when reading the window builds more than `max_readings` partial readings: two lost
    bytes without a gloss in one out-of-step stretch (`中?文中?文`) leave ~16,000 readings, too
    many to pick one from with confidence, and scoring them all takes ~150 ms per `?`.
    """
    pair = _pair_decoder(settings.codec)
    built = 0  # partial readings made so far, at every unit

    def grow(found: list[tuple[int, str]], more: Iterable[tuple[int, str]]) -> None:
        nonlocal built
        size = len(found)
        found.extend(more)
        built += len(found) - size
        if built > settings.max_readings:
            raise _TooManyReadings
    # The readings from a unit on depend only on the decoder's state there (the pending lead
    # byte and the last byte fed): the ~126 values of a lost byte mostly meet again in one
    # state a character later, whose readings are then worked out once.
    memo: dict[tuple[int, int | None, int | None], list[tuple[int, str]]] = {}
    led_memo: dict[int, list[tuple[int, str, list[tuple[int, str]]]]] = {}

    def read(data: bytes, pending: int | None, prev: int | None) -> tuple[str, int | None, int | None] | None:
        """`data` fed to the decoder in the given state: (decoded text, pending, last byte)."""
        decoded = ""
        for byte in data:
            step = _feed(pending, byte, pair, settings)
            if step is None:
                return None
            decoded += step[0]
            pending, prev = step[1], byte
        return decoded, pending, prev

    def tails(index: int, pending: int | None, prev: int | None) -> list[tuple[int, str]]:
        key = (index, pending, prev)
        found = memo.get(key)
        if found is not None:
            return found
        found = memo[key] = []
        if index > 0 and pending is None:
            following = units[index] if index < len(units) else None
            if following is None or not (following.unknown or (following.gloss and units[index - 1].unknown)):
                found.append((units[index - 1].end, ""))
                return found
        if index == len(units):
            return found
        unit = units[index]
        if unit.unknown:
            # A byte that shows as '?' could not stand alone: never ASCII, so 0x81-0xFE.
            values: range | tuple[int, ...] = _LOST_BYTES
            if unit.reading and prev is not None:
                values = _values_with_reading(prev, unit.reading, settings.codec)
            following = units[index + 1] if index + 1 < len(units) else None
            plain_next = following is not None and not following.unknown and not following.gloss
            for value in values:
                step = _feed(pending, value, pair, settings)
                if step is None:
                    continue
                char, new_pending = step
                if new_pending is None or not plain_next:
                    grow(found, ((end, char + rest) for end, rest in tails(index + 1, new_pending, value)))
                    continue
                # A lead byte: the readings after it depend on it only through the character it
                # makes with the next unit's first byte; the rest of that unit is read once.
                for trail, decoded, rests in led(index + 1):
                    first = pair(new_pending, trail)
                    if first is not None:
                        head = char + first + decoded
                        grow(found, ((end, head + rest) for end, rest in rests))
            return found
        for option in unit.options:
            state = read(option, pending, prev)
            if state is not None:
                decoded = state[0]
                grow(found, ((end, decoded + rest) for end, rest in tails(index + 1, state[1], state[2])))
        return found

    def led(index: int) -> list[tuple[int, str, list[tuple[int, str]]]]:
        """Per option of a known unit read after a pending lead byte: its first byte (the lead's
        trail byte), the text the rest of it decodes to, and the readings after the unit."""
        found = led_memo.get(index)
        if found is None:
            found = led_memo[index] = []
            for option in units[index].options:
                if option[0] not in _TRAIL_BYTES:
                    continue
                state = read(option[1:], None, option[0])
                if state is not None:
                    found.append((option[0], state[0], tails(index + 1, state[1], state[2])))
        return found

    try:
        return tails(0, None, prev)
    except _TooManyReadings:
        return None


def _feed(pending: int | None, byte: int, pair: Any, settings: _Settings) -> tuple[str, int | None] | None:
    """One byte into the decoder: (decoded text, new pending lead byte), or None if invalid."""
    if pending is not None:
        if byte not in _TRAIL_BYTES:
            return None
        char = pair(pending, byte)
        return None if char is None else (char, None)
    if byte < 0x80:
        return chr(byte), None
    if byte in settings.single_chars:
        return settings.single_chars[byte], None
    if 0x81 <= byte <= 0xFE:
        return "", byte
    return None


@lru_cache(maxsize=4)
def _pair_decoder(codec: str) -> Any:
    @lru_cache(maxsize=65536)
    def pair(lead: int, trail: int) -> str | None:
        try:
            char = bytes((lead, trail)).decode(codec)
        except UnicodeDecodeError:
            return None
        return char if len(char) == 1 else None

    return pair


@lru_cache(maxsize=4096)
def _values_with_reading(prev: int, reading: str, codec: str) -> tuple[int, ...]:
    """Values of a lost byte such that the character `prev`+byte is read `reading`.

    The site glossed the garbled character that ends in the lost byte. Without pypinyin
    every value stays possible. (Kept per byte and reading: each costs 126 decodings.)
    """
    readings = _reader()
    if readings is None:
        return tuple(_LOST_BYTES)
    pair = _pair_decoder(codec)
    return tuple(v for v in _LOST_BYTES if (c := pair(prev, v)) is not None and reading in readings(c))


@lru_cache(maxsize=1)
def _reader() -> Any:
    try:
        from pypinyin import Style, pinyin
    except ImportError:  # pragma: no cover - pypinyin is a dependency; degrade gracefully
        return None

    @lru_cache(maxsize=65536)
    def readings(char: str) -> frozenset[str]:
        found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
        return frozenset(found[0]) if found else frozenset()

    return readings


def _simplified(text: str, settings: _Settings) -> str:
    from .convert import opencc_converter

    return opencc_converter(settings.opencc).convert(text)


def _simplified_all(texts: list[str], settings: _Settings) -> list[str]:
    """`_simplified` of each text, converted in one OpenCC call.

    OpenCC's phrases never hold a line break, so converting lines joined by one
    gives each line's own conversion.
    """
    if len(texts) < 2 or any("\n" in t for t in texts):
        return [_simplified(t, settings) for t in texts]
    joined = _simplified("\n".join(texts), settings).split("\n")
    return joined if len(joined) == len(texts) else [_simplified(t, settings) for t in texts]


def _plausible(out: str, settings: _Settings, model: WordModel, simplified: str | None = None) -> bool:
    """A repair must be clean text: common CJK characters and ordinary punctuation only.

    `simplified` is `out` converted, when the caller has it already.
    """
    if not out or not settings.anchors.isdisjoint(out):
        return False
    if simplified is None:
        simplified = _simplified(out, settings)
    if not _CJK_CHAR.search(simplified):
        return False
    verdicts = settings.verdicts
    for char in set(simplified).difference(verdicts):
        verdicts[char] = _allowed(char, settings, model)
    return all(map(verdicts.__getitem__, simplified))


def _allowed(char: str, settings: _Settings, model: WordModel) -> bool:
    """Whether a (simplified) character may stand in a repair."""
    if char.isascii():
        return False  # a garbled run is double-byte text; ASCII inside it is a misreading
    if _CJK_CHAR.match(char):
        return model.freq.get(char, 0) >= settings.min_char_freq
    return _ALLOWED_OTHER.match(char) is not None


def _splits_ascii_word(text: str, end: int) -> bool:
    """A run ending on an ASCII letter that the text continues with more letters (`?APP`).

    A trail byte read as an ASCII letter puts the reading back in step right after
    it, so garbled text has the letter followed by ordinary text; letters running on
    mean the `?` stood before an English word (APP, WiFi, ATM), and a repair would
    split it, scoring the word's first letter as junk and leaving the rest unscored.
    """
    return 0 < end < len(text) and _ASCII_LETTER.match(text, end - 1) is not None and (
        _ASCII_LETTER.match(text, end) is not None
    )


def _strip_glosses(text: str) -> str:
    return _GLOSS_AFTER_LOST.sub("", text)


def _context(text: str, pos: int, end: int, middle: str, settings: _Settings) -> tuple[str, str, str]:
    """`middle` with a few characters of context on each side (same line, glosses removed)."""
    return _left_context(text, pos, settings), middle, _right_context(text, end, settings)


def _left_context(text: str, pos: int, settings: _Settings) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    return _strip_glosses(text[max(line_start, pos - settings.context * 8) : pos])[-settings.context :]


def _right_context(text: str, end: int, settings: _Settings) -> str:
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return _strip_glosses(text[end : min(line_end, end + settings.context * 8)])[: settings.context]


def _score(
    parts: tuple[str, str, str],
    settings: _Settings,
    model: WordModel,
    memo: dict[str, float] | None = None,
    simplified: str | None = None,
) -> float | None:
    """Mean log-probability per character under the dictionary's unigram word model.

    Chinese runs are split into their likeliest words (as jieba does). Inside the middle
    part, lost-byte marks, stray single-byte symbols (`€`) and ASCII letters or digits
    wedged into Chinese count as unknown characters; other punctuation only separates.
    """
    left, middle, right = parts
    if simplified is None:  # (the three parts converted together, when the caller has it)
        simplified = _simplified(left + middle + right, settings)
    total = 0.0
    count = 0
    for run in _CJK_RUN.findall(simplified):
        if memo is None or run not in memo:
            value = best_segmentation(run, model, settings.max_word, settings.single_penalty)
            if memo is None:
                total += value
                count += len(run)
                continue
            memo[run] = value
        total += memo[run]
        count += len(run)
    stray = len(settings.stray.findall(middle))
    total -= stray * model.log_total
    count += stray
    return total / count if count else None
