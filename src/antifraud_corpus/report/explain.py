"""`corpus explain` on a terminal or in a pipe: each directive with its tags marked, then the reasons.

Colour marks the actor, the modal word, the targets and the measure cues on a terminal.
Where there is no colour (`NO_COLOR`, a pipe, a file) they are bracketed instead, with a
legend line, so the marks survive into a note or a diff: colour alone would leave nothing.
"""

from __future__ import annotations

from typing import Literal

from rich.console import Console
from rich.text import Text

from ..config import Config
from ..extract.explain import ENGLISH_WORDING, ReasonWording, explain_duty
from ..models import Document, Duty
from . import plain, styled

Lang = Literal["en", "zh"]

_STYLES = {"actor": "bold cyan", "target": "cyan", "marker": "bold magenta", "measure": "green"}
# Brackets for a console without colour; each pair is rare in Chinese policy text, which uses full-width ones.
MARKS = {"actor": ("[", "]"), "marker": ("<", ">"), "target": ("(", ")"), "measure": ("{", "}")}


def reason_wording(config: Config, lang: Lang) -> ReasonWording:
    """The wording of `lang`: English from the code, any other from `labels.yaml` `explain`.

    Raises:
        ConfigError: `labels.yaml` `explain` is malformed (see `ReasonWording.build`).
    """
    from ..export import actor_names, measure_names

    if lang == "en":
        return ENGLISH_WORDING
    labels = config["labels"]
    section = labels.get("explain") or {}
    names = {"actor": actor_names(config), "measure": measure_names(config),
             "modality": dict(labels.get("modalities") or {}), "source": dict(labels.get("actor_sources") or {}),
             "level": dict(labels.get("levels") or {})}
    return ReasonWording.build(section.get("templates") or {}, section.get("phrases") or (), names,
                               "labels.yaml: explain")


def _marked(text: str, spans: list[tuple[int, int, str]]) -> Text:
    """`text` made `plain` with each span (offsets into `text`, a kind of `MARKS`) bracketed.

    At one offset, spans that end there close before others open, and the last opened closes first.
    """
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -s[1])):  # (outer before inner)
        opening, closing = MARKS[kind]
        opens.setdefault(start, []).append(opening)
        closes.setdefault(end, []).insert(0, closing)
    pieces, last = [], 0
    for offset in sorted(opens.keys() | closes.keys()):
        pieces += [text[last:offset], *closes.get(offset, ()), *opens.get(offset, ())]
        last = offset
    pieces.append(text[last:])
    return plain("".join(pieces))


def _spans(duty: Duty) -> list[tuple[int, int, str]]:
    """The tags of `duty` inside its sentence: (start, end, kind), offsets into the sentence."""
    mentions = [(m, "actor") for m in duty.actors] + [(m, "target") for m in duty.targets] + \
               [(m, "measure") for m in duty.measures]
    spans = [(m.start - duty.start, m.end - duty.start, kind) for m, kind in mentions
             if m.start >= duty.start and m.end <= duty.end]
    if duty.marker_span:
        spans.append((duty.marker_span[0] - duty.start, duty.marker_span[1] - duty.start, "marker"))
    return spans


def render_explain(console: Console, doc: Document, clause: str | None, config: Config, lang: Lang = "en") -> None:
    """Each directive with its tags highlighted (bracketed without colour), then the reasons behind every tag.

    Raises:
        ConfigError: `labels.yaml` `explain` is malformed.
    """
    from ..extract.topic import topic_rules

    w = reason_wording(config, lang)
    bracketed = console.no_color or console.color_system is None
    duties = [d for d in doc.duties if clause is None or d.clause == clause or d.clause.startswith(clause + "/")]
    level = w.label("level", doc.level) if doc.level else w.line("unknown_level")
    console.print(plain(w.line("title", doc_id=doc.doc_id, title=doc.title, level=level,
                               region=doc.region or w.line("no_region"), date=doc.date or w.line("no_date")),
                        style="bold"))
    if not duties:
        console.print(plain(w.line("no_directives_in", clause=clause) if clause else w.line("no_directives")))
        return
    if bracketed:
        marks = " ".join(f"{opening}{w.line('mark_' + kind)}{closing}" for kind, (opening, closing) in MARKS.items())
        console.print(plain(w.line("legend", marks=marks)))
    for number, duty in enumerate(duties, 1):
        spans = _spans(duty)
        head = Text(f"[{number}] ", style="bold")
        head.append_text(plain(w.line("head", clause=duty.clause or w.line("preamble"), start=duty.start,
                                      end=duty.end, where=_where(duty, w)), style="dim"))
        sentence = _marked(duty.sentence, spans) if bracketed else \
            styled(duty.sentence, [(start, end, _STYLES[kind]) for start, end, kind in spans])
        console.print(head + sentence)
        for reason in explain_duty(duty, w):
            console.print(plain("    · " + reason))
        if duty.topic is not None:
            gate = "" if topic_rules(config).on_topic(duty.topic) else w.line("off_topic")
            console.print(plain("    · " + w.line("topic", relevance=f"{duty.topic:.2f}") + gate))


def _where(duty: object, wording: ReasonWording) -> str:
    """`page 3  ` for a directive of a PDF, `paragraph 12  ` of a DOCX or web page, "" for text."""
    page, paragraph = getattr(duty, "page", None), getattr(duty, "paragraph", None)
    if page is not None:
        return wording.line("page", page=page)
    return wording.line("paragraph", paragraph=paragraph) if paragraph is not None else ""
