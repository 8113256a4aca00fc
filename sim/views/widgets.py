"""Live dashboards: sliders on the model for the start page, the workshop and the scenario lab.

A :class:`Dashboard` is a mixing desk in a recording studio. Each fader is one lever of the
scenario (``incentives.shared_kpi_weight``, ``sales.reps`` …), labelled with its unit and only
able to travel as far as the parameter allows. Let go of a fader and the take is replayed: the
model runs again on the same random numbers and the same meters (the KPI panel, the funnel, the
revenue curve) swing to the new figures; nothing is unplugged and rewired. "Reset to scenario"
puts every fader back where the scenario's card says it belongs. A combination the model refuses
(a warm-up longer than the whole run) lights a warning on the desk instead of stopping the music.

A :class:`ScenarioLab` is the producer's booth next door: pick a recording (a preset scenario),
note a few changes on any lever, and play the two versions back to back on the same take
(common random numbers, :func:`sim.experiment.compare`), with the paired differences and their
95 % intervals, so a manager hears the change rather than the luck. The booth can write the
changed version to a scenario file and print the one-page report::

    from sim.views.widgets import Dashboard, ScenarioLab

    dash = Dashboard("baseline", levers=("incentives.shared_kpi_weight",))
    dash                                   # a bare name at the end of a cell shows it
    dash.set("incentives.shared_kpi_weight", 0.8)   # the same path as moving the slider
    dash.kpis["revenue"]

    lab = ScenarioLab("baseline", reps=10)
    lab.change("pricing.price_index", 2.0)
    lab.compare()
    lab.result                             # means, paired differences and 95 % intervals
    lab.save("dearer.yaml")                # my_scenarios/dearer.yaml
    lab.report("dearer.html")

The widgets hold no model logic: they only call :mod:`sim` (``with_overrides``, ``run``,
``compare``, ``dump_scenario``, ``write_report``) and draw with :mod:`sim.views.plots`. Figures are
:class:`matplotlib.figure.Figure` objects built once and redrawn in place; each redraw is shown
as a PNG in an :class:`ipywidgets.Image`, which works without any extra Jupyter extension,
headless, in JupyterLab and in Voilà. Every control that can re-run the model waits for the
mouse to be released (``continuous_update=False``), so dragging a slider runs the model once.
"""

from __future__ import annotations

import base64
import html
import math
import re
import time
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure
from pydantic.fields import FieldInfo

from sim.errors import ScenarioError
from sim.experiment import compare as compare_scenarios
from sim.experiment import excludes_zero, summarise
from sim.metrics import KPI_NAMES
from sim.model import run
from sim.params import Scenario
from sim.scenario import (
    MY_SCENARIOS_DIR,
    PROJECT_DIR,
    did_you_mean,
    dump_scenario,
    field_at,
    field_bounds,
    get_value,
    load_scenario,
    preset_names,
    resolve_scenario_path,
    valid_keys,
    with_overrides,
)
from sim.views.images import figure_png
from sim.views.labels import (
    FIRST_LEVER,
    change_label,
    describe_changes,
    format_interval,
    format_setting,
    format_value,
    grouped_levers,
    kpi_definition,
    kpi_label,
    lever_group,
    lever_help,
    lever_label,
    lever_option,
    lever_table_key,
    lower_first,
)
from sim.views.labels import lever_unit as _lever_unit
from sim.views.plots import FunnelPlot, KpiBarsPlot, RevenuePlot
from sim.views.report import write_report

DEFAULT_LEVERS: tuple[str, ...] = (
    "incentives.shared_kpi_weight",
    "communication.meeting_every_weeks",
    "communication.crm_sharing",
    "sales.reps",
    "feedback.mode",
)
"""The levers of the start page's dashboard: pay, meetings, shared data, capacity, feedback."""

DEFAULT_RANGES: dict[str, tuple[float, float]] = {"sales.reps": (1, 40)}
"""Practical slider ranges for levers whose declared range is too wide for a slider."""

PANEL_KPIS: tuple[str, ...] = (
    "revenue", "profit", "won", "leads", "mqls", "mql_to_sql", "win_rate", "leakage_rate",
    "contacted_within_1h", "trust_final",
)
"""The key figures of the dashboard's KPI panel."""

LAB_KPIS: tuple[str, ...] = (
    "revenue", "profit", "won", "leads", "mqls", "sqls", "mql_to_sql", "win_rate",
    "leakage_rate", "contacted_within_1h", "speed_to_lead_h_median", "trust_final",
    "total_cost", "roi",
)
"""The KPIs the scenario lab's result table shows (``lab.result`` holds every KPI)."""

BAR_KPIS: tuple[str, ...] = ("revenue", "profit", "won", "mql_to_sql", "leakage_rate",
                             "contacted_within_1h")
"""The panels of the scenario lab's KPI-bars plot."""

LAB_HIDDEN_KEYS: frozenset[str] = frozenset({"name", "description", "seed", "weeks",
                                             "warmup_weeks"})
"""Keys the lab does not offer as changes: labels, and the horizon and seed, which the lab
sets for both scenarios alike so that the comparison stays fair."""

SLIDER_MAX_SPAN = 100
"""Widest declared range drawn as a slider; wider ranges get a number box with the same
bounds (or pass a narrower ``ranges=`` entry to get a slider)."""

DPI = 80
"""Resolution of the figures shown in the widgets (dots per inch)."""
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")
APP_STYLE = ("<style>body[data-voila] .jp-Cell:not(:has(.widget-vbox, .jupyter-widgets))"
             " { display: none; }</style>")
"""In a Voilà app (``make app``) only the cells that show a widget are visible: the notebook's
instructions, exercises and code examples are for JupyterLab. Jupyter itself shows them all."""


# --------------------------------------------------------------------------- helpers
def size_figure(fig: Figure, width: float, height: float) -> None:
    """Give a figure its size in inches at the screens' dpi (before :func:`figure_png`)."""
    fig.set_size_inches(width, height)
    fig.set_dpi(DPI)


_table_key = lever_table_key


def lever_unit(key: str) -> str:
    """The unit of a dotted key, as written in square brackets in its description."""
    return _lever_unit(key)


def _tip(key: str) -> str:
    return lever_help(key)


def lever_field(key: str) -> FieldInfo:
    """The declared field of a dotted key; ScenarioError if the model has no such lever."""
    field = field_at(tuple(key.split(".")))
    if field is None or key == "marketing.channels":
        known = valid_keys(["<name>"])
        raise ScenarioError("lever", key, "unknown key" + did_you_mean(key, known))
    return field


def setting_text(value: Any) -> str:
    """A setting's value as a screen shows it (``0.3``, ``empty`` for none)."""
    if isinstance(value, float):
        return f"{value:g}"
    return "empty" if value is None else str(value)


def data_link(data: bytes, filename: str, mime: str, label: str) -> str:
    """A download link that carries the file itself (works where the server's files cannot be
    reached, as in a Voilà app).
    """
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a download="{html.escape(filename)}" href="data:{mime};base64,{encoded}" '
            f'target="_blank">{html.escape(label)}</a>')


def _shown_path(path: Path) -> str:
    """A path as the project folder sees it (``my_scenarios/dearer.yaml``), or as it is."""
    try:
        return Path(path).resolve().relative_to(PROJECT_DIR).as_posix()
    except ValueError:
        return str(path)


def message_html(text: str, kind: str, extra_html: str = "") -> str:
    """A one-line message in the widget: red for errors, green for success; ``extra_html``
    (a link) is appended as it is.
    """
    if not text:
        return ""
    colour = {"error": "#B00020", "ok": "#006644", "info": "#333333"}[kind]
    extra = f" {extra_html}" if extra_html else ""
    return f'<div style="color:{colour}; margin:2px 0">{html.escape(text)}{extra}</div>'


# --------------------------------------------------------------------------- one control
class LeverControl:
    """The control of one lever, built from its declared type and bounds.

    ``Literal`` choices become a Dropdown, flags a Checkbox, bounded numbers a FloatSlider or
    IntSlider over the declared range (a number box with the same bounds when the range is too
    wide for a slider, unless ``span`` gives a narrower slider range), and keys that may be
    empty (``communication.sla_hours``) get an extra "none" tick box. :attr:`value` is the
    value in the scenario's terms (None for "none").
    """

    def __init__(self, key: str, value: Any, span: tuple[float, float] | None = None,
                 label: bool = True):
        self.key = key
        self.field = lever_field(key)
        ann = self.field.annotation
        args = typing.get_args(ann)
        self.optional = type(None) in args
        base = next((a for a in args if a is not type(None)), ann) if self.optional else ann
        unit = lever_unit(key)
        shown = lever_label(key)
        text = ((f"{shown} [{unit}]" if unit and unit not in ("-", "flag", "rule", "choice")
                 else shown) if label else "")
        style = {"description_width": "initial"}
        tip = f"{key}: {_tip(key)}"
        common = dict(description=text, style=style, tooltip=tip)
        if label:  # room for a long label and a track wide enough to drag
            common["layout"] = w.Layout(width="560px")
        self.none_box: w.Checkbox | None = None
        self.bounds = field_bounds(self.field)
        if typing.get_origin(base) is typing.Literal:
            self.kind = "choice"
            self.input: w.ValueWidget = w.Dropdown(options=list(typing.get_args(base)),
                                                   **common)
        elif base is bool:
            self.kind = "bool"
            self.input = w.Checkbox(indent=False, **common)
        elif base in (int, float):
            self.kind = "int" if base is int else "float"
            self.input = self._number(span, common)
        else:
            self.kind = "text"
            self.input = w.Text(continuous_update=False, **common)
        if self.optional:
            self.none_box = w.Checkbox(description="none", indent=False,
                                       layout=w.Layout(width="70px"))
            self.none_box.observe(self._toggle_none, "value")
            self.widget: w.Widget = w.HBox([self.input, self.none_box])
        else:
            self.widget = self.input
        self.value = value

    def _number(self, span: tuple[float, float] | None, common: dict[str, Any]) -> w.ValueWidget:
        low, low_open, high, high_open = self.bounds
        is_int = self.kind == "int"
        if span is not None:
            lo, hi = float(span[0]), float(span[1])
            lo = max(lo, low) if low is not None else lo
            hi = min(hi, high) if high is not None else hi
            low, high, low_open, high_open = lo, hi, low_open and lo == low, high_open and hi == high
        finite = low is not None and high is not None
        slider = finite and (span is not None or high - low <= SLIDER_MAX_SPAN)
        if is_int:
            lo = int(low) + (1 if low_open else 0) if low is not None else -(2**31)
            hi = int(high) - (1 if high_open else 0) if high is not None else 2**31 - 1
            if slider:
                return w.IntSlider(min=lo, max=hi, step=1, continuous_update=False, **common)
            return w.BoundedIntText(min=lo, max=min(hi, 2**53), continuous_update=False,
                                    **common)
        if slider:
            step = 10.0 ** math.floor(math.log10((high - low) / 100)) if high > low else 0.01
            lo = low + step if low_open else low
            hi = high - step if high_open else high
            digits = max(0, -math.floor(math.log10(step)))
            return w.FloatSlider(min=lo, max=hi, step=step, continuous_update=False,
                                 readout_format=f".{digits}f", **common)
        lo = float(low) if low is not None else -1e300
        hi = float(high) if high is not None else 1e300
        return w.BoundedFloatText(min=lo, max=hi, step=None, continuous_update=False, **common)

    def _toggle_none(self, change: Mapping[str, Any]) -> None:
        self.input.disabled = bool(change["new"])

    @property
    def value(self) -> Any:
        if self.none_box is not None and self.none_box.value:
            return None
        v = self.input.value
        if self.kind == "float":
            return float(v)
        return v

    @value.setter
    def value(self, v: Any) -> None:
        if self.none_box is not None:
            self.none_box.value = v is None
            if v is None:
                return
        if self.kind in ("int", "float") and hasattr(self.input, "max"):
            # a valid value outside a narrowed slider range widens the range
            if v > self.input.max:
                self.input.max = v
            if v < self.input.min:
                self.input.min = v
        self.input.value = v

    def observe(self, callback: Callable[[Any], None]) -> None:
        self.input.observe(callback, "value")
        if self.none_box is not None:
            self.none_box.observe(callback, "value")

    def unobserve(self, callback: Callable[[Any], None]) -> None:
        self.input.unobserve(callback, "value")
        if self.none_box is not None:
            self.none_box.unobserve(callback, "value")

    @property
    def widgets(self) -> list[w.Widget]:
        """Every input widget of this control (the number or choice, and the "none" box)."""
        return [self.input] + ([self.none_box] if self.none_box is not None else [])


def _as_scenario(scenario: Scenario | str | Path) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(resolve_scenario_path(scenario))


# --------------------------------------------------------------------------- dashboard
class Dashboard:
    """Sliders on a few levers, a KPI panel, a funnel and revenue over time, updated live.

    ``scenario`` is a :class:`~sim.params.Scenario`, a file or a preset name; ``levers`` are
    dotted keys; ``reps`` replications are run on every change (their mean is shown, and the
    95 % band when ``reps`` ≥ 2); ``seed`` defaults to the scenario's. ``ranges`` narrows the
    slider of a lever (``{"sales.reps": (1, 40)}``) within its declared bounds.
    """

    def __init__(self, scenario: Scenario | str | Path = "baseline",
                 levers: Sequence[str] = DEFAULT_LEVERS, reps: int = 1,
                 seed: int | None = None,
                 ranges: Mapping[str, tuple[float, float]] | None = None):
        if reps < 1:
            raise ValueError("reps must be at least 1")
        self.scenario = _as_scenario(scenario)
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

        self.funnel = FunnelPlot(title="Funnel")
        self.revenue = RevenuePlot()
        for plot in (self.funnel, self.revenue):
            size_figure(plot.fig, 6.0, 3.1)
        self.funnel_image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.revenue_image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.panel = w.HTML()
        self.status_label = w.HTML()
        self.message_label = w.HTML()
        self.reset_button = w.Button(description="Reset to scenario", icon="undo",
                                     tooltip="Put every lever back to the scenario's value",
                                     layout=w.Layout(width="auto"))
        self.reset_button.on_click(lambda _b: self.reset())
        for control in self.controls.values():
            control.observe(self._on_change)
        controls = w.VBox([c.widget for c in self.controls.values()])
        self.widget = w.VBox([
            w.HTML(f"<b>{html.escape(self.scenario.name)}</b> · {self.scenario.weeks:g} weeks · "
                   + (f"mean of {self.reps} replications" if self.reps != 1 else "one run")
                   + f" per change · seed {self.seed}"),
            controls,
            w.HBox([self.reset_button, self.status_label]),
            self.message_label,
            self.panel,
            w.Box([self.funnel_image, self.revenue_image],
                  layout=w.Layout(display="flex", flex_flow="row wrap")),
        ])
        self._update()
        self.reference = dict(self.kpis)
        self._render_panel()

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
        self.funnel_image.value = figure_png(self.funnel.fig)
        self.revenue_image.value = figure_png(self.revenue.fig)
        self._render_panel()
        self.seconds = time.perf_counter() - start
        self.message = ""
        self.message_label.value = ""
        self.status_label.value = (f"<span style='color:#006644'>ready · ran in "
                                   f"{self.seconds:.2f} s</span>")

    def _render_panel(self) -> None:
        rows = []
        for kpi in PANEL_KPIS:
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
            rows.append(f"<tr title='{html.escape(kpi_definition(kpi))}'>"
                        f"<td style='padding:1px 10px 1px 0'>"
                        f"{html.escape(lower_first(kpi_label(kpi)))}</td>"
                        f"<td style='text-align:right; padding:1px 10px'>{cell}</td>"
                        f"<td style='text-align:right; color:#555'>{delta}</td></tr>")
        self.panel.value = ("<table style='font-size:90%'><tr><th style='text-align:left'>KPI"
                            "</th><th>value</th><th>vs. scenario</th></tr>"
                            + "".join(rows) + "</table>")

    # ---------------------------------------------------------------- display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


# --------------------------------------------------------------------------- scenario lab
class ScenarioLab:
    """Base scenario + changes on any lever, compared fairly, saved and reported.

    ``base`` is a preset name (or a file); ``reps`` replications per scenario; ``seed``
    defaults to the base scenario's; ``weeks`` (optional) sets the horizon of both scenarios;
    ``folder`` is where :meth:`save` and :meth:`report` write files given by name only.
    Nothing is simulated until :meth:`compare` or :meth:`report`.
    """

    def __init__(self, base: str | Path = "baseline", reps: int = 10, seed: int | None = None,
                 weeks: float | None = None, folder: str | Path = MY_SCENARIOS_DIR):
        if reps < 1:
            raise ValueError("reps must be at least 1")
        self.reps = int(reps)
        self.seed = seed
        self.weeks = weeks
        self.folder = Path(folder)
        self.changes: dict[str, Any] = {}
        self.result: pd.DataFrame | None = None
        self.comparison: Any = None
        self.message = ""
        self._base_name = str(base)
        self._base = self._load_base(base)
        self._editor: LeverControl | None = None

        presets = preset_names()
        self.base_picker = w.Dropdown(options=presets if self._base_name in presets
                                      else [self._base_name, *presets],
                                      value=self._base_name, description="base scenario",
                                      style={"description_width": "initial"})
        self.base_picker.observe(
            lambda ch: self.base(ch["new"]) if ch["new"] != self._base_name else None, "value")
        self.base_text = w.HTML()
        self.search = w.Text(placeholder="filter levers, e.g. reps, price, meeting",
                             description="find a lever", continuous_update=True,
                             style={"description_width": "initial"})
        self.search.observe(lambda _ch: self._filter(), "value")
        self.key_list = w.Select(rows=10, layout=w.Layout(width="520px"))
        self.key_list.observe(lambda _ch: self._pick(), "value")
        self.key_help = w.HTML()
        self.editor_box = w.Box()
        self.add_button = w.Button(description="Add change", icon="plus", button_style="info")
        self.add_button.on_click(lambda _b: self._add_clicked())
        self.changes_box = w.VBox()
        self.clear_button = w.Button(description="Clear changes", icon="trash")
        self.clear_button.on_click(lambda _b: self.clear())
        self.compare_button = w.Button(description="Compare", icon="play",
                                       button_style="success",
                                       tooltip="Run base and changed on the same random numbers")
        self.compare_button.on_click(lambda _b: self.compare())
        self.status_label = w.HTML()
        self.message_label = w.HTML()
        self.table_html = w.HTML()
        self.all_kpis = w.Checkbox(description="show every KPI", indent=False)
        self.all_kpis.observe(lambda _ch: self._render_table(), "value")
        self.bars = KpiBarsPlot(BAR_KPIS, ncols=3)
        size_figure(self.bars.fig, 9.0, 5.2)
        self.bars_image = w.Image(format="png", layout=w.Layout(
            width="100%", max_width="720px", height="auto", object_fit="contain",
            display="none"))
        self.file_name = w.Text(placeholder="file name, e.g. my_change", description="name",
                                style={"description_width": "initial"})
        self.save_button = w.Button(description="Save scenario", icon="save")
        self.save_button.on_click(lambda _b: self.save(self.file_name.value, from_widget=True))
        self.report_button = w.Button(description="Write report", icon="file")
        self.report_button.on_click(
            lambda _b: self.report(self.file_name.value, from_widget=True))
        self.links = w.HTML()

        self.widget = w.VBox([
            w.HTML(APP_STYLE + "<h3 style='margin:4px 0'>Scenario lab</h3><div style="
                   "'color:#333; max-width:720px'>Pick the company you start from, change one "
                   "or more levers, and compare both companies on the same simulated luck: the "
                   "difference is what the change is worth in the model.</div>"),
            self.base_picker, self.base_text,
            w.HTML("<b>1 · Change any lever</b>"),
            self.search, self.key_list, self.key_help,
            w.HBox([self.editor_box, self.add_button]),
            w.HTML("<b>2 · Your changes</b>"),
            self.changes_box, self.clear_button,
            w.HTML("<b>3 · Compare base and changed, on the same random numbers</b>"),
            w.HBox([self.compare_button, self.status_label]),
            self.message_label, self.table_html, self.all_kpis, self.bars_image,
            w.HTML("<b>4 · Keep it</b>"),
            w.HBox([self.file_name, self.save_button, self.report_button]),
            self.links,
        ])
        self._describe_base()
        self._filter()
        self._render_changes()

    # ---------------------------------------------------------------- programmatic API
    def base(self, name: str | Path) -> None:
        """Use another base scenario; the changes are kept when they still apply."""
        try:
            scenario = self._load_base(name)
            self._scenario(scenario, self.changes)
        except ScenarioError as exc:
            self._say(str(exc), "error")
            return
        self._base_name, self._base = str(name), scenario
        if self._base_name in self.base_picker.options:
            self.base_picker.value = self._base_name
        self.result = None
        self.table_html.value = ""
        self.bars_image.layout.display = "none"
        self._describe_base()
        self._filter()
        self._say(f"Base scenario: {scenario.name}.", "info")

    def change(self, key: str, value: Any) -> bool:
        """Add (or replace) one change; a value or combination the model refuses is shown as a
        message and not added. Returns whether the change was added.
        """
        if key in LAB_HIDDEN_KEYS:
            self._say(f"{key} is set by the lab for both scenarios alike; choose another lever.",
                      "error")
            return False
        try:
            self._scenario(self._base, {**self.changes, key: value})
        except ScenarioError as exc:
            self._say(str(exc), "error")
            return False
        self.changes[key] = value
        self._render_changes()
        self._say(f"Change added: {lever_label(key)} = {format_setting(key, value)}.", "ok")
        return True

    def remove(self, key: str) -> None:
        """Drop one change."""
        self.changes.pop(key, None)
        self._render_changes()
        self._say(f"Change removed: {lever_label(key)}.", "info")

    def clear(self) -> None:
        """Drop every change."""
        self.changes.clear()
        self._render_changes()
        self._say("No changes.", "info")

    def base_scenario(self) -> Scenario:
        """The base scenario as compared (with the lab's horizon)."""
        return self._scenario(self._base, {})

    def changed_scenario(self) -> Scenario:
        """The base scenario with every change applied (and the lab's horizon), named and
        described by what changed (``"baseline + price 1.1"``).
        """
        changed = self._scenario(self._base, self.changes)
        if not self.changes:
            return changed
        return with_overrides(changed, {
            "name": change_label(self._base.name, self.changes),
            "description": f"{self._base.name} with {describe_changes(self.changes)}",
        })

    def compare(self) -> pd.DataFrame | None:
        """Run base and changed with common random numbers; fill :attr:`result` (one row per
        KPI: ``base``, ``changed``, ``difference``, ``ci_low``, ``ci_high``,
        ``excludes_zero``) and the KPI-bars plot. Returns the table, or None with a message.
        """
        if not self.changes:
            self._say("Add at least one change first.", "error")
            return None
        try:
            base, changed = self.base_scenario(), self.changed_scenario()
        except ScenarioError as exc:
            self._say(str(exc), "error")
            return None
        self.compare_button.disabled = True
        self.status_label.value = (f"<span style='color:#E69F00'><b>running… 2 × {self.reps} "
                                   f"replications of {base.weeks:g} weeks</b></span>")
        if changed.name == base.name:  # a change label that repeats the base name
            changed = with_overrides(changed, {"name": f"{base.name}, changed"})
        start = time.perf_counter()
        try:
            comparison = compare_scenarios([base, changed], self.reps, self.seed)
        except (ScenarioError, ValueError) as exc:
            self._say(str(exc), "error")
            self.status_label.value = ""
            return None
        finally:
            self.compare_button.disabled = False
        self.comparison = comparison
        first, second = comparison.names
        means = comparison.means()
        diff = comparison.differences()[second]
        rows = {}
        for kpi in KPI_NAMES:
            low, high = (float(x) for x in diff[kpi]["ci95"])
            rows[kpi] = {"base": means[first][kpi], "changed": means[second][kpi],
                         "difference": float(diff[kpi]["mean"]), "ci_low": low, "ci_high": high,
                         "excludes_zero": excludes_zero((low, high))}
        self.result = pd.DataFrame.from_dict(rows, orient="index")
        self.result.index.name = "kpi"
        ci = {name: summarise(table)[1] for name, table in comparison.tables.items()}
        self.bars.update(means, ci)
        self.bars_image.value = figure_png(self.bars.fig)
        self.bars_image.layout.display = ""
        self._render_table()
        seconds = time.perf_counter() - start
        self.status_label.value = (f"<span style='color:#006644'>done in {seconds:.1f} s · "
                                   f"{self.reps} paired replications, seed "
                                   f"{base.seed if self.seed is None else self.seed}</span>")
        self._say("Compared. Highlighted rows: the 95 % interval of the difference excludes "
                  "zero.", "ok")
        return self.result

    def table(self, kpis: Sequence[str] | None = None) -> pd.DataFrame | None:
        """:attr:`result` as people read it (:mod:`sim.views.labels`: KPI labels, money with its
        symbol, shares in %, differences in pp), for ``kpis`` (default: :data:`LAB_KPIS`); None
        before a comparison.
        """
        if self.result is None:
            return None
        rows = {}
        for kpi in kpis or LAB_KPIS:
            r = self.result.loc[kpi]
            rows[kpi_label(kpi)] = {
                "base": format_value(kpi, r["base"]),
                "changed": format_value(kpi, r["changed"]),
                "difference": format_value(kpi, r["difference"], signed=True),
                "95 % interval": format_interval(kpi, r["ci_low"], r["ci_high"]) or "–",
                "beyond luck": "yes" if r["excludes_zero"] else "no",
            }
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index.name = "KPI"
        return out

    def save(self, path: str | Path, from_widget: bool = False) -> Path | None:
        """Write the changed scenario as YAML (with a header comment listing the changes).

        A bare file name goes into :attr:`folder`; ``.yaml`` is added when missing. Names with
        odd characters, or paths typed into the name box, are refused with a message.
        """
        target = self._target(path, (".yaml", ".yml"), ".yaml", from_widget)
        if target is None:
            return None
        command = self.run_command(target)
        try:
            scenario = with_overrides(self.changed_scenario(), {
                "name": target.stem,
                "description": f"{self._base.name} with " + (", ".join(
                    f"{k}={setting_text(v)}" for k, v in self.changes.items()) or "no changes"),
            })
            header = "\n".join([
                f"{target.stem}: made in the LeadFlow Lab scenario lab.",
                f"Base scenario: {self._base_name}",
                "Changes:" if self.changes else "Changes: none",
                *(f"  {k}: {setting_text(v)}" for k, v in self.changes.items()),
                f"Run it from the project folder with: {command}",
            ])
            dump_scenario(scenario, target, header=header)
        except (ScenarioError, OSError) as exc:
            self._say(f"Not saved: {exc}", "error")
            return None
        link = data_link(target.read_bytes(), target.name, "text/yaml", "download")
        self._say(f"Saved {_shown_path(target)}. Run it from the project folder with: "
                  f"{command}", "ok", link)
        self.links.value = self.message_label.value
        return target

    def report(self, path: str | Path, from_widget: bool = False) -> Path | None:
        """Write the one-page HTML report of base vs. changed (:func:`sim.views.report.write_report`,
        ``reps`` replications each); returns its path, or None with a message.
        """
        target = self._target(path, (".html", ".htm"), ".html", from_widget)
        if target is None:
            return None
        try:
            base, changed = self.base_scenario(), self.changed_scenario()
            if changed.name == base.name:
                changed = with_overrides(changed, {"name": f"{base.name}, unchanged copy"})
        except ScenarioError as exc:
            self._say(str(exc), "error")
            return None
        title = f"{target.stem}: {base.name} vs {changed.name}"
        self.status_label.value = (f"<span style='color:#E69F00'><b>running… writing the "
                                   f"report ({self.reps} replications each)</b></span>")
        try:
            write_report([base, changed], target, reps=self.reps, seed=self.seed, title=title)
        except (ScenarioError, OSError, ValueError) as exc:
            self.status_label.value = ""
            self._say(f"No report: {exc}", "error")
            return None
        self.status_label.value = "<span style='color:#006644'>report written</span>"
        link = data_link(target.read_bytes(), target.name, "text/html", "download")
        self._say(f"Report written to {_shown_path(target)}.", "ok", link)
        self.links.value = self.message_label.value
        return target

    def run_command(self, target: str | Path) -> str:
        """The command that runs a saved scenario from the project folder."""
        return f"python -m sim run {_shown_path(Path(target))}"

    # ---------------------------------------------------------------- internals
    def _load_base(self, name: str | Path) -> Scenario:
        return load_scenario(resolve_scenario_path(name))

    def _scenario(self, base: Scenario, changes: Mapping[str, Any]) -> Scenario:
        horizon = {"weeks": self.weeks} if self.weeks is not None else {}
        return with_overrides(base, {**horizon, **changes})

    def _say(self, text: str, kind: str, extra_html: str = "") -> None:
        self.message = text
        self.message_label.value = message_html(text, kind, extra_html)

    def _target(self, path: str | Path, suffixes: tuple[str, ...], default: str,
                from_widget: bool) -> Path | None:
        raw = str(path).strip()
        p = Path(raw)
        if not raw:
            self._say("Give a file name first (letters, digits, spaces, - _ .).", "error")
            return None
        if from_widget and ("/" in raw or "\\" in raw):
            self._say(f"'{raw}' is a path; give a file name only (it goes into "
                      f"{self.folder}/).", "error")
            return None
        if ".." in p.parts:
            self._say(f"'{raw}' leaves the folder; give a file name (it goes into "
                      f"{self.folder}/).", "error")
            return None
        name = p.name
        if not FILE_NAME.match(name) or name in (".", "..") or ".." in name:
            self._say(f"'{name}' is not a usable file name: use letters, digits, spaces, "
                      "- _ . and start with a letter or digit.", "error")
            return None
        if p.suffix.lower() not in suffixes:
            name += default
        folder = p.parent if len(p.parts) > 1 else self.folder
        if folder == self.folder:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self._say(f"Cannot create folder {folder}: {exc.strerror}", "error")
                return None
        if not folder.is_dir():
            self._say(f"Folder {folder} does not exist.", "error")
            return None
        return folder / name

    def _describe_base(self) -> None:
        s = self._base
        horizon = f"{self.weeks:g} weeks" if self.weeks is not None else f"{s.weeks:g} weeks"
        self.base_text.value = (f"<div style='color:#333'>{html.escape(s.description)}</div>"
                                f"<div style='color:#666'>{horizon} · {self.reps} replications · "
                                f"seed {s.seed if self.seed is None else self.seed}</div>")

    def keys(self) -> list[str]:
        """Every lever the lab offers (channel keys for the base scenario's channels)."""
        return [k for k in valid_keys(list(self._base.marketing.channels))
                if k not in LAB_HIDDEN_KEYS]

    def _filter(self) -> None:
        words = self.search.value.lower().split()
        options = []
        for key in grouped_levers(self.keys()):
            text = f"{key} {lever_option(key)} {lever_help(key)}".lower()
            if all(word in text for word in words):
                options.append((lever_option(key), key))
        current = self.key_list.value
        values = [v for _l, v in options]
        self.key_list.options = options
        if current in values:
            self.key_list.value = current
        elif FIRST_LEVER in values:
            self.key_list.value = FIRST_LEVER
        elif options:
            self.key_list.value = options[0][1]
        else:
            self.key_list.value = None
        self._pick()

    def _pick(self) -> None:
        key = self.key_list.value
        if key is None:
            self._editor = None
            self.editor_box.children = ()
            self.key_help.value = "<i>No lever matches.</i>"
            return
        if self._editor is not None and self._editor.key == key:
            return
        current = self.changes.get(key, get_value(self._base, key))
        self._editor = LeverControl(key, current, label=False)
        self.editor_box.children = (self._editor.widget,)
        low, low_open, high, high_open = self._editor.bounds
        valid = ""
        if (low is not None or high is not None) and self._editor.kind in ("int", "float"):
            valid = (f" · allowed: {'above' if low_open else 'from'} {setting_text(low)}"
                     if low is not None else "") + \
                    (f" {'below' if high_open else 'to'} {setting_text(high)}" if high is not None else "")
        unit = lever_unit(key)
        unit_text = f" [{html.escape(unit)}]" if unit and unit not in ("-", "flag", "rule") else ""
        self.key_help.value = (f"<div style='max-width:640px'><b>{html.escape(lever_label(key))}"
                               f"</b>{unit_text} · {html.escape(lever_group(key))} · base value "
                               f"<b>{html.escape(format_setting(key, get_value(self._base, key)))}"
                               f"</b>{valid}<br><span style='color:#555'>"
                               f"{html.escape(lever_help(key))}</span> <code style='color:#888; "
                               f"font-size:85%'>{html.escape(key)}</code></div>")

    def _add_clicked(self) -> None:
        if self._editor is not None:
            self.change(self._editor.key, self._editor.value)

    def _render_changes(self) -> None:
        rows: list[w.Widget] = []
        for key, value in self.changes.items():
            button = w.Button(description="remove", icon="times",
                              layout=w.Layout(width="90px"))
            button.on_click(lambda _b, k=key: self.remove(k))
            base_value = get_value(self._base, key)
            rows.append(w.HBox([button, w.HTML(
                f"<span title='{html.escape(key)}'>{html.escape(lever_label(key))}</span>: "
                f"{html.escape(format_setting(key, base_value))} → "
                f"<b>{html.escape(format_setting(key, value))}</b>")]))
        if not rows:
            rows.append(w.HTML("<i>None yet: pick a lever above, set its value, "
                               "press \"Add change\".</i>"))
        self.changes_box.children = tuple(rows)

    def _render_table(self) -> None:
        if self.result is None:
            self.table_html.value = ""
            return
        kpis = list(KPI_NAMES) if self.all_kpis.value else list(LAB_KPIS)
        first, second = self.comparison.names
        head = ("<tr><th style='text-align:left'>KPI</th>"
                f"<th>base: {html.escape(first)}</th><th style='max-width:16em'>changed: "
                f"<span style='font-weight:normal'>{html.escape(second)}</span></th>"
                "<th>difference</th><th>95 % interval of the difference</th></tr>")
        body = []
        for kpi in kpis:
            r = self.result.loc[kpi]
            mark = r["excludes_zero"]
            style = " style='background:#FFF3C4; font-weight:bold'" if mark else ""
            interval = (format_interval(kpi, r["ci_low"], r["ci_high"])
                        if math.isfinite(r["ci_low"]) else "– (needs 2+ replications)")
            cells = (format_value(kpi, r["base"]), format_value(kpi, r["changed"]),
                     format_value(kpi, r["difference"], True), interval + (" *" if mark else ""))
            body.append(
                f"<tr{style} title='{html.escape(kpi_definition(kpi))}'>"
                f"<td>{html.escape(kpi_label(kpi))}</td>"
                + "".join(f"<td style='text-align:right'>{html.escape(c)}</td>" for c in cells)
                + "</tr>")
        self.table_html.value = (
            "<table style='border-collapse:collapse; font-size:90%'>" + head + "".join(body)
            + "</table><div style='color:#555; font-size:85%'>changed − base, replication by "
            "replication on the same random numbers. Highlighted (*): the interval excludes "
            "zero, so the difference is unlikely to be luck. Shares differ in percentage points "
            "(pp).</div>")

    # ---------------------------------------------------------------- display
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


# --------------------------------------------------------------------------- self-assessment
class SelfAssessment:
    """The alignment self-assessment of :mod:`sim.assessment` as a form: one row of answer
    buttons (1 = strongly disagree … 5 = strongly agree) per statement, and the stage the answers
    place the team in, updated on every click.

    ``answers`` gives the starting answers (``{statement key: 1-5}``; 3 for any not given).
    :attr:`answers` is what the form holds now, ready for :func:`sim.assessment.assess`; without a
    browser (a headless run) the form simply keeps its starting answers.
    """

    def __init__(self, answers: Mapping[str, int] | None = None):
        from sim.assessment import QUESTIONS, SCALE_LABELS, SCALE_MAX, SCALE_MIN

        start = dict(answers or {})
        unknown = sorted(set(start) - {k for k, _t in QUESTIONS})
        if unknown:
            raise KeyError(f"unknown statement(s) {unknown}; the keys are "
                           f"{', '.join(k for k, _t in QUESTIONS)}")
        self.buttons: dict[str, w.ToggleButtons] = {}
        rows: list[w.Widget] = []
        for i, (key, text) in enumerate(QUESTIONS, start=1):
            buttons = w.ToggleButtons(
                options=[(str(v), v) for v in range(SCALE_MIN, SCALE_MAX + 1)],
                value=int(start.get(key, 3)), tooltips=[SCALE_LABELS[v] for v in
                                                        range(SCALE_MIN, SCALE_MAX + 1)],
                style={"button_width": "34px"})
            buttons.observe(lambda _ch: self._update(), "value")
            self.buttons[key] = buttons
            rows.append(w.HBox([buttons, w.HTML(f"<div style='max-width:560px; padding-top:4px'>"
                                                f"{i}. {html.escape(text)}</div>")]))
        scale = ", ".join(f"{k} = {v}" for k, v in SCALE_LABELS.items())
        self.result = w.HTML()
        self.widget = w.VBox([w.HTML(f"<b>Where does your team stand?</b> <span style="
                                     f"'color:#555'>({html.escape(scale)})</span>"),
                              *rows, self.result])
        self._update()

    @property
    def answers(self) -> dict[str, int]:
        """The answers now, ``{statement key: 1-5}``."""
        return {key: int(b.value) for key, b in self.buttons.items()}

    def set(self, key: str, value: int) -> None:
        """Answer one statement, as a click would."""
        self.buttons[key].value = int(value)

    def _update(self) -> None:
        from sim.assessment import assess

        placement = assess(self.answers)
        self.result.value = (f"<div style='margin-top:4px'>Mean answer {placement.mean:.2f}: "
                             f"stage <b>{html.escape(placement.stage)}</b></div>")

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


__all__ = ["BAR_KPIS", "DEFAULT_LEVERS", "DEFAULT_RANGES", "LAB_KPIS", "PANEL_KPIS", "Dashboard",
           "LeverControl", "ScenarioLab", "SelfAssessment", "get_value", "lever_field", "lever_unit"]
