"""What one comparison run holds while it aligns: the corpus, the pools on each document's line, a cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config import Config
from ..filters import DutyFilter
from .diffjson import DiffJson, JsonSpool
from .features import Corpus
from .settings import CompareSettings
from .similarity import Scorer

if TYPE_CHECKING:
    from .lines import Pool

CACHE_KEPT = 20_000  # candidate lists of recurring directives kept per process


@dataclass(slots=True)
class Run:
    """One run: the reference pools and their index, the lines of authority, warnings, candidate cache."""

    corpus: Corpus
    config: Config
    keep: DutyFilter
    workers: int = 1
    settings: CompareSettings = field(init=False)
    scorer: Scorer = field(init=False)
    warnings: list[str] = field(default_factory=list)
    pools: dict[tuple, Pool] = field(default_factory=dict)
    lines: dict[int, list[tuple]] = field(default_factory=dict)  # local document -> the pool keys above it
    cache: dict[tuple[int, tuple], list[tuple[int, float, float]]] = field(default_factory=dict)
    # set when the diffs' JSON is rendered as documents are aligned (`compare_corpus(json_diffs=True)`)
    spool: JsonSpool | None = None
    renderer: DiffJson | None = None

    def __post_init__(self) -> None:
        self.workers = max(1, self.workers)
        self.settings = self.corpus.s
        self.scorer = Scorer(self.corpus)

    def free_index(self) -> None:
        """Free the pools, their index, the candidate cache and the directive features: the views read
        none of them, and a cluster's client none once they are shipped (`distributed.DaskAlign`)."""
        self.pools.clear()
        self.cache.clear()
        self.corpus.sigs.clear()
        self.corpus.table = None
        self.corpus.tags = None
