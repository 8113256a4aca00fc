"""Solution to notebook 02, exercise 3: the price of quarter ends.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/02_ex3.py`` in a notebook).
"""
from sim import KPI_GLOSSARY, load_scenario
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
comparison = compare([load_scenario("baseline", {"weeks": weeks}),
                      load_scenario("team_selling", {"weeks": weeks})],
                     reps=reps, seed=seed)
for kpi in ["mean_discount", "pulled_in_deals"]:
    print(f"{kpi}: {KPI_GLOSSARY[kpi]}")
for name, m in comparison.means().items():
    given_away = m["revenue"] * m["mean_discount"] / (1 - m["mean_discount"])
    print(f"{name:13s} discount {m['mean_discount']:.1%}  pulled-in deals {m['pulled_in_deals']:5.1f}"
          f"  revenue {m['revenue']:12,.0f}  roughly given away in discounts {given_away:10,.0f}")
# The quota with accelerator gives away far more in discounts, mostly on deals pulled into
# quarter ends that would have closed anyway a few weeks later (Larkin 2014).
