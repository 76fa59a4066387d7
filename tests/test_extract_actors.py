"""Actor names and coordinated subjects: the parser equals a plain item-by-item reference."""

from __future__ import annotations

from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import load_config
from antifraud_corpus.extract import build_segmenter, compile_rules
from antifraud_corpus.extract.actors import (
    ActorRules,
    Chain,
    Name,
    _fold_owners,
    find_names,
    parse_chain,
    sector_span,
)


@pytest.fixture(scope="module")
def rules() -> ActorRules:
    return compile_rules(load_config()).actors


def _reference_chain(
    words: list[str], offs: list[int], names_at: dict[int, Name], pos: int, limit: int, rules: ActorRules
) -> Chain | None:
    """The coordination at `pos`, its items kept as dicts (the plain form of `parse_chain`)."""
    n = len(words)
    i = next(k for k in range(n, -1, -1) if offs[k] <= pos)
    if i >= n:
        return None
    items: list[dict] = []
    cur: dict = {"names": [], "et": False, "closer": None, "unknown": False}
    end = pos
    while i < n and offs[i] < limit:
        name = names_at.get(offs[i])
        if name is not None and name.end <= limit:
            cur["names"].append(name)
            end = name.end
            i = next(k for k in range(n, -1, -1) if offs[k] <= name.end) if name.end < offs[-1] else n
            if i < n and offs[i] < name.end:
                break
            continue
        w = words[i]
        if w in rules.connectors and (cur["names"] or cur["unknown"]):
            items.append(cur)
            cur = {"names": [], "et": False, "closer": None, "unknown": False}
            i += 1
            continue
        if w == "等" and (cur["names"] or cur["unknown"]):
            cur["et"] = True
            i += 1
            continue
        if w in rules.closers and (cur["names"] or cur["unknown"] or cur["et"]):
            cur["closer"] = w
            end = offs[i] + len(w)
            if i + 2 < n and words[i + 1] in rules.connectors and names_at.get(offs[i + 2]) is not None:
                items.append(cur)
                cur = {"names": [], "et": False, "closer": None, "unknown": False}
                i += 2
                continue
            i += 1
            break
        if not cur["names"] and not cur["unknown"] and (
            w in rules.prefixes or (1 < len(w) <= 6 and w[-1] in rules.place_suffixes)
        ):
            i += 1
            continue
        span = sector_span(words, i, rules.connectors) if items else 0
        if not cur["names"] and not cur["unknown"] and span:
            if rules.agencies is None:
                cur["unknown"] = True
            else:
                field = "".join(words[i : i + span])
                unknown = rules.agencies.unknown_field_id
                cur["names"].append(Name(unknown, field, offs[i], offs[i + span], True, offs[i],
                                         f"agency grammar: field {field} (not listed) → {unknown}"))
            i += span
            continue
        break
    if cur["names"] or cur["closer"] or cur["unknown"]:
        items.append(cur)
    if not items or not any(it["names"] for it in items):
        return None
    if not items[-1]["names"] and not items[-1]["closer"]:
        items.pop()
        if not items:
            return None
    actors: list[Name] = []
    why: list[str] = []
    pending: list[Name] = []
    for item in items:
        names = _fold_owners(item["names"], rules)
        head = names[-1] if names else None
        if item["closer"] is not None or (
            item["et"] and head is not None and not head.short and head.id in rules.closer_ids
        ):
            if head is not None and not head.short and item["closer"] is None:
                names = names[:-1]
            pending.extend(x for x in names if x.short)
            actors.extend(x for x in names if not x.short)
            why.extend(x.how for x in names if not x.short)
            closer = item["closer"] or (head.text if head else "")
            actors.extend(pending)
            why.extend(f"short form closed by {closer}" if x.how == "alias"
                       else f"{x.how}, in a list closed by {closer}" for x in pending)
            pending = []
            continue
        for x in names:
            if x.short:
                pending.append(x)
                continue
            if pending and x.text.endswith(rules.distributive_suffixes) and x.id not in rules.non_distributive:
                actors.extend(pending)
                why.extend(f"short form sharing the head of {x.text}" for _ in pending)
            pending = []
            actors.append(x)
            why.append(x.how)
    if not actors:
        return None
    return Chain(actors, pos, max(end, actors[-1].end), why)


_WORDS = ["公安机关", "公安部", "国务院", "工信", "市场监管", "电信", "金融", "互联网", "部门", "有关部门", "等",
          "、", "和", "会同", "各级", "省", "市", "要", "加强", "，", "人民银行", "银行", "的", "等有关部门",
          "市公安局", "公安", "机关", "国家"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14), st.data())
def test_chains_equal_the_plain_parse(rules, words, data):
    text = "".join(words)
    offs = list(accumulate(map(len, words), initial=0))
    names = find_names(text, words, offs, rules)
    names_at: dict[int, Name] = {}
    for name in names:
        names_at.setdefault(name.word, name)
    limit = data.draw(st.integers(0, len(text)))
    for pos in offs[:-1]:
        assert parse_chain(text, words, offs, names_at, pos, limit, rules) == _reference_chain(
            words, offs, names_at, pos, limit, rules
        )


def test_a_name_is_keyed_by_the_word_it_starts_in(rules):
    words = ["市公安局", "和", "公安机关"]
    offs = list(accumulate(map(len, words), initial=0))
    names = find_names("".join(words), words, offs, rules)
    assert [(n.text, n.start, n.word) for n in names] == [("公安局", 1, 0), ("公安机关", 5, 5)]


@pytest.mark.parametrize("phrase", [
    "工信、电信等部门要加强监管", "公安机关等有关部门依法处理", "金融、电信、互联网等行业主管部门要",
    "公安机关会同人民银行、市场监管部门", "各级公安机关和有关部门要", "市公安局、工信和电信等部门，",
    "国务院公安部门、电信主管部门等", "公安机关、", "电信、金融等机关", "人民银行等部门的职责",
])
def test_chains_of_real_phrases_equal_the_plain_parse(rules, phrase):
    words = build_segmenter(load_config()).cut(phrase)
    offs = list(accumulate(map(len, words), initial=0))
    names_at: dict[int, Name] = {}
    for name in find_names(phrase, words, offs, rules):
        names_at.setdefault(name.word, name)
    for pos in offs[:-1]:
        for limit in (len(phrase), offs[-2]):
            assert parse_chain(phrase, words, offs, names_at, pos, limit, rules) == _reference_chain(
                words, offs, names_at, pos, limit, rules
            )
