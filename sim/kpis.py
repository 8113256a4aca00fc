"""The KPI names and what each one means: the public contract of every result (MODEL.md section 3).

A module of its own, with nothing but the two constants, so that the command line can offer the
names (``--kpi NAME``) without loading the model, numpy or pandas. :mod:`sim.metrics`, which
computes the KPIs, re-exports both.
"""

from __future__ import annotations

KPI_GLOSSARY: dict[str, str] = {
    "leads": "new marketing leads created",
    "mqls": "leads that became marketing-qualified (handoffs to sales, re-qualified leads count again)",
    "sals": "MQLs sales accepted to work",
    "sqls": "accepted leads that were reached and qualified",
    "opportunities": "opportunities opened, marketing-sourced and self-sourced",
    "won": "opportunities won (closed in the horizon)",
    "lost": "opportunities lost (closed in the horizon)",
    "revenue": "booked revenue of won deals, after discount",
    "marketing_cost": "media and brand spend plus marketing staff time",
    "sales_cost": "rep base pay plus commission",
    "meeting_cost": "senior leaders' time mediating conflict (joint meetings and training use "
                    "salaried hours already in sales_cost and marketing_cost: see meeting_hours)",
    "total_cost": "marketing_cost + sales_cost + meeting_cost",
    "profit": "revenue - total_cost",
    "roi": "profit / total_cost",
    "cac": "total_cost / won (cost to acquire one customer)",
    "mql_rate": "mqls / leads",
    "mql_to_sql": "sqls / mqls",
    "win_rate": "won / (won + lost)",
    "leakage_rate": "share of MQLs never contacted: ignored, rejected or expired without any attempt",
    "speed_to_lead_h_mean": "mean hours from MQL to the first contact attempt (attempted MQLs)",
    "speed_to_lead_h_median": "median hours from MQL to the first contact attempt",
    "contacted_within_1h": "share of MQLs with a first contact attempt within 1 hour",
    "cycle_time_days_mean": "mean days from opportunity to close",
    "trust_final": "sales' trust in marketing leads at the end (0-1)",
    "feedback_coverage": "share of sales dispositions that reached marketing",
    "marketing_sourced_revenue_share": "share of revenue from marketing leads",
    "mean_discount": "mean discount on won deals",
    "first_touch_wait_h_mean": "mean hours a lead waited in the sales queue before its first touch",
    "sales_queue_len_mean": "time-average number of leads waiting in the sales queue",
    "rep_utilization": "share of rep working hours (rota hours less meetings) spent on marketing "
                       "leads or on the prospecting planned beside them; the rest is idle (above "
                       "1 for an overloaded team whose calls run past closing time)",
    # additional KPIs
    "self_sourced_opportunities": "opportunities sales found by prospecting",
    "ignored": "MQLs sales never looked at (lead black hole)",
    "rejected": "MQLs sales reviewed and refused",
    "scoring_noise_final": "marketing's scoring error at the end (quality units)",
    "awareness_final": "brand awareness at the end (0-1)",
    "conflict_final": "conflict between the teams at the end (0-1)",
    "understanding_final": "shared understanding of a good lead at the end (0-1)",
    "price_index_final": "price index at the end (1 = market fit)",
    "pulled_in_deals": "deals pulled into a quarter end with extra discount",
    "experienced_mqls": "MQLs that count in the lead quality sales experiences: those it looked "
                        "at or ignored, and those it left to expire unworked",
    "meeting_hours": "person-hours of reps and marketers in joint meetings and training",
    "meeting_time_value": "pay for the hours in meetings and training (a part of sales_cost and "
                          "marketing_cost, not a cost of its own)",
}
KPI_NAMES: tuple[str, ...] = tuple(KPI_GLOSSARY)
