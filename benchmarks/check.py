#!/usr/bin/env python3
"""Benchmark `corpus check`: one new file against a store of 10k normalized documents.

    python benchmarks/check.py [--docs 10000] [--keep]

Builds, in a temporary folder (never committed), a normalized store of
--docs synthetic documents: each one a random draw of sentences from the
cleaned seed documents, so they share vocabulary as a real corpus does but
are not near-duplicates of each other. Then, each in a fresh process:

- start-up: import the package and load the config;
- the one-time build of the check index (what ingest would keep up to date),
  which reads every document once;
- `check_paths` on one new raw file (a stored document with a paragraph
  added: a near-duplicate to find) against the 10k store (the CI case), and
  the same against an empty store: the difference is what the store costs;
- the same file once more in the same process (caches warm).

Prints seconds for each. The machine is shared and noisy; the claim is that
the store adds well under a second to a check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_store(store: Path, count: int, seed: int = 1) -> int:
    """Write `count` synthetic normalized documents and a manifest; return the total text size."""
    from antifraud_corpus.config import load_config
    from antifraud_corpus.models import Document
    from antifraud_corpus.pipeline import PIPELINE_VERSION, process_file
    from antifraud_corpus.store import Manifest, ManifestEntry, to_json, write_manifest

    config = load_config()
    raw_dir = ROOT / "data" / "raw"
    sentences: list[str] = []
    for path in sorted(raw_dir.glob("*.txt")):
        text = process_file(path, raw_dir, config).text
        sentences += [s + "。" for s in text.replace("\n", "").split("。") if len(s) > 8]
    rng = random.Random(seed)
    store.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(PIPELINE_VERSION, config.fingerprint, {})
    total = 0
    for i in range(count):
        text = "\n".join("".join(rng.sample(sentences, 3)) for _ in range(rng.randint(6, 14)))
        doc_id = f"doc{i:05d}"
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        doc = Document(doc_id=doc_id, source=f"{doc_id}.txt", sha256=sha, encoding="utf-8",
                       title=f"合成文件{i}", issuer="", date=None, level="central", region=None,
                       province=None, kind="notice", text=text, pipeline_version=PIPELINE_VERSION)
        # Plain writes: the store's fsync per file is for safety, not needed for a benchmark.
        (store / f"{doc_id}.json").write_text(to_json(doc.to_dict()), encoding="utf-8")
        manifest.documents[doc_id] = ManifestEntry(f"{doc_id}.txt", sha)
        total += len(text)
    write_manifest(store, manifest)
    return total


_TIMED = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from antifraud_corpus.check import check_paths, refresh_index
from antifraud_corpus.config import load_config
config = load_config()
t1 = time.perf_counter()
mode, raw, store, new = sys.argv[1:5]
out = {"startup": t1 - t0}
if mode == "index":
    entries = refresh_index(Path(store), config)
    out["index"] = time.perf_counter() - t1, len(entries)
else:
    result = check_paths([Path(new)], raw_dir=Path(raw), normalized_dir=Path(store), config=config)
    t2 = time.perf_counter()
    out["check"] = t2 - t1
    check_paths([Path(new)], raw_dir=Path(raw), normalized_dir=Path(store), config=config)
    out["again"] = time.perf_counter() - t2
    out["findings"] = [f"{f.severity} {f.code}: {f.message}" for f in result.findings]
print(json.dumps(out, ensure_ascii=False))
"""


def timed_run(mode: str, raw: Path, store: Path, new: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", _TIMED, mode, str(raw), str(store), str(new)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"benchmark run failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents in the store (default 10000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated store")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-check-"))
    store, empty, raw = work / "normalized", work / "empty", work / "raw"
    start = time.perf_counter()
    size = build_store(store, args.docs)
    print(f"store: {args.docs} documents, {size / 1e6:.1f} M characters, built in "
          f"{time.perf_counter() - start:.1f} s ({store})")
    empty.mkdir()
    raw.mkdir()
    # The new file: a stored document with one more paragraph, so the check has to find
    # the one near-duplicate among all the documents.
    twin = json.loads((store / "doc04242.json").read_text(encoding="utf-8"))["text"]
    new = raw / "new-notice.txt"
    new.write_text(twin + "\n各地要结合实际，认真抓好贯彻落实。\n", encoding="utf-8")

    index = timed_run("index", raw, store, new)
    print(f"  start-up (import + config)            {index['startup']:6.2f} s")
    size_mb = (store / "check-index.jsonl").stat().st_size / 1e6
    print(f"  check index, one-time build           {index['index'][0]:6.2f} s  "
          f"({index['index'][1]} entries; {size_mb:.1f} MB)")
    with_store = timed_run("check", raw, store, new)
    without = timed_run("check", raw, empty, new)
    print(f"  check 1 file, empty store             {without['check']:6.2f} s  (after start-up)")
    print(f"  check 1 file, {args.docs} documents        {with_store['check']:6.2f} s  (after start-up)")
    print(f"  the store's share                     {with_store['check'] - without['check']:6.2f} s")
    print(f"  again in the same process             {with_store['again']:6.2f} s  (empty store: "
          f"{without['again']:.2f} s)")
    for line in with_store["findings"]:
        print(f"    {line}")
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
