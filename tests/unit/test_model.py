"""Unit tests of sim.model: one replication end to end on short horizons."""

import math

import pandas as pd
import pytest

from sim import KPI_NAMES, Scenario, run, with_overrides
from sim.metrics import EVENT_LOG_COLUMNS
from sim.model import LeadFlowModel


@pytest.fixture(scope="module")
def quarter():
    return run(Scenario(weeks=13), seed=3, event_log=True)


def test_result_shape(quarter):
    assert set(quarter.kpis) == set(KPI_NAMES)
    assert len(quarter.weekly) == 13
    assert {"week", "leads", "mqls", "revenue", "trust", "queue_len_mean"} <= set(quarter.weekly)
    assert list(quarter.event_log.columns) == list(EVENT_LOG_COLUMNS)


def test_funnel_is_ordered(quarter):
    k = quarter.kpis
    assert k["leads"] >= k["mqls"] * 0.9  # re-qualified nurture leads may count again
    assert k["mqls"] >= k["sals"] >= k["sqls"]
    assert k["won"] + k["lost"] <= k["opportunities"] + 100


def test_weekly_flows_add_up_to_the_kpis(quarter):
    w = quarter.weekly
    assert w["leads"].sum() == quarter.kpis["leads"]
    assert w["mqls"].sum() == quarter.kpis["mqls"]
    assert w["revenue"].sum() == pytest.approx(quarter.kpis["revenue"])


def test_costs_add_up(quarter):
    k = quarter.kpis
    assert k["total_cost"] == pytest.approx(k["marketing_cost"] + k["sales_cost"]
                                            + k["meeting_cost"])
    assert k["profit"] == pytest.approx(k["revenue"] - k["total_cost"])


def test_event_log_streams_to_disk(tmp_path):
    path = tmp_path / "events.csv"
    result = run(Scenario(weeks=4), seed=1, event_log=path)
    assert result.event_log == path
    log = pd.read_csv(path)
    assert len(log[log.channel != "self_sourced"]) == result.leads_created


def test_fractional_horizon_and_warmup():
    r = run(Scenario(weeks=3.5, warmup_weeks=1.5), seed=2)
    assert len(r.weekly) == 4
    assert r.kpis["leads"] < r.weekly["leads"].sum()
    assert r.kpis["leads"] > 0


def test_warmup_excludes_early_events():
    full = run(Scenario(weeks=8), seed=4)
    warm = run(Scenario(weeks=8, warmup_weeks=4), seed=4)
    assert warm.kpis["leads"] == full.weekly["leads"].iloc[4:].sum()
    assert warm.kpis["marketing_cost"] == pytest.approx(full.kpis["marketing_cost"] / 2)


def test_no_leads_is_not_an_error():
    s = with_overrides(Scenario(weeks=4), {
        f"marketing.channels.{c}.leads_per_week": 0 for c in Scenario().marketing.channels})
    k = run(s, seed=1).kpis
    assert k["leads"] == 0 and math.isnan(k["mql_rate"])


def test_meetings_cost_time_and_money():
    quiet = run(with_overrides(Scenario(weeks=8), {"communication.meeting_every_weeks": 0}), 1)
    busy = run(with_overrides(Scenario(weeks=8), {"communication.meeting_every_weeks": 1,
                                                  "communication.meeting_hours": 2}), 1)
    assert quiet.kpis["meeting_cost"] == 0
    assert busy.kpis["meeting_cost"] > 0
    assert busy.kpis["understanding_final"] > quiet.kpis["understanding_final"]


def test_model_never_imports_presentation_layers():
    import sim.model as m

    source = open(m.__file__, encoding="utf-8").read()
    for layer in ("plots", "widgets", "report", "game", "cli"):
        assert f"sim.{layer}" not in source and f"from sim import {layer}" not in source


def test_model_object_exposes_agents():
    model = LeadFlowModel(Scenario(weeks=2), seed=1)
    assert model.sales.queue.length == 0 and model.marketing.budget > 0
    result = model.run()
    assert result.seed == 1 and result.replication == 0


def test_inlined_contact_chance_matches_the_policy_curve():
    """The rep loop inlines sim/policies/response.py; both must give the same chance."""
    model = LeadFlowModel(Scenario(weeks=1), seed=1)
    s = model.p.sales
    for age in (0.0, 0.1, 0.5, 3.0, 40.0):
        odds = model.fresh_contact_odds * (
            s.contact_floor + (1 - s.contact_floor) * math.exp(-age / s.contact_decay_hours))
        assert odds / (1 + odds) == pytest.approx(model.contact_probability(age))


# --------------------------------------------------------------------------- changes mid-run
def _same_kpis(a: dict, b: dict) -> bool:
    return set(a) == set(b) and all(
        a[k] == b[k] or (isinstance(a[k], float) and math.isnan(a[k]) and math.isnan(b[k]))
        for k in a)


def test_changes_to_the_same_scenario_change_nothing():
    s = Scenario(weeks=8)
    plain = run(s, seed=3)
    changed = run(s, seed=3, changes={0: s, 3: s, 6: s})
    assert _same_kpis(plain.kpis, changed.kpis)
    pd.testing.assert_frame_equal(plain.weekly, changed.weekly)


def test_a_fixed_key_cannot_change_during_a_run():
    s = Scenario(weeks=4)
    with pytest.raises(ValueError, match=r"week 2: .*sales\.reps"):
        run(s, seed=1, changes={2: with_overrides(s, {"sales.reps": s.sales.reps + 1})})


def test_changed_keys_lists_dotted_differences():
    from sim.model import ADJUSTABLE_KEYS, changed_keys

    s = Scenario(weeks=4)
    t = with_overrides(s, {"scoring.mql_threshold": 0.7, "sales.reps": s.sales.reps + 2})
    assert changed_keys(s, t) == ["sales.reps", "scoring.mql_threshold"]
    assert changed_keys(s, s) == []
    assert "scoring.mql_threshold" in ADJUSTABLE_KEYS and "sales.reps" not in ADJUSTABLE_KEYS


def test_a_change_takes_effect_from_its_week_only():
    s = Scenario(weeks=8)
    plain = run(s, seed=3)
    strict = run(s, seed=3, changes={4: with_overrides(s, {"scoring.mql_threshold": 0.8})})
    pd.testing.assert_frame_equal(plain.weekly.iloc[:4], strict.weekly.iloc[:4])
    assert (strict.weekly["mql_threshold"].iloc[4:] > plain.weekly["mql_threshold"].iloc[4:]).all()
    assert strict.weekly["mqls"].iloc[4:].sum() < plain.weekly["mqls"].iloc[4:].sum()


def test_a_new_list_price_replaces_the_marketing_price():
    s = with_overrides(Scenario(weeks=6), {"feedback.mode": "none"})  # no feedback: price stays
    assert s.pricing.price_index != 1.3
    model = LeadFlowModel(s, seed=2, changes={3: with_overrides(s, {"pricing.price_index": 1.3})})
    result = model.run()
    prices = result.weekly["price_index"]
    assert (prices.iloc[:3] == s.pricing.price_index).all()
    assert (prices.iloc[3:] == 1.3).all()
    assert result.kpis["price_index_final"] == 1.3


def test_commission_is_banked_under_the_old_pay_plan():
    from sim.policies import incentives

    s = Scenario(weeks=13)
    t = with_overrides(s, {"incentives.sales_comp": "team_shared"})
    assert s.incentives.sales_comp != "team_shared"
    pure = run(s, seed=5)
    model = LeadFlowModel(s, seed=5, changes={6: t})
    mixed = model.run()
    k = mixed.kpis
    assert k["total_cost"] == pytest.approx(k["marketing_cost"] + k["sales_cost"]
                                            + k["meeting_cost"])
    assert k["sales_cost"] != pure.kpis["sales_cost"]
    rate, w = s.sales.commission_rate, s.incentives.shared_kpi_weight
    old = incentives.sales_behaviour(s.incentives.sales_comp, w).commission_factor
    new = incentives.sales_behaviour("team_shared", w).commission_factor
    before = mixed.weekly["revenue"].iloc[:6].sum()
    assert before > 0 and old != new
    assert model.commission_banked == pytest.approx(rate * old * before)
    salaries = pure.kpis["sales_cost"] - rate * old * pure.kpis["revenue"]
    expected = salaries + rate * (old * before + new * (k["revenue"] - before))
    assert k["sales_cost"] == pytest.approx(expected)
