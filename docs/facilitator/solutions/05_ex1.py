"""Solution to notebook 05, exercise 1: which single answer moves a team up a stage?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/05_ex1.py`` in a notebook).
Replace the example answers with your own.
"""
from sim.assessment import KEYS, assess

answers = {"shared_goals": 2, "meetings": 3, "lead_definition": 3, "feedback": 2,
           "crm": 3, "roles": 3, "leadership": 2, "no_blame": 2}
now = assess(answers)
print(f"now: {now.stage} (mean answer {now.mean:.2f})")
for key in KEYS:
    if answers[key] < 5:
        better = assess({**answers, key: answers[key] + 1})
        change = "moves up to " + better.stage if better.stage != now.stage else "no change"
        print(f"  {key:16s} {answers[key]} -> {answers[key] + 1}: {change}")
# With the example answers (mean 2.50, defined) no single point is enough: the mean must reach
# 3.0, which takes four more points in total, and the lead-definition answer must stay at 3+.
