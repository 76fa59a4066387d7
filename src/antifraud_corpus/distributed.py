"""Ingest and compare on a Dask cluster: another executor of the same per-document work.

Nothing here processes a document or aligns a directive. `DaskIngest` runs
`pipeline.ingest_one` (decode → … → extract, then the document written atomically
into the store) over batches of raw files on the workers, and hands the outcomes
back in the order of the files, so the journal and the manifest are written by
`ingest_corpus` exactly as in a local run. `DaskAlign` sends every worker the
comparison's base once and each province's part to the worker its documents go to
(`compare.shipping`), and runs `compare.run.aligned_result` (the alignment, and the
diffs' JSON when the run renders it) over batches of a province's local documents;
the results come back in document order. Completion order never reaches the output: the store and the
compare JSON are byte-identical with and without a cluster, whatever its size.

A worker lost mid-run loses nothing: the scheduler runs its tasks again on
another worker, and a document written twice is the same bytes, renamed into
place both times. A run whose client dies is resumed by the next run from the
journal, as after a SIGKILL of a local run.

What a cluster run needs: the raw folder and the store at the same path on every
worker (a shared file system; paths are made absolute before they are sent);
the config travels with the work (loaded once by the client, sent once), so the
workers need the package installed, not the config folder. Dask and distributed
are the optional extra `[dask]`; `--scheduler local` starts a `LocalCluster`.
"""

from __future__ import annotations

import copy
import copyreg
import gc
import io
import os
import pickle
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import ClusterError, MissingExtraError, SchedulerError
from .pipeline import Outcome, ingest_one
from .rawfiles import RawEntry
from .store import sweep_temporary_files

if TYPE_CHECKING:
    from distributed import Client, Future

    from .compare.diffjson import DiffJson, JsonSpool
    from .compare.records import DocumentResult
    from .compare.shipping import RunPart
    from .compare.state import Run

LOCAL = "local"  # `--scheduler local`: a LocalCluster on this machine, for the run
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
INSTALL_HINT = "pip install 'antifraud-corpus[dask]'"
_CONNECT_SECONDS = 10
# Documents per task at most. A task costs about 4.5 ms of CPU in the client, the scheduler and the
# worker whatever it holds (10k documents in 157 tasks of 64 against 40 of 256: the client's process
# alone 2.1 against 1.7 CPU seconds, docs/scale.md); a synthetic page takes 3 ms to ingest, a real
# document 11.5 ms: 256 of those are 3 s, which is what a worker lost mid-task costs again, and at most
# how long the other worker waits for the last one (`batch_size` also leaves every worker 16 tasks or
# more, so small runs get smaller ones).
_INGEST_BATCH = 256
_ALIGN_BATCH = 32
# Every process of a cluster wakes up 50 times a second to time its event loop, 10 times to measure
# its memory and twice to sample the system: 2 CPU seconds per 30 s for an idle 2-worker LocalCluster,
# 0.5 with these (docs/scale.md), taken from the work running beside them. Still soon enough to warn
# of a stuck loop (after 3 s) and to stop a worker whose memory runs away.
QUIETER_LOOPS = {"distributed.admin.tick.interval": "1s", "distributed.admin.system-monitor.interval": "2s",
                 "distributed.worker.memory.monitor-interval": "1s"}


def _distributed() -> Any:
    """The `distributed` package, or a one-line error naming the extra to install.

    Raises:
        MissingExtraError: Dask is not installed.
    """
    try:
        import distributed
    except ImportError:
        raise MissingExtraError(f"--scheduler needs Dask, which is not installed; run {INSTALL_HINT}") from None
    return distributed


@contextmanager
def cluster_client(address: str | None, workers: int | None = None,
                   config: Config | None = None) -> Iterator[Client | None]:
    """A client of the Dask scheduler at `address` for the block; None when no address is given.

    Args:
        address: `tcp://HOST:PORT` (or any address Dask takes), `local` for a `LocalCluster` of
            `workers` processes on this machine (default: one per core), or None/"" for no cluster.
        workers: worker processes of a local cluster; ignored for a running scheduler.
        config: the config the run ingests with: a local cluster's workers start with its stages
            prepared (`local_cluster`); ignored for a running scheduler.

    Raises:
        MissingExtraError: Dask is not installed.
        SchedulerError: the scheduler cannot be reached.
    """
    if not address:
        yield None
        return
    distributed = _distributed()
    if address == LOCAL:
        with local_cluster(workers, config) as cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(address, timeout=_CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"--scheduler {address}: cannot reach a Dask scheduler there ({exc}); check the "
                             f"address (tcp://HOST:8786) and that the scheduler runs, or unset {SCHEDULER_ENV}"
                             ) from None
    with client:
        yield client


@contextmanager
def local_cluster(workers: int | None = None, config: Config | None = None) -> Iterator[Any]:
    """A `LocalCluster` of `workers` processes on this machine (default: one per core) for the block.

    Its workers fork from a server that imported the package and, given the run's `config`, built its
    ingest stages once (`forkserver`), as the local engine's workers fork from the run.

    Raises:
        MissingExtraError: Dask is not installed.
        SchedulerError: the cluster did not start.
    """
    import logging

    import dask

    from .forkserver import preloaded_forkserver

    distributed = _distributed()
    # The workers' statistical profiler samples the running task's stack a hundred times a
    # second: CPU the pipeline (pure Python) would rather have. (A cluster of one's own: set
    # DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False where its workers start.)
    # The nannies start workers with MALLOC_TRIM_THRESHOLD_ set, which pins glibc's mmap threshold
    # at 128 KB: every numpy temporary above it is mapped and unmapped again, its pages faulted in
    # each time, and compare's alignment took 7 to 12% more CPU (docs/scale.md). Unset: glibc's default.
    # The scheduler starts an HTTP server whatever the dashboard setting (`Node.start_http_server`),
    # on port 8787 unless told otherwise: a second run at the same time warned that the port was
    # taken. No dashboard, no HTTP routes, and a free port of the loopback interface.
    with dask.config.set({"distributed.worker.profile.enabled": False,
                          "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                          "distributed.scheduler.http.routes": [], **QUIETER_LOOPS}), preloaded_forkserver(config):
        try:
            cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                               processes=True, dashboard_address=None,
                                               scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                               silence_logs=logging.ERROR)
        except (RuntimeError, OSError, TimeoutError) as exc:
            raise SchedulerError(f"--scheduler local: the local Dask cluster did not start ({exc}); "
                                 "run `corpus` from a file or the installed command, with memory to spare"
                                 ) from None
        with cluster:
            yield cluster


@dataclass(slots=True)
class ClusterStats:
    """What a cluster run moved, for the scale benchmark (filled only when one is passed)."""

    tasks: int = 0
    shipped_bytes: int = 0  # sent once to the workers: the config (ingest), the reference index (compare)
    returned_bytes: int = 0  # the results sent back to the client, pickled


@dataclass(slots=True)
class DaskIngest:
    """An ingest executor (`pipeline.Executor`): `ingest_one` over batches of raw files on a Dask cluster.

    Outcomes are recorded in the order of the files (the order a local run records them), whatever
    order the tasks end in.
    """

    client: Client
    batch: int = 0  # documents per task; 0: from the number of documents and workers
    stats: ClusterStats | None = None

    def __call__(self, todo: list[RawEntry], raw_dir: Path, normalized_dir: Path, config: Config,
                 record: Callable[[Outcome], None]) -> None:
        raw_root, store = raw_dir.absolute(), normalized_dir.absolute()  # (workers may start elsewhere)
        entries = [RawEntry(raw_root / e.source, e.source, e.doc_id, e.sidecar.absolute() if e.sidecar else None)
                   for e in todo]
        size = self.batch or batch_size(len(entries), worker_count(self.client), _INGEST_BATCH)
        token = uuid.uuid4().hex
        # The config goes as a task's result, not scattered data: a result is computed again when the
        # worker holding it dies, scattered data would be lost with it.
        shipped = self.client.submit(_same, config, key=f"corpus-config-{token}")
        futures = [self.client.submit(_ingest_batch, entries[i:i + size], raw_root, store, shipped,
                                      key=f"corpus-ingest-{token}-{i}")
                   for i in range(0, len(entries), size)]
        if self.stats is not None:
            self.stats.tasks += len(futures)
            self.stats.shipped_bytes += len(_pickled(config))
        try:
            for outcomes in _results(futures):
                if self.stats is not None:
                    self.stats.returned_bytes += len(pickle.dumps(outcomes))
                for outcome in outcomes:
                    record(outcome)
        finally:
            self.client.cancel([*futures, shipped])  # (a full disk, ^C: start no more files)
        # A worker killed while writing a document left its temporary file (its task was run again).
        sweep_temporary_files(store)


@dataclass(slots=True)
class DaskAlign:
    """A compare alignment (`compare.run.AlignAll`): the base shipped once to every worker, a part per
    province to the worker its documents go to, `run.aligned_result` over batches of its documents.

    When the run renders its diffs as JSON (`Run.spool`), the workers render their documents' as
    local workers do, into the spool's folder when they see it (on this machine, or a shared file
    system), else sending the JSON back with the results.

    Memory: the client frees the run's index once it is shipped (`Run.free_index`), a result is
    released once read, and a province's part once its last result is in (also out of each worker's
    run, `shipping.drop_part`).
    """

    client: Client
    batch: int = 0  # local documents per task; 0: from the number of documents and workers
    stats: ClusterStats | None = None
    spool_on_workers: bool = True  # False: the JSON comes back with the results even where the folder is seen

    def __call__(self, run: Run, docs: list[int]) -> list[DocumentResult]:
        if not docs:
            return []
        import dask

        from .compare.shipping import split_run

        # Each worker gets the base (the central pool, the arrays indexed by directive) and the part of
        # each province it aligns documents of, not the whole run (`compare.shipping`). Pickled here,
        # once, and sent as bytes: Dask would pickle the objects again for every worker. The base is
        # broadcast, so losing a worker loses no copy of it; a part is a task's result (`_same`), which
        # the scheduler computes again if the worker holding it dies.
        folder = run.spool.folder if run.spool is not None else None
        base, parts = split_run(run, docs)
        payload = _run_bytes(base)
        del base
        token = uuid.uuid4().hex
        shipped = self.client.scatter(payload, broadcast=True, hash=False)
        if self.stats is not None:
            self.stats.shipped_bytes += len(payload)
        del payload
        size = self.batch or batch_size(len(docs), worker_count(self.client), _ALIGN_BATCH)
        futures: list[Future | None] = []
        held: list[Future | None] = []
        last_task: dict[int, int] = {}  # the last task of each province's part -> the part's number
        homes = province_homes([len(members) for _, members, _ in parts], sorted(self.client.scheduler_info()
                                                                                  .get("workers") or {}))
        # (a province's part is tens of MB at 100k documents: sent once, as intended, not by mistake)
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "64GiB"}):
            for number, ((_, members, part), home) in enumerate(zip(parts, homes, strict=True)):
                data = _run_bytes(part)
                if self.stats is not None:
                    self.stats.shipped_bytes += len(data)
                # A province's part and its tasks go to one worker, a preference only: a worker that is
                # idle at the end steals tasks (and fetches their part), a lost one's go elsewhere.
                where = {"workers": [home], "allow_other_workers": True} if home else {}
                held.append(self.client.submit(_same, data, key=f"corpus-part-{token}-{number}", **where))
                futures += [self.client.submit(_compare_batch, shipped, held[-1], token, number,
                                               members[i:i + size], folder, self.spool_on_workers,
                                               key=f"corpus-align-{token}-{number}-{i}", **where)
                            for i in range(0, len(members), size)]
                last_task[len(futures) - 1] = number
        del parts, part, data
        run.free_index()  # (shipped: this process writes the output, which reads none of it; a third of its memory)
        if self.stats is not None:
            self.stats.tasks += len(futures)
        results: list[DocumentResult] = []
        try:
            for task, rows in enumerate(_results(futures)):
                # Nothing is held longer than it is needed: a result read is released (the worker kept
                # it until then), and a province's part once its last result is in, in the scheduler,
                # in the workers' data and in the run of each worker that merged it. Kept to the end,
                # they were most of what grew with the corpus in the workers and half of it in this
                # process (where the scheduler of a LocalCluster runs).
                futures[task] = None
                if task in last_task:
                    held[last_task[task]] = None
                    self.client.run(_end_part, token, last_task[task], on_error="ignore")
                if self.stats is not None:
                    self.stats.returned_bytes += len(rows)
                batch, sent = pickle.loads(rows)
                if sent:  # (rendered by a worker that does not see the spool's folder)
                    for result in batch:
                        result.json = _spooled(run, result.json, sent)
                        result.timeline_json = _spooled(run, result.timeline_json, sent)
                results.extend(batch)
        finally:
            self.client.cancel([future for future in [*futures, *held, shipped] if future is not None])
            # The workers outlive the comparison: its index is freed now (best effort: a cluster that
            # went away has freed it already, and its error is the one to report).
            with suppress(OSError, TimeoutError):
                self.client.run(_forget_runs)
        return results


def province_homes(sizes: list[int], workers: list[str]) -> list[str | None]:
    """The worker each province's documents go to (`sizes`: their numbers), the largest province first
    to the worker with the fewest documents so far; None for all when no worker is known yet."""
    if not workers:
        return [None] * len(sizes)
    load = dict.fromkeys(workers, 0)
    homes: list[str | None] = [None] * len(sizes)
    for number in sorted(range(len(sizes)), key=lambda n: -sizes[n]):
        home = homes[number] = min(load, key=load.__getitem__)  # (ties: the first worker, by address)
        load[home] += sizes[number]
    return homes


def batch_size(documents: int, workers: int, most: int) -> int:
    """Documents per task: at most `most`, and small enough that every worker gets 16 tasks or more."""
    return max(1, min(most, documents // (max(1, workers) * 16)))


def worker_count(client: Client) -> int:
    """Workers the scheduler has now (at least 1: an adaptive cluster may start with none)."""
    return max(1, len(client.scheduler_info().get("workers") or {}))


def _results(futures: list) -> Iterator[Any]:
    """Each future's result in submission order; a run that lost its workers again and again is one line.

    Raises:
        ClusterError: the scheduler gave a task up (it killed `allowed-failures` workers) or went away.
    """
    distributed = _distributed()
    try:
        for future in futures:
            yield future.result()
    except distributed.KilledWorker as exc:
        raise ClusterError(f"the Dask cluster gave up a task after losing the workers that ran it ({exc}); "
                           "what was stored is kept: run the command again to finish") from None
    except distributed.comm.CommClosedError as exc:
        raise ClusterError(f"lost the connection to the Dask scheduler ({exc}); what was stored is kept: run "
                           "the command again to finish") from None


def _pickled(value: object) -> bytes:
    """`value` as Dask sends it: pickle, or cloudpickle for what pickle refuses (the config's frozen maps)."""
    from distributed.protocol.pickle import dumps

    return dumps(value)


class _RunPickler(pickle.Pickler):
    """The C pickler, which also takes the config's frozen maps (`MappingProxyType`), as dicts.

    Dask's `dumps` tries pickle, fails on those maps and starts again with cloudpickle, whose
    per-object hook made pickling the run three times slower (9 s instead of 3 s at 10k).
    """

    dispatch_table = {**copyreg.dispatch_table, MappingProxyType: lambda frozen: (_frozen_map, (dict(frozen),))}


def _frozen_map(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def _run_bytes(run: Run) -> bytes:
    buffer = io.BytesIO()
    _RunPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(run)
    return buffer.getvalue()


def _same(value: Any) -> Any:
    return value


def _ingest_batch(entries: list[RawEntry], raw_dir: Path, normalized_dir: Path, config: Config) -> list[Outcome]:
    """Worker side of `DaskIngest`: the rules are built once per worker process (`config.per_config`)."""
    global _worker_frozen
    outcomes = [ingest_one(entry, raw_dir, normalized_dir, config) for entry in entries]
    if not _worker_frozen:
        # The rules, lexicons and dictionaries the first batch built live as long as the worker: frozen,
        # the collector never walks them again (as the local engine freezes them before it forks).
        gc.freeze()
        _worker_frozen = True
    return outcomes


_worker_frozen = False  # (per worker process: see `_ingest_batch`)


def _compare_batch(payload: bytes, part: bytes, token: str, number: int, docs: list[int], folder: str | None,
                   spool_on_worker: bool) -> bytes:
    """Worker side of `DaskAlign`: each document aligned on the shipped run (`run.aligned_result`), with
    its JSON rendered when the client's run has a spool in `folder`; the results pickled, with the
    JSON rendered here when the worker cannot write it there.

    The collector is paused, as it is for a local compare: the run is millions of small acyclic
    records, which each collection would walk again for nothing.
    """
    from .compare import collector_paused
    from .compare.run import aligned_result

    with collector_paused():
        run = _worker_run(payload, token, part, number)
        view = copy.copy(run)  # (the run with this thread's renderer and spool, if any)
        if folder is not None:
            view.renderer, view.spool = _worker_json(token, folder, spool_on_worker)
        results = [aligned_result(view, doc) for doc in docs]
        sent = view.spool.data if isinstance(view.spool, _SentJson) else []
        return pickle.dumps((results, sent), protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(slots=True)
class _WorkerComparison:
    """A worker's share of the comparison under way: the run (the base, and the parts merged into it),
    and per thread the renderer and the spool of its documents' JSON."""

    run: Run
    parts: dict[int, RunPart] = field(default_factory=dict)  # the parts merged into `run`, by number
    users: Counter[tuple] = field(default_factory=Counter)  # a slot of `run` -> the merged parts that hold it
    ended: list[int] = field(default_factory=list)  # parts whose province the client has all results of
    json: dict[int, tuple[DiffJson, JsonSpool | None]] = field(default_factory=dict)


class _SentJson:
    """A spool for a worker that does not see the client's folder: the JSON kept, to go back with the
    results (`_spooled` puts it into the client's spool)."""

    def __init__(self) -> None:
        self.data: list[bytes] = []

    def put(self, data: bytes) -> tuple[str, int, int]:
        self.data.append(data)
        return _SENT, len(self.data) - 1, len(data)


_SENT = ""  # the file name of JSON that `_SentJson` keeps (no spool file is named so)


def _spooled(run: Run, where: tuple[str, int, int] | None, sent: list[bytes]) -> tuple[str, int, int] | None:
    if where is None or where[0] != _SENT or run.spool is None:
        return where
    return run.spool.put(sent[where[1]])


# Per worker process: the comparison under way (a lock: a worker may run tasks on several threads).
_worker_runs: dict[str, _WorkerComparison] = {}
_worker_runs_lock = threading.Lock()


def _worker_run(payload: bytes, token: str, part: bytes | None = None, number: int = 0) -> Run:
    """The run of comparison `token` on this worker (unpickled once), with part `number` merged into it
    (`compare.shipping`)."""
    from .compare.shipping import drop_part, merge_part

    # Frozen (`gc.freeze`), the collector never walks the run's million records again between tasks
    # (as a local compare freezes them before it forks its workers).
    with _worker_runs_lock:
        comparison = _worker_runs.get(token)
        if comparison is None:
            _forget_runs_locked()  # (an older comparison is over)
            comparison = _worker_runs[token] = _WorkerComparison(pickle.loads(payload))
            gc.freeze()
        while comparison.ended:
            ended = comparison.parts.pop(comparison.ended.pop(), None)
            if ended is not None:
                drop_part(comparison.run, ended, comparison.users)
        if part is not None and number not in comparison.parts:
            comparison.parts[number] = merge_part(comparison.run, pickle.loads(part), comparison.users)
            gc.freeze()
        return comparison.run


def _end_part(token: str, number: int) -> None:
    """Part `number` of comparison `token` is done with: the client has every result of its province
    (`DaskAlign`), so no task here reads it again. Taken out of the run by the next task (`_worker_run`),
    not here: this runs in the worker's event loop, which must not wait for a task's lock."""
    comparison = _worker_runs.get(token)
    if comparison is not None:
        comparison.ended.append(number)


def _worker_json(token: str, folder: str, spool_on_worker: bool) -> tuple[DiffJson, JsonSpool | _SentJson]:
    """This thread's renderer of comparison `token`, and where it puts the JSON: its own file in the
    client's spool `folder` when this worker sees it, else a `_SentJson` for the task."""
    from .compare.diffjson import JsonSpool
    from .compare.rows import json_renderer

    with _worker_runs_lock:
        comparison = _worker_runs[token]
        thread = threading.get_ident()
        if thread not in comparison.json:
            run = comparison.run
            seen = spool_on_worker and os.path.isdir(folder)  # (a unique temporary name: found, it is the one)
            comparison.json[thread] = (json_renderer(run.corpus.items, run.corpus.infos),
                                       JsonSpool(folder) if seen else None)
        renderer, spool = comparison.json[thread]
    return renderer, spool if spool is not None else _SentJson()


def _forget_runs() -> None:
    with _worker_runs_lock:
        _forget_runs_locked()


def _forget_runs_locked() -> None:
    global _worker_frozen
    if _worker_runs:
        for comparison in _worker_runs.values():
            for _, spool in comparison.json.values():
                if spool is not None:
                    spool.finish_writing()  # (closed before the client reads the files: NFS sees them whole)
        _worker_runs.clear()
        gc.unfreeze()  # (what the run held is freed; what else was frozen is collected as before)
        _worker_frozen = False  # (an ingest on this worker freezes its rules again)


__all__ = ["INSTALL_HINT", "LOCAL", "SCHEDULER_ENV", "ClusterStats", "DaskAlign", "DaskIngest", "batch_size",
           "cluster_client", "local_cluster", "province_homes", "worker_count"]
