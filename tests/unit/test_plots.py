"""Unit tests of sim.views.plots: the figures of one run draw headless and redraw in place."""

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from scipy import stats

from sim.views.images import figure_png
from sim.views.plots import (
    FUNNEL_STAGES,
    FunnelPlot,
    RevenuePlot,
    TrustPlot,
    funnel,
    revenue_over_time,
    trust_over_time,
    weekly_mean_ci,
)

pytestmark = pytest.mark.usefixtures("agg_backend")


FUNNEL_A = {"leads": 12000, "mqls": 3000, "sals": 1500, "sqls": 600, "opportunities": 300,
            "won": 75}
FUNNEL_B = {"leads": 8000, "mqls": 4000, "sals": 1000, "sqls": 500, "opportunities": 100,
            "won": 10}


# ------------------------------------------------------------------------------ helpers
def _legend_texts(fig: Figure) -> list[str]:
    """Every legend entry of a figure: legends on its axes and legends of the figure itself."""
    legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None] + fig.legends
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def test_weekly_mean_ci_is_the_t_interval():
    frames = [pd.DataFrame({"week": [1, 2], "revenue": [1.0, 2.0]}),
              pd.DataFrame({"week": [1, 2], "revenue": [3.0, 6.0]}),
              pd.DataFrame({"week": [1, 2], "revenue": [5.0, 4.0]})]
    band = weekly_mean_ci(frames, "revenue")
    x = np.array([1.0, 3.0, 5.0])
    half = stats.t.ppf(0.975, 2) * x.std(ddof=1) / math.sqrt(3)
    assert band["mean"].tolist() == pytest.approx([3.0, 4.0])
    assert band.loc[0, "low"] == pytest.approx(3.0 - half)
    assert band.loc[0, "high"] == pytest.approx(3.0 + half)
    cumulative = weekly_mean_ci(frames, "revenue", cumulative=True)
    assert cumulative["mean"].tolist() == pytest.approx([3.0, 7.0])
    one = weekly_mean_ci(frames[:1], "revenue")
    assert one["low"].tolist() == one["mean"].tolist() == one["high"].tolist() == [1.0, 2.0]
    long = pd.concat([f.assign(replication=i) for i, f in enumerate(frames)])
    assert weekly_mean_ci(long, "revenue")["mean"].tolist() == pytest.approx([3.0, 4.0])
    with pytest.raises(ValueError, match="trust"):
        weekly_mean_ci(frames, "trust")


# ------------------------------------------------------------------------------ funnel
def test_funnel_has_a_bar_count_and_conversion_per_stage():
    fig = funnel(FUNNEL_A, title="company A")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.patches) == len(FUNNEL_STAGES) == 6
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "leads", "MQLs", "SALs", "SQLs", "opportunities", "won"]
    assert [p.get_width() for p in ax.patches] == [FUNNEL_A[s] for s in FUNNEL_STAGES]
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "12,000"
    assert texts[1] == "3,000  (25.0 % of leads)"
    assert texts[5] == "75  (25.0 % of opportunities)"
    assert ax.get_title(loc="left") == "company A"
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")


def test_funnel_updates_in_place():
    plot = FunnelPlot()
    fig, bars, labels = plot.fig, list(plot.bars), list(plot.labels)
    plot.update(FUNNEL_A)
    before = [b.get_width() for b in plot.bars]
    assert plot.update(FUNNEL_B) is plot
    assert plot.fig is fig and plot.bars == bars and plot.labels == labels
    assert len(plot.ax.patches) == 6
    after = [b.get_width() for b in plot.bars]
    assert after != before and after == [FUNNEL_B[s] for s in FUNNEL_STAGES]
    assert plot.labels[1].get_text() == "4,000  (50.0 % of leads)"
    # a missing stage is an empty bar, and the next conversion has nothing to divide by
    plot.update({"leads": 100, "mqls": 0, "sals": 0})
    assert plot.bars[1].get_width() == 0 and plot.bars[5].get_width() == 0
    assert plot.labels[2].get_text() == "0  (– of MQLs)"


def test_funnel_scale_and_existing_axis():
    fig = Figure()
    ax = fig.add_subplot()
    assert funnel(FUNNEL_B, ax=ax, scale=16000) is fig
    assert ax.get_xlim()[0] == pytest.approx(-0.51 * 16000)


# ------------------------------------------------------------------------------ revenue
def test_revenue_over_time_lines_and_bands(runs):
    fig = revenue_over_time({"base": runs["base"], "volume": runs["volume"]})
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2
    assert _legend_texts(fig) == ["base", "volume"]
    line = ax.lines[0]
    final = np.mean([r.weekly["revenue"].sum() for r in runs["base"]])
    assert line.get_ydata()[-1] == pytest.approx(final)
    assert list(line.get_xdata()) == list(range(1, 7))
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].min() <= line.get_ydata().min()
    assert band[:, 1].max() >= line.get_ydata().max()
    assert "so far" in ax.get_title(loc="left")
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")


def test_revenue_accepts_frames_and_long_tables(runs):
    frames = [r.weekly for r in runs["base"]]
    weekly = revenue_over_time(frames, cumulative=False).axes[0].lines[0].get_ydata()
    expected = np.mean([f["revenue"].to_numpy() for f in frames], axis=0)
    assert weekly == pytest.approx(expected)
    long = pd.concat([f.assign(replication=i, scenario="s") for i, f in enumerate(frames)])
    ax = revenue_over_time(long, cumulative=False).axes[0]
    assert ax.lines[0].get_ydata() == pytest.approx(expected)
    assert ax.lines[0].get_label() == "s"


def test_revenue_updates_in_place(runs):
    plot = RevenuePlot()
    fig = plot.fig
    plot.update({"a": runs["base"]})
    line = plot.lines[("a", "revenue")]
    before = line.get_ydata().copy()
    plot.update({"a": runs["base"][:1]})
    assert plot.fig is fig and plot.lines[("a", "revenue")] is line
    assert not np.array_equal(line.get_ydata(), before)
    plot.update({"a": runs["base"], "b": runs["volume"]})
    assert len(plot.ax.lines) == 2 and plot.lines[("a", "revenue")] is line
    plot.update({"b": runs["volume"]})
    assert len(plot.ax.lines) == 1 and len(plot.ax.collections) == 1
    plot.update({"b": runs["volume"]}, cumulative=False)
    assert plot.ax.get_title(loc="left") == "Revenue per week"


def test_user_text_is_drawn_literally(runs):
    name = r"$\bad{$ _quote"
    fig = revenue_over_time({name: runs["base"], "_hidden": runs["volume"]})
    labels = _legend_texts(fig)
    assert len(labels) == 2  # a leading underscore would have hidden the entry
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")  # unescaped, "$\bad{$" is invalid mathtext


# ------------------------------------------------------------------------------ trust
def test_trust_over_time_series_and_scenarios(runs):
    fig = trust_over_time(runs, series=("trust", "conflict"))
    ax = fig.axes[0]
    assert len(ax.lines) == 4
    # a compact legend: one entry per scenario (colour and marker), one per series (line style)
    assert _legend_texts(fig) == ["base", "volume", "trust", "conflict"]
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()
    assert ax.lines[0].get_color() != ax.lines[2].get_color()
    assert ax.lines[0].get_marker() != ax.lines[2].get_marker()  # close lines stay apart
    assert ax.get_title(loc="left") == "Trust and conflict over time"
    assert ax.get_ylim() == (0.0, 1.0)
    expected = np.mean([r.weekly["trust"].to_numpy() for r in runs["base"]], axis=0)
    assert ax.lines[0].get_ydata() == pytest.approx(expected)
    with pytest.raises(ValueError):
        TrustPlot(series=())


def test_a_small_series_gets_an_axis_that_shows_it(runs):
    # The scoring error lives around 0.05-0.15: on a 0-1 axis its fall would be a flat line.
    ax = trust_over_time(runs, series=("scoring_noise",)).axes[0]
    top = max(float(np.nanmax(line.get_ydata())) for line in ax.lines)
    low, high = ax.get_ylim()
    assert low == 0.0 and top < high <= 1.2 * top
    assert ax.get_ylabel() != "level (0-1)"


def test_trust_updates_in_place(runs):
    plot = TrustPlot()
    plot.update(runs["base"])
    line = plot.ax.lines[0]
    before = line.get_ydata().copy()
    plot.update(runs["volume"])
    assert list(plot.ax.lines) == [line] and not np.array_equal(before, line.get_ydata())


def test_funnel_shares_of_a_stage_never_exceed_100_percent():
    kpis = dict(FUNNEL_A, sqls=150, opportunities=186, self_sourced_opportunities=100)
    plot = FunnelPlot().update(kpis)
    text = plot.labels[FUNNEL_STAGES.index("opportunities")].get_text()
    assert "57.3 % of SQLs" in text and "100 found by sales itself" in text
    assert "122" not in text


def test_a_single_unnamed_line_has_no_legend(runs):
    fig = revenue_over_time(runs["base"][:1])
    assert _legend_texts(fig) == []  # no "mean of 1 run"


def test_a_funnel_beside_others_takes_its_scenarios_colour():
    from matplotlib.colors import to_hex

    from sim.views.palette import color

    alone = FunnelPlot().update(FUNNEL_A)
    assert [to_hex(b.get_facecolor()) for b in alone.bars] == \
        [color(0).lower()] * (len(FUNNEL_STAGES) - 1) + [color(2).lower()]
    beside = FunnelPlot(colour="#D55E00").update(FUNNEL_A)
    assert {to_hex(b.get_facecolor()) for b in beside.bars} == {"#d55e00"}
