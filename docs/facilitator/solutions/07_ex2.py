"""Solution to notebook 07, exercise 2: which of the silo team's Q1 levers cost the most?

Run from the notebooks folder (``%load ../docs/facilitator/solutions/07_ex2.py`` in a notebook).
Each line replays Q1 with one lever put back to the starting company's value.
"""
import tempfile

from sim.game import Game

volume = {
    "marketing": {"scoring.mql_threshold": 0.3, "marketing.brand_share": 0.05},
    "sales": {"sales.prioritisation": "cherry_pick", "sales.cold_calling": 0.6,
              "sales.prospecting_share": 0.5},
}

replays = {"silo's choices": volume}
for role, choices in volume.items():
    for key in choices:
        replays[f"without {key}"] = {r: {k: v for k, v in c.items() if (r, k) != (role, key)}
                                     for r, c in volume.items()}
revenue = {}
for label, plays in replays.items():
    game = Game.create(tempfile.mkdtemp(prefix="q1-"), teams=["silo"], seed=20061,
                       practice=False)
    game.play({0: {"silo": plays}}, until=0)
    revenue[label] = float(game.results().query("team == 'silo'")["revenue"].iloc[0])
silo = revenue.pop("silo's choices")
print(f"silo's Q1 revenue: {silo:,.0f}")
for label, value in revenue.items():
    print(f"  {label:36s} {value - silo:+12,.0f}")
# In Q1 the prospecting share costs the most: putting it back to the company's 0.35 wins about
# 94,000, because the hours reps spend prospecting are taken from the leads already in the
# pipeline. The queue rule and the brand cut pay within the quarter: putting first-in-first-out
# back costs about 54,000 (the big-looking leads are no longer called first), putting the brand
# share back about 51,000. Putting the MQL bar or cold calling back changes nothing in Q1
# revenue: the leads and deals they add close after the quarter, which is why a silo team
# sees their cost (a flooded queue, falling trust, a worn brand) only later.
