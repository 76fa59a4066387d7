"""The HTML report of `corpus compare`: one self-contained page that stays readable at hundreds of documents.

A matrix with a column per document stops being readable past a few dozen
documents, and a page listing every diff open grows past what a browser opens
comfortably. So the heatmaps aggregate by level and by province, with counts
and shares on a binned colour scale that has a legend; the timeline is an
inline SVG chart with one mark per dated document; and each document keeps
its detail (measures, actors, diffs) in a collapsed drill-down. Off-topic
directives, most of a broad corpus, are counted rather than listed: `corpus
compare --topic off` lists them. No fonts, scripts or images come from the
network.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

from ..compare import LEVELS, STATUSES, Comparison, Diff, Directive, DocumentInfo, DocumentSummary
from ..compare.records import NO_ACTOR
from ..text.safetext import printable
from .compare_labels import ReportLabels, provenance

#: Upper bounds (%) of the share bins heat1…heat4; heat5 is everything above the last. Fixed bins (not scaled to
#: the largest cell) keep two reports comparable and let the legend state what each colour means.
SHARE_BINS = (2.0, 5.0, 10.0, 20.0)


# --------------------------------------------------------------------------- aggregation


@dataclass(slots=True)
class DocumentGroup:
    """Documents of one level, one province, or one (level, province) pair, with their totals."""

    key: str  # a level, a province, "" for none
    doc_ids: list[str] = field(default_factory=list)
    dated: int = 0
    directives: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # diff status -> directives (lower-level documents)


def group_documents(comparison: Comparison, by: str) -> list[DocumentGroup]:
    """The comparison's documents grouped `by` "level", "province" or "level+province", in a stable order.

    Levels come in the order of authority (central first, unknown last); provinces by name, documents
    without a province last; "level+province" keys are `level/province`.
    """
    summaries = {s.doc_id: s for s in comparison.summaries}
    groups: dict[str, DocumentGroup] = {}
    for doc in comparison.documents:
        level, province = doc.level or "", doc.province or ""
        key = {"level": level, "province": province}.get(by, f"{level}/{province}")
        group = groups.setdefault(key, DocumentGroup(key))
        group.doc_ids.append(doc.doc_id)
        group.dated += doc.date is not None
        group.directives += doc.n_duties
        summary = summaries.get(doc.doc_id)
        if summary is not None:
            for status, count in summary.counts.items():
                group.counts[status] = group.counts.get(status, 0) + count

    def order(key: str) -> tuple:
        level, _, province = key.partition("/") if by == "level+province" else (key, "", key)
        rank = LEVELS.index(level) if level in LEVELS else len(LEVELS)
        return (rank if by != "province" else 0, province == "", province)

    return [groups[key] for key in sorted(groups, key=order)]


def aggregate(matrix: dict[str, dict[str, int]], groups: list[DocumentGroup]) -> dict[str, list[int]]:
    """`matrix` (row -> doc_id -> count) summed over each group's documents, one count per group."""
    return {row: [sum(counts.get(doc_id, 0) for doc_id in group.doc_ids) for group in groups]
            for row, counts in matrix.items()}


def share_class(share: float | None) -> str:
    """The colour class of a share in % (`heat1`…`heat5`), "" for none or zero."""
    if not share:
        return ""
    return f"heat{next((n for n, bound in enumerate(SHARE_BINS, 1) if share <= bound), len(SHARE_BINS) + 1)}"


# --------------------------------------------------------------------------- page


class _Page:
    """The labels of one language and the escaping every piece of the page goes through."""

    def __init__(self, comparison: Comparison, lang: str) -> None:
        self.labels = ReportLabels(comparison, lang)
        self.words = comparison.labels["report_html_zh" if self.labels.zh else "report_html_en"]  # (labels.yaml)
        self.anchor = {doc.doc_id: f"doc-{n}" for n, doc in enumerate(comparison.documents)}

    def __getitem__(self, key: str) -> str:
        return self.words[key] if key in self.words else self.labels[key]

    @staticmethod
    def e(text: str) -> str:
        """`text` as HTML text or attribute value, its control characters shown escaped."""
        return html.escape(printable(text))

    def group_name(self, key: str, by: str) -> str:
        if by == "level+province":
            level, _, province = key.partition("/")
            return f"{self.group_name(level, 'level')} · {self.group_name(province, 'province')}"
        if by == "level":
            return self.labels.level(key) if key else self.words["no_level"]
        return key or self.words["no_province"]


def render_html(comparison: Comparison, lang: str = "en") -> str:
    """The self-contained HTML report: overview, aggregated heatmaps, timeline chart, drill-down per document."""
    page = _Page(comparison, lang)
    e = page.e
    levels = group_documents(comparison, "level")
    provinces = group_documents(comparison, "province")
    pairs = group_documents(comparison, "level+province")
    columns = [("by_level", "level", g) for g in levels] + [("by_province", "province", g) for g in provinces]
    lede = page["lede"].format(
        docs=len(comparison.documents), dated=sum(g.dated for g in levels),
        directives=f"{sum(g.directives for g in levels):,}",
        levels=", ".join(f"{len(g.doc_ids)} {page.group_name(g.key, 'level')}" for g in levels))
    parts = [f'<h1>{e(page["title"])}</h1><p class="lede">{e(lede)}</p>',
             _overview(page, pairs, levels),
             _heatmap(page, "coverage", page["measure"], comparison.coverage, columns, page.labels.measure),
             _heatmap(page, "actors", page["actor"], comparison.actors, columns, page.labels.actor),
             _timeline(page, comparison),
             _documents(page, comparison, pairs)]
    if comparison.warnings:
        parts.append(f'<section class="view"><h2>{e(page["warnings"])}</h2><ul>'
                     + "".join(f"<li>{e(w)}</li>" for w in comparison.warnings) + "</ul></section>")
    template = (resources.files("antifraud_corpus") / "templates" / "compare.html").read_text(encoding="utf-8")
    return (template.replace("{{lang}}", "zh-Hans" if page.labels.zh else "en")
            .replace("{{title}}", e(page["title"]))
            .replace("{{body}}", "\n".join(parts)))


def _overview(page: _Page, pairs: list[DocumentGroup], levels: list[DocumentGroup]) -> str:
    e = page.e
    head = "".join(f"<th>{e(page[k])}</th>" for k in ("level", "province", "docs", "dated", "duties")) + "".join(
        f'<th><span class="badge st-{s}">{e(page.labels.status(s))}</span></th>' for s in STATUSES)

    def row(name: str, group: DocumentGroup, css: str) -> str:
        level, _, province = name.partition(" · ")
        return (f'<tr class="{css}"><td>{e(level)}</td><td>{e(province)}</td><td class="n">{len(group.doc_ids)}</td>'
                f'<td class="n">{group.dated}</td><td class="n">{group.directives:,}</td>'
                + "".join(f'<td class="n">{_count(group.counts.get(s, 0))}</td>' for s in STATUSES) + "</tr>")

    total = DocumentGroup("", [d for g in levels for d in g.doc_ids], sum(g.dated for g in levels),
                          sum(g.directives for g in levels),
                          {s: sum(g.counts.get(s, 0) for g in levels) for s in STATUSES})
    body = [row(page.group_name(g.key, "level+province"), g, "group") for g in pairs]
    body.append(row(page["all"], total, "total"))
    return (f'<section class="view" id="overview"><h2>{e(page["overview"])}</h2><div class="scroll">'
            f'<table class="overview"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            "</div></section>")


def _heatmap(page: _Page, kind: str, row_name: str, matrix: dict[str, dict[str, int]],
             columns: list[tuple[str, str, DocumentGroup]], name: object) -> str:
    """Rows of `matrix` against level and province groups: count and share, coloured by the share."""
    e = page.e
    groups = [g for _, _, g in columns]
    spans = [(part, sum(1 for c in columns if c[0] == part)) for part in dict.fromkeys(c[0] for c in columns)]
    head = (f'<tr><th rowspan="2">{e(row_name)}</th>'
            + "".join(f'<th colspan="{n}" class="part">{e(page[part])}</th>' for part, n in spans) + "</tr><tr>"
            + "".join(f'<th title="{len(g.doc_ids)} {e(page["docs"])}, {g.directives:,} {e(page["duties"])}">'
                      f'{e(page.group_name(g.key, by))} <small>{len(g.doc_ids)}</small></th>' for _, by, g in columns)
            + "</tr>")
    rows, outside = [], []
    for key, counts in aggregate(matrix, groups).items():
        label = e(name(key))  # type: ignore[operator]
        cells = []
        for group, count in zip(groups, counts, strict=True):
            share = 100 * count / group.directives if group.directives else None
            colour = "" if key == NO_ACTOR and kind == "actors" else share_class(share)
            text = f"{count:,} <small>{_percent(share)}</small>" if count and share is not None else ""
            cells.append(f'<td class="n{" " + colour if colour else ""}" data-count="{count}">{text}</td>')
        row = f'<th class="row">{label}</th>{"".join(cells)}'
        if key == NO_ACTOR and kind == "actors":
            outside.append(f'<tr class="outside">{row}</tr>')
        else:
            rows.append(f"<tr>{row}</tr>")
    bounds = (0.0, *SHARE_BINS)
    swatches = "".join(
        f'<span class="swatch heat{n}"></span>{_range(low, bounds[n] if n < len(bounds) else None)} '
        for n, low in enumerate(bounds, 1))
    note = f'<p class="legend dim">{e(page["outside"])}</p>' if outside else ""
    return (f'<section class="view" id="{kind}"><h2>{e(page[kind])}</h2><div class="scroll">'
            f'<table class="heatmap" data-kind="{kind}"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
            f'{"<tbody>" + "".join(outside) + "</tbody>" if outside else ""}</table></div>'
            f'<p class="legend">{e(page["cell"])} {swatches}</p>{note}</section>')


def _count(count: int) -> str:
    return f"{count:,}" if count else ""


def _percent(share: float) -> str:
    """`37%`, `4.2%`, `<0.1%`: a small share keeps a decimal rather than reading as 0%."""
    if share >= 10:
        return f"{share:.0f}%"
    return f"{share:.1f}%" if share >= 0.05 else "&lt;0.1%"


def _range(low: float, high: float | None) -> str:
    low_text = f"{low:g}" if low else "0"
    return f"&gt; {low_text}%" if high is None else f"{low_text}–{high:g}%"


# --------------------------------------------------------------------------- timeline chart

_ISO = re.compile(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_WIDTH, _LEFT, _RIGHT, _RADIUS, _LANE_PAD = 1000, 110, 20, 4, 10


def _day(text: str | None) -> int | None:
    """A stored date (`2023-05-01`, or a year or month alone from a sidecar) as a day number, or None."""
    match = _ISO.match(text or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2] or 1), int(match[3] or 1)).toordinal()
    except ValueError:
        return None


def _timeline(page: _Page, comparison: Comparison) -> str:
    """An inline SVG: a lane per level, a mark per dated document (filled when it echoes earlier ones)."""
    e = page.e
    echoes = {entry.doc_id: entry.echoes for entry in comparison.timeline}
    dated = [(doc, day) for doc in comparison.documents if (day := _day(doc.date)) is not None]
    undated = [doc for doc in comparison.documents if _day(doc.date) is None]
    section = f'<section class="view" id="timeline"><h2>{e(page["timeline"])}</h2>'
    if not dated:
        return section + f'<p class="dim">{e(page["no_dated"])}</p></section>'
    first, last = min(d for _, d in dated), max(d for _, d in dated)
    first_year, last_year = date.fromordinal(first).year, date.fromordinal(last).year + 1
    start = date(first_year, 1, 1).toordinal()
    end = date(last_year, 1, 1).toordinal() if last_year <= date.max.year else date.max.toordinal() + 1

    def x(day: int) -> float:
        return _LEFT + (_WIDTH - _LEFT - _RIGHT) * (day - start) / (end - start)

    lanes = [level for level in (*LEVELS, "") if any((doc.level or "") == level for doc, _ in dated)]
    stacks: dict[tuple[str, int], int] = {}
    placed: dict[str, tuple[float, int, str]] = {}  # doc_id -> (x, stack height, lane)
    for doc, day in sorted(dated, key=lambda pair: (pair[1], pair[0].doc_id)):
        lane, cx = doc.level or "", x(day)
        bucket = (lane, int(cx // (2 * _RADIUS + 1)))
        placed[doc.doc_id] = (cx, stacks.get(bucket, 0), lane)
        stacks[bucket] = stacks.get(bucket, 0) + 1
    heights = {lane: max(n for (ln, _), n in stacks.items() if ln == lane) * (2 * _RADIUS + 1) + 2 * _LANE_PAD
               for lane in lanes}
    tops, y = {}, 0
    for lane in lanes:
        tops[lane], y = y, y + heights[lane]
    axis = y
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500) if (last_year - first_year) / s <= 12), 1000)
    svg = [f'<svg class="timeline" width="{_WIDTH}" height="{axis + 24}" '
           f'viewBox="0 0 {_WIDTH} {axis + 24}" role="img" aria-label="{e(page["timeline"])}">']
    for lane in lanes:
        svg.append(f'<rect class="lane" x="{_LEFT}" y="{tops[lane]}" width="{_WIDTH - _LEFT - _RIGHT}" '
                   f'height="{heights[lane]}"/><text class="lane" x="{_LEFT - 8}" '
                   f'y="{tops[lane] + heights[lane] / 2 + 4:.0f}">{e(page.group_name(lane, "level"))}</text>')
    for year in range(max(first_year - first_year % step, 1), min(last_year, date.max.year) + 1, step):
        tick = x(date(year, 1, 1).toordinal())
        if _LEFT <= tick <= _WIDTH - _RIGHT:
            svg.append(f'<line class="tick" x1="{tick:.1f}" x2="{tick:.1f}" y1="0" y2="{axis + 4}"/>'
                       f'<text class="year" x="{tick:.1f}" y="{axis + 18}">{year}</text>')

    def centre(doc_id: str) -> tuple[float, float]:
        cx, stack, lane = placed[doc_id]
        return cx, tops[lane] + heights[lane] - _LANE_PAD - _RADIUS - stack * (2 * _RADIUS + 1)

    for doc_id in placed:
        for echo in echoes.get(doc_id, ()):
            if echo.doc_id in placed:
                (x1, y1), (x2, y2) = centre(doc_id), centre(echo.doc_id)
                svg.append(f'<line class="echo" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    for doc, _ in dated:
        cx, cy = centre(doc.doc_id)
        linked = len(echoes.get(doc.doc_id, ()))
        tip = " · ".join(filter(None, (doc.doc_id, doc.date, page.labels.level(doc.level), doc.region, doc.title)))
        tip += f" · {page['echoes']} {linked}" if linked else ""
        svg.append(f'<a href="#{page.anchor[doc.doc_id]}"><circle class="mark{" echoing" if linked else ""}" '
                   f'data-doc="{e(doc.doc_id)}" cx="{cx:.1f}" cy="{cy:.1f}" r="{_RADIUS}"><title>{e(tip)}</title>'
                   "</circle></a>")
    svg.append("</svg>")
    legend = (f'<p class="legend"><svg width="12" height="12"><circle class="mark echoing" cx="6" cy="6" r="4"/>'
              f'</svg> {e(page["echoing"])} <svg width="12" height="12"><circle class="mark" cx="6" cy="6" r="4"/>'
              f'</svg> {e(page["silent"])} <svg width="24" height="12"><line class="echo" x1="0" y1="6" x2="24" '
              f'y2="6"/></svg> {e(page["link"])}</p>')
    if undated:
        legend += (f'<p class="dim">{e(page["undated_docs"])}: '
                   + ", ".join(f'<a href="#{page.anchor[d.doc_id]}"><code>{e(page.labels.short[d.doc_id])}</code></a>'
                               for d in undated) + "</p>")
    return section + '<div class="scroll">' + "".join(svg) + "</div>" + legend + "</section>"


# --------------------------------------------------------------------------- drill-down per document


class DrillDown:
    """The diffs of every document as one compact table the page's script renders when a document is opened.

    As HTML, each diff repeats its reference directive (one central directive is the reference of
    every province's echo of it) and a row of markup: 300 documents on the topic came to about 9 MB.
    Here each string and each directive is stored once and a diff is six numbers, which keeps such a
    corpus near 1 MB. Rows: `[status, similarity, local, reference, reasons, flags]`; `local` and
    `reference` index `directives` (-1: none), `reasons` indexes `strings` (-1: none), flags are
    1 (reference issued later) + 2 (reference undated).
    """

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.directives: list[tuple[int, int, int]] = []  # (provenance, sentence, tags) as string indexes
        self.rows: dict[str, list[list]] = {}
        self._strings: dict[str, int] = {}
        self._directives: dict[tuple, int] = {}

    def string(self, text: str) -> int:
        index = self._strings.get(text)
        if index is None:
            index = self._strings[text] = len(self.strings)
            self.strings.append(printable(text))
        return index

    def directive(self, page: _Page, d: Directive | None, with_doc: bool) -> int:
        if d is None:
            return -1
        key = (d.doc_id, d.start, d.end, with_doc)
        index = self._directives.get(key)
        if index is None:
            labels = page.labels
            tags = " · ".join(filter(None, [
                ", ".join(labels.actor(a) for a in d.actors) or labels.actor(""),
                labels.modality(d.modality) + (f" ({d.marker})" if d.marker else ""),
                ", ".join(labels.measure(m) for m in d.measures)]))
            index = self._directives[key] = len(self.directives)
            self.directives.append((self.string(provenance(d, labels.short, with_doc)), self.string(d.sentence),
                                    self.string(tags)))
        return index

    def add(self, page: _Page, anchor: str, diff: Diff) -> None:
        self.rows.setdefault(anchor, []).append([
            STATUSES.index(diff.status), round(diff.similarity, 2) if diff.status != "added" else -1,
            self.directive(page, diff.local, False), self.directive(page, diff.reference, True),
            self.string("; ".join(diff.reasons)) if diff.reasons else -1,
            int(diff.reference_later) + 2 * int(diff.reference_undated)])

    def script(self, page: _Page) -> str:
        """The table as a JSON script element (`<` escaped, so no text in it can end the element)."""
        words = {k: page[k] for k in ("sim", "local", "reference", "later", "undated")}
        data = {"statuses": list(STATUSES), "names": [page.labels.status(s) for s in STATUSES], "words": words,
                "strings": self.strings, "directives": self.directives, "rows": self.rows}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        return f'<script type="application/json" id="drill-down">{text}</script>'


def _documents(page: _Page, comparison: Comparison, pairs: list[DocumentGroup]) -> str:
    e = page.e
    labels = page.labels
    per_doc: dict[str, dict[str, list[tuple[str, int]]]] = {}
    for kind, matrix, name in (("measures", comparison.coverage, labels.measure),
                               ("actors", comparison.actors, labels.actor)):
        for key, counts in matrix.items():
            for doc_id, count in counts.items():
                per_doc.setdefault(doc_id, {}).setdefault(kind, []).append((name(key), count))
    drill = DrillDown()
    off_topic: dict[str, int] = {}
    for diff in comparison.diffs:
        if diff.status == "off_topic":
            off_topic[diff.doc_id] = off_topic.get(diff.doc_id, 0) + 1
        else:
            drill.add(page, page.anchor[diff.doc_id], diff)
    summaries = {s.doc_id: s for s in comparison.summaries}
    infos = {doc.doc_id: doc for doc in comparison.documents}
    parts = [f'<section class="view" id="documents"><h2>{e(page["documents"])}</h2><div class="filters">'
             + "".join(f'<label class="st-{s}"><input type="checkbox" data-status="{s}" checked> '
                       f'{e(labels.status(s))}</label>' for s in STATUSES if s != "off_topic")
             + '<button type="button" id="expand">+</button><button type="button" id="collapse">−</button></div>']
    for group in pairs:
        parts.append(f'<h3>{e(page.group_name(group.key, "level+province"))} '
                     f'<small>{len(group.doc_ids)}</small></h3>')
        for doc_id in group.doc_ids:
            parts.append(_document(page, infos[doc_id], summaries.get(doc_id), off_topic.get(doc_id, 0),
                                   per_doc.get(doc_id, {})))
    parts.append(drill.script(page))
    parts.append("</section>")
    return "".join(parts)


def _document(page: _Page, doc: DocumentInfo, summary: DocumentSummary | None, off_topic: int,
              tags: dict[str, list[tuple[str, int]]]) -> str:
    """A collapsed `<details>`: a one-line summary; inside, its tags and sources (the diffs come from the script)."""
    e = page.e
    labels = page.labels
    counts = summary.counts if summary is not None else {}
    badges = "".join(f'<span class="badge st-{s}">{e(labels.status(s))} {counts[s]}</span>'
                     for s in STATUSES if counts.get(s))
    role = f' <span class="tag">{e(page["role_reference"])}</span>' if doc.role == "reference" else ""
    out = [f'<details class="doc" id="{page.anchor[doc.doc_id]}" data-doc="{e(doc.doc_id)}"><summary>'
           f'<code>{e(labels.short[doc.doc_id])}</code> {e(doc.date or "?")} {e(doc.region or "")} '
           f'<b>{e(doc.title)}</b>{role} <span class="dim">{doc.n_duties} {e(page["duties"])}</span> {badges}'
           f"</summary>",
           f'<p class="dim">{e(page["id"])} <code>{e(doc.doc_id)}</code> · {e(labels.level(doc.level))} · '
           f'{e(doc.province or "—")} · {e(doc.kind or "—")}</p>']
    for kind, title in (("measures", page["measure"]), ("actors", page["actor"])):
        if tags.get(kind):
            out.append(f'<p><b>{e(title)}</b>: ' + ", ".join(f"{e(n)} {c}" for n, c in tags[kind]) + "</p>")
    if summary is not None:
        sources = ", ".join(labels.short.get(s, s) for s in summary.sources) or page["none"]
        missing = ", ".join(labels.measure(m) for m in summary.missing_measures) or page["none"]
        out.append(f'<p class="dim">{e(page["sources"])}: {e(sources)}; {e(page["missing"])}: {e(missing)}</p>')
    if off_topic:
        out.append(f'<p class="dim"><span class="badge st-off_topic">{e(labels.status("off_topic"))}</span> '
                   f'{off_topic}: {e(page["off_topic"].format(doc=labels.short[doc.doc_id]))}</p>')
    out.append('<div class="diffs"></div></details>')
    return "".join(out)
