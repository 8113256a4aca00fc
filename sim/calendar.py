"""Business-hours calendar: when reps can pick up the phone.

Simulated time is in hours and ``t = 0`` is a Monday at midnight. Like a shop with opening
hours, the sales floor is open Monday to Friday from 09:00 to 17:00; a lead that arrives on
Saturday evening waits until Monday morning.

With ``sales.business_hours`` off the floor is staffed around the clock, but nobody works more:
each rep has a :class:`Rota` of ``sales.hours_per_week`` paid hours, one shift a day, and the
shifts of the team are staggered across the day like a hospital ward's. Four reps on 40 hours
then cover the week about once over, not four times over.
"""

from __future__ import annotations

import math

import numpy as np

HOURS_PER_WEEK = 168.0
OPEN_HOUR, CLOSE_HOUR = 9.0, 17.0
WORKDAYS = 5
OPEN_HOURS_PER_WEEK = WORKDAYS * (CLOSE_HOUR - OPEN_HOUR)

# Open intervals of one week as (start, end) hour offsets.
_OPEN = np.array([(d * 24 + OPEN_HOUR, d * 24 + CLOSE_HOUR) for d in range(WORKDAYS)])
_CLOSED = np.array(
    [(0.0, _OPEN[0, 0])]
    + [(_OPEN[i, 1], _OPEN[i + 1, 0]) for i in range(WORKDAYS - 1)]
    + [(_OPEN[-1, 1], HOURS_PER_WEEK)]
)


def _mapper(intervals: np.ndarray):
    lengths = intervals[:, 1] - intervals[:, 0]
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    total = cum[-1]

    def place(u: np.ndarray) -> np.ndarray:
        x = np.asarray(u) * total
        idx = np.minimum(np.searchsorted(cum, x, side="right") - 1, len(lengths) - 1)
        return intervals[idx, 0] + (x - cum[idx])

    return place


place_in_open_hours = _mapper(_OPEN)
"""Map uniforms in [0, 1) to hour offsets inside a week's open hours, uniformly."""
place_in_closed_hours = _mapper(_CLOSED)
"""Map uniforms in [0, 1) to hour offsets outside a week's open hours, uniformly."""


_OPEN_SPANS = tuple((float(a), float(b)) for a, b in _OPEN)  # plain floats: fast scalar loops


def is_open(t: float) -> bool:
    """Whether the sales floor is open at time ``t`` (hours)."""
    return OFFICE.is_open(t)


def next_open(t: float) -> float:
    """The first time at or after ``t`` when the floor is open."""
    return OFFICE.next_open(t)


def next_weekday_time(t: float, hour: float, every_day: bool = True) -> float:
    """The next workday (or Monday, if not ``every_day``) at ``hour`` that is >= ``t``."""
    week0 = t - (t % HOURS_PER_WEEK)
    days = range(WORKDAYS) if every_day else range(1)
    for extra_week in (0.0, HOURS_PER_WEEK):
        for d in days:
            candidate = week0 + extra_week + d * 24 + hour
            if candidate >= t:
                return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def open_hours_between(a: float, b: float) -> float:
    """Open hours in the interval [a, b)."""
    return OFFICE.hours_between(a, b)


EPS = 1e-7
"""Hours (a third of a millisecond) within which a time counts as on a shift's boundary, so
rounding in ``t % 168`` never leaves a rep waiting for an instant it has already reached."""


def _offset(t: float) -> tuple[float, float]:
    """The start of ``t``'s week and the hours since then."""
    week0 = (t // HOURS_PER_WEEK) * HOURS_PER_WEEK
    return week0, t - week0


class Rota:
    """When one person works: the same spans of hours every week, as ``(start, end)`` offsets
    from Monday 00:00 (spans that touch are merged; one may run to the end of the week).
    """

    def __init__(self, spans):
        merged: list[list[float]] = []
        for start, end in sorted((float(a), float(b)) for a, b in spans if b > a):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        if not merged:
            raise ValueError("a rota needs at least one working span")
        self.spans = tuple((a, b) for a, b in merged)
        self.hours_per_week = sum(b - a for a, b in self.spans)
        self.always = self.hours_per_week >= HOURS_PER_WEEK

    def is_open(self, t: float) -> bool:
        """Whether this person is at work at time ``t``."""
        if self.always:
            return True
        h = _offset(t)[1]
        for start, end in self.spans:
            if h < end - EPS:
                return h >= start - EPS
        return False

    def open_span(self, t: float) -> tuple[float, float, float] | None:
        """``(week_start, low, high)`` when this person is at work at ``t``: they stay at work
        while ``low <= now - week_start < high``, the same test as :meth:`is_open` makes, so a
        caller can keep asking cheaply until the span ends. None when not at work.
        """
        if self.always:
            return (0.0, -math.inf, math.inf)
        week0, h = _offset(t)
        for start, end in self.spans:
            if h < end - EPS:
                return (week0, start - EPS, end - EPS) if h >= start - EPS else None
        return None

    def next_open(self, t: float) -> float:
        """The first time at or after ``t`` when this person is at work (``t`` itself when
        :meth:`is_open` says so, so waiting for it always makes progress).
        """
        if self.always or self.is_open(t):
            return t
        week0, h = _offset(t)
        for start, end in self.spans:
            if h < end - EPS:
                return max(t, week0 + start)
        return week0 + HOURS_PER_WEEK + self.spans[0][0]

    def add_hours(self, t: float, hours: float) -> float:
        """When ``hours`` of working time that start at ``t`` are done: a two-day training that
        starts on Wednesday morning ends on Thursday evening, not on Friday morning.
        """
        if self.always:
            return t + hours
        left = hours
        t = self.next_open(t)
        while True:
            week0, h = _offset(t)
            end = week0 + next((e for s, e in self.spans if h < e - EPS), HOURS_PER_WEEK)
            if t + left <= end + EPS:
                return t + left
            left -= max(0.0, end - t)
            t = self.next_open(max(end, t) + EPS)

    def hours_between(self, a: float, b: float) -> float:
        """Working hours in the interval [a, b)."""
        if b <= a:
            return 0.0
        if self.always:
            return b - a
        base = _offset(a)[0]
        total = 0.0
        while base < b:
            for start, end in self.spans:
                lo, hi = max(a, base + start), min(b, base + end)
                if hi > lo:
                    total += hi - lo
            base += HOURS_PER_WEEK
        return total


OFFICE = Rota(_OPEN_SPANS)
"""Monday to Friday, 09:00 to 17:00."""


def shift_rota(rep: int, reps: int, hours_per_week: float) -> Rota:
    """Rep ``rep`` of ``reps`` on a round-the-clock rota: one shift of ``hours_per_week / 7``
    hours every day, the team's shifts staggered evenly over the day (rep ``r`` starts at
    ``24 r / reps`` o'clock). 168 hours means always at work.
    """
    shift = min(24.0, hours_per_week / 7.0)
    begin = 24.0 * rep / reps
    spans = []
    for day in range(7):
        a = day * 24.0 + begin
        b = a + shift
        spans.append((a, min(b, HOURS_PER_WEEK)))
        if b > HOURS_PER_WEEK:  # Sunday's shift runs into Monday morning
            spans.append((0.0, b - HOURS_PER_WEEK))
    return Rota(spans)
