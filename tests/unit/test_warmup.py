"""Unit tests of sim.warmup: the MSER-5 truncation rule and the warm-up suggestion."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import run
from sim.scenario import load_scenario, resolve_scenario_path, with_overrides
from sim.warmup import MIN_TAIL_BATCHES, min_observations, mser, suggest_warmup

N = 260  # five years of weeks, the command line's default horizon


def _noise(seed: int, n: int = N) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=n)


# ------------------------------------------------------------------ mser on synthetic series
def test_a_clean_step_is_cut_exactly_where_it_ends():
    x = np.r_[np.full(40, 3.0), np.zeros(N - 40)]
    result = mser(x)
    assert result.truncation == 40  # in observations, not batches
    assert not result.run_too_short


@pytest.mark.parametrize("k", [20, 40, 60])
def test_a_transient_of_k_weeks_is_cut_near_k(k):
    cuts = []
    for seed in range(20):
        x = _noise(seed)
        x[:k] += 3.0
        cuts.append(mser(x).truncation)
    # A start-up three standard deviations off is never left in, and usually cut right at its end.
    assert min(cuts) >= k
    assert abs(np.median(cuts) - k) <= 5


def test_a_high_level_does_not_drown_the_transient():
    # Like weekly revenue in the millions with a spread of a few thousand: sums of squares of
    # the raw values would lose the signal to rounding.
    for seed in range(5):
        x = _noise(seed)
        x[:40] += 3.0
        assert mser(x + 1e8).truncation == mser(x).truncation


def test_a_decaying_transient_is_cut_while_it_still_shows():
    # The shape of a pipeline filling up: far off at first, then creeping towards steady state.
    t = np.arange(N)
    cuts = [mser(_noise(seed) + 6.0 * np.exp(-t / 10.0)).truncation for seed in range(20)]
    assert 10 <= np.median(cuts) <= 40


def test_a_stationary_series_needs_no_truncation():
    results = [mser(_noise(seed)) for seed in range(30)]
    assert np.median([r.truncation for r in results]) == 0
    assert sum(r.run_too_short for r in results) <= 3


def test_a_constant_series_needs_no_truncation():
    result = mser(np.full(50, 7.0))
    assert (result.truncation, result.run_too_short) == (0, False)


@pytest.mark.parametrize("shape", ["trend", "long transient"])
def test_a_series_still_settling_in_its_second_half_is_flagged(shape):
    for seed in range(10):
        x = _noise(seed)
        if shape == "trend":
            x += np.linspace(6.0, 0.0, N)
        else:
            x[:200] += np.linspace(6.0, 0.0, 200)
        result = mser(x)
        assert result.run_too_short
        assert result.truncation <= N / 2  # never an answer from the second half


def test_a_few_close_values_at_the_very_end_do_not_flag_a_stationary_series():
    # The last two batch means equal: an unguarded search would find its minimum there.
    x = np.r_[_noise(1, N - 10), np.zeros(10)]
    assert not mser(x).run_too_short


def test_the_statistic_covers_every_truncation_that_leaves_the_guarded_tail():
    result = mser(_noise(2))
    assert result.statistic.size == N // 5 - MIN_TAIL_BATCHES + 1
    assert not result.run_too_short
    assert result.truncation == 5 * int(np.argmin(result.statistic))


def test_batch_size_is_honoured():
    x = np.r_[np.full(30, 3.0), np.zeros(N - 30)]
    assert mser(x, batch=10).truncation == 30
    assert mser(x, batch=1).truncation == 30


@pytest.mark.parametrize("bad, message", [
    (np.ones((40, 2)), "one-dimensional"),
    (np.r_[np.ones(39), np.nan], "NaN"),
    (np.ones(min_observations() - 1), "at least 30"),
])
def test_unusable_series_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        mser(bad)


@pytest.mark.parametrize("batch", [0, -5, 2.5, True])
def test_unusable_batch_sizes_are_refused(batch):
    with pytest.raises(ValueError, match="batch"):
        mser(np.ones(100), batch=batch)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-1000, 1000), min_size=30, max_size=300),
       st.integers(-1000, 1000), st.floats(1e-3, 1e3))
def test_truncation_lies_in_the_first_half_and_ignores_units_and_level(values, shift, scale):
    x = np.array(values, dtype=float)
    result = mser(x)
    assert 0 <= result.truncation <= x.size / 2
    assert result.truncation % 5 == 0
    answer = (result.truncation, result.run_too_short)
    assert (mser(x + shift).truncation, mser(x + shift).run_too_short) == answer
    assert (mser(x * scale).truncation, mser(x * scale).run_too_short) == answer


# ------------------------------------------------------------------ suggest_warmup
@pytest.fixture(scope="module")
def baseline():
    return load_scenario(resolve_scenario_path("baseline"))


def test_suggestion_is_mser_on_the_average_of_the_replications(baseline):
    found = suggest_warmup(baseline, weeks=30, reps=2, seed=7)
    assert list(found.averaged.columns) == ["revenue", "opportunities"]
    assert list(found.averaged.index) == list(range(1, 31))
    empty = with_overrides(baseline, {"weeks": 30, "warmup_weeks": 0})
    runs = [run(empty, seed=7, replication=r).weekly for r in range(2)]
    for name in ("revenue", "opportunities"):
        expected = (runs[0][name].to_numpy() + runs[1][name].to_numpy()) / 2
        assert np.allclose(found.averaged[name].to_numpy(), expected)
        assert found.truncation_weeks[name] == mser(expected).truncation
    assert found.recommended_warmup_weeks == max(found.truncation_weeks.values())
    assert found.to_dict() == {
        "scenario": "baseline", "seed": 7, "reps": 2, "weeks": 30,
        "truncation_weeks": found.truncation_weeks,
        "recommended_warmup_weeks": found.recommended_warmup_weeks,
        "run_too_short": found.run_too_short,
    }


def test_the_scenarios_own_warmup_is_ignored(baseline):
    warm = with_overrides(baseline, {"warmup_weeks": 20})
    a = suggest_warmup(warm, weeks=30, reps=1, seed=3, kpis=("won",))
    b = suggest_warmup(baseline, weeks=30, reps=1, seed=3, kpis=("won",))
    assert a.averaged.equals(b.averaged)


def test_unknown_series_are_refused_with_the_choices(baseline):
    with pytest.raises(ValueError, match=r"unknown weekly series 'revnue'.*revenue"):
        suggest_warmup(baseline, weeks=30, reps=1, kpis=("revnue",))


@pytest.mark.parametrize("weeks, message", [(29, "at least 30"), (52.5, "whole number")])
def test_unusable_horizons_are_refused(baseline, weeks, message):
    with pytest.raises(ValueError, match=message):
        suggest_warmup(baseline, weeks=weeks, reps=1)


def test_an_unusable_batch_size_is_refused_before_any_run(baseline, monkeypatch):
    import sim.warmup

    monkeypatch.setattr(sim.warmup, "run_all", lambda *a, **k: pytest.fail("runs started"))
    with pytest.raises(ValueError, match="batch"):
        suggest_warmup(baseline, weeks=30, reps=1, batch=0)
