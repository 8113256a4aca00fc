"""The funnel measured the same way in a CRM export and in a simulated run.

A fair comparison needs one ruler. :func:`hours_frame` (an export) and :func:`log_frame` (a
model event log) put both in the same layout, hours since the first Monday, and
:func:`funnel_stats` counts both the same way: leads, each stage's share, how soon MQLs are
attempted, and every opportunity's age, closed or still open. Beside it live the estimators the
fit table rests on: Wilson intervals of shares (:func:`wilson`), the mean cycle time of a gamma
with open deals right-censored (:func:`cycle_mean`) and the Kaplan-Meier curve of deals still
open (:func:`kaplan_meier`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.agents import CYCLE_SHAPE
from sim.calendar import CLOSE_HOUR, OPEN_HOUR, WORKDAYS

SELF_SOURCED = "self_sourced"
HOURS = ("created", "mql", "contact", "sql", "opp", "closed")
EXPORT_TIMES = {"created": "created_at", "mql": "became_mql_at", "contact": "first_contact_at",
                "sql": "became_sql_at", "opp": "opportunity_at", "closed": "closed_at"}
# the shares of the fit table, each with its Wilson interval
RATES = ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "win_rate", "contacted_within_1h")
INNER = ("within_1h_of_attempted", "attempted_share", "sql_of_attempted")
"""Shares the fit aims at (each governed by one dial) but does not show."""


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


def weekly_counts(s: Mapping[str, Any], weeks: int) -> dict[str, np.ndarray]:
    """Leads and MQLs created in each of the first ``weeks`` weeks of a summary."""
    bins = np.arange(weeks + 1) * 168.0
    return {"leads": np.histogram(s["created"], bins)[0],
            "mqls": np.histogram(s["mql_times"], bins)[0]}


def funnel_counts(s: Mapping[str, Any]) -> dict[str, int]:
    """The records at each stage of a summary's funnel, from leads to won deals."""
    return {"leads": s["leads"], "MQLs": s["lead_to_mql"][0], "SQLs": s["mql_to_sql"][0],
            "opportunities": s["sql_to_opportunity"][0], "won": s["win_rate"][0]}


def office_hours_share(created: pd.Series) -> float:
    """Share of timestamps Mon-Fri between opening and closing time (the model's office)."""
    t = created.dt
    hour = t.hour + t.minute / 60.0
    inside = (t.day_of_week < WORKDAYS) & (hour >= OPEN_HOUR) & (hour < CLOSE_HOUR)
    return float(inside.mean())
