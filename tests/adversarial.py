"""Adversarial text for regular expressions: what makes a backtracking engine retry and rescan.

Used by the linearity tests. For a pattern, `units` gives short strings that, repeated into a
long line, stress it: runs of each character it uses (a literal, a member of each class, a
character outside a negated class), its literal strings (`<!--`, `&nbsp;`, `](`), a sample
match cut short (`[a](b` for a markdown link: every try reads on to the line end), and the
hostile classes every page can hold (white space a cleaned line keeps, `*`, `<`, `[`, `?`,
CJK, digits, full-width punctuation).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

from antifraud_corpus.stages.budget import interrupt_after

# White space a cleaned line keeps (`str.split` breaks lines at some of them, `\n`-based code does not).
WHITESPACE = [" ", "\t", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\u3000", "\u00a0", "\r", "\x1c"]
HOSTILE = [*WHITESPACE, "*", "<", "[", "?", "&nbsp;", "中", "文", "1", "１", "，", "。", "（", "）", "：", "-", "a",
           "<!--", "](", "**", "\n"]
_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": ["7", "７"],
    "CATEGORY_NOT_DIGIT": ["x", "中"],
    "CATEGORY_SPACE": WHITESPACE,
    "CATEGORY_NOT_SPACE": ["x", "中", "。"],
    "CATEGORY_WORD": ["a", "中", "_", "7"],
    "CATEGORY_NOT_WORD": ["。", " ", "-"],
}
# Characters tried against a negated class: those it does not exclude stand for it.
_PROBES = ["x", "中", "7", "。", " ", "<", ">", "[", "]", "(", ")", "-", "，", "\x0c", "|", "/", ":", "a"]


def units(pattern: str, flags: int = 0) -> list[str]:
    """Short strings whose repetitions make a long, hostile line for `pattern`."""
    parsed = sre_parse.parse(pattern, flags)
    chars: dict[str, None] = {}
    literals: dict[str, None] = {}
    _collect(list(parsed), chars, literals)
    sample = _sample(list(parsed))
    # (a lexicon joined into one pattern has thousands: a spread of them stands for the rest)
    found = dict.fromkeys([*_spread(list(chars), _MAX_CHARS), *_spread(list(literals), _MAX_LITERALS), *HOSTILE])
    for cut in (sample, sample[:-1], sample[: len(sample) // 2], sample[1:]):
        if cut:
            found[cut] = None
            found[cut + "x"] = None  # (a sample run into the next one cannot match as a whole)
    return [unit for unit in found if unit]


_MAX_CHARS = 12
_MAX_LITERALS = 8


def _spread(values: list[str], most: int) -> list[str]:
    """At most `most` of `values`, evenly spread."""
    if len(values) <= most:
        return values
    step = len(values) / most
    return [values[int(i * step)] for i in range(most)]


def _collect(items: list[tuple[Any, Any]], chars: dict[str, None], literals: dict[str, None]) -> None:
    run: list[str] = []

    def close() -> None:
        if len(run) > 1:
            literals["".join(run)] = None
        run.clear()

    for op, av in items:
        if op is sre.LITERAL:
            chars[chr(av)] = None
            run.append(chr(av))
            continue
        close()
        if op is sre.NOT_LITERAL:
            chars.update(dict.fromkeys(p for p in _PROBES if p != chr(av)))
        elif op is sre.IN:
            chars.update(dict.fromkeys(_class_samples(av)))
        elif op is sre.ANY:
            chars.update(dict.fromkeys(["x", "中"]))
        elif op is sre.BRANCH:
            for alternative in av[1]:
                _collect(list(alternative), chars, literals)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            _collect(list(av[2]), chars, literals)
        elif op is sre.SUBPATTERN:
            _collect(list(av[-1]), chars, literals)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _collect(list(av[1]), chars, literals)
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            _collect(list(av), chars, literals)
    close()


def _class_samples(items: list[tuple[Any, Any]]) -> list[str]:
    """A few members of a character class (or, negated, a few characters it lets through)."""
    members: list[str] = []
    negated = False
    for op, av in items:
        if op is sre.NEGATE:
            negated = True
        elif op is sre.LITERAL:
            members.append(chr(av))
        elif op is sre.RANGE:
            low, high = av
            members.extend(dict.fromkeys(chr(c) for c in (low, (low + high) // 2, high)))
        elif op is sre.CATEGORY:
            members.extend(_CATEGORY_SAMPLES.get(str(av), []))
    if not negated:
        return members
    body = re.compile("[^" + "".join(re.escape(m) for m in members) + "]") if members else None
    outside = [p for p in _PROBES if body is None or body.match(p)]
    return outside


def _sample(items: list[tuple[Any, Any]]) -> str:
    """One string shaped like a match: each repeat taken once or twice, the first alternative."""
    out: list[str] = []
    for op, av in items:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL:
            out.append("x" if chr(av) != "x" else "y")
        elif op is sre.IN:
            samples = _class_samples(av)
            out.append(samples[0] if samples else "x")
        elif op is sre.ANY:
            out.append("x")
        elif op is sre.BRANCH:
            out.append(_sample(list(av[1][0])))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, sub = av
            out.append(_sample(list(sub)) * max(1, min(low, 2) if low else min(high, 2)))
        elif op is sre.SUBPATTERN:
            out.append(_sample(list(av[-1])))
        elif op is getattr(sre, "ATOMIC_GROUP", None):
            out.append(_sample(list(av)))
    return "".join(out)


def line_of(unit: str, size: int) -> str:
    """`unit` repeated into a line of about `size` characters."""
    return unit * max(1, size // len(unit))


class TooSlow(Exception):
    """A timed call ran past its alarm."""


def alarm(seconds: float) -> AbstractContextManager[None]:
    """Interrupt the block after `seconds` with `TooSlow` (the `re` engine checks for signals)."""
    return interrupt_after(seconds, lambda _frame: TooSlow(f"still running after {seconds:g} s"))


def best_time(call: Callable[[], object], repeat: int = 3, limit: float = 10.0) -> float:
    """The shortest of `repeat` runs of `call`, in seconds; `TooSlow` past `limit` seconds in all."""
    best = float("inf")
    with alarm(limit):
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
    return best


def growth(call_at: Callable[[int], Callable[[], object]], small: int, factor: int,
           quick: float = 0.004) -> tuple[float, float, float]:
    """(time at `small`, time at `small * factor`, their ratio) for the calls `call_at` makes.

    A large size that runs in under `quick` seconds shows no super-linear growth worth timing
    the small size for (its ratio is reported as 1).
    """
    large = best_time(call_at(small * factor), repeat=1)
    if large < quick:
        return 0.0, large, 1.0
    large = min(large, best_time(call_at(small * factor), repeat=1))  # (one slow run can be noise)
    low = best_time(call_at(small), repeat=5)
    return low, large, large / max(low, 1e-5)
