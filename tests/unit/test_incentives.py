"""Unit tests of sim.policies.incentives."""

import pytest

from sim.policies import incentives as inc


def test_volume_kpi_lowers_the_threshold_and_buys_mqls():
    b = inc.mql_volume()
    assert b.threshold_shift < 0
    assert b.objective_mql == 1.0


def test_revenue_kpi_keeps_the_bar_and_buys_revenue():
    b = inc.revenue()
    assert b.threshold_shift == 0
    assert b.objective_revenue > b.objective_mql


def test_commission_cherry_picks_and_reports_least():
    c, q, t = inc.individual_commission(), inc.quota_accelerator(), inc.team_shared()
    assert c.acceptance_bar_shift > q.acceptance_bar_shift >= t.acceptance_bar_shift
    assert c.reporting < q.reporting < t.reporting
    assert c.prospecting_shift > t.prospecting_shift
    assert c.ignore_factor > t.ignore_factor


def test_only_the_accelerator_plays_timing_games():
    assert inc.quota_accelerator().quarter_end_pull_in > 0
    assert inc.individual_commission().quarter_end_pull_in == 0
    assert inc.team_shared().quarter_end_pull_in == 0


def test_team_pay_lifts_output_within_the_team_bonus_evidence():
    # Friebel et al. 2017: a team bonus lifts output ~3 % over no bonus. Against individual plans,
    # which are bonuses too, the model keeps the lift above zero and below that bound.
    team = inc.team_shared().effort
    assert 1.0 < team <= 1.03
    assert team > inc.quota_accelerator().effort
    assert team > inc.individual_commission().effort


def test_shared_weight_blends_toward_the_shared_goal():
    own = inc.marketing_behaviour("mql_volume", 0.0)
    half = inc.marketing_behaviour("mql_volume", 0.5)
    full = inc.marketing_behaviour("mql_volume", 1.0)
    assert own == inc.mql_volume()
    assert full == inc.revenue()
    assert half.threshold_shift == pytest.approx(0.5 * own.threshold_shift)
    assert inc.sales_behaviour("individual_commission", 1.0) == inc.team_shared()


def test_misalignment_is_largest_for_opposed_scorecards_and_zero_when_shared():
    worst = inc.kpi_misalignment("mql_volume", "individual_commission", 0.0)
    best = inc.kpi_misalignment("revenue", "team_shared", 0.0)
    assert worst == pytest.approx(1.0)
    assert best < worst
    assert inc.kpi_misalignment("mql_volume", "individual_commission", 1.0) == 0.0
