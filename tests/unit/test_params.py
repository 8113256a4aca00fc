"""Unit tests of sim.params: the parameter objects refuse unknown names and bad values, and every
assumption carries a plausible range a robustness analysis can sample."""

import re
import typing

import pytest
from pydantic import ValidationError
from pydantic.fields import FieldInfo

from sim.model import ADJUSTABLE_KEYS
from sim.params import (
    ANY_NAME,
    SECTIONS,
    Scenario,
    assumption_ranges,
    declared_field,
    parameter_table,
    plausible_range,
    walk_fields,
)
from sim.params_base import Plausible
from sim.params_marketing import Channel
from sim.params_sales import Sales
from sim.scenario import (
    SCENARIO_DIR,
    field_bounds,
    get_value,
    load_scenario,
    valid_keys,
    with_overrides,
)


def test_defaults_build_a_valid_scenario():
    s = Scenario()
    assert s.weeks == 52
    assert set(s.marketing.channels) == {"webinar", "paid_search", "events", "outbound_list"}


def test_unknown_names_are_refused():
    with pytest.raises(ValidationError):
        Sales(rpes=3)
    with pytest.raises(ValidationError):
        Scenario.model_validate({"sales": {"reps": 3, "colour": "red"}})


@pytest.mark.parametrize("section, key, value", [
    ("sales", "reps", 0),
    ("sales", "max_attempts", 21),
    ("scoring", "mql_threshold", 1.2),
    ("marketing", "brand_share", 1.0),
    ("communication", "crm_sharing", -0.1),
    ("pricing", "price_index", 0),
])
def test_out_of_range_values_are_refused(section, key, value):
    with pytest.raises(ValidationError):
        Scenario.model_validate({section: {key: value}})


def test_warmup_is_whole_weeks_and_the_run_fits_the_limit():
    assert Scenario(weeks=4, warmup_weeks=13).warmup_weeks == 13  # simulated before the 4
    with pytest.raises(ValidationError, match="warmup_weeks"):
        Scenario(weeks=4, warmup_weeks=1.5)
    with pytest.raises(ValidationError, match="at most 5200"):
        Scenario(weeks=5200, warmup_weeks=1)


def test_at_least_one_channel():
    with pytest.raises(ValidationError, match="at least one channel"):
        Scenario.model_validate({"marketing": {"channels": {}}})


def test_assignment_is_validated():
    s = Sales()
    with pytest.raises(ValidationError):
        s.reps = -2


def test_every_parameter_has_unit_and_description():
    rows = parameter_table()
    assert len(rows) > 60
    for key, unit, _default, text in rows:
        assert unit, f"{key} has no [unit]"
        assert text, f"{key} has no description"


def test_channel_keys_are_listed_once_with_a_wildcard():
    keys = [r[0] for r in parameter_table()]
    assert "marketing.channels.*.leads_per_week" in keys
    assert len(keys) == len(set(keys))
    assert all(f"marketing.channels.*.{f}" in keys for f in Channel.model_fields)



def test_walk_fields_visits_every_scalar_key_once_and_enters_channels_by_name():
    keys = [key for key, _field, _annotation in walk_fields()]
    assert keys == [r[0] for r in parameter_table()]
    assert len(keys) == len(set(keys))
    assert not any(key.endswith(("marketing", "channels", "sales")) for key in keys)
    key, field, annotation = next(item for item in walk_fields() if item[0] == "sales.reps")
    assert field is Sales.model_fields["reps"] and annotation is int
    named = [key for key, *_ in walk_fields(names=["a", "b"])]
    per_channel = len(Channel.model_fields)
    assert sum(k.startswith("marketing.channels.a.") for k in named) == per_channel
    assert sum(k.startswith("marketing.channels.b.") for k in named) == per_channel
    assert not any(f".{ANY_NAME}." in k for k in named)


def test_declared_field_finds_a_key_by_dots_or_parts_and_a_channel_by_any_name():
    reps = Sales.model_fields["reps"]
    assert declared_field("sales.reps") is reps
    assert declared_field(("sales", "reps")) is reps
    cost = Channel.model_fields["cost_per_lead"]
    assert declared_field("marketing.channels.webinar.cost_per_lead") is cost
    assert declared_field(("marketing", "channels", 7, "cost_per_lead")) is cost
    assert declared_field(f"marketing.channels.{ANY_NAME}.cost_per_lead") is cost
    for missing in ("sales", "sales.rpes", "marketing.channels", "marketing.channels.webinar",
                    ("sales.reps",), ()):
        assert declared_field(missing) is None, missing

# ------------------------------------------------------------------ plausible ranges
ASSUMPTION = re.compile(r"\bassumptions?\b", re.IGNORECASE)

_CHANNEL = (
    "the company's own channels: the values differ from channel to channel (cost per lead 20 to "
    "300), so one range cannot hold them all; a study varies a named channel instead "
    "(marketing.channels.webinar.leads_per_week)"
)
_LEVER = (
    "a policy lever (sim.model.ADJUSTABLE_KEYS) that scenarios and players set; a robustness "
    "analysis compares its values, so sampling it would overwrite the scenario under test"
)

# Parameters whose description says "assumption" but that deliberately have no plausible range.
NO_RANGE: dict[str, str] = {
    "warmup_weeks": (
        "a run setting chosen by the warm-up analysis (python -m sim warmup), not a belief about "
        "the company: it changes what is measured, not the model"
    ),
    "sales.reps": (
        "the head count, sized so the baseline team is busy: 2 reps are swamped (utilisation "
        "above 1, trust collapses) and 4 are no longer busy (about 0.57), so only 3 fits; "
        "sensitivity runs and preset claims vary it as a lever (cherry_pick_queue with 6 reps)"
    ),
    **{f"marketing.channels.*.{name}": _CHANNEL for name in (
        "leads_per_week", "cost_per_lead", "quality_alpha", "quality_beta", "deal_size_median",
        "deal_size_sigma",
    )},
    **{key: _LEVER for key in (
        "marketing.brand_share", "scoring.mql_threshold", "sales.prospecting_share",
        "communication.crm_sharing", "communication.meeting_hours",
        "communication.joint_training_days", "feedback.period_weeks", "feedback.periodic_sample",
    )},
}


def _field(key: str) -> FieldInfo:
    *path, name = key.split(".")
    if path[:2] == ["marketing", "channels"]:
        model = Channel
    elif path:
        model = SECTIONS[path[0]]
    else:
        model = Scenario
    return model.model_fields[name]


def _categorical(field: FieldInfo) -> bool:
    ann = field.annotation
    return ann is bool or ann is str or typing.get_origin(ann) is typing.Literal


def _assumption_keys() -> list[str]:
    return [key for key, _unit, _default, text in parameter_table()
            if ASSUMPTION.search(text) and not _categorical(_field(key))]


def test_every_assumption_parameter_has_a_plausible_range():
    missing = [k for k in _assumption_keys() if k not in NO_RANGE and plausible_range(k) is None]
    assert not missing, f"assumption parameters without a plausible range: {missing}"


def test_the_exceptions_are_assumptions_without_a_range():
    assumptions = set(_assumption_keys())
    for key, reason in NO_RANGE.items():
        assert key in assumptions, f"{key} is not an assumption parameter; drop it from NO_RANGE"
        assert plausible_range(key) is None, f"{key} has a range; drop it from NO_RANGE"
        assert reason.strip()
    levers = {key for key, reason in NO_RANGE.items() if reason == _LEVER}
    assert levers <= ADJUSTABLE_KEYS


def test_no_lever_flag_rule_or_sourced_value_is_sampled():
    for key in assumption_ranges():
        assert key not in ADJUSTABLE_KEYS, f"{key} is a policy lever"
        assert not _categorical(_field(key)), f"{key} is a flag, rule or text"
        assert ASSUMPTION.search(_field(key).description or ""), (
            f"{key} has a published source; its plausible range column must stay empty"
        )


def test_ranges_cover_the_assumption_space():
    ranges = assumption_ranges()
    assert len(ranges) >= 50
    assert list(ranges) == [k for k in _assumption_keys() if k in ranges]  # declaration order
    assert {"trust.adjust_rate", "trust.initial", "communication.silo_drift_per_week",
            "marketing.awareness_decay_per_week", "pricing.price_elasticity",
            "scoring.learning_reports", "feedback.price_learning_rate"} <= set(ranges)


@pytest.mark.parametrize("key", list(assumption_ranges()))
def test_default_lies_inside_its_range(key):
    r = assumption_ranges()[key]
    default = _field(key).get_default(call_default_factory=False)
    assert r.low <= default <= r.high, f"{key}: default {default} outside {r.low}-{r.high}"
    assert default in r


@pytest.mark.parametrize("key", list(assumption_ranges()))
def test_range_is_well_formed_and_inside_the_field_bounds(key):
    r = assumption_ranges()[key]
    field = _field(key)
    assert r.low < r.high
    assert r.why.strip() and len(r.why) >= 30, f"{key}: the reason for the ends is missing"
    low, low_open, high, high_open = field_bounds(field)
    if low is not None:
        assert r.low > low if low_open else r.low >= low, f"{key}: {r.low} below the bounds"
    if high is not None:
        assert r.high < high if high_open else r.high <= high, f"{key}: {r.high} above the bounds"
    assert r.integer == (field.annotation is int)
    if r.integer:
        assert isinstance(r.low, int) and isinstance(r.high, int), f"{key} takes whole numbers"
    assert r.bounds == (r.low, r.high)


def test_range_agrees_with_the_range_its_description_states():
    stated = re.compile(r"plausible (\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")
    checked = 0
    for key, _unit, _default, text in parameter_table():
        m = stated.search(text)
        if m is None:
            continue
        r = plausible_range(key)
        assert r is not None, f"{key} states a plausible range but has none"
        assert (r.low, r.high) == (float(m.group(1)), float(m.group(2))), key
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("key", list(assumption_ranges()))
def test_both_ends_are_valid_overrides(key):
    r = assumption_ranges()[key]
    assert key in valid_keys()
    for end in (r.low, r.high):
        scenario = with_overrides(Scenario(), {key: end})
        assert get_value(scenario, key) == end


def test_all_low_ends_and_all_high_ends_together_make_valid_scenarios():
    ranges = assumption_ranges()
    for base in (Scenario(), load_scenario(SCENARIO_DIR / "baseline.yaml")):
        for end in ("low", "high"):
            scenario = with_overrides(base, {k: getattr(r, end) for k, r in ranges.items()})
            assert all(get_value(scenario, k) == getattr(r, end) for k, r in ranges.items())


def test_plausible_range_lookup():
    r = plausible_range("trust.adjust_rate")
    assert (r.low, r.high) == (0.02, 0.15) and not r.integer
    assert plausible_range("marketing.awareness_lag_weeks").integer
    assert plausible_range("sales.base_win_rate") is None  # a published benchmark
    assert plausible_range("sales.prioritisation") is None  # a rule
    assert plausible_range("marketing.channels.webinar.cost_per_lead") is None
    assert plausible_range("marketing.channels.*.cost_per_lead") is None
    with pytest.raises(KeyError, match="not a scenario key"):
        plausible_range("trust.adjust_rat")


def test_plausible_refuses_an_empty_or_reversed_range():
    with pytest.raises(ValueError, match="low < high"):
        Plausible(0.2, 0.2, "a reason")
    with pytest.raises(ValueError, match="low < high"):
        Plausible(0.3, 0.1, "a reason")
    with pytest.raises(ValueError, match="reason"):
        Plausible(0.1, 0.3, "  ")
    r = Plausible(0.1, 0.3, "a reason")
    assert 0.1 in r and 0.3 in r and 0.2 in r
    assert 0.31 not in r and "0.2" not in r
