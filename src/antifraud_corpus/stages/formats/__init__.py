"""Files that are not plain text (web pages, PDF, Word) → one extracted text with its layout.

Each format module returns an `Extracted`: everything the file shows as text, in reading
order, plus the pieces of it that are not the document (page headers, footers and numbers,
scripts, navigation) as `drops`. The pipeline removes the drops as its first cleaning step,
so they land in `removed` with raw offsets and the conservation property holds as for text:
every character of the extracted text is in the cleaned text or in `removed`. `starts`
maps offsets back to the page (PDF) or paragraph (DOCX, HTML) they came from.

Which reader a file gets is decided by its bytes (a `.doc` that is really a web page is read
as one), its extension only where the bytes cannot tell (HTML). Plain-text files never reach
this package: their path through `decode` is unchanged.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from ...config import Config, per_config
from ...errors import ConfigError, IngestError
from ...text.textmap import Edit

if TYPE_CHECKING:
    from zipfile import ZipFile

TEXT = "text"
HTML_SUFFIXES = frozenset({".html", ".htm", ".shtml", ".xhtml"})
# Suffixes whose files stay plain text even when they hold markup (saved pages as text, markdown).
_TEXT_SUFFIXES = frozenset({".txt", ".md", ".text"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ANY_TAG = re.compile(rb"<[A-Za-z!?/]")
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
# What a reader calls each format in messages, and the extension a file of it should have.
FORMAT_NAMES = {"html": ("HTML page", ".html"), "pdf": ("PDF", ".pdf"), "docx": ("Word DOCX document", ".docx"),
                "doc": ("Word 97-2003 document", ".doc"), "wps": ("WPS document", ".wps"),
                "ofd": ("OFD document", ".ofd"), "rtf": ("RTF document", ".rtf")}
_SUFFIX_FORMATS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".ofd": "ofd", ".rtf": "rtf",
                   **{suffix: "html" for suffix in HTML_SUFFIXES}}


class FormatError(IngestError):
    """A file of a known format that cannot be read: `code` is its `corpus check` finding code."""

    def __init__(self, message: str, code: str = "encoding") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # (it crosses from worker processes intact)
        return type(self), (str(self), self.code)


@dataclass(frozen=True, slots=True)
class PageValue:
    """A metadata value the file states itself, and where (`html meta ArticleTitle`)."""

    value: str
    source: str
    precise: bool  # a labelled field (metadata table, article meta) beats the text rules; else a fallback


@dataclass(frozen=True, slots=True)
class Extracted:
    """A non-text file as text: what the pipeline reads instead of decoded bytes."""

    text: str
    format: str  # html | pdf | docx | ofd
    encoding: str  # the page's codec for HTML, the format name otherwise
    unit: str  # page (PDF, OFD) | paragraph (DOCX, HTML): what `starts` counts
    starts: tuple[int, ...]  # text offset where unit 1, 2, ... starts
    drops: tuple[Edit, ...] = ()  # pieces that are not the document, with their reasons
    metadata: Mapping[str, PageValue] = field(default_factory=dict)
    findings: tuple[tuple[str, str], ...] = ()  # (check code, warning)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(message for _, message in self.findings)

    def locate(self, offset: int) -> int:
        """The page or paragraph (from 1) that text offset `offset` lies in."""
        return max(1, bisect.bisect_right(self.starts, offset))

    def layout(self) -> dict[str, Any]:
        """What the store keeps to locate any raw offset (removed pieces included)."""
        return {"format": self.format, "unit": self.unit, "starts": list(self.starts)}


class TextBuilder:
    """Pieces of text added in order, each with its unit and (for a drop) the reason it goes."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.starts: list[int] = []
        self.drops: list[Edit] = []

    def start_unit(self) -> None:
        self.starts.append(self.size)

    def add(self, text: str, drop: str = "") -> None:
        if not text:
            return
        if drop:
            self.drops.append(Edit(self.size, self.size + len(text), "", drop))
        self.parts.append(text)
        self.size += len(text)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True, slots=True)
class Settings:
    """`formats.yaml`, checked once per config."""

    max_unpacked_bytes: int
    max_pdf_pages: int
    html: Mapping[str, Any]
    pdf: Mapping[str, Any]
    docx: Mapping[str, Any]
    convert: Mapping[str, Any]
    page_number: tuple[re.Pattern[str], ...]
    heading: re.Pattern[str]
    boilerplate_names: re.Pattern[str]  # (html.boilerplate_names, written over several lines: spaces dropped)


_HTML_KEYS = ("boilerplate_tags", "content_containers", "metadata_labels", "meta_names")


def _pattern(source: Any, where: str) -> re.Pattern[str]:
    try:
        return re.compile(str(source))
    except re.error as exc:
        raise ConfigError(f"formats.yaml: {where}: bad regex ({exc})") from None


@per_config
def settings(config: Config) -> Settings:
    """Raises: ConfigError: a missing section or key, a bad number or regex."""
    data = config["formats"]
    try:
        limits, html, pdf = data["limits"], data["html"], data["pdf"]
        result = Settings(
            max_unpacked_bytes=int(float(limits["max_unpacked_mb"]) * (1 << 20)),
            max_pdf_pages=int(limits["max_pdf_pages"]),
            html=html, pdf=pdf, docx=data["docx"], convert=data["convert"],
            page_number=tuple(_pattern(p, "pdf.page_number") for p in pdf["page_number"]),
            heading=_pattern(pdf["heading"], "pdf.heading"),
            boilerplate_names=_pattern(re.sub(r"\s+", "", str(html["boilerplate_names"])), "html.boilerplate_names"),
        )
        # (read here so that a missing or mistyped key is one error for the run, not one per file)
        missing = [key for key in _HTML_KEYS if key not in html]
        numbers = [float(pdf[key]) for key in ("garbled_warn_ratio", "garbled_error_ratio", "min_page_chars",
                                                "running_share")]
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"formats.yaml: missing or bad setting {exc}; see the shipped formats.yaml") from None
    if missing:
        raise ConfigError(f"formats.yaml: html.{missing[0]} is missing; see the shipped formats.yaml")
    if result.max_unpacked_bytes <= 0 or result.max_pdf_pages <= 0 or min(numbers) < 0:
        raise ConfigError("formats.yaml: limits and pdf thresholds must be positive numbers")
    return result


def sniff_format(name: str, data: bytes | bytearray) -> str:
    """The reader a file needs, from its first bytes (and its extension for web pages): `text`,
    `html`, `pdf`, `docx`, `ofd`, `doc`, `wps` or `rtf`. An unknown archive is `text`: decoding
    then refuses it as binary, as before."""
    suffix = PurePath(name).suffix.lower()
    head = bytes(data[:4096])
    start = head[:1024].lstrip()
    if start.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(data, suffix)
    if head.startswith(_OLE_MAGIC):
        return "wps" if suffix == ".wps" else "doc"
    if start.startswith(b"{\\rtf"):
        return "rtf"
    if suffix in HTML_SUFFIXES:
        # (plain text saved as .html has no tag: read as the text it is, and told to rename it)
        return "html" if _ANY_TAG.search(head) else TEXT
    if suffix not in _TEXT_SUFFIXES and _HTML_START.match(head):
        return "html"
    return TEXT


def _zip_kind(data: bytes | bytearray, suffix: str) -> str:
    """A zip's kind from its member names; a damaged one by its extension (its reader then says why)."""
    import zipfile  # (not at the top: a corpus of text files never pays for it and its compressors)

    try:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        return _SUFFIX_FORMATS.get(suffix, TEXT) if suffix in (".docx", ".ofd") else TEXT
    if "word/document.xml" in names:
        return "docx"
    if "OFD.xml" in names:
        return "ofd"
    return TEXT


def extension_finding(name: str, kind: str) -> tuple[str, str] | None:
    """A warning when the extension names another format than the bytes hold."""
    suffix = PurePath(name).suffix.lower()
    claimed = _SUFFIX_FORMATS.get(suffix, TEXT if suffix in _TEXT_SUFFIXES else None)
    if claimed is None or claimed == kind or (claimed == TEXT and kind == "html"):
        return None
    what, proper = FORMAT_NAMES.get(kind, ("plain-text file", ".txt"))
    # (no file name in front: ingest names the document before each warning, check the file)
    return ("wrong-extension", f"the extension says {suffix} but the file is a {what}; read as such; "
                               f"rename it to {PurePath(name).stem}{proper}")


def claimed_format_error(name: str, error: IngestError, size: int) -> IngestError:
    """What to say of a file that is not text and not what it claims: a `.pdf` of random bytes is
    "not a PDF", not a text file to re-save as UTF-8. `error` (the decoder's) for other names."""
    claimed = _SUFFIX_FORMATS.get(PurePath(name).suffix.lower())
    if size == 0 or claimed in (None, "html"):
        return error
    what = FORMAT_NAMES[claimed][0]
    return FormatError(f"{name}: not a {what} (its bytes are neither a {what} nor text); download it again, "
                       "or give it the extension of what it really is")


def open_zip(data: bytes | bytearray, name: str, what: str, config: Config) -> ZipFile:
    """A zip archive whose members unpack to no more than `limits.max_unpacked_mb` in all.

    The sizes are read from the central directory before anything is unpacked; a member
    whose data unpacks past its stated size fails its read (zipfile stops at the stated size).

    Raises:
        FormatError: a damaged or truncated archive, or one too large (a zip bomb).
    """
    import zipfile

    limit = settings(config).max_unpacked_bytes
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
        total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise FormatError(f"{name}: damaged or truncated {what} (not a complete zip archive); "
                          "download it again or re-save it from the program that made it") from None
    if total > limit:
        raise FormatError(f"{name}: {what} unpacks to {total >> 20} MB, past the {limit >> 20} MB limit "
                          "(formats.yaml limits.max_unpacked_mb; a zip bomb or a huge embedded file); "
                          "check the file, or raise the limit if it is genuine")
    return archive


def page_values(labelled: Mapping[str, tuple[str, str]], fallback: Mapping[str, tuple[str, str]]
                ) -> dict[str, PageValue]:
    """Metadata the file states: labelled values first, fallbacks only for fields still empty."""
    values = {key: PageValue(value, source, False) for key, (value, source) in fallback.items() if value}
    values.update({key: PageValue(value, source, True) for key, (value, source) in labelled.items() if value})
    return values


def extract_document(data: bytes | bytearray, kind: str, config: Config, name: str) -> Extracted:
    """Read a file of format `kind` (see `sniff_format`) as text with its layout.

    Raises:
        FormatError: the file cannot be read (damaged, encrypted, no text, needs conversion).
    """
    if kind == "html":
        from .html import read_html

        extracted = read_html(data, config, name)
    elif kind == "pdf":
        from .pdf import read_pdf

        extracted = read_pdf(data, config, name)
    elif kind == "docx":
        from .docx import read_docx

        extracted = read_docx(data, config, name)
    elif kind == "ofd":
        from .ofd import read_ofd

        extracted = read_ofd(data, config, name)
    else:
        from .legacy import read_converted

        extracted = read_converted(data, config, name, kind)
    finding = extension_finding(name, kind)
    if finding is None:
        return extracted
    return replace(extracted, findings=(finding, *extracted.findings))
