"""The body index of the extractor: its shortcuts equal the plain definitions."""

from __future__ import annotations

import bisect
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.config import load_config
from antifraud_corpus.extract import Rules, build_segmenter, compile_rules
from antifraud_corpus.extract.directives import find_directive, imperative_head
from antifraud_corpus.extract.index import (
    Analysis,
    analyse_unit,
    index_stretch,
    may_head_order,
    split_at_units,
    unit_cues,
    word_indexes,
)
from antifraud_corpus.extract.measures import cue_frames, cue_hits, part_marks
from antifraud_corpus.extract.modality import COMMAS
from antifraud_corpus.extract.sentences import Unit, split_units
from antifraud_corpus.models import Duty
from antifraud_corpus.pipeline import clean_text
from antifraud_corpus.stages.segment import segment_clauses

RAW = Path(__file__).parent.parent / "data" / "raw"


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def rules(config) -> Rules:
    return compile_rules(config)


def _unit(start: int, end: int) -> Unit:
    return Unit(start, end, 0, 0, "", -1, False, False, True)


def _segmentation(data: st.DataObject, text: str) -> tuple[list[str], list[int]]:
    cuts = sorted({0, len(text)} | data.draw(st.sets(st.integers(1, max(1, len(text) - 1)))))
    cuts = [c for c in cuts if c <= len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)], cuts


@settings(max_examples=200, deadline=None)
@given(st.text("甲乙丙丁，。", min_size=1, max_size=40), st.data())
def test_words_are_split_at_unit_boundaries_as_by_the_plain_rule(text, data):
    words, offs = _segmentation(data, text)
    # units in order, possibly touching
    bounds = sorted(data.draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=12)))
    units = [_unit(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False)]
    want_words, want_offs = list(words), list(offs)
    for b in sorted({b for u in units for b in (u.start, u.end)} - set(offs), reverse=True):
        i = bisect.bisect_right(want_offs, b) - 1
        w, a = want_words[i], want_offs[i]
        want_words[i : i + 1] = [w[: b - a], w[b - a :]]
        want_offs.insert(i + 1, b)
    split_at_units(words, offs, units)
    assert (words, offs) == (want_words, want_offs)


_MODAL_TEXT = ["要", "应当", "还要", "重要", "必须", "不", "应", "需要", "，", "。", "工作", "加强", "可"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_MODAL_TEXT), min_size=1, max_size=20), st.data())
def test_modal_words_found_from_their_first_characters_are_every_modal_word(rules, pieces, data):
    text = "".join(pieces)
    words, offs = _segmentation(data, text)
    by_token = rules.modality.by_token
    got = word_indexes(rules.modality.first_chars, by_token, text, words, offs, 0, len(text))
    assert got == [i for i, w in enumerate(words) if w in by_token]


# cue words, pieces of them and characters of none, so that cues run across unit boundaries
_CUE_TEXT = ["宣传", "宣", "传教育", "冻结", "资金", "《", "》", "对", "的", "，", "；", "。", "甲", "立案侦查", "侦查"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CUE_TEXT), min_size=1, max_size=24), st.data())
def test_a_units_cues_are_those_a_scan_of_the_whole_stretch_finds_in_it(rules, pieces, data):
    text = "".join(pieces)
    words, offs = _segmentation(data, text)
    stretch_lo = data.draw(st.integers(0, len(text) - 1))
    marks = part_marks(text, stretch_lo, len(text))
    frames = cue_frames(text, stretch_lo, len(text), rules.measures)
    named = {k: 1 for k in data.draw(st.sets(st.integers(0, len(text) - 1)))}
    doc = index_stretch(text, [_unit(0, len(text))], build_segmenter(load_config()), rules)
    doc.lo, doc.offs, doc.named, doc.marks, doc.frames = stretch_lo, offs, named, marks, frames
    whole = cue_hits(text, stretch_lo, len(text), offs, named, marks, rules.measures)
    lo = data.draw(st.integers(stretch_lo, len(text) - 1))
    hi = data.draw(st.integers(lo + 1, len(text)))
    assert unit_cues(doc, lo, hi, rules.measures) == [hit for hit in whole if lo <= hit[0] < hi]


def test_units_analysed_in_order_equal_units_analysed_alone(config, rules):
    seg = build_segmenter(config)
    for path in sorted(RAW.glob("*.txt"))[:3]:
        text = clean_text(path.read_text(encoding="utf-8"), config).tracked.text
        units = split_units(text, segment_clauses(text, config), rules.sentences)
        doc = index_stretch(text, units, seg, rules)
        for unit in units:
            # (under an open list every unit is analysed in full)
            in_order = analyse_unit(unit, doc, rules, True)
            cursor, doc.cursor = doc.cursor, [0] * len(doc.cursor)
            alone = analyse_unit(unit, doc, rules, True)
            doc.cursor = cursor
            assert in_order == alone
            # and the parts and markers are those of the plain definitions
            commas = [i for i in range(alone.i0, alone.i1 - 1) if doc.words[i] in COMMAS]
            assert alone.parts == [alone.i0] + [i + 1 for i in commas]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_no_word_of_a_unit_heads_an_order_where_none_may(rules, data):
    verbs, adverbs = sorted(rules.imperative_verbs), sorted(rules.adverbs)
    fused = st.builds(str.__add__, st.sampled_from(adverbs + verbs), st.sampled_from(verbs + ["工作", "机制", "甲"]))
    others = st.sampled_from(["工作", "的", "，", "重要", "可以", "对于", "甲乙", "。"])
    pieces = data.draw(st.lists(st.one_of(st.sampled_from(verbs + adverbs), fused, others), min_size=1, max_size=8))
    text = "".join(pieces)
    words, offs = _segmentation(data, text)
    an = Analysis(text, text, 0, len(text), 0, len(words), words, offs, [], {}, [], [0])
    if not may_head_order(text, words, 0, len(words), 0, len(text), rules):
        assert all(imperative_head(an, rules, i) is None for i in range(len(words)))


def test_a_unit_passed_over_unanalysed_is_no_directive_by_the_full_rules(config, rules):
    # `analyse_unit` gives None (no open list) only where `find_directive` would find nothing, whatever governs
    seg = build_segmenter(config)
    governor = Duty("", "各地要加强宣传。", 0, 8, "obligation", "要", "", "none", [], [], [], (2, 3), [])
    passed_over = 0
    for path in sorted(RAW.glob("*.txt")):
        text = clean_text(path.read_text(encoding="utf-8"), config).tracked.text
        units = split_units(text, segment_clauses(text, config), rules.sentences)
        doc = index_stretch(text, units, seg, rules)
        for unit in units:
            doc.cursor = [0] * len(doc.cursor)
            if analyse_unit(unit, doc, rules, False) is None:
                passed_over += 1
                doc.cursor = [0] * len(doc.cursor)
                assert find_directive(unit, analyse_unit(unit, doc, rules, True), rules, governor, None) is None
    assert passed_over > 0


def test_duty_fields_are_in_the_order_the_extractor_builds_them():
    # `extract.directives._new_duty` passes them by position
    assert [f.name for f in fields(Duty)] == [
        "clause", "sentence", "start", "end", "modality", "marker", "action", "actor_source",
        "actors", "targets", "measures", "marker_span", "rules", "topic",
    ]


def test_a_body_indexed_in_stretches_gives_the_duties_of_one_stretch(config, rules, monkeypatch):
    import antifraud_corpus.extract as extract
    import antifraud_corpus.extract.index as index

    for path in sorted(RAW.glob("*.txt"))[:2]:
        text = clean_text(path.read_text(encoding="utf-8"), config).tracked.text
        clauses = segment_clauses(text, config)
        whole = extract.extract_duties(text, clauses, config)
        monkeypatch.setattr(index, "CHUNK_CHARS", 300)
        assert len(list(index._stretches(split_units(text, clauses, rules.sentences)))) > 2
        assert extract.extract_duties(text, clauses, config) == whole
        monkeypatch.undo()
