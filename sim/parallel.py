"""Executors: run many replications serially, in a local process pool, or on a Dask cluster.

Think of a print shop. One job is one replication: a scenario, a seed and a replication number.
The serial executor prints them one by one at the counter; the pool hands them to the shop's own
presses (one per core); Dask sends them to a print farm across town. Whoever prints, a job's
result depends only on what is written on the job ticket (``RunSpec``), never on which press
printed it or in what order, because every random number comes from the seed and the replication
number (``sim/streams.py``). So the same seed gives identical tables serially, in the pool and
on Dask.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent import futures as cf  # its process pool is loaded only when a pool is made
from dataclasses import dataclass, field
from typing import Any

from sim.errors import ScenarioError
from sim.model import run
from sim.params import Scenario


@dataclass(frozen=True)
class RunSpec:
    """One job ticket: which scenario, seed and replication to run, and labels to carry along.

    ``changes`` (optional) maps a 0-based week to a scenario whose adjustable keys take effect
    from that week, as :func:`sim.model.run` takes it (the workshop game's quarters). It is
    written on the ticket like everything else, so a worker needs nothing but the ticket.
    """

    scenario: Scenario
    seed: int
    replication: int
    labels: dict[str, Any] = field(default_factory=dict)
    changes: Mapping[int, Scenario] | None = None


def run_spec(spec: RunSpec) -> dict[str, Any]:
    """Run one job and return its labels, seed, replication and every KPI as one flat row."""
    result = run(spec.scenario, seed=spec.seed, replication=spec.replication,
                 changes=spec.changes)
    return {**spec.labels, "seed": spec.seed, "replication": spec.replication, **result.kpis}


class SerialExecutor:
    """Runs jobs one after another in this process."""

    name = "serial"
    workers = 1

    def imap(self, fn: Callable[[RunSpec], Any], specs: Sequence[RunSpec]
             ) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, result)`` as jobs finish (here: in order)."""
        for i, spec in enumerate(specs):
            yield i, fn(spec)

    def close(self) -> None:
        """Nothing to release: the runs ran in this process."""
        pass


class PoolExecutor:
    """Runs jobs in a local pool of worker processes (``concurrent.futures``)."""

    name = "pool"

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = cf.ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent)

    def imap(self, fn: Callable[[RunSpec], Any], specs: Sequence[RunSpec]
             ) -> Iterator[tuple[int, Any]]:
        """Each spec's result with its index, in the order the workers finish them."""
        futures = {self._pool.submit(fn, spec): i for i, spec in enumerate(specs)}
        try:
            for future in cf.as_completed(futures):
                yield futures[future], future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        """Stop the workers, cancelling the runs not yet started."""
        self._pool.shutdown(wait=True, cancel_futures=True)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """Make this worker process end when the process that started it ends.

    A pool's workers only stop when their parent tells them to; a parent that is killed
    (``kill -9``, the machine's out-of-memory killer) cannot, and its workers would go on
    running jobs nobody collects. On Linux the kernel is asked to kill this process when its
    parent goes (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread checks every second whether
    the parent is still there. Linux counts the thread that started the worker as its parent,
    so a pool is used from a thread that outlives it (the command line uses its main thread).
    """
    parent = os.getppid()
    if not _kernel_kills_orphan():
        threading.Thread(target=_watch_parent, args=(parent,), name="leadflow-parent-watch",
                         daemon=True).start()
    # the parent may have gone before the kernel was asked: this process then has a new parent
    if os.getppid() != parent:
        os._exit(1)


def _kernel_kills_orphan() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return False


def _watch_parent(parent: int, every: float = 1.0) -> None:  # pragma: no cover - not Linux
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


class DaskExecutor:
    """Runs jobs on a Dask cluster: a scheduler address (``tcp://host:8786``) or ``local`` for a
    LocalCluster on this machine.
    """

    name = "dask"

    def __init__(self, address: str, workers: int | None = None, timeout: float = 10.0):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - dask is a declared dependency
            raise ScenarioError("--scheduler", address, "dask.distributed is not installed") from None
        self._cluster = None
        if address == "local":
            self._cluster = LocalCluster(n_workers=workers or default_workers(),
                                         threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            if not address.startswith(("tcp://", "tls://", "inproc://", "ws://", "wss://")):
                raise ScenarioError("--scheduler", address,
                                    "expected an address such as tcp://host:8786, or 'local'")
            try:
                self._client = Client(address, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ScenarioError("--scheduler", address,
                                    f"cannot reach a Dask scheduler there ({reason})") from None
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def imap(self, fn: Callable[[RunSpec], Any], specs: Sequence[RunSpec]
             ) -> Iterator[tuple[int, Any]]:
        """Each spec's result with its index, in the order the cluster finishes them."""
        from dask.distributed import as_completed as dask_completed

        futures = self._client.map(fn, list(specs), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for future in dask_completed(futures):
                yield index[future.key], future.result()
        finally:
            self._client.cancel(futures)

    def close(self) -> None:
        """Close the client, and the local cluster if this executor started it."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


Executor = SerialExecutor | PoolExecutor | DaskExecutor


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def make_executor(workers: int | None = None, scheduler: str | None = None,
                  jobs: int | None = None) -> Executor:
    """The executor for ``--workers`` / ``--scheduler``: Dask if a scheduler is named, else a
    process pool when more than one worker would have more than one job, else serial.
    """
    if scheduler:
        return DaskExecutor(scheduler, workers)
    workers = default_workers() if workers is None else workers
    if jobs is not None:
        workers = min(workers, jobs)
    return PoolExecutor(workers) if workers > 1 else SerialExecutor()


def run_all(specs: Sequence[RunSpec], executor: Executor | None = None,
            progress: bool = False, description: str = "runs",
            on_result: Callable[[int, Any], None] | None = None,
            fn: Callable[[RunSpec], Any] = run_spec) -> list[Any]:
    """Run every job and return the results in job order, whatever order they finished in.

    ``fn`` turns one job into its result: by default :func:`run_spec`'s KPI row; it must be a
    module-level function so that process pools and Dask workers can be handed it.
    ``on_result(index, result)`` is called as each job finishes (e.g. to save it to disk).
    A progress bar appears on stderr for anything that takes over a second, unless
    ``progress`` is False.
    """
    tqdm = _progress_bar()
    own = executor is None
    executor = executor or SerialExecutor()
    rows: list[Any] = [None] * len(specs)
    try:
        with tqdm(total=len(specs), desc=description, unit="run", disable=not progress,
                  delay=1.0, leave=False) as bar:
            for i, row in executor.imap(fn, specs):
                rows[i] = row
                if on_result is not None:
                    on_result(i, row)
                bar.update(1)
    finally:
        if own:
            executor.close()
    return rows


def _progress_bar() -> Any:
    """The progress bar class of tqdm: the notebook widget that ``tqdm.auto`` picks in a
    Jupyter kernel, else the plain terminal bar, which ``tqdm.auto`` would pick too but only
    after loading asyncio (a fiftieth of a second of every command's start).
    """
    if "ipykernel" in sys.modules:
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm


def specs_for(scenario: Scenario, reps: int, seed: int, labels: dict[str, Any] | None = None,
              replications: Iterable[int] | None = None) -> list[RunSpec]:
    """Job tickets for ``reps`` replications of one scenario (common random numbers: replication
    ``r`` of every scenario uses the same streams).
    """
    reps_iter = range(reps) if replications is None else replications
    return [RunSpec(scenario, seed, r, dict(labels or {})) for r in reps_iter]
