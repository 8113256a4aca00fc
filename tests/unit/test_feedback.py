"""Unit tests of sim.policies.feedback."""

import pytest

from sim.policies import feedback as fb


def test_modes():
    none = fb.make_policy("none", 4, 0.5)
    periodic = fb.make_policy("periodic", 4, 0.5)
    closed = fb.make_policy("closed_loop", 4, 0.5)
    assert none.report_probability(1.0, 1.0, 0.0) == 0.0
    assert closed.report_probability(1.0, 1.0, 0.0) == 1.0
    assert periodic.report_probability(1.0, 1.0, 0.0) == 0.5
    assert [w for w in range(12) if periodic.is_review_week(w)] == [3, 7, 11]
    assert all(closed.is_review_week(w) for w in range(5))
    assert not any(none.is_review_week(w) for w in range(12))
    with pytest.raises(ValueError):
        fb.make_policy("sometimes", 4, 0.5)


def test_reporting_falls_with_conflict_and_missing_context():
    p = fb.make_policy("closed_loop", 1, 1.0)
    assert p.report_probability(0.8, 1.0, 0.0) > p.report_probability(0.8, 0.0, 0.0)
    assert p.report_probability(0.8, 1.0, 0.0) > p.report_probability(0.8, 1.0, 1.0)


def test_scoring_noise_learns_toward_the_floor():
    assert fb.scoring_noise(0.15, 0.04, 0, 400) == pytest.approx(0.15)
    mid = fb.scoring_noise(0.15, 0.04, 400, 400)
    assert mid == pytest.approx(0.04 + 0.11 / 2.718281828, rel=1e-6)
    assert fb.scoring_noise(0.15, 0.04, 1e6, 400) == pytest.approx(0.04)
    assert fb.scoring_noise(0.03, 0.04, 1000, 400) == 0.03


def test_accountability_speeds_learning():
    assert fb.learning_effectiveness(1.0) == 1.0
    assert fb.learning_effectiveness(0.0) == 0.5


def test_price_moves_toward_fit_in_proportion_to_coverage():
    assert fb.price_step(1.5, 0.0, 0.3) == 1.5
    assert fb.price_step(1.5, 1.0, 0.3) == pytest.approx(1.35)
    assert fb.price_step(0.8, 1.0, 0.5) == pytest.approx(0.9)
    assert 0 < fb.message_fit(100, 400) < fb.message_fit(1000, 400) < 1


def test_knowledge_fades_with_its_half_life():
    assert fb.retention(52, 52) == pytest.approx(0.5)
    assert fb.retention(26, 1) ** 26 == pytest.approx(0.5)
    assert 0 < fb.retention(10, 100) < fb.retention(100, 100) < 1
