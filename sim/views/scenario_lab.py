"""The scenario lab app: pick a base company, change any lever, compare fairly, keep the result.

A :class:`ScenarioLab` is the producer's booth beside the dashboard's mixing desk: pick a
recording (a preset scenario), note a few changes on any lever, and play the two versions back
to back on the same take (common random numbers, :func:`sim.experiment.compare`), with the
paired differences and their 95 % intervals, so a manager hears the change rather than the
luck. The booth can write the changed version to a scenario file and print the one-page
report. It is the Voilà app of ``notebooks/06_scenario_lab.ipynb``::

    from sim.views.scenario_lab import ScenarioLab

    lab = ScenarioLab("baseline", reps=10)
    lab.change("pricing.price_index", 2.0)
    lab.compare()
    lab.result                             # means, paired differences and 95 % intervals
    lab.save("dearer.yaml")                # my_scenarios/dearer.yaml
    lab.report("dearer.html")

The booth only shows and listens: what the experiment is (the base, the changes, what is
refused, the comparison table, where a file goes) is kept by
:class:`sim.views.lab.LabController`, which this view calls.
"""

from __future__ import annotations

import html
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from sim.errors import ScenarioError
from sim.experiment import summarise
from sim.metrics import KPI_NAMES
from sim.params import Scenario
from sim.scenario import MY_SCENARIOS_DIR, dump_scenario, get_value, preset_names
from sim.views.compare_plots import KpiBarsPlot
from sim.views.controls import (
    LeverControl,
    Shown,
    data_link,
    message_html,
    setting_text,
    size_figure,
)
from sim.views.images import figure_png
from sim.views.lab import LAB_KPIS, LabController, LabError, shown_path
from sim.views.labels import (
    format_interval,
    format_setting,
    format_value,
    kpi_definition,
    kpi_label,
    lever_group,
    lever_help,
    lever_label,
    lever_unit,
)
from sim.views.report import write_report

BAR_KPIS: tuple[str, ...] = ("revenue", "profit", "won", "mql_to_sql", "leakage_rate",
                             "contacted_within_1h")
"""The panels of the scenario lab's KPI-bars plot."""

APP_STYLE = ("<style>body[data-voila] .jp-Cell:not(:has(.widget-vbox, .jupyter-widgets))"
             " { display: none; }</style>")
"""In a Voilà app (``make app``) only the cells that show a widget are visible: the notebook's
instructions, exercises and code examples are for JupyterLab. Jupyter itself shows them all."""

INTRO = ("<h3 style='margin:4px 0'>Scenario lab</h3><div style='color:#333; max-width:720px'>"
         "Pick the company you start from, change one or more levers, and compare both "
         "companies on the same simulated luck: the difference is what the change is worth in "
         "the model.</div>")
"""The lab's heading and the one paragraph that says what it is for."""

CELL = "padding:3px 10px"
"""Room between the table's columns, so that two signed amounts never run together."""
NUMBER = f"text-align:right; {CELL}"
TABLE_NOTE = ("<div style='color:#555; font-size:85%'>changed − base, replication by "
              "replication on the same random numbers. Highlighted (*): the interval excludes "
              "zero, so the difference is unlikely to be luck. Shares differ in percentage "
              "points (pp).</div>")
"""The note under the comparison table."""


class ScenarioLab(Shown):
    """Base scenario + changes on any lever, compared fairly, saved and reported.

    ``base`` is a preset name (or a file); ``reps`` replications per scenario; ``seed``
    defaults to the base scenario's; ``weeks`` (optional) sets the horizon of both scenarios;
    ``folder`` is where :meth:`save` and :meth:`report` write files given by name only.
    Nothing is simulated until :meth:`compare` or :meth:`report`.
    """

    plain = ("The scenario lab (interactive): change levers and compare two companies; run the "
             "notebook in JupyterLab, or make app, to use it.")

    def __init__(self, base: str | Path = "baseline", reps: int = 10, seed: int | None = None,
                 weeks: float | None = None, folder: str | Path = MY_SCENARIOS_DIR):
        self.lab = LabController(base, reps, seed, weeks, folder)
        self.result: pd.DataFrame | None = None
        self.comparison: Any = None
        self.message = ""
        self._editor: LeverControl | None = None
        self.widget = w.VBox([
            w.HTML(APP_STYLE + INTRO),
            *self._build_base_picker(),
            w.HTML("<b>1 · Change any lever</b>"),
            *self._build_lever_picker(),
            w.HTML("<b>2 · Your changes</b>"),
            *self._build_changes(),
            w.HTML("<b>3 · Compare base and changed, on the same random numbers</b>"),
            *self._build_comparison(),
            w.HTML("<b>4 · Keep it</b>"),
            *self._build_keep(),
        ])
        self._describe_base()
        self._filter()
        self._render_changes()

    # ---------------------------------------------------------------- the screen, step by step
    def _build_base_picker(self) -> list[w.Widget]:
        """The base scenario: a list of the presets and a line describing the one chosen."""
        presets = preset_names()
        name = self.lab.base_name
        self.base_picker = w.Dropdown(options=presets if name in presets else [name, *presets],
                                      value=name, description="base scenario",
                                      style={"description_width": "initial"})
        self.base_picker.observe(
            lambda ch: self.base(ch["new"]) if ch["new"] != self.lab.base_name else None, "value")
        self.base_text = w.HTML()
        return [self.base_picker, self.base_text]

    def _build_lever_picker(self) -> list[w.Widget]:
        """Step 1: a search box, the filtered lever list, its help, an editor and "Add"."""
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
        return [self.search, self.key_list, self.key_help,
                w.HBox([self.editor_box, self.add_button])]

    def _build_changes(self) -> list[w.Widget]:
        """Step 2: the changes so far, each with its "remove" button, and "Clear changes"."""
        self.changes_box = w.VBox()
        self.clear_button = w.Button(description="Clear changes", icon="trash")
        self.clear_button.on_click(lambda _b: self.clear())
        return [self.changes_box, self.clear_button]

    def _build_comparison(self) -> list[w.Widget]:
        """Step 3: "Compare", its status and message, the table and the KPI bars."""
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
        return [w.HBox([self.compare_button, self.status_label]), self.message_label,
                self.table_html, self.all_kpis, self.bars_image]

    def _build_keep(self) -> list[w.Widget]:
        """Step 4: a file name, "Save scenario", "Write report" and the download links."""
        self.file_name = w.Text(placeholder="file name, e.g. my_change", description="name",
                                style={"description_width": "initial"})
        self.save_button = w.Button(description="Save scenario", icon="save")
        self.save_button.on_click(lambda _b: self.save(self.file_name.value, from_widget=True))
        self.report_button = w.Button(description="Write report", icon="file")
        self.report_button.on_click(
            lambda _b: self.report(self.file_name.value, from_widget=True))
        self.links = w.HTML()
        return [w.HBox([self.file_name, self.save_button, self.report_button]), self.links]

    # ---------------------------------------------------------------- the experiment's terms
    @property
    def changes(self) -> dict[str, Any]:
        """The changes on the base scenario, ``{dotted key: value}``."""
        return self.lab.changes

    @property
    def reps(self) -> int:
        """Replications per scenario."""
        return self.lab.reps

    @property
    def seed(self) -> int | None:
        """The seed of both scenarios (None: the base scenario's)."""
        return self.lab.seed

    @property
    def weeks(self) -> float | None:
        """The horizon of both scenarios (None: the base scenario's)."""
        return self.lab.weeks

    @property
    def folder(self) -> Path:
        """Where :meth:`save` and :meth:`report` write files given by name only."""
        return self.lab.folder

    # ---------------------------------------------------------------- programmatic API
    def base(self, name: str | Path) -> None:
        """Use another base scenario; the changes are kept when they still apply."""
        try:
            scenario = self.lab.use_base(name)
        except ScenarioError as exc:
            self._say(str(exc), "error")
            return
        if self.lab.base_name in self.base_picker.options:
            self.base_picker.value = self.lab.base_name
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
        try:
            self.lab.add_change(key, value)
        except (LabError, ScenarioError) as exc:
            self._say(str(exc), "error")
            return False
        self._render_changes()
        self._say(f"Change added: {lever_label(key)} = {format_setting(key, value)}.", "ok")
        return True

    def remove(self, key: str) -> None:
        """Drop one change."""
        self.lab.changes.pop(key, None)
        self._render_changes()
        self._say(f"Change removed: {lever_label(key)}.", "info")

    def clear(self) -> None:
        """Drop every change."""
        self.lab.changes.clear()
        self._render_changes()
        self._say("No changes.", "info")

    def base_scenario(self) -> Scenario:
        """The base scenario as compared (with the lab's horizon)."""
        return self.lab.base_scenario()

    def changed_scenario(self) -> Scenario:
        """The base scenario with every change applied (and the lab's horizon), named and
        described by what changed (``"baseline + price 1.1"``).
        """
        return self.lab.changed_scenario()

    def keys(self) -> list[str]:
        """Every lever the lab offers (channel keys for the base scenario's channels)."""
        return self.lab.keys()

    def compare(self) -> pd.DataFrame | None:
        """Run base and changed with common random numbers; fill :attr:`result` (one row per
        KPI: ``base``, ``changed``, ``difference``, ``ci_low``, ``ci_high``,
        ``excludes_zero``) and the KPI-bars plot. Returns the table, or None with a message.
        """
        try:
            base, changed = self.lab.ready_pair()
        except (LabError, ScenarioError) as exc:
            self._say(str(exc), "error")
            return None
        self.compare_button.disabled = True
        self.status_label.value = (f"<span style='color:#E69F00'><b>running… 2 × {self.reps} "
                                   f"replications of {base.weeks:g} weeks</b></span>")
        start = time.perf_counter()
        try:
            self.comparison, self.result = self.lab.comparison_of(base, changed)
        except (ScenarioError, ValueError) as exc:
            self._say(str(exc), "error")
            self.status_label.value = ""
            return None
        finally:
            self.compare_button.disabled = False
        self._show_comparison()
        seconds = time.perf_counter() - start
        self.status_label.value = (f"<span style='color:#006644'>done in {seconds:.1f} s · "
                                   f"{self.reps} paired replications, seed "
                                   f"{self.lab.shown_seed()}</span>")
        self._say("Compared. Highlighted rows: the 95 % interval of the difference excludes "
                  "zero.", "ok")
        return self.result

    def table(self, kpis: Sequence[str] | None = None) -> pd.DataFrame | None:
        """:attr:`result` as people read it (:mod:`sim.views.labels`: KPI labels, money with its
        symbol, shares in %, differences in pp), for ``kpis`` (default:
        :data:`~sim.views.lab.LAB_KPIS`); None before a comparison.
        """
        if self.result is None:
            return None
        return self.lab.readable_table(self.result, kpis)

    def save(self, path: str | Path, from_widget: bool = False) -> Path | None:
        """Write the changed scenario as YAML (with a header comment listing the changes).

        A bare file name goes into :attr:`folder`; ``.yaml`` is added when missing. Names with
        odd characters, or paths typed into the name box, are refused with a message.
        """
        try:
            target = self.lab.target(path, (".yaml", ".yml"), ".yaml", from_widget)
            dump_scenario(self.lab.saved_scenario(target), target,
                          header=self.lab.save_header(target))
        except LabError as exc:
            self._say(str(exc), "error")
            return None
        except (ScenarioError, OSError) as exc:
            self._say(f"Not saved: {exc}", "error")
            return None
        self._offer(target, "text/yaml", f"Saved {shown_path(target)}. Run it from the project "
                    f"folder with: {self.run_command(target)}")
        return target

    def report(self, path: str | Path, from_widget: bool = False) -> Path | None:
        """Write the one-page HTML report of base vs. changed (:func:`sim.views.report.write_report`,
        ``reps`` replications each); returns its path, or None with a message.
        """
        try:
            target = self.lab.target(path, (".html", ".htm"), ".html", from_widget)
            base, changed = self.lab.pair("unchanged copy")
        except (LabError, ScenarioError) as exc:
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
        self._offer(target, "text/html", f"Report written to {shown_path(target)}.")
        return target

    def run_command(self, target: str | Path) -> str:
        """The command that runs a saved scenario from the project folder."""
        return self.lab.run_command(target)

    # ---------------------------------------------------------------- internals
    def _say(self, text: str, kind: str, extra_html: str = "") -> None:
        self.message = text
        self.message_label.value = message_html(text, kind, extra_html)

    def _offer(self, target: Path, mime: str, text: str) -> None:
        """Say a file was written, with a link that downloads it, and keep the link shown."""
        link = data_link(target.read_bytes(), target.name, mime, "download")
        self._say(text, "ok", link)
        self.links.value = self.message_label.value

    def _show_comparison(self) -> None:
        """The KPI bars and the table of a fresh comparison."""
        ci = {name: summarise(table)[1] for name, table in self.comparison.tables.items()}
        self.bars.update(self.comparison.means(), ci)
        self.bars_image.value = figure_png(self.bars.fig)
        self.bars_image.layout.display = ""
        self._render_table()

    def _describe_base(self) -> None:
        s = self.lab.base
        horizon = f"{self.weeks:g} weeks" if self.weeks is not None else f"{s.weeks:g} weeks"
        self.base_text.value = (f"<div style='color:#333'>{html.escape(s.description)}</div>"
                                f"<div style='color:#666'>{horizon} · {self.reps} replications · "
                                f"seed {self.lab.shown_seed()}</div>")

    def _filter(self) -> None:
        options = self.lab.lever_options(self.search.value)
        chosen = self.lab.chosen_lever(options, self.key_list.value)
        self.key_list.options = options
        self.key_list.value = chosen
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
        current = self.lab.changes.get(key, get_value(self.lab.base, key))
        self._editor = LeverControl(key, current, label=False)
        self.editor_box.children = (self._editor.widget,)
        self.key_help.value = self._lever_help(key)

    def _lever_help(self, key: str) -> str:
        """The lever's label, unit, group, base value, allowed range and description."""
        low, low_open, high, high_open = self._editor.bounds
        valid = ""
        if (low is not None or high is not None) and self._editor.kind in ("int", "float"):
            valid = ((f" · allowed: {'above' if low_open else 'from'} {setting_text(low)}"
                      if low is not None else "")
                     + (f" {'below' if high_open else 'to'} {setting_text(high)}"
                        if high is not None else ""))
        unit = lever_unit(key)
        unit_text = f" [{html.escape(unit)}]" if unit and unit not in ("-", "flag", "rule") else ""
        base_value = format_setting(key, get_value(self.lab.base, key))
        return (f"<div style='max-width:640px'><b>{html.escape(lever_label(key))}"
                f"</b>{unit_text} · {html.escape(lever_group(key))} · base value "
                f"<b>{html.escape(base_value)}</b>{valid}<br><span style='color:#555'>"
                f"{html.escape(lever_help(key))}</span> <code style='color:#888; "
                f"font-size:85%'>{html.escape(key)}</code></div>")

    def _add_clicked(self) -> None:
        if self._editor is not None:
            self.change(self._editor.key, self._editor.value)

    def _render_changes(self) -> None:
        rows: list[w.Widget] = []
        for key, value in self.lab.changes.items():
            button = w.Button(description="remove", icon="times",
                              layout=w.Layout(width="90px"))
            button.on_click(lambda _b, k=key: self.remove(k))
            base_value = get_value(self.lab.base, key)
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
        head = (f"<tr><th style='text-align:left; {CELL}'>KPI</th>"
                f"<th style='{NUMBER}'>base: {html.escape(first)}</th>"
                f"<th style='max-width:16em; {NUMBER}'>changed: "
                f"<span style='font-weight:normal'>{html.escape(second)}</span></th>"
                f"<th style='{NUMBER}'>difference</th>"
                f"<th style='{NUMBER}'>95 % interval of the difference</th></tr>")
        body = "".join(self._table_row(kpi) for kpi in kpis)
        self.table_html.value = ("<table style='border-collapse:collapse; font-size:90%'>" + head
                                 + body + "</table>" + TABLE_NOTE)

    def _table_row(self, kpi: str) -> str:
        """One KPI of the comparison table, highlighted where the interval excludes zero."""
        r = self.result.loc[kpi]
        mark = r["excludes_zero"]
        style = " style='background:#FFF3C4; font-weight:bold'" if mark else ""
        interval = (format_interval(kpi, r["ci_low"], r["ci_high"])
                    if math.isfinite(r["ci_low"]) else "– (needs 2+ replications)")
        cells = (format_value(kpi, r["base"]), format_value(kpi, r["changed"]),
                 format_value(kpi, r["difference"], True), interval + (" *" if mark else ""))
        return (f"<tr{style} title='{html.escape(kpi_definition(kpi))}'>"
                f"<td style='{CELL}'>{html.escape(kpi_label(kpi))}</td>"
                + "".join(f"<td style='{NUMBER}'>{html.escape(c)}</td>" for c in cells)
                + "</tr>")


__all__ = ["APP_STYLE", "BAR_KPIS", "ScenarioLab"]
