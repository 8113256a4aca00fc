"""Solution to notebook 00, exercise 3: undefined vs integrated with 20 replications.

The terminal command is
``python -m sim compare scenarios/undefined.yaml scenarios/integrated.yaml --reps 20``
(from the project folder). The same from Python, run from the notebooks folder
(``%load ../docs/facilitator/solutions/00_ex3.py`` in a notebook):
"""
from sim import load_scenario
from sim.experiment import compare

comparison = compare([load_scenario("undefined"),
                      load_scenario("integrated")], reps=20)
diff = comparison.differences()["integrated"]["revenue"]
low, high = diff["ci95"]
print(f"revenue integrated - undefined: {diff['mean']:,.0f}  95% CI [{low:,.0f}, {high:,.0f}]")
print("the interval excludes zero" if low > 0 or high < 0 else "the interval includes zero")
