"""Back test against queueing theory: scenarios/checks/mmc.yaml is an M/M/c queue.

With every mechanism but the queue switched off, the mean wait before the first touch must match
Erlang C, and the time-average queue length must equal arrival rate x mean wait (Little's law),
within 2 % at two load levels.
"""

import math
from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario, run

MMC = Path(__file__).resolve().parents[2] / "scenarios" / "checks" / "mmc.yaml"
SERVICE_MEAN_H = 0.25
REPS, WEEKS, SEED = 5, 100, 11


def erlang_c_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C formula)."""
    a = arrival_rate / service_rate
    rho = a / servers
    assert rho < 1
    head = sum(a**k / math.factorial(k) for k in range(servers))
    tail = a**servers / math.factorial(servers) / (1 - rho)
    p_wait = tail / (head + tail)
    return p_wait / (servers * service_rate - arrival_rate)


def test_erlang_c_formula_on_a_textbook_case():
    # M/M/1: Wq = rho / (mu - lambda)
    assert erlang_c_mean_wait(0.5, 1.0, 1) == pytest.approx(0.5 / 0.5)
    # M/M/2 with a = 1: P(wait) = 1/3, Wq = (1/3) / (2 - 1)
    assert erlang_c_mean_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)


@pytest.mark.slow
@pytest.mark.parametrize("leads_per_week, reps", [(1344, 4), (2016, 4)])  # rho = 0.50, 0.75
def test_mmc_matches_erlang_c_and_littles_law(leads_per_week, reps):
    scenario = load_scenario(MMC, [f"marketing.channels.inbound.leads_per_week={leads_per_week}",
                                   f"sales.reps={reps}", f"weeks={WEEKS}"])
    kpis = [run(scenario, seed=SEED, replication=r).kpis for r in range(REPS)]
    wait = np.mean([k["first_touch_wait_h_mean"] for k in kpis])
    queue = np.mean([k["sales_queue_len_mean"] for k in kpis])
    arrivals = np.mean([k["mqls"] for k in kpis]) / (WEEKS * 168)
    utilisation = np.mean([k["rep_utilization"] for k in kpis])

    rate = leads_per_week / 168
    theory = erlang_c_mean_wait(rate, 1 / SERVICE_MEAN_H, reps)
    assert wait == pytest.approx(theory, rel=0.02)
    assert queue == pytest.approx(arrivals * wait, rel=0.02)      # Little's law, as measured
    assert queue == pytest.approx(rate * theory, rel=0.02)        # and against theory
    assert utilisation == pytest.approx(rate * SERVICE_MEAN_H / reps, rel=0.02)
    assert np.mean([k["mqls"] / k["leads"] for k in kpis]) == 1.0  # every lead is an MQL
