"""Every preset's opening comment is a claim, and a claim is a test.

The claims are data in the scenario files themselves (``claims:``, ``sim/claims.py``); this
module checks every one of them as ``python -m sim claims`` does: paired replications on common
random numbers against the scenario each claim names, added until the 95 % interval decides.
A claim must hold; "undecided" after the cap fails the test too, since a header may only say
what the model shows.
"""

from functools import cache
from pathlib import Path

import pytest

from sim.claims import check, claimed_files

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@cache
def results():
    return check(claimed_files(SCENARIOS))


@pytest.mark.slow
@pytest.mark.parametrize("name", [p.stem for p in claimed_files(SCENARIOS)])
def test_the_header_is_true(name):
    mine = [r for r in results() if r.scenario == name]
    assert mine
    wrong = [(r.claim.says, r.claim.kpi, r.conditions, round(r.estimate, 4), r.verdict)
             for r in mine if r.verdict != "holds"]
    assert not wrong, f"{name}: its header claims what the model does not show: {wrong}"
