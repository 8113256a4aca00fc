"""Unit tests of sim.policies.response (speed-to-lead curves)."""

import pytest

from sim.policies import response


def test_warmth_starts_at_one_and_cools_to_the_floor():
    assert response.warmth(0.0, 1.0, 0.1) == 1.0
    assert response.warmth(1e6, 1.0, 0.1) == pytest.approx(0.1)
    assert response.warmth(1.0, 1.0, 0.1) > response.warmth(2.0, 1.0, 0.1)


def test_contact_odds_fall_steeply_within_thirty_minutes():
    args = (0.7, 0.25, 0.35, 1.0)
    p5 = response.contact_probability(5 / 60, *args)
    p30 = response.contact_probability(0.5, *args)
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert response.contact_probability(0.0, *args) == pytest.approx(0.7)
    # Steep but not LRM's 100x: a floor keeps later attempts worthwhile (see module docstring).
    assert odds(p5) / odds(p30) > 1.8
    assert odds(p30) / odds(response.contact_probability(3.0, *args)) < 1.3


def test_better_and_fresher_leads_qualify_more():
    args = (0.75, 7.0, 0.02, 1.0)
    assert response.qualify_probability(0.7, 0.0, *args) > response.qualify_probability(0.3, 0.0, *args)
    assert response.qualify_probability(0.5, 0.5, *args) > response.qualify_probability(0.5, 30.0, *args)
    assert response.qualify_probability(0.4, 0.0, *args) == pytest.approx(0.75)
