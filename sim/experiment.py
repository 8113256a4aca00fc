"""Experiments: replications, confidence intervals and fair comparisons.

One simulated year is one roll of the dice; a manager needs to know how much of a difference is
the policy and how much is luck. This module rolls the dice many times. Replication ``r`` of every
scenario uses the same random streams (common random numbers), so when two scenarios are
compared replication by replication, the luck cancels and the paired differences carry only the
policy's effect. Intervals are Student-t 95 % intervals from :mod:`scipy.stats`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.metrics import KPI_NAMES
from sim.parallel import Executor, run_all, specs_for
from sim.params import Scenario


def replicate(scenario: Scenario, reps: int, seed: int | None = None,
              executor: Executor | None = None, progress: bool = False) -> pd.DataFrame:
    """Run ``reps`` replications; one row per replication, one column per KPI.

    ``executor`` (``sim/parallel.py``) runs them serially, in a process pool or on Dask; the table
    is the same either way.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    seed = scenario.seed if seed is None else seed
    rows = run_all(specs_for(scenario, reps, seed), executor, progress, scenario.name)
    table = pd.DataFrame(rows).drop(columns=["seed"]).set_index("replication")
    return table[list(KPI_NAMES)]


def ci95(values: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """Student-t 95 % confidence interval of the mean (NaN-safe; NaNs are dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        return (math.nan, math.nan)
    mean = float(x.mean())
    sem = float(stats.sem(x))
    if sem == 0:
        return (mean, mean)
    low, high = stats.t.interval(0.95, x.size - 1, loc=mean, scale=sem)
    return (float(low), float(high))


def summarise(table: pd.DataFrame) -> tuple[dict[str, float], dict[str, list[float]] | None]:
    """Means and 95 % intervals (None with a single replication) of a replication table."""
    means = {k: float(table[k].mean()) for k in table.columns}
    if len(table) < 2:
        return means, None
    return means, {k: list(ci95(table[k].to_numpy())) for k in table.columns}


def replications_needed(values: Sequence[float], half_width: float,
                        relative: bool = False) -> int:
    """Replications needed for a 95 % interval of at most ``half_width`` (or that share of the
    mean when ``relative``), from a pilot sample: n = (t * s / h)^2, iterated on t.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        raise ValueError("a pilot of at least two replications is needed")
    target = half_width * abs(float(x.mean())) if relative else half_width
    if target <= 0:
        raise ValueError("half_width must be positive")
    s = float(x.std(ddof=1))
    n = max(2, x.size)
    for _ in range(50):
        t = stats.t.ppf(0.975, n - 1)
        needed = max(2, math.ceil((t * s / target) ** 2))
        if needed == n:
            break
        n = needed
    return n


@dataclass
class Comparison:
    """Paired comparison of scenarios against the first one, replication by replication."""

    names: list[str]
    tables: dict[str, pd.DataFrame]

    def means(self) -> dict[str, dict[str, float]]:
        return {n: {k: float(t[k].mean()) for k in t.columns} for n, t in self.tables.items()}

    def differences(self) -> dict[str, dict[str, dict[str, object]]]:
        """For each scenario after the first: KPI -> {"mean": d, "ci95": [low, high]}."""
        base = self.tables[self.names[0]]
        out: dict[str, dict[str, dict[str, object]]] = {}
        for name in self.names[1:]:
            diff = self.tables[name] - base
            out[name] = {
                k: {"mean": float(diff[k].mean()), "ci95": list(ci95(diff[k].to_numpy()))}
                for k in diff.columns
            }
        return out


def compare(scenarios: Sequence[Scenario], reps: int, seed: int | None = None,
            executor: Executor | None = None, progress: bool = False) -> Comparison:
    """Run every scenario with the same seed and replication numbers (common random numbers)."""
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    seed = scenarios[0].seed if seed is None else seed
    names = unique_names([s.name for s in scenarios])
    specs = [spec for i, s in enumerate(scenarios)
             for spec in specs_for(s, reps, seed, {"scenario_index": i})]
    rows = run_all(specs, executor, progress, "compare")
    frame = pd.DataFrame(rows)
    tables = {
        name: frame[frame.scenario_index == i].set_index("replication")[list(KPI_NAMES)]
        for i, name in enumerate(names)
    }
    return Comparison(names, tables)


def unique_names(names: Sequence[str]) -> list[str]:
    """Scenario names made distinct for tables: a repeated name gets " (2)", " (3)", …"""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


__all__ = ["KPI_NAMES", "Comparison", "ci95", "compare", "replicate", "replications_needed",
           "summarise", "unique_names"]
