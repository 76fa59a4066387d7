"""Saved web pages: the article's text, with scripts, navigation and footers set aside.

The bytes are decoded as any text file is (`decode.decode_bytes`: by the bytes, so a page that
declares GB2312 but uses GB18030 characters still reads). The page is then laid out as lines,
one per block element (a table row is one line, its cells tab-separated), in document order.
Lines that are not the article become drops, with the reason they go: inside a boilerplate
element (`html:script`, `html:nav`, `html:share`…), the government metadata table
(`html:metadata-table`, its values read as metadata), or outside the main content
(`html:outside-content`). The main content is a known CMS container where the page has one
(`TRS_Editor`…), else what trafilatura takes as the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...config import Config, per_config
from ..metadata.dates import written_iso_date
from . import Extracted, FormatError, TextBuilder, page_values, settings

_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "br", "caption", "center", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section",
    "table", "tbody", "thead", "tfoot", "tr", "ul", "title", "head", "html",
})
_HEADLINES = frozenset({"h1", "h2"})  # (a sidebar's h3/h4 headings are no document title)
_SPACE = re.compile(r"[ \t\r\n\f\u00a0]+")
_CELL_GAP = re.compile(r"[ \r\n\f\u00a0]*\t[ \t\r\n\f\u00a0]*")  # (cells are joined by tabs: one tab a gap)
_LINE_SPACE = re.compile(r"[ \r\n\f\u00a0]+")
_CELLS = re.compile(r"\t|(?<=[：:])\s*")  # a row's cells, and `label：value` pairs within one
_FLAT = re.compile(r"[\s|\u00a0]+")  # what trafilatura's text and ours may differ by (table bars, spacing)


@dataclass(frozen=True, slots=True)
class _Rules:
    boilerplate_tags: frozenset[str]
    boilerplate_names: re.Pattern[str]
    containers: frozenset[str]
    labels: dict[str, str | None]
    meta_names: dict[str, str]
    separators: tuple[str, ...]


@per_config
def _rules(config: Config) -> _Rules:
    formats = settings(config)
    html = formats.html
    return _Rules(
        boilerplate_tags=frozenset(str(tag).lower() for tag in html["boilerplate_tags"]),
        boilerplate_names=formats.boilerplate_names,
        containers=frozenset(str(name).lower() for name in html["content_containers"]),
        labels={str(label): (str(key) if key else None) for label, key in html["metadata_labels"].items()},
        meta_names={str(name).lower(): str(key) for name, key in html["meta_names"].items()},
        separators=tuple(str(s) for s in html.get("title_site_separators") or ()),
    )


@dataclass(slots=True)
class _Line:
    text: str
    drop: str  # "" for article text
    in_container: bool
    headline: bool


def read_html(data: bytes | bytearray, config: Config, name: str) -> Extracted:
    """A saved page as text: article lines kept, the rest as drops (see the module doc).

    Raises:
        FormatError: no article text at all (a page of navigation, or no page).
    """
    import lxml.html
    from lxml import etree

    from ..decode import decode_bytes

    decoded = decode_bytes(data, config, name=name)
    rules = _rules(config)
    source = re.sub(r"^\s*<\?xml[^>]*\?>", "", decoded.text)  # (lxml refuses a str that declares its bytes)
    try:
        root = lxml.html.document_fromstring(source, parser=lxml.html.HTMLParser(remove_comments=True))
    except (etree.ParserError, ValueError):
        raise FormatError(f"{name}: not a readable web page (no HTML elements); "
                          "save the page again, or rename it to .txt to read it as text") from None
    meta = _meta_values(root, rules)
    lines = list(_lines(root, rules, _around_containers(root, rules)))
    labelled = _metadata_table(lines, rules)
    labelled.update({key: value for key, value in meta.items() if key not in labelled})
    has_container = any(line.in_container for line in lines)
    if not has_container:
        _mark_main_content(source, lines)
    for line in lines:
        if not line.drop and has_container and not line.in_container and not line.headline:
            line.drop = "html:outside-content"
    if not any(line.text.strip() and not line.drop for line in lines):
        raise FormatError(f"{name}: no article text on the page (only navigation, scripts or links); "
                          "save the page of the document itself, not a list or home page")
    builder = TextBuilder()
    for line in lines:
        builder.start_unit()
        builder.add(line.text + "\n", line.drop)
    fallback = {}
    title = root.findtext(".//title") or ""
    title = _without_site(_SPACE.sub(" ", title).strip(), rules.separators)
    if title:
        fallback["title"] = (title, f"html <title>: {title}")
    if "source" in labelled:
        value, where = labelled.pop("source")
        fallback["issuer"] = (value, where)
    findings = [("encoding-damage", warning) for warning in decoded.warnings]
    # The document's date is its 成文日期; the publication date stands in only where that is missing
    # or unreadable. A stated date that is no real date is said, never stored.
    for key in ("date", "published"):
        if key in labelled:
            value, where = labelled.pop(key)
            iso = written_iso_date(value)
            if iso is None:
                findings.append(("missing-date", f"the page states a date that is not a real one ({where}); "
                                                 "ignored: correct it in a sidecar NAME.meta.yaml if needed"))
            elif "date" not in labelled:
                labelled["date"] = (iso, where)
    return Extracted(text=builder.text(), format="html", encoding=decoded.encoding, unit="paragraph",
                     starts=tuple(builder.starts), drops=tuple(builder.drops),
                     metadata=page_values(labelled, fallback), findings=tuple(findings))


def _names(element: object) -> list[str]:
    return f"{element.get('class') or ''} {element.get('id') or ''}".lower().split()


def _around_containers(root: object, rules: _Rules) -> set[object]:
    """Content containers and the elements that hold them: a class name such as `main-side` or
    `fontsize` on one of these does not make the article boilerplate."""
    around: set[object] = set()
    for element in root.iter():
        if isinstance(element.tag, str) and any(n in rules.containers for n in _names(element)):
            around.add(element)
            around.update(element.iterancestors())
    return around


def _lines(root: object, rules: _Rules, around: set[object]) -> Iterator[_Line]:
    """The page's text as lines, one per block, each with why it goes (if it does)."""
    current: list[str] = []
    state = {"drop": "", "container": False, "headline": False}

    def flush() -> Iterator[_Line]:
        text = _LINE_SPACE.sub(" ", _CELL_GAP.sub("\t", "".join(current))).strip()
        current.clear()
        if text:
            yield _Line(text, state["drop"], state["container"], state["headline"])

    def walk(element: object, drop: str, container: bool, headline: bool) -> Iterator[_Line]:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        starts_drop = False
        if not drop:
            drop = _boilerplate(element, tag, rules, by_name=element not in around)
            starts_drop = bool(drop)
        container = container or any(n in rules.containers for n in _names(element))
        headline = headline or tag in _HEADLINES
        block = tag in _BLOCKS or tag in ("td", "th") or starts_drop  # (an inline script is no part of its line)
        if block and tag not in ("td", "th"):
            yield from flush()
        state.update(drop=drop, container=container, headline=headline)
        if element.text and tag not in ("head", "html"):
            current.append(element.text)
        for child in element:
            yield from walk(child, drop, container, headline)
            state.update(drop=drop, container=container, headline=headline)
            if child.tail:
                current.append(child.tail)
        if tag in ("td", "th"):
            current.append("\t")
        elif block:
            yield from flush()

    yield from walk(root, "", False, False)
    yield from flush()


def _boilerplate(element: object, tag: str, rules: _Rules, *, by_name: bool) -> str:
    if tag in rules.boilerplate_tags:
        return f"html:{tag}"
    if tag == "title":
        return "html:title"  # (read as metadata; the headline in the body is the document's title)
    names = f"{element.get('class') or ''} {element.get('id') or ''}"
    match = rules.boilerplate_names.search(names) if by_name and names.strip() else None
    return f"html:{match.group(1).lower()}" if match else ""


def _meta_values(root: object, rules: _Rules) -> dict[str, tuple[str, str]]:
    values: dict[str, tuple[str, str]] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").strip()
        key = rules.meta_names.get(name.lower())
        content = _SPACE.sub(" ", meta.get("content") or "").strip()
        if key and content and key not in values:
            values[key] = (content, f"html meta {name}: {content}")
    return values


def _metadata_table(lines: list[_Line], rules: _Rules) -> dict[str, tuple[str, str]]:
    """Values of the government metadata table (`发文机关：… 成文日期：…`): its lines become drops.

    Only outside the article: a table row (cells) or a line of two labelled values at least;
    a body line that happens to start `名称：` stays text.
    """
    values: dict[str, tuple[str, str]] = {}
    for line in lines:
        if line.drop or line.in_container:
            continue
        cells = [cell.strip().rstrip("：:").strip() for cell in _CELLS.split(line.text)]
        cells = [cell for cell in cells if cell]
        pairs = []
        for i, cell in enumerate(cells[:-1]):
            label = _SPACE.sub("", cell).replace("\u3000", "")
            if label in rules.labels and _SPACE.sub("", cells[i + 1]) not in rules.labels:
                pairs.append((label, cells[i + 1]))
        if not pairs or (len(pairs) < 2 and "\t" not in line.text):
            continue
        line.drop = "html:metadata-table"
        for label, value in pairs:
            key = rules.labels[label]
            if key and key not in values:
                values[key] = (value, f"html metadata table {label}: {value}")
    return values


def _mark_main_content(source: str, lines: list[_Line]) -> None:
    """Without a known container: what trafilatura takes as the article stays, the rest goes."""
    import trafilatura

    main = trafilatura.extract(source, include_tables=True, include_comments=False, favor_precision=True)
    if not main:
        return
    kept = _FLAT.sub("", main)
    for line in lines:
        if not line.drop and not line.headline and _FLAT.sub("", line.text) not in kept:
            line.drop = "html:outside-content"


def _without_site(title: str, separators: tuple[str, ...]) -> str:
    for separator in separators:
        head, _, tail = title.rpartition(separator)
        if head.strip() and tail.strip():
            return head.strip()
    return title
