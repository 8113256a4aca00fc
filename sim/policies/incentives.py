"""Incentives: what each team is measured and paid on, and how that shapes behaviour.

A scorecard works like a compass: each team walks toward whatever it is measured on. When
marketing is scored on MQL volume and sales on individual commission, the two compasses point
in different directions; a shared revenue KPI (``incentives.shared_kpi_weight``) turns both
needles toward the same north.

Each policy maps a setting to a small, frozen behaviour record that the model reads. The effect
sizes are assumptions unless a source is named.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class MarketingBehaviour:
    """How marketing acts under its KPI.

    ``threshold_shift`` is added to the MQL threshold; ``objective`` weights what marketing
    optimises its channel mix for (MQLs per currency unit, pipeline per currency unit, revenue
    per currency unit).
    """

    threshold_shift: float
    objective_mql: float
    objective_pipeline: float
    objective_revenue: float


@dataclass(frozen=True)
class SalesBehaviour:
    """How sales acts under its pay plan.

    ``acceptance_bar_shift`` raises sales' own bar (cherry-picking), ``prospecting_shift`` adds
    to the share of time on self-sourced deals, ``reporting`` is the chance a rep logs a
    disposition when asked, ``ignore_factor`` scales the lead black hole, ``base_discount`` is the
    usual discount, ``quarter_end_pull_in`` the extra discount given to pull next quarter's deals
    into this one (0 = no timing games), ``effort`` scales output, ``commission_factor`` scales
    commission cost.
    """

    acceptance_bar_shift: float
    prospecting_shift: float
    reporting: float
    ignore_factor: float
    base_discount: float
    quarter_end_pull_in: float
    effort: float
    commission_factor: float


def mql_volume() -> MarketingBehaviour:
    """Marketing paid for MQL volume lowers its threshold and buys the cheapest MQLs.

    Source: seed articles 000-004 (different KPIs); MODEL.md section 1 ("lower threshold, cheap
    channels"). The 0.06 threshold cut is an assumption (plausible 0.03-0.15).
    """
    return MarketingBehaviour(-0.06, 1.0, 0.0, 0.0)


def pipeline() -> MarketingBehaviour:
    """Marketing measured on pipeline keeps a slightly lower bar and buys SQLs/opportunities.

    Source: MODEL.md section 1. Effect size is an assumption.
    """
    return MarketingBehaviour(-0.03, 0.2, 0.8, 0.0)


def revenue() -> MarketingBehaviour:
    """Marketing measured on revenue keeps its bar and buys revenue, if sales tells it which
    leads closed (without feedback it can only see MQLs and steers by them).

    Source: seed articles 001, 002, 004 (shared goals). Effect size is an assumption.
    """
    return MarketingBehaviour(0.0, 0.0, 0.2, 0.8)


def individual_commission() -> SalesBehaviour:
    """Individual commission: reps cherry-pick the leads that look biggest, favour the deals they
    sourced themselves, log little feedback and let more marketing leads fall into the black hole.

    Source: MODEL.md section 1; Sabnis et al. 2013 (reps follow up leads selectively). Effect sizes
    are assumptions.
    """
    return SalesBehaviour(
        acceptance_bar_shift=0.02, prospecting_shift=0.05, reporting=0.3, ignore_factor=1.4,
        base_discount=0.06, quarter_end_pull_in=0.0, effort=1.0, commission_factor=1.0,
    )


def quota_accelerator() -> SalesBehaviour:
    """Quota with accelerator: at quarter end reps pull next quarter's deals forward with extra
    discount (timing games), and pay rises above quota.

    Source: Larkin 2014, timing games cost ~6-8 % of revenue; an extra 0.12 discount (never above
    ``pricing.max_discount``) on deals due within six weeks of a quarter end lands the baseline at
    about 6.5 % (``tests/validity/test_stylized_facts.py``). Quota reps are as selective and
    prospect as much as the team's own defaults (``sales.acceptance_bar``,
    ``sales.prospecting_share``): a quota counts every deal alike. Other effect sizes are
    assumptions.
    """
    return SalesBehaviour(
        acceptance_bar_shift=0.0, prospecting_shift=0.0, reporting=0.5, ignore_factor=1.0,
        base_discount=0.08, quarter_end_pull_in=0.12, effort=1.0, commission_factor=1.2,
    )


def team_shared() -> SalesBehaviour:
    """Team-shared pay: reps work the leads they are given, log dispositions and help each other.

    Source: Friebel, Heinz, Krueger & Zubanov, AER 2017: a team bonus raised output ~3 % over *no*
    bonus. The model's other plans are bonuses too, so against them team pay gets a third of that
    (``effort=1.01``; assumption, plausible 1.00-1.03). Its larger gain over the quota plan is the
    timing games it does not play (Larkin 2014). Other effect sizes are assumptions.
    """
    return SalesBehaviour(
        acceptance_bar_shift=0.0, prospecting_shift=0.0, reporting=0.7, ignore_factor=0.9,
        base_discount=0.07, quarter_end_pull_in=0.0, effort=1.01, commission_factor=0.9,
    )


MARKETING_KPIS = {"mql_volume": mql_volume, "pipeline": pipeline, "revenue": revenue}
SALES_COMP = {
    "individual_commission": individual_commission,
    "quota_accelerator": quota_accelerator,
    "team_shared": team_shared,
}


def _blend(own, shared, weight: float):
    values = {
        f.name: (1 - weight) * getattr(own, f.name) + weight * getattr(shared, f.name)
        for f in fields(own)
    }
    return replace(own, **values)


def marketing_behaviour(kpi: str, shared_kpi_weight: float) -> MarketingBehaviour:
    """Marketing's behaviour under ``kpi``, blended toward the revenue KPI by the shared weight."""
    return _blend(MARKETING_KPIS[kpi](), revenue(), shared_kpi_weight)


def sales_behaviour(comp: str, shared_kpi_weight: float) -> SalesBehaviour:
    """Sales' behaviour under ``comp``, blended toward team-shared pay by the shared weight."""
    return _blend(SALES_COMP[comp](), team_shared(), shared_kpi_weight)


def kpi_misalignment(kpi: str, comp: str, shared_kpi_weight: float) -> float:
    """How far apart the two scorecards point, 0 (same goal) to 1 (opposite pulls).

    Volume vs. individual commission is the widest gap; a shared KPI closes it. Assumption.
    """
    marketing_gap = {"mql_volume": 1.0, "pipeline": 0.5, "revenue": 0.1}[kpi]
    sales_gap = {"individual_commission": 1.0, "quota_accelerator": 0.6, "team_shared": 0.1}[comp]
    return (1 - shared_kpi_weight) * 0.5 * (marketing_gap + sales_gap)
