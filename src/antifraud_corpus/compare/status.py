"""The status of an aligned pair: modality class, actor, concreteness (deadlines, numbers)."""

from __future__ import annotations

from .features import Corpus, Item, Sig


def status_of(corpus: Corpus, item: Item, ref: Item) -> tuple[str, list[str]]:
    """Status of an aligned pair and the reasons for it, decided in order: modality class, actor,
    concreteness (deadlines, numbers), else `echoed`.

    A local directive with no actor of its own (a heading, an item addressed to the city government)
    keeps the reference's actor: that is no actor dropped. Naming a specific actor, carried over from
    an earlier sentence or not, where the reference names none, a generic one or their umbrella, is
    more concrete.
    """
    c, s = corpus, corpus.s
    q, r = c.sigs[item.sig], c.sigs[ref.sig]
    stronger = compare_strength(q, r)
    if stronger:
        change = [f"modality {r.label} → {q.label}"]
        return ("strengthened", change) if stronger > 0 else ("weakened", change)
    if q.specific and r.specific and not q.specific & r.specific:
        change = f"actor {'+'.join(sorted(r.specific))} → {'+'.join(sorted(q.specific))}"
        if all(any(a in s.umbrella.get(u, ()) for u in r.specific) for a in q.specific):
            return "strengthened", [change + " (named within)"]
        if all(any(a in s.umbrella.get(u, ()) for u in q.specific) for a in r.specific):
            return "weakened", [change + " (broadened)"]
        return "reassigned", [change]
    if q.named and not r.specific:
        return "strengthened", [f"named actor {'+'.join(sorted(q.specific))}"]
    if q.vague and r.specific:
        return "weakened", [f"actor {'+'.join(sorted(r.specific))} → a generic one"]
    gains: list[str] = []
    losses: list[str] = []
    if q.deadlines and not r.deadlines:
        gains.append(f"deadline {q.deadlines[0][0]}")
    local_year = year_of(c.infos[item.doc].date)
    ref_year = year_of(c.infos[ref.doc].date)
    binding = [d for d in r.deadlines if still_binds(d, ref_year, local_year)]
    if binding and not q.deadlines:
        losses.append(f"deadline {binding[0][0]} dropped")
    if q.numbers and not r.numbers:
        gains.append(f"number {q.numbers[0]}")
    if r.numbers and not q.numbers:
        losses.append(f"number {r.numbers[0]} dropped")
    if gains and not losses:
        return "strengthened", gains
    if losses and not gains:
        return "weakened", losses
    return "echoed", gains + losses


def compare_strength(q: Sig, r: Sig) -> int:
    """1 when the local directive is of a stronger modality class, -1 weaker, 0 the same.

    Classes, not markers: reports and opinions write `要`, laws and resolutions `应当`, and both oblige.
    """
    return (q.rank > r.rank) - (q.rank < r.rank)


def year_of(date: str | None) -> int | None:
    if date and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def still_binds(deadline: tuple[str, str, int | None], ref_year: int | None, local_year: int | None) -> bool:
    """Whether a reference deadline is known to still bind when the local document is issued.

    `今年内` in a 2021 reference no longer binds a 2022 document, so leaving it out is no weakening;
    with a date unknown on either side a dated deadline is not held against the local document.
    """
    _, lapse, stated = deadline
    if lapse == "never":
        return True
    if local_year is None:
        return False
    if lapse == "stated":
        return stated is not None and local_year <= stated
    if ref_year is None:
        return False
    return local_year <= ref_year + (1 if lapse == "next_year" else 0)
