"""The sweep and sensitivity commands end to end: output, resume after a kill, Dask, bad input."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario
from sim.sweep import sweep

GRID = ["--grid", "incentives.shared_kpi_weight=0,0.5,1", "--grid",
        "communication.meeting_every_weeks=1,4"]


def test_sweep_writes_a_tidy_table(run_cli, tmp_path):
    done = run_cli("sweep", "baseline", *GRID, "--reps", "2", "--weeks", "6", "--workers", "2",
                   "--out", tmp_path / "s")
    assert done.returncode == 0, done.stderr
    assert "incentives.shared_kpi_weight" in done.stdout
    table = pd.read_csv(tmp_path / "s" / "results.csv")
    assert len(table) == 12
    assert {"incentives.shared_kpi_weight", "communication.meeting_every_weeks", "revenue",
            "replication", "seed"} <= set(table.columns)


def test_sweep_json_is_one_object_and_quiet(run_cli, tmp_path):
    done = run_cli("sweep", "baseline", "--grid", "sales.reps=2,4", "--reps", "2", "--weeks", "4",
                   "--out", tmp_path / "s", "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = json.loads(done.stdout)
    assert out["runs"] == 4 and len(out["points"]) == 2
    point = out["points"][1]
    assert point["params"] == {"sales.reps": 4}
    low, high = point["ci95"]["revenue"]
    assert low <= point["kpis"]["revenue"] <= high


def test_killed_sweep_resumes_to_the_uninterrupted_table(run_cli, repo, tmp_path):
    args = ["sweep", "baseline", "--grid", "sales.reps=2,3,4,5,6", "--grid",
            "communication.crm_sharing=0.3,0.9", "--reps", "6", "--weeks", "52",
            "--workers", "1"]
    out = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(repo))
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args, "--out", str(out)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    runs = out / "runs"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and len(list(runs.glob("*.parquet"))) < 5:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = len(list(runs.glob("*.parquet")))
    assert 5 <= finished < 60, "the sweep must be killed mid-way"
    assert not (out / "results.csv").exists()

    resumed = run_cli(*args, "--out", out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    whole = run_cli(*args, "--out", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr
    a = pd.read_parquet(out / "results.parquet")
    b = pd.read_parquet(tmp_path / "whole" / "results.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 60 and not a.duplicated(["point", "replication"]).any()


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_table(run_cli, repo, tmp_path):
    done = run_cli("sweep", "baseline", "--grid", "sales.reps=2,4", "--reps", "3", "--weeks", "6",
                   "--scheduler", "local", "--workers", "2", "--out", tmp_path / "dask")
    assert done.returncode == 0, done.stderr
    on_dask = pd.read_parquet(tmp_path / "dask" / "results.parquet")
    base = load_scenario(repo / "scenarios" / "baseline.yaml", ["weeks=6"])
    serial = sweep(base, {"sales.reps": [2, 4]}, reps=3)
    pd.testing.assert_frame_equal(on_dask, serial, check_dtype=False)


def test_sensitivity_ranks_levers(run_cli):
    done = run_cli("sensitivity", "baseline", "--lever", "pricing.price_index=0.8,2.0",
                   "--lever", "communication.joint_training_days=0,0.1", "--reps", "2",
                   "--weeks", "13", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert [lv["parameter"] for lv in out["levers"]][0] == "pricing.price_index"


@pytest.mark.parametrize("extra, needle", [
    (["--grid", "sales.rpes=2,4"], "did you mean 'sales.reps'"),
    (["--grid", "sales.reps="], "needs at least one value"),
    (["--grid", "sales.reps=two,4"], "whole number"),
    (["--grid", "pricing.price_index=high"], "number"),
    (["--grid", "sales.reps"], "expected PATH=v1,v2"),
    (["--grid", "sales.reps=2", "--scheduler", "tcp://127.0.0.1:1"], "cannot reach a Dask"),
    (["--grid", "sales.reps=2", "--scheduler", "nowhere"], "expected an address"),
    (["--grid", "sales.reps=2", "--workers", "0"], "must be at least 1"),
])
def test_sweep_bad_input_is_one_line_and_writes_nothing(run_cli, tmp_path, extra, needle):
    out = tmp_path / "s"
    done = run_cli("sweep", "baseline", *extra, "--weeks", "2", "--out", out, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in done.stderr
    assert not (out / "sweep.json").exists()


def test_sweep_without_grid_or_out_is_refused(run_cli, tmp_path):
    for args in (["sweep", "baseline", "--out", tmp_path / "s"],
                 ["sweep", "baseline", "--grid", "sales.reps=2"]):
        done = run_cli(*args)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_sweep_out_must_be_a_usable_folder(run_cli, tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep")
    done = run_cli("sweep", "baseline", "--grid", "sales.reps=2", "--weeks", "2", "--out", a_file)
    assert done.returncode == 2 and "is a file" in done.stderr
    assert a_file.read_text() == "keep"
    done = run_cli("sweep", "baseline", "--grid", "sales.reps=2", "--weeks", "2",
                   "--out", a_file / "sub")
    assert done.returncode == 2 and "cannot create folder" in done.stderr


def test_resume_into_a_different_sweep_changes_nothing(run_cli, tmp_path):
    out = tmp_path / "s"
    first = run_cli("sweep", "baseline", "--grid", "sales.reps=2", "--weeks", "2", "--out", out)
    assert first.returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = run_cli("sweep", "baseline", "--grid", "sales.reps=3", "--weeks", "2", "--out", out,
                    "--resume")
    assert again.returncode == 2 and "different sweep" in again.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    plain = run_cli("sweep", "baseline", "--grid", "sales.reps=2", "--weeks", "2", "--out", out)
    assert plain.returncode == 2 and "already holds a sweep" in plain.stderr


def test_sensitivity_saves_the_tornado_chart(run_cli, tmp_path):
    png = tmp_path / "tornado.png"
    done = run_cli("sensitivity", "baseline", "--lever", "sales.reps=2,6", "--reps", "1",
                   "--weeks", "4", "--plot", png)
    assert done.returncode == 0, done.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for bad, needle in [(tmp_path / "t.txt", "must end in"), (tmp_path / "no" / "t.png",
                                                                "does not exist")]:
        done = run_cli("sensitivity", "baseline", "--reps", "1", "--weeks", "2", "--plot", bad)
        assert done.returncode == 2 and needle in done.stderr


# ------------------------------------------------------------------ typed grids
def test_grid_values_in_scientific_notation_are_numbers_in_json(run_cli, tmp_path):
    done = run_cli("sweep", "baseline", "--grid", "marketing.brand_share=0.1,1e-2", "--reps", "1",
                   "--weeks", "2", "--workers", "1", "--out", tmp_path / "s", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["grid"] == {"marketing.brand_share": [0.1, 0.01]}
    assert [p["params"]["marketing.brand_share"] for p in out["points"]] == [0.1, 0.01]
    assert pd.read_csv(tmp_path / "s" / "results.csv")["marketing.brand_share"].tolist() == [
        0.1, 0.01]


def test_bad_grid_value_names_the_key_and_the_range_before_any_run(run_cli, tmp_path):
    done = run_cli("sweep", "baseline", "--grid", "marketing.brand_share=0.1,7", "--weeks", "2",
                   "--out", tmp_path / "s")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"leadflow: error: --grid: marketing\.brand_share: must be a number "
                        r"from 0 (to|below) 1 \(got 7\)", lines[0]), lines[0]
    assert not (tmp_path / "s").exists()


def test_lever_errors_say_lever(run_cli):
    done = run_cli("sensitivity", "baseline", "--lever", "sales.reps=two,4", "--weeks", "2")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("leadflow: error: --lever: sales.reps:")


# ------------------------------------------------------------------ one sweep per folder
LONG = ["sweep", "baseline", "--grid", "sales.reps=2,3,4,5,6", "--grid",
        "communication.crm_sharing=0.3,0.9", "--reps", "6", "--weeks", "52", "--workers", "1"]


def _start(repo, tmp_path, args):
    env = dict(os.environ, PYTHONPATH=str(repo))
    return subprocess.Popen([sys.executable, "-m", "sim", *map(str, args)], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_runs(runs, count, proc, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(list(runs.glob("*.parquet"))) < count:
        assert proc.poll() is None, "the sweep ended before it could be watched"
        time.sleep(0.02)


def test_second_sweep_into_a_running_sweeps_folder_is_refused(run_cli, repo, tmp_path):
    out = tmp_path / "s"
    first = _start(repo, tmp_path, [*LONG, "--out", out])
    try:
        _wait_for_runs(out / "runs", 2, first)
        # what the running sweep is writing at this moment must survive the refused ones
        partial = out / "runs" / ".point-00009-rep-0005.parquet.x.partial"
        partial.write_bytes(b"being written")
        for args in ([*LONG, "--out", out, "--resume"],
                     ["sweep", "baseline", "--grid", "sales.reps=7", "--weeks", "2", "--out", out]):
            done = run_cli(*args)
            assert done.returncode == 2 and "Traceback" not in done.stderr
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and "is in use by another sweep" in lines[0]
            assert f"process {first.pid} on " in lines[0]
            assert partial.exists()
        assert first.poll() is None
    finally:
        first.kill()
        first.wait()
    # the lock goes with its holder, however it ended: the killed sweep can be resumed
    resumed = run_cli(*LONG, "--out", out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert len(pd.read_csv(out / "results.csv")) == 60 and not partial.exists()


def _children(pid):
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status is left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_pool_sweep_leaves_no_workers_behind(repo, tmp_path):
    out = tmp_path / "s"
    args = [*LONG[:-1], "2", "--out", out]  # --workers 2
    proc = _start(repo, tmp_path, args)
    try:
        _wait_for_runs(out / "runs", 1, proc)
        workers = _children(proc.pid)
        assert len(workers) >= 2, workers
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_running(w) for w in workers):
        time.sleep(0.05)
    assert not [w for w in workers if _running(w)], "workers outlived their sweep"


# ------------------------------------------------------------------ damaged sweep folders
def _truncate(path):
    path.write_bytes(path.read_bytes()[:64])


@pytest.mark.parametrize("damage, named, advice", [
    (lambda out: (out / "runs" / "point-00001-rep-0000.parquet").write_bytes(b""),
     "runs/point-00001-rep-0000.parquet", "delete it"),
    (lambda out: _truncate(out / "runs" / "point-00000-rep-0000.parquet"),
     "runs/point-00000-rep-0000.parquet", "delete it"),
    (lambda out: (out / "sweep.json").write_text("[]"), "sweep.json", "delete the folder"),
    (lambda out: ((out / "results.csv").unlink(), (out / "results.csv").mkdir()),
     "results.csv", "remove it"),
])
def test_damaged_sweep_folder_is_one_line_naming_the_file(run_cli, tmp_path, damage, named,
                                                          advice):
    args = ["sweep", "baseline", "--grid", "sales.reps=2,4", "--reps", "1", "--weeks", "2",
            "--workers", "1", "--out", tmp_path / "s"]
    assert run_cli(*args).returncode == 0
    damage(tmp_path / "s")
    done = run_cli(*args, "--resume")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and advice in lines[0], lines


def test_resume_reports_a_copied_run_file_and_keeps_one_row_per_run(run_cli, tmp_path):
    args = ["sweep", "baseline", "--grid", "sales.reps=2,4,6", "--reps", "1", "--weeks", "2",
            "--workers", "1", "--out", tmp_path / "s"]
    assert run_cli(*args).returncode == 0
    whole = pd.read_csv(tmp_path / "s" / "results.csv")
    runs = tmp_path / "s" / "runs"
    (runs / "point-00001-rep-0000.parquet").write_bytes(
        (runs / "point-00000-rep-0000.parquet").read_bytes())
    done = run_cli(*args, "--resume")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "point-00001-rep-0000.parquet: holds point 0" in warnings[0]
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s" / "results.csv"), whole)


# ------------------------------------------------------------------ read-only --plot
def test_plot_into_a_read_only_folder_is_refused_before_the_runs(run_cli_on_tmpfs, tmp_path):
    done = run_cli_on_tmpfs(tmp_path / "ro", "ro", "sensitivity", "baseline", "--lever",
                            "sales.reps=2,6", "--weeks", "2", "--reps", "1", "--workers", "1",
                            "--plot", tmp_path / "ro" / "tornado.png")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    # the --plot check names the flag; a failure after the runs would name only the file
    assert len(lines) == 1 and lines[0].startswith("leadflow: error: --plot: ")
    assert "is not writable" in lines[0]
