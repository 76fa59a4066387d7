"""Faster scans with config regexes: the same matches, found without trying every position.

Python's `re` tries a pattern at every position of the text unless the pattern
starts with a literal or a character class. Many rules in `configs/*.yaml`
start with a lookbehind (`(?<![0-9])\\d{17}`), an optional group or a broad
class (`[^\\s，。]{2,14}?…日电`), so each search costs a full pass of the
regex engine over the page even where nothing can match. `FastPattern` wraps
such a compiled pattern and reads three facts off its syntax tree, once:

* needles: strings one of which every match contains (`日电` or `本报讯`).
  A text without any of them holds no match, and a match cannot start more
  than the pattern's maximum width before the first needle;
* the first character of every match (`[+0-9]`): a lookahead for it lets the
  engine reject most positions with one character test;
* the characters a match consists of, when they are few (digits and
  separators): a match lies in a run of them at least as long as the
  shortest match, and a page has few such runs (`SharedRuns` finds them once
  for several patterns).

All are derived from the pattern itself, so they stay right when the YAML
changes; where a fact cannot be proved (case-insensitive matching, back
references, a pattern that can match the empty string) it is not used and the
plain pattern runs. `search` and `finditer` return the same spans and groups
as the plain pattern's (tests/test_fastregex.py checks it on the project's
rules). The facts themselves are read in `regex_facts`.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .regex_facts import LONG_RUN, analyse, run_pattern
from .wordtrie import trie_pattern

_END = sys.maxsize


class FastPattern:
    """A compiled regex whose `search` and `finditer` skip what cannot match.

    Attributes:
        pattern: the plain compiled pattern (`match` and `fullmatch` are its; `sub`, `split`
            and `findall` give what its own give).
        needles: every match contains one of these strings; None when unknown.
        max_width: the longest possible match; None when unbounded or unknown.
        anchored: every match starts at the start of the text (one position is tried).
    """

    __slots__ = ("pattern", "needles", "max_width", "anchored", "_min_width", "_scan", "_region", "_alphabet", "_first",
                 "_by_needles", "_plain", "_any_needle", "_required", "_suffix", "_guarded", "_guard")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        facts = analyse(pattern)
        self.needles: tuple[str, ...] | None = facts.needles
        self.max_width: int | None = facts.max_width
        self.anchored = facts.anchored
        self._min_width = facts.min_width
        self._scan: re.Pattern[str] = facts.scan or pattern
        # A pattern tied to the start of the text is tried at one position: no needle and no
        # pass over the text for runs beats that (`re` gives up after that one position).
        self._region = None if facts.anchored else facts.region
        self._required = () if facts.anchored else facts.required
        self._guarded = None if facts.anchored else facts.guarded
        self._guard = facts.guard
        self._suffix = None if facts.anchored else facts.suffix
        self._alphabet = facts.alphabet  # (still what `SharedRuns` joins: its runs are tried in place)
        self._first = facts.first
        self._by_needles = facts.needles is not None and not facts.anchored
        # Three or more needles are looked for in one regex pass (its first characters are
        # a set `re` scans for) rather than one `str.find` pass each.
        self._any_needle = (re.compile("|".join(map(re.escape, sorted(facts.needles, key=len, reverse=True))))
                            if self._by_needles and facts.needles is not None and len(facts.needles) >= 3
                            else None)
        # Where the pattern opens with one of a few literal characters that `re` scans for itself,
        # or is tied to line starts and its needles give no window (no longest match), `re`
        # passes over what cannot start a match at C speed: needles would be extra passes.
        self._plain: re.Pattern[str] | None = (
            pattern if facts.anchored or (facts.line_start and facts.max_width is None)
            or (facts.few_firsts and facts.scan is None) else None)

    # ------------------------------------------------------------ accelerated

    def _start(self, text: str, pos: int, endpos: int, seen: dict[str, int] | None = None) -> int:
        """Where a search may begin: -1 when no needle occurs in `text[pos:endpos]`.

        `seen`: where each needle was next found from an earlier, smaller `pos` (-1: nowhere),
        kept by `finditer` across its searches. A needle found at or after `pos` is the next
        one still, so a needle that no longer occurs is not looked for to the end on every call.
        """
        if not self._by_needles:
            return pos
        needles = self.needles
        assert needles is not None
        best = -1
        if self._any_needle is not None:
            # One pass for all needles: the first to occur ends no sooner than its start plus
            # the shortest needle (a bound at most a few characters looser than the finds give).
            at = seen.get("") if seen is not None else None
            if at is None or 0 <= at < pos:
                first = self._any_needle.search(text, pos, endpos)
                at = -1 if first is None else first.start()
                if seen is not None:
                    seen[""] = at
            if at >= 0:
                best = at + min(map(len, needles))
        else:
            for needle in needles:
                at = seen.get(needle) if seen is not None else None
                if at is None or 0 <= at < pos:
                    at = text.find(needle, pos, endpos)
                    if seen is not None:
                        seen[needle] = at
                if at >= 0:
                    end = at + len(needle)
                    if best < 0 or end < best:
                        best = end
        if best < 0:
            return -1
        if self.max_width is None:
            return pos
        # A match holds a needle; it starts at most max_width before that needle's end.
        return max(pos, best - self.max_width)

    def search(self, text: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        """Same as `re.Pattern.search` (the match's `pos` may differ)."""
        return self._search(text, pos, endpos, None)

    def _search(self, text: str, pos: int, endpos: int, seen: dict[str, int] | None) -> re.Match[str] | None:
        pos = self._start(text, pos, endpos, seen)
        if pos < 0:
            return None
        region = self._region
        if region is None:
            return self._scan_from(text, pos, endpos)
        # Every match is a run of the pattern's own characters, at least min_width long:
        # try only inside such runs, in order. (`region` reads at most LONG_RUN + 1 characters
        # of a run: reading a long run to its end on every call is quadratic in its length.)
        match_at = self.pattern.match
        last = self._min_width - 1
        while (run := region.search(text, pos, endpos)) is not None:
            lo, hi = run.span()
            if hi - lo > LONG_RUN:
                return self._scan_from(text, lo, endpos)  # the leftmost match from here on
            for at in range(lo, hi - last):
                found = match_at(text, at, endpos)
                if found is not None:
                    return found
            pos = hi
        return None

    def _scan_from(self, text: str, pos: int, endpos: int) -> re.Match[str] | None:
        """The leftmost match at or after `pos`, a run of a guarded repeat tried at its start only.

        A search that starts inside such a run (after a match that ended in one) tries its
        first position itself: the guard would skip it. What fails there fails for the rest
        of the run too.
        """
        guarded = self._guarded
        if guarded is None:
            return self._scan.search(text, pos, endpos)
        if pos > 0 and self._guard is not None and self._guard.match(text, pos - 1):
            found = self.pattern.match(text, pos, endpos)
            if found is not None:
                return found
        return guarded.search(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = _END) -> Iterator[re.Match[str]]:
        """Same matches as `re.Pattern.finditer`, in order.

        A match that fails is tried again from every later position, each try reading on to
        where it fails (`<!--.*?-->` on a line of `<!--` reads to the line end from each): such
        tries are cut short where the text cannot hold a match (see `_bounds`).
        """
        bounds = self._bounds(text, pos, endpos)
        if bounds is None:
            return
        latest, endpos = bounds
        if not self._by_needles and self._region is None and self._guarded is None:
            yield from self._scan.finditer(text, pos, endpos)
            return
        # Needles and runs are only used for patterns that never match the empty string, so
        # each match ends after it starts and the next search starts where it ended, as in
        # `finditer`.
        seen: dict[str, int] = {}
        while pos <= latest and (match := self._search(text, pos, endpos, seen)) is not None:
            yield match
            pos = match.end()

    def finditer_short(self, text: str) -> Iterator[re.Match[str]]:
        """`finditer` for a short text (a line): the same matches, its start positions left to `re`.

        Looking for needles before each search costs more than it spares on a few hundred
        characters. The bounds stay (a line of `<!--` without `-->` is not read from each), and
        so do runs and guards, which keep a long run from being tried at every position.
        """
        if self._region is not None or self._guarded is not None:
            return self.finditer(text)
        bounds = self._bounds(text, 0, len(text))
        if bounds is None:
            return iter(())
        return self._scan.finditer(text, 0, bounds[1])

    def _bounds(self, text: str, pos: int, endpos: int) -> tuple[int, int] | None:
        """(the last position a match can start at, where every match ends by), or None: no match.

        Every match holds one string of each of the pattern's requirements, at or after its
        start: none starts after the last of them. A pattern that ends in a literal string
        and looks at nothing around it (no anchor, lookaround or word boundary) matches the
        same within the text up to the end of that string's last occurrence.
        """
        latest = min(endpos, len(text))
        for needles in self._required:
            found = max(text.rfind(needle, pos, endpos) for needle in needles)
            if found < 0:
                return None
            latest = min(latest, found)
        if self._suffix is not None:
            found = text.rfind(self._suffix, pos, endpos)
            if found < 0:
                return None
            endpos = found + len(self._suffix)
        return latest, endpos

    def fastest(self) -> re.Pattern[str] | FastPattern:
        """Self, or the plain (lookahead) pattern where needles, runs and guards do not help (see `accelerate`)."""
        if self._guarded is not None:
            return self
        if self._plain is not None:
            return self._plain
        return self if self._by_needles or self._region is not None else self._scan

    def may_match(self, text: str, pos: int = 0, endpos: int = _END) -> bool:
        """False when the pattern provably has no match in `text[pos:endpos]` (True: maybe)."""
        start = self._start(text, pos, endpos)
        if start < 0:
            return False
        return self._region is None or self._region.search(text, start, endpos) is not None

    # ------------------------------------------------------------ plain

    def match(self, text: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        return self.pattern.match(text, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        return self.pattern.fullmatch(text, pos, endpos)

    # The scans below find what the plain pattern finds: `_scan` is the pattern behind a
    # lookahead for its first character (adding no group), which lets `re` skip ahead.

    def sub(self, repl: Any, text: str, count: int = 0) -> str:
        if self._by_needles and self._start(text, 0, _END) < 0:
            return text  # no needle, no match (a line without a separator loses no site name)
        return self._scan.sub(repl, text, count)

    def split(self, text: str, maxsplit: int = 0) -> list[str]:
        return self._scan.split(text, maxsplit)

    def findall(self, text: str, pos: int = 0, endpos: int = _END) -> list[Any]:
        return self._scan.findall(text, pos, endpos)

    @property
    def groupindex(self) -> Any:
        return self.pattern.groupindex

    @property
    def flags(self) -> int:
        return self.pattern.flags

    def __repr__(self) -> str:
        region = self._region.pattern if self._region is not None else None
        return f"FastPattern({self.pattern.pattern!r}, needles={self.needles!r}, runs={region!r})"


class SharedRuns:
    """The runs of characters that every match of any of several patterns lies in, found in one pass.

    Each pattern consists only of characters of its (narrow) alphabet and opens with
    one of its first characters, so its matches lie inside runs of the joint alphabet
    that open with a joint first character and are at least as long as the shortest
    pattern. A page usually has no such run (no long digit string): then no pattern
    needs a pass of its own, and where it has some, they are tried only there.
    """

    __slots__ = ("regex",)

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex

    @classmethod
    def of(cls, patterns: Iterable[FastPattern]) -> SharedRuns | None:
        """The shared runs of `patterns`, or None when one of them has no narrow alphabet."""
        alphabets: list[str] = []
        firsts: list[str | None] = []
        shortest = _END
        flags = None
        for pattern in patterns:
            if pattern._alphabet is None or flags not in (None, pattern.pattern.flags):
                return None
            flags = pattern.pattern.flags
            alphabets.append(pattern._alphabet[1:-1])
            firsts.append(pattern._first)
            shortest = min(shortest, pattern._min_width)
        if flags is None:
            return None
        alphabet = "[" + "".join(dict.fromkeys(alphabets)) + "]"
        first = None
        if all(firsts):
            plain = all(f and f.startswith("[") and f.endswith("]") and "|" not in f and not f.startswith("[^")
                        for f in firsts)
            first = ("[" + "".join(dict.fromkeys(f[1:-1] for f in firsts if f)) + "]" if plain
                     else "|".join(dict.fromkeys(f for f in firsts if f)))
        return cls(re.compile(run_pattern(first, alphabet, shortest), flags))

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The runs of `text`, in order."""
        return [m.span() for m in self.regex.finditer(text)]

    @staticmethod
    def finditer(pattern: FastPattern, text: str, spans: list[tuple[int, int]]) -> Iterator[re.Match[str]]:
        """The matches `pattern.finditer(text)` gives, for a pattern these runs were made for.

        `spans` are `self.spans(text)`. Every match starts inside a run and ends in it, so
        trying each start position there, from the end of the last match on, is what
        `finditer` does.
        """
        match_at = pattern.pattern.match
        last = pattern._min_width - 1
        cursor = 0
        for lo, hi in spans:
            for at in range(max(lo, cursor), hi - last):
                if at < cursor:
                    continue
                found = match_at(text, at)
                if found is not None:
                    yield found
                    cursor = found.end()


def accelerate(pattern: re.Pattern[str]) -> re.Pattern[str] | FastPattern:
    """The fastest stand-in for `pattern` with the same matches under every method.

    `pattern` itself where nothing can be skipped (a wrapper would only cost a call),
    the pattern behind a first-character lookahead where only that helps, else a
    `FastPattern`.
    """
    return FastPattern(pattern).fastest()


def joined(patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One regex that tries `patterns` in turn at the start of a text, or None if they cannot be joined.

    For patterns tied to the start of the text, whose `search` is a match at position 0:
    `joined(...).match(text)` finds what the first of them that matches finds, in one call
    instead of one per pattern, and its `lastgroup` is `_<index>` of that pattern. Joined
    are only patterns that can stand side by side: anchored, default flags, no named group
    and no group reference (numbered groups shift).
    """
    default = re.compile("").flags
    for pattern in patterns:
        if pattern.flags != default or pattern.groupindex or not analyse(pattern).anchored:
            return None  # (`analyse` proves nothing of a pattern with group references)
    return re.compile("|".join(f"(?P<_{index}>{pattern.pattern})" for index, pattern in enumerate(patterns)))


@functools.lru_cache(maxsize=64)
def _starts_scan(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
    """`match_starts`' scan of `pattern`, and a long run of its opening repeat's characters (None: none)."""
    facts = analyse(pattern)
    if facts.first is None:
        return None
    scan = re.compile(f"(?:{facts.first})(?<=(?=(?:{pattern.pattern}))[\\s\\S])", pattern.flags)
    long_run = (re.compile(f"(?:{facts.guard.pattern}){{{LONG_RUN},}}", pattern.flags)
                if facts.guard is not None else None)
    return scan, long_run


def match_starts(pattern: FastPattern, text: str) -> Iterator[int]:
    """Each position where `pattern` matches, in order: what searching again one past each start gives.

    One scan in C rather than a call per match: it opens with the class of a match's first
    character, which `re` skips to by itself (a pattern opening with `[ \\t]*` is otherwise tried
    at every position), and tries the pattern from there as a lookahead. From each position of
    a run of the characters of a repeat the pattern opens with, that lookahead reads the rest of
    the run: where such a run is long (a line of blanks), the guarded `search`, which tries a
    run at its start only, goes instead.
    """
    if not pattern.may_match(text):
        return  # (no needle: a line of blanks is not read from each blank)
    found = _starts_scan(pattern.pattern)
    if found is None or (found[1] is not None and found[1].search(text) is not None):
        pos = 0
        while (match := pattern.search(text, pos)) is not None:
            yield match.start()
            pos = match.start() + 1
        return
    for match in found[0].finditer(text):
        yield match.start()


def any_needle(patterns: Iterable[FastPattern]) -> re.Pattern[str] | None:
    """A regex for any needle of any of `patterns`, or None when one of them has none.

    A text it finds nothing in holds no match of any of them: one pass instead of one
    per pattern.
    """
    needles: set[str] = set()
    for pattern in patterns:
        if pattern.needles is None:
            return None
        needles.update(pattern.needles)
    return re.compile(trie_pattern(sorted(needles))) if needles else None


def fast(pattern: re.Pattern[str] | str, flags: int = 0) -> FastPattern:
    """Compile (if needed) and wrap `pattern`."""
    return FastPattern(pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags))
