"""Solution to notebook 01, exercise 3: cherry-picking the queue.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/01_ex3.py`` in a notebook).
"""
from sim import load_scenario, run
from sim.plots import speed_to_lead

weeks, seed = 52, 1
logs = {}
for team in [2, 1]:
    for name in ["baseline", "cherry_pick_queue"]:
        scenario = load_scenario(f"../scenarios/{name}.yaml",
                                 {"weeks": weeks, "sales.reps": team})
        result = run(scenario, seed=seed, event_log=True)
        k = result.kpis
        print(f"{team} rep(s) {name:18s} leakage {k['leakage_rate']:.1%}  "
              f"within 1 h {k['contacted_within_1h']:.1%}  revenue {k['revenue']:12,.0f}")
        if team == 2:
            logs[name] = result.event_log
# With 2 reps, the small-looking leads wait behind the big-looking ones and cool: revenue falls,
# because a big-looking lead is not always the best buyer. With a single overloaded rep the
# picture turns: first-in-first-out lets every lead cool in turn, while serving the best-scored
# leads first at least reaches those fresh. The rule's cost depends on how congested sales is.
fig = speed_to_lead(logs)
fig  # noqa: B018 (shows the figure when loaded into a notebook)
