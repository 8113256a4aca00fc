"""The lead: the entity that flows through the funnel, and the dice it carries.

A lead is like a parcel with its own tracking label. When it is created it is given a full row
of random numbers, one column for each decision anybody will ever make about it: when it
arrives, how good it is, whether a rep reaches it on each attempt, whether it closes. Every
policy reads its own column, so the same lead meets the same dice in every scenario (common
random numbers), and two scenarios differ only where their rules differ.

The column layout (``U_*``), the row's width and the helpers that turn a block of uniform rows
into the draws a lead keeps live here, beside :class:`Lead`, so the layout has one home.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.special import betaincinv, ndtri

from sim.metrics import EventRow

# Each lead draws one row of uniforms when it is created; every random decision about it reads
# its own column, so the same lead meets the same dice in every scenario (common random numbers).
U_TIME, U_IN_HOURS, U_QUALITY, U_SCORE, U_NURTURE, U_NURTURE_DELAY, U_DEAL, U_VIEW = range(8)
U_IGNORE, U_QUALIFY, U_OPP, U_WIN, U_CYCLE, U_REPORT = range(8, 14)
MAX_ATTEMPTS = 20
U_CONTACT = 14
U_TOUCH = U_CONTACT + MAX_ATTEMPTS
ROW_WIDTH = U_TOUCH + MAX_ATTEMPTS


class Lead:
    """One lead on its way through the funnel (times in simulated hours).

    Its random draws are fixed when it is created (``u_*`` uniforms, ``view_z`` a standard normal,
    one ``contacts``/``touches`` pair per attempt), so the
    same lead meets the same dice in every scenario (common random numbers).
    """

    __slots__ = (
        "id", "channel", "created", "quality", "score", "deal_size", "mql_at", "queued_at",
        "first_touch_at", "reached_at", "sal_at", "sql_at", "opp_at", "closed_at", "won",
        "amount", "discount", "attempts", "ticket", "state", "reported", "marketing", "reviewed",
        "u_ignore", "view_z", "u_qualify", "u_opp", "u_win", "u_cycle", "u_report", "u_recycle",
        "contacts", "touches",
    )

    def __init__(self, lead_id: int, channel: str, created: float, quality: float, score: float,
                 deal_size: float, mql_at: float, draws: tuple, marketing: bool = True):
        self.id = lead_id
        self.channel = channel
        self.created = created
        self.quality = quality
        self.score = score
        self.deal_size = deal_size
        self.mql_at = mql_at
        (self.u_ignore, self.view_z, self.u_qualify, self.u_opp, self.u_win, self.u_cycle,
         self.u_report, self.u_recycle, self.contacts, self.touches) = draws
        self.queued_at = self.first_touch_at = self.reached_at = self.sal_at = math.nan
        self.sql_at = self.opp_at = self.closed_at = math.nan
        self.won = False
        self.amount = self.discount = 0.0
        self.attempts = self.ticket = 0
        self.state = "handoff"
        self.reported = None
        self.marketing = marketing
        self.reviewed = False

    def log_row(self, state: str | None = None) -> EventRow:
        """The lead's event-log row, in its own state or ``state``."""
        return EventRow(self.id, self.channel, self.created, self.mql_at, self.first_touch_at,
                self.reached_at, self.sal_at, self.sql_at, self.opp_at, self.closed_at,
                self.won, self.amount, self.discount, self.attempts, self.quality, self.score,
                state or self.state)


def lead_draws(rows: np.ndarray, attempts: int) -> list[tuple]:
    """Per-lead draws for :class:`Lead` from a block of uniform rows, computed column-wise."""
    touches = -np.log1p(-rows[:, U_TOUCH:U_TOUCH + attempts])
    return list(zip(
        rows[:, U_IGNORE].tolist(), ndtri(rows[:, U_VIEW]).tolist(),
        rows[:, U_QUALIFY].tolist(), rows[:, U_OPP].tolist(), rows[:, U_WIN].tolist(),
        rows[:, U_CYCLE].tolist(), rows[:, U_REPORT].tolist(),
        rows[:, U_NURTURE_DELAY].tolist(),
        rows[:, U_CONTACT:U_CONTACT + attempts].tolist(), touches.tolist(), strict=True,
    ))


class NurtureReturn(NamedTuple):
    """A lead nurture will hand back to scoring: who, from which channel, when it was first
    created, the quality it comes back with, and when it comes back (hours).
    """

    id: int
    channel: str
    created: float
    quality: float
    at: float


def draw_rows(gen: np.random.Generator, n: int) -> np.ndarray:
    """``n`` rows of uniforms in (0, 1), one row per lead."""
    u = gen.random((n, ROW_WIDTH))
    np.clip(u, 1e-12, 1 - 1e-12, out=u)
    return u


def beta_quality(u: np.ndarray, alpha: float, beta_: float) -> np.ndarray:
    """Latent quality from uniforms ``u``: the Beta(alpha, beta) quantile."""
    return betaincinv(alpha, beta_, u)


def lognormal(u: np.ndarray, median: float, sigma: float) -> np.ndarray:
    """Deal sizes from uniforms ``u``: lognormal with the given median and sigma."""
    return median * np.exp(sigma * ndtri(u))
