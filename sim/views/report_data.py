"""What a report shows, computed once: every scenario's replications and their summaries.

The report's page (:mod:`sim.views.report`) is written from one :class:`ReportData`, the way a
newspaper is typeset from the reporters' notes: :func:`simulate` runs each replication once,
with the seed and replication numbers that :func:`sim.experiment.replicate` uses, and keeps the
KPI tables, the weekly ledgers, the speed-to-lead hours, the means with their 95 % intervals,
the paired differences from the first scenario and the revenue bridge from the first scenario to
each other one (:func:`sim.bridge.revenue_bridge` of their mean KPIs: its steps add up to the
difference in mean revenue, which is the mean paired difference). Nothing in this module writes
HTML::

    from sim import load_scenario
    from sim.views.report_data import simulate

    data = simulate([load_scenario("undefined"), load_scenario("integrated")], reps=10)
    data.differences["integrated"]["revenue"]["ci95"]
    data.bridges["integrated"].largest(2)   # the two links that moved revenue most
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.bridge import Bridge, revenue_bridge
from sim.experiment import Comparison, summarise, unique_names
from sim.model import run
from sim.params import Scenario
from sim.views.compare_plots import speed_to_lead_hours


@dataclass
class ReportData:
    """Everything the report shows, from one pass over the replications.

    ``tables`` has one row per replication and one column per KPI (as
    :func:`sim.experiment.replicate`); ``weekly`` holds each replication's weekly ledger;
    ``speed_hours`` the MQL-to-first-contact hours pooled over replications (``inf`` for MQLs
    never contacted); ``differences`` the paired differences from the first scenario and
    ``bridges`` the revenue bridge from the first scenario to each other one (both empty with
    one scenario).
    """

    names: list[str]
    scenarios: list[Scenario]
    seed: int
    reps: int
    tables: dict[str, pd.DataFrame]
    weekly: dict[str, list[pd.DataFrame]]
    speed_hours: dict[str, np.ndarray]
    means: dict[str, dict[str, float]]
    ci: dict[str, dict[str, list[float]] | None]
    differences: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    seconds: float = 0.0
    bridges: dict[str, Bridge] = field(default_factory=dict)

    @property
    def reps_text(self) -> str:
        """How many replications each scenario ran, in words ("10 replications")."""
        return f"{self.reps} replication{'s' if self.reps != 1 else ''}"


def simulate(scenarios: Sequence[Scenario], reps: int = 10, seed: int | None = None) -> ReportData:
    """Run ``reps`` replications of every scenario with common random numbers (the seed of the
    first scenario unless ``seed`` is given) and collect what the report shows.
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("a report needs at least one scenario")
    if int(reps) < 1:
        raise ValueError("reps must be at least 1")
    reps = int(reps)
    seed = scenarios[0].seed if seed is None else int(seed)
    started = time.perf_counter()
    names = unique_names([s.name for s in scenarios])
    tables: dict[str, pd.DataFrame] = {}
    weekly: dict[str, list[pd.DataFrame]] = {}
    speed: dict[str, np.ndarray] = {}
    for name, scenario in zip(names, scenarios, strict=True):
        rows, frames, hours = [], [], []
        for r in range(reps):
            result = run(scenario, seed=seed, replication=r, event_log=True)
            rows.append({"replication": r, **result.kpis})
            frames.append(result.weekly)
            hours.append(speed_to_lead_hours(result.event_log, uncontacted=True))
        tables[name] = pd.DataFrame(rows).set_index("replication")
        weekly[name] = frames
        speed[name] = np.concatenate(hours)
    means: dict[str, dict[str, float]] = {}
    ci: dict[str, dict[str, list[float]] | None] = {}
    for name, table in tables.items():
        means[name], ci[name] = summarise(table)
    differences = Comparison(names, tables).differences() if len(names) > 1 else {}
    bridges = {name: revenue_bridge(means[names[0]], means[name]) for name in names[1:]}
    return ReportData(names, scenarios, seed, reps, tables, weekly, speed, means, ci,
                      differences, time.perf_counter() - started, bridges)


__all__ = ["ReportData", "simulate"]
