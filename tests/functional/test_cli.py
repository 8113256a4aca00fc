"""Happy paths of the command line (MODEL.md section 4), run as a user would: in a subprocess."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.metrics import KPI_NAMES
from sim.scenario import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"

# The KPI names of MODEL.md section 3, copied by hand: removing one from the code fails a test.
MODEL_KPIS = [
    "leads", "mqls", "sals", "sqls", "opportunities", "won", "lost", "revenue",
    "marketing_cost", "sales_cost", "meeting_cost", "total_cost", "profit", "roi", "cac",
    "mql_rate", "mql_to_sql", "win_rate", "leakage_rate", "speed_to_lead_h_mean",
    "speed_to_lead_h_median", "contacted_within_1h", "cycle_time_days_mean", "trust_final",
    "feedback_coverage", "marketing_sourced_revenue_share", "mean_discount",
    "first_touch_wait_h_mean", "sales_queue_len_mean", "rep_utilization",
]
RUN_KEYS = {"scenario", "seed", "reps", "weeks", "kpis", "ci95"}
WEEKS = "8"


def _sim(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m sim ARGS…`` for module-scoped fixtures (tests use the ``run_cli`` fixture)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _json(result: subprocess.CompletedProcess[str]) -> dict:
    """Exactly one JSON object on stdout, nothing else."""
    _ok(result)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout[:500]
    payload = json.loads(lines[0])
    assert isinstance(payload, dict)
    return payload


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _within(low: float, mean: float, high: float) -> bool:
    slack = 1e-9 * max(1.0, abs(mean))
    return low - slack <= mean <= high + slack


# ------------------------------------------------------------------------------------ run
@pytest.fixture(scope="module")
def single_run(tmp_path_factory) -> dict:
    """``run baseline.yaml --json`` once, shared by the tests of its shape."""
    return _json(_sim("run", BASELINE, "--json", "--weeks", WEEKS,
                      cwd=tmp_path_factory.mktemp("single")))


def test_run_json_has_the_documented_keys(single_run):
    assert set(single_run) == RUN_KEYS
    assert single_run["scenario"] == "baseline"
    assert single_run["seed"] == 20061
    assert single_run["reps"] == 1
    assert single_run["weeks"] == 8
    assert single_run["ci95"] is None


def test_run_json_reports_every_kpi(single_run):
    assert set(MODEL_KPIS) <= set(KPI_NAMES)
    assert set(single_run["kpis"]) == set(KPI_NAMES)
    for name in MODEL_KPIS:
        assert name in single_run["kpis"], name
    for name, value in single_run["kpis"].items():
        assert value is None or isinstance(value, int | float), (name, value)
    assert single_run["kpis"]["leads"] > 0


def test_run_with_reps_gives_an_interval_around_every_mean(run_cli):
    payload = _json(run_cli("run", BASELINE, "--json", "--weeks", WEEKS, "--reps", "3"))
    assert set(payload) == RUN_KEYS
    assert payload["reps"] == 3
    ci = payload["ci95"]
    assert isinstance(ci, dict)
    assert set(ci) == set(payload["kpis"]) == set(KPI_NAMES)
    for name in MODEL_KPIS:
        mean = payload["kpis"][name]
        low, high = ci[name]
        assert mean is not None and low is not None and high is not None, name
        assert low <= high, name
        assert _within(low, mean, high), (name, low, mean, high)


def test_set_changes_the_result(run_cli):
    base = _json(run_cli("run", BASELINE, "--json", "--weeks", WEEKS))
    fewer = _json(run_cli("run", BASELINE, "--json", "--weeks", WEEKS, "--set", "sales.reps=1"))
    wait, wait_one_rep = (p["kpis"]["first_touch_wait_h_mean"] for p in (base, fewer))
    assert wait_one_rep > wait
    assert fewer["scenario"] == base["scenario"] == "baseline"


def test_seed_is_reproducible_and_matters(run_cli):
    args = ("run", BASELINE, "--json", "--weeks", "4")
    first = _json(run_cli(*args, "--seed", "7"))
    again = _json(run_cli(*args, "--seed", "7"))
    other = _json(run_cli(*args, "--seed", "8"))
    assert first == again
    assert first["seed"] == 7 and other["seed"] == 8
    assert first["kpis"] != other["kpis"]


def test_weeks_flag_is_reflected(run_cli):
    payload = _json(run_cli("run", BASELINE, "--json", "--weeks", "4"))
    assert payload["weeks"] == 4
    longer = _json(run_cli("run", BASELINE, "--json", "--weeks", WEEKS))
    assert longer["kpis"]["leads"] > payload["kpis"]["leads"]


def test_bare_preset_name(run_cli, tmp_path):
    payload = _json(run_cli("run", "baseline", "--json", "--weeks", "4", cwd=tmp_path))
    assert payload["scenario"] == "baseline"
    by_path = _json(run_cli("run", BASELINE, "--json", "--weeks", "4"))
    assert payload == by_path


def test_out_writes_complete_results(run_cli, tmp_path):
    out = tmp_path / "results" / "baseline"
    payload = _json(run_cli("run", BASELINE, "--json", "--weeks", WEEKS, "--reps", "2",
                            "--set", "sales.reps=3", "--out", out))
    assert sorted(p.name for p in out.iterdir()) == [
        "kpis.json", "replications.csv", "scenario.yaml"]
    assert json.loads((out / "kpis.json").read_text(encoding="utf-8")) == payload

    with (out / "replications.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    assert set(KPI_NAMES) <= set(rows[0])
    mean_leads = sum(float(r["leads"]) for r in rows) / 2
    assert _close(mean_leads, payload["kpis"]["leads"])

    written = load_scenario(out / "scenario.yaml")
    expected = load_scenario(BASELINE, ["sales.reps=3", f"weeks={WEEKS}"])
    assert written == expected
    assert written.sales.reps == 3 and written.weeks == 8


def test_out_without_json_prints_the_table_and_the_folder(run_cli, tmp_path):
    result = _ok(run_cli("run", BASELINE, "--weeks", "4", "--out", "res"))
    assert (tmp_path / "res" / "kpis.json").is_file()
    assert "res" in result.stdout.splitlines()[-1]


def test_run_table_lists_every_kpi(run_cli):
    result = _ok(run_cli("run", BASELINE, "--weeks", "4", "--reps", "2"))
    assert result.stderr == ""
    assert "baseline" in result.stdout.splitlines()[0]
    assert "95% CI" in result.stdout
    for name in MODEL_KPIS:
        assert f"\n{name} " in result.stdout, name


# -------------------------------------------------------------------------------- compare
@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> dict:
    return _json(_sim("compare", BASELINE, SCENARIOS / "integrated.yaml", "--reps", "3",
                      "--json", "--weeks", WEEKS, cwd=tmp_path_factory.mktemp("compare")))


def test_compare_json_shape(comparison):
    assert set(comparison) == {"scenarios", "reps", "kpis", "diff_vs_first"}
    assert comparison["reps"] == 3
    assert comparison["scenarios"] == ["baseline", "integrated"]
    assert set(comparison["kpis"]) == {"baseline", "integrated"}
    for name in comparison["scenarios"]:
        assert set(comparison["kpis"][name]) == set(KPI_NAMES)
        assert set(MODEL_KPIS) <= set(comparison["kpis"][name])
    assert set(comparison["diff_vs_first"]) == {"integrated"}


def test_compare_differences_are_paired_with_intervals(comparison):
    diffs = comparison["diff_vs_first"]["integrated"]
    assert set(diffs) == set(KPI_NAMES)
    for kpi in MODEL_KPIS:
        entry = diffs[kpi]
        assert set(entry) == {"mean", "ci95"}, kpi
        d = entry["mean"]
        low, high = entry["ci95"]
        a, b = comparison["kpis"]["baseline"][kpi], comparison["kpis"]["integrated"][kpi]
        assert _close(d, b - a), kpi
        assert _within(low, d, high), (kpi, low, d, high)
    assert diffs["leads"]["mean"] != 0 or diffs["revenue"]["mean"] != 0


def test_compare_table(run_cli):
    result = _ok(run_cli("compare", BASELINE, SCENARIOS / "undefined.yaml", "--reps", "2",
                         "--weeks", "4"))
    assert "compare vs baseline" in result.stdout
    assert "undefined" in result.stdout
    assert "diff vs baseline" in result.stdout
    for name in MODEL_KPIS:
        assert f"\n{name} " in result.stdout, name


def test_compare_kpi_filter(run_cli):
    result = _ok(run_cli("compare", "baseline", "integrated", "--reps", "2", "--weeks", "4",
                         "--kpi", "revenue", "--kpi", "won"))
    body = [line.split()[0] for line in result.stdout.splitlines()[3:] if line.strip()]
    assert body[:2] == ["revenue", "won"]
    assert "leads" not in body


# ------------------------------------------------------------------------------- validate
def _all_scenario_files() -> list[Path]:
    files = sorted(SCENARIOS.glob("*.yaml")) + sorted((SCENARIOS / "checks").glob("*.yaml"))
    assert len(files) >= 10
    return files


def test_validate_every_shipped_scenario(run_cli):
    files = _all_scenario_files()
    result = _ok(run_cli("validate", *files))
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == len(files)
    for line, path in zip(lines, files, strict=True):
        assert line.startswith("ok"), line
        assert str(path) in line


def test_validate_accepts_set(run_cli):
    result = _ok(run_cli("validate", BASELINE, "--set", "sales.reps=9"))
    assert "baseline" in result.stdout


# --------------------------------------------------------------------------- entry points
def test_console_script_and_version():
    script = Path(sys.executable).parent / "leadflow"
    assert script.is_file(), f"console script missing next to {Path(sys.executable).name}"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"leadflow {sim.__version__}"


def test_module_version_and_help(run_cli):
    result = _ok(run_cli("--version"))
    assert result.stdout.strip() == f"leadflow {sim.__version__}"
    helped = _ok(run_cli("--help"))
    for command in ("run", "compare", "validate"):
        assert command in helped.stdout


# ------------------------------------------------------------------ control characters
EVIL_NAME = "evil\x1b[31mred\x07\x00x\nline"
EVIL_SHOWN = "evil\\x1b[31mred\\x07\\x00x\\nline"


@pytest.fixture
def evil_scenario(tmp_path) -> Path:
    path = tmp_path / "evil.yaml"
    path.write_text('name: "evil\\e[31mred\\a\\0x\\nline"\ndescription: "wipes\\e[2J"\n',
                    encoding="utf-8")
    return path


def _clean_terminal_text(text: str) -> None:
    assert all(ch.isprintable() or ch == "\n" for ch in text), repr(text)


def test_validate_echoes_names_with_control_characters_escaped(run_cli, evil_scenario):
    done = _ok(run_cli("validate", evil_scenario))
    assert done.stdout == f"ok  {evil_scenario}  ({EVIL_SHOWN})\n"


def test_run_and_compare_tables_escape_control_characters(run_cli, evil_scenario):
    ran = _ok(run_cli("run", evil_scenario, "--weeks", "2", "--warmup", "0", "--workers", "1"))
    assert ran.stdout.splitlines()[0].startswith(f"scenario {EVIL_SHOWN}  seed ")
    compared = _ok(run_cli("compare", evil_scenario, "baseline", "--weeks", "2", "--warmup", "0",
                           "--reps", "2", "--workers", "1"))
    assert EVIL_SHOWN in compared.stdout.splitlines()[1]
    for text in (ran.stdout, ran.stderr, compared.stdout, compared.stderr):
        _clean_terminal_text(text)
    assert EVIL_NAME not in ran.stdout + compared.stdout


# ------------------------------------------------------------------ a full drive
def test_run_out_on_a_full_drive_is_one_line_and_leaves_no_temporary_file(run_cli_on_tmpfs,
                                                                          tmp_path):
    # two pages: the KPIs and the replications fit, the resolved scenario does not
    done = run_cli_on_tmpfs(tmp_path / "full", "size=8k", "run", "baseline", "--weeks", "2",
                            "--warmup", "0", "--workers", "1", "--out", tmp_path / "full" / "o")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "scenario.yaml: No space left on device" in lines[0], lines
    assert done.files == ["o", "o/kpis.json", "o/replications.csv"]
