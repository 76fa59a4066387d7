"""compare on handmade directives, one test per error class fixed against the compare gold's conventions
(issue 13): guiding-principle paragraphs, ..."""

from __future__ import annotations

from antifraud_corpus.compare import compare_corpus, compare_settings, normalized_fragments
from antifraud_corpus.compare.features import GUIDING, ORDINARY, SINGLE_PRINCIPLE, pairable, role_of
from antifraud_corpus.config import load_config
from test_compare_causes import FILLER, _doc, _rows


def _role(sentence, config):
    settings = compare_settings(config)
    return role_of(sentence, normalized_fragments(sentence, settings), settings)


GUIDING_CENTRAL = ("要深入贯彻习近平总书记重要指示精神，坚持以人民为中心，坚持源头治理、综合治理，"
                   "强化技术反制，注重宣传教育，坚决遏制电诈犯罪高发态势。")


def test_directive_roles_guiding_principle_and_ordinary(config):
    assert _role(GUIDING_CENTRAL, config) == GUIDING
    assert _role("坚持打防结合、预防为先，强化技术反制，注重群防群治。", config) == GUIDING  # three principles
    assert _role("会议强调，要坚持打防结合、预防为先。", config) == SINGLE_PRINCIPLE  # after the frame words
    assert _role("要强化技术反制，建设涉诈网站处置平台。", config) == ORDINARY
    roles = [(ORDINARY, GUIDING), (GUIDING, ORDINARY), (GUIDING, SINGLE_PRINCIPLE), (SINGLE_PRINCIPLE, GUIDING),
             (GUIDING, GUIDING), (ORDINARY, ORDINARY)]
    assert [pairable(_sig([], role=a), _sig([], role=b)) for a, b in roles] == [False, False, True, True, True, True]


def test_a_guiding_paragraph_is_no_counterpart_of_a_specific_directive(config):
    # The local directive shares `强化技术反制` with the guiding paragraph, but carries out the specific one.
    central = _doc("c", "central", "2021-01-01", [GUIDING_CENTRAL, "要建设涉诈网站处置平台，提升拦截能力。",
                                                  *FILLER])
    local = _doc("p", "provincial", "2022-01-01", [
        "要强化技术反制，建设涉诈网站处置平台。",
        "全省要深入贯彻习近平总书记重要指示精神，坚持源头治理、综合治理，坚决遏制电诈犯罪高发态势。",
    ])
    found = [("echoed", "全省要深入贯", "要深入贯彻习"), ("echoed", "要强化技术反", "要建设涉诈网")]
    rows = _rows(compare_corpus([central, local], config), "p")
    assert sorted((d.status, d.local.sentence[:6], d.reference.sentence[:6]) for d in rows if d.local) == found
    # the control: without the rule the shared words make the guiding paragraph a second counterpart
    without_rule = load_config(None, ["compare.guiding.pattern=", "compare.guiding.principle="])
    rows = _rows(compare_corpus([central, local], without_rule), "p")
    assert sorted((d.status, d.local.sentence[:6], d.reference.sentence[:6]) for d in rows if d.local) == \
        sorted([*found, ("echoed", "要强化技术反", "要深入贯彻习")])


def _sig(measures, **extra):
    from antifraud_corpus.compare.features import Sig

    return Sig((), (), frozenset(), False, False, frozenset(measures), 3.0, "要", (), (), **extra)


def test_one_shared_measure_is_full_agreement_of_a_compound_directive(config):
    import numpy as np

    from antifraud_corpus.compare.features import Corpus, tag_bits
    from antifraud_corpus.compare.similarity import Scorer, combine_many

    settings = compare_settings(config)
    scorer = Scorer(Corpus(settings))
    compound = _sig(["fund_control", "tech_countermeasure"])  # monitors suspicious accounts, upgrades systems
    reference = _sig(["fund_control", "industry_regulation"])  # supervises the financial sector
    expected = (settings.w_text * 0.3 + settings.w_measures) / (settings.w_text + settings.w_measures)
    assert scorer.combine(compound, reference, 0.3) == expected
    assert scorer.combine(compound, _sig(["publicity_education"]), 0.3) == 0.3  # apart: no evidence either way
    tags = tag_bits([compound, reference])
    assert combine_many(settings, tags, np.array([0]), np.array([1]), np.array([0.3])).tolist() == [expected]


def test_credit_punishment_and_stop_payment_paraphrases_are_one_action(tmp_path, config):
    from test_compare_causes import _without_concepts

    credit, funds = {"measures": ["credit_punishment"]}, {"measures": ["fund_control"]}
    central = _doc("c", "central", "2021-01-01", [("要把从事涉诈黑灰产业的人员纳入失信惩戒名单。", credit),
                                                  ("要完善被骗资金止付机制，守住群众钱袋子。", funds), *FILLER])
    local = _doc("p", "provincial", "2022-01-01", [("公安机关要会同有关单位对涉诈人员实施信用惩戒。", credit),
                                                   ("银行要及时冻结涉诈账户，追赃挽损。", funds)])
    rows = _rows(compare_corpus([central, local], config), "p")
    assert [(d.local.sentence[:4], d.reference.sentence[:4]) for d in rows if d.status == "echoed"] == \
        [("公安机关", "要把从事"), ("银行要及", "要完善被")]
    rows = _rows(compare_corpus([central, local], _without_concepts(tmp_path)), "p")
    assert [d.status for d in rows if d.local] == ["added", "added"]


def test_a_reference_whose_action_is_a_crackdown_needs_a_crackdown(config):
    # All name money laundering; the reference cracks down on its providers, the first local directive
    # monitors, the second cracks down in milder words (`重拳打击` is no cue of the concept, `打击` an action word).
    funds = {"measures": ["fund_control"]}
    central = _doc("c", "central", "2021-01-01", [("要严厉打击提供转账洗钱服务的违法犯罪活动。", funds), *FILLER])
    local = _doc("p", "provincial", "2022-01-01", [("金融机构要监测提供转账洗钱服务的账户。", funds),
                                                   ("公安机关要重拳打击转账洗钱团伙。", funds)])
    def statuses(settings):
        return [(d.status, d.local.sentence[:4]) for d in _rows(compare_corpus([central, local], settings), "p")
                if d.local]

    assert statuses(config) == [("added", "金融机构"), ("echoed", "公安机关")]
    assert statuses(load_config(None, ["compare.ngram.action_concepts.severe_crackdown="])) == \
        [("echoed", "金融机构"), ("echoed", "公安机关")]


def test_a_whole_chain_crackdown_is_one_action_in_other_words(tmp_path, config):
    from test_compare_causes import _without_concepts

    crackdown = {"measures": ["crackdown"]}
    central = _doc("c", "central", "2021-01-01", [("要对电诈犯罪开展全链条打击，打出声威。", crackdown), *FILLER])
    local = _doc("p", "provincial", "2022-01-01", [("要斩断涉诈产业链，铲除作案窝点。", crackdown)])
    rows = _rows(compare_corpus([central, local], config), "p")
    assert [(d.status, d.reference.sentence[:6]) for d in rows if d.local] == [("echoed", "要对电诈犯罪")]
    rows = _rows(compare_corpus([central, local], _without_concepts(tmp_path)), "p")
    assert [d.status for d in rows if d.local] == ["added"]


def test_a_stated_principle_is_carried_out_through_its_own_directive_not_the_paragraph_listing_it(config):
    # The guiding paragraph holds `坚持群防群治` among its many principles, so it reaches the local
    # principle about as well as the central directive stating it on its own does.
    central = _doc("c", "central", "2021-01-01", [
        "要深入贯彻习近平总书记重要指示精神，坚持以人民为中心，坚持群防群治，强化技术反制，注重宣传教育，"
        "坚决遏制电诈犯罪高发态势。",
        "会议要求，要坚持群防群治、综合治理，压实属地责任。", *FILLER])
    local = _doc("m", "municipal", "2022-01-01", ["坚持群防群治，凝聚反诈合力。"], province="某省", region="某市")
    rows = _rows(compare_corpus([central, local], config), "m")
    assert [(d.status, d.reference.sentence[:8]) for d in rows if d.local] == [("echoed", "会议要求，要坚持")]
    # the control: a principle no reference states on its own is carried out through the paragraph
    central = _doc("c", "central", "2021-01-01", [central.duties[0].sentence, *FILLER])
    rows = _rows(compare_corpus([central, local], config), "m")
    assert [(d.status, d.reference.sentence[:8]) for d in rows if d.local] == [("echoed", "要深入贯彻习近平")]
