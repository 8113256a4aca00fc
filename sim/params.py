"""Typed, validated parameters: the one place every lever of the model is declared.

Think of this module as the control panel of the company: each field is one knob, labelled with
its unit, its valid range and where its default comes from. The panel has no spare sockets: a
misspelt knob name (``sales.rpes``) is refused rather than silently ignored.

Each section mirrors a part of the flow in ``docs/model.md``. The description of every field
starts with its unit in square brackets and ends with its source, or with "assumption" where no
published figure exists; ``docs/model.md`` lists them all and a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    """Base for all parameter sections: unknown names and wrong types are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


class Channel(_Section):
    """One marketing channel: how many leads it brings, what they cost and how good they are."""

    leads_per_week: float = Field(
        40.0, ge=0, le=1e6,
        description="[leads/week] Volume when the whole marketing budget goes to direct response "
        "(brand spend scales it down). Assumption sized so the baseline has ~10k leads a year.",
    )
    cost_per_lead: float = Field(
        80.0, ge=0, le=1e6, description="[currency/lead] Media cost of one lead. Assumption."
    )
    quality_alpha: float = Field(
        2.0, gt=0, le=1000,
        description="[-] Beta(alpha, beta) shape of the latent quality (chance the buyer could "
        "buy). Assumption; with beta gives the channel's mean quality alpha/(alpha+beta).",
    )
    quality_beta: float = Field(
        5.0, gt=0, le=1000, description="[-] Second Beta shape of latent quality. Assumption."
    )
    deal_size_median: float = Field(
        20000.0, gt=0, le=1e9,
        description="[currency] Median deal size at price index 1 (lognormal). Assumption.",
    )
    deal_size_sigma: float = Field(
        0.6, ge=0, le=5, description="[-] Lognormal sigma of deal size. Assumption."
    )
    inbound: bool = Field(
        True,
        description="[flag] Inbound channels grow with brand awareness; outbound lists do not. "
        "Assumption.",
    )


def _default_channels() -> dict[str, Channel]:
    return {
        "webinar": Channel(leads_per_week=35, cost_per_lead=150, quality_alpha=3.0,
                           quality_beta=5.0, deal_size_median=38000),
        "paid_search": Channel(leads_per_week=95, cost_per_lead=70, quality_alpha=2.0,
                               quality_beta=5.0, deal_size_median=29000),
        "events": Channel(leads_per_week=25, cost_per_lead=300, quality_alpha=3.5,
                          quality_beta=4.5, deal_size_median=48000),
        "outbound_list": Channel(leads_per_week=70, cost_per_lead=20, quality_alpha=1.2,
                                 quality_beta=6.0, deal_size_median=24000, inbound=False),
    }


class Marketing(_Section):
    """Lead generation, budget split between brand and direct response, and nurture."""

    channels: dict[str, Channel] = Field(
        default_factory=_default_channels,
        description="[mapping] Marketing channels keyed by name (MODEL.md section 1).",
    )
    brand_share: float = Field(
        0.15, ge=0, lt=1,
        description="[0-1] Share of the marketing budget spent on brand (the 'video "
        "advertisement') instead of direct response. Seed article 000; assumption for the value.",
    )
    awareness_initial: float = Field(
        0.3, ge=0, le=1, description="[0-1] Brand awareness stock at the start. Assumption."
    )
    awareness_lag_weeks: int = Field(
        6, ge=0, le=52,
        description="[weeks] Delay before brand spend shows up in awareness. Assumption.",
    )
    awareness_decay_per_week: float = Field(
        0.08, ge=0, le=1, description="[1/week] Share of awareness forgotten each week. Assumption."
    )
    awareness_gain_per_week: float = Field(
        0.10, ge=0, le=1,
        description="[1/week] Awareness gained per week at full brand saturation. Assumption.",
    )
    brand_spend_half_saturation: float = Field(
        6000.0, gt=0, le=1e9,
        description="[currency/week] Brand spend that gives half the maximum awareness gain. "
        "Assumption.",
    )
    awareness_volume_effect: float = Field(
        0.5, ge=0, le=10,
        description="[-] Relative rise in inbound volume per unit of awareness above the start "
        "level. Assumption; plausible 0.2-1.",
    )
    awareness_quality_effect: float = Field(
        0.4, ge=0, le=10,
        description="[-] Relative rise of the quality Beta alpha per unit of awareness above the "
        "start level. Assumption.",
    )
    business_hours_arrival_share: float = Field(
        0.7, ge=0, le=1,
        description="[0-1] Share of leads arriving during office hours, Mon-Fri 09:00-17:00 (the "
        "rest evenings and weekends), whatever hours sales works; 40/168 spreads arrivals evenly. "
        "Assumption chosen so the baseline lands near Oldroyd et al. 2011 response times.",
    )
    nurture_return_prob: float = Field(
        0.25, ge=0, le=1,
        description="[0-1] Chance a lead sent to nurture comes back to be scored again. "
        "Assumption.",
    )
    nurture_weeks_mean: float = Field(
        8.0, gt=0, le=520, description="[weeks] Mean time in nurture before return. Assumption."
    )
    nurture_quality_gain: float = Field(
        0.05, ge=0, le=1,
        description="[0-1] Rise in latent quality of a lead after a spell in nurture. Assumption.",
    )
    recycle_lost_prob: float = Field(
        0.2, ge=0, le=1,
        description="[0-1] Chance a lost opportunity goes back to nurture. Assumption.",
    )
    marketers: int = Field(
        4, ge=0, le=10000, description="[people] Marketing head count (meeting cost). Assumption."
    )
    hourly_cost: float = Field(
        60.0, ge=0, le=1e5, description="[currency/hour] Loaded cost of a marketer hour. Assumption."
    )
    volume_elasticity: float = Field(
        0.6, gt=0, le=1,
        description="[-] Diminishing returns to direct-response spend: a channel's leads grow "
        "with (its spend share)^elasticity, so cost per lead rises with volume. Assumption; "
        "plausible 0.4-0.9 (media response curves are concave).",
    )
    budget_learning_rate: float = Field(
        0.25, ge=0, le=1,
        description="[0-1] How far marketing moves its channel mix toward what its KPI rewards at "
        "each review. Assumption.",
    )


class Scoring(_Section):
    """How marketing scores leads and where it draws the MQL line."""

    mql_threshold: float = Field(
        0.45, ge=0, le=1,
        description="[0-1] Score at or above which a lead becomes an MQL. Assumption set so "
        "lead-to-MQL lands in the 25-35 % benchmark band.",
    )
    noise: float = Field(
        0.15, ge=0, le=2,
        description="[quality units] Standard deviation of marketing's scoring error at the start. "
        "Assumption (no published figure).",
    )
    noise_floor: float = Field(
        0.04, ge=0, le=2,
        description="[quality units] Smallest scoring error feedback can teach. Assumption.",
    )
    prior_reports: float = Field(
        540.0, ge=0, le=1e7,
        description="[reports] What marketing has already learnt from sales when the run starts, "
        "in reported dispositions. Assumption: the baseline's steady state.",
    )
    knowledge_half_life_weeks: float = Field(
        52.0, gt=0, le=5200,
        description="[weeks] Half-life of what marketing learnt from feedback (markets move, "
        "people change jobs), so learning levels off where new reports replace forgotten ones. "
        "Assumption; plausible 26-156 weeks.",
    )
    learning_reports: float = Field(
        400.0, gt=0, le=1e7,
        description="[reports] Number of reported dispositions that cut the learnable part of the "
        "scoring error by a factor e. Assumption.",
    )
    definition_gap: float = Field(
        0.025, ge=0, le=1,
        description="[quality units] How much stricter sales' own bar is than marketing's MQL "
        "threshold when the teams never align. Assumption; Gartner finds ~44 % of MQLs accepted.",
    )
    sales_view_noise: float = Field(
        0.06, ge=0, le=2,
        description="[quality units] Sales' error judging a lead with full context. Assumption.",
    )


class Sales(_Section):
    """The sales floor: reps, their calendar, queue, attempts and how they split their time."""

    reps: int = Field(
        3, ge=1, le=10000,
        description="[people] Sales reps working leads. Assumption sized so the baseline team is "
        "busy (rep_utilization 0.6-0.85).",
    )
    cost_per_rep_week: float = Field(
        3000.0, ge=0, le=1e7,
        description="[currency/week] Loaded base cost of a rep (commission is extra). Assumption.",
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
    )
    retry_gap_growth: float = Field(
        2.0, ge=1, le=10,
        description="[-] Each later wait is this many times the one before (2, 4, 8, 16 hours: "
        "the same day first, then days apart). Assumption; plausible 1-3.",
    )
    review_hours: float = Field(
        0.1, ge=0, le=100,
        description="[hours] Rep time to look at a new MQL (read the record, check the company) "
        "before working or refusing it; ignored leads are never looked at. Assumption.",
    )
    first_touch_hours: float = Field(
        0.35, gt=0, le=100,
        description="[hours] Mean (exponential) rep time of one contact attempt: call, voicemail, "
        "follow-up e-mail and CRM note. Assumption.",
    )
    qualify_hours: float = Field(
        1.0, ge=0, le=100,
        description="[hours] Extra rep time for a discovery conversation once contacted. "
        "Assumption.",
    )
    lead_expiry_days: float = Field(
        14.0, gt=0, le=3650,
        description="[days] A lead waiting longer than this in the queue is dropped (leaked). "
        "Assumption.",
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
    )
    contact_prob_fresh: float = Field(
        0.7, gt=0, lt=1,
        description="[0-1] Chance an attempt reaches a brand-new lead with full context. "
        "Assumption calibrated to Oldroyd et al. 2011 (see sim/policies/response.py).",
    )
    contact_decay_hours: float = Field(
        0.25, gt=0, le=1000,
        description="[hours] Time scale on which contact odds cool; Lead Response Management "
        "study (steep fall within 30 minutes).",
    )
    contact_floor: float = Field(
        0.35, ge=0, le=1,
        description="[0-1] Share of fresh contact odds left for a cold lead. Assumption.",
    )
    qualify_prob_fresh: float = Field(
        0.75, gt=0, lt=1,
        description="[0-1] Chance a fresh, contacted lead of quality 0.4 qualifies. Assumption "
        "calibrated to the 13-26 % MQL-to-SQL benchmark.",
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
    )
    commission_rate: float = Field(
        0.08, ge=0, le=1,
        description="[0-1] Commission paid on booked revenue (scaled by the sales pay plan). "
        "Assumption.",
    )


class Communication(_Section):
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
    )
    leader_hourly_cost: float = Field(
        150.0, ge=0, le=1e5, description="[currency/hour] Cost of a leader hour. Assumption."
    )
    understanding_initial: float = Field(
        0.58, ge=0, le=1,
        description="[0-1] Shared understanding of a good lead at the start (a formal shared "
        "definition adds 0.2). Assumption: the baseline's steady state.",
    )
    silo_drift_per_week: float = Field(
        0.02, ge=0, le=1,
        description="[1/week] How fast shared understanding decays without contact (silos). "
        "Assumption.",
    )


class Feedback(_Section):
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
    )


class Incentives(_Section):
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


class Pricing(_Section):
    """Price set by marketing against what the market values, and sales' discounting."""

    price_index: float = Field(
        1.0, gt=0, le=10,
        description="[-] List price relative to what the market values (1.0 = fit). Seed article "
        "004 ('marketing sets prices too high').",
    )
    price_elasticity: float = Field(
        2.5, ge=0, le=50,
        description="[-] Fall in win log-odds per unit of price index above fit. Assumption.",
    )
    underprice_elasticity: float = Field(
        0.5, ge=0, le=50,
        description="[-] Rise in win log-odds per unit of price index below fit: B2B buyers buy "
        "for need, so a cheaper offer wins only a little more and fit is the price that earns "
        "most. Assumption; plausible 0-1.",
    )
    max_discount: float = Field(
        0.25, ge=0, lt=1, description="[0-1] Largest discount a rep may give. Assumption."
    )
    discount_win_effect: float = Field(
        3.0, ge=0, le=50,
        description="[-] Rise in win log-odds per unit of discount. Assumption.",
    )


class Trust(_Section):
    """Sales' trust in marketing leads, and the conflict between the teams."""

    initial: float = Field(
        0.88, ge=0, le=1,
        description="[0-1] Sales' trust in marketing leads at the start. Assumption: the "
        "baseline's steady state (docs/model.md section 3.1).",
    )
    expected_mql_to_sql: float = Field(
        0.16, gt=0, le=1,
        description="[0-1] MQL-to-SQL rate sales expects; lower measured rates erode trust. "
        "Assumption placed inside the 13-26 % benchmark band.",
    )
    adjust_rate: float = Field(
        0.05, ge=0, le=1,
        description="[1/week] How fast trust follows experienced lead quality. Assumption.",
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
    )


MAX_RUN_WEEKS = 5200
"""Longest run, warm-up and measured weeks together (a century)."""


class Scenario(_Section):
    """A whole scenario: the company, its policies and how long to simulate it."""

    name: str = Field("scenario", min_length=1, max_length=200, description="[text] Scenario name.")
    description: str = Field("", max_length=5000, description="[text] What the scenario teaches.")
    seed: int = Field(20061, ge=0, le=2**63 - 1, description="[-] Master random seed.")
    weeks: float = Field(52.0, gt=0, le=5200,
                         description="[weeks] Measured horizon, after the warm-up.")
    warmup_weeks: int = Field(
        0, ge=0, le=5200,
        description="[weeks] Whole weeks simulated before the measured weeks and left out of "
        "every KPI and of the weekly ledger. Assumption.",
    )
    marketing: Marketing = Field(default_factory=Marketing)
    scoring: Scoring = Field(default_factory=Scoring)
    sales: Sales = Field(default_factory=Sales)
    communication: Communication = Field(default_factory=Communication)
    feedback: Feedback = Field(default_factory=Feedback)
    incentives: Incentives = Field(default_factory=Incentives)
    pricing: Pricing = Field(default_factory=Pricing)
    trust: Trust = Field(default_factory=Trust)

    @model_validator(mode="after")
    def _has_channels(self) -> Scenario:
        if self.warmup_weeks + self.weeks > MAX_RUN_WEEKS:
            raise ValueError(
                f"warmup_weeks ({self.warmup_weeks}) + weeks ({self.weeks:g}) must be at most "
                f"{MAX_RUN_WEEKS} (the whole run, warm-up included)"
            )
        if not self.marketing.channels:
            raise ValueError("marketing.channels must name at least one channel")
        return self


SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in Scenario.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)
}


def parameter_table() -> list[tuple[str, str, object, str]]:
    """Every scalar key as ``(dotted_key, unit, default, description)``, channels as ``*``.

    Used to write and check the parameter table of ``docs/model.md``.
    """
    rows: list[tuple[str, str, object, str]] = []

    def walk(prefix: str, model: type[BaseModel]) -> None:
        for name, field in model.model_fields.items():
            key = f"{prefix}{name}"
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(key + ".", ann)
                continue
            if name == "channels":
                walk(key + ".*.", Channel)
                continue
            text = field.description or ""
            unit = text[1:text.index("]")] if text.startswith("[") else ""
            body = text[text.index("]") + 1:].strip() if text.startswith("[") else text
            default = field.get_default(call_default_factory=False)
            rows.append((key, unit, default, body))

    walk("", Scenario)
    return rows


def flatten_settings(scenario: Scenario) -> dict[str, Any]:
    """Every setting of a scenario as ``{dotted key: value}``, in declaration order
    (``marketing.channels.webinar.leads_per_week``)."""
    out: dict[str, Any] = {}

    def walk(prefix: str, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            if isinstance(value, Mapping):
                walk(f"{prefix}{key}.", value)
            else:
                out[f"{prefix}{key}"] = value

    walk("", scenario.model_dump())
    return out
