"""Which documents and directives a command keeps, and the taxonomy's names of the ids it filters by.

Below both `export` and `compare` (issue #15: no import from a lower layer up to a higher one), which
filter and name directives the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .models import Document


@dataclass(frozen=True, slots=True)
class DutyFilter:
    """Which duties to keep; an empty tuple keeps all."""

    levels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    topic: str = "all"  # on | off | all: directives whose topic relevance reaches topic.yaml's threshold or not

    def keeps_topic(self, on_topic: bool) -> bool:
        return self.topic == "all" or on_topic == (self.topic == "on")

    def keeps_document(self, doc: Document) -> bool:
        return (
            (not self.levels or doc.level in self.levels)
            and (not self.regions or doc.region in self.regions or doc.province in self.regions)
            and (not self.doc_ids or doc.doc_id in self.doc_ids)
        )


def actor_names(config: Config) -> dict[str, str]:
    """Canonical Chinese name per actor id: the taxonomy's, extended by the actor lexicon."""
    names = {k: v.get("name", k) for k, v in (config["taxonomy"].get("actors") or {}).items()}
    for actor_id, spec in (config["actors"].get("actors") or {}).items() if "actors" in config.files else ():
        if isinstance(spec, dict) and spec.get("name"):
            names.setdefault(actor_id, spec["name"])
    return names


def measure_names(config: Config) -> dict[str, str]:
    return {k: v.get("name", k) for k, v in (config["taxonomy"].get("measures") or {}).items()}
