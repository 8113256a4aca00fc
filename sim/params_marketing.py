"""The marketing side of a scenario: its channels, marketing, lead scoring and pricing.

Each class is one section of :class:`~sim.params.Scenario` (``marketing:``, ``scoring:``,
``pricing:`` in a scenario file; :class:`Channel` is one entry of ``marketing.channels``). The
description of every field starts with its unit in square brackets and ends with its source, or
with "assumption"; assumptions carry a plausible range (:func:`~sim.params_base.plausible_extra`).
"""

from __future__ import annotations

from pydantic import Field

from sim.params_base import Section, plausible_extra


class Channel(Section):
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


class Marketing(Section):
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
            2, 13,
            "Below 2 weeks brand spend would work as fast as direct response; above a quarter "
            "little of a year's brand spend would show within the year.",
        ),
    )
    awareness_decay_per_week: float = Field(
        0.08, ge=0, le=1,
        description="[1/week] Share of awareness forgotten each week. Assumption.",
        json_schema_extra=plausible_extra(
            0.04, 0.15,
            "Below 0.04 (half-life over four months) awareness would hardly move within a year "
            "and the default brand spend would lift it toward 0.45; above 0.15 (half-life under "
            "five weeks) buyers would forget the brand within a quarter of it going quiet.",
        ),
    )
    awareness_gain_per_week: float = Field(
        0.10, ge=0, le=1,
        description="[1/week] Awareness gained per week at full brand saturation. Assumption.",
        json_schema_extra=plausible_extra(
            0.05, 0.2,
            "With the default brand spend, below 0.05 awareness would settle near 0.17 and above "
            "0.2 near 0.46, both far from the start level (0.3) the company is in.",
        ),
    )
    brand_spend_half_saturation: float = Field(
        6000.0, gt=0, le=1e9,
        description="[currency/week] Brand spend that gives half the maximum awareness gain. "
        "Assumption.",
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
            0.1, 0.4,
            "Below 0.1 nurture would be a dead list that hands back almost nothing; above 0.4 it "
            "would bring back more of the leads below the MQL line than a nurture programme can "
            "re-engage.",
        ),
    )
    nurture_weeks_mean: float = Field(
        8.0, gt=0, le=520,
        description="[weeks] Mean time in nurture before return. Assumption.",
        json_schema_extra=plausible_extra(
            4.0, 26.0,
            "Below 4 weeks a nurture track would be one or two e-mails; above half a year the "
            "average lead would come back two quarters later, when most buyers have bought "
            "elsewhere or stopped looking.",
        ),
    )
    nurture_quality_gain: float = Field(
        0.05, ge=0, le=1,
        description="[0-1] Rise in latent quality of a lead after a spell in nurture. Assumption.",
        json_schema_extra=plausible_extra(
            0.0, 0.1,
            "Nurture may teach a buyer nothing (0); above 0.1 a spell of e-mails would lift a "
            "lead by over a third of the gap between the poorest and the best channel (0.17 to "
            "0.44).",
        ),
    )
    recycle_lost_prob: float = Field(
        0.2, ge=0, le=1,
        description="[0-1] Chance a lost opportunity goes back to nurture. Assumption.",
        json_schema_extra=plausible_extra(
            0.05, 0.4,
            "Below 0.05 marketing would write off almost every lost deal, though many B2B losses "
            "are 'not now'; above 0.4 it would keep nurturing buyers who chose a rival or decided "
            "not to buy.",
        ),
    )
    marketers: int = Field(
        4, ge=0, le=10000,
        description="[people] Marketing head count (meeting cost). Assumption.",
        json_schema_extra=plausible_extra(
            2, 8,
            "Marketers only cost their time (2400 a week each at the default hourly cost): below "
            "2 there is no team to meet sales; above 8 the team would cost about as much as the "
            "media budget it spends (about 21 000 a week).",
        ),
    )
    hourly_cost: float = Field(
        60.0, ge=0, le=1e5,
        description="[currency/hour] Loaded cost of a marketer hour. Assumption.",
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
            0.05, 0.5,
            "Reviewed every 4 weeks: below 0.05 the mix would take over a year to move halfway to "
            "what the KPI rewards, so the incentive would barely show; above 0.5 marketing would "
            "swing its budget on one month's noise.",
        ),
    )


class Scoring(Section):
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
        json_schema_extra=plausible_extra(
            0.1, 0.25,
            "Below 0.1 an untaught score would already be nearly as good as sales' own look at a "
            "lead (0.06 with full context); above 0.25 it would exceed the spread of quality "
            "within a channel (sd 0.13-0.17) and be mostly noise.",
        ),
    )
    noise_floor: float = Field(
        0.04, ge=0, le=2,
        description="[quality units] Smallest scoring error feedback can teach. Assumption.",
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
            0.03, 0.1,
            "Below 0.03 a look at the record would tell sales a buyer's chances almost exactly; "
            "above 0.1 sales' first look would be less accurate than marketing's own score after "
            "feedback (about 0.07).",
        ),
    )




class Pricing(Section):
    """Price set by marketing against what the market values, and sales' discounting."""

    price_index: float = Field(
        1.0, gt=0, le=10,
        description="[-] List price relative to what the market values (1.0 = fit). Seed article "
        "004 ('marketing sets prices too high').",
    )
    price_elasticity: float = Field(
        2.5, ge=0, le=50,
        description="[-] Fall in win log-odds per unit of price index above fit. Assumption.",
        json_schema_extra=plausible_extra(
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
        json_schema_extra=plausible_extra(
            0.0, 1.0,
            "0: a cheaper offer wins no more deals; above 1 a price cut would win enough extra "
            "deals that a price below fit would earn more than fit.",
        ),
    )
    max_discount: float = Field(
        0.25, ge=0, lt=1,
        description="[0-1] Largest discount a rep may give. Assumption.",
        json_schema_extra=plausible_extra(
            0.2, 0.35,
            "Below 0.2 the quota plan's usual discount and its quarter-end pull-in (0.08 + 0.12) "
            "would already hit the cap; above 0.35 reps could give away over a third of a deal.",
        ),
    )
    discount_win_effect: float = Field(
        3.0, ge=0, le=50,
        description="[-] Rise in win log-odds per unit of discount. Assumption.",
        json_schema_extra=plausible_extra(
            1.5, 5.0,
            "Below 1.5 a discount would cost more revenue than the extra deals it wins, so reps' "
            "discounting would make no sense; above 5 a 10 % discount would raise the win odds by "
            "two thirds.",
        ),
    )
