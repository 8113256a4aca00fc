"""Solution to notebook 04, exercise 1: how fast does trust move?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/04_ex1.py`` in a notebook).
"""
from sim import load_scenario, run
from sim.views.plots import trust_over_time

weeks, reps, seed = 52, 3, 1
runs = {}
for rate in [0.025, 0.05, 0.1]:
    scenario = load_scenario("undefined",
                             {"weeks": weeks, "trust.adjust_rate": rate})
    runs[f"adjust_rate {rate}"] = [run(scenario, seed=seed, replication=r) for r in range(reps)]
for name, results in runs.items():
    trust = sum(r.kpis["trust_final"] for r in results) / reps
    leakage = sum(r.kpis["leakage_rate"] for r in results) / reps
    print(f"{name:18s} trust at the end {trust:.2f}  leakage {leakage:.1%}")
# A slower rate delays the collapse but, with nothing changed in the company, trust still
# slides: the direction comes from the policies, the speed from the assumption.
fig = trust_over_time(runs)
fig  # noqa: B018 (shows the figure when loaded into a notebook)
