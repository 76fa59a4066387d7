"""The unigram word model of jieba's dictionary that mojibake repair scores readings with."""

from __future__ import annotations

import jieba

from antifraud_corpus.stages.word_model import jieba_dictionary, language_model, read_frequencies


def test_dictionary_frequencies_read_fast_as_line_by_line():
    three = "一 10 m\n一个 20 m\n中国 30 ns\n"
    assert read_frequencies(three) == {"一": 10, "一个": 20, "中国": 30}
    # other shapes (no tag, a count missing, a blank line) are read line by line
    assert read_frequencies("一 10\n二 x n\n\n三 3 m") == {"一": 10, "三": 3}
    assert read_frequencies("一 1\n二 2 3 x\n") == {"一": 1, "二": 2}  # fields that happen to add up


def test_language_model_reads_jiebas_own_dictionary():
    with jieba.Tokenizer().get_dict_file() as handle:
        assert jieba_dictionary().read_bytes() == handle.read()
    model = language_model()
    assert model.freq["中国"] > 0 and len(model.freq) > 300_000
