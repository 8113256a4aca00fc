"""Sensitivity and sweeps: which lever moves a KPI most, and a KPI over a grid of two levers.

A tornado chart is the sound engineer's test of each fader in turn: push one lever to its low
and to its high value with everything else at the base scenario, and draw how far the KPI
swings; the faders that matter most end up at the top. A sweep heatmap is the map of a
two-fader grid, one cell per pair of settings. The tables come from :mod:`sim.sweep` (the one
definition of a swing is :func:`sim.sweep.swing`)::

    from sim.views.sweep_plots import sweep_heatmap, tornado

    tornado(sensitivity_table, kpi="revenue")
    sweep_heatmap(sweep_rows, x="sales.reps", y="pricing.price_index", kpi="profit")
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.sweep import swing
from sim.views.labels import format_value, is_finite, kpi_label, lever_label
from sim.views.palette import color
from sim.views.plots import Plot, Thousands, axis_formatter, format_param, plain_text

TORNADO_COLUMNS: tuple[str, ...] = (
    "parameter", "low_value", "high_value", "kpi_low", "kpi_high", "kpi_base",
)
"""The columns of a one-at-a-time sensitivity table (see :func:`tornado_order`)."""


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


class TornadoPlot(Plot):
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
        self.ax.xaxis.set_major_formatter(Thousands())
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
        fmt = (lambda v: plain_text(format_value(self.kpi, v))) if self.kpi else (lambda v: f"{v:,.4g}")
        for i, row in table.iterrows():
            base = float(row["kpi_base"]) if is_finite(row["kpi_base"]) else base_ref
            pairs = ((self.low_bars[i], self.low_texts[i], row["kpi_low"], row["low_value"]),
                     (self.high_bars[i], self.high_texts[i], row["kpi_high"], row["high_value"]))
            for bar, text, value, setting in pairs:
                v = float(value) if is_finite(value) else base
                bar.set_x(base)
                bar.set_width(v - base)
                text.set_position((v, i))
                text.set_horizontalalignment("right" if v < base else "left")
                text.set_text(f" {plain_text(format_param(setting))}: {fmt(v)} ")
        self.order = [str(p) for p in table["parameter"]]
        self.ax.set_yticks(np.arange(n), [plain_text(lever_label(p)) for p in self.order])
        self.base_line.set_xdata([base_ref, base_ref])
        self.base_label.set_x(base_ref)
        self.base_label.set_text(f"base {fmt(base_ref)}")
        if self.kpi:
            self.ax.xaxis.set_major_formatter(axis_formatter(self.kpi))
        self.ax.set_xlabel(plain_text(kpi_label(self.kpi, 80)) if self.kpi else "KPI")
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


class SweepHeatmap(Plot):
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
        self.colorbar.set_label(plain_text(kpi_label(kpi, 40)), fontsize=8)
        self.colorbar.formatter = axis_formatter(kpi)
        self.texts: list[list[Any]] = []
        self.table: pd.DataFrame | None = None
        self.ax.set_xlabel(plain_text(lever_label(x)))
        self.ax.set_ylabel(plain_text(lever_label(y)))
        self.ax.set_title(f"{plain_text(kpi_label(kpi))}: mean over replications", loc="left")

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
                text.set_text(plain_text(format_value(self.kpi, v, compact=True)))
                shade = (v - lo) / (hi - lo) if np.isfinite(v) else 1.0
                text.set_color("white" if shade < 0.55 else "black")
        self.ax.set_xticks(np.arange(nx), [plain_text(format_param(v)) for v in table.columns])
        self.ax.set_yticks(np.arange(ny), [plain_text(format_param(v)) for v in table.index])
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


__all__ = ["TORNADO_COLUMNS", "SweepHeatmap", "TornadoPlot", "sweep_heatmap", "sweep_table",
           "tornado", "tornado_order"]
