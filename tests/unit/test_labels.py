"""Unit tests of sim.views.labels: every KPI and lever has a human label and a format, defined once."""

import math

import pytest

from sim import KPI_GLOSSARY, KPI_NAMES
from sim.scenario import valid_keys
from sim.views import labels
from sim.views.lab import LAB_HIDDEN_KEYS
from sim.views.labels import (
    FORMAT_KINDS,
    KPI_LABELS,
    MINUS,
    change_label,
    describe_difference,
    format_interval,
    format_tick,
    format_value,
    grouped_levers,
    kind_of,
    kpi_label,
    lever_group,
    lever_label,
    lever_option,
    set_currency,
)


@pytest.fixture(autouse=True)
def euro():
    set_currency("€")
    yield
    set_currency("€")


def _levers() -> list[str]:
    return [k for k in valid_keys(["webinar"]) if k not in LAB_HIDDEN_KEYS]


@pytest.mark.parametrize("kpi", KPI_NAMES)
def test_every_kpi_has_a_label_unit_and_format(kpi):
    label, unit, kind = KPI_LABELS[kpi]
    assert label and label != kpi and "_" not in label
    assert unit and kind in FORMAT_KINDS
    assert kpi_label(kpi) == label
    assert format_value(kpi, 1.0) != "–"
    assert format_value(kpi, -1.0, signed=True).startswith(MINUS)


def test_labels_are_beside_the_glossary():
    assert set(KPI_LABELS) == set(KPI_GLOSSARY) == set(KPI_NAMES)


def test_every_adjustable_lever_has_a_label_and_a_group():
    levers = _levers()
    assert len(levers) > 80
    for key in levers:
        label = lever_label(key)
        assert label and "." not in label and "_" not in label, key
        assert lever_group(key) in ("Incentives", "Communication", "Feedback", "Sales",
                                    "Marketing"), key
        assert lever_option(key).startswith(lever_group(key) + " · "), key
    assert lever_label("sales.reps") == "Sales reps"
    assert lever_label("marketing.channels.webinar.leads_per_week") == \
        "Webinar channel: leads per week"


def test_levers_are_grouped_in_order():
    order = grouped_levers(_levers())
    groups = [lever_group(k) for k in order]
    firsts = list(dict.fromkeys(groups))
    assert firsts == ["Incentives", "Communication", "Feedback", "Sales", "Marketing"]
    assert order[0].startswith("incentives.")
    assert sorted(order) == sorted(_levers())


def test_money_counts_shares_and_differences():
    assert format_value("revenue", 3219597.093) == "€3,219,597"
    assert format_value("won", 2980.0) == "2,980"
    assert format_value("won", 43.44) == "43"
    assert format_value("mql_to_sql", 0.139) == "13.9 %"
    assert format_value("revenue", 126690.34, signed=True) == "+€126,690"
    assert format_value("revenue", -167320.993, signed=True) == f"{MINUS}€167,321"
    assert format_value("mql_to_sql", 0.032, signed=True) == "+3.2 pp"
    assert format_value("leakage_rate", -0.365, signed=True) == f"{MINUS}36.5 pp"
    assert format_value("revenue", 0.0, signed=True) == "±€0"
    assert format_value("trust_final", 0.51234) == "0.51"
    assert format_value("price_index_final", 1.2981) == "1.30"
    assert format_value("revenue", 5_354_175.0, compact=True) == "€5.35 m"
    for missing in (None, math.nan, math.inf, "text"):
        assert format_value("win_rate", missing) == "–"


def test_hours_have_a_sensible_resolution():
    # "median wait 0.0 h" beside 26 % contacted within 1 h said nothing
    assert format_value("speed_to_lead_h_median", 0.0) == "0 min"
    assert format_value("speed_to_lead_h_median", 0.004) == "under 1 min"
    assert format_value("speed_to_lead_h_median", 0.3) == "18 min"
    assert format_value("speed_to_lead_h_mean", 8.893) == "8.9 h"
    assert format_value("cycle_time_days_mean", 45.21) == "45.2 days"


def test_currency_symbol_is_configurable():
    set_currency("$")
    assert format_value("revenue", 1234.0) == "$1,234"
    assert format_value("profit", -5.0, signed=True) == f"{MINUS}$5"
    assert labels.kpi_unit("revenue") == "$"
    set_currency("CHF ")
    assert format_value("cac", 21466.2) == "CHF 21,466"
    assert format_value("revenue", 1.0, currency="£") == "£1"


def test_interval_formatting():
    assert format_interval("revenue", -167320.993, 420701.2) == \
        f"{MINUS}€167,321 to +€420,701"
    assert format_interval("revenue", 420701.2, -167320.993) == \
        f"{MINUS}€167,321 to +€420,701"  # ends in order
    assert format_interval("mql_to_sql", 0.154, 0.177) == "+15.4 pp to +17.7 pp"
    assert format_interval("mql_to_sql", 0.154, 0.177, signed=False) == "15.4 % to 17.7 %"
    assert format_interval("revenue", math.nan, 1.0) == ""


def test_excludes_zero_is_the_one_helper():
    from sim.experiment import excludes_zero

    assert excludes_zero((1.0, 2.0)) and excludes_zero([-2.0, -1.0])
    assert not excludes_zero((-1.0, 2.0)) and not excludes_zero((0.0, 1.0))
    assert not excludes_zero(None) and not excludes_zero((math.nan, 1.0))
    from sim import claims, experiment
    from sim.views import lab, labels, report

    assert not hasattr(report, "_significant") and not hasattr(report, "_number")
    assert not hasattr(labels, "excludes_zero") or labels.excludes_zero is excludes_zero
    assert report.excludes_zero is excludes_zero and lab.excludes_zero is excludes_zero
    assert claims.interval_side is experiment.interval_side


def test_a_difference_in_words():
    text = describe_difference("revenue", 126690.34, (-167320.99, 420701.2), reference=5e6)
    assert text.startswith("Revenue is higher by €126,690 (+3 %)")
    assert "could be luck" in text
    assert "clearly more than luck" in describe_difference("leakage_rate", -0.365,
                                                           (-0.372, -0.359))
    assert "no interval" in describe_difference("revenue", 1.0, None)


def test_ticks_are_short():
    assert format_tick("revenue", 2_500_000.0) == "€2.5 m"
    assert format_tick("revenue", 500_000.0) == "€500 k"
    assert format_tick("revenue", 0.0) == "€0"


def test_changed_company_names_say_what_changed():
    assert change_label("baseline", {"pricing.price_index": 1.1}) == "baseline + price 1.1"
    assert change_label("baseline", {}) == "baseline"
    many = {"sales.reps": 4, "communication.sla_hours": 1, "feedback.mode": "closed_loop"}
    assert change_label("baseline", many).endswith("+ 1 more")


def test_unknown_names_still_read_as_words():
    assert kpi_label("some_new_kpi") == "Some new kpi"
    assert kind_of("some_new_kpi") == "number"
    assert format_value("some_new_kpi", 1234.5) == "1,234"


# ------------------------------------------------------------------ plain numbers
@pytest.mark.parametrize(("value", "shown"), [
    (None, "-"),
    (math.nan, "-"),
    (0.0, "0.000"),
    (0.12345, "0.123"),
    (-0.5, "-0.500"),
    (9.9996, "10.000"),
    (12.34, "12.3"),
    (-45.67, "-45.7"),
    (999.94, "999.9"),
    (1000, "1,000"),
    (12345.6, "12,346"),
    (-2_500_000.0, "-2,500,000"),
    (7, "7.000"),
])
def test_plain_number(value, shown):
    assert labels.plain_number(value) == shown


def test_values_as_people_read_them():
    assert format_value("revenue", 1234567.4) == "€1,234,567"
    assert format_value("revenue", -2500.0, signed=True) == "−€2,500"
    assert format_value("won", 43.44) == "43"
    assert format_value("trust_final", 0.51234) == "0.51"
    assert format_value("mql_to_sql", 0.2512) == "25.1 %"
    assert format_value("mql_to_sql", 0.032, signed=True) == "+3.2 pp"
    assert format_value("win_rate", math.nan) == "–"


def test_a_format_kind_writes_a_number_that_is_no_kpi():
    assert labels.format_as("share", 0.589) == "58.9 %"
    assert labels.format_as("share", 0.032, signed=True) == "+3.2 pp"
    assert labels.format_as("index", 1.434) == "1.43"
    assert labels.format_as("count", 4348.0) == "4,348"
    assert labels.format_as("currency", -126690.3) == f"{MINUS}€126,690"
    assert labels.format_as("currency", 5.0, currency="$") == "$5"
    assert labels.format_as("share", math.nan) == "–"
    for kpi in KPI_NAMES:  # a KPI's format is its kind's
        assert format_value(kpi, 1234.5678) == labels.format_as(kind_of(kpi), 1234.5678)
    with pytest.raises(ValueError, match="unknown format kind 'percent'; valid: currency"):
        labels.format_as("percent", 0.5)


def test_every_state_a_lead_can_end_in_is_written_in_words():
    from sim.metrics import FINAL_STATES, IN_FLIGHT_STATES, JOURNEY_STATES

    states = {*FINAL_STATES, *IN_FLIGHT_STATES, *JOURNEY_STATES}
    assert set(labels.LEAD_STATES) == states
    for state, text in labels.LEAD_STATES.items():
        assert text[:1].isupper() and "_" not in text, state
    assert len(set(labels.LEAD_STATES.values())) == len(states)  # no two read the same


@pytest.mark.parametrize(("kpi", "value", "shown"), [
    ("trust_final", 0.001, "±0.00"), ("trust_final", -0.004, "±0.00"),
    ("revenue", -0.2, "±€0"), ("won", 0.04, "±0.0"), ("trust_final", 0.006, "+0.01"),
    ("revenue", -5, "−€5"),
])
def test_a_difference_too_small_to_show_reads_plus_minus_zero(kpi, value, shown):
    assert format_value(kpi, value, signed=True) == shown
