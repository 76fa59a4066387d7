"""The HTML compare report in a real browser: headless Chromium screenshots it and runs its script.

Where a browser is required (CI sets `CI`), a missing Chromium fails the test
instead of skipping it; `.ci/run` installs Chromium with apt.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import lxml.html
import pytest

from antifraud_corpus.compare import compare_corpus
from antifraud_corpus.report.compare_html import render_html

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("Chromium is required in CI (CI is set) but none is installed; .ci/run installs it with apt")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def _run(browser: str, page: Path, *extra: str, fragment: str = "") -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run([browser, *_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri() + fragment],
                              capture_output=True, text=True, timeout=90, check=False)


def _console_errors(stderr: str) -> list[str]:
    """Lines Chromium logs for the page's console (the report itself never logs) or uncaught errors."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG into rows of pixel bytes (no imaging library needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    step = 4 if color == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * step
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(step, stride):
                line[i] = (line[i] + line[i - step]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - step] if i >= step else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - step] if i >= step else 0
                b, c = prev[i], prev[i - step] if i >= step else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, step, rows


@pytest.fixture(scope="module")
def report(tmp_path_factory, config) -> Path:
    from test_compare import CASES, make_doc

    docs = [make_doc(d) for case in CASES for d in case["documents"]]
    seen, unique = set(), []
    for doc in docs:  # the cases reuse ids; keep the first of each
        if doc.doc_id not in seen:
            seen.add(doc.doc_id)
            unique.append(doc)
    path = tmp_path_factory.mktemp("html") / "compare.html"
    path.write_text(render_html(compare_corpus(unique, config), "zh"), encoding="utf-8")
    return path


def test_report_renders_in_chromium_with_heatmap_and_no_console_errors(report):
    browser = _chromium()
    shot = report.with_suffix(".png")
    result = _run(browser, report, "--window-size=900,900", "--force-device-scale-factor=0.5",
                  f"--screenshot={shot}")
    assert shot.is_file() and shot.stat().st_size > 1000, result.stderr[-2000:]
    assert not _console_errors(result.stderr)
    width, step, rows = _png_pixels(shot.read_bytes())
    colours, heat = set(), 0
    for row in rows:
        for x in range(0, width * step, step):
            r, g, b = row[x], row[x + 1], row[x + 2]
            colours.add((r >> 4, g >> 4, b >> 4))
            # Heatmap cells are rgba(192, 57, 43, a) over white: red well above green and blue.
            if r > 150 and r - g > 45 and r - b > 45:
                heat += 1
    assert len(colours) > 8, "the screenshot is blank"
    assert heat > 200, f"no heatmap in the screenshot ({heat} heatmap pixels)"


def test_report_script_runs_and_builds_the_views(report):
    browser = _chromium()
    result = _run(browser, report, "--dump-dom")
    assert not _console_errors(result.stderr)
    dom = result.stdout
    assert 'data-ready="' in dom and 'data-ready="0"' not in dom  # the script ran and counted heatmap cells
    assert dom.count('class="heatmap"') == 2
    assert "<details" in dom and 'data-status="omitted"' in dom


def test_a_link_to_a_document_opens_it_and_builds_its_diffs(report):
    browser = _chromium()
    data = json.loads(lxml.html.fromstring(report.read_text(encoding="utf-8")).get_element_by_id("drill-down").text)
    anchor, rows = max(data["rows"].items(), key=lambda item: len(item[1]))
    result = _run(browser, report, "--dump-dom", fragment="#" + anchor)
    assert not _console_errors(result.stderr)
    doc = lxml.html.fromstring(result.stdout).get_element_by_id(anchor)
    assert doc.get("open") is not None
    built = doc.xpath("div[@class='diffs']")[0]
    assert built.get("data-built") is not None
    assert len(built.xpath(".//table[@class='diff']/tbody/tr")) == len(rows)
    statuses = [group.get("data-status") for group in built.xpath("details")]
    assert statuses == [s for s in data["statuses"] if any(data["statuses"][r[0]] == s for r in rows)]
    # the other documents stay closed and unbuilt
    assert all(d.get("open") is None for d in lxml.html.fromstring(result.stdout).xpath("//details[@class='doc']")
               if d.get("id") != anchor)
