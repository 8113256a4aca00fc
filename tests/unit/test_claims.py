"""Unit tests of sim.claims: claims read from scenario files, judged and checked."""

from pathlib import Path

import pytest

from sim.claims import Claim, check, claimed_files, read_claims, unsaid, verdict
from sim.errors import ScenarioError
from sim.scenario import load_raw

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def claim(**kw) -> Claim:
    kw.setdefault("says", "it rises")
    kw.setdefault("kpi", "revenue")
    return Claim(**kw)


def test_every_lesson_preset_states_claims_and_says_them_in_its_header():
    lessons = {p.stem for p in SCENARIOS.glob("*.yaml")
               if p.read_text(encoding="utf-8").startswith(("# SINGLE LEVER", "# STAGE"))}
    claimed = {p.stem for p in claimed_files(SCENARIOS)}
    assert lessons <= claimed, lessons - claimed
    for path in claimed_files(SCENARIOS):
        assert unsaid(path) == [], path.name


def test_a_claim_missing_from_the_header_is_found(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("# Teaches: conflict falls.\nclaims:\n- {says: conflict falls, kpi: "
                    "conflict_final, change: down}\n- {says: revenue doubles, kpi: revenue, "
                    "change: up}\n", encoding="utf-8")
    assert unsaid(path) == ["revenue doubles"]


@pytest.mark.parametrize(("entry", "key"), [
    ({"kpi": "revenue", "change": "up"}, "claims[0].says"),
    ({"says": "x", "kpi": "revnue", "change": "up"}, "claims[0].kpi"),
    ({"says": "x", "kpi": "revenue"}, "claims[0]"),
    ({"says": "x", "kpi": "revenue", "change": "up", "band": [0, 1]}, "claims[0]"),
    ({"says": "x", "kpi": "revenue", "band": [1, 0]}, "claims[0]"),
    ({"says": "x", "kpi": "revenue", "change": "sideways"}, "claims[0].change"),
    ({"says": "x", "kpi": "revenue", "change": "up", "colour": "red"}, "claims[0].colour"),
])
def test_a_bad_claim_is_one_clear_error(tmp_path, entry, key):
    import yaml

    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump({"claims": [entry]}), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        read_claims(path)
    assert err.value.key == key and str(path) in str(err.value)


def test_claims_are_not_parameters_and_not_inherited(tmp_path):
    (tmp_path / "a.yaml").write_text("claims:\n- {says: x, kpi: revenue, change: up}\n",
                                     encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    assert "claims" not in load_raw(tmp_path / "a.yaml")
    assert read_claims(tmp_path / "b.yaml") == []


@pytest.mark.parametrize(("test", "low", "high", "expected"), [
    ({"change": "up"}, 0.01, 0.2, "holds"), ({"change": "up"}, -0.2, -0.01, "fails"),
    ({"change": "up"}, -0.01, 0.2, "undecided"), ({"change": "down"}, -0.2, -0.01, "holds"),
    ({"change": "down"}, 0.01, 0.2, "fails"), ({"change": "even"}, -0.01, 0.015, "holds"),
    ({"change": "even"}, 0.03, 0.05, "fails"), ({"change": "even"}, -0.01, 0.05, "undecided"),
    ({"band": (0.0, 0.1)}, 0.02, 0.08, "holds"), ({"band": (0.0, 0.1)}, 0.11, 0.2, "fails"),
    ({"band": (0.0, 0.1)}, 0.05, 0.12, "undecided"), ({"value": (1.0, 1.5)}, 1.2, 1.3, "holds"),
    ({"change": "up"}, float("nan"), float("nan"), "undecided"),
])
def test_verdicts(test, low, high, expected):
    assert verdict(claim(**test), low, high) == expected


def _files(tmp_path, *claims_yaml: str) -> Path:
    (tmp_path / "base.yaml").write_text("weeks: 3\nwarmup_weeks: 0\n", encoding="utf-8")
    path = tmp_path / "lever.yaml"
    path.write_text("extends: base.yaml\nsales:\n  reps: 6\nclaims:\n" + "".join(claims_yaml),
                    encoding="utf-8")
    return path


def test_check_decides_and_shares_one_comparison(tmp_path):
    path = _files(tmp_path,
                  "- {says: a, kpi: rep_utilization, change: down, against: base}\n",
                  "- {says: b, kpi: leads, change: even, against: base}\n",
                  "- {says: c, kpi: rep_utilization, change: up, against: base}\n")
    a, b, c = check([path], pilot=3, max_reps=6)
    assert (a.verdict, b.verdict, c.verdict) == ("holds", "holds", "fails")
    assert a.reps == b.reps == c.reps == 3 and a.scenario == "lever"
    assert b.estimate == b.low == b.high == 0  # the same leads: reps do not change arrivals


def test_check_adds_replications_until_the_cap(tmp_path):
    (first,) = check([_files(tmp_path, "- {says: a, kpi: rep_utilization, change: down, "
                                       "against: base}\n")], pilot=2, max_reps=2)
    # a band that starts at the estimate itself: the interval straddles its edge at every look
    edge = f"{first.estimate:.6f}"
    path = _files(tmp_path, f"- {{says: a, kpi: rep_utilization, band: [{edge}, 5], "
                            "against: base}\n")
    (result,) = check([path], pilot=2, max_reps=5)
    assert result.reps == 5 and result.verdict == "undecided"
