"""The fit of a calibration as a page to forward: the fit table, both funnels, the weekly
volumes and the cycle time curve.

Where :mod:`sim.fit` is the tailor's fitting session, this is the photograph taken at the end:
the export and the simulated company side by side, so a reader can see where the model fits
and where it does not. :func:`fit_table` (and :func:`fit_frame`, for a notebook) is the table
the command line prints; :func:`write_fit_report` writes the page for a
:class:`~sim.calibrate.Calibration` that was fitted, and :func:`report_html` builds it from its
parts. The figures are drawn on their own :class:`~matplotlib.figure.Figure` (no pyplot
state) and embedded as PNG data URIs, so the page is one self-contained file.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from sim.agents import CYCLE_SHAPE
from sim.errors import ScenarioError
from sim.files import write_atomic
from sim.fit import TOLERANCE, Row
from sim.fit_stats import funnel_counts, kaplan_meier, weekly_counts
from sim.views.images import figure_data_uri
from sim.views.labels import plain_number

DPI = 90
FIT_HEADER = ("figure", "observed [95 %]", "n", "simulated [95 %]", "verdict")
"""The columns of :func:`fit_table`."""
STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:"
         "collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")


def fit_table(rows: Mapping[str, Row]) -> list[list[str]]:
    """The fit table as text cells: figure, observed [95 %], n, simulated [95 %], verdict."""
    out = []
    for row in rows.values():
        flag = " (thin)" if row.thin else ""
        out.append([row.label, _with_interval(row.observed, row.low, row.high),
                    f"{row.n}{flag}", _with_interval(row.simulated, row.sim_low, row.sim_high),
                    row.verdict])
    return out


def _with_interval(value: float, low: float, high: float) -> str:
    """A figure and its 95 % interval as the table writes them: ``0.25 [0.2, 0.3]``."""
    return f"{plain_number(value)} [{plain_number(low)}, {plain_number(high)}]"


def fit_frame(rows: Mapping[str, Row]) -> pd.DataFrame:
    """The fit table as a DataFrame for a notebook: one row per figure, every number written as
    the command line writes it.
    """
    return pd.DataFrame(fit_table(rows), columns=list(FIT_HEADER)).set_index("figure")


def write_fit_report(path: str | Path, cal: Any, title: str) -> None:
    """Write the fit of ``cal`` (a fitted :class:`~sim.calibrate.Calibration`) as an HTML page
    to ``path``, atomically; a calibration without a fit has nothing to show.
    """
    if cal.fit is None:
        raise ScenarioError("--report", str(path), "needs a fit (--reps)")
    write_atomic(path, report_html(title, cal.rows, cal.stats, cal.sims, cal.weeks, cal.notes(),
                                   cal.holdout, cal.holdout_weeks))


def report_html(title: str, rows: Mapping[str, Row], obs_stats: Mapping[str, Any],
                sims: Sequence[Mapping[str, Any]], weeks: float, notes: Sequence[str],
                holdout: Mapping[str, Row] | None = None, holdout_weeks: int | None = None
                ) -> str:
    """A self-contained HTML page: the fit table, both funnels, weekly volumes and the cycle
    time curve (PNG plots embedded), warnings and what stayed at baseline defaults.
    """
    images = [("Both funnels", _funnel_figure(obs_stats, sims)),
              ("Weekly volumes", _weekly_figure(obs_stats, sims, weeks)),
              ("Cycle time", _cycle_figure(rows, obs_stats, sims))]
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>Observed: the export, with Wilson (shares), bootstrap (median, revenue) or "
             f"likelihood (cycle time) 95 % intervals. Simulated: the calibrated scenario over "
             f"{len(sims)} replications on common random numbers, mean and Student-t 95 % "
             f"interval. A row fits when the simulated mean is inside the observed interval or "
             f"within {TOLERANCE:.0%} of the observed value.</p>", _table(rows)]
    if holdout is not None:
        parts += [f"<h2>Holdout: the last {holdout_weeks} weeks, predicted</h2>",
                  "<p>Fitted on the earlier weeks only; these rows compare the leads created "
                  "in the last weeks with the same weeks simulated.</p>", _table(holdout)]
    if notes:
        parts += ["<h2>Warnings and baseline defaults</h2><ul>"
                  + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"]
    for caption, fig in images:
        parts.append(f"<h2>{html.escape(caption)}</h2>"
                     f"<img alt='{html.escape(caption)}' src='{figure_data_uri(fig, DPI)}'>")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _table(rows: Mapping[str, Row]) -> str:
    """The fit table as HTML, with the cells the command line prints."""
    head = ("<tr><th>figure</th><th>observed [95 %]</th><th>n</th>"
            "<th>simulated mean [95 %]</th><th>verdict</th></tr>")
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
                   for cells in fit_table(rows))
    return f"<table>{head}{body}</table>"


def _funnel_figure(obs_stats: Mapping[str, Any], sims: Sequence[Mapping[str, Any]]) -> Figure:
    """Records at each stage of the funnel: the export's beside the simulated mean (log scale)."""
    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.subplots()
    obs_f = funnel_counts(obs_stats)
    sim_f = {k: float(np.mean([s["funnel"][k] for s in sims])) for k in obs_f}
    xs = np.arange(len(obs_f))
    ax.bar(xs - 0.2, list(obs_f.values()), 0.4, label="export")
    ax.bar(xs + 0.2, list(sim_f.values()), 0.4, label="simulated (mean)")
    ax.set_xticks(xs, list(obs_f))
    ax.set_yscale("log")
    ax.set_title("Funnel: records at each stage")
    ax.legend()
    return fig


def _weekly_figure(obs_stats: Mapping[str, Any], sims: Sequence[Mapping[str, Any]],
                   weeks: float) -> Figure:
    """Leads and MQLs per week: the export's, the simulated mean and 95 % of simulated weeks."""
    n_weeks = min([math.ceil(weeks)] + [len(s["weekly"]["leads"]) for s in sims])
    obs_w = weekly_counts(obs_stats, n_weeks)
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    axes = fig.subplots(1, 2)
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
    return fig


def _cycle_figure(rows: Mapping[str, Row], obs_stats: Mapping[str, Any],
                  sims: Sequence[Mapping[str, Any]]) -> Figure:
    """The share of opportunities still open by age: the export's (Kaplan-Meier, open deals
    censored), the first simulated replications, and the fitted gamma curve.
    """
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.subplots()
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
    return fig
