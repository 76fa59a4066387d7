"""Modal markers: which words of a unit say how strongly an actor is bound.

Markers are read off the segmenter's tokens, so only a token that *is* a modal
word counts (`要`, `应当`, `还要`), never one that contains it (`重要`, `主要`,
`要点`, `需要的`). Further rules, all in `configs/modality.yaml`:

* a modal word inside a quoted title or slogan (`《…要…》`, `“…”`) is quoted, not said;
* a reporting verb followed by a comma or colon (`会议要求，`, `《意见》要求：`) only
  introduces what was said; the marker is the modal word that follows;
* a negator before an obligation word makes a prohibition (`不` + `应当`);
* after `存在`/`面临` in the same comma-part a modal word describes a problem;
* weak modal words (`支持`, `鼓励`, `需要`, `可`, `应`) count only in predicate
  position: at the start of a comma-part, after its subject or an adverb
  (`国家支持…`, `政府应在…`), and not before a comma or `的` (`提供支持。`,
  `根据工作需要，`); the short ones (`可`) right before a penalty verb (`可处以`)
  are in predicate position whatever precedes them;
* a modal word in a comma-part that ends in a condition mark (`…禁止性行为的，`,
  `发现…所禁止的信息时，`) belongs to the condition, not to the order, unless it
  stands before the time adverbial (`应当在开户时，`); right before `的` it modifies a
  noun (`法律禁止的行为`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ExtractError
from ..models import MODALITIES
from .lexicon import word_set

COMMAS = frozenset("，,：:；;。！？!?")


@dataclass(slots=True)
class Marker:
    """A modal word found in a unit; offsets are relative to the unit."""

    word: str
    modality: str
    start: int
    end: int
    token: int  # index of its token
    rule: str


@dataclass(frozen=True, slots=True)
class ModalityRules:
    """Compiled `modality.yaml` marker rules."""

    by_token: Mapping[str, tuple[str, str]]  # token -> (marker word, modality)
    weak: frozenset[str]
    predicate_before: frozenset[str]
    predicate_after_words: frozenset[str]
    predicate_after_verbs: frozenset[str]
    not_followed_by: frozenset[str]
    attributive: frozenset[str]  # words after which any modal word modifies a noun (`禁止的行为`)
    pair_joiners: frozenset[str]  # `支持和鼓励`: words that pair two weak modal words
    reporting: frozenset[str]
    non_modal: frozenset[str]
    descriptive: frozenset[str]
    condition_ends: frozenset[str]  # last words of a comma-part that make it a condition
    time_end: str  # ... the one that closes a time adverbial (`在……时`)
    time_openers: frozenset[str]
    negators: frozenset[str]
    negated: str
    quotes: tuple[tuple[str, str], ...]  # (opening, closing) marks of a quotation
    quote_open: re.Pattern[str]  # a character that opens a quote
    first_chars: re.Pattern[str]  # a character that opens a word of `by_token`

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> ModalityRules:
        by_token: dict[str, tuple[str, str]] = {}
        markers = cfg.get("markers") or {}
        for modality, words in markers.items():
            if modality not in MODALITIES:
                raise ExtractError(
                    f"modality.yaml: markers.{modality} is not a modality; use one of {', '.join(MODALITIES)}"
                )
            for word in words:
                by_token[str(word)] = (str(word), modality)
        for token, word in (cfg.get("compounds") or {}).items():
            if str(word) not in by_token:
                raise ExtractError(f"modality.yaml: compounds.{token} names '{word}', which is no marker")
            by_token[str(token)] = (str(word), by_token[str(word)][1])
        non_modal = cfg.get("non_modal") or {}
        quotes = tuple((str(a), str(b)) for a, b in non_modal.get("quotes") or ())
        return cls(
            by_token=by_token,
            weak=word_set(non_modal, "weak"),
            predicate_before=word_set(non_modal, "predicate_before"),
            predicate_after_words=word_set(non_modal.get("predicate_after") or {}, "words"),
            predicate_after_verbs=word_set(non_modal.get("predicate_after") or {}, "verbs"),
            not_followed_by=word_set(non_modal, "not_followed_by"),
            attributive=word_set(non_modal, "attributive_before"),
            pair_joiners=word_set(non_modal, "pair_joiners"),
            reporting=word_set(cfg, "reporting_verbs"),
            non_modal=word_set(non_modal, "tokens"),
            descriptive=word_set(non_modal, "descriptive_before"),
            condition_ends=word_set(non_modal.get("condition_parts") or {}, "endings"),
            time_end=str((non_modal.get("condition_parts") or {}).get("time_ending") or ""),
            time_openers=word_set(non_modal.get("condition_parts") or {}, "time_openers"),
            negators=word_set(cfg.get("negation") or {}, "negators"),
            negated=str((cfg.get("negation") or {}).get("modality") or "prohibition"),
            quotes=quotes,
            quote_open=_char_class({str(a) for a, _ in quotes}),
            first_chars=_char_class({token[:1] for token in by_token}),
        )


def quoted_spans(text: str, quotes: tuple[tuple[str, str], ...], opens: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of quotations in `text`: each opening mark to the first closing mark after it, left to right.

    The same spans as the regex `《[^》]*》|“[^”]*”|…` finds, in time linear in the text: where
    no closing mark follows, that is remembered, not searched for again at every opening mark.
    """
    closing: dict[str, str] = {}
    for opening, close in quotes:
        closing.setdefault(opening, close)
    next_close: dict[str, int] = {}  # closing mark -> where it next occurs (-1: nowhere after)
    spans: list[tuple[int, int]] = []
    end = 0
    for m in opens.finditer(text):
        start = m.start()
        if start < end:
            continue  # inside the last quotation
        mark = closing[m.group()]
        where = next_close.get(mark)
        if where is None or 0 <= where <= start:
            where = next_close[mark] = text.find(mark, start + 1)
        if where >= 0:
            spans.append((start, where + 1))
            end = where + 1
    return spans


def _char_class(chars: set[str]) -> re.Pattern[str]:
    """A regex matching one of `chars` (never matching when there are none)."""
    chars.discard("")
    return re.compile(f"[{''.join(map(re.escape, sorted(chars)))}]") if chars else re.compile("(?!)")


def find_markers(
    sentence: str,
    words: list[str],
    offs: list[int],
    rules: ModalityRules,
    subject_ends: Collection[int] = (),
    candidates: Sequence[int] | None = None,
    parts: Sequence[int] | None = None,
    base: int = 0,
    stop: int | None = None,
) -> list[Marker]:
    """The modal markers of one unit, in order.

    Args:
        sentence: the unit.
        words: the words (of the unit, or of the whole document with the unit at
            `base`); `offs` the offset where each starts (plus the end).
        rules: compiled modality rules.
        subject_ends: offsets where an actor name ends (a weak modal word right after
            one is in predicate position).
        candidates: indexes of the words that are modal words (`rules.by_token`), when
            the caller found them already; None: look at every word of the unit.
        parts: word indexes where the unit's comma-parts start, when known.
        base: offset of the unit in the text that `offs` refer to.
        stop: index of the first word after the unit (default: all words).
    """
    by_token = rules.by_token
    stop = len(words) if stop is None else stop
    if candidates is None:
        first = bisect.bisect_left(offs, base)
        candidates = [i for i in range(first, stop) if words[i] in by_token]
    if not candidates:
        return []
    if parts is None:
        first = bisect.bisect_left(offs, base)
        parts = [first] + [i + 1 for i in range(first, stop) if words[i] in COMMAS]
    quoted: list[tuple[int, int]] | None = None
    check_quotes = rules.quote_open.search(sentence) is not None
    describes = bool(rules.descriptive) and not rules.descriptive.isdisjoint(words[parts[0] : stop])
    found: list[Marker] = []
    for i in candidates:
        w = words[i]
        word, modality = by_token[w]
        k = bisect.bisect_right(parts, i)
        part_start = parts[k - 1]
        nxt = words[i + 1] if i + 1 < stop else ""
        if rules.condition_ends:
            last = part_last_word(words, parts, k, stop)
            if last in rules.condition_ends and not (
                last == rules.time_end and not rules.time_openers.isdisjoint(words[i + 1 : _part_stop(parts, k, stop)])
            ):
                continue  # `实施禁止性行为的，由……`: said of the condition
        if describes and any(words[j] in rules.descriptive for j in range(part_start, i)):
            continue  # `还存在……还需加强等问题`
        start = offs[i] + w.rfind(word) if w != word else offs[i]
        if check_quotes:
            if quoted is None:
                quoted = [(a + base, b + base) for a, b in quoted_spans(sentence, rules.quotes, rules.quote_open)]
            if any(a < start < b for a, b in quoted):
                continue
        if word in rules.reporting and (nxt in COMMAS or nxt == ""):
            continue  # `会议要求，` introduces what was said
        if nxt in rules.attributive:
            continue  # `法律、法规禁止的其他行为`: part of a noun phrase
        rule = f"marker:{word}"
        if word in rules.weak:
            prev = words[i - 1] if i > part_start else ""
            if nxt == "" or nxt in COMMAS or nxt in rules.not_followed_by and not (
                nxt in rules.pair_joiners and i + 2 < stop and words[i + 2] in by_token
            ):
                continue  # (but `支持和鼓励…`: two modal words paired)
            if (prev and prev not in rules.predicate_before and offs[i] not in subject_ends
                    and not (word in rules.predicate_after_words and nxt in rules.predicate_after_verbs)):
                continue
            rule = f"marker:{word}(predicate position)"
        end = start + len(word)
        if modality == "obligation" and i > part_start and words[i - 1] in rules.negators:
            neg = words[i - 1]  # `不` + `应当`: a prohibition
            rule = f"marker:{neg}{word}(negated)"
            start, word, modality = offs[i - 1], neg + word, rules.negated
        found.append(Marker(word, modality, start, end, i, rule))
    return found


def _part_stop(parts: Sequence[int], k: int, stop: int) -> int:
    """Word index after comma-part `k - 1` (`parts[k]` starts the next)."""
    return parts[k] if k < len(parts) else stop


def part_last_word(words: list[str], parts: Sequence[int], k: int, stop: int) -> str:
    """The last word before the comma or stop that ends comma-part `k - 1` (`parts[k]` starts the next)."""
    end = _part_stop(parts, k, stop)
    while end > parts[k - 1] and words[end - 1] in COMMAS:
        end -= 1
    return words[end - 1] if end > parts[k - 1] else ""
