"""`corpus explain`: marks that survive NO_COLOR and pipes, and the reasons in Chinese with --lang zh."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from antifraud_corpus.cli import main
from antifraud_corpus.errors import ConfigError
from antifraud_corpus.extract.explain import ReasonWording, explain_duty
from antifraud_corpus.models import Clause, Document, Duty, Mention
from antifraud_corpus.report.explain import _marked, reason_wording, render_explain
from antifraud_corpus.store import write_document

SENTENCE = "公安机关要督促银行冻结涉诈资金。"  # (handmade) at 2-18 of the text, after "一、"


def notice() -> Document:
    duty = Duty(clause="一", sentence=SENTENCE, start=2, end=18, modality="obligation", marker="要",
                action="督促银行冻结涉诈资金",
                actors=[Mention("public_security", "公安机关", 2, 6, "subject of '要'; alias '公安机关'")],
                targets=[Mention("financial_institution", "银行", 9, 11, "target: after '督促'")],
                measures=[Mention("fund_control", "冻结", 11, 13, "cues 冻结 (object: 2 × 2 = 4.0); score 4.0")],
                marker_span=(6, 7), rules=["directive:marker:要", "modality:first marker"])
    return Document(doc_id="d1", source="d1.txt", sha256="0" * 64, encoding="utf-8", title="关于冻结涉诈资金的通知",
                    issuer="", date="2023-05-06", level="provincial", region="甲省", province="甲省", kind="notice",
                    text="一、" + SENTENCE, clauses=[Clause("一", SENTENCE, 2, 18, "一、")], duties=[duty])


ENGLISH_LINES = [
    "d1  关于冻结涉诈资金的通知  (provincial, 甲省, 2023-05-06)",
    "marks: [actor] <modal word> (target) {measure cue}",
    "[1] clause 一  2-18  [公安机关]<要>督促(银行){冻结}涉诈资金。",
    "    · directive: marker:要 — clause 一",
    "    · modality: obligation — first modal word '要' at 6–7",
    "    · actor: public_security ← '公安机关' at 2–6 (explicit: subject of '要'; alias '公安机关')",
    "    · target: financial_institution ← '银行' at 9–11 (target: after '督促')",
    "    · measure: fund_control ← cues 冻结 (object: 2 × 2 = 4.0); score 4.0",
    "    · action: 督促银行冻结涉诈资金",
]


def rendered(config, **console: object) -> str:
    out = io.StringIO()
    render_explain(Console(file=out, width=200, highlight=False, **console), notice(), None, config)
    return out.getvalue()


ANSI = re.compile(r"\x1b\[([0-9;]*)m")


@pytest.mark.parametrize("console", [{"no_color": True, "force_terminal": True}, {}], ids=["NO_COLOR", "a pipe"])
def test_without_colour_the_tags_are_bracketed_under_a_legend(config, console):
    out = rendered(config, **console)
    assert ANSI.sub("", out).splitlines() == ENGLISH_LINES
    codes = {code for codes in ANSI.findall(out) for code in codes.split(";")}
    assert codes <= {"0", "1", "2"}  # (bold and dim survive NO_COLOR; no colour does)


def test_with_colour_the_sentence_is_coloured_not_bracketed(config):
    out = rendered(config, force_terminal=True, color_system="truecolor")
    lines = ANSI.sub("", out).splitlines()
    assert lines == [ENGLISH_LINES[0], f"[1] clause 一  2-18  {SENTENCE}", *ENGLISH_LINES[3:]]
    assert "\x1b[1;36m公安机关" in out  # (bold cyan: the actor)


def test_no_color_in_the_environment_brackets_the_cli_output(runner, tmp_path, monkeypatch):
    write_document(tmp_path / "store", notice())
    monkeypatch.setenv("NO_COLOR", "1")
    result = runner.invoke(main, ["explain", "d1", "--normalized", str(tmp_path / "store")], env={"COLUMNS": "200"})
    assert (result.exit_code, result.stdout.splitlines()) == (0, ENGLISH_LINES)


def test_lang_zh_words_every_reason_in_chinese(runner, tmp_path):
    write_document(tmp_path / "store", notice())
    result = runner.invoke(main, ["explain", "d1", "一", "--lang", "zh", "--normalized", str(tmp_path / "store")],
                           env={"COLUMNS": "200"})
    assert (result.exit_code, result.stdout.splitlines()) == (0, [
        "d1  关于冻结涉诈资金的通知  （省级，甲省，2023-05-06）",
        "标记：[主体] <情态词> (对象) {政策工具线索}",
        "[1] 条款 一  2-18  [公安机关]<要>督促(银行){冻结}涉诈资金。",
        "    · 指令：情态词「要」 — 条款 一",
        "    · 情态：义务（obligation）— 首个情态词「要」，位于 6–7",
        "    · 主体：公安机关（public_security）← 「公安机关」，位于 2–6（明示：「要」的主语；别名「公安机关」）",
        "    · 对象：金融机构（financial_institution）← 「银行」，位于 9–11（「督促」之后的对象）",
        "    · 政策工具：资金查控（fund_control）← 线索词 冻结（宾语：2 × 2 = 4.0）；得分 4.0",
        "    · 行为：督促银行冻结涉诈资金",
    ])


@pytest.mark.parametrize(("rule", "zh"), [
    ("subject after 由 in a penalty clause; agency grammar: field 网信 → cyberspace '网信主管部门'",
     "罚则条款中「由」之后的主语；机构名构词：领域「网信」→ 网信部门 '网信主管部门'"),
    ("inherited from the previous directive of its paragraph (subject of a bare verb; alias '民政部')",
     "承接本段上一条指令 (光杆动词的主语；别名「民政部」)"),
    ("no cue in the action: nearest instrument for actor financial_institution",
     "行为中没有线索词：取「金融机构」最常见的政策工具"),
    ("cues 监测 in 实时监测 (object: 1 × 2 = 2.0), 登记 (body: 1 × 1 = 1.0); score 3.0",
     "线索词 「实时监测」中的监测（宾语：1 × 2 = 2.0），登记（句中：1 × 1 = 1.0）；得分 3.0"),
    ("imperative item (加强) governed by '应当'", "祈使条目（加强），由「应当」统领"),
])
def test_shipped_phrases_turn_provenance_into_chinese_and_ids_into_names(config, rule, zh):
    assert reason_wording(config, "zh").phrase(rule) == zh


def test_templates_left_out_stay_english():
    wording = ReasonWording.build({"action": "行为：{action}"}, [], {}, "labels.yaml: explain")
    duty = notice().duties[0]
    assert explain_duty(duty, wording)[-2:] == ["measure: fund_control ← cues 冻结 (object: 2 × 2 = 4.0); score 4.0",
                                                "行为：督促银行冻结涉诈资金"]


@pytest.mark.parametrize(("templates", "phrases", "message"), [
    ({"acton": "x"}, [], "labels.yaml: explain.templates: unknown template 'acton'; known: action, actor, "),
    ({"action": "{actor}"}, [], "labels.yaml: explain.templates.action: unknown field {actor}; known: action"),
    ({"action": "{action"}, [], "labels.yaml: explain.templates.action: expected '}' before end of string; "
                                "double a brace to show it"),
    ({"directive": "{label}"}, [], "labels.yaml: explain.templates.directive: unknown field {label}; known: "
                                   "clause, why"),
    ({}, [["(", "x"]], "labels.yaml: explain.phrases #1: bad regular expression (missing ), unterminated "
                       "subpattern at position 0)"),
    ({}, [["a(?P<w>b)", "{word}"]], "labels.yaml: explain.phrases #1: the replacement names {word}, which is "
                                    "not a named group (?P<name>...) of the pattern"),
    ({}, ["only a pattern"], "labels.yaml: explain.phrases #1: give [pattern, replacement]"),
])
def test_a_bad_wording_is_a_config_error_naming_the_key(templates, phrases, message):
    with pytest.raises(ConfigError) as caught:
        ReasonWording.build(templates, phrases, {}, "labels.yaml: explain")
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("spans", "marked"), [
    ([(0, 4, "actor"), (4, 5, "marker")], "[公安机关]<要>督促银行"),  # adjacent: close, then open
    ([(0, 4, "actor"), (2, 4, "measure")], "[公安{机关}]要督促银行"),  # nested, ending together
    ([(0, 9, "actor"), (0, 2, "target")], "[(公安)机关要督促银行]"),  # nested, starting together
    ([], "公安机关要督促银行"),
])
def test_marks_nest_and_meet_cleanly(spans, marked):
    assert _marked("公安机关要督促银行", spans).plain == marked


def test_explain_without_lang_is_unchanged_english(config):
    assert explain_duty(notice().duties[0]) == [line[6:] for line in ENGLISH_LINES[3:]]

