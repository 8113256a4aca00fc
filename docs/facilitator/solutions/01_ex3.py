"""Solution to notebook 01, exercise 3: cherry-picking the queue.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/01_ex3.py`` in a notebook).
"""
from sim import load_scenario, run
from sim.views.compare_plots import speed_to_lead

weeks, seed = 52, 1
logs = {}
for team in [2, 1]:
    for name in ["baseline", "cherry_pick_queue"]:
        scenario = load_scenario(name,
                                 {"weeks": weeks, "sales.reps": team})
        result = run(scenario, seed=seed, event_log=True)
        k = result.kpis
        print(f"{team} rep(s) {name:18s} leakage {k['leakage_rate']:.1%}  "
              f"within 1 h {k['contacted_within_1h']:.1%}  revenue {k['revenue']:12,.0f}")
        if team == 2:
            logs[name] = result.event_log
# With 2 reps, and even more with 1, serving the big-looking leads first earns far more than
# first-in-first-out: in an overloaded team first-in-first-out lets every lead cool in turn,
# while the cherry-picking rule at least reaches the most valuable ones fresh. The small leads
# pay for it (they wait and cool). With spare capacity the order hardly matters: the rule's
# effect is a question of how congested sales is.
fig = speed_to_lead(logs)
fig  # noqa: B018 (shows the figure when loaded into a notebook)
