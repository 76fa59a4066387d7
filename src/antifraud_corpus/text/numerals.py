"""Chinese numerals: one table, a reader (`numeral_value`) and a writer (`chinese_number`).

The table is the script's own (what 〇, 两 or 百 stand for), not a rule a corpus tunes, so it
lives here rather than in a config file; every stage that reads a numeral calls `numeral_value`,
and the DOCX reader writes Word's automatic numbers (`第十二条`) with `chinese_number`.
"""

from __future__ import annotations

# Each digit's value is its place here: the form it is written in first, then the other forms it
# is read in: dates (`二〇二二`, `二○二二` with a circle, `二Ｏ二二` with a letter O), `两` in
# headings (`第两百条` is rare but real) and counts.
_DIGIT_FORMS = ("零〇○ＯO", "一", "二两", "三", "四", "五", "六", "七", "八", "九")
DIGITS = {form: value for value, forms in enumerate(_DIGIT_FORMS) for form in forms}
UNITS = {"十": 10, "百": 100, "千": 1000}

_WRITTEN_DIGITS = "".join(forms[0] for forms in _DIGIT_FORMS)
_WRITTEN_UNITS = "".join(UNITS) + "万"  # (a count may pass 9,999 where it is written; no heading does)
# The financial forms (大写), Word's chineseLegalSimplified: digits 0-9, then the units.
_LEGAL_DIGITS, _LEGAL_UNITS = "零壹贰叁肆伍陆柒捌玖", "拾佰仟万"


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


def chinese_number(n: int, *, legal: bool = False) -> str:
    """`n` (0 to 99,999) in Chinese numerals as Word's chineseCounting writes them; `legal`: its 大写 form.

    A number from 10 to 19 drops its leading one (`十二`) except in the legal form; a run of
    zeros inside the number is written as one 零.

    >>> [chinese_number(n) for n in (0, 7, 10, 12, 20, 105, 1010, 2022)]
    ['零', '七', '十', '十二', '二十', '一百零五', '一千零一十', '二千零二十二']
    >>> chinese_number(12, legal=True)
    '壹拾贰'
    """
    digits, units = (_LEGAL_DIGITS, _LEGAL_UNITS) if legal else (_WRITTEN_DIGITS, _WRITTEN_UNITS)
    if n < 10:
        return digits[n]
    if n < 20 and not legal:
        return units[0] + (digits[n % 10] if n % 10 else "")
    parts, zero = [], False
    for power in range(len(str(n)) - 1, -1, -1):
        digit = n // 10 ** power % 10
        if digit == 0:
            zero = bool(parts)
            continue
        if zero:
            parts.append(digits[0])
            zero = False
        parts.append(digits[digit] + (units[power - 1] if power else ""))
    return "".join(parts)
