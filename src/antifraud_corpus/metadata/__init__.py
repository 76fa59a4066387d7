"""Document metadata: title, issuer, date, level, region, province and kind, each with its evidence.

A page is one of three things, tried in this order:

* a document (a resolution, law, notice …) whose own title stands on a line
  near the top: the title line, its issuer is the part before 关于 (or the
  adopting session, or the signature);
* a news report of a document (`X印发《关于……的意见》`): the reported title
  and issuer;
* a meeting report (`1月14日，全国……会议召开`): the meeting's name, its
  convener and its date.

Dates come from adoption and issue notes, signatures, the meeting sentence,
datelines and page stamps, in the rank `metadata.yaml` gives them; a bare
`1月14日` takes its year from the page stamp (a January stamp and a December
meeting mean the year before) and is left empty with a warning when no year
is stated anywhere. Level, region and province come from the administrative
divisions in `regions.yaml` (every province, prefecture and county, generated
by `tools/build_regions.py`) matched at the start of the issuer, else from the
central-organ patterns. Only the head of the text (and the tail of the body,
for a signature) is read, so the cost does not grow with the document.

All patterns and lexicons live in `configs/metadata.yaml`; compiled rules are
cached per config fingerprint.

The stages live in submodules: `titles` (title and issuer), `dates`, `places`
(level, region, province), `regions` (the division index) and `rules` (the
compiled `metadata.yaml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config import Config
from ..models import Metadata
from .dates import find_date, parse_date
from .notes import find_header_note
from .places import find_place, place_of_region
from .regions import Region, RegionIndex
from .rules import LEVELS, WARN, Rules, compiled_rules, region_index, taxonomy_kinds
from .titles import find_issuer, find_title, head_lines


def find_kind(title: str, issuer: str, mode: str, body_head: str, rules: Rules) -> tuple[str, str]:
    if mode == "meeting":
        return rules.meeting_kind, "meeting title"
    if mode == "bulletin":
        return rules.bulletin.kind, "bulletin title"
    for rule in rules.kind_title:
        if title and rule.pattern.search(title) and (rule.issuer is None or rule.issuer.search(issuer)):
            return rule.kind, rule.source
    for rule in rules.kind_text:
        match = rule.pattern.search(body_head)
        if match:
            return rule.kind, f"text: {match.group()}"
    return rules.default_kind, "default"


def extract_metadata(full_text: str, body: str, config: Config, *, sidecar: Mapping[str, Any] | None = None,
                     name: str = "") -> Metadata:
    """Find a document's title, issuer, date, level, region, province and kind.

    Args:
        full_text: the whole converted text before junk cleaning (page stamps,
            datelines and duplicated titles still in it).
        body: the cleaned text.
        config: the loaded config (`metadata`, `regions`, `taxonomy`).
        sidecar: validated fields of a `NAME.meta.yaml` (see `sidecar.load_sidecar`);
            each one overrides what the rules find.
        name: the raw file's name without extension, the title of last resort.

    Returns:
        A `Metadata` whose `sources` say which rule (and text) gave each field
        and whose `warnings` say what could not be found.
    """
    rules = compiled_rules(config)
    side = dict(sidecar or {})
    head = full_text[: rules.head_chars]
    body_head = body[: rules.head_chars]
    lines = head_lines(head, rules.head_lines, rules.markup)
    tail_lines = head_lines(body[-rules.tail_chars:], 10_000)[-rules.tail_lines:]
    meta = Metadata()

    found = find_title(head, body_head, lines, rules, name)
    note = find_header_note(lines, found.line, rules) if found.mode == "document" else None
    issuing = note.issuing() if note else None
    # A document with a header note is issued by whom the note names, or by no one it can tell:
    # the first session of its head may be the body that only approved it.
    find_issuer(found, head, body_head, tail_lines, rules,
                (issuing.issuer, issuing.evidence) if issuing else None, search_head=note is None)
    meta.title, meta.issuer = found.title, found.issuer
    if found.title_source:
        meta.sources["title"] = found.title_source
    if found.issuer_source:
        meta.sources["issuer"] = found.issuer_source
    if found.mode in ("headline", "name"):
        meta.warnings.append(f"{WARN}no document title, report or meeting found; title taken from the "
                             f"{'first headline' if found.mode == 'headline' else 'file name'}")
    elif not found.title:
        meta.warnings.append(f"{WARN}no title found")
    for key in ("title", "issuer"):
        if key in side:
            setattr(meta, key, side[key] or "")
            meta.sources[key] = "sidecar"

    if "date" in side:
        meta.date, meta.sources["date"] = side["date"], "sidecar"
    else:
        date = find_date(head, lines, tail_lines, found.meeting, rules, note=note, name=name,
                         bulletin=(found.date, found.title_source) if found.date else None)
        meta.date = date.iso
        if date.source:
            meta.sources["date"] = date.source
        meta.warnings.extend(date.warnings)

    if "kind" in side:
        meta.kind, meta.sources["kind"] = side["kind"], "sidecar"
    else:
        mode = found.mode if "title" not in side else "document"
        meta.kind, meta.sources["kind"] = find_kind(meta.title, meta.issuer, mode, body_head, rules)

    _place_fields(meta, side, head, config, rules)
    return meta


def _place_fields(meta: Metadata, side: Mapping[str, Any], head: str, config: Config, rules: Rules) -> None:
    """Level, region and province by the rules, then the sidecar's on top (a region implies the other two)."""
    place = find_place(meta.issuer, meta.title, head, rules, meta.kind)
    meta.level, meta.region, meta.province = place.level, place.region, place.province
    if place.source:
        meta.sources["level"] = meta.sources["region"] = meta.sources["province"] = place.source
    if "region" in side:
        units = rules.regions.lookup(side["region"]) if side["region"] else ()
        meta.region = side["region"]
        meta.province = units[0].province if len({u.province for u in units}) == 1 else None
        meta.level = units[0].level if len({u.level for u in units}) == 1 else meta.level
        meta.sources["level"] = meta.sources["region"] = meta.sources["province"] = "sidecar region"
    if "province" in side:
        meta.province, meta.sources["province"] = side["province"], "sidecar"
    if "level" in side:
        meta.level, meta.sources["level"] = side["level"], "sidecar"
        if meta.level == "central":  # a central document has no region, unless the sidecar says so
            meta.region = side.get("region")
            meta.province = side.get("province")
    if not side.keys() & {"level", "region"}:
        meta.warnings.extend(place.warnings)


__all__ = [
    "LEVELS",
    "Region",
    "RegionIndex",
    "extract_metadata",
    "parse_date",
    "place_of_region",
    "region_index",
    "taxonomy_kinds",
]
