"""Solution to notebook 07, exercise 1: a strong solo game, quarter by quarter.

Run from the notebooks folder (``%load ../docs/facilitator/solutions/07_ex1.py`` in a notebook).
The choices follow the debrief's lessons: a fair price and leads worked in order from the start,
then every communication and feedback lever as soon as it unlocks.
"""
import tempfile

from sim.game import Game

game = Game.create(tempfile.mkdtemp(prefix="solo-"), teams=["solo"], solo=True, seed=20061)
script = {
    1: {"solo": {"marketing": {"scoring.mql_threshold": 0.3, "pricing.price_index": 1.0},
                 "sales": {"sales.prioritisation": "fifo", "sales.cold_calling": 0.3}}},
    2: {"solo": {"marketing": {"communication.crm_sharing": 1.0,
                               "communication.meeting_every_weeks": 1},
                 "sales": {"communication.sla_hours": 2.0,
                           "communication.shared_lead_definition": True}}},
    3: {"solo": {"sales": {"feedback.mode": "closed_loop"}}},
}
board = game.play(script)
for row in game.results().query("team == 'solo' and not practice").itertuples():
    print(f"{row.round_name:12s} revenue {row.revenue:>12,.0f}   trust {row.trust:.2f}")
best = board.iloc[0]
print(f"revenue to date {best.revenue_to_date:,.0f} = {best.vs_reference:.0%} of the reference")
# About 70 % of the reference, below the notebook's one-team script (74 %): the low MQL bar
# floods a busy sales team with leads it refuses, and those count against marketing in what
# sales experiences, so trust falls every quarter (0.57 at the end of Q1, 0.42 at the end of Q3)
# until the shared KPI of Q4 lifts it to about 0.52, even with context, meetings, an SLA and
# feedback in place.
