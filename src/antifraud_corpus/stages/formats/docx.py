"""DOCX: paragraphs and tables in order, with Word's automatic numbering written out.

python-docx reads the package (after `open_zip` has bounded its unpacked size); the body is
walked in order, a table row giving one line of tab-separated cells. Word keeps automatic
numbers (`第一条`, `一、`, `（一）`) out of the paragraph text, in `numbering.xml`: without them a
clause's heading vanishes, so they are rebuilt here, counter by counter, as Word counts
(a level's counter restarts when a higher level moves on). Headers and footers follow the
body as drops (`docx:header`, `docx:footer`). The unit of `starts` is the paragraph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ...config import Config
from ...text.numerals import chinese_number
from . import Extracted, FormatError, TextBuilder, open_zip, settings

_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def format_number(n: int, fmt: str) -> str:
    """Counter `n` in a `w:numFmt` style; unknown styles fall back to decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "ideographDigital"):
        return chinese_number(n)
    if fmt == "chineseLegalSimplified":
        return chinese_number(n, legal=True)
    if fmt in ("ideographTraditional",):
        return _STEMS[(n - 1) % 10]
    if fmt in ("ideographZodiac",):
        return _BRANCHES[(n - 1) % 12]
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


def _roman(n: int) -> str:
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Level:
    start: int
    fmt: str
    text: str
    suffix: str


@dataclass(slots=True)
class Numbering:
    """Word's list counters, fed paragraph by paragraph in document order."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # abstractNumId → ilvl → level
    nums: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → ilvl → start
    counters: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractNumId → ilvl → count
    started: set[str] = field(default_factory=set)  # numIds whose overrides were applied

    @classmethod
    def read(cls, root: object | None) -> Numbering:
        numbering = cls()
        if root is None:
            return numbering
        for abstract in root.iter(f"{_NS}abstractNum"):
            levels = {}
            for lvl in abstract.iter(f"{_NS}lvl"):
                levels[int(lvl.get(f"{_NS}ilvl", "0"))] = _Level(
                    start=int(_val(lvl, "start") or 1), fmt=_val(lvl, "numFmt") or "decimal",
                    text=_val(lvl, "lvlText") or "", suffix=_val(lvl, "suff") or "tab")
            numbering.levels[abstract.get(f"{_NS}abstractNumId", "")] = levels
        for num in root.iter(f"{_NS}num"):
            num_id = num.get(f"{_NS}numId", "")
            numbering.nums[num_id] = _val(num, "abstractNumId") or ""
            for override in num.iter(f"{_NS}lvlOverride"):
                start = _val(override, "startOverride")
                if start:
                    numbering.overrides.setdefault(num_id, {})[int(override.get(f"{_NS}ilvl", "0"))] = int(start)
        return numbering

    def label(self, num_id: str, ilvl: int, suffixes: dict[str, str]) -> str:
        """The number Word shows before the next paragraph of list `num_id` at level `ilvl`."""
        abstract = self.nums.get(num_id)
        levels = self.levels.get(abstract or "", {})
        level = levels.get(ilvl)
        if level is None or num_id == "0":
            return ""
        if level.fmt == "bullet":  # (a bullet is a glyph of a symbol font, often a private-use code point)
            return ""
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for override_level, start in self.overrides.get(num_id, {}).items():
                counters[override_level] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # (a deeper level starts again under the next higher number)
        text = level.text
        for k in range(ilvl, -1, -1):
            if f"%{k + 1}" in text:
                above = levels.get(k, level)
                count = counters.get(k, above.start)
                text = text.replace(f"%{k + 1}", format_number(count, above.fmt))
        return text + suffixes.get(level.suffix, "\t") if text else ""


def _val(element: object, tag: str) -> str | None:
    child = element.find(f"{_NS}{tag}")
    return child.get(f"{_NS}val") if child is not None else None


def read_docx(data: bytes | bytearray, config: Config, name: str) -> Extracted:
    """A DOCX as text (see the module doc).

    Raises:
        FormatError: a damaged or truncated file, or one that unpacks past the size limit.
    """
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    archive = open_zip(data, name, "DOCX", config)
    archive.close()
    suffixes = {str(k): str(v) for k, v in settings(config).docx["suffix"].items()}
    try:
        document = docx.Document(io.BytesIO(bytes(data)))
        numbering_part = _numbering_root(document)
        styles = _style_numbers(document)
    except (PackageNotFoundError, XMLSyntaxError, KeyError, ValueError, OSError) as exc:
        raise FormatError(f"{name}: damaged DOCX ({exc.__class__.__name__}: {str(exc)[:80]}); "
                          "re-save it from Word or WPS and ingest it again") from None
    numbering = Numbering.read(numbering_part)
    builder = TextBuilder()
    for line in _body_lines(document.element.body, numbering, styles, suffixes):
        builder.start_unit()
        builder.add(line + "\n")
    if not builder.size:
        raise FormatError(f"{name}: the DOCX has no text (only images or empty paragraphs); "
                          "if it is a scan, OCR it and ingest the result", "no-text-layer")
    seen: set[str] = set()
    for section in document.sections:
        for kind, parts in (("header", (section.header, section.first_page_header, section.even_page_header)),
                            ("footer", (section.footer, section.first_page_footer, section.even_page_footer))):
            for part in parts:
                if part.is_linked_to_previous:
                    continue
                for paragraph in part.paragraphs:
                    text = paragraph.text.strip()
                    if text and (kind, text) not in seen:
                        seen.add((kind, text))
                        builder.start_unit()
                        builder.add(text + "\n", f"docx:{kind}")
    return Extracted(text=builder.text(), format="docx", encoding="docx", unit="paragraph",
                     starts=tuple(builder.starts), drops=tuple(builder.drops))


def _numbering_root(document: object) -> object | None:
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None


def _style_numbers(document: object) -> dict[str, tuple[str, int]]:
    """Paragraph styles that carry a list (headings numbered by their style): id → (numId, ilvl)."""
    found = {}
    styles = document.styles.element
    for style in styles.iter(f"{_NS}style"):
        num = style.find(f"{_NS}pPr/{_NS}numPr")
        if num is not None:
            num_id = _val(num, "numId")
            if num_id:
                found[style.get(f"{_NS}styleId", "")] = (num_id, int(_val(num, "ilvl") or 0))
    return found


def _body_lines(body: object, numbering: Numbering, styles: dict[str, tuple[str, int]],
                suffixes: dict[str, str]) -> Iterator[str]:
    for child in body.iterchildren():
        if child.tag == f"{_NS}p":
            text = _paragraph_text(child, numbering, styles, suffixes)
            if text.strip():
                yield text
        elif child.tag == f"{_NS}tbl":
            for row in child.iter(f"{_NS}tr"):
                cells = ["".join(_paragraph_text(p, numbering, styles, suffixes) for p in cell.iter(f"{_NS}p"))
                         for cell in row.iterchildren(f"{_NS}tc")]
                if any(cell.strip() for cell in cells):
                    yield "\t".join(cell.strip() for cell in cells)
        elif child.tag == f"{_NS}sdt":
            content = child.find(f"{_NS}sdtContent")
            if content is not None:
                yield from _body_lines(content, numbering, styles, suffixes)


def _paragraph_text(paragraph: object, numbering: Numbering, styles: dict[str, tuple[str, int]],
                    suffixes: dict[str, str]) -> str:
    """The paragraph as Word shows it: its automatic number, then its runs (tabs and breaks kept)."""
    parts = []
    for node in paragraph.iter(f"{_NS}t", f"{_NS}tab", f"{_NS}br", f"{_NS}cr"):
        if node.tag == f"{_NS}t":
            parts.append(node.text or "")
        elif node.tag == f"{_NS}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    text = "".join(parts)
    num = paragraph.find(f"{_NS}pPr/{_NS}numPr")
    style = paragraph.find(f"{_NS}pPr/{_NS}pStyle")
    num_id, ilvl = None, 0
    if num is not None:
        num_id, ilvl = _val(num, "numId"), int(_val(num, "ilvl") or 0)
    elif style is not None and style.get(f"{_NS}val") in styles:
        num_id, ilvl = styles[style.get(f"{_NS}val")]
    if num_id and text.strip():
        return numbering.label(num_id, ilvl, suffixes) + text
    return text
