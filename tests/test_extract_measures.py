"""Measure scoring: the body-wide cue scan and the per-unit choice equal a plain per-unit reference."""

from __future__ import annotations

import bisect
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import load_config
from antifraud_corpus.errors import ExtractError
from antifraud_corpus.extract import compile_rules, extract_duties
from antifraud_corpus.extract.measures import MeasureRules, choose_measures, cue_hits, part_marks


@pytest.fixture(scope="module")
def rules() -> MeasureRules:
    return compile_rules(load_config()).measures


@pytest.fixture(scope="module")
def weights() -> dict:
    return load_config().plain("measures")["weights"]


def _reference(
    text: str, lo: int, hi: int, offs: list[int], names: list[tuple[int, int, bool]], action_start: int,
    rules: MeasureRules, weights: dict,
) -> list[tuple]:
    """The measures of `text[lo:hi]`, computed for the unit alone, cue by cue."""
    bounds = set(offs)
    purpose_re = re.compile("|".join(sorted(weights["purpose_starts"], key=len, reverse=True)))
    opens = tuple(weights["modifier_opens"])
    excluded = [(a, b) for a, b, short in names if lo <= a < hi and not short]
    marks = [m.end() for m in re.finditer(r"[，,：:；;]", text)]
    parts = [lo] + [p for p in marks if lo < p <= hi]
    action_part = bisect.bisect_right(parts, action_start) - 1
    titles = [m.span() for m in re.finditer("《[^《》\n]{1,80}》", text)]
    modifiers = [m.span() for m in re.finditer(f"(?:{'|'.join(opens)})[^，,；;：:。！？\n的]{{1,30}}的(?![，,])", text)]
    cues = []  # (measure, cue, start, end, weight, place, lexicon weight)
    for m in rules.cue_re.finditer(text):
        a, b = m.span()
        if not lo <= a < hi or b - a <= 2 and not (a in bounds and b in bounds):
            continue
        if any(x <= a < y or x < b <= y for x, y in excluded):
            continue
        k = bisect.bisect_right(parts, a) - 1
        start = parts[k]
        nxt = next((p for p in marks if p > start), None)
        before = k < action_part or k == action_part and a < action_start
        if any(x <= a and b <= y for x, y in titles):
            place = "title"
        elif before and any(x <= a and b <= y for x, y in modifiers):
            place = "modifier"
        elif k == action_part and a < action_start:
            place = "topic"
        else:
            stripped = start
            while stripped < len(text) and text[stripped] in " \u3000":
                stripped += 1
            if purpose_re.match(text, stripped):
                place = "purpose"
            elif (nxt is not None and nxt <= hi and text[nxt - 1] in "，," and nxt - 2 >= start
                  and text[nxt - 2] in weights["condition_ends"] and not text.startswith(opens, start)):
                place = "condition"
            elif k == action_part:
                place = "head" if a < action_start + weights["head_chars"] else "object"
            else:
                place = "lead" if k < action_part else "body"
        for measure, weight, _ in rules.cues[m.group()]:
            cues.append((measure, m.group(), a, b, weight * rules.place_weight[place], place, weight))
    score: dict[str, float] = {}
    by: dict[str, list[tuple]] = {}
    strong: set[str] = set()
    for cue in cues:
        if cue[4] <= 0:
            continue
        score[cue[0]] = score.get(cue[0], 0.0) + cue[4]
        by.setdefault(cue[0], []).append(cue)
        if cue[6] >= weights["strong"]:
            strong.add(cue[0])
    # a measure whose cues all stand in conditions is none
    for m in [m for m in score if all(c[5] == "condition" for c in by[m])]:
        del score[m]
    if not score:
        return []
    ranked = sorted(score, key=score.__getitem__, reverse=True)
    floor = max(rules.min_score, rules.relative * score[ranked[0]])
    kept = [m for m in ranked if score[m] >= floor and (m in strong or len({c[1] for c in by[m]}) >= 2)]
    out = []
    for m in (kept or ranked[:1])[: rules.max_per]:
        best = max(by[m], key=lambda c: c[4])
        out.append((m, score[m], [(c[1], c[5], c[4]) for c in by[m]], best[2], best[3], best[1], best[5]))
    return out


_PIECES = ["加强", "宣传", "教育", "打击", "冻结", "资金", "互联网", "互联", "监管", "技术", "反制", "公安机关",
           "为", "防止", "，", "；", "：", ",", " ", "\u3000", "。", "建立", "机制", "治理", "的", "对于", "《", "》",
           "罚款", "依法"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30),
    st.data(),
)
def test_body_scan_and_choice_equal_the_plain_unit_scoring(rules, weights, pieces, data):
    text = "".join(pieces)
    # any segmentation of the text into words
    cut_at = data.draw(st.sets(st.integers(1, max(1, len(text) - 1))))
    offs = sorted({0, len(text)} | {c for c in cut_at if c < len(text)})
    # actor names: non-overlapping spans, some of them short forms
    names: list[tuple[int, int, bool]] = []
    pos = 0
    for a in sorted(data.draw(st.sets(st.integers(0, len(text) - 1), max_size=4))):
        if a >= pos:
            b = data.draw(st.integers(a + 1, min(len(text), a + 4)))
            names.append((a, b, data.draw(st.booleans())))
            pos = b
    lo = data.draw(st.integers(0, len(text) - 1))
    hi = data.draw(st.integers(lo + 1, len(text)))
    action_start = data.draw(st.integers(lo, hi))
    _check(text, offs, names, lo, hi, action_start, rules, weights)


@pytest.mark.parametrize("text", ["加强宣传教育，加强宣传教育。", "宣传宣传，教育教育；为宣传", "冻结资金 冻结资金"])
def test_ties_go_to_the_first_cue(rules, weights, text):
    offs = sorted({0, len(text)} | set(range(0, len(text), 2)))
    _check(text, offs, [], 0, len(text), 0, rules, weights)
    marks = part_marks(text, 0, len(text))
    chosen = choose_measures(text, 0, len(text), cue_hits(text, 0, len(text), offs, {}, marks, rules), 0, marks, {},
                             rules)
    assert chosen and all(best[0] == text.index(best[2]) for _, _, _, best, _ in chosen)


def test_a_name_after_the_unit_does_not_hide_a_cue_that_runs_into_it(rules, weights):
    # `宣传` starts in the unit `宣` and ends in a name that starts after it
    _check("宣传", [0, 2], [(0, 1, True), (1, 2, False)], 0, 1, 0, rules, weights)


def _check(
    text: str, offs: list[int], names: list[tuple[int, int, bool]], lo: int, hi: int, action_start: int,
    rules: MeasureRules, weights: dict,
) -> None:
    named = {k: a for a, b, short in names if not short for k in range(a, b)}
    marks = part_marks(text, 0, len(text))
    hits = [h for h in cue_hits(text, 0, len(text), offs, named, marks, rules) if lo <= h[0] < hi]
    got = [(m, score, counted, best[0], best[1], best[2], place)
           for m, score, counted, best, place in choose_measures(text, lo, hi, hits, action_start, marks, {}, rules)]
    assert got == _reference(text, lo, hi, offs, names, action_start, rules, weights)


def test_purpose_parts_skip_leading_blanks(rules):
    assert rules.purpose_re.match(" \u3000防止资金流失", 0)
    assert rules.purpose_re.match("加强防止", 0) is None


# ---------------------------------------------------------------- cues in context (handmade sentences)


def _measures(text: str) -> list[tuple[list[str], list[str]]]:
    """(actor ids, measure ids) of each directive of `text`."""
    config = load_config()
    return [(d.actor_ids, d.measure_ids) for d in extract_duties(text, [], config)]


def test_a_cue_inside_a_condition_gives_no_measure():
    # `窃取` (an offence) only says when the penalty applies; the penalty is the measure
    assert _measures("单位或者个人窃取他人数据的，由市场监管部门责令改正。") == [
        (["market_regulator"], ["industry_regulation"])]


def test_a_cue_in_a_topic_modifier_alone_gives_no_measure_but_the_action_does():
    assert _measures("对监测识别的异常号码，电信业务经营者应当及时冻结账户。") == [
        (["telecom_operator"], ["fund_control"])]


def test_a_cue_inside_a_cited_title_gives_no_measure():
    assert _measures("各部门应当依照《防范诈骗宣传教育办法》编制预算。") == [(["departments"], [])]


@pytest.mark.parametrize(("text", "measure"), [
    ("支付机构应当为客户开立账户。", "real_name_cards"),
    ("支付机构应当及时查询涉案账户的交易。", "fund_control"),
])
def test_an_ambiguous_cue_is_read_by_its_verb(text, measure):
    assert _measures(text) == [(["financial_institution"], [measure])]


@pytest.mark.parametrize(("text", "expected"), [
    ("人大常委会应当开展监督检查。", (["legislature"], ["legislative_oversight"])),
    ("市场监管部门应当开展监督检查。", (["market_regulator"], ["industry_regulation"])),
    ("单位和个人应当予以配合。", (["units_individuals"], ["social_participation"])),
    ("电信业务经营者应当予以配合。", (["telecom_operator"], ["coordination"])),
])
def test_an_ambiguous_cue_is_read_by_its_actor(text, expected):
    assert _measures(text) == [expected]


@pytest.mark.parametrize(("text", "measure"), [
    ("公安机关接到报案后应当立案侦查。", "crackdown"),
    ("金融机构应当落实反洗钱义务。", "fund_control"),
])
def test_a_cue_inside_a_listed_compound_counts(text, measure):
    assert [m for _, m in _measures(text)] == [[measure]]


@pytest.mark.parametrize(("text", "measure"), [
    ("违反本办法规定的，由公安机关处十日以下拘留。", "crackdown"),
    ("违反本办法规定的，由市场监管部门处五万元以下罚款。", "industry_regulation"),
    ("违反本办法规定的，由其上级机关给予处分。", "organization"),
])
def test_a_penalty_type_gives_its_measure(text, measure):
    assert [m for _, m in _measures(text)] == [[measure]]


def test_a_directive_without_cues_takes_its_actors_nearest_instrument():
    assert _measures("电信业务经营者应当在三日内答复用户。") == [(["telecom_operator"], ["industry_regulation"])]


def test_ambiguous_readings_and_compounds_are_compiled_from_the_config(rules):
    assert rules.carried["立案侦查"] == "侦查"
    assert rules.cues["账户"] == ()  # read in context only
    assert [s.entry[0] for s in rules.senses["配合"]] == ["social_participation", "coordination"]


@pytest.mark.parametrize(("data", "problem"), [
    ({"measures": {"crackdown": {2: ["打击"]}}, "senses": {"打击": [{"measure": "crackdown"}]}},
     "senses.打击: the cue is also listed under measures"),
    ({"measures": {"crackdown": {2: ["打击"]}}, "places": {"verb": 1}}, "places.verb: unknown place"),
    ({"measures": {"crackdown": {2: ["打击"]}}, "places": {"head": 2}},
     "places.object: missing; give every place a weight (0 for none)"),
    ({"measures": {"crackdown": {2: ["打击"]}}, "compounds": {"侦查": ["立案侦查"]}},
     "compounds.侦查: not a cue"),
    ({"measures": {"crackdown": {2: ["打击"]}}, "senses": {"配合": [{"measure": "coordination", "verbs": ["x"]}]}},
     "senses.配合[0] needs 'measure'"),
    ({"measures": {"crackdown": {2: ["打击"]}}, "fallback": {"default": "fundcontrol"}},
     "fallback.default: measure 'fundcontrol' is not in taxonomy.yaml"),
])
def test_a_bad_measures_config_is_one_clear_error(data, problem):
    config = load_config()
    with pytest.raises(ExtractError, match=re.escape(problem)):
        # (the shipped settings around a one-cue lexicon: the shipped senses and compounds name other cues)
        MeasureRules.from_config({**config.plain("measures"), "senses": {}, "compounds": {}, **data},
                                 config["taxonomy"])


def test_place_weights_come_from_measures_yaml_alone(tmp_path):
    config = load_config()
    shipped = MeasureRules.from_config(config.plain("measures"), config["taxonomy"])
    assert dict(shipped.place_weight) == {"head": 2.0, "object": 2.0, "body": 1.0, "lead": 1.0, "topic": 1.0,
                                          "purpose": 0.4, "condition": 0.5, "modifier": 1.0, "title": 0.0}
    (tmp_path / "measures.yaml").write_text("places:\n  condition: 0.25\n", encoding="utf-8")
    overridden = load_config(tmp_path)
    rules = MeasureRules.from_config(overridden.plain("measures"), overridden["taxonomy"])
    assert dict(rules.place_weight) == {**shipped.place_weight, "condition": 0.25}
