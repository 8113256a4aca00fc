"""First run: one simulated year of the baseline company, and a look at the instruments.

Think of a flight simulator's first lesson: you do not touch the controls yet. You take off
with the standard settings, fly one year and read the dials: how many leads came in, how many
marketing passed to sales, how many sales qualified and won, and how many were never called.

    .venv/bin/python examples/first_run.py
"""

from pathlib import Path

from sim import load_scenario, run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

scenario = load_scenario(SCENARIOS / "baseline.yaml")
result = run(scenario, seed=1)  # one replication; same seed, same year

k = result.kpis
print(f"scenario {result.scenario}, {result.weeks:g} weeks, seed {result.seed}")
print(f"leads {k['leads']:,.0f} -> MQLs {k['mqls']:,.0f} -> SQLs {k['sqls']:,.0f} "
      f"-> won {k['won']:,.0f}")
print(f"revenue          {k['revenue']:>12,.0f}")
print(f"profit           {k['profit']:>12,.0f}")
print(f"lead -> MQL      {k['mql_rate']:>12.1%}")
print(f"MQL -> SQL       {k['mql_to_sql']:>12.1%}")
print(f"win rate         {k['win_rate']:>12.1%}")
print(f"never contacted  {k['leakage_rate']:>12.1%}  (leakage: ignored, rejected or expired)")
print(f"trust at the end {k['trust_final']:>12.2f}")
print("weekly ledger columns:", ", ".join(result.weekly.columns[:8]), "...")
