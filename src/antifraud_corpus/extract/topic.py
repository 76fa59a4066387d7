"""Topic relevance: how much a directive is about combating telecom and online fraud.

Broad documents (a provincial public-security regulation, a law on social order) hold a few
anti-fraud articles among many others; aligning their general articles (维护国家政治安全,
公民应当遵守法律) with anti-fraud directives through shared governance words (加强, 落实,
责任) makes false counterparts and false omissions. Each directive gets a relevance in [0, 1]
from the weighted terms of `configs/topic.yaml` found in its sentence, or, when it names none,
in its clause and then its document's title (scaled down: context is weaker evidence than the
sentence itself). The value is stored with the directive (`Duty.topic`) and shown by `explain`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import Config, per_config
from ..errors import ConfigError
from ..models import Clause, Duty


@dataclass(frozen=True, slots=True)
class TopicRules:
    """`topic.yaml` checked and compiled."""

    terms: Mapping[str, float]
    pattern: re.Pattern[str] | None  # every term, longest first
    threshold: float
    clause_share: float
    title_share: float

    def score(self, text: str) -> float:
        """Summed weight of the distinct terms found in `text`, at most 1."""
        if self.pattern is None or not text:
            return 0.0
        return min(1.0, sum(self.terms[term] for term in set(self.pattern.findall(text))))

    def on_topic(self, relevance: float | None) -> bool:
        """Whether a directive counts as on topic (an unknown relevance, from an older store, does)."""
        return relevance is None or relevance >= self.threshold


def _share(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ConfigError(f"topic.yaml: '{key}' must be a number in [0, 1], got {value!r}")
    return float(value)


@per_config
def topic_rules(config: Config) -> TopicRules:
    """Read and check `topic.yaml`; without one, every directive is on topic.

    Raises:
        ConfigError: a weight or share that is not a number in [0, 1], or terms that are not a mapping.
    """
    data = config["topic"] if "topic" in config.files else {}
    terms = data.get("terms") or {}
    if not isinstance(terms, Mapping):
        raise ConfigError("topic.yaml: 'terms' must map each term to a weight")
    weights: dict[str, float] = {}
    for term, weight in terms.items():
        if not term or isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
            raise ConfigError(f"topic.yaml: term {term!r} needs a weight in (0, 1], got {weight!r}")
        weights[str(term)] = float(weight)
    pattern = re.compile("|".join(map(re.escape, sorted(weights, key=len, reverse=True)))) if weights else None
    return TopicRules(weights, pattern, _share(data, "threshold", 0.5) if weights else 0.0,
                      _share(data, "clause_share", 0.8), _share(data, "title_share", 0.6))


def _relevance(own: float, clause_score: float, title_score: float, rules: TopicRules) -> float:
    """A directive's topic relevance: the best of its own score, its clause's and its document title's
    (the latter two scaled down: context is weaker evidence than the sentence itself)."""
    if own >= 1.0:
        return 1.0
    return round(max(own, rules.clause_share * clause_score, rules.title_share * title_score), 3)


def assign_topic(duties: Iterable[Duty], clauses: list[Clause], title: str, config: Config) -> None:
    """Set `topic` on each duty (in place) from its sentence, its clause and the document title."""
    rules = topic_rules(config)
    ordered = sorted(clauses, key=lambda c: (c.start, -c.end))
    starts = [clause.start for clause in ordered]
    # (a clause holds many directives, and may be a whole long section: each context is scored once)
    clause_scores: dict[int, float] = {}
    title_score = rules.score(title)
    for duty in duties:
        # the innermost clause holding the directive (a news paragraph has no path a duty names)
        number = bisect.bisect_right(starts, duty.start) - 1
        while number >= 0 and ordered[number].end < duty.end:
            number -= 1
        clause_score = clause_scores.get(number)
        if clause_score is None:
            clause_score = clause_scores[number] = rules.score(ordered[number].text if number >= 0 else "")
        duty.topic = _relevance(rules.score(duty.sentence), clause_score, title_score, rules)
