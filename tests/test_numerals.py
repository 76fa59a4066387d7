from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus.stages.formats.docx import chinese_number
from antifraud_corpus.text.numerals import numeral_value


@given(st.integers(0, 9999))
def test_a_number_written_as_word_counts_it_reads_back(n):
    assert numeral_value(chinese_number(n)) == n


@given(st.integers(0, 9999))
def test_arabic_digits_of_either_width_read_as_written(n):
    assert numeral_value(str(n)) == n
    assert numeral_value("".join(chr(ord(c) + 0xFEE0) for c in str(n))) == n


def test_years_are_read_digit_by_digit_and_two_is_also_liang():
    assert [numeral_value(n) for n in ("二〇二二", "二○二三", "一九九九", "两百", "第五", "")] == [
        2022, 2023, 1999, 200, None, None]
