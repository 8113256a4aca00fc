"""Solution to notebook 00, exercise 2: the same scenario with another seed.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/00_ex2.py`` in a notebook).
"""
from sim import load_scenario, run

baseline = load_scenario("baseline")
one, two = run(baseline, seed=1).kpis, run(baseline, seed=2).kpis
for kpi in ["leads", "mqls", "sqls", "won", "revenue", "leakage_rate"]:
    change = (two[kpi] - one[kpi]) / one[kpi]
    print(f"{kpi:13s} seed 1 {one[kpi]:14,.3f}   seed 2 {two[kpi]:14,.3f}   change {change:+.1%}")
# Every number moves, some by more than 10 per cent (won deals are counted in tens, so a few
# deals more or less shows). One run is one roll of the dice, so compare uses several
# replications and an interval to separate a policy's effect from luck.
