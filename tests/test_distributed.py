"""Ingest and compare on a real Dask cluster (a LocalCluster of 2 worker processes): the same bytes as a local run."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import cloudpickle
import pytest
from distributed import Client, WorkerPlugin

import antifraud_corpus.distributed as engine
from antifraud_corpus.cli import main
from antifraud_corpus.distributed import DaskIngest, batch_size
from antifraud_corpus.pipeline import ingest_corpus
from conftest import SEED_PATHS


@pytest.fixture(scope="module")
def client():
    """A cluster reached by its address, as a cluster of one's own is (`--scheduler local`'s settings: no port 8787)."""
    with engine.local_cluster(2) as cluster, Client(cluster) as dask_client:
        yield dask_client


def copies(folder: Path, count: int) -> Path:
    """`count` copies of every seed document, each under its own name."""
    folder.mkdir()
    for i in range(count):
        for seed in SEED_PATHS:
            shutil.copy(seed, folder / f"{i:02d}_{seed.name}")
    return folder


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != ".lock"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """A raw folder of 20 documents and its store, ingested in this process (the reference)."""
    from antifraud_corpus.config import default_config_dir, load_config

    base = tmp_path_factory.mktemp("corpus")
    raw = copies(base / "raw", 4)
    ingest_corpus(raw, base / "local", load_config(default_config_dir()))
    return raw, base / "local"


def test_ingest_on_the_cluster_writes_the_same_store(runner, client, corpus, tmp_path: Path):
    raw, local = corpus
    result = runner.invoke(main, ["ingest", "--raw", str(raw), "--normalized", str(tmp_path / "dask"),
                                  "--scheduler", client.scheduler.address])
    assert result.exit_code == 0, result.stderr
    assert "20 ingested, 0 skipped" in result.stderr
    assert tree_bytes(tmp_path / "dask") == tree_bytes(local)


@pytest.mark.parametrize("batch", [1, 7])
def test_how_documents_are_spread_over_workers_does_not_change_a_byte(client, corpus, config, tmp_path: Path,
                                                                      batch: int):
    raw, local = corpus
    report = ingest_corpus(raw, tmp_path / "dask", config, executor=DaskIngest(client, batch=batch))
    assert (len(report.ingested), report.failed) == (20, [])
    assert tree_bytes(tmp_path / "dask") == tree_bytes(local)


def test_compare_on_the_cluster_gives_the_same_json(runner, client, corpus, tmp_path: Path):
    _, local = corpus
    common = ["compare", "--normalized", str(local), "--format", "json", "-o"]
    assert runner.invoke(main, [*common, str(tmp_path / "local.json")]).exit_code == 0
    result = runner.invoke(main, [*common, str(tmp_path / "dask.json"), "--scheduler", client.scheduler.address])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "dask.json").read_bytes() == (tmp_path / "local.json").read_bytes()


def test_the_scheduler_address_can_come_from_the_environment(runner, client, corpus, tmp_path: Path):
    _, local = corpus
    common = ["compare", "--normalized", str(local), "--format", "csv", "-o"]
    assert runner.invoke(main, [*common, str(tmp_path / "local.csv")]).exit_code == 0
    result = runner.invoke(main, [*common, str(tmp_path / "dask.csv")],
                           env={"DASK_SCHEDULER_ADDRESS": client.scheduler.address})
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


class _KillOnce(WorkerPlugin):
    """Kills the worker running the third ingest task, a moment after it starts (once: a marker file says so)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key, start, finish, **kwargs) -> None:
        name = key if isinstance(key, str) else str(key[0])
        if finish != "executing" or not name.startswith("corpus-ingest-") or not name.endswith("-6"):
            return
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return
        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGKILL)).start()  # mid-task: mid-document


def _replaced_pids(client, before: set[int], workers: int = 2, seconds: float = 60) -> set[int]:
    """The pids of `workers` live workers once one of `before` is gone and its nanny's new one has joined.

    The kill is a timer in the worker: it may fire after the run's last task, and the scheduler lets
    the dead worker go a moment later still (until then a broadcast may reach for its closed socket).
    """
    import time

    deadline = time.monotonic() + seconds
    while True:
        client.wait_for_workers(workers)
        pids = set(client.run(os.getpid, on_error="ignore").values())
        if (len(pids) == workers and pids != before) or time.monotonic() > deadline:
            return pids
        time.sleep(0.2)


def test_a_worker_killed_mid_ingest_loses_and_corrupts_nothing(client, config, tmp_path: Path):
    raw = copies(tmp_path / "raw", 8)
    ingest_corpus(raw, tmp_path / "local", config)
    before = set(client.run(os.getpid).values())
    marker = tmp_path / "killed"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # (the workers cannot import this test file)
    client.register_plugin(_KillOnce(str(marker)), name="kill-once")
    try:
        report = ingest_corpus(raw, tmp_path / "dask", config, executor=DaskIngest(client, batch=3))
    finally:
        client.unregister_worker_plugin("kill-once")
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert marker.exists()  # a worker really was killed during the run...
    assert len(before - _replaced_pids(client, before)) == 1  # ...and replaced by its nanny
    assert (len(report.ingested), report.failed) == (40, [])  # its task ran again elsewhere
    assert tree_bytes(tmp_path / "dask") == tree_bytes(tmp_path / "local")  # no temporary file, no half document


def test_without_dask_the_option_is_one_line_naming_the_extra(runner, monkeypatch, tmp_path: Path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # (an import of it then fails)
    result = runner.invoke(main, ["ingest", "--raw", str(SEED_PATHS[0].parent), "--normalized", str(tmp_path),
                                  "--scheduler", "local"])
    assert result.exit_code == 2
    assert result.stderr == ("Error: --scheduler needs Dask, which is not installed; "
                             "run pip install 'antifraud-corpus[dask]'\n")


def test_an_unreachable_scheduler_is_one_line(runner, monkeypatch, tmp_path: Path):
    monkeypatch.setattr(engine, "_CONNECT_SECONDS", 1)
    result = runner.invoke(main, ["compare", "--normalized", str(tmp_path), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --scheduler tcp://127.0.0.1:9: cannot reach a Dask scheduler there")
    assert result.stderr.count("\n") == 1


def test_without_the_option_no_cluster_is_involved(runner, monkeypatch, corpus, tmp_path: Path):
    monkeypatch.setitem(sys.modules, "distributed", None)
    raw, local = corpus
    result = runner.invoke(main, ["ingest", "--raw", str(raw), "--normalized", str(tmp_path / "n")],
                           env={"DASK_SCHEDULER_ADDRESS": ""})
    assert result.exit_code == 0, result.stderr
    assert tree_bytes(tmp_path / "n") == tree_bytes(local)


@pytest.mark.parametrize(("documents", "workers", "most", "expected"),
                         [(0, 2, 16, 1), (20, 2, 16, 1), (1000, 2, 16, 16), (1000, 4, 64, 15), (10, 0, 16, 1),
                          (10_000, 2, 256, 256), (5000, 2, 256, 156)])
def test_batches_leave_every_worker_many_tasks(documents, workers, most, expected):
    assert batch_size(documents, workers, most) == expected


class _GivenUp:
    """A future whose task the scheduler gave up after it killed its workers."""

    def result(self):
        from types import SimpleNamespace

        from distributed import KilledWorker

        raise KilledWorker("corpus-ingest-x-0", SimpleNamespace(address="tcp://10.0.0.1:4000"), 3)


def test_a_task_given_up_by_the_cluster_is_one_line_that_says_to_run_again():
    from antifraud_corpus.errors import ClusterError

    with pytest.raises(ClusterError) as caught:
        list(engine._results([_GivenUp()]))
    message = str(caught.value)
    assert message.startswith("the Dask cluster gave up a task after losing the workers that ran it (")
    assert message.endswith("what was stored is kept: run the command again to finish")
    assert "\n" not in message


def test_the_run_as_a_worker_unpickles_it_gives_the_same_results(corpus, config):
    """The run goes to the workers through `_run_bytes` (the C pickler, the config's frozen maps as
    dicts): its copy aligns every document exactly as the run itself, and keeps the maps frozen."""
    from types import MappingProxyType

    from antifraud_corpus.compare import compare_corpus
    from antifraud_corpus.compare.run import document_result
    from antifraud_corpus.store import load_document_duties

    seen = {}

    def align_both(run, docs):
        copy = engine._worker_run(engine._run_bytes(run), "test-run")
        try:
            seen["frozen"] = type(copy.config.files)
            seen["same"] = [document_result(copy, doc) for doc in docs] == [document_result(run, doc) for doc in docs]
            seen["documents"] = len(docs)
        finally:
            engine._forget_runs()
        return [document_result(run, doc) for doc in docs]

    compare_corpus(load_document_duties(corpus[1]), config, align_all=align_both)
    assert seen == {"frozen": MappingProxyType, "same": True, "documents": 8}


def test_a_worker_unpickles_the_run_once_and_keeps_it_from_the_collector(corpus, config):
    """Frozen (`gc.freeze`), the million records of a real run are never walked again between tasks;
    the next comparison's run replaces it, and forgetting it unfreezes."""
    import gc

    from antifraud_corpus.compare import compare_corpus
    from antifraud_corpus.store import load_document_duties

    seen = {}

    def keep_payload(run, docs):
        seen["payload"] = engine._run_bytes(run)
        return []

    compare_corpus(load_document_duties(corpus[1]), config, align_all=keep_payload)  # (no document aligned)
    gc.collect()
    try:
        run = engine._worker_run(seen["payload"], "first")
        walked = {id(o) for o in gc.get_objects()}  # (what the collector walks: not the frozen objects)
        assert (id(run.corpus.items) in walked, id(run.pools) in walked, gc.get_freeze_count() > 0) == \
            (False, False, True)
        assert engine._worker_run(seen["payload"], "first") is run
        assert engine._worker_run(seen["payload"], "second") is not run
        assert list(engine._worker_runs) == ["second"]
    finally:
        engine._forget_runs()
    assert (engine._worker_runs, gc.get_freeze_count()) == ({}, 0)


def test_local_cluster_workers_start_without_a_pinned_malloc_trim_threshold(monkeypatch):
    """Dask's nannies set MALLOC_TRIM_THRESHOLD_, which pins glibc's mmap threshold: compare's numpy
    temporaries were then mapped and unmapped on every call (docs/scale.md)."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with engine.cluster_client("local", 1) as local:
        found = local.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert list(found.values()) == [None]


def test_two_local_clusters_at_once_start_without_a_port_warning(recwarn):
    """`--scheduler local` binds no fixed port (a second run at the same time warned that 8787 was taken)."""
    with engine.cluster_client("local", 1) as first, engine.cluster_client("local", 1) as second:
        servers = [client.cluster.scheduler.http_server for client in (first, second)]
        addresses = [(server.address, server.port != 8787) for server in servers]
    assert [str(w.message) for w in recwarn if "already in use" in str(w.message)] == []
    assert addresses == [("127.0.0.1", True), ("127.0.0.1", True)]


def _handmade_corpus():
    """Every document of the handmade compare cases, ids made unique: several provinces and lines."""
    from test_compare import CASES, make_doc

    return [make_doc({**doc, "doc_id": f"{number}_{doc['doc_id']}"})
            for number, case in enumerate(CASES) for doc in case["documents"]]


@pytest.mark.parametrize(("batch", "on_workers", "written_by"), [(1, True, {"worker"}), (3, False, {"client"})])
def test_compare_json_rendered_on_the_workers_or_sent_back_is_the_same(client, config, tmp_path: Path, batch: int,
                                                                       on_workers: bool, written_by: set[str]):
    """The workers render their documents' JSON as local workers do: into the client's spool folder,
    which they see here (files named by a worker's own prefix), or sent back to the client (its pid)."""
    from antifraud_corpus.compare import compare_corpus
    from antifraud_corpus.report.compare_data import write_json_stream

    write_json_stream(compare_corpus(_handmade_corpus(), config, json_diffs=True), tmp_path / "local.json")
    writers: set[str] = set()

    def align_all(run, docs):
        results = engine.DaskAlign(client, batch=batch, spool_on_workers=on_workers)(run, docs)
        writers.update("client" if r.json[0] == f"{os.getpid()}.json" else "worker" for r in results if r.json)
        return results

    write_json_stream(compare_corpus(_handmade_corpus(), config, json_diffs=True, align_all=align_all),
                      tmp_path / "dask.json")
    assert writers == written_by
    assert (tmp_path / "dask.json").read_bytes() == (tmp_path / "local.json").read_bytes()


@pytest.mark.parametrize(("sizes", "workers", "expected"), [
    ([5, 40, 12, 30], ["tcp://a", "tcp://b"], ["tcp://a", "tcp://a", "tcp://b", "tcp://b"]),
    ([3, 3, 3], ["tcp://a", "tcp://b", "tcp://c"], ["tcp://a", "tcp://b", "tcp://c"]),
    ([7, 1], [], [None, None]),
])
def test_provinces_go_to_workers_largest_first_to_the_least_loaded(sizes, workers, expected):
    assert engine.province_homes(sizes, workers) == expected


def test_local_cluster_processes_wake_up_less_often():
    """The event-loop check, memory monitor and system monitor of a LocalCluster's processes run at
    intervals that cost an idle cluster a quarter of the CPU the defaults did (docs/scale.md)."""
    import dask

    keys = list(engine.QUIETER_LOOPS)
    with engine.cluster_client("local", 1) as local:
        found = list(local.run(lambda: [dask.config.get(key) for key in keys]).values())
        scheduler = local.cluster.scheduler
        ticks = scheduler.periodic_callbacks["tick"].callback_time
    assert found == [[engine.QUIETER_LOOPS[key] for key in keys]]
    assert ticks == 1000  # (milliseconds)


def test_compare_json_on_a_one_worker_cluster_is_the_same(config, tmp_path: Path):
    """One worker aligns every province (its parts all merged into one run): the same bytes again."""
    from antifraud_corpus.compare import compare_corpus
    from antifraud_corpus.report.compare_data import write_json_stream

    write_json_stream(compare_corpus(_handmade_corpus(), config, json_diffs=True), tmp_path / "local.json")
    with engine.cluster_client("local", 1) as one:
        comparison = compare_corpus(_handmade_corpus(), config, json_diffs=True, align_all=engine.DaskAlign(one))
        write_json_stream(comparison, tmp_path / "dask.json")
    assert (tmp_path / "dask.json").read_bytes() == (tmp_path / "local.json").read_bytes()


_FORKED_RUN = """
import json, os, sys
from dataclasses import replace
from multiprocessing import forkserver as multiprocessing_forkserver
from pathlib import Path

from antifraud_corpus import forkserver
from antifraud_corpus.config import default_config_dir, load_config
from antifraud_corpus.distributed import DaskIngest, cluster_client
from antifraud_corpus.pipeline import ingest_corpus

def fork_state():
    return os.getppid(), forkserver._prepared

config = load_config(default_config_dir())
prepared = replace(config, fingerprint="another-config")  # (the same rules under another name)
with cluster_client("local", 2, prepared) as client:
    server = multiprocessing_forkserver._forkserver._forkserver_pid
    states = sorted(client.run(fork_state).values())
    shipped = os.environ[forkserver.CONFIG_ENV]
    report = ingest_corpus(Path(sys.argv[1]), Path(sys.argv[2]), config, executor=DaskIngest(client))
print(json.dumps({"workers": [[ppid == server, name] for ppid, name in states],
                  "server": [server != os.getpid(), multiprocessing_forkserver._forkserver._forkserver_pid],
                  "left": [Path(shipped).exists(), forkserver.CONFIG_ENV in os.environ],
                  "ingested": len(report.ingested)}))
"""


def test_local_cluster_workers_fork_from_a_server_prepared_for_a_config(corpus, tmp_path: Path):
    """In a fresh process (as `corpus ingest --scheduler local` runs): the workers fork from one server
    that built the rules of the config it was given, not from this process; a run that ships another
    config (its fingerprint differs) has them built again by the workers, and writes the local run's
    store to the byte; the server is stopped and waited for with the cluster, its config file gone."""
    import json
    import subprocess

    raw, local = corpus
    done = subprocess.run([sys.executable, "-c", _FORKED_RUN, str(raw), str(tmp_path / "dask")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {"workers": [[True, "another-config"]] * 2, "server": [True, None],
                                       "left": [False, False], "ingested": 20}
    assert tree_bytes(tmp_path / "dask") == tree_bytes(local)


def test_a_config_the_server_cannot_prepare_leaves_it_to_the_workers(config, tmp_path: Path):
    """The server's preparation is best effort: a config it fails on is the client's error to report."""
    import gc

    from antifraud_corpus import forkserver
    from conftest import with_config_file

    segment = config.plain("segment")
    broken = with_config_file(config, "segment", {**segment, "headings": [{**segment["headings"][0], "pattern": "("}]})
    shipped = tmp_path / "config.pickle"
    shipped.write_bytes(engine._run_bytes(broken))
    try:
        forkserver.prepare_for_workers(str(shipped))
    finally:
        gc.unfreeze()
    assert (forkserver._prepared, shipped.exists()) == (None, False)


def test_a_forkserver_that_ran_before_the_cluster_is_left_running():
    """Another user's of `multiprocessing` in the same process: not stopped with the cluster."""
    import subprocess

    script = ("from multiprocessing import forkserver\n"
              "from antifraud_corpus.distributed import cluster_client\n"
              "forkserver.ensure_running()\n"
              "before = forkserver._forkserver._forkserver_pid\n"
              "with cluster_client('local', 1) as client:\n"
              "    client.wait_for_workers(1)\n"
              "print(before is not None and forkserver._forkserver._forkserver_pid == before)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "True\n"), done.stderr[-2000:]
