"""Solution to notebook 03, exercise 1: how often should the teams meet?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/03_ex1.py`` in a notebook).
"""
from sim import load_scenario
from sim.sweep import sweep

weeks, reps, seed = 52, 3, 1
table = sweep(load_scenario("baseline", {"weeks": weeks}),
              {"communication.meeting_every_weeks": [0, 1, 2, 4, 8]}, reps=reps, seed=seed)
summary = table.groupby("communication.meeting_every_weeks")[
    ["meeting_time_value", "revenue", "profit", "understanding_final"]].mean()
print(summary.round(2).to_string())
print("profit peaks at meetings every", summary["profit"].idxmax(), "weeks (0 = never)")
# Meeting cost grows with frequency but stays small next to the revenue that shared
# understanding protects; silos (0) are the worst choice.
