"""Find pinyin readings a site inserted after characters (`網(wǎng)`) so they can be deleted.

A gloss is a parenthesized (ASCII or full-width) run of Hanyu Pinyin right
after a Chinese character. Its content must split into valid syllables (the
list in `ingest.yaml`, `pinyin.syllables`), so `(APP)`, `(2022)`, `（一）` or
`（街道）` are never taken. Tone-marked glosses (`wǎng`, `lǜ`, `wang3`) are
unmistakable; a plain-letter one (`(de)`) is taken only in a text that already
has several tone-marked glosses, where the site evidently glosses characters.

Repair runs before this stage: glosses that sit inside a mojibake run are part
of the repair edit, and this stage sees the repaired text. A gloss whose `(`
was swallowed together with a lost byte (`?cái)`) is also found, so what repair
leaves behind does not stay in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..config import Config, per_config
from ..text.textmap import Edit, edit_of

REASON = "pinyin-gloss"
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_LOST = "?\ufffd"  # what stands for a lost byte: a gloss after it may have lost its '('
_MAX_SYLLABLE = 6  # zhuang, shuang, chuang
_MAX_CACHED = 100_000


@dataclass(frozen=True, slots=True)
class _Pinyin:
    tone_marks: Mapping[str, str]
    syllables: frozenset[str]
    plain_min_length: int
    plain_min_marked: int
    pattern: re.Pattern[str]
    # Gloss contents repeat (the same few hundred syllables); remember each one's split.
    splits: dict[str, tuple[tuple[str, ...], bool] | None] = field(default_factory=dict, compare=False)
    infos: dict[str, tuple[bool, int] | None] = field(default_factory=dict, compare=False)


@per_config
def _pinyin(config: Config) -> _Pinyin:
    """`ingest.pinyin`, compiled (once per config)."""
    section = config["ingest"]["pinyin"]
    marks = {str(k): str(v) for k, v in section["tone_marks"].items()}
    letters = str(section["plain_letters"])
    tone_marks = {unicodedata.normalize("NFC", k): v for k, v in marks.items()}
    alphabet = re.escape("".join(sorted(set(letters) | set(tone_marks))))
    # A gloss: right after a character, an opening parenthesis, pinyin letters (syllables may
    # be spaced, a tone digit may follow), a closing one. After a '?' standing for a lost byte
    # the opening parenthesis may be missing: it was lost with that byte.
    word = rf"[{alphabet}]{{1,{_MAX_SYLLABLE * 4}}}[1-5]?"
    content = rf"({word}(?: {word}){{0,7}})"
    # The opening character (a parenthesis, or the lost byte's mark) comes first as one class,
    # so the regex engine skips ahead to it; lookbehinds then tell which it was.
    pattern = re.compile(rf"[(（{_LOST}](?:(?<=[^\s(（)）][(（])|(?<=[{_LOST}])){content}[)）]")
    return _Pinyin(
        tone_marks=tone_marks,
        syllables=frozenset(str(section["syllables"]).split()),
        plain_min_length=int(section["plain_min_length"]),
        plain_min_marked=int(section["plain_min_marked"]),
        pattern=pattern,
    )


def parse_gloss(content: str, config: Config) -> tuple[str, ...] | None:
    """The toneless syllables of a gloss's content, or None if it is not pinyin.

    `wǎng` → ("wang",), `wǎng luò` / `wǎngluò` → ("wang", "luo"), `APP` → None.
    """
    split = _split(content, _pinyin(config))
    return split[0] if split else None


def gloss_reading(content: str) -> str:
    """The gloss's reading as written, normalized (NFC, `v` → `ü`), for comparing with a dictionary."""
    return unicodedata.normalize("NFC", content.strip()).replace("v", "ü")


def find_pinyin_glosses(text: str, config: Config) -> list[Edit]:
    """Deletion edits for the pinyin glosses in `text`.

    Args:
        text: the repaired text (before conversion).
        config: the loaded config (`ingest.pinyin`).

    Returns:
        One `Edit` (reason `pinyin-gloss`) per gloss, parentheses included, in text order.
    """
    pinyin = _pinyin(config)
    infos = pinyin.infos
    plain_min_length = pinyin.plain_min_length
    cjk_at = _CJK_CHAR.match
    edits: list[Edit] = []
    # Whether a plain-letter gloss counts depends on how many tone-marked ones the whole
    # text has: they are taken in passing, and the indexes of the plain ones remembered.
    plain: list[int] = []
    marked_count = 0
    for match in pinyin.pattern.finditer(text):
        content = match.group(1)
        info = infos[content] if content in infos else _info(content, pinyin)
        if info is None:
            continue
        marked, letters = info
        start, end = match.span()
        after_lost_byte = text[start] in _LOST
        if marked:
            marked_count += 1
            if after_lost_byte:
                start += 1  # the '?' itself stays
        elif after_lost_byte or letters < plain_min_length or not cjk_at(text, start - 1):
            continue  # plain letters count only in parentheses right after a Chinese character
        else:
            plain.append(len(edits))
        edits.append(edit_of((start, end, "", REASON)))
    if plain and marked_count < pinyin.plain_min_marked:
        dropped = set(plain)
        edits = [edit for index, edit in enumerate(edits) if index not in dropped]
    return edits


def _info(content: str, pinyin: _Pinyin) -> tuple[bool, int] | None:
    """(tone-marked, letters in its syllables) of a gloss's content, or None if it is not pinyin."""
    try:
        return pinyin.infos[content]
    except KeyError:
        split = _split(content, pinyin)
        if len(pinyin.infos) > _MAX_CACHED:
            pinyin.infos.clear()
        info = pinyin.infos[content] = None if split is None else (split[1], sum(map(len, split[0])))
        return info


def _split(content: str, pinyin: _Pinyin) -> tuple[tuple[str, ...], bool] | None:
    """Toneless syllables of `content` and whether it carried tones; None if not pinyin."""
    try:
        return pinyin.splits[content]
    except KeyError:
        if len(pinyin.splits) > _MAX_CACHED:
            pinyin.splits.clear()
        result = pinyin.splits[content] = _split_uncached(content, pinyin)
        return result


def _split_uncached(content: str, pinyin: _Pinyin) -> tuple[tuple[str, ...], bool] | None:
    content = unicodedata.normalize("NFC", content)
    if content != content.lower():
        return None
    marked = False
    syllables: list[str] = []
    for word in content.split(" "):
        if word[-1:].isdigit():
            word = word[:-1]
            marked = True
        tones = sum(1 for c in word if c in pinyin.tone_marks)
        marked = marked or tones > 0
        plain = "".join(pinyin.tone_marks.get(c, c) for c in word).replace("v", "ü")
        parts = _segment(plain, pinyin.syllables)
        if parts is None or tones > len(parts):
            return None
        syllables.extend(parts)
    return tuple(syllables), marked


def _segment(word: str, syllables: frozenset[str]) -> list[str] | None:
    """Split a toneless word into valid syllables, preferring the fewest pieces."""
    if not word:
        return None
    best: list[list[str] | None] = [None] * (len(word) + 1)
    best[0] = []
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            head = best[start]
            if head is not None and word[start:end] in syllables:
                candidate = [*head, word[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[len(word)]
