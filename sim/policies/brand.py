"""Brand: awareness built by brand spend, eroded by forgetting and by cold calling.

Awareness is a reservoir. Brand spend (the "video advertisement" of seed article 000) pours in
after a lag, with diminishing returns; every week some leaks away as buyers forget; aggressive
cold calling punches a hole in it (seed article 003: a bad customer experience). A fuller
reservoir brings more inbound leads, better leads and easier wins, but only later, which is why
the brand-versus-direct-response argument never ends.

All effect sizes are assumptions and are parameters under ``marketing.``.
"""

from __future__ import annotations

COLD_CALL_HARM_PER_WEEK = 0.004
"""Awareness lost per week at full cold-calling intensity. Assumption."""

COLD_CALL_OPPORTUNITY_BOOST = 1.5
"""Extra self-sourced opportunities per prospecting hour at full intensity (+150 %). Assumption."""

AWARENESS_WIN_LOGIT = 0.5
"""Win log-odds per unit of awareness above the start level. Assumption; plausible 0.2-1.0."""


def awareness_step(awareness: float, brand_spend: float, half_saturation: float, gain: float,
                   decay: float, cold_calling: float) -> float:
    """Next week's awareness from this week's (lagged) brand spend."""
    saturation = brand_spend / (brand_spend + half_saturation) if brand_spend > 0 else 0.0
    nxt = (awareness + gain * saturation * (1.0 - awareness) - decay * awareness
           - COLD_CALL_HARM_PER_WEEK * cold_calling)
    return min(1.0, max(0.0, nxt))


def inbound_volume_factor(awareness: float, reference: float, effect: float) -> float:
    """Multiplier on inbound lead volume."""
    return max(0.0, 1.0 + effect * (awareness - reference))


def quality_factor(awareness: float, reference: float, effect: float) -> float:
    """Multiplier on the quality Beta's alpha (better-informed buyers)."""
    return max(0.05, 1.0 + effect * (awareness - reference))


def win_logit_awareness(awareness: float, reference: float) -> float:
    """Win log-odds change: buyers who know the brand trust the pitch."""
    return AWARENESS_WIN_LOGIT * (awareness - reference)


def cold_calling_opportunity_factor(cold_calling: float) -> float:
    """Multiplier on self-sourced opportunities from prospecting."""
    return 1.0 + COLD_CALL_OPPORTUNITY_BOOST * cold_calling
