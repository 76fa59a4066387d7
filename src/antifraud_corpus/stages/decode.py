"""Raw bytes → text: find the encoding, refuse what is not text, keep the text exactly as decoded.

Trials run in a fixed order, cheapest and surest first: byte-order marks, then
binary signatures and control bytes, then BOM-less UTF-16 (told by where its
NUL bytes sit), then strict UTF-8 (or UTF-8 with a few bad bytes), then the
legacy Chinese codecs. GB18030 accepts almost any byte string, so Big5 text
also "decodes" as GB18030; the legacy candidates are therefore ranked by the
share of common characters they produce (real text ~70%, misread text ~5-10%),
not by which one succeeds first. charset-normalizer is asked only when nothing
else reads well.

The decoded text is not normalized in any way (line endings, BOM-free aside),
so every later offset is an offset into this text. Bytes that cannot be
decoded (a file cut inside a multibyte character) become U+FFFD and a warning;
cleaning later records them as `removed`.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config, per_config
from ..errors import ConfigError, IngestError, file_error

if TYPE_CHECKING:
    from .formats import Extracted

_Bytes = bytes | bytearray
_CHUNK = 1 << 20
_REPLACEMENT = "\ufffd"
# Control bytes that plain text does contain: tab, LF, VT, FF, CR, ESC (ANSI colours).
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")
_ODD_CONTROLS = bytes(b for b in range(1, 32) if b not in _TEXT_CONTROLS)  # control bytes text does not use
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text, the encoding it was read with (normalized codec name), and warnings."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RawFile:
    """A raw file read once: where it is, its size and SHA-256 (of the bytes), and its text.

    A web page, PDF or Word file has a `layout` too (`formats.Extracted`): its text is then
    the extracted text, and `decoded.encoding` the page's codec or the format's name.
    """

    path: Path
    size: int
    sha256: str
    decoded: Decoded
    layout: Extracted | None = None
    coded: tuple[tuple[str, str], ...] = ()  # (check code, warning) of a text file's warnings not about decoding

    @property
    def findings(self) -> tuple[tuple[str, str], ...]:
        """Every warning of reading the file with its `corpus check` code."""
        if self.layout is not None:
            return self.layout.findings
        codes = {message: code for code, message in self.coded}
        return tuple((codes.get(warning, "encoding-damage"), warning) for warning in self.decoded.warnings)


@dataclass(frozen=True, slots=True)
class _Settings:
    signatures: tuple[tuple[bytes, str], ...]
    max_control_ratio: float
    utf16_min_nul_ratio: float
    utf16_min_parity: float
    sample_bytes: int
    legacy: tuple[str, ...]
    min_common_ratio: float
    max_utf8_error_ratio: float
    common: frozenset[str]


@per_config
def _settings(config: Config) -> _Settings:
    """`ingest.decode`, read once per config.

    Raises:
        ConfigError: an unknown codec among the legacy candidates.
    """
    section = config["ingest"]["decode"]
    signatures = []
    for item in section["binary_signatures"]:
        signatures.append((bytes.fromhex(str(item["magic"])), str(item["kind"])))
    legacy = []
    for name in section["legacy_candidates"]:
        try:
            legacy.append(codecs.lookup(name).name)
        except LookupError:
            raise ConfigError(f"ingest.yaml: decode.legacy_candidates has unknown codec '{name}'") from None
    return _Settings(
        signatures=tuple(signatures),
        max_control_ratio=float(section["max_control_ratio"]),
        utf16_min_nul_ratio=float(section["utf16_min_nul_ratio"]),
        utf16_min_parity=float(section["utf16_min_parity"]),
        sample_bytes=int(section["sample_bytes"]),
        legacy=tuple(legacy),
        min_common_ratio=float(section["min_common_ratio"]),
        max_utf8_error_ratio=float(section["max_utf8_error_ratio"]),
        common=frozenset(c for c in str(section["common_chars"]) if not c.isspace()),
    )


def decode_bytes(data: _Bytes, config: Config, *, name: str = "<bytes>") -> Decoded:
    """Decode a raw file's bytes, detecting the encoding.

    Args:
        data: the whole file.
        config: the loaded config (`ingest.decode`).
        name: the file's name, for error messages.

    Returns:
        The text exactly as decoded (CRLF kept), the normalized codec name
        (`utf-8`, `utf-8-sig`, `utf-16`, `utf-16-le`, `gb18030`, `big5`, ...) and warnings.

    Raises:
        IngestError: an empty file, a binary file, or bytes no candidate encoding reads.
    """
    if not data:
        raise IngestError(f"{name}: empty file; remove it or add the document's text")
    settings = _settings(config)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_after_bom(data, len(bom), encoding, settings, name)
    _check_signatures(data, settings, name)
    sample = data[: settings.sample_bytes]
    if b"\x00" in sample:
        utf16 = _utf16_without_bom(sample, settings)
        decoded = _try_strict(data, utf16) if utf16 else None
        if decoded is not None:
            return decoded
        raise _binary(name, "NUL bytes")
    if _control_ratio(sample[:65536]) > settings.max_control_ratio:
        raise _binary(name, "control bytes")
    decoded = _try_strict(data, "utf-8")
    if decoded is not None:
        return decoded
    decoded = _try_mostly_utf8(data, settings)
    if decoded is not None:
        return decoded
    return _decode_legacy(data, sample, settings, name)


def read_raw_file(path: Path, config: Config, *, name: str = "") -> RawFile:
    """Read a raw file in chunks (hashing as it goes) and decode it.

    Raises:
        IngestError: the file cannot be read, or `decode_bytes` refuses it.
    """
    name = name or path.name
    digest = hashlib.sha256()
    buffer = bytearray()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                buffer += chunk
    except OSError as exc:
        raise file_error(exc, name, action="read", error=IngestError) from None
    from .formats import TEXT, claimed_format_error, extension_finding, extract_document, sniff_format

    kind = sniff_format(name, buffer)
    if kind != TEXT:
        layout = extract_document(buffer, kind, config, name)
        decoded = Decoded(layout.text, layout.encoding, layout.warnings)
        return RawFile(path=path, size=len(buffer), sha256=digest.hexdigest(), decoded=decoded, layout=layout)
    try:  # (decoded straight from the buffer: no second copy of a large file's bytes)
        decoded = decode_bytes(buffer, config, name=name)
    except IngestError as exc:
        raise claimed_format_error(name, exc, len(buffer)) from None
    finding = extension_finding(name, TEXT)  # (text named .pdf, .docx…: read, and told to rename it)
    if finding is not None:
        decoded = Decoded(decoded.text, decoded.encoding, (finding[1], *decoded.warnings))
    return RawFile(path=path, size=len(buffer), sha256=digest.hexdigest(), decoded=decoded,
                   coded=(finding,) if finding else ())


def _decode_after_bom(data: _Bytes, size: int, encoding: str, settings: _Settings, name: str) -> Decoded:
    """Decode a file that starts with a byte-order mark, once what follows the mark is known to be text.

    A BOM is three or four bytes anyone can put in front of anything (a PNG saved behind one
    decodes, with replacement characters and NULs): it names the encoding, not the content.
    The binary checks run on what follows it: signatures on the bytes, NUL and control
    characters on the decoded text (UTF-16 and UTF-32 text has NUL bytes, never NUL characters).
    """
    _check_signatures(bytes(data[size:size + 64]), settings, name)
    decoded = _decode_with(data, encoding, name)
    sample = decoded.text[: settings.sample_bytes]
    if "\x00" in sample:
        raise _binary(name, "NUL bytes")
    if _control_ratio(sample[:65536]) > settings.max_control_ratio:
        raise _binary(name, "control bytes")
    return decoded


def _binary(name: str, what: str) -> IngestError:
    return IngestError(f"{name}: binary file ({what}), not text; remove it or convert it to UTF-8 text")


def _check_signatures(data: _Bytes, settings: _Settings, name: str) -> None:
    for magic, kind in settings.signatures:
        if data.startswith(magic):
            raise _binary(name, kind)


def _control_ratio(sample: bytes | str) -> float:
    """Share of control characters that text does not use (NUL counted separately)."""
    if not sample:
        return 0.0
    if isinstance(sample, str):
        sample = sample.encode("utf-8", errors="replace")
    # one pass: what deleting the odd control bytes takes away (counting them one by one was 26 passes)
    return (len(sample) - len(sample.translate(None, _ODD_CONTROLS))) / len(sample)


def _utf16_without_bom(sample: _Bytes, settings: _Settings) -> str | None:
    """`utf-16-le`/`utf-16-be` for a BOM-less UTF-16 sample, else None.

    ASCII in UTF-16 puts its NUL bytes on one parity; Chinese text has few NULs
    (only U+xx00 characters such as 一), so it is recognized by reading well instead.
    """
    nuls = sample.count(b"\x00")
    if nuls < max(4, settings.utf16_min_nul_ratio * len(sample)):
        return None
    even = sample[0::2].count(b"\x00")
    parity = {"utf-16-le": (nuls - even) / nuls, "utf-16-be": even / nuls}
    best: tuple[float, str] | None = None
    for encoding, share in parity.items():
        try:
            text = codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if _control_ratio(text[:65536]) > settings.max_control_ratio:
            continue
        ratio = _common_ratio(text, settings.common)
        if share < settings.utf16_min_parity and ratio < settings.min_common_ratio:
            continue
        if best is None or (ratio, share) > (best[0], parity[best[1]]):
            best = (ratio, encoding)
    return best[1] if best else None


def _decode_with(data: _Bytes, encoding: str, name: str) -> Decoded:
    decoded = _try_strict(data, encoding)
    if decoded is None:
        text = data.decode(encoding, errors="replace")
        bad = text.count(_REPLACEMENT)
        return Decoded(text, encoding, (_bad_bytes_warning(bad),))
    return decoded


def _try_strict(data: _Bytes, encoding: str) -> Decoded | None:
    """Strict decode; a file cut inside its last character still counts (the tail → U+FFFD)."""
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        if exc.end < len(data) or len(data) - exc.start > 4:
            return None
        head = data[: exc.start]
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            return None
        count = len(data) - exc.start
        warning = (
            f"{count} undecodable byte(s) at end of file (cut inside a multibyte character) "
            "replaced by U+FFFD; recorded in removed"
        )
        return Decoded(text + _REPLACEMENT, encoding, (warning,))


def _try_mostly_utf8(data: _Bytes, settings: _Settings) -> Decoded | None:
    """UTF-8 with a handful of bad bytes: keep it as UTF-8 rather than misread it all."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count(_REPLACEMENT) - data.count(_REPLACEMENT.encode("utf-8"))
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    if bad <= 0 or bad > settings.max_utf8_error_ratio * (non_ascii - bad):
        return None
    return Decoded(text, "utf-8", (_bad_bytes_warning(bad),))


def _bad_bytes_warning(count: int) -> str:
    return f"{count} undecodable byte sequence(s) replaced by U+FFFD; recorded in removed"


def _common_ratio(text: str, common: frozenset[str]) -> float:
    """Share of common CJK characters among all non-ASCII characters (misreads yield kana, symbols)."""
    non_ascii = [c for c in text if c > "\x7f"]
    if not non_ascii:
        return 0.0
    return sum(1 for c in non_ascii if c in common) / len(non_ascii)


def _decode_legacy(data: _Bytes, sample: _Bytes, settings: _Settings, name: str) -> Decoded:
    ranked: list[tuple[float, int, str]] = []
    for order, encoding in enumerate(settings.legacy):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            text = decoder.decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        ranked.append((_common_ratio(text, settings.common), -order, encoding))
    ranked.sort(reverse=True)
    best: Decoded | None = None
    best_ratio = 0.0
    for ratio, _, encoding in ranked:
        decoded = _try_strict(data, encoding)
        if decoded is not None:
            best, best_ratio = decoded, ratio
            break
    if best is not None and best_ratio >= settings.min_common_ratio:
        return best
    guessed = _guess_with_charset_normalizer(data, sample)
    if guessed is not None and (best is None or guessed.encoding not in settings.legacy):
        return guessed
    if best is not None:
        warning = (
            f"encoding {best.encoding} is a low-confidence guess; check the text or re-save the file as UTF-8"
        )
        return Decoded(best.text, best.encoding, (*best.warnings, warning))
    raise IngestError(f"{name}: cannot decode as UTF-8, UTF-16, GB18030 or Big5; re-save the file as UTF-8")


def _guess_with_charset_normalizer(data: _Bytes, sample: _Bytes) -> Decoded | None:
    from charset_normalizer import from_bytes

    match = from_bytes(bytes(sample)).best()
    if match is None:
        return None
    try:
        encoding = codecs.lookup(match.encoding).name
    except LookupError:
        return None
    decoded = _try_strict(data, encoding)
    if decoded is None:
        return None
    warning = (
        f"encoding {encoding} guessed by charset-normalizer; check the text or re-save the file as UTF-8"
    )
    return Decoded(decoded.text, encoding, (*decoded.warnings, warning))
