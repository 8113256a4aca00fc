"""Solution to notebook 03, exercise 2: do CRM sharing and a shared lead definition add up?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/03_ex2.py`` in a notebook).
"""
from sim import load_scenario, with_overrides
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
baseline = load_scenario("baseline", {"weeks": weeks})
comparison = compare([
    baseline,
    load_scenario("crm_sharing", {"weeks": weeks}),
    load_scenario("shared_lead_definition", {"weeks": weeks}),
    with_overrides(baseline, {"name": "both", "communication.crm_sharing": 1.0,
                              "communication.shared_lead_definition": True}),
], reps=reps, seed=seed)
diffs = comparison.differences()
for name, diff in diffs.items():
    low, high = diff["revenue"]["ci95"]
    print(f"{name:24s} revenue {diff['revenue']['mean']:+12,.0f}  95% CI [{low:,.0f}, {high:,.0f}]")
alone = diffs["crm_sharing"]["revenue"]["mean"] + diffs["shared_lead_definition"]["revenue"]["mean"]
print(f"sum of the two alone {alone:+,.0f} vs both together {diffs['both']['revenue']['mean']:+,.0f}")
