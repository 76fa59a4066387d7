"""extract/sentences.py: how a body is cut into directive units."""

from __future__ import annotations

from antifraud_corpus.config import load_config
from antifraud_corpus.extract import compile_rules
from antifraud_corpus.extract.sentences import split_units
from antifraud_corpus.stages.segment import segment_clauses


def test_a_bare_number_is_no_unit():
    config = load_config()
    text = "第一条 甲。\n（十一）加强宣传。\n"
    clauses = segment_clauses(text, config)
    units = split_units(text, clauses, compile_rules(config).sentences)
    assert [text[u.start : u.end] for u in units] == ["加强宣传。"]
