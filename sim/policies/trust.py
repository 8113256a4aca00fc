"""Trust and blame: sales' belief in marketing leads, and the conflict between the teams.

Trust behaves like a bank balance of goodwill. Every week sales compares the MQL-to-SQL rate it
experiences with what it expected; good weeks pay in, bad weeks withdraw, blame drains it. With
low trust reps quietly skip marketing leads (the "lead black hole"), which lowers measured
conversion, which lowers trust again: a vicious cycle. Feedback, meetings and shared KPIs are the
ways out.

This mechanism is a model assumption: no published study quantifies it. Sabnis et al. 2013
(J. Marketing) report that up to ~70 % of marketing leads are never followed up and that
experienced reps follow up less, which bounds the black hole; seed article 003 describes the
blame game and "them and us". Every rate is a parameter users can change.
"""

from __future__ import annotations


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def ignore_probability(trust: float, black_hole_max: float, ignore_factor: float,
                       experience: float) -> float:
    """Chance a rep never follows up a marketing lead (the black hole).

    Rises with the square of distrust, with the pay plan's selectivity and with experience
    (experienced reps follow up less, Sabnis et al. 2013), and never exceeds ``black_hole_max``
    (up to ~70 % of leads are never followed up, Sabnis et al. 2013).
    """
    selectivity = ignore_factor * (0.7 + 0.6 * experience)
    return _clip(black_hole_max * min(1.0, (1.0 - trust) ** 2 * selectivity))


def trust_step(trust: float, measured_rate: float, expected_rate: float, adjust_rate: float,
               conflict: float, shared_kpi_weight: float) -> float:
    """One week of trust: follow experienced quality, lose some to blame, gain from a shared goal."""
    signal = _clip(measured_rate / expected_rate - 1.0, -1.0, 1.0)
    room = (1.0 - trust) if signal > 0 else trust
    delta = adjust_rate * signal * room
    delta -= 0.01 * conflict * trust
    delta += 0.01 * shared_kpi_weight * (1.0 - trust)
    return _clip(trust + delta)


def meeting_trust_gain(trust: float, hours: float) -> float:
    """Rise in trust from one joint meeting: people who meet blame less. Assumption: 2 % of the
    distance to full trust per meeting hour (plausible 1-5 %).
    """
    return (1.0 - trust) * min(0.3, 0.02 * hours)


def conflict_target(misalignment: float, trust: float, understanding: float,
                    scrutiny_balance: float, role_clarity: float) -> float:
    """Level conflict drifts toward: opposed scorecards, distrust, and one-sided scrutiny (seed
    article 003: "more pressure on sales") push it up; shared understanding and clearly defined
    roles (seed article 004: "the first step to solve the conflict") pull it down.
    """
    raw = (0.25 + 0.35 * misalignment + 0.3 * (1.0 - trust)
           + 0.15 * (1.0 - scrutiny_balance) - 0.3 * understanding - 0.2 * role_clarity)
    return _clip(raw)


def conflict_step(conflict: float, target: float, cap: float) -> float:
    """One week of conflict: a tenth of the way to its target, never above the leadership cap."""
    return min(cap, _clip(conflict + 0.1 * (target - conflict)))


def distrust_prospecting_shift(trust: float) -> float:
    """Extra share of time reps spend on their own prospects when they distrust marketing leads
    (slower follow-up: the other half of the black hole). Zero at trust 0.5 or above. Assumption.
    """
    return 0.3 * max(0.0, 0.5 - trust)
