"""Unit tests of sim.bridge: the revenue bridge adds up, whatever the order and the zeros."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import Scenario, run, with_overrides
from sim.bridge import LINKS, revenue_bridge


def _kpis(leads, mql, sal, sql, opp, won, price, size):
    """KPIs whose revenue is the chain's product (as every model run's are)."""
    mqls = leads * mql
    sals = mqls * sal
    sqls = sals * sql
    opportunities = sqls * opp
    wins = opportunities * won
    return {"leads": leads, "mqls": mqls, "sals": sals, "sqls": sqls,
            "opportunities": opportunities, "won": wins, "price_index_final": price,
            "revenue": wins * price * size}


share = st.floats(0.0, 1.0)
chain = st.tuples(st.floats(0.0, 1e5), share, share, share, st.floats(0.0, 3.0), share,
                  st.floats(0.3, 3.0), st.floats(1.0, 1e6))


@settings(max_examples=200, deadline=None)
@given(chain, chain)
def test_the_steps_add_up_to_the_difference(a, b):
    before, after = _kpis(*a), _kpis(*b)
    bridge = revenue_bridge(before, after)
    total = sum(s.effect for s in bridge.steps)
    assert total == pytest.approx(bridge.difference, rel=1e-6, abs=1e-3)
    assert [s.key for s in bridge.steps] == [link.key for link in LINKS]


@settings(max_examples=100, deadline=None)
@given(chain, chain)
def test_swapping_the_two_sides_flips_every_step(a, b):
    forth = revenue_bridge(_kpis(*a), _kpis(*b))
    back = revenue_bridge(_kpis(*b), _kpis(*a))
    for f, r in zip(forth.steps, back.steps, strict=True):
        assert f.effect == pytest.approx(-r.effect, rel=1e-6, abs=1e-3)


def test_a_link_that_did_not_change_contributes_nothing():
    before = _kpis(1000, 0.3, 0.6, 0.5, 0.7, 0.25, 1.0, 40000)
    after = _kpis(1200, 0.3, 0.6, 0.5, 0.7, 0.25, 1.0, 40000)
    bridge = revenue_bridge(before, after)
    effects = {s.key: s.effect for s in bridge.steps}
    assert effects["leads"] == pytest.approx(bridge.difference)
    assert all(v == 0 for k, v in effects.items() if k != "leads")
    assert bridge.largest(1)[0].key == "leads"


def test_no_deals_won_puts_the_whole_difference_on_the_link_that_fell_to_zero():
    after = _kpis(1000, 0.3, 0.6, 0.5, 0.7, 0.25, 1.0, 40000)
    before = dict(after, won=0.0, revenue=0.0)
    bridge = revenue_bridge(before, after)
    effects = {s.key: s.effect for s in bridge.steps}
    assert effects["won_share"] == pytest.approx(bridge.difference, rel=1e-9)
    assert math.isnan(next(s.before for s in bridge.steps if s.key == "deal_size"))


def test_a_model_run_is_a_chain_and_its_bridge_adds_up():
    base = Scenario(weeks=8)
    changed = with_overrides(base, {"pricing.price_index": 1.2, "sales.reps": 4})
    a, b = run(base, seed=2).kpis, run(changed, seed=2).kpis
    bridge = revenue_bridge(a, b)
    assert bridge.before == a["revenue"] and bridge.after == b["revenue"]
    assert sum(s.effect for s in bridge.steps) == pytest.approx(b["revenue"] - a["revenue"])
    price = next(s for s in bridge.steps if s.key == "price")
    assert price.after > 1.0 and price.effect > 0  # the price index at the end of the run


def test_a_missing_kpi_is_named():
    with pytest.raises(KeyError, match="needs the KPI .leads."):
        revenue_bridge({"revenue": 1.0}, {"revenue": 2.0})
