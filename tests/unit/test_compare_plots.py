"""Unit tests of sim.views.compare_plots: KPI bars and speed to lead, headless and in place."""

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.views.compare_plots import (
    KpiBarsPlot,
    SpeedToLeadPlot,
    kpi_bars,
    speed_to_lead,
    speed_to_lead_hours,
)
from sim.views.images import figure_png

pytestmark = pytest.mark.usefixtures("agg_backend")


def _legend_texts(fig: Figure) -> list[str]:
    """Every legend entry of a figure: legends on its axes and legends of the figure itself."""
    legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None] + fig.legends
    return [t.get_text() for legend in legends for t in legend.get_texts()]


# ------------------------------------------------------------------------------ KPI bars
MEANS = {"a": {"revenue": 1000.0, "profit": -200.0, "mql_to_sql": 0.2},
         "b": {"revenue": 1500.0, "profit": 100.0, "mql_to_sql": 0.25},
         "c": {"revenue": 1200.0, "profit": 50.0, "mql_to_sql": 0.22}}
CI = {"a": {"revenue": [900.0, 1100.0], "profit": [-300.0, -100.0], "mql_to_sql": [0.18, 0.22]},
      "b": {"revenue": [1400.0, 1600.0], "profit": [0.0, 200.0], "mql_to_sql": [0.2, 0.3]},
      "c": None}


def test_kpi_bars_small_multiples_with_error_bars():
    fig = kpi_bars(MEANS, CI, kpis=("revenue", "profit"))
    assert len(fig.axes) == 2
    for ax, kpi in zip(fig.axes, ("revenue", "profit"), strict=True):
        assert [p.get_height() for p in ax.patches] == [MEANS[n][kpi] for n in "abc"]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
        (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        assert len(whiskers.get_segments()) == 6  # stem and two caps, for a and b only
        assert ax.get_title(loc="left") == {"revenue": "Revenue", "profit": "Profit"}[kpi]
    assert [t.get_text() for t in fig.axes[0].texts] == ["€1.00 k", "€1.50 k", "€1.20 k"]
    profit_a = fig.axes[1].texts[0]
    assert profit_a.xy == (0, -300.0) and profit_a.get_va() == "top"
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")


def test_kpi_bars_single_kpi_without_intervals():
    fig = kpi_bars(MEANS, None, kpis="mql_to_sql")
    (ax,) = fig.axes
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(whiskers.get_segments()) == 0
    assert [t.get_text() for t in ax.texts] == ["20.0 %", "25.0 %", "22.0 %"]


def test_kpi_bars_update_in_place():
    plot = KpiBarsPlot(("revenue", "profit"))
    plot.update(MEANS, CI)
    fig, bars = plot.fig, list(plot.bars["revenue"])
    plot.update({n: {k: 2 * v for k, v in m.items()} for n, m in MEANS.items()}, CI)
    assert plot.fig is fig and plot.bars["revenue"] == bars
    assert [b.get_height() for b in bars] == [2000.0, 3000.0, 2400.0]
    plot.update({"a": MEANS["a"]})  # fewer scenarios: the bars are rebuilt on the same axes
    assert plot.fig is fig and len(plot.axes[0].patches) == 1
    with pytest.raises(ValueError):
        KpiBarsPlot(("revenue", "profit"), ax=Figure().add_subplot())


# ------------------------------------------------------------------------------ speed to lead
def _log(mql, contact):
    return pd.DataFrame({"became_mql_at": mql, "first_contact_at": contact})


def test_speed_to_lead_hours_from_event_log():
    log = _log([0.0, 10.0, 5.0, np.nan, 3.0], [0.0, 10.5, 7.0, 4.0, np.nan])
    assert speed_to_lead_hours(log).tolist() == [0.0, 0.5, 2.0]
    assert speed_to_lead_hours(log, uncontacted=True).tolist() == [0.0, 0.5, 2.0, math.inf]
    with pytest.raises(ValueError):
        speed_to_lead_hours(pd.DataFrame({"created_at": [1.0]}))


def test_speed_to_lead_ecdf_with_reference_lines():
    log = _log([0.0, 0.0, 0.0, 0.0, np.nan, 1.0], [0.0, 0.5, 2.0, 48.0, np.nan, np.nan])
    fig = speed_to_lead(log)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    ecdf, ref1, ref24 = ax.lines[2], ax.lines[0], ax.lines[1]
    assert list(ref1.get_xdata()) == [1.0, 1.0] and list(ref24.get_xdata()) == [24.0, 24.0]
    assert [t.get_text() for t in ax.texts] == ["1 h", "24 h"]
    x, y = ecdf.get_xdata(), ecdf.get_ydata()
    assert x.min() == pytest.approx(1 / 60)  # a zero wait is drawn at one minute
    # five MQLs, one never contacted: the curve levels off at 80 %
    assert y[-1] == pytest.approx(0.8) and y[0] == 0.0 and len(x) == 5
    (label,) = [t.get_text() for t in ax.get_legend().get_texts()]
    assert label == "40 % within 1 h, 80 % contacted at all (n = 5 MQLs)"
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")


def test_speed_to_lead_scenarios_and_histogram(runs):
    logs = {n: [r.event_log for r in rs] for n, rs in runs.items()}
    ax = speed_to_lead(logs).axes[0]
    assert len(ax.lines) == 2 + 2
    contacted = np.concatenate([speed_to_lead_hours(r.event_log) for r in runs["base"]])
    mqls = np.concatenate([speed_to_lead_hours(r.event_log, True) for r in runs["base"]])
    assert ax.lines[2].get_xdata().size == contacted.size + 1
    assert ax.lines[2].get_ydata()[-1] == pytest.approx(contacted.size / mqls.size)
    hist = SpeedToLeadPlot(kind="hist").update(logs)
    step = hist.artists["base"]
    values, edges = step.get_data().values, step.get_data().edges
    assert values.sum() == pytest.approx(contacted.size / mqls.size)
    assert edges[0] == pytest.approx(1 / 60)
    with pytest.raises(ValueError):
        SpeedToLeadPlot(kind="pie")


def test_speed_to_lead_updates_in_place():
    plot = SpeedToLeadPlot()
    plot.update({"a": np.array([0.5, 2.0])})
    line, fig = plot.artists["a"], plot.fig
    plot.update({"a": np.array([0.1, 0.2, 30.0])})
    assert plot.fig is fig and plot.artists["a"] is line
    assert line.get_xdata().tolist() == pytest.approx([0.1, 0.1, 0.2, 30.0])


# ------------------------------------------------------------------------------ presentation
def _drawn_boxes(fig: Figure, texts) -> list:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    return [t.get_window_extent(renderer) for t in texts if t.get_text()]


@pytest.mark.parametrize("n", [2, 5, 9])
def test_kpi_bar_value_labels_never_overlap(n):
    # revenue in the millions, as in the notebooks: "3,346,283" beside "3,262,611" overlapped
    names = [f"plan {i}" for i in range(n)]
    means = {name: {"revenue": 3_346_283.0 - 80_000 * i, "mql_to_sql": 0.21 + 0.004 * i}
             for i, name in enumerate(names)}
    plot = KpiBarsPlot(("revenue", "mql_to_sql"), ncols=2).update(means)
    for kpi in plot.kpis:
        boxes = _drawn_boxes(plot.fig, plot.texts[kpi])
        assert len(boxes) == n
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), (kpi, n, [t.get_text() for t in plot.texts[kpi]])


def test_kpi_bars_put_long_names_in_one_legend():
    names = ["undefined", "+ closed loop", "+ closed loop, meetings, shared goal", "aligned",
             "integrated", "defined"]
    fig = kpi_bars({n: {"revenue": 1e6} for n in names}, kpis=("revenue", "profit"))
    assert _legend_texts(fig) == names
    assert all(t.get_text() == "" for t in fig.axes[0].get_xticklabels())


def test_scenario_colours_are_fixed_by_name():
    one = kpi_bars({"undefined": {"revenue": 1.0}, "integrated": {"revenue": 2.0}})
    other = kpi_bars({"integrated": {"revenue": 2.0}, "x": {"revenue": 1.0},
                      "undefined": {"revenue": 1.0}})
    first = [p.get_facecolor() for p in one.axes[0].patches]
    second = [p.get_facecolor() for p in other.axes[0].patches]
    assert first[0] == second[2] and first[1] == second[0]  # the same colour in every chart
    assert len(set(second)) == 3
