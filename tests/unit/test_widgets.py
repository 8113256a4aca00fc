"""Unit tests of sim.views.widgets: the dashboard and the scenario lab, driven headless."""

from __future__ import annotations

import math

import ipywidgets as w
import pytest

from sim import Scenario, ScenarioError, load_scenario, with_overrides
from sim.scenario import field_bounds, resolve_scenario_path
from sim.views.widgets import (
    DEFAULT_LEVERS,
    DEFAULT_RANGES,
    Dashboard,
    LeverControl,
    ScenarioLab,
    get_value,
    lever_field,
)

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


# --------------------------------------------------------------------------- dashboard
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


# --------------------------------------------------------------------------- scenario lab
@pytest.fixture
def lab(tmp_path):
    return ScenarioLab("baseline", reps=2, seed=5, weeks=8, folder=tmp_path / "mine")


def test_lab_lists_every_lever_and_filters(lab):
    keys = lab.keys()
    assert "sales.reps" in keys and "marketing.channels.webinar.cost_per_lead" in keys
    assert "seed" not in keys and "weeks" not in keys
    assert len(lab.key_list.options) == len(keys)
    lab.search.value = "meeting"
    shown = [v for _label, v in lab.key_list.options]
    assert "communication.meeting_every_weeks" in shown and "sales.reps" not in shown
    assert len(shown) < len(keys)
    lab.key_list.value = "communication.meeting_every_weeks"
    assert isinstance(lab.editor_box.children[0], w.IntSlider)
    lab.editor_box.children[0].value = 1
    lab.add_button.click()
    assert lab.changes == {"communication.meeting_every_weeks": 1}


def test_lab_does_not_simulate_until_asked(lab):
    assert lab.result is None and lab.comparison is None


def test_lab_compare_gives_paired_differences_with_intervals(lab):
    assert lab.compare() is None and "change" in lab.message  # nothing to compare yet
    assert lab.change("pricing.price_index", 2.0)
    table = lab.compare()
    assert table is lab.result
    assert {"base", "changed", "difference", "ci_low", "ci_high", "excludes_zero"} <= set(
        table.columns)
    rev = table.loc["revenue"]
    assert rev["difference"] < 0  # a price twice what the market values loses revenue
    assert rev["changed"] < rev["base"]
    assert rev["difference"] == pytest.approx(rev["changed"] - rev["base"])
    assert math.isfinite(rev["ci_low"]) and rev["ci_low"] <= rev["difference"] <= rev["ci_high"]
    assert table["excludes_zero"].dtype == bool
    assert "95 % interval" in lab.table_html.value
    assert lab.bars_image.value and lab.bars_image.layout.display != "none"


def test_lab_refuses_bad_changes_with_a_message(lab):
    assert not lab.change("sales.reps", 0)
    assert "sales.reps" in lab.message and lab.changes == {}
    assert not lab.change("sales.rpes", 3)
    assert "did you mean 'sales.reps'" in lab.message
    assert not lab.change("seed", 3)


def test_lab_save_writes_a_yaml_that_loads_back(lab, tmp_path):
    lab.change("sales.reps", 7)
    lab.change("feedback.mode", "closed_loop")
    path = lab.save("seven reps")
    assert path == tmp_path / "mine" / "seven reps.yaml" and path.is_file()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "sales.reps: 7" in text
    loaded = load_scenario(path)
    assert loaded.sales.reps == 7 and loaded.feedback.mode == "closed_loop"
    assert loaded.weeks == 8
    assert "Saved" in lab.message and "download" in lab.links.value


@pytest.mark.parametrize("name", ["", "   ", "../escape", ".hidden", "a*b", "x/../../y"])
def test_lab_refuses_bad_file_names(lab, name, tmp_path):
    assert lab.save(name) is None
    assert lab.message and "Saved" not in lab.message
    assert not list(tmp_path.parent.glob("escape*"))


def test_lab_name_box_takes_names_not_paths(lab):
    lab.file_name.value = "sub/dir"
    lab.save_button.click()
    assert "file name only" in lab.message


def test_lab_report_writes_html(lab):
    lab.change("pricing.price_index", 2.0)
    path = lab.report("dearer")
    assert path is not None and path.suffix == ".html"
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<!DOCTYPE html>") and "pricing" in text
    assert str(path) in lab.message


def test_lab_base_switch(lab):
    lab.change("sales.reps", 6)
    lab.base("integrated")
    assert lab.base_picker.value == "integrated"
    assert lab.changed_scenario().sales.reps == 6
    assert lab.changed_scenario().name == "integrated + sales reps 6"
    lab.base("no_such_scenario")
    assert "no_such_scenario" in lab.message
    assert lab.base_picker.value == "integrated"


def test_lab_displays_from_a_bare_name(lab):
    assert "application/vnd.jupyter.widget-view+json" in lab._repr_mimebundle_()


def test_scenario_error_is_the_error_type():
    with pytest.raises(ScenarioError):
        lever_field("sales.rpes")


def test_lab_table_is_formatted(lab):
    assert lab.table() is None
    lab.change("pricing.price_index", 2.0)
    lab.compare()
    shown = lab.table(["revenue", "win_rate"])
    assert list(shown.index) == ["Revenue", "Win rate"]
    assert shown.loc["Win rate", "difference"].endswith("pp")
    assert shown.loc["Revenue", "difference"].startswith("−€")
    assert " to " in shown.loc["Revenue", "95 % interval"]


# --------------------------------------------------------------------------- presentation
def test_lab_opens_on_a_grouped_human_lever_list(lab):
    assert lab.key_list.value == "incentives.shared_kpi_weight"
    labels = [label for label, _v in lab.key_list.options]
    assert labels[0].startswith("Incentives · ")
    groups = [label.split(" · ")[0] for label in labels]
    assert groups == sorted(groups, key=["Incentives", "Communication", "Feedback", "Sales",
                                         "Marketing"].index)  # grouped, in this order
    assert "Sales · Sales reps [people]" in labels
    assert not any("." in label.split(" · ")[1].split(" [")[0] for label in labels)
    assert "Weight of a shared revenue goal" in lab.key_help.value


def test_a_changed_company_is_named_by_what_changed(lab):
    lab.change("pricing.price_index", 1.1)
    assert lab.changed_scenario().name == "baseline + price 1.1"
    assert lab.changed_scenario().description == "baseline with price 1.1"
    lab.compare()
    assert lab.comparison.names == ["baseline", "baseline + price 1.1"]
    assert "baseline (2)" not in lab.table_html.value
    assert "changed: <span style='font-weight:normal'>baseline + price 1.1</span>" in \
        lab.table_html.value
    assert "Revenue" in lab.table_html.value and "<td>revenue</td>" not in lab.table_html.value


def test_lab_report_is_titled_with_the_names_given(lab):
    lab.change("pricing.price_index", 1.1)
    path = lab.report("dearer")
    page = path.read_text(encoding="utf-8")
    assert "<h1>dearer: baseline vs baseline + price 1.1</h1>" in page
    assert "undefined" not in page.split("<footer>")[0].split("<h1>")[1][:80]
    assert "+ changes" not in page


def test_saved_scenarios_go_where_the_printed_command_finds_them(tmp_path, monkeypatch):
    from sim import scenario as scenario_module
    from sim.views import widgets as widgets_module

    project = tmp_path / "project"
    monkeypatch.setattr(widgets_module, "PROJECT_DIR", project)
    monkeypatch.setattr(scenario_module, "MY_SCENARIOS_DIR", project / "my_scenarios")
    lab = ScenarioLab("baseline", reps=1, weeks=2, folder=project / "my_scenarios")
    lab.change("sales.reps", 4)
    target = lab.save("four reps")
    assert target == project / "my_scenarios" / "four reps.yaml"
    assert "python -m sim run 'my_scenarios/four reps.yaml'" in lab.message or \
        "python -m sim run my_scenarios/four reps.yaml" in lab.message
    assert "from the project folder" in target.read_text(encoding="utf-8")
    assert scenario_module.resolve_scenario_path("four reps") == target  # the bare name works


def test_the_lab_folder_is_the_projects_my_scenarios():
    from sim.scenario import MY_SCENARIOS_DIR, PROJECT_DIR

    assert ScenarioLab("baseline", reps=1).folder == MY_SCENARIOS_DIR == PROJECT_DIR / "my_scenarios"


def test_app_style_hides_notebook_text_only_in_voila(lab):
    style = lab.widget.children[0].value
    assert "body[data-voila]" in style and "display: none" in style


def test_self_assessment_form_places_the_team():
    from sim.assessment import QUESTIONS, assess
    from sim.views.widgets import SelfAssessment

    example = {"shared_goals": 2, "meetings": 3, "lead_definition": 3, "feedback": 2, "crm": 3,
               "roles": 3, "leadership": 2, "no_blame": 2}
    form = SelfAssessment(example)
    assert form.answers == example  # headless, the form keeps its starting answers
    assert assess(form.answers).stage in form.result.value
    for key, _text in QUESTIONS:
        form.set(key, 5)
    assert "integrated" in form.result.value
    with pytest.raises(KeyError):
        SelfAssessment({"no_such_statement": 3})


def test_dashboard_speaks_in_labels():
    dash = Dashboard(Scenario(weeks=2), levers=["incentives.shared_kpi_weight"])
    control = dash.controls["incentives.shared_kpi_weight"]
    assert control.input.description == "Weight of a shared revenue goal [0-1]"
    assert dash.reset_button.layout.width == "auto"  # "Reset to scenario" is never cut
    panel = dash.panel.value
    assert ">revenue</td>" in panel and "MQL → SQL conversion" in panel and "€" in panel
    assert ">mql_to_sql<" not in panel and ">revenue<" in panel
    assert dash.revenue.ax.get_legend() is None and not dash.revenue.fig.legends
