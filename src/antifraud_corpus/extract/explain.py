"""Human-readable reasons for each tag of a directive, for `corpus explain`, in English or another language.

Every tag of a `Duty` carries the rule or lexicon entry that produced it
(`Duty.rules`, `Mention.rule`); this module only words them, so a researcher
can check the coding line by line.

The wording is a set of templates (`ENGLISH`, here; others in `labels.yaml` `explain`,
where a translator can reach them) and, for the provenance strings the stages record in
English (`subject of '要'; alias '公安机关'`), an ordered list of phrase rules: a regular
expression and what to put in its place. Ids stay beside their names, so a reader can
still type them back (`--actor public_security`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..models import Duty, Mention

#: The English wording: every line `corpus explain` prints, by name.
ENGLISH: Mapping[str, str] = {
    "title": "{doc_id}  {title}  ({level}, {region}, {date})",
    "unknown_level": "?",
    "no_region": "—",
    "no_date": "no date",
    "no_directives": "no directives",
    "no_directives_in": "no directives in clause {clause}",
    "head": "clause {clause}  {start}-{end}  {where}",
    "preamble": "(preamble)",
    "page": "page {page}  ",
    "paragraph": "paragraph {paragraph}  ",
    "legend": "marks: {marks}",
    "mark_actor": "actor",
    "mark_target": "target",
    "mark_marker": "modal word",
    "mark_measure": "measure cue",
    "directive": "directive: {why} — clause {clause}",
    "no_rule": "rule not recorded",
    "no_clause": "(none)",
    "modality": "modality: {modality} — first modal word '{marker}'{span}",
    "modality_unmarked": 'modality: {modality} — no modal word of its own (marker "")',
    "span": " at {start}–{end}",
    "actor": "actor: {id} ← '{text}'{named}{where} ({source}: {rule})",
    "named": " as '{name}'",
    "no_actor": "actor: none — no subject in the unit and nothing to carry over in its paragraph",
    "target": "target: {id} ← '{text}'{where} ({rule})",
    "measure": "measure: {id} ← {rule}",
    "no_measure": "measure: none — no cue in the action",
    "action": "action: {action}",
    "topic": "topic: relevance {relevance}",
    "off_topic": " — off topic: compare leaves it out",
}

# A field that is an id, and the field of the name shown for it.
_LABELS = {"id": "label", "modality": "modality_label", "source": "source_label"}
# What a phrase rule may name: a group called `actor…` or `measure…` is an id, shown by its name.
_ID_GROUPS = ("actor", "measure")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True, slots=True)
class ReasonWording:
    """Templates by name (`ENGLISH` for any left out), phrase rules, and names for ids.

    `names` maps a kind of id (`actor`, `measure`, `modality`, `source`) to the name shown
    for each id; a template field `{label}` (or `{modality_label}`, `{source_label}`) is that name.
    """

    templates: Mapping[str, str] = field(default_factory=lambda: ENGLISH)
    phrases: tuple[tuple[re.Pattern[str], str], ...] = ()
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def build(cls, templates: Mapping[str, Any], phrases: Sequence[Any], names: Mapping[str, Mapping[str, str]],
              where: str) -> ReasonWording:
        """A wording from config data, checked whole: every template and rule, before any is used.

        Args:
            templates: name -> template; names not given keep the English.
            phrases: [pattern, replacement] pairs; the replacement names the pattern's groups as `{group}`.
            names: see the class.
            where: the config file and key, for error messages (`labels.yaml: explain`).

        Raises:
            ConfigError: an unknown template name, a field the English template does not have,
                a pattern that does not compile or a replacement naming a group the pattern lacks.
        """
        if not isinstance(templates, Mapping) or not isinstance(phrases, Sequence):
            raise ConfigError(f"{where}: templates must be a mapping and phrases a list; see the shipped labels.yaml")
        merged = dict(ENGLISH)
        for name, template in templates.items():
            if name not in ENGLISH:
                raise ConfigError(f"{where}.templates: unknown template {name!r}; "
                                  f"known: {', '.join(sorted(ENGLISH))}")
            english = _fields(ENGLISH[name])
            allowed = english | {_LABELS[f] for f in english & _LABELS.keys()}
            try:
                unknown = _fields(str(template)) - allowed
            except ValueError as exc:
                raise ConfigError(f"{where}.templates.{name}: {exc}; double a brace to show it") from None
            if unknown:
                raise ConfigError(f"{where}.templates.{name}: unknown field {{{sorted(unknown)[0]}}}; "
                                  f"known: {', '.join(sorted(allowed))}")
            merged[name] = str(template)
        rules = []
        for number, rule in enumerate(phrases, 1):
            if not (isinstance(rule, Sequence) and not isinstance(rule, str) and len(rule) == 2):
                raise ConfigError(f"{where}.phrases #{number}: give [pattern, replacement]")
            try:
                pattern = re.compile(str(rule[0]))
            except re.error as exc:
                raise ConfigError(f"{where}.phrases #{number}: bad regular expression ({exc})") from None
            missing = _fields(str(rule[1])) - set(pattern.groupindex)
            if missing:
                raise ConfigError(f"{where}.phrases #{number}: the replacement names {{{sorted(missing)[0]}}}, "
                                  "which is not a named group (?P<name>...) of the pattern")
            rules.append((pattern, str(rule[1])))
        return cls(merged, tuple(rules), names)

    def line(self, template: str, /, **values: Any) -> str:
        """The template named `template` filled with `values`."""
        return self.templates[template].format(**values)

    def label(self, kind: str, value: str) -> str:
        return self.names.get(kind, {}).get(value, value)

    def phrase(self, text: str) -> str:
        """`text` (a provenance string) with every phrase rule applied in order."""
        for pattern, replacement in self.phrases:
            text = pattern.sub(lambda m, r=replacement: r.format(**self._groups(m)), text)
        return text

    def _groups(self, match: re.Match[str]) -> dict[str, str]:
        return {name: self.label(name.rstrip("0123456789"), value or "") if name.startswith(_ID_GROUPS)
                else value or "" for name, value in match.groupdict().items()}


ENGLISH_WORDING = ReasonWording()


def _where(m: Mention, wording: ReasonWording) -> str:
    return wording.line("span", start=m.start, end=m.end) if m.start >= 0 else ""


def explain_duty(duty: Duty, wording: ReasonWording = ENGLISH_WORDING) -> list[str]:
    """One line per decision: why the unit is a directive, its modality, each actor, target and measure.

    Example:
        >>> from antifraud_corpus.models import Duty, Mention
        >>> d = Duty(clause="五", sentence="金融管理部门要指导金融机构建立机制。", start=0, end=18,
        ...          modality="obligation", marker="要", action="指导金融机构建立机制",
        ...          actors=[Mention("financial_regulator", "金融管理部门", 0, 6, "subject of '要'")],
        ...          rules=["directive:marker:要", "modality:first marker"])
        >>> explain_duty(d)[0]
        'directive: marker:要 — clause 五'
    """
    w = wording
    lines: list[str] = []
    why = [w.phrase(r.split(":", 1)[1]) for r in duty.rules if r.startswith("directive:")]
    lines.append(w.line("directive", why="; ".join(why) or w.line("no_rule"),
                        clause=duty.clause or w.line("no_clause")))
    modality = {"modality": duty.modality, "modality_label": w.label("modality", duty.modality)}
    if duty.marker:
        span = w.line("span", start=duty.marker_span[0], end=duty.marker_span[1]) if duty.marker_span else ""
        lines.append(w.line("modality", marker=duty.marker, span=span, **modality))
    else:
        lines.append(w.line("modality_unmarked", **modality))
    for m in duty.actors:
        named = w.line("named", name=m.name) if m.name and m.name != m.text else ""
        lines.append(w.line("actor", id=m.id, label=w.label("actor", m.id), text=m.text, named=named,
                            where=_where(m, w), source=duty.actor_source,
                            source_label=w.label("source", duty.actor_source), rule=w.phrase(m.rule)))
    if not duty.actors:
        lines.append(w.line("no_actor"))
    for m in duty.targets:
        lines.append(w.line("target", id=m.id, label=w.label("actor", m.id), text=m.text, where=_where(m, w),
                            rule=w.phrase(m.rule)))
    for m in duty.measures:
        lines.append(w.line("measure", id=m.id, label=w.label("measure", m.id), rule=w.phrase(m.rule)))
    if not duty.measures:
        lines.append(w.line("no_measure"))
    if duty.action:
        lines.append(w.line("action", action=duty.action))
    return lines
