"""Every lead is conserved: each ends in exactly one final state or is still in flight."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Scenario, load_scenario, run, with_overrides
from sim.metrics import FINAL_STATES, IN_FLIGHT_STATES, JOURNEY_STATES

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def assert_conserved(result):
    log = result.event_log
    rows = log[log.channel != "self_sourced"]
    journeys = rows[rows.final_state.isin(JOURNEY_STATES)]
    leads = rows[~rows.final_state.isin(JOURNEY_STATES)]
    assert len(leads) == result.leads_created
    # a recycled journey's lead lives on in exactly one later row
    assert set(journeys.lead_id) <= set(leads.lead_id)
    assert leads.lead_id.is_unique
    assert set(leads.final_state) <= set(FINAL_STATES) | set(IN_FLIGHT_STATES)
    assert sum(result.states.values()) == result.leads_created
    assert leads.final_state.value_counts().to_dict() == {
        k: v for k, v in result.states.items() if v}
    # stage timestamps never run backwards
    for earlier, later in [("created_at", "became_mql_at"), ("became_mql_at", "first_contact_at"),
                           ("first_contact_at", "became_sql_at"),
                           ("opportunity_at", "closed_at")]:
        both = leads[[earlier, later]].dropna()
        assert (both[later] >= both[earlier] - 1e-9).all(), (earlier, later)
    won = leads[leads.final_state == "won"]
    assert (won.amount > 0).all() and won.won.all()


@pytest.mark.parametrize("name", ["baseline", "undefined", "integrated", "batch_handoff",
                                  "cherry_pick_queue", "price_too_high"])
def test_presets_conserve_leads(name):
    scenario = load_scenario(SCENARIOS / f"{name}.yaml", ["weeks=10"])
    assert_conserved(run(scenario, seed=5, event_log=True))


settings_ = settings(max_examples=25, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(
    weeks=st.floats(0.5, 6.0),
    reps=st.integers(1, 6),
    threshold=st.floats(0.0, 1.0),
    attempts=st.integers(1, 8),
    handoff=st.sampled_from(["realtime", "daily", "weekly"]),
    rule=st.sampled_from(["fifo", "score", "cherry_pick"]),
    mode=st.sampled_from(["none", "periodic", "closed_loop"]),
    sla=st.one_of(st.none(), st.floats(0.5, 72.0)),
    nurture=st.floats(0.0, 1.0),
    recycle=st.floats(0.0, 1.0),
    expiry=st.floats(0.5, 30.0),
    business_hours=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_conservation_holds_for_any_settings(weeks, reps, threshold, attempts, handoff, rule,
                                             mode, sla, nurture, recycle, expiry,
                                             business_hours, seed):
    scenario = with_overrides(Scenario(), {
        "weeks": weeks, "sales.reps": reps, "scoring.mql_threshold": threshold,
        "sales.max_attempts": attempts, "communication.handoff": handoff,
        "sales.prioritisation": rule, "feedback.mode": mode, "communication.sla_hours": sla,
        "marketing.nurture_return_prob": nurture, "marketing.recycle_lost_prob": recycle,
        "sales.lead_expiry_days": expiry, "sales.business_hours": business_hours,
        "sales.cycle_time_days_mean": 5.0, "marketing.nurture_weeks_mean": 1.0,
    })
    assert_conserved(run(scenario, seed=seed, event_log=True))
