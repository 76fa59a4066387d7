"""OFD (GB/T 33190, the Chinese fixed-layout format): the text of each page, laid out as a PDF's.

An OFD is a zip of XML: `OFD.xml` names each document's `Document.xml` (`DocBody/DocRoot`),
which lists the pages (`Pages/Page@BaseLoc`) in reading order and the page templates
(`CommonData/TemplatePage`). A page's `Content.xml` holds `TextObject`s whose `TextCode`s carry
the characters, placed at X/Y (millimetres, Y down the page) inside the object's `Boundary`,
with `DeltaX` giving the advance between characters. Runs on one baseline make one line, in X
order; the lines then go through the PDF layout (`pdf.lay_out_pages`): wrapped lines joined,
running headers, footers and page numbers set aside, scans and garbled fonts reported. Text a
page draws from a template (a letterhead, a running header) is a drop, `ofd:template`.

Written here rather than taken from PyPI (the commit that added it says why: easyofd needs
PyMuPDF, which is AGPL; ofdkit is an alpha with two releases; ofdreader ships no code).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from ...config import Config
from . import Extracted, FormatError, open_zip, settings
from .pdf import Line, lay_out_pages

if TYPE_CHECKING:
    from zipfile import ZipFile

_A4 = (210.0, 297.0)  # (mm) the page size when a file states none
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Runs whose baselines differ by less than this share of the font size are one line; a gap
# wider than this share of it between two runs of a line is a space.
_SAME_LINE = 0.5
_WORD_GAP = 1.0


@dataclass(frozen=True, slots=True)
class _Run:
    text: str
    x: float
    y: float  # the baseline, from the top of the page
    size: float
    right: float


class _Package:
    """The parts of one OFD: read by name, each parsed without network or entities."""

    def __init__(self, archive: ZipFile, name: str) -> None:
        self.names = {member.lstrip("/"): member for member in archive.namelist()}
        self.folded = {member.lower(): member for member in self.names}
        self.archive = archive
        self.name = name

    def resolve(self, base: str, location: str | None) -> str | None:
        """A location as written inside part `base`: relative to its folder, or from the root."""
        location = (location or "").strip().replace("\\", "/")
        if not location:
            return None
        candidates = [location] if location.startswith("/") else [
            posixpath.join(posixpath.dirname(base), location), location]
        for candidate in candidates:
            path = posixpath.normpath(candidate).lstrip("/")
            if path in self.names or path.lower() in self.folded:
                return path if path in self.names else self.folded[path.lower()]
        return None

    def xml(self, part: str) -> object:
        from lxml import etree

        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            return etree.fromstring(self.archive.read(self.names[part]), parser)
        except (etree.XMLSyntaxError, KeyError, ValueError, OSError) as exc:
            raise FormatError(f"{self.name}: damaged OFD ({part} cannot be read: {str(exc)[:80]}); "
                              "export it again from the program that made it") from None


def _local(element: object) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: object | None, name: str) -> Iterator[object]:
    if element is not None:
        yield from (child for child in element if _local(child) == name)


def _child(element: object | None, name: str) -> object | None:
    return next(_children(element, name), None)


def _numbers(value: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(value or "")]


def _deltas(value: str | None, count: int) -> list[float]:
    """`DeltaX`, with its `g N d` shorthand (N advances of d), cut at `count` values."""
    tokens, out, i = (value or "").split(), [], 0
    while i < len(tokens) and len(out) < count:
        if tokens[i] == "g" and i + 2 < len(tokens):
            repeat, step = _numbers(tokens[i + 1]), _numbers(tokens[i + 2])
            if repeat and step:
                out.extend([step[0]] * max(0, min(int(repeat[0]), count - len(out))))
            i += 3
            continue
        out.extend(_numbers(tokens[i])[:1])
        i += 1
    return out


def _runs(root: object) -> list[_Run]:
    """Every TextCode of a page or template, placed on the page."""
    runs = []
    content = _child(root, "Content")
    for text_object in (node for layer in _children(content, "Layer") for node in layer.iter()
                        if _local(node) == "TextObject"):
        box = _numbers(text_object.get("Boundary")) + [0.0, 0.0]
        size = (_numbers(text_object.get("Size")) or [3.5])[0]
        x = y = 0.0
        for code in _children(text_object, "TextCode"):
            text = "".join(c for c in (code.text or "") if c >= " " or c == "\t")
            x = (_numbers(code.get("X")) or [x])[0]  # (a TextCode without X or Y keeps the last one's)
            y = (_numbers(code.get("Y")) or [y])[0]
            if not text.strip():
                continue
            advances = _deltas(code.get("DeltaX"), len(text) - 1)
            width = sum(advances) + size * (len(text) - len(advances))
            runs.append(_Run(text, box[0] + x, box[1] + y, size, box[0] + x + width))
    return runs


def _lines(runs: list[_Run], page_width: float, page_height: float, drop: str = "") -> list[Line]:
    """Runs on one baseline as one line, in X order; lines from the top of the page down."""
    lines: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (r.y, r.x)):
        if lines and abs(run.y - lines[-1][0].y) <= _SAME_LINE * max(run.size, lines[-1][0].size):
            lines[-1].append(run)
        else:
            lines.append([run])
    out = []
    for line in lines:
        line.sort(key=lambda r: r.x)
        text = line[0].text
        for before, run in pairwise(line):
            text += (" " if run.x - before.right > _WORD_GAP * run.size else "") + run.text
        stripped = text.strip()
        if stripped:
            size = max(run.size for run in line)
            out.append(Line(stripped, line[0].x, max(r.right for r in line), page_height - line[0].y + size,
                            size, page_width, drop))
    return out


def read_ofd(data: bytes | bytearray, config: Config, name: str) -> Extracted:
    """An OFD's text, page by page in the order its Document.xml lists them (see the module doc).

    Raises:
        FormatError: a damaged file or a missing part (one line naming it), one past the size
            limit (a zip bomb), no text on any page (a scan), or a garbled text layer.
    """
    archive = open_zip(data, name, "OFD", config)
    try:
        package = _Package(archive, name)
        pages = [_page_lines(package, page, templates, size)
                 for document in _documents(package)
                 for page, templates, size in _pages(package, document)]
    finally:
        archive.close()
    if not pages:
        raise FormatError(f"{name}: the OFD lists no pages; export it again from the program that made it")
    return lay_out_pages(pages, settings(config), name, "ofd")


def _documents(package: _Package) -> list[str]:
    """The Document.xml of each DocBody of OFD.xml."""
    entry = package.resolve("", "OFD.xml")
    if entry is None:
        raise FormatError(f"{package.name}: damaged OFD (no OFD.xml in it); export it again from the program "
                          "that made it")
    documents = []
    for body in _children(package.xml(entry), "DocBody"):
        written = (_child(body, "DocRoot").text or "") if _child(body, "DocRoot") is not None else ""
        document = package.resolve(entry, written)
        if document is None:
            raise FormatError(f"{package.name}: damaged OFD (OFD.xml names its document "
                              f"{written.strip() or '(nothing)'}, which is not in the file); "
                              "export it again from the program that made it")
        documents.append(document)
    if not documents:
        raise FormatError(f"{package.name}: damaged OFD (OFD.xml names no document); "
                          "export it again from the program that made it")
    return documents


def _pages(package: _Package, document: str) -> Iterator[tuple[str, dict[str, str], tuple[float, float]]]:
    """Each page's Content.xml with the document's templates (ID → part) and default page size."""
    root = package.xml(document)
    common = _child(root, "CommonData")
    size = _box_size(_child(_child(common, "PageArea"), "PhysicalBox")) or _A4
    templates = {}
    for template in _children(common, "TemplatePage"):
        part = package.resolve(document, template.get("BaseLoc"))
        if part is not None:
            templates[(template.get("ID") or "").strip()] = part
    for number, page in enumerate(_children(_child(root, "Pages"), "Page"), 1):
        part = package.resolve(document, page.get("BaseLoc"))
        if part is None:
            raise FormatError(f"{package.name}: damaged OFD (page {number} is {page.get('BaseLoc')}, "
                              "which is not in the file); export it again from the program that made it")
        yield part, templates, size


def _box_size(element: object | None) -> tuple[float, float] | None:
    numbers = _numbers(element.text if element is not None else "")
    return (numbers[2], numbers[3]) if len(numbers) >= 4 and numbers[2] > 0 and numbers[3] > 0 else None


def _page_lines(package: _Package, part: str, templates: dict[str, str], size: tuple[float, float]) -> list[Line]:
    root = package.xml(part)
    width, height = _box_size(_child(_child(root, "Area"), "PhysicalBox")) or size
    lines = []
    for reference in _children(root, "Template"):
        template = templates.get((reference.get("TemplateID") or "").strip())
        if template is not None:
            lines += _lines(_runs(package.xml(template)), width, height, "ofd:template")
    return lines + _lines(_runs(root), width, height)
