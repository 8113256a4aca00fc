"""Unit tests of sim.views.dashboard: the live dashboard, driven headless."""

from __future__ import annotations

import ipywidgets as w
import pytest

from sim import Scenario, load_scenario, with_overrides
from sim.scenario import field_bounds, get_value, resolve_scenario_path
from sim.views.controls import lever_field
from sim.views.dashboard import DEFAULT_LEVERS, DEFAULT_RANGES, PROJECTED_KPIS, Dashboard

SHORT = 6  # weeks: short horizons keep every test fast


@pytest.fixture(scope="module")
def short():
    return with_overrides(load_scenario(resolve_scenario_path("baseline")), {"weeks": SHORT})


@pytest.fixture
def dash(short):
    return Dashboard(short, levers=DEFAULT_LEVERS, reps=1, seed=3)


def _inputs(root: w.Widget):
    """Every value widget below ``root``."""
    stack, out = [root], []
    while stack:
        node = stack.pop()
        if isinstance(node, w.ValueWidget):
            out.append(node)
        stack.extend(getattr(node, "children", ()))
    return out


def test_dashboard_runs_at_construction_and_shows_kpis(dash):
    assert dash.kpis["leads"] > 0
    assert "ready" in dash.status
    assert dash.message == ""
    assert dash.funnel_image.value and dash.revenue_image.value  # PNGs are shown
    assert "revenue" in dash.panel.value


def test_set_changes_kpis_and_redraws_the_same_figures(dash):
    funnel_fig, revenue_fig = dash.funnel.fig, dash.revenue.fig
    bars = list(dash.funnel.bars)
    widths = [b.get_width() for b in bars]
    line = next(iter(dash.revenue.lines.values()))
    ydata = line.get_ydata().copy()
    png = dash.funnel_image.value
    before = dict(dash.kpis)

    dash.set("sales.reps", 1)

    assert dash.kpis != before
    assert dash.kpis["won"] <= before["won"]
    assert dash.funnel.fig is funnel_fig and dash.revenue.fig is revenue_fig
    assert dash.funnel.bars == bars  # the same artists, with new data
    assert [b.get_width() for b in bars] != widths
    assert next(iter(dash.revenue.lines.values())) is line
    assert list(line.get_ydata()) != list(ydata)
    assert dash.funnel_image.value != png
    assert dash.values()["sales.reps"] == 1
    assert dash.controls["sales.reps"].input.value == 1


def test_a_slider_change_takes_the_same_path_as_set(dash):
    before = dash.kpis["revenue"]
    dash.controls["incentives.shared_kpi_weight"].input.value = 1.0
    assert dash.kpis["revenue"] != before
    assert dash.values()["incentives.shared_kpi_weight"] == 1.0


def test_every_control_waits_for_release_and_spans_the_declared_range(dash):
    for key, control in dash.controls.items():
        for widget in control.widgets:
            if hasattr(widget, "continuous_update"):
                assert widget.continuous_update is False, key
        if hasattr(control.input, "min"):
            low, low_open, high, high_open = field_bounds(lever_field(key))
            lo, hi = DEFAULT_RANGES.get(key, (low, high))
            step = control.input.step if low_open or high_open else 0
            assert control.input.min == pytest.approx(lo + (step if low_open else 0)), key
            assert control.input.max == pytest.approx(hi - (step if high_open else 0)), key
    root_inputs = [x for x in _inputs(dash.widget) if hasattr(x, "continuous_update")]
    assert root_inputs and all(x.continuous_update is False for x in root_inputs)


def test_invalid_combination_is_a_message_not_an_exception(short):
    dash = Dashboard(short, levers=("weeks", "warmup_weeks"), seed=3)
    kpis = dict(dash.kpis)
    warmup = dash.values()["warmup_weeks"]
    dash.set("warmup_weeks", 5200 - SHORT + 1)  # the whole run would pass the 5200-week limit
    assert "warmup_weeks" in dash.message and "at most 5200" in dash.message
    assert "not run" in dash.status
    assert "warmup_weeks" in dash.message_label.value
    assert dash.kpis == kpis
    assert dash.values()["warmup_weeks"] == warmup  # the control stays where it was
    dash.controls["warmup_weeks"].input.value = 5200  # the same through the control
    assert "at most 5200" in dash.message
    dash.set("warmup_weeks", 1)
    assert dash.message == "" and "ready" in dash.status


def test_out_of_range_value_is_a_message(dash):
    dash.set("sales.reps", 0)
    assert "sales.reps" in dash.message
    with pytest.raises(KeyError):
        dash.set("sales.rpes", 3)


def test_reset_restores_the_scenario_values(dash, short):
    first = dict(dash.kpis)
    dash.set("sales.reps", 2)
    dash.set("feedback.mode", "closed_loop")
    dash.reset()
    assert dash.values() == {k: get_value(short, k) for k in DEFAULT_LEVERS}
    assert dash.kpis == first


def test_dashboard_displays_from_a_bare_name(dash):
    bundle = dash._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert isinstance(dash.widget, w.VBox)


def test_replications_give_intervals(short):
    dash = Dashboard(short, levers=("sales.reps",), reps=2, seed=3)
    assert dash.ci is not None and len(dash.runs) == 2
    assert "[" in dash.panel.value


def test_dashboard_speaks_in_labels():
    dash = Dashboard(Scenario(weeks=2), levers=["incentives.shared_kpi_weight"])
    control = dash.controls["incentives.shared_kpi_weight"]
    assert control.input.description == "Weight of a shared revenue goal [0-1]"
    assert dash.reset_button.layout.width == "auto"  # "Reset to scenario" is never cut
    panel = dash.panel.value
    assert ">revenue</td>" in panel and "MQL → SQL conversion" in panel and "€" in panel
    assert ">mql_to_sql<" not in panel and ">revenue<" in panel
    assert dash.revenue.ax.get_legend() is None and not dash.revenue.fig.legends


def test_projector_view_shows_one_chart_full_width_with_larger_text(dash):
    import io

    import PIL.Image

    desk_png = dash.revenue_image.value
    desk_width = PIL.Image.open(io.BytesIO(desk_png)).size[0]
    dash.present("revenue", (1920, 1080))
    assert dash.view_buttons.value == "revenue"
    assert dash.funnel_image.layout.display == "none"
    assert dash.revenue_image.layout.display is None
    width, height = PIL.Image.open(io.BytesIO(dash.revenue_image.value)).size
    assert width == round(0.96 * 1920) > desk_width
    assert height == round(0.6 * 1080)
    assert dash.revenue.fig.dpi * 10 / 72 >= 28  # a 10 pt label is 28 px or more high
    assert "font-size:32px" in dash.panel.value and ">profit<" in dash.panel.value
    assert dash.panel.value.count("<tr") == 1 + len(PROJECTED_KPIS)  # a few key figures only
    dash.set("sales.reps", 9)  # a change lands on the projected chart
    assert dash.revenue_image.value != desk_png and dash.funnel_image.layout.display == "none"


def test_the_view_buttons_switch_back_to_the_desk(dash):
    dash.view_buttons.value = "funnel"
    assert dash.shown == "funnel" and dash.revenue_image.layout.display == "none"
    dash.view_buttons.value = "desk"
    assert dash.shown == "desk"
    assert dash.funnel_image.layout.display is None and dash.revenue_image.layout.display is None
    assert dash.funnel.fig.get_size_inches().tolist() == [6.0, 3.1]
    with pytest.raises(ValueError, match="valid views are 'desk', 'funnel', 'revenue'"):
        dash.present("poster")
