"""Unit tests of sim.views.lab: the scenario lab's bookkeeping, without any widget."""

from __future__ import annotations

import pytest

from sim import ScenarioError
from sim.views.lab import LAB_HIDDEN_KEYS, LAB_KPIS, LabController, LabError, shown_path
from sim.views.labels import FIRST_LEVER


@pytest.fixture
def lab(tmp_path):
    return LabController("baseline", reps=2, seed=5, weeks=4, folder=tmp_path / "mine")


def test_reps_must_be_positive():
    with pytest.raises(ValueError, match="reps"):
        LabController("baseline", reps=0)


def test_a_change_is_checked_before_it_is_kept(lab):
    lab.add_change("sales.reps", 7)
    assert lab.changes == {"sales.reps": 7}
    with pytest.raises(ScenarioError, match="sales.reps"):
        lab.add_change("sales.reps", 0)
    with pytest.raises(ScenarioError, match="did you mean 'sales.reps'"):
        lab.add_change("sales.rpes", 3)
    assert lab.changes == {"sales.reps": 7}


@pytest.mark.parametrize("key", sorted(LAB_HIDDEN_KEYS))
def test_the_lab_sets_horizon_seed_and_labels_itself(lab, key):
    with pytest.raises(LabError, match="set by the lab for both scenarios alike"):
        lab.add_change(key, 3)
    assert key not in lab.keys()


def test_both_scenarios_share_the_labs_horizon(lab):
    lab.add_change("pricing.price_index", 1.1)
    base, changed = lab.base_scenario(), lab.changed_scenario()
    assert base.weeks == changed.weeks == 4
    assert changed.name == "baseline + price 1.1"
    assert changed.description == "baseline with price 1.1"
    assert lab.shown_seed() == 5


def test_no_changes_is_nothing_to_compare(lab):
    assert lab.changed_scenario().name == lab.base_scenario().name
    with pytest.raises(LabError, match="Add at least one change first."):
        lab.ready_pair()
    base, changed = lab.pair("unchanged copy")
    assert changed.name == f"{base.name}, unchanged copy"


def test_another_base_keeps_the_changes_or_nothing_changes(lab):
    lab.add_change("sales.reps", 6)
    lab.use_base("integrated")
    assert lab.base_name == "integrated" and lab.changes == {"sales.reps": 6}
    with pytest.raises(ScenarioError):
        lab.use_base("no_such_scenario")
    assert lab.base_name == "integrated"


def test_the_comparison_table_holds_paired_differences(lab):
    lab.add_change("pricing.price_index", 2.0)
    comparison, result = lab.compare()
    assert comparison.names == ["baseline", "baseline + price 2"]
    assert {"base", "changed", "difference", "ci_low", "ci_high", "excludes_zero"} <= set(
        result.columns)
    rev = result.loc["revenue"]
    assert rev["difference"] == pytest.approx(rev["changed"] - rev["base"])
    assert result["excludes_zero"].dtype == bool
    shown = lab.readable_table(result, ["revenue", "win_rate"])
    assert list(shown.index) == ["Revenue", "Win rate"]
    assert "€" in shown.loc["Revenue", "difference"]
    assert list(lab.readable_table(result).index)[0] == "Revenue" and len(LAB_KPIS) == len(
        lab.readable_table(result))


def test_the_lever_list_filters_and_keeps_its_choice(lab):
    every = lab.lever_options("")
    assert len(every) == len(lab.keys())
    meetings = lab.lever_options("meeting")
    keys = [k for _text, k in meetings]
    assert "communication.meeting_every_weeks" in keys and "sales.reps" not in keys
    assert lab.chosen_lever(every, None) == FIRST_LEVER
    assert lab.chosen_lever(meetings, "communication.meeting_every_weeks") == \
        "communication.meeting_every_weeks"
    assert lab.chosen_lever(meetings, "sales.reps") == keys[0]
    assert lab.chosen_lever([], "sales.reps") is None


def test_a_bare_name_goes_into_the_folder_with_its_suffix(lab, tmp_path):
    assert lab.target("seven reps", (".yaml", ".yml"), ".yaml", False) == \
        tmp_path / "mine" / "seven reps.yaml"
    assert (tmp_path / "mine").is_dir()  # the folder is made on first use
    assert lab.target("x.YML", (".yaml", ".yml"), ".yaml", False).name == "x.YML"


@pytest.mark.parametrize(("name", "says"), [
    ("", "Give a file name first"),
    ("   ", "Give a file name first"),
    ("../escape", "leaves the folder"),
    (".hidden", "is not a usable file name"),
    ("a*b", "is not a usable file name"),
])
def test_odd_file_names_are_refused(lab, name, says):
    with pytest.raises(LabError, match=says):
        lab.target(name, (".yaml",), ".yaml", False)


def test_the_name_box_takes_names_not_paths(lab, tmp_path):
    with pytest.raises(LabError, match="file name only"):
        lab.target("sub/dir", (".yaml",), ".yaml", True)
    with pytest.raises(LabError, match="does not exist"):
        lab.target(str(tmp_path / "missing" / "x"), (".yaml",), ".yaml", False)


def test_a_saved_scenario_says_where_it_came_from(lab, tmp_path):
    lab.add_change("sales.reps", 7)
    target = tmp_path / "mine" / "seven.yaml"
    saved = lab.saved_scenario(target)
    assert saved.name == "seven" and saved.description == "baseline with sales.reps=7"
    header = lab.save_header(target)
    assert header.startswith("seven: made in the LeadFlow Lab scenario lab.")
    assert "Base scenario: baseline" in header and "  sales.reps: 7" in header
    assert header.endswith(lab.run_command(target))


def test_paths_are_shown_from_the_project_folder(monkeypatch, tmp_path):
    from sim.views import lab as lab_module

    monkeypatch.setattr(lab_module, "PROJECT_DIR", tmp_path)
    assert shown_path(tmp_path / "my_scenarios" / "a.yaml") == "my_scenarios/a.yaml"
    assert LabController.run_command(tmp_path / "a.yaml") == "python -m sim run a.yaml"
    elsewhere = tmp_path.parent / "b.yaml"
    assert shown_path(elsewhere) == str(elsewhere)
