"""Stylized facts the model must reproduce, with replications and common random numbers.

Each test states the published pattern it checks. Replication counts are kept small enough for
the test suite; ``python -m sim compare`` runs the same comparisons with more replications.
"""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, run
from sim.experiment import compare, replicate

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED, REPS = 101, 8


@cache
def table(name: str, *overrides: str) -> pd.DataFrame:
    return replicate(load_scenario(SCENARIOS / f"{name}.yaml", list(overrides)), REPS, SEED)


def mean(name: str, kpi: str, *overrides: str) -> float:
    return float(table(name, *overrides)[kpi].mean())


def test_alignment_stages_rank_by_revenue():
    """Kotler, Rackham & Krishnaswamy (HBR 2006): integrated > aligned > defined > undefined;
    Aberdeen (2010): aligned firms grow revenue faster."""
    stages = ["undefined", "defined", "aligned", "integrated"]
    revenue = [mean(s, "revenue") for s in stages]
    assert revenue == sorted(revenue), dict(zip(stages, revenue, strict=True))


def test_integrated_beats_undefined_with_a_ci_excluding_zero():
    result = compare([load_scenario(SCENARIOS / "undefined.yaml"),
                      load_scenario(SCENARIOS / "integrated.yaml")], reps=REPS, seed=SEED)
    diff = result.differences()["integrated"]["revenue"]
    assert diff["mean"] > 0 and diff["ci95"][0] > 0


def test_mql_volume_kpi_raises_mqls_and_lowers_conversion():
    """MODEL.md section 1: a volume KPI lowers the MQL bar and buys cheap leads."""
    assert mean("volume_kpi", "mqls") > 1.05 * mean("baseline", "mqls")
    assert mean("volume_kpi", "mql_to_sql") < mean("baseline", "mql_to_sql")


def test_individual_commission_raises_leakage():
    """Sabnis et al. (2013): reps follow up marketing leads selectively."""
    assert mean("commission_only", "leakage_rate") > mean("baseline", "leakage_rate") + 0.03
    assert mean("commission_only", "leakage_rate") > mean("team_selling", "leakage_rate")


def test_closed_loop_feedback_lowers_scoring_error_over_the_year():
    scenario = load_scenario(SCENARIOS / "closed_loop_feedback.yaml")
    weekly = run(scenario, seed=SEED).weekly
    # from the baseline's steady state: every report sharpens the score a little more
    assert weekly["scoring_noise"].iloc[-1] < 0.9 * weekly["scoring_noise"].iloc[0]
    # it falls in most weeks (a quiet week lets a little of what was learnt fade)
    assert (weekly["scoring_noise"].diff().dropna() <= 0).mean() > 0.8
    assert mean("closed_loop_feedback", "scoring_noise_final") < mean(
        "baseline", "scoring_noise_final") < mean("no_feedback", "scoring_noise_final")


def test_speed_to_lead_odds_fall_with_delay_as_in_oldroyd():
    """Oldroyd, McElheran & Elkington (HBR 2011): responding within an hour goes with ~7x the
    odds of qualifying vs. later the same day, and >60x vs. after 24 hours, across firms. The
    model takes about half of those log odds as the causal effect of waiting on one lead
    (sqrt(7) ~ 2.6x, sqrt(60) ~ 7.7x; docs/model.md section 6), so it must land near those."""
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    logs = pd.concat([run(scenario, seed=SEED, replication=r, event_log=True).event_log
                      for r in range(4)])
    worked = logs[logs.became_mql_at.notna() & logs.first_contact_at.notna()]
    delay = worked.first_contact_at - worked.became_mql_at
    qualified = worked.became_sql_at.notna()

    def odds(mask):
        p = qualified[mask].mean()
        return p / (1 - p)

    within_hour = odds(delay <= 1)
    same_day = odds((delay > 1) & (delay <= 24))
    later = odds(delay > 24)
    assert 1.8 < within_hour / same_day < 5
    assert 4 < within_hour / later < 20
    assert within_hour > same_day > later


def test_price_far_above_fit_lowers_revenue():
    """Seed article 004: marketing setting prices too high."""
    fair = mean("baseline", "revenue")
    high = mean("price_too_high", "revenue")
    extreme = mean("baseline", "revenue", "pricing.price_index=2.0")
    assert extreme < high < fair
    assert mean("price_too_high", "mean_discount") > mean("baseline", "mean_discount")


def test_meetings_build_trust_and_silos_erode_it():
    assert mean("weekly_meetings", "trust_final") > mean("baseline", "trust_final") > mean(
        "no_meetings", "trust_final")
    # meetings take paid hours (booked as hours and their value), not extra money
    assert mean("weekly_meetings", "meeting_hours") > mean("baseline", "meeting_hours") > 0
    assert mean("weekly_meetings", "meeting_cost") == mean("baseline", "meeting_cost") == 0


def test_batch_handoff_kills_first_hour_response():
    # only MQLs created between 08:00 and 09:00 reach the 09:00 batch within the hour
    assert mean("batch_handoff", "contacted_within_1h") < 0.02 < mean("baseline",
                                                                      "contacted_within_1h")
    assert mean("batch_handoff", "mql_to_sql") < 0.5 * mean("baseline", "mql_to_sql")


def test_brand_builds_and_cold_calling_erodes_awareness():
    assert mean("brand_heavy", "awareness_final") > mean("baseline", "awareness_final")
    assert mean("heavy_cold_calling", "awareness_final") < mean("baseline", "awareness_final")
    assert mean("heavy_cold_calling", "self_sourced_opportunities") > mean(
        "baseline", "self_sourced_opportunities")


def test_quota_accelerator_plays_timing_games():
    """Larkin (2014): quarter-end timing games cost ~6-8 % of revenue through discounts."""
    assert mean("baseline", "pulled_in_deals") > 0
    assert mean("team_selling", "pulled_in_deals") == 0


@pytest.mark.parametrize("name", ["crm_sharing", "shared_lead_definition", "shared_revenue_kpi",
                                  "team_selling", "closed_loop_feedback"])
def test_alignment_levers_raise_conversion(name):
    assert mean(name, "mql_to_sql") > mean("baseline", "mql_to_sql")


def test_benchmark_bands_for_the_baseline():
    """MODEL.md section 2: lead->MQL 25-35 %, MQL->SQL 13-26 %, close rate ~20-30 %, up to ~70 %
    of marketing leads never followed up."""
    assert 0.25 <= mean("baseline", "mql_rate") <= 0.35
    assert 0.12 <= mean("baseline", "mql_to_sql") <= 0.26
    assert 0.20 <= mean("baseline", "win_rate") <= 0.32
    assert 0.3 <= mean("baseline", "leakage_rate") <= 0.72
    assert np.isfinite(mean("baseline", "speed_to_lead_h_median"))


def test_fit_price_earns_the_most_profit():
    """MODEL.md section 1: 1.0 is what the market values. Priced below it the company gives
    money away, above it it loses deals (feedback off, so the price stays where it is set)."""
    fixed = "feedback.mode=none"
    fit = mean("baseline", "profit", fixed)
    for price in ("0.7", "0.85", "1.15", "1.3"):
        assert mean("baseline", "profit", fixed, f"pricing.price_index={price}") < fit, price


def test_a_busy_team_and_retries_that_matter():
    """A busy SDR team (utilisation 0.6-0.85), where a single attempt per lead costs revenue
    (Velocify: most converting leads need several attempts)."""
    assert 0.6 <= mean("baseline", "rep_utilization") <= 0.85
    reps = 16
    one = replicate(load_scenario(SCENARIOS / "baseline.yaml", ["sales.max_attempts=1"]), reps,
                    SEED)["revenue"].to_numpy()
    six = replicate(load_scenario(SCENARIOS / "baseline.yaml"), reps, SEED)["revenue"].to_numpy()
    diff = one - six
    assert diff.mean() + 2.13 * diff.std(ddof=1) / np.sqrt(reps) < 0


def test_sales_bar_does_not_follow_marketings_dial():
    low = run(load_scenario(SCENARIOS / "baseline.yaml", ["weeks=4", "scoring.mql_threshold=0"]),
              seed=SEED).weekly
    usual = run(load_scenario(SCENARIOS / "baseline.yaml", ["weeks=4"]), seed=SEED).weekly
    assert low["mql_threshold"].iloc[0] < usual["mql_threshold"].iloc[0]
    assert low["sales_bar"].iloc[0] == pytest.approx(usual["sales_bar"].iloc[0], abs=0.02)
