"""Log-odds, the scale the model's effects add up on.

A bookmaker quotes odds, not probabilities, because odds multiply cleanly: "twice as likely" means
the same thing at 10 % and at 60 %. Effects in the model (quality, price, experience, context)
are added on the log-odds scale and turned back into a chance at the end.
"""

from __future__ import annotations

import math


def logit(p: float) -> float:
    """Log-odds of a probability strictly between 0 and 1."""
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    """The probability whose log-odds are ``x`` (the inverse of :func:`logit`)."""
    return 1.0 / (1.0 + math.exp(-x))
