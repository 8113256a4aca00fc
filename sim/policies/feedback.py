"""Feedback: sales' dispositions flowing back to marketing, and what marketing learns.

Feedback is the thermostat's sensor. Without it marketing sets the heating by the brochure (its
own MQL counts); with a periodic review it reads a sample of the rooms now and then; with a
closed loop every disposition lands in the CRM as it happens. What marketing learns: its scoring
error falls, its budget moves toward channels that really convert, and customer-needs feedback
moves price and message toward what the market values.

How much flows back depends on sales' incentive to report (``SalesBehaviour.reporting``), CRM
context and conflict. Source: seed article 002 ("create a feedback loop"), seed article 004
(sales knows customers' actual needs). No published figure quantifies the learning: all rates
are assumptions and are parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class FeedbackPolicy:
    """A feedback mode: how much of each disposition reaches marketing, and when it is read.

    ``sample`` is the share of dispositions the mode looks at; ``review_every_weeks`` how often
    marketing acts on what arrived.
    """

    name: str
    sample: float
    review_every_weeks: int

    def report_probability(self, reporting: float, crm_sharing: float, conflict: float) -> float:
        """Chance one disposition reaches marketing."""
        return self.sample * reporting * (0.5 + 0.5 * crm_sharing) * (1.0 - 0.5 * conflict)

    def is_review_week(self, week: int) -> bool:
        """Whether marketing acts on feedback at the end of ``week`` (0-based)."""
        return self.sample > 0 and (week + 1) % self.review_every_weeks == 0


def make_policy(mode: str, period_weeks: int, periodic_sample: float) -> FeedbackPolicy:
    """Build the policy for ``feedback.mode``."""
    if mode == "none":
        return FeedbackPolicy("none", 0.0, 1)
    if mode == "periodic":
        return FeedbackPolicy("periodic", periodic_sample, period_weeks)
    if mode == "closed_loop":
        return FeedbackPolicy("closed_loop", 1.0, 1)
    raise ValueError(f"unknown feedback mode {mode!r}")


def scoring_noise(initial: float, floor: float, learned_reports: float, scale: float) -> float:
    """Marketing's scoring error after learning from ``learned_reports`` dispositions.

    Falls exponentially from ``initial`` toward ``floor``: each ``scale`` reports cut the learnable
    part by a factor e. Assumption.
    """
    if initial <= floor:
        return initial
    return floor + (initial - floor) * math.exp(-learned_reports / scale)


def learning_effectiveness(scrutiny_balance: float) -> float:
    """Share of reports marketing acts on: a team held to account for lead results listens.

    Seed article 003 ("more scrutiny on sales"): with all scrutiny on sales, marketing can blame
    conversion and learns at half speed. Assumption.
    """
    return 0.5 + 0.5 * scrutiny_balance


def message_fit(learned_reports: float, scale: float) -> float:
    """How well marketing's message fits customer needs (0-1), learnt from feedback. Assumption."""
    return 1.0 - math.exp(-learned_reports / (2.0 * scale))


def price_step(price_index: float, coverage: float, rate: float) -> float:
    """Move price toward market fit (1.0) in proportion to the feedback marketing received.

    Seed article 004: sales can tell marketing customers' actual needs, including price.
    """
    return price_index + rate * coverage * (1.0 - price_index)


def retention(half_life_weeks: float, weeks: float = 1.0) -> float:
    """Share of what marketing learnt that it still knows ``weeks`` later.

    Knowledge fades with a half-life: markets move and the people who heard the feedback change
    jobs. Without it every year of feedback would make marketing better for ever and the model
    would have no steady state. Assumption (``scoring.knowledge_half_life_weeks``).
    """
    return 0.5 ** (weeks / half_life_weeks)
