"""Solution to notebook 04, exercise 2: balanced scrutiny with and without feedback.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/04_ex2.py`` in a notebook).
"""
from sim import load_scenario
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
comparison = compare([
    load_scenario("baseline", {"weeks": weeks}),
    load_scenario("balanced_scrutiny", {"weeks": weeks}),
    load_scenario("baseline",
                  {"weeks": weeks, "feedback.mode": "none", "name": "no feedback"}),
    load_scenario("balanced_scrutiny",
                  {"weeks": weeks, "feedback.mode": "none", "name": "scrutiny, no feedback"}),
], reps=reps, seed=seed)
for name, m in comparison.means().items():
    print(f"{name:22s} conflict {m['conflict_final']:.2f}  scoring error {m['scoring_noise_final']:.3f}"
          f"  MQL->SQL {m['mql_to_sql']:.1%}  revenue {m['revenue']:12,.0f}")
# Scrutiny lowers conflict either way, but marketing can only get better at scoring when
# dispositions flow back: with feedback scrutiny also lowers the scoring error, without feedback
# the error creeps up to the same level (about 0.10) with or without scrutiny.
