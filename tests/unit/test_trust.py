"""Unit tests of sim.policies.trust."""

import pytest

from sim.policies import trust


def test_black_hole_grows_with_distrust_and_is_capped():
    low = trust.ignore_probability(0.9, 0.7, 1.0, 0.5)
    high = trust.ignore_probability(0.1, 0.7, 1.0, 0.5)
    assert 0 <= low < high <= 0.7
    assert trust.ignore_probability(0.0, 0.7, 5.0, 1.0) == pytest.approx(0.7)
    assert trust.ignore_probability(1.0, 0.7, 1.0, 0.5) == 0.0


def test_experienced_reps_follow_up_less():
    assert trust.ignore_probability(0.5, 0.7, 1.0, 1.0) > trust.ignore_probability(0.5, 0.7, 1.0, 0.0)


def test_trust_follows_experienced_quality():
    up = trust.trust_step(0.5, 0.3, 0.15, 0.1, 0.0, 0.0)
    down = trust.trust_step(0.5, 0.05, 0.15, 0.1, 0.0, 0.0)
    assert down < 0.5 < up
    assert trust.trust_step(0.5, 0.15, 0.15, 0.1, 0.0, 0.0) == pytest.approx(0.5)
    assert 0.0 <= trust.trust_step(0.01, 0.0, 0.15, 1.0, 1.0, 0.0) <= 1.0


def test_blame_drains_and_a_shared_goal_restores_trust():
    assert trust.trust_step(0.5, 0.15, 0.15, 0.1, 1.0, 0.0) < 0.5
    assert trust.trust_step(0.5, 0.15, 0.15, 0.1, 0.0, 1.0) > 0.5


def test_conflict_rises_with_misalignment_and_falls_with_understanding_and_roles():
    base = trust.conflict_target(0.5, 0.5, 0.3, 0.3, 0.5)
    assert trust.conflict_target(1.0, 0.5, 0.3, 0.3, 0.5) > base
    assert trust.conflict_target(0.5, 0.5, 0.9, 0.3, 0.5) < base
    assert trust.conflict_target(0.5, 0.5, 0.3, 0.3, 1.0) < base
    assert trust.conflict_target(0.5, 0.5, 0.3, 1.0, 0.5) < base
    assert trust.conflict_step(0.2, 1.0, 0.25) == 0.25
    assert trust.conflict_step(0.2, 0.6, 1.0) == pytest.approx(0.24)


def test_distrust_shifts_time_to_prospecting():
    assert trust.distrust_prospecting_shift(0.8) == 0.0
    assert trust.distrust_prospecting_shift(0.1) == pytest.approx(0.12)
