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
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter, ScalarFormatter
from scipy import stats

from sim.sweep import swing
from sim.views.labels import (
    KPI_LABELS,
    OKABE_ITO,
    SERIES_LABELS,
    SERIES_SHORT,
    color,
    format_tick,
    format_value,
    is_share,
    kpi_label,
    lever_label,
    number,
    scenario_colors,
)

FUNNEL_STAGES: tuple[str, ...] = ("leads", "mqls", "sals", "sqls", "opportunities", "won")
STAGE_LABELS: dict[str, str] = {
    "leads": "leads", "mqls": "MQLs", "sals": "SALs", "sqls": "SQLs",
    "opportunities": "opportunities", "won": "won",
}
PERCENT_KPIS: frozenset[str] = frozenset(k for k in KPI_LABELS if is_share(k))
"""KPIs that are shares: shown as percentages, and their differences in percentage points."""

WEEKLY_SERIES_STYLES: tuple[str, ...] = ("-", "--", ":", "-.")
SPEED_FLOOR_H = 1.0 / 60.0
"""Speeds below one minute (including the many zero waits) are drawn at one minute: a log axis
has no zero."""
SPEED_CAP_H = 1000.0
"""Upper edge of the speed-to-lead histogram (about six weeks); slower contacts fall in its last
bin."""
SPEED_BINS = np.logspace(math.log10(SPEED_FLOOR_H), math.log10(SPEED_CAP_H), 37)
TORNADO_COLUMNS: tuple[str, ...] = (
    "parameter", "low_value", "high_value", "kpi_low", "kpi_high", "kpi_base",
)


# ------------------------------------------------------------------------------ helpers
format_kpi = format_value
"""The presentation layer's :func:`sim.views.labels.format_value`, under the name older code uses."""

WEEKLY_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
"""A marker shape per scenario on lines over time, so lines that run close stay apart."""


def _finite(value: Any) -> bool:
    return math.isfinite(number(value))


def _format_param(value: Any) -> str:  # a lever's value on a tick
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return str(value)
    return f"{float(value):,.6g}"


def _plain(text: Any) -> str:
    """User text shown literally: ``$`` would start mathtext and a leading ``_`` hides a legend
    entry.
    """
    s = str(text).replace("$", r"\$")
    return " " + s if s.startswith("_") else s


class _Thousands(ScalarFormatter):
    """Tick labels with thousands separators (``2,400,000``), never an offset or ``1e6``."""

    def __init__(self) -> None:
        super().__init__(useOffset=False)
        self.set_scientific(False)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return f"{x:,.0f}" if abs(x) >= 1000 else super().__call__(x, pos)


def _thousands() -> _Thousands:
    return _Thousands()


def _axis_formatter(kpi: str | None) -> ScalarFormatter | PercentFormatter | FuncFormatter:
    if kpi is None:
        return _Thousands()
    if is_share(kpi):
        return PercentFormatter(1.0)
    if KPI_LABELS.get(kpi, ("", "", ""))[2] == "currency":
        return FuncFormatter(lambda x, _pos: _plain(format_tick(kpi, x)))
    return _Thousands()


def _root_figure(ax: Axes) -> Figure:
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


def _scenario_groups(data: Any, unnamed: str = "") -> dict[str, Any]:
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


def speed_to_lead_hours(event_log: pd.DataFrame, uncontacted: bool = False) -> np.ndarray:
    """Hours from becoming an MQL to the first contact attempt
    (``first_contact_at - became_mql_at``), one value per event-log row that became an MQL and
    was contacted; with ``uncontacted``, MQLs never contacted are included as ``inf``.
    """
    missing = {"first_contact_at", "became_mql_at"} - set(event_log.columns)
    if missing:
        raise ValueError(f"event log lacks column(s) {sorted(missing)}")
    mql = event_log["became_mql_at"].to_numpy(dtype=float)
    contact = event_log["first_contact_at"].to_numpy(dtype=float)
    mql_rows = np.isfinite(mql)
    if uncontacted:
        contact = np.where(mql_rows & np.isnan(contact), np.inf, contact)
    hours = contact[mql_rows] - mql[mql_rows]
    return hours[~np.isnan(hours) & (hours >= 0)]


def _hours(data: Any) -> np.ndarray:
    if isinstance(data, pd.DataFrame):
        return speed_to_lead_hours(data, uncontacted=True)
    if hasattr(data, "event_log"):
        return _hours(data.event_log)
    if isinstance(data, pd.Series | np.ndarray):
        x = np.asarray(data, dtype=float)
        return x[~np.isnan(x) & (x >= 0)]
    items = list(data)
    if items and all(isinstance(i, int | float | np.number) for i in items):
        return _hours(np.asarray(items, dtype=float))
    parts = [_hours(i) for i in items]
    return np.concatenate(parts) if parts else np.empty(0)


class _Plot:
    """A figure built once; subclasses add :meth:`update`."""

    def __init__(self, ax: Axes | None, figsize: tuple[float, float]):
        if ax is None:
            fig = Figure(figsize=figsize, layout="constrained")
            ax = fig.add_subplot()
        self.ax: Axes = ax
        self.fig: Figure = _root_figure(ax)

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
class FunnelPlot(_Plot):
    """Leads -> MQLs -> SALs -> SQLs -> opportunities -> won as centred horizontal bars, each
    labelled with its count and its conversion from the stage above.

    Opportunities include those sales found itself by prospecting: their label splits the
    count into those from SQLs (with their share of SQLs) and those sales found, so no share of
    a stage goes above 100 %. MQLs count a lead again when it re-qualifies from nurture.
    """

    def __init__(self, ax: Axes | None = None, title: str = "Funnel"):
        super().__init__(ax, (7.0, 3.4))
        n = len(FUNNEL_STAGES)
        y = np.arange(n)
        colours = [color(0)] * (n - 1) + [color(2)]
        self.bars = list(self.ax.barh(y, np.zeros(n), left=0.0, height=0.72, color=colours))
        self.labels = [self.ax.text(0.0, yi, "", va="center", ha="left", fontsize=9) for yi in y]
        self.ax.set_yticks(y, [STAGE_LABELS[s] for s in FUNNEL_STAGES])
        self.ax.set_ylim(n - 0.5, -0.5)
        self.ax.xaxis.set_visible(False)
        for side in ("top", "right", "bottom"):
            self.ax.spines[side].set_visible(False)
        self.ax.tick_params(left=False)
        self.title = self.ax.set_title(_plain(title), loc="left")
        self.values: list[float] = [0.0] * n

    def update(self, kpis: Mapping[str, Any], title: str | None = None,
               scale: float | None = None) -> FunnelPlot:
        """Draw the stage counts of a KPI dict (one run's or the mean over replications).

        ``scale`` is the count drawn at full width (default: the largest stage); give several
        funnels the same scale to compare their volumes as well as their shapes.
        """
        values = [max(0.0, v) if _finite(v := number(kpis.get(s))) else 0.0
                  for s in FUNNEL_STAGES]
        top = max(values) if scale is None or not _finite(scale) or scale <= 0 else float(scale)
        top = top or 1.0
        for i, (bar, label, v) in enumerate(zip(self.bars, self.labels, values, strict=True)):
            bar.set_x(-v / 2)
            bar.set_width(v)
            label.set_text(self._stage_text(i, values, kpis))
            label.set_x(v / 2 + 0.02 * top)
        self.ax.set_xlim(-0.51 * top, 1.6 * top)  # room on the right for the labels
        if title is not None:
            self.title.set_text(_plain(title))
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
           scale: float | None = None) -> Figure:
    """Funnel chart of one KPI dict; see :class:`FunnelPlot`."""
    return FunnelPlot(ax, title).update(kpis, scale=scale).fig


# ------------------------------------------------------------------------------ weekly series
class _WeeklyBands(_Plot):
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
        groups = _scenario_groups(data)
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
                line.set_label(_plain(name) if len(columns) == 1 else
                               f"{_plain(name)} – {series}" if name else series)
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
                                      else None, markersize=5, label=_plain(name)))
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
        self.ax.yaxis.set_major_formatter(_axis_formatter("revenue"))
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
        n = max((len(_as_frames(r)) for r in _scenario_groups(runs).values()), default=0)
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


# ------------------------------------------------------------------------------ KPI bars
class KpiBarsPlot:
    """One small panel per KPI: a bar per scenario at its mean, with its 95 % interval as an
    error bar; the value is written on each bar.

    ``ax`` may be one axis (one KPI) or a sequence of axes (one per KPI); otherwise panels are
    laid out ``ncols`` to a row in ``fig`` or in a new figure.
    """

    def __init__(self, kpis: str | Sequence[str] = ("revenue",),
                 ax: Axes | Sequence[Axes] | None = None, fig: Figure | None = None,
                 ncols: int = 3):
        self.kpis = (kpis,) if isinstance(kpis, str) else tuple(kpis)
        if not self.kpis:
            raise ValueError("kpis must name at least one KPI")
        if ax is not None:
            axes = [ax] if isinstance(ax, Axes) else list(ax)
            if len(axes) != len(self.kpis):
                raise ValueError(f"{len(self.kpis)} KPI(s) need as many axes, got {len(axes)}")
        else:
            ncols = max(1, min(ncols, len(self.kpis)))
            nrows = math.ceil(len(self.kpis) / ncols)
            if fig is None:
                fig = Figure(figsize=(3.6 * ncols, 3.1 * nrows), layout="constrained")
            grid = fig.subplots(nrows, ncols, squeeze=False).ravel()
            for spare in grid[len(self.kpis):]:
                spare.remove()
            axes = list(grid[:len(self.kpis)])
        self.own_figure = ax is None
        self.legend: Any = None
        self.axes: list[Axes] = axes
        self.ax = axes[0]
        self.fig: Figure = _root_figure(self.ax)
        self.names: list[str] = []
        self.bars: dict[str, list[Any]] = {}
        self.whiskers: dict[str, LineCollection] = {}
        self.texts: dict[str, list[Any]] = {}
        for kpi, a in zip(self.kpis, self.axes, strict=True):
            a.set_title(kpi_label(kpi, 38), fontsize=9, loc="left")
            a.yaxis.set_major_formatter(_axis_formatter(kpi))
            a.axhline(0.0, color="0.3", lw=0.8)
            a.margins(x=0.08, y=0.18)
            a.grid(True, axis="y", alpha=0.3)
            self.whiskers[kpi] = LineCollection([], colors="0.15", linewidths=1.2)
            a.add_collection(self.whiskers[kpi])

    FONT = 8.0
    CHAR_WIDTH = 0.62
    """Width of an average character in units of the font size (DejaVu Sans), to judge
    whether labels fit side by side before anything is drawn."""

    def _slot_points(self, a: Axes, n: int) -> float:
        """Width of one bar's slot in points (the axis' share of the figure, less a margin)."""
        width_in = a.get_position().width * self.fig.get_figwidth() * 0.95
        return width_in * 72.0 / max(n, 1) / (1 + 2 * 0.08)

    def _fits(self, a: Axes, texts: Sequence[str], n: int) -> bool:
        longest = max((len(t) for t in texts), default=0)
        return longest * self.FONT * self.CHAR_WIDTH <= 0.95 * self._slot_points(a, n)

    def _build(self, names: list[str]) -> None:
        x = np.arange(len(names))
        colours = scenario_colors(names)
        for kpi, a in zip(self.kpis, self.axes, strict=True):
            for artist in [*self.bars.get(kpi, []), *self.texts.get(kpi, [])]:
                artist.remove()
            self.bars[kpi] = list(a.bar(x, np.zeros(len(names)), width=0.7,
                                        color=[colours[n] for n in names]))
            self.texts[kpi] = [a.annotate("", (i, 0.0), xytext=(0, 3),
                                          textcoords="offset points", ha="center",
                                          va="bottom", fontsize=self.FONT)
                               for i in range(len(names))]
            shown = [_plain(n) for n in names]
            fits = self._fits(a, shown, len(names))
            if not fits and self.own_figure:  # the names go into one legend below the panels
                a.set_xticks(x, [""] * len(names))
                a.tick_params(axis="x", length=0)
                continue
            rotation = 0 if fits else (30 if len(names) <= 6 else 90)
            a.set_xticks(x, shown, rotation=rotation,
                         ha="center" if rotation in (0, 90) else "right",
                         rotation_mode="anchor" if rotation == 30 else "default",
                         fontsize=self.FONT)
        if self.legend is not None:
            self.legend.remove()
            self.legend = None
        if self.own_figure and not self._fits(self.axes[0], [_plain(n) for n in names],
                                              len(names)):
            handles = [Patch(color=colours[n], label=_plain(n)) for n in names]
            longest = max(len(n) for n in names)
            ncol = max(1, min(len(names), int(self.fig.get_figwidth() * 72 /
                                              (longest * self.FONT * self.CHAR_WIDTH + 30))))
            self.legend = self.fig.legend(handles=handles, fontsize=self.FONT, ncol=ncol,
                                          loc="outside lower center", frameon=False)
        self.names = names

    def update(self, means: Mapping[str, Mapping[str, Any]],
               ci: Mapping[str, Mapping[str, Any] | None] | None = None) -> KpiBarsPlot:
        """Draw ``{scenario: {kpi: mean}}`` with ``{scenario: {kpi: [low, high]}}`` intervals
        (None, a missing scenario or a null interval draws no error bar).
        """
        names = [str(n) for n in means]
        if names != self.names:
            self._build(names)
        rows = list(means.values())
        intervals = [(ci or {}).get(n) or {} for n in means]
        for kpi, a in zip(self.kpis, self.axes, strict=True):
            segments = []
            for i, (row, bar, text) in enumerate(zip(rows, self.bars[kpi], self.texts[kpi],
                                                     strict=True)):
                v = number(row.get(kpi))
                bar.set_height(v if _finite(v) else 0.0)
                top = bottom = v if _finite(v) else 0.0
                pair = intervals[i].get(kpi)
                if pair is not None and len(pair) == 2 and all(_finite(p) for p in pair):
                    lo, hi = sorted(float(p) for p in pair)
                    segments += [[(i, lo), (i, hi)], [(i - 0.12, lo), (i + 0.12, lo)],
                                 [(i - 0.12, hi), (i + 0.12, hi)]]
                    top, bottom = max(top, hi), min(bottom, lo)
                text.set_text(_plain(format_value(kpi, v, compact=True)))
                below = _finite(v) and v < 0
                text.xy = (i, bottom if below else top)
                text.set_position((0, -3 if below else 3))
                text.set_verticalalignment("top" if below else "bottom")
            labels = [t.get_text() for t in self.texts[kpi]]
            upright = not self._fits(a, labels, len(labels))
            for text in self.texts[kpi]:
                text.set_rotation(90 if upright else 0)
            self.whiskers[kpi].set_segments(segments)
            a.relim()
            if segments:
                a.update_datalim(np.asarray(segments, dtype=float).reshape(-1, 2))
            a.autoscale_view()
            if upright:  # room above (and below) the bars for labels standing upright
                self._headroom(a, max(len(t) for t in labels))
        self.fig.canvas.draw_idle()
        return self


    def _headroom(self, a: Axes, chars: int) -> None:
        height_pt = a.get_position().height * self.fig.get_figheight() * 72.0 * 0.8
        share = min(0.6, (chars * self.FONT * self.CHAR_WIDTH + 6) / max(height_pt, 1.0))
        low, high = a.get_ylim()
        span = (high - low) or 1.0
        extra = span * share / (1 - share)
        a.set_ylim(low - (extra if low < 0 else 0.0), high + (extra if high > 0 else 0.0))


def kpi_bars(means: Mapping[str, Mapping[str, Any]],
             ci: Mapping[str, Mapping[str, Any] | None] | None = None,
             kpis: str | Sequence[str] = ("revenue",), ax: Axes | Sequence[Axes] | None = None,
             fig: Figure | None = None, ncols: int = 3) -> Figure:
    """KPI means per scenario with 95 % error bars; see :class:`KpiBarsPlot`."""
    return KpiBarsPlot(kpis, ax, fig, ncols).update(means, ci).fig


# ------------------------------------------------------------------------------ speed to lead
class SpeedToLeadPlot(_Plot):
    """How long MQLs waited for the first contact attempt, on a log axis with 1 h and 24 h
    marked (Oldroyd et al., HBR 2011: within the hour is worth about 7 times the odds of
    qualifying).

    Shares are of all MQLs, so MQLs never contacted (the lead black hole) count too: with an
    event log, ``kind="ecdf"`` draws the share of MQLs contacted within x hours, which levels
    off at the share ever contacted (best for comparing scenarios); ``kind="hist"`` draws the
    share contacted in each log-spaced bin. Waits under a minute, including the many leads a
    free rep picks up at once, are drawn at one minute.
    """

    def __init__(self, ax: Axes | None = None, kind: str = "ecdf"):
        if kind not in ("ecdf", "hist"):
            raise ValueError(f"kind must be 'ecdf' or 'hist', got {kind!r}")
        super().__init__(ax, (7.0, 4.0))
        self.kind = kind
        self.artists: dict[str, Any] = {}
        self._legend_labels: list[str] = []
        self.ax.set_xscale("log")
        self.reference_lines = []
        trans = self.ax.get_xaxis_transform()
        for hours, text in ((1.0, "1 h"), (24.0, "24 h")):
            self.reference_lines.append(self.ax.axvline(hours, color="0.35", ls="--", lw=1))
            self.ax.text(hours * 1.08, 0.98, text, transform=trans, ha="left", va="top",
                         fontsize=8, color="0.25")
        self.ax.set_xlabel("hours from MQL to first contact attempt "
                           "(log scale; under 1 minute drawn at 1 minute)")
        self.ax.set_ylabel("share of MQLs contacted " + ("within x hours" if kind == "ecdf"
                                                        else "in each bin"))
        self.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        self.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        self.ax.grid(True, alpha=0.3)
        self.ax.set_title("Speed to lead", loc="left")

    def update(self, data: Any) -> SpeedToLeadPlot:
        """Draw an event log (DataFrame), several replications' event logs (a list), hours
        already computed (an array; ``inf`` for an MQL never contacted), or
        ``{scenario name: any of these}``.
        """
        groups = _scenario_groups(data)
        for name in [n for n in self.artists if n not in groups]:
            self.artists.pop(name).remove()
        labels = []
        colours = scenario_colors(groups)
        for name, item in groups.items():
            every = _hours(item)
            n = len(every)  # MQLs, contacted or not
            hours = np.clip(every[np.isfinite(every)], SPEED_FLOOR_H, None)
            k = len(hours)
            within = float((hours <= 1.0).sum() / n) if n else 0.0
            label = (f"{_plain(name) + ': ' if name else ''}{within:.0%} within 1 h, "
                     f"{k / n if n else 0:.0%} contacted at all (n = {n:,} MQLs)"
                     ).replace("%", " %")
            if self.kind == "ecdf":
                x = np.sort(hours)
                y = np.arange(1, k + 1) / n if k else np.empty(0)
                if k:
                    x, y = np.r_[x[0], x], np.r_[0.0, y]
                if name not in self.artists:
                    (self.artists[name],) = self.ax.plot([], [], drawstyle="steps-post", lw=1.8)
                self.artists[name].set_data(x, y)
                self.artists[name].set_color(colours[name])
            else:
                counts, _ = np.histogram(np.clip(hours, None, SPEED_CAP_H), SPEED_BINS)
                share = counts / n if n else np.zeros(len(SPEED_BINS) - 1)
                if name not in self.artists:
                    self.artists[name] = self.ax.stairs(share, SPEED_BINS, lw=1.8)
                self.artists[name].set_data(share, SPEED_BINS)
                self.artists[name].set_edgecolor(colours[name])
            self.artists[name].set_label(label)
            labels.append(label)
        if labels != self._legend_labels:
            if self.ax.get_legend() is not None:
                self.ax.get_legend().remove()
            self.ax.legend(handles=list(self.artists.values()), fontsize=8, loc="upper left",
                           bbox_to_anchor=(0.0, -0.16), frameon=False)
            self._legend_labels = labels
        self._redraw()
        self.ax.set_ylim(0.0, 1.02 if self.kind == "ecdf" else None)
        return self


def speed_to_lead(data: Any, kind: str = "ecdf", ax: Axes | None = None) -> Figure:
    """Distribution of MQL-to-first-contact hours; see :class:`SpeedToLeadPlot`."""
    return SpeedToLeadPlot(ax, kind).update(data).fig


# ------------------------------------------------------------------------------ tornado
def tornado_order(data: pd.DataFrame) -> pd.DataFrame:
    """Check a one-at-a-time sensitivity table and sort it by swing, largest first.

    The table has one row per parameter and the columns of :data:`TORNADO_COLUMNS`:

    ``parameter``
        the dotted scenario key that was varied (``sales.reps``);
    ``low_value``, ``high_value``
        the two values it was set to (numbers or text);
    ``kpi_low``, ``kpi_high``
        the KPI (mean over replications) with the parameter at its low and at its high value,
        everything else at the base scenario;
    ``kpi_base``
        the KPI of the base scenario (the same on every row).

    The swing added as a ``swing`` column is the width of the drawn bar: from the lowest to the
    highest of ``kpi_low``, ``kpi_base`` and ``kpi_high`` (``|kpi_high - kpi_low|`` when the two
    fall on opposite sides of the base).
    """
    missing = [c for c in TORNADO_COLUMNS if c not in data.columns]
    if missing:
        raise ValueError(f"sensitivity table lacks column(s) {missing}; expected "
                         f"{list(TORNADO_COLUMNS)}")
    out = data.reset_index(drop=True).copy()
    out["swing"] = [swing(float(lo), float(base), float(hi)) for lo, base, hi
                    in out[["kpi_low", "kpi_base", "kpi_high"]].itertuples(index=False)]
    return out.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


class TornadoPlot(_Plot):
    """One-at-a-time sensitivity: per parameter, a bar from the base KPI to the KPI at the
    parameter's low value and one to its high value; parameters sorted by swing, largest at
    the top. The input table is described in :func:`tornado_order`.
    """

    LOW, HIGH = color(0), color(1)

    def __init__(self, ax: Axes | None = None, kpi: str | None = None):
        super().__init__(ax, (8.0, 4.2))
        self.kpi = kpi
        self.base_line = self.ax.axvline(0.0, color="0.2", lw=1)
        self.low_bars: list[Any] = []
        self.high_bars: list[Any] = []
        self.low_texts: list[Any] = []
        self.high_texts: list[Any] = []
        self.order: list[str] = []
        self.ax.legend(handles=[Patch(color=self.LOW, label="parameter at its low value"),
                                Patch(color=self.HIGH, label="parameter at its high value")],
                       fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
                       frameon=False)
        self.base_label = self.ax.text(0.0, 1.0, "", transform=self.ax.get_xaxis_transform(),
                                       ha="center", va="bottom", fontsize=8, color="0.2")
        self.ax.xaxis.set_major_formatter(_thousands())
        self.ax.xaxis.set_major_locator(MaxNLocator(5))
        self.ax.margins(x=0.35)
        self.ax.grid(True, axis="x", alpha=0.3)
        self.title = self.ax.set_title("", loc="left", pad=14)

    def _build(self, n: int) -> None:
        for artist in [*self.low_bars, *self.high_bars, *self.low_texts, *self.high_texts]:
            artist.remove()
        y = np.arange(n)
        self.low_bars = list(self.ax.barh(y, np.zeros(n), height=0.6, color=self.LOW))
        self.high_bars = list(self.ax.barh(y, np.zeros(n), height=0.6, color=self.HIGH))
        self.low_texts = [self.ax.text(0, yi, "", va="center", fontsize=8) for yi in y]
        self.high_texts = [self.ax.text(0, yi, "", va="center", fontsize=8) for yi in y]

    def update(self, data: pd.DataFrame, kpi: str | None = None) -> TornadoPlot:
        """Draw a sensitivity table (see :func:`tornado_order`)."""
        if kpi is not None:
            self.kpi = kpi
        table = tornado_order(data)
        n = len(table)
        if n != len(self.low_bars):
            self._build(n)
        bases = table["kpi_base"].astype(float).to_numpy()
        base_ref = float(np.nanmean(bases)) if n and np.isfinite(bases).any() else 0.0
        fmt = (lambda v: _plain(format_value(self.kpi, v))) if self.kpi else (lambda v: f"{v:,.4g}")
        for i, row in table.iterrows():
            base = float(row["kpi_base"]) if _finite(row["kpi_base"]) else base_ref
            pairs = ((self.low_bars[i], self.low_texts[i], row["kpi_low"], row["low_value"]),
                     (self.high_bars[i], self.high_texts[i], row["kpi_high"], row["high_value"]))
            for bar, text, value, setting in pairs:
                v = float(value) if _finite(value) else base
                bar.set_x(base)
                bar.set_width(v - base)
                text.set_position((v, i))
                text.set_horizontalalignment("right" if v < base else "left")
                text.set_text(f" {_plain(_format_param(setting))}: {fmt(v)} ")
        self.order = [str(p) for p in table["parameter"]]
        self.ax.set_yticks(np.arange(n), [_plain(lever_label(p)) for p in self.order])
        self.base_line.set_xdata([base_ref, base_ref])
        self.base_label.set_x(base_ref)
        self.base_label.set_text(f"base {fmt(base_ref)}")
        if self.kpi:
            self.ax.xaxis.set_major_formatter(_axis_formatter(self.kpi))
        self.ax.set_xlabel(_plain(kpi_label(self.kpi, 80)) if self.kpi else "KPI")
        self.title.set_text(f"Sensitivity of {kpi_label(self.kpi).lower() if self.kpi else 'the KPI'}"
                            ", one parameter at a time")
        self._redraw()
        self.ax.set_ylim(n - 0.5, -0.5)
        return self


def tornado(data: pd.DataFrame, kpi: str | None = None, ax: Axes | None = None) -> Figure:
    """Tornado chart of a one-at-a-time sensitivity table; see :class:`TornadoPlot`."""
    return TornadoPlot(ax, kpi).update(data).fig


# ------------------------------------------------------------------------------ heatmap
def sweep_table(data: pd.DataFrame, x: str, y: str, kpi: str) -> pd.DataFrame:
    """Mean of ``kpi`` over replications for each (``y``, ``x``) cell of a tidy sweep table:
    rows are the values of ``y``, columns those of ``x``, both sorted.
    """
    missing = [c for c in (x, y, kpi) if c not in data.columns]
    if missing:
        raise ValueError(f"sweep table lacks column(s) {missing}")
    values = pd.to_numeric(data[kpi], errors="coerce")
    return values.groupby([data[y], data[x]]).mean().unstack(x).sort_index().sort_index(axis=1)


class SweepHeatmap(_Plot):
    """A two-parameter sweep as a grid of cells coloured by the KPI's mean over replications,
    each cell annotated with its value.
    """

    def __init__(self, x: str, y: str, kpi: str, ax: Axes | None = None,
                 cmap: str = "viridis"):
        super().__init__(ax, (6.4, 4.4))
        self.x, self.y, self.kpi = x, y, kpi
        self.image = self.ax.imshow(np.ma.masked_all((1, 1)), cmap=cmap, origin="lower",
                                    aspect="auto", interpolation="nearest")
        self.colorbar = self.fig.colorbar(self.image, ax=self.ax)
        self.colorbar.set_label(_plain(kpi_label(kpi, 40)), fontsize=8)
        self.colorbar.formatter = _axis_formatter(kpi)
        self.texts: list[list[Any]] = []
        self.table: pd.DataFrame | None = None
        self.ax.set_xlabel(_plain(lever_label(x)))
        self.ax.set_ylabel(_plain(lever_label(y)))
        self.ax.set_title(f"{_plain(kpi_label(kpi))}: mean over replications", loc="left")

    def update(self, data: pd.DataFrame) -> SweepHeatmap:
        """Draw a tidy sweep table: one row per run with the ``x`` and ``y`` parameter columns
        and the ``kpi`` column (other columns are ignored).
        """
        table = sweep_table(data, self.x, self.y, self.kpi)
        ny, nx = table.shape
        values = table.to_numpy(dtype=float)
        masked = np.ma.masked_invalid(values)
        self.image.set_data(masked)
        self.image.set_extent((-0.5, nx - 0.5, -0.5, ny - 0.5))
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if lo == hi:
            lo, hi = lo - 0.5 * (abs(lo) or 1.0), hi + 0.5 * (abs(hi) or 1.0)
        self.image.set_clim(lo, hi)
        if [len(r) for r in self.texts] != [nx] * ny:
            for text in (t for row in self.texts for t in row):
                text.remove()
            self.texts = [[self.ax.text(c, r, "", ha="center", va="center", fontsize=8)
                           for c in range(nx)] for r in range(ny)]
        for r in range(ny):
            for c in range(nx):
                v = values[r, c]
                text = self.texts[r][c]
                text.set_text(_plain(format_value(self.kpi, v, compact=True)))
                shade = (v - lo) / (hi - lo) if np.isfinite(v) else 1.0
                text.set_color("white" if shade < 0.55 else "black")
        self.ax.set_xticks(np.arange(nx), [_plain(_format_param(v)) for v in table.columns])
        self.ax.set_yticks(np.arange(ny), [_plain(_format_param(v)) for v in table.index])
        self.ax.set_xlim(-0.5, nx - 0.5)
        self.ax.set_ylim(-0.5, ny - 0.5)
        self.colorbar.update_normal(self.image)
        self.table = table
        self.fig.canvas.draw_idle()
        return self


def sweep_heatmap(data: pd.DataFrame, x: str, y: str, kpi: str,
                  ax: Axes | None = None) -> Figure:
    """Heatmap of a two-parameter sweep; see :class:`SweepHeatmap`."""
    return SweepHeatmap(x, y, kpi, ax).update(data).fig


__all__ = [
    "FUNNEL_STAGES", "OKABE_ITO", "PERCENT_KPIS", "TORNADO_COLUMNS", "FunnelPlot",
    "KpiBarsPlot", "RevenuePlot", "SpeedToLeadPlot", "SweepHeatmap", "TornadoPlot", "TrustPlot",
    "color", "format_kpi", "format_value", "funnel", "kpi_bars", "kpi_label", "revenue_over_time",
    "speed_to_lead", "speed_to_lead_hours", "sweep_heatmap", "sweep_table", "tornado",
    "tornado_order", "trust_over_time", "weekly_mean_ci",
]
