"""Unit tests of sim.parallel: the same jobs give the same rows on every executor."""

import pandas as pd
import pytest

from sim import Scenario
from sim.errors import ScenarioError
from sim.parallel import (
    PoolExecutor,
    RunSpec,
    SerialExecutor,
    default_workers,
    make_executor,
    run_all,
    run_spec,
    specs_for,
)

SHORT = Scenario(weeks=4)


def test_run_spec_carries_labels_seed_and_replication():
    row = run_spec(RunSpec(SHORT, 3, 1, {"point": 7}))
    assert row["point"] == 7 and row["seed"] == 3 and row["replication"] == 1
    assert "revenue" in row


def test_specs_for_numbers_replications():
    specs = specs_for(SHORT, 3, 5, {"tag": "x"})
    assert [s.replication for s in specs] == [0, 1, 2]
    assert all(s.seed == 5 and s.labels == {"tag": "x"} for s in specs)


def test_pool_gives_the_serial_rows_in_job_order():
    specs = specs_for(SHORT, 4, 2)
    serial = run_all(specs, SerialExecutor())
    pool = PoolExecutor(2)
    try:
        parallel = run_all(specs, pool)
    finally:
        pool.close()
    assert [r["replication"] for r in parallel] == [0, 1, 2, 3]
    assert pd.DataFrame(serial).equals(pd.DataFrame(parallel))


def test_on_result_sees_every_job_once():
    seen = []
    run_all(specs_for(SHORT, 3, 1), on_result=lambda i, row: seen.append(i))
    assert sorted(seen) == [0, 1, 2]


def test_make_executor_choices():
    assert isinstance(make_executor(1), SerialExecutor)
    assert isinstance(make_executor(4, jobs=1), SerialExecutor)
    pool = make_executor(2, jobs=10)
    assert isinstance(pool, PoolExecutor) and pool.workers == 2
    pool.close()
    assert default_workers() >= 1


@pytest.mark.parametrize("address", ["nonsense", "http://example"])
def test_scheduler_address_must_look_like_one(address):
    with pytest.raises(ScenarioError, match="expected an address"):
        make_executor(scheduler=address)


def test_run_spec_applies_changes_like_run():
    from sim import run
    from sim.scenario import with_overrides

    later = with_overrides(SHORT, {"pricing.price_index": 1.4})
    spec = RunSpec(SHORT, 3, 1, changes={2: later})
    row = run_spec(spec)
    direct = run(SHORT, seed=3, replication=1, changes={2: later}).kpis
    assert {k: row[k] for k in direct} == direct
    assert row["revenue"] != run_spec(RunSpec(SHORT, 3, 1))["revenue"]
    assert RunSpec(SHORT, 3, 1).changes is None


def test_pool_runs_changes_like_serial():
    from sim.scenario import with_overrides

    later = with_overrides(SHORT, {"scoring.mql_threshold": 0.2})
    specs = [RunSpec(SHORT, 2, r, {"r": r}, changes={1: later}) for r in range(3)]
    pool = PoolExecutor(2)
    try:
        parallel = run_all(specs, pool)
    finally:
        pool.close()
    assert pd.DataFrame(run_all(specs, SerialExecutor())).equals(pd.DataFrame(parallel))
