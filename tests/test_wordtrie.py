"""The trie-shaped word regex: leftmost-longest, the same with or without first-character groups."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.text.wordtrie import _FEW, _FLAT, _GROUP, compile_words, trie_pattern

_CHARS = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E00 + _FLAT + _GROUP)


def _leftmost_longest(text: str, words: set[str]) -> list[tuple[int, int]]:
    """Reference scan: at each position the longest word, then on after it."""
    out, pos, longest = [], 0, max(map(len, words))
    while pos < len(text):
        end = next((pos + n for n in range(min(longest, len(text) - pos), 0, -1)
                    if text[pos : pos + n] in words), -1)
        if end < 0:
            pos += 1
        else:
            out.append((pos, end))
            pos = end
    return out


def test_longest_word_wins() -> None:
    pattern = compile_words(["公安", "公安机关", "公安部", "银行"])
    assert [m.group() for m in pattern.finditer("公安机关和公安部、银行卡")] == ["公安机关", "公安部", "银行"]


def test_many_first_characters_are_grouped() -> None:
    words = [chr(0x4E00 + k) + "甲" for k in range(_FLAT + 5)]
    # one lookahead on every first character, then one per group of at most _GROUP
    assert trie_pattern(words).count("(?=[") == 1 + -(-len(words) // _GROUP)
    # few first characters: a flat alternation, behind a lookahead on two characters
    # unless a word is a single character
    assert trie_pattern(words[:_FLAT]).count("(?=[") == 1
    assert trie_pattern([*words[:_FLAT - 1], "乙"]).count("(?=[") == 0
    # very few: no lookahead at all (`re` skips to their first characters itself), the same matches
    assert trie_pattern(words[:_FEW]).count("(?=") == 0
    assert trie_pattern(words[:_FEW + 1]).count("(?=[") == 1
    assert [m.span() for m in compile_words(words[:_FEW]).finditer("乙" + words[3] + words[0][0] + "丙")] == [(1, 3)]
    # the source is one group: it can be embedded in a larger pattern
    assert re.fullmatch(f"x{trie_pattern(words)}y", "x" + words[-1] + "y")


@settings(max_examples=60, deadline=None)
@given(st.sets(st.text(_CHARS, min_size=1, max_size=3), min_size=1, max_size=2 * _FLAT),
       st.text(_CHARS, max_size=80))
def test_scan_is_leftmost_longest(words: set[str], text: str) -> None:
    # words from the lexicon planted in the text, so that matches happen
    planted = "".join(w for k, w in enumerate(sorted(words)) if k % 7 == 0) + text
    found = [m.span() for m in compile_words(words).finditer(planted)]
    assert found == _leftmost_longest(planted, words)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.text(_CHARS, min_size=2, max_size=3), min_size=1, max_size=2 * _FLAT),
       st.text(_CHARS, max_size=80))
def test_scan_is_leftmost_longest_behind_two_character_lookaheads(words: set[str], text: str) -> None:
    # no single-character word: the lookaheads test two characters
    planted = "".join(w for k, w in enumerate(sorted(words)) if k % 5 == 0) + text
    found = [m.span() for m in compile_words(words).finditer(planted)]
    assert found == _leftmost_longest(planted, words)


def test_lookaheads_test_two_characters_only_without_single_character_words() -> None:
    words = [chr(0x4E00 + k) + "甲" for k in range(_FLAT + 5)]
    outer = trie_pattern(words).split("(?:", 1)[0]  # the lookahead before the groups
    assert outer.endswith("][甲])")
    # a word of one character: the lookahead before the groups and that of its group test one
    pattern = trie_pattern([*words, chr(0x4E00)])
    assert pattern.split("(?:", 1)[0].endswith("])") and "][" not in pattern.split("(?:", 1)[0]
    assert pattern.count("][甲])") == -(-len(words) // _GROUP) - 1
