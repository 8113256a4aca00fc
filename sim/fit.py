"""Fitting the funnel to a CRM export: the fit table and the search that moves the model.

Measuring a company is not yet modelling it: the model's stages interact (a bar that lets more
leads through also makes the team busier and slower), so the scenario written from raw
measurements does not reproduce them when it is simulated. This module closes the loop. It
summarises an export and a simulated run with the *same* estimator
(:func:`sim.fit_stats.funnel_stats`), and moves the behavioural parameters until the simulated
company, over many replications on common random numbers, shows what the export shows:

==============================  =========================================================
``scoring.mql_threshold``       lead to MQL
``sales.acceptance_bar``        MQL to SQL
``sales.sql_to_opportunity``    SQL to opportunity
``sales.base_win_rate``         win rate
``sales.prospecting_share``     speed to lead (share of first attempts within 1 h); the
                                number of reps moves when the share alone cannot get there
``sales.cycle_time_days_mean``  cycle time (censored gamma MLE of the export as the target)
==============================  =========================================================

Each stage is governed mostly by its own parameter, so all of them move at once (a Jacobi
secant iteration on the logit or log of each rate); the slope of each stage is re-estimated
from the last two iterates. Cycle times come from every closed deal with the open ones
right-censored at the export date: a gamma likelihood with the model's shape
(:data:`sim.agents.CYCLE_SHAPE`) maximised with :func:`scipy.optimize.minimize_scalar`
(:func:`sim.fit_stats.cycle_mean`). The fit table as text, and the HTML page showing how well
the fit fits, are in :mod:`sim.views.fit_report`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special, stats

from sim.experiment import ci95
from sim.fit_stats import (
    INNER,
    RATES,
    cycle_mean,
    figures,
    funnel_counts,
    funnel_stats,
    kaplan_meier,
    log_frame,
    weekly_counts,
    wilson,
)
from sim.parallel import Executor, RunSpec, run_all
from sim.params import Scenario
from sim.scenario import with_overrides

TOLERANCE = 0.10
"""A simulated figure fits when it is inside the observed 95 % interval or within 10 % of it."""
SPEED_SLACK_H = 0.1
"""Speed to lead also fits within 6 minutes: CRM timestamps are rarely finer than that."""
THIN = 30
"""Fewer records than this behind a figure: the table warns that the data are thin."""

ROWS: dict[str, str] = {
    "leads_per_week": "leads per week",
    "lead_to_mql": "lead → MQL",
    "mql_to_sql": "MQL → SQL",
    "sql_to_opportunity": "SQL → opportunity",
    "win_rate": "win rate",
    "speed_to_lead_h_median": "speed to lead, median (h)",
    "contacted_within_1h": "MQLs attempted within 1 h",
    "cycle_time_days": "cycle time, mean (days)",
    "revenue_per_week": "revenue per week",
}


# ----------------------------------------------------------------------------- the fit table
@dataclass
class Row:
    """One row of the fit table."""

    name: str
    observed: float
    low: float
    high: float
    n: int
    simulated: float = math.nan
    sim_low: float = math.nan
    sim_high: float = math.nan

    @property
    def label(self) -> str:
        """The figure's name as the table shows it."""
        return ROWS.get(self.name, self.name)

    @property
    def fits(self) -> bool | None:
        """Inside the observed interval or within 10 % of the observed value (None: no data)."""
        if math.isnan(self.observed) or math.isnan(self.simulated):
            return None
        inside = self.low <= self.simulated <= self.high
        slack = TOLERANCE * abs(self.observed)
        if self.name == "speed_to_lead_h_median":
            slack = max(slack, SPEED_SLACK_H)
        return bool(inside or abs(self.simulated - self.observed) <= slack)

    @property
    def verdict(self) -> str:
        """"fits", "within 10 %", "MISS" or "no data", as the table shows it."""
        fits = self.fits
        if fits is None:
            return "no data"
        if not fits:
            return "MISS"
        return "fits" if self.low <= self.simulated <= self.high else "within 10 %"

    @property
    def thin(self) -> bool:
        """Whether fewer than :data:`THIN` records are behind the observed figure."""
        return self.n < THIN


def observed_rows(s: Mapping[str, Any], weeks: float, boot: int = 400, seed: int = 0
                  ) -> dict[str, Row]:
    """The observed column of the fit table, each figure with its 95 % interval: Wilson for
    shares, a bootstrap for the median speed and revenue, the likelihood for cycle time.
    """
    rng = np.random.default_rng(seed)
    point = figures(s, weeks)
    rows: dict[str, Row] = {}
    n = s["leads"]
    lo, hi = stats.poisson.interval(0.95, n) if n else (math.nan, math.nan)
    rows["leads_per_week"] = Row("leads_per_week", point["leads_per_week"], lo / weeks,
                                 hi / weeks, n)
    for key in RATES:
        k, m = s[key]
        low, high = wilson(k, m)
        rows[key] = Row(key, point[key], low, high, m)
    delays = s["delays"]
    if len(delays):
        medians = np.median(rng.choice(delays, (boot, len(delays))), axis=1)
        low, high = np.quantile(medians, [0.025, 0.975])
    else:
        low = high = math.nan
    rows["speed_to_lead_h_median"] = Row("speed_to_lead_h_median", point["speed_to_lead_h_median"],
                                         float(low), float(high), len(delays))
    mean, low, high = cycle_mean(s["durations"], s["events"])
    rows["cycle_time_days"] = Row("cycle_time_days", mean, low, high, int(s["events"].sum()))
    amounts = s["won_amounts"]
    if len(amounts):
        totals = (rng.poisson(1.0, (boot, len(amounts))) * amounts).sum(axis=1) / weeks
        low, high = np.quantile(totals, [0.025, 0.975])
    else:
        low = high = math.nan
    rows["revenue_per_week"] = Row("revenue_per_week", point["revenue_per_week"], float(low),
                                   float(high), len(amounts))
    return rows


# ----------------------------------------------------------------------------- simulating
@dataclass(frozen=True)
class _Job:
    """What a worker needs to summarise one simulated replication like the export."""

    end: float
    window: tuple[float, float] | None = None
    weekly: bool = False


def sim_stats(spec: RunSpec) -> dict[str, Any]:
    """Run one replication with its event log and summarise it as the export is (module level,
    so process pools can run it).
    """
    from sim.model import run

    job: _Job = spec.labels["job"]
    result = run(spec.scenario, seed=spec.seed, replication=spec.replication, event_log=True)
    frame = log_frame(result.event_log)
    s = funnel_stats(frame, job.end, job.window)
    weeks = (job.window[1] - job.window[0]) / 168.0 if job.window else spec.scenario.weeks
    out = {"figures": figures(s, weeks), "kpis": {"revenue": result.kpis["revenue"]}}
    if job.weekly:
        out["weekly"] = weekly_counts(s, math.ceil(spec.scenario.weeks))
        out["km"] = kaplan_meier(s["durations"], s["events"])
        out["funnel"] = funnel_counts(s)
    return out


def simulate(scenario: Scenario, reps: int, seed: int, executor: Executor | None = None,
             window: tuple[float, float] | None = None, weekly: bool = False
             ) -> list[dict[str, Any]]:
    """``reps`` replications of ``scenario`` (replication r always uses the same streams)."""
    job = _Job(end=scenario.weeks * 168.0, window=window, weekly=weekly)
    specs = [RunSpec(scenario, seed, r, {"job": job}) for r in range(reps)]
    return run_all(specs, executor, False, "fit", fn=sim_stats)


def simulated_columns(rows: dict[str, Row], sims: Sequence[Mapping[str, Any]]) -> None:
    """Fill the simulated mean and its 95 % interval over the replications into ``rows``."""
    for key, row in rows.items():
        values = np.array([r["figures"][key] for r in sims], dtype=float)
        values = values[~np.isnan(values)]
        if values.size:
            row.simulated = float(values.mean())
            row.sim_low, row.sim_high = ci95(values) if values.size > 1 else (math.nan,) * 2


# ----------------------------------------------------------------------------- fitting
@dataclass(frozen=True)
class Dial:
    """One parameter the fit moves and the figure it moves it for."""

    key: str
    target: str
    low: float
    high: float
    scale: str          # how the parameter moves: "linear", "logit" or "log"
    slope: float        # first guess of d T(figure) / d scale(parameter)
    step: float         # largest move per iteration, on the parameter's scale


DIALS = (
    Dial("scoring.mql_threshold", "lead_to_mql", 0.02, 0.98, "linear", -10.0, 0.15),
    Dial("sales.acceptance_bar", "attempted_share", 0.02, 0.98, "linear", -8.0, 0.15),
    Dial("sales.qualify_prob_fresh", "sql_of_attempted", 0.02, 0.98, "logit", 1.0, 2.0),
    Dial("sales.sql_to_opportunity", "sql_to_opportunity", 0.01, 0.99, "logit", 1.0, 2.0),
    Dial("sales.base_win_rate", "win_rate", 0.005, 0.95, "logit", 1.0, 2.0),
    Dial("sales.prospecting_share", "within_1h_of_attempted", 0.0, 0.85, "linear", -3.0, 0.3),
    Dial("sales.review_hours", "speed_to_lead_h_median", 0.0, 2.0, "linear", 1.0, 0.5),
    Dial("sales.cycle_time_days_mean", "cycle_time_days", 1.0, 3650.0, "log", 1.0, 1.0),
)
NEEDS = {"lead_to_mql": "became_mql_at", "attempted_share": "first_contact_at",
         "sql_of_attempted": "became_sql_at", "speed_to_lead_h_median": "first_contact_at",
         "sql_to_opportunity": "opportunity_at", "win_rate": "won and closed_at",
         "within_1h_of_attempted": "first_contact_at", "cycle_time_days": "closed_at"}


def _to(scale: str, x: float) -> float:
    if scale == "logit":
        return float(special.logit(x))
    if scale == "log":
        return math.log(x)
    return x


def _from(scale: str, y: float) -> float:
    if scale == "logit":
        return float(special.expit(y))
    if scale == "log":
        return math.exp(y)
    return y


def _target_scale(name: str, value: float) -> float:
    """Figures are compared on the logit (shares) or log (times) scale."""
    if name == "cycle_time_days":
        return math.log(max(value, 1e-6))
    if name == "speed_to_lead_h_median":
        return value
    v = min(max(value, 1e-4), 1 - 1e-4)
    return float(special.logit(v))


@dataclass
class FitResult:
    """What the fit moved, how it got there and what it could not determine."""

    scenario: Scenario
    values: dict[str, Any]
    iterations: list[dict[str, Any]] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)
    converged: bool = False
    seconds: float = 0.0
    sims: list[dict[str, Any]] = field(default_factory=list)
    """The replications of the last iteration (of ``scenario``), with their weekly figures."""


def fit_scenario(scenario: Scenario, observed: Mapping[str, Row], reps: int = 20,
                 seed: int | None = None, executor: Executor | None = None,
                 max_iter: int = 10, budget_seconds: float = 90.0,
                 available: Sequence[str] | None = None,
                 progress: Callable[[str], None] | None = None) -> FitResult:
    """Move the dials until the simulated figures match the observed ones.

    ``observed`` holds the export's rows (``observed_rows`` plus ``within_1h_of_attempted``);
    a dial whose figure is missing, or rests on fewer than 5 records, stays at ``scenario``'s
    value and is listed in ``defaults``. Stops when every fitted figure is within a quarter of
    its observed half-interval (or 2 %), after ``max_iter`` iterations, or when the next one
    would pass ``budget_seconds``.
    """
    started = time.perf_counter()
    seed = scenario.seed if seed is None else seed
    dials, defaults = _choose_dials(scenario, observed, available)
    search = _Secant(scenario, dials, observed)
    history: list[dict[str, Any]] = []
    converged = False
    current = scenario
    sims: list[dict[str, Any]] = []
    for it in range(max_iter):
        current = search.scenario()
        t0 = time.perf_counter()
        sims = simulate(current, reps, seed, executor, weekly=True)
        means = {d.target: float(np.nanmean([s["figures"][d.target] for s in sims]))
                 for d in dials}
        history.append(search.record(it, means))
        if progress:
            progress(f"fit iteration {it + 1}: " + ", ".join(
                f"{d.target} {means[d.target]:.3g} (observed {observed[d.target].observed:.3g})"
                for d in dials))
        if all(_close(means[d.target], observed[d.target]) for d in dials):
            converged = True
            break
        elapsed = time.perf_counter() - started
        if elapsed + (time.perf_counter() - t0) > budget_seconds or it == max_iter - 1:
            break
        search.step(means)
    return FitResult(current, search.values(), history, defaults, converged,
                     time.perf_counter() - started, sims)


def _choose_dials(scenario: Scenario, observed: Mapping[str, Row],
                  available: Sequence[str] | None) -> tuple[list[Dial], list[str]]:
    """The dials the export can move (a figure with 5 records or more, a share strictly
    between 0 and 1), and for each other one why it stays at ``scenario``'s value.
    """
    dials, defaults = [], []
    for d in DIALS:
        row = observed.get(d.target)
        ok = (row is not None and not math.isnan(row.observed) and row.n >= 5
              and (available is None or d.target in available))
        if d.target in RATES + INNER and ok:
            ok = 0.0 < row.observed < 1.0
        if ok:
            dials.append(d)
        else:
            why = "too few records" if row is not None and row.n < 5 else f"no {NEEDS[d.target]}"
            defaults.append(f"{d.key} = {_get(scenario, d.key)} (baseline default: {why})")
    return dials, defaults


REPS_KEY = "sales.reps"


class _Secant:
    """Where the fit stands: each dial's value, the slope and damping of its secant step, the
    last iterate it came from, and the team size (moved when prospecting alone cannot match
    speed to lead).
    """

    def __init__(self, scenario: Scenario, dials: list[Dial], observed: Mapping[str, Row]):
        self.base, self.dials, self.observed = scenario, dials, observed
        self.x = {d.key: _start(scenario, d, observed) for d in dials}
        self.team = scenario.sales.reps
        self.slopes = {d.key: d.slope for d in dials}
        self.damping = {d.key: 1.0 for d in dials}
        self.prev: dict[str, tuple[float, float]] = {}

    def scenario(self) -> Scenario:
        """The company the current dials describe."""
        return with_overrides(self.base, {**{k: _round(v) for k, v in self.x.items()},
                                          REPS_KEY: self.team})

    def record(self, it: int, means: Mapping[str, float]) -> dict[str, Any]:
        """One iteration for the history: the dials, the team and the simulated figures."""
        return {"iteration": it + 1, **{k: _round(v) for k, v in self.x.items()},
                REPS_KEY: self.team, **{f"sim {k}": v for k, v in means.items()}}

    def values(self) -> dict[str, Any]:
        """What the fit moved: every dial, and the team when it changed."""
        values = {k: _round(v) for k, v in self.x.items()}
        if self.team != self.base.sales.reps:
            values[REPS_KEY] = self.team
        return values

    def step(self, means: Mapping[str, float]) -> None:
        """Move every dial at once by its own secant step towards its observed figure."""
        self.x = {d.key: self._step(d, means[d.target]) for d in self.dials}

    def _step(self, d: Dial, simulated: float) -> float:
        """One dial's next value: the residual over the slope, damped after an overshoot and
        bounded by the dial's step and range.
        """
        y = _to(d.scale, self.x[d.key])
        r = _target_scale(d.target, simulated) - _target_scale(
            d.target, self.observed[d.target].observed)
        if d.key in self.prev:
            self._update_slope(d, y, r)
            if r * self.prev[d.key][1] < 0:  # overshot: move more gently
                self.damping[d.key] *= 0.5
        self.prev[d.key] = (y, r)
        step = float(np.clip(-r / self.slopes[d.key] * self.damping[d.key], -d.step, d.step))
        lo, hi = _to(d.scale, d.low), _to(d.scale, d.high)
        new = _from(d.scale, float(np.clip(y + step, lo, hi)))
        if d.key == "sales.prospecting_share":
            new = self._resize_team(d, new, r)
        return new

    def _update_slope(self, d: Dial, y: float, r: float) -> None:
        """Re-estimate a dial's slope from its last two iterates (keeping its sign, bounded)."""
        y0, r0 = self.prev[d.key]
        if abs(y - y0) > 1e-3 * max(d.step, 1e-9):
            s = (r - r0) / (y - y0)
            if s * d.slope > 0:  # keep the slope's sign; bound its size
                self.slopes[d.key] = float(np.clip(s, d.slope * 0.2, d.slope * 5.0)
                                           if d.slope > 0 else
                                           np.clip(s, d.slope * 5.0, d.slope * 0.2))

    def _resize_team(self, d: Dial, new: float, r: float) -> float:
        """Prospecting share at a bound and speed to lead still off: one rep more (too slow
        with no prospecting) or fewer (too fast with all of it), the share back at its start.
        """
        at_low = new <= d.low + 1e-9 and r < 0
        at_high = new >= d.high - 1e-9 and r > 0
        if at_low:  # too slow even with no prospecting: a bigger team
            self.team += 1
        elif at_high and self.team > 1:
            self.team -= 1
        else:
            return new
        self.prev.pop(d.key, None)
        return self.base.sales.prospecting_share


def _get(scenario: Scenario, key: str) -> Any:
    obj: Any = scenario
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def _start(scenario: Scenario, dial: Dial, observed: Mapping[str, Row]) -> float:
    if dial.key == "sales.cycle_time_days_mean":
        return float(np.clip(observed["cycle_time_days"].observed, dial.low, dial.high))
    value = _get(scenario, dial.key)
    if value is None:  # sales follows marketing's threshold
        value = scenario.scoring.mql_threshold
    return float(np.clip(value, dial.low, dial.high))


def _round(v: float) -> float:
    return float(f"{v:.5g}")


def _close(simulated: float, row: Row) -> bool:
    if math.isnan(simulated):
        return False
    half = (row.high - row.low) / 2 if not math.isnan(row.high - row.low) else 0.0
    floor = 0.02 if row.name == "speed_to_lead_h_median" else 0.0  # hours: about a minute
    return abs(simulated - row.observed) <= max(0.25 * half, 0.02 * abs(row.observed), floor)


def thin_warnings(rows: Mapping[str, Row]) -> list[str]:
    """A warning for each observed figure that rests on thin data."""
    return [f"thin data: {row.label} rests on {row.n} records; read its fit as rough"
            for row in rows.values() if row.thin and not math.isnan(row.observed)]


