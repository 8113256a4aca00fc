"""Presentation: how every KPI and lever is named, measured and written for people.

This is the style guide of the whole kit. The notebooks, the dashboards, the scenario lab and the
report all ask it how to write a number, so "revenue" reads "€5,354,175" everywhere, a share
reads "48.5 %" and its difference "+3.2 pp", and no chart or table shows a code name such as
``contacted_within_1h`` where a person expects "MQLs contacted within 1 hour".

* :data:`KPI_LABELS` gives every KPI of :data:`sim.metrics.KPI_NAMES` a human label, a unit and a
  format kind (:data:`FORMAT_KINDS`); the definitions stay in :data:`sim.metrics.KPI_GLOSSARY`.
* :func:`format_value` writes one value (``signed=True`` for a difference), :func:`format_interval`
  a 95 % interval (whether it leaves zero out is :func:`sim.experiment.excludes_zero`).
* :func:`lever_label`, :func:`lever_group` and :func:`lever_help` name the levers of
  :mod:`sim.params` from the parameter table, for sliders and the scenario lab's lever list.
* the colours of scenarios and teams are in :mod:`sim.views.palette`.

The currency symbol is a setting (:func:`set_currency`, or ``currency=`` on each call)::

    from sim.views.labels import format_value, set_currency
    format_value("revenue", 3219597.093)                  # '€3,219,597'
    format_value("revenue", 126690.3, signed=True)        # '+€126,690'
    set_currency("$")
    format_value("cac", 21466.2)                          # '$21,466'
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from sim.experiment import excludes_zero
from sim.metrics import KPI_GLOSSARY, KPI_NAMES

MINUS = "\u2212"
"""The minus sign written before negative values (typographic minus, not a hyphen)."""

FORMAT_KINDS: dict[str, str] = {
    "currency": "money, whole units with thousands separators: €3,219,597",
    "count": "a number of leads, deals or the like, as a whole number: 3,027",
    "number": "a quantity with one decimal: 2.4",
    "share": "a share of a whole, in per cent (its differences in percentage points): 48.5 %",
    "hours": "a duration in hours, in minutes below one hour: 1.4 h, 12 min",
    "days": "a duration in days: 45.2 days",
    "level": "a level on a 0-1 scale, two decimals: 0.89",
    "index": "an index where 1 is the reference, two decimals: 1.30",
    "precise": "a small model quantity, three decimals: 0.069",
}
"""Every format kind of :data:`KPI_LABELS`, with what it looks like."""

KPI_LABELS: dict[str, tuple[str, str, str]] = {
    # kpi: (label, unit, format kind)
    "leads": ("Leads", "leads", "count"),
    "mqls": ("MQLs (marketing-qualified leads)", "MQLs", "count"),
    "sals": ("SALs (MQLs sales accepted)", "SALs", "count"),
    "sqls": ("SQLs (sales-qualified leads)", "SQLs", "count"),
    "opportunities": ("Opportunities", "opportunities", "count"),
    "won": ("Deals won", "deals", "count"),
    "lost": ("Deals lost", "deals", "count"),
    "revenue": ("Revenue", "currency", "currency"),
    "marketing_cost": ("Marketing cost", "currency", "currency"),
    "sales_cost": ("Sales cost", "currency", "currency"),
    "meeting_cost": ("Leadership mediation cost", "currency", "currency"),
    "total_cost": ("Total cost", "currency", "currency"),
    "profit": ("Profit", "currency", "currency"),
    "roi": ("Return on cost (ROI)", "%", "share"),
    "cac": ("Cost per customer won (CAC)", "currency", "currency"),
    "mql_rate": ("Leads that became MQLs", "%", "share"),
    "mql_to_sql": ("MQL → SQL conversion", "%", "share"),
    "win_rate": ("Win rate", "%", "share"),
    "leakage_rate": ("MQLs never contacted", "%", "share"),
    "speed_to_lead_h_mean": ("Mean time to first contact", "hours", "hours"),
    "speed_to_lead_h_median": ("Median time to first contact", "hours", "hours"),
    "contacted_within_1h": ("MQLs contacted within 1 hour", "%", "share"),
    "cycle_time_days_mean": ("Mean sales cycle", "days", "days"),
    "trust_final": ("Sales' trust in marketing leads (end)", "0-1", "level"),
    "feedback_coverage": ("Sales feedback that reached marketing", "%", "share"),
    "marketing_sourced_revenue_share": ("Revenue from marketing leads", "%", "share"),
    "mean_discount": ("Mean discount", "%", "share"),
    "first_touch_wait_h_mean": ("Mean wait in the sales queue", "hours", "hours"),
    "sales_queue_len_mean": ("Leads waiting in the sales queue (mean)", "leads", "number"),
    "rep_utilization": ("Rep utilisation", "%", "share"),
    "self_sourced_opportunities": ("Opportunities sales found itself", "opportunities", "count"),
    "ignored": ("MQLs ignored (lead black hole)", "MQLs", "count"),
    "rejected": ("MQLs rejected by sales", "MQLs", "count"),
    "scoring_noise_final": ("Marketing's scoring error (end)", "quality units", "precise"),
    "awareness_final": ("Brand awareness (end)", "0-1", "level"),
    "conflict_final": ("Conflict between the teams (end)", "0-1", "level"),
    "understanding_final": ("Shared understanding of a good lead (end)", "0-1", "level"),
    "price_index_final": ("Price index (end)", "1 = market fit", "index"),
    "pulled_in_deals": ("Deals pulled into a quarter end", "deals", "count"),
    "experienced_mqls": ("MQLs sales experienced", "MQLs", "count"),
    "meeting_hours": ("Hours in joint meetings and training", "person-hours", "count"),
    "meeting_time_value": ("Pay for meeting and training hours", "currency", "currency"),
}
"""``{kpi: (label, unit, format kind)}`` for every KPI in :data:`sim.metrics.KPI_NAMES`."""

SERIES_SHORT: dict[str, str] = {
    "trust": "trust", "conflict": "conflict", "understanding": "shared understanding",
    "awareness": "brand awareness", "ignore_probability": "chance an MQL is ignored",
    "scoring_noise": "scoring error", "price_index": "price index", "revenue": "revenue",
}
"""Short names of the weekly columns, for legends and titles that name several."""

SERIES_LABELS: dict[str, tuple[str, str]] = {
    # weekly ledger column: (label, format kind)
    "revenue": ("Revenue", "currency"),
    "trust": ("Sales' trust in marketing leads", "level"),
    "conflict": ("Conflict between the teams", "level"),
    "understanding": ("Shared understanding of a good lead", "level"),
    "awareness": ("Brand awareness", "level"),
    "ignore_probability": ("Chance sales ignores an MQL", "share"),
    "scoring_noise": ("Marketing's scoring error", "precise"),
    "price_index": ("Price index (1 = market fit)", "index"),
}
"""Labels of the weekly columns the charts draw over time."""

LEAD_STATES: dict[str, str] = {
    "nurture_exit": "Left nurture, never good enough for sales", "won": "Won", "lost": "Lost",
    "ignored": "Ignored by sales (lead black hole)", "rejected": "Rejected by sales",
    "expired": "Expired in the queue, never attempted", "unreached": "Never reached",
    "disqualified": "Reached, then disqualified", "no_opportunity": "Qualified, no opportunity",
    "nurturing": "Still in nurture", "handoff": "Being handed to sales",
    "queued": "Waiting in the sales queue", "working": "Being worked by a rep",
    "retry_wait": "Waiting for the next call attempt", "opportunity": "Open opportunity",
    "recycled": "Lost, back in nurture (a journey)",
}
"""Where a lead ended, in words: every state of the event log's ``final_state``
(:data:`sim.metrics.FINAL_STATES`, the in-flight and the journey states)."""

_currency = "€"


def set_currency(symbol: str) -> None:
    """Write money with ``symbol`` from now on (``"€"`` by default; ``"$"``, ``"CHF "`` …)."""
    global _currency
    _currency = str(symbol)


def currency() -> str:
    """The currency symbol in use."""
    return _currency


def is_finite(value: Any) -> bool:
    """Whether ``value`` is a finite number (not none, text, NaN or infinite)."""
    try:
        return value is not None and not isinstance(value, str) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def number(value: Any, missing: float = math.nan) -> float:
    """``value`` as a float, or ``missing`` when it is none, text or not finite."""
    return float(value) if is_finite(value) else missing


def kind_of(kpi: str) -> str:
    """The format kind of a KPI or weekly column (``"number"`` for an unknown name)."""
    if kpi in KPI_LABELS:
        return KPI_LABELS[kpi][2]
    if kpi in SERIES_LABELS:
        return SERIES_LABELS[kpi][1]
    return "number"


def is_share(kpi: str) -> bool:
    """Whether a KPI is a share (shown in %, differences in percentage points)."""
    return kind_of(kpi) == "share"


def kpi_label(kpi: str, width: int | None = None) -> str:
    """The human label of a KPI ("MQL → SQL conversion"); a weekly column's label; an unknown
    name with its underscores as spaces. Wrapped to ``width`` characters when given.
    """
    if kpi in KPI_LABELS:
        text = KPI_LABELS[kpi][0]
    elif kpi in SERIES_LABELS:
        text = SERIES_LABELS[kpi][0]
    else:
        text = str(kpi).replace("_", " ")
        text = text[:1].upper() + text[1:]
    return textwrap.fill(text, width) if width else text


def lower_first(text: str) -> str:
    """A label in running text or a table row: ``"Revenue"`` -> ``"revenue"``, acronyms kept
    (``"MQL → SQL conversion"`` stays).
    """
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def kpi_unit(kpi: str) -> str:
    """The unit of a KPI (``"%"``, ``"hours"``, ``"MQLs"``; the currency symbol for money)."""
    if kpi not in KPI_LABELS:
        return ""
    unit = KPI_LABELS[kpi][1]
    return _currency.strip() if unit == "currency" else unit


def kpi_definition(kpi: str) -> str:
    """The definition of a KPI from :data:`sim.metrics.KPI_GLOSSARY` (empty if unknown)."""
    return KPI_GLOSSARY.get(kpi, "")


def _sign(v: float, signed: bool) -> str:
    if v < 0:
        return MINUS
    return "+" if signed and v > 0 else ""


def _grouped(v: float, decimals: int) -> str:
    return f"{abs(v):,.{decimals}f}"


def _compact(v: float, trim: bool = False, floor: float = 1e4) -> str | None:
    a = abs(v)
    for size, unit, suffix in ((1e9, 1e9, " bn"), (1e6, 1e6, " m"), (floor, 1e3, " k")):
        if a >= size:
            scaled = a / unit
            text = f"{scaled:.{2 if scaled < 10 else 1 if scaled < 100 else 0}f}"
            if trim and "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return None


def format_tick(kpi: str, value: Any) -> str:
    """An axis tick of a KPI: short and without trailing zeros (``€2.5 m``, ``€500 k``)."""
    if not is_finite(value):
        return ""
    v = float(value)
    if kind_of(kpi) == "currency":
        short = _compact(v, trim=True)
        return f"{_sign(v, False)}{_currency}{short or _grouped(v, 0)}"
    short = _compact(v, trim=True)
    return f"{_sign(v, False)}{short}" if short else f"{v:,.10g}".replace("-", MINUS)


def _share(v: float, sign: str, signed: bool) -> str:
    pct = v * 100
    decimals = 1 if abs(pct) < 1000 else 0
    if signed:  # a difference of shares is in percentage points
        return f"{_sign(pct, True) if round(pct, 1) else '±'}{abs(pct):.{decimals}f} pp"
    return f"{sign}{abs(pct):.{decimals}f} %"


def _money(v: float, sign: str, compact: bool, symbol: str) -> str:
    short = _compact(v, floor=1e3) if compact else None  # one scale for chart labels
    return f"{sign}{symbol}{short or _grouped(v, 0)}"


def _count(v: float, sign: str, compact: bool) -> str:
    short = _compact(v) if compact else None
    if short:
        return sign + short
    whole = abs(v) >= 10 or float(v).is_integer()
    return sign + _grouped(v, 0 if whole else 1)


def _duration_hours(v: float, sign: str, signed: bool) -> str:
    a = abs(v)
    if a < 1:
        minutes = a * 60
        if 0 < minutes < 0.5:
            return f"{sign}under 1 min" if not signed else f"{sign}{minutes:.1f} min"
        return f"{sign}{minutes:.0f} min"
    return f"{sign}{a:,.{1 if a < 100 else 0}f} h"


def _plain_quantity(v: float, sign: str, compact: bool) -> str:
    short = _compact(v) if compact else None
    if short:
        return sign + short
    a = abs(v)
    return sign + (_grouped(v, 0) if a >= 1000 else f"{a:,.1f}" if a >= 1 else f"{a:.3g}")


_FIXED_DECIMALS = {"level": 2, "index": 2, "precise": 3}
"""Format kinds written with a fixed number of decimals (and no thousands separators)."""


def format_value(kpi: str, value: Any, signed: bool = False, *, compact: bool = False,
                 currency: str | None = None) -> str:
    """A KPI value as people read it, by the KPI's format kind (:data:`FORMAT_KINDS`).

    ``signed`` writes a difference: always with a sign, shares in percentage points (pp).
    ``compact`` shortens large numbers for chart labels (``€3.22 m``, ``12.6 k``).
    ``currency`` overrides the symbol of :func:`set_currency` for this call. Undefined values
    (none, NaN, a ratio with nothing to divide by) are a dash.
    """
    return format_as(kind_of(kpi), value, signed, compact=compact, currency=currency)


def format_as(kind: str, value: Any, signed: bool = False, *, compact: bool = False,
              currency: str | None = None) -> str:
    """A number that is no KPI written as a format kind of :data:`FORMAT_KINDS` (``"share"``:
    ``"48.5 %"``), the arguments as for :func:`format_value`.
    """
    if kind not in FORMAT_KINDS:
        raise ValueError(f"unknown format kind {kind!r}; valid: {', '.join(FORMAT_KINDS)}")
    if not is_finite(value):
        return "–"
    text = _written(kind, float(value), signed, compact, currency)
    if signed and not any(digit in text for digit in "123456789"):
        # a difference too small to show at this precision reads ±0.00, not +0.00 or −€0
        text = "±" + text.lstrip("+" + MINUS + "±")
    return text


def _written(kind: str, v: float, signed: bool, compact: bool, currency: str | None) -> str:
    """``v`` written as a ``kind`` (see :func:`format_as`)."""
    if kind == "share":
        return _share(v, _sign(v, signed), signed)
    sign = ("±" if signed else "") if v == 0 else _sign(v, signed)
    if kind == "currency":
        return _money(v, sign, compact, _currency if currency is None else currency)
    if kind == "count":
        return _count(v, sign, compact)
    if kind == "hours":
        return _duration_hours(v, sign, signed)
    if kind == "days":
        return f"{sign}{abs(v):,.1f} days"
    if kind in _FIXED_DECIMALS:
        return f"{sign}{abs(v):.{_FIXED_DECIMALS[kind]}f}"
    return _plain_quantity(v, sign, compact)


def format_interval(kpi: str, low: Any, high: Any, signed: bool = True, *,
                    compact: bool = False) -> str:
    """A 95 % interval as ``"−€167,321 to +€420,701"`` (``signed`` as for a difference, the
    default); empty when either end is undefined.
    """
    if not (is_finite(low) and is_finite(high)):
        return ""
    lo, hi = sorted((float(low), float(high)))
    return (f"{format_value(kpi, lo, signed, compact=compact)} to "
            f"{format_value(kpi, hi, signed, compact=compact)}")


def describe_difference(kpi: str, mean: Any, interval: Any, *, reference: Any = None) -> str:
    """A paired difference in words: "Revenue is higher by €2,446,898 (+55 %), 95 % interval
    +€1,942,770 to +€2,951,027: clearly more than luck." ``reference`` (the first scenario's
    mean) adds the relative change for money and counts.
    """
    label = kpi_label(kpi)
    if not is_finite(mean):
        return f"{label}: no difference can be computed."
    m = float(mean)
    size = format_value(kpi, abs(m))
    direction = "higher" if m > 0 else "lower" if m < 0 else "the same"
    if is_share(kpi):
        size = format_value(kpi, abs(m), signed=True).lstrip("+")
    text = f"{label} is {direction}" + (f" by {size}" if m else "")
    if is_finite(reference) and float(reference) > 0 and kind_of(kpi) in ("currency", "count") \
            and m:
        text += f" ({m / float(reference):+.0%})".replace("%", " %").replace("-", MINUS)
    if interval is None or not all(is_finite(v) for v in (interval or (None,))):
        return text + "; one replication gives no interval, so run more to judge it."
    low, high = interval
    text += f", 95 % interval {format_interval(kpi, low, high)}"
    if excludes_zero(interval):
        return text + ": clearly more than luck."
    return text + ": the interval includes zero, so this could be luck."


# ------------------------------------------------------------------------------ levers
LEVER_GROUPS: dict[str, str] = {
    "marketing": "Marketing",
    "scoring": "Marketing",
    "sales": "Sales",
    "pricing": "Sales",
    "communication": "Communication",
    "feedback": "Feedback",
    "trust": "Feedback",
    "incentives": "Incentives",
}
"""The group each section of the scenario is shown under in lever lists."""

GROUP_ORDER: tuple[str, ...] = ("Incentives", "Communication", "Feedback", "Sales", "Marketing",
                                "Run")

LEVER_LABELS: dict[str, str] = {
    "incentives.marketing_kpi": "What marketing is measured on",
    "incentives.sales_comp": "How sales is paid",
    "incentives.shared_kpi_weight": "Weight of a shared revenue goal",
    "incentives.scrutiny_balance": "Sales scrutiny of marketing leads",
    "communication.meeting_every_weeks": "Joint meeting every … weeks (0 = never)",
    "communication.crm_sharing": "Lead context shared through the CRM",
    "communication.sla_hours": "Response-time rule (SLA)",
    "communication.shared_lead_definition": "Shared written lead definition",
    "communication.handoff": "How leads are handed to sales",
    "communication.meeting_hours": "Length of a joint meeting",
    "communication.joint_training_days": "Joint training days per quarter",
    "communication.role_clarity": "Clarity of roles",
    "communication.leadership": "Senior leadership mediates conflict",
    "feedback.mode": "Feedback from sales to marketing",
    "feedback.period_weeks": "Periodic feedback every … weeks",
    "feedback.periodic_sample": "Share of dispositions reviewed periodically",
    "sales.reps": "Sales reps",
    "sales.business_hours": "Reps work office hours only",
    "sales.hours_per_week": "Working hours per rep and week",
    "sales.prioritisation": "Order in which reps work leads",
    "sales.max_attempts": "Contact attempts per lead",
    "sales.lead_expiry_days": "Days before an unworked lead expires",
    "sales.prospecting_share": "Share of rep time spent prospecting",
    "sales.cold_calling": "Reps cold-call",
    "sales.acceptance_bar": "Sales' bar for accepting a lead",
    "sales.commission_rate": "Commission rate",
    "sales.cost_per_rep_week": "Cost of a rep per week",
    "pricing.price_index": "Price (1 = market fit)",
    "pricing.max_discount": "Largest discount allowed",
    "marketing.brand_share": "Share of budget on brand",
    "marketing.marketers": "Marketers",
    "scoring.mql_threshold": "Score a lead needs to become an MQL",
    "trust.initial": "Sales' trust in marketing leads at the start",
    "weeks": "Weeks simulated",
    "warmup_weeks": "Warm-up weeks left out",
    "seed": "Random seed",
}
"""Labels written for the levers people reach for first; every other lever's label is derived
from its key."""

FIRST_LEVER = "incentives.shared_kpi_weight"
"""The lever a lever list opens on: the shared goal, the lever most managers ask about."""

_WORDS = {"mql": "MQL", "sql": "SQL", "sla": "SLA", "crm": "CRM", "kpi": "KPI", "h": "(hours)",
          "prob": "probability"}


def _humanise(name: str) -> str:
    words = [_WORDS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def lever_table_key(key: str) -> str:
    """``marketing.channels.webinar.cost_per_lead`` -> ``marketing.channels.*.cost_per_lead``,
    the key of the parameter table.
    """
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["marketing", "channels"]:
        return f"marketing.channels.*.{parts[3]}"
    return key


def _table() -> dict[str, tuple[str, str]]:
    from sim.params import parameter_table

    return {k: (unit, text) for k, unit, _default, text in parameter_table()}


_TABLE: dict[str, tuple[str, str]] | None = None


def _row(key: str) -> tuple[str, str]:
    global _TABLE
    if _TABLE is None:
        _TABLE = _table()
    return _TABLE.get(lever_table_key(key), ("", ""))


def lever_unit(key: str) -> str:
    """The unit of a lever as the parameter table states it (``"leads/week"``, ``"0-1"``)."""
    return _row(key)[0]


def lever_help(key: str) -> str:
    """The description of a lever from the parameter table (``docs/model.md``)."""
    return _row(key)[1]


def lever_label(key: str) -> str:
    """A lever's human label: "Sales reps", "Webinar: leads per week"."""
    if key in LEVER_LABELS:
        return LEVER_LABELS[key]
    parts = key.split(".")
    if len(parts) == 4 and parts[:2] == ["marketing", "channels"]:
        return f"{_humanise(parts[2])} channel: {_humanise(parts[3]).lower()}"
    return _humanise(parts[-1])


def lever_group(key: str) -> str:
    """The group a lever is listed under: Incentives, Communication, Feedback, Sales (with
    pricing), Marketing (with scoring) or Run.
    """
    return LEVER_GROUPS.get(key.split(".")[0], "Run")


def lever_option(key: str) -> str:
    """The text of a lever in a lever list: ``"Sales · Sales reps [reps]"``."""
    unit = lever_unit(key)
    shown_unit = _currency.strip() if unit == "currency" else unit.replace("currency", _currency)
    tail = (f" [{shown_unit}]" if shown_unit and shown_unit not in ("-", "flag", "choice", "rule")
            else "")
    return f"{lever_group(key)} · {lever_label(key)}{tail}"


def grouped_levers(keys: Iterable[str]) -> list[str]:
    """``keys`` ordered by group (:data:`GROUP_ORDER`), the written labels first within each."""
    keys = list(keys)
    order = {g: i for i, g in enumerate(GROUP_ORDER)}
    position = {k: i for i, k in enumerate(keys)}
    written = {k: i for i, k in enumerate(LEVER_LABELS)}
    return sorted(keys, key=lambda k: (order.get(lever_group(k), len(order)),
                                       written.get(k, len(written)), position[k]))


def plain_number(value: float | None) -> str:
    """A number for a plain-text table where its unit is in the header: whole thousands with
    separators, one decimal from 10, three below; ``-`` when missing.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.3f}"


def format_setting(key: str, value: Any) -> str:
    """A lever's value as people read it: ``0.5``, ``3 reps``-like numbers, yes/no, none."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("_", " ")


def _change(key: str, value: Any) -> str:
    return f"{lever_label(key).split(' (')[0].lower()} {format_setting(key, value)}"


def describe_changes(changes: Mapping[str, Any]) -> str:
    """Changes in words: ``"price 1.1, sales reps 4"``."""
    return ", ".join(_change(k, v) for k, v in changes.items())


def change_label(base_name: str, changes: Mapping[str, Any], limit: int = 2) -> str:
    """A changed company named by what changed: ``"baseline + price 1.1"``, ``"baseline + sales
    reps 4 + 1 more"``; the base name alone without changes.
    """
    if not changes:
        return base_name
    parts = [_change(k, v) for k, v in list(changes.items())[:limit]]
    more = len(changes) - limit
    return f"{base_name} + " + " + ".join(parts) + (f" + {more} more" if more > 0 else "")


def _check() -> None:
    missing = [k for k in KPI_NAMES if k not in KPI_LABELS]
    unknown = [k for k in KPI_LABELS if k not in KPI_GLOSSARY]
    kinds = {v[2] for v in KPI_LABELS.values()} - set(FORMAT_KINDS)
    if missing or unknown or kinds:  # pragma: no cover - a development error
        raise RuntimeError(f"KPI_LABELS out of step: missing {missing}, unknown {unknown}, "
                           f"kinds {sorted(kinds)}")


_check()

__all__ = [
    "FIRST_LEVER", "FORMAT_KINDS", "GROUP_ORDER", "KPI_LABELS", "LEAD_STATES", "LEVER_GROUPS",
    "LEVER_LABELS", "MINUS", "SERIES_LABELS", "SERIES_SHORT", "change_label", "currency",
    "describe_changes", "describe_difference", "format_as",
    "format_interval", "format_setting", "format_tick", "format_value",
    "grouped_levers", "is_finite", "is_share", "kind_of", "kpi_definition", "kpi_label",
    "kpi_unit", "lever_group", "lever_help", "lever_label", "lever_option", "lever_table_key",
    "lever_unit", "lower_first", "number", "plain_number", "set_currency",
]
