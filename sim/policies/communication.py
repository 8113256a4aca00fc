"""Communication: how leads and understanding cross from marketing to sales.

The handoff is a relay baton. ``communication.handoff`` decides whether it is passed at once or
collected in a bucket and handed over daily or weekly; ``communication.crm_sharing`` decides how
much of the runner's notes survive the pass. Joint meetings and training keep both teams reading
the same map (shared understanding); without them, silos let the maps drift apart. Unclear roles
turn conflict into duplicate work, and senior leadership caps conflict at a cost.

Sources: seed articles 000 (leadership), 001 (meetings, silos, collaborative culture), 002 (CRM,
regular communication), 004 (clear roles, regular meetings). Effect sizes are assumptions.
"""

from __future__ import annotations

from sim.calendar import next_weekday_time

BATCH_HOUR = 9.0


def release_time(mql_time: float, handoff: str) -> float:
    """When an MQL created at ``mql_time`` reaches the sales queue.

    ``realtime``: at once. ``daily``: the next workday at 09:00. ``weekly``: the next Monday at
    09:00. Batching is the classic cause of slow speed-to-lead (Oldroyd et al. 2011).
    """
    if handoff == "realtime":
        return mql_time
    return next_weekday_time(mql_time, BATCH_HOUR, every_day=(handoff == "daily"))


def contact_odds_factor(crm_sharing: float) -> float:
    """Multiplier on contact odds: a lead without phone notes or context is harder to reach.

    0.925 with no shared context, 0.95 at half sharing (the baseline), 0.975 with full sharing.
    Assumption; plausible 0.05-0.2 per unit of sharing. Kept at the low end because each context
    effect multiplies down the funnel with the others (``docs/model.md`` section 6).
    """
    return 0.925 + 0.05 * crm_sharing


def qualify_factor(crm_sharing: float) -> float:
    """Multiplier on the chance a contacted lead qualifies: context makes the first call count.

    0.94 with no context, 0.96 at half sharing, 0.98 with full sharing. Assumption; plausible
    0.04-0.15 per unit of sharing.
    """
    return 0.94 + 0.04 * crm_sharing


def sales_view_noise(base_noise: float, crm_sharing: float) -> float:
    """Sales' error judging a lead: 1.25 times marketing's at half sharing, 1.375 with no shared
    context, 1.125 with full sharing. Assumption; plausible 0.25-1.0 per unit of sharing.
    """
    return base_noise * (1.25 + 0.25 * (0.5 - crm_sharing))


def win_logit_context(crm_sharing: float) -> float:
    """Win log-odds bonus from knowing the buyer's history (0 at half sharing, +0.05 with full
    sharing). Assumption; plausible 0-0.4 per unit of sharing.
    """
    return 0.1 * (crm_sharing - 0.5)


def definition_gap(base_gap: float, understanding: float, shared_definition: bool) -> float:
    """How much stricter sales' bar is than marketing's: the 'what is a good lead' gap.

    Shared understanding closes it in proportion; a formal shared lead definition removes 70 %
    of what is left (CSO Insights 2014 links a formal definition to higher conversion).
    """
    gap = base_gap * (1.0 - understanding)
    return gap * 0.3 if shared_definition else gap


def meeting_understanding_gain(understanding: float, hours: float) -> float:
    """Rise in shared understanding from one joint meeting of ``hours`` (diminishing). Assumption."""
    return (1.0 - understanding) * min(0.5, 0.10 * hours)


def training_understanding_gain(understanding: float, days: float) -> float:
    """Rise in shared understanding from joint training of ``days``. Assumption."""
    return (1.0 - understanding) * min(0.6, 0.15 * days)


def silo_drift(understanding: float, drift_per_week: float) -> float:
    """Weekly loss of shared understanding when teams work apart. Assumption."""
    return understanding * drift_per_week


def dispute_time_factor(conflict: float, role_clarity: float) -> float:
    """Multiplier on rep time per lead: conflict with unclear roles means duplicate work and
    disputes over who owns a lead (up to +25 %). Seed article 004; size is an assumption
    (plausible 10-40 %).
    """
    return 1.0 + 0.25 * conflict * (1.0 - role_clarity)


def conflict_cap(leadership: float) -> float:
    """Highest conflict senior leadership lets stand (1 with no involvement). Seed article 000."""
    return 1.0 - 0.7 * leadership
