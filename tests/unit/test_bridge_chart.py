"""Unit tests of sim.views.bridge: the waterfall's bars and the table's rows follow the bridge."""

import pytest

from sim.bridge import revenue_bridge
from sim.views.bridge import LINK_FORMATS, bridge_chart, bridge_rows, bridge_table
from sim.views.images import figure_png
from sim.views.labels import format_value
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


def test_the_table_writes_each_step_and_adds_up_to_the_difference(bridge):
    rows = bridge_table(bridge)
    assert [r[0] for r in rows] == [s.label for s in bridge.steps] + ["Revenue"]
    by_label = {r[0]: r[1:] for r in rows}
    assert by_label["Lead volume"][:2] == ("1,000", "900")
    assert by_label["MQLs sales accepted"][:2] == ("60.0 %", "80.0 %")
    assert by_label["Price"][:2] == ("1.00", "1.10")
    assert by_label["Deal size at that price"][:2] == ("€40,000", "€40,000")
    assert by_label["Leads that became MQLs"][2] == "±€0"  # a link that did not move
    assert by_label["Lead volume"][2].startswith("−€")
    assert by_label["Revenue"] == (format_value("revenue", bridge.before),
                                   format_value("revenue", bridge.after),
                                   format_value("revenue", bridge.difference, signed=True))
    effects = [float(r[3].replace("−", "-").replace("±", "").replace("€", "").replace(",", ""))
               for r in rows]
    assert abs(sum(effects[:-1]) - effects[-1]) <= len(bridge.steps)  # up to the rounding


def test_every_link_has_a_format():
    from sim.bridge import LINKS
    from sim.views.labels import FORMAT_KINDS

    assert list(LINK_FORMATS) == [link.key for link in LINKS]
    assert set(LINK_FORMATS.values()) <= set(FORMAT_KINDS)
