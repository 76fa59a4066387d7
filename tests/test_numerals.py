import doctest

from hypothesis import given
from hypothesis import strategies as st

from antifraud_corpus.text import numerals
from antifraud_corpus.text.numerals import DIGITS, chinese_number, numeral_value


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


def test_numbers_are_written_with_the_readers_first_form_of_each_digit():
    assert [chinese_number(n) for n in (0, 2, 10, 12, 20, 101, 1010, 2022, 10203)] == [
        "零", "二", "十", "十二", "二十", "一百零一", "一千零一十", "二千零二十二", "一万零二百零三"]
    assert [chinese_number(n, legal=True) for n in (3, 12, 105, 2000)] == ["叁", "壹拾贰", "壹佰零伍", "贰仟"]
    assert {DIGITS[form] for form in "零〇○ＯO"} == {0} and DIGITS["两"] == DIGITS["二"] == 2


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(numerals) == doctest.TestResults(failed=0, attempted=3)
