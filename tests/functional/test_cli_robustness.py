"""``python -m sim robustness``: the claims across the assumption space, from the command line.

A tiny company (three weeks, no warm-up) and the smallest design SALib accepts keep every run
to a few seconds; the design sizes themselves are checked in tests/unit/test_robustness.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.companies import lever_company

TINY = ["--trajectories", "2", "--samples", "2", "--top", "2", "--seed", "7"]


def test_table_json_chart_and_page(run_cli, tmp_path):
    lever_company(tmp_path)
    done = run_cli("robustness", "lever.yaml", *TINY, "--workers", "1", "--plot", "chart.png",
                   "--markdown", "page.md")
    assert done.returncode == 0, done.stderr
    assert "lever: more opportunities" in done.stdout and "holds on" in done.stdout
    assert "fewer busy hours" in done.stdout and "robust" in done.stdout
    assert "Morris 18 points over 8 groups" in done.stdout
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (tmp_path / "page.md").read_text(encoding="utf-8")
    assert "python -m sim robustness lever.yaml --trajectories 2" in page
    assert "| lever | fewer busy hours | rep_utilization |" in page
    # the page is not replaced without --force, and nothing runs before that is said
    again = run_cli("robustness", "lever.yaml", *TINY, "--markdown", "page.md")
    assert again.returncode == 2 and "--force" in again.stderr


def test_json_is_one_object(run_cli, tmp_path):
    lever_company(tmp_path)
    as_json = run_cli("robustness", "lever.yaml", *TINY, "--workers", "1", "--json")
    assert as_json.returncode == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert set(payload) >= {"design", "seed", "groups", "screening", "chosen", "claims",
                            "summary", "runs"}
    assert payload["seed"] == 7 and len(payload["chosen"]) == 2
    assert payload["design"] == {"trajectories": 2, "levels": 4, "samples": 2, "top": 2,
                                 "reps": 1}
    first = payload["claims"][0]
    assert first["says"] == "more opportunities" and 0 <= first["share"] <= 1
    assert first["label"].startswith(("robust", "depends on"))
    assert [len(pair) for pair in first["depends_on"]] == [2, 2]
    assert payload["runs"] == (18 + 8) * 2  # Morris and Saltelli points x two scenarios


@pytest.mark.parametrize("args, needle", [
    (["--samples", "6"], "--samples: must be a power of two"),
    (["--trajectories", "1"], "--trajectories: must be at least 2"),
    (["--top", "12"], "--top: 12: must be from 1 to 8"),
    (["--reps", "0"], "--reps: must be at least 1"),
    (["--resume"], "--resume: needs --out"),
    (["--plot", "chart.gif"], "--plot: chart.gif: must end in .png"),
    (["--markdown", "page.txt"], "--markdown: page.txt: must end in .md"),
    (["--scheduler", "tcp://127.0.0.1:1"], "cannot reach a Dask"),
    (["--seed", "-1"], "--seed"),
])
def test_bad_input_is_one_line_and_exit_2(run_cli, tmp_path, args, needle):
    lever_company(tmp_path)
    done = run_cli("robustness", "lever.yaml", *args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], done.stderr


def test_a_file_without_claims_is_named(run_cli, tmp_path):
    lever_company(tmp_path)
    done = run_cli("robustness", "base.yaml")
    assert done.returncode == 2 and "base.yaml: claims: states no claims" in done.stderr


def test_a_killed_run_resumes_to_the_uninterrupted_result(run_cli, repo, tmp_path):
    lever_company(tmp_path)
    args = ["robustness", "lever.yaml", *TINY, "--workers", "1", "--json"]
    out = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(repo))
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args, "--out", str(out)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(out.rglob("*.parquet"))) < 10:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 10 <= len(list(out.rglob("*.parquet"))) < 52, "the run must be killed mid-way"

    resumed = run_cli(*args, "--out", out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    whole = run_cli(*args)
    assert whole.returncode == 0, whole.stderr
    assert json.loads(resumed.stdout) == json.loads(whole.stdout)
    assert len(list(out.rglob("*.parquet"))) == 52

    other = run_cli(*args, "--seed", "8", "--out", out, "--resume")
    assert other.returncode == 2 and "different robustness run" in other.stderr
