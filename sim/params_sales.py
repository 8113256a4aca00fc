"""The sales side of a scenario and what joins the two teams: sales, communication,
feedback, incentives and trust.

Each class is one section of :class:`~sim.params.Scenario` (``sales:``, ``communication:``, …
in a scenario file). The description of every field starts with its unit in square brackets and
ends with its source, or with "assumption"; assumptions carry a plausible range
(:func:`~sim.params_base.plausible_extra`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.params_base import Section, plausible_extra


class Sales(Section):
    """The sales floor: reps, their calendar, queue, attempts and how they split their time."""

    reps: int = Field(
        3, ge=1, le=10000,
        description="[people] Sales reps working leads. Assumption sized so the baseline team is "
        "busy (rep_utilization 0.6-0.85).",
    )
    cost_per_rep_week: float = Field(
        3000.0, ge=0, le=1e7,
        description="[currency/week] Loaded base cost of a rep (commission is extra). Assumption.",
        json_schema_extra=plausible_extra(
            2000.0, 4500.0,
            "Loaded base cost of an inside-sales rep: below 2000 a week (about 100 000 a year) is "
            "an entry-level wage without overhead; above 4500 (about 230 000) a senior account "
            "executive's.",
        ),
    )
    business_hours: bool = Field(
        True,
        description="[flag] Reps work Mon-Fri 09:00-17:00 only; leads arriving outside wait. Off: "
        "a round-the-clock rota of sales.hours_per_week paid hours per rep. Assumption.",
    )
    hours_per_week: float = Field(
        40.0, gt=0, le=168,
        description="[hours/week] Paid hours of each rep on the round-the-clock rota (used when "
        "sales.business_hours is off; office hours are 40); rep pay scales with them. "
        "Assumption: a full-time week.",
        json_schema_extra=plausible_extra(
            35.0, 48.0,
            "A full-time rota: below 35 hours it would be part-time; above 48 it would exceed the "
            "usual limit on average weekly working time (48 hours in the EU).",
        ),
    )
    prioritisation: Literal["fifo", "score", "cherry_pick"] = Field(
        "fifo",
        description="[rule] Queue order: first in first out, highest marketing score, or highest "
        "expected commission (score x deal size). MODEL.md section 1.",
    )
    max_attempts: int = Field(
        6, ge=1, le=20,
        description="[attempts] Contact attempts before a lead is given up; about 93 % of "
        "converted leads are reached by the 6th call (Velocify).",
    )
    retry_gap_hours: float = Field(
        2.0, ge=0, le=2000,
        description="[hours] Wait before the second contact attempt. Assumption: a cadence that "
        "calls again the same day.",
        json_schema_extra=plausible_extra(
            0.5, 24.0,
            "Below half an hour a retry would reach the same voicemail; above a day the second "
            "call would come after the lead's qualification odds had cooled to their floor "
            "(sales.qualify_decay_hours is 7).",
        ),
    )
    retry_gap_growth: float = Field(
        2.0, ge=1, le=10,
        description="[-] Each later wait is this many times the one before (2, 4, 8, 16 hours: "
        "the same day first, then days apart). Assumption; plausible 1-3.",
        json_schema_extra=plausible_extra(
            1.0, 3.0,
            "1 keeps the same gap between all calls; above 3 the sixth attempt would come about "
            "ten days after the first (2, 6, 18, 54, 162 hours), close to the lead's expiry.",
        ),
    )
    review_hours: float = Field(
        0.1, ge=0, le=100,
        description="[hours] Rep time to look at a new MQL (read the record, check the company) "
        "before working or refusing it; ignored leads are never looked at. Assumption.",
        json_schema_extra=plausible_extra(
            0.05, 0.25,
            "Below 3 minutes a rep could not read the record; above 15 minutes the first look "
            "would turn into the research the discovery call is for.",
        ),
    )
    first_touch_hours: float = Field(
        0.35, gt=0, le=100,
        description="[hours] Mean (exponential) rep time of one contact attempt: call, voicemail, "
        "follow-up e-mail and CRM note. Assumption.",
        json_schema_extra=plausible_extra(
            0.2, 0.6,
            "Call, voicemail, follow-up e-mail and CRM note: below 12 minutes there is no time "
            "for the e-mail and the note; above 36 minutes a rep would manage barely a dozen "
            "attempts a day.",
        ),
    )
    qualify_hours: float = Field(
        1.0, ge=0, le=100,
        description="[hours] Extra rep time for a discovery conversation once contacted. "
        "Assumption.",
        json_schema_extra=plausible_extra(
            0.5, 2.0,
            "Below half an hour a discovery conversation would be a screening call; above two "
            "hours it would be a workshop, not a first conversation.",
        ),
    )
    lead_expiry_days: float = Field(
        14.0, gt=0, le=3650,
        description="[days] A lead waiting longer than this in the queue is dropped (leaked). "
        "Assumption.",
        json_schema_extra=plausible_extra(
            7.0, 30.0,
            "Below a week leads would be dropped in one busy spell while the team could still "
            "reach them; above a month they would sit in the queue long after their interest had "
            "fallen to its floor.",
        ),
    )
    prospecting_share: float = Field(
        0.35, ge=0, lt=1,
        description="[0-1] Share of rep time spent on self-sourced prospecting rather than "
        "marketing leads. Assumption.",
    )
    prospect_opps_per_hour: float = Field(
        0.012, ge=0, le=100,
        description="[opportunities/hour] Self-sourced opportunities per prospecting hour. "
        "Assumption.",
        json_schema_extra=plausible_extra(
            0.006, 0.024,
            "Half to twice the default, so self-sourced deals bring about 3 % to 10 % of the "
            "baseline's revenue (5 % at the default): below, the time planned for prospecting "
            "would yield almost nothing; above, the company would no longer be the marketing-led "
            "one the baseline describes.",
        ),
    )
    cold_calling: float = Field(
        0.2, ge=0, le=1,
        description="[0-1] Intensity of cold calling in prospecting: more self-sourced "
        "opportunities, but a worse customer experience that erodes awareness. Seed article 003.",
    )
    rep_experience: float = Field(
        0.5, ge=0, le=1,
        description="[0-1] Experience of the team: closes better but follows up fewer marketing "
        "leads (Sabnis, Chatterjee, Grewal & Lilien 2013).",
    )
    acceptance_bar: float | None = Field(
        0.49, ge=0, le=1,
        description="[0-1] Sales' own quality bar for accepting a lead, before the definition gap "
        "(scoring.definition_gap) and the pay plan's selectivity are added; it does not move with "
        "marketing's MQL threshold. Empty: sales follows marketing's threshold. Assumption: where "
        "the two definitions meet in the baseline.",
        json_schema_extra=plausible_extra(
            0.47, 0.53,
            "Gartner finds ~44 % of MQLs accepted; between 0.47 and 0.53 the baseline accepts "
            "about 57 % to 38 %. Lower, the team would be swamped (rep_utilization above 0.85); "
            "higher, starved of leads (below 0.6) while trust falls.",
        ),
    )
    contact_prob_fresh: float = Field(
        0.7, gt=0, lt=1,
        description="[0-1] Chance an attempt reaches a brand-new lead with full context. "
        "Assumption calibrated to Oldroyd et al. 2011 (see sim/policies/response.py).",
        json_schema_extra=plausible_extra(
            0.55, 0.8,
            "Calibrated to Oldroyd et al. 2011: between these the baseline's MQL-to-SQL stays "
            "inside the 13-26 % benchmark band (16 % to 25 %); lower, trust in marketing's leads "
            "starts to slide, higher, the rate leaves the band.",
        ),
    )
    contact_decay_hours: float = Field(
        0.25, gt=0, le=1000,
        description="[hours] Time scale on which contact odds cool; Lead Response Management "
        "study (steep fall within 30 minutes).",
    )
    contact_floor: float = Field(
        0.35, ge=0, le=1,
        description="[0-1] Share of fresh contact odds left for a cold lead. Assumption.",
        json_schema_extra=plausible_extra(
            0.2, 0.5,
            "Below 0.2 a lead that waited would hardly be reached however often a rep called, "
            "against Velocify's ~93 % of converting leads reached by the sixth call; above 0.5 "
            "waiting would cost less than half the contact odds, too little for the steep fall "
            "the Lead Response Management study reports.",
        ),
    )
    qualify_prob_fresh: float = Field(
        0.75, gt=0, lt=1,
        description="[0-1] Chance a fresh, contacted lead of quality 0.4 qualifies. Assumption "
        "calibrated to the 13-26 % MQL-to-SQL benchmark.",
        json_schema_extra=plausible_extra(
            0.6, 0.85,
            "Between these the baseline's MQL-to-SQL stays inside the 13-26 % benchmark band "
            "(about 20 % to 23 %); below 0.6 a fresh, contacted lead of quality 0.4 would fail "
            "discovery almost half the time, above 0.85 qualifying would be a formality.",
        ),
    )
    qualify_decay_hours: float = Field(
        7.0, gt=0, le=10000,
        description="[hours] Time scale on which qualification odds cool; Oldroyd et al. 2011 "
        "(7x within 1 h, 60x vs. after 24 h).",
    )
    qualify_floor: float = Field(
        0.2, ge=0, le=1,
        description="[0-1] Share of fresh qualification chance left for a cold lead. Assumption: "
        "the model takes about half of Oldroyd et al.'s cross-firm odds ratios (in log odds) as "
        "the causal effect of waiting on one lead (docs/model.md section 6).",
        json_schema_extra=plausible_extra(
            0.01, 0.5,
            "The causal part of Oldroyd et al.'s cross-firm odds ratios is plausibly a quarter to "
            "the whole of their log odds (docs/model.md section 6): at 0.5 a day's wait makes the "
            "odds of qualifying about 3x lower (a quarter), at 0.01 about 60x lower (the whole); "
            "the default takes half (about 7x).",
        ),
    )
    sql_to_opportunity: float = Field(
        0.55, ge=0, le=1,
        description="[0-1] Chance a qualified lead (SQL) at fair price becomes an opportunity; "
        "B2B benchmark 50-62 %.",
    )
    base_win_rate: float = Field(
        0.14, gt=0, lt=1,
        description="[0-1] Win rate of an average opportunity at fair price, full context and "
        "start awareness; B2B close rate ~20-30 %.",
    )
    cycle_time_days_mean: float = Field(
        45.0, gt=0, le=3650,
        description="[days] Mean opportunity cycle time (gamma, shape 3). Assumption.",
        json_schema_extra=plausible_extra(
            30.0, 90.0,
            "For deals of 20 000-50 000: below a month buyers would sign before a second meeting; "
            "above a quarter much of a year's pipeline would still be open at the horizon and the "
            "six-week quarter-end pull-in would reach few deals.",
        ),
    )
    commission_rate: float = Field(
        0.08, ge=0, le=1,
        description="[0-1] Commission paid on booked revenue (scaled by the sales pay plan). "
        "Assumption.",
        json_schema_extra=plausible_extra(
            0.05, 0.12,
            "Below 5 % of booked revenue commission would hardly steer a rep on base pay; above "
            "12 % the plan would be commission-heavy rather than base plus commission.",
        ),
    )


class Communication(Section):
    """Handoff, shared data, meetings, roles and leadership: how the two teams talk."""

    handoff: Literal["realtime", "daily", "weekly"] = Field(
        "realtime",
        description="[rule] MQLs reach sales at once, in a daily batch (09:00) or a weekly batch "
        "(Monday 09:00). MODEL.md section 1.",
    )
    crm_sharing: float = Field(
        0.5, ge=0, le=1,
        description="[0-1] How much lead context survives the handoff through a shared CRM. "
        "Seed article 002; effect sizes are assumptions.",
    )
    sla_hours: float | None = Field(
        None, gt=0, le=10000,
        description="[hours] Service level: leads waiting longer jump the queue and reps drop "
        "prospecting until none is overdue; empty for none. Seed article 004 ('disciplined "
        "processes').",
    )
    shared_lead_definition: bool = Field(
        False,
        description="[flag] A formal, written lead definition agreed by both teams; CSO Insights "
        "2014 reports more firms with high conversion when they have one.",
    )
    meeting_every_weeks: int = Field(
        4, ge=0, le=52,
        description="[weeks] Joint marketing-sales meeting interval; 0 means silos (no meetings). "
        "Seed articles 001, 002, 004.",
    )
    meeting_hours: float = Field(
        1.0, ge=0, le=40, description="[hours/person] Length of one joint meeting. Assumption."
    )
    joint_training_days: float = Field(
        0.0, ge=0, le=20,
        description="[days/quarter] Joint training and team-building days (collaborative "
        "culture). Seed article 001; effect sizes are assumptions.",
    )
    role_clarity: float = Field(
        0.5, ge=0, le=1,
        description="[0-1] How clearly roles and responsibilities are defined; unclear roles "
        "turn conflict into duplicate work and disputes. Seed article 004.",
    )
    leadership: float = Field(
        0.0, ge=0, le=1,
        description="[0-1] Senior-leadership involvement in resolving conflict: caps conflict, "
        "costs leader time. Seed article 000.",
    )
    leader_hours_per_week: float = Field(
        4.0, ge=0, le=80,
        description="[hours/week] Leader time at full involvement. Assumption.",
        json_schema_extra=plausible_extra(
            2.0, 8.0,
            "Below 2 hours a week a leader could not settle the teams' disputes; above a day a "
            "week the leader would be running the teams rather than mediating between them.",
        ),
    )
    leader_hourly_cost: float = Field(
        150.0, ge=0, le=1e5,
        description="[currency/hour] Cost of a leader hour. Assumption.",
        json_schema_extra=plausible_extra(
            100.0, 250.0,
            "Loaded cost of a senior leader hour: below 100 it is a team manager's rate; above "
            "250 a board member's.",
        ),
    )
    understanding_initial: float = Field(
        0.58, ge=0, le=1,
        description="[0-1] Shared understanding of a good lead at the start (a formal shared "
        "definition adds 0.2). Assumption: the baseline's steady state.",
        json_schema_extra=plausible_extra(
            0.45, 0.7,
            "Within about 0.12 of the baseline's steady state (0.58): further away, the warm-up "
            "and the first measured months would be spent returning to it (with monthly meetings "
            "about half the gap closes each quarter).",
        ),
    )
    silo_drift_per_week: float = Field(
        0.02, ge=0, le=1,
        description="[1/week] How fast shared understanding decays without contact (silos). "
        "Assumption.",
        json_schema_extra=plausible_extra(
            0.005, 0.05,
            "Without contact understanding halves in about 35 weeks at the default: below 0.005 "
            "(over two and a half years) silos would do no harm within a run; above 0.05 (14 "
            "weeks) even monthly meetings would hold it below 0.4.",
        ),
    )


class Feedback(Section):
    """Sales' dispositions flowing back to marketing, and what marketing learns from them."""

    mode: Literal["none", "periodic", "closed_loop"] = Field(
        "periodic",
        description="[rule] none: nothing flows back; periodic: a sample reviewed every "
        "period_weeks; closed_loop: every disposition in the CRM as it happens. Seed article 002.",
    )
    period_weeks: int = Field(
        4, ge=1, le=52, description="[weeks] Review interval of periodic feedback. Assumption."
    )
    periodic_sample: float = Field(
        0.5, ge=0, le=1,
        description="[0-1] Share of dispositions a periodic review looks at. Assumption.",
    )
    price_learning_rate: float = Field(
        0.3, ge=0, le=1,
        description="[0-1] How far each review moves price toward market fit at full coverage "
        "(customer-needs feedback, seed article 004). Assumption.",
        json_schema_extra=plausible_extra(
            0.1, 0.6,
            "At the baseline's feedback coverage (16 %) and scrutiny, below 0.1 a mispriced offer "
            "would close less than an eighth of its gap to fit in a year of reviews; above 0.6 it "
            "would close over half, from a small sample of dispositions.",
        ),
    )


class Incentives(Section):
    """What each team is paid and measured on."""

    marketing_kpi: Literal["mql_volume", "pipeline", "revenue"] = Field(
        "pipeline",
        description="[rule] What marketing is measured on. Seed articles 000-004 (different KPIs).",
    )
    sales_comp: Literal["individual_commission", "quota_accelerator", "team_shared"] = Field(
        "quota_accelerator",
        description="[rule] How sales is paid. MODEL.md section 1; Larkin 2014, Friebel et al. "
        "2017.",
    )
    shared_kpi_weight: float = Field(
        0.0, ge=0, le=1,
        description="[0-1] Weight of a shared revenue goal in both teams' scorecards. Seed "
        "articles 001, 002, 004.",
    )
    scrutiny_balance: float = Field(
        0.3, ge=0, le=1,
        description="[0-1] How evenly results are scrutinised: 0 only sales' numbers are "
        "reviewed, 1 marketing's lead results get equal scrutiny. Seed article 003.",
    )




class Trust(Section):
    """Sales' trust in marketing leads, and the conflict between the teams."""

    initial: float = Field(
        0.88, ge=0, le=1,
        description="[0-1] Sales' trust in marketing leads at the start. Assumption: the "
        "baseline's steady state (docs/model.md section 3.1).",
        json_schema_extra=plausible_extra(
            0.7, 0.95,
            "The baseline's steady state is 0.88: from 0.7 trust is back near it by the end of "
            "the measured year; lower, it starts near the black hole, the other stable level, and "
            "the run describes a different company; above 0.95 sales would trust more than its "
            "experience sustains.",
        ),
    )
    expected_mql_to_sql: float = Field(
        0.16, gt=0, le=1,
        description="[0-1] MQL-to-SQL rate sales expects; lower measured rates erode trust. "
        "Assumption placed inside the 13-26 % benchmark band.",
        json_schema_extra=plausible_extra(
            0.13, 0.2,
            "0.13 is the bottom of the 13-26 % benchmark band; above 0.2 sales would expect about "
            "what the baseline's leads deliver (about 21 % with ignored and refused leads "
            "counted), so every bad month would push trust toward the black hole.",
        ),
    )
    adjust_rate: float = Field(
        0.05, ge=0, le=1,
        description="[1/week] How fast trust follows experienced lead quality. Assumption.",
        json_schema_extra=plausible_extra(
            0.02, 0.15,
            "Below 0.02 trust would not react within a year; above 0.15 it swings on one bad "
            "month.",
        ),
    )
    black_hole_max: float = Field(
        0.7, ge=0, le=1,
        description="[0-1] Share of marketing leads ignored at zero trust; up to ~70 % of leads "
        "are never followed up (Sabnis et al. 2013).",
    )
    conflict_initial: float = Field(
        0.28, ge=0, le=1,
        description="[0-1] Conflict ('them and us') at the start. Assumption: the baseline's "
        "steady state.",
        json_schema_extra=plausible_extra(
            0.15, 0.45,
            "Conflict moves a tenth of the way to its target each week, so its start matters "
            "mainly in the warm-up; the range brackets the baseline's steady state (0.28): calmer "
            "belongs to an aligned company, more hostile to one whose scorecards pull apart.",
        ),
    )
