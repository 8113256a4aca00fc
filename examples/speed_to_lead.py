"""Speed to lead: how the chance of qualifying a lead falls with the time it waits.

A new lead is a cup of coffee: best right away, lukewarm after an hour, cold by tomorrow. This
example runs the baseline with the per-lead event log switched on, measures for every MQL how
long sales took to make the first attempt, and tabulates how many of those leads qualified in
each response-time bucket (compare Oldroyd, McElheran & Elkington, HBR 2011: within an hour is
about 7x the odds of later).

    .venv/bin/python examples/speed_to_lead.py
"""

from pathlib import Path

import pandas as pd

from sim import load_scenario, run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"

log = run(load_scenario(SCENARIOS / "baseline.yaml"), seed=1, event_log=True).event_log
mqls = log[log["became_mql_at"].notna()].copy()  # one row per lead that reached sales
mqls["response_h"] = mqls["first_contact_at"] - mqls["became_mql_at"]
mqls["bucket"] = pd.cut(mqls["response_h"], [0, 1, 24, float("inf")], include_lowest=True,
                        labels=["within 1 h", "1-24 h", "over 24 h"])
mqls["bucket"] = mqls["bucket"].cat.add_categories("never").fillna("never")
mqls["qualified"] = mqls["became_sql_at"].notna()

table = mqls.groupby("bucket", observed=False).agg(
    leads=("qualified", "size"), qualified=("qualified", "mean"))
table["share"] = table["leads"] / table["leads"].sum()
print(table[["leads", "share", "qualified"]].to_string(
    formatters={"share": "{:.1%}".format, "qualified": "{:.1%}".format}))
fast, slow = table.loc["within 1 h", "qualified"], table.loc["1-24 h", "qualified"]
print(f"qualified within 1 h vs 1-24 h: {fast / slow:.1f}x as often")
