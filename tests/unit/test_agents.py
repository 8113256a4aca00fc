"""Unit tests of sim.agents: marketing's mix, sales' decisions."""

import dataclasses

import numpy as np
import pytest

from sim import Scenario, run, with_overrides
from sim.lead import ROW_WIDTH, U_IGNORE, U_VIEW, Lead, lead_draws
from sim.model import LeadFlowModel


def make_lead(quality=0.5, **u):
    row = np.full((1, ROW_WIDTH), 0.5)
    for k, v in u.items():
        row[0, int(k[1:])] = v
    return Lead(1, "webinar", 0.0, quality, quality, 10000.0, 0.0, lead_draws(row, 6)[0])


def test_first_look_ignores_rejects_or_accepts():
    model = LeadFlowModel(Scenario(weeks=1), seed=1)
    model.dials = dataclasses.replace(model.dials, ignore_probability=0.3)
    ignored = make_lead(**{f"u{U_IGNORE}": 0.1})
    assert model.sales.first_look(ignored) is False and ignored.state == "ignored"
    weak = make_lead(quality=0.1, **{f"u{U_IGNORE}": 0.9, f"u{U_VIEW}": 0.5})
    assert model.sales.first_look(weak) is False and weak.state == "rejected"
    good = make_lead(quality=0.9, **{f"u{U_IGNORE}": 0.9, f"u{U_VIEW}": 0.5})
    assert model.sales.first_look(good) is True and good.sal_at == 0.0


def test_volume_kpi_moves_budget_to_cheap_mql_channels():
    s = with_overrides(Scenario(weeks=26), {"incentives.marketing_kpi": "mql_volume"})
    model = LeadFlowModel(s, seed=3)
    model.run()
    mix = model.marketing.mix
    assert sum(mix.values()) == pytest.approx(1.0)
    per_cost = {n: model.marketing.mqls[n] / model.marketing.spend[n] for n in mix}
    best = max(per_cost, key=per_cost.get)
    assert mix[best] > model.marketing.default_mix[best]


def test_no_feedback_means_no_learning_and_knowledge_fades():
    s = with_overrides(Scenario(weeks=52), {"feedback.mode": "none"})
    model = LeadFlowModel(s, seed=3)
    start = model.marketing.scoring_noise
    assert start < s.scoring.noise  # what the company learnt before the run
    model.run()
    half_life = s.scoring.knowledge_half_life_weeks
    assert model.marketing.learned_reports == pytest.approx(
        s.scoring.prior_reports * 0.5 ** (52 / half_life))
    assert start < model.marketing.scoring_noise < s.scoring.noise


def test_learning_levels_off_where_new_reports_replace_forgotten_ones():
    """Closed-loop feedback from the baseline's steady state: the scoring error falls, then
    settles above its floor instead of falling for ever."""
    s = with_overrides(Scenario(weeks=208), {"feedback.mode": "closed_loop"})
    noise = run(s, seed=2).weekly["scoring_noise"]
    assert noise.iloc[51] < noise.iloc[0]
    assert abs(noise.iloc[-1] - noise.iloc[103]) < 0.5 * (noise.iloc[0] - noise.iloc[103])
    assert noise.iloc[-1] > s.scoring.noise_floor + 0.005


def test_channel_spend_has_diminishing_returns():
    """Twice a channel's budget buys fewer than twice its leads: cost per lead rises."""
    model = LeadFlowModel(Scenario(weeks=1), seed=1)
    team = model.marketing
    name = next(iter(team.channels))
    base = team.rate(name)
    team.mix[name] *= 2
    doubled = team.rate(name)
    assert base < doubled < 2 * base
    assert doubled == pytest.approx(base * 2 ** model.scenario.marketing.volume_elasticity)
