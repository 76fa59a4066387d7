"""White-space normalization of the text after junk removal: deletion and replacement edits.

See `find_whitespace`; the settings are `clean.yaml` `whitespace` (`clean_rules.whitespace_rules`).
"""

from __future__ import annotations

import re
from itertools import compress, count, islice
from operator import eq, itemgetter, lt

from ..config import Config
from ..text.textmap import Edit
from .clean_rules import WhitespaceRules, whitespace_rules

# A line and its break (CR LF, CR or LF; the last line may have none). The empty match this
# finds at the end of the text is no line.
_PIECE = re.compile(r"[^\r\n]*(\r\n|\r|\n|\Z)")


def _merge_deletions(edits: list[Edit]) -> list[Edit]:
    """Join touching deletions with the same reason, so one gap is one removed piece (`edits` in order)."""
    starts, ends = list(map(itemgetter(0), edits)), list(map(itemgetter(1), edits))
    if all(map(lt, starts, ends)):  # (nothing to drop: the pairs that touch are all that need a look)
        joins = [k for k in compress(count(1), map(eq, ends, islice(starts, 1, None)))
                 if not edits[k - 1].replacement and not edits[k].replacement
                 and edits[k - 1].reason == edits[k].reason]
        if not joins:
            return edits
        joined: list[Edit] = []
        done = 0  # edits before this one are in `joined`
        for k in joins:
            joined += edits[done:k]
            joined[-1] = Edit(joined[-1].start, edits[k].end, "", joined[-1].reason)
            done = k + 1
        joined += edits[done:]
        return joined
    out: list[Edit] = []
    for edit in edits:
        if edit.end <= edit.start and not edit.replacement:
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and not prev.replacement
            and not edit.replacement
            and prev.end == edit.start
            and prev.reason == edit.reason
        ):
            out[-1] = Edit(prev.start, edit.end, "", prev.reason)
        else:
            out.append(edit)
    return out


def _space_edits(text: str, start: int, end: int, rules: WhitespaceRules) -> list[Edit]:
    """Edits for white space inside the stripped line `text[start:end]`."""
    line = text[start:end]
    edits: list[Edit] = []
    heading = len(line) <= rules.heading_max_chars and not rules.heading_punctuation.search(line)
    spaced = bool(rules.spaced_letters.match(line))
    keep_at = {start + m.end() for p in rules.keep_space_after if (m := p.match(line))}
    for m in rules.space_run.finditer(line):
        a, b = start + m.start(), start + m.end()
        run = m.group()
        if not run.strip(rules.invisible):  # (nothing but zero-width characters)
            edits.append(Edit(a, b, "", "whitespace"))
            continue
        between_cjk = bool(rules.cjk.match(text[a - 1])) and bool(rules.cjk.match(text[b]))
        # `总　　则`, `目　录`: a word set letter-spaced inside a heading closes up.
        letters = (
            between_cjk
            and (a - 1 == start or rules.space_run.fullmatch(text[a - 2]) is not None)
            and (b + 1 == end or rules.space_run.fullmatch(text[b + 1]) is not None)
        )
        if spaced or letters or (between_cjk and not heading and a not in keep_at):
            edits.append(Edit(a, b, "", "whitespace"))
        elif run[0] == " ":
            if b > a + 1:
                edits.append(Edit(a + 1, b, "", "whitespace"))
        else:
            edits.append(Edit(a, b, " ", "whitespace"))
    return edits


def find_whitespace(text: str, config: Config) -> list[Edit]:
    """Propose white-space normalization edits (apply after `find_junk`).

    Lines lose white space at both ends (spaces, U+3000, NBSP, zero-width
    characters); CRLF and CR become LF; blank lines go, so paragraphs are
    separated by exactly one newline, and the text neither starts nor ends
    with one. Inside a line, white space between two CJK characters is
    deleted, except in heading-like lines (`第二章 电信治理`, a title with
    two issuers), where one space stays; elsewhere a run becomes one space.

    Args:
        text: the text after junk removal.
        config: the loaded configuration; reads `clean.yaml` `whitespace`.

    Returns:
        Non-overlapping edits in text order, reason `whitespace`: deletions,
        plus replacements of a lone CR or a non-ASCII space run by one character.
    """
    rules = whitespace_rules(config)
    blank, space_run = rules.blank, rules.space_run
    # (content start, content end = break start, break end) of each line
    lines = [(m.start(), m.start(1), m.end()) for m in _PIECE.finditer(text)]
    lines.pop()  # (the empty match at the end)
    # The last line that holds text: its break and every line after it go. (Looked for from
    # the end: it is nearly always the last line or the one before.)
    last_text = len(lines) - 1
    while last_text >= 0 and blank.fullmatch(text, lines[last_text][0], lines[last_text][1]) is not None:
        last_text -= 1
    edits: list[Edit] = []
    for i, (cs, ce, be) in enumerate(lines):
        # Most lines hold no white space: nothing to take off their ends or out of their middle.
        if cs == ce or space_run.search(text, cs, ce) is not None:
            if cs == ce or blank.fullmatch(text, cs, ce) is not None:
                edits.append(Edit(cs, be, "", "whitespace"))  # a blank line, break and all
                continue
            lead = space_run.match(text, cs)
            ls = lead.end() if lead else cs
            le = ce
            while le > ls and blank.fullmatch(text[le - 1]) is not None:
                le -= 1
            if ls > cs:
                edits.append(Edit(cs, ls, "", "whitespace"))
            if space_run.search(text, ls, le):
                edits.extend(_space_edits(text, ls, le, rules))
            if ce > le:
                edits.append(Edit(le, ce, "", "whitespace"))
        if be > ce:
            if i >= last_text:
                edits.append(Edit(ce, be, "", "whitespace"))
            elif text[ce] == "\r":  # (CR LF, or CR alone)
                edits.append(Edit(ce, ce + 1, "", "whitespace") if be > ce + 1 else Edit(ce, be, "\n", "whitespace"))
    return _merge_deletions(edits)
