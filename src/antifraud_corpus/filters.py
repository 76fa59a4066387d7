"""Which documents and directives to keep: the filter the commands and the library share, and its checks.

A filter value that names nothing (a misspelt actor id, a region, a document id) would select
nothing and give an empty table with exit 0: a zero count that is really a typo. So every value
is held against what it can match (the taxonomy's actor and measure ids, the four levels, the
gazetteer and the store's regions, the store's document ids) and an unknown one is a
`FilterError` naming the closest matches or the valid values. The message is the same in a
notebook and on the command line, where it is one line and exit 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Protocol

from .doc_ids import SHOWN, closest, labelled, resolve_prefix
from .errors import FilterError
from .models import LEVELS

if TYPE_CHECKING:
    from .config import Config
    from .models import Document

TOPICS = ("all", "on", "off")

#: What a filter keyword takes: one value, several, or None for all.
Values = str | Iterable[str] | None

#: How messages name a filter: as the keyword a notebook user typed (`region=shanxi: …`) or as the
#: command-line flag (`--region shanxi: …`). The keywords and the flags have the same names.
OptionNames = Literal["keyword", "flag"]


def option_label(name: str, names: OptionNames = "keyword") -> str:
    """`region` → `region=` (keyword) or `--region` (flag), for `unknown_value` and `resolve_prefix`."""
    return f"--{name}" if names == "flag" else f"{name}="


class _Placed(Protocol):
    """A document as far as `DutyFilter.keeps_document` reads it (`Document`, `DocumentDuties`, `DocumentInfo`)."""

    doc_id: str
    level: str | None
    region: str | None
    province: str | None


@dataclass(frozen=True, slots=True)
class DutyFilter:
    """Which documents and duties to keep; an empty tuple keeps all.

    Build it with `checked_filter` (or `Store.filter`) from what a user typed: the values here are
    taken as they are, so an unknown one keeps nothing.
    """

    levels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    topic: str = "all"  # on | off | all: directives whose topic relevance reaches topic.yaml's threshold or not

    @property
    def selects_duties(self) -> bool:
        """Whether some duties of a kept document may be left out (an actor, measure or topic filter)."""
        return bool(self.actors or self.measures or self.topic != "all")

    def keeps_topic(self, on_topic: bool) -> bool:
        return self.topic == "all" or on_topic == (self.topic == "on")

    def keeps_document(self, doc: _Placed) -> bool:
        return (
            (not self.levels or doc.level in self.levels)
            and (not self.regions or doc.region in self.regions or doc.province in self.regions)
            and (not self.doc_ids or doc.doc_id in self.doc_ids)
        )

    def keeps_duty(self, actor_ids: Sequence[str], measure_ids: Sequence[str], on_topic: bool) -> bool:
        """A directive with any kept actor and any kept measure, on or off the topic as asked."""
        return (
            (not self.measures or not set(self.measures).isdisjoint(measure_ids))
            and (not self.actors or not set(self.actors).isdisjoint(actor_ids))
            and self.keeps_topic(on_topic)
        )


KEEP_ALL = DutyFilter()


def actor_names(config: Config) -> dict[str, str]:
    """Canonical Chinese name per actor id: the taxonomy's, extended by the actor lexicon."""
    names = {k: v.get("name", k) for k, v in (config["taxonomy"].get("actors") or {}).items()}
    for actor_id, spec in (config["actors"].get("actors") or {}).items() if "actors" in config.files else ():
        if isinstance(spec, dict) and spec.get("name"):
            names.setdefault(actor_id, spec["name"])
    return names


def measure_names(config: Config) -> dict[str, str]:
    """Canonical Chinese name per measure id (the taxonomy's)."""
    return {k: v.get("name", k) for k, v in (config["taxonomy"].get("measures") or {}).items()}


def as_values(values: Values) -> tuple[str, ...]:
    """A keyword's value as a tuple: `"a"` → `("a",)`, `None` → `()`, a list kept in order without repeats."""
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(dict.fromkeys(str(v) for v in values))


def unknown_value(option: str, value: str, what: str, known: Iterable[str], *, listing: str = "") -> FilterError:
    """`--actor polic: unknown actor id; did you mean police?`, or the valid values when none is close.

    Args:
        option: the keyword (`actor=`) or the command-line option (`--actor`): see `option_label`.
        value: what was typed.
        what: what the value should have been (`actor id`, `region`).
        known: the valid values, in the order to name them.
        listing: where to see them all, for a list too long to give (`corpus list` shows the regions).
    """
    known = list(dict.fromkeys(known))
    close = closest(value, known)
    if close:
        hint = f"did you mean {' or '.join(close)}?"
    elif len(known) <= SHOWN or not listing:
        hint = f"use one of {', '.join(known)}" if known else "there is none to choose from"
    else:
        hint = listing
    return FilterError(f"{labelled(option, value)}: unknown {what}; {hint}")


def check_choice(option: str, values: Iterable[str], what: str, known: Iterable[str]) -> None:
    """Raise `unknown_value` for the first of `values` not in `known`."""
    known = sorted(known)
    for value in values:
        if value not in known:
            raise unknown_value(option, value, what, known)


def check_ids(keep: DutyFilter, config: Config, names: OptionNames = "keyword") -> None:
    """Reject actor and measure ids the taxonomy does not know.

    Raises:
        FilterError: naming the option (`measure=`, or `--measure` with `names="flag"`) and the id,
            with the closest ids or all of them.
    """
    check_choice(option_label("measure", names), keep.measures, "measure id", measure_names(config))
    check_choice(option_label("actor", names), keep.actors, "actor id", actor_names(config))


def checked_filter(config: Config, *, doc_ids: Callable[[], Sequence[str]],
                   regions: Callable[[], Iterable[str]], doc: Values = None, level: Values = None,
                   region: Values = None, actor: Values = None, measure: Values = None, topic: str = "all",
                   where: str = "", names: OptionNames = "keyword") -> DutyFilter:
    """A `DutyFilter` from values a user typed, each checked, document ids completed from prefixes.

    Args:
        config: the loaded config (taxonomy ids, the gazetteer).
        doc_ids: the store's document ids, sorted (asked for only when `doc` is given).
        regions: the regions and provinces the store's documents name (asked for only when a region
            is neither in the gazetteer nor a short form of one).
        doc, level, region, actor, measure: one value or several; None keeps all.
        topic: `all`, `on` or `off`.
        where: the store, named in messages.
        names: how messages name a filter: `keyword` (`region=shanxi: …`) or `flag` (`--region shanxi: …`).

    Raises:
        FilterError: a value that matches nothing (see `unknown_value`), or an ambiguous id prefix.
    """
    if topic not in TOPICS:
        raise unknown_value(option_label("topic", names), str(topic), "topic choice", TOPICS)
    levels = as_values(level)
    check_choice(option_label("level", names), levels, "level", LEVELS)
    keep = DutyFilter(levels=levels, actors=as_values(actor), measures=as_values(measure), topic=topic)
    check_ids(keep, config, names)
    typed_ids = as_values(doc)
    ids = doc_ids() if typed_ids else ()
    doc_option = option_label("doc", names)
    return replace(
        keep,
        regions=tuple(dict.fromkeys(_region(value, config, regions, option_label("region", names))
                                    for value in as_values(region))),
        doc_ids=tuple(dict.fromkeys(resolve_prefix(value, ids, option=doc_option, where=where) for value in typed_ids)),
    )


def _region(value: str, config: Config, stored: Callable[[], Iterable[str]], option: str) -> str:
    """A region as documents store it: a gazetteer or stored name as typed, a short form as its full name.

    The store is read only for a name the gazetteer lacks.
    """
    from .stages.metadata.places import place_of_region
    from .stages.metadata.rules import region_index

    index = region_index(config)
    if any(unit.name == value for unit in index.lookup(value)):
        return value  # a real place: no document there is an honest zero
    unit = place_of_region(value, config)
    if unit is not None:
        return unit.name  # 山西 → 山西省, as documents name it (sidecars' short forms are stored so too)
    known = set(stored())
    if value in known:
        return value  # a region a sidecar or a rule gave that the gazetteer lacks
    full_names = {unit.name for units in index.by_name.values() for unit in units}
    raise unknown_value(option, value, "region", sorted(known | full_names),
                        listing="`corpus list` shows the regions of the store")


def checked_clause(doc: Document, clause: str | None) -> str | None:
    """`clause` when `doc` has a clause of that path or one under it (`三` holds `三/（一）`); None stays None.

    Raises:
        FilterError: no such clause (the closest paths are named, or the document's top-level ones).
    """
    if clause is None:
        return None
    known: dict[str, None] = {}
    for path in [c.path for c in doc.clauses] + [d.clause for d in doc.duties if d.clause]:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            known["/".join(parts[:depth])] = None
    if clause in known:
        return clause
    top = [path for path in known if "/" not in path]
    listing = f"its top-level clauses: {', '.join(top[:SHOWN])}{', …' if len(top) > SHOWN else ''}"
    raise unknown_value("clause", clause, f"clause of {doc.doc_id}", known, listing=listing)
