"""A local cluster's workers forked from one server that imported the package and built the ingest rules.

Dask's nannies start each worker as a fresh interpreter by default (`spawn`): every worker imports
Dask and the package and builds the pipeline's rules, lexicons and the segmenter's dictionary on its
first batch, about 0.8 CPU seconds per worker (docs/scale.md) that the local engine pays once before
it forks. With Dask's `forkserver` method the nannies ask one server process for each worker, and
the server forks it: `preloaded_forkserver` has that server import what the workers run and prepare
the stages of the run's config first (`pipeline.prepare_stages`), so the workers start with them
built, as the local engine's forked workers do.

The server learns the config from a file named in its environment, since a forkserver only imports
modules (`forkserver_preload` is the module it imports). A worker whose shipped config is another one
(its fingerprint differs: a server started by an earlier cluster of the same process) builds its own
rules on its first batch, as before: the results are the same either way.

The server is a child of this process, the workers its children: it is stopped and waited for when
the last local cluster of the process closes, so that no idle server outlives the run and the CPU of
the server and its workers is counted in this process's children, where `benchmarks/scale.py`
reads a run's CPU.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import Config

CONFIG_ENV = "ANTIFRAUD_CORPUS_FORKSERVER_CONFIG"  # the pickled config the server prepares the stages of
PRELOAD = "antifraud_corpus.forkserver_preload"
# `__main__` too: each worker would otherwise run the program's main module again (as `spawn` does).
_PRELOADS = ["__main__", "distributed", PRELOAD]

_lock = threading.Lock()
_clusters = 0  # the local clusters of this process whose workers the server forks
_foreign = False  # a server ran before the first of them (started by other code of the process): left running
_prepared: str | None = None  # (in the server and the workers it forked: the fingerprint of the config prepared)


@contextmanager
def preloaded_forkserver(config: Config | None) -> Iterator[None]:
    """Dask workers started in the block fork from a server that prepared `config`'s stages (none: imports only).

    For the life of a local cluster (a worker restarted after a crash forks from the server too). The
    server, started by the first worker, is stopped when the last such block of the process ends
    (unless it ran before the first: it is another user's of `multiprocessing`).
    """
    global _clusters, _foreign
    import multiprocessing

    import dask
    from distributed import utils

    if "forkserver" not in multiprocessing.get_all_start_methods():  # (Windows: spawned, as Dask does by default)
        yield
        return
    from multiprocessing import forkserver

    shipped = _shipped_config(config) if config is not None else None
    with _lock:
        if _clusters == 0:
            _foreign = getattr(forkserver._forkserver, "_forkserver_pid", None) is not None
        _clusters += 1
        # Dask's own list (set on its first use of the method) imports pandas, here and in the server,
        # for nothing: ours is set first and Dask is told a list is set. Were that flag renamed, Dask's
        # list would win: the workers would build their rules themselves, slower but the same.
        multiprocessing.get_context("forkserver").set_forkserver_preload(_PRELOADS)
        utils._forkserver_preload_set = True
    try:
        with _environment(CONFIG_ENV, shipped), dask.config.set({"distributed.worker.multiprocessing-method":
                                                                  "forkserver"}):
            yield
    finally:
        if shipped is not None:
            Path(shipped).unlink(missing_ok=True)  # (the server removes it once read)
        with _lock:
            _clusters -= 1
            if _clusters == 0 and not _foreign:
                _stop_server()


def prepare_for_workers(shipped: str | None) -> None:
    """In the server, before it forks a worker: the package imported, the stages of the config pickled
    at `shipped` built, and what exists then frozen out of the collector (the workers inherit all)."""
    global _prepared
    import gc
    import pickle

    from . import distributed  # noqa: F401  (what the workers' tasks run)
    from .pipeline import prepare_stages

    if shipped:
        try:
            config = pickle.loads(Path(shipped).read_bytes())
            Path(shipped).unlink(missing_ok=True)
            prepare_stages(config)
            _prepared = config.fingerprint
        except Exception:  # noqa: BLE001 - a worker then builds its own (and a bad config is the client's to report)
            pass
    gc.freeze()


def _shipped_config(config: Config) -> str:
    from distributed.protocol.pickle import dumps  # (as Dask sends it: the config's frozen maps need cloudpickle)

    handle, path = tempfile.mkstemp(prefix="corpus-config-", suffix=".pickle")
    with os.fdopen(handle, "wb") as out:
        out.write(dumps(config))
    return path


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """`name` set to `value` in this process's environment for the block (the server inherits it)."""
    before = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _stop_server() -> None:
    """Stop the forkserver, if one runs, and wait for it (its workers have ended: their clusters closed)."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # (CPython's, since 3.8)
    if stop is not None:
        stop()
