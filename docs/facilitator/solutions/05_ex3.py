"""Solution to notebook 05, exercise 3: return on cost and meeting cost by stage.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/05_ex3.py`` in a notebook).
"""
from sim import load_scenario
from sim.assessment import STAGES
from sim.experiment import compare

weeks, reps, seed = 52, 3, 1
comparison = compare([load_scenario(s, {"weeks": weeks}) for s in STAGES],
                     reps=reps, seed=seed)
means = comparison.means()
for name, m in means.items():
    extra_cost = m["total_cost"] - means["undefined"]["total_cost"]
    extra_meetings = m["meeting_time_value"] - means["undefined"]["meeting_time_value"]
    print(f"{name:11s} roi {m['roi']:6.1%}  total cost {m['total_cost']:12,.0f}  "
          f"meeting time {m['meeting_time_value']:9,.0f}  extra cost vs undefined {extra_cost:+11,.0f} "
          f"(meeting time {extra_meetings:+9,.0f})")
# Meeting time is paid already (part of sales_cost and marketing_cost): the extra cost of the
# higher stages is commission on extra revenue and leadership time, and the meeting hours are
# hours not spent on leads.
