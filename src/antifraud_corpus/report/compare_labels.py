"""What every `corpus compare` renderer (terminal, Markdown, HTML) says the same way.

The words of one language (labels.yaml `report`, and the Chinese names of levels,
statuses, measures, actors and modalities), the short document labels that can be
typed back, and where a directive stands. A module of its own so that the HTML
report and the other renderers share it without importing each other.
"""

from __future__ import annotations

from ..compare import Comparison, Directive
from ..doc_ids import typable_prefix


class ReportLabels:
    """Words and names for one language, and short document labels for matrix columns."""

    def __init__(self, comparison: Comparison, lang: str) -> None:
        self.zh = lang == "zh"
        self.words = comparison.labels["report_zh" if self.zh else "report_en"]  # (labels.yaml `report`)
        self.names = comparison.labels
        self.short = short_labels(comparison)

    def __getitem__(self, key: str) -> str:
        return self.words[key]

    def status(self, status: str) -> str:
        return self.names.get("statuses", {}).get(status, status) if self.zh else status

    def level(self, level: str | None) -> str:
        if level is None:
            return "—"
        return self.names.get("levels", {}).get(level, level) if self.zh else level

    def measure(self, measure: str) -> str:
        return self.names.get("measures", {}).get(measure, measure) if self.zh else measure

    def actor(self, actor: str) -> str:
        if not actor:
            return self.words["no_actor"]
        return self.names.get("actors", {}).get(actor, actor) if self.zh else actor

    def modality(self, modality: str) -> str:
        return self.names.get("modalities", {}).get(modality, modality) if self.zh else modality


def short_labels(comparison: Comparison) -> dict[str, str]:
    """`000_888081b4012a42ca` → `000`: each shown id cut at the first `_` after which no other id goes on the same.

    Every label can be typed back where an id is taken (`--doc 000`, `corpus explain 000`).
    """
    ids = comparison.doc_ids or sorted(d.doc_id for d in comparison.documents)
    return {d.doc_id: typable_prefix(d.doc_id, ids) for d in comparison.documents}


def provenance(d: Directive, short: dict[str, str], with_doc: bool) -> str:
    """Where directive `d` stands (`三/（一） 120-164`), after its document's short label and date if `with_doc`."""
    where = f"{d.clause} {d.start}-{d.end}" if d.clause else f"{d.start}-{d.end}"
    if with_doc:
        where = f"{short.get(d.doc_id, d.doc_id)} {d.date or '?'} · " + where
    return where
