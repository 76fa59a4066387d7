"""The extractor on the five seed documents, scored against the development gold like score.py."""

from __future__ import annotations

import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import yaml

from antifraud_corpus.config import load_config
from antifraud_corpus.pipeline import process_file

ROOT = Path(__file__).parent.parent
GOLD = ROOT / "tests" / "fixtures" / "gold"
RAW = ROOT / "data" / "raw"


def _norm(s: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", s or "").split())


def _overlap(a: str, b: str) -> float:
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(x.size for x in blocks) / min(len(a), len(b))


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    config = load_config()
    keys = ("du_tp", "du_fp", "du_fn", "ac_tp", "ac_fp", "ac_fn", "me_tp", "me_fp", "me_fn", "ok", "n")
    c = dict.fromkeys(keys, 0)
    for path in sorted(GOLD.glob("*.yaml")):
        gold = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc = process_file(RAW / f"{gold['doc']}.txt", RAW, config)
        ignore = [_norm(s) for s in gold.get("ignore_spans") or []]
        preds = [d for d in doc.duties if not any(_norm(d.sentence) in s for s in ignore)]
        golds = gold.get("duties") or []
        pairs = sorted(((_overlap(g["text"], p.sentence), gi, pi) for gi, g in enumerate(golds)
                        for pi, p in enumerate(preds)), reverse=True)
        used_g: set[int] = set()
        used_p: set[int] = set()
        for o, gi, pi in pairs:
            if o < 0.5 or gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            g, p = golds[gi], preds[pi]
            for key, want, got in (("ac", set(g["actors"] or []), set(p.actor_ids)),
                                   ("me", set(g["measures"] or []), set(p.measure_ids))):
                c[f"{key}_tp"] += len(want & got)
                c[f"{key}_fp"] += len(got - want)
                c[f"{key}_fn"] += len(want - got)
            c["n"] += 1
            c["ok"] += g["modality"] == p.modality
        c["du_tp"] += len(used_g)
        c["du_fp"] += len(preds) - len(used_p)
        c["du_fn"] += len(golds) - len(used_g)
        for gi, g in enumerate(golds):
            if gi not in used_g:
                c["ac_fn"] += len(g["actors"] or [])
                c["me_fn"] += len(g["measures"] or [])
        for pi, p in enumerate(preds):
            if pi not in used_p:
                c["ac_fp"] += len(p.actors)
                c["me_fp"] += len(p.measures)
    return {
        "duty_f1": _f1(c["du_tp"], c["du_fp"], c["du_fn"]),
        "actor_f1": _f1(c["ac_tp"], c["ac_fp"], c["ac_fn"]),
        "measure_f1": _f1(c["me_tp"], c["me_fp"], c["me_fn"]),
        "modality_acc": c["ok"] / max(c["n"], 1),
    }


@pytest.mark.parametrize(("figure", "bar"), [("duty_f1", 0.9), ("actor_f1", 0.9), ("measure_f1", 0.8),
                                             ("modality_acc", 0.95)])
def test_seed_scores_reach_the_bars(scores, figure, bar):
    assert scores[figure] >= bar, scores
