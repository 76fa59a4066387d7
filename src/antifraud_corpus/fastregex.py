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
rules).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

try:  # the parser `re` itself uses; private, so everything below degrades to the plain pattern
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - other Pythons
    _sre = _sre_parse = None  # type: ignore[assignment]

# A class of at most this many literal characters counts as a set of one-character needles.
_MAX_CLASS_NEEDLES = 8
# Widths above this are "unbounded" (`.*`): no window can be computed.
_MAX_WIDTH = 100_000
# Runs of a pattern's characters are used when matches are at least this long, and tried
# position by position when at most this long (a longer run is searched as usual).
_MIN_RUN = 2
_LONG_RUN = 64
# A character class counts as narrow (worth looking for runs of it) when no range in it is
# wider than this: digits, separators, Latin letters; not the CJK block.
_NARROW_RANGE = 128
# A run guard checks each character a branch's rest may open with: a class of at most this many.
_GUARD_CLASS_CHARS = 512
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
        # try only inside such runs, in order. (`region` reads at most _LONG_RUN + 1 characters
        # of a run: reading a long run to its end on every call is quadratic in its length.)
        match_at = self.pattern.match
        last = self._min_width - 1
        while (run := region.search(text, pos, endpos)) is not None:
            lo, hi = run.span()
            if hi - lo > _LONG_RUN:
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
        return cls(re.compile(_runs(first, alphabet, shortest), flags))

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


def any_needle(patterns: Iterable[FastPattern]) -> re.Pattern[str] | None:
    """A regex for any needle of any of `patterns`, or None when one of them has none.

    A text it finds nothing in holds no match of any of them: one pass instead of one
    per pattern.
    """
    from .extract.lexicon import trie_pattern

    needles: set[str] = set()
    for pattern in patterns:
        if pattern.needles is None:
            return None
        needles.update(pattern.needles)
    return re.compile(trie_pattern(sorted(needles))) if needles else None


def fast(pattern: re.Pattern[str] | str, flags: int = 0) -> FastPattern:
    """Compile (if needed) and wrap `pattern`."""
    return FastPattern(pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags))


def widths(pattern: re.Pattern[str]) -> tuple[int, int | None] | None:
    """The shortest and longest match of `pattern` (None: unbounded), or None when unknown."""
    if _sre_parse is None:
        return None
    try:
        low, high = _sre_parse.parse(pattern.pattern, pattern.flags).getwidth()
    except Exception:  # noqa: BLE001 - an unexpected parser
        return None
    return low, (high if high <= _MAX_WIDTH else None)


# ---------------------------------------------------------------- analysis


@dataclass(frozen=True, slots=True)
class Facts:
    """What the syntax of a pattern proves about its matches (None: nothing proved)."""

    needles: tuple[str, ...] | None = None  # every match contains one of these
    max_width: int | None = None  # no match is longer
    min_width: int = 0  # no match is shorter
    scan: re.Pattern[str] | None = None  # the pattern behind a lookahead for its first character
    region: re.Pattern[str] | None = None  # runs of the only characters a match consists of
    alphabet: str | None = None  # the class of those characters
    first: str | None = None  # a one-character regex for the first character of every match
    anchored: bool = False  # every match starts at the start of the text
    line_start: bool = False  # every match starts at the start of a line (`^` with MULTILINE)
    few_firsts: bool = False  # every match starts with one of a few literal characters
    required: tuple[tuple[str, ...], ...] = ()  # every match contains one string of each of these
    suffix: str | None = None  # every match ends with it, and nothing beyond a match is looked at
    guarded: re.Pattern[str] | None = None  # the scan with each repeat that opens a branch tried at its run's start
    guard: re.Pattern[str] | None = None  # a character of any such repeat


# Remembered per pattern: the rules of several stages share patterns, and the clean rules join
# the same ones once per line-length bucket; each analysis parses the pattern in Python and
# compiles up to three regexes, a good part of a run's start-up. (Facts are frozen.)
@functools.lru_cache(maxsize=1024)
def analyse(pattern: re.Pattern[str]) -> Facts:
    """The facts about `pattern` that `FastPattern` uses."""
    if _sre_parse is None or not isinstance(pattern.pattern, str):
        return Facts()
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an unexpected parser: no acceleration
        return Facts()
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
        return Facts()
    try:
        low, high = parsed.getwidth()
        if low == 0:
            return Facts()  # an empty match: finditer's rules for those are not reproduced
        items = list(parsed)
        requirements = [option for option in map(_minimal, _requirements(items)) if option and all(option)]
        needles = _best(requirements)
        first = _first(items)
        alphabet = _alphabet(items)
        suffix = _literal_suffix(items)
    except _Unknown:
        return Facts()
    except Exception:  # noqa: BLE001 - a parse tree of another shape (a newer Python): no acceleration
        return Facts()
    scan = region = guarded = guard = None
    try:
        if first is not None and _needs_lookahead(items, parsed.state.flags):
            scan = re.compile(f"(?={first})(?:{pattern.pattern})", pattern.flags)
        guards = _run_guards(pattern.pattern, pattern.flags)
        if guards is not None:
            source, classes = guards
            if first is not None and scan is not None:
                source = f"(?={first})(?:{source})"
            guarded = re.compile(source, pattern.flags)
            guard = re.compile("|".join(classes), pattern.flags)
        if alphabet is not None and low >= _MIN_RUN:
            region = re.compile(_runs(first, alphabet, low, longest=max(low, _LONG_RUN + 1)), pattern.flags)
    except re.error:
        scan = region = guarded = guard = None
    return Facts(
        needles=tuple(sorted(needles)) if needles else None,
        max_width=high if high <= _MAX_WIDTH else None,
        min_width=low,
        scan=scan,
        region=region,
        alphabet=alphabet if region is not None else None,
        first=first,
        anchored=_anchored(items, parsed.state.flags),
        line_start=_line_start(items, parsed.state.flags),
        few_firsts=_few_firsts(items),
        required=tuple(tuple(sorted(option)) for option in dict.fromkeys(requirements)),
        suffix=suffix,
        guarded=guarded,
        guard=guard,
    )


def _runs(first: str | None, alphabet: str, length: int, longest: int | None = None) -> str:
    """A regex for runs of `alphabet` at least `length` long that open with `first`.

    With `longest`, a run is read no further than that many characters.
    """
    most = "" if longest is None else str(longest - 1 if first is not None else longest)
    if first is None:
        return f"{alphabet}{{{length},{most}}}"
    # a class first lets `re` skip ahead to candidates at C speed
    return f"(?:{first}){alphabet}{{{length - 1},{most}}}"


class _Unknown(Exception):
    """A construct the analysis does not model."""


def _flatten(items: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Items with capturing groups (no flag changes) opened up into the sequence."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags & re.IGNORECASE or del_flags or add_flags & re.VERBOSE:
                raise _Unknown
            out.extend(_flatten(sub))
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            out.extend(_flatten(av))
        else:
            out.append((op, av))
    return out


def _requirements(items: list[tuple[Any, Any]]) -> list[frozenset[str]]:
    """Sets of strings, each set such that every match of the sequence contains one of them."""
    found: list[frozenset[str]] = []
    run: list[str] = []

    def close() -> None:
        if run:
            found.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in _flatten(items):
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero width: the characters around it are still adjacent
        close()
        if op is _sre.BRANCH:
            alternatives = [_best(_requirements(list(alt))) for alt in av[1]]
            if all(alternatives):
                found.append(frozenset().union(*alternatives))  # type: ignore[arg-type]
        elif op in _repeats():
            low, _high, sub = av
            if low >= 1:
                best = _best(_requirements(list(sub)))
                if best:
                    found.append(best)
        elif op is _sre.IN:
            chars = _class_literals(av)
            if chars:
                found.append(frozenset(chars))
        elif op in (_sre.GROUPREF, getattr(_sre, "GROUPREF_EXISTS", None)):
            raise _Unknown
    close()
    return found


def _repeats() -> tuple[Any, ...]:
    return tuple(op for op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)) if op)


def _class_literals(items: list[tuple[Any, Any]], most: int = _MAX_CLASS_NEEDLES) -> list[str] | None:
    """The characters of a class of plain literals and ranges (`[男女]`), at most `most` of them, else None."""
    chars: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            chars.append(chr(av))
        elif op is _sre.RANGE and av[1] - av[0] < most:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
        if len(chars) > most:
            return None
    return chars


def _best(options: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective requirement: the longest shortest needle, then the fewest needles."""
    best: frozenset[str] | None = None
    best_key: tuple[int, int] = (0, 0)
    for option in options:
        option = _minimal(option)
        if not option or any(not s for s in option):
            continue
        key = (min(map(len, option)), -len(option))
        if best is None or key > best_key:
            best, best_key = option, key
    return best


def _minimal(needles: frozenset[str]) -> frozenset[str]:
    """Drop needles that contain another one: finding the shorter one is what counts."""
    return frozenset(n for n in needles if not any(o != n and o in n for o in needles))


# ---------------------------------------------------------------- run guards


def _run_guards(source: str, flags: int) -> tuple[str, list[str]] | None:
    """`source` with `(?<!X)` before each branch that opens with a repeat of a class X, and the Xs.

    A branch `X{m,}C` (`\\d+[号室]`, `[一二三]+(?:项|次)`) whose rest C cannot open with an X is
    tried by `re` at every position of a run of X, each try reading to the run's end: on a
    long run with no C after it, quadratic. Every try in one run ends at the same place and
    fails or matches alike, so the first position of the run decides; the guard keeps `re`
    from trying the others. Only top-level branches are guarded; none when the pattern holds
    a group reference (a repeat that captures what a reference reads).
    """
    head, tail = "", ""
    branches = _top_branches(source)
    if branches is not None and len(branches) == 1 and source.startswith("(?:"):
        # one group of branches and what follows it (`(?:一、|[■□]+)[ \t]*`): its branches, each
        # followed by the tail
        close = _group_end(source)
        if close is not None:
            head, tail = "(?:", source[close + 1 :]
            branches = _top_branches(source[3:close])
    if branches is None:
        return None
    out: list[str] = []
    classes: list[str] = []
    for branch in branches:
        cls = _opening_run(branch + tail, flags)
        if cls is not None:
            out.append(f"(?<!{cls}){branch}")
            classes.append(cls)
        else:
            out.append(branch)
    if not classes:
        return None
    return (f"{head}{'|'.join(out)}){tail}" if head else "|".join(out)), classes


def _group_end(source: str) -> int | None:
    """The index of the `)` that closes the group opening `source`, or None."""
    marks = _structure(source)
    if marks is None:
        return None
    return next((at for at, char, depth in marks if char == ")" and depth == 1), None)


def _top_branches(source: str) -> list[str] | None:
    """`source` split at its top-level `|` (outside groups and classes), or None if unbalanced."""
    marks = _structure(source)
    if marks is None:
        return None
    cuts = [at for at, char, depth in marks if char == "|" and depth == 0]
    return [source[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(source)], strict=True)]


def _structure(source: str) -> list[tuple[int, str, int]] | None:
    """`(index, character, depth before it)` of each `(`, `)` and `|` outside classes and escapes.

    None when the groups do not balance.
    """
    marks: list[tuple[int, str, int]] = []
    depth = 0
    i = 0
    in_class = False
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            i += 1
            if i < len(source) and source[i] == "^":
                i += 1
            if i < len(source) and source[i] == "]":
                i += 1  # (a `]` first in a class is a member)
            continue
        elif char in "()|":
            marks.append((i, char, depth))
            depth += {"(": 1, ")": -1, "|": 0}[char]
            if depth < 0:
                return None
        i += 1
    return None if depth or in_class else marks


def _opening_run(branch: str, flags: int) -> str | None:
    """The class X (a regex) of a branch shaped `X{m,}C`, C never empty and never opening with an X."""
    try:
        items = _flatten(list(_sre_parse.parse(branch, flags)))
    except Exception:  # noqa: BLE001 - a branch that parses only in its pattern (flags, references)
        return None
    if len(items) < 2 or _holds(items, _references()):
        return None
    op, av = items[0]
    if op is not _sre.MAX_REPEAT and op is not getattr(_sre, "POSSESSIVE_REPEAT", None):
        return None
    low, high, sub = av
    sub = list(sub)
    if low < 1 or high < _MAX_WIDTH or len(sub) != 1:
        return None
    if sub[0][0] is _sre.LITERAL:
        cls = _escape_in(chr(sub[0][1]))
        cls = f"[{cls}]"
    elif sub[0][0] is _sre.IN and (body := _class_body(sub[0][1])) is not None:
        cls = f"[{'^' if body[0] else ''}{body[1]}]"
    else:
        return None
    rest = _first_ops(items[1:])
    if rest is None or rest[1] or not rest[0]:
        return None  # C may be empty, or opens with what the analysis does not model
    member = re.compile(cls, flags)
    for first_op, first_av in rest[0]:
        if first_op is _sre.LITERAL:
            chars = [chr(first_av)]
        elif first_op is _sre.IN and (literals := _class_literals(first_av, _GUARD_CLASS_CHARS)) is not None:
            chars = literals
        else:
            return None
        if any(member.match(c) for c in chars):
            return None
    return cls


def _literal_suffix(items: list[tuple[Any, Any]]) -> str | None:
    """The literal string every match ends with, when the pattern looks at nothing outside its match.

    Then a search that stops where that string last occurs finds the same matches. None when
    the pattern ends otherwise or holds an anchor, a lookaround, a word boundary or a group
    reference (each can read the text beyond a match's end).
    """
    if _holds(items, (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT, *_references())):
        return None
    flat = _flatten(items)
    tail: list[str] = []
    while flat and flat[-1][0] is _sre.LITERAL:
        tail.append(chr(flat.pop()[1]))
    return "".join(reversed(tail)) or None


def _holds(items: Iterable[tuple[Any, Any]], ops: tuple[Any, ...]) -> bool:
    """Whether the sequence holds one of `ops` anywhere, inside groups, repeats and lookarounds too."""
    for op, av in items:
        if op in ops:
            return True
        if op is _sre.SUBPATTERN:
            inner = [av[-1]]
        elif op is getattr(_sre, "ATOMIC_GROUP", None):
            inner = [av]
        elif op is _sre.BRANCH:
            inner = av[1]
        elif op in _repeats():
            inner = [av[2]]
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            inner = [av[1]]
        else:
            continue
        if any(_holds(sub, ops) for sub in inner):
            return True
    return False


def _references() -> tuple[Any, ...]:
    return tuple(op for op in (_sre.GROUPREF, getattr(_sre, "GROUPREF_EXISTS", None)) if op)


# ---------------------------------------------------------------- first character


def _first(items: list[tuple[Any, Any]]) -> str | None:
    """A one-character regex for the first character of every match of the sequence, or None."""
    found = _first_ops(_flatten(items))
    if found is None or not found[0] or found[1]:
        return None  # unknown, or the sequence can end without consuming
    atoms: list[_Atom] = []
    for op, av in found[0]:
        if op is _sre.IN:
            cls = _class_body(av)
            if cls is None:
                return None
            atoms.append(cls)
        else:
            atoms.append((op is _sre.NOT_LITERAL, _escape_in(chr(av))))
    unique = list(dict.fromkeys(atoms))
    if not any(negated for negated, _ in unique):
        return "[" + "".join(body for _, body in unique) + "]"
    return "|".join(f"[{'^' if negated else ''}{body}]" for negated, body in unique)


def _few_firsts(items: list[tuple[Any, Any]]) -> bool:
    """Whether every match starts with one of a few literal characters (`来源|作者`, `[（(]`)."""
    found = _first_ops(_flatten(items))
    if found is None or not found[0] or found[1]:
        return False
    chars: set[str] = set()
    for op, av in found[0]:
        if op is _sre.LITERAL:
            chars.add(chr(av))
        elif op is _sre.IN and (literals := _class_literals(av)) is not None:
            chars.update(literals)
        else:
            return False
    return len(chars) <= _MAX_CLASS_NEEDLES


_Atom = tuple[bool, str]  # (negated, body of a character class)


def _first_ops(items: list[tuple[Any, Any]]) -> tuple[list[tuple[Any, Any]], bool] | None:
    """(the LITERAL, NOT_LITERAL and IN items a match can start with, can be empty) of the sequence."""
    ops: list[tuple[Any, Any]] = []
    for op, av in items:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue
        if op in (_sre.LITERAL, _sre.NOT_LITERAL, _sre.IN):
            ops.append((op, av))
            return ops, False
        if op is _sre.BRANCH:
            empty = False
            for alt in av[1]:
                sub = _first_ops(_flatten(alt))
                if sub is None:
                    return None
                ops.extend(sub[0])
                empty = empty or sub[1]
            if not empty:
                return ops, False
            continue
        if op in _repeats():
            low, _high, sub_items = av
            sub = _first_ops(_flatten(sub_items))
            if sub is None:
                return None
            ops.extend(sub[0])
            if low >= 1 and not sub[1]:
                return ops, False
            continue
        return None  # ANY, group references, …
    return ops, True


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _escape_in(char: str) -> str:
    return "\\" + char if char in "\\]^-[" else char


def _class_body(items: list[tuple[Any, Any]]) -> _Atom | None:
    negated = False
    parts: list[str] = []
    for op, av in items:
        if op is _sre.NEGATE:
            negated = True
        elif op is _sre.LITERAL:
            parts.append(_escape_in(chr(av)))
        elif op is _sre.RANGE:
            parts.append(f"{_escape_in(chr(av[0]))}-{_escape_in(chr(av[1]))}")
        elif op is _sre.CATEGORY and str(av) in _CATEGORIES:
            parts.append(_CATEGORIES[str(av)])
        else:
            return None
    return negated, "".join(parts)


def _anchored(items: list[tuple[Any, Any]], flags: int) -> bool:
    """Whether every match starts at the start of the text (`^` without MULTILINE, `\\A`)."""
    flat = _flatten(items)
    if not flat or flat[0][0] is not _sre.AT:
        return False
    where = flat[0][1]
    return where is _sre.AT_BEGINNING_STRING or (where is _sre.AT_BEGINNING and not flags & re.MULTILINE)


def _line_start(items: list[tuple[Any, Any]], flags: int) -> bool:
    """Whether every match starts at the start of a line (`^` under MULTILINE)."""
    flat = _flatten(items)
    return bool(flat) and flat[0][0] is _sre.AT and flat[0][1] is _sre.AT_BEGINNING and bool(flags & re.MULTILINE)


def _needs_lookahead(items: list[tuple[Any, Any]], flags: int) -> bool:
    """Whether `re` lacks a prefix of its own: the pattern does not open with a literal or class."""
    flat = _flatten(items)
    if not flat:
        return False
    op, av = flat[0]
    if op in (_sre.LITERAL, _sre.IN, _sre.NOT_LITERAL):
        return False
    if op is _sre.AT and av is _sre.AT_BEGINNING and not flags & re.MULTILINE:
        return False  # `^`: one position only
    if op is _sre.BRANCH and all(alt and alt[0][0] is _sre.LITERAL for alt in av[1]):
        return False
    return True


# ---------------------------------------------------------------- alphabet


def _alphabet(items: list[tuple[Any, Any]]) -> str | None:
    """A class of every character a match can consist of, when it is narrow; else None.

    Lookarounds consume nothing and are left out; a wildcard, a negated or broad class
    (`[^，]`, `\\w`, the CJK block) gives None.
    """
    parts: list[str] = []

    def walk(seq: Iterable[tuple[Any, Any]]) -> bool:
        for op, av in seq:
            if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
                continue
            if op is _sre.LITERAL:
                parts.append(_escape_in(chr(av)))
            elif op is _sre.IN:
                for item_op, item_av in av:
                    if item_op is _sre.LITERAL:
                        parts.append(_escape_in(chr(item_av)))
                    elif item_op is _sre.RANGE and item_av[1] - item_av[0] <= _NARROW_RANGE:
                        parts.append(f"{_escape_in(chr(item_av[0]))}-{_escape_in(chr(item_av[1]))}")
                    elif item_op is _sre.CATEGORY and str(item_av) in ("CATEGORY_DIGIT", "CATEGORY_SPACE"):
                        parts.append(_CATEGORIES[str(item_av)])
                    else:
                        return False
            elif op is _sre.BRANCH:
                if not all(walk(alt) for alt in av[1]):
                    return False
            elif op in _repeats():
                if not walk(av[2]):
                    return False
            elif op is _sre.SUBPATTERN:
                if av[1] & re.IGNORECASE or not walk(av[-1]):
                    return False
            elif op is getattr(_sre, "ATOMIC_GROUP", None):
                if not walk(av):
                    return False
            else:
                return False
        return True

    if not walk(items) or not parts:
        return None
    return "[" + "".join(dict.fromkeys(parts)) + "]"
