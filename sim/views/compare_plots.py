"""Scenarios side by side: a bar per scenario for each KPI, and how fast each reaches its MQLs.

A comparison is a line-up at the finish of a race: every runner (scenario) stands on the same
track in the same colour as in every other chart (:mod:`sim.views.palette`), and the error bars
show how much of the gap the luck of the draw could explain. Like every figure of
:mod:`sim.views.plots`, each is built once and redrawn in place by :meth:`update`::

    from sim.views.compare_plots import kpi_bars, speed_to_lead

    kpi_bars(means, ci, kpis=("revenue", "won"))    # {scenario: {kpi: mean}}, 95 % intervals
    speed_to_lead({"baseline": event_log})          # share of MQLs contacted within x hours
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.views.labels import format_value, is_finite, kpi_label, number
from sim.views.palette import scenario_colors
from sim.views.plots import Plot, axis_formatter, plain_text, root_figure, scenario_groups

SPEED_FLOOR_H = 1.0 / 60.0
"""Speeds below one minute (including the many zero waits) are drawn at one minute: a log axis
has no zero."""
SPEED_CAP_H = 1000.0
"""Upper edge of the speed-to-lead histogram (about six weeks); slower contacts fall in its last
bin."""
SPEED_BINS = np.logspace(math.log10(SPEED_FLOOR_H), math.log10(SPEED_CAP_H), 37)
"""The log-spaced bins of the speed-to-lead histogram, in hours."""


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
        self.fig: Figure = root_figure(self.ax)
        self.names: list[str] = []
        self.bars: dict[str, list[Any]] = {}
        self.whiskers: dict[str, LineCollection] = {}
        self.texts: dict[str, list[Any]] = {}
        for kpi, a in zip(self.kpis, self.axes, strict=True):
            a.set_title(kpi_label(kpi, 38), fontsize=9, loc="left")
            a.yaxis.set_major_formatter(axis_formatter(kpi))
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
            shown = [plain_text(n) for n in names]
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
        if self.own_figure and not self._fits(self.axes[0], [plain_text(n) for n in names],
                                              len(names)):
            handles = [Patch(color=colours[n], label=plain_text(n)) for n in names]
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
                bar.set_height(v if is_finite(v) else 0.0)
                top = bottom = v if is_finite(v) else 0.0
                pair = intervals[i].get(kpi)
                if pair is not None and len(pair) == 2 and all(is_finite(p) for p in pair):
                    lo, hi = sorted(float(p) for p in pair)
                    segments += [[(i, lo), (i, hi)], [(i - 0.12, lo), (i + 0.12, lo)],
                                 [(i - 0.12, hi), (i + 0.12, hi)]]
                    top, bottom = max(top, hi), min(bottom, lo)
                text.set_text(plain_text(format_value(kpi, v, compact=True)))
                below = is_finite(v) and v < 0
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
class SpeedToLeadPlot(Plot):
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
        groups = scenario_groups(data)
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
            label = (f"{plain_text(name) + ': ' if name else ''}{within:.0%} within 1 h, "
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


__all__ = ["KpiBarsPlot", "SpeedToLeadPlot", "kpi_bars", "speed_to_lead", "speed_to_lead_hours"]
