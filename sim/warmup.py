"""Warm-up: how many early weeks to leave out of the KPIs, computed rather than guessed.

Every run starts with an empty company: no open opportunities, no deals about to close, trust
and awareness at their starting values. Picture a new sales office opening on a Monday. For the
first weeks revenue is low because nothing has had time to close, not because the policy is
poor; a year's KPIs that include those weeks mix the start-up with the steady state the manager
asked about. ``warmup_weeks`` leaves the start-up out, and this module estimates how long it is.

It follows the textbook recipe (Law 2015, section 9.5.1). Run several replications from the
empty start, average each weekly series across them (Welch's ensemble average, which irons out
the week-to-week luck but keeps the start-up shape, since every replication starts the same way),
and apply MSER-5 (White 1997; White, Cobb & Spratt 2000) to each averaged series. The
recommended warm-up is the longest truncation among the series, since one warm-up serves all
KPIs.

References
----------
* Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed. McGraw-Hill, section 9.5.1
  (the start-up problem and Welch's procedure).
* Welch, P. D. (1983). The statistical analysis of simulation results. In S. S. Lavenberg
  (ed.), *Computer Performance Modeling Handbook*, Academic Press, 268-328.
* White, K. P., Jr. (1997). An effective truncation heuristic for bias reduction in simulation
  output. *Simulation* 69(6), 323-334.
* White, K. P., Jr., Cobb, M. J. & Spratt, S. C. (2000). A comparison of five steady-state
  truncation heuristics for simulation. *Proceedings of the 2000 Winter Simulation Conference*,
  755-760.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from sim.parallel import Executor, RunSpec, run_all, specs_for
from sim.params import Scenario

BATCH = 5
"""Observations per batch mean: the "5" of MSER-5."""

MIN_TAIL_BATCHES = 5
"""The statistic is only evaluated while at least this many batch means remain after truncation.

Near the end of a series a handful of batch means can agree by chance, and the statistic of
so few values is then spuriously small; without this guard a stationary series would often be
reported as "too short" because its last two or three batches happened to be close.
"""

DEFAULT_SERIES = ("revenue", "opportunities")

# Statistics closer than this (on the standardised series) count as tied, and the smaller
# truncation wins: rounding must not decide between two equally good answers, and with a tie
# keeping more data is the better choice.
_TIE = 1e-9


def min_observations(batch: int = BATCH) -> int:
    """The shortest series :func:`mser` accepts: one more batch than the guarded tail, so that
    at least two truncations can be compared.
    """
    _check_batch(batch)
    return (MIN_TAIL_BATCHES + 1) * batch


def _check_batch(batch: Any) -> None:
    if isinstance(batch, bool) or not isinstance(batch, int | np.integer) or batch < 1:
        raise ValueError(f"batch must be a whole number of at least 1, got {batch!r}")


@dataclass(frozen=True)
class MSERResult:
    """The outcome of :func:`mser` for one series.

    ``truncation`` is the number of leading observations to drop (a multiple of ``batch``),
    always within the first half of the series. ``run_too_short`` is True when the statistic's
    minimum lay in the second half: the series had not settled long before it ended, so
    ``truncation`` is only the best cut the first half allows and a longer run is needed.
    ``statistic[d]`` is the MSER statistic after dropping ``d`` batches, for every ``d``
    examined (squared units of the series).
    """

    truncation: int
    run_too_short: bool
    batch: int
    statistic: np.ndarray = field(compare=False, repr=False)


def mser(series: Sequence[float] | np.ndarray, batch: int = BATCH) -> MSERResult:
    """The MSER-5 truncation point of a 1-D series (White 1997; White, Cobb & Spratt 2000).

    Think of timing a new route to work. The first trips are slow while you learn the way; to
    state your usual trip time you would drop them, but every trip dropped is evidence thrown
    away. MSER (marginal standard error rule) drops the number of early observations that makes
    the remaining mean most precise: for a truncation of ``d`` it computes

        MSER(d) = sum_{i > d} (x_i - mean_d)^2 / (n - d)^2,

    roughly the squared standard error of the mean of what is left. Dropping start-up values
    makes the rest more alike (the sum shrinks); dropping good values only shrinks ``n - d``
    (the statistic grows). The minimum balances the two. MSER-5 applies the rule to means of
    ``batch`` consecutive observations, which smooths the noise and makes it faster; a
    remainder that does not fill a last batch is left out. The answer is converted back to
    observations (here: weeks).

    Only the first half of the series is searched for the answer (White, Cobb & Spratt 2000): a
    truncation longer than that would leave too little to estimate anything. When the minimum
    over the whole series (as far as :data:`MIN_TAIL_BATCHES` allows) lies in the second half,
    the result says ``run_too_short`` instead, and the run should be repeated longer.

    Raises ValueError for a series that is not 1-D, holds NaN or infinity, or is shorter than
    :func:`min_observations`. A constant series needs no truncation.
    """
    _check_batch(batch)
    x = np.asarray(series, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"series must be one-dimensional, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("series holds NaN or infinite values")
    if x.size < min_observations(batch):
        raise ValueError(f"series has {x.size} observations; MSER with batches of {batch} "
                         f"needs at least {min_observations(batch)}")
    k = x.size // batch
    means = x[: k * batch].reshape(k, batch).mean(axis=1)
    last = k - MIN_TAIL_BATCHES  # the largest truncation (in batches) whose statistic is used
    half = min(k // 2, last)
    spread = means.std()
    if spread == 0 or spread <= 1e-12 * np.abs(means).max():
        # Constant (or constant up to rounding): nothing to gain from dropping anything.
        return MSERResult(0, False, batch, np.zeros(last + 1))
    # Standardised first, so that the cumulative sums below do not lose digits to a large mean
    # and the answer does not depend on the series' units or level.
    z = (means - means.mean()) / spread
    # Sums over the batches left after dropping d, for every d at once: reversed cumulative sums.
    remaining = np.arange(k, 0, -1, dtype=float)[: last + 1]
    total = np.cumsum(z[::-1])[::-1][: last + 1]
    squares = np.cumsum((z * z)[::-1])[::-1][: last + 1]
    deviations = np.maximum(squares - total * total / remaining, 0.0)
    stat = deviations / remaining**2
    overall = int(np.flatnonzero(stat <= stat.min() + _TIE)[0])
    first_half = stat[: half + 1]
    best = int(np.flatnonzero(first_half <= first_half.min() + _TIE)[0])
    return MSERResult(best * batch, overall > half, batch, stat * spread**2)


@dataclass(frozen=True)
class WarmupSuggestion:
    """What :func:`suggest_warmup` found.

    ``truncation_weeks`` maps each series to its MSER-5 truncation in weeks;
    ``recommended_warmup_weeks`` is the longest of them (one warm-up serves every KPI);
    ``too_short`` names the series whose minimum lay in the second half of the run, so that their
    truncation is a lower bound and the run should be longer. ``averaged`` holds the averaged
    weekly series (index ``week`` from 1, one column per series), e.g. for a plot with the
    warm-up marked.
    """

    scenario: str
    seed: int
    reps: int
    weeks: int
    batch: int
    truncation_weeks: dict[str, int]
    recommended_warmup_weeks: int
    too_short: tuple[str, ...]
    averaged: pd.DataFrame = field(compare=False, repr=False)

    @property
    def run_too_short(self) -> bool:
        """True when any series had its MSER minimum in the second half of the run."""
        return bool(self.too_short)

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready values (the command line's ``--json`` object)."""
        return {
            "scenario": self.scenario, "seed": self.seed, "reps": self.reps, "weeks": self.weeks,
            "truncation_weeks": dict(self.truncation_weeks),
            "recommended_warmup_weeks": self.recommended_warmup_weeks,
            "run_too_short": self.run_too_short,
        }


def weekly_series(spec: RunSpec, columns: Sequence[str]) -> np.ndarray:
    """Run one job and return the chosen weekly columns as an array (one row per column).

    A module-level function, so that process pools and Dask workers can be handed it.
    """
    from sim.model import run

    result = run(spec.scenario, seed=spec.seed, replication=spec.replication)
    return result.weekly[list(columns)].to_numpy(dtype=float).T


def suggest_warmup(scenario: Scenario, weeks: int = 260, reps: int = 10,
                   seed: int | None = None, kpis: Sequence[str] = DEFAULT_SERIES,
                   executor: Executor | None = None, batch: int = BATCH,
                   progress: bool = False) -> WarmupSuggestion:
    """Estimate the warm-up of ``scenario``: ``reps`` replications of ``weeks`` weeks from the
    empty start, each weekly series in ``kpis`` averaged across replications, MSER-5 on each.

    ``kpis`` names columns of :attr:`RunResult.weekly <sim.model.RunResult>` (weekly flows such
    as ``revenue``, ``opportunities`` and ``won``, or stocks such as ``trust``). The scenario's
    own ``warmup_weeks`` is ignored: every week is needed to see the start-up. ``executor``
    (``sim/parallel.py``) runs the replications serially, in a process pool or on Dask, with the
    same result either way. Raises ValueError for unusable arguments.
    """
    from sim.scenario import with_overrides

    if isinstance(weeks, bool) or weeks != int(weeks):
        raise ValueError(f"weeks must be a whole number, got {weeks!r}")
    weeks = int(weeks)
    if weeks < min_observations(batch):
        raise ValueError(f"weeks must be at least {min_observations(batch)} for MSER with batches "
                         f"of {batch}, got {weeks}")
    if reps < 1:
        raise ValueError("reps must be at least 1")
    columns = tuple(dict.fromkeys(kpis))
    if not columns:
        raise ValueError("kpis must name at least one weekly series")
    seed = scenario.seed if seed is None else seed
    # Validated like a scenario file: a horizon out of range is one clear error.
    empty_start = with_overrides(scenario, {"weeks": weeks, "warmup_weeks": 0})
    _check_columns(empty_start, columns, seed)
    specs = specs_for(empty_start, reps, seed)
    runs = run_all(specs, executor, progress, f"warm-up {scenario.name}",
                   fn=partial(weekly_series, columns=columns))
    # Summed in replication order whatever order the runs finished in: identical bits serially
    # and in a pool.
    average = np.mean(np.stack(runs), axis=0)
    averaged = pd.DataFrame(average.T, columns=list(columns),
                            index=pd.RangeIndex(1, weeks + 1, name="week"))
    results = {name: mser(averaged[name].to_numpy(), batch) for name in columns}
    truncation = {name: r.truncation for name, r in results.items()}
    return WarmupSuggestion(
        scenario=scenario.name, seed=seed, reps=reps, weeks=weeks, batch=batch,
        truncation_weeks=truncation,
        recommended_warmup_weeks=math.ceil(max(truncation.values())),
        too_short=tuple(name for name, r in results.items() if r.run_too_short),
        averaged=averaged,
    )


def _check_columns(scenario: Scenario, columns: Sequence[str], seed: int) -> None:
    """Refuse unknown series names before the long runs, from a one-week run of the scenario
    (a few hundredths of a second; the model itself is the authority on what it records).
    """
    from sim.model import run
    from sim.scenario import with_overrides

    known = list(run(with_overrides(scenario, {"weeks": 1}), seed=seed).weekly.columns)
    unknown = [c for c in columns if c not in known or c == "week"]
    if unknown:
        choices = ", ".join(c for c in known if c != "week")
        raise ValueError(f"unknown weekly series {', '.join(map(repr, unknown))}; "
                         f"choose from {choices}")


__all__ = ["BATCH", "DEFAULT_SERIES", "MIN_TAIL_BATCHES", "MSERResult", "WarmupSuggestion",
           "min_observations", "mser", "suggest_warmup", "weekly_series"]
