"""Agency grammar: bodies the actor lexicon does not list, recognised by the shape of their name.

A law names its agencies by level, field and head (`国务院` + `反洗钱` +
`行政主管部门`), by the role a party plays (`关键信息基础设施的运营者`,
`其运营、使用单位`) or by the duty it bears (`负责……保护工作的部门`). The
shapes, and the field or role that maps a name onto a taxonomy id, are data in
`configs/agencies.yaml`; this module compiles them once into a few regexes and
finds the candidate names of a stretch of text. `actors.find_names` merges
them with the lexicon's names (the longer wins; the lexicon on a tie).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import compile_rule
from ..errors import ExtractError
from ..text.fastregex import FastPattern, accelerate
from ..text.wordtrie import trie_pattern
from .lexicon import word_set

# A role's description opens a comma-part (after punctuation or the start of the text) or follows
# one of these connectors; a pronoun before it is no part of the name.


@dataclass(frozen=True, slots=True)
class Agency:
    """A candidate agency name: where it stands, its id and the rule (with the field) that mapped it."""

    start: int
    end: int
    id: str
    how: str
    described: bool = False  # a role after a description, whose words the caller checks


@dataclass(frozen=True, slots=True)
class AgencyRules:
    """Compiled `agencies.yaml`."""

    agency_re: re.Pattern[str]  # prefix* field head (behind a lookahead on its first two characters)
    field_ids: Mapping[str, str]
    role_re: re.Pattern[str]  # the role heads; the description before one is read backwards
    role_ids: Mapping[str, str]
    role_max: int
    role_connectors: frozenset[str]  # a description may start after one inside a longer run
    role_pronouns: frozenset[str]  # left out at a description's start
    # (each accelerated: `(?:依法)?负责…` opens with an optional group, which `re` tries at every position)
    phrases: tuple[tuple[re.Pattern[str] | FastPattern, str], ...]
    activities: tuple[tuple[re.Pattern[str], str], ...]  # 的-phrases naming a party by what it does
    government_heads_re: re.Pattern[str]
    prefixes: frozenset[str]
    not_fields: frozenset[str]
    unknown_field_id: str

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], known: frozenset[str]) -> AgencyRules:
        """Compile the grammar; every id must be one of `known` (the actor lexicon's ids).

        Raises:
            ExtractError: an id outside the lexicon, or a bad pattern.
        """

        def checked(actor_id: Any, where: str) -> str:
            actor_id = str(actor_id)
            if known and actor_id not in known:
                raise ExtractError(f"agencies.yaml: {where}: actor '{actor_id}' is not in actors.yaml; "
                                   "map it onto an actor id")
            return actor_id

        field_ids = _by_word(cfg.get("fields") or {}, checked, "fields")
        role_ids = _by_word(cfg.get("roles") or {}, checked, "roles")
        prefixes = word_set(cfg, "prefixes")
        heads = word_set(cfg, "heads")
        agency = f"(?:{trie_pattern(prefixes)})*(?P<field>{trie_pattern(field_ids)})(?:{trie_pattern(heads)})"
        # `re` tries the optional prefixes at every position: a lookahead on the two characters an
        # agency can open with turns away almost all of them with two set tests (the same matches)
        agency = _opening_lookahead(prefixes, field_ids, heads) + f"(?:{agency})"

        def patterns(key: str) -> tuple[tuple[re.Pattern[str], str], ...]:
            return tuple((compile_rule(p.get("pattern"), f"agencies.yaml: {key}[{k}]"),
                          checked(p.get("id"), f"{key}[{k}]"))
                         for k, p in enumerate(cfg.get(key) or ()))

        return cls(
            agency_re=re.compile(agency),
            field_ids=field_ids,
            role_re=re.compile(trie_pattern(role_ids)),
            role_ids=role_ids,
            role_max=int(cfg["role_max_chars"]),
            role_connectors=word_set(cfg, "role_connectors"),
            role_pronouns=word_set(cfg, "role_pronouns"),
            phrases=tuple((accelerate(pattern), actor_id) for pattern, actor_id in patterns("duty_phrases")),
            activities=patterns("activity_subjects"),
            government_heads_re=re.compile(trie_pattern(word_set(cfg, "government_heads"))),
            prefixes=prefixes,
            not_fields=word_set(cfg, "not_fields"),
            unknown_field_id=checked(cfg["unknown_field_id"], "unknown_field_id"),
        )


def _opening_lookahead(prefixes: Iterable[str], fields: Iterable[str], heads: Iterable[str]) -> str:
    """A lookahead for the first two characters of `prefix* field head` (any word may be one character).

    A name opens with a prefix or a field; after a one-character prefix comes a prefix or a
    field, after a one-character field a head.
    """
    prefix_set, field_set = {w for w in prefixes if w}, {w for w in fields if w}
    openers = prefix_set | field_set
    firsts: set[str] = set()
    seconds: set[str] = set()
    for word in openers:
        firsts.add(word[0])
        if len(word) > 1:
            seconds.add(word[1])
            continue
        if word in prefix_set:
            seconds.update(w[0] for w in openers)
        if word in field_set:
            seconds.update(w[0] for w in heads if w)
    if not firsts or not seconds:
        return ""  # (no field or no head: the pattern matches nothing anyway)
    return f"(?=[{''.join(map(re.escape, sorted(firsts)))}][{''.join(map(re.escape, sorted(seconds)))}])"


def _by_word(section: Mapping[str, Any], checked: Any, where: str) -> dict[str, str]:
    """`{id: [words]}` as `{word: id}`; a word under two ids is an error."""
    out: dict[str, str] = {}
    for actor_id, words in section.items():
        actor_id = checked(actor_id, where)
        for word in words or ():
            word = str(word)
            if out.setdefault(word, actor_id) != actor_id:
                raise ExtractError(f"agencies.yaml: {where}: '{word}' is listed for both {out[word]} and "
                                   f"{actor_id}; keep one")
    return out


def find_agencies(
    text: str, lo: int, hi: int, rules: AgencyRules, aliases: Container[str]
) -> Iterator[Agency]:
    """Agency names in `text[lo:hi]` by field, role or duty (overlapping; word boundaries unchecked).

    `aliases` holds the actor lexicon's full names: a role whose description holds one
    (`个人发现网络运营者`) describes an act of that actor, not a party.
    """
    for m in rules.agency_re.finditer(text, lo, hi):
        field = m.group("field")
        actor_id = rules.field_ids[field]
        yield Agency(m.start(), m.end(), actor_id, f"agency grammar: field {field} → {actor_id}")
    floor = lo
    for m in rules.role_re.finditer(text, lo, hi):
        a = m.start()
        start = _description_start(text, floor, a, rules)
        floor = m.end()
        if start < 0:
            continue
        desc = text[start:a]
        if desc.endswith("、") or _holds_alias(desc, aliases):
            continue
        role = m.group()
        actor_id = rules.role_ids[role]
        yield Agency(start, m.end(), actor_id, f"agency grammar: role {role} → {actor_id}", bool(desc))
    for pattern, actor_id in rules.phrases:
        for m in pattern.finditer(text, lo, hi):
            yield Agency(m.start(), m.end(), actor_id, f"agency grammar: duty phrase → {actor_id}")


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _description_start(text: str, floor: int, head: int, rules: AgencyRules) -> int:
    """Where the description of the role at `head` starts, or -1 where it stands in no subject's place.

    The earliest start at most `rules.role_max` characters back (and not before `floor`) that
    opens a comma-part or follows a connector, over CJK characters (and 、 between them).
    """
    p = head
    limit = max(floor, head - rules.role_max)
    while p > limit and (_cjk(text[p - 1]) or text[p - 1] == "、" and _cjk(text[p])):
        p -= 1
    if p > 0 and (_cjk(text[p - 1]) or text[p - 1] == "、"):
        # the run goes on past the limit: a start after a connector inside it, if any
        p = next((q for q in range(p + 1, head + 1) if text[q - 1] in rules.role_connectors), -1)
        if p < 0:
            return -1
    if p < head and text[p] in rules.role_pronouns:
        p += 1
    return p


def _holds_alias(desc: str, aliases: Container[str]) -> bool:
    """Whether a description names an actor itself (`个人发现…`): it describes an act, not a party."""
    return any(desc[k:j] in aliases for k in range(len(desc)) for j in range(k + 2, min(len(desc), k + 12) + 1))


def activity_subject(part: str, rules: AgencyRules) -> tuple[str, str] | None:
    """The actor id a 的-phrase part names by its activity (`提供……服务的`), with the rule; else None."""
    for pattern, actor_id in rules.activities:
        if pattern.search(part):
            return actor_id, f"agency grammar: activity '{part}' → {actor_id}"
    return None


def unknown_field_agencies(
    text: str, words: list[str], offs: list[int], lo: int, hi: int, rules: AgencyRules
) -> Iterator[Agency]:
    """`X部门` with a field X this grammar does not know: the word before a government head.

    Only a whole word of two to six CJK characters counts as the field, after
    optional prefix words (`县级以上住建部门`).
    """
    for m in rules.government_heads_re.finditer(text, lo, hi):
        a, b = m.span()
        i = bisect.bisect_left(offs, a)
        if i <= 0 or i >= len(offs) or offs[i] != a or (j := bisect.bisect_left(offs, b, i)) >= len(offs) \
                or offs[j] != b:
            continue
        field = words[i - 1]
        if not 2 <= len(field) <= 6 or not all(map(_cjk, field)) \
                or field in rules.not_fields or field in rules.prefixes or field.endswith("的"):
            continue
        k = i - 1
        while k > 0 and words[k - 1] in rules.prefixes:
            k -= 1
        actor_id = rules.unknown_field_id
        yield Agency(offs[k], b, actor_id, f"agency grammar: field {field} (not listed) → {actor_id}")
