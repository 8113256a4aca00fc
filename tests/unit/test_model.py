"""Unit tests of sim.model: one replication end to end on short horizons."""

import math
from functools import cache

import pandas as pd
import pytest

from sim import KPI_NAMES, Scenario, run, with_overrides
from sim.metrics import EVENT_LOG_COLUMNS, JOURNEY_STATES
from sim.model import WEEKLY_FLOWS, LeadFlowModel


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
    # one row per lead at its end, plus a row per journey that ended lost and went back to nurture
    ends = log[(log.channel != "self_sourced") & ~log.final_state.isin(JOURNEY_STATES)]
    assert len(ends) == ends.lead_id.nunique() == result.leads_created


def test_fractional_horizon_after_a_whole_warmup():
    r = run(Scenario(weeks=3.5, warmup_weeks=1), seed=2)
    assert len(r.weekly) == 4 and list(r.weekly["week"]) == [1, 2, 3, 4]
    assert r.kpis["leads"] == r.weekly["leads"].sum() > 0


def test_warmup_is_whole_weeks():
    with pytest.raises(ValueError, match="warmup_weeks"):
        Scenario(weeks=4, warmup_weeks=1.5)


def test_warmup_is_simulated_before_the_measured_weeks():
    """The books open when the last warm-up week is closed: the measured weeks of a warm run
    are exactly weeks 5-12 of a run without warm-up (same dice), deals closed at the end of
    week 4 included in neither."""
    full = run(Scenario(weeks=12), seed=4)
    warm = run(Scenario(weeks=8, warmup_weeks=4), seed=4)
    later = full.weekly.iloc[4:].reset_index(drop=True).drop(columns="week")
    pd.testing.assert_frame_equal(warm.weekly.drop(columns="week"), later)
    for kpi in ("leads", "won", "revenue", "marketing_cost", "sales_cost"):
        assert warm.kpis[kpi] == pytest.approx(later[kpi].sum())
    assert warm.kpis["won"] < full.kpis["won"]


@pytest.mark.parametrize("kpi", [k for k in WEEKLY_FLOWS if k in KPI_NAMES])
def test_every_flow_kpi_is_the_sum_of_the_weekly_ledger(kpi):
    r = _warm_run()
    assert r.kpis[kpi] == pytest.approx(r.weekly[kpi].sum(), abs=1e-6)


@cache
def _warm_run():
    return run(with_overrides(Scenario(weeks=14, warmup_weeks=3),
                              {"communication.leadership": 0.5,
                               "communication.joint_training_days": 1}), seed=6)


def test_cost_kpis_add_up_over_the_ledger():
    r = _warm_run()
    k = r.kpis
    assert k["total_cost"] == pytest.approx(r.weekly[["marketing_cost", "sales_cost",
                                                      "meeting_cost"]].to_numpy().sum())


def test_no_leads_is_not_an_error():
    s = with_overrides(Scenario(weeks=4), {
        f"marketing.channels.{c}.leads_per_week": 0 for c in Scenario().marketing.channels})
    k = run(s, seed=1).kpis
    assert k["leads"] == 0 and math.isnan(k["mql_rate"])


def test_meetings_take_paid_hours_not_extra_money():
    quiet = run(with_overrides(Scenario(weeks=8), {"communication.meeting_every_weeks": 0}), 1)
    busy = run(with_overrides(Scenario(weeks=8), {"communication.meeting_every_weeks": 1,
                                                  "communication.meeting_hours": 2}), 1)
    assert quiet.kpis["meeting_hours"] == 0 == busy.kpis["meeting_cost"]
    people = busy_people = Scenario().sales.reps + Scenario().marketing.marketers
    assert busy.kpis["meeting_hours"] == 8 * 2 * people == 8 * 2 * busy_people
    assert busy.kpis["meeting_time_value"] > 0
    assert busy.kpis["sales_cost"] == pytest.approx(
        quiet.kpis["sales_cost"] + Scenario().sales.commission_rate * 1.2
        * (busy.kpis["revenue"] - quiet.kpis["revenue"]))
    assert busy.kpis["understanding_final"] > quiet.kpis["understanding_final"]
    assert busy.kpis["rep_utilization"] > quiet.kpis["rep_utilization"] * 0.9


def _first_attempt_hours(result) -> pd.Series:
    log = result.event_log
    return log.loc[log.channel != "self_sourced", "first_contact_at"].dropna()


def test_no_lead_is_called_during_a_meeting():
    """A 40-hour meeting from Tuesday 10:00 takes the week's remaining office hours: no first
    attempt until the next Tuesday 10:00 (reps finish the call they are on, a few minutes)."""
    s = with_overrides(Scenario(weeks=3), {"communication.meeting_every_weeks": 2,
                                           "communication.meeting_hours": 40})
    t = _first_attempt_hours(run(s, seed=5, event_log=True))
    start = 24 + 10.0
    for week in (0, 2):
        a = week * 168 + start
        inside = t[(t > a + 1.0) & (t < a + 168)]
        assert inside.empty, inside.head()
    assert not t[(t > 168 + start) & (t < 2 * 168)].empty  # the week after is worked


def test_two_days_of_training_block_wednesday_and_thursday():
    s = with_overrides(Scenario(weeks=1), {"communication.meeting_every_weeks": 0,
                                           "communication.joint_training_days": 2})
    t = _first_attempt_hours(run(s, seed=5, event_log=True))
    wednesday_9, thursday_17 = 2 * 24 + 9.0, 3 * 24 + 17.0
    assert t[(t > wednesday_9 + 1.0) & (t < thursday_17)].empty
    assert not t[t > 4 * 24].empty  # back to calls on Friday


@pytest.mark.parametrize("office_hours", [True, False])
def test_buyers_keep_office_hours_whatever_hours_sales_works(office_hours):
    # The rota changes who answers a lead, not when it comes: 70 % arrive in office hours either
    # way, so the round-the-clock lever is measured on the same leads.
    from sim.calendar import OFFICE

    s = with_overrides(Scenario(weeks=4), {"sales.business_hours": office_hours})
    log = run(s, seed=4, event_log=True).event_log
    created = log.loc[log.channel != "self_sourced", "created_at"]
    share = created.map(OFFICE.is_open).mean()
    assert share == pytest.approx(s.marketing.business_hours_arrival_share, abs=0.03)


def test_round_the_clock_rota_pays_the_same_hours():
    office = run(Scenario(weeks=6), seed=2)
    rota = run(with_overrides(Scenario(weeks=6), {"sales.business_hours": False}), seed=2)
    double = run(with_overrides(Scenario(weeks=6), {"sales.business_hours": False,
                                                    "sales.hours_per_week": 80}), seed=2)
    base = 6 * Scenario().sales.reps * Scenario().sales.cost_per_rep_week

    def salaries(r):
        return r.kpis["sales_cost"] - Scenario().sales.commission_rate * 1.2 * r.kpis["revenue"]

    assert salaries(office) == pytest.approx(base) == pytest.approx(salaries(rota))
    assert salaries(double) == pytest.approx(2 * base)
    model = LeadFlowModel(with_overrides(Scenario(weeks=1), {"sales.business_hours": False}), 1)
    assert [r.hours_per_week for r in model.sales.rotas] == pytest.approx([40.0] * Scenario().sales.reps)
    assert rota.kpis["speed_to_lead_h_median"] > office.kpis["speed_to_lead_h_median"]


def test_an_sla_takes_the_prospecting_time_it_claims():
    """Reps who drop prospecting to serve overdue leads find fewer deals of their own."""
    busy = {"sales.reps": 1, "sales.qualify_hours": 2.0}
    plain = run(with_overrides(Scenario(weeks=26), busy), seed=3)
    sla = run(with_overrides(Scenario(weeks=26), {**busy, "communication.sla_hours": 0.5}),
              seed=3)
    assert sla.kpis["self_sourced_opportunities"] < 0.9 * plain.kpis["self_sourced_opportunities"]


def test_leads_left_to_expire_count_in_what_sales_experiences():
    """Throwing MQLs away unworked must not pay: they count in the quality sales experiences
    (each one an MQL that gave nothing), and revenue falls."""
    s = Scenario(weeks=13)
    model = LeadFlowModel(with_overrides(s, {"sales.lead_expiry_days": 0.01}), seed=2)
    result = model.run()
    k = result.kpis
    expired = result.states["expired"]
    assert expired > 0
    assert k["experienced_mqls"] == k["sals"] + k["ignored"] + k["rejected"] + expired
    seeds = range(1, 5)
    keep = [run(Scenario(weeks=26), seed=seed).kpis["revenue"] for seed in seeds]
    drop = [run(with_overrides(Scenario(weeks=26), {"sales.lead_expiry_days": 0.01}),
                seed).kpis["revenue"] for seed in seeds]
    assert sum(drop) < sum(keep)


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


def test_commission_is_booked_weekly_under_the_plan_of_the_week():
    from sim.policies import incentives

    s = Scenario(weeks=13)
    t = with_overrides(s, {"incentives.sales_comp": "team_shared"})
    assert s.incentives.sales_comp != "team_shared"
    mixed = run(s, seed=5, changes={6: t})
    w = mixed.weekly
    rate, weight = s.sales.commission_rate, s.incentives.shared_kpi_weight
    old = incentives.sales_behaviour(s.incentives.sales_comp, weight).commission_factor
    new = incentives.sales_behaviour("team_shared", weight).commission_factor
    salaries = s.sales.reps * s.sales.cost_per_rep_week
    factor = [old] * 6 + [new] * 7
    expected = [salaries + rate * f * r for f, r in zip(factor, w["revenue"], strict=True)]
    assert list(w["sales_cost"]) == pytest.approx(expected)
    assert mixed.kpis["sales_cost"] == pytest.approx(sum(expected))
