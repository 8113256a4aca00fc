"""Shared helpers for the benchmark scripts in ``bench/``.

Every benchmark reports a ratio against a baseline measured in the same process and the same
run, because absolute seconds on a shared two-core machine move by a factor of two from one
minute to the next. Timings are the best (minimum) of several repeats: the minimum is the run
least disturbed by other work on the machine, so it is the most repeatable figure. Both clocks
are kept: wall-clock time for targets a user feels (a slider's response), and the process's CPU
time for ratios between two workloads, because CPU time does not count the moments the process
waited for a core while the machine was oversubscribed.

Result lines have a fixed shape so that ``bench/run_all.py`` can collect them::

    RESULT | <bench> | <what> | <measured> | <ratio> | <target> | PASS|FAIL

Lines starting with ``INFO`` carry context (sizes, counts, secondary figures) and no verdict.
"""

from __future__ import annotations

import gc
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # use the working tree's ``sim`` even without an install
    sys.path.insert(0, str(ROOT))

BASELINE = ROOT / "scenarios" / "baseline.yaml"
MMC = ROOT / "scenarios" / "checks" / "mmc.yaml"
HOURS_PER_WEEK = 168.0

# The fixed reference workload: a textbook M/M/c queue in bare SimPy. It never changes with the
# model, so the model-to-reference ratio of one run can be compared with that of another.
REF_ARRIVAL_RATE = 2000.0 / HOURS_PER_WEEK  # customers per hour (the mmc check's volume)
REF_SERVICE_RATE = 4.0  # per hour per server (mean service 15 minutes)
REF_SERVERS = 4
REF_SEED = 12345


# --------------------------------------------------------------------------- timing
@dataclass
class Timing:
    """Repeated timings of one workload: wall-clock and CPU seconds of each repeat."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    result: Any = None

    @property
    def best(self) -> float:
        """Best wall-clock seconds: what a user waiting for the run experiences."""
        return min(self.wall)

    @property
    def best_cpu(self) -> float:
        """Best CPU seconds of this process: unaffected by time spent waiting for a core."""
        return min(self.cpu)

    def spread(self) -> str:
        """The repeats as a short text: best, median and worst wall time, and best CPU time."""
        s = sorted(self.wall)
        return (f"wall best {s[0]:.3f} s, median {s[len(s) // 2]:.3f} s, worst {s[-1]:.3f} s; "
                f"cpu best {self.best_cpu:.3f} s; n={len(s)}")


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds one call of ``fn`` takes (after a garbage collection), its result."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def best_of(workloads: dict[str, Callable[[], Any]], repeats: int,
            warmup: bool = True) -> dict[str, Timing]:
    """Time several workloads in interleaved rounds (A B A B ...); keep every repeat.

    Interleaving spreads a burst of background load over all workloads instead of penalising
    whichever happened to run during it. An untimed warm-up call of each workload first fills
    import and function caches.
    """
    if warmup:
        for fn in workloads.values():
            fn()
    timings = {name: Timing() for name in workloads}
    for _ in range(repeats):
        for name, fn in workloads.items():
            wall, cpu, timings[name].result = timed(fn)
            timings[name].wall.append(wall)
            timings[name].cpu.append(cpu)
    return timings


# --------------------------------------------------------------------------- reference queue
def mmc_simpy(n_customers: int, arrival_rate: float = REF_ARRIVAL_RATE,
              service_rate: float = REF_SERVICE_RATE, servers: int = REF_SERVERS,
              seed: int = REF_SEED) -> tuple[int, float]:
    """The textbook M/M/c queue in bare SimPy; returns (customers served, mean wait in hours).

    One process per customer, a ``simpy.Resource`` with ``servers`` slots, exponential
    inter-arrival and service times, FIFO. Runs until the last customer has left.
    """
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    counter = simpy.Resource(env, capacity=servers)
    waits: list[float] = []

    def customer(env: simpy.Environment):
        arrive = env.now
        with counter.request() as req:
            yield req
            waits.append(env.now - arrive)
            yield env.timeout(rng.expovariate(service_rate))

    def source(env: simpy.Environment):
        for _ in range(n_customers):
            env.process(customer(env))
            yield env.timeout(rng.expovariate(arrival_rate))

    env.process(source(env))
    env.run()
    return len(waits), sum(waits) / len(waits)


def erlang_c_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C), in the rates' time unit."""
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1:
        return math.inf
    head = sum(a**k / math.factorial(k) for k in range(servers))
    tail = a**servers / (math.factorial(servers) * (1 - rho))
    p_wait = tail / (head + tail)
    return p_wait / (servers * service_rate - arrival_rate)


# --------------------------------------------------------------------------- reporting
def info(bench: str, text: str) -> None:
    print(f"INFO   | {bench} | {text}", flush=True)


def result(bench: str, what: str, measured: str, ratio: str, target: str, ok: bool) -> bool:
    """Print one verdict line; returns ``ok`` so callers can combine verdicts."""
    verdict = "PASS" if ok else "FAIL"
    print(f"RESULT | {bench} | {what} | {measured} | {ratio} | {target} | {verdict}", flush=True)
    return ok


def header(title: str) -> None:
    print(f"== {title}", flush=True)
