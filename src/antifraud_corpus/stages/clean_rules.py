"""`clean.yaml` checked and compiled: the junk rules (`find_junk`) and the white-space settings.

A line rule that is tied to the line start (`^来源：`) fails or matches at once, so runs of
them are joined into one alternation (`_steps`); rules that need a needle are tried only on
lines holding one (`line_needles`); inline rules are looked up by the needles a line holds.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..config import Config, compile_rule, per_config
from ..errors import ConfigError
from ..text.fastregex import FastPattern, any_needle, joined
from ..text.regex_facts import analyse
from ..text.wordtrie import trie_pattern

AFTER_END = "after-article-end"
DUPLICATE_TITLE = "duplicate-title"
FOOTER_LINKS = "footer-links"
HEADLINES = "related-headlines"


@dataclass(frozen=True, slots=True)
class LineRule:
    """A whole-line junk pattern: `id` becomes the reason `junk:<id>`."""

    id: str
    pattern: re.Pattern[str] | FastPattern
    max_chars: int | None = None
    weak: bool = False  # junk only next to another junk line
    in_articles: bool = False  # fires between the document's numbered headings too (markup, links)
    not_in_sentences: bool = False  # skips a line that reads as a sentence (words a law may use too)
    # Tried only on lines holding one of `JunkRules.line_needles`: a rule that looks through
    # the line for strings every match holds (one that `re` runs plain fails fast anyway).
    gated: bool = False
    anchored: bool = False  # tied to the line start (`^…`)


@dataclass(frozen=True, slots=True)
class _Step:
    """One call in trying the line rules on a line: one rule, or a run of anchored rules joined."""

    find: Callable[[str], re.Match[str] | None]
    rules: tuple[LineRule, ...]  # a joined step's match names its rule: group `_<index>`
    gated: bool


@dataclass(frozen=True, slots=True)
class InlineRule:
    """A junk pattern inside a kept line; `keep` names a group that stays, `unescape` decodes entities."""

    id: str
    pattern: FastPattern  # tried only where what a match needs is (`<`, `](`, `://`…)
    keep: str | None = None
    unescape: bool = False
    line_break: bool = False  # the text around `keep` becomes a line break, not nothing


@dataclass(frozen=True, slots=True)
class JunkRules:
    """`clean.yaml`, compiled for `find_junk`."""

    # Lines never junk: the numbered headings, the header notes and the other `keep_lines`.
    keep_lines: tuple[re.Pattern[str], ...]
    keep_steps: tuple[Callable[[str], Any], ...]  # `keep_lines` in calls (see `_steps`)
    keep_match: Callable[[str], Any]  # whether a line is kept: the steps in one call where they are one
    numbered_lines: tuple[re.Pattern[str], ...]
    numbered_match: Callable[[str], Any]  # whether a line is one of `numbered_lines`, in one call
    note_lines: tuple[re.Pattern[str], ...]
    invisible_re: re.Pattern[str] | None  # any of `whitespace.invisible`
    probe_strip: FastPattern | None
    probe_needles: re.Pattern[str] | None  # any needle of `probe_strip` (None: none known)
    line_rules: tuple[LineRule, ...]
    # The rules for a line of at most `step_limits[k]` characters (any length past the last
    # limit: the last entry), as steps: rules whose `max_chars` the line exceeds left out.
    step_limits: tuple[int, ...]
    line_steps: tuple[tuple[_Step, ...], ...]
    # Any needle of the gated line rules: a line without one is matched by none of them.
    line_needles: re.Pattern[str] | None
    # A line this finds nothing in gets no label from any line rule or the footer test (see
    # `_label_gate`); None: every line is tried.
    label_gate: re.Pattern[str] | None
    inline_rules: tuple[InlineRule, ...]
    # Any needle of any inline rule: a line without one has no inline junk.
    inline_needles: re.Pattern[str] | None
    # The same needles, each with the inline rules (indexes) that need it, looked for one by one
    # in a line that has one; and the rules that need none (tried on every such line).
    inline_by_needle: tuple[tuple[str, tuple[int, ...]], ...]
    inline_unneedled: frozenset[int]
    sentence_break: re.Pattern[str]  # a clause break: with `sentence_final` at the end, a sentence
    sentence_final: re.Pattern[str]
    footer_separators: FastPattern
    footer_needles: re.Pattern[str] | None  # any needle of `footer_separators` (None: none known)
    footer_min_items: int
    footer_max_item_chars: int
    not_footer: re.Pattern[str] | None
    title_head_lines: int
    title_min_chars: int
    title_max_chars: int
    tail_rules: frozenset[str]
    tail_max_chars: int
    tail_min_content_chars: int
    tail_min_position: float
    tail_min_content_anywhere: int
    resume: tuple[re.Pattern[str], ...]
    resume_search: Callable[[str], Any]  # whether one of `resume` is in a line, in one call where it is one
    headline_min_lines: int
    headline_min_chars: int
    headline_max_chars: int
    bullet: re.Pattern[str]
    bullet_min_position: float
    sentence_end: re.Pattern[str]
    closing: str  # closing quotes and brackets: stripped before a line's last character is read
    content_min_chars: int
    signature: tuple[re.Pattern[str], ...]
    structure: tuple[re.Pattern[str], ...]  # markdown headings, table rows: never a headline list


@dataclass(frozen=True, slots=True)
class WhitespaceRules:
    """`clean.yaml` `whitespace`, compiled for `find_whitespace`."""

    chars: str  # the white space inside a line (a regex character-class body)
    invisible: str  # the zero-width characters (each run of nothing but them goes)
    space_run: re.Pattern[str]
    blank: re.Pattern[str]  # nothing but white space (`space_run` or nothing)
    cjk: re.Pattern[str]
    heading_max_chars: int
    heading_punctuation: re.Pattern[str]
    keep_space_after: tuple[re.Pattern[str], ...]
    spaced_letters: re.Pattern[str]


# ---------------------------------------------------------------- config


def _compile(pattern: Any, where: str) -> re.Pattern[str]:
    return compile_rule(pattern, f"clean.yaml: {where}")


def _section(config: Config, key: str) -> Mapping[str, Any]:
    value = config["clean"].get(key) or {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"clean.yaml: '{key}' must be a mapping of settings")
    return value


def _patterns(values: Any, where: str) -> tuple[re.Pattern[str], ...]:
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ConfigError(f"clean.yaml: {where}: expected a list of regular expressions")
    return tuple(_compile(p, f"{where}[{i}]") for i, p in enumerate(values))


@per_config
def junk_rules(config: Config) -> JunkRules:
    """The junk rules of `clean.yaml`, compiled (once per config).

    Raises:
        ConfigError: a rule is malformed.
    """
    clean = config["clean"]
    line_rules = []
    for i, rule in enumerate(clean.get("line_rules") or ()):
        where = f"line_rules[{i}]"
        if not isinstance(rule, Mapping) or not rule.get("id"):
            raise ConfigError(f"clean.yaml: {where}: each rule needs 'id' and 'pattern'")
        pattern = FastPattern(_compile(rule.get("pattern"), where))
        fastest = pattern.fastest()
        line_rules.append(
            LineRule(
                str(rule["id"]),
                fastest,
                rule.get("max_chars"),
                bool(rule.get("weak")),
                bool(rule.get("in_articles")),
                bool(rule.get("not_in_sentences")),
                isinstance(fastest, FastPattern) and fastest.needles is not None and not fastest.anchored,
                pattern.anchored,
            )
        )
    inline_rules = []
    for i, rule in enumerate(clean.get("inline_rules") or ()):
        where = f"inline_rules[{i}]"
        if not isinstance(rule, Mapping) or not rule.get("id"):
            raise ConfigError(f"clean.yaml: {where}: each rule needs 'id' and 'pattern'")
        pattern = _compile(rule.get("pattern"), where)
        keep = rule.get("keep")
        if keep and keep not in pattern.groupindex:
            raise ConfigError(f"clean.yaml: {where}: keep group '{keep}' is not a named group of the pattern")
        if rule.get("line_break") and not keep:
            raise ConfigError(f"clean.yaml: {where}: 'line_break' needs a 'keep' group to break around")
        inline_rules.append(InlineRule(str(rule["id"]), FastPattern(pattern), keep, bool(rule.get("unescape")),
                                       bool(rule.get("line_break"))))
    footer = _section(config, "footer")
    title = _section(config, "title")
    tail = _section(config, "tail_markers")
    headlines = _section(config, "headline_list")
    sentence = _section(config, "sentence")
    invisible = str(_section(config, "whitespace")["invisible"])
    numbered_lines = _patterns(clean.get("numbered_lines"), "numbered_lines")
    note_lines = _patterns(clean.get("note_lines"), "note_lines")
    keep_lines = numbered_lines + note_lines + _patterns(clean.get("keep_lines"), "keep_lines")
    limits = sorted({int(r.max_chars) for r in line_rules if r.max_chars is not None})
    probe_strip = FastPattern(_compile(clean["probe_strip"], "probe_strip")) if clean.get("probe_strip") else None
    # (a keep pattern tried as a line rule would be: which of them matches does not matter)
    keep_steps = tuple(step.find for step in _steps([LineRule("keep", p, anchored=FastPattern(p).anchored)
                                                     for p in keep_lines]))
    footer_separators = FastPattern(_compile(footer["separators"], "footer.separators"))
    resume = _patterns(tail.get("resume"), "tail_markers.resume")
    return JunkRules(
        keep_lines=keep_lines,
        keep_steps=keep_steps,
        keep_match=keep_steps[0] if len(keep_steps) == 1 else lambda line: any(find(line) for find in keep_steps),
        numbered_lines=numbered_lines,
        numbered_match=_any_match(numbered_lines),
        note_lines=note_lines,
        invisible_re=re.compile(f"[{''.join(re.escape(c) for c in invisible)}]") if invisible else None,
        probe_strip=probe_strip,
        probe_needles=any_needle([probe_strip]) if probe_strip is not None else None,
        line_rules=tuple(line_rules),
        step_limits=tuple(limits),
        line_steps=tuple(_steps([r for r in line_rules if r.max_chars is None or r.max_chars >= limit])
                         for limit in [*limits, sys.maxsize]),
        line_needles=_needles_of(line_rules),
        label_gate=_label_gate(line_rules, footer_separators, int(footer["min_items"])),
        inline_rules=tuple(inline_rules),
        inline_needles=any_needle(r.pattern for r in inline_rules),
        inline_by_needle=_rules_by_needle(inline_rules),
        inline_unneedled=frozenset(i for i, r in enumerate(inline_rules) if r.pattern.needles is None),
        sentence_break=_compile(sentence["clause_break"], "sentence.clause_break"),
        sentence_final=_compile(sentence["end"], "sentence.end"),
        footer_separators=footer_separators,
        footer_needles=any_needle([footer_separators]),
        footer_min_items=int(footer["min_items"]),
        footer_max_item_chars=int(footer["max_item_chars"]),
        not_footer=_compile(footer["not_footer"], "footer.not_footer") if footer.get("not_footer") else None,
        title_head_lines=int(title["head_lines"]),
        title_min_chars=int(title["min_chars"]),
        title_max_chars=int(title["max_chars"]),
        tail_rules=frozenset(tail.get("rules") or ()),
        tail_max_chars=int(tail["max_chars"]),
        tail_min_content_chars=int(tail["min_content_chars"]),
        tail_min_position=float(tail["min_position"]),
        tail_min_content_anywhere=int(tail["min_content_chars_anywhere"]),
        resume=resume,
        resume_search=resume[0].search if len(resume) == 1 else lambda line: any(p.search(line) for p in resume),
        headline_min_lines=int(headlines["min_lines"]),
        headline_min_chars=int(headlines["min_chars"]),
        headline_max_chars=int(headlines["max_chars"]),
        bullet=_compile(headlines["bullet"], "headline_list.bullet"),
        bullet_min_position=float(headlines["bullet_min_position"]),
        sentence_end=_compile(headlines["sentence_end"], "headline_list.sentence_end"),
        closing=str(headlines["closing"]),
        content_min_chars=int(headlines["content_min_chars"]),
        signature=_patterns(headlines.get("signature"), "headline_list.signature"),
        structure=_patterns(headlines.get("structure"), "headline_list.structure"),
    )


def _steps(rules: list[LineRule]) -> tuple[_Step, ...]:
    """`rules` (tried in order, the first match wins) as calls: runs of anchored ones joined.

    Tied to the line start, such a rule fails or matches at once; its cost is the call. A
    run of them becomes one alternation (`fastregex.joined`) matched once at the start.
    """
    steps: list[_Step] = []
    run: list[LineRule] = []

    def close() -> None:
        both = joined([_plain(r.pattern) for r in run]) if len(run) > 1 else None
        if both is not None:
            steps.append(_Step(both.match, tuple(run), False))
        else:
            steps.extend(_Step(r.pattern.search, (r,), r.gated) for r in run)
        run.clear()

    for rule in rules:
        # (a rule that may skip a line lets the rules after it try: it cannot be one of a joined run)
        if rule.anchored and not rule.gated and not rule.not_in_sentences:
            run.append(rule)
            continue
        close()
        steps.append(_Step(rule.pattern.search, (rule,), rule.gated))
    close()
    return tuple(steps)


def _any_match(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], Any]:
    """A call that matches (is truthy) where one of `patterns` matches at the start of a line."""
    both = joined(patterns) if len(patterns) > 1 else None
    if both is not None:
        return both.match
    return lambda line: any(p.match(line) for p in patterns)


# Common characters of Chinese text: a rule whose first character may be most of them (`[^。，]`,
# `\S`) is gated by its needles instead (see `_label_gate`).
_COMMON_HAN = "的是在了有和这为我以要他时们到地于就对成可能过子说产种面而方多定行学所得经之进着等度家电力里"


def _label_gate(rules: list[LineRule], footer_separators: FastPattern, footer_min_items: int) -> re.Pattern[str] | None:
    """A regex that finds something in every line a line rule or the footer test can label, or None.

    Most lines of a document are its sentences: no rule can match them, and one search for
    what each rule needs (the first character of a rule tied to the line start, or a needle
    of the rule) tells so instead of a call per rule. A rule of which neither is known (a
    user's pattern that may match anywhere) turns the gate off.
    """
    firsts: list[str] = []
    needles: set[str] = set()
    for rule in rules:
        facts = analyse(_plain(rule.pattern))
        broad = facts.first is not None and sum(
            re.match(facts.first, char) is not None for char in _COMMON_HAN) > len(_COMMON_HAN) // 2
        if facts.anchored and facts.first is not None and not (broad and facts.needles):
            firsts.append(facts.first)
        elif facts.needles:
            needles.update(facts.needles)
        else:
            return None
    if footer_min_items > 1:  # (one item is a footer row: then any line may be one)
        if footer_separators.needles is None:
            return None
        needles.update(footer_separators.needles)
    else:
        return None
    parts = [f"^(?:{'|'.join(firsts)})"] if firsts else []
    if needles:
        parts.append(trie_pattern(sorted(needles)))
    try:
        return re.compile("|".join(parts)) if parts else None
    except re.error:  # pragma: no cover - a first-character class that stands alone only
        return None


def _rules_by_needle(rules: list[InlineRule]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    holders: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for needle in rule.pattern.needles or ():
            holders.setdefault(needle, []).append(index)
    return tuple((needle, tuple(indexes)) for needle, indexes in sorted(holders.items()))


def _plain(pattern: re.Pattern[str] | FastPattern) -> re.Pattern[str]:
    return pattern.pattern if isinstance(pattern, FastPattern) else pattern


def _needles_of(rules: list[LineRule]) -> re.Pattern[str] | None:
    return any_needle(r.pattern for r in rules if r.gated and isinstance(r.pattern, FastPattern))


@per_config
def whitespace_rules(config: Config) -> WhitespaceRules:
    """The `whitespace` settings of `clean.yaml`, compiled (once per config)."""
    ws = _section(config, "whitespace")
    chars = str(ws["chars"])
    invisible = "".join(sorted(set(str(ws["invisible"]))))
    inv = "".join(re.escape(c) for c in invisible)
    space_run = _compile(f"[{chars}{inv}]+", "whitespace.chars")
    cjk = _compile(ws["cjk"], "whitespace.cjk")
    return WhitespaceRules(
        chars=chars,
        invisible=invisible,
        space_run=space_run,
        blank=_compile(f"[{chars}{inv}]*", "whitespace.chars"),
        cjk=cjk,
        heading_max_chars=int(ws["heading_max_chars"]),
        heading_punctuation=_compile(
            ws["heading_punctuation"], "whitespace.heading_punctuation"
        ),
        keep_space_after=_patterns(ws.get("keep_space_after"), "whitespace.keep_space_after"),
        spaced_letters=_compile(f"^(?:{cjk.pattern}[{chars}]+){{2,}}{cjk.pattern}$", "whitespace.cjk"),
    )
