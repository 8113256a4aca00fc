"""Unit tests of sim.sweep: grids, durable output, resume and one-at-a-time sensitivity."""

import json
import os

import pandas as pd
import pytest
from filelock import FileLock

from sim import Scenario
from sim.errors import ScenarioError
from sim.metrics import KPI_NAMES
from sim.sweep import (
    DEFAULT_LEVERS,
    MANIFEST,
    grid_points,
    one_at_a_time,
    parse_grid,
    parse_levers,
    summarise_points,
    sweep,
    swing,
)

BASE = Scenario(weeks=3)


def test_parse_grid_types_and_validates_values():
    grid = parse_grid(["sales.reps=2,4", "sales.prioritisation=fifo,score",
                       "incentives.shared_kpi_weight=0, 0.5"], BASE)
    assert grid == {"sales.reps": [2, 4], "sales.prioritisation": ["fifo", "score"],
                    "incentives.shared_kpi_weight": [0, 0.5]}


@pytest.mark.parametrize("items, match", [
    ([], "at least one --grid"),
    (["sales.reps"], "expected PATH=v1,v2"),
    (["sales.reps="], "needs at least one value"),
    (["sales.reps=2,,4"], "needs at least one value"),
    (["sales.rpes=2,4"], "did you mean 'sales.reps'"),
    (["sales.reps=two,4"], "whole number"),
    (["sales.reps=0,4"], "from 1"),
    (["sales.reps=2", "sales.reps=4"], "given twice"),
    (["sales.prioritisation=fifo,random"], "one of"),
])
def test_parse_grid_refuses_bad_grids(items, match):
    with pytest.raises(ScenarioError, match=match):
        parse_grid(items, BASE)


def test_grid_points_is_full_factorial_in_order():
    points = grid_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(points) == 6
    assert points[0] == {"a": 1, "b": "x"} and points[-1] == {"a": 2, "b": "z"}


def test_sweep_table_keeps_parameters_beside_kpis():
    grid = {"sales.reps": [2, 6], "communication.crm_sharing": [0.2, 1.0]}
    table = sweep(BASE, grid, reps=2, seed=4)
    assert len(table) == 8
    assert list(table.columns[:5]) == ["point", "sales.reps", "communication.crm_sharing",
                                       "replication", "seed"]
    assert set(KPI_NAMES) <= set(table.columns)
    means = summarise_points(table, grid)
    assert len(means) == 4
    # common random numbers: before marketing's first budget review (week 4) every point sees
    # exactly the same leads in a given replication
    assert (table.groupby("replication")["leads"].nunique() == 1).all()
    assert table.groupby("point")["leads"].nunique().max() == 2


def test_sweep_writes_each_run_and_the_table(tmp_path):
    grid = {"sales.reps": [2, 4]}
    table = sweep(BASE, grid, reps=2, seed=1, out=tmp_path / "s")
    runs = sorted((tmp_path / "s" / "runs").glob("*.parquet"))
    assert len(runs) == 4
    saved = pd.read_parquet(tmp_path / "s" / "results.parquet")
    pd.testing.assert_frame_equal(saved, table)
    assert len(pd.read_csv(tmp_path / "s" / "results.csv")) == 4
    manifest = json.loads((tmp_path / "s" / MANIFEST).read_text())
    assert manifest["grid"] == {"sales.reps": [2, 4]} and manifest["reps"] == 2


def test_resume_skips_finished_runs_and_gives_the_same_table(tmp_path):
    grid = {"sales.reps": [2, 4, 6]}
    full = sweep(BASE, grid, reps=2, seed=1)
    out = tmp_path / "s"
    sweep(BASE, grid, reps=2, seed=1, out=out)
    # lose two runs (as if killed), and leave a half-written file behind
    victims = sorted((out / "runs").glob("*.parquet"))[1:3]
    for v in victims:
        v.unlink()
    (out / "runs" / ".point-00001-rep-0000.parquet.x.partial").write_text("half")
    (out / "results.parquet").unlink()
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    resumed = sweep(BASE, grid, reps=2, seed=1, out=out, resume=True)
    pd.testing.assert_frame_equal(resumed, full)
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())  # nothing redone
    assert not list((out / "runs").glob("*.partial"))


def test_output_folder_is_protected(tmp_path):
    grid = {"sales.reps": [2]}
    sweep(BASE, grid, reps=1, seed=1, out=tmp_path / "s")
    with pytest.raises(ScenarioError, match="already holds a sweep"):
        sweep(BASE, grid, reps=1, seed=1, out=tmp_path / "s")
    with pytest.raises(ScenarioError, match="different sweep"):
        sweep(BASE, {"sales.reps": [3]}, reps=1, seed=1, out=tmp_path / "s", resume=True)
    with pytest.raises(ScenarioError, match="different sweep"):
        sweep(BASE, grid, reps=2, seed=1, out=tmp_path / "s", resume=True)
    a_file = tmp_path / "file"
    a_file.write_text("keep me")
    with pytest.raises(ScenarioError, match="is a file"):
        sweep(BASE, grid, reps=1, seed=1, out=a_file)
    assert a_file.read_text() == "keep me"


def test_levers_default_and_parsed():
    assert parse_levers([], BASE) == DEFAULT_LEVERS
    assert parse_levers(["sales.reps=2,8"], BASE) == {"sales.reps": (2, 8)}
    with pytest.raises(ScenarioError, match="exactly two values"):
        parse_levers(["sales.reps=2,4,8"], BASE)


def test_one_at_a_time_ranks_levers_by_swing():
    levers = {"pricing.price_index": (0.8, 2.0), "communication.joint_training_days": (0, 0.1)}
    table = one_at_a_time(Scenario(weeks=13), levers, "revenue", reps=2, seed=3)
    assert list(table.columns) == ["parameter", "low_value", "high_value", "kpi_low",
                                   "kpi_high", "kpi_base", "swing"]
    assert table.parameter.iloc[0] == "pricing.price_index"
    assert table.swing.is_monotonic_decreasing
    assert table.kpi_high.iloc[0] < table.kpi_low.iloc[0]
    with pytest.raises(ScenarioError, match="unknown KPI"):
        one_at_a_time(BASE, levers, "happiness", reps=1)


# ------------------------------------------------------------------ typed grids and levers
def test_grid_values_take_the_parameters_own_type():
    grid = parse_grid(["marketing.brand_share=0.1,1e-2", "sales.reps=2,4.0",
                       "incentives.shared_kpi_weight=0,1"], BASE)
    assert grid == {"marketing.brand_share": [0.1, 0.01], "sales.reps": [2, 4],
                    "incentives.shared_kpi_weight": [0.0, 1.0]}
    assert [type(v) for v in grid["marketing.brand_share"]] == [float, float]
    assert [type(v) for v in grid["sales.reps"]] == [int, int]
    assert [type(v) for v in grid["incentives.shared_kpi_weight"]] == [float, float]


def test_grid_value_out_of_range_names_the_key_and_the_range():
    with pytest.raises(ScenarioError) as info:
        parse_grid(["marketing.brand_share=0.1,5"], BASE)
    assert str(info.value).startswith("--grid: marketing.brand_share: must be a number from 0")
    with pytest.raises(ScenarioError, match="given twice"):
        parse_grid(["sales.reps=2,2.0"], BASE)


def test_lever_errors_name_the_lever_flag():
    for items in (["sales.reps=two,4"], ["sales.rpes=2,4"], ["sales.reps"]):
        with pytest.raises(ScenarioError) as info:
            parse_levers(items, BASE)
        assert str(info.value).startswith("--lever:"), str(info.value)


def test_sweep_over_values_in_scientific_notation_writes_its_tables(tmp_path):
    grid = parse_grid(["marketing.brand_share=0.1,1e-2"], BASE)
    table = sweep(BASE, grid, reps=1, seed=1, out=tmp_path / "s")
    assert table["marketing.brand_share"].tolist() == [0.1, 0.01]
    saved = pd.read_parquet(tmp_path / "s" / "results.parquet")
    assert saved["marketing.brand_share"].dtype == float


# ------------------------------------------------------------------ one sweep per folder
def test_a_folder_held_by_another_sweep_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "s"
    (out / "runs").mkdir(parents=True)
    partial = out / "runs" / ".point-00000-rep-0000.parquet.abc.partial"
    partial.write_text("the other sweep is writing this")
    (out / "sweep.holder").write_text(json.dumps(
        {"pid": 4242, "host": "lab-pc", "since": "2026-01-01 09:00:00 +0000"}))
    other = FileLock(out / "sweep.lock", timeout=0)
    other.acquire()
    try:
        for resume in (False, True):
            with pytest.raises(ScenarioError, match=r"in use by another sweep \(process 4242 "
                               "on lab-pc"):
                sweep(BASE, {"sales.reps": [2]}, reps=1, seed=1, out=out, resume=resume)
    finally:
        other.release()
    assert partial.exists() and not (out / MANIFEST).exists()
    sweep(BASE, {"sales.reps": [2]}, reps=1, seed=1, out=out)
    assert not partial.exists()  # stale once nobody holds the folder
    assert not (out / "sweep.holder").exists()
    FileLock(out / "sweep.lock", timeout=0).acquire()  # released when the sweep ended


@pytest.mark.parametrize("damage, names", [
    (lambda out: (out / "runs" / "point-00001-rep-0000.parquet").write_bytes(b""),
     "point-00001-rep-0000.parquet"),
    (lambda out: (out / "runs" / "point-00001-rep-0000.parquet").write_bytes(
        (out / "runs" / "point-00001-rep-0000.parquet").read_bytes()[:100]),
     "point-00001-rep-0000.parquet"),
    (lambda out: (out / MANIFEST).write_text("[]"), MANIFEST),
    (lambda out: (out / MANIFEST).write_text("{not json"), MANIFEST),
])
def test_damaged_sweep_folder_is_one_error_naming_the_file(tmp_path, damage, names):
    grid = {"sales.reps": [2, 4]}
    out = tmp_path / "s"
    sweep(BASE, grid, reps=1, seed=1, out=out)
    damage(out)
    with pytest.raises(ScenarioError) as info:
        sweep(BASE, grid, reps=1, seed=1, out=out, resume=True)
    assert names in str(info.value) and ("delete" in str(info.value))


def test_results_table_in_the_way_is_refused_before_any_run(tmp_path):
    out = tmp_path / "s"
    (out / "results.csv").mkdir(parents=True)
    with pytest.raises(ScenarioError, match="results.csv: is in the way"):
        sweep(BASE, {"sales.reps": [2]}, reps=1, seed=1, out=out)
    assert list((out / "runs").iterdir()) == []


def test_copied_run_file_is_reported_and_run_again(tmp_path):
    grid = {"sales.reps": [2, 4, 6]}
    full = sweep(BASE, grid, reps=1, seed=1)
    out = tmp_path / "s"
    sweep(BASE, grid, reps=1, seed=1, out=out)
    runs = out / "runs"
    # a lost run whose name was filled by copying another run's file
    (runs / "point-00002-rep-0000.parquet").write_bytes(
        (runs / "point-00000-rep-0000.parquet").read_bytes())
    (runs / "point-00000-rep-0000 (copy).parquet").write_bytes(
        (runs / "point-00000-rep-0000.parquet").read_bytes())
    told: list[str] = []
    resumed = sweep(BASE, grid, reps=1, seed=1, out=out, resume=True, warn=told.append)
    pd.testing.assert_frame_equal(resumed, full)
    assert len(told) == 2
    assert "point-00000-rep-0000 (copy).parquet: not a run of this sweep" in told[0]
    assert "point-00002-rep-0000.parquet: holds point 0 replication 0" in told[1]
    assert pd.read_parquet(runs / "point-00002-rep-0000.parquet")["point"].tolist() == [2]


def test_results_tables_are_written_while_the_sweep_runs(tmp_path, monkeypatch):
    import sim.sweep as sweep_module

    monkeypatch.setattr(sweep_module, "CHECKPOINT_SECONDS", 0.0)
    saved = sweep_module._save_run
    calls = []

    def save_then_stop(runs, spec, row):
        saved(runs, spec, row)
        calls.append(spec)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the sweep were stopped here

    monkeypatch.setattr(sweep_module, "_save_run", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        sweep(BASE, {"sales.reps": [2, 4, 6]}, reps=2, seed=1, out=tmp_path / "s")
    assert len(pd.read_csv(tmp_path / "s" / "results.csv")) == 2
    assert len(pd.read_parquet(tmp_path / "s" / "results.parquet")) == 2


def test_sweep_files_have_the_usual_mode(tmp_path):
    mask = os.umask(0o022)
    try:
        sweep(BASE, {"sales.reps": [2]}, reps=1, seed=1, out=tmp_path / "s")
    finally:
        os.umask(mask)
    for path in [*(tmp_path / "s").glob("*.*"), *(tmp_path / "s" / "runs").iterdir()]:
        if path.name != "sweep.lock":
            assert path.stat().st_mode & 0o777 == 0o644, path


def test_swing_is_the_range_of_low_base_and_high():
    """The sensitivity table and the tornado chart share one swing: a lever whose KPI peaks at
    the base value swings by the peak's height, not by |high - low|."""
    assert swing(10.0, 20.0, 12.0) == 10.0
    assert swing(12.0, 11.0, 10.0) == 2.0
    assert swing(float("nan"), 5.0, 7.0) == 2.0
    assert swing(float("nan"), float("nan"), float("nan")) == 0.0


def test_the_table_and_the_tornado_chart_order_levers_alike():
    from sim.views.sweep_plots import tornado_order

    table = pd.DataFrame({"parameter": ["a", "b"], "low_value": [0, 0], "high_value": [1, 1],
                          "kpi_low": [10.0, 10.0], "kpi_high": [12.0, 13.0],
                          "kpi_base": [20.0, 20.0]})
    table["swing"] = [swing(lo, b, hi) for lo, b, hi in
                      zip(table.kpi_low, table.kpi_base, table.kpi_high, strict=True)]
    assert list(table.swing) == [10.0, 10.0]
    assert list(tornado_order(table)["swing"]) == list(table.swing)
