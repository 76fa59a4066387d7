"""Builders of the small PDF, DOCX, OFD and HTML files the format tests read.

No font and no office program is needed: the PDF writer sets CJK text in a font it does not
embed (`Identity-H`, with a ToUnicode map: the text layer is all a reader extracts), and the
DOCX writer writes the parts Word would. (PDFium drops a line that repeats another line
of the same page exactly in this unembedded font: give each line of a page its own words.)
`python tests/format_fixtures.py DIR` writes one file of each kind into DIR, to look at them.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

PAGE_W, PAGE_H, MARGIN, SIZE = 595, 842, 72, 12
CHARS_PER_LINE = (PAGE_W - 2 * MARGIN) // SIZE


def pdf_page_lines(paragraphs: list[str], *, indent: int = 2, centered: tuple[int, ...] = ()) -> list[tuple]:
    """Paragraphs wrapped at the right margin, first lines indented (as a 公文 sets them):
    `(x, y, text)` from the top of the page down."""
    lines, y = [], PAGE_H - MARGIN - 30
    for number, paragraph in enumerate(paragraphs):
        if number in centered:
            lines.append(((PAGE_W - len(paragraph) * SIZE) / 2, y, paragraph))
            y -= SIZE * 1.8
            continue
        first, rest = paragraph[: CHARS_PER_LINE - indent], paragraph[CHARS_PER_LINE - indent:]
        lines.append((MARGIN + indent * SIZE, y, first))
        y -= SIZE * 1.8
        while rest:
            lines.append((MARGIN, y, rest[:CHARS_PER_LINE]))
            rest = rest[CHARS_PER_LINE:]
            y -= SIZE * 1.8
    return lines


def make_pdf(pages: list[list[tuple]], *, header: str = "", page_numbers: bool = True,
             to_unicode: bool = True, image_only: bool = False) -> bytes:
    """A PDF whose pages hold `(x, y, text)` lines, a running header and `- n -` page numbers.

    `to_unicode=False` leaves the glyphs without a Unicode map (a garbled text layer);
    `image_only` gives pages with a picture and no text (a scan).
    """
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    chars = sorted({c for page in pages for *_, text in page for c in text} | set(header) | set("-0123456789 "))
    cmap = "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chars)
    cmap_stream = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def "
                   "1 begincodespacerange <0000> <FFFF> endcodespacerange "
                   f"{len(chars)} beginbfchar\n{cmap}\nendbfchar endcmap CMapName currentdict /CMap defineresource pop "
                   "end end").encode()
    catalog = add(b"")
    pages_id = add(b"")
    descriptor = add(b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 800] "
                     b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>")
    cid = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) "
              b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 >>" % descriptor)
    unicode_ref = b""
    if to_unicode:
        tounicode = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap_stream), cmap_stream))
        unicode_ref = b" /ToUnicode %d 0 R" % tounicode
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
               b"/DescendantFonts [%d 0 R]%s >>" % (cid, unicode_ref))
    image = add(b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")
    kids = []
    for number, lines in enumerate(pages, 1):
        ops = []
        if image_only:
            ops.append("q 451 0 0 600 72 120 cm /Im1 Do Q")
        else:
            placed = list(lines)
            if header:
                placed.append(((PAGE_W - len(header) * 9) / 2, PAGE_H - 40, header, 9))
            if page_numbers:
                label = f"- {number} -"
                placed.append(((PAGE_W - len(label) * 9) / 2, 40, label, 9))
            for x, y, text, *size in placed:
                hexed = "".join(f"{ord(c):04X}" for c in text)
                ops.append(f"BT /F1 {size[0] if size else SIZE} Tf {x:.1f} {y:.1f} Td <{hexed}> Tj ET")
        content = "\n".join(ops).encode()
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
                        % (pages_id, PAGE_W, PAGE_H, stream, font, image)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref))
    return out.getvalue()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def docx_paragraph(text: str, *, num: tuple[int, int] | None = None, style: str = "") -> str:
    """A `w:p`; `num=(numId, ilvl)` gives it Word's automatic numbering."""
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if num:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    return f'<w:p><w:pPr>{props}</w:pPr><w:r><w:t xml:space="preserve">{_escape(text)}</w:t></w:r></w:p>'


def docx_table(rows: list[list[str]]) -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc>{docx_paragraph(c)}</w:tc>" for c in row) + "</w:tr>" for row in rows)
    return f"<w:tbl>{cells}</w:tbl>"


# Two lists as Word builds them: articles `第一条` (chineseCounting, suffix space) with items
# `（一）` one level down, and chapter-level `一、` items.
NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {_W}>
<w:abstractNum w:abstractNumId="0">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/>
  <w:suff w:val="space"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/>
  <w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>
  <w:suff w:val="nothing"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
</w:numbering>"""


def numbered_style(style_id: str, num_id: int, ilvl: int = 0) -> str:
    """A `styles.xml` with one paragraph style that carries a list (as heading styles do)."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {_W}>'
            f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{style_id}"/>'
            f'<w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr></w:pPr></w:style>'
            "</w:styles>")


def make_docx(body: str, *, header: str = "", footer: str = "", numbering: str = NUMBERING,
              styles: str = "", extra: dict[str, bytes] | None = None) -> bytes:
    """A DOCX of body XML (`docx_paragraph`, `docx_table`), with a header, a footer, numbering
    and (optionally) styles."""
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/>'
            '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.numbering+xml"/>'
            '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.header+xml"/>'
            '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.footer+xml"/>'
            '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.styles+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/_rels/document.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'numbering" Target="numbering.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'header" Target="header1.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'footer" Target="footer1.xml"/>'
            + ('<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'styles" Target="styles.xml"/>' if styles else "")
            + "</Relationships>"),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_W} {_R}><w:body>{body}'
            '<w:sectPr><w:headerReference w:type="default" r:id="rId2"/>'
            '<w:footerReference w:type="default" r:id="rId3"/></w:sectPr></w:body></w:document>'),
        "word/numbering.xml": numbering,
        "word/header1.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:hdr {_W}>{docx_paragraph(header)}</w:hdr>',
        "word/footer1.xml": f'<?xml version="1.0" encoding="UTF-8"?><w:ftr {_W}>{docx_paragraph(footer)}</w:ftr>',
    }
    if styles:
        files["word/styles.xml"] = styles
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


_OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
MM_PER_PT = 25.4 / 72


def ofd_page_lines(pdf_lines: list[tuple]) -> list[tuple]:
    """`pdf_page_lines` output (points, up from the foot) as OFD places it: millimetres, down
    from the top of the page."""
    return [(x * MM_PER_PT, (PAGE_H - y) * MM_PER_PT, text) for x, y, text in pdf_lines]


def _ofd_content(lines: list[tuple], size: float, *, template_ref: bool, image_only: bool) -> str:
    objects = []
    for number, (x, y, text) in enumerate(lines, 1):
        # (each line a TextObject whose Boundary holds it, as OFD writers set one per line)
        top = y - size
        objects.append(
            f'<ofd:TextObject ID="{number}" Boundary="{x:.2f} {top:.2f} {len(text) * size + 1:.2f} {size * 1.5:.2f}" '
            f'Font="1" Size="{size:.3f}"><ofd:TextCode X="0" Y="{size:.3f}" '
            f'DeltaX="g {max(0, len(text) - 1)} {size:.3f}">{_escape(text)}</ofd:TextCode></ofd:TextObject>')
    if image_only:
        objects.append('<ofd:ImageObject ID="99" Boundary="20 20 170 250" ResourceID="5"/>')
    template = '<ofd:Template TemplateID="1"/>' if template_ref else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {_OFD_NS}>{template}<ofd:Content>'
            f'<ofd:Layer ID="0">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>')


def make_ofd(pages: list[list[tuple]], *, template: str = "", page_numbers: bool = True,
             image_only: bool = False, omit: tuple[str, ...] = (),
             extra: dict[str, bytes] | None = None) -> bytes:
    """An OFD (GB/T 33190) whose pages hold `(x, y, text)` lines in millimetres from the top left
    (`ofd_page_lines`), a page template with the line `template` at the top of each page, and
    `- n -` page numbers. `omit` leaves parts out (a broken file); `image_only` gives pages with
    a picture and no text (a scan)."""
    size = SIZE * MM_PER_PT
    width, height = PAGE_W * MM_PER_PT, PAGE_H * MM_PER_PT
    page_list = "".join(f'<ofd:Page ID="{n + 10}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
    template_decl = '<ofd:TemplatePage ID="1" BaseLoc="Tpls/Tpl_0/Content.xml"/>' if template else ""
    files = {
        "OFD.xml": (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {_OFD_NS} Version="1.0" DocType="OFD">'
                    "<ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID></ofd:DocInfo>"
                    "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"),
        "Doc_0/Document.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {_OFD_NS}><ofd:CommonData>'
            f"<ofd:MaxUnitID>100</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 {width:.2f} {height:.2f}"
            f"</ofd:PhysicalBox></ofd:PageArea>{template_decl}</ofd:CommonData>"
            f"<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>"),
    }
    if template:
        x = (width - len(template) * size * 0.75) / 2
        files["Doc_0/Tpls/Tpl_0/Content.xml"] = _ofd_content([(x, 12.0, template)], size * 0.75,
                                                             template_ref=False, image_only=False)
    for number, lines in enumerate(pages):
        placed = [] if image_only else list(lines)
        if page_numbers and not image_only:
            label = f"- {number + 1} -"
            placed.append(((width - len(label) * size) / 2, height - 12.0, label))
        files[f"Doc_0/Pages/Page_{number}/Content.xml"] = _ofd_content(
            placed, size, template_ref=bool(template), image_only=image_only)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if name not in omit:
                archive.writestr(name, content)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def gov_page(title: str, body_html: str, *, table: dict[str, str] | None = None, charset: str = "utf-8") -> str:
    """A page in the shape of a government CMS: nav, scripts, styles, a metadata table, a
    `TRS_Editor` article, a share widget and a footer."""
    rows = "".join(f"<tr><td>{label}：</td><td>{value}</td></tr>" for label, value in (table or {}).items())
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{title}_某某省人民政府门户网站</title>
<meta name="ArticleTitle" content="{title}">
<style>.nav li{{float:left}} body{{font-size:14px}}</style>
<script>var _hmt = _hmt || []; (function(){{ var hm = document.createElement("script"); }})();</script>
</head><body>
<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li>办事服务</li></ul></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 文件库</div>
<table class="xxgk-table">{rows}</table>
<h1>{title}</h1>
<div class="TRS_Editor">{body_html}</div>
<div class="bdshare">分享到：微信 微博</div>
<div class="footer">主办：某某省人民政府办公厅 网站标识码：1234 备案号：某ICP备000号</div>
<script>document.write("统计");</script>
</body></html>"""


if __name__ == "__main__":  # write one file of each kind to look at
    where = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    lines = ["关于做好反诈宣传的通知", "各区县人民政府：", "一、各级公安机关应当加强宣传。"]
    page = pdf_page_lines(lines, centered=(0,))
    (where / "sample.pdf").write_bytes(make_pdf([page, page], header="某市人民政府文件"))
    (where / "sample.docx").write_bytes(make_docx(docx_paragraph("各单位应当加强宣传。", num=(1, 0))))
    (where / "sample.ofd").write_bytes(make_ofd([ofd_page_lines(page)] * 2, template="某市人民政府文件"))
    (where / "sample.html").write_text(gov_page("关于做好反诈宣传的通知", "<p>各单位应当加强宣传。</p>"), "utf-8")
