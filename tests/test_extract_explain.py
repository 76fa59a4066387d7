"""`explain_duty`: one readable line per decision, naming the rule behind each tag."""

from __future__ import annotations

from antifraud_corpus.config import load_config
from antifraud_corpus.extract import explain_duty, extract_duties


def test_explain_names_marker_actor_target_and_cues():
    config = load_config()
    (duty,) = extract_duties("人民银行要指导商业银行完善可疑交易监测模型。", [], config)
    lines = explain_duty(duty)
    assert lines[0].startswith("directive: marker:要")
    assert any(line.startswith("modality: obligation — first modal word '要'") for line in lines)
    actor = next(line for line in lines if line.startswith("actor: financial_regulator ← '人民银行'"))
    assert "subject of '要'" in actor
    target = next(line for line in lines if line.startswith("target: financial_institution ← '商业银行'"))
    assert "指导" in target
    assert any(line.startswith("measure: fund_control ← cues") and "可疑交易" in line for line in lines)


def test_explain_inherited_and_empty_marker():
    config = load_config()
    duties = extract_duties("金融机构要落实实名制。加强账户监测。", [], config)
    lines = explain_duty(duties[1])
    assert 'marker ""' in lines[1]
    assert any("inherited" in line and "金融机构" in line for line in lines)


def test_explain_no_actor():
    config = load_config()
    (duty,) = extract_duties("要加大涉诈线索核查力度。", [], config)
    assert any(line.startswith("actor: none") for line in explain_duty(duty))
