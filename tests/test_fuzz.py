"""Fuzzing the per-file pipeline (decode → … → extract) and the sidecar reader.

Pages are put together from what real and hostile pages hold: seed lines, every kind of
white space, long lines, runs of `?` between Chinese characters, markup fragments, pinyin
glosses, mojibake-like bytes, numbered headings; sidecars from keys, values, aliases, tags,
huge numbers and broken bytes. Properties: nothing but a `CorpusError` escapes; every
character of the decoded raw text is in the cleaned text or in a removed piece; clauses and
duties are spans of the text; each example takes bounded time.

A short, fixed run (derandomized) is part of every `pytest` run; for a longer one:
`HYPOTHESIS_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antifraud_corpus.errors import ConfigError, CorpusError
from antifraud_corpus.pipeline import prepare_stages, process_raw
from antifraud_corpus.stages.decode import RawFile, decode_bytes
from antifraud_corpus.stages.sidecar import load_sidecar
from conftest import SEED_PATHS

_EXAMPLES = int(os.environ.get("HYPOTHESIS_FUZZ_EXAMPLES", "0"))
# (each example is a whole ingest: well under a second; ten times that fails loudly)
_SECONDS_PER_EXAMPLE = 10.0


def _fuzz(examples: int) -> settings:
    return settings(max_examples=_EXAMPLES or examples, derandomize=not _EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


SEED_LINES = [line for path in SEED_PATHS for line in path.read_text(encoding="utf-8").splitlines() if line]
WHITESPACE = [" ", "\t", "\x0c", "\x0b", "\x85", "\u2028", "\u2029", "\u3000", "\u00a0", "\r", "\u200b", "\ufeff"]
FRAGMENTS = [
    *WHITESPACE, "?", "??", "中?文", "?cái)", "網(wǎng)", "网（wǎng）", "guǎn)", "嚯娦啪W", "€", "\ufffd",
    "<p>", "</p>", "<strong>", "</strong>", "<br/>", "<!--", "-->", "<!-- INFO -->", "<a href='x'>", "</a>",
    "[", "]", "](", ")", "[查看原文](http://a.cn/x)", "![图](a.png)", "**", "&nbsp;", "&#20013;", "&amp;", "&bogus;",
    "# ", "## 第一章 总则", "> ", "| a | b |", "|---|---|", "---", "```",
    "第一条", "第二十五条", "一、", "（一）", "（二）", "1.", "2、", "附件", "来源：新华网", "责任编辑：张三",
    "2023年1月1日", "2023-01-01 10:00", "13800138000", "110101199003077777", "张三", "公安机关", "应当", "加强",
    "。", "，", "；", "：", "“", "”", "《", "》", "（", "）", "中", "国", "a", "1", "\\", "\x00", "\x1b[31m",
]


@st.composite
def _lines(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 9))
    if kind < 4:
        return draw(st.sampled_from(SEED_LINES))
    if kind == 9:  # a long line: one fragment many times over
        return draw(st.sampled_from(FRAGMENTS)) * draw(st.integers(50, 2000))
    return "".join(draw(st.lists(st.sampled_from(FRAGMENTS), max_size=30)))


@st.composite
def _pages(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(draw(st.lists(_lines(), min_size=1, max_size=25)))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "gb18030", "big5", "utf-16", "utf-8-sig"]))
    data = text.encode(encoding, errors="replace") if encoding != "gb18030" else text.encode("gb18030", "ignore")
    if draw(st.integers(0, 5)) == 0:  # mojibake-like bytes: a GBK page cut one byte out of step, stray bytes
        cut = draw(st.integers(0, max(0, len(data) - 1)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut + 1 :]
    return data


def _accounted(doc: object) -> set[int]:
    positions: set[int] = set()
    for _, _, raw_start, raw_end in doc.source_map:  # type: ignore[attr-defined]
        positions.update(range(raw_start, raw_end))
    for piece in doc.removed:  # type: ignore[attr-defined]
        positions.update(range(piece.start, piece.end))
    return positions


@_fuzz(60)
@given(data=_pages())
def test_any_page_is_ingested_or_refused_with_one_error(config, data):
    prepare_stages(config)
    started = time.perf_counter()
    try:
        decoded = decode_bytes(data, config, name="page.txt")
        doc = process_raw(RawFile(Path("page.txt"), len(data), "", decoded), "page.txt", config)
    except CorpusError:
        return  # (binary, undecodable, nothing left after cleaning: one line for the file)
    finally:
        elapsed = time.perf_counter() - started
        assert elapsed < _SECONDS_PER_EXAMPLE, f"{elapsed:.1f} s for a page of {len(data):,} bytes"
    raw = decoded.text
    assert _accounted(doc) == set(range(len(raw)))  # every raw character kept or removed
    for clause in doc.clauses:
        assert 0 <= clause.start <= clause.end <= len(doc.text)
        assert doc.text[clause.start : clause.end] == clause.text
    for duty in doc.duties:
        assert 0 <= duty.start < duty.end <= len(doc.text)
        assert doc.text[duty.start : duty.end] == duty.sentence


_KEYS = ["title", "issuer", "date", "level", "region", "province", "kind", "other", "'date'", "? date", "<<"]
_VALUES = [
    "关于加强反诈宣传工作的通知", "2022-09-26", "2022-02-30", "'2022-09-26'", "2022年9月26日", "national", "provincial",
    "省级", "湖南", "湖南省", "长沙市", "notice", "law", "null", "~", "yes", "0", "-1", "1e999", "9" * 5000,
    '"\\ud800"', '"\\x00"', "&a [1, 2]", "*a", "[*a, *a, *a]", "&b {x: 1}", "*b", "!!binary aGk=",
    "!!python/object:os.system ls", "!!set {a, b}", "!!timestamp 2022-09-26", "[[[[[]]]]]", "{a: {b: {c: d}}}",
    "|\n  多行\n  文本", ">-\n  折叠", "'unterminated", "[1, 2", "{", "- a\n- b", "x" * 3000,
]


@st.composite
def _sidecars(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 6)) == 0:
            lines.append(draw(st.sampled_from(_VALUES)))  # a value with no key (a list, a scalar, junk)
        else:
            lines.append(f"{draw(st.sampled_from(_KEYS))}: {draw(st.sampled_from(_VALUES))}")
    data = "\n".join(lines).encode("utf-8")
    if draw(st.integers(0, 6)) == 0:
        data += draw(st.binary(max_size=6))  # broken bytes
    return data


@_fuzz(150)
@given(data=_sidecars())
def test_any_sidecar_is_read_or_refused_with_one_config_error(config, tmp_path, data):
    path = tmp_path / "page.meta.yaml"
    path.write_bytes(data)
    started = time.perf_counter()
    try:
        fields = load_sidecar(path, config)
    except ConfigError as exc:
        assert "\n" not in str(exc).strip() or str(exc).count("\n") <= 2, str(exc)
        assert str(path) in str(exc) or "page.meta.yaml" in str(exc)
    else:
        assert isinstance(fields, dict)
        assert all(isinstance(value, str) and len(value) < 10_000 for value in fields.values()), fields
    assert time.perf_counter() - started < 2.0
