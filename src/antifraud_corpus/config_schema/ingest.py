"""Schemas of the ingest stages' files: ingest, clean, pii, metadata, regions, formats."""

from __future__ import annotations

from typing import Literal

from msgspec import UNSET

from .base import Number, Omittable, Regex, Section, Words

# ---------------------------------------------------------------- ingest.yaml


class BinarySignature(Section):
    magic: str
    kind: str


class Decode(Section):
    binary_signatures: list[BinarySignature]
    max_control_ratio: Number
    utf16_min_nul_ratio: Number
    utf16_min_parity: Number
    sample_bytes: int
    legacy_candidates: Words
    min_common_ratio: Number
    max_utf8_error_ratio: Number
    common_chars: str


class Mojibake(Section):
    codec: str
    single_bytes: dict[str, int]
    anchors: str
    fullwidth: dict[str, str]
    max_units: int
    max_unknown_bytes: int
    max_readings: int
    context_chars: int
    min_gain: Number
    min_score: Number
    min_char_freq: int
    max_word_length: int
    single_char_penalty: Number
    opencc: str


class Pinyin(Section):
    tone_marks: dict[str, str]
    plain_letters: str
    plain_min_length: int
    plain_min_marked: int
    syllables: str


class Script(Section):
    to_traditional: Words
    margin: int
    simplified_too: str
    traditional_too: str


class CharRule(Section):
    char: str
    replacement: str
    except_in: Omittable[Words] = UNSET


class Convert(Section):
    opencc: str
    script: Script
    char_rules: list[CharRule]
    overrides: dict[str, str]
    punctuation: dict[str, str]
    cjk_class: str
    protect: Regex


class IngestFile(Section):
    version: int
    document_seconds: Number
    decode: Decode
    mojibake: Mojibake
    pinyin: Pinyin
    convert: Convert


# ---------------------------------------------------------------- clean.yaml


class LineRule(Section):
    id: str
    pattern: Regex
    max_chars: Omittable[int] = UNSET
    weak: Omittable[bool] = UNSET
    in_articles: Omittable[bool] = UNSET
    not_in_sentences: Omittable[bool] = UNSET


class InlineRule(Section):
    id: str
    pattern: Regex
    keep: Omittable[str] = UNSET
    unescape: Omittable[bool] = UNSET
    line_break: Omittable[bool] = UNSET


class CleanSentence(Section):
    clause_break: Regex
    end: Regex


class Footer(Section):
    separators: Regex
    min_items: int
    max_item_chars: int
    not_footer: Regex


class CleanTitle(Section):
    head_lines: int
    min_chars: int
    max_chars: int


class TailMarkers(Section):
    rules: list[Regex]
    max_chars: int
    min_content_chars: int
    min_position: Number
    min_content_chars_anywhere: int
    resume: list[Regex]


class HeadlineList(Section):
    min_lines: int
    min_chars: int
    max_chars: int
    bullet: Regex
    bullet_min_position: Number
    structure: list[Regex]
    sentence_end: Regex
    closing: str
    content_min_chars: int
    signature: list[Regex]


class Whitespace(Section):
    chars: str
    invisible: str
    heading_max_chars: int
    heading_punctuation: Regex
    keep_space_after: list[Regex]
    cjk: Regex


class CleanFile(Section):
    numbered_lines: list[Regex]
    note_lines: list[Regex]
    keep_lines: list[Regex]
    probe_strip: Regex
    line_rules: list[LineRule]
    inline_rules: list[InlineRule]
    sentence: CleanSentence
    footer: Footer
    title: CleanTitle
    tail_markers: TailMarkers
    headline_list: HeadlineList
    whitespace: Whitespace


# ---------------------------------------------------------------- pii.yaml


class NumberPattern(Section):
    kind: str
    pattern: Regex
    validate: Omittable[Literal["id18", "id15"]] = UNSET
    context: Omittable[Regex] = UNSET


class FieldPattern(Section):
    kind: str
    labels: Words
    connector: Regex
    value: Regex
    shape: Omittable[Regex] = UNSET
    stop: Omittable[Regex] = UNSET
    place: Omittable[Regex] = UNSET
    locator: Omittable[Regex] = UNSET


class PersonRecord(Section):
    labels: Words
    name: Regex
    separator: Regex
    attributes: list[Regex]
    identifying: Regex
    record_chars: int
    biography: Regex
    appointment: Regex
    paragraph_end: Regex
    not_name: Regex
    roles: Omittable[Words] = UNSET
    surnames: Omittable[Words] = UNSET


class RawView(Section):
    drop: Regex
    opencc: str


class PiiFile(Section):
    enabled: bool
    placeholders: dict[str, str]
    patterns: list[NumberPattern]
    context_chars: int
    boundary: Regex
    person_record: PersonRecord
    fields: list[FieldPattern]
    raw_view: RawView


# ---------------------------------------------------------------- metadata.yaml


class Scan(Section):
    head_chars: int
    head_lines: int
    tail_chars: int
    tail_lines: int
    markup: list[Regex]


class Titles(Section):
    max_length: int
    markdown: Regex
    not_title: list[Regex]
    strip: list[Regex]
    suffix: Regex
    trailer: Regex
    document: list[Regex]
    issuer_line: Regex
    reported: list[Regex]
    report_window: int
    not_headline: list[Regex]


class MeetingFragments(Section):
    date: Regex
    when: Regex
    place: Regex
    org: Regex
    name: Regex


class Meetings(Section):
    window: int
    fragments: MeetingFragments
    patterns: list[Regex]
    issuer: list[Regex]
    name_strip: Regex


class Issuers(Section):
    separator: Regex
    sessions: list[Regex]
    abbreviations: dict[str, str]
    name_strip: list[Regex]
    signature: Regex


class DateFragments(Section):
    full: Regex
    any: Regex
    md: Regex


class Dates(Section):
    fragments: DateFragments
    rules: dict[str, Regex]
    order: Words
    file_name: Regex
    stamps: list[Regex]
    signature: Regex


class NoteEvents(Section):
    adoption: Regex
    approval: Regex
    promulgation: Regex
    effective: Regex


class HeaderNote(Section):
    max_gap: int
    max_lines: int
    start: Regex
    not_note: Regex
    not_continued: Regex
    heading: Regex
    events: NoteEvents
    quoted: Regex
    issuers: list[Regex]
    approved: Regex


class Bulletins(Section):
    title: Regex
    kind: str
    publishers: dict[str, Words]


class MetadataLevels(Section):
    prefixes: Regex
    central: list[Regex]
    collective_strip: Regex
    collective: dict[str, str]
    county_min_length: int
    national_kinds: Words


class KindRule(Section):
    kind: str
    pattern: Regex
    issuer: Omittable[Regex] = UNSET


class MetadataKinds(Section):
    title: list[KindRule]
    trailer: Regex
    meeting: Regex
    text: list[KindRule]
    default: str


class MetadataFile(Section):
    scan: Scan
    titles: Titles
    meetings: Meetings
    issuers: Issuers
    header_note: HeaderNote
    bulletins: Bulletins
    dates: Dates
    levels: MetadataLevels
    kinds: MetadataKinds
    sidecar_keys: Words


# ---------------------------------------------------------------- regions.yaml


class RegionSource(Section):
    data: str
    license: str
    generated: str


class City(Section):
    code: str
    short: Words
    counties: str


class Province(Section):
    code: str
    type: str
    short: Words
    cities: Omittable[dict[str, City]] = UNSET
    counties: Omittable[str] = UNSET


class FormerName(Section):
    name: str
    level: str
    province: str
    now: str
    since: str
    city: Omittable[str] = UNSET


class RegionsFile(Section):
    source: RegionSource
    provinces: dict[str, Province]
    former: list[FormerName]


# ---------------------------------------------------------------- formats.yaml


class Limits(Section):
    max_unpacked_mb: Number
    max_pdf_pages: int


class Html(Section):
    boilerplate_tags: Words
    boilerplate_names: Regex
    content_containers: Words
    metadata_labels: dict[str, str | None]
    meta_names: dict[str, str]
    title_site_separators: Words


class Pdf(Section):
    min_page_chars: int
    garbled_warn_ratio: Number
    garbled_error_ratio: Number
    page_number: list[Regex]
    heading: Regex
    running_share: Number


class Docx(Section):
    suffix: dict[str, str]


class OfficeConvert(Section):
    office: Words
    timeout_seconds: Number


class FormatsFile(Section):
    version: int
    limits: Limits
    html: Html
    pdf: Pdf
    docx: Docx
    convert: OfficeConvert
