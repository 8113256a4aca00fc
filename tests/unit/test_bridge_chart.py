"""Unit tests of sim.views.bridge: the waterfall's bars follow the bridge."""

import pytest

from sim.bridge import revenue_bridge
from sim.views.bridge import bridge_chart, bridge_rows
from sim.views.images import figure_png
from tests.unit.test_bridge import _kpis


@pytest.fixture
def bridge():
    before = _kpis(1000, 0.3, 0.6, 0.5, 0.7, 0.25, 1.0, 40000)
    after = _kpis(900, 0.3, 0.8, 0.5, 0.7, 0.25, 1.1, 40000)
    return revenue_bridge(before, after)


def test_each_bar_starts_where_the_last_ended(bridge):
    rows = bridge_rows(bridge, "before", "after")
    assert rows[0] == ("Revenue, before", 0.0, bridge.before, "total")
    assert rows[-1] == ("Revenue, after", 0.0, bridge.after, "total")
    level = bridge.before
    for (_label, left, width, kind), step in zip(rows[1:-1], bridge.steps, strict=True):
        assert left == pytest.approx(level) and width == step.effect
        assert kind == ("rise" if step.effect >= 0 else "fall")
        level += width
    assert level == pytest.approx(bridge.after)


def test_the_chart_names_every_link_and_both_companies(bridge):
    fig = bridge_chart(bridge, "last quarter", "this quarter")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Revenue, last quarter" and labels[-1] == "Revenue, this quarter"
    assert "MQLs sales accepted" in labels and "Price" in labels
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("−") for t in texts) and any(t.startswith("+") for t in texts)
    assert figure_png(fig, dpi=40).startswith(b"\x89PNG")
