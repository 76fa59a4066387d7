"""extract/modality.py: quotations are found in linear time, with the spans a regex would give."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from antifraud_corpus.extract.modality import quoted_spans

QUOTES = (("《", "》"), ("“", "”"), ("「", "」"))
OPENS = re.compile("[《“「]")
AS_REGEX = re.compile("|".join(f"{re.escape(a)}[^{re.escape(b)}]*{re.escape(b)}" for a, b in QUOTES))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="《》“”「」要应当不得甲乙", max_size=60))
def test_quoted_spans_are_the_regex_spans(text):
    assert quoted_spans(text, QUOTES, OPENS) == [m.span() for m in AS_REGEX.finditer(text)]


def test_unclosed_quotes_cost_linear_time():
    def cost(n: int) -> float:
        text = "《" * n + "要" + "“" * n
        start = time.perf_counter()
        quoted_spans(text, QUOTES, OPENS)
        return time.perf_counter() - start

    small, large = cost(2_000), cost(64_000)
    assert large < 320 * max(small, 1e-4)  # 32x the text: ten times linear, far below quadratic (1,024x)
