"""Every preset's opening comment is a claim, and a claim is a test.

Each test below checks what one scenario file's header says, under the conditions the header
states (horizon, load, a company in conflict), with paired replications on common random
numbers against ``baseline``: a difference "holds" when its 95 % interval excludes zero in the
stated direction, and "about breaks even" / "hardly matters" when the interval includes zero.
"""

from functools import cache
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim import load_scenario
from sim.experiment import replicate

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED, REPS = 20061, 8
CONFLICTED = ("incentives.marketing_kpi=mql_volume", "incentives.sales_comp=individual_commission",
              "communication.meeting_every_weeks=0", "communication.role_clarity=0.2",
              "trust.conflict_initial=0.6")
"""The company in conflict that the leadership_mediation header names."""
IN_CONFLICT = tuple(o for o in CONFLICTED if not o.startswith("communication.role_clarity"))
"""The same company with its roles left as they are, for the clear_roles header."""


@cache
def _table(name: str, overrides: tuple[str, ...]):
    return replicate(load_scenario(SCENARIOS / f"{name}.yaml", list(overrides)), REPS, SEED)


def diff(name: str, kpi: str, *overrides: str) -> tuple[float, float]:
    """95 % interval of the paired difference ``name`` − ``baseline`` in ``kpi``."""
    d = (_table(name, overrides)[kpi].to_numpy()
         - _table("baseline", overrides)[kpi].to_numpy())
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return float(d.mean() - half), float(d.mean() + half)


def up(name, kpi, *overrides):
    return diff(name, kpi, *overrides)[0] > 0


def down(name, kpi, *overrides):
    return diff(name, kpi, *overrides)[1] < 0


def even(name, kpi, *overrides):
    low, high = diff(name, kpi, *overrides)
    return low < 0 < high


CLAIMS = {
    "batch_handoff": lambda: down("batch_handoff", "contacted_within_1h")
    and down("batch_handoff", "mql_to_sql"),
    "brand_heavy": lambda: up("brand_heavy", "awareness_final") and down("brand_heavy", "leads")
    and up("brand_heavy", "win_rate") and down("brand_heavy", "revenue")
    and down("brand_heavy", "revenue", "weeks=104"),
    "cherry_pick_queue": lambda: up("cherry_pick_queue", "revenue")
    and even("cherry_pick_queue", "revenue", "sales.reps=6"),
    "clear_roles": lambda: down("clear_roles", "conflict_final")
    and up("clear_roles", "revenue", *IN_CONFLICT),
    "closed_loop_feedback": lambda: down("closed_loop_feedback", "scoring_noise_final")
    and up("closed_loop_feedback", "feedback_coverage"),
    "commission_only": lambda: up("commission_only", "leakage_rate")
    and up("commission_only", "rejected") and up("commission_only", "self_sourced_opportunities")
    and down("commission_only", "feedback_coverage") and down("commission_only", "revenue"),
    "crm_sharing": lambda: up("crm_sharing", "mql_to_sql") and up("crm_sharing", "won")
    and up("crm_sharing", "feedback_coverage"),
    "fast_response_sla": lambda: up("fast_response_sla", "revenue")
    and down("fast_response_sla", "self_sourced_opportunities"),
    "heavy_cold_calling": lambda: up("heavy_cold_calling", "self_sourced_opportunities")
    and down("heavy_cold_calling", "awareness_final")
    and not down("heavy_cold_calling", "revenue", "weeks=260"),
    "joint_training": lambda: up("joint_training", "understanding_final")
    and up("joint_training", "trust_final"),
    "leadership_mediation": lambda: down("leadership_mediation", "conflict_final", *CONFLICTED)
    and up("leadership_mediation", "revenue", *CONFLICTED)
    and down("leadership_mediation", "profit"),
    "no_feedback": lambda: up("no_feedback", "scoring_noise_final") and up("no_feedback", "mqls")
    and up("no_feedback", "rejected"),
    "no_meetings": lambda: down("no_meetings", "understanding_final")
    and up("no_meetings", "rejected") and down("no_meetings", "trust_final")
    and up("no_meetings", "conflict_final"),
    "price_too_high": lambda: down("price_too_high", "won") and up("price_too_high", "mean_discount")
    and 1.0 < _table("price_too_high", ())["price_index_final"].mean() < 1.45
    and down("price_too_high", "revenue", "feedback.mode=none")
    and (_table("price_too_high", ("feedback.mode=none",))["price_index_final"] == 1.5).all(),
    "shared_lead_definition": lambda: down("shared_lead_definition", "rejected"),
    "shared_revenue_kpi": lambda: down("shared_revenue_kpi", "conflict_final")
    and up("shared_revenue_kpi", "trust_final") and up("shared_revenue_kpi", "mql_to_sql"),
    "team_selling": lambda: down("team_selling", "leakage_rate")
    and up("team_selling", "feedback_coverage") and down("team_selling", "pulled_in_deals")
    and 0 < diff("team_selling", "revenue")[0]
    and sum(diff("team_selling", "revenue")) / 2 < 0.1 * _table("baseline", ())["revenue"].mean(),
    "volume_kpi": lambda: up("volume_kpi", "mqls") and up("volume_kpi", "rejected")
    and down("volume_kpi", "mql_to_sql"),
    "weekly_meetings": lambda: up("weekly_meetings", "understanding_final")
    and up("weekly_meetings", "trust_final") and up("weekly_meetings", "meeting_time_value"),
    "balanced_scrutiny": lambda: down("balanced_scrutiny", "conflict_final")
    and down("balanced_scrutiny", "scoring_noise_final"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_the_header_is_true(name):
    header = (SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("# SINGLE LEVER"), header
    assert CLAIMS[name](), f"{name}: its header claims what the model does not show"


def test_every_single_lever_preset_has_its_claims_checked():
    single = {p.stem for p in SCENARIOS.glob("*.yaml")
              if p.read_text(encoding="utf-8").startswith("# SINGLE LEVER")}
    assert single == set(CLAIMS), single ^ set(CLAIMS)
