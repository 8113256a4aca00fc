"""Unit tests of sim.policies.pricing."""

import pytest

from sim.policies import pricing


def test_price_above_fit_lowers_win_odds():
    assert pricing.win_logit_price(1.0, 2.5) == 0.0
    assert pricing.win_logit_price(1.4, 2.5) == pytest.approx(-1.0)
    assert pricing.win_logit_price(0.8, 2.5) > 0


def test_discount_rescues_overpriced_deals_up_to_the_cap():
    assert pricing.discount(0.05, 1.0, 0.25) == pytest.approx(0.05)
    assert pricing.discount(0.05, 1.2, 0.25) == pytest.approx(0.15)
    assert pricing.discount(0.05, 2.0, 0.25) == 0.25


def test_deal_value():
    assert pricing.deal_value(10000, 1.2, 0.1) == pytest.approx(10800)
