"""The agents: the marketing team and the sales team (the lead they pass is in ``sim/lead.py``).

Think of a relay race. Marketing runs the first leg: it buys leads, scores them and hands the
promising ones (MQLs) over. Sales runs the second leg: reps take leads from a queue, call them,
qualify them and work opportunities to a close. Each team acts on what it is paid for
(``sim/policies/incentives.py``) and on what it believes about the other (trust, shared
understanding). The :class:`~sim.model.LeadFlowModel` is the stadium: it owns the clock and the
shared state, and the agents read and write it.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from typing import TYPE_CHECKING

import simpy
from scipy.special import gammaincinv

from sim import calendar
from sim.lead import Lead
from sim.odds import sigmoid
from sim.policies import brand, communication, feedback, pricing, response
from sim.policies import trust as trust_policy
from sim.policies.prioritisation import LeadQueue

if TYPE_CHECKING:
    from sim.model import LeadFlowModel

CYCLE_SHAPE = 3.0
"""Gamma shape of opportunity cycle times (coefficient of variation ~0.58). Assumption."""
SELF_SOURCED_QUALITY = (2.5, 4.0)
"""Beta shape of self-sourced opportunities' quality: reps pick their own prospects. Assumption."""
WIN_QUALITY_SLOPE = 3.0
"""Win log-odds per unit of latent quality around 0.35. Assumption."""
OPP_QUALITY_SLOPE = 2.0
"""SQL-to-opportunity log-odds per unit of latent quality around 0.4. Assumption."""
EXPERIENCE_WIN_LOGIT = 0.3
"""Win log-odds per unit of rep experience around 0.5 (Sabnis et al. 2013). Assumption."""
PULL_IN_WINDOW_WEEKS = 6
"""How far ahead quarter-end timing games reach (Larkin 2014). Assumption."""
IDLE_PROSPECTING_YIELD = 0.5
"""Prospecting done in idle time between leads yields half as much as planned prospecting
time (short, unplanned blocks). Assumption."""
REVIEW_EVERY_WEEKS = 4
"""Marketing reviews its channel mix monthly. Assumption."""
MIX_SENSITIVITY = 1.5
"""How sharply marketing's target mix follows relative channel value. Assumption."""
PRIOR_WEEKS = 13
"""Weight, in weeks of default spend, of marketing's prior that channels yield alike. Assumption."""


class MarketingTeam:
    """Buys leads across channels and brand, scores them, hands MQLs over, learns from feedback."""

    def __init__(self, model: LeadFlowModel):
        self.model = model
        p = model.scenario.marketing
        self.channels = dict(p.channels)
        budgets = {name: ch.leads_per_week * ch.cost_per_lead for name, ch in self.channels.items()}
        self.budget = sum(budgets.values())
        total = self.budget
        self.default_mix = {n: (b / total if total > 0 else 0.0) for n, b in budgets.items()}
        self.mix = dict(self.default_mix)
        self.awareness = p.awareness_initial
        self.scoring_noise = model.scenario.scoring.noise
        self.price_index = model.scenario.pricing.price_index
        self.learned_reports = model.scenario.scoring.prior_reports
        self._learnt()
        # Brand spend reaches awareness after a lag. Before the run, spend was whatever held
        # awareness at its start level, so a change of brand_share shows only after the lag.
        self.brand_history = deque([self._steady_brand_spend()] * p.awareness_lag_weeks)
        # What marketing can see per channel: its own MQLs, and what sales reported back.
        self.mqls = defaultdict(float)
        self.reported_sqls = defaultdict(float)
        self.reported_revenue = defaultdict(float)
        self.spend = defaultdict(float)
        self.window_reports = 0
        self.window_dispositions = 0

    def _steady_brand_spend(self) -> float:
        """Weekly brand spend that would hold awareness at its start level."""
        p = self.model.scenario
        m = p.marketing
        a0 = m.awareness_initial
        if a0 <= 0 or m.awareness_gain_per_week <= 0 or a0 >= 1:
            return self.brand_spend
        saturation = ((m.awareness_decay_per_week * a0
                       + brand.COLD_CALL_HARM_PER_WEEK * p.sales.cold_calling)
                      / (m.awareness_gain_per_week * (1.0 - a0)))
        if saturation >= 1.0:
            return self.brand_spend
        return m.brand_spend_half_saturation * saturation / (1.0 - saturation)

    @property
    def brand_spend(self) -> float:
        """This week's brand spend: the brand share of the budget."""
        return self.model.scenario.marketing.brand_share * self.budget

    def weekly_cost(self) -> float:
        """Marketing's cost of a full week: the media budget and the marketers' time."""
        p = self.model.scenario.marketing
        return self.budget + p.marketers * p.hourly_cost * calendar.OPEN_HOURS_PER_WEEK

    def rate(self, name: str) -> float:
        """Expected leads per week from channel ``name`` under the current mix and awareness."""
        p = self.model.scenario.marketing
        ch = self.channels[name]
        default = self.default_mix[name]
        mix_factor = self.mix[name] / default if default > 0 else 1.0
        # Diminishing returns: the next lead of a channel costs more than the last one.
        share = (1.0 - p.brand_share) * mix_factor
        volume = ch.leads_per_week * share ** p.volume_elasticity if share > 0 else 0.0
        if ch.inbound:
            volume *= brand.inbound_volume_factor(self.awareness, p.awareness_initial,
                                                   p.awareness_volume_effect)
        return volume

    def quality_alpha(self, ch) -> float:
        """The first beta shape of channel ``ch``'s lead quality now: it grows with awareness and
        with how well feedback has taught marketing its buyers' message.
        """
        p = self.model.scenario.marketing
        factor = brand.quality_factor(self.awareness, p.awareness_initial, p.awareness_quality_effect)
        return ch.quality_alpha * factor * (1.0 + 0.15 * self.message_fit)

    # -- feedback and learning
    def hear(self, lead: Lead, kind: str) -> None:
        """Take in one disposition that sales reported."""
        self.window_reports += 1
        if kind == "sql":
            self.reported_sqls[lead.channel] += 1
        elif kind == "won":
            self.reported_revenue[lead.channel] += lead.amount

    def end_of_week(self, week: int, weeks_elapsed: float = 1.0) -> None:
        """Close marketing's week: spend booked by channel, awareness moved by the brand spend of
        ``awareness_lag_weeks`` ago, learning faded or, in a review week, refreshed from the
        reports, and the channel mix rebalanced every :data:`REVIEW_EVERY_WEEKS` weeks.
        """
        m = self.model
        p = m.scenario
        for name in self.channels:
            self.spend[name] += self.mix[name] * self.budget * weeks_elapsed
        self.brand_history.append(self.brand_spend)
        lagged = self.brand_history.popleft()
        self.awareness = brand.awareness_step(
            self.awareness, lagged, p.marketing.brand_spend_half_saturation,
            p.marketing.awareness_gain_per_week, p.marketing.awareness_decay_per_week,
            p.sales.cold_calling,
        )
        # What was learnt fades (markets move, people leave), so learning levels off.
        self.learned_reports *= feedback.retention(p.scoring.knowledge_half_life_weeks,
                                                   weeks_elapsed)
        if m.feedback.is_review_week(week):
            self._learn()
        else:
            self._learnt()
        if (week + 1) % REVIEW_EVERY_WEEKS == 0:
            self._rebalance_mix()

    def _learnt(self) -> None:
        """Scoring error and message fit from what marketing knows now."""
        s = self.model.scenario.scoring
        self.scoring_noise = feedback.scoring_noise(s.noise, s.noise_floor, self.learned_reports,
                                                    s.learning_reports)
        self.message_fit = feedback.message_fit(self.learned_reports, s.learning_reports)

    def _learn(self) -> None:
        p = self.model.scenario
        effect = feedback.learning_effectiveness(p.incentives.scrutiny_balance)
        self.learned_reports += effect * self.window_reports
        self._learnt()
        coverage = self.window_reports / self.window_dispositions if self.window_dispositions else 0
        self.price_index = feedback.price_step(self.price_index, coverage * effect,
                                               p.feedback.price_learning_rate)
        self.window_reports = 0
        self.window_dispositions = 0

    def _rebalance_mix(self) -> None:
        """Move the channel mix toward what marketing's KPI rewards, with what it can see.

        Each channel's yield per currency unit is shrunk toward the pooled yield by a prior worth
        ``PRIOR_WEEKS`` of the channel's default spend, so a handful of reports cannot swing the
        budget (empirical Bayes).
        """
        if self.budget <= 0 or len(self.channels) < 2:
            return
        behaviour = self.model.marketing_behaviour
        names = [n for n in self.channels if self.default_mix[n] > 0]
        observed = {"mql": self.mqls, "pipeline": self.reported_sqls,
                    "revenue": self.reported_revenue}
        weights = {"mql": behaviour.objective_mql, "pipeline": behaviour.objective_pipeline,
                   "revenue": behaviour.objective_revenue}
        for key in ("pipeline", "revenue"):  # what marketing cannot see, it steers by MQLs
            if not any(observed[key][n] for n in names):
                weights["mql"] += weights[key]
                weights[key] = 0.0
        value = dict.fromkeys(names, 0.0)
        total_spend = sum(self.spend[n] for n in names)
        for key, w in weights.items():
            x = observed[key]
            pooled = sum(x[n] for n in names) / total_spend if total_spend else 0.0
            if w == 0 or pooled == 0:
                continue
            for n in names:
                prior = PRIOR_WEEKS * self.default_mix[n] * self.budget
                value[n] += w * (x[n] + pooled * prior) / (self.spend[n] + prior) / pooled
        if not any(value.values()):
            return
        target = {n: self.default_mix[n] * max(value[n], 0.05) ** MIX_SENSITIVITY for n in names}
        scale = sum(self.default_mix[n] for n in names) / sum(target.values())
        rate = self.model.scenario.marketing.budget_learning_rate
        for n in names:
            self.mix[n] = (1 - rate) * self.mix[n] + rate * target[n] * scale

class SalesTeam:
    """Reps working the MQL queue, prospecting on the side, and closing opportunities."""

    def __init__(self, model: LeadFlowModel):
        self.model = model
        p = model.scenario
        env = model.env
        self.queue = LeadQueue(p.sales.prioritisation, p.communication.sla_hours, lambda: env.now)
        self.waiting: list = []      # idle reps with nothing in sight, as events to succeed
        self.sleepers: set[int] = set()  # idle reps asleep until a known arrival
        self.claims = 0
        # Each rep's working hours: office hours, or a shift on a round-the-clock rota.
        self.rotas = [calendar.OFFICE if p.sales.business_hours
                      else calendar.shift_rota(rep, p.sales.reps, p.sales.hours_per_week)
                      for rep in range(p.sales.reps)]
        self.rota_hours = sum(r.hours_per_week for r in self.rotas)  # the team's paid hours
        self.meeting_until = [0.0] * p.sales.reps  # a rep in a meeting takes no lead until then
        self.opportunities: list[tuple[float, int, Lead]] = []
        self.trust = p.trust.initial
        self.busy_hours = 0.0
        self.prospecting_hours = 0.0  # prospecting interleaved with lead work
        self.week_reviewed = 0
        self.week_sqls = 0
        expected = p.trust.expected_mql_to_sql
        self.smoothed_sqls = expected * 10.0
        self.smoothed_reviewed = 10.0
        self.reps = [env.process(self.work(rep)) for rep in range(p.sales.reps)]

    def working_hours(self) -> float:
        """Hours reps spent on marketing leads and on the prospecting planned beside them."""
        return self.busy_hours + self.prospecting_hours

    def _lead_work(self, hours: float, interleave: float) -> float:
        """Book ``hours`` of lead work done with prospecting beside it (``interleave`` is
        1 / (1 - prospecting share), 1 while an SLA is breached) and return the elapsed time.
        """
        self.busy_hours += hours
        self.prospecting_hours += hours * (interleave - 1.0)
        return hours * interleave

    def experience(self) -> None:
        """One more MQL counts in the lead quality sales experiences this week."""
        self.week_reviewed += 1
        self.model.metrics.count("experienced_mqls")

    # -- queue handling
    def receive(self, arrivals: list[tuple[float, Lead]]) -> None:
        """Take a week's released MQLs: they join the queue at their release times."""
        self.queue.schedule(arrivals)
        self._wake_waiting()

    def enqueue(self, lead: Lead) -> None:
        """Put a lead back in the queue now (a retry), waking an idle rep."""
        lead.state = "queued"
        self.queue.push(lead, self.model.env.now)
        if self.waiting:
            self.waiting.pop().succeed()
        elif self.sleepers:
            self.reps[self.sleepers.pop()].interrupt()

    def _wake_waiting(self) -> None:
        waiting, self.waiting = self.waiting, []
        for ev in waiting:
            ev.succeed()

    def wake_all(self) -> None:
        """Wake every idle rep, waiting or asleep, to look again (a meeting was just called)."""
        self._wake_waiting()
        while self.sleepers:
            self.reps[self.sleepers.pop()].interrupt()

    # -- the rep's day
    # the hot loop, kept whole: its locals are hoisted out of the loop and calls cost speed
    # (bench/bench_single_run.py); tests/unit/test_layout.py exempts it from the length limit
    def work(self, rep: int):  # noqa: C901, PLR0912, PLR0915
        """A rep's loop: meetings first, then the next lead, within the rep's working hours.

        An idle rep sleeps until the next release it has not left to a colleague, so a released
        MQL costs no event of its own; a retry or a meeting wakes a sleeping rep early.
        """
        model = self.model
        env = model.env
        p = model.scenario.sales
        rota = self.rotas[rep]
        meeting_until = self.meeting_until
        queue = self.queue
        max_attempts = p.max_attempts
        touch_mean = p.first_touch_hours
        qualify_hours = p.qualify_hours
        retry_gap = p.retry_gap_hours
        gap_growth = p.retry_gap_growth
        review_hours = p.review_hours
        metrics = model.metrics
        contact_floor = p.contact_floor
        contact_decay = p.contact_decay_hours
        exp = math.exp
        # The working span the rep is in, so most checks are one comparison, not a rota lookup.
        span_week, span_low, span_high = 0.0, 0.0, -1.0
        while True:
            now = env.now
            if meeting_until[rep] > now + calendar.EPS:
                yield env.timeout(meeting_until[rep] - now)
                continue
            if not span_low <= now - span_week < span_high:
                span = rota.open_span(now)
                if span is None:
                    yield env.timeout(max(rota.next_open(now) - now, calendar.EPS))
                    continue
                span_week, span_low, span_high = span
            lead = queue.pop()
            if lead is None:
                release = queue.next_release(self.claims)
                if release is None:
                    ev = env.event()
                    self.waiting.append(ev)
                    yield ev
                    continue
                release = rota.next_open(release)
                self.claims += 1
                self.sleepers.add(rep)
                try:
                    yield env.timeout(release - now)
                except simpy.Interrupt:
                    pass
                self.claims -= 1
                self.sleepers.discard(rep)
                continue
            # A rep goes from reading the record to the call and from the call to the discovery
            # conversation without a break, so each stretch is one timeout: the outcome of the
            # call is in the lead's own draws and does not depend on when the stretch ends.
            elapsed = 0.0
            if not lead.reviewed:
                accepted = self.first_look(lead)
                if lead.state != "ignored" and review_hours > 0:
                    # Reading the record takes time, whatever the verdict.
                    elapsed = self._lead_work(review_hours, model.dials.interleave)
                if not accepted:
                    if elapsed:
                        yield env.timeout(elapsed)
                    continue
            start = now + elapsed
            k = lead.attempts
            if k == 0:
                lead.first_touch_at = start
                metrics.record_first_touch(start - lead.mql_at, start - lead.queued_at)
            lead.state = "working"
            # Prospecting is interleaved with lead work, except while the SLA is being breached.
            interleave = 1.0 if queue.sla is not None and queue.has_overdue() else model.dials.interleave
            touch = self._lead_work(lead.touches[k] * touch_mean * model.dials.dispute_factor, interleave)
            lead.attempts = k + 1
            age = start - lead.mql_at
            # contact chance: sim/policies/response.py, inlined as it runs once per attempt
            odds = model.dials.fresh_contact_odds * (
                contact_floor + (1.0 - contact_floor) * exp(-age / contact_decay))
            reached = lead.contacts[k] * (1.0 + odds) < odds
            if reached:
                lead.reached_at = start + touch
                if qualify_hours > 0:
                    touch += self._lead_work(qualify_hours * model.dials.dispute_factor, interleave)
            yield env.timeout(elapsed + touch)
            if reached:
                self.qualify(lead, age)
            elif lead.attempts < max_attempts:
                lead.state = "retry_wait"
                wait = retry_gap * gap_growth ** (lead.attempts - 1)
                env.timeout(wait).callbacks.append(lambda _e, lead=lead: self.enqueue(lead))
            else:
                model.finish(lead, "unreached")
                self.disposition(lead, "unreached")

    def first_look(self, lead: Lead) -> bool:
        """Sales' first look at an MQL: ignore it, refuse it, or accept it (SAL)."""
        model = self.model
        lead.reviewed = True
        self.experience()
        if lead.u_ignore < model.dials.ignore_probability:
            model.metrics.count("ignored")
            model.finish(lead, "ignored")
            return False
        if lead.quality + model.dials.sales_view_noise * lead.view_z < model.dials.sales_bar:
            model.metrics.count("rejected")
            model.finish(lead, "rejected")
            self.disposition(lead, "rejected")
            return False
        lead.sal_at = model.env.now
        model.metrics.count("sals")
        return True

    def qualify(self, lead: Lead, age: float) -> None:
        """The discovery conversation with a reached lead: disqualified, or an SQL, which opens an
        opportunity or not.
        """
        model = self.model
        p = model.scenario
        pq = response.qualify_probability(
            lead.quality, age, p.sales.qualify_prob_fresh, p.sales.qualify_decay_hours,
            p.sales.qualify_floor, model.dials.qualify_context,
        )
        if lead.u_qualify >= pq:
            model.finish(lead, "disqualified")
            self.disposition(lead, "disqualified")
            return
        lead.sql_at = model.env.now
        model.metrics.count("sqls")
        self.week_sqls += 1
        self.disposition(lead, "sql")
        logit = (model.dials.opp_logit_base + OPP_QUALITY_SLOPE * (lead.quality - 0.4))
        if lead.u_opp < sigmoid(logit):
            self.open_opportunity(lead, model.env.now)
        else:
            model.finish(lead, "no_opportunity")

    def open_opportunity(self, lead: Lead, when: float, counted: int | None = None) -> None:
        """Open an opportunity at ``when``; ``counted`` overrides the warm-up test for deals
        booked ahead of time (self-sourced ones are created at the start of their week).
        """
        model = self.model
        lead.opp_at = when
        lead.state = "opportunity"
        if counted is None:
            model.metrics.count("opportunities")
        else:
            model.metrics.count_batch("opportunities", 1, counted)
        close = when + float(gammaincinv(CYCLE_SHAPE, lead.u_cycle)) * model.dials.cycle_scale
        model.opportunity_seq += 1
        heapq.heappush(self.opportunities, (close, model.opportunity_seq, lead))

    def disposition(self, lead: Lead, kind: str) -> None:
        """Sales' verdict on a marketing lead; it reaches marketing if the rep reports it."""
        if not lead.marketing:
            return
        model = self.model
        model.metrics.count("dispositions")
        model.marketing.window_dispositions += 1
        if lead.reported is None:
            lead.reported = lead.u_report < model.dials.report_probability
        if lead.reported:
            model.metrics.count("reported")
            model.marketing.hear(lead, kind)

    # -- closing deals
    def close_until(self, until: float, pull_in_discount: float = 0.0,
                    pull_until: float | None = None) -> None:
        """Close every opportunity due before ``until``; with timing games, also pull forward
        those due before ``pull_until`` and book them at ``until`` with extra discount.
        """
        heap = self.opportunities
        limit = until if pull_until is None else pull_until
        while heap and heap[0][0] < limit:
            close, _, lead = heapq.heappop(heap)
            pulled = close >= until
            if pulled:
                self.model.metrics.count("pulled_in_deals")
                close = until
            self.close(lead, close, pull_in_discount if pulled else 0.0)

    def close(self, lead: Lead, when: float, extra_discount: float) -> None:
        """Close an opportunity at ``when``: won at the usual discount plus ``extra_discount``, or
        lost, and a lost marketing lead perhaps back to nurture.
        """
        model = self.model
        p = model.scenario
        metrics = model.metrics
        price = model.marketing.price_index
        usual = pricing.discount(model.sales_behaviour.base_discount, price, p.pricing.max_discount)
        disc = min(p.pricing.max_discount, usual + extra_discount)
        logit = (model.dials.win_logit_base + WIN_QUALITY_SLOPE * (lead.quality - 0.35)
                 + brand.win_logit_awareness(model.marketing.awareness,
                                             p.marketing.awareness_initial)
                 + pricing.win_logit_price(price, p.pricing.price_elasticity,
                                           p.pricing.underprice_elasticity)
                 + p.pricing.discount_win_effect * usual)
        if lead.marketing:
            logit += communication.win_logit_context(p.communication.crm_sharing)
        win_p = sigmoid(logit)
        u = lead.u_win
        lead.closed_at = when
        metrics.count("closed")
        metrics.add("cycle_days", (when - lead.opp_at) / 24.0)
        if u < win_p:
            lead.won = True
            lead.discount = disc
            lead.amount = pricing.deal_value(lead.deal_size, price, disc)
            metrics.count("won")
            metrics.add("revenue", lead.amount)
            metrics.add("discount", disc)
            if lead.marketing:
                metrics.add("marketing_revenue", lead.amount)
            model.finish(lead, "won")
            self.disposition(lead, "won")
        else:
            metrics.count("lost")
            self.disposition(lead, "lost")
            # Conditional on a loss, (u - p) / (1 - p) is a fresh uniform: reuse it for recycling.
            if lead.marketing and (u - win_p) / (1.0 - win_p) < p.marketing.recycle_lost_prob:
                model.recycle(lead)
            else:
                model.finish(lead, "lost")

    # -- weekly bookkeeping
    def end_of_week(self) -> None:
        """Update trust from the MQL-to-SQL rate sales experienced this week."""
        model = self.model
        p = model.scenario.trust
        self.smoothed_sqls = 0.75 * self.smoothed_sqls + self.week_sqls
        self.smoothed_reviewed = 0.75 * self.smoothed_reviewed + self.week_reviewed
        measured = self.smoothed_sqls / self.smoothed_reviewed if self.smoothed_reviewed else 0.0
        self.trust = trust_policy.trust_step(
            self.trust, measured, p.expected_mql_to_sql, p.adjust_rate, model.conflict,
            model.scenario.incentives.shared_kpi_weight,
        )
        self.week_reviewed = 0
        self.week_sqls = 0
