"""Unit tests of sim.params: the parameter objects refuse unknown names and bad values."""

import pytest
from pydantic import ValidationError

from sim.params import Channel, Sales, Scenario, parameter_table


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
