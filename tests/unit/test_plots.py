"""Unit tests of sim.views.plots: every figure draws headless and redraws in place."""

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from scipy import stats

from sim import Scenario, run, with_overrides
from sim.views.images import figure_png
from sim.views.plots import (
    FUNNEL_STAGES,
    FunnelPlot,
    KpiBarsPlot,
    RevenuePlot,
    SpeedToLeadPlot,
    SweepHeatmap,
    TornadoPlot,
    TrustPlot,
    format_kpi,
    format_value,
    funnel,
    kpi_bars,
    revenue_over_time,
    speed_to_lead,
    speed_to_lead_hours,
    sweep_heatmap,
    sweep_table,
    tornado,
    tornado_order,
    trust_over_time,
    weekly_mean_ci,
)

pytestmark = pytest.mark.usefixtures("agg_backend")


@pytest.fixture(scope="module")
def runs():
    """Three short replications of two scenarios, with event logs."""
    base = Scenario(weeks=6)
    volume = with_overrides(base, {"incentives.marketing_kpi": "mql_volume", "name": "volume"})
    return {name: [run(s, seed=3, replication=r, event_log=True) for r in range(3)]
            for name, s in (("base", base), ("volume", volume))}


FUNNEL_A = {"leads": 12000, "mqls": 3000, "sals": 1500, "sqls": 600, "opportunities": 300,
            "won": 75}
FUNNEL_B = {"leads": 8000, "mqls": 4000, "sals": 1000, "sqls": 500, "opportunities": 100,
            "won": 10}


# ------------------------------------------------------------------------------ helpers
def _legend_texts(fig: Figure) -> list[str]:
    """Every legend entry of a figure: legends on its axes and legends of the figure itself."""
    legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None] + fig.legends
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def test_format_kpi_is_the_presentation_layer():
    assert format_kpi is format_value
    assert format_kpi("revenue", 1234567.4) == "€1,234,567"
    assert format_kpi("revenue", -2500.0, signed=True) == "−€2,500"
    assert format_kpi("won", 43.44) == "43"
    assert format_kpi("trust_final", 0.51234) == "0.51"
    assert format_kpi("mql_to_sql", 0.2512) == "25.1 %"
    assert format_kpi("mql_to_sql", 0.032, signed=True) == "+3.2 pp"
    assert format_kpi("win_rate", math.nan) == "–"


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


# ------------------------------------------------------------------------------ tornado
TORNADO = pd.DataFrame({
    "parameter": ["communication.crm_sharing", "sales.reps", "feedback.mode"],
    "low_value": [0.2, 4, "none"],
    "high_value": [1.0, 8, "closed_loop"],
    "kpi_low": [95.0, 60.0, 90.0],
    "kpi_high": [110.0, 150.0, 80.0],
    "kpi_base": [100.0, 100.0, 100.0],
})


def test_tornado_order_sorts_by_swing_and_checks_columns():
    ordered = tornado_order(TORNADO)
    assert ordered["parameter"].tolist() == ["sales.reps", "feedback.mode",
                                             "communication.crm_sharing"]
    assert ordered["swing"].tolist() == [90.0, 20.0, 15.0]
    with pytest.raises(ValueError, match="kpi_base"):
        tornado_order(TORNADO.drop(columns="kpi_base"))


def test_tornado_chart_sorted_largest_on_top():
    fig = tornado(TORNADO, kpi="revenue")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Sales reps", "Feedback from sales to marketing",
                      "Lead context shared through the CRM"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # the first row is drawn at the top
    assert len(ax.patches) == 6
    low_reps = ax.patches[0]  # low bars come first, in sorted order
    assert (low_reps.get_x(), low_reps.get_width()) == (100.0, -40.0)
    assert ax.lines[0].get_xdata()[0] == 100.0
    texts = [t.get_text() for t in ax.texts]
    assert any("4: €60" in t for t in texts) and any("closed_loop: €80" in t for t in texts)
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")


def test_tornado_updates_in_place():
    plot = TornadoPlot(kpi="revenue").update(TORNADO)
    bars, fig = list(plot.low_bars), plot.fig
    shifted = TORNADO.assign(kpi_low=[50.0, 99.0, 98.0])
    plot.update(shifted)
    assert plot.fig is fig and plot.low_bars == bars
    assert plot.order == ["communication.crm_sharing", "sales.reps", "feedback.mode"]
    assert plot.low_bars[0].get_width() == -50.0
    plot.update(TORNADO.iloc[:2])
    assert len(plot.ax.patches) == 4 and plot.fig is fig


# ------------------------------------------------------------------------------ heatmap
def _sweep(scale=1.0):
    rows = [{"sales.reps": reps, "pricing.price_index": price, "replication": r,
             "revenue": scale * (reps * 100 - price * 50 + r), "other": 1.0}
            for reps in (6, 4) for price in (1.2, 0.9, 1.0) for r in range(3)]
    return pd.DataFrame(rows)


def test_sweep_heatmap_two_by_three():
    fig = sweep_heatmap(_sweep(), "pricing.price_index", "sales.reps", "revenue")
    ax = fig.axes[0]
    (image,) = ax.images
    values = np.asarray(image.get_array())
    assert values.shape == (2, 3)
    assert values[0, 0] == pytest.approx(4 * 100 - 0.9 * 50 + 1)  # mean over replications
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.9", "1", "1.2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["4", "6"]
    assert len(ax.texts) == 6 and ax.texts[0].get_text() == "€356"
    assert ax.get_xlabel() == "Price (1 = market fit)" and ax.get_ylabel() == "Sales reps"
    assert len(fig.axes) == 2  # the colour bar
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")


def test_sweep_heatmap_updates_in_place_and_checks_columns():
    plot = SweepHeatmap("pricing.price_index", "sales.reps", "revenue").update(_sweep())
    image, fig, texts = plot.image, plot.fig, plot.texts
    plot.update(_sweep(scale=2.0))
    assert plot.image is image and plot.fig is fig and plot.texts is texts
    assert np.asarray(image.get_array())[0, 0] == pytest.approx(2 * 356.0)
    assert plot.texts[0][0].get_text() == "€712"
    assert sweep_table(_sweep(), "pricing.price_index", "sales.reps", "revenue").shape == (2, 3)
    with pytest.raises(ValueError, match="revenue"):
        plot.update(_sweep().drop(columns="revenue"))


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


def test_funnel_shares_of_a_stage_never_exceed_100_percent():
    kpis = dict(FUNNEL_A, sqls=150, opportunities=186, self_sourced_opportunities=100)
    plot = FunnelPlot().update(kpis)
    text = plot.labels[FUNNEL_STAGES.index("opportunities")].get_text()
    assert "57.3 % of SQLs" in text and "100 found by sales itself" in text
    assert "122" not in text


def test_a_single_unnamed_line_has_no_legend(runs):
    fig = revenue_over_time(runs["base"][:1])
    assert _legend_texts(fig) == []  # no "mean of 1 run"
