"""Compare pay plans: the baseline against individual commission and a shared revenue KPI.

A fair race runs every car on the same track in the same weather. ``compare`` runs every
scenario on the same simulated years (common random numbers): replication 3 of each scenario
rolls the same dice for the same leads, so the paired difference shows what the pay plan did,
not what luck did. A difference whose 95 % interval excludes zero is marked with a star.

    .venv/bin/python examples/compare_incentives.py
"""

from pathlib import Path

from sim import load_scenario
from sim.experiment import compare

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
NAMES = ("baseline", "commission_only", "shared_revenue_kpi")
KPIS = ("revenue", "profit", "mql_to_sql", "leakage_rate", "feedback_coverage", "trust_final")


def fmt(x: float) -> str:
    """A difference with its sign: whole numbers for money and counts, three decimals for shares."""
    return f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+.3f}"


scenarios = [load_scenario(SCENARIOS / f"{name}.yaml") for name in NAMES]
result = compare(scenarios, reps=5)  # 5 paired replications each; use 20 or more for decisions
means, diffs = result.means(), result.differences()

header = f"{'kpi':18s} {'baseline':>11s}" + "".join(f"  {'vs ' + n:<38s}" for n in NAMES[1:])
print(header.rstrip())
for kpi in KPIS:
    line = f"{kpi:18s} {fmt(means['baseline'][kpi]).lstrip('+'):>11s}"
    for name in NAMES[1:]:
        d = diffs[name][kpi]
        low, high = d["ci95"]
        star = "*" if low > 0 or high < 0 else " "
        line += f"  {fmt(d['mean']):>11s}{star} {f'[{fmt(low)}, {fmt(high)}]':<25s}"
    print(line.rstrip())
print("paired differences vs baseline with 95% intervals; * = interval excludes zero")
