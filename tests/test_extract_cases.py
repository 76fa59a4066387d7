"""Handmade directive cases (tests/cases/extract_cases.json), one per phenomenon, plus invariants."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import load_config
from antifraud_corpus.errors import ConfigError, ExtractError
from antifraud_corpus.extract import build_segmenter, compile_rules, extract_duties
from antifraud_corpus.models import Duty
from antifraud_corpus.stages.segment import segment_clauses

CASES = json.loads((Path(__file__).parent / "cases" / "extract_cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config():
    return load_config()


def _run(case: dict, config) -> list[Duty]:
    text = case["text"]
    clauses = segment_clauses(text, config) if case.get("segment") else []
    return extract_duties(text, clauses, config)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case, config):
    duties = _run(case, config)
    by_sentence = {d.sentence: d for d in duties}
    for want in case["duties"]:
        assert want["sentence"] in by_sentence, f"no directive {want['sentence']!r}; got {list(by_sentence)}"
        got = by_sentence[want["sentence"]]
        if "actors" in want:
            assert got.actor_ids == want["actors"]
        for key in ("modality", "marker", "actor_source", "clause"):
            if key in want:
                assert getattr(got, key) == want[key], key
        if "targets" in want:
            assert [m.id for m in got.targets] == want["targets"]
        if "measures_include" in want:
            assert set(want["measures_include"]) <= set(got.measure_ids), got.measure_ids
        if "marker_text_at" in want:
            start = case["text"].index(want["marker_text_at"])
            assert got.marker_span == (start, start + len(want["marker"]))
    for sentence in case.get("not_directives", []):
        assert all(sentence not in d.sentence for d in duties), sentence
    if not case["duties"]:
        assert duties == []


def test_every_tag_has_provenance(config):
    for case in CASES:
        for duty in _run(case, config):
            assert duty.rules and duty.rules[0].startswith("directive:")
            for mention in [*duty.actors, *duty.targets, *duty.measures]:
                assert mention.rule


def test_offsets_point_into_the_text(config):
    for case in CASES:
        text = case["text"]
        for duty in _run(case, config):
            assert text[duty.start : duty.end] == duty.sentence
            if duty.marker_span:
                assert text[duty.marker_span[0] : duty.marker_span[1]] == duty.marker
            for mention in [*duty.actors, *duty.targets, *duty.measures]:
                if mention.start >= 0:
                    assert text[mention.start : mention.end] == mention.text


def test_measures_are_capped(config):
    text = (
        "要严厉打击犯罪，冻结涉诈资金，加强宣传教育，强化技术反制，"
        "推进信息共享，落实考核问责，做好境外劝返。"
    )
    (duty,) = extract_duties(text, [], config)
    assert 1 <= len(duty.measure_ids) <= compile_rules(config).measures.max_per


def test_unknown_engine_is_a_config_error(config):
    with pytest.raises(ConfigError, match="engine 'hanlp' is unknown"):
        build_segmenter(config, engine="hanlp")


def test_actor_outside_the_taxonomy_is_rejected(tmp_path):
    (tmp_path / "actors.yaml").write_text("actors:\n  police_dogs: {name: 警犬, aliases: [警犬]}\n", encoding="utf-8")
    config = load_config(tmp_path)
    with pytest.raises(ExtractError, match="police_dogs"):
        extract_duties("警犬要加强训练。", [], config)


_CHARS = st.sampled_from(
    list("要应当不得鼓励可以公安机关银行卡金融机构")
    + list("、，。；：\n加强宣传打击的了一二是（）“”《》第条")
)


@functools.cache
def _config():
    return load_config()


@settings(max_examples=150, deadline=None)
@given(st.text(_CHARS, max_size=60))
def test_any_text_gives_consistent_duties(text):
    config = _config()
    duties = extract_duties(text, segment_clauses(text, config), config)
    last = -1
    for duty in duties:
        assert text[duty.start : duty.end] == duty.sentence
        assert duty.start >= last
        last = duty.end
        assert duty.modality in ("obligation", "prohibition", "encouragement", "permission")
        assert duty.actor_source in ("explicit", "inherited", "addressee", "none")
        assert len(set(duty.actor_ids)) == len(duty.actors)
