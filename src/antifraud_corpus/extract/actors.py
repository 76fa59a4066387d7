"""Actors: names of bodies in a unit, and which of them is the subject that must act.

Names come from the lexicon in `configs/actors.yaml` (alias → taxonomy id). A
name counts only where the segmenter cuts it out as whole words, so `银行卡`
holds no `银行`. The subject is parsed as a coordination (`A、B和C`, `A会同B`,
`工信、市场监管等部门`) that opens the comma-part of a modal word (or the
unit, for a topic set off by a comma), or that follows `由` in a penalty
clause, or follows an encouraging `鼓励`/`支持` (`国家支持X` → X). Names after
a steering verb (`指导`, `督促`, `压实`…) are targets, not actors.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ExtractError
from ..text.wordtrie import compile_words
from .agencies import AgencyRules, find_agencies, unknown_field_agencies
from .lexicon import word_set


@dataclass(slots=True)
class Name:
    """An actor name found in a unit; offsets relative to the unit."""

    id: str
    text: str
    start: int
    end: int
    short: bool  # a bare sector word (`工信`): an actor only inside a closed coordination
    word: int  # start of the word it starts in (a name fused with a place prefix starts inside one)
    how: str = "alias"  # what found it: the lexicon, or the agency grammar with the field that mapped it


@dataclass(slots=True)
class Chain:
    """A parsed coordination of names: the actors it yields and where it ends."""

    actors: list[Name]
    start: int
    end: int
    rules: list[str] = field(default_factory=list)  # one per actor
    # one per actor: the head a short form shares (`部门` for 公安 in `公安、电信等部门`), "" for a full name
    heads: list[str] = field(default_factory=list, compare=False)


@dataclass(frozen=True, slots=True)
class ActorRules:
    """Compiled `actors.yaml`."""

    names_re: re.Pattern[str]
    entries: Mapping[str, tuple[str, bool]]  # alias or short form -> (id, short)
    closers: frozenset[str]
    closer_ids: frozenset[str]
    connectors: frozenset[str]
    distributive_suffixes: tuple[str, ...]
    non_distributive: frozenset[str]
    owner_endings: tuple[str, ...]  # an owner's name as written ends in an owner (`县级以上人民政府`)
    prefixes: frozenset[str]
    place_suffixes: frozenset[str]
    pre_marker: frozenset[str]
    object_prepositions: frozenset[str]
    not_after: frozenset[str]
    co_actor_verbs: frozenset[str]
    target_verbs: frozenset[str]
    subject_words: frozenset[str]
    salutation_max: int
    salutation_window: int
    agencies: AgencyRules | None = None  # names by shape, for bodies the lexicon does not list
    aliases: frozenset[str] = frozenset()  # the lexicon's full names (no short forms)
    canonical: Mapping[str, str] = field(default_factory=dict)  # id -> its name (for a party named by activity)
    scope_words: tuple[str, ...] = ()  # dropped from the front of an agency's name, longest first
    not_in_roles: frozenset[str] = frozenset()  # words that never describe a party (verbs acting on one)

    @classmethod
    def from_config(
        cls, cfg: Mapping[str, Any], taxonomy: Mapping[str, Any], agencies: Mapping[str, Any] | None = None
    ) -> ActorRules:
        known = set((taxonomy.get("actors") or {}).keys())
        entries: dict[str, tuple[str, bool]] = {}
        for actor_id, entry in (cfg.get("actors") or {}).items():
            if known and actor_id not in known:
                raise ExtractError(
                    f"actors.yaml: actor '{actor_id}' is not in taxonomy.yaml; map it onto a taxonomy id"
                )
            for short, names in ((False, entry.get("aliases") or ()), (True, entry.get("short") or ())):
                for name in names:
                    name = str(name)
                    if name in entries and entries[name][0] != actor_id:
                        other = entries[name][0]
                        raise ExtractError(
                            f"actors.yaml: '{name}' is listed for both {other} and {actor_id}; keep one"
                        )
                    entries[name] = (actor_id, short)
        coord = cfg.get("coordination") or {}
        collective = cfg.get("collective") or {}
        heads = [str(h) for h in cfg.get("generic_heads") or ()]
        return cls(
            names_re=compile_words(entries),
            entries=entries,
            closers=frozenset(h for h in heads if h not in entries),
            closer_ids=frozenset(entries[h][0] for h in heads if h in entries) | {"departments"},
            connectors=word_set(coord, "connectors"),
            distributive_suffixes=tuple(map(str, coord.get("distributive_suffixes") or ())),
            non_distributive=word_set(coord, "non_distributive"),
            owner_endings=tuple(word_set(coord, "owners")),
            prefixes=word_set(coord, "prefixes"),
            place_suffixes=word_set(coord, "place_suffixes"),
            pre_marker=word_set(coord, "pre_marker"),
            object_prepositions=word_set(coord, "object_prepositions"),
            not_after=word_set(coord, "not_after"),
            co_actor_verbs=word_set(coord, "co_actor_verbs"),
            target_verbs=word_set(cfg, "target_verbs"),
            subject_words=word_set(collective, "subject_words"),
            salutation_max=int(collective["salutation_max_chars"]),
            salutation_window=int(collective["salutation_window"]),
            agencies=AgencyRules.from_config(agencies, frozenset(cfg.get("actors") or ())) if agencies else None,
            aliases=frozenset(name for name, (_, short) in entries.items() if not short),
            canonical={str(k): str(v.get("name") or k) for k, v in (cfg.get("actors") or {}).items()},
            scope_words=tuple(sorted(map(str, coord.get("scope_words") or ()), key=len, reverse=True)),
            # (nor does a list's 等 or head: `公安、网信等部门和电信业务经营者` is three parties)
            not_in_roles=(word_set(cfg, "target_verbs") | word_set(coord, "co_actor_verbs")
                          | word_set(coord, "object_prepositions") | set(heads) | {"等"}),
        )


def find_names(
    text: str, words: list[str], offs: list[int], rules: ActorRules, lo: int = 0, hi: int | None = None
) -> list[Name]:
    """Actor names in `text[lo:hi]` that the segmenter cuts out as whole words.

    `words` are the words of `text[lo:hi]`, `offs` their offsets in `text` (plus the end).

    A name must start and end on word boundaries; a name fused to a place or scope
    prefix inside one word (`市公安局`) still counts, a name inside a longer word
    (`银行卡`) does not; where the longest name ends inside a word, a shorter one
    ending on a boundary is tried.
    """
    if not rules.entries:
        return []
    hi = len(text) if hi is None else hi
    found = _lexicon_names(text, offs, rules, lo, hi)
    if rules.agencies is None:
        return found
    grammar = _grammar_names(text, words, offs, rules, rules.agencies, lo, hi)
    return _merge_names(found, grammar) if grammar else found


def _lexicon_names(text: str, offs: list[int], rules: ActorRules, lo: int, hi: int) -> list[Name]:
    found: list[Name] = []
    n = len(offs)
    ti = 0
    for m in rules.names_re.finditer(text, lo, hi):
        a, b = m.span()
        ti = bisect.bisect_right(offs, a, ti) - 1  # (names come in order)
        if offs[ti] != a and not _prefixed(text[offs[ti] : a], rules):
            continue
        tj = ti + 1  # the word where the name ends: one or a few on
        while tj < n and offs[tj] < b:
            tj += 1
        if tj >= n or offs[tj] != b:
            # the longest name ends inside a word: try a shorter one ending on a boundary
            b = next((offs[k] for k in range(tj - 1, ti, -1) if text[a : offs[k]] in rules.entries), -1)
            if b <= a:
                continue
        name = m.group() if b == m.end() else text[a:b]
        actor_id, short = rules.entries[name]
        found.append(Name(actor_id, name, a, b, short, offs[ti]))
    return found


def _prefixed(before: str, rules: ActorRules) -> bool:
    """Whether a name may start inside a word after `before` (`市公安局`: a place or scope prefix)."""
    return before in rules.prefixes or before[-1:] in rules.place_suffixes


def _grammar_names(
    text: str, words: list[str], offs: list[int], rules: ActorRules, grammar: AgencyRules, lo: int, hi: int
) -> list[Name]:
    """Agencies found by their shape whose name starts and ends on word boundaries."""
    out: list[Name] = []
    candidates = [*find_agencies(text, lo, hi, grammar, rules.aliases),
                  *unknown_field_agencies(text, words, offs, lo, hi, grammar)]
    for agency in candidates:
        a, b = agency.start, agency.end
        ti = bisect.bisect_right(offs, a) - 1
        tj = bisect.bisect_left(offs, b, ti)
        if tj >= len(offs) or offs[tj] != b or offs[ti] != a and not _prefixed(text[offs[ti] : a], rules):
            continue
        if agency.described and not rules.not_in_roles.isdisjoint(words[ti:tj]):
            continue  # a verb or preposition before the party (`督促……提供者`): no description of it
        out.append(Name(agency.id, text[a:b], a, b, False, offs[ti], agency.how))
    return out


def _merge_names(lexicon: list[Name], grammar: list[Name]) -> list[Name]:
    """The names of both sources without overlaps: leftmost first, then the longer, the lexicon's on a tie."""
    ranked = sorted([*lexicon, *grammar], key=lambda x: (x.start, -(x.end - x.start), x.how != "alias"))
    out: list[Name] = []
    end = -1
    for name in ranked:
        if name.start >= end:
            out.append(name)
            end = name.end
    return out


def parse_chain(
    text: str,
    words: list[str],
    offs: list[int],
    names_at: Mapping[int, Name],
    pos: int,
    limit: int,
    rules: ActorRules,
) -> Chain | None:
    """Parse a coordinated subject starting at `pos` (and ending before `limit`).

    Returns the chain's actors (short forms only where the coordination is closed by
    a generic head or a departmental name) or None when no name opens `pos`.
    """
    n = len(words)
    i = bisect.bisect_right(offs, pos) - 1  # the word starting at or holding `pos`
    if i < 0 or i >= n:
        return None
    connectors = rules.connectors
    # the coordinated items: (names, closed by 等, closing head word, a sector word without a name)
    items: list[tuple[list[Name], bool, str | None, bool]] = []
    names: list[Name] = []
    et = unknown = False
    closer: str | None = None
    end = pos
    while i < n and offs[i] < limit:
        name = names_at.get(offs[i])
        if name is not None and name.end <= limit:
            names.append(name)
            end = name.end
            # on to the word where the name ends (it may span several)
            j = i + 1
            while offs[j] < end:
                j += 1
            if offs[j] != end:
                break  # a name ending inside a word (rare): stop there
            i = j
            continue
        w = words[i]
        if names or unknown:  # (`等` only follows a name or a sector word)
            if w in connectors:
                items.append((names, et, closer, unknown))
                names, et, closer, unknown = [], False, None, False
                i += 1
                continue
            if w == "等":
                et = True
                i += 1
                continue
            if w in rules.closers:
                closer = w
                end = offs[i] + len(w)
                if i + 2 < n and words[i + 1] in connectors and offs[i + 2] in names_at:
                    # the list goes on after its head (`公安、网信等部门和电信业务经营者`)
                    items.append((names, et, closer, unknown))
                    names, et, closer, unknown = [], False, None, False
                    i += 2
                    continue
            break
        if w in rules.prefixes or (1 < len(w) <= 6 and w[-1] in rules.place_suffixes):
            i += 1
            continue
        span = sector_span(words, i, connectors) if items else 0
        if span:
            # a sector word inside a list (`金融、电信、互联网等…`): with the agency grammar, an
            # agency of a field it does not know once the list is closed (`住房城乡建设等部门`)
            if rules.agencies is None:
                unknown = True
            else:
                names.append(_sector_name(words, offs, i, span, rules.agencies))
            i += span
            continue
        break
    if names or closer or unknown:
        items.append((names, et, closer, unknown))
    elif not items:
        return None  # (most calls: no name opens `pos`)
    if not any(item[0] for item in items):
        return None
    if not items[-1][0] and not items[-1][2]:
        # a dangling connector or sector word: the chain is what came before it
        items.pop()
        if not items:
            return None
    actors: list[Name] = []
    why: list[str] = []
    heads: list[str] = []
    pending: list[Name] = []
    for item_names, item_et, item_closer, _ in items:
        names = _fold_owners(item_names, rules)
        head = names[-1] if names else None
        closes = item_closer is not None or (
            item_et and head is not None and not head.short and head.id in rules.closer_ids
        )
        if closes:
            if head is not None and not head.short and item_closer is None:
                names = names[:-1]  # `等有关部门` closes the list and names no actor of its own
            for x in names:
                if x.short:
                    pending.append(x)
                else:
                    actors.append(x)
                    why.append(x.how)
                    heads.append("")
            closed_by = item_closer or (head.text if head else "")
            actors += pending
            why += [_closed_why(x, closed_by) for x in pending]
            heads += [closed_by.lstrip("等").removeprefix("有关").removeprefix("相关")] * len(pending)
            pending = []
            continue
        for x in names:
            if x.short:
                pending.append(x)
                continue
            if pending and x.text.endswith(rules.distributive_suffixes) and x.id not in rules.non_distributive:
                # the short forms share this name's head (`工信、公安部门`)
                actors += pending
                why += [f"short form sharing the head of {x.text}"] * len(pending)
                heads += [next(h for h in rules.distributive_suffixes if x.text.endswith(h))] * len(pending)
            pending = []
            actors.append(x)
            why.append(x.how)
            heads.append("")
    if not actors:
        return None
    chain_end = max(end, actors[-1].end)
    return Chain(actors, pos, chain_end, why, heads)


def _closed_why(name: Name, closed_by: str) -> str:
    if name.how == "alias":
        return f"short form closed by {closed_by}"
    return f"{name.how}, in a list closed by {closed_by}"


def agency_name(name: Name, head: str, rules: ActorRules) -> str:
    """The agency's name as written, normalised: scope words dropped, a short form with its shared head.

    `各级公安机关` → `公安机关`; 公安 in `公安、电信等部门` → `公安部门`. Levels stay
    (`国务院反洗钱行政主管部门`, `县级以上生态环境部门`): they tell agencies apart.
    """
    text = name.text + head if name.short else name.text
    for scope in rules.scope_words:
        # (only where what is left is a name: `各地区各部门` stays whole)
        if text.startswith(scope) and (text[len(scope) :] in rules.aliases or name.how != "alias"):
            return text[len(scope) :]
    return text


def sector_span(words: list[str], i: int, connectors: frozenset[str]) -> int:
    """How many words (one, or two: `住房`+`城乡建设`) make a sector word at `words[i]` before a connector or 等."""
    n = len(words)
    w = words[i]
    if not "\u4e00" <= w[0] <= "\u9fff":
        return 0
    for span in (1, 2):
        if i + span >= n or len("".join(words[i : i + span])) > 2 + 2 * span:
            return 0
        if span == 2 and not "\u4e00" <= words[i + 1][0] <= "\u9fff":
            return 0
        if words[i + span] in connectors or words[i + span] == "等":
            return span
    return 0


def _sector_name(words: list[str], offs: list[int], i: int, span: int, grammar: AgencyRules) -> Name:
    """A sector word of a list as a short form of an agency of a field the grammar does not know."""
    field = "".join(words[i : i + span])
    actor_id = grammar.unknown_field_id
    return Name(actor_id, field, offs[i], offs[i + span], True, offs[i],
                f"agency grammar: field {field} (not listed) → {actor_id}")


def _fold_owners(names: list[Name], rules: ActorRules) -> list[Name]:
    """Adjacent names without a connector: an owner before a body is no actor (`国务院公安部门`)."""
    if len(names) < 2:
        return names
    kept = []
    for k, x in enumerate(names):
        nxt = names[k + 1] if k + 1 < len(names) else None
        if nxt is not None and x.end == nxt.start and x.text.endswith(rules.owner_endings):
            continue
        kept.append(x)
    return kept


def names_after(
    text: str,
    words: list[str],
    offs: list[int],
    names_at: Mapping[int, Name],
    token: int,
    limit: int,
    rules: ActorRules,
) -> Chain | None:
    """The coordination right after token `token` (skipping scope prefixes)."""
    if token + 1 >= len(words):
        return None
    return parse_chain(text, words, offs, names_at, offs[token + 1], limit, rules)


def chain_is_subject(text: str, chain: Chain, rules: ActorRules) -> bool:
    """A chain followed by `的`/`之` modifies a noun (`公安机关的职责`) and is no subject."""
    after = text[chain.end : chain.end + 1]
    return after not in rules.not_after
