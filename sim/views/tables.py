"""Tables for people: pandas Styler output with human labels and the kit's number formats.

A table in a notebook is read by a room, off a projector, so it writes numbers the way the
report and the dashboards do (:mod:`sim.views.labels`): "€3,219,597", "48.5 %", "+3.2 pp", with
every column and row under its human label, never as the computer holds them (``3219597.093``,
``contacted_within_1h``). Each helper returns a :class:`Table`, a pandas ``Styler`` that keeps
the numbers underneath (``table.data``) and only changes how they are shown::

    from sim import load_scenario
    from sim.experiment import compare
    from sim.views.tables import differences_table, means_table

    comparison = compare([load_scenario("undefined"), load_scenario("integrated")], reps=5)
    means_table(comparison.means(), ["revenue", "leakage_rate", "won"])
    differences_table(comparison.differences(), ["revenue", "leakage_rate"])

* :func:`styled`: any frame, each column in the format of the KPI it is named after, or of the
  KPI or format kind (:data:`~sim.views.labels.FORMAT_KINDS`) given for it;
* :func:`kpis_table`: one run's (or one scenario's) KPIs, a row per KPI with its definition;
* :func:`means_table`: scenarios side by side, each row marked in its scenario's colour;
* :func:`differences_table` and :func:`comparison_table`: paired differences with their 95 %
  intervals, a row per KPI, highlighted where the interval leaves zero out;
* :func:`settings_table`: a table with a row per lever, under the levers' labels;
* :func:`states_table`: where leads ended (an event log's ``final_state``), in words.

A table reads as aligned text too (its ``repr``, which a notebook stores beside the HTML), and
its HTML ids derive from its content, so a notebook run again stores the same output.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from sim.experiment import excludes_zero
from sim.views.labels import (
    FORMAT_KINDS,
    KPI_LABELS,
    LEAD_STATES,
    SERIES_LABELS,
    format_as,
    format_interval,
    format_value,
    kpi_definition,
    kpi_label,
    lever_label,
)
from sim.views.palette import scenario_colors

LINE = "#d8dee6"
"""The grey of the tables' rules (as in the report)."""
HEAD = "#f2f5f8"
"""The background of the header cells (as in the report)."""
CODE = ("font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; "
        "color: #5b6876; font-size: .85em;")
"""How a code name (a scenario key, an event-log state) is written beside its label."""
BEYOND_LUCK = "#fff1c2"
"""The background of a difference whose 95 % interval leaves zero out (as in the report)."""

_STYLES = [
    {"selector": "", "props": "border-collapse: collapse; margin: .4rem 0 1rem; "
                              "font-variant-numeric: tabular-nums;"},
    {"selector": "th, td", "props": f"border: 1px solid {LINE}; padding: .25rem .6rem;"},
    {"selector": "thead th", "props": f"background: {HEAD}; text-align: left; "
                                      "vertical-align: bottom; white-space: normal;"},
    {"selector": "th.row_heading", "props": "text-align: left; font-weight: 600;"},
    {"selector": "td", "props": "text-align: right; white-space: nowrap;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; color: #5b6876;"},
]
"""The look every table shares: thin grey rules, grey headers, numbers right-aligned."""


class Table(Styler):
    """A pandas ``Styler`` that also reads as aligned text (its ``repr``), so a terminal or a
    notebook's text output shows the same formatted table as the HTML.
    """

    def __repr__(self) -> str:
        return self.text()

    def text(self) -> str:
        """The formatted table as plain text: numbers right-aligned, the index and text
        columns left-aligned.
        """
        text = self.to_string(delimiter="\t", sparse_index=False)
        grid = [line.split("\t") for line in text.splitlines()]
        width = max(map(len, grid))
        grid = [row + [""] * (width - len(row)) for row in grid]
        widths = [max(len(row[j]) for row in grid) for j in range(width)]
        levels = self.data.index.nlevels
        left = [j < levels or not _is_number_column(self.data.iloc[:, j - levels])
                for j in range(width)]
        return "\n".join(
            "  ".join(cell.ljust(w) if left[j] else cell.rjust(w)
                      for j, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in grid)


def _formatter(spec: str, signed: bool = False) -> Any:
    """How one value of a KPI (or format kind) is written."""
    if spec in FORMAT_KINDS:
        return partial(format_as, spec, signed=signed)
    return partial(format_value, spec, signed=signed)


def _header(value: Any) -> Any:
    return kpi_label(value) if isinstance(value, str) else value


def _is_number_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _default_spec(name: Any, column: pd.Series) -> str:
    if isinstance(name, str) and (name in KPI_LABELS or name in SERIES_LABELS):
        return name  # a KPI or weekly column with a format of its own
    return "count" if pd.api.types.is_integer_dtype(column) else "number"


def _table(frame: pd.DataFrame, caption: str | None = None) -> Table:
    """A :class:`Table` of ``frame`` in the shared look: headers and index names under their
    labels, text columns left-aligned, and ids that depend only on the content.
    """
    frame = frame.rename_axis(index=[_header(n) for n in frame.index.names],
                              columns=_header(frame.columns.name))
    # a single index's name goes into the header row (where pandas writes the columns' name),
    # rather than into a row of its own under the headers
    lifted = frame.columns.name is None and frame.index.nlevels == 1 and frame.index.name
    if lifted:
        frame = frame.rename_axis(columns=frame.index.name)
    digest = hashlib.sha1(frame.to_csv().encode("utf-8") + repr(caption).encode("utf-8"))
    table = Table(frame, uuid=digest.hexdigest()[:10], caption=caption, cell_ids=False)
    table.set_table_styles(_STYLES)
    table.format_index(_header, axis=1, escape="html")
    table.format_index(escape="html")
    if lifted:
        table.hide(axis="index", names=True)
    text = [c for c in frame.columns if not _is_number_column(frame[c])]
    if text:  # one rule per column (not per cell), so the stored HTML stays small
        _column_style(table, text, "text-align: left; white-space: normal;")
    return table


def _column_style(table: Table, columns: Sequence[Any], props: str) -> None:
    """Add ``props`` to the data cells of ``columns``."""
    table.set_table_styles({c: [{"selector": "td", "props": props}] for c in columns},
                           overwrite=False)


def styled(frame: pd.DataFrame | pd.Series, formats: Mapping[Any, str] | str | None = None,
           *, signed: Sequence[Any] = (), caption: str | None = None) -> Table:
    """``frame`` as a table people read: each number column in the format of the KPI it is
    named after (``"revenue"``: €5,354,175), or of the KPI or format kind that ``formats``
    gives for it (``{"qualified": "share"}``: 58.9 %; a single KPI or kind for every number
    column, as for a pivot table: ``"revenue"``); any other number column as a plain
    quantity. Columns in ``signed`` are written as differences (+€126,690, +3.2 pp). Headers
    and index names are written as KPI labels ("contacted_within_1h": "MQLs contacted within
    1 hour"; any other name with its first letter capitalised).
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if isinstance(formats, str):
        formats = {c: formats for c in frame.columns if _is_number_column(frame[c])}
    formats = dict(formats or {})
    table = _table(frame, caption)
    for name in frame.columns:
        if _is_number_column(frame[name]) or name in formats:
            spec = formats.get(name) or _default_spec(name, frame[name])
            table.format(_formatter(spec, name in signed), subset=[name], escape="html")
        else:
            table.format(subset=[name], escape="html", na_rep="–")
    return table


def means_table(means: Mapping[str, Mapping[str, Any]], kpis: Sequence[str],
                caption: str | None = None) -> Table:
    """Mean KPIs per scenario (``Comparison.means()``): a row per scenario, marked in its
    colour (:mod:`sim.views.palette`), a column per KPI under its label.
    """
    frame = pd.DataFrame.from_dict(
        {name: {k: m.get(k, math.nan) for k in kpis} for name, m in means.items()},
        orient="index", columns=list(kpis)).astype(float)
    frame.index.name = "scenario"
    table = styled(frame, caption=caption)
    colours = scenario_colors([str(n) for n in frame.index])
    table.apply_index(lambda names: [f"border-left: 6px solid {colours[str(n)]} !important"
                                     for n in names], axis=0)
    return table


def _by_row(frame: pd.DataFrame, keys: Sequence[str], numbers: Sequence[str],
            caption: str | None) -> Table:
    """A table whose rows are KPIs (``keys``, the last index level): the ``numbers`` columns
    in each row's KPI format (``difference`` signed), the rows under the KPIs' labels.
    """
    table = _table(frame, caption)
    numbers = [c for c in numbers if c in frame]
    for row, kpi in zip(frame.index, keys, strict=True):
        for column in numbers:
            table.format(_formatter(kpi, column == "difference"), subset=([row], [column]),
                         escape="html")
    table.format_index(kpi_label, axis=0, level=frame.index.nlevels - 1, escape="html")
    return table


def kpis_table(kpis: Mapping[str, Any], names: Sequence[str], *, definitions: bool = True,
               caption: str | None = None) -> Table:
    """One set of KPIs (a run's ``result.kpis``, or one scenario's means) as a column: a row
    per KPI of ``names`` under its label, its value in its format and, unless ``definitions``
    is false, what it counts (:data:`sim.metrics.KPI_GLOSSARY`).
    """
    frame = pd.DataFrame({"value": [float(kpis.get(k, math.nan)) for k in names]},
                         index=pd.Index(list(names), name="KPI"))
    if definitions:
        frame["what it counts"] = [kpi_definition(k) for k in names]
    return _by_row(frame, list(names), ("value",), caption)


def comparison_table(result: pd.DataFrame, kpis: Sequence[str] | None = None, *,
                     caption: str | None = None) -> Table:
    """A paired comparison with a row per KPI (the last level of ``result``'s index): the
    columns ``base`` and ``changed`` when present, ``difference`` (signed) with its 95 %
    interval from ``ci_low`` and ``ci_high``, and whether ``excludes_zero`` (highlighted).
    This is the shape of :attr:`sim.views.lab.LabController.result`.
    """
    frame = result if kpis is None else result.loc[list(kpis)]
    keys = list(frame.index.get_level_values(-1))
    shown = pd.DataFrame(index=frame.index.set_names([*frame.index.names[:-1], "KPI"]))
    for column in ("base", "changed", "difference"):
        if column in frame:
            shown[column] = frame[column].to_numpy(dtype=float)
    shown["95 % interval"] = [format_interval(k, lo, hi) or "–" for k, lo, hi in
                              zip(keys, frame["ci_low"], frame["ci_high"], strict=True)]
    beyond = [bool(v) for v in frame["excludes_zero"]]
    shown["beyond luck"] = ["yes" if b else "no" for b in beyond]
    table = _by_row(shown, keys, ("base", "changed", "difference"), caption)
    marks = pd.DataFrame("", index=shown.index, columns=shown.columns)
    marks["95 % interval"] = "white-space: nowrap;"  # an interval reads as one figure
    marks.loc[beyond, ["difference", "beyond luck"]] = (f"background: {BEYOND_LUCK}; "
                                                        "font-weight: 600;")
    return table.apply(lambda _frame: marks, axis=None)


def differences_table(differences: Mapping[str, Mapping[str, Mapping[str, Any]]],
                      kpis: Sequence[str], caption: str | None = None, *,
                      wide: bool = False) -> Table:
    """Paired differences from the first scenario (``Comparison.differences()``): a row per
    scenario and KPI with the difference, its 95 % interval and whether that leaves zero out;
    ``wide``: a row per scenario and a column per KPI, each difference highlighted where its
    interval leaves zero out (the intervals themselves are not shown).
    """
    if wide:
        return _wide_differences(differences, kpis, caption)
    rows = []
    for name, diff in differences.items():
        for kpi in kpis:
            d = diff[kpi]
            low, high = d["ci95"] or (math.nan, math.nan)
            rows.append((name, kpi, d["mean"], low, high, excludes_zero(d["ci95"])))
    frame = pd.DataFrame(rows, columns=["scenario", "KPI", "difference", "ci_low", "ci_high",
                                        "excludes_zero"]).set_index(["scenario", "KPI"])
    return comparison_table(frame, caption=caption)


def _wide_differences(differences: Mapping[str, Mapping[str, Mapping[str, Any]]],
                      kpis: Sequence[str], caption: str | None) -> Table:
    frame = pd.DataFrame.from_dict(
        {name: {k: diff[k]["mean"] for k in kpis} for name, diff in differences.items()},
        orient="index", columns=list(kpis)).astype(float)
    frame.index.name = "scenario"
    table = styled(frame, signed=list(kpis), caption=caption)
    marks = pd.DataFrame([[f"background: {BEYOND_LUCK}; font-weight: 600;"
                           if excludes_zero(diff[k]["ci95"]) else "" for k in kpis]
                          for diff in differences.values()], index=frame.index, columns=kpis)
    return table.apply(lambda _frame: marks, axis=None)


def settings_table(frame: pd.DataFrame, caption: str | None = None) -> Table:
    """A table with a row per lever (its index holds scenario keys, as
    :func:`sim.calibrate.estimates_table`): each row under the lever's label, the key itself
    in a last, grey column for ``--set`` and scenario files.
    """
    frame = frame.copy()
    frame["key"] = list(frame.index)
    frame.index.name = "setting"
    table = styled(frame, caption=caption)
    table.format_index(lever_label, axis=0, escape="html")
    _column_style(table, ["key"], CODE)
    return table


def states_table(states: pd.Series, caption: str | None = None) -> Table:
    """Where leads ended, from an event log's ``final_state`` column: a row per state in words
    (:data:`~sim.views.labels.LEAD_STATES`), most common first, with the number and share of
    leads and the state as the event log writes it.
    """
    counts = states.value_counts()
    frame = pd.DataFrame({"leads": counts.to_numpy(),
                          "share": (counts / counts.sum()).to_numpy(),
                          "state in the event log": [str(s) for s in counts.index]},
                         index=pd.Index([LEAD_STATES.get(s, str(s)) for s in counts.index],
                                        name="where the lead ended"))
    table = styled(frame, {"share": "share"}, caption=caption)
    _column_style(table, ["state in the event log"], CODE)
    return table


__all__ = ["Table", "comparison_table", "differences_table", "kpis_table", "means_table",
           "settings_table", "states_table", "styled"]
