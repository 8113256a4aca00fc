"""Unit tests of sim.views.sweep_plots: the tornado and the sweep heatmap, headless and in place."""

import numpy as np
import pandas as pd
import pytest

from sim.views.images import figure_png
from sim.views.sweep_plots import (
    SweepHeatmap,
    TornadoPlot,
    sweep_heatmap,
    sweep_table,
    tornado,
    tornado_order,
)

pytestmark = pytest.mark.usefixtures("agg_backend")


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
