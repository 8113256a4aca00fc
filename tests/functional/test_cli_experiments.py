"""Experiment flags of the command line: warm-up, workers, and the replications hint."""

import json


def _json(done):
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_warmup_leaves_early_weeks_out_of_every_kpi(run_cli):
    full = _json(run_cli("run", "baseline", "--weeks", "8", "--json"))
    warm = _json(run_cli("run", "baseline", "--weeks", "8", "--warmup", "4", "--json"))
    assert warm["kpis"]["leads"] < 0.7 * full["kpis"]["leads"]
    assert warm["kpis"]["marketing_cost"] == full["kpis"]["marketing_cost"] / 2


def test_warmup_must_be_shorter_than_the_horizon(run_cli):
    done = run_cli("run", "baseline", "--weeks", "4", "--warmup", "4")
    assert done.returncode == 2 and "warmup_weeks" in done.stderr
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
