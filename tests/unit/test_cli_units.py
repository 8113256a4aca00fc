"""Small pieces of the command line, tested in-process."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import Scenario, cli
from sim.cli import run as commands
from sim.cli import shared
from sim.errors import ScenarioError
from sim.files import write_atomic

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "scenarios" / "baseline.yaml"
INTEGRATED = REPO / "scenarios" / "integrated.yaml"


# ------------------------------------------------------------------------------ _clean
def test_clean_turns_non_finite_numbers_into_null():
    payload = {"a": math.nan, "b": [1.5, math.inf, (-math.inf, 2)], "c": {"d": math.nan},
               "e": "nan", "f": 3, "g": None, "h": 0.0}
    cleaned = shared.clean(payload)
    assert cleaned == {"a": None, "b": [1.5, None, [None, 2]], "c": {"d": None},
                       "e": "nan", "f": 3, "g": None, "h": 0.0}
    text = json.dumps(cleaned, allow_nan=False)  # strict JSON: would raise on NaN
    assert "NaN" not in text and "Infinity" not in text


def test_clean_keeps_types_of_finite_values():
    cleaned = shared.clean({"i": 4, "x": 0.25, "flag": True})
    assert cleaned == {"i": 4, "x": 0.25, "flag": True}
    assert type(cleaned["i"]) is int and type(cleaned["flag"]) is bool


def test_table_aligns_columns():
    text = shared.text_table(["kpi", "mean"], [["leads", "1,000"], ["won", "3.000"]])
    lines = text.splitlines()
    assert lines[0].split() == ["kpi", "mean"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len({len(line) for line in lines}) == 1, "every row has the same width"
    assert lines[2].startswith("leads") and lines[2].endswith("1,000")
    assert lines[3].startswith("won  ") and lines[3].endswith("3.000")


# ------------------------------------------------------------------------------ flag types
def test_flag_types_accept_good_values():
    assert shared.positive_int("3") == 3
    assert shared.seed_number("0") == 0
    assert shared.seed_number(str(2**63 - 1)) == 2**63 - 1
    assert shared.weeks_number("4") == 4.0
    assert shared.weeks_number("5200") == 5200.0
    assert shared.weeks_number("0.5") == 0.5
    assert commands.precision_share("0.05") == 0.05
    assert commands.precision_share("1") == 1.0
    assert commands.max_reps_number("2") == 2


@pytest.mark.parametrize(("convert", "text", "message"), [
    (shared.positive_int, "0", "at least 1"),
    (shared.positive_int, "-3", "at least 1"),
    (shared.positive_int, "2.5", "whole number"),
    (shared.positive_int, "abc", "whole number"),
    (shared.seed_number, "-1", "0 to 2^63-1"),
    (shared.seed_number, str(2**63), "0 to 2^63-1"),
    (shared.seed_number, "x", "whole number"),
    (shared.weeks_number, "0", "above 0"),
    (shared.weeks_number, "5200.5", "at most 5200"),
    (shared.weeks_number, "inf", "above 0"),
    (shared.weeks_number, "nan", "above 0"),
    (shared.weeks_number, "four", "number of weeks"),
    (commands.precision_share, "0", "above 0 and at most 1"),
    (commands.precision_share, "5", "above 0 and at most 1"),
    (commands.precision_share, "nan", "above 0 and at most 1"),
    (commands.precision_share, "5%", "a fraction"),
    (commands.max_reps_number, "1", "at least 2"),
    (commands.max_reps_number, "ten", "whole number"),
])
def test_flag_types_refuse_bad_values(convert, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=re.escape(message)):
        convert(text)


# ------------------------------------------------------------------------------ the parser
def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("leadflow: error: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(("argv", "expect"), [
    ([], "COMMAND"),
    (["frobnicate"], "'frobnicate'"),
    (["run"], "scenario"),
    (["run", "x.yaml", "--reps", "0"], "--reps"),
    (["run", "x.yaml", "--bogus"], "--bogus"),
    (["compare", "a.yaml", "b.yaml", "--kpi", "nope"], "--kpi"),
    (["compare", "a.yaml", "b.yaml", "--precision", "0"], "--precision"),
    (["compare", "a.yaml", "b.yaml", "--precision", "-0.1"], "--precision"),
    (["compare", "a.yaml", "b.yaml", "--max-reps", "1"], "--max-reps"),
    (["compare", "a.yaml", "b.yaml", "--max-reps", "2.5"], "--max-reps"),
    (["compare", "a.yaml", "b.yaml", "--reps", "0"], "--reps"),
])
def test_parser_error_is_one_line_and_exit_2(capsys, argv, expect):
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(argv)
    assert info.value.code == 2
    line = _one_error_line(capsys)
    assert expect in line
    assert "--help" in line


def test_parser_error_folds_line_breaks(capsys):
    with pytest.raises(SystemExit) as info:
        cli.build_parser().error("first\nsecond")
    assert info.value.code == 2
    assert "first second" in _one_error_line(capsys)


def test_parser_defaults():
    args = cli.build_parser().parse_args(["run", "baseline"])
    assert (args.reps, args.seed, args.weeks, args.json, args.out, args.set) == (
        1, None, None, False, None, [])
    args = cli.build_parser().parse_args(["compare", "a", "b", "--set", "sales.reps=2",
                                          "--set", "seed=3"])
    assert args.set == ["sales.reps=2", "seed=3"]
    # no --reps: compare sizes the replications itself
    assert (args.reps, args.precision, args.max_reps) == (None, 0.05, 100)
    args = cli.build_parser().parse_args(["compare", "a", "b", "--reps", "7"])
    assert args.reps == 7


# ------------------------------------------------------------------------------ main
def test_main_turns_scenario_errors_into_exit_2(capsys, tmp_path):
    assert cli.main(["validate", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml: file not found" in _one_error_line(capsys)
    assert cli.main(["run", str(BASELINE), "--set", "sales.rpes=2"]) == 2
    assert "did you mean 'sales.reps'" in _one_error_line(capsys)


def test_main_compare_needs_two(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["compare", str(BASELINE)])
    assert info.value.code == 2
    assert "at least two scenarios" in _one_error_line(capsys)


def test_main_validate_ok(capsys):
    assert cli.main(["validate", str(BASELINE), "--set", "feedback.mode=none"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok") and "(baseline)" in out


def test_main_bad_input_creates_no_out_folder(capsys, tmp_path):
    out = tmp_path / "never"
    assert cli.main(["run", str(BASELINE), "--set", "sales.reps=0", "--out", str(out)]) == 2
    _one_error_line(capsys)
    assert not out.exists()


# ------------------------------------------------------------------------------ compare sizing
# Short horizons without warm-up keep these quick; one worker keeps them in this process.
COMPARE = ["compare", str(BASELINE), str(INTEGRATED), "--weeks", "6", "--warmup", "0",
           "--workers", "1"]
WARNING = re.compile(r"warning: (\d+) replications give revenue differences ±[\d.]+ % of baseline "
                     r"revenue; about (\d+) are needed for ±[\d.]+ % \(omit --reps to size them "
                     r"automatically\)")


def _compare_json(capsys, *extra: str) -> tuple[dict, list[str]]:
    """Run compare --json in-process: the payload (exactly one JSON object) and stderr lines."""
    assert cli.main([*COMPARE, "--json", *extra]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1, out[:300]
    return json.loads(lines[0]), err.splitlines()


def _revenue_share(payload: dict) -> float:
    """Half-width of the paired revenue difference as a share of the first scenario's revenue."""
    low, high = payload["diff_vs_first"]["integrated"]["revenue"]["ci95"]
    return (high - low) / 2 / abs(payload["kpis"]["baseline"]["revenue"])


def test_compare_with_reps_warns_exactly_when_the_differences_are_too_wide(capsys):
    payload, err = _compare_json(capsys, "--reps", "10")
    assert payload["reps"] == 10
    share = _revenue_share(payload)
    assert 0 < share < 0.9, "the test needs a noisy revenue difference"
    # the default asks for +/-5 %
    assert bool(err) == (share > 0.05)
    for precision, warns in ((share * 0.98, True), (share * 1.02, False)):
        again, err = _compare_json(capsys, "--reps", "10", "--precision", repr(precision))
        assert again == payload, "--precision with --reps only changes the warning"
        if warns:
            assert len(err) == 1, err
            match = WARNING.fullmatch(err[0])
            assert match, err[0]
            assert int(match[1]) == 10 and int(match[2]) > 10
        else:
            assert err == []


def test_compare_without_reps_runs_as_many_as_the_precision_needs(capsys):
    pilot, _ = _compare_json(capsys, "--reps", "10")
    target = 0.8 * _revenue_share(pilot)
    sized, err = _compare_json(capsys, "--precision", repr(target), "--max-reps", "80")
    assert err == [], "the target is met: no warning"
    reps = sized["reps"]
    assert 10 < reps < 80
    assert _revenue_share(sized) <= target
    # the same numbers as asking for that many replications outright
    fixed, _ = _compare_json(capsys, "--reps", str(reps))
    assert fixed == sized


def test_compare_warns_once_when_the_cap_is_reached(capsys):
    payload, err = _compare_json(capsys, "--precision", "0.001", "--max-reps", "12")
    assert payload["reps"] == 12
    assert len(err) == 1, err
    assert err[0].startswith("warning: the cap of 12 replications gives revenue differences ±")
    assert err[0].endswith("(raise --max-reps to run them)")
    assert cli.main([*COMPARE, "--precision", "0.001", "--max-reps", "12"]) == 0
    out, err = capsys.readouterr()
    header = out.splitlines()[0]
    assert "reps 12 sized for ±0.1 %  revenue differences ±" in header
    assert "% of baseline revenue" in header
    assert [line for line in err.splitlines() if "warning" in line] == [err.splitlines()[-1]]


def test_compare_of_identical_scenarios_stops_at_the_pilot(capsys):
    assert cli.main(["compare", str(BASELINE), str(BASELINE), "--weeks", "4", "--warmup", "0",
                     "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert "reps 10 sized for ±5 %  revenue differences ±0.0 %" in out.splitlines()[0]
    assert "warning" not in err


# ------------------------------------------------------------------------------ --out helpers
def test_prepare_out(tmp_path):
    assert shared.prepare_out(None) is None
    made = shared.prepare_out(str(tmp_path / "a" / "b"))
    assert made == tmp_path / "a" / "b" and made.is_dir()
    assert shared.prepare_out(str(made)) == made  # an existing folder is fine
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ScenarioError, match="is a file") as info:
        shared.prepare_out(str(tmp_path / "file"))
    assert info.value.source == "--out"
    with pytest.raises(ScenarioError, match="cannot create folder"):
        shared.prepare_out(str(tmp_path / "file" / "sub"))
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"


def test_write_atomic_replaces_whole_files_or_nothing(tmp_path):
    target = tmp_path / "kpis.json"
    target.write_text("old\n", encoding="utf-8")

    def fail(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(target, fail)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpis.json"], "temp file left behind"

    write_atomic(target, lambda p: p.write_text("new\n", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kpis.json"]


def test_run_out_on_a_full_disk_is_one_line_and_leaves_no_temporary_file(capsys, tmp_path,
                                                                         monkeypatch):
    import errno

    from sim import files

    real_replace = os.replace

    def full_for_the_scenario(src, dst):
        if Path(dst).name == "scenario.yaml":
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", full_for_the_scenario)
    out = tmp_path / "out"
    assert cli.main(["run", str(BASELINE), "--weeks", "2", "--warmup", "0", "--workers", "1",
                     "--out", str(out)]) == 2
    line = _one_error_line(capsys)
    assert "scenario.yaml" in line and "No space left on device" in line
    assert sorted(p.name for p in out.iterdir()) == ["kpis.json", "replications.csv"]


def test_run_out_files_have_the_usual_mode(capsys, tmp_path):
    mask = os.umask(0o022)
    try:
        assert cli.main(["run", str(BASELINE), "--weeks", "2", "--warmup", "0", "--workers", "1",
                         "--out", str(tmp_path / "out"), "--json"]) == 0
    finally:
        os.umask(mask)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "out").iterdir()}
    assert modes == {"kpis.json": 0o644, "replications.csv": 0o644, "scenario.yaml": 0o644}


# ------------------------------------------------------------------------------ calibrate --out
@pytest.fixture(scope="module")
def crm_csv(tmp_path_factory) -> Path:
    from sim.calibrate import export_crm
    from sim.model import run
    from sim.scenario import load_scenario

    scenario = load_scenario(BASELINE, ["weeks=26", "warmup_weeks=0"])
    path = tmp_path_factory.mktemp("crm") / "crm.csv"
    export_crm(run(scenario, seed=3, event_log=True).event_log, path)
    return path


def test_calibrate_replaces_an_existing_scenario_only_with_force(capsys, crm_csv, tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("name: keep me\n", encoding="utf-8")
    assert cli.main(["calibrate", str(crm_csv), "--out", str(out)]) == 2
    assert "already exists; add --force" in _one_error_line(capsys)
    assert out.read_text(encoding="utf-8") == "name: keep me\n"
    assert cli.main(["calibrate", str(crm_csv), "--out", str(out), "--force", "--json"]) == 0
    assert "Calibrated from crm.csv" in out.read_text(encoding="utf-8")


def test_calibrate_into_a_read_only_folder_is_one_line(capsys, crm_csv, tmp_path, monkeypatch):
    from sim import files

    monkeypatch.setattr(files, "writable", lambda folder: False)
    assert cli.main(["calibrate", str(crm_csv), "--out", str(tmp_path / "mine.yaml")]) == 2
    assert "is not writable" in _one_error_line(capsys)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ fuzzing flags
_NASTY = st.sampled_from([
    "[" * 3000, "{" * 3000, "&a [*a, *a]", "*a", "&a [&b [*a]]", "!!python/object:os.system",
    "\x00", "\x1b[31m", "\x07", "\n", "\r", "\u202e", "1e-2", ".nan", "-.inf", "9" * 5000,
    "'", '"', ",", "=", "~", "null", "none", "yes", "0x1F", "1_000", "2001-13-45",
    "!!int abc", "!!float .", " ", "é", "- x", "? k", "#", "%YAML 1.1", "---",
])
_VALUES = st.lists(st.one_of(_NASTY, st.text(max_size=20)), max_size=4).map("".join)
_KEYS = st.one_of(st.sampled_from([
    "sales.reps", "marketing.brand_share", "sales.prioritisation", "feedback.mode", "weeks",
    "name", "description", "sales", "nope", "marketing.channels.nope.cost_per_lead",
    "marketing.channels", "", " ", "sales.reps.x", "\x1b[2J",
]), st.text(max_size=20))
_FUZZ_BASE = Scenario(weeks=3)


def _one_clean_line(exc: ScenarioError) -> None:
    message = str(exc)
    assert message.isprintable(), message  # nothing that could steer or break the terminal
    assert len(message) < 2000


# A few thousand "{" cost the YAML scanner about half a second per value whatever the limits
# (it looks up to 1024 characters ahead for a key), so the deadline leaves room for that.
@settings(max_examples=150, deadline=10_000, suppress_health_check=[HealthCheck.too_slow])
@given(key=_KEYS, value=_VALUES)
def test_set_and_grid_parsing_survive_nasty_input(key, value):
    from sim.scenario import parse_override, with_overrides
    from sim.sweep import parse_grid, parse_levers

    item = f"{key}={value}"
    attempts = [lambda: with_overrides(_FUZZ_BASE, dict([parse_override(item)])),
                lambda: parse_grid([item], _FUZZ_BASE),
                lambda: parse_levers([item], _FUZZ_BASE)]
    for attempt in attempts:
        try:
            attempt()
        except ScenarioError as exc:
            _one_clean_line(exc)


@settings(max_examples=60, deadline=2000)
@given(share=st.floats(0, 0.99, allow_nan=False),
       style=st.sampled_from(["{!r}", "{:e}", "{:.2e}", "{:g}", "{:+}", "{:.3f}"]))
def test_grid_numbers_are_numbers_however_they_are_written(share, style):
    from sim.sweep import parse_grid

    text = style.format(share)
    values = parse_grid([f"marketing.brand_share={text}"], _FUZZ_BASE)["marketing.brand_share"]
    assert values == [float(text)] and type(values[0]) is float


# ------------------------------------------------------------------------------ game actions
def test_every_game_action_has_its_handler():
    from sim.cli import game

    assert set(game.ACTIONS) | {"new", "serve", "debrief"} == set(game.GAME_ACTIONS)


@pytest.mark.parametrize(("name", "part"), [
    ("debrief.pptx", True), ("take-home-red.html", True), ("charts", True),
    ("charts/01-leaderboard.png", True), ("charts/12-bridge-t1-vs-reference.png", True),
    ("notes.txt", False), ("charts/mine.png", False), ("rounds/00", False), ("game.yaml", False),
    ("take-home-red.html/x", False), ("charts/01-x.png/y", False),
])
def test_debrief_force_replaces_only_what_a_pack_holds(name, part):
    from sim.cli import game

    assert bool(game.PACK_PARTS.fullmatch(name)) is part


def test_serve_takes_links_for_make_game():
    args = cli.build_parser().parse_args(["game", "serve", "g", "--links"])
    assert args.links and not cli.build_parser().parse_args(["game", "serve", "g"]).links


# ------------------------------------------------------------------------------ start-up
def test_a_run_and_its_summary_load_neither_pandas_nor_asyncio():
    """The replications of a plain ``run`` and their means need no pandas (a fifth of a second
    of every run's start) and their progress bar no asyncio; a table loads pandas when asked.
    """
    import subprocess
    import sys

    code = ("import sys\n"
            "from sim.experiment import replication_rows, summarise\n"
            "from sim.scenario import load_scenario\n"
            f"scenario = load_scenario({str(BASELINE)!r}, ['weeks=2', 'warmup_weeks=0'])\n"
            "summarise(replication_rows(scenario, 2, 1, progress=True))\n"
            "print(sorted(m for m in ('pandas', 'asyncio') if m in sys.modules))\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_the_rows_summarise_to_the_bits_of_the_table():
    from sim.experiment import replication_rows, replication_table, summarise
    from sim.scenario import load_scenario

    # two weeks from an empty start: some replications close no deal, so some ratios are NaN
    scenario = load_scenario(BASELINE, ["weeks=2", "warmup_weeks=0"])
    rows = replication_rows(scenario, 12, 1)
    table = replication_table(rows)
    assert table["win_rate"].isna().any() and not table["win_rate"].isna().all()
    means, ci = summarise(rows)
    table_means, table_ci = summarise(table)
    same = lambda a, b: a == b or (math.isnan(a) and math.isnan(b))  # noqa: E731
    assert list(means) == list(table_means)
    assert all(same(means[k], table_means[k]) for k in means)
    assert all(same(x, y) for k in ci for x, y in zip(ci[k], table_ci[k], strict=True))


def test_the_command_exits_with_mains_code_and_freezes_the_collector(monkeypatch):
    import gc

    import sim.cli

    frozen = []
    monkeypatch.setattr(sim.cli, "main", lambda: 3)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    with pytest.raises(SystemExit) as exited:
        sim.cli.entry()
    assert exited.value.code == 3 and frozen == [True]


def test_the_installed_command_is_the_entry_point():
    import importlib
    import tomllib

    from tests.conftest import REPO

    target = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]["leadflow"]
    module, name = target.split(":")
    assert getattr(importlib.import_module(module), name).__name__ == "entry"
