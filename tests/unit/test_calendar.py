"""Unit tests of sim.calendar: business hours Monday-Friday 09:00-17:00, t=0 Monday 00:00."""

import numpy as np
import pytest

from sim import calendar

MON_9, MON_17, FRI_17 = 9.0, 17.0, 4 * 24 + 17.0


@pytest.mark.parametrize("t, open_", [
    (MON_9, True), (MON_9 - 0.01, False), (MON_17 - 0.01, True), (MON_17, False),
    (5 * 24 + 12, False),  # Saturday noon
    (168 + MON_9 + 1, True),
])
def test_is_open(t, open_):
    assert calendar.is_open(t) is open_


@pytest.mark.parametrize("t, expected", [
    (0.0, MON_9), (MON_9 + 2, MON_9 + 2), (MON_17, 24 + 9.0), (FRI_17, 168 + MON_9),
    (6 * 24 + 23, 168 + MON_9),
])
def test_next_open(t, expected):
    assert calendar.next_open(t) == pytest.approx(expected)


def test_next_weekday_time_daily_and_weekly():
    assert calendar.next_weekday_time(10.0, 9.0) == pytest.approx(24 + 9.0)
    assert calendar.next_weekday_time(8.0, 9.0) == pytest.approx(9.0)
    assert calendar.next_weekday_time(FRI_17, 9.0) == pytest.approx(168 + 9.0)
    assert calendar.next_weekday_time(10.0, 9.0, every_day=False) == pytest.approx(168 + 9.0)


def test_open_hours_between():
    assert calendar.open_hours_between(0, 168) == pytest.approx(40.0)
    assert calendar.open_hours_between(0, 3 * 168) == pytest.approx(120.0)
    assert calendar.open_hours_between(10, 12) == pytest.approx(2.0)
    assert calendar.open_hours_between(17, 33) == 0.0
    assert calendar.open_hours_between(5, 5) == 0.0


def test_placement_lands_inside_and_outside_open_hours():
    u = np.random.default_rng(0).random(2000)
    inside = calendar.place_in_open_hours(u)
    outside = calendar.place_in_closed_hours(u)
    assert all(calendar.is_open(t) for t in inside)
    assert not any(calendar.is_open(t) for t in outside)
    assert inside.min() >= 0 and outside.max() < 168
    # uniform within the open hours: each weekday gets about a fifth
    days = (inside // 24).astype(int)
    assert np.allclose(np.bincount(days, minlength=5)[:5] / len(u), 0.2, atol=0.03)
