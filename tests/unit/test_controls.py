"""Unit tests of sim.views.controls: one lever's control follows its declared type and bounds."""

from __future__ import annotations

import ipywidgets as w
import pytest

from sim import ScenarioError, load_scenario, with_overrides
from sim.scenario import get_value, resolve_scenario_path
from sim.views.controls import LeverControl, Shown, lever_field

SHORT = 6  # weeks: short horizons keep every test fast


@pytest.fixture(scope="module")
def short():
    return with_overrides(load_scenario(resolve_scenario_path("baseline")), {"weeks": SHORT})


@pytest.mark.parametrize("key, kind, widget", [
    ("incentives.shared_kpi_weight", "float", w.FloatSlider),
    ("communication.meeting_every_weeks", "int", w.IntSlider),
    ("feedback.mode", "choice", w.Dropdown),
    ("communication.shared_lead_definition", "bool", w.Checkbox),
    ("sales.reps", "int", w.BoundedIntText),          # 1 to 10,000: a number box
    ("pricing.price_index", "float", w.FloatSlider),  # above 0 to 10
])
def test_controls_follow_the_declared_type(key, kind, widget, short):
    control = LeverControl(key, get_value(short, key))
    assert control.kind == kind
    assert isinstance(control.input, widget)
    assert control.value == get_value(short, key)
    if isinstance(control.input, w.Dropdown):
        assert "closed_loop" in control.input.options
    if key == "pricing.price_index":  # open lower bound: the slider starts one step above 0
        assert 0 < control.input.min <= 0.1 and control.input.max == 10


def test_optional_lever_has_a_none_box(short):
    control = LeverControl("communication.sla_hours", None)
    assert control.optional and control.value is None and control.input.disabled
    control.value = 4.0
    assert control.value == 4.0 and not control.input.disabled


def test_scenario_error_is_the_error_type():
    with pytest.raises(ScenarioError):
        lever_field("sales.rpes")


def test_a_screen_read_without_widgets_says_what_it_is():
    """A notebook read as a static page shows one sentence, not ``VBox(children=…)``."""

    class Panel(Shown):
        plain = "A panel: run the notebook to use it."

        def __init__(self):
            self.widget = w.VBox([w.Button(description="go")])

    panel = Panel()
    bundle = panel._repr_mimebundle_()
    assert bundle["text/plain"] == "A panel: run the notebook to use it."
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == \
        panel.widget.model_id  # where widgets live, the widget itself
    assert "VBox" not in str(bundle)
