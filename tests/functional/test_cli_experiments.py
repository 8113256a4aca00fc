"""Experiment flags of the command line: warm-up, workers, and how many replications to run."""

import json

import pytest


def _json(done):
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_warmup_is_simulated_before_the_measured_weeks(run_cli):
    cold = _json(run_cli("run", "baseline", "--weeks", "8", "--warmup", "0", "--json"))
    warm = _json(run_cli("run", "baseline", "--weeks", "8", "--warmup", "4", "--json"))
    assert warm["weeks"] == cold["weeks"] == 8
    assert warm["kpis"]["marketing_cost"] == cold["kpis"]["marketing_cost"]
    assert warm["kpis"]["won"] > cold["kpis"]["won"]  # the pipeline is full when books open


def test_warmup_is_whole_weeks(run_cli):
    done = run_cli("run", "baseline", "--weeks", "4", "--warmup", "1.5")
    assert done.returncode == 2 and "--warmup" in done.stderr and "whole" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_workers_give_the_serial_numbers(run_cli):
    one = _json(run_cli("compare", "baseline", "integrated", "--reps", "3", "--weeks", "6",
                        "--workers", "1", "--json"))
    two = _json(run_cli("compare", "baseline", "integrated", "--reps", "3", "--weeks", "6",
                        "--workers", "2", "--json"))
    assert one == two
    r1 = _json(run_cli("run", "baseline", "--reps", "3", "--weeks", "6", "--workers", "1",
                       "--json"))
    r2 = _json(run_cli("run", "baseline", "--reps", "3", "--weeks", "6", "--workers", "2",
                       "--json"))
    assert r1 == r2


def test_run_table_says_how_many_replications_a_tight_interval_needs(run_cli):
    done = run_cli("run", "baseline", "--reps", "3", "--weeks", "8")
    assert done.returncode == 0, done.stderr
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("replications for")]
    assert line and int(line[0].rsplit(" ", 1)[1]) >= 2


def test_sized_compare_gives_the_serial_numbers_in_a_pool(run_cli):
    # default precision at a short horizon: the pilot and one more batch, up to the cap of 14
    args = ("compare", "baseline", "integrated", "--weeks", "6", "--warmup", "0",
            "--max-reps", "14", "--json")
    one = run_cli(*args, "--workers", "1")
    two = run_cli(*args, "--workers", "2")
    assert _json(one) == _json(two)
    assert _json(one)["reps"] == 14
    assert one.stderr == two.stderr
    assert one.stderr.startswith("warning: the cap of 14 replications")
    assert len(one.stderr.splitlines()) == 1


def test_run_hint_survives_a_run_without_revenue(run_cli):
    # two weeks against year-long sales cycles: no deal closes, revenue is zero throughout
    done = run_cli("run", "baseline", "--reps", "3", "--weeks", "2", "--warmup", "0",
                   "--set", "sales.cycle_time_days_mean=365")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert any(ln.startswith("replications for") for ln in done.stdout.splitlines())


def test_compare_ends_with_the_revenue_bridge_that_adds_up(run_cli):
    done = run_cli("compare", "baseline", "price_too_high", "--reps", "2", "--weeks", "8",
                   "--warmup", "0")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("revenue bridge baseline -> price_too_high"))
    rows = lines[start + 2:]
    assert [r.split("  ")[0] for r in rows[1:9]] == [
        "Lead volume", "Leads that became MQLs", "MQLs sales accepted",
        "Accepted leads qualified", "Opportunities per SQL", "Opportunities won", "Price",
        "Deal size at that price"]
    effects = [float(r.split()[-1].replace(",", "")) for r in rows[1:10]]
    assert sum(effects[:-1]) == pytest.approx(effects[-1], abs=8)  # each rounded to a unit
