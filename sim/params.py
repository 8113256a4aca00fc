"""Typed, validated parameters: the one place every lever of the model is declared.

Think of this module as the control panel of the company: each field is one knob, labelled with
its unit, its valid range and where its default comes from. The panel has no spare sockets: a
misspelt knob name (``sales.rpes``) is refused rather than silently ignored.

Each section mirrors a part of the flow in ``docs/model.md``. The description of every field
starts with its unit in square brackets and ends with its source, or with "assumption" where no
published figure exists; ``docs/model.md`` lists them all and a test keeps the two in step.

Every assumption also carries a plausible range: a low and a high end and the reason for them
(why not lower, why not higher). :func:`plausible_range` gives one key's range and
:func:`assumption_ranges` all of them, ready for a robustness analysis that samples the
assumption space. Values with a published source have none, and neither have policy levers,
the company's channels, run settings and the sales head count: a scenario sets those, so a
study compares their values rather than sampling them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.fields import FieldInfo


class _Section(BaseModel):
    """Base for all parameter sections: unknown names and wrong types are errors."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


@dataclass(frozen=True)
class Plausible:
    """Plausible range of one assumption parameter: ``low`` to ``high`` (both included).

    ``why`` says why the value is unlikely to lie below ``low`` or above ``high``; ``integer``
    marks a whole-number parameter, whose sampled values must be rounded before use.
    """

    low: float
    high: float
    why: str
    integer: bool = False

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"plausible range needs low < high, got {self.low} to {self.high}")
        if not self.why.strip():
            raise ValueError("plausible range needs a reason for its ends")

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``, as a SALib problem's ``bounds`` entry wants it."""
        return (self.low, self.high)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


def _plausible(low: float, high: float, why: str) -> dict[str, Any]:
    """``json_schema_extra`` of an assumption parameter: its plausible range and the reason."""
    Plausible(low, high, why)  # refuse a bad range where it is declared
    return {"plausible": {"low": low, "high": high, "why": why}}


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
        0.3, ge=0, le=1,
        description="[0-1] Brand awareness stock at the start. Assumption.",
        json_schema_extra=_plausible(
            0.2, 0.4,
            "The start level of an established brand that spends 15 % on brand: below 0.2 buyers "
            "would hardly know the company; above 0.4 the baseline's brand spend (which holds "
            "about 0.29) could not keep it there, so inbound volume would fall with no lever "
            "changed.",
        ),
    )
    awareness_lag_weeks: int = Field(
        6, ge=0, le=52,
        description="[weeks] Delay before brand spend shows up in awareness. Assumption.",
        json_schema_extra=_plausible(
            2, 13,
            "Below 2 weeks brand spend would work as fast as direct response; above a quarter "
            "little of a year's brand spend would show within the year.",
        ),
    )
    awareness_decay_per_week: float = Field(
        0.08, ge=0, le=1,
        description="[1/week] Share of awareness forgotten each week. Assumption.",
        json_schema_extra=_plausible(
            0.04, 0.15,
            "Below 0.04 (half-life over four months) awareness would hardly move within a year "
            "and the default brand spend would lift it toward 0.45; above 0.15 (half-life under "
            "five weeks) buyers would forget the brand within a quarter of it going quiet.",
        ),
    )
    awareness_gain_per_week: float = Field(
        0.10, ge=0, le=1,
        description="[1/week] Awareness gained per week at full brand saturation. Assumption.",
        json_schema_extra=_plausible(
            0.05, 0.2,
            "With the default brand spend, below 0.05 awareness would settle near 0.17 and above "
            "0.2 near 0.46, both far from the start level (0.3) the company is in.",
        ),
    )
    brand_spend_half_saturation: float = Field(
        6000.0, gt=0, le=1e9,
        description="[currency/week] Brand spend that gives half the maximum awareness gain. "
        "Assumption.",
        json_schema_extra=_plausible(
            3000.0, 12000.0,
            "Below 3000 a week the baseline's brand spend (about 3100) would already be past half "
            "saturation; above 12000 even half the budget on brand (brand_heavy) would stay below "
            "it, so brand spend would show no diminishing returns within the levers' reach.",
        ),
    )
    awareness_volume_effect: float = Field(
        0.5, ge=0, le=10,
        description="[-] Relative rise in inbound volume per unit of awareness above the start "
        "level. Assumption; plausible 0.2-1.",
        json_schema_extra=_plausible(
            0.2, 1.0,
            "Below 0.2 awareness would barely move inbound volume and brand spend would have "
            "little to show; above 1 a brand every buyer knows would bring over 70 % more inbound "
            "leads from the same spend.",
        ),
    )
    awareness_quality_effect: float = Field(
        0.4, ge=0, le=10,
        description="[-] Relative rise of the quality Beta alpha per unit of awareness above the "
        "start level. Assumption.",
        json_schema_extra=_plausible(
            0.1, 0.8,
            "Below 0.1 buyers who know the brand would be no better leads than strangers; above "
            "0.8 full awareness would make every channel's leads about a third better, as large "
            "as the gap between paid search and webinars.",
        ),
    )
    business_hours_arrival_share: float = Field(
        0.7, ge=0, le=1,
        description="[0-1] Share of leads arriving during office hours, Mon-Fri 09:00-17:00 (the "
        "rest evenings and weekends), whatever hours sales works; 40/168 spreads arrivals evenly. "
        "Assumption chosen so the baseline lands near Oldroyd et al. 2011 response times.",
        json_schema_extra=_plausible(
            0.55, 0.85,
            "Below 0.55 nearly half of business buyers would write in evenings and weekends and "
            "overnight waits would dominate speed to lead (median wait about 4 h); above 0.85 "
            "buyers would hardly ever use the web forms outside office hours (median wait under "
            "1 h).",
        ),
    )
    nurture_return_prob: float = Field(
        0.25, ge=0, le=1,
        description="[0-1] Chance a lead sent to nurture comes back to be scored again. "
        "Assumption.",
        json_schema_extra=_plausible(
            0.1, 0.4,
            "Below 0.1 nurture would be a dead list that hands back almost nothing; above 0.4 it "
            "would bring back more of the leads below the MQL line than a nurture programme can "
            "re-engage.",
        ),
    )
    nurture_weeks_mean: float = Field(
        8.0, gt=0, le=520,
        description="[weeks] Mean time in nurture before return. Assumption.",
        json_schema_extra=_plausible(
            4.0, 26.0,
            "Below 4 weeks a nurture track would be one or two e-mails; above half a year the "
            "average lead would come back two quarters later, when most buyers have bought "
            "elsewhere or stopped looking.",
        ),
    )
    nurture_quality_gain: float = Field(
        0.05, ge=0, le=1,
        description="[0-1] Rise in latent quality of a lead after a spell in nurture. Assumption.",
        json_schema_extra=_plausible(
            0.0, 0.1,
            "Nurture may teach a buyer nothing (0); above 0.1 a spell of e-mails would lift a "
            "lead by over a third of the gap between the poorest and the best channel (0.17 to "
            "0.44).",
        ),
    )
    recycle_lost_prob: float = Field(
        0.2, ge=0, le=1,
        description="[0-1] Chance a lost opportunity goes back to nurture. Assumption.",
        json_schema_extra=_plausible(
            0.05, 0.4,
            "Below 0.05 marketing would write off almost every lost deal, though many B2B losses "
            "are 'not now'; above 0.4 it would keep nurturing buyers who chose a rival or decided "
            "not to buy.",
        ),
    )
    marketers: int = Field(
        4, ge=0, le=10000,
        description="[people] Marketing head count (meeting cost). Assumption.",
        json_schema_extra=_plausible(
            2, 8,
            "Marketers only cost their time (2400 a week each at the default hourly cost): below "
            "2 there is no team to meet sales; above 8 the team would cost about as much as the "
            "media budget it spends (about 21 000 a week).",
        ),
    )
    hourly_cost: float = Field(
        60.0, ge=0, le=1e5,
        description="[currency/hour] Loaded cost of a marketer hour. Assumption.",
        json_schema_extra=_plausible(
            40.0, 100.0,
            "Loaded cost of a marketer hour: below 40 is a junior wage without overhead; above "
            "100 a senior specialist's or an agency's rate.",
        ),
    )
    volume_elasticity: float = Field(
        0.6, gt=0, le=1,
        description="[-] Diminishing returns to direct-response spend: a channel's leads grow "
        "with (its spend share)^elasticity, so cost per lead rises with volume. Assumption; "
        "plausible 0.4-0.9 (media response curves are concave).",
        json_schema_extra=_plausible(
            0.4, 0.9,
            "Media response curves are concave: below 0.4 a channel would hardly grow whatever "
            "its budget; above 0.9 cost per lead would barely rise with volume and marketing "
            "could buy almost unlimited leads at the same price.",
        ),
    )
    budget_learning_rate: float = Field(
        0.25, ge=0, le=1,
        description="[0-1] How far marketing moves its channel mix toward what its KPI rewards at "
        "each review. Assumption.",
        json_schema_extra=_plausible(
            0.05, 0.5,
            "Reviewed every 4 weeks: below 0.05 the mix would take over a year to move halfway to "
            "what the KPI rewards, so the incentive would barely show; above 0.5 marketing would "
            "swing its budget on one month's noise.",
        ),
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
        json_schema_extra=_plausible(
            0.1, 0.25,
            "Below 0.1 an untaught score would already be nearly as good as sales' own look at a "
            "lead (0.06 with full context); above 0.25 it would exceed the spread of quality "
            "within a channel (sd 0.13-0.17) and be mostly noise.",
        ),
    )
    noise_floor: float = Field(
        0.04, ge=0, le=2,
        description="[quality units] Smallest scoring error feedback can teach. Assumption.",
        json_schema_extra=_plausible(
            0.02, 0.06,
            "Below 0.02 feedback could make marketing's score almost exact, better than sales "
            "judging a lead with full context (0.06); above 0.06 feedback could teach little "
            "beyond what the baseline already knows (its scoring error is about 0.069).",
        ),
    )
    prior_reports: float = Field(
        540.0, ge=0, le=1e7,
        description="[reports] What marketing has already learnt from sales when the run starts, "
        "in reported dispositions. Assumption: the baseline's steady state.",
        json_schema_extra=_plausible(
            270.0, 1080.0,
            "Half to twice the baseline's steady state (scoring error 0.096 to 0.047 at the start "
            "instead of 0.069): further from it, the measured year would mostly show the company "
            "drifting back to its steady state rather than the effect of its levers.",
        ),
    )
    knowledge_half_life_weeks: float = Field(
        52.0, gt=0, le=5200,
        description="[weeks] Half-life of what marketing learnt from feedback (markets move, "
        "people change jobs), so learning levels off where new reports replace forgotten ones. "
        "Assumption; plausible 26-156 weeks.",
        json_schema_extra=_plausible(
            26.0, 156.0,
            "Markets move and people change jobs: below half a year marketing would forget "
            "feedback before a year's campaigns could use it; above three years what it learnt "
            "would outlast most of the people who heard it.",
        ),
    )
    learning_reports: float = Field(
        400.0, gt=0, le=1e7,
        description="[reports] Number of reported dispositions that cut the learnable part of the "
        "scoring error by a factor e. Assumption.",
        json_schema_extra=_plausible(
            200.0, 800.0,
            "Below 200 the baseline's own feedback would already teach nearly all there is to "
            "learn (scoring error 0.047, near the floor), leaving closed-loop feedback nothing to "
            "add; above 800 the baseline would still score with an error of about 0.1, two thirds "
            "of an untaught one.",
        ),
    )
    definition_gap: float = Field(
        0.025, ge=0, le=1,
        description="[quality units] How much stricter sales' own bar is than marketing's MQL "
        "threshold when the teams never align. Assumption; Gartner finds ~44 % of MQLs accepted.",
        json_schema_extra=_plausible(
            0.01, 0.06,
            "Below 0.01 the two teams' definitions of a good lead would agree even in silos, "
            "leaving a shared definition nothing to fix; above 0.06 the alignment stages would "
            "move apart beyond the 1.2-2.0 evidence band of docs/model.md section 6 "
            "(integrated/undefined about 1.85 at 0.05, 2.2 at 0.08).",
        ),
    )
    sales_view_noise: float = Field(
        0.06, ge=0, le=2,
        description="[quality units] Sales' error judging a lead with full context. Assumption.",
        json_schema_extra=_plausible(
            0.03, 0.1,
            "Below 0.03 a look at the record would tell sales a buyer's chances almost exactly; "
            "above 0.1 sales' first look would be less accurate than marketing's own score after "
            "feedback (about 0.07).",
        ),
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
            1.0, 3.0,
            "1 keeps the same gap between all calls; above 3 the sixth attempt would come about "
            "ten days after the first (2, 6, 18, 54, 162 hours), close to the lead's expiry.",
        ),
    )
    review_hours: float = Field(
        0.1, ge=0, le=100,
        description="[hours] Rep time to look at a new MQL (read the record, check the company) "
        "before working or refusing it; ignored leads are never looked at. Assumption.",
        json_schema_extra=_plausible(
            0.05, 0.25,
            "Below 3 minutes a rep could not read the record; above 15 minutes the first look "
            "would turn into the research the discovery call is for.",
        ),
    )
    first_touch_hours: float = Field(
        0.35, gt=0, le=100,
        description="[hours] Mean (exponential) rep time of one contact attempt: call, voicemail, "
        "follow-up e-mail and CRM note. Assumption.",
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
            0.5, 2.0,
            "Below half an hour a discovery conversation would be a screening call; above two "
            "hours it would be a workshop, not a first conversation.",
        ),
    )
    lead_expiry_days: float = Field(
        14.0, gt=0, le=3650,
        description="[days] A lead waiting longer than this in the queue is dropped (leaked). "
        "Assumption.",
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
            0.05, 0.12,
            "Below 5 % of booked revenue commission would hardly steer a rep on base pay; above "
            "12 % the plan would be commission-heavy rather than base plus commission.",
        ),
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
        json_schema_extra=_plausible(
            2.0, 8.0,
            "Below 2 hours a week a leader could not settle the teams' disputes; above a day a "
            "week the leader would be running the teams rather than mediating between them.",
        ),
    )
    leader_hourly_cost: float = Field(
        150.0, ge=0, le=1e5,
        description="[currency/hour] Cost of a leader hour. Assumption.",
        json_schema_extra=_plausible(
            100.0, 250.0,
            "Loaded cost of a senior leader hour: below 100 it is a team manager's rate; above "
            "250 a board member's.",
        ),
    )
    understanding_initial: float = Field(
        0.58, ge=0, le=1,
        description="[0-1] Shared understanding of a good lead at the start (a formal shared "
        "definition adds 0.2). Assumption: the baseline's steady state.",
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
            0.005, 0.05,
            "Without contact understanding halves in about 35 weeks at the default: below 0.005 "
            "(over two and a half years) silos would do no harm within a run; above 0.05 (14 "
            "weeks) even monthly meetings would hold it below 0.4.",
        ),
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
        json_schema_extra=_plausible(
            0.1, 0.6,
            "At the baseline's feedback coverage (16 %) and scrutiny, below 0.1 a mispriced offer "
            "would close less than an eighth of its gap to fit in a year of reviews; above 0.6 it "
            "would close over half, from a small sample of dispositions.",
        ),
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
        json_schema_extra=_plausible(
            2.0, 4.0,
            "Below 2 a price above fit would earn as much as fit or more (at 1.5 a 20 % higher "
            "price earns about 3 % more), against seed article 004's prices set too high; above 4 "
            "a price 10 % above fit would lose about a sixth of revenue, 20 % above a third.",
        ),
    )
    underprice_elasticity: float = Field(
        0.5, ge=0, le=50,
        description="[-] Rise in win log-odds per unit of price index below fit: B2B buyers buy "
        "for need, so a cheaper offer wins only a little more and fit is the price that earns "
        "most. Assumption; plausible 0-1.",
        json_schema_extra=_plausible(
            0.0, 1.0,
            "0: a cheaper offer wins no more deals; above 1 a price cut would win enough extra "
            "deals that a price below fit would earn more than fit.",
        ),
    )
    max_discount: float = Field(
        0.25, ge=0, lt=1,
        description="[0-1] Largest discount a rep may give. Assumption.",
        json_schema_extra=_plausible(
            0.2, 0.35,
            "Below 0.2 the quota plan's usual discount and its quarter-end pull-in (0.08 + 0.12) "
            "would already hit the cap; above 0.35 reps could give away over a third of a deal.",
        ),
    )
    discount_win_effect: float = Field(
        3.0, ge=0, le=50,
        description="[-] Rise in win log-odds per unit of discount. Assumption.",
        json_schema_extra=_plausible(
            1.5, 5.0,
            "Below 1.5 a discount would cost more revenue than the extra deals it wins, so reps' "
            "discounting would make no sense; above 5 a 10 % discount would raise the win odds by "
            "two thirds.",
        ),
    )


class Trust(_Section):
    """Sales' trust in marketing leads, and the conflict between the teams."""

    initial: float = Field(
        0.88, ge=0, le=1,
        description="[0-1] Sales' trust in marketing leads at the start. Assumption: the "
        "baseline's steady state (docs/model.md section 3.1).",
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
            0.13, 0.2,
            "0.13 is the bottom of the 13-26 % benchmark band; above 0.2 sales would expect about "
            "what the baseline's leads deliver (about 21 % with ignored and refused leads "
            "counted), so every bad month would push trust toward the black hole.",
        ),
    )
    adjust_rate: float = Field(
        0.05, ge=0, le=1,
        description="[1/week] How fast trust follows experienced lead quality. Assumption.",
        json_schema_extra=_plausible(
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
        json_schema_extra=_plausible(
            0.15, 0.45,
            "Conflict moves a tenth of the way to its target each week, so its start matters "
            "mainly in the warm-up; the range brackets the baseline's steady state (0.28): calmer "
            "belongs to an aligned company, more hostile to one whose scorecards pull apart.",
        ),
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


def _fields(prefix: str = "", model: type[BaseModel] = Scenario
            ) -> Iterator[tuple[str, FieldInfo]]:
    """Every scalar key with its declared field, in declaration order, channels as ``*``."""
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _fields(key + ".", ann)
        elif name == "channels":
            yield from _fields(key + ".*.", Channel)
        else:
            yield key, field


@cache
def _field_index() -> dict[str, FieldInfo]:
    return dict(_fields())


def parameter_table() -> list[tuple[str, str, object, str]]:
    """Every scalar key as ``(dotted_key, unit, default, description)``, channels as ``*``.

    Used to write and check the parameter table of ``docs/model.md``.
    """
    rows: list[tuple[str, str, object, str]] = []
    for key, field in _fields():
        text = field.description or ""
        unit = text[1:text.index("]")] if text.startswith("[") else ""
        body = text[text.index("]") + 1:].strip() if text.startswith("[") else text
        default = field.get_default(call_default_factory=False)
        rows.append((key, unit, default, body))
    return rows


def plausible_range(key: str) -> Plausible | None:
    """The plausible range of the assumption parameter ``key`` (``"trust.adjust_rate"``).

    None for a key without one: a value with a published source, a policy lever, a flag or
    rule, a run setting, the team's head count or a channel key (``marketing.channels.NAME.x``
    or ``marketing.channels.*.x``). KeyError for a name that is not a scenario key.
    """
    parts = key.split(".")
    declared = key
    if len(parts) >= 4 and parts[:2] == ["marketing", "channels"]:
        declared = f"marketing.channels.*.{parts[-1]}"
    field = _field_index().get(declared)
    if field is None:
        raise KeyError(f"{key!r} is not a scenario key")
    extra = field.json_schema_extra
    spec = extra.get("plausible") if isinstance(extra, dict) else None
    if not isinstance(spec, dict):
        return None
    return Plausible(spec["low"], spec["high"], spec["why"],  # type: ignore[arg-type]
                     integer=field.annotation is int)


def assumption_ranges() -> dict[str, Plausible]:
    """Every assumption parameter with its plausible range, ``{dotted key: Plausible}``, in
    declaration order. Each key can be passed to :func:`sim.scenario.with_overrides`; a sampler
    draws within ``Plausible.bounds`` and rounds where ``Plausible.integer`` is set.
    """
    ranges = {key: plausible_range(key) for key in _field_index()}
    return {key: r for key, r in ranges.items() if r is not None}


def flatten_settings(scenario: Scenario) -> dict[str, Any]:
    """Every setting of a scenario as ``{dotted key: value}``, in declaration order
    (``marketing.channels.webinar.leads_per_week``).
    """
    out: dict[str, Any] = {}

    def walk(prefix: str, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            if isinstance(value, Mapping):
                walk(f"{prefix}{key}.", value)
            else:
                out[f"{prefix}{key}"] = value

    walk("", scenario.model_dump())
    return out


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()
"""Stands for a setting one scenario lacks (a channel the other one has)."""


def settings_diff(first: Scenario, other: Scenario,
                  skip: Sequence[str] = ()) -> list[tuple[str, Any, Any]]:
    """``(dotted key, value in first, value in other)`` for every setting that differs, in
    declaration order (keys only ``other`` has come last); a key only one of them has (a
    channel) has :data:`ABSENT` on the other side. Keys in ``skip`` are left out.

    The one comparison of two scenarios: the model uses it to refuse a mid-run change of a
    setting that fixes the run's shape, the report to list what a scenario changes.
    """
    a, b = flatten_settings(first), flatten_settings(other)
    keys = list(a) + [k for k in b if k not in a]
    return [(k, a.get(k, ABSENT), b.get(k, ABSENT)) for k in keys
            if k not in skip and a.get(k, ABSENT) != b.get(k, ABSENT)]
