"""Fast lookup of many words at once: one compiled regex shaped like a trie.

A plain alternation `a|b|c|…` of a few hundred words makes `re` try every
branch at every character; nesting the words by shared prefix
(`公安(?:机关|部门?|厅|局)`) tries one branch per character instead, and the
greedy optional groups give the longest word at each position, as an
Aho-Corasick scan with leftmost-longest matching does.

A text utility of the lowest layer (it imports nothing of the project): the
extractor's lexicons, the agency grammar and `fastregex.any_needle` build on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def trie_pattern(words: Iterable[str]) -> str:
    """A regex source matching any of `words`, longest first at each position."""
    root: dict = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True
    if not root:
        return "(?!)"
    firsts = sorted(ch for ch in root if ch)
    if len(firsts) <= _FEW:
        # A few first characters: `re` reads them off the flat alternation and skips to the
        # next one in a tight loop of its own, which a lookahead in front would turn off
        return _node_pattern(root)
    if len(firsts) <= _FLAT:
        # `re` finds the first characters of a flat alternation itself and skips to them;
        # where no word is a single character, a lookahead on the first two characters
        # turns away most of those positions before the alternation is tried there
        if any("" in root[ch] for ch in firsts):
            return _node_pattern(root)
        return _lookahead(root, firsts) + _node_pattern(root)
    # Many first characters: `re` tries the top-level branches one by one at every
    # candidate position, so they are split into a few groups, each behind a lookahead
    # on its first characters (a single set test skips a whole group), and the whole
    # behind one lookahead on every first character (a single test skips a position
    # that opens no word). Where no word is a single character the lookaheads test the
    # second character too: most positions that start with a first character go no
    # further. The groups have disjoint first characters, so the matches are the same.
    size = -(-len(firsts) // -(-len(firsts) // _GROUP))
    groups = [firsts[k : k + size] for k in range(0, len(firsts), size)]
    return _lookahead(root, firsts) + "(?:" + "|".join(
        _lookahead(root, group) + _node_pattern({ch: root[ch] for ch in group}) for group in groups
    ) + ")"


def _lookahead(root: dict, firsts: list[str]) -> str:
    """A lookahead for the first two characters of the words starting with one of `firsts`.

    Only the first when one of those words is a single character.
    """
    first = "".join(map(re.escape, firsts))
    if any("" in root[ch] for ch in firsts):
        return f"(?=[{first}])"
    second = "".join(map(re.escape, sorted({ch2 for ch in firsts for ch2 in root[ch]})))
    return f"(?=[{first}][{second}])"


# Most first characters behind one lookahead, and most in a flat alternation (measured
# with callgrind on the seeds: the actor names, 65 first characters, scan in 40% of the
# instructions of two groups; the measure cues, 184, in 80% with the outer lookahead
# than without and in 85% of a flat alternation; flat and grouped cross at about 150.
# Testing two characters in the lookaheads takes the cues' scan from 102 to 71 us per
# seed document. On the flat names it costs 5% more instructions but 23% less time on
# the silver laws and bulletins, 15% on the seeds: a position that opens no name is
# turned away by two set tests, where the alternation's 65 branches, tried in turn,
# keep the processor guessing).
_GROUP = 64
_FLAT = 2 * _GROUP
# At most this many first characters, no lookahead at all: the role heads (13 first characters)
# scan the silver set in 17 ms instead of 36, the government heads (5) in 16 instead of 38; the
# actor names (65) still gain from the lookahead (77 ms against 110 flat).
_FEW = 16


def _node_pattern(node: dict) -> str:
    end = "" in node
    branches = [re.escape(ch) + _node_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    if len(branches) == 1:
        body = branches[0]
        if end:
            return f"(?:{body})?" if len(body) > 1 else f"{body}?"
        return body
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if end else body


def compile_words(words: Iterable[str]) -> re.Pattern[str]:
    """Compile `trie_pattern(words)`."""
    return re.compile(trie_pattern(words))
