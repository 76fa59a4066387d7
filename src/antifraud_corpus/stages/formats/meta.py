"""What a file's layout adds to the pipeline: metadata the file states, and where records are.

Kept apart from the format readers, which run before cleaning: these run on what the stages
made of the extracted text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from ...config import Config
from ...models import Clause, Duty, LocatedClause, LocatedDuty, Metadata
from ...text.textmap import TrackedText
from . import Extracted, PageValue

# Fields a file can state; the others (level, region, kind) follow from these as for text.
_STATED = ("title", "issuer", "date")
# Where the text rules found a title only in the file name or a headline: a stated one is better.
_WEAK_TITLE = ("file-name:", "headline:")


def metadata_with_page_values(values: Mapping[str, PageValue], full_text: str, body: str, config: Config,
                              sidecar: Mapping[str, Any] | None, name: str) -> Metadata:
    """`extract_metadata` with the file's own statements: a labelled value (metadata table,
    `<meta name=ArticleTitle>`) as if from a sidecar, a fallback (`<title>`, `ContentSource`) only
    where the rules find nothing; a real sidecar beats both. `sources` quote the file."""
    from ..metadata import extract_metadata

    side = dict(sidecar or {})
    stated = {key: value for key, value in values.items() if key in _STATED and key not in side}
    used = {key: value for key, value in stated.items() if value.precise}
    meta = extract_metadata(full_text, body, config, sidecar={**{k: v.value for k, v in used.items()}, **side},
                            name=name)
    missing = {key: value for key, value in stated.items() if not value.precise and key not in used
               and (not getattr(meta, key) or meta.sources.get(key, "").startswith(_WEAK_TITLE))}
    if missing:
        used.update(missing)
        meta = extract_metadata(full_text, body, config,
                                sidecar={**{k: v.value for k, v in used.items()}, **side}, name=name)
    for key, value in used.items():
        meta.sources[key] = value.source
    return meta


def locate_records(layout: Extracted, tracked: TrackedText, clauses: list[Clause], duties: list[Duty]
                   ) -> tuple[list[Clause], list[Duty]]:
    """Clauses and duties with the page (PDF) or paragraph (DOCX, web page) they start on."""
    key = "page" if layout.unit == "page" else "paragraph"

    def where(start: int) -> dict[str, int]:
        return {key: layout.locate(tracked.raw_offset(start))}

    clause_fields = [f.name for f in fields(Clause)]
    duty_fields = [f.name for f in fields(Duty)]
    located_clauses: list[Clause] = [
        LocatedClause(**{name: getattr(c, name) for name in clause_fields}, **where(c.start)) for c in clauses]
    located_duties: list[Duty] = [
        LocatedDuty(**{name: getattr(d, name) for name in duty_fields}, **where(d.start)) for d in duties]
    return located_clauses, located_duties
