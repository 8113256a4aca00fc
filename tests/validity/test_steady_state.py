"""The baseline company starts in its steady state (docs/model.md section 3.1).

Its stocks (trust, conflict, shared understanding, what marketing has learnt, awareness) start
where the baseline's own dynamics hold them, and the preset warm-up fills the pipeline, so five
measured years show no trend beyond luck: Law's behaviour-reproduction test for a stationary
system, and the reason a year's KPIs describe the policy rather than the start-up.
"""

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim import load_scenario, run

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
YEARS, REPS = 5, 8


@pytest.fixture(scope="module")
def yearly():
    scenario = load_scenario(SCENARIOS / "baseline.yaml", [f"weeks={52 * YEARS}"])
    rows = []
    for r in range(REPS):
        w = run(scenario, seed=20061, replication=r).weekly
        year = (w["week"] - 1) // 52
        rows.append({"revenue": w.groupby(year)["revenue"].sum().to_numpy(),
                     "trust": w.groupby(year)["trust"].last().to_numpy(),
                     "understanding": w.groupby(year)["understanding"].last().to_numpy(),
                     "scoring_noise": w.groupby(year)["scoring_noise"].last().to_numpy()})
    return rows


def _slope_ci(series: list[np.ndarray]) -> tuple[float, float]:
    slopes = [stats.linregress(np.arange(YEARS), s).slope for s in series]
    low, high = stats.t.interval(0.95, len(slopes) - 1, loc=np.mean(slopes),
                                 scale=stats.sem(slopes))
    return float(low), float(high)


@pytest.mark.slow
def test_baseline_revenue_has_no_trend_over_five_years(yearly):
    low, high = _slope_ci([row["revenue"] for row in yearly])
    assert low < 0 < high, (low, high)


@pytest.mark.slow
@pytest.mark.parametrize("stock, tolerance", [("trust", 0.05), ("understanding", 0.03),
                                              ("scoring_noise", 0.01)])
def test_baseline_stocks_stay_where_they_start(yearly, stock, tolerance):
    first = np.mean([row[stock][0] for row in yearly])
    last = np.mean([row[stock][-1] for row in yearly])
    assert abs(last - first) < tolerance, (first, last)
