"""compare on handmade directives, one test per cause of issue 13: the topic gate, parallel references,
headings covered by their items, a quoted title shared, 要 vs 应当, a carried-over actor, later and
undated references; and the CSV, SQLite and `evaluate --compare-gold` outputs."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import yaml

from antifraud_corpus.cli import main
from antifraud_corpus.compare import compare_corpus, compare_settings, normalized_fragments
from antifraud_corpus.evaluate.compare import load_compare_gold, score_compare
from antifraud_corpus.extract.topic import assign_topic, topic_rules
from antifraud_corpus.models import Clause, Document, Duty, Mention
from antifraud_corpus.report.compare import render_csv


def _doc(doc_id, level, date, sentences, *, kind="opinion", province=None, region=None, title="反诈工作意见",
         topic=True):
    """A document whose directives are `sentences`: a string, or (sentence, extras) for actors and so on."""
    text, duties = "", []
    for entry in sentences:
        sentence, extra = (entry, {}) if isinstance(entry, str) else entry
        start = len(text)
        text += sentence
        actors = extra.get("actors") or []
        duties.append(Duty(
            clause=extra.get("clause", ""), sentence=sentence, start=start, end=len(text),
            modality=extra.get("modality", "obligation"), marker=extra.get("marker", "要"), action="",
            actor_source=extra.get("actor_source", "explicit" if actors else "none"),
            actors=[Mention(a, a, start, start, "case") for a in actors],
            measures=[Mention(m, m, start, start, "case") for m in extra.get("measures") or []],
            topic=extra.get("topic", 1.0 if topic else None)))
    if level != "central":
        province = province or "山东省"
        region = region or province
    return Document(doc_id=doc_id, source=doc_id + ".txt", sha256="", encoding="utf-8", title=title, issuer="",
                    date=date, level=level, region=region, province=province, kind=kind, text=text,
                    duties=duties)


# Unrelated directives, so that gram rarity means something in a corpus of three documents.
FILLER = ["要完善网络数据安全保护制度。", "要推进政务服务一网通办。", "要加强农村人居环境整治。",
          "要做好防汛抗旱物资储备。"]
# A second directive a local document shares with its reference: a source is one it draws on twice.
SHARED = "要组织金融机构开展可疑交易账户排查。"


def _rows(comparison, doc_id):
    return [d for d in comparison.diffs if d.doc_id == doc_id]


def test_an_off_topic_article_is_neither_aligned_nor_omitted(config):
    central = _doc("c", "central", "2021-01-01", [
        "要加强基层社会治理，落实安全生产责任。",
        "要深入开展断卡行动，严厉打击买卖电话卡银行卡违法犯罪。",
    ])
    central.duties[0].topic = 0.0
    local = _doc("p", "provincial", "2022-01-01", [
        ("各级人民政府要加强基层社会治理，落实安全生产责任。", {"topic": 0.0}),
        "要深入开展断卡行动，严厉打击买卖电话卡银行卡违法犯罪。",
    ])
    rows = _rows(compare_corpus([central, local], config), "p")
    assert [(d.status, d.local.sentence[:4] if d.local else None) for d in rows] == \
        [("off_topic", "各级人民"), ("echoed", "要深入开")]
    assert not [d for d in rows if d.status == "omitted"]


def test_topic_relevance_comes_from_the_sentence_then_its_clause_then_the_title(config):
    rules = topic_rules(config)
    clauses = [Clause("第一条", "第一条 公民应当遵守法律。", 0, 12),
               Clause("第二条", "第二条 防范电信网络诈骗。要加强宣传。", 12, 30)]
    duties = [Duty("第一条", "公民应当遵守法律。", 4, 12, "obligation", "应当", ""),
              Duty("第二条", "要加强宣传。", 24, 30, "obligation", "要", "")]
    assign_topic(duties, clauses, "某省社会治安条例", config)
    assert [d.topic for d in duties] == [0.0, rules.clause_share]
    assert not rules.on_topic(duties[0].topic) and rules.on_topic(duties[1].topic)
    assign_topic(duties, clauses[:1], "关于防范电信网络诈骗的决定", config)
    assert duties[0].topic == rules.title_share


def test_parallel_references_are_all_carried_out(config):
    first = _doc("c1", "central", "2020-01-01", ["要健全涉诈资金紧急止付和快速冻结机制。", *FILLER[:2]])
    second = _doc("c2", "central", "2021-01-01", ["要健全涉诈资金紧急止付和快速冻结机制，提高拦截效果。", *FILLER[2:]])
    local = _doc("p", "provincial", "2022-01-01", ["要健全涉诈资金紧急止付和快速冻结机制。"])
    rows = _rows(compare_corpus([first, second, local], config), "p")
    assert sorted((d.status, d.reference.doc_id) for d in rows) == [("echoed", "c1"), ("echoed", "c2")]


def test_a_heading_is_covered_by_its_items(config):
    central = _doc("c", "central", "2021-01-01", [
        "会议要求，要全面构建反诈预防体系。",
        "加强反诈宣传教育进校园进社区；",
        "建立涉诈预警劝阻专班；",
        SHARED,
        "会议强调，要推动跨境执法合作。",
        *FILLER,
    ])
    local = _doc("p", "provincial", "2022-01-01", ["要加强反诈宣传教育进校园进社区，提升防骗意识。", SHARED])
    omitted = [d.reference.sentence for d in _rows(compare_corpus([central, local], config), "p")
               if d.status == "omitted"]
    assert omitted == ["建立涉诈预警劝阻专班；", "会议强调，要推动跨境执法合作。", *FILLER]


def test_a_statutes_list_items_and_penalties_are_no_omission_of_a_resolution(config):
    law = _doc("law", "central", "2021-01-01", [
        ("电信业务经营者应当建立涉诈电话卡监测识别机制。", {"clause": "第十条"}),
        ("对涉诈电话卡应当采取下列措施：", {"clause": "第十一条"}),
        ("限制涉诈电话卡的功能；", {"clause": "第十一条/（一）"}),
        ("违反本法规定的，由有关主管部门处五万元以上罚款。", {"clause": "第三十八条"}),
    ], kind="law")
    local = _doc("p", "provincial", "2022-01-01", ["电信业务经营者要建立涉诈电话卡监测识别机制。"],
                 kind="resolution")
    regulation = _doc("r", "provincial", "2022-01-01", ["电信业务经营者应当建立涉诈电话卡监测识别机制。"],
                      kind="law")
    comparison = compare_corpus([law, local, regulation], config)
    assert [d.reference.sentence[:6] for d in _rows(comparison, "p") if d.status == "omitted"] == ["对涉诈电话卡"]
    assert [d.reference.sentence[:6] for d in _rows(comparison, "r") if d.status == "omitted"] == \
        ["对涉诈电话卡", "限制涉诈电话", "违反本法规定"]


def test_a_shared_quoted_title_is_no_evidence(config):
    settings = compare_settings(config)
    assert normalized_fragments("要把《中华人民共和国反电信网络诈骗法》纳入普法内容", settings) == ["要把纳入普法内容"]
    central = _doc("c", "central", "2021-01-01", ["要全面贯彻《中华人民共和国反电信网络诈骗法》，压实平安建设考评。",
                                                  *FILLER])
    local = _doc("p", "provincial", "2022-01-01", ["司法行政部门要把《中华人民共和国反电信网络诈骗法》纳入八五普法。"])
    assert [d.status for d in _rows(compare_corpus([central, local], config), "p")] == ["added"]


def _without_concepts(tmp_path):
    """The shipped config with paraphrase classes weighing nothing (the control of the paraphrase tests).

    (A user file is merged over the shipped one, so an entry is turned off, not removed.)
    """
    from antifraud_corpus.config import load_config

    (tmp_path / "compare.yaml").write_text("ngram: {concept_weight: 0}\n", encoding="utf-8")
    return load_config(tmp_path)


def test_a_paraphrased_action_is_aligned_through_its_concept(tmp_path, config):
    # `严厉打击` and `保持高压态势，重点打击` share too little text: the paraphrase class links them.
    central = _doc("c", "central", "2021-01-01", ["要依法严厉打击涉诈犯罪团伙。", *FILLER])
    local = _doc("p", "provincial", "2022-01-01", ["要保持高压态势，重点打击涉诈团伙头目。", "要推进垃圾分类。"])
    rows = _rows(compare_corpus([central, local], config), "p")
    assert [(d.status, d.reference.sentence if d.reference else None) for d in rows if d.local
            and d.local.sentence.startswith("要保持")] == [("echoed", "要依法严厉打击涉诈犯罪团伙。")]
    rows = _rows(compare_corpus([central, local], _without_concepts(tmp_path)), "p")
    assert [d.status for d in rows if d.local and d.local.sentence.startswith("要保持")] == ["added"]


def test_a_concept_is_one_more_gram_of_the_fragment_naming_it(config):
    from antifraud_corpus.compare.features import CONCEPT, Corpus

    corpus = Corpus(compare_settings(config))
    grams = corpus._fragment_grams("积极劝返滞留境外人员")
    assert corpus.gram_ids[CONCEPT + "suspects_abroad"] in grams
    assert corpus.gram_ids[CONCEPT + "severe_crackdown"] not in grams


def test_measures_told_apart_do_not_veto_a_text_match(config):
    # The same action, tagged differently by the extractor: agreement would help, disagreement is no evidence.
    central = _doc("c", "central", "2021-01-01", [
        ("要加强涉诈人员出境管理，防止外流作案。", {"measures": ["organization"]}), *FILLER])
    local = _doc("p", "provincial", "2022-01-01", [
        ("要加强涉诈人员出境管理，防止外流作案。", {"measures": ["cross_border"]})])
    rows = _rows(compare_corpus([central, local], config), "p")
    assert [(d.status, d.similarity) for d in rows] == [("echoed", 1.0)]


def test_yao_and_yingdang_are_the_same_obligation(config):
    central = _doc("c", "central", "2021-01-01", [("要建立涉诈风险账户监测处置机制。", {"marker": "要"})])
    local = _doc("p", "provincial", "2022-01-01", [("应当建立涉诈风险账户监测处置机制。", {"marker": "应当"})])
    rows = _rows(compare_corpus([central, local], config), "p")
    assert [(d.status, d.reasons) for d in rows] == [("echoed", ())]


def test_a_carried_over_actor_is_named_and_a_subjectless_item_drops_none(config):
    central = _doc("c", "central", "2021-01-01", [
        "要建立涉诈风险账户监测处置机制。",
        ("公安机关要组织开展涉诈资金查控。", {"actors": ["public_security"]}),
    ])
    local = _doc("p", "provincial", "2022-01-01", [
        ("要建立涉诈风险账户监测处置机制。", {"actors": ["financial_regulator"], "actor_source": "inherited"}),
        "要组织开展涉诈资金查控。",
    ])
    rows = _rows(compare_corpus([central, local], config), "p")
    assert [(d.status, d.reasons) for d in rows] == [
        ("strengthened", ("named actor financial_regulator",)), ("echoed", ())]


def test_a_later_reference_is_no_source_but_the_best_earlier_one_is_found(config):
    earlier = _doc("c1", "central", "2020-01-01", ["要建立涉诈预警劝阻工作机制，及时劝阻潜在受害群众。", SHARED,
                                                   *FILLER[:2]])
    later = _doc("c2", "central", "2023-01-01", ["要建立涉诈预警劝阻工作机制，及时劝阻潜在受害群众。", SHARED,
                                                 *FILLER[2:]])
    local = _doc("p", "provincial", "2022-01-01", ["要建立涉诈预警劝阻工作机制，及时劝阻受害群众。", SHARED])
    comparison = compare_corpus([earlier, later, local], config)
    rows = _rows(comparison, "p")
    assert [(d.status, d.reference.doc_id, d.reference_later) for d in rows] == \
        [("echoed", "c1", False), ("echoed", "c1", False), ("omitted", "c1", False), ("omitted", "c1", False)]
    assert {s.doc_id: s.sources for s in comparison.summaries}["p"] == ["c1"]


def test_an_undated_reference_is_flagged_and_no_source(config):
    undated = _doc("c", "central", None, ["要建立涉诈预警劝阻工作机制。", SHARED, *FILLER])
    local = _doc("p", "provincial", "2022-01-01", ["要建立涉诈预警劝阻工作机制。", SHARED])
    comparison = compare_corpus([undated, local], config)
    assert [(d.status, d.reference_undated) for d in _rows(comparison, "p")] == [("echoed", True), ("echoed", True)]
    assert {s.doc_id: s.sources for s in comparison.summaries}["p"] == []


def _small_corpus():
    central = _doc("c", "central", "2021-01-01", ["要建立涉诈预警劝阻工作机制。", SHARED, "=要推广国家反诈APP。"])
    local = _doc("p", "provincial", "2022-01-01",
                 ["要建立涉诈预警劝阻工作机制。", SHARED, "要开展反诈宣传进校园活动。"])
    return [central, local]


def test_compare_csv_is_one_row_per_diff_and_excel_safe(config):
    text = render_csv(compare_corpus(_small_corpus(), config))
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [(r["status"], r["reference_doc_id"]) for r in rows] == \
        [("echoed", "c"), ("echoed", "c"), ("added", ""), ("omitted", "c")]
    assert rows[3]["reference_sentence"] == "'=要推广国家反诈APP。"  # a cell that starts a formula is quoted


def test_sqlite_export_has_diffs_keyed_to_duties(tmp_path, runner, config):
    from antifraud_corpus.store import write_document

    store = tmp_path / "store"
    store.mkdir()
    for doc in _small_corpus():
        write_document(store, doc)
    out = tmp_path / "corpus.db"
    result = runner.invoke(main, ["export", "duties", "--normalized", str(store), "--format", "sqlite", "-o", str(out)])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(out)
    rows = db.execute("SELECT f.status, d.sentence, r.sentence FROM diffs f LEFT JOIN duties d ON d.id = f.duty_id "
                      "LEFT JOIN duties r ON r.id = f.reference_duty_id ORDER BY f.id").fetchall()
    assert rows == [("echoed", "要建立涉诈预警劝阻工作机制。", "要建立涉诈预警劝阻工作机制。"),
                    ("echoed", SHARED, SHARED),
                    ("added", "要开展反诈宣传进校园活动。", None), ("omitted", None, "=要推广国家反诈APP。")]


def test_evaluate_compare_gold_scores_a_hand_alignment(tmp_path, runner, config):
    from antifraud_corpus.store import write_document

    store = tmp_path / "store"
    store.mkdir()
    for doc in _small_corpus():
        write_document(store, doc)
        (tmp_path / f"{doc.doc_id}.yaml").write_text(yaml.safe_dump(
            {"doc": doc.doc_id, "duties": [{"text": d.sentence} for d in doc.duties]}, allow_unicode=True),
            encoding="utf-8")
    gold = tmp_path / "alignment.yaml"
    gold.write_text(yaml.safe_dump({"duty_gold": ["."], "locals": {"p": {"references": ["c"], "directives": [
        {"text": "要建立涉诈预警劝阻工作机制。", "status": "echoed",
         "refs": [{"doc": "c", "text": "要建立涉诈预警劝阻工作机制。"}]},
        {"text": SHARED, "status": "echoed", "refs": [{"doc": "c", "text": SHARED}]},
        {"text": "要开展反诈宣传进校园活动。", "status": "echoed",
         "refs": [{"doc": "c", "text": "=要推广国家反诈APP。"}]},
    ]}}}, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(main, ["evaluate", "--compare-gold", str(gold), "--normalized", str(store),
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    overall = json.loads(result.stdout)["overall"]
    assert (overall["align_p"], round(overall["align_r"], 3), overall["status_acc"]) == (1.0, 0.667, 1.0)
    assert (overall["added_p"], overall["omitted_p"], overall["omitted_r"]) == (0.0, 0.0, 0.0)
    scored = score_compare(load_compare_gold(gold), [])
    assert scored["overall"]["align_r"] == 0.0
    both = runner.invoke(main, ["evaluate", "--compare-gold", str(gold), "--gold", str(tmp_path)])
    assert both.exit_code == 2
