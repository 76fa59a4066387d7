"""Chinese numerals read as numbers: one table and one reader for headings, articles and dates.

The table is the script's own (what 〇, 两 or 百 stand for), not a rule a corpus tunes, so it
lives here rather than in a config file; every stage that reads a numeral calls `numeral_value`.
"""

from __future__ import annotations

# Digits as written in headings (`第两百条` is rare but real), dates (`二〇二二`, `二○二二` with a
# circle, `二Ｏ二二` with a letter O) and counts.
DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}


def numeral_value(numeral: str) -> int | None:
    """The value of an Arabic or Chinese numeral up to the thousands; None when it is neither.

    Digits without units are read one by one, as a year is written.

    >>> [numeral_value(n) for n in ("12", "１２", "十二", "二十六", "一百零三", "两百", "二〇二二", "九", "十a")]
    [12, 12, 12, 26, 103, 200, 2022, 9, None]
    """
    if numeral.isdigit():
        return int(numeral)  # int() also reads full-width digits
    if not numeral or any(char not in DIGITS and char not in UNITS for char in numeral):
        return None
    if len(numeral) > 1 and not any(char in UNITS for char in numeral):
        return int("".join(str(DIGITS[char]) for char in numeral))
    total, digit = 0, 0
    for char in numeral:
        if char in DIGITS:
            digit = DIGITS[char]
        else:
            total += (digit or 1) * UNITS[char]  # `十二`: a bare 十 is ten
            digit = 0
    return total + digit
