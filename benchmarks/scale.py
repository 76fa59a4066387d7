"""Benchmark ingest and compare on one machine and on a 2-worker Dask LocalCluster (not a test).

For each size (default 10k and 100k documents) the corpus is built from real
directives recombined, with `benchmarks/compare.py`'s `generate_store` (levels,
regions, dates and directives as a real corpus mixes them); each synthetic document
is also written as a raw text page (a title line, a dateline, the directives as
numbered paragraphs), so ingest has raw files to read. Then, each in a fresh
process:

- ingest of the raw pages with the local engine (`--workers N`, forked processes)
  and with a LocalCluster of N worker processes (`--scheduler local --workers N`);
- compare (JSON written, as `corpus compare --format json` writes it: each process renders the
  diffs it aligned) of the synthetic store, both engines alike.

With `--baseline NAME=SRC` (repeatable), the cluster also runs with the package of another checkout
(its `src` folder, put first on PYTHONPATH of the run and of its workers) in the same rounds, so that
a change is measured against the code before it on the same load, not against yesterday's figures.

Printed per run: wall seconds, CPU seconds of every process of the run (the machine
is shared: CPU is what is comparable; counted as the processes end and are waited for,
and checked against what /proc showed of each while it ran), peak resident memory of the main process
and of the largest worker, the peak of all processes of the run together (summed
PSS), the most disk the temporary folder's file system lost during the run (other
jobs on the disk count too), and for the cluster its start-up time, the tasks, the
bytes shipped to the workers (the config; the reference index, scattered once) and
the bytes returned (outcomes; alignment rows). The overhead of the cluster is
(cluster − local) / local, start-up excluded (shown apart). The two stores, and the
two compare JSON files, are checked byte-identical (the JSON by its SHA-256, taken
as it is written into a pipe: at 100k documents it is about 20 GB per engine, and
is not kept; the hashing's CPU is not counted).

Usage:
    python benchmarks/scale.py                          # 10k and 100k, ingest and compare
    python benchmarks/scale.py --sizes 10000            # only 10k
    python benchmarks/scale.py --sizes 100000 --stages ingest
    python benchmarks/scale.py --sizes 10000 --stages compare --rounds 2
    git archive HEAD~1 src | tar -x -C /tmp/before    # the code before a change, then:
    python benchmarks/scale.py --sizes 10000 --stages compare --rounds 2 --baseline before=/tmp/before/src
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from inspect import signature
from pathlib import Path

from compare import _pss_kb, generate_store  # (benchmarks/compare.py: the synthetic corpus of recombined directives)

_NUMERALS = "一二三四五六七八九十"


def write_raw_pages(store: Path, raw: Path) -> int:
    """A raw text page per synthetic stored document: title, dateline, one numbered paragraph per directive."""
    raw.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(store.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        issuer = doc["region"] or "国务院"
        year, month, day = (int(x) for x in doc["date"].split("-"))
        lines = [f"{issuer}关于加强打击治理电信网络诈骗工作的通知", f"（{year}年{month}月{day}日）"]
        for n, duty in enumerate(doc["duties"]):
            number = _NUMERALS[n % 10] if n < 10 else f"（{n + 1}）"
            lines.append(f"{number}、{duty['sentence']}" if n < 10 else f"{number}{duty['sentence']}")
        data = ("\n".join(lines) + "\n").encode("utf-8")
        (raw / f"{doc['doc_id']}.txt").write_bytes(data)
        total += len(data)
    return total


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name != ".lock":
            digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


class _PeakSampler:
    """Peak resident memory (VmHWM) and CPU seconds of every process under this one, the largest summed
    PSS of this process and all under it (pages shared after a fork split between the processes: the
    memory the run holds together), and the least free space of the temporary folder's disk, sampled
    twice a second (Linux).

    The CPU seen is a check on the run's figure, which counts the processes under this one once they have
    ended and been waited for (`RUSAGE_CHILDREN`): one that nobody waits for (a forkserver left running,
    and the workers it forked) would be missing from it, and the cluster would look cheaper than it is.
    """

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}  # (the last seen: the CPU of a process's last half second may be missed)
        self.together_kb = 0
        self._disk = tempfile.gettempdir()
        self.free_at_start = self.least_free = shutil.disk_usage(self._disk).free
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.5):
            processes = _descendants(me)
            for pid in processes:
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    stat = Path(f"/proc/{pid}/stat").read_text()
                except OSError:
                    continue
                kb = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
                self.peaks[pid] = max(self.peaks.get(pid, 0), kb)
                fields = stat[stat.rindex(")") + 2:].split()  # (after the command's name, which may hold blanks)
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
            self.together_kb = max(self.together_kb, sum(map(_pss_kb, [me, *processes])))
            self.least_free = min(self.least_free, shutil.disk_usage(self._disk).free)

    def stop(self) -> float:
        """Largest peak of a process under this one, in MB."""
        self._stop.set()
        self._thread.join()
        return max(self.peaks.values(), default=0) / 1024


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(children: bool = True) -> float:
    """CPU seconds of this process, and with `children` of the processes under it that ended."""
    usages = [resource.getrusage(resource.RUSAGE_SELF)]
    if children:
        usages.append(resource.getrusage(resource.RUSAGE_CHILDREN))
    return sum(usage.ru_utime + usage.ru_stime for usage in usages)


class _DigestPipe:
    """A FIFO at `path` whose bytes a thread reads and hashes as they are written: the compare JSON is
    checked without being kept (about 20 GB per engine at 100k documents, beside a spool as large).

    Its CPU (`cpu_seconds`, the thread's own) is the benchmark's, and is taken off the run's.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0
        self.hexdigest = ""
        self.cpu_seconds = 0.0
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> _DigestPipe:
        os.mkfifo(self.path)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:  # (the writer failed, perhaps before it opened the pipe: let the reader go)
            with open(self.path, "wb"):
                pass
        self._thread.join()
        self.path.unlink()

    def _read(self) -> None:
        started = time.thread_time()
        digest = hashlib.sha256()
        with open(self.path, "rb", buffering=0) as fh:
            with contextlib.suppress(OSError, AttributeError):  # (a larger pipe: fewer wake-ups; Linux only)
                fcntl.fcntl(fh, fcntl.F_SETPIPE_SZ, 1 << 20)
            buffer = bytearray(1 << 20)
            view = memoryview(buffer)
            while count := fh.readinto(buffer):
                digest.update(view[:count])
                self.size += count
        self.hexdigest = digest.hexdigest()
        self.cpu_seconds = time.thread_time() - started


def _child_run(stage: str, engine: str, source: Path, out: Path, workers: int) -> dict:
    """Child process: one stage with one engine; seconds, CPU (all processes, after they ended), memory."""
    from antifraud_corpus.config import default_config_dir, load_config
    from antifraud_corpus.distributed import ClusterStats, DaskAlign, DaskIngest, cluster_client

    config = load_config(default_config_dir())
    sampler = _PeakSampler()
    stats = ClusterStats()
    cpu_before, main_before = _cpu(), _cpu(children=False)
    started = time.perf_counter()
    result: dict = {}
    hashing = 0.0
    # (the config for the workers to start with its stages prepared; a baseline's older code may not take it)
    prepared = {"config": config} if stage == "ingest" and "config" in signature(cluster_client).parameters else {}
    with cluster_client("local" if engine == "cluster" else None, workers, **prepared) as client:
        ready = time.perf_counter()
        if stage == "ingest":
            from antifraud_corpus.pipeline import ingest_corpus

            report = ingest_corpus(source, out, config, workers=workers,
                                   executor=DaskIngest(client, stats=stats) if client else None)
            result["documents"] = len(report.ingested)
        else:
            from antifraud_corpus.compare import compare_corpus
            from antifraud_corpus.report.compare_data import write_json_stream
            from antifraud_corpus.store import load_document_duties

            comparison = compare_corpus(load_document_duties(source), config, workers=workers,
                                        align_all=DaskAlign(client, stats=stats) if client else None,
                                        json_diffs=True)
            with _DigestPipe(out) as digest:  # (written as `corpus compare -o FIFO` writes it)
                write_json_stream(comparison, out)
            result.update(documents=len(comparison.documents), json_sha256=digest.hexdigest, json_bytes=digest.size)
            hashing = digest.cpu_seconds  # (the benchmark's own work, not the run's)
        done = time.perf_counter()
    # (the workers have ended and been waited for, a local cluster's forkserver too: their CPU is in
    # RUSAGE_CHILDREN now)
    worker_peak_mb = sampler.stop()
    result.update(seconds=done - ready, startup_seconds=ready - started, cpu_seconds=_cpu() - cpu_before - hashing,
                  main_cpu_seconds=_cpu(children=False) - main_before - hashing,
                  seen_cpu_seconds=_cpu(children=False) - main_before - hashing + sum(sampler.cpu.values()),
                  main_peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  worker_peak_mb=worker_peak_mb, together_peak_mb=sampler.together_kb / 1024,
                  disk_peak_gb=(sampler.free_at_start - sampler.least_free) / 1e9,
                  tasks=stats.tasks, shipped_mb=stats.shipped_bytes / 1e6,
                  returned_mb=stats.returned_bytes / 1e6)
    return result


def _child(stage: str, engine: str, source: Path, out: Path, workers: int, src: str | None = None) -> dict:
    command = [sys.executable, __file__, "--child", stage, engine, str(source), str(out), "--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (src, os.environ.get("PYTHONPATH"))))}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env if src else None)
    if done.returncode:
        sys.exit(f"{stage} on {engine} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(n: int, stage: str, engine: str, r: dict) -> str:
    text = (f"n={n:>7}  {stage:<7} {engine:<7}  {r['seconds']:7.1f}s  cpu {r['cpu_seconds']:7.1f}s  "
            f"({1000 * r['cpu_seconds'] / n:5.2f} ms/doc; main {r['main_cpu_seconds']:5.1f}s, workers "
            f"{r['cpu_seconds'] - r['main_cpu_seconds']:5.1f}s; {r['seen_cpu_seconds']:5.1f}s seen in /proc)  "
            f"peak main {r['main_peak_mb']:5.0f} MB, "
            f"largest worker {r['worker_peak_mb']:5.0f} MB, together {r['together_peak_mb']:5.0f} MB; "
            f"disk +{r['disk_peak_gb']:.1f} GB")
    if "json_bytes" in r:
        text += f"  json {r['json_bytes'] / 1e9:.2f} GB"
    if engine != "local":
        text += (f"  start {r['startup_seconds']:.1f}s  tasks {r['tasks']}  shipped {r['shipped_mb']:.2f} MB  "
                 f"returned {r['returned_mb']:.1f} MB")
    if r["cpu_seconds"] < 0.98 * r["seen_cpu_seconds"]:  # (seen is a lower bound: counted must not be below it)
        text += (f"\n  ^ {r['seen_cpu_seconds'] - r['cpu_seconds']:.1f} CPU seconds seen in /proc are missing from "
                 "the figure: a process of the run was not waited for")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--stages", nargs="+", choices=["ingest", "compare"], default=["ingest", "compare"])
    parser.add_argument("--workers", type=int, default=2, help="processes of either engine (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1,
                        help="runs of each engine, alternating which goes first; the overhead is of the sums")
    parser.add_argument("--baseline", action="append", default=[], metavar="NAME=SRC",
                        help="also run the cluster with the package in SRC (another checkout's src folder), "
                             "in the same rounds")
    parser.add_argument("--child", nargs=4, metavar=("STAGE", "ENGINE", "SOURCE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stage, engine, source, out = args.child
        print(json.dumps(_child_run(stage, engine, Path(source), Path(out), args.workers)))
        return
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; {args.workers} workers", flush=True)
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        for n in args.sizes:
            base = Path(tmp) / f"n{n}"
            started = time.perf_counter()
            generate_store(n, base / "synthetic", args.seed)
            raw_bytes = write_raw_pages(base / "synthetic", base / "raw") if "ingest" in args.stages else 0
            print(f"n={n:>7}  corpus built in {time.perf_counter() - started:.0f}s"
                  f" ({raw_bytes / 1e6:.0f} MB of raw pages)", flush=True)
            for stage in args.stages:
                source = base / ("raw" if stage == "ingest" else "synthetic")
                sources = {"local": None, "cluster": None}
                sources.update(dict(spec.split("=", 1) for spec in args.baseline))
                outs = {engine: base / (f"{stage}-{engine}" if stage == "ingest" else f"{stage}-{engine}.json")
                        for engine in sources}
                totals = {engine: {"seconds": 0.0, "cpu_seconds": 0.0, "startup_seconds": 0.0} for engine in outs}
                same = {engine: True for engine in outs if engine != "local"}
                digests: dict[str, str | None] = {}
                for round_ in range(args.rounds):
                    # Every other round the order is reversed: the load of a shared machine drifts, and
                    # CPU seconds drift with it (a busy core runs slower), so no engine always gets the
                    # quieter turn.
                    for engine in list(outs) if round_ % 2 == 0 else list(outs)[::-1]:
                        kind = "local" if engine == "local" else "cluster"
                        run = _child(stage, kind, source, outs[engine], args.workers, sources[engine])
                        print(_line(n, stage, engine, run), flush=True)
                        digests[engine] = run.get("json_sha256")
                        for key in totals[engine]:
                            totals[engine][key] += run[key]
                    for engine in same:
                        if stage == "ingest":
                            same[engine] &= _tree_digest(outs["local"]) == _tree_digest(outs[engine])
                        else:  # (hashed as written: the JSON is not kept, `_DigestPipe`)
                            same[engine] &= digests["local"] == digests[engine]
                    for out in outs.values():  # (a 100k store is gigabytes; a store left in place is resumed)
                        if out.is_dir():
                            shutil.rmtree(out)
                local = totals["local"]
                rounds = f" over {args.rounds} rounds" if args.rounds > 1 else ""
                for engine in same:
                    cluster = totals[engine]
                    name = "cluster" if engine == "cluster" else f"cluster {engine}"
                    print(f"n={n:>7}  {stage:<7} {name} overhead{rounds}: "
                          f"wall {cluster['seconds'] / local['seconds'] - 1:+.1%}, "
                          f"cpu {cluster['cpu_seconds'] / local['cpu_seconds'] - 1:+.1%} "
                          f"(start-up {cluster['startup_seconds'] / args.rounds:.1f}s apart); "
                          f"outputs byte-identical: {same[engine]}", flush=True)
            shutil.rmtree(base)


if __name__ == "__main__":
    main()
