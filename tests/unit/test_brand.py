"""Unit tests of sim.policies.brand."""

import pytest

from sim.policies import brand


def test_brand_spend_builds_awareness_with_diminishing_returns():
    none = brand.awareness_step(0.3, 0.0, 6000, 0.1, 0.08, 0.0)
    some = brand.awareness_step(0.3, 6000, 6000, 0.1, 0.08, 0.0)
    lots = brand.awareness_step(0.3, 60000, 6000, 0.1, 0.08, 0.0)
    assert none < 0.3 < some < lots
    assert (lots - some) < (some - none)


def test_cold_calling_erodes_awareness():
    calm = brand.awareness_step(0.3, 3000, 6000, 0.1, 0.08, 0.0)
    loud = brand.awareness_step(0.3, 3000, 6000, 0.1, 0.08, 1.0)
    assert loud == pytest.approx(calm - brand.COLD_CALL_HARM_PER_WEEK)
    assert brand.cold_calling_opportunity_factor(1.0) > brand.cold_calling_opportunity_factor(0.0)


def test_awareness_effects_are_neutral_at_the_start_level():
    assert brand.inbound_volume_factor(0.3, 0.3, 1.0) == 1.0
    assert brand.quality_factor(0.3, 0.3, 1.0) == 1.0
    assert brand.win_logit_awareness(0.3, 0.3) == 0.0
    assert brand.inbound_volume_factor(0.5, 0.3, 1.0) > 1.0
    assert brand.inbound_volume_factor(0.0, 1.0, 5.0) == 0.0


def test_awareness_stays_in_unit_interval():
    assert brand.awareness_step(0.99, 1e9, 1, 1.0, 0.0, 0.0) <= 1.0
    assert brand.awareness_step(0.0, 0.0, 1, 0.1, 0.5, 1.0) == 0.0
