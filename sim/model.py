"""The lead-flow model: SimPy processes for generation, handoff, follow-up and closing.

Picture a factory floor seen from the gallery. Once a week the plant manager (the weekly
process) orders the week's raw material (leads from each channel, drawn in one vectorised batch),
books the costs, and adjusts the dials everyone works by: trust, conflict, shared understanding,
awareness, what marketing learnt from feedback. Between those rounds the line runs event by
event: MQLs reach the sales queue as they are released, reps pick them up when open, call,
qualify and open opportunities, and deals close when their cycle ends.

Leads that never reach sales (below the MQL threshold) cost no events at all: they are handled
in the weekly batch (the intake, ``sim/intake.py``). That keeps a year of ~10,000 leads fast enough to re-run behind a slider.

Use :func:`run` for one replication::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/baseline.yaml"), seed=1)
    result.kpis["revenue"], result.weekly.head()
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import simpy

from sim import calendar
from sim.agents import (
    CYCLE_SHAPE,
    EXPERIENCE_WIN_LOGIT,
    IDLE_PROSPECTING_YIELD,
    PULL_IN_WINDOW_WEEKS,
    MarketingTeam,
    SalesTeam,
)
from sim.intake import Intake
from sim.lead import Lead, NurtureReturn
from sim.metrics import IN_FLIGHT_STATES, NEVER_CONTACTED, Collector, EventLog, EventRow
from sim.odds import logit
from sim.params import Scenario, settings_diff
from sim.policies import communication, feedback, incentives, pricing, trust
from sim.streams import Streams

if TYPE_CHECKING:
    import pandas as pd

HOURS_PER_WEEK = calendar.HOURS_PER_WEEK
MEETING_OFFSET_H = 24 + 10  # Tuesday 10:00
TRAINING_OFFSET_H = 48 + 9  # Wednesday 09:00 in the first week of each quarter
QUARTER_WEEKS = 13
PULL_IN_WINDOW_H = PULL_IN_WINDOW_WEEKS * HOURS_PER_WEEK
RECYCLED = "recycled"  # event-log state of a journey that ended lost and went back to nurture
ADJUSTABLE_KEYS: frozenset[str] = frozenset({
    "name", "description",
    "marketing.brand_share", "scoring.mql_threshold", "pricing.price_index",
    "sales.prioritisation", "sales.prospecting_share", "sales.cold_calling",
    "communication.handoff", "communication.crm_sharing", "communication.sla_hours",
    "communication.shared_lead_definition", "communication.meeting_every_weeks",
    "communication.meeting_hours", "communication.joint_training_days",
    "communication.role_clarity", "communication.leadership",
    "feedback.mode", "feedback.period_weeks", "feedback.periodic_sample",
    "incentives.marketing_kpi", "incentives.sales_comp", "incentives.shared_kpi_weight",
    "incentives.scrutiny_balance",
})
"""Keys a running model can take new values for at the start of a week (``run(changes=…)``,
used by the workshop game between quarters). The others fix the shape of the run: head count,
channels, attempts, horizon and the state the run starts from."""
WEEKLY_FLOWS = ("leads", "mqls", "sals", "sqls", "opportunities", "won", "lost", "revenue",
                "ignored", "rejected", "never_contacted", "self_sourced_opportunities",
                "marketing_cost", "sales_cost", "meeting_cost", "meeting_hours")
"""Flows the weekly ledger books per week; each flow KPI is their sum over the measured weeks."""


def changed_keys(before: Scenario, after: Scenario) -> list[str]:
    """Dotted keys whose values differ between two scenarios."""
    return sorted(key for key, _a, _b in settings_diff(before, after))


@dataclass
class RunResult:
    """What one replication produced.

    ``kpis`` maps every KPI name to a float; ``weekly`` has one row per simulated week;
    ``event_log`` is a DataFrame, a CSV path, or None; ``states`` counts leads by final or
    in-flight state (each lead is in exactly one).

    The weekly ledger is kept as the rows the model booked (``weekly_rows``) and becomes a
    DataFrame the first time ``weekly`` is read: a run that only wants its KPIs (a
    replication of an experiment, ``python -m sim run``) never waits for pandas to load.
    """

    scenario: str
    seed: int
    replication: int
    weeks: float
    kpis: dict[str, float]
    weekly_rows: list[dict[str, Any]] = field(default_factory=list, repr=False)
    event_log: pd.DataFrame | Path | None = None
    states: dict[str, int] = field(default_factory=dict)
    leads_created: int = 0

    @cached_property
    def weekly(self) -> pd.DataFrame:
        """The weekly ledger, one row per measured week (made once, on first reading)."""
        import pandas as pd

        return pd.DataFrame(self.weekly_rows)


@dataclass(frozen=True, slots=True)
class Dials:
    """What the agents read from the model, recomputed weekly and after meetings: the shared
    state (trust, conflict, understanding, prices, pay plans) turned into the numbers their
    decisions use. Like the readings on a control panel, agents look but never set them.
    """

    mql_threshold: float        # marketing's effective MQL bar
    sales_bar: float            # the quality sales' view must reach to accept a lead
    ignore_probability: float   # chance a new MQL is left unworked (the black hole)
    prospecting: float          # planned share of rep time spent prospecting
    interleave: float           # elapsed hours per hour of lead work, prospecting beside it
    dispute_factor: float       # lead work stretched by disputes over leads
    sales_view_noise: float     # how far sales' view of a lead strays from its quality
    qualify_context: float      # qualification odds kept through the handoff
    fresh_contact_odds: float   # odds that an attempt reaches a fresh lead
    report_probability: float   # chance a disposition is reported back to marketing
    opp_logit_base: float       # SQL-to-opportunity log-odds before lead quality
    win_logit_base: float       # win log-odds before quality, awareness, price and context
    cycle_scale: float          # gamma scale of opportunity cycle times (hours)


class LeadFlowModel:
    """One company, one replication. Build it, call :meth:`run`, read the result."""

    def __init__(self, scenario: Scenario, seed: int | None = None, replication: int = 0,
                 event_log: bool | str | Path | None = None,
                 changes: Mapping[int, Scenario] | None = None):
        self.scenario = scenario
        self.changes = dict(changes or {})
        for week, later in self.changes.items():
            fixed = [k for k in changed_keys(scenario, later) if k not in ADJUSTABLE_KEYS]
            if fixed:
                raise ValueError(f"week {week}: {', '.join(fixed)} cannot change during a run")
        self.seed = scenario.seed if seed is None else int(seed)
        self.replication = replication
        self.env = simpy.Environment()
        self.streams = Streams(self.seed, replication)
        # The warm-up is simulated before the measured weeks: the company has been running for
        # a while when the books open, so its pipeline is full when the first week is counted.
        self.warmup_weeks = int(scenario.warmup_weeks)
        self.horizon = (self.warmup_weeks + scenario.weeks) * HOURS_PER_WEEK
        self.metrics = Collector(self.warmup_weeks * HOURS_PER_WEEK)
        self.log = EventLog(event_log)
        self._set_policies()
        c = scenario.communication
        self.understanding = min(1.0, c.understanding_initial
                                 + (0.2 if c.shared_lead_definition else 0.0))
        self.conflict = min(scenario.trust.conflict_initial,
                            communication.conflict_cap(scenario.communication.leadership))
        self.next_id = 0
        self.self_sourced_id = 0
        self.live: dict[int, Lead] = {}
        self.returns: dict[int, list[NurtureReturn]] = defaultdict(list)  # by week due
        self.opportunity_seq = 0
        self.meetings: list[tuple[float, list[float]]] = []  # (start, each rep's end)
        self.available_rep_hours = 0.0
        self._busy_mark = 0.0
        self._prospect_mark = 0.0
        self._queue_mark = 0.0
        self._week_mark: dict[str, float] = {}
        self.marketing = MarketingTeam(self)
        self.sales = SalesTeam(self)
        self.intake = Intake(self)
        self.refresh()
        self._last_prospecting_hours = self._expected_prospecting_hours()

    def _set_policies(self) -> None:
        """Build the feedback, incentive and misalignment policies from the parameters."""
        p = self.scenario
        self.feedback = feedback.make_policy(p.feedback.mode, p.feedback.period_weeks,
                                             p.feedback.periodic_sample)
        w = p.incentives.shared_kpi_weight
        self.marketing_behaviour = incentives.marketing_behaviour(p.incentives.marketing_kpi, w)
        self.sales_behaviour = incentives.sales_behaviour(p.incentives.sales_comp, w)
        self.misalignment = incentives.kpi_misalignment(p.incentives.marketing_kpi,
                                                        p.incentives.sales_comp, w)

    def adjust(self, scenario: Scenario) -> None:
        """Take on new values of :data:`ADJUSTABLE_KEYS` from now on, like a manager's memo on
        a Monday morning: the people, leads and pipeline stay; the rules they work by change.

        Commission is booked week by week under the pay plan of that week; a new list price
        replaces the one feedback had moved to.
        """
        if scenario.pricing.price_index != self.scenario.pricing.price_index:
            self.marketing.price_index = scenario.pricing.price_index
        self.scenario = scenario
        self._set_policies()
        self.sales.queue.set_policy(scenario.sales.prioritisation,
                                    scenario.communication.sla_hours)
        self.refresh()

    def _commission(self, revenue: float) -> float:
        return self.scenario.sales.commission_rate * self.sales_behaviour.commission_factor * revenue

    # ------------------------------------------------------------------ effective dials
    def refresh(self) -> None:
        """Recompute the :class:`Dials` agents read from the current state (weekly and after
        meetings).
        """
        p = self.scenario
        sb = self.sales_behaviour
        # Sales' bar is its own: its idea of a good lead plus the gap that shared understanding
        # and a written definition close; marketing's dial does not move it (empty: it does).
        own_bar = p.sales.acceptance_bar
        if own_bar is None:
            own_bar = p.scoring.mql_threshold
        prospecting = min(0.9, p.sales.prospecting_share + sb.prospecting_shift
                          + trust.distrust_prospecting_shift(self.sales.trust))
        contact_odds = communication.contact_odds_factor(p.communication.crm_sharing)
        price_logit = pricing.win_logit_price(self.marketing.price_index,
                                              p.pricing.price_elasticity,
                                              p.pricing.underprice_elasticity)
        s = p.sales
        self.dials = Dials(
            mql_threshold=min(1.0, max(0.0, p.scoring.mql_threshold
                                       + self.marketing_behaviour.threshold_shift)),
            sales_bar=own_bar + sb.acceptance_bar_shift + communication.definition_gap(
                p.scoring.definition_gap, self.understanding,
                p.communication.shared_lead_definition),
            ignore_probability=trust.ignore_probability(
                self.sales.trust, p.trust.black_hole_max, sb.ignore_factor, s.rep_experience),
            prospecting=prospecting,
            interleave=1.0 / (1.0 - prospecting),
            dispute_factor=communication.dispute_time_factor(self.conflict,
                                                             p.communication.role_clarity),
            sales_view_noise=communication.sales_view_noise(p.scoring.sales_view_noise,
                                                            p.communication.crm_sharing),
            qualify_context=communication.qualify_factor(p.communication.crm_sharing),
            fresh_contact_odds=(s.contact_prob_fresh / (1.0 - s.contact_prob_fresh)
                                * contact_odds),
            report_probability=self.feedback.report_probability(
                sb.reporting, p.communication.crm_sharing, self.conflict),
            opp_logit_base=logit(s.sql_to_opportunity) + 0.5 * price_logit,
            win_logit_base=(logit(s.base_win_rate)
                            + EXPERIENCE_WIN_LOGIT * (s.rep_experience - 0.5)
                            + math.log(sb.effort)),
            cycle_scale=s.cycle_time_days_mean * 24.0 / CYCLE_SHAPE,
        )

    # ------------------------------------------------------------------ lead lifecycle
    def finish(self, lead: Lead, state: str) -> None:
        """Put a lead in a final state and write its event-log row."""
        lead.state = state
        self.live.pop(lead.id, None)
        if lead.marketing:
            self.metrics.states[state] += 1
            if state in NEVER_CONTACTED and lead.attempts == 0:
                self.metrics.count_batch("never_contacted", 1,
                                         int(lead.mql_at >= self.metrics.warmup))
        if self.log.enabled:
            self.log.add(lead.log_row())

    def recycle(self, lead: Lead) -> None:
        """A lost deal goes back to nurture and may be scored again later; the journey that
        ended in the loss keeps its own event-log row.
        """
        self.live.pop(lead.id, None)
        if self.log.enabled:
            self.log.add(lead.log_row(RECYCLED))
        lead.state = "nurturing"
        p = self.scenario.marketing
        delay = -math.log(1.0 - lead.u_recycle) * p.nurture_weeks_mean * HOURS_PER_WEEK
        back = self.env.now + delay
        self.returns[int(back // HOURS_PER_WEEK)].append(NurtureReturn(
            lead.id, lead.channel, lead.created, min(1.0, lead.quality + p.nurture_quality_gain),
            back))

    # ------------------------------------------------------------------ weekly process
    def _weeks(self):
        env = self.env
        warm = self.warmup_weeks
        n_weeks = warm + math.ceil(self.scenario.weeks - 1e-9)
        for week in range(n_weeks):
            start = week * HOURS_PER_WEEK
            length = min(HOURS_PER_WEEK, self.horizon - start)
            if week - warm in self.changes:
                self.adjust(self.changes[week - warm])
            self._begin_week(week, start, length)
            yield env.timeout(length)
            self._end_week(week, start, length)
            if week + 1 == warm:
                # The books open after the last warm-up week is closed, deals and costs included.
                self._end_warmup()

    def _end_warmup(self) -> None:
        m = self.metrics
        m.end_warmup()
        m.queue_area_at_warmup = self.sales.queue.area()
        m.busy_at_warmup = self.sales.working_hours()

    def _begin_week(self, week: int, start: float, length: float) -> None:
        """Open the week: its leads reach the queue (``sim/intake.py``), its meetings are set."""
        arrivals = self.intake.week(week, start, length, self._last_prospecting_hours)
        if arrivals:
            self.sales.receive(arrivals)
        self._schedule_meetings(week, start, length)

    def _expected_prospecting_hours(self) -> float:
        return self.sales.rota_hours * self.dials.prospecting

    def _schedule_meetings(self, week: int, start: float, length: float) -> None:
        c = self.scenario.communication
        if c.meeting_every_weeks and week % c.meeting_every_weeks == 0 and c.meeting_hours > 0:
            if MEETING_OFFSET_H < length:
                self.env.timeout(MEETING_OFFSET_H).callbacks.append(
                    lambda _e: self._meet(c.meeting_hours, training=False))
        if c.joint_training_days and week % QUARTER_WEEKS == 0 and TRAINING_OFFSET_H < length:
            self.env.timeout(TRAINING_OFFSET_H).callbacks.append(
                lambda _e: self._meet(c.joint_training_days * 8.0, training=True))

    def _meet(self, hours: float, training: bool) -> None:
        """A joint meeting or training: takes ``hours`` of everyone's working time from now on
        (no lead is called meanwhile), builds understanding and trust.

        The time is paid already (rep pay in ``sales_cost``, marketers' in ``marketing_cost``),
        so it is booked as hours and as their value (``meeting_time_value``), not as a new cost.
        """
        p = self.scenario
        now = self.env.now
        sales = self.sales
        ends = [rota.add_hours(now, hours) for rota in sales.rotas]
        for rep, end in enumerate(ends):
            sales.meeting_until[rep] = max(sales.meeting_until[rep], end)
        self.meetings.append((now, ends))
        sales.wake_all()
        rep_hourly = p.sales.cost_per_rep_week / calendar.OPEN_HOURS_PER_WEEK
        self.metrics.add("meeting_hours", hours * (p.sales.reps + p.marketing.marketers))
        self.metrics.add("meeting_time_value", hours * (p.sales.reps * rep_hourly
                                                        + p.marketing.marketers
                                                        * p.marketing.hourly_cost))
        if training:
            gain = communication.training_understanding_gain(self.understanding,
                                                             p.communication.joint_training_days)
        else:
            gain = communication.meeting_understanding_gain(self.understanding, hours)
        self.understanding = min(1.0, self.understanding + gain)
        self.sales.trust = min(1.0, self.sales.trust + trust.meeting_trust_gain(self.sales.trust,
                                                                                 hours))
        self.conflict *= 1.0 - min(0.3, 0.05 * hours)
        self.refresh()

    def _end_week(self, week: int, start: float, length: float) -> None:
        """Close the week's books, in order: deals due, stale leads, costs, rep hours, the
        dynamics, the ledger row; then the dials for next week.
        """
        end = start + length
        self._close_deals(week, end)
        self._expire_stale_leads()
        self._book_costs(length)
        working = self._working_rep_hours(start, end)
        self._update_dynamics(week, length)
        self._plan_prospecting(working)
        self._write_ledger(week, length)
        self.refresh()

    def _close_deals(self, week: int, end: float) -> None:
        pull = self.sales_behaviour.quarter_end_pull_in
        if (week + 1) % QUARTER_WEEKS == 0 and pull > 0:
            # Timing games pull deals due in the next weeks forward; at the last quarter end of
            # the run they reach past the horizon, as next year's deals would be pulled in.
            self.sales.close_until(end, pull, end + PULL_IN_WINDOW_H)
        else:
            self.sales.close_until(end)

    def _expire_stale_leads(self) -> None:
        expired = self.sales.queue.drop_older_than(self.scenario.sales.lead_expiry_days * 24.0)
        for lead in expired:
            self.finish(lead, "expired" if lead.attempts == 0 else "unreached")
            if lead.attempts:
                self.sales.disposition(lead, "unreached")
            else:
                # A lead left to go stale is one sales saw arrive and got nothing from: it
                # counts in the quality sales experiences, as an ignored one does.
                self.sales.experience()

    def _working_rep_hours(self, start: float, end: float) -> float:
        """Rep hours this week: each rep's rota, less the hours its meetings took."""
        rotas = self.sales.rotas
        paid = sum(rota.hours_between(start, end) for rota in rotas)
        in_meetings = 0.0
        for began, ends in self.meetings:
            for rota, until in zip(rotas, ends, strict=True):
                in_meetings += rota.hours_between(max(began, start), min(until, end))
        self.meetings = [(b, e) for b, e in self.meetings if max(e) > end]
        working = max(0.0, paid - in_meetings)
        if start >= self.metrics.warmup:
            self.available_rep_hours += working
        return working

    def _update_dynamics(self, week: int, length: float) -> None:
        """Trust, conflict, understanding, awareness, learning."""
        p = self.scenario
        self.sales.end_of_week()
        self.understanding = max(0.0, self.understanding - communication.silo_drift(
            self.understanding, p.communication.silo_drift_per_week))
        target = trust.conflict_target(self.misalignment, self.sales.trust, self.understanding,
                                       p.incentives.scrutiny_balance,
                                       p.communication.role_clarity)
        self.conflict = trust.conflict_step(self.conflict, target,
                                            communication.conflict_cap(p.communication.leadership))
        self.marketing.end_of_week(week, length / HOURS_PER_WEEK)

    def _plan_prospecting(self, working: float) -> None:
        """Next week's prospecting hours, from this week's: the prospecting done beside lead
        work (none while an SLA is breached) and in idle hours, the planned share of them in
        full, the rest at the yield of short unplanned blocks.
        """
        busy = self.sales.busy_hours - self._busy_mark
        self._busy_mark = self.sales.busy_hours
        beside = self.sales.prospecting_hours - self._prospect_mark
        self._prospect_mark = self.sales.prospecting_hours
        idle = max(0.0, working - busy - beside)
        share = self.dials.prospecting
        self._last_prospecting_hours = beside + idle * (share + (1.0 - share)
                                                        * IDLE_PROSPECTING_YIELD)

    def _write_ledger(self, week: int, length: float) -> None:
        """The week's row of the weekly ledger (the measured weeks only, like the KPIs)."""
        m = self.metrics
        queue_area = self.sales.queue.area()
        q_before, self._queue_mark = self._queue_mark, queue_area
        flows = {name: float(m.total[name] - self._week_mark.get(name, 0.0))
                 for name in WEEKLY_FLOWS}
        self._week_mark = {name: m.total[name] for name in WEEKLY_FLOWS}
        if week < self.warmup_weeks:
            return
        m.weekly.append({
            "week": week + 1 - self.warmup_weeks,
            **flows,
            "trust": self.sales.trust,
            "conflict": self.conflict,
            "understanding": self.understanding,
            "awareness": self.marketing.awareness,
            "scoring_noise": self.marketing.scoring_noise,
            "price_index": self.marketing.price_index,
            "queue_len_mean": (queue_area - q_before) / length,
            "mql_threshold": self.dials.mql_threshold,
            "sales_bar": self.dials.sales_bar,
            "ignore_probability": self.dials.ignore_probability,
            "report_probability": self.dials.report_probability,
            **{f"mix_{n}": v for n, v in self.marketing.mix.items()},
        })

    def _book_costs(self, length: float) -> None:
        """The week's costs, pro rata for a short last week: media and marketing staff, rep pay
        for the rota's hours plus commission on the week's bookings, and leadership time.
        """
        p = self.scenario
        m = self.metrics
        share = length / HOURS_PER_WEEK
        m.add("marketing_cost", self.marketing.weekly_cost() * share)
        week_revenue = m.total["revenue"] - self._week_mark.get("revenue", 0.0)
        pay = p.sales.cost_per_rep_week * self.sales.rota_hours / calendar.OPEN_HOURS_PER_WEEK
        m.add("sales_cost", pay * share + self._commission(week_revenue))
        m.add("meeting_cost", p.communication.leadership * share
              * p.communication.leader_hours_per_week * p.communication.leader_hourly_cost)

    # ------------------------------------------------------------------ running
    def run(self) -> RunResult:
        """Simulate every week, warm-up first, and return what the run produced."""
        proc = self.env.process(self._weeks())
        # The run creates many short-lived, acyclic objects; cyclic GC passes over the growing
        # set of live ones only cost time (superlinear in run length), so pause it while running.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self.env.run(until=proc)
        finally:
            if was_enabled:
                gc.enable()
        return self._result()

    def _in_flight(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for lead in self.live.values():
            counts[lead.state] += 1
            if self.log.enabled:
                self.log.add(lead.log_row())
        for _, _, lead in self.sales.opportunities:
            if lead.marketing and lead.id not in self.live:
                counts[lead.state] += 1
                if self.log.enabled:
                    self.log.add(lead.log_row())
        for items in self.returns.values():
            counts["nurturing"] += len(items)
            if self.log.enabled:
                nan = math.nan
                self.log.extend([EventRow(it.id, it.channel, it.created, nan, nan, nan, nan, nan,
                                          nan, nan, False, 0.0, 0.0, 0, it.quality, nan,
                                          "nurturing") for it in items])
        return counts

    def _result(self) -> RunResult:
        in_flight = self._in_flight()
        states = dict(self.metrics.states)
        for state, n in in_flight.items():
            assert state in IN_FLIGHT_STATES, state
            states[state] = states.get(state, 0) + n
        final = {
            "trust": self.sales.trust, "scoring_noise": self.marketing.scoring_noise,
            "awareness": self.marketing.awareness, "conflict": self.conflict,
            "understanding": self.understanding, "price_index": self.marketing.price_index,
        }
        kpis = self.metrics.kpis(final, self.horizon, self.sales.queue.area(),
                                 self.available_rep_hours, self.sales.working_hours())
        return RunResult(
            scenario=self.scenario.name, seed=self.seed, replication=self.replication,
            weeks=self.scenario.weeks, kpis=kpis, weekly_rows=self.metrics.weekly,
            event_log=self.log.close(),
            states=states, leads_created=self.next_id,
        )




def run(scenario: Scenario, seed: int | None = None, replication: int = 0,
        event_log: bool | str | Path | None = None,
        changes: Mapping[int, Scenario] | None = None) -> RunResult:
    """Simulate one replication of ``scenario`` and return its :class:`RunResult`.

    ``changes`` maps a 0-based week to a scenario whose :data:`ADJUSTABLE_KEYS` take effect
    from the start of that week (the workshop game's quarters); other keys must not differ.
    """
    return LeadFlowModel(scenario, seed=seed, replication=replication, event_log=event_log,
                         changes=changes).run()
