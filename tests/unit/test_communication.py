"""Unit tests of sim.policies.communication."""

import pytest

from sim.policies import communication as com


def test_release_time():
    assert com.release_time(10.5, "realtime") == 10.5
    assert com.release_time(10.5, "daily") == pytest.approx(24 + 9.0)
    assert com.release_time(8.0, "daily") == pytest.approx(9.0)
    assert com.release_time(10.5, "weekly") == pytest.approx(168 + 9.0)


def test_context_factors_rise_with_crm_sharing():
    for f in (com.contact_odds_factor, com.qualify_factor, com.win_logit_context):
        assert f(1.0) > f(0.0)
    # The baseline's half sharing is the calibration point; the context effects are small
    # because they multiply down the funnel (docs/model.md section 6).
    assert com.contact_odds_factor(0.5) == pytest.approx(0.95)
    assert com.qualify_factor(0.5) == pytest.approx(0.96)
    assert com.win_logit_context(0.5) == 0.0
    assert com.sales_view_noise(0.1, 0.5) == pytest.approx(0.125)
    assert com.sales_view_noise(0.1, 0.0) > com.sales_view_noise(0.1, 1.0)
    assert com.contact_odds_factor(1.0) / com.contact_odds_factor(0.0) < 1.06
    assert com.qualify_factor(1.0) / com.qualify_factor(0.0) < 1.05


def test_definition_gap_shrinks_with_understanding_and_a_shared_definition():
    assert com.definition_gap(0.1, 0.0, False) == pytest.approx(0.1)
    assert com.definition_gap(0.1, 0.5, False) == pytest.approx(0.05)
    assert com.definition_gap(0.1, 0.0, True) == pytest.approx(0.03)
    assert com.definition_gap(0.1, 1.0, False) == 0.0


def test_meetings_and_training_build_understanding_with_diminishing_returns():
    assert com.meeting_understanding_gain(0.2, 1.0) > com.meeting_understanding_gain(0.8, 1.0) > 0
    assert com.meeting_understanding_gain(0.0, 100.0) <= 0.5
    assert com.training_understanding_gain(0.0, 2.0) > com.meeting_understanding_gain(0.0, 1.0)
    assert com.silo_drift(0.5, 0.02) == pytest.approx(0.01)


def test_disputes_cost_time_only_with_conflict_and_unclear_roles():
    assert com.dispute_time_factor(0.0, 0.0) == 1.0
    assert com.dispute_time_factor(1.0, 1.0) == 1.0
    assert com.dispute_time_factor(1.0, 0.0) == pytest.approx(1.25)


def test_leadership_caps_conflict():
    assert com.conflict_cap(0.0) == 1.0
    assert com.conflict_cap(1.0) == pytest.approx(0.3)
