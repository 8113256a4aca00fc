"""Unit tests of sim.views.scenario_lab: the scenario lab's screen, driven headless."""

from __future__ import annotations

import math

import ipywidgets as w
import pytest

from sim import load_scenario
from sim.views.scenario_lab import ScenarioLab


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


def test_lab_table_is_formatted(lab):
    assert lab.table() is None
    lab.change("pricing.price_index", 2.0)
    lab.compare()
    shown = lab.table(["revenue", "win_rate"])
    assert list(shown.index) == ["Revenue", "Win rate"]
    assert shown.loc["Win rate", "difference"].endswith("pp")
    assert shown.loc["Revenue", "difference"].startswith("−€")
    assert " to " in shown.loc["Revenue", "95 % interval"]


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
    from sim.views import lab as lab_module

    project = tmp_path / "project"
    monkeypatch.setattr(lab_module, "PROJECT_DIR", project)
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
