"""PDF: the text layer, page by page, with running headers, footers and page numbers set aside.

pypdfium2 (PDFium's bindings, Apache/BSD; PyMuPDF is AGPL) reads each page's text layer and
the box of each character. Pages are read one at a time and closed, so a 500-page PDF holds
one page's objects at once. The line breaks PDFium reports are visual lines: a line that
reaches the right margin and is followed by one that is not indented is wrapped, and its
break is a drop (`pdf:line-wrap`) so that sentences run on as in the text file. A first or
last line that repeats on most pages (digits aside) is a running header or footer; a line
alone at the top or bottom that is only a number is a page number. A page with (almost) no
text is a scan; glyphs with no Unicode meaning (U+FFFD, private-use code points, `(cid:12)`)
are a garbled layer: both are reported, never passed on as text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ...config import Config
from . import Extracted, FormatError, Settings, TextBuilder, settings

# (U+FFFE is how PDFium marks a soft hyphen at a line end: a real character, not garbage)
_GARBAGE = re.compile(r"[\ufffd\uffff\ue000-\uf8ff\x00-\x08\x0e-\x1f]|\(cid:\d+\)")
_DIGITS = re.compile(r"\d+")


@dataclass(slots=True)
class Line:
    """A visual line of a fixed-layout page (PDF, OFD), its box measured up from the page's foot."""

    text: str
    left: float
    right: float
    top: float
    size: float  # the width of one character: the tolerance of margins and indents
    page_width: float
    drop: str = ""  # set by the reader: the line is not the document whatever its place (an OFD template's)


# What to do with a file whose pages have no text, or a garbled text layer, by format.
_NO_TEXT_ADVICE = {"pdf": "run OCR on it (e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`) and ingest the result",
                   "ofd": "export it to PDF from an OFD reader, run OCR on that "
                          "(e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`) and ingest the result"}
_GARBLED_ADVICE = {"pdf": "OCR the PDF (e.g. `ocrmypdf --force-ocr -l chi_sim in.pdf out.pdf`) or get a text copy",
                   "ofd": "export it to PDF, OCR that (e.g. `ocrmypdf --force-ocr -l chi_sim in.pdf out.pdf`) "
                          "or get a text copy"}


def read_pdf(data: bytes | bytearray, config: Config, name: str) -> Extracted:
    """A PDF's text layer as text, pages in order (see the module doc).

    Raises:
        FormatError: encrypted, damaged, too many pages, no text layer or a garbled one.
    """
    import pypdfium2 as pdfium

    rules = settings(config)
    try:
        document = pdfium.PdfDocument(bytes(data))
    except pdfium.PdfiumError as exc:
        raise _open_error(str(exc), name) from None
    try:
        count = len(document)
        if count > rules.max_pdf_pages:
            raise FormatError(f"{name}: {count} pages, past the {rules.max_pdf_pages}-page limit "
                              "(formats.yaml limits.max_pdf_pages); split the PDF or raise the limit")
        pages = [_page_lines(document, number) for number in range(count)]
    finally:
        document.close()
    return lay_out_pages(pages, rules, name, "pdf")


def _open_error(problem: str, name: str) -> FormatError:
    if "password" in problem.lower() or "security" in problem.lower():
        return FormatError(f"{name}: encrypted PDF (it needs a password to open); remove the password "
                           "(e.g. `qpdf --decrypt --password=PASSWORD in.pdf out.pdf`) and ingest that file",
                           "encrypted")
    return FormatError(f"{name}: damaged PDF ({problem.rstrip('.')}); download it again or re-save it "
                       "from a PDF reader")


def _page_lines(document: object, number: int) -> list[Line]:
    """One page's visual lines with their boxes; the page is let go before the next is read."""
    page = document[number]
    width = page.get_width()
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        lines = []
        start = 0
        for piece in text.split("\r\n"):
            end = start + len(piece)
            stripped = piece.strip()
            if stripped:
                first = start + (len(piece) - len(piece.lstrip()))
                last = start + len(piece.rstrip()) - 1
                left, bottom, _, top = textpage.get_charbox(first)
                _, _, right, _ = textpage.get_charbox(last)
                size = (right - left) / max(1, len(stripped))
                lines.append(Line(stripped, left, right, top, max(size, 1.0), width))
            start = end + 2
        return lines
    finally:
        textpage.close()
        page.close()


def lay_out_pages(pages: list[list[Line]], rules: Settings, name: str, kind: str) -> Extracted:
    """Fixed-layout pages (`kind` pdf or ofd) as one text: wrapped lines joined, running headers,
    footers, page numbers and the lines the reader marked (`Line.drop`) set aside as drops.

    Raises:
        FormatError: no page has text (a scan), or most of the text has no Unicode meaning.
    """
    pdf = rules.pdf
    content = [[line for line in lines if not line.drop] for lines in pages]
    running = _running_lines(content, float(pdf["running_share"]))
    page_drops = [_page_drops(lines, running, rules, kind) for lines in content]
    bodies = [[line for i, line in enumerate(lines) if i not in drops]
              for lines, drops in zip(content, page_drops, strict=True)]
    left, right = _margins(bodies)
    builder = TextBuilder()
    empty_pages = []
    garbage = total = 0
    for number, (lines, kept, drops, body) in enumerate(zip(pages, content, page_drops, bodies, strict=True), 1):
        builder.start_unit()
        if sum(len(line.text) for line in kept) < int(pdf["min_page_chars"]):
            empty_pages.append(number)
        for line in lines:
            if line.drop:
                builder.add(line.text + "\n", line.drop)
        for i, line in enumerate(kept):
            if i in drops:
                builder.add(line.text + "\n", drops[i])
        for i, line in enumerate(body):
            garbage += sum(len(m.group()) for m in _GARBAGE.finditer(line.text))
            total += len(line.text)
            following = body[i + 1] if i + 1 < len(body) else None
            builder.add(line.text)
            # (the right margin is taken as wide as the left at least: a centred title is not "full")
            full = max(right, line.page_width - left) - 1.5 * line.size
            wrapped = (following is not None and line.right >= full
                       and following.left < left + 1.5 * following.size
                       and not rules.heading.match(following.text))
            builder.add("\n", f"{kind}:line-wrap" if wrapped else "")
    if len(empty_pages) == len(pages):
        raise FormatError(f"{name}: no text layer on any of its {len(pages)} page(s) (a scanned image); "
                          f"{_NO_TEXT_ADVICE[kind]}", "no-text-layer")
    ratio = garbage / max(1, total)
    if ratio > float(pdf["garbled_error_ratio"]):
        raise FormatError(f"{name}: garbled text layer ({ratio:.0%} of its characters have no Unicode meaning, "
                          f"as with fonts such as 仿宋_GB2312 embedded without a map); {_GARBLED_ADVICE[kind]}",
                          "garbled-text")
    findings = []
    if empty_pages:
        findings.append(("no-text-layer", f"no text layer on page(s) {_page_list(empty_pages)} (scanned); "
                                          "their text is missing: OCR those pages and ingest the result"))
    if ratio > float(pdf["garbled_warn_ratio"]):
        findings.append(("garbled-text", f"{garbage} character(s) of the text layer have no Unicode meaning "
                                         "(garbled font map); they are kept as found: check the text"))
    return Extracted(text=builder.text(), format=kind, encoding=kind, unit="page", starts=tuple(builder.starts),
                     drops=tuple(builder.drops), findings=tuple(findings))


def _margins(bodies: list[list[Line]]) -> tuple[float, float]:
    """The text block's left and right edges: where most body lines start and end (a wide table
    or a centred title does not move them)."""
    lefts = sorted(line.left for body in bodies for line in body)
    rights = sorted(line.right for body in bodies for line in body)
    if not lefts:
        return 0.0, 0.0
    return lefts[len(lefts) // 10], rights[len(rights) * 9 // 10]


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    return shown + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


def _edge_lines(lines: list[Line]) -> list[int]:
    """The top-most and bottom-most lines of a page (by position, not by text order)."""
    if not lines:
        return []
    order = sorted(range(len(lines)), key=lambda i: -lines[i].top)
    return list(dict.fromkeys([order[0], order[-1]]))


def _running_lines(pages: list[list[Line]], share: float) -> set[str]:
    """Edge lines (digits read as `#`) that repeat on `share` of the pages and on two at least."""
    if len(pages) < 2:
        return set()
    counts = Counter()
    for lines in pages:
        counts.update({_DIGITS.sub("#", lines[i].text) for i in _edge_lines(lines)})
    return {text for text, n in counts.items() if n >= max(2, share * len(pages))}


def _page_drops(lines: list[Line], running: set[str], rules: Settings, kind: str) -> dict[int, str]:
    drops = {}
    edges = _edge_lines(lines)
    for i in edges:
        text = lines[i].text
        if any(pattern.match(text) for pattern in rules.page_number):
            drops[i] = f"{kind}:page-number"
        elif _DIGITS.sub("#", text) in running:
            drops[i] = f"{kind}:header" if i == edges[0] else f"{kind}:footer"
    return drops
