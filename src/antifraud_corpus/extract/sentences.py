"""Cut a document body into directive units: sentences, `；`-parts, list items.

A unit never crosses a paragraph (`\\n`) or a clause boundary. Sentences end
with `。！？` (closing quotes stay with them); a `；` ends a part, since each
`；`-part of a policy sentence usually holds its own predicate; a `：` ends a
unit when a list item follows on the same line. Numbering at the start of a
unit (`一、`, `（二）`, `第五条`) is not part of its sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..models import Clause
from ..text.regex_facts import analyse

PARAGRAPH_MARK = "¶"


@dataclass(slots=True)
class Unit:
    """A candidate directive: `text[start:end]`, with where it stands in the document."""

    start: int
    end: int
    para: int  # index of the paragraph (line) it belongs to
    sentence: int  # index of the sentence (a `；`-part shares its sentence's index)
    clause: str  # path of the enclosing clause; "" for preamble and unnumbered paragraphs
    clause_index: int  # index into the clause list, -1 outside every clause
    heading: bool  # opens a numbered clause or list item (`一、加强组织领导，…。`, `一是加强…`)
    titled: bool  # its line has no sentence punctuation: a title or sub-title
    first_in_para: bool


@dataclass(frozen=True, slots=True)
class SentenceRules:
    """Compiled `extract.sentence` settings."""

    unit_re: re.Pattern[str]
    enumerator: re.Pattern[str]
    colon_split: re.Pattern[str]
    punct: re.Pattern[str]
    sentence_end: frozenset[str]
    min_chars: int
    number_first: re.Pattern[str] | None  # the first character of every numbering (None: unknown)
    # character -> whether numbering may start with it (`number_first`, per character seen)
    opens_number: dict[str, bool] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> SentenceRules:
        term = str(cfg["terminators"])
        parts = str(cfg["part_separator"])
        closers = str(cfg["closers"])
        colon = str(cfg["colon"])
        stops = re.escape(term + parts)
        # (the lookahead: no empty match at the end of each stretch)
        unit_re = re.compile(f"(?=.)[^{stops}\\n]*(?:[{stops}]+[{re.escape(closers)}]*|$)")
        after = cfg["colon_split_before"]
        colon_split = re.compile(f"(?<=[{re.escape(colon)}])[ \\t\u3000]*(?={after})")
        punct = re.compile(f"[{re.escape(term + parts + colon)}]")
        # matched at a unit's start with `match(text, pos)`, where `^` would never match
        enumerator = re.compile(str(cfg["enumerator"]).removeprefix("^"))
        first = analyse(enumerator).first
        return cls(
            unit_re=unit_re,
            enumerator=enumerator,
            colon_split=colon_split,
            punct=punct,
            sentence_end=frozenset(term),
            min_chars=int(cfg["min_chars"]),
            number_first=re.compile(first) if first else None,
        )


_LINE = re.compile(r"[^\n]+")
_CLOSERS = "”’」』）)"
_BLANK = " \t\u3000\u00a0\r"
_BLANK_RE = re.compile(f"[{_BLANK}]")


def split_units(text: str, clauses: Sequence[Clause], rules: SentenceRules) -> list[Unit]:
    """All candidate units of `text`, in order (see `iter_units`)."""
    return list(iter_units(text, clauses, rules))


def iter_units(text: str, clauses: Sequence[Clause], rules: SentenceRules) -> Iterator[Unit]:
    """The candidate units of `text`, in order, one at a time.

    A long body holds hundreds of thousands of units: the extractor reads them a stretch
    at a time rather than holding them all beside the directives it builds.

    Args:
        text: the cleaned body, paragraphs separated by `\\n`.
        clauses: its clauses (flat, in order, as `segment_clauses` returns them).
        rules: compiled sentence settings.
    """
    starts = [c.start for c in clauses]
    cuts = sorted({c.start for c in clauses} | {c.end for c in clauses})
    n_cuts, n_starts = len(cuts), len(starts)
    unit_re, punct, enumerator, sentence_end = rules.unit_re, rules.punct, rules.enumerator, rules.sentence_end
    number_first, opens_number = rules.number_first, rules.opens_number
    shortest = rules.min_chars + 3
    sentence = 0
    # Lines and stretches come in order: the next clause boundary after each, and the next
    # clause start, are followed with cursors rather than searched for (most lines hold none).
    next_cut = next_start = 0
    # Where the next colon and the next blank stand (len(text): none after), searched for
    # again only once passed: most lines hold neither, and their units skip those tests.
    next_colon = next_blank = -1
    for para, line in enumerate(_LINE.finditer(text)):
        lo, hi = line.span()
        titled = punct.search(text, lo, hi) is None
        if next_colon < lo:
            next_colon = text.find("：", lo)
            if next_colon < 0:
                next_colon = len(text)
        colons = next_colon < hi
        if next_blank < lo:
            blank = _BLANK_RE.search(text, lo)
            next_blank = blank.start() if blank else len(text)
        blanks = next_blank < hi
        # clause boundaries inside the line split it too
        while next_cut < n_cuts and cuts[next_cut] <= lo:
            next_cut += 1
        if next_cut < n_cuts and cuts[next_cut] < hi:
            inner_end = next_cut + 1
            while inner_end < n_cuts and cuts[inner_end] < hi:
                inner_end += 1
            inner = cuts[next_cut:inner_end]
            stretches = zip([lo, *inner], [*inner, hi], strict=True)
        else:
            stretches = ((lo, hi),)
        first = True
        for seg_lo, seg_hi in stretches:
            # No clause starts or ends inside a stretch: its units share one clause.
            while next_start < n_starts and starts[next_start] <= seg_lo:
                next_start += 1
            ci = next_start - 1
            if ci >= 0 and seg_lo >= clauses[ci].end:
                ci = -1
            path = clauses[ci].path if ci >= 0 else ""
            numbered = bool(path) and not path.startswith(PARAGRAPH_MARK)
            clause_start = clauses[ci].start if numbered else 0
            unit_path = path if numbered else ""
            for m in unit_re.finditer(text, seg_lo, seg_hi):
                m_lo, m_hi = m.span()
                if colons and text.find("：", m_lo, m_hi) >= 0:
                    pieces = _colon_pieces(text, m_lo, m_hi, rules)
                else:
                    pieces = ((m_lo, m_hi),)
                for s, e in pieces:
                    # strip blanks, and numbering at the start
                    if blanks:
                        while s < e and text[s] in _BLANK:
                            s += 1
                        while e > s and text[e - 1] in _BLANK:
                            e -= 1
                    # (most units open with a character no numbering opens with: one test)
                    number = None
                    if s < e:
                        opens = opens_number.get(text[s])
                        if opens is None:
                            opens = opens_number[text[s]] = number_first is None or bool(number_first.match(text[s]))
                        if opens:
                            number = enumerator.match(text, s, e)
                    if number is not None:
                        if number.end() >= e:
                            continue  # a bare number (`（十一）`, its clause's text cut off after it)
                        s = number.end()
                        heading = True  # a numbered item
                    elif numbered:
                        # the unit opens its clause: only blanks stand before it (looked at from
                        # the clause's start, not copied: a clause may hold thousands of units)
                        p = clause_start
                        while p < s and text[p] in _BLANK:
                            p += 1
                        heading = p >= s
                    else:
                        heading = False
                    if e - s <= shortest and len(punct.sub("", text[s:e])) < rules.min_chars:
                        continue
                    # (start, end, para, sentence, clause, clause_index, heading, titled, first_in_para)
                    yield Unit(s, e, para, sentence, unit_path, ci, heading, titled, first)
                    first = False
                # a sentence ends with a terminator (closing quotes and brackets aside)
                while m_hi > m_lo and text[m_hi - 1] in _CLOSERS:
                    m_hi -= 1
                if m_hi > m_lo and text[m_hi - 1] in sentence_end:
                    sentence += 1
        sentence += 1


def _colon_pieces(text: str, lo: int, hi: int, rules: SentenceRules) -> list[tuple[int, int]]:
    pieces = []
    for m in rules.colon_split.finditer(text, lo, hi):
        if m.start() > lo:
            pieces.append((lo, m.start()))
            lo = m.end()
    pieces.append((lo, hi))
    return pieces
