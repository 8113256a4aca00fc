"""Speed to lead: how the odds of reaching and qualifying a lead decay while it waits.

A new lead is a hot cup of coffee: drink it now and it is at its best; after half an hour it is
lukewarm; by tomorrow it is cold, and only a floor of stubborn interest is left. Two curves
capture this, each ``floor + (1 - floor) * exp(-age / decay_hours)``:

* contact odds fall fast (Lead Response Management study: contact odds at 5 minutes are many
  times those at 30 minutes), so ``sales.contact_decay_hours`` is short;
* the chance a contacted lead qualifies falls more slowly (Oldroyd, McElheran & Elkington,
  HBR 2011: responding within an hour gives ~7x the odds of qualifying versus later, and >60x
  versus after 24 hours).

The defaults were set so that a baseline run reproduces the Oldroyd ratios within a factor of
about two (see ``tests/validity/test_stylized_facts.py``); the LRM 100x contact ratio is for the
first dial only and is not reproduced, because a floor of reachability is needed for repeated
attempts to reach ~93 % of converting leads by the sixth call (Velocify).
"""

from __future__ import annotations

import math


def warmth(age_hours: float, decay_hours: float, floor: float) -> float:
    """The share of a lead's original responsiveness left after ``age_hours``."""
    return floor + (1.0 - floor) * math.exp(-age_hours / decay_hours)


def contact_probability(age_hours: float, fresh_probability: float, decay_hours: float,
                        floor: float, odds_factor: float) -> float:
    """Chance one attempt reaches the lead: the fresh odds scaled by warmth and context."""
    odds = fresh_probability / (1.0 - fresh_probability)
    odds *= warmth(age_hours, decay_hours, floor) * odds_factor
    return odds / (1.0 + odds)


def qualify_probability(quality: float, age_hours: float, fresh_probability: float,
                        decay_hours: float, floor: float, context_factor: float) -> float:
    """Chance a contacted lead qualifies (becomes an SQL).

    Better leads qualify more often (logit slope 5 per unit of latent quality around 0.4); the
    result is scaled by the lead's warmth and by the context that survived the handoff.
    """
    logit = math.log(fresh_probability / (1.0 - fresh_probability)) + 5.0 * (quality - 0.4)
    base = 1.0 / (1.0 + math.exp(-logit))
    return base * warmth(age_hours, decay_hours, floor) * context_factor
