"""Web pages, PDF and DOCX read as text: same results as the plain-text document, bad files one line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from antifraud_corpus.errors import IngestError
from antifraud_corpus.pipeline import process_file
from antifraud_corpus.stages.decode import read_raw_file
from antifraud_corpus.stages.formats import FormatError, sniff_format
from antifraud_corpus.stages.formats.docx import Numbering, chinese_number, format_number
from conftest import with_config_file
from format_fixtures import (
    docx_paragraph,
    docx_table,
    gov_page,
    make_docx,
    make_ofd,
    make_pdf,
    ofd_page_lines,
    pdf_page_lines,
)

# A small handmade notice (invented wording), written once per format below.
TITLE = "某某市人民政府关于加强反诈骗宣传工作的通知"
ADDRESS = "各区县人民政府，市政府各部门："
ARTICLES = [
    ("第一条", "各级公安机关应当加强对电信网络诈骗犯罪的打击，依法查处违法犯罪活动。"),
    ("第二条", "电信企业应当落实电话用户实名登记制度，不得向未实名登记的用户提供服务。"),
]
ITEMS = ["银行业金融机构应当建立开户风险评估机制。", "教育部门要开展校园反诈宣传教育。"]
LEAD = "第三条"
LEAD_TEXT = "有关部门应当做好下列工作："
ISSUER = "某某市人民政府"
DATE_LINE = "2023年5月8日"


def _text_document() -> str:
    lines = [TITLE, ADDRESS]
    lines += [f"{number} {text}" for number, text in ARTICLES]
    lines.append(f"{LEAD} {LEAD_TEXT}")
    lines += [f"（{n}）{text}" for n, text in zip("一二", ITEMS, strict=True)]
    lines += [ISSUER, DATE_LINE]
    return "\n".join(lines) + "\n"


def _html_document() -> str:
    body = f"<p>{ADDRESS}</p>" + "".join(f"<p>{n} {t}</p>" for n, t in ARTICLES)
    body += f"<p>{LEAD} {LEAD_TEXT}</p>" + "".join(f"<p>（{n}）{t}</p>" for n, t in zip("一二", ITEMS, strict=True))
    body += f"<p>{ISSUER}</p><p>{DATE_LINE}</p>"
    return gov_page(TITLE, body, table={"索引号": "000-2023-0001", "发文机关": ISSUER, "成文日期": "2023-05-08",
                                        "文号": "某政发〔2023〕1号"})


def _docx_document() -> bytes:
    body = docx_paragraph(TITLE) + docx_paragraph(ADDRESS)
    body += "".join(docx_paragraph(text, num=(1, 0)) for _, text in ARTICLES)
    body += docx_paragraph(LEAD_TEXT, num=(1, 0))
    body += "".join(docx_paragraph(text, num=(1, 1)) for text in ITEMS)
    body += docx_paragraph(ISSUER) + docx_paragraph(DATE_LINE)
    return make_docx(body, header="某某市人民政府文件", footer="第 1 页")


def _pdf_document() -> bytes:
    first = [ADDRESS] + [f"{n} {t}" for n, t in ARTICLES]
    second = [f"{LEAD} {LEAD_TEXT}"] + [f"（{n}）{t}" for n, t in zip("一二", ITEMS, strict=True)]
    second += [ISSUER, DATE_LINE]
    return make_pdf([pdf_page_lines([TITLE, *first], centered=(0,)), pdf_page_lines(second)],
                    header="某某市人民政府文件")


def _ofd_document() -> bytes:
    """The notice over two pages: 第一条 on page 1, 第二条 and the rest on page 2."""
    first = [TITLE, ADDRESS, " ".join(ARTICLES[0])]
    second = [" ".join(ARTICLES[1]), f"{LEAD} {LEAD_TEXT}"]
    second += [f"（{n}）{t}" for n, t in zip("一二", ITEMS, strict=True)] + [ISSUER, DATE_LINE]
    return make_ofd([ofd_page_lines(pdf_page_lines(first, centered=(0,))), ofd_page_lines(pdf_page_lines(second))],
                    template="某某市人民政府文件")


def _ingest(tmp_path: Path, name: str, data: bytes | str, config):
    raw = tmp_path / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return process_file(path, raw, config)


def _summary(doc) -> dict:
    return {
        "meta": (doc.title, doc.issuer, doc.date, doc.level, doc.region, doc.kind),
        "clauses": [(c.path, c.heading, c.text) for c in doc.clauses],
        "duties": [(d.clause, d.sentence, d.modality, d.actor_ids, d.measure_ids) for d in doc.duties],
    }


@pytest.mark.parametrize("name, build", [
    ("notice.html", _html_document), ("notice.docx", _docx_document), ("notice.pdf", _pdf_document),
    ("notice.ofd", _ofd_document),
])
def test_each_format_gives_what_the_text_gives(tmp_path, config, name, build):
    expected = _summary(_ingest(tmp_path / "text", "notice.txt", _text_document(), config))
    assert expected["meta"][:3] == (TITLE, ISSUER, "2023-05-08")
    paths = ["第一条", "第二条", "第三条", "第三条/（一）", "第三条/（二）"]
    assert [path for path, *_ in expected["clauses"]] == paths
    assert len(expected["duties"]) == 5
    assert _summary(_ingest(tmp_path / name, name, build(), config)) == expected


def test_conservation_holds_for_every_format(tmp_path, config):
    for name, build in (("a.html", _html_document), ("b.docx", _docx_document), ("c.pdf", _pdf_document),
                        ("d.ofd", _ofd_document)):
        doc = _ingest(tmp_path, name, build(), config)
        raw = read_raw_file(tmp_path / "raw" / name, config).decoded.text
        kept = sum(r[3] - r[2] for r in doc.source_map)
        removed = sum(r.end - r.start for r in doc.removed)
        assert kept + removed == len(raw), name


def test_pdf_pages_headers_and_page_numbers(tmp_path, config):
    doc = _ingest(tmp_path, "notice.pdf", _pdf_document(), config)
    assert [(c.path, c.page) for c in doc.clauses] == [
        ("第一条", 1), ("第二条", 1), ("第三条", 2), ("第三条/（一）", 2), ("第三条/（二）", 2)]
    assert {d.page for d in doc.duties if d.clause.startswith("第三条")} == {2}
    pieces = [(r.text, r.reason, doc.location(r.start)) for r in doc.removed if r.reason.startswith("pdf:")]
    assert ("某某市人民政府文件\n", "pdf:header", "page 2") in pieces
    assert ("- 1 -\n", "pdf:page-number", "page 1") in pieces
    assert doc.layout["unit"] == "page" and len(doc.layout["starts"]) == 2
    assert "某某市人民政府文件" not in doc.text


def test_ofd_pages_in_document_order_and_template_text_removed(tmp_path, config):
    doc = _ingest(tmp_path, "notice.ofd", _ofd_document(), config)
    assert doc.layout == {"format": "ofd", "unit": "page", "starts": doc.layout["starts"]}
    assert len(doc.layout["starts"]) == 2
    assert [(c.path, c.page) for c in doc.clauses] == [
        ("第一条", 1), ("第二条", 2), ("第三条", 2), ("第三条/（一）", 2), ("第三条/（二）", 2)]
    assert [d.page for d in doc.duties] == [1, 2, 2, 2, 2]
    pieces = [(r.text, r.reason, doc.location(r.start)) for r in doc.removed if r.reason.startswith("ofd:")]
    assert ("某某市人民政府文件\n", "ofd:template", "page 1") in pieces
    assert ("某某市人民政府文件\n", "ofd:template", "page 2") in pieces
    assert ("- 2 -\n", "ofd:page-number", "page 2") in pieces
    assert "某某市人民政府文件" not in doc.text


def test_ofd_page_list_order_wins_over_part_names(tmp_path, config):
    # Document.xml lists Page_1 before Page_0: the list, not the part names, is the reading order.
    data = make_ofd([ofd_page_lines(pdf_page_lines(["第二条 各单位应当落实责任。"])),
                     ofd_page_lines(pdf_page_lines(["第一条 各部门应当加强宣传。"]))], page_numbers=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["Doc_0/Document.xml"] = parts["Doc_0/Document.xml"].replace(
        b'<ofd:Page ID="10" BaseLoc="Pages/Page_0/Content.xml"/><ofd:Page ID="11" BaseLoc="Pages/Page_1/Content.xml"/>',
        b'<ofd:Page ID="11" BaseLoc="Pages/Page_1/Content.xml"/><ofd:Page ID="10" BaseLoc="Pages/Page_0/Content.xml"/>')
    raw = read_raw_file(_write(tmp_path, "order.ofd", _zip(parts)), config)
    assert raw.decoded.text == "第一条 各部门应当加强宣传。\n第二条 各单位应当落实责任。\n"
    assert raw.layout.starts == (0, 15)


def test_ofd_runs_on_one_baseline_are_one_line_in_x_order(tmp_path, config):
    # Two TextObjects on one baseline, written right one first: one line, left to right.
    data = make_ofd([[(80.0, 40.0, "加强宣传工作。"), (30.0, 40.0, "各单位应当")]], page_numbers=False)
    raw = read_raw_file(_write(tmp_path, "runs.ofd", data), config)
    assert raw.decoded.text == "各单位应当 加强宣传工作。\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_html_page_drops_scripts_nav_and_reads_the_metadata_table(tmp_path, config):
    doc = _ingest(tmp_path, "notice.html", _html_document(), config)
    reasons = {r.reason for r in doc.removed}
    assert {"html:script", "html:style", "html:top", "html:breadcrumb", "html:bdshare", "html:footer",
            "html:metadata-table", "html:title"} <= reasons
    assert "_hmt" not in doc.text and "float:left" not in doc.text and "首页" not in doc.text
    assert doc.metadata_sources["issuer"] == f"html metadata table 发文机关: {ISSUER}"
    assert doc.metadata_sources["date"] == "html metadata table 成文日期: 2023-05-08"
    assert doc.metadata_sources["title"] == f"html meta ArticleTitle: {TITLE}"
    assert doc.clauses[0].paragraph is not None


def test_html_declared_gb2312_is_decoded_by_its_bytes(tmp_path, config):
    # 镕 is in GB18030, not in GB2312: a decoder that trusted the declaration would lose it.
    page = gov_page("关于朱镕基同志题词的通知", "<p>各单位应当妥善保管题词。</p>", charset="gb2312")
    doc = _ingest(tmp_path, "page.htm", page.encode("gb18030"), config)
    assert doc.encoding == "gb18030"
    assert doc.title == "关于朱镕基同志题词的通知"


def test_docx_numbering_and_header_footer(tmp_path, config):
    doc = _ingest(tmp_path, "notice.docx", _docx_document(), config)
    assert doc.text.splitlines()[2] == "第一条 各级公安机关应当加强对电信网络诈骗犯罪的打击，依法查处违法犯罪活动。"
    assert "（一）银行业金融机构" in doc.text
    assert {(r.text, r.reason) for r in doc.removed} >= {("某某市人民政府文件\n", "docx:header"),
                                                         ("第 1 页\n", "docx:footer")}


def test_docx_table_rows_are_text(tmp_path, config):
    body = docx_paragraph("各单位应当按下表分工落实。") + docx_table([["事项", "责任单位"], ["宣传", "市公安局"]])
    doc = _ingest(tmp_path, "table.docx", make_docx(body), config)
    assert "事项\t责任单位" in doc.text or "事项 责任单位" in doc.text


def test_word_numbering_restarts_items_under_each_article():
    numbering = Numbering.read(None)
    numbering.levels = {"0": {0: _level("第%1条"), 1: _level("（%2）", suffix="nothing")}}
    numbering.nums = {"1": "0"}
    suffixes = {"space": " ", "nothing": "", "tab": "\t"}
    labels = [numbering.label("1", level, suffixes) for level in (0, 1, 1, 0, 1)]
    assert labels == ["第一条 ", "（一）", "（二）", "第二条 ", "（一）"]


def _level(text: str, suffix: str = "space"):
    from antifraud_corpus.stages.formats.docx import _Level

    return _Level(start=1, fmt="chineseCounting", text=text, suffix=suffix)


def test_chinese_numbers_as_word_writes_them():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 21, 100, 105, 110)] == [
        "一", "十", "十一", "二十", "二十一", "一百", "一百零五", "一百一十"]
    assert format_number(3, "ideographTraditional") == "丙"
    assert format_number(2, "decimalEnclosedCircle") == "②"
    assert format_number(4, "upperRoman") == "IV"


@pytest.mark.parametrize("stated, date, source", [
    ("2023年5月8日", "2023-05-08", "html metadata table 成文日期: 2023年5月8日"),
    ("2023/5/8", "2023-05-08", "html metadata table 成文日期: 2023/5/8"),
    ("二〇二三年五月八日", "2023-05-08", "html metadata table 成文日期: 二〇二三年五月八日"),
])
def test_a_stated_date_is_read_as_the_metadata_module_reads_dates(tmp_path, config, stated, date, source):
    page = gov_page(TITLE, "<p>各单位应当加强宣传。</p>", table={"发文机关": ISSUER, "成文日期": stated})
    doc = _ingest(tmp_path, "page.html", page, config)
    assert (doc.date, doc.metadata_sources["date"]) == (date, source)


def test_an_impossible_stated_date_is_refused_with_a_warning(tmp_path, config):
    page = gov_page(TITLE, "<p>各单位应当加强宣传。</p>", table={"发文机关": ISSUER, "成文日期": "2023年02月31日",
                                                             "发布日期": "2023-03-02"})
    doc = _ingest(tmp_path, "page.html", page, config)
    assert (doc.date, doc.metadata_sources["date"]) == ("2023-03-02", "html metadata table 发布日期: 2023-03-02")
    assert ("the page states a date that is not a real one (html metadata table 成文日期: 2023年02月31日); "
            "ignored: correct it in a sidecar NAME.meta.yaml if needed") in doc.warnings


# ------------------------------------------------------------------ bad input: one line each


def _refusal(tmp_path, name, data, config) -> FormatError:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FormatError) as caught:
        read_raw_file(path, config, name=name)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    return caught.value


def test_scanned_pdf_has_no_text_layer(tmp_path, config):
    error = _refusal(tmp_path, "scan.pdf", make_pdf([[], []], image_only=True), config)
    assert error.code == "no-text-layer" and "ocrmypdf" in str(error)


def test_garbled_pdf_is_refused_not_passed_on(tmp_path, config):
    lines = [(72, 700, "".join(chr(0xE000 + i) for i in range(30)))]
    error = _refusal(tmp_path, "garbled.pdf", make_pdf([lines], page_numbers=False), config)
    assert error.code == "garbled-text"


def test_encrypted_pdf(tmp_path, config):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="locked")
    error = _refusal(tmp_path, "locked.pdf", bytes(pdf.output()), config)
    assert error.code == "encrypted" and "qpdf --decrypt" in str(error)


def test_corrupt_pdf(tmp_path, config):
    error = _refusal(tmp_path, "cut.pdf", _pdf_document()[:300], config)
    assert str(error).startswith("cut.pdf: damaged PDF")


def test_truncated_docx(tmp_path, config):
    error = _refusal(tmp_path, "cut.docx", _docx_document()[:400], config)
    assert "damaged or truncated DOCX" in str(error)


def test_zip_bomb_docx_is_refused_before_unpacking(tmp_path, config):
    small = with_config_file(config, "formats", {**config["formats"], "limits": {"max_unpacked_mb": 1,
                                                                                 "max_pdf_pages": 10}})
    bomb = make_docx(docx_paragraph("各单位应当加强宣传。"), extra={"word/media/big.bin": b"\0" * (3 << 20)})
    error = _refusal(tmp_path, "bomb.docx", bomb, small)
    assert "unpacks to 3 MB, past the 1 MB limit" in str(error)


def test_huge_pdf_past_the_page_limit(tmp_path, config):
    small = with_config_file(config, "formats", {**config["formats"], "limits": {"max_unpacked_mb": 1,
                                                                                 "max_pdf_pages": 3}})
    page = pdf_page_lines(["各单位应当加强宣传。"])
    error = _refusal(tmp_path, "long.pdf", make_pdf([page] * 4), small)
    assert "4 pages, past the 3-page limit" in str(error)


def test_all_navigation_page(tmp_path, config):
    page = ("<html><body><div class='nav'><a href='/'>首页</a><a href='/a'>政务公开</a></div>"
            "<div class='footer'>版权所有</div></body></html>")
    error = _refusal(tmp_path, "list.html", page.encode(), config)
    assert "no article text on the page" in str(error)


def test_doc_names_the_conversion(tmp_path, config, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda _command: None)
    error = _refusal(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, config)
    assert error.code == "needs-conversion" and "soffice --headless --convert-to docx old.doc" in str(error)


def test_zip_bomb_ofd_is_refused_before_unpacking(tmp_path, config):
    small = with_config_file(config, "formats", {**config["formats"], "limits": {"max_unpacked_mb": 1,
                                                                                 "max_pdf_pages": 10}})
    bomb = make_ofd([[(30.0, 40.0, "各单位应当加强宣传。")]], extra={"Doc_0/Res/big.bin": b"\0" * (3 << 20)})
    error = _refusal(tmp_path, "bomb.ofd", bomb, small)
    assert str(error).startswith("bomb.ofd: OFD unpacks to 3 MB, past the 1 MB limit")


def test_ofd_without_its_document_xml_is_one_line(tmp_path, config):
    broken = make_ofd([[(30.0, 40.0, "各单位应当加强宣传。")]], omit=("Doc_0/Document.xml",))
    error = _refusal(tmp_path, "broken.ofd", broken, config)
    assert str(error) == ("broken.ofd: damaged OFD (OFD.xml names its document Doc_0/Document.xml, which is not "
                          "in the file); export it again from the program that made it")


def test_ofd_of_images_only_has_no_text_layer(tmp_path, config):
    error = _refusal(tmp_path, "scan.ofd", make_ofd([[], []], image_only=True), config)
    assert error.code == "no-text-layer"
    assert str(error).startswith("scan.ofd: no text layer on any of its 2 page(s) (a scanned image); export it")


def test_ofd_font_without_a_unicode_map_is_garbled(tmp_path, config):
    lines = [(30.0, 40.0, "".join(chr(0xE000 + i) for i in range(30)))]
    error = _refusal(tmp_path, "garbled.ofd", make_ofd([lines], page_numbers=False), config)
    assert error.code == "garbled-text"


def test_lying_extension_is_read_by_its_bytes_with_a_warning(tmp_path, config):
    doc = _ingest(tmp_path, "notice.docx", _pdf_document(), config)
    assert doc.layout["format"] == "pdf"
    assert any("the extension says .docx but the file is a PDF" in w and "rename it to notice.pdf" in w
               for w in doc.warnings)


@pytest.mark.parametrize("name", ["lies.pdf", "lies.docx", "lies.ofd", "lies.html"])
def test_text_named_as_another_format_is_read_as_text_with_a_warning(tmp_path, config, name):
    doc = _ingest(tmp_path, name, _text_document(), config)
    expected = _summary(_ingest(tmp_path / "text", "lies.txt", _text_document(), config))
    assert _summary(doc) == expected and doc.layout is None
    suffix = name.rsplit(".", 1)[1]
    assert doc.warnings[0] == (f"the extension says .{suffix} but the file is a plain-text file; read as such; "
                               "rename it to lies.txt")


@pytest.mark.parametrize("name, what", [("noise.pdf", "PDF"), ("noise.docx", "Word DOCX document"),
                                        ("noise.ofd", "OFD document")])
def test_random_bytes_named_as_a_format_get_that_formats_error(tmp_path, config, name, what):
    error = _refusal(tmp_path, name, bytes(range(256)) * 8, config)
    assert str(error) == (f"{name}: not a {what} (its bytes are neither a {what} nor text); download it again, "
                          "or give it the extension of what it really is")


def test_random_bytes_with_no_format_extension_keep_the_decoders_message(tmp_path, config):
    path = _write(tmp_path, "noise.bin", bytes(range(256)) * 8)
    with pytest.raises(IngestError) as caught:
        read_raw_file(path, config)
    assert str(caught.value) == "noise.bin: binary file (NUL bytes), not text; remove it or convert it to UTF-8 text"


def test_check_reports_text_with_a_lying_extension(tmp_path, runner):
    from antifraud_corpus.cli import main

    path = _write(tmp_path, "lies.pdf", _text_document().encode())
    result = runner.invoke(main, ["check", str(path), "--format", "json"])
    found = [(f["code"], f["severity"], f["message"]) for f in json.loads(result.stdout)
             if f["code"] in ("wrong-extension", "encoding-damage")]
    assert found == [("wrong-extension", "warning", "the extension says .pdf but the file is a plain-text file; "
                                                    "read as such; rename it to lies.txt")]


def test_text_files_are_never_sniffed_as_pages():
    assert sniff_format("page.txt", b"<!DOCTYPE html><html><body>x</body></html>") == "text"
    assert sniff_format("page", b"<!DOCTYPE html><html><body>x</body></html>") == "html"
    assert sniff_format("notes.txt", "各单位应当加强宣传。".encode()) == "text"
    assert sniff_format("notes.html", "各单位应当加强宣传。".encode()) == "text"
    assert sniff_format("page.html", b"<p>x</p>") == "html"


def test_check_reports_format_codes(tmp_path, runner):
    from antifraud_corpus.cli import main

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "scan.pdf").write_bytes(make_pdf([[]], image_only=True))
    (raw / "notice.docx").write_bytes(_pdf_document())
    (raw / "scan.ofd").write_bytes(make_ofd([[]], image_only=True))
    (raw / "notice.ofd").write_bytes(_ofd_document())
    result = runner.invoke(main, ["check", *(str(raw / name) for name in ("scan.pdf", "notice.docx", "scan.ofd",
                                                                          "notice.ofd")), "--format", "json"])
    found = {(Path(f["file"]).name, f["code"], f["severity"]) for f in json.loads(result.stdout)}
    assert {("scan.pdf", "no-text-layer", "error"), ("notice.docx", "wrong-extension", "warning"),
            ("scan.ofd", "no-text-layer", "error")} <= found
    assert not {code for file, code, _ in found if file == "notice.ofd"} & {"encoding-found", "no-text-layer"}
    assert result.exit_code == 1


def test_ingest_goes_on_past_a_bad_file(tmp_path, config):
    from antifraud_corpus.pipeline import ingest_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "scan.pdf").write_bytes(make_pdf([[]], image_only=True))
    (raw / "notice.docx").write_bytes(_docx_document())
    report = ingest_corpus(raw, tmp_path / "normalized", config)
    assert report.ingested == ["notice"]
    assert [p.message.split(";")[0] for p in report.failed] == [
        "scan.pdf: no text layer on any of its 1 page(s) (a scanned image)"]


def test_a_page_and_its_attachment_of_one_stem_name_both_files_and_a_rename(tmp_path, config, runner, monkeypatch):
    from antifraud_corpus.cli import main
    from antifraud_corpus.pipeline import ingest_corpus

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notice.html").write_text(_html_document(), encoding="utf-8")
    (raw / "notice.pdf").write_bytes(_pdf_document())
    report = ingest_corpus(raw, tmp_path / "normalized", config)
    expected = ("notice.pdf: same document id 'notice' as notice.html (a document's id is its file name without "
                "the extension); rename this file, e.g. to notice-pdf.pdf, or the other one, and ingest again")
    assert report.ingested == ["notice"]
    assert [p.message for p in report.failed] == [expected]
    (raw / "notice.pdf").rename(raw / "notice-pdf.pdf")
    assert ingest_corpus(raw, tmp_path / "normalized", config).ingested == ["notice-pdf"]
    (raw / "notice-pdf.pdf").rename(raw / "notice.pdf")
    monkeypatch.chdir(tmp_path)  # (check names files from the working folder)
    result = runner.invoke(main, ["check", "raw/notice.html", "raw/notice.pdf", "--format", "json"])
    clashes = [(f["file"], f["message"]) for f in json.loads(result.stdout) if f["code"] == "doc-id"]
    assert clashes == [("raw/notice.pdf", expected.removeprefix("notice.pdf: ").replace("as notice.html",
                                                                                      "as raw/notice.html"))]


def test_page_without_a_known_container_keeps_what_trafilatura_takes_as_the_article(tmp_path, config):
    links = "".join(f"<a href='/{n}'>{word}</a> | " for n, word in enumerate(["政务公开", "政策文件", "互动交流"]))
    page = (f"<html><head><title>关于做好防诈工作的通知 - 某县政府网</title></head><body><div class='lm'>{links}</div>"
            "<div class='wz'><h2>关于做好防诈工作的通知</h2><p>各乡镇人民政府：</p>"
            "<p>一、各乡镇要组织开展防范电信网络诈骗宣传活动，提高群众识骗防骗能力，切实保护群众财产安全。</p>"
            "<p>二、县公安局应当会同有关部门建立涉诈线索快速处置机制，及时止付冻结涉案资金。</p></div>"
            "<div class='lm2'><a href='/x'>相关链接</a> <a href='/y'>省政府</a></div></body></html>")
    doc = _ingest(tmp_path, "county.html", page, config)
    outside = [r.text for r in doc.removed if r.reason == "html:outside-content"]
    assert outside == ["政务公开 | 政策文件 | 互动交流 |\n", "相关链接 省政府\n"]
    assert [c.path for c in doc.clauses] == ["一", "二"]
    assert doc.metadata_sources["title"].startswith("title-line:")  # (the headline beats the <title> fallback)


def test_located_records_survive_the_store_and_explain_shows_the_page(tmp_path, config, runner):
    from antifraud_corpus.cli import main
    from antifraud_corpus.pipeline import ingest_corpus
    from antifraud_corpus.store import read_document

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notice.pdf").write_bytes(_pdf_document())
    ingest_corpus(raw, tmp_path / "normalized", config)
    stored = read_document(tmp_path / "normalized" / "notice.json")
    assert [(c.path, c.page) for c in stored.clauses][-1] == ("第三条/（二）", 2)
    assert stored.duties[-1].page == 2 and stored.layout["unit"] == "page"
    result = runner.invoke(main, ["explain", "--normalized", str(tmp_path / "normalized"), "notice", "第三条/（二）"])
    assert result.exit_code == 0 and "page 2" in result.output


def test_text_documents_store_no_layout_keys(tmp_path, config):
    doc = _ingest(tmp_path, "notice.txt", _text_document(), config)
    assert doc.layout is None
    assert "page" not in json.dumps([c.to_dict() for c in doc.clauses]) and "layout" not in doc.to_dict()


def test_a_labelled_line_inside_the_article_stays_text(tmp_path, config):
    body = "<p>名称：反诈宣传月活动</p><p>各单位应当按时报送活动总结。</p>"
    doc = _ingest(tmp_path, "event.html", gov_page("关于开展反诈宣传月活动的通知", body), config)
    assert "名称：反诈宣传月活动" in doc.text
    assert not any(r.reason == "html:metadata-table" for r in doc.removed)


def test_a_bad_formats_config_is_one_clear_error(config):
    from antifraud_corpus.errors import ConfigError
    from antifraud_corpus.stages.formats import settings

    pdf = {**config["formats"]["pdf"], "heading": "第(["}
    with pytest.raises(ConfigError, match=r"^formats.yaml: pdf.heading: bad regex"):
        settings(with_config_file(config, "formats", {**config["formats"], "pdf": pdf}))
    html = {key: value for key, value in config["formats"]["html"].items() if key != "meta_names"}
    with pytest.raises(ConfigError, match=r"^formats.yaml: html.meta_names is missing"):
        settings(with_config_file(config, "formats", {**config["formats"], "html": html}))


def test_a_format_error_crosses_to_the_parent_process_with_its_code():
    import pickle

    error = pickle.loads(pickle.dumps(FormatError("scan.pdf: no text layer", "no-text-layer")))
    assert (str(error), error.code) == ("scan.pdf: no text layer", "no-text-layer")


def test_a_boilerplate_class_name_around_the_container_does_not_drop_the_article(tmp_path, config):
    page = ("<html><body><div class='main-side'><div class='fontsize' id='zoom'>"
            "<p>各单位应当加强反诈宣传。</p></div><div class='share'>分享</div></div></body></html>")
    doc = _ingest(tmp_path, "zoom.html", page, config)
    assert doc.text == "各单位应当加强反诈宣传。"
    assert [(r.text, r.reason) for r in doc.removed if r.reason.startswith("html:")] == [("分享\n", "html:share")]


def test_docx_numbering_carried_by_a_paragraph_style(tmp_path, config):
    from format_fixtures import numbered_style

    body = docx_paragraph("工作要求", style="Heading1") + docx_paragraph("各单位应当加强宣传。")
    body += docx_paragraph("保障措施", style="Heading1") + docx_paragraph("财政部门应当保障经费。")
    doc = _ingest(tmp_path, "styled.docx", make_docx(body, styles=numbered_style("Heading1", 2)), config)
    assert doc.text.splitlines() == ["一、工作要求", "各单位应当加强宣传。", "二、保障措施", "财政部门应当保障经费。"]
    assert [c.path for c in doc.clauses] == ["一", "二"]


def test_a_document_saved_by_python_docx_reads_with_its_list_numbers(tmp_path, config):
    import io

    import docx

    made = docx.Document()
    made.add_heading("关于加强反诈宣传的通知", 1)
    made.add_paragraph("各单位应当加强宣传。", style="List Bullet")
    made.add_paragraph("公安机关应当依法打击。", style="List Number")
    made.add_paragraph("电信企业应当落实实名制。", style="List Number")
    made.sections[0].header.paragraphs[0].text = "某市人民政府"
    out = io.BytesIO()
    made.save(out)
    doc = _ingest(tmp_path, "made.docx", out.getvalue(), config)
    assert doc.text.splitlines() == ["关于加强反诈宣传的通知", "各单位应当加强宣传。", "1. 公安机关应当依法打击。",
                                     "2. 电信企业应当落实实名制。"]
    assert [(r.text, r.reason) for r in doc.removed if r.reason.startswith("docx:")] == [
        ("某市人民政府\n", "docx:header")]


def _fake_office(tmp_path: Path, monkeypatch, docx: bytes | None) -> Path:
    """A `soffice` on PATH that 'converts' by writing `docx` (or fails when None), logging its arguments."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "made.docx").write_bytes(docx or b"")
    script = folder / "soffice"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import shutil, sys\nfrom pathlib import Path\n"
        f"here = Path({str(folder)!r})\n"
        "(here / 'args.txt').write_text(' '.join(sys.argv[1:]))\n"
        f"if {docx is None!r}: sys.exit(1)\n"
        "args = sys.argv[1:]\nout = Path(args[args.index('--outdir') + 1])\n"
        "shutil.copy(here / 'made.docx', out / (Path(args[-1]).stem + '.docx'))\n",
        encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{__import__('os').environ['PATH']}")
    return folder


def test_a_doc_is_read_through_libreoffice_where_it_is_installed(tmp_path, config, monkeypatch):
    folder = _fake_office(tmp_path, monkeypatch, _docx_document())
    expected = _summary(_ingest(tmp_path / "text", "notice.txt", _text_document(), config))
    doc = _ingest(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, config)
    assert _summary(doc) == expected
    arguments = (folder / "args.txt").read_text().split()
    assert arguments[:3] == ["--headless", "--convert-to", "docx"] and arguments[-1].endswith("document.doc")


def test_a_conversion_that_fails_is_one_line_naming_what_to_do(tmp_path, config, monkeypatch):
    _fake_office(tmp_path, monkeypatch, None)
    error = _refusal(tmp_path, "old.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, config)
    assert error.code == "needs-conversion"
    assert str(error) == ("old.wps: LibreOffice could not convert this WPS document; open it in Word or WPS, "
                          "save it as DOCX and ingest that")


def test_a_500_page_pdf_is_read_page_by_page_in_bounded_memory(tmp_path):
    """Every page's clauses keep their page; memory grows with the text, not with the page count."""
    script = tmp_path / "read.py"
    script.write_text(
        "import sys\nsys.path.insert(0, sys.argv[1])\n"
        "from pathlib import Path\n"
        "from format_fixtures import make_pdf, pdf_page_lines\n"
        "from antifraud_corpus.config import default_config_dir, load_config\n"
        "from antifraud_corpus.pipeline import process_file\n"
        "def peak():\n"
        "    return next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) // 1024\n"
        "pages = [pdf_page_lines([f'第{3 * n + i + 1}条 各单位应当落实第{n}项防范措施。' for i in range(3)])\n"
        "         for n in range(500)]\n"
        "path = Path(sys.argv[2]) / 'long.pdf'\n"
        "path.write_bytes(make_pdf(pages, header='某某市人民政府文件'))\n"
        "config = load_config(default_config_dir())\n"
        "process_file(path, path.parent, config)  # dictionaries and rules loaded\n"
        "before = peak()\n"
        "doc = process_file(path, path.parent, config)\n"
        "pages_of = sorted({c.page for c in doc.clauses})\n"
        "print(len(doc.clauses), pages_of[0], pages_of[-1], len(pages_of), peak() - before)\n",
        encoding="utf-8")
    import subprocess
    import sys

    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc")
    out = subprocess.run([sys.executable, str(script), str(Path(__file__).parent), str(tmp_path)],
                         capture_output=True, text=True, check=True, timeout=120).stdout.split()
    clauses, first, last, distinct, growth_mb = map(int, out)
    assert (clauses, first, last, distinct) == (1500, 1, 500, 500)
    assert growth_mb < 64, f"reading a 500-page PDF again grew the peak by {growth_mb} MB"
