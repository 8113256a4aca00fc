"""Solution to notebook 02, exercise 2: volume KPI and individual commission together.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/02_ex2.py`` in a notebook).
"""
from sim import load_scenario, with_overrides
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
baseline = load_scenario("baseline", {"weeks": weeks})
comparison = compare([
    baseline,
    load_scenario("volume_kpi", {"weeks": weeks}),
    load_scenario("commission_only", {"weeks": weeks}),
    with_overrides(baseline, {"name": "both", "incentives.marketing_kpi": "mql_volume",
                              "incentives.sales_comp": "individual_commission"}),
], reps=reps, seed=seed)
diffs = comparison.differences()
for kpi in ["revenue", "leakage_rate", "trust_final"]:
    alone = diffs["volume_kpi"][kpi]["mean"] + diffs["commission_only"][kpi]["mean"]
    print(f"{kpi:13s} sum of the two levers alone {alone:+14,.3f}   both together "
          f"{diffs['both'][kpi]['mean']:+14,.3f}")
# Compare the two columns: where "both" is worse than the sum, the levers reinforce each other
# (poor MQLs lower trust, low trust means more leads ignored under commission).
