"""Near-duplicate signatures: one-permutation MinHash over character shingles.

Hand-rolled over `hashlib.blake2b` (a few dozen lines against datasketch's numpy/scipy
dependency), with signatures that are stable across processes and platforms, so the
store's check index can be cached or committed.
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections.abc import Sequence

from ..config import Config
from .rules import SimilarityRules, check_rules

_MAX32 = 0xFFFFFFFF
_GOLDEN = 0x9E3779B9  # spreads densified bins (any odd constant would do)
_NOT_WORD = re.compile(r"[\W_]+")


def _shingles(text: str, size: int) -> set[str]:
    body = _NOT_WORD.sub("", text)
    if len(body) <= size:
        return {body} if body else set()
    return {body[i:i + size] for i in range(len(body) - size + 1)}


def signature_array(text: str, rules: SimilarityRules) -> array:
    """One-permutation MinHash: each shingle's 64-bit hash picks a bin (low bits) and a value
    (high 32 bits); a bin keeps its least value. Empty bins borrow the next filled bin's value,
    shifted by the distance (rotation densification), so short texts still compare fairly."""
    bins = rules.bins
    mins = [_MAX32 + 1] * bins
    blake = hashlib.blake2b
    for shingle in _shingles(text, rules.shingle):
        h = int.from_bytes(blake(shingle.encode("utf-8"), digest_size=8).digest(), "little")
        b = h % bins
        v = h >> 32
        if v < mins[b]:
            mins[b] = v
    filled = [i for i, v in enumerate(mins) if v <= _MAX32]
    if not filled:
        return array("I", [_MAX32] * bins)
    out = array("I", [0] * bins)
    nxt = filled[0] + bins  # the first filled bin, seen from the end (wrap-around)
    for i in range(bins - 1, -1, -1):
        if mins[i] <= _MAX32:
            out[i] = mins[i]
            nxt = i
        else:
            distance = nxt - i
            out[i] = (mins[nxt % bins] + distance * _GOLDEN) & _MAX32
    return out


def document_signature(text: str, config: Config) -> list[int]:
    """The MinHash signature of a cleaned text (`similarity` in check.yaml): `bins` 32-bit ints.

    Two signatures agree in about the share of bins given by the Jaccard similarity of the
    texts' character shingles (letters and digits only).
    """
    return list(signature_array(text, check_rules(config).similarity))


def signature_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity: the share of bins on which two signatures agree."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def signature_bytes(sig: array) -> bytes:
    if sys.byteorder == "big":
        sig = array("I", sig)
        sig.byteswap()
    return sig.tobytes()


def signature_from_bytes(data: bytes) -> array:
    sig = array("I")
    sig.frombytes(data)
    if sys.byteorder == "big":
        sig.byteswap()
    return sig
