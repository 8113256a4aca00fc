"""The week's intake: the leads that reach the company each week, scored in one batch.

Think of the goods-in bay of the factory floor in ``sim/model.py``. Once a week the delivery
comes in: new leads from every channel, the leads nurture hands back, and the opportunities reps
found themselves. Marketing grades each lead on the spot; the MQLs go on to the sales queue, the
rest to nurture, where some come back later and the others leave. The grading is done in numpy
over the whole week at once, so leads that never reach sales cost no events at all.

Each lead's dice come from its channel's stream for the week (``sim/streams.py``): lead j of a
channel has the same draws whatever the count, so a change elsewhere does not reshuffle them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import betainc, ndtri

from sim import calendar
from sim.agents import SELF_SOURCED_QUALITY
from sim.lead import (
    U_DEAL,
    U_IN_HOURS,
    U_NURTURE,
    U_NURTURE_DELAY,
    U_QUALITY,
    U_SCORE,
    U_TIME,
    Lead,
    NurtureReturn,
    beta_quality,
    draw_rows,
    lead_draws,
    lognormal,
)
from sim.metrics import EventRow
from sim.policies import brand, communication
from sim.streams import poisson_inverse

if TYPE_CHECKING:
    from sim.model import LeadFlowModel

HOURS_PER_WEEK = calendar.HOURS_PER_WEEK
SELF_SOURCED = "self_sourced"
"""The channel name of opportunities reps found themselves."""


@dataclass(frozen=True)
class _Batch:
    """Leads scored together: rows of dice and what is known of each lead, channel by channel
    (``sizes[j]`` rows of channel ``names[j]``, in that order).
    """

    names: list[str]
    sizes: list[int]
    rows: np.ndarray
    ids: np.ndarray
    created: np.ndarray
    times: np.ndarray
    quality: np.ndarray | None  # None for new leads: drawn from ``shape`` where needed
    shape: tuple[np.ndarray, np.ndarray] | None = None  # each row's beta (alpha, beta)


class Intake:
    """The week's leads for one model: drawn, scored and sent on, to sales or to nurture.

    It keeps no state of its own: the lead counters, the live leads and the nurture returns
    belong to the model, which the intake reads and writes through its ``model`` reference.
    """

    def __init__(self, model: LeadFlowModel):
        self.model = model

    def week(self, week: int, start: float, length: float,
             prospecting_hours: float) -> list[tuple[float, Lead]]:
        """The week's MQLs as ``(release time, lead)`` in time order, for the sales queue;
        self-sourced opportunities, found in ``prospecting_hours``, are opened on the way.
        """
        arrivals: list[tuple[float, Lead]] = []
        # New leads of every channel are scored in one batch, then the ones nurture hands back
        # (which include any of this week's that came straight back): the same leads in the same
        # order as channel by channel, for a fraction of the array calls.
        self._score(self._new_leads(week, start, length), arrivals)
        self._score(self._from_nurture(week, start, length), arrivals)
        self._self_sourced(week, start, length, prospecting_hours)
        arrivals.sort(key=lambda item: item[0])
        return arrivals

    def _place_times(self, u_time: np.ndarray, u_hours: np.ndarray, start: float,
                     length: float) -> np.ndarray:
        m = self.model
        # Buyers keep office hours whoever is at work to answer them: the arrival pattern is
        # marketing's, so a round-the-clock sales rota changes who answers, not when leads come.
        if length == HOURS_PER_WEEK:
            share = m.scenario.marketing.business_hours_arrival_share
            in_hours = u_hours < share
            offsets = np.where(in_hours, calendar.place_in_open_hours(u_time),
                               calendar.place_in_closed_hours(u_time))
            return start + offsets
        return start + u_time * length

    def _new_leads(self, week: int, start: float, length: float) -> _Batch | None:
        """This week's leads from every channel: counts and dice from each channel's own stream."""
        m = self.model
        names, sizes, blocks, alphas, betas = [], [], [], [], []
        for name, channel in m.marketing.channels.items():
            rate = m.marketing.rate(name) * length / HOURS_PER_WEEK
            if rate <= 0:
                continue
            # One stream per channel and week: the first draw sets the count, the rows that
            # follow describe the leads, so lead j has the same dice whatever the count.
            gen = m.streams.weekly("leads", week, name)
            n = poisson_inverse(gen.random(), rate)
            if n == 0:
                continue
            names.append(name)
            sizes.append(n)
            blocks.append(draw_rows(gen, n))
            alphas.append(m.marketing.quality_alpha(channel))
            betas.append(channel.quality_beta)
        if not blocks:
            return None
        rows = np.concatenate(blocks)
        times = self._place_times(rows[:, U_TIME], rows[:, U_IN_HOURS], start, length)
        total = rows.shape[0]
        ids = np.arange(m.next_id, m.next_id + total)
        m.next_id += total
        m.metrics.count_batch("leads", total,
                              int(np.count_nonzero(times >= m.metrics.warmup)))
        return _Batch(names, sizes, rows, ids, times, times, None,
                      (np.repeat(alphas, sizes), np.repeat(betas, sizes)))

    def _score(self, batch: _Batch | None, arrivals: list[tuple[float, Lead]]) -> None:
        """Marketing scores a batch; MQLs go to the handoff, the rest to nurture."""
        m = self.model
        if batch is None:
            return
        rows, ids, created, times = batch.rows, batch.ids, batch.created, batch.times
        which = np.repeat(np.arange(len(batch.names)), batch.sizes)  # each row's channel
        noise = m.marketing.scoring_noise * ndtri(rows[:, U_SCORE])
        if batch.quality is None:
            quality, is_mql = self._draw_quality(rows, batch.shape, noise)
        else:
            quality = batch.quality
            is_mql = quality + noise >= m.dials.mql_threshold
        score = quality + noise
        out = ~is_mql
        if out.any():
            self._to_nurture(rows[out], ids[out], [batch.names[j] for j in which[out].tolist()],
                             created[out], times[out], quality[out], score[out])
        idx = np.flatnonzero(is_mql)
        if idx.size == 0:
            return
        mql_times = times[idx]
        mql_which = which[idx]
        for j, n in enumerate(np.bincount(mql_which, minlength=len(batch.names)).tolist()):
            if n:
                m.marketing.mqls[batch.names[j]] += n
        m.metrics.count_batch("mqls", idx.size,
                              int(np.count_nonzero(mql_times >= m.metrics.warmup)))
        mql_rows = rows[idx]
        channels = [m.marketing.channels[name] for name in batch.names]
        medians = np.array([c.deal_size_median for c in channels])[mql_which]
        sigmas = np.array([c.deal_size_sigma for c in channels])[mql_which]
        deal = lognormal(mql_rows[:, U_DEAL], medians, sigmas)
        handoff = m.scenario.communication.handoff
        live = m.live
        names = batch.names
        for lead_id, j, c, q, sc, d, t, draws in zip(
                ids[idx].tolist(), mql_which.tolist(), created[idx].tolist(),
                quality[idx].tolist(), score[idx].tolist(), deal.tolist(), mql_times.tolist(),
                lead_draws(mql_rows, m.scenario.sales.max_attempts), strict=True):
            lead = Lead(lead_id, names[j], c, q, sc, d, t, draws)
            live[lead_id] = lead
            arrivals.append((t if handoff == "realtime" else
                             communication.release_time(t, handoff), lead))

    def _draw_quality(self, rows: np.ndarray, shape: tuple[np.ndarray, np.ndarray],
                      noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """New leads' latent quality and whether each scores as an MQL.

        The beta quantile is the costliest draw of the week, and most leads need only the
        verdict: quality + noise >= threshold holds exactly when the lead's uniform reaches the
        beta CDF at threshold - noise (the quantile is increasing). So the CDF decides for every
        lead and the quantile is computed only for leads that go on: MQLs, leads nurture will
        hand back, and all of them when the event log records each lead's quality.
        """
        m = self.model
        u = rows[:, U_QUALITY]
        alpha, beta_ = shape
        bar = m.dials.mql_threshold - noise
        is_mql = (bar <= 0.0) | ((bar <= 1.0) & (u >= betainc(alpha, beta_,
                                                              np.clip(bar, 0.0, 1.0))))
        if m.log.enabled:
            return beta_quality(u, alpha, beta_), is_mql
        returns = rows[:, U_NURTURE] < m.scenario.marketing.nurture_return_prob
        need = np.flatnonzero(is_mql | returns)
        quality = np.full(u.shape, math.nan)
        quality[need] = beta_quality(u[need], alpha[need], beta_[need])
        return quality, is_mql

    def _to_nurture(self, rows, ids, names, created, times, quality, score) -> None:
        """Leads below the bar: some come back later, better informed; the rest leave."""
        m = self.model
        p = m.scenario.marketing
        back = rows[:, U_NURTURE] < p.nurture_return_prob
        delay = -np.log1p(-rows[:, U_NURTURE_DELAY]) * p.nurture_weeks_mean * HOURS_PER_WEEK
        when = times + delay
        gained = np.minimum(1.0, quality + p.nurture_quality_gain)
        sel = np.flatnonzero(back)
        if sel.size:
            returns = m.returns
            back_when = when[sel]
            due_weeks = (back_when // HOURS_PER_WEEK).astype(np.int64).tolist()
            items = map(NurtureReturn._make, zip(
                ids[sel].tolist(), [names[i] for i in sel.tolist()], created[sel].tolist(),
                gained[sel].tolist(), back_when.tolist(), strict=True))
            for due, item in zip(due_weeks, items, strict=True):
                returns[due].append(item)
        gone = back.size - sel.size
        m.metrics.states["nurture_exit"] += gone
        if m.log.enabled and gone:
            nan = math.nan
            m.log.extend([
                EventRow(int(ids[i]), names[i], float(created[i]), nan, nan, nan, nan, nan, nan,
                         nan, False, 0.0, 0.0, 0, float(quality[i]), float(score[i]),
                         "nurture_exit")
                for i in np.flatnonzero(~back).tolist()
            ])

    def _from_nurture(self, week: int, start: float, length: float) -> _Batch | None:
        """The leads nurture hands back this week, to be scored again."""
        m = self.model
        due = m.returns.pop(week, None)
        if not due:
            return None
        end = start + length
        if end < start + HOURS_PER_WEEK:  # last, partial week: later returns stay in nurture
            m.returns[week] = [it for it in due if it.at >= end]
            due = [it for it in due if it.at < end]
        by_channel: dict[str, list[NurtureReturn]] = defaultdict(list)
        for item in due:
            by_channel[item.channel].append(item)
        if not by_channel:
            return None
        names = list(by_channel)
        items = [it for name in names for it in by_channel[name]]
        rows = np.concatenate([draw_rows(m.streams.weekly("nurture_return", week, name),
                                         len(by_channel[name])) for name in names])
        times = np.array([it.at for it in items])
        return _Batch(names, [len(by_channel[name]) for name in names], rows,
                      np.array([it.id for it in items], dtype=np.int64),
                      np.array([it.created for it in items]), times,
                      np.array([it.quality for it in items]))

    def _self_sourced(self, week: int, start: float, length: float,
                      prospecting_hours: float) -> None:
        """Opportunities reps find themselves this week, in proportion to last week's
        prospecting hours; they skip the queue and open at once.
        """
        m = self.model
        p = m.scenario.sales
        rate = (prospecting_hours * p.prospect_opps_per_hour
                * m.sales_behaviour.effort
                * brand.cold_calling_opportunity_factor(p.cold_calling) * length / HOURS_PER_WEEK)
        if rate <= 0:
            return
        gen = m.streams.weekly("prospecting", week)
        n = poisson_inverse(gen.random(), rate)
        if n == 0:
            return
        rows = draw_rows(gen, n)
        times = start + rows[:, U_TIME] * length
        quality = beta_quality(rows[:, U_QUALITY], *SELF_SOURCED_QUALITY)
        medians = [c.deal_size_median for c in m.marketing.channels.values()]
        deal = lognormal(rows[:, U_DEAL], float(np.mean(medians)), 0.6)
        for t, q, d, draws in zip(times.tolist(), quality.tolist(), deal.tolist(),
                                  lead_draws(rows, 1), strict=True):
            m.self_sourced_id -= 1
            lead = Lead(m.self_sourced_id, SELF_SOURCED, t, q, q, d, math.nan, draws,
                        marketing=False)
            counted = int(t >= m.metrics.warmup)
            m.metrics.count_batch("self_sourced_opportunities", 1, counted)
            m.sales.open_opportunity(lead, t, counted=counted)
