"""Figures: the model's results drawn with matplotlib, built once and redrawn in place.

Each figure here is a stadium scoreboard rather than a printed poster. A poster is made once; a
scoreboard is put up once and afterwards only its numbers change. Every plot is a small class:
the constructor puts up the board (axes, bars, lines, labels) and :meth:`update` writes new
numbers onto the same pieces (``set_data``, ``set_height``, ``set_text``), so a notebook slider
can redraw a figure many times without rebuilding it. A function next to each class puts up a
board, writes the numbers once and returns the :class:`~matplotlib.figure.Figure`, for reports
and scripts::

    from sim import load_scenario, run
    from sim.views.plots import FunnelPlot, funnel

    scenario = load_scenario("scenarios/baseline.yaml")
    fig = funnel(run(scenario, seed=1).kpis)          # build and draw once
    board = FunnelPlot()                              # or keep the board ...
    board.update(run(scenario, seed=1).kpis)          # ... write numbers on it ...
    board.update(run(scenario, seed=2).kpis)          # ... same Figure, same bars, new widths

The inputs are plain data made by :mod:`sim`: a KPI dict (``RunResult.kpis``), weekly ledgers
(``RunResult.weekly``, one per replication, or one long table with a ``replication`` column),
event logs (``run(..., event_log=True).event_log``), the means and 95 % intervals of
:func:`sim.experiment.summarise` or of ``python -m sim ... --json``, and the tidy tables of a
parameter sweep. Several scenarios go in as a mapping ``{scenario name: data}``.

This module holds the figures of one scenario's run (the funnel, revenue and trust over time)
and the helpers every figure shares (:class:`Plot`, tick formatters, the input shapes);
:mod:`sim.views.compare_plots` draws scenarios side by side (KPI bars, speed to lead) and
:mod:`sim.views.sweep_plots` draws sensitivity and sweeps (tornado, heatmap).

Figures are built without pyplot (:class:`matplotlib.figure.Figure`), so no global state is
touched, no figure needs closing and everything works headless under the Agg backend. Pass
``ax=`` (for example from ``plt.subplots()``) to draw into a figure of your own, such as an
interactive notebook canvas. Colours come from the Okabe-Ito palette, which stays
distinguishable for the common forms of colour blindness; heatmaps use ``viridis``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter, ScalarFormatter
from scipy import stats

from sim.views.labels import (
    KPI_LABELS,
    SERIES_LABELS,
    SERIES_SHORT,
    format_tick,
    format_value,
    is_finite,
    is_share,
    kpi_label,
    number,
)
from sim.views.palette import color, scenario_colors

FUNNEL_STAGES: tuple[str, ...] = ("leads", "mqls", "sals", "sqls", "opportunities", "won")
"""The funnel's stages, top to bottom (KPI names)."""

STAGE_LABELS: dict[str, str] = {
    "leads": "leads", "mqls": "MQLs", "sals": "SALs", "sqls": "SQLs",
    "opportunities": "opportunities", "won": "won",
}
"""Short names of the stages, for the funnel's axis."""

PERCENT_KPIS: frozenset[str] = frozenset(k for k in KPI_LABELS if is_share(k))
"""KPIs that are shares: shown as percentages, and their differences in percentage points."""

WEEKLY_SERIES_STYLES: tuple[str, ...] = ("-", "--", ":", "-.")
"""A line style per weekly column when one chart draws several."""


# ------------------------------------------------------------------------------ helpers
WEEKLY_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
"""A marker shape per scenario on lines over time, so lines that run close stay apart."""


def format_param(value: Any) -> str:
    """A lever's value on a tick: numbers with up to six significant digits, text as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return str(value)
    return f"{float(value):,.6g}"


def plain_text(text: Any) -> str:
    """User text shown literally: ``$`` would start mathtext and a leading ``_`` hides a legend
    entry.
    """
    s = str(text).replace("$", r"\$")
    return " " + s if s.startswith("_") else s


class Thousands(ScalarFormatter):
    """Tick labels with thousands separators (``2,400,000``), never an offset or ``1e6``."""

    def __init__(self) -> None:
        super().__init__(useOffset=False)
        self.set_scientific(False)

    def __call__(self, x: float, pos: int | None = None) -> str:
        """The label of the tick at ``x``."""
        return f"{x:,.0f}" if abs(x) >= 1000 else super().__call__(x, pos)


def axis_formatter(kpi: str | None) -> ScalarFormatter | PercentFormatter | FuncFormatter:
    """The tick formatter of a KPI's axis: per cent for shares, short money for currency,
    thousands separators for the rest.
    """
    if kpi is None:
        return Thousands()
    if is_share(kpi):
        return PercentFormatter(1.0)
    if KPI_LABELS.get(kpi, ("", "", ""))[2] == "currency":
        return FuncFormatter(lambda x, _pos: plain_text(format_tick(kpi, x)))
    return Thousands()


def root_figure(ax: Axes) -> Figure:
    """The figure an axis is drawn on, also when the axis sits in a subfigure."""
    try:
        return ax.get_figure(root=True)  # matplotlib >= 3.10 (an axis may sit in a subfigure)
    except TypeError:
        return ax.figure


def _as_frames(runs: Any) -> list[pd.DataFrame]:
    """Weekly ledgers of one scenario: a DataFrame (split by ``replication`` if it has that
    column), an object with ``.weekly`` (a RunResult), or an iterable of those.
    """
    if isinstance(runs, pd.DataFrame):
        if "replication" in runs.columns:
            return [g for _, g in runs.groupby("replication", sort=True)]
        return [runs]
    if hasattr(runs, "weekly"):
        return [runs.weekly]
    frames: list[pd.DataFrame] = []
    for item in runs:
        frames.extend(_as_frames(item))
    return frames


def scenario_groups(data: Any, unnamed: str = "") -> dict[str, Any]:
    """``{name: data}`` for one or several scenarios; a long DataFrame with a ``scenario`` column
    is split by it.
    """
    if isinstance(data, Mapping):
        return {str(k): v for k, v in data.items()}
    if isinstance(data, pd.DataFrame) and "scenario" in data.columns:
        return {str(k): g.drop(columns="scenario") for k, g in data.groupby("scenario", sort=False)}
    return {unnamed: data}


def weekly_mean_ci(runs: Any, column: str, cumulative: bool = False) -> pd.DataFrame:
    """Mean and Student-t 95 % interval of a weekly column across replications.

    ``runs`` is whatever one scenario's replications come as (see :func:`revenue_over_time`).
    Returns columns ``week, mean, low, high, n``; with one replication the interval is the mean
    itself. ``cumulative`` sums each replication over the weeks before averaging.
    """
    frames = _as_frames(runs)
    if not frames:
        return pd.DataFrame(columns=["week", "mean", "low", "high", "n"])
    for f in frames:
        missing = {"week", column} - set(f.columns)
        if missing:
            raise ValueError(f"weekly data lacks column(s) {sorted(missing)}")
    wide = pd.concat(
        {i: f.set_index("week")[column].astype(float) for i, f in enumerate(frames)}, axis=1,
    ).sort_index()
    if cumulative:
        wide = wide.cumsum()
    values = wide.to_numpy(dtype=float)
    ok = np.isfinite(values)
    n = ok.sum(axis=1)
    filled = np.where(ok, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, filled.sum(axis=1) / np.maximum(n, 1), np.nan)
        dev = np.where(ok, values - mean[:, None], 0.0)
        sd = np.sqrt((dev ** 2).sum(axis=1) / np.maximum(n - 1, 1))
        t = stats.t.ppf(0.975, np.maximum(n - 1, 1))
        half = np.where(n >= 2, t * sd / np.sqrt(np.maximum(n, 1)), 0.0)
    return pd.DataFrame({"week": wide.index.to_numpy(dtype=float), "mean": mean,
                         "low": mean - half, "high": mean + half, "n": n})


class Plot:
    """A figure built once (the scoreboard put up); subclasses add :meth:`update`, which writes
    new numbers onto the same artists.
    """

    def __init__(self, ax: Axes | None, figsize: tuple[float, float]):
        if ax is None:
            fig = Figure(figsize=figsize, layout="constrained")
            ax = fig.add_subplot()
        self.ax: Axes = ax
        self.fig: Figure = root_figure(ax)

    def _redraw(self, extra_points: Iterable[np.ndarray] = ()) -> None:
        """Rescale to the new data (collections are not seen by ``relim``) and ask for a draw."""
        self.ax.relim()
        for pts in extra_points:
            pts = np.asarray(pts, dtype=float).reshape(-1, 2)
            pts = pts[np.isfinite(pts).all(axis=1)]
            if len(pts):
                self.ax.update_datalim(pts)
        self.ax.autoscale_view()
        self.fig.canvas.draw_idle()


# ------------------------------------------------------------------------------ funnel
class FunnelPlot(Plot):
    """Leads -> MQLs -> SALs -> SQLs -> opportunities -> won as centred horizontal bars, each
    labelled with its count and its conversion from the stage above.

    Opportunities include those sales found itself by prospecting: their label splits the
    count into those from SQLs (with their share of SQLs) and those sales found, so no share of
    a stage goes above 100 %. MQLs count a lead again when it re-qualifies from nurture.
    """

    def __init__(self, ax: Axes | None = None, title: str = "Funnel", colour: str | None = None):
        super().__init__(ax, (7.0, 3.4))
        n = len(FUNNEL_STAGES)
        y = np.arange(n)
        # one funnel alone: blue stages and the deals won in green; a funnel beside others
        # takes its scenario's colour (``colour``), as the scenario has in every other chart
        colours = [colour] * n if colour else [color(0)] * (n - 1) + [color(2)]
        self.bars = list(self.ax.barh(y, np.zeros(n), left=0.0, height=0.72, color=colours))
        self.labels = [self.ax.text(0.0, yi, "", va="center", ha="left", fontsize=9) for yi in y]
        self.ax.set_yticks(y, [STAGE_LABELS[s] for s in FUNNEL_STAGES])
        self.ax.set_ylim(n - 0.5, -0.5)
        self.ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            self.ax.spines[side].set_visible(False)
        self.ax.tick_params(left=False)
        self.title = self.ax.set_title(plain_text(title), loc="left")
        self.values: list[float] = [0.0] * n

    def update(self, kpis: Mapping[str, Any], title: str | None = None,
               scale: float | None = None) -> FunnelPlot:
        """Draw the stage counts of a KPI dict (one run's or the mean over replications).

        ``scale`` is the count drawn at full width (default: the largest stage); give several
        funnels the same scale to compare their volumes as well as their shapes.
        """
        values = [max(0.0, v) if is_finite(v := number(kpis.get(s))) else 0.0
                  for s in FUNNEL_STAGES]
        top = max(values) if scale is None or not is_finite(scale) or scale <= 0 else float(scale)
        top = top or 1.0
        for i, (bar, label, v) in enumerate(zip(self.bars, self.labels, values, strict=True)):
            bar.set_x(-v / 2)
            bar.set_width(v)
            label.set_text(self._stage_text(i, values, kpis))
            label.set_x(v / 2 + 0.02 * top)
        self.ax.set_xlim(-0.51 * top, 1.6 * top)  # room on the right for the labels
        if title is not None:
            self.title.set_text(plain_text(title))
        self.values = values
        self.fig.canvas.draw_idle()
        return self


    @staticmethod
    def _stage_text(i: int, values: Sequence[float], kpis: Mapping[str, Any]) -> str:
        """A stage's count and its conversion from the stage above. Opportunities count those
        sales found itself too, so their share is of SQLs only for the marketing-sourced ones.
        """
        v = values[i]
        text = f"{v:,.0f}"
        if not i:
            return text
        prev = values[i - 1]
        above = STAGE_LABELS[FUNNEL_STAGES[i - 1]]
        stage = FUNNEL_STAGES[i]
        own = number(kpis.get("self_sourced_opportunities"))
        if stage == "opportunities" and math.isfinite(own) and own > 0:
            from_sqls = max(0.0, v - own)
            share = format_value("mql_to_sql", from_sqls / prev) if prev else "–"
            return f"{text}  ({share} of SQLs\n+ {own:,.0f} found by sales itself)"
        if not prev:
            return f"{text}  (– of {above})"
        if v > prev:  # only where the stage takes in more than the stage above
            return f"{text}  (more than the {above}: includes leads from outside them)"
        return f"{text}  ({format_value('mql_to_sql', v / prev)} of {above})"


def funnel(kpis: Mapping[str, Any], ax: Axes | None = None, title: str = "Funnel",
           scale: float | None = None, colour: str | None = None) -> Figure:
    """Funnel chart of one KPI dict; see :class:`FunnelPlot`."""
    return FunnelPlot(ax, title, colour).update(kpis, scale=scale).fig


# ------------------------------------------------------------------------------ weekly series
class _WeeklyBands(Plot):
    """Mean lines with 95 % bands across replications, one colour per scenario and one line
    style per weekly column; artists are kept per (scenario, column) and reused.
    """

    def __init__(self, ax: Axes | None, figsize: tuple[float, float]):
        super().__init__(ax, figsize)
        self.own_figure = ax is None
        self.legend: Any = None
        self.lines: dict[tuple[str, str], Line2D] = {}
        self.bands: dict[tuple[str, str], PolyCollection] = {}
        self._legend_labels: list[str] = []
        self.ax.set_xlabel("week")
        self.ax.grid(True, alpha=0.3)

    def _draw(self, data: Any, columns: Sequence[str], cumulative: bool) -> None:
        groups = scenario_groups(data)
        wanted = {(name, col) for name in groups for col in columns}
        for key in [k for k in self.lines if k not in wanted]:
            self.lines.pop(key).remove()
            self.bands.pop(key).remove()
        colours = scenario_colors(groups)
        extra = []
        labels = []
        for i, (name, runs) in enumerate(groups.items()):
            frames = _as_frames(runs)
            for j, col in enumerate(columns):
                band = weekly_mean_ci(frames, col, cumulative)
                x = band["week"].to_numpy()
                key = (name, col)
                if key not in self.lines:
                    (self.lines[key],) = self.ax.plot([], [], lw=1.8)
                    self.bands[key] = PolyCollection([], alpha=0.18, linewidths=0)
                    self.ax.add_collection(self.bands[key])
                line, poly = self.lines[key], self.bands[key]
                line.set_data(x, band["mean"].to_numpy())
                line.set_color(colours[name])
                line.set_linestyle(WEEKLY_SERIES_STYLES[j % len(WEEKLY_SERIES_STYLES)])
                if len(groups) > 1:  # markers at staggered weeks keep close lines apart
                    step = max(2, len(x) // 8)
                    line.set_marker(WEEKLY_MARKERS[i % len(WEEKLY_MARKERS)])
                    line.set_markersize(5)
                    line.set_markevery((min(i * max(1, step // len(groups)), step - 1), step))
                series = SERIES_SHORT.get(col, kpi_label(col))
                line.set_label(plain_text(name) if len(columns) == 1 else
                               f"{plain_text(name)} – {series}" if name else series)
                labels.append(f"{name}|{col}")
                verts = np.column_stack([np.r_[x, x[::-1]],
                                         np.r_[band["low"].to_numpy(), band["high"].to_numpy()[::-1]]])
                poly.set_verts([verts] if len(x) else [])
                poly.set_facecolor(colours[name])
                extra.append(verts)
        if labels != self._legend_labels:
            if self.legend is not None:
                self.legend.remove()
                self.legend = None
            handles = self._legend_handles(groups, columns, colours)
            if handles:
                ncol = 1 if len(handles) == 1 else 2 if len(handles) <= 6 else 3
                if self.own_figure:  # below the chart, outside it: it never covers a line
                    self.legend = self.fig.legend(handles=handles, fontsize=8,
                                                  loc="outside lower left", ncol=ncol,
                                                  frameon=False)
                else:
                    self.legend = self.ax.legend(handles=handles, fontsize=8, ncol=ncol,
                                                 loc="upper left", bbox_to_anchor=(0.0, -0.16),
                                                 frameon=False, borderaxespad=0.0)
            self._legend_labels = labels
        self._redraw(extra)

    def _legend_handles(self, groups: Mapping[str, Any], columns: Sequence[str],
                        colours: Mapping[str, str]) -> list[Line2D]:
        """A compact legend below the chart: one entry per scenario (its colour and marker) and,
        with several series, one per series (its line style); none for one unnamed line.
        """
        handles = []
        multi = len(groups) > 1
        if multi or any(groups):
            for i, name in enumerate(groups):
                handles.append(Line2D([], [], color=colours[name], lw=1.8,
                                      marker=WEEKLY_MARKERS[i % len(WEEKLY_MARKERS)] if multi
                                      else None, markersize=5, label=plain_text(name)))
        if len(columns) > 1:
            for j, col in enumerate(columns):
                handles.append(Line2D([], [], color="0.25", lw=1.5,
                                      ls=WEEKLY_SERIES_STYLES[j % len(WEEKLY_SERIES_STYLES)],
                                      label=SERIES_SHORT.get(col, kpi_label(col))))
        return handles

    @staticmethod
    def _order(groups: Mapping[str, Any], columns: Sequence[str]) -> list[tuple[str, str]]:
        return [(name, col) for name in groups for col in columns]


class RevenuePlot(_WeeklyBands):
    """Revenue over the weeks: the mean over replications with its 95 % band, one line per
    scenario; cumulative (revenue booked so far) or week by week.
    """

    def __init__(self, ax: Axes | None = None, cumulative: bool = True):
        super().__init__(ax, (7.0, 4.0))
        self.cumulative = cumulative
        self.ax.yaxis.set_major_formatter(axis_formatter("revenue"))
        self.ax.set_ylabel("revenue")
        self.title = self.ax.set_title("", loc="left")

    def update(self, runs: Any, cumulative: bool | None = None) -> RevenuePlot:
        """Draw ``runs``: one scenario's weekly ledgers (a list of DataFrames or RunResults, or a
        long DataFrame with a ``replication`` column), or ``{scenario name: such runs}``, or a
        long DataFrame with a ``scenario`` column.
        """
        if cumulative is not None:
            self.cumulative = cumulative
        self.title.set_text("Revenue booked so far" if self.cumulative else "Revenue per week")
        n = max((len(_as_frames(r)) for r in scenario_groups(runs).values()), default=0)
        self.ax.set_xlabel("week" + (f"  ·  line: mean of {n} replications, band: 95 % interval"
                                     if n > 1 else ""))
        self._draw(runs, ("revenue",), self.cumulative)
        return self


def revenue_over_time(runs: Any, cumulative: bool = True, ax: Axes | None = None) -> Figure:
    """Revenue over time with a 95 % band across replications; see :class:`RevenuePlot`."""
    return RevenuePlot(ax, cumulative).update(runs).fig


LEVEL_SERIES = frozenset({"trust", "conflict", "understanding", "awareness",
                          "ignore_probability"})
"""Weekly columns that are levels on a 0-1 scale."""


class TrustPlot(_WeeklyBands):
    """Sales' trust in marketing leads week by week (0-1), optionally with conflict and shared
    understanding (any weekly column can be named), one colour per scenario and one line style
    per series, with 95 % bands across replications.
    """

    def __init__(self, ax: Axes | None = None,
                 series: Sequence[str] = ("trust",)):
        super().__init__(ax, (7.0, 4.0))
        self.series = tuple(series)
        if not self.series:
            raise ValueError("series must name at least one weekly column")
        self.levels = set(self.series) <= LEVEL_SERIES
        names = [kpi_label(c) for c in self.series]
        if self.levels:
            self.ax.set_ylabel("level (0 = none, 1 = full)")
        else:
            self.ax.set_ylabel(textwrap.fill(names[0], 34) if len(names) == 1 else "value")
            if len(names) == 1 and SERIES_LABELS.get(self.series[0], ("", ""))[1] == "share":
                self.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        short = [SERIES_SHORT.get(c, kpi_label(c).lower()) for c in self.series]
        text = (names[0] if len(names) == 1 else
                ", ".join(short[:-1]) + " and " + short[-1])
        text = text[:1].upper() + text[1:]
        self.title = self.ax.set_title(textwrap.fill(text + " over time", 64), loc="left")

    def update(self, runs: Any) -> TrustPlot:
        """Draw ``runs`` (same shapes as :meth:`RevenuePlot.update`).

        Levels (trust, conflict, understanding, awareness) keep the whole 0-1 scale so charts
        compare; anything else, such as the scoring error, gets an axis from 0 to a little above
        its largest value, so its changes are visible.
        """
        self._draw(runs, self.series, cumulative=False)
        if self.levels:
            self.ax.set_ylim(0.0, 1.0)
        else:
            self.ax.relim()
            top = self.ax.dataLim.y1
            self.ax.set_ylim(0.0, top * 1.15 if np.isfinite(top) and top > 0 else 1.0)
        return self


def trust_over_time(runs: Any, series: Sequence[str] = ("trust",),
                    ax: Axes | None = None) -> Figure:
    """Trust (and optionally conflict, understanding) over time; see :class:`TrustPlot`."""
    return TrustPlot(ax, series).update(runs).fig


__all__ = [
    "FUNNEL_STAGES", "PERCENT_KPIS", "STAGE_LABELS", "FunnelPlot", "Plot", "RevenuePlot",
    "Thousands", "TrustPlot", "axis_formatter", "format_param", "funnel", "plain_text",
    "revenue_over_time", "root_figure", "scenario_groups", "trust_over_time", "weekly_mean_ci",
]
