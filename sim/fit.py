"""Fitting the funnel to a CRM export, and showing how well it fits.

Measuring a company is not yet modelling it: the model's stages interact (a bar that lets more
leads through also makes the team busier and slower), so the scenario written from raw
measurements does not reproduce them when it is simulated. This module closes the loop. It
summarises an export and a simulated run with the *same* estimator (:func:`funnel_stats`), and
moves the behavioural parameters until the simulated company, over many replications on common
random numbers, shows what the export shows:

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
(:data:`sim.agents.CYCLE_SHAPE`) maximised with :func:`scipy.optimize.minimize_scalar`.
"""

from __future__ import annotations

import base64
import html
import io
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from sim.agents import CYCLE_SHAPE
from sim.calendar import CLOSE_HOUR, OPEN_HOUR, WORKDAYS
from sim.experiment import ci95
from sim.parallel import Executor, RunSpec, run_all
from sim.params import Scenario
from sim.scenario import with_overrides
from sim.views.labels import plain_number

SELF_SOURCED = "self_sourced"
HOURS = ("created", "mql", "contact", "sql", "opp", "closed")
EXPORT_TIMES = {"created": "created_at", "mql": "became_mql_at", "contact": "first_contact_at",
                "sql": "became_sql_at", "opp": "opportunity_at", "closed": "closed_at"}
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
RATES = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate", "contacted_within_1h")
INNER = ("within_1h_of_attempted", "attempted_share", "sql_of_attempted")
"""Shares the fit aims at (each governed by one dial) but does not show."""


# ----------------------------------------------------------------------------- statistics
def hours_frame(data: pd.DataFrame, origin: pd.Timestamp) -> pd.DataFrame:
    """An export (Timestamps) as hours since ``origin``, in the event log's layout."""
    out = pd.DataFrame({"channel": data["channel"].to_numpy()})
    for ours, theirs in EXPORT_TIMES.items():
        if theirs in data:
            out[ours] = (data[theirs] - origin).dt.total_seconds().to_numpy() / 3600.0
        else:
            out[ours] = np.nan
    out["won"] = data["won"].to_numpy(dtype=bool) if "won" in data else False
    out["amount"] = data["amount"].fillna(0.0).to_numpy(dtype=float) if "amount" in data else 0.0
    return out


def log_frame(event_log: pd.DataFrame) -> pd.DataFrame:
    """A model event log in the layout of :func:`hours_frame`."""
    log = event_log
    return pd.DataFrame({
        "channel": log.channel.to_numpy(), "created": log.created_at.to_numpy(dtype=float),
        "mql": log.became_mql_at.to_numpy(dtype=float),
        "contact": log.first_contact_at.to_numpy(dtype=float),
        "sql": log.became_sql_at.to_numpy(dtype=float),
        "opp": log.opportunity_at.to_numpy(dtype=float),
        "closed": log.closed_at.to_numpy(dtype=float),
        "won": log.won.to_numpy(dtype=bool), "amount": log.amount.to_numpy(dtype=float)})


def funnel_stats(frame: pd.DataFrame, end: float, window: tuple[float, float] | None = None
                 ) -> dict[str, Any]:
    """The figures the fit compares, from a frame in hours; the export and the model go through
    this same function. ``end`` is when the data stop (open deals are censored there);
    ``window`` keeps the records created in ``[start, stop)`` hours (default: all).
    """
    f = frame
    if window is not None:
        f = f[(f.created >= window[0]) & (f.created < window[1])]
        weeks = (window[1] - window[0]) / 168.0
    else:
        weeks = math.nan
    leads = f[f.channel != SELF_SOURCED]
    mql = leads.mql.notna().to_numpy()
    sql = leads.sql.notna().to_numpy()
    opp = leads.opp.notna().to_numpy()
    delay = (leads.contact - leads.mql).to_numpy()[mql]
    attempted = delay[~np.isnan(delay)]
    closed = f[f.closed.notna() & f.opp.notna()]
    open_ = f[f.opp.notna() & f.closed.isna()]
    durations = np.concatenate([(closed.closed - closed.opp).to_numpy() / 24.0,
                                np.maximum(end - open_.opp.to_numpy(), 0.0) / 24.0])
    events = np.concatenate([np.ones(len(closed), bool), np.zeros(len(open_), bool)])
    out: dict[str, Any] = {
        "leads": len(leads), "weeks": weeks,
        "lead_to_mql": (int(mql.sum()), len(leads)),
        "mql_to_sql": (int((mql & sql).sum()), int(mql.sum())),
        "sql_to_opportunity": (int((sql & opp).sum()), int(sql.sum())),
        "win_rate": (int(closed.won.sum()), len(closed)),
        "contacted_within_1h": (int((attempted <= 1.0).sum()), int(mql.sum())),
        "within_1h_of_attempted": (int((attempted <= 1.0).sum()), len(attempted)),
        "attempted_share": (len(attempted), int(mql.sum())),
        "sql_of_attempted": (int((mql & sql & ~np.isnan((leads.contact - leads.mql).to_numpy())
                                  ).sum()), len(attempted)),
        "delays": attempted, "durations": durations, "events": events,
        "won_amounts": f.amount.to_numpy()[f.won.to_numpy(dtype=bool)],
        "created": leads.created.to_numpy(), "mql_times": leads.mql.to_numpy()[mql],
    }
    return out


def figures(s: Mapping[str, Any], weeks: float) -> dict[str, float]:
    """Point values of the fit table's rows from :func:`funnel_stats`."""
    def share(key: str) -> float:
        k, n = s[key]
        return k / n if n else math.nan

    out = {"leads_per_week": s["leads"] / weeks}
    out.update({k: share(k) for k in RATES})
    out["speed_to_lead_h_median"] = (float(np.median(s["delays"])) if len(s["delays"])
                                     else math.nan)
    out["cycle_time_days"] = cycle_mean(s["durations"], s["events"])[0]
    out["revenue_per_week"] = float(s["won_amounts"].sum()) / weeks
    for key in INNER:
        out[key] = share(key)
    return out


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson 95 % interval of a binomial share."""
    if n == 0:
        return (math.nan, math.nan)
    ci = stats.binomtest(int(k), int(n)).proportion_ci(0.95, method="wilson")
    return (float(ci.low), float(ci.high))


def cycle_mean(durations: np.ndarray, events: np.ndarray, shape: float = CYCLE_SHAPE
               ) -> tuple[float, float, float]:
    """Mean cycle time (days) and its 95 % interval: maximum likelihood of a gamma of the given
    shape, closed deals as events and open ones right-censored at their age.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    if e.sum() == 0:
        return (math.nan, math.nan, math.nan)
    t = np.maximum(t, 1e-6)

    def nll(log_scale: float) -> float:
        scale = math.exp(log_scale)
        ll = stats.gamma.logpdf(t[e], shape, scale=scale).sum()
        if (~e).any():
            ll += stats.gamma.logsf(t[~e], shape, scale=scale).sum()
        return -float(ll)

    guess = math.log(max(float(t[e].mean()), 1e-3) / shape)
    res = optimize.minimize_scalar(nll, bounds=(guess - 5.0, guess + 5.0), method="bounded",
                                   options={"xatol": 1e-6})
    x = float(res.x)
    h = 1e-3
    curv = (nll(x + h) - 2.0 * nll(x) + nll(x - h)) / h ** 2
    se = 1.0 / math.sqrt(curv) if curv > 0 else math.inf
    mean = shape * math.exp(x)
    return (mean, shape * math.exp(x - 1.96 * se), shape * math.exp(x + 1.96 * se))


def kaplan_meier(durations: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival curve: times and the share of deals still open just after each."""
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    order = np.argsort(t, kind="stable")
    t, e = t[order], e[order]
    times, surv, s = [0.0], [1.0], 1.0
    at_risk = len(t)
    for value in np.unique(t):
        here = t == value
        d = int(e[here].sum())
        if d:
            s *= 1.0 - d / at_risk
            times.append(float(value))
            surv.append(s)
        at_risk -= int(here.sum())
    return np.array(times), np.array(surv)


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
        fits = self.fits
        if fits is None:
            return "no data"
        if not fits:
            return "MISS"
        return "fits" if self.low <= self.simulated <= self.high else "within 10 %"

    @property
    def thin(self) -> bool:
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
        out["weekly"] = _weekly(s, math.ceil(spec.scenario.weeks))
        out["km"] = kaplan_meier(s["durations"], s["events"])
        out["funnel"] = _funnel_counts(s)
    return out


def simulate(scenario: Scenario, reps: int, seed: int, executor: Executor | None = None,
             window: tuple[float, float] | None = None, weekly: bool = False
             ) -> list[dict[str, Any]]:
    """``reps`` replications of ``scenario`` (replication r always uses the same streams)."""
    job = _Job(end=scenario.weeks * 168.0, window=window, weekly=weekly)
    specs = [RunSpec(scenario, seed, r, {"job": job}) for r in range(reps)]
    return run_all(specs, executor, False, "fit", fn=sim_stats)


def _weekly(s: Mapping[str, Any], weeks: int) -> dict[str, np.ndarray]:
    bins = np.arange(weeks + 1) * 168.0
    return {"leads": np.histogram(s["created"], bins)[0],
            "mqls": np.histogram(s["mql_times"], bins)[0]}


def _funnel_counts(s: Mapping[str, Any]) -> dict[str, int]:
    return {"leads": s["leads"], "MQLs": s["lead_to_mql"][0], "SQLs": s["mql_to_sql"][0],
            "opportunities": s["sql_to_opportunity"][0], "won": s["win_rate"][0]}


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
    x = {d.key: _start(scenario, d, observed) for d in dials}
    reps_key = "sales.reps"
    team = scenario.sales.reps
    slopes = {d.key: d.slope for d in dials}
    damping = {d.key: 1.0 for d in dials}
    history: list[dict[str, Any]] = []
    prev: dict[str, tuple[float, float]] = {}
    converged = False
    current = scenario
    sims: list[dict[str, Any]] = []
    for it in range(max_iter):
        current = with_overrides(scenario, {**{k: _round(v) for k, v in x.items()},
                                            reps_key: team})
        t0 = time.perf_counter()
        sims = simulate(current, reps, seed, executor, weekly=True)
        means = {d.target: float(np.nanmean([s["figures"][d.target] for s in sims]))
                 for d in dials}
        history.append({"iteration": it + 1, **{k: _round(v) for k, v in x.items()},
                        reps_key: team, **{f"sim {k}": v for k, v in means.items()}})
        if progress:
            progress(f"fit iteration {it + 1}: " + ", ".join(
                f"{d.target} {means[d.target]:.3g} (observed {observed[d.target].observed:.3g})"
                for d in dials))
        close = [_close(means[d.target], observed[d.target]) for d in dials]
        if all(close):
            converged = True
            break
        elapsed = time.perf_counter() - started
        if elapsed + (time.perf_counter() - t0) > budget_seconds or it == max_iter - 1:
            break
        new = {}
        for d in dials:
            y = _to(d.scale, x[d.key])
            r = _target_scale(d.target, means[d.target]) - _target_scale(
                d.target, observed[d.target].observed)
            if d.key in prev:
                y0, r0 = prev[d.key]
                if abs(y - y0) > 1e-3 * max(d.step, 1e-9):
                    s = (r - r0) / (y - y0)
                    if s * d.slope > 0:  # keep the slope's sign; bound its size
                        slopes[d.key] = float(np.clip(s, d.slope * 0.2, d.slope * 5.0)
                                              if d.slope > 0 else
                                              np.clip(s, d.slope * 5.0, d.slope * 0.2))
            if d.key in prev and r * prev[d.key][1] < 0:  # overshot: move more gently
                damping[d.key] *= 0.5
            prev[d.key] = (y, r)
            step = float(np.clip(-r / slopes[d.key] * damping[d.key], -d.step, d.step))
            lo, hi = _to(d.scale, d.low), _to(d.scale, d.high)
            new[d.key] = _from(d.scale, float(np.clip(y + step, lo, hi)))
            if d.key == "sales.prospecting_share":
                at_low = new[d.key] <= d.low + 1e-9 and r < 0
                at_high = new[d.key] >= d.high - 1e-9 and r > 0
                if at_low:  # too slow even with no prospecting: a bigger team
                    team += 1
                    new[d.key] = scenario.sales.prospecting_share
                    prev.pop(d.key, None)
                elif at_high and team > 1:
                    team -= 1
                    new[d.key] = scenario.sales.prospecting_share
                    prev.pop(d.key, None)
        x = new
    values = {**{k: _round(v) for k, v in x.items()}}
    if team != scenario.sales.reps:
        values[reps_key] = team
    return FitResult(current, values, history, defaults, converged,
                     time.perf_counter() - started, sims)


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


# ----------------------------------------------------------------------------- reporting
def fit_table(rows: Mapping[str, Row]) -> list[list[str]]:
    """The fit table as text cells: figure, observed [95 %], n, simulated [95 %], verdict."""
    out = []
    for row in rows.values():
        flag = " (thin)" if row.thin else ""
        out.append([row.label, f"{plain_number(row.observed)} [{plain_number(row.low)}, {plain_number(row.high)}]",
                    f"{row.n}{flag}",
                    f"{plain_number(row.simulated)} [{plain_number(row.sim_low)}, {plain_number(row.sim_high)}]",
                    row.verdict])
    return out


FIT_HEADER = ("figure", "observed [95 %]", "n", "simulated [95 %]", "verdict")
"""The columns of :func:`fit_table`."""


def fit_frame(rows: Mapping[str, Row]) -> pd.DataFrame:
    """The fit table as a DataFrame for a notebook: one row per figure, every number written as
    the command line writes it.
    """
    return pd.DataFrame(fit_table(rows), columns=list(FIT_HEADER)).set_index("figure")




def thin_warnings(rows: Mapping[str, Row]) -> list[str]:
    return [f"thin data: {row.label} rests on {row.n} records; read its fit as rough"
            for row in rows.values() if row.thin and not math.isnan(row.observed)]


def office_hours_share(created: pd.Series) -> float:
    """Share of timestamps Mon-Fri between opening and closing time (the model's office)."""
    t = created.dt
    hour = t.hour + t.minute / 60.0
    inside = (t.day_of_week < WORKDAYS) & (hour >= OPEN_HOUR) & (hour < CLOSE_HOUR)
    return float(inside.mean())


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def report_html(title: str, rows: Mapping[str, Row], obs_stats: Mapping[str, Any],
                sims: Sequence[Mapping[str, Any]], weeks: float, notes: Sequence[str],
                holdout: Mapping[str, Row] | None = None, holdout_weeks: int | None = None
                ) -> str:
    """A self-contained HTML page: the fit table, both funnels, weekly volumes and the cycle
    time curve (PNG plots embedded), warnings and what stayed at baseline defaults.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = []
    # funnels
    fig, ax = plt.subplots(figsize=(7, 3.2))
    obs_f = _funnel_counts(obs_stats)
    sim_f = {k: float(np.mean([s["funnel"][k] for s in sims])) for k in obs_f}
    xs = np.arange(len(obs_f))
    ax.bar(xs - 0.2, list(obs_f.values()), 0.4, label="export")
    ax.bar(xs + 0.2, list(sim_f.values()), 0.4, label="simulated (mean)")
    ax.set_xticks(xs, list(obs_f))
    ax.set_yscale("log")
    ax.set_title("Funnel: records at each stage")
    ax.legend()
    images.append(("Both funnels", _png(fig)))
    plt.close(fig)
    # weekly volumes
    n_weeks = min([math.ceil(weeks)] + [len(s["weekly"]["leads"]) for s in sims])
    obs_w = _weekly(obs_stats, n_weeks)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, key in zip(axes, ("leads", "mqls"), strict=True):
        sim_w = np.array([s["weekly"][key][:n_weeks] for s in sims], dtype=float)
        wk = np.arange(n_weeks)
        ax.plot(wk, obs_w[key], "o-", label="export")
        ax.plot(wk, sim_w.mean(axis=0), "-", label="simulated mean")
        ax.fill_between(wk, np.quantile(sim_w, 0.025, axis=0), np.quantile(sim_w, 0.975, axis=0),
                        alpha=0.25, label="simulated 95 % of weeks")
        ax.set_title(f"{key} per week")
        ax.set_xlabel("week")
    axes[0].legend(fontsize=8)
    images.append(("Weekly volumes", _png(fig)))
    plt.close(fig)
    # cycle time
    fig, ax = plt.subplots(figsize=(6, 3.2))
    t, s = kaplan_meier(obs_stats["durations"], obs_stats["events"])
    ax.step(t, s, where="post", label="export (Kaplan-Meier)")
    for i, sim in enumerate(sims[:20]):
        ax.step(sim["km"][0], sim["km"][1], where="post", color="grey", alpha=0.25,
                label="simulated replications" if i == 0 else None)
    mean = rows["cycle_time_days"].observed
    if not math.isnan(mean):
        grid = np.linspace(0, max(t.max() if t.size else 1.0, 3 * mean), 200)
        ax.plot(grid, stats.gamma.sf(grid, CYCLE_SHAPE, scale=mean / CYCLE_SHAPE), "--",
                label=f"gamma fit, mean {mean:.1f} days")
    ax.set_xlabel("days from opportunity")
    ax.set_ylabel("share still open")
    ax.set_title("Cycle time (open deals censored)")
    ax.legend(fontsize=8)
    images.append(("Cycle time", _png(fig)))
    plt.close(fig)

    def table(rs: Mapping[str, Row]) -> str:
        head = ("<tr><th>figure</th><th>observed [95 %]</th><th>n</th>"
                "<th>simulated mean [95 %]</th><th>verdict</th></tr>")
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                       for cells in fit_table(rs))
        return f"<table>{head}{body}</table>"

    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>Observed: the export, with Wilson (shares), bootstrap (median, revenue) or "
             f"likelihood (cycle time) 95 % intervals. Simulated: the calibrated scenario over "
             f"{len(sims)} replications on common random numbers, mean and Student-t 95 % "
             f"interval. A row fits when the simulated mean is inside the observed interval or "
             f"within {TOLERANCE:.0%} of the observed value.</p>", table(rows)]
    if holdout is not None:
        parts += [f"<h2>Holdout: the last {holdout_weeks} weeks, predicted</h2>",
                  "<p>Fitted on the earlier weeks only; these rows compare the leads created "
                  "in the last weeks with the same weeks simulated.</p>", table(holdout)]
    if notes:
        parts += ["<h2>Warnings and baseline defaults</h2><ul>"
                  + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"]
    for caption, data in images:
        parts.append(f"<h2>{html.escape(caption)}</h2>"
                     f"<img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:"
             "collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
