"""Business-hours calendar: when reps can pick up the phone.

Simulated time is in hours and ``t = 0`` is a Monday at midnight. Like a shop with opening
hours, the sales floor is open Monday to Friday from 09:00 to 17:00; a lead that arrives on
Saturday evening waits until Monday morning unless ``sales.business_hours`` is off.
"""

from __future__ import annotations

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
    h = t % HOURS_PER_WEEK
    day, hour = divmod(h, 24.0)
    return day < WORKDAYS and OPEN_HOUR <= hour < CLOSE_HOUR


def next_open(t: float) -> float:
    """The first time at or after ``t`` when the floor is open."""
    week0 = t - (t % HOURS_PER_WEEK)
    h = t - week0
    for start, end in _OPEN_SPANS:
        if h < end:
            return week0 + max(h, start)
    return week0 + HOURS_PER_WEEK + _OPEN_SPANS[0][0]


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
    if b <= a:
        return 0.0
    full_weeks = np.floor(a / HOURS_PER_WEEK)
    total = 0.0
    base = full_weeks * HOURS_PER_WEEK
    while base < b:
        for start, end in _OPEN_SPANS:
            lo, hi = max(a, base + start), min(b, base + end)
            if hi > lo:
                total += hi - lo
        base += HOURS_PER_WEEK
    return total
