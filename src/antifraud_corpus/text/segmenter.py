"""The word segmenter behind the extractor: jieba's dictionary and algorithm, with our user words.

Two engines give the same cut: `rjieba` (jieba-rs, a Rust port with the same
dictionary, DAG and HMM; about 20x faster) and `jieba` (the Python reference).
Both get the actor aliases and `extract.user_words` as user words, added in the
same order with the frequency each engine suggests, so that an alias is cut as
one word (`公安机关`) and an alias inside a longer word is not cut out of it
(`银行卡`). A segmenter is built once per process and configuration.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Literal

from ..config import Config, per_config
from ..errors import ConfigError

Engine = Literal["rjieba", "jieba"]
ENGINES: tuple[str, ...] = ("rjieba", "jieba")

# jieba only ever cuts words out of runs of these characters (its `re_han_default`);
# a user word with other characters (`村（居）委会`) can never come out as one token.
_JIEBA_WORD = re.compile(r"^[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+$")


@dataclass(slots=True)
class Segmenter:
    """A word segmenter with the project's user words.

    Attributes:
        engine: `rjieba` or `jieba`.
        words: the user words added, in order.
    """

    engine: str
    words: tuple[str, ...]
    hmm: bool
    _cut: Callable[[str], list[str]] = field(repr=False)

    def cut(self, text: str) -> list[str]:
        """Words of `text` in order; they concatenate back to `text`."""
        return self._cut(text)

    def tokens(self, text: str) -> tuple[list[str], list[int]]:
        """Words of `text` and the offset where each starts (plus `len(text)` at the end)."""
        words = self._cut(text)
        return words, list(accumulate(map(len, words), initial=0))


def user_words(config: Config) -> tuple[str, ...]:
    """The user words for the segmenter: every actor alias and short form, then `extract.user_words`.

    Words jieba can never cut out (with punctuation or blanks) are left out; they
    are found by the lexicon alone.
    """
    words: list[str] = []
    for entry in (config["actors"].get("actors") or {}).values():
        words.extend(entry.get("aliases") or ())
        words.extend(entry.get("short") or ())
    words.extend(config["extract"].get("user_words") or ())
    seen: dict[str, None] = {}
    for word in words:
        word = str(word)
        if word and _JIEBA_WORD.match(word):
            seen.setdefault(word, None)
    return tuple(seen)


def build_segmenter(config: Config, engine: str | None = None) -> Segmenter:
    """The segmenter of this configuration (cached per process).

    Args:
        config: the loaded configuration; `extract.engine` picks the engine.
        engine: overrides `extract.engine` (tests compare the two engines).

    Raises:
        ConfigError: an unknown engine.
    """
    name = str(engine or config["extract"].get("engine") or "rjieba")
    if name not in ENGINES:
        raise ConfigError(f"extract.yaml: engine '{name}' is unknown; use one of {', '.join(ENGINES)}")
    return _build(name, _user_words(config), bool(config["extract"]["hmm"]))


# Collected once per configuration: the extractor asks for its segmenter on every document.
_user_words = per_config(user_words)


def _rjieba_class() -> type:
    """rjieba's `Jieba` class, read from its extension module without running the package's `__init__`.

    The package builds a default segmenter with the whole dictionary when imported (0.13 s of
    CPU per process, a run's start-up) that the extractor never uses: it builds its own with
    the user words. The same class either way; the plain import where the module is elsewhere.
    """
    loaded = sys.modules.get("rjieba.rjieba")
    if loaded is None:
        spec = importlib.util.find_spec("rjieba")  # (finds the package without importing it)
        folder = Path(spec.submodule_search_locations[0]) if spec and spec.submodule_search_locations else None
        found = [folder / f"rjieba{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES] if folder else []
        path = next((p for p in found if p.is_file()), None)
        module_spec = importlib.util.spec_from_file_location("rjieba.rjieba", path) if path else None
        if module_spec is None or module_spec.loader is None:
            import rjieba

            return rjieba.Jieba
        loaded = importlib.util.module_from_spec(module_spec)
        sys.modules["rjieba.rjieba"] = loaded  # (a later `import rjieba` takes this one: one init)
        module_spec.loader.exec_module(loaded)
    return loaded.Jieba


@lru_cache(maxsize=4)
def _build(engine: str, words: tuple[str, ...], hmm: bool) -> Segmenter:
    cut: Callable[[str], list[str]]
    if engine == "rjieba":
        seg = _rjieba_class()()
        for word in words:
            seg.add_word(word, None, None)

        def cut(text: str) -> list[str]:
            return seg.cut(text, hmm)
    else:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        for word in words:
            tok.add_word(word)

        def cut(text: str) -> list[str]:
            return tok.lcut(text, HMM=hmm)
    return Segmenter(engine, words, hmm, cut)
