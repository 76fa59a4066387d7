"""The segmenter: rjieba and Python jieba cut the seed sentences identically with the same user words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from antifraud_corpus.config import load_config
from antifraud_corpus.extract import build_segmenter
from antifraud_corpus.text.segmenter import user_words

GOLD = Path(__file__).parent / "fixtures" / "gold"


def _seed_sentences() -> list[str]:
    out = []
    for path in sorted(GOLD.glob("*.yaml")):
        gold = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.extend(d["text"] for d in gold.get("duties") or [])
        out.extend(gold.get("keep") or [])
        out.extend(s for s in gold.get("ignore_spans") or [])
    return out


@pytest.fixture(scope="module")
def config():
    return load_config()


def test_engines_agree_on_every_seed_sentence(config):
    fast = build_segmenter(config, engine="rjieba")
    reference = build_segmenter(config, engine="jieba")
    sentences = _seed_sentences()
    assert len(sentences) > 100
    for sentence in sentences:
        assert fast.cut(sentence) == reference.cut(sentence), sentence


def test_engines_agree_on_the_seed_documents(config):
    from antifraud_corpus.pipeline import process_file

    raw = Path(__file__).parent.parent / "data" / "raw"
    fast = build_segmenter(config, engine="rjieba")
    reference = build_segmenter(config, engine="jieba")
    for path in sorted(raw.glob("*.txt"))[:5]:
        text = process_file(path, raw, config).text
        assert fast.cut(text) == reference.cut(text), path.name


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_aliases_are_user_words(config, engine):
    seg = build_segmenter(config, engine=engine)
    words = seg.cut("公安机关要冻结银行卡，国务院电信主管部门要指导银行业金融机构。")
    assert "公安机关" in words and "银行卡" in words
    assert "国务院电信主管部门" in words and "银行业金融机构" in words
    assert "银行" not in words


def test_tokens_give_offsets(config):
    seg = build_segmenter(config)
    words, offs = seg.tokens("金融机构要加强监测。")
    assert "".join(words) == "金融机构要加强监测。"
    assert offs[0] == 0 and offs[-1] == len("金融机构要加强监测。")
    assert all("金融机构要加强监测。"[a:b] == w for w, a, b in zip(words, offs[:-1], offs[1:], strict=True))


def test_user_words_leave_out_what_jieba_cannot_cut(config):
    words = user_words(config)
    assert "公安机关" in words
    assert all("（" not in w and "、" not in w for w in words)


def test_segmenter_is_built_once(config):
    assert build_segmenter(config) is build_segmenter(config)


def test_the_rjieba_segmenter_skips_the_package_default_instance():
    # (the package's __init__ builds a whole-dictionary segmenter we never use; the class is the same)
    code = ("import sys; from antifraud_corpus.config import load_config; "
            "from antifraud_corpus.extract import build_segmenter; "
            "seg = build_segmenter(load_config(), engine='rjieba'); "
            "skipped = 'rjieba' not in sys.modules; import rjieba; "
            "print(skipped, sys.modules['rjieba.rjieba'].Jieba is rjieba.Jieba, "
            "'|'.join(seg.cut('市公安局应当冻结涉案银行卡')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "市|公安局|应当|冻结|涉案|银行卡"]
