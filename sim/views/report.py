"""One-page HTML report: what a manager forwards after comparing scenarios.

The report is a sealed envelope: a single ``.html`` file with everything inside it. Styles are
in the page, figures are PNG images written into the page as base64 text, and nothing is fetched
from anywhere, so the file opens the same way from an e-mail attachment, a shared drive or an
offline laptop. It is written for the manager who reads it, in this order:

* the answer, in words: how much more or less revenue each scenario earns than the first, with
  its 95 % interval and whether that is clearly more than luck (paired differences on common
  random numbers, as in :func:`sim.experiment.compare`), then revenue and profit per scenario;
* where each revenue difference comes from: the revenue bridge from the first scenario to each
  other one, link by link of the funnel, as a waterfall (:mod:`sim.views.bridge`) and a small
  table whose steps add up to the difference (:func:`sim.bridge.revenue_bridge`);
* the scenarios, each with its description (or, where it repeats the first one's, its changes);
* the funnel, revenue over time, KPI bars, speed to lead and trust over time
  (:mod:`sim.views.plots`, :mod:`sim.views.compare_plots`);
* every KPI under its human label (:mod:`sim.views.labels`) with its mean and 95 % interval per
  scenario, and the paired differences from the first scenario, highlighted where the interval
  excludes zero;
* the settings that differ from the first scenario, every setting, and a reproducibility
  footer: seed, replications, weeks, versions and the command that rebuilds the report.

Every replication is run once (:func:`sim.views.report_data.simulate`), with the seed and
replication numbers that :func:`sim.experiment.replicate` uses, so the numbers match ``python -m
sim compare`` with the same seed and replications. All text that comes from users (scenario
names, descriptions, file paths, channel names) is HTML-escaped::

    from pathlib import Path
    from sim import load_scenario
    from sim.views.report import write_report

    paths = ["scenarios/undefined.yaml", "scenarios/integrated.yaml"]
    write_report([load_scenario(p) for p in paths], Path("report.html"), reps=10,
                 source_paths=paths)
"""

from __future__ import annotations

import html
import math
import platform
import re
import shlex
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import simpy
import yaml
from matplotlib.figure import Figure

import sim
from sim.errors import ScenarioError
from sim.experiment import excludes_zero
from sim.files import check_folder, write_atomic
from sim.metrics import KPI_NAMES
from sim.params import ABSENT, Scenario, flatten_settings, settings_diff
from sim.scenario import load_scenario
from sim.views.bridge import bridge_chart, bridge_table
from sim.views.compare_plots import kpi_bars, speed_to_lead
from sim.views.images import figure_data_uri
from sim.views.labels import (
    describe_changes,
    describe_difference,
    format_interval,
    format_setting,
    format_value,
    kpi_definition,
    kpi_label,
    lever_label,
    number,
)
from sim.views.palette import scenario_colors
from sim.views.plots import FUNNEL_STAGES, FunnelPlot, revenue_over_time, trust_over_time
from sim.views.report_data import ReportData, simulate
from sim.yamlio import safe_load

SUMMARY_KPIS: tuple[str, ...] = ("revenue", "profit")
BAR_KPIS: tuple[str, ...] = (
    "revenue", "profit", "won", "mql_to_sql", "leakage_rate", "contacted_within_1h",
)
TRUST_SERIES: tuple[str, ...] = ("trust", "conflict", "understanding")
DPI = 100
_HIDDEN_SETTINGS = ("name", "description")  # shown in the scenario list instead


def _e(value: Any) -> str:
    """Escape any text for HTML (quotes too: the result is safe inside attributes)."""
    return html.escape(str(value), quote=True)


# ------------------------------------------------------------------------------ settings
def _setting_text(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, float):
        return f"{value:,.10g}"
    if isinstance(value, str):
        return value
    return format_setting("", value)


def _yaml_value(value: Any) -> str:
    """A value as ``--set`` reads it back (YAML)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text.replace("e", ".0e") if "e" in text and "." not in text else text
    text = str(value)
    try:
        # the value may be any text a scenario file held: read it within the bounded reader's
        # limits (a deep "[[[…" or an alias bomb must not hang or crash the report)
        same = safe_load(text) == text
    except yaml.YAMLError:
        same = False
    return text if same else "'" + text.replace("'", "''") + "'"


# ------------------------------------------------------------------------------ figures
def _funnels(data: ReportData) -> Figure:
    n = len(data.names)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(4.6 * ncols, 3.0 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for spare in axes[n:]:
        spare.remove()
    scale = max((number(data.means[n].get(s), 0.0) for n in data.names for s in FUNNEL_STAGES),
                default=0.0)
    colours = scenario_colors(data.names)
    for ax, name in zip(axes, data.names, strict=False):
        FunnelPlot(ax, title=name, colour=colours[name]).update(data.means[name], scale=scale)
    return fig


def _figures(data: ReportData) -> list[tuple[str, str, str]]:
    """``(title, caption, data URI)`` for each figure of the report."""
    reps = data.reps_text
    specs = [
        ("Funnel", f"Mean count at each stage over {reps}, with the share of the stage above "
         "that reached it. Opportunities are split into those from SQLs and those sales found "
         "itself by prospecting.", lambda: _funnels(data)),
        ("Revenue over time", f"Cumulative revenue: the line is the mean over {reps}, the band "
         "its 95 % interval.", lambda: revenue_over_time(data.weekly, cumulative=True)),
        ("KPI comparison", "Means with 95 % intervals across replications (no error bar with a "
         "single replication).",
         lambda: kpi_bars(data.means, data.ci, kpis=BAR_KPIS, ncols=3)),
        ("Speed to lead", "Share of MQLs with a first contact attempt within a given number of "
         f"hours after becoming an MQL, pooled over {reps}; a curve levels off below 100 % where "
         "MQLs were never contacted. Responding within the hour is worth about 7 times the odds "
         "of qualifying the lead (Oldroyd et al., HBR 2011).",
         lambda: speed_to_lead(data.speed_hours)),
        ("Trust over time", "Sales' trust in marketing leads (solid), conflict between the teams "
         "(dashed) and shared understanding of a good lead (dotted); mean and 95 % band.",
         lambda: trust_over_time(data.weekly, series=TRUST_SERIES)),
    ]
    out = []
    for title, caption, build in specs:
        fig = build()
        out.append((title, caption, figure_data_uri(fig, DPI)))
    return out


# ------------------------------------------------------------------------------ html pieces
_CSS = """
:root { --ink: #1d2733; --muted: #5b6876; --line: #d8dee6; --sig: #fff1c2; --head: #f2f5f8; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: var(--ink); max-width: 1120px; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid var(--line);
     padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p.meta, .note, figcaption, footer { color: var(--muted); font-size: .9rem; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px;
          margin-right: .35em; vertical-align: baseline; }
ul.summary li { margin: .35rem 0; }
p.answer { font-size: 1.12rem; margin: .4rem 0; }
code.key { color: var(--muted); font-size: .75rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .86rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; }
th { background: var(--head); text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.def { color: var(--muted); max-width: 22rem; }
span.ci { display: block; color: var(--muted); font-size: .78rem; }
td.sig { background: var(--sig); font-weight: 600; }
tr.differs td { background: var(--sig); }
table.bridge tbody tr:last-child { font-weight: 600; }
figure { margin: 1.2rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
details { margin: .6rem 0; }
summary { cursor: pointer; font-weight: 600; }
pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
            font-size: .82rem; }
pre { background: var(--head); padding: .6rem .8rem; overflow-x: auto; white-space: pre-wrap;
      word-break: break-all; }
footer { border-top: 2px solid var(--line); margin-top: 2.5rem; padding-top: .8rem; }
footer dt { font-weight: 600; float: left; clear: left; width: 11rem; }
footer dd { margin: 0 0 .2rem 11.5rem; }
@media print { body { margin: 0; max-width: none; } details { display: block; } }
"""


def _interval(kpi: str, ci: Any, signed: bool = False) -> str:
    if ci is None or len(ci) != 2:
        return ""
    return format_interval(kpi, ci[0], ci[1], signed)


def _swatch(data: ReportData, i: int) -> str:
    colour = scenario_colors(data.names)[data.names[i]]
    return f'<span class="swatch" style="background:{colour}"></span>'


def _summary_item(data: ReportData, i: int) -> str:
    """The answer for one scenario, in words: its headline differences from the first one with
    their intervals (the first scenario, or a single one, with its means).
    """
    name = data.names[i]
    weeks = f"{data.scenarios[i].weeks:g} weeks"
    if i == 0:
        parts = []
        for kpi in SUMMARY_KPIS:
            ci = (data.ci[name] or {}).get(kpi)
            interval = _interval(kpi, ci)
            parts.append(f"{kpi_label(kpi).lower()} {_e(format_value(kpi, data.means[name].get(kpi)))}"
                         + (f" (95 % interval {_e(interval)})" if interval else ""))
        lead = "the reference for every comparison: " if len(data.names) > 1 else ""
        return (f"<li>{_swatch(data, i)}<strong>{_e(name)}</strong> is {lead}"
                f"{' and '.join(parts)} over {_e(weeks)}, mean of {_e(data.reps_text)}.</li>")
    first = data.names[0]
    sentences = []
    for kpi in SUMMARY_KPIS:
        d = data.differences[name][kpi]
        sentences.append(_e(describe_difference(kpi, d["mean"], d["ci95"],
                                                reference=data.means[first].get(kpi))))
    return (f"<li>{_swatch(data, i)}<strong>{_e(name)}</strong> compared with "
            f"<strong>{_e(first)}</strong> over {_e(weeks)}, paired over "
            f"{_e(data.reps_text)}: {' '.join(sentences)}</li>")


def _headline(data: ReportData) -> str:
    """The answer in one sentence, before anything else: which scenario earns the most revenue,
    and whether the difference is clearly more than luck.
    """
    if len(data.names) < 2:
        name = data.names[0]
        return (f"<p class=\"answer\"><strong>{_e(name)}</strong> books "
                f"{_e(format_value('revenue', data.means[name].get('revenue')))} of revenue and "
                f"{_e(format_value('profit', data.means[name].get('profit')))} of profit over "
                f"{_e(f'{data.scenarios[0].weeks:g}')} weeks (mean of "
                f"{_e(data.reps_text)}).</p>")
    first = data.names[0]
    out = []
    for name in data.names[1:]:
        d = data.differences[name]["revenue"]
        mean = number(d["mean"])
        ci = d["ci95"]
        if not np.isfinite(mean):
            out.append(f"<strong>{_e(name)}</strong>: no revenue difference could be computed.")
            continue
        if mean == 0:
            out.append(f"<strong>{_e(name)}</strong> earns the same revenue as "
                       f"<strong>{_e(first)}</strong> in every replication.")
            continue
        word = "more" if mean > 0 else "less"
        amount = format_value("revenue", abs(mean))
        if ci is None or not all(np.isfinite(number(v)) for v in ci):
            verdict = "one replication gives no interval; run more to judge it"
        elif excludes_zero(ci):
            verdict = "clearly more than luck"
        else:
            verdict = "the interval includes zero, so this could be luck"
        interval = _interval("revenue", ci, signed=True)
        out.append(f"<strong>{_e(name)}</strong> earns {_e(amount)} {word} revenue than "
                   f"<strong>{_e(first)}</strong>"
                   + (f" (95 % interval {_e(interval)})" if interval else "")
                   + f": {_e(verdict)}.")
    return "".join(f'<p class="answer">{line}</p>' for line in out)


def _kpi_rows(data: ReportData) -> list[str]:
    extra = [k for t in data.tables.values() for k in t.columns if k not in KPI_NAMES]
    return list(KPI_NAMES) + list(dict.fromkeys(extra))


def _kpi_head(kpi: str) -> str:
    return f"<th title=\"{_e(kpi)}\">{_e(kpi_label(kpi))}</th>"


def _number_cell(value: str, interval: str, cls: str = "num") -> str:
    """A table cell with a value and, below it in grey, its 95 % interval (when there is one)."""
    ci_html = f'<span class="ci">{_e(interval)}</span>' if interval else ""
    return f'<td class="{cls}">{_e(value)}{ci_html}</td>'


def _kpi_table(data: ReportData) -> str:
    head = "".join(f"<th>{_swatch(data, i)}{_e(n)}</th>" for i, n in enumerate(data.names))
    rows = []
    for kpi in _kpi_rows(data):
        cells = []
        for name in data.names:
            interval = _interval(kpi, (data.ci[name] or {}).get(kpi))
            cells.append(_number_cell(format_value(kpi, data.means[name].get(kpi)), interval))
        rows.append(f"<tr>{_kpi_head(kpi)}<td class=\"def\">{_e(kpi_definition(kpi))}"
                    f"</td>{''.join(cells)}</tr>")
    return (f'<div class="scroll"><table><thead><tr><th>KPI</th><th>definition</th>{head}</tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>")


def _diff_table(data: ReportData) -> str:
    first = data.names[0]
    others = data.names[1:]
    head = "".join(f"<th>{_swatch(data, i + 1)}{_e(n)} − {_e(first)}</th>"
                   for i, n in enumerate(others))
    rows = []
    for kpi in _kpi_rows(data):
        cells = []
        for name in others:
            d = data.differences[name].get(kpi, {"mean": math.nan, "ci95": None})
            interval = _interval(kpi, d["ci95"], signed=True)
            cells.append(_number_cell(format_value(kpi, d["mean"], signed=True), interval,
                                      "num sig" if excludes_zero(d["ci95"]) else "num"))
        rows.append(f"<tr>{_kpi_head(kpi)}{''.join(cells)}</tr>")
    return (f'<div class="scroll"><table><thead><tr><th>KPI</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _settings_section(data: ReportData) -> str:
    first = data.scenarios[0]
    parts = []
    for i, (name, scenario) in enumerate(zip(data.names[1:], data.scenarios[1:], strict=True)):
        diff = settings_diff(first, scenario, skip=_HIDDEN_SETTINGS)
        parts.append(f"<h3>{_swatch(data, i + 1)}{_e(name)} vs {_e(data.names[0])}</h3>")
        if not diff:
            parts.append('<p class="note">Same settings as the first scenario.</p>')
            continue
        rows = "".join(
            f"<tr><td>{_e(lever_label(k))} <code class=\"key\">{_e(k)}</code></td>"
            f"<td>{_e(_setting_text(a))}</td><td>{_e(_setting_text(b))}</td></tr>"
            for k, a, b in diff)
        parts.append(f'<table class="diff"><thead><tr><th>setting</th><th>{_e(data.names[0])}'
                     f"</th><th>{_e(name)}</th></tr></thead><tbody>{rows}</tbody></table>")
    flat = [flatten_settings(s) for s in data.scenarios]
    keys = list(dict.fromkeys(k for f in flat for k in f if k not in _HIDDEN_SETTINGS))
    head = "".join(f"<th>{_swatch(data, i)}{_e(n)}</th>" for i, n in enumerate(data.names))
    rows = []
    for k in keys:
        values = [f.get(k, ABSENT) for f in flat]
        differs = any(v != values[0] for v in values[1:])
        cells = "".join(f"<td>{_e(_setting_text(v))}</td>" for v in values)
        row_class = ' class="differs"' if differs else ""
        rows.append(f"<tr{row_class}><td>{_e(lever_label(k))} <code class=\"key\">{_e(k)}</code>"
                    f"</td>{cells}</tr>")
    intro = ("" if len(data.names) > 1 else
             '<p class="note">One scenario: there is nothing to compare its settings with.</p>')
    every = (f"<details><summary>Every setting ({len(keys)})"
             f"{', rows that differ highlighted' if len(data.names) > 1 else ''}</summary>"
             f'<div class="scroll"><table><thead><tr><th>setting</th>{head}</tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table></div></details>")
    return intro + "".join(parts) + every


def _resolved_yaml(data: ReportData) -> str:
    blocks = []
    for name, scenario in zip(data.names, data.scenarios, strict=True):
        text = yaml.safe_dump(scenario.model_dump(), sort_keys=False, allow_unicode=True)
        blocks.append(f"<details><summary>Resolved scenario “{_e(name)}” (YAML)</summary>"
                      f"<pre>{_e(text)}</pre></details>")
    return "".join(blocks)


def _overrides(path: str, scenario: Scenario) -> dict[str, Any] | None:
    """Settings where ``scenario`` differs from the file it came from (None if unreadable)."""
    try:
        loaded = load_scenario(path)
    except Exception:  # noqa: BLE001 - a moved or broken file only weakens the footer
        return None
    return {k: b for k, a, b in settings_diff(loaded, scenario, skip=("seed",))}


def _command(data: ReportData, source_paths: Sequence[str] | None,
             out: str | Path | None) -> tuple[str, str]:
    """The command that rebuilds the report, and a note on how far it can be trusted."""
    args = ["python", "-m", "sim", "report"]
    if not source_paths:
        return ("", "The scenarios were set up in the scenario lab or a notebook rather than "
                "read from files; every setting that ran is listed below.")
    args += [str(p) for p in source_paths]
    args += ["--reps", str(data.reps), "--seed", str(data.seed)]
    changes = [_overrides(str(p), s) for p, s in zip(source_paths, data.scenarios, strict=True)]
    note = ""
    if any(c is None for c in changes):
        note = ("Some scenario files could not be read back; check them against the resolved "
                "settings below.")
    elif any(changes):
        if all(c == changes[0] for c in changes) and all(
                isinstance(v, bool | int | float | str) or v is None for v in changes[0].values()):
            for key, value in changes[0].items():
                args += ["--set", f"{key}={_yaml_value(value)}"]
        else:
            note = ("The scenarios differ from their files in ways one command line cannot "
                    "restate; the resolved settings below are what ran.")
    args += ["--out", Path(out).name if out is not None else "report.html"]
    return shlex.join(args), note


def _footer(data: ReportData, source_paths: Sequence[str] | None, command: str | None,
            generated: str, out: str | Path | None) -> str:
    weeks = sorted({(s.weeks, s.warmup_weeks) for s in data.scenarios})
    weeks_text = "; ".join(f"{w:g}" + (f" (first {u:g} left out as warm-up)" if u else "")
                           for w, u in weeks)
    rebuilt, note = _command(data, source_paths, out)
    cmd = command or rebuilt
    sources = ""
    if source_paths:
        sources = "<dt>scenario files</dt><dd>" + ", ".join(
            f"<code>{_e(p)}</code>" for p in source_paths) + "</dd>"
    items = [
        f"<dt>seed</dt><dd>{_e(data.seed)} for every scenario (common random numbers), "
        f"replications 0–{_e(data.reps - 1)}</dd>",
        f"<dt>replications</dt><dd>{_e(data.reps)} per scenario</dd>",
        f"<dt>weeks simulated</dt><dd>{_e(weeks_text)}</dd>",
        sources,
        f"<dt>software</dt><dd>LeadFlow Lab {_e(sim.__version__)}, Python "
        f"{_e(platform.python_version())}, SimPy {_e(simpy.__version__)}, NumPy "
        f"{_e(np.__version__)}, pandas {_e(pd.__version__)}, matplotlib "
        f"{_e(matplotlib.__version__)}</dd>",
        f"<dt>generated</dt><dd>{_e(generated)} in {_e(f'{data.seconds:.1f}')} s of "
        "simulation</dd>",
    ]
    if cmd:
        items.append(f"<dt>to reproduce</dt><dd><code>{_e(cmd)}</code></dd>")
    if note:
        items.append(f"<dt>note</dt><dd>{_e(note)}</dd>")
    return ("<footer><h2>Reproducibility</h2><dl>" + "".join(items) + "</dl>"
            + _resolved_yaml(data) + "</footer>")


def _bridge_section(data: ReportData) -> str:
    """Where each revenue difference comes from: each later scenario's revenue bridge from the
    first, as a waterfall and a table of the steps (nothing with one scenario).
    """
    first, parts = data.names[0], []
    for i, (name, bridge) in enumerate(data.bridges.items(), start=1):
        title = f"Revenue bridge: {first} to {name}"
        rows = "".join(f"<tr><th>{_e(label)}</th>" + "".join(_number_cell(v, "") for v in cells)
                       + "</tr>" for label, *cells in bridge_table(bridge))
        parts.append(
            f"<h3>{_swatch(data, i)}{_e(name)} against {_e(first)}</h3><figure><img src=\""
            f"{figure_data_uri(bridge_chart(bridge, first, name, title=title), DPI)}\" alt=\""
            f'{_e(title)}"></figure><div class="scroll"><table class="bridge"><thead><tr><th>'
            f"link of the funnel</th><th>{_e(first)}</th><th>{_e(name)}</th><th>revenue "
            f"effect</th></tr></thead><tbody>{rows}</tbody></table></div>")
    return ("<section id=\"bridge\"><h2>Where the difference comes from</h2><p class=\"note\">"
            "From the top: the first scenario's revenue, what each link of the funnel adds "
            "(green) or takes away (vermillion), the other scenario's revenue. The steps split "
            "the difference in mean revenue exactly (logarithmic mean Divisia index); the table "
            f"rounds them to whole currency units.</p>{''.join(parts)}</section>") if parts else ""


# ------------------------------------------------------------------------------ public
def _robustness_section(data: ReportData) -> str:
    """How far the presets compared teach what holds: their labels from the robustness page
    (docs/robustness.md), or nothing when no compared scenario is a preset with claims.
    """
    from sim.robustness_page import PAGE, lesson_lines, read_page

    if not PAGE.is_file():
        return ""
    lines = lesson_lines(read_page(PAGE), list(data.names))
    if not lines:
        return ""
    items = []
    for line in lines:
        text = _e(line.removeprefix("- "))
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        items.append("<li>" + re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text) + "</li>")
    return ("<section id=\"robustness\"><h2>How far this holds</h2><p class=\"note\">Each "
            "preset's claims checked across the plausible ranges of the model's assumptions "
            "(<code>python -m sim robustness</code>): a lesson that holds in fewer than 90 % of "
            f"that space is what follows at the default assumptions, not a fact.</p><ul>"
            f"{''.join(items)}</ul></section>")


def render_report(scenarios: Sequence[Scenario], reps: int = 10, seed: int | None = None,
                  source_paths: Sequence[str] | None = None, *, command: str | None = None,
                  title: str | None = None, now: datetime | None = None,
                  out: str | Path | None = None, data: ReportData | None = None) -> str:
    """The report as one self-contained HTML string.

    Runs ``reps`` replications of every scenario (or uses ``data`` from :func:`simulate`).
    ``source_paths`` names the scenario files, in the same order, for the footer's command;
    ``command`` replaces that command (the exact command line that made the report);
    ``title`` replaces the default title; ``now`` fixes the date shown; ``out`` is the file
    the report is meant for (named in the footer's command).
    """
    scenarios = list(scenarios)
    if source_paths is not None and len(source_paths) != len(scenarios):
        raise ValueError(f"{len(scenarios)} scenario(s) but {len(source_paths)} source path(s)")
    if data is None:
        data = simulate(scenarios, reps, seed)
    generated = (now or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip()
    title = title or "LeadFlow Lab report: " + " vs ".join(data.names)
    described = []
    for i, name in enumerate(data.names):
        path = (f' <span class="note">(<code>{_e(source_paths[i])}</code>)</span>'
                if source_paths else "")
        text = _scenario_text(data, i)
        described.append(f"<li>{_swatch(data, i)}<strong>{_e(name)}</strong>{path}"
                         f"{': ' + _e(text) if text else ''}</li>")
    figures = "".join(
        f"<figure><h3>{_e(t)}</h3><img src=\"{uri}\" alt=\"{_e(t)}\"><figcaption>{_e(c)}"
        f"</figcaption></figure>" for t, c, uri in _figures(data))
    if len(data.names) > 1:
        differences = (
            f"<section id=\"differences\"><h2>Differences from {_e(data.names[0])}</h2>"
            "<p class=\"note\">Paired differences, replication by replication on the same "
            "random numbers, with their 95 % intervals. Highlighted: the interval excludes "
            "zero, so the difference is unlikely to be luck. Shares differ in percentage points "
            "(pp).</p>" + _diff_table(data) + "</section>")
    else:
        differences = ""
    summary = "".join(_summary_item(data, i) for i in range(len(data.names)))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"generator\" content=\"LeadFlow Lab {_e(sim.__version__)}\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{_e(title)}</h1><p class=\"meta\">{_e(generated)} · "
        f"{_e(data.reps_text)} per scenario · seed {_e(data.seed)}</p></header>"
        f"<section id=\"answer\"><h2>The answer</h2>{_headline(data)}"
        f"<ul class=\"summary\">{summary}</ul></section>{_bridge_section(data)}"
        f"<section id=\"scenarios\"><h2>Scenarios</h2><ul>{''.join(described)}</ul></section>"
        f"{_robustness_section(data)}"
        f"<section id=\"figures\"><h2>Figures</h2>{figures}</section>"
        "<section id=\"kpis\"><h2>Every KPI</h2><p class=\"note\">Mean over replications, "
        "with the 95 % interval of the mean below it (none with a single replication); – marks "
        f"a ratio with nothing to divide by.</p>{_kpi_table(data)}</section>"
        f"{differences}"
        f"<section id=\"settings\"><h2>Settings</h2>{_settings_section(data)}</section>"
        f"{_footer(data, source_paths, command, generated, out)}"
        "</body></html>\n"
    )


def _scenario_text(data: ReportData, i: int) -> str:
    """A scenario's description; for a later scenario that repeats the first one's
    description, what it changes instead.
    """
    s = data.scenarios[i]
    if i == 0 or s.description != data.scenarios[0].description:
        return s.description
    diff = [(k, b) for k, _a, b in settings_diff(data.scenarios[0], s, skip=_HIDDEN_SETTINGS)
            if k not in ("seed", "weeks", "warmup_weeks")]
    if not diff:
        return s.description
    return f"{data.names[0]} with {describe_changes(dict(diff))}"


def _check_target(out: Path) -> None:
    """Refuse an unusable report path before any simulation runs."""
    if out.is_dir():
        raise ScenarioError("--out", str(out), "is a folder; give the report's file name, "
                            "e.g. report.html")
    ancestor = next((p for p in out.parents if p.exists()), None)
    if ancestor is not None and not ancestor.is_dir():
        raise ScenarioError("--out", str(out), f"'{ancestor}' is a file, not a folder")
    check_folder(out, "--out")


def write_report(scenarios: list[Scenario], out: Path, reps: int = 10, seed: int | None = None,
                 source_paths: list[str] | None = None, *, command: str | None = None,
                 title: str | None = None) -> Path:
    """Simulate the scenarios and write the report to ``out`` (one HTML file); return ``out``.

    The file is written to a temporary file in the same folder and then moved into place, so
    ``out`` is either the old file or the complete new one, never half-written. An unusable
    ``out`` (its folder missing or a file, ``out`` itself a folder) raises
    :class:`~sim.errors.ScenarioError` before anything runs or is written. See
    :func:`render_report` for the other arguments.
    """
    out = Path(out)
    _check_target(out)
    text = render_report(scenarios, reps, seed, source_paths, command=command, title=title,
                         out=out)
    return write_atomic(out, text)


__all__ = ["render_report", "write_report"]
