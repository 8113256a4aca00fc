"""Solution to notebook 01, exercise 2: response-time buckets with two reps.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/01_ex2.py`` in a notebook).
"""
import pandas as pd

from sim import load_scenario, run

weeks, reps, seed = 52, 3, 1
for reps_in_team in [3, 2]:  # the baseline team, then one rep fewer
    scenario = load_scenario("baseline",
                             {"weeks": weeks, "sales.reps": reps_in_team})
    results = [run(scenario, seed=seed, replication=r, event_log=True) for r in range(reps)]
    mqls = pd.concat([r.event_log for r in results], ignore_index=True)
    mqls = mqls[mqls["became_mql_at"].notna()].copy()
    mqls["response_h"] = mqls["first_contact_at"] - mqls["became_mql_at"]
    mqls["bucket"] = pd.cut(mqls["response_h"], [0, 1, 24, float("inf")], include_lowest=True,
                            labels=["within 1 h", "1-24 h", "over 24 h"])
    mqls["qualified"] = mqls["became_sql_at"].notna()
    table = mqls.groupby("bucket", observed=False).agg(
        mqls=("qualified", "size"), qualified=("qualified", "mean"))
    fast = mqls.loc[mqls["response_h"] <= 1, "qualified"].mean()
    later = mqls.loc[mqls["response_h"] > 1, "qualified"].mean()
    revenue = sum(r.kpis["revenue"] for r in results) / reps
    print(f"--- {reps_in_team} reps: revenue {revenue:,.0f}")
    print(table.round(3).to_string())
    print(f"odds ratio within 1 h vs later: {(fast / (1 - fast)) / (later / (1 - later)):.1f}x\n")
# With two reps fewer MQLs land in the first bucket and more wait hours. The odds ratio itself
# stays of the same order (it is set by how fast leads cool), so the loss comes from moving
# leads into the slow buckets: fewer SQLs and less revenue.
