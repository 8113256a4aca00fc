"""Pricing: list price against what the market values, and how sales discounts.

Price is a see-saw: a higher ``pricing.price_index`` lifts the value of each deal but tips the
win probability down. Marketing setting the price too high (seed article 004) shows up as fewer
wins and more discounting by sales trying to rescue deals.
"""

from __future__ import annotations


def win_logit_price(price_index: float, elasticity: float) -> float:
    """Win log-odds change from pricing away from fit (negative above 1.0). Assumption."""
    return -elasticity * (price_index - 1.0)


def discount(base_discount: float, price_index: float, max_discount: float) -> float:
    """Usual discount: the pay plan's habit plus half the price gap, capped by policy.

    Reps rescue over-priced deals with discounts (seed article 004). Assumption.
    """
    return min(max_discount, max(0.0, base_discount + 0.5 * max(0.0, price_index - 1.0)))


def deal_value(deal_size: float, price_index: float, discount_given: float) -> float:
    """Booked revenue of a won deal."""
    return deal_size * price_index * (1.0 - discount_given)
