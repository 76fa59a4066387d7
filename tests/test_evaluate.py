import json

import pytest

from antifraud_corpus.cli import main
from antifraud_corpus.evaluate import cohen_kappa, overlap, prf
from conftest import GOLD_DIR, RAW_DIR


def test_kappa_matches_hand_computation():
    # 10 units: both yes 4, both no 4, one each way 1 -> po 0.8, pe 0.5 -> kappa 0.6
    pairs = [(True, True)] * 4 + [(False, False)] * 4 + [(True, False), (False, True)]
    assert cohen_kappa(pairs) == pytest.approx(0.6)
    assert cohen_kappa([]) is None
    assert cohen_kappa([(True, True)] * 3) is None  # no variation: undefined


def test_overlap_and_prf():
    assert overlap("公安机关要加强打击。", "公安机关要加强打击") == 1.0
    assert overlap("", "x") == 0.0
    assert prf(8, 2, 2) == pytest.approx((0.8, 0.8, 0.8))


def test_cli_evaluate_scores_the_bundled_corpus_at_the_bars(runner):
    result = runner.invoke(main, ["evaluate", "--gold", str(GOLD_DIR), "--raw", str(RAW_DIR), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    overall = data["overall"]
    assert overall["duty_f1"] >= 0.9 and overall["actor_f1"] >= 0.9 and overall["measure_f1"] >= 0.8
    assert overall["modality_acc"] >= 0.95 and overall["pii_leaked"] == 0
    for figure in ("junk_removed", "keep_kept", "body_bounds", "level_acc", "kind_acc", "region_acc", "date_acc",
                   "title_acc"):
        assert overall[figure] == 1.0, figure
    assert overall["clause_p"] >= 0.95 and overall["clause_r"] >= 0.95
    assert set(data["documents"]) == {p.stem for p in RAW_DIR.glob("*.txt")}
    assert "crackdown" in data["kappa"]


def test_cli_evaluate_table_and_bad_gold_folder(runner, tmp_path):
    result = runner.invoke(main, ["evaluate", "--gold", str(GOLD_DIR), "--raw", str(RAW_DIR)])
    assert result.exit_code == 0 and "Cohen's kappa" in result.stdout
    missing = runner.invoke(main, ["evaluate", "--gold", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "gold folder does not exist" in missing.stderr


def test_cli_evaluate_table_keeps_ids_whole_and_dashes_uncoded_directives(runner, tmp_path):
    # a gold file that codes a document's metadata but not its directives (`duties: null`)
    gold = tmp_path / "gold"
    gold.mkdir()
    for path in sorted(GOLD_DIR.glob("*.yaml"))[:2]:
        text = path.read_text(encoding="utf-8")
        if path.stem.startswith("000"):
            text = text[: text.index("\nduties:")] + "\nduties: null\n"
        (gold / path.name).write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["evaluate", "--gold", str(gold), "--raw", str(RAW_DIR)])
    assert result.exit_code == 0, result.output
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.startswith("│ 00")}
    assert set(rows) == {"000_888081b4012a42ca", "001_1fada07f3521683b"}  # never cut to fit 80 columns
    coded, uncoded = rows["001_1fada07f3521683b"].split("│")[2:6], rows["000_888081b4012a42ca"].split("│")[2:6]
    assert [cell.strip() for cell in uncoded] == ["—"] * 4
    assert all(cell.strip().replace(".", "").isdigit() for cell in coded)
