"""Word lists of the extractor's config sections (`extract.yaml`, `actors.yaml`, `measures.yaml`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def word_set(section: Mapping[str, Any], key: str) -> frozenset[str]:
    """A list of words in a config section as a set of strings (empty when the key is missing)."""
    return frozenset(map(str, section.get(key) or ()))
