#!/usr/bin/env python3
"""Benchmark `corpus ingest` against bare OpenCC and bare jieba on the same text, in one run.

    python benchmarks/ingest.py [--mb 50] [--keep]
    python benchmarks/ingest.py --raw DIR [--keep]

Builds a corpus of at least --mb megabytes from the seed documents in
data/raw (copies with a distinguishing line, so no two files are identical),
or, with --raw, copies the files of a real-document folder (e.g. the silver
set: laws, regulations and news bulletins, mostly simplified) into the
temporary folder (DIR itself is only read), then times, side by side:

- reading + decoding every file (as ingest decodes it),
- bare OpenCC t2s conversion of the decoded text,
- bare single-process `jieba.lcut` of the decoded text (dictionary load excluded),
- `corpus ingest` with 1 and 2 workers (a full run, including extraction),
- `corpus ingest` again on the unchanged corpus (must cost < 3% of a full run),
- `corpus ingest` (1 worker) on the seed texts written as HTML pages, PDF and DOCX files
  (--formats-mb of text each, built by tests/format_fixtures.py), beside the same texts as text:
  MB/s of document text, so the formats' reading cost shows against the text path.

Prints MB/s for each and the ratios that the issues set as floors. The
machine is shared and noisy: only ratios within this run mean anything.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from antifraud_corpus.config import load_config
from antifraud_corpus.errors import IngestError
from antifraud_corpus.stages.decode import read_raw_file

ROOT = Path(__file__).resolve().parent.parent


def build_corpus(target: Path, megabytes: float) -> tuple[int, int]:
    """Copy seeds round-robin (each copy with a numbered line) until the size is reached."""
    seeds = sorted((ROOT / "data" / "raw").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    target.mkdir(parents=True, exist_ok=True)
    total = 0
    count = 0
    while total < megabytes * 1_000_000:
        text = texts[count % len(texts)] + f"\n（副本{count}）\n"
        data = text.encode("utf-8")
        (target / f"doc{count:05d}_{seeds[count % len(seeds)].stem}.txt").write_bytes(data)
        total += len(data)
        count += 1
    return count, total


def copy_folder(source: Path, target: Path) -> tuple[int, int]:
    """Copy the files under `source` (sub-folders too; hidden entries left out, as ingest
    leaves them) into `target`. Copied, not linked: nothing the run does can reach `source`."""
    count = total = 0
    for folder, subfolders, files in os.walk(source):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        destination = target / os.path.relpath(folder, source)
        destination.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            if not name.startswith("."):
                shutil.copyfile(os.path.join(folder, name), destination / name)
                total += (destination / name).stat().st_size
                count += 1
    return count, total


def timed(label: str, func, cpu: dict[str, float]) -> float:  # noqa: ANN001
    """Wall-clock seconds of `func()`; the CPU seconds it used (this process and children) go to `cpu[label]`."""
    before = _cpu_seconds()
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    used = _cpu_seconds() - before
    cpu[label] = used
    print(f"  {label:<34} {seconds:8.2f} s   (cpu {used:7.2f} s)", flush=True)
    return seconds


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children.

    On a shared machine wall-clock ratios move with other people's load; CPU
    seconds move much less, so they are printed alongside.
    """
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build_format_corpora(target: Path, megabytes: float) -> dict[str, Path]:
    """The seed texts (copies with a numbered line) as .txt, .html, .pdf and .docx folders."""
    sys.path.insert(0, str(ROOT / "tests"))
    from html import escape as html_escape

    from format_fixtures import docx_paragraph, gov_page, make_docx, make_pdf, pdf_page_lines

    seeds = sorted((ROOT / "data" / "raw").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    folders = {kind: target / kind for kind in ("text", "html", "pdf", "docx")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    total = count = 0
    while total < megabytes * 1_000_000:
        text = texts[count % len(texts)] + f"\n（副本{count}）\n"
        lines = [line for line in text.splitlines() if line.strip()]
        name = f"doc{count:05d}"
        (folders["text"] / f"{name}.txt").write_text(text, encoding="utf-8")
        body = "".join(f"<p>{html_escape(line)}</p>" for line in lines)
        (folders["html"] / f"{name}.html").write_text(gov_page(html_escape(lines[0]), body), encoding="utf-8")
        pages = [pdf_page_lines(lines[i:i + 20]) for i in range(0, len(lines), 20)]
        (folders["pdf"] / f"{name}.pdf").write_bytes(make_pdf(pages, header="某某市人民政府文件"))
        (folders["docx"] / f"{name}.docx").write_bytes(make_docx("".join(docx_paragraph(line) for line in lines)))
        total += len(text.encode("utf-8"))
        count += 1
    return folders


def run_ingest(raw: Path, out: Path, workers: int, force: bool = False) -> None:
    cmd = [sys.executable, "-m", "antifraud_corpus.cli", "ingest", "--raw", str(raw), "--normalized", str(out),
           "--workers", str(workers)] + (["--force"] if force else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"ingest failed ({proc.returncode}): {proc.stderr[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--mb", type=float, help="corpus of seed copies, size in MB (default 50)")
    source.add_argument("--raw", type=Path, metavar="DIR", help="benchmark on the files of this folder (copied)")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus folder")
    parser.add_argument("--formats-mb", type=float, default=2.0, metavar="MB",
                        help="text per format for the HTML/PDF/DOCX runs (default 2; 0 skips them)")
    args = parser.parse_args()
    if args.raw is not None and not args.raw.is_dir():
        parser.error(f"--raw {args.raw}: not a folder")

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    raw = work / "raw"
    if args.raw is not None:
        count, size = copy_folder(args.raw, raw)
        origin = f"copied from {args.raw}"
    else:
        count, size = build_corpus(raw, 50.0 if args.mb is None else args.mb)
        origin = "seed copies"
    mb = size / 1_000_000
    print(f"corpus: {count} files, {mb:.1f} MB in {raw} ({origin})")

    config = load_config()
    texts: list[str] = []
    refused: list[str] = []

    def read_all() -> None:
        texts.clear()
        refused.clear()
        for path in sorted(p for p in raw.rglob("*") if p.is_file()):
            try:
                texts.append(read_raw_file(path, config).decoded.text)
            except IngestError as exc:  # ingest refuses it too (binary, undecodable): no text to time
                refused.append(str(exc))

    results: dict[str, float] = {}
    cpu: dict[str, float] = {}
    print("timings:")
    results["read+decode"] = timed("read + decode", read_all, cpu)
    if refused:
        print(f"  ({len(refused)} file(s) not decodable, left out of the bare timings; e.g. {refused[0]})")

    import opencc

    converter = opencc.OpenCC("t2s")
    results["opencc"] = timed("bare OpenCC t2s", lambda: [converter.convert(t) for t in texts], cpu)

    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    results["jieba"] = timed("bare jieba.lcut (1 process)", lambda: [jieba.lcut(t) for t in texts], cpu)

    out1, out2 = work / "normalized1", work / "normalized2"
    results["ingest1"] = timed("corpus ingest --workers 1", lambda: run_ingest(raw, out1, 1), cpu)
    results["ingest2"] = timed("corpus ingest --workers 2", lambda: run_ingest(raw, out2, 2), cpu)
    results["reingest"] = timed("corpus ingest (unchanged, 2 workers)", lambda: run_ingest(raw, out2, 2), cpu)

    format_mb = 0.0
    if args.formats_mb > 0:
        folders = build_format_corpora(work / "formats", args.formats_mb)
        format_mb = sum(p.stat().st_size for p in folders["text"].iterdir()) / 1_000_000
        for kind, folder in folders.items():
            results[f"format-{kind}"] = timed(f"corpus ingest --workers 1 ({kind})",
                                              lambda folder=folder, kind=kind: run_ingest(
                                                  folder, work / f"normalized-{kind}", 1), cpu)

    print(f"  load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(another job on this machine makes wall-clock ratios unreliable)")
    print("throughput (MB/s):")
    for key, label in [("read+decode", "read + decode"), ("opencc", "OpenCC t2s"), ("jieba", "jieba.lcut"),
                       ("ingest1", "ingest, 1 worker"), ("ingest2", "ingest, 2 workers")]:
        print(f"  {label:<34} {mb / results[key]:8.2f}")
    if format_mb:
        print(f"throughput by format ({format_mb:.1f} MB of document text each; MB/s of text, 1 worker):")
        for kind in ("text", "html", "pdf", "docx"):
            print(f"  {kind:<34} {format_mb / results[f'format-{kind}']:8.2f}")
    print("ratios:")
    print(f"  ingest 2 workers vs bare jieba.lcut   {results['jieba'] / results['ingest2']:6.2f}x  (floor 3x; "
          f"{results['ingest2']:.1f} s vs {results['jieba']:.1f} s)")
    print(f"  ingest 1 worker  vs bare jieba.lcut   {results['jieba'] / results['ingest1']:6.2f}x")
    print(f"  ingest 2 workers vs 1 worker          {results['ingest1'] / results['ingest2']:6.2f}x")
    print(f"  re-ingest unchanged / full ingest     {100 * results['reingest'] / results['ingest2']:6.2f}%  "
          "(ceiling 3%)")
    jieba_cpu = cpu["bare jieba.lcut (1 process)"]
    print(f"  cpu: bare jieba.lcut / ingest 1 worker {jieba_cpu / cpu['corpus ingest --workers 1']:6.2f}x  "
          "(per-process speed, what other jobs on the machine disturb least)")
    print(f"  cpu: bare jieba.lcut / ingest 2 workers {jieba_cpu / cpu['corpus ingest --workers 2']:5.2f}x  "
          "(the same with the cost of the second process)")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
