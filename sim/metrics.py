"""Metrics: what the company's dashboard would show, collected while the model runs.

The collector is the company's accountant: it never decides anything, it only writes down what
happened (counters, sums, a weekly ledger and, on request, one line per lead). Every KPI counts
events that happen after the warm-up period.

The KPI names are a public contract (MODEL.md section 3); :data:`KPI_NAMES` lists them and
:data:`KPI_GLOSSARY` defines each one.
"""

from __future__ import annotations

import csv
import math
from array import array
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from sim.kpis import KPI_GLOSSARY, KPI_NAMES  # noqa: F401 - re-exported: the public names

if TYPE_CHECKING:  # pandas loads when a table is made: a run that only wants KPIs needs none
    import pandas as pd

FINAL_STATES = ("nurture_exit", "ignored", "rejected", "expired", "unreached", "disqualified",
                "no_opportunity", "won", "lost")
IN_FLIGHT_STATES = ("nurturing", "handoff", "queued", "working", "retry_wait", "opportunity")
JOURNEY_STATES = ("recycled",)
"""Event-log rows for a journey that ended lost and went back to nurture; the same lead has a
later row with its final or in-flight state."""
NEVER_CONTACTED = ("ignored", "rejected", "expired")

class EventRow(NamedTuple):
    """One row of the event log: a lead's journey, with its final or in-flight state (times
    in simulated hours, NaN where the lead never got there).
    """

    lead_id: int
    channel: str
    created_at: float
    became_mql_at: float
    first_contact_at: float
    reached_at: float
    became_sal_at: float
    became_sql_at: float
    opportunity_at: float
    closed_at: float
    won: bool
    amount: float
    discount: float
    attempts: int
    quality: float
    score: float
    final_state: str


EVENT_LOG_COLUMNS: tuple[str, ...] = EventRow._fields


class EventLog:
    """One row per lead at its final state (or at the horizon, if still in flight).

    ``target`` None: off. ``True``: kept in memory, returned as a DataFrame. A path: streamed to a
    CSV file in chunks, so a million leads cost a few megabytes of memory.
    """

    CHUNK = 20000

    def __init__(self, target: bool | str | Path | None):
        self.enabled = bool(target)
        self.path = Path(target) if isinstance(target, str | Path) else None
        self._rows: list[tuple] = []
        self._writer = None
        self._file = None
        self.count = 0
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = self.path.with_name(f".{self.path.name}.partial")
            self._file = open(self._tmp, "w", newline="", encoding="utf-8")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            self._writer.writerow(EVENT_LOG_COLUMNS)

    def add(self, row: tuple) -> None:
        """Log one lead's row (written to the file in chunks when logging to a file)."""
        self._rows.append(row)
        self.count += 1
        if self._writer is not None and len(self._rows) >= self.CHUNK:
            self._flush()

    def extend(self, rows: list[tuple]) -> None:
        """Log several rows at once."""
        self._rows.extend(rows)
        self.count += len(rows)
        if self._writer is not None and len(self._rows) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        self._writer.writerows(self._rows)
        self._rows.clear()

    def close(self) -> pd.DataFrame | Path | None:
        """The finished log: a DataFrame in memory, the CSV file's path, or None when off."""
        if not self.enabled:
            return None
        if self._writer is not None:
            self._flush()
            self._file.close()
            self._tmp.replace(self.path)
            return self.path
        import pandas as pd

        return pd.DataFrame(self._rows, columns=list(EVENT_LOG_COLUMNS))


class Collector:
    """Counters and sums for the KPIs, the weekly ledger and per-lead state counts."""

    def __init__(self, warmup_hours: float):
        self.warmup = warmup_hours
        self.on = warmup_hours <= 0
        self.total: Counter[str] = Counter()  # everything, from time 0 (weekly ledger)
        self._at_warmup: Counter[str] = Counter()
        self._adjust: Counter[str] = Counter()
        self.speed = array("d")
        self.states: Counter[str] = Counter()
        self.weekly: list[dict[str, Any]] = []
        self.queue_area_at_warmup = 0.0
        self.busy_at_warmup = 0.0

    # -- counting: one dict increment on the hot path; warm-up is handled by a snapshot
    def count(self, name: str, n: float = 1) -> None:
        """Count an event happening now."""
        self.total[name] += n

    def add(self, name: str, amount: float) -> None:
        """Add an amount (revenue, cost, hours) accruing now."""
        self.total[name] += amount

    def count_batch(self, name: str, n_total: float, n_counted: float) -> None:
        """Count a batch booked now of which only ``n_counted`` belongs after the warm-up (leads
        created ahead of time in the weekly batch, or a loss traced to an MQL before warm-up).
        """
        self.total[name] += n_total
        if self.on:
            self._adjust[name] -= n_total - n_counted
        else:
            self._adjust[name] += n_counted

    def end_warmup(self) -> None:
        """Open the books: from now on counts are measured; what the warm-up counted is set aside."""
        self.on = True
        self._at_warmup = Counter(self.total)

    @property
    def measured(self) -> Counter[str]:
        """Counts and sums over the measured weeks (after the warm-up)."""
        out = Counter(self.total)
        out.subtract(self._at_warmup if self.on else self.total)  # nothing counts before it ends
        out.update(self._adjust)
        return out

    def record_first_touch(self, speed_hours: float, wait_hours: float) -> None:
        """A first contact attempt: hours since the lead became an MQL, and since it joined the
        sales queue.
        """
        total = self.total
        if speed_hours <= 1.0:
            total["within_1h"] += 1
        total["first_touches"] += 1
        total["first_touch_wait"] += wait_hours
        if self.on:
            self.speed.append(speed_hours)

    # -- final figures
    def kpis(self, final: dict[str, float], horizon_hours: float, queue_area: float,
             available_rep_hours: float, busy_hours: float) -> dict[str, float]:
        """Every KPI of the run, from the measured counts, the hours and the final state ``final``."""
        c = self.measured
        speed = np.frombuffer(self.speed, dtype=np.float64)
        span = horizon_hours - self.warmup

        def ratio(a: float, b: float) -> float:
            return a / b if b else math.nan

        total_cost = c["marketing_cost"] + c["sales_cost"] + c["meeting_cost"]
        revenue = c["revenue"]
        out = {
            "leads": c["leads"],
            "mqls": c["mqls"],
            "sals": c["sals"],
            "sqls": c["sqls"],
            "opportunities": c["opportunities"],
            "won": c["won"],
            "lost": c["lost"],
            "revenue": revenue,
            "marketing_cost": c["marketing_cost"],
            "sales_cost": c["sales_cost"],
            "meeting_cost": c["meeting_cost"],
            "total_cost": total_cost,
            "profit": revenue - total_cost,
            "roi": ratio(revenue - total_cost, total_cost),
            "cac": ratio(total_cost, c["won"]),
            "mql_rate": ratio(c["mqls"], c["leads"]),
            "mql_to_sql": ratio(c["sqls"], c["mqls"]),
            "win_rate": ratio(c["won"], c["won"] + c["lost"]),
            "leakage_rate": ratio(c["never_contacted"], c["mqls"]),
            "speed_to_lead_h_mean": float(speed.mean()) if speed.size else math.nan,
            # np.median selects in linear time; sorting would make long runs superlinear
            "speed_to_lead_h_median": float(np.median(speed)) if speed.size else math.nan,
            "contacted_within_1h": ratio(c["within_1h"], c["mqls"]),
            "cycle_time_days_mean": ratio(c["cycle_days"], c["closed"]),
            "trust_final": final["trust"],
            "feedback_coverage": ratio(c["reported"], c["dispositions"]),
            "marketing_sourced_revenue_share": ratio(c["marketing_revenue"], revenue),
            "mean_discount": ratio(c["discount"], c["won"]),
            "first_touch_wait_h_mean": ratio(c["first_touch_wait"], c["first_touches"]),
            "sales_queue_len_mean": ratio(queue_area - self.queue_area_at_warmup, span),
            "rep_utilization": ratio(busy_hours - self.busy_at_warmup, available_rep_hours),
            "self_sourced_opportunities": c["self_sourced_opportunities"],
            "ignored": c["ignored"],
            "rejected": c["rejected"],
            "scoring_noise_final": final["scoring_noise"],
            "awareness_final": final["awareness"],
            "conflict_final": final["conflict"],
            "understanding_final": final["understanding"],
            "price_index_final": final["price_index"],
            "pulled_in_deals": c["pulled_in_deals"],
            "experienced_mqls": c["experienced_mqls"],
            "meeting_hours": c["meeting_hours"],
            "meeting_time_value": c["meeting_time_value"],
        }
        return {k: float(v) for k, v in out.items()}

    def weekly_frame(self) -> pd.DataFrame:
        """The weekly ledger as a DataFrame, one row per measured week."""
        import pandas as pd

        return pd.DataFrame(self.weekly)
