"""The live dashboard: sliders on a few levers, and the model's figures redrawn as they move.

A :class:`Dashboard` is a mixing desk in a recording studio. Each fader is one lever of the
scenario (``incentives.shared_kpi_weight``, ``sales.reps`` …), labelled with its unit and only
able to travel as far as the parameter allows. Let go of a fader and the take is replayed: the
model runs again on the same random numbers and the same meters (the KPI panel, the funnel, the
revenue curve) swing to the new figures; nothing is unplugged and rewired. "Reset to scenario"
puts every fader back where the scenario's card says it belongs. A combination the model refuses
(a warm-up longer than the whole run) lights a warning on the desk instead of stopping the music::

    from sim.views.dashboard import Dashboard

    dash = Dashboard("baseline", levers=("incentives.shared_kpi_weight",))
    dash                                   # a bare name at the end of a cell shows it
    dash.set("incentives.shared_kpi_weight", 0.8)   # the same path as moving the slider
    dash.kpis["revenue"]

The dashboard holds no model logic: it only calls :mod:`sim` (``with_overrides``, ``run``) and
draws with :mod:`sim.views.plots`. Figures are :class:`matplotlib.figure.Figure` objects built
once and redrawn in place; each redraw is shown as a PNG in an :class:`ipywidgets.Image`, which
works without any extra Jupyter extension, headless, in JupyterLab and in Voilà. Every control
that can re-run the model waits for the mouse to be released (``continuous_update=False``), so
dragging a slider runs the model once.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from sim.errors import ScenarioError
from sim.experiment import summarise
from sim.model import run
from sim.params import Scenario
from sim.scenario import get_value, load_scenario, resolve_scenario_path, with_overrides
from sim.views.controls import LeverControl, Shown, message_html, size_figure
from sim.views.images import figure_png
from sim.views.labels import format_interval, format_value, kpi_definition, kpi_label, lower_first
from sim.views.plots import FunnelPlot, RevenuePlot
from sim.views.projector import VIEWPORTS, chart_geometry

DEFAULT_LEVERS: tuple[str, ...] = (
    "incentives.shared_kpi_weight",
    "communication.meeting_every_weeks",
    "communication.crm_sharing",
    "sales.reps",
    "feedback.mode",
)
"""The levers of the start page's dashboard: pay, meetings, shared data, capacity, feedback."""

DESK_FIGURE_IN = (6.0, 3.1)
"""The size in inches of each chart on the desk (two side by side in a notebook)."""
VIEWS: tuple[tuple[str, str], ...] = (("Desk", "desk"), ("Projector: funnel", "funnel"),
                                      ("Projector: revenue", "revenue"))
"""The dashboard's views: the desk (controls, panel and both charts) or one chart for the room."""

DEFAULT_RANGES: dict[str, tuple[float, float]] = {"sales.reps": (1, 40)}
"""Practical slider ranges for levers whose declared range is too wide for a slider."""

PANEL_KPIS: tuple[str, ...] = (
    "revenue", "profit", "won", "leads", "mqls", "mql_to_sql", "win_rate", "leakage_rate",
    "contacted_within_1h", "trust_final",
)
"""The key figures of the dashboard's KPI panel."""
PROJECTED_KPIS: tuple[str, ...] = ("revenue", "profit", "won", "trust_final")
"""The few key figures shown beside a projected chart."""


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario given as itself, a file or a preset name."""
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(resolve_scenario_path(scenario))


class Dashboard(Shown):
    """Sliders on a few levers, a KPI panel, a funnel and revenue over time, updated live.

    ``scenario`` is a :class:`~sim.params.Scenario`, a file or a preset name; ``levers`` are
    dotted keys; ``reps`` replications are run on every change (their mean is shown, and the
    95 % band when ``reps`` ≥ 2); ``seed`` defaults to the scenario's. ``ranges`` narrows the
    slider of a lever (``{"sales.reps": (1, 40)}``) within its declared bounds.
    """

    plain = ("The dashboard (interactive): sliders on a few levers and the model's figures; "
             "run the notebook in JupyterLab to use it.")

    def __init__(self, scenario: Scenario | str | Path = "baseline",
                 levers: Sequence[str] = DEFAULT_LEVERS, reps: int = 1,
                 seed: int | None = None,
                 ranges: Mapping[str, tuple[float, float]] | None = None):
        if reps < 1:
            raise ValueError("reps must be at least 1")
        self.scenario = as_scenario(scenario)
        self.levers = tuple(levers)
        if not self.levers:
            raise ValueError("levers must name at least one dotted key")
        self.reps = int(reps)
        self.seed = self.scenario.seed if seed is None else int(seed)
        spans = {**DEFAULT_RANGES, **dict(ranges or {})}
        self.controls: dict[str, LeverControl] = {
            key: LeverControl(key, get_value(self.scenario, key), spans.get(key))
            for key in self.levers
        }
        self.kpis: dict[str, float] = {}
        self.ci: dict[str, list[float]] | None = None
        self.reference: dict[str, float] = {}
        self.message = ""
        self.seconds = 0.0
        self.runs: list[Any] = []
        self.shown = "desk"
        self.viewport = VIEWPORTS["720p"]
        self._build_figures()
        self.widget = self._build_widget()
        self._update()
        self.reference = dict(self.kpis)
        self._render_panel()

    def _build_figures(self) -> None:
        """The funnel and the revenue curve, and the images that show them."""
        self.funnel = FunnelPlot(title="Funnel")
        self.revenue = RevenuePlot()
        for plot in (self.funnel, self.revenue):
            size_figure(plot.fig, *DESK_FIGURE_IN)
        self.funnel_image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.revenue_image = w.Image(format="png", layout=w.Layout(max_width="100%"))

    def _build_widget(self) -> w.VBox:
        """The desk: a header line, the controls, the reset button, messages, panel, figures."""
        self.panel = w.HTML()
        self.status_label = w.HTML()
        self.message_label = w.HTML()
        self.reset_button = w.Button(description="Reset to scenario", icon="undo",
                                     tooltip="Put every lever back to the scenario's value",
                                     layout=w.Layout(width="auto"))
        self.reset_button.on_click(lambda _b: self.reset())
        for control in self.controls.values():
            control.observe(self._on_change)
        self.controls_box = w.VBox([c.widget for c in self.controls.values()])
        self.view_buttons = w.ToggleButtons(options=VIEWS, value="desk",
                                            style={"button_width": "auto"},
                                            tooltips=["Controls, key figures and both charts",
                                                      "The funnel alone, at projector size",
                                                      "Revenue alone, at projector size"])
        self.view_buttons.observe(self._on_view, names="value")
        return w.VBox([
            w.HTML(f"<b>{html.escape(self.scenario.name)}</b> · {self.scenario.weeks:g} weeks · "
                   + (f"mean of {self.reps} replications" if self.reps != 1 else "one run")
                   + f" per change · seed {self.seed}"),
            self.view_buttons,
            self.controls_box,
            w.HBox([self.reset_button, self.status_label]),
            self.message_label,
            self.panel,
            w.Box([self.funnel_image, self.revenue_image],
                  layout=w.Layout(display="flex", flex_flow="row wrap")),
        ])

    # ---------------------------------------------------------------- programmatic API
    @property
    def status(self) -> str:
        """What the dashboard is doing, as plain text ("running…", "ready …")."""
        return re.sub(r"<[^>]+>", "", self.status_label.value)

    def values(self) -> dict[str, Any]:
        """The current value of every lever."""
        return {key: c.value for key, c in self.controls.items()}

    def set(self, key: str, value: Any) -> None:
        """Set a lever as if its control had been moved, and redraw. A value the model refuses
        is shown as a message and leaves the control where it was.
        """
        if key not in self.controls:
            raise KeyError(f"{key!r} is not a lever of this dashboard; levers: "
                           f"{', '.join(self.levers)}")
        try:
            with_overrides(self.scenario, {**self.values(), key: value})
        except ScenarioError as exc:
            self._show_error(exc)
            return
        self._quietly(lambda: setattr(self.controls[key], "value", value))
        self._update()

    def reset(self) -> None:
        """Every lever back to the scenario's value, and one redraw."""
        self._quietly(lambda: [setattr(c, "value", get_value(self.scenario, key))
                               for key, c in self.controls.items()])
        self._update()

    def present(self, view: str = "funnel", viewport: tuple[int, int] | None = None) -> None:
        """Show ``view``: ``"funnel"`` or ``"revenue"`` alone, full width at projector size
        (``viewport`` in pixels, 1280 × 720 unless given; the fonts grow with the screen, as in
        the game's presenter mode), or ``"desk"`` for the controls and both charts again. The
        lever controls stay under the chart, so the room sees a change land.
        """
        if view not in dict((v, k) for k, v in VIEWS):
            raise ValueError(f"view {view!r}: valid views are "
                             + ", ".join(repr(v) for _, v in VIEWS))
        self.shown = view
        if viewport is not None:
            self.viewport = (int(viewport[0]), int(viewport[1]))
        self.view_buttons.value = view
        self._size_figures()
        self._show_images()
        self._render_panel()

    def _on_view(self, change: Any) -> None:
        if change["new"] != self.shown:  # not the echo of present() setting the buttons
            self.present(change["new"])

    def _size_figures(self) -> None:
        """Both charts at desk size, or the shown one filling the projector's width."""
        for name, plot in (("funnel", self.funnel), ("revenue", self.revenue)):
            if name == self.shown:
                box = self._chart_box()
                inches, dpi = chart_geometry(box, DESK_FIGURE_IN)
                plot.fig.set_size_inches(*inches)
                plot.fig.set_dpi(dpi)
            else:
                size_figure(plot.fig, *DESK_FIGURE_IN)

    def _chart_box(self) -> tuple[int, int]:
        """The projected chart's size in pixels: the width, and 60 % of the height (the
        rest is the view buttons, the key figures and the controls).
        """
        width, height = self.viewport
        return round(0.96 * width), round(0.6 * height)

    def _show_images(self) -> None:
        """Put the charts' pictures in their images: one projected, or both on the desk."""
        images = {"funnel": self.funnel_image, "revenue": self.revenue_image}
        for name, image in images.items():
            plot = self.funnel if name == "funnel" else self.revenue
            hidden = self.shown not in ("desk", name)
            image.layout.display = "none" if hidden else None
            if not hidden:
                image.value = figure_png(plot.fig)
            width = f"{self._chart_box()[0]}px" if self.shown == name else None
            image.layout.width = width

    def current_scenario(self) -> Scenario:
        """The scenario with the levers' current values (ScenarioError if refused)."""
        return with_overrides(self.scenario, self.values())

    # ---------------------------------------------------------------- internals
    def _quietly(self, fn: Callable[[], Any]) -> None:
        for c in self.controls.values():
            c.unobserve(self._on_change)
        try:
            fn()
        finally:
            for c in self.controls.values():
                c.observe(self._on_change)

    def _on_change(self, _change: Any) -> None:
        self._update()

    def _show_error(self, exc: Exception) -> None:
        self.message = str(exc)
        self.message_label.value = message_html(
            f"Not run: {exc}. Change the setting, or reset to the scenario.", "error")
        self.status_label.value = "<span style='color:#B00020'>not run: invalid setting</span>"

    def _update(self) -> None:
        try:
            scenario = self.current_scenario()
        except ScenarioError as exc:
            self._show_error(exc)
            return
        self.status_label.value = "<span style='color:#E69F00'><b>running…</b></span>"
        start = time.perf_counter()
        try:
            runs = [run(scenario, seed=self.seed, replication=r) for r in range(self.reps)]
        except (ScenarioError, ValueError) as exc:
            self._show_error(exc)
            return
        self.runs = runs
        self.kpis, self.ci = summarise(pd.DataFrame([r.kpis for r in runs]))
        self.funnel.update(self.kpis, title=f"Funnel: {scenario.name}, {scenario.weeks:g} weeks")
        self.revenue.update(runs)
        self._show_images()
        self._render_panel()
        self.seconds = time.perf_counter() - start
        self.message = ""
        self.message_label.value = ""
        self.status_label.value = (f"<span style='color:#006644'>ready · ran in "
                                   f"{self.seconds:.2f} s</span>")

    def _render_panel(self) -> None:
        kpis = PANEL_KPIS if self.shown == "desk" else PROJECTED_KPIS
        rows = "".join(self._panel_row(kpi) for kpi in kpis)
        # on the projector the few key figures are read from the back row: about 3 % of the
        # screen's height, as the presenter's text
        size = "90%" if self.shown == "desk" else f"{round(0.03 * self.viewport[1])}px"
        self.panel.value = (f"<table style='font-size:{size}'><tr><th style='text-align:left'>"
                            "KPI</th><th>value</th><th>vs. scenario</th></tr>" + rows
                            + "</table>")

    def _panel_row(self, kpi: str) -> str:
        """One KPI of the panel: its label, its value (with the 95 % interval when there is
        one) and the change from the scenario's own value.
        """
        v = self.kpis.get(kpi)
        cell = format_value(kpi, v)
        if self.ci and self.ci.get(kpi) and all(map(math.isfinite, self.ci[kpi])):
            lo, hi = self.ci[kpi]
            cell += (f" <span style='color:#666'>"
                     f"[{html.escape(format_interval(kpi, lo, hi, signed=False))}]</span>")
        ref = self.reference.get(kpi)
        delta = ""
        if ref is not None and v is not None and math.isfinite(ref) and math.isfinite(v) \
                and v != ref:
            delta = format_value(kpi, v - ref, signed=True)
        return (f"<tr title='{html.escape(kpi_definition(kpi))}'>"
                f"<td style='padding:1px 10px 1px 0'>"
                f"{html.escape(lower_first(kpi_label(kpi)))}</td>"
                f"<td style='text-align:right; padding:1px 10px'>{cell}</td>"
                f"<td style='text-align:right; color:#555'>{delta}</td></tr>")


__all__ = ["DEFAULT_LEVERS", "DEFAULT_RANGES", "PANEL_KPIS", "PROJECTED_KPIS", "VIEWS",
           "Dashboard", "as_scenario"]
