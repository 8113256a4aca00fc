"""Unit tests of sim.calendar: business hours Monday-Friday 09:00-17:00, t=0 Monday 00:00."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --------------------------------------------------------------------------- rotas
def test_office_rota_adds_working_hours_across_nights_and_weekends():
    office = calendar.OFFICE
    assert office.hours_per_week == calendar.OPEN_HOURS_PER_WEEK
    wednesday_9 = 2 * 24 + 9.0
    assert office.add_hours(wednesday_9, 16) == pytest.approx(3 * 24 + 17.0)  # Thursday 17:00
    tuesday_10 = 24 + 10.0
    assert office.add_hours(tuesday_10, 40) == pytest.approx(168 + tuesday_10)  # a whole week
    assert office.add_hours(4 * 24 + 16.0, 2) == pytest.approx(168 + 10.0)  # Friday to Monday
    assert office.add_hours(0.0, 1) == pytest.approx(10.0)  # starts when the office opens


@pytest.mark.parametrize("reps, hours", [(1, 40), (4, 40), (3, 56), (7, 40), (2, 168)])
def test_shift_rotas_pay_the_hours_and_stagger_the_team(reps, hours):
    rotas = [calendar.shift_rota(r, reps, hours) for r in range(reps)]
    for rota in rotas:
        assert rota.hours_per_week == pytest.approx(hours)
        assert rota.hours_between(0, 3 * 168) == pytest.approx(3 * hours)
    grid = np.arange(0, 168, 0.25)
    on_duty = np.array([sum(r.is_open(t) for r in rotas) for t in grid])
    assert on_duty.mean() == pytest.approx(reps * hours / 168, rel=0.02)
    if reps * hours >= 168:
        assert on_duty.min() >= 1  # the team covers every hour of the week


def test_rota_next_open_and_add_hours_agree_with_is_open():
    rota = calendar.shift_rota(1, 4, 40)
    for t in np.linspace(0, 400, 97):
        nxt = rota.next_open(t)
        assert nxt >= t and rota.is_open(nxt)
        end = rota.add_hours(t, 10)
        assert rota.hours_between(t, end) == pytest.approx(10)
    always = calendar.shift_rota(0, 1, 168)
    assert always.always and always.add_hours(5.0, 300) == 305.0


@settings(max_examples=200, deadline=None)
@given(reps=st.integers(1, 12), hours=st.floats(1.0, 168.0), t=st.floats(0.0, 1e6),
       rep=st.integers(0, 11), work=st.floats(0.0, 100.0))
def test_rota_waits_always_make_progress(reps, hours, t, rep, work):
    """Whatever the rota and the instant, waiting for the next working hour lands on one, and
    adding working hours lands after the start (a rep can never wait for an instant it has
    already reached)."""
    rota = calendar.shift_rota(rep % reps, reps, hours)
    nxt = rota.next_open(t)
    assert nxt >= t and rota.is_open(nxt)
    assert nxt - t < calendar.HOURS_PER_WEEK
    assert rota.add_hours(t, work) >= nxt + work - 1e-6


@settings(max_examples=300, deadline=None)
@given(reps=st.integers(1, 12), hours=st.floats(1.0, 168.0), t=st.floats(0.0, 1e5),
       rep=st.integers(0, 11), later=st.floats(0.0, 200.0), office=st.booleans())
def test_open_span_answers_as_is_open_until_it_ends(reps, hours, t, rep, later, office):
    """The span a rep caches gives the rota's own verdict at every later instant it covers,
    and there is a span exactly when the rep is at work."""
    rota = calendar.OFFICE if office else calendar.shift_rota(rep % reps, reps, hours)
    span = rota.open_span(t)
    assert (span is not None) == rota.is_open(t)
    if span is not None:
        week, low, high = span
        t2 = t + later
        if low <= t2 - week < high:
            assert rota.is_open(t2)
