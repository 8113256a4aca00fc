"""Experiments: replications, confidence intervals and fair comparisons.

One simulated year is one roll of the dice; a manager needs to know how much of a difference is
the policy and how much is luck. This module rolls the dice many times. Replication ``r`` of every
scenario uses the same random streams (common random numbers), so when two scenarios are
compared replication by replication, the luck cancels and the paired differences carry only the
policy's effect. Intervals are Student-t 95 % intervals from :mod:`scipy.stats`.

How many rolls are enough depends on how noisy the differences are, so :func:`compare_sized`
keeps adding replications until the paired differences are known to within a chosen share of the
first scenario's result.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.metrics import KPI_NAMES
from sim.parallel import Executor, run_all, specs_for
from sim.params import Scenario

if TYPE_CHECKING:  # pandas loads with the first table: a single run from the command line
    import pandas as pd  # prints its KPIs without it, and starts a fifth of a second sooner


def replication_rows(scenario: Scenario, reps: int, seed: int | None = None,
                     executor: Executor | None = None,
                     progress: bool = False) -> list[dict[str, Any]]:
    """Run ``reps`` replications; one dict per replication, in replication order, with its
    ``replication`` number, its ``seed`` and every KPI: :func:`replicate` before the table.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    seed = scenario.seed if seed is None else seed
    return run_all(specs_for(scenario, reps, seed), executor, progress, scenario.name)


def replication_table(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The rows of :func:`replication_rows` as :func:`replicate`'s table."""
    import pandas as pd

    table = pd.DataFrame(list(rows)).drop(columns=["seed"]).set_index("replication")
    return table[list(KPI_NAMES)]


def replicate(scenario: Scenario, reps: int, seed: int | None = None,
              executor: Executor | None = None, progress: bool = False) -> pd.DataFrame:
    """Run ``reps`` replications; one row per replication, one column per KPI.

    ``executor`` (``sim/parallel.py``) runs them serially, in a process pool or on Dask; the table
    is the same either way.
    """
    return replication_table(replication_rows(scenario, reps, seed, executor, progress))


def ci95(values: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """Student-t 95 % confidence interval of the mean (NaN-safe; NaNs are dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size < 2:
        return (math.nan, math.nan)
    from scipy import stats  # here, not at the top: loading scipy.stats takes about a second

    mean = float(x.mean())
    sem = float(stats.sem(x))
    if sem == 0:
        return (mean, mean)
    low, high = stats.t.interval(0.95, x.size - 1, loc=mean, scale=sem)
    return (float(low), float(high))


def interval_side(low: object, high: object) -> str:
    """Where a 95 % interval of a difference lies against zero: ``"above"`` (wholly above),
    ``"below"`` (wholly below), ``"spans"`` (zero is inside, or on an end) or ``"undefined"``
    (an end is missing or not a finite number, as with a single replication).

    The one reading of an interval that the claims, the tables, the report and the widgets
    share: "above" or "below" means the difference is unlikely to be luck.
    """
    try:
        lo, hi = sorted((float(low), float(high)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "undefined"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "undefined"
    return "above" if lo > 0 else "below" if hi < 0 else "spans"


def excludes_zero(interval: object) -> bool:
    """Whether a ``(low, high)`` interval lies wholly above or wholly below zero (the
    difference is unlikely to be luck); False for a missing or undefined interval.
    """
    try:
        low, high = interval  # type: ignore[misc]
    except (TypeError, ValueError):
        return False
    return interval_side(low, high) in ("above", "below")


def summarise(table: pd.DataFrame | Sequence[Mapping[str, Any]]
              ) -> tuple[dict[str, float], dict[str, list[float]] | None]:
    """Means and 95 % intervals (None with a single replication) of a replication table, or of
    the KPIs of :func:`replication_rows` (the same numbers, without loading pandas).
    """
    if isinstance(table, Sequence):
        columns = {k: np.array([row[k] for row in table], dtype=float) for k in KPI_NAMES}
        means = {k: _nan_mean(x) for k, x in columns.items()}
    else:
        columns = {k: table[k].to_numpy() for k in table.columns}
        means = {k: float(table[k].mean()) for k in table.columns}
    if len(table) < 2:
        return means, None
    return means, {k: list(ci95(x)) for k, x in columns.items()}


def _nan_mean(x: np.ndarray) -> float:
    """The mean of the values that are not NaN, NaN when none is, computed as pandas'
    ``Series.mean`` computes it (NaNs summed as zeros, divided by the count), so a table and
    its rows summarise to the same bits.
    """
    defined = ~np.isnan(x)
    count = np.float64(defined.sum())
    return float(np.where(defined, x, 0.0).sum() / count) if count > 0 else math.nan


def replications_needed(values: Sequence[float], half_width: float,
                        relative: bool = False) -> int:
    """Replications needed for a 95 % interval of at most ``half_width`` (or that share of the
    mean when ``relative``), from a pilot sample: n = (t * s / h)^2, iterated on t.

    When the pilot gives no target to aim at, the pilot's own size comes back: a share of a zero
    or undefined mean (a short run that closed no deal has zero revenue), or fewer than two
    defined values after NaNs are dropped. The pilot then justifies no more replications than
    it has, and callers that must tell this apart check the mean themselves. A pilot of fewer
    than two values, or a ``half_width`` that is not positive, is a mistake of the caller and
    raises ``ValueError``.
    """
    x = np.asarray(values, dtype=float)
    pilot = x.size
    if pilot < 2:
        raise ValueError("a pilot of at least two replications is needed")
    if not half_width > 0:
        raise ValueError("half_width must be positive")
    x = x[~np.isnan(x)]
    if x.size < 2:
        return pilot
    from scipy import stats

    target = half_width * abs(float(x.mean())) if relative else half_width
    s = float(x.std(ddof=1))
    if not (target > 0 and math.isfinite(s)):
        return pilot
    # The smallest n with t(n - 1) * s / sqrt(n) <= target. That half-width falls as n grows,
    # so search for it: the normal quantile gives a lower bound, doubling an upper one, and
    # bisection the answer (iterating n = (t s / h)^2 can bounce between a small and a large n).
    def enough(n: int) -> bool:
        return stats.t.ppf(0.975, n - 1) * s / math.sqrt(n) <= target

    low = max(2, math.ceil((stats.norm.ppf(0.975) * s / target) ** 2))
    if enough(low):
        return low
    high = 2 * low
    while not enough(high):
        low, high = high, 2 * high
    while high - low > 1:  # low is never enough, high always is
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid, high)
    return high


@dataclass
class Comparison:
    """Paired comparison of scenarios against the first one, replication by replication."""

    names: list[str]
    tables: dict[str, pd.DataFrame]

    def means(self) -> dict[str, dict[str, float]]:
        """Each scenario's mean of every KPI over its replications."""
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
    return Comparison(names, _paired_tables(scenarios, names, seed, range(reps), executor,
                                            progress))


def extend(comparison: Comparison, scenarios: Sequence[Scenario], total: int,
           seed: int | None = None, executor: Executor | None = None,
           progress: bool = False) -> Comparison:
    """``comparison`` with replications added up to ``total`` in all.

    The new replications continue the numbering, so the result is the comparison that
    :func:`compare` gives for ``total`` replications, without running the first ones again.
    """
    have = len(comparison.tables[comparison.names[0]])
    if total <= have:
        return comparison
    seed = scenarios[0].seed if seed is None else seed
    more = _paired_tables(scenarios, comparison.names, seed, range(have, total), executor,
                          progress)
    import pandas as pd

    return Comparison(comparison.names,
                      {n: pd.concat([comparison.tables[n], more[n]]) for n in comparison.names})


def _paired_tables(scenarios: Sequence[Scenario], names: Sequence[str], seed: int,
                   replications: range, executor: Executor | None,
                   progress: bool) -> dict[str, pd.DataFrame]:
    """One KPI table per scenario for the given replication numbers, all in one batch of jobs."""
    specs = [spec for i, s in enumerate(scenarios)
             for spec in specs_for(s, len(replications), seed, {"scenario_index": i},
                                   replications)]
    rows = run_all(specs, executor, progress, "compare")
    import pandas as pd

    frame = pd.DataFrame(rows)
    return {
        name: frame[frame.scenario_index == i].set_index("replication")[list(KPI_NAMES)]
        for i, name in enumerate(names)
    }


PILOT_REPS = 10


@dataclass(frozen=True)
class Precision:
    """How tightly a comparison pins down the paired differences of one KPI.

    ``half_width`` is the widest 95 % half-width of the differences from the first scenario, as a
    share of the first scenario's mean: 0 when every difference is the same in every
    replication, infinite when differences vary around a first scenario whose mean is zero, NaN
    when there is no interval (a single replication) or no mean. ``needed`` projects how many
    replications in all would bring it down to ``target``; it is None when no projection can be
    made, because the first scenario's mean is zero or undefined or there is only one
    replication.
    """

    kpi: str
    reps: int
    target: float
    half_width: float
    needed: int | None

    @property
    def met(self) -> bool:
        """Every paired difference is within the target (never true without an interval)."""
        return self.half_width <= self.target


def paired_precision(comparison: Comparison, kpi: str = "revenue",
                     target: float = 0.05) -> Precision:
    """The precision of ``comparison``'s paired differences of ``kpi``, judged against
    ``target``, a share of the first scenario's mean ``kpi`` (0.05: within +/-5 %).
    """
    base = comparison.tables[comparison.names[0]][kpi].to_numpy(dtype=float)
    defined = base[~np.isnan(base)]
    scale = abs(float(defined.mean())) if defined.size else math.nan
    sizable = base.size >= 2 and math.isfinite(scale) and scale > 0
    shares, needed = [], []
    for name in comparison.names[1:]:
        diff = comparison.tables[name][kpi].to_numpy(dtype=float) - base
        low, high = ci95(diff)
        half = (high - low) / 2
        if half == 0:
            shares.append(0.0)
        elif sizable:
            shares.append(half / scale)
        else:
            shares.append(math.inf if scale == 0 and not math.isnan(half) else math.nan)
        if sizable:
            needed.append(replications_needed(diff, target * scale))
    # one unknown interval makes the whole comparison's precision unknown, so NaN wins over max
    widest = math.nan if any(math.isnan(s) for s in shares) else max(shares)
    return Precision(kpi, int(base.size), target, widest, max(needed) if needed else None)


def precision_note(comparison: Comparison | SizedComparison, kpi: str = "revenue",
                   target: float = 0.05) -> str:
    """One line for a notebook or report: how precise the paired ``kpi`` differences are, and
    how many replications the target needs when they are too few (then it starts with
    "warning:"). A sized comparison is judged on the replications it ran.
    """
    if isinstance(comparison, SizedComparison):
        comparison = comparison.comparison
    p = paired_precision(comparison, kpi, target)
    first, goal = comparison.names[0], f"±{100 * target:g} %"
    if math.isnan(p.half_width):
        return f"{p.reps} replication(s): no interval yet, so no difference can be judged"
    if p.met:
        return (f"{kpi} differences within ±{100 * p.half_width:.1f} % of {first} {kpi} with "
                f"{p.reps} replications (target {goal})")
    if p.needed is None:
        return f"{first} {kpi} is zero, so differences cannot be held within {goal} of it"
    return (f"warning: {kpi} differences only within ±{100 * p.half_width:.1f} % of {first} "
            f"{kpi} with {p.reps} replications; about {p.needed} are needed for {goal}, so "
            "read smaller differences as undecided")


@dataclass
class SizedComparison:
    """A comparison whose number of replications was chosen by :func:`compare_sized`.

    ``looks`` holds the precision after the pilot and after every later batch; the last one is
    that of ``comparison``.
    """

    comparison: Comparison
    looks: list[Precision]
    max_reps: int

    @property
    def precision(self) -> Precision:
        """The precision at the last look."""
        return self.looks[-1]

    @property
    def reps(self) -> int:
        """Replications per scenario at the last look."""
        return self.precision.reps

    @property
    def met(self) -> bool:
        """Whether the last look met the target precision."""
        return self.precision.met

    @property
    def capped(self) -> bool:
        """Stopped by ``max_reps`` before the target was met."""
        return not self.met and self.reps >= self.max_reps


def compare_sized(scenarios: Sequence[Scenario], seed: int | None = None,
                  executor: Executor | None = None, progress: bool = False,
                  kpi: str = "revenue", precision: float = 0.05, max_reps: int = 100,
                  pilot: int = PILOT_REPS) -> SizedComparison:
    """Compare scenarios with as many replications as the paired differences need.

    A sequential procedure: run a pilot of ``pilot`` replications, then, while the widest 95 %
    half-width of the paired ``kpi`` differences from the first scenario is above ``precision``
    times the first scenario's mean ``kpi``, project the total needed from the replications so
    far (:func:`replications_needed`) and run the missing ones as one more batch, up to
    ``max_reps`` in all. A batch at most doubles the replications: a projection from a small
    pilot is rough (its spread is estimated from a few values), and it is cheaper to look again
    than to overshoot. New batches continue the replication numbers, so the result is the
    same table that :func:`compare` gives for the final number of replications, whatever the
    executor. The loop also stops when the first scenario's mean is zero or undefined: no
    number of replications can then reach a share of it.
    """
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two scenarios")
    if not (math.isfinite(precision) and precision > 0):
        raise ValueError("precision must be a positive share, e.g. 0.05")
    if pilot < 2 or max_reps < 2:
        raise ValueError("pilot and max_reps must be at least 2: an interval needs two")
    if kpi not in KPI_NAMES:
        raise ValueError(f"unknown KPI '{kpi}'")
    # every batch must use the same seed, so it is fixed here and not per batch
    seed = scenarios[0].seed if seed is None else seed
    names = unique_names([s.name for s in scenarios])
    reps = min(pilot, max_reps)
    tables = _paired_tables(scenarios, names, seed, range(reps), executor, progress)
    comparison = Comparison(names, tables)
    looks = [paired_precision(comparison, kpi, precision)]
    while not looks[-1].met and looks[-1].needed is not None and reps < max_reps:
        # at least a tenth more per batch: near the target the projection often asks for one
        # or two more, and a batch that small costs a look without changing the estimate much
        total = min(max_reps, 2 * reps, max(looks[-1].needed, reps + math.ceil(reps / 10)))
        comparison = extend(comparison, scenarios, total, seed, executor, progress)
        reps = total
        looks.append(paired_precision(comparison, kpi, precision))
    return SizedComparison(comparison, looks, max_reps)


def unique_names(names: Sequence[str]) -> list[str]:
    """Scenario names made distinct for tables: a repeated name gets " (2)", " (3)" and so on."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


__all__ = ["KPI_NAMES", "PILOT_REPS", "Comparison", "Precision", "SizedComparison", "ci95",
           "compare", "compare_sized", "extend", "paired_precision", "precision_note", "replicate",
           "replication_rows", "replication_table", "replications_needed", "summarise",
           "unique_names"]
