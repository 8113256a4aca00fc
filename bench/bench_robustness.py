"""Robustness runs: throughput of a small design against the single-run rate, and the default
run's time projected from it.

A small robustness design (the claims of ``scenarios/cherry_pick_queue.yaml``: four scenario
configurations; 2 Morris trajectories, 2 Saltelli base points, 2 groups; its runs kept in a
temporary run folder, as ``--out`` does) runs in a 2-worker process pool. Its rate in runs per
second is divided by the single-run rate (one baseline run, timed serially in the same process
before and after), target >= 1.5: two workers, less the cost of a folder write per run and of
configurations that are dearer than the baseline.

The projection times one run of every configuration the default run needs (every preset's
claims, about forty configurations) and scales the default design's model CPU time by the CPU
the small design spent in all its processes per second of model CPU, spread over the workers:
the wall time on that many free cores; target <= 900 s (15 minutes on two cores). The same
projection from wall times (as busy as the machine is) is printed beside it.
The true figure is the wall time of the default run itself:
``time .venv/bin/python -m sim robustness --out out/robustness``.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import _common as c

from sim import load_scenario, run
from sim.claims import claimed_files
from sim.parallel import PoolExecutor
from sim.robustness import Design, _set_up, factor_groups
from sim.robustness import run as robustness

SCENARIO = c.ROOT / "scenarios" / "cherry_pick_queue.yaml"
SMALL = Design(trajectories=2, samples=2, top=2, reps=1)
RATE_TARGET = 1.5
PROJECTED_TARGET = 900.0


def _config_seconds(paths: list[Path]) -> tuple[float, float]:
    """Serial wall and CPU seconds of one run of every configuration ``paths``' claims need."""
    configs, _ = _set_up(paths)
    wall = cpu = 0.0
    for config in configs:
        w, c_, _ = c.timed(lambda config=config: run(config.scenario, seed=config.scenario.seed))
        wall, cpu = wall + w, cpu + c_
    return wall, cpu


def _children_cpu() -> float:
    """CPU seconds of the finished (reaped) child processes: a closed pool's workers."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="single runs timed before and after")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-projection", action="store_true",
                    help="skip timing every configuration of the default run (about 20 s)")
    args = ap.parse_args(argv)
    c.header("robustness: runs/s of a small design vs the single-run rate")
    baseline = load_scenario(c.BASELINE)
    before = c.best_of({"single": lambda: run(baseline)}, repeats=args.repeats)["single"]

    groups = len(factor_groups())
    screening, second = SMALL.points(groups)
    wall_once, cpu_once = _config_seconds([SCENARIO])
    small_serial = wall_once * (screening + second) * SMALL.reps
    small_serial_cpu = cpu_once * (screening + second) * SMALL.reps
    children, own = _children_cpu(), time.process_time()
    pool = PoolExecutor(args.workers)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            wall, _, result = c.timed(lambda: robustness([SCENARIO], pool, SMALL,
                                                         out=Path(tmp) / "r"))
    finally:
        pool.close()
    # every process's CPU: this one (sampling, analysis, run files) and the pool's workers
    small_cpu = (time.process_time() - own) + (_children_cpu() - children)
    after = c.best_of({"single": lambda: run(baseline)}, repeats=args.repeats,
                      warmup=False)["single"]
    single = min(before.best, after.best)
    rate, single_rate = result.runs / wall, 1.0 / single
    c.info("robustness", f"single baseline run: best {single:.3f} s (before: {before.spread()}; "
                         f"after: {after.spread()})")
    c.info("robustness", f"small design: {len(result.claims)} claims, {result.configurations} "
                         f"configurations, {screening} + {second} points, {result.runs} runs in "
                         f"{wall:.1f} s on {args.workers} workers (pool start included)")
    speedup = small_serial / wall
    c.info("robustness", f"the same runs serially take {small_serial:.1f} s: speed-up "
                         f"{speedup:.2f} on {args.workers} workers")
    ratio = rate / single_rate
    c.result("robustness", f"small design on {args.workers} workers, runs/s vs single-run rate "
                           "(wall)", f"{rate:.2f} vs {single_rate:.2f} /s", f"ratio {ratio:.2f}",
             f">= {RATE_TARGET}", ratio >= RATE_TARGET)
    if args.no_projection:
        return 0
    paths = claimed_files(c.ROOT / "scenarios")
    default = Design()
    screening, second = default.points(groups)
    per_point, per_point_cpu = _config_seconds(paths)
    work = per_point * (screening + second) * default.reps
    projected = work / speedup
    c.info("robustness", f"default run: {len(paths)} files, one run of every configuration "
                         f"{per_point:.1f} s serially, {screening} + {second} points: "
                         f"{work:.0f} s of serial work; at the speed-up above {projected:.0f} s "
                         "(wall, as busy as the machine is now)")
    # CPU time is what a busy machine does not inflate: the layer's CPU per unit of model CPU,
    # spread over the workers, is the wall time on that many free cores
    layer = small_cpu / small_serial_cpu
    free = per_point_cpu * (screening + second) * default.reps * layer / args.workers
    c.info("robustness", f"small design: {small_cpu:.1f} s CPU in all processes for "
                         f"{small_serial_cpu:.1f} s of model CPU (x{layer:.2f})")
    c.result("robustness", f"default run projected on {args.workers} free cores (CPU)",
             f"{free:.0f} s", f"{free / 60:.1f} min", f"<= {PROJECTED_TARGET:.0f} s",
             free <= PROJECTED_TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
