"""Pricing: list price against what the market values, and how sales discounts.

Price is a see-saw: a higher ``pricing.price_index`` lifts the value of each deal but tips the
win probability down. Marketing setting the price too high (seed article 004) shows up as fewer
wins and more discounting by sales trying to rescue deals.
"""

from __future__ import annotations


def win_logit_price(price_index: float, elasticity: float,
                    underprice_elasticity: float | None = None) -> float:
    """Win log-odds change from pricing away from fit: falls at ``elasticity`` per unit above
    1.0 and rises at ``underprice_elasticity`` (default: the same) per unit below it.

    Buyers who need the product buy it at a fair price; a cheaper offer wins a few more deals,
    a dearer one loses many, so the fit price earns the most. Assumption.
    """
    gap = price_index - 1.0
    if gap < 0 and underprice_elasticity is not None:
        return -underprice_elasticity * gap
    return -elasticity * gap


def discount(base_discount: float, price_index: float, max_discount: float) -> float:
    """Usual discount: the pay plan's habit plus half the price gap, capped by policy.

    Reps rescue over-priced deals with discounts (seed article 004). Assumption.
    """
    return min(max_discount, max(0.0, base_discount + 0.5 * max(0.0, price_index - 1.0)))


def deal_value(deal_size: float, price_index: float, discount_given: float) -> float:
    """Booked revenue of a won deal."""
    return deal_size * price_index * (1.0 - discount_given)
