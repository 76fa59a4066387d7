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


def test_explain_shows_each_measure_cue_with_its_place_and_weight():
    config = load_config()
    (duty,) = extract_duties("公安机关应当立案侦查，严厉打击诈骗团伙。", [], config)
    lines = [line for line in explain_duty(duty) if line.startswith("measure:")]
    assert lines == ["measure: crackdown ← cues 侦查 in 立案侦查 (head: 1 × 2 = 2.0), 严厉打击 (body: 2 × 1 = 2.0), "
                     "诈骗团伙 (body: 1 × 1 = 1.0); score 5.0"]


def test_explain_shows_the_fallback_of_a_directive_without_cues():
    config = load_config()
    (duty,) = extract_duties("电信业务经营者应当在三日内答复用户。", [], config)
    assert "measure: industry_regulation ← no cue in the action: nearest instrument for actor telecom_operator" in \
        explain_duty(duty)
