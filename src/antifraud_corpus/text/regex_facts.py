"""What the syntax of a regex proves about its matches, read off `re`'s own parse tree.

`analyse` finds the needles every match contains, the first character of
every match, the few characters a match may consist of, run guards for the
repeats that open a branch, and the literal a match ends with; `fastregex`
scans with them. Where a fact cannot be proved (case-insensitive matching, back
references, a pattern that can match the empty string) `Facts` leaves it out.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
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
LONG_RUN = 64  # (`FastPattern` reads a run at most this long plus one)
# A character class counts as narrow (worth looking for runs of it) when no range in it is
# wider than this: digits, separators, Latin letters; not the CJK block.
_NARROW_RANGE = 128
# A run guard checks each character a branch's rest may open with: a class of at most this many.
_GUARD_CLASS_CHARS = 512


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
            region = re.compile(run_pattern(first, alphabet, low, longest=max(low, LONG_RUN + 1)), pattern.flags)
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


def widths(pattern: re.Pattern[str]) -> tuple[int, int | None] | None:
    """The shortest and longest match of `pattern` (None: unbounded), or None when unknown."""
    if _sre_parse is None:
        return None
    try:
        low, high = _sre_parse.parse(pattern.pattern, pattern.flags).getwidth()
    except Exception:  # noqa: BLE001 - an unexpected parser
        return None
    return low, (high if high <= _MAX_WIDTH else None)


def run_pattern(first: str | None, alphabet: str, length: int, longest: int | None = None) -> str:
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
