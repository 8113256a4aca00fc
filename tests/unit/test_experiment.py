"""Unit tests of sim.experiment."""

import math

import numpy as np
import pytest
from scipy import stats

from sim import Scenario
from sim.experiment import ci95, compare, replicate, replications_needed, summarise


@pytest.fixture(scope="module")
def short():
    return Scenario(weeks=6)


def test_ci95_matches_the_t_interval():
    x = [1.0, 2.0, 3.0, 4.0]
    low, high = ci95(x)
    half = stats.t.ppf(0.975, 3) * np.std(x, ddof=1) / 2
    assert (low, high) == pytest.approx((2.5 - half, 2.5 + half))
    assert all(math.isnan(v) for v in ci95([1.0]))
    assert ci95([2.0, 2.0]) == (2.0, 2.0)
    assert ci95([1.0, float("nan"), 3.0]) == pytest.approx(ci95([1.0, 3.0]))


def test_replicate_and_summarise(short):
    table = replicate(short, 3, seed=1)
    assert list(table.index) == [0, 1, 2]
    means, ci = summarise(table)
    assert means["revenue"] == pytest.approx(table["revenue"].mean())
    assert ci["revenue"][0] <= means["revenue"] <= ci["revenue"][1]
    assert summarise(table.iloc[:1])[1] is None
    with pytest.raises(ValueError):
        replicate(short, 0)


def test_compare_uses_common_random_numbers(short):
    same = compare([short, short], reps=3, seed=2)
    diff = same.differences()[same.names[1]]
    assert diff["revenue"]["mean"] == 0.0 and diff["leads"]["ci95"] == [0.0, 0.0]
    assert same.names == [short.name, f"{short.name} (2)"]
    with pytest.raises(ValueError):
        compare([short], reps=2)


def test_replications_needed_grows_with_precision():
    pilot = [10.0, 12.0, 9.0, 11.0, 13.0]
    loose = replications_needed(pilot, 2.0)
    tight = replications_needed(pilot, 0.5)
    assert tight > loose >= 2
    assert replications_needed(pilot, 0.05, relative=True) == replications_needed(pilot, 0.55)
    with pytest.raises(ValueError):
        replications_needed([1.0], 1.0)
