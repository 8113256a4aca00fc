"""Effect sizes inside the evidence: the model may not teach a bigger lever than studies measure.

Every comparison is paired on common random numbers against ``baseline`` in steady state (the
presets' 13-week warm-up), with enough replications for the question asked: 30 for the stage
ladder and team pay, where the bands are narrow, 10 for the wide ±35 % band of single levers.
The evidence for each band is in ``docs/model.md`` section 6.
"""

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import sim.policies.incentives as incentives
from sim import load_scenario, run
from sim.experiment import ci95, replicate

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED, REPS, LEVER_REPS = 20061, 30, 10
STAGES = ("undefined", "defined", "aligned", "integrated")
CITED_BANDS = {"batch_handoff": (-0.75, -0.35)}
"""Single levers whose cited evidence allows more than ±35 % of baseline revenue, and the band it
allows: a weekly batch delays first contact by days, and Oldroyd et al. (2011) measure qualifying
odds falling ~10x after the first hour; the model takes half of those log odds as causal."""

pytestmark = pytest.mark.slow


@cache
def revenue(name: str, reps: int = REPS) -> np.ndarray:
    table = replicate(load_scenario(SCENARIOS / f"{name}.yaml"), reps, SEED)
    return table["revenue"].to_numpy()


def test_each_stage_beats_the_one_below_with_an_interval_above_zero():
    """Kotler, Rackham & Krishnaswamy (HBR 2006): undefined < defined < aligned < integrated."""
    for lower, upper in zip(STAGES, STAGES[1:], strict=False):
        low, _ = ci95(revenue(upper) - revenue(lower))
        assert low > 0, (lower, upper, low)


def test_integrated_earns_between_1_2_and_2_times_undefined():
    """Aberdeen (2010) / Forrester: aligned firms grow ~20 % a year against ~-4 %: tens of
    percent apart, not several times."""
    ratio = revenue("integrated").mean() / revenue("undefined").mean()
    assert 1.2 <= ratio <= 2.0, ratio


def test_team_pay_gains_at_most_ten_percent_over_the_quota_plan():
    """Friebel et al. (AER 2017): a team bonus lifts output ~3 %; with the timing games it does
    not play (Larkin 2014) the gain stays within 0-10 %."""
    gain = (revenue("team_selling") - revenue("baseline")).mean() / revenue("baseline").mean()
    low, _ = ci95(revenue("team_selling") - revenue("baseline"))
    assert 0.0 < gain <= 0.10 and low > 0, gain


def test_quarter_end_timing_games_cost_four_to_ten_percent(monkeypatch):
    """Larkin (2014): timing games cost ~6-8 % of revenue; the band allows 4-10 %."""
    plan = incentives.quota_accelerator()
    monkeypatch.setitem(incentives.SALES_COMP, "quota_accelerator",
                        lambda: replace(plan, quarter_end_pull_in=0.0))
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    honest = np.array([run(scenario, seed=SEED, replication=r).kpis["revenue"]
                       for r in range(REPS)])
    cost = 1.0 - revenue("baseline").mean() / honest.mean()
    assert 0.04 <= cost <= 0.10, cost


def _single_levers() -> list[str]:
    return sorted(p.stem for p in SCENARIOS.glob("*.yaml")
                  if p.read_text(encoding="utf-8").startswith("# SINGLE LEVER"))


@pytest.mark.parametrize("name", _single_levers())
def test_a_single_lever_moves_revenue_at_most_35_percent(name):
    base = revenue("baseline", LEVER_REPS)
    change = revenue(name, LEVER_REPS).mean() / base.mean() - 1.0
    low, high = CITED_BANDS.get(name, (-0.35, 0.35))
    assert low <= change <= high, (name, change)
