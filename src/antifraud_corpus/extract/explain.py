"""Human-readable reasons for each tag of a directive, for `corpus explain`.

Every tag of a `Duty` carries the rule or lexicon entry that produced it
(`Duty.rules`, `Mention.rule`); this module only words them, so a researcher
can check the coding line by line.
"""

from __future__ import annotations

from ..models import Duty, Mention


def _where(m: Mention) -> str:
    return f" at {m.start}–{m.end}" if m.start >= 0 else ""


def explain_duty(duty: Duty) -> list[str]:
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
    lines: list[str] = []
    why = [r.split(":", 1)[1] for r in duty.rules if r.startswith("directive:")]
    lines.append(f"directive: {'; '.join(why) or 'rule not recorded'} — clause {duty.clause or '(none)'}")
    if duty.marker:
        lines.append(f"modality: {duty.modality} — first modal word '{duty.marker}'"
                     + (f" at {duty.marker_span[0]}–{duty.marker_span[1]}" if duty.marker_span else ""))
    else:
        lines.append(f"modality: {duty.modality} — no modal word of its own (marker \"\")")
    if duty.actors:
        for m in duty.actors:
            named = f" as '{m.name}'" if m.name and m.name != m.text else ""
            lines.append(f"actor: {m.id} ← '{m.text}'{named}{_where(m)} ({duty.actor_source}: {m.rule})")
    else:
        lines.append("actor: none — no subject in the unit and nothing to carry over in its paragraph")
    for m in duty.targets:
        lines.append(f"target: {m.id} ← '{m.text}'{_where(m)} ({m.rule})")
    for m in duty.measures:
        lines.append(f"measure: {m.id} ← {m.rule}")
    if not duty.measures:
        lines.append("measure: none — no cue in the action")
    if duty.action:
        lines.append(f"action: {duty.action}")
    return lines
