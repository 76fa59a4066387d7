"""Messages of a long run, grouped by kind: a count and two examples each instead of a wall of lines.

Ingesting a few hundred bulletins can warn a thousand times, mostly the same few things
(no date on a page, a region found in two provinces). A researcher needs to know which
kinds of trouble there are, how much of each, and where to look; every single warning
stays in the store (`corpus export documents`: `warnings`) and is listed with `-v`.

The kind of an ingest warning is named by the patterns of `labels.yaml` `warning_kinds`
(warnings are worded by many stages; the patterns keep their grouping in one place).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .config import Config, per_config
from .errors import ConfigError

#: How much a command prints: `quiet` errors and the one-line result only, `summary` the
#: messages grouped by kind (the default), `verbose` every message.
Verbosity = Literal["quiet", "summary", "verbose"]

EXAMPLES = 2  # examples shown for each kind
OTHER_KIND = "other"  # a warning no pattern of `warning_kinds` matches


@dataclass(frozen=True, slots=True)
class MessageGroup:
    """Messages of one kind: how many, and the first few as examples."""

    kind: str
    count: int
    examples: tuple[str, ...]


def group_messages(messages: Iterable[tuple[str, str]], examples: int = EXAMPLES) -> list[MessageGroup]:
    """(kind, message) pairs grouped by kind: the most frequent kind first, then by name.

    Example:
        >>> groups = group_messages([("no-date", "a: no date"), ("gbk", "b: guessed"), ("no-date", "c: no date"),
        ...                          ("no-date", "d: no date")])
        >>> [(g.kind, g.count, g.examples) for g in groups]
        [('no-date', 3, ('a: no date', 'c: no date')), ('gbk', 1, ('b: guessed',))]
    """
    counts: dict[str, int] = {}
    shown: dict[str, list[str]] = {}
    for kind, message in messages:
        counts[kind] = counts.get(kind, 0) + 1
        first = shown.setdefault(kind, [])
        if len(first) < examples:
            first.append(message)
    ranked = sorted(counts, key=lambda kind: (-counts[kind], kind))
    return [MessageGroup(kind, counts[kind], tuple(shown[kind])) for kind in ranked]


@dataclass(frozen=True, slots=True)
class WarningKinds:
    """The compiled `warning_kinds` of `labels.yaml`: (kind, pattern) in the order they are tried."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    def kind_of(self, warning: str) -> str:
        """The kind of the first pattern found in `warning`, else `other`."""
        for kind, pattern in self.patterns:
            if pattern.search(warning):
                return kind
        return OTHER_KIND


@per_config
def warning_kinds(config: Config) -> WarningKinds:
    """`labels.yaml` `warning_kinds` compiled.

    Raises:
        ConfigError: the section is not a mapping of kind to regular expression, or one does not compile.
    """
    section = config["labels"].get("warning_kinds") or {}
    if not isinstance(section, Mapping):
        raise ConfigError("labels.yaml: warning_kinds must map a kind to a regular expression")
    patterns = []
    for kind, pattern in section.items():
        try:
            patterns.append((str(kind), re.compile(str(pattern))))
        except re.error as exc:
            raise ConfigError(f"labels.yaml: warning_kinds.{kind}: bad regular expression ({exc}); "
                              "fix the pattern") from None
    return WarningKinds(tuple(patterns))


def kinded_warnings(warnings: Mapping[str, Sequence[str]], kinds: WarningKinds) -> Iterator[tuple[str, str]]:
    """The warnings of a run (doc id -> its warnings) as (kind, `doc_id: warning`), in document order."""
    for doc_id, doc_warnings in sorted(warnings.items()):
        for warning in doc_warnings:
            yield kinds.kind_of(warning), f"{doc_id}: {warning}"
