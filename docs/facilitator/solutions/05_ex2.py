"""Solution to notebook 05, exercise 2: how much of the step from defined to aligned does one
lever explain?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/05_ex2.py`` in a notebook).
Start from your own stage's scenario if it is not ``defined``.
"""
from sim import load_scenario, with_overrides
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
defined = load_scenario("defined", {"weeks": weeks})
comparison = compare([
    defined,
    with_overrides(defined, {"name": "defined + closed loop", "feedback.mode": "closed_loop"}),
    with_overrides(defined, {"name": "defined + shared goal 0.5", "incentives.marketing_kpi": "revenue",
                             "incentives.shared_kpi_weight": 0.5}),
    with_overrides(defined, {"name": "defined + fortnightly meetings",
                             "communication.meeting_every_weeks": 2}),
    load_scenario("aligned", {"weeks": weeks}),
], reps=reps, seed=seed)
diffs = comparison.differences()
whole = diffs["aligned"]["revenue"]["mean"]
for name, diff in diffs.items():
    print(f"{name:32s} revenue {diff['revenue']['mean']:+12,.0f}  "
          f"= {diff['revenue']['mean'] / whole:6.0%} of the whole step")
