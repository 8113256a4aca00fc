"""Solution to notebook 01, exercise 1: batch handoff against real-time handoff.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/01_ex1.py`` in a notebook).
"""
from sim import load_scenario
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
comparison = compare([load_scenario("baseline", {"weeks": weeks}),
                      load_scenario("batch_handoff", {"weeks": weeks})],
                     reps=reps, seed=seed)
means = comparison.means()
diff = comparison.differences()["batch_handoff"]
for kpi in ["contacted_within_1h", "speed_to_lead_h_mean", "mql_to_sql", "revenue"]:
    low, high = diff[kpi]["ci95"]
    print(f"{kpi:22s} baseline {means['baseline'][kpi]:12,.3f}  batch {means['batch_handoff'][kpi]:12,.3f}"
          f"  diff 95% CI [{low:,.3f}, {high:,.3f}]")
# A daily batch means no MQL is attempted within the hour, so qualification odds have cooled
# before the first call: MQL->SQL and revenue fall.
