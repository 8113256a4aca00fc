"""Solution to notebook 03, exercise 3: when does senior leadership pay?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/03_ex3.py`` in a notebook).
"""
from sim import load_scenario, with_overrides
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
tense = load_scenario("baseline",
                      {"weeks": weeks, "trust.conflict_initial": 0.8, "name": "high conflict"})
comparison = compare([tense, with_overrides(tense, {"name": "high conflict + leadership",
                                                    "communication.leadership": 1.0})],
                     reps=reps, seed=seed)
for name, m in comparison.means().items():
    print(f"{name:28s} conflict {m['conflict_final']:.2f}  leaders' time {m['meeting_cost']:9,.0f}"
          f"  profit {m['profit']:12,.0f}")
diff = comparison.differences()["high conflict + leadership"]["profit"]
print(f"profit difference {diff['mean']:+,.0f}  95% CI [{diff['ci95'][0]:,.0f}, {diff['ci95'][1]:,.0f}]")
# Even from a high start, conflict settles back near the baseline's level within the year with or
# without a leader (0.28 against 0.27), so leadership buys little and costs its leader hours
# (31,200 a year): the profit interval includes zero. Its effect sizes are assumptions
# (docs/model.md section 6); try communication.leader_hourly_cost or trust.conflict_initial 0.95
# before concluding that leadership does not pay.
