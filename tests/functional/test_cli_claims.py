"""``python -m sim claims``: the headers' claims checked from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _sim(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _company(tmp_path: Path, header: str, claims: str) -> Path:
    (tmp_path / "base.yaml").write_text("weeks: 3\nwarmup_weeks: 0\n", encoding="utf-8")
    path = tmp_path / "lever.yaml"
    path.write_text(f"# {header}\nextends: base.yaml\nsales:\n  reps: 6\nclaims:\n{claims}",
                    encoding="utf-8")
    return path


def test_claims_prints_a_table_and_exits_0_when_all_hold(tmp_path):
    path = _company(tmp_path, "More reps are busy less.",
                    "- {says: busy less, kpi: rep_utilization, change: down, against: base}\n")
    done = _sim("claims", path, "--pilot", 3, "--max-reps", 4, "--workers", 1, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "busy less" in done.stdout and "holds" in done.stdout and "1 hold, 0 fail" in done.stdout


def test_a_claim_that_fails_exits_1_and_json_says_why(tmp_path):
    path = _company(tmp_path, "More reps are busy more.",
                    "- {says: busy more, kpi: rep_utilization, change: up, against: base}\n")
    done = _sim("claims", path, "--pilot", 3, "--max-reps", 4, "--json", cwd=tmp_path)
    assert done.returncode == 1
    payload = json.loads(done.stdout)
    (row,) = payload["claims"]
    assert row["verdict"] == "fails" and row["kpi"] == "rep_utilization" and row["reps"] == 3
    assert payload["summary"] == {"holds": 0, "fails": 1, "undecided": 0}


def test_a_claim_its_header_does_not_say_is_refused_before_running(tmp_path):
    path = _company(tmp_path, "Nothing to see.",
                    "- {says: busy less, kpi: rep_utilization, change: down, against: base}\n")
    done = _sim("claims", path, cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "opening comment" in done.stderr


def test_a_malformed_claim_is_one_line(tmp_path):
    path = _company(tmp_path, "x", "- {says: x, kpi: revnue, change: up}\n")
    done = _sim("claims", path, cwd=tmp_path)
    assert done.returncode == 2 and "claims[0].kpi" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_max_reps_below_the_pilot_is_refused(tmp_path):
    done = _sim("claims", "--pilot", 8, "--max-reps", 4, cwd=tmp_path)
    assert done.returncode == 2 and "--max-reps" in done.stderr
