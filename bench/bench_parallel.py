"""The experiment layer at scale: pool speed-up, Dask equality, and per-run overhead.

Targets:
* 40 replications of ``baseline.yaml`` in a 2-worker process pool run >= 1.8 x faster (wall
  time, pool start included) than serially;
* a 1,000-run sweep on a Dask LocalCluster completes and equals the local-pool table;
* the experiment layer (job tickets, executor, table building) adds <= 5 % to the model's own
  time per run, measured serially against plain ``run()`` calls of the same jobs.
"""

from __future__ import annotations

import argparse

import _common as c
import pandas as pd

from sim import load_scenario, run
from sim.experiment import replicate
from sim.parallel import DaskExecutor, PoolExecutor, SerialExecutor
from sim.sweep import sweep

SPEEDUP_TARGET = 1.8
OVERHEAD_TARGET = 0.05


def speedup(reps: int, repeats: int) -> None:
    scenario = load_scenario(c.BASELINE)

    def serial():
        return replicate(scenario, reps, executor=SerialExecutor())

    def pool():
        ex = PoolExecutor(2)
        try:
            return replicate(scenario, reps, executor=ex)
        finally:
            ex.close()

    t = c.best_of({"serial": serial, "pool": pool}, repeats=repeats, warmup=False)
    same = t["serial"].result.equals(t["pool"].result)
    c.info("parallel", f"serial: {t['serial'].spread()}")
    c.info("parallel", f"2-worker pool: {t['pool'].spread()}")
    c.info("parallel", f"pool table identical to serial: {'yes' if same else 'NO'}")
    ratio = t["serial"].best / t["pool"].best
    c.result("parallel", f"{reps} reps of baseline, 2-worker pool vs serial (wall)",
             f"{t['serial'].best:.2f} s vs {t['pool'].best:.2f} s", f"speed-up {ratio:.2f}",
             f">= {SPEEDUP_TARGET}", ratio >= SPEEDUP_TARGET and same)


def dask_equality(weeks: float, points_side: int, reps: int) -> None:
    base = load_scenario(c.BASELINE, [f"weeks={weeks:g}"])
    values = [round(0.1 + 0.9 * i / (points_side - 1), 3) for i in range(points_side)]
    grid = {"communication.crm_sharing": values,
            "incentives.shared_kpi_weight": values[: max(2, points_side // 2)]}
    runs = len(values) * len(grid["incentives.shared_kpi_weight"]) * reps
    pool = PoolExecutor(2)
    try:
        _, _, on_pool = c.timed(lambda: sweep(base, grid, reps, executor=pool))
    finally:
        pool.close()
    dask = DaskExecutor("local", workers=2)
    try:
        wall, _, on_dask = c.timed(lambda: sweep(base, grid, reps, executor=dask))
    finally:
        dask.close()
    equal = on_dask.equals(on_pool)
    c.info("dask", f"{runs} runs ({len(values)} x {len(grid['incentives.shared_kpi_weight'])} "
                   f"points x {reps} reps, {weeks:g} weeks each) on a 2-worker LocalCluster in "
                   f"{wall:.1f} s")
    c.result("dask", f"{runs}-run sweep on Dask LocalCluster vs local pool",
             f"{len(on_dask)} rows", "tables equal" if equal else "tables DIFFER",
             "completes, equal", len(on_dask) == runs and equal)


def overhead(reps: int, repeats: int) -> None:
    scenario = load_scenario(c.BASELINE, ["weeks=26"])

    def direct():
        return pd.DataFrame([run(scenario, replication=r).kpis for r in range(reps)])

    def layered():
        return replicate(scenario, reps, executor=SerialExecutor())

    t = c.best_of({"direct": direct, "layer": layered}, repeats=repeats)
    extra = t["layer"].best_cpu / t["direct"].best_cpu - 1.0
    c.info("overhead", f"plain run() calls: {t['direct'].spread()}")
    c.info("overhead", f"through the experiment layer: {t['layer'].spread()}")
    c.result("overhead", f"experiment layer per run, {reps} runs (CPU)",
             f"{t['layer'].best_cpu:.3f} s vs {t['direct'].best_cpu:.3f} s",
             f"overhead {extra:+.1%}", f"<= {OVERHEAD_TARGET:.0%}", extra <= OVERHEAD_TARGET)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sweep-weeks", type=float, default=4)
    ap.add_argument("--sweep-side", type=int, default=10, help="values per swept lever")
    ap.add_argument("--sweep-reps", type=int, default=20)
    args = ap.parse_args(argv)
    c.header("experiment layer: pool speed-up, Dask equality, overhead")
    speedup(args.reps, args.repeats)
    overhead(min(args.reps, 20), args.repeats + 1)
    dask_equality(args.sweep_weeks, args.sweep_side, args.sweep_reps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
