"""Solution to notebook 00, exercise 1: which funnel stage loses the most leads?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/00_ex1.py`` in a notebook).
"""
from sim import KPI_GLOSSARY, load_scenario, run

result = run(load_scenario("baseline"), seed=1)
k = result.kpis
stages = ["leads", "mqls", "sals", "sqls", "opportunities", "won"]
for before, after in zip(stages, stages[1:], strict=False):
    lost = k[before] - k[after]
    print(f"{before:>13s} -> {after:13s} keeps {k[after] / k[before]:6.1%}, loses {lost:8,.0f}")
# Most leads are lost before they become MQLs (they go to nurture), but the costliest loss is
# between MQL and SAL: leads marketing paid for and sales never works. Its KPI is leakage_rate.
print(f"\nleakage_rate = {k['leakage_rate']:.1%}: {KPI_GLOSSARY['leakage_rate']}")
