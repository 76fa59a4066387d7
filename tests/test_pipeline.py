"""The whole ingest chain on one file: accounting of every raw character, provenance, scale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antifraud_corpus.pipeline import clean_text, process_file
from antifraud_corpus.stages.pii import contains_personal_data, find_personal_data
from antifraud_corpus.store import to_json
from antifraud_corpus.text.textmap import TrackedText
from conftest import RAW_DIR, SEED_PATHS, load_gold


def accounted(tracked: TrackedText, removed) -> set[int]:
    positions: set[int] = set()
    for _, _, raw_start, raw_end in tracked.segments:
        positions.update(range(raw_start, raw_end))
    for piece in removed:
        positions.update(range(piece.start, piece.end))
    return positions


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem[:3])
def test_every_raw_character_of_each_seed_is_accounted_for(path: Path, config):
    raw = path.read_text(encoding="utf-8")
    cleaned = clean_text(raw, config)
    assert accounted(cleaned.tracked, cleaned.removed) == set(range(len(raw)))


SEED_LINES = [line for p in SEED_PATHS for line in p.read_text(encoding="utf-8").splitlines()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(st.sampled_from(SEED_LINES),
                                st.text(alphabet="網絡（）()wǎng 要 \u3000\t", max_size=12)), min_size=1, max_size=12))
def test_every_raw_character_is_accounted_for_in_mixed_pages(lines, config):
    raw = "\n".join(lines)
    cleaned = clean_text(raw, config)
    assert accounted(cleaned.tracked, cleaned.removed) == set(range(len(raw)))


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem[:3])
def test_clauses_and_duties_trace_back_to_raw_offsets(path: Path, config):
    doc = process_file(path, RAW_DIR, config)
    tracked = TrackedText(doc.text, path.read_text(encoding="utf-8"), [tuple(s) for s in doc.source_map])
    for clause in doc.clauses:
        assert doc.text[clause.start:clause.end] == clause.text
        raw_start, raw_end = tracked.raw_span(clause.start, clause.end)
        assert 0 <= raw_start < raw_end <= len(tracked.raw)
    for duty in doc.duties:
        assert doc.text[duty.start:duty.end] == duty.sentence


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem[:3])
def test_no_personal_data_in_any_field(path: Path, config):
    doc = process_file(path, RAW_DIR, config)
    dumped = to_json(doc.to_dict())
    for value in load_gold(path.stem).get("pii") or []:
        assert value not in dumped


@pytest.mark.slow
def test_a_50_mb_file_is_ingested_in_bounded_memory(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    seed = (RAW_DIR / "000_888081b4012a42ca.txt").read_text(encoding="utf-8")
    # The resolution's body (traditional, glossed, numbered), without the page's tail lines:
    # repeated, it is one long glossed document with a quarter of a million directives.
    body = seed[seed.index("湖南省第十三屆"):seed.index("本決議自公布之日起施行")]
    repeats = 50_000_000 // len(body.encode("utf-8")) + 1
    with (raw / "big.txt").open("w", encoding="utf-8") as fh:
        for _ in range(repeats):
            fh.write(body)
    size = (raw / "big.txt").stat().st_size
    assert size >= 50_000_000
    script = (
        "import resource, sys\n"
        "from antifraud_corpus.cli import main\n"
        "try:\n"
        f"    main(['ingest', '--raw', {str(raw)!r}, '--normalized', {str(tmp_path / 'out')!r}])\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        # VmHWM is this process's own peak; ru_maxrss also counts the pytest process it was forked
        # from (Linux carries the parent's resident set into the child's maximum across exec).
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    status = open('/proc/self/status').read()\n"
        "    peak = int(status.split('VmHWM:')[1].split()[0])\n"
        "except (OSError, IndexError, ValueError):\n"
        "    pass\n"
        "print(peak, code, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    peak_kb, code = proc.stderr.strip().splitlines()[-1].split()
    assert code in ("0", "None"), proc.stderr
    assert (tmp_path / "out" / "big.json").stat().st_size > size
    # Text is held a few times over (raw, cleaned, clauses, JSON); never per-character objects.
    assert int(peak_kb) * 1024 < 16 * size, f"peak RSS {int(peak_kb) // 1024} MB for a {size // 2**20} MB file"


def reference_redact_removed(removed, hits):
    """Every piece against every value: what `redact_removed` finds from the values alone."""
    out = []
    for piece in sorted(removed, key=lambda r: (r.start, r.end)):
        text = piece.text
        for hit in reversed([h for h in hits if h.start < piece.end and piece.start < h.end]):
            lo, hi = max(hit.start, piece.start) - piece.start, min(hit.end, piece.end) - piece.start
            text = text[:lo] + hit.replacement + text[hi:]
        out.append((piece.start, piece.end, text, piece.reason))
    return out


PII_RAW = ("通缉令：犯罪嫌疑人张某某，男，1985年3月4日出生，身份证号：110101198503041234，"
           "户籍地：河北省邯郸市临漳县某村，手机13812345678。\n其他内容。\n联系电话13900001111")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(PII_RAW)), st.integers(0, 30)), max_size=12))
def test_removed_pieces_are_redacted_as_against_every_value(config, spans):
    from antifraud_corpus.stages.pii import redact_removed
    from antifraud_corpus.text.textmap import RemovedLog

    removed = RemovedLog(PII_RAW)
    for start, length in spans:
        removed.append(start, min(len(PII_RAW), start + length), "junk")
    hits = find_personal_data(PII_RAW, config)
    got = [(r.start, r.end, r.text, r.reason) for r in redact_removed(removed, hits)]
    assert got == reference_redact_removed(removed, hits)


def test_personal_data_is_found_in_the_converted_text_and_mapped_to_raw_spans(config):
    # Traditional, glossed and with ASCII punctuation: the values are found once the text is
    # converted, and the raw spans they map to are exactly the raw values.
    raw = ("通緝令\n犯罪嫌(xián)疑人楊某某,男,漢族,1977年11月4日出生,戶(hù)籍地:河北省邯鄲市臨漳縣新家巷16號,"
           "身份證號碼:132129197711040035。\n聯繫電話13912345678")
    found = clean_text(raw, config).personal_data
    assert [(raw[e.start:e.end], e.reason) for e in found] == [
        ("楊某某", "pii:name"), ("河北省邯鄲市臨漳縣新家巷16號", "pii:address"),
        ("132129197711040035", "pii:id-number"), ("13912345678", "pii:mobile")]


STATUTE = (
    "第十条 申请登记应当提交经营者姓名和住所、经营场所等材料。\n"
    "第十一条 本条例适用于户籍在本市的公民。由其户籍所在地的乡镇人民政府、街道办事处受理，"
    "当事人住所地人民法院管辖。\n"
    "第十二条 登记机关应当记录申请人的姓名或者名称、住所、联系方式。\n"
)
BULLETIN = (
    "<p>国务院任命林秀英（女）为文化部部长。</p><p><strong>保障住房交付</strong></p>"
    "<p>全省户籍人口城镇化率达到55.2%。田径赛场产生女子跳远，男、女200米等9项冠军。</p>"
)


@pytest.mark.parametrize("raw", [STATUTE, BULLETIN], ids=["statute", "bulletin"])
def test_statute_words_and_public_roles_keep_their_text(raw: str, config):
    cleaned = clean_text(raw, config)
    assert cleaned.personal_data == []
    assert [r for r in cleaned.replaced if r.reason.startswith("pii")] == []


def test_a_value_found_before_cleaning_is_redacted_where_cleaning_joins_paragraphs(config):
    # The converted text shows the field ending at the markup; the cleaned text reads on.
    cleaned = clean_text("<p>户籍地：河北省某县</p><p>某村5号的房屋</p>", config)
    assert cleaned.tracked.text == "户籍地：[住址]某村5号的房屋"


def test_a_value_seen_only_across_dropped_markup_is_none(config):
    # `河北省` alone is no address; `河北省某县某村5号` is read only once the markup is gone.
    cleaned = clean_text("<p>户籍地：河北省</p><p>某县某村5号</p>", config)
    assert cleaned.tracked.text == "户籍地：河北省某县某村5号"
    # A value the cleaned text shows whole, its raw text one stretch, is redacted.
    cleaned = clean_text("<p>户籍地：<span>河北省某县某村5号</span></p>", config)
    assert cleaned.tracked.text == "户籍地：[住址]"


@pytest.mark.parametrize("path", SEED_PATHS, ids=lambda p: p.stem[:3])
def test_no_raw_personal_data_in_removed_pieces(path: Path, config):
    # Removed pieces keep the raw text (traditional here): the raw values must not be in them either.
    raw = path.read_text(encoding="utf-8")
    found = contains_personal_data(raw, config)
    doc = process_file(path, RAW_DIR, config)
    removed = "\n".join(piece.text for piece in doc.removed)
    assert [raw[start:end] for _, start, end in found if raw[start:end] in removed] == []


def test_the_raw_listing_is_rglob_order_without_hidden_entries(tmp_path: Path):
    from antifraud_corpus.rawfiles import _listing

    raw = tmp_path / "raw"
    for rel in ["a/b.txt", "a-b.txt", "a.txt", "z/y/x.txt", "z/y.meta.yaml", "B.txt", ".hidden/c.txt",
                "d/.e.txt", "中文/文件.txt"]:
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        (raw / rel).write_text("x", encoding="utf-8")
    (raw / "linked").symlink_to(raw / "z", target_is_directory=True)  # listed, not followed
    expected = [p.relative_to(raw).as_posix() for p in sorted(raw.rglob("*"))
                if not p.is_dir() and not any(part.startswith(".") for part in p.relative_to(raw).parts)]
    assert _listing(raw) == expected
    assert "z/y.meta.yaml" in expected and "linked/y.meta.yaml" not in expected


def test_an_unreadable_raw_folder_is_an_input_error(tmp_path: Path):
    import os

    from antifraud_corpus.errors import InputFolderError
    from antifraud_corpus.rawfiles import discover_raw_files

    raw = tmp_path / "raw"
    raw.mkdir()
    raw.chmod(0)
    try:
        if os.access(raw, os.R_OK):
            pytest.skip("running as a user who reads any folder")
        with pytest.raises(InputFolderError, match="cannot list the raw folder"):
            discover_raw_files(raw)
    finally:
        raw.chmod(0o755)


# ---------------------------------------------------------------- laws and bulletins as written


def test_a_title_and_header_note_alone_ingest_with_a_warning(tmp_path: Path, config):
    path = tmp_path / "note-only.md"
    path.write_text("# 某某省某某条例\n\n2019年11月29日 某某省第十三届人民代表大会常务委员会第十四次会议通过\n\n"
                    "<!-- INFO END -->\n", encoding="utf-8")
    doc = process_file(path, tmp_path, config)
    assert doc.text == "某某省某某条例\n2019年11月29日 某某省第十三届人民代表大会常务委员会第十四次会议通过"
    assert "cleaning: only a title and header notes, no body text" in doc.warnings


def test_a_markdown_law_keeps_its_chapters_articles_and_table(tmp_path: Path, config):
    path = tmp_path / "law.md"
    path.write_text("# 某某省电信设施保护条例\n\n2020年6月4日 某某省第十三届人民代表大会常务委员会第十八次会议通过\n\n"
                    "<!-- INFO END -->\n\n## 第一章  总则\n\n第一条 为了保护电信设施，制定本条例。\n\n"
                    "### 第一节\u3000一般规定\n\n第二条 未经许可，任何单位不得迁改电信设施。保护范围如下：\n\n"
                    "| 设施 | 保护范围 |\n|---|---|\n| 光缆 | 两侧各五米 |\n\n"
                    "## 第二章 附则\n\n第三条 本条例自2020年10月1日起施行。\n", encoding="utf-8")
    doc = process_file(path, tmp_path, config)
    assert [(c.path, c.chapter) for c in doc.clauses] == [
        ("第一条", "第一章 总则"), ("第二条", "第一章 总则 第一节 一般规定"), ("第三条", "第二章 附则")]
    assert doc.clauses[1].text == ("未经许可，任何单位不得迁改电信设施。保护范围如下：\n"
                                   "| 设施 | 保护范围 |\n| 光缆 | 两侧各五米 |")
    assert {r.reason for r in doc.removed} <= {"junk:markup", "whitespace"}
    assert not [w for w in doc.warnings if w.startswith("cleaning:")]


def test_a_cut_after_the_article_end_is_a_warning_with_its_size(tmp_path: Path, config):
    body = "各地要加强反诈宣传，落实工作责任，确保各项措施取得实效。" * 6
    tail = "某地举办反诈宣传活动，现场发放宣传资料。"
    path = tmp_path / "page.txt"
    path.write_text(f"某某市反诈工作通知\n{body}\n责任编辑：王某\n{tail}\n", encoding="utf-8")
    doc = process_file(path, tmp_path, config)
    assert doc.text.endswith("确保各项措施取得实效。")
    assert [w for w in doc.warnings if w.startswith("cleaning:")] == [
        f"cleaning: cut {len(tail) + 1} characters after the article's end (junk:after-article-end); "
        "check the removed pieces if the document goes on there"]


BULLETIN = """# 《新闻联播》 (20240105)

## 新闻摘要

本期节目主要内容：

1.某某会见某国总理；

2.某地法院对电信网络诈骗集团案一审宣判；

3.国内联播快讯：

（1）某省上线反诈预警平台。

## 详细新闻

### 某某会见某国总理

<p><strong>央视网消息</strong>（新闻联播）：5日上午，某某会见某国总理。</p><p>双方表示，要深化合作。&nbsp;</p>

[查看原文](https://tv.cctv.com/2024/01/05/VIDEabc.shtml)

### 某地法院对电信网络诈骗集团案一审宣判

<p><strong>央视网消息</strong>（新闻联播）：今天，某地中级人民法院对一电信网络诈骗集团案一审公开宣判。</p><p>法院认定，被告人的行为构成诈骗罪。</p>

### 国内联播快讯

<p><strong>央视网消息</strong>（新闻联播）：</p><p><strong>某省上线反诈预警平台</strong></p><p>某省上线预警平台，拦截诈骗电话。</p>

---

(更新时间戳: 1704459600000)
"""


def test_a_bulletin_item_is_a_clause_under_its_headline(tmp_path: Path, config):
    path = tmp_path / "xwlb-20240105.md"
    path.write_text(BULLETIN, encoding="utf-8")
    cleaned = clean_text(BULLETIN, config)
    assert accounted(cleaned.tracked, cleaned.removed) == set(range(len(BULLETIN)))
    doc = process_file(path, tmp_path, config)
    assert all(c.path.startswith("¶") for c in doc.clauses)  # the rundown's numbers are no outline
    headed = {c.heading: c.text for c in doc.clauses if c.heading}
    assert list(headed) == ["某某会见某国总理", "某地法院对电信网络诈骗集团案一审宣判", "国内联播快讯",
                            "某省上线反诈预警平台"]
    assert headed["某地法院对电信网络诈骗集团案一审宣判"] == (
        "央视网消息（新闻联播）：今天，某地中级人民法院对一电信网络诈骗集团案一审公开宣判。法院认定，被告人的行为构成诈骗罪。")
    assert not [w for w in doc.warnings if w.startswith("cleaning:")]
