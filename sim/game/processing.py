"""Processing a round: every team's company simulated on the same luck, and the results written.

Like the umpire's count at the end of an innings, processing turns the envelopes into numbers
in four steps. :func:`plan_round` works out each team's company quarter by quarter (the choices
in force in each scored round so far, each quarter's taking effect at its start; the
reference's aligned choices throughout). :func:`simulate_round` runs each distinct company once
per replication, all on the game's seed (common random numbers): the played world is
replication 0, and a scored round is replayed ``luck_reps`` times with other luck, the same for
every team. :func:`round_tables` turns the runs into one result row per team, their weekly
ledgers and the replays' scores, and :func:`write_round` files them under ``results/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from sim.game.envelopes import Mailbox, carried
from sim.game.luck import LUCK_COLUMNS
from sim.game.rules import ALL_LEVERS, REFERENCE, ROLES, Round, Rules
from sim.game.storage import write_csv, write_yaml
from sim.model import run
from sim.parallel import Executor, RunSpec, make_executor, run_all
from sim.params import Scenario
from sim.scenario import get_value

ROUND_FLOWS = ("leads", "mqls", "sals", "sqls", "opportunities")
"""Funnel counts of the round itself, summed over its weeks of the ledger."""
CUMULATIVE = ("revenue", "profit", "won", "total_cost", "marketing_cost", "sales_cost",
              "meeting_cost")
"""Money and wins, kept to date and also for the round alone (to date less the last round's)."""


def _simulate(spec: RunSpec) -> tuple[dict[str, float], pd.DataFrame | None]:
    """One company of a round's processing: its KPIs and, for the played world (replication
    0), its weekly ledger. The replays' ledgers are not kept, so they are not sent back from
    the worker either. Module level, so that a process pool can be handed it.
    """
    result = run(spec.scenario, seed=spec.seed, replication=spec.replication,
                 changes=spec.changes)
    return result.kpis, (result.weekly if spec.replication == 0 else None)


@dataclass
class RoundPlan:
    """What a round's processing simulates: each team's scenario for every quarter so far."""

    index: int
    round: Round
    weeks: int
    scenarios: dict[str, list[Scenario]]
    """Per team (and the reference), one scenario per quarter of the timeline."""
    autos: dict[str, dict[str, bool]]
    """Per team and role, whether this round's choices were carried over."""
    problems: list[str]
    """This round's envelopes that did not count."""
    replications: range

    @property
    def teams(self) -> list[str]:
        """The teams and the reference, in the rules card's order."""
        return list(self.scenarios)


def plan_round(rules: Rules, mailbox: Mailbox, index: int, now: datetime | None) -> RoundPlan:
    """The companies round ``index`` simulates, from the envelopes of every round so far.

    A scored round runs from the first scored quarter to this one; a practice round runs one
    quarter on its own and is not replayed.
    """
    rnd = rules.round(index)
    found = [mailbox.envelopes(i) for i in range(index)] + [mailbox.envelopes(index, now)]
    timeline = [r for r in rules.rounds[: index + 1] if not r.practice] if not rnd.practice \
        else [rnd]
    weeks = rules.weeks_per_round * len(timeline)
    scenarios: dict[str, list[Scenario]] = {}
    autos: dict[str, dict[str, bool]] = {}
    for team in [*rules.teams, REFERENCE]:
        if team == REFERENCE:
            plan = [rules.reference_choices for _ in timeline]
            autos[team] = dict.fromkeys(ROLES, False)
        else:
            plan = [carried(team, found[: r.index + 1])[0] for r in timeline]
            autos[team] = carried(team, found)[1]
        scenarios[team] = [rules.scenario_for(c, r, weeks)
                           for c, r in zip(plan, timeline, strict=True)]
    replications = range(1 + (0 if rnd.practice else rules.luck_reps))
    return RoundPlan(index, rnd, weeks, scenarios, autos, found[index].problems, replications)


def simulate_round(rules: Rules, plan: RoundPlan, executor: Executor | None
                   ) -> tuple[dict[str, int], dict[tuple[int, int], Any]]:
    """Run every distinct company of ``plan`` in every replication, on ``executor`` (default:
    a process pool with one worker per core). Returns each team's company number and the
    runs, by company and replication.

    Teams are the same company when every quarter's scenario is the same, whatever envelopes
    led there (a lever posted at the company's own value changes nothing): the same company on
    the same random numbers gives the same result, so it is simulated once.
    """
    same = {team: tuple(s.model_dump_json() for s in plan.scenarios[team]) for team in plan.teams}
    companies = list(dict.fromkeys(same.values()))
    first_team = {key: next(t for t in plan.teams if same[t] == key) for key in companies}
    company = rules.company(plan.weeks)
    specs = []
    for i, key in enumerate(companies):
        # Every team inherits the same company: its warm-up runs under the company's own
        # settings, and each quarter's choices (the first one's too) apply at its start.
        changes = {k * rules.weeks_per_round: s
                   for k, s in enumerate(plan.scenarios[first_team[key]])}
        specs += [RunSpec(company, rules.seed, r, {"company": i}, changes)
                  for r in plan.replications]
    own = executor is None
    executor = executor or make_executor(jobs=len(specs))
    try:
        outputs = run_all(specs, executor, fn=_simulate)
    finally:
        if own:
            executor.close()
    simulated = {(spec.labels["company"], spec.replication): out
                 for spec, out in zip(specs, outputs, strict=True)}
    return {team: companies.index(same[team]) for team in plan.teams}, simulated


def round_tables(rules: Rules, plan: RoundPlan, previous: dict[str, dict[str, float]],
                 company_of: dict[str, int], simulated: dict[tuple[int, int], Any]
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The round's result table, the weekly ledgers and the replays' scores, from the runs."""
    rows, weekly, luck = [], [], []
    for team in plan.teams:
        kpis, ledger = simulated[(company_of[team], 0)]
        base = previous.get(team, {}) if not plan.round.practice else {}
        rows.append(_result_row(rules, plan, team, kpis, ledger, base))
        weekly.append(ledger.assign(team=team, round=plan.index))
        for r in plan.replications:
            replay = simulated[(company_of[team], r)][0]
            luck.append({"round": plan.index, "team": team, "replication": r,
                         "revenue_to_date": float(replay["revenue"]),
                         "profit_to_date": float(replay["profit"])})
    return (pd.DataFrame(rows), pd.concat(weekly, ignore_index=True),
            pd.DataFrame(luck, columns=LUCK_COLUMNS))


def _result_row(rules: Rules, plan: RoundPlan, team: str, kpis: dict[str, float],
                ledger: pd.DataFrame, base: dict[str, float]) -> dict[str, Any]:
    """One team's row of the round's results: the round's funnel, money for the round and to
    date (``base`` holds the last scored round's totals), trust, and the levers in force.
    """
    first_week = plan.weeks - rules.weeks_per_round
    this_round = ledger[ledger["week"] > first_week]
    row: dict[str, Any] = {"round": plan.index, "round_name": plan.round.name,
                           "practice": plan.round.practice, "team": team}
    for name in ROUND_FLOWS:
        row[name] = float(this_round[name].sum())
    for name in CUMULATIVE:
        total = float(kpis[name])
        row[f"{name}_to_date"] = total
        row[name] = total - base.get(f"{name}_to_date", 0.0)
    row["bookings"] = row["revenue"]
    row["trust"] = float(ledger["trust"].iloc[-1])
    row["mql_to_sql"] = row["sqls"] / row["mqls"] if row["mqls"] else float("nan")
    row["auto_marketing"] = plan.autos[team]["marketing"]
    row["auto_sales"] = plan.autos[team]["sales"]
    last = plan.scenarios[team][-1]
    for key in ALL_LEVERS:
        row[key] = get_value(last, key)
    row["incentives.shared_kpi_weight"] = last.incentives.shared_kpi_weight
    return row


def write_round(rules: Rules, plan: RoundPlan, table: pd.DataFrame, weekly: pd.DataFrame,
                luck: pd.DataFrame) -> None:
    """File a processed round's results under ``results/`` (the replays for a scored round)."""
    results = rules.folder / "results"
    index = plan.index
    write_csv(results / f"weekly-{index:02d}.csv", weekly)
    if not plan.round.practice:
        write_csv(results / f"luck-{index:02d}.csv", luck)
    write_csv(results / f"round-{index:02d}.csv", table)
    write_yaml(results / f"problems-{index:02d}.yaml", {"problems": plan.problems})
