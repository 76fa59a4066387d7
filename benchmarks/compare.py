"""Benchmark `corpus compare` on synthetic corpora of 1k, 5k and 20k documents (not a test).

The corpora recombine the directives of real documents (the normalized store of
the seeds; when it is empty, the seed texts of data/raw extracted on the spot, or
else the handmade cases in tests/cases/compare.json) into new documents with assigned levels, regions and dates: each
synthetic directive is a real one, often with a comma-separated fragment
spliced in from another, a changed modal word, an added deadline or another
actor, so that most directives are distinct texts, as in a real corpus where
local documents partly copy and partly rewrite the documents above them.

Each size is written to a temporary normalized store and timed in a fresh
process the way `corpus compare --format json -o FILE` runs: `store.load_document_duties` →
`compare_corpus(json_diffs=True)` (each process renders the diffs it aligned) → JSON written.
CPU seconds are given for the main process and its workers apart; "busy" is the CPU over the wall
time of all the cores asked for (1.0: every core busy throughout). On a loaded machine wall times
stretch, CPU times much less. The growth exponent is the slope of log(time) against log(n); n log n
gives about 1.1 over 1k..20k. A naive all-pairs comparison (every local
directive scored against every directive on its line of authority, no index)
is timed at 1k on a sample of local documents and scaled to all of them.

Usage:
    python benchmarks/compare.py                 # 1000 5000 20000
    python benchmarks/compare.py --sizes 1000 5000 --seed 7
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVEL_SHARES = (("central", 0.02), ("provincial", 0.10), ("municipal", 0.40), ("county", 0.48))
MARKERS = ("要", "必须", "应当", "可以", "鼓励", "严禁", "")
DEADLINES = ("年底前", "今年内", "2025年6月前", "30日内")


def _source_duties(normalized: Path) -> list[dict]:
    """Directives (as stored dicts) of the seed store; else of the seed texts in data/raw, extracted
    here (a fresh clone has no store); else of the handmade cases, completed as the tests complete them."""
    from antifraud_corpus.store import iter_document_paths

    duties: list[dict] = []
    if normalized.is_dir():
        for path in iter_document_paths(normalized):
            duties.extend(json.loads(path.read_text(encoding="utf-8")).get("duties") or [])
    if duties:
        return duties
    raw = ROOT / "data" / "raw"
    if raw.is_dir():
        from antifraud_corpus.config import default_config_dir, load_config
        from antifraud_corpus.pipeline import process_file

        config = load_config(default_config_dir())
        for path in sorted(raw.glob("*.txt")):
            duties.extend(duty.to_dict() for duty in process_file(path, raw, config).duties)
    if duties:
        return duties
    cases = json.loads((ROOT / "tests" / "cases" / "compare.json").read_text(encoding="utf-8"))
    for case in cases["cases"]:
        for doc in case["documents"]:
            duties.extend(_case_duty(raw) for raw in doc["duties"])
    return duties


def _case_duty(raw: dict) -> dict:
    """A handmade case directive as a stored one (the defaults of tests/test_compare.py `make_doc`)."""
    def mention(tag: str) -> dict:
        return {"id": tag, "text": tag, "start": 0, "end": 0, "rule": "case"}

    actors = raw.get("actors") or []
    return {"clause": raw.get("clause", ""), "sentence": raw["sentence"], "modality": raw.get("modality", "obligation"),
            "marker": raw.get("marker", ""), "action": "",
            "actor_source": raw.get("actor_source", "explicit" if actors else "none"),
            "actors": [mention(a) for a in actors], "measures": [mention(m) for m in raw.get("measures") or []]}


def _regions() -> list[tuple[str, str, list[str]]]:
    """(province, city, counties) of the packaged regions table."""
    import yaml

    data = yaml.safe_load((ROOT / "src" / "antifraud_corpus" / "configs" / "regions.yaml").read_text("utf-8"))
    out = []
    for province, spec in (data.get("provinces") or {}).items():
        for city, city_spec in ((spec or {}).get("cities") or {}).items():
            out.append((province, city, str((city_spec or {}).get("counties") or "").split()))
    return out


def _mutate(duty: dict, pool: list[dict], rng: random.Random) -> dict:
    sentence = duty["sentence"]
    measures = list(duty.get("measures") or [])
    actors = list(duty.get("actors") or [])
    marker = duty.get("marker") or ""
    if rng.random() < 0.6:
        donor = rng.choice(pool)
        parts = sentence.rstrip("。；").split("，")
        extra = donor["sentence"].rstrip("。；").split("，")
        parts[rng.randrange(len(parts))] = rng.choice(extra)
        sentence = "，".join(parts) + "。"
        measures += [m for m in donor.get("measures") or [] if m["id"] not in {x["id"] for x in measures}][:1]
    if rng.random() < 0.2:
        new = rng.choice(MARKERS)
        if marker and new:
            sentence = sentence.replace(marker, new, 1)
        marker = new if marker else marker
    if rng.random() < 0.15:
        sentence = rng.choice(DEADLINES) + sentence
    if rng.random() < 0.2:
        donor = rng.choice(pool)
        actors = list(donor.get("actors") or [])
    return {**duty, "sentence": sentence, "measures": measures, "actors": actors, "marker": marker}


def generate_store(n: int, out: Path, seed: int = 1) -> None:
    """Write `n` synthetic documents to the normalized store `out`."""
    from antifraud_corpus.models import Document, Duty
    from antifraud_corpus.store import write_document

    rng = random.Random(seed)
    pool = _source_duties(ROOT / "data" / "normalized")
    regions = _regions()
    out.mkdir(parents=True, exist_ok=True)
    for number in range(n):
        roll, level = rng.random(), "county"
        for name, share in LEVEL_SHARES:
            if roll < share:
                level = name
                break
            roll -= share
        province, city, counties = rng.choice(regions)
        region = {"central": None, "provincial": province, "municipal": city}.get(
            level, rng.choice(counties) if counties else city)
        date = f"{rng.randint(2016, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        text, duties = "", []
        for raw in (_mutate(rng.choice(pool), pool, rng) for _ in range(rng.randint(10, 40))):
            start = len(text)
            text += raw["sentence"]
            duties.append(Duty.from_dict({**raw, "start": start, "end": len(text)}))
        write_document(out, Document(
            doc_id=f"{number:06d}", source=f"{number:06d}.txt", sha256="", encoding="utf-8",
            title=f"synthetic {level} document {number}", issuer="", date=date, level=level, region=region,
            province=None if level == "central" else province, kind="opinion", text=text, duties=duties))


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


class _MemorySampler:
    """The largest summed PSS of this process and its workers, sampled twice a second (Linux; 0 elsewhere).

    PSS splits pages shared after fork between the processes, so the sum is the memory the run really
    holds; the workers' own peak RSS counts the pages they share with the main process again.
    """

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.5):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in [me, *_children(me)]))

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def _time_compare(store: Path, workers: int) -> dict:
    """Child process: load the store, compare, render JSON; report seconds and peak memory."""
    from antifraud_corpus.compare import compare_corpus
    from antifraud_corpus.config import default_config_dir, load_config
    from antifraud_corpus.report.compare_data import write_json_stream
    from antifraud_corpus.store import load_document_duties

    config = load_config(default_config_dir())
    sampler = _MemorySampler()
    start = time.perf_counter()
    comparison = compare_corpus(load_document_duties(store), config, workers=workers, json_diffs=True)
    compared = time.perf_counter()
    out = store.parent / f"{store.name}.json"
    write_json_stream(comparison, out)
    size = out.stat().st_size
    done = time.perf_counter()
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    main_cpu = own.ru_utime + own.ru_stime
    cpu = main_cpu + children.ru_utime + children.ru_stime
    return {"seconds": done - start, "compare_seconds": compared - start, "json_seconds": done - compared,
            "cpu_seconds": cpu, "main_cpu_seconds": main_cpu, "busy": cpu / (done - start) / workers,
            "pss_mb": sampler.stop(),
            "json_mb": size / 1e6, "diffs": len(comparison.diffs),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _time_naive(store: Path, sample: float, seed: int) -> dict:
    """Child process: every sampled local directive scored against every directive on its line."""
    from antifraud_corpus.compare import compare_settings
    from antifraud_corpus.compare.features import Corpus
    from antifraud_corpus.compare.lines import build_pools, pool_key
    from antifraud_corpus.compare.similarity import query_of
    from antifraud_corpus.compare.state import Run
    from antifraud_corpus.config import default_config_dir, load_config
    from antifraud_corpus.filters import DutyFilter
    from antifraud_corpus.store import load_document_duties

    config = load_config(default_config_dir())
    corpus = Corpus(compare_settings(config))
    for doc in load_document_duties(store):
        corpus.add(doc)
    corpus.finish()
    run = Run(corpus, config, DutyFilter())
    build_pools(run)
    members: dict[tuple, list[int]] = {}
    for index, info in enumerate(corpus.infos):
        key = pool_key(info)
        if key is not None:
            members.setdefault(key, []).append(index)
    rng = random.Random(seed)
    local = [d for d in run.lines if rng.random() < sample]
    start = time.perf_counter()
    pairs = 0
    for doc in local:
        refs = [item for key in run.lines[doc] for ref_doc in members.get(key, ())
                for item in corpus.items[ref_doc]]
        for item in corpus.items[doc]:
            q = corpus.sigs[item.sig]
            query = query_of(q)
            best = 0.0
            for ref in refs:
                score, _ = run.scorer.score(q, query, corpus.sigs[ref.sig])
                best = max(best, score)
                pairs += 1
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed / max(len(local), 1) * len(run.lines), "sampled_docs": len(local),
            "local_docs": len(run.lines), "pairs": pairs}


def _child(args: list[str]) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--naive-sample", type=float, default=0.1,
                        help="share of local documents the all-pairs baseline scores at 1k (then scaled)")
    parser.add_argument("--workers", type=int, default=2, help="processes for the alignment (default 2)")
    parser.add_argument("--child", choices=["compare", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "compare":
        print(json.dumps(_time_compare(args.store, args.workers)))
        return
    if args.child == "naive":
        print(json.dumps(_time_naive(args.store, args.naive_sample, args.seed)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="compare-bench-") as tmp:
        for n in args.sizes:
            store = Path(tmp) / f"n{n}"
            started = time.perf_counter()
            generate_store(n, store, args.seed)
            generated = time.perf_counter() - started
            result = _child(["--child", "compare", "--store", str(store), "--workers", str(args.workers)])
            rows.append((n, result))
            print(f"n={n:>6}  generate {generated:6.1f}s  compare {result['compare_seconds']:6.1f}s  "
                  f"+json {result['json_seconds']:5.1f}s ({result['json_mb']:.0f} MB)  total {result['seconds']:6.1f}s"
                  f" (cpu {result['cpu_seconds']:6.1f}s, main {result['main_cpu_seconds']:.1f}s;"
                  f" busy {result['busy']:.2f})"
                  f"  peak {result['peak_mb']:5.0f} MB (+ worker {result['worker_peak_mb']:.0f} MB;"
                  f" together {result['pss_mb']:.0f} MB PSS)"
                  f"  diffs {result['diffs']}", flush=True)
            if n == 1000:
                naive = _child(["--child", "naive", "--store", str(store), "--naive-sample", str(args.naive_sample),
                                "--seed", str(args.seed)])
                print(f"          naive all-pairs at 1k: {naive['seconds']:.1f}s (scaled from "
                      f"{naive['sampled_docs']}/{naive['local_docs']} local documents, {naive['pairs']} pairs); "
                      f"indexed compare is {naive['seconds'] / result['compare_seconds']:.0f}x faster", flush=True)
    if len(rows) >= 2:
        xs = [math.log(n) for n, _ in rows]
        ys = [math.log(r["seconds"]) for _, r in rows]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / \
            sum((x - mean_x) ** 2 for x in xs)
        lo, hi = rows[0][0], rows[-1][0]
        nlogn = math.log((hi * math.log(hi)) / (lo * math.log(lo))) / math.log(hi / lo)
        print(f"growth exponent (time ~ n^k): k = {slope:.2f}  (n log n over {lo}..{hi}: {nlogn:.2f}; "
              f"all-pairs: 2.00)")


if __name__ == "__main__":
    main()
