"""Unit tests of sim.experiment."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import Scenario, experiment, load_scenario
from sim.experiment import (
    PILOT_REPS,
    Comparison,
    ci95,
    compare,
    compare_sized,
    paired_precision,
    precision_note,
    replicate,
    replications_needed,
    summarise,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED = 1


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


def test_replications_needed_does_not_fail_on_a_zero_or_undefined_mean():
    # a short run that closes no deal has zero revenue in every replication: no share of the
    # mean can be aimed at, so the pilot's own size comes back instead of an error
    assert replications_needed([0.0, 0.0, 0.0], 0.05, relative=True) == 3
    assert replications_needed([-1.0, 1.0, 0.0, 0.0], 0.05, relative=True) == 4
    assert replications_needed([math.nan] * 5, 0.05, relative=True) == 5
    assert replications_needed([1.0, math.nan], 0.05) == 2
    for bad in (0.0, -1.0, math.nan):
        with pytest.raises(ValueError, match="positive"):
            replications_needed([1.0, 2.0], bad)


# ------------------------------------------------------------------ sized comparisons
@pytest.fixture(scope="module")
def pair():
    """Two scenarios whose revenue differs noisily over a short horizon."""
    short = ["weeks=6", "warmup_weeks=3"]  # a pipeline to close deals from
    return [load_scenario(SCENARIOS / "baseline.yaml", short),
            load_scenario(SCENARIOS / "integrated.yaml", short)]


def _revenue_share(comparison: Comparison) -> float:
    """Half-width of the paired revenue difference as a share of the first mean, by hand."""
    base = comparison.tables[comparison.names[0]]["revenue"]
    diff = comparison.tables[comparison.names[1]]["revenue"] - base
    low, high = ci95(diff.to_numpy())
    return (high - low) / 2 / abs(base.mean())


@pytest.fixture(scope="module")
def pilot_share(pair):
    return _revenue_share(compare(pair, PILOT_REPS, seed=SEED))


@pytest.fixture(scope="module")
def sized(pair, pilot_share):
    """Sized for a target the pilot misses, so that more batches are needed (about 16 in all:
    the needed number grows with the square of the precision asked for)."""
    return compare_sized(pair, seed=SEED, precision=0.8 * pilot_share, max_reps=80)


def test_paired_precision_is_the_revenue_half_width_as_a_share_of_the_first_mean(pair):
    comparison = compare(pair, 4, seed=SEED)
    precision = paired_precision(comparison, "revenue", 0.05)
    assert precision.reps == 4 and precision.kpi == "revenue"
    assert precision.half_width == pytest.approx(_revenue_share(comparison))
    assert precision.met == (precision.half_width <= 0.05)
    assert paired_precision(comparison, "revenue", precision.half_width * 1.01).met
    assert not paired_precision(comparison, "revenue", precision.half_width * 0.99).met
    scale = abs(comparison.tables[comparison.names[0]]["revenue"].mean())
    diff = (comparison.tables[comparison.names[1]]["revenue"]
            - comparison.tables[comparison.names[0]]["revenue"])
    assert precision.needed == replications_needed(diff.to_numpy(), 0.05 * scale)
    one = paired_precision(compare(pair, 1, seed=SEED))
    assert math.isnan(one.half_width) and one.needed is None and not one.met


def test_paired_precision_against_a_zero_first_mean():
    index = pd.Index(range(3), name="replication")
    zero = pd.DataFrame({"revenue": [0.0, 0.0, 0.0]}, index=index)
    varies = Comparison(["a", "b"], {"a": zero, "b": pd.DataFrame({"revenue": [1.0, 2.0, 4.0]},
                                                                  index=index)})
    precision = paired_precision(varies)
    assert precision.half_width == math.inf and precision.needed is None and not precision.met
    same = paired_precision(Comparison(["a", "b"], {"a": zero, "b": zero}))
    assert same.half_width == 0.0 and same.met


def test_compare_sized_adds_batches_until_the_target_is_met(sized, pilot_share):
    looks = [look.reps for look in sized.looks]
    assert looks[0] == PILOT_REPS and not sized.looks[0].met
    assert looks == sorted(set(looks)) and len(looks) >= 2, looks
    assert all(not look.met for look in sized.looks[:-1])
    assert sized.met and not sized.capped
    assert sized.reps == looks[-1] > PILOT_REPS
    assert all(len(table) == sized.reps for table in sized.comparison.tables.values())
    assert _revenue_share(sized.comparison) == pytest.approx(sized.precision.half_width)
    assert sized.precision.half_width <= 0.8 * pilot_share


def test_compare_sized_is_reproducible_and_equals_one_compare(pair, sized):
    again = compare_sized(pair, seed=SEED, precision=sized.precision.target, max_reps=80)
    assert [look.reps for look in again.looks] == [look.reps for look in sized.looks]
    # batches continue the replication numbers: the same tables as one run of that many reps
    once = compare(pair, sized.reps, seed=SEED)
    for name in once.names:
        assert list(sized.comparison.tables[name].index) == list(range(sized.reps))
        pd.testing.assert_frame_equal(sized.comparison.tables[name], once.tables[name])
        pd.testing.assert_frame_equal(again.comparison.tables[name], once.tables[name])


def test_compare_sized_stops_at_the_cap(pair):
    capped = compare_sized(pair, seed=SEED, precision=0.001, max_reps=13)
    assert [look.reps for look in capped.looks] == [PILOT_REPS, 13]
    assert capped.reps == 13 and capped.capped and not capped.met
    assert capped.precision.needed > 13
    below_pilot = compare_sized(pair, seed=SEED, precision=0.001, max_reps=4)
    assert [look.reps for look in below_pilot.looks] == [4] and below_pilot.capped


def test_compare_sized_stops_at_the_pilot_when_nothing_differs(short):
    same = compare_sized([short, short], seed=SEED, max_reps=50)
    assert same.reps == PILOT_REPS and same.met and same.precision.half_width == 0.0


def test_compare_sized_stops_when_the_first_scenario_has_no_revenue(monkeypatch, short):
    calls = []

    def fake_tables(scenarios, names, seed, replications, executor, progress):
        calls.append(replications)
        index = pd.Index(list(replications), name="replication")
        return {names[0]: pd.DataFrame({"revenue": 0.0}, index=index),
                names[1]: pd.DataFrame({"revenue": [float(r) for r in replications]},
                                       index=index)}

    monkeypatch.setattr(experiment, "_paired_tables", fake_tables)
    result = compare_sized([short, short], seed=SEED, max_reps=50)
    assert calls == [range(PILOT_REPS)], "no batch can bring a share of zero within reach"
    assert result.reps == PILOT_REPS and not result.met and not result.capped
    assert result.precision.needed is None


def test_compare_sized_survives_a_horizon_without_revenue():
    # two weeks against year-long sales cycles: no deal closes in either scenario
    no_deal = ["weeks=2", "warmup_weeks=0", "sales.cycle_time_days_mean=365"]
    two_weeks = [load_scenario(SCENARIOS / name, no_deal)
                 for name in ("baseline.yaml", "integrated.yaml")]
    result = compare_sized(two_weeks, seed=SEED, max_reps=30)
    for table in result.comparison.tables.values():
        assert (table["revenue"] == 0).all()
    assert result.reps == PILOT_REPS and result.met


def test_compare_sized_refuses_bad_settings(short):
    for kwargs in ({"precision": 0.0}, {"precision": math.nan}, {"max_reps": 1},
                   {"pilot": 1}, {"kpi": "nope"}):
        with pytest.raises(ValueError):
            compare_sized([short, short], **kwargs)
    with pytest.raises(ValueError):
        compare_sized([short])


def _pair(base, other) -> Comparison:
    tables = {n: pd.DataFrame({"revenue": np.asarray(v, dtype=float)})
              for n, v in (("base", base), ("other", other))}
    return Comparison(["base", "other"], tables)


def test_precision_note_says_when_the_replications_are_enough():
    note = precision_note(_pair([100.0, 100.0, 100.0], [101.0, 102.0, 101.0]))
    assert not note.startswith("warning") and "3 replications" in note and "±5 %" in note


def test_precision_note_warns_and_says_how_many_are_needed():
    note = precision_note(_pair([100.0, 100.0, 100.0], [90.0, 120.0, 105.0]))
    assert note.startswith("warning:") and "are needed for ±5 %" in note
    needed = paired_precision(_pair([100.0, 100.0, 100.0], [90.0, 120.0, 105.0])).needed
    assert f"about {needed} are needed" in note


def test_precision_note_without_an_interval_or_a_mean():
    assert "no interval" in precision_note(_pair([100.0], [101.0]))
    assert "is zero" in precision_note(_pair([0.0, 0.0], [1.0, 3.0]))


def test_extend_equals_comparing_all_replications_at_once(short):
    from sim import with_overrides
    from sim.experiment import extend

    pair = [short, with_overrides(short, {"name": "busy", "sales.reps": 2})]
    grown = extend(compare(pair, reps=2, seed=SEED), pair, 4, SEED)
    whole = compare(pair, reps=4, seed=SEED)
    for name in whole.names:
        pd.testing.assert_frame_equal(grown.tables[name], whole.tables[name])
    assert extend(whole, pair, 3, SEED) is whole


@pytest.mark.parametrize("seed", range(40))
def test_replications_needed_is_the_smallest_count_that_meets_the_target(seed):
    rng = np.random.default_rng(seed)
    pilot = rng.normal(0.0, rng.uniform(0.5, 5.0), size=int(rng.integers(2, 12)))
    h = float(rng.uniform(0.3, 3.0))
    n = replications_needed(pilot, h)
    s = pilot.std(ddof=1)

    def half(k):
        return stats.t.ppf(0.975, k - 1) * s / np.sqrt(k)

    assert half(n) <= h and (n == 2 or half(n - 1) > h)


@pytest.mark.parametrize(("low", "high", "side"), [
    (1.0, 2.0, "above"), (-2.0, -1.0, "below"), (-1.0, 1.0, "spans"), (0.0, 1.0, "spans"),
    (2.0, 1.0, "above"), (math.nan, 1.0, "undefined"), (None, None, "undefined"),
    (-math.inf, -1.0, "undefined"),
])
def test_interval_side_is_the_one_reading_of_an_interval(low, high, side):
    from sim.experiment import excludes_zero, interval_side

    assert interval_side(low, high) == side
    assert excludes_zero((low, high)) == (side in ("above", "below"))


def test_claims_and_tables_read_an_interval_alike():
    """A claim 'up' holds exactly when the table would mark the difference as beyond luck and
    positive."""
    from sim.claims import Claim, verdict
    from sim.experiment import excludes_zero

    up = Claim(kpi="revenue", change="up", says="revenue rises")
    for low, high in [(1.0, 2.0), (-1.0, 2.0), (-2.0, -1.0), (math.nan, math.nan)]:
        holds = verdict(up, low, high) == "holds"
        assert holds == (excludes_zero((low, high)) and low > 0)
