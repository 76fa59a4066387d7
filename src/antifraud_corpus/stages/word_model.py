"""A unigram word model of jieba's bundled dictionary: how likely a run of Chinese reads.

Mojibake repair (`repair.py`) scores each candidate reading, and the text it would
replace, by the likeliest split of its Chinese runs into dictionary words.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, slots=True)
class WordModel:
    """Word counts of a dictionary, with the log-probability of each word looked up so far."""

    freq: Mapping[str, int]
    log_total: float
    # log(count) - log_total of the dictionary words met so far (filled as they are met)
    log_prob: dict[str, float] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, freq: Mapping[str, int]) -> WordModel:
        return cls(freq=freq, log_total=math.log(sum(freq.values())))


@lru_cache(maxsize=1)
def language_model() -> WordModel:
    """Word frequencies of jieba's bundled dictionary (read once, only when a run is suspected)."""
    return WordModel.of(read_frequencies(jieba_dictionary().read_bytes().decode("utf-8")))


def jieba_dictionary() -> Path:
    """jieba's `dict.txt`, found without importing jieba (whose import costs more than the read)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("No module named 'jieba' (mojibake repair reads its dictionary)", name="jieba")
    return Path(spec.origin).parent / "dict.txt"


def read_frequencies(data: str) -> dict[str, int]:
    """`word count [tag]` lines as word -> count (lines without a count are skipped)."""
    # jieba's own dictionary is `word count tag` on every line: split and zipped at C speed,
    # once the fields are seen to join back into the very text (so no line has more or fewer)
    fields = data.split()
    words, counts, tags = fields[0::3], fields[1::3], fields[2::3]
    if (len(fields) % 3 == 0 and all(map(str.isdigit, counts))
            and "\n".join(map(" ".join, zip(words, counts, tags, strict=True))) == data.rstrip("\n")):
        return dict(zip(words, map(int, counts), strict=True))
    freq: dict[str, int] = {}
    for line in data.split("\n"):
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            freq[parts[0]] = int(parts[1])
    return freq


def best_segmentation(run: str, model: WordModel, max_word: int, single_penalty: float) -> float:
    """Log-probability of the likeliest split of `run` into dictionary words (jieba's route).

    Single-character words pay `single_penalty` extra: a repair should make words with its
    neighbours, and a plain unigram model otherwise favours frequent function characters.
    """
    size = len(run)
    best = [0.0] * (size + 1)
    freq, log_prob = model.freq, model.log_prob
    for start in range(size - 1, -1, -1):
        # a single character is always an option (one the dictionary lacks counts once: log 1)
        char = run[start]
        weight = log_prob.get(char)
        if weight is None:
            weight = log_prob[char] = math.log(freq.get(char, 0) or 1) - model.log_total
        value = weight + best[start + 1] - single_penalty
        for end in range(start + 2, min(size, start + max_word) + 1):
            word = run[start:end]
            weight = log_prob.get(word)
            if weight is None:
                if not freq.get(word, 0) > 0:
                    continue
                weight = log_prob[word] = math.log(freq[word]) - model.log_total
            option = weight + best[end] - 0.0
            if option > value:
                value = option
        best[start] = value
    return best[0]
