"""The warm-up command: MSER-5 truncation weeks as a table or one JSON object."""

import json

import pytest

SHORT = ("--weeks", "30", "--reps", "2")  # six batches of five weeks: the shortest run allowed


def _json(done):
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


def test_json_is_one_object_with_the_documented_keys(run_cli):
    found = _json(run_cli("warmup", "baseline", *SHORT, "--seed", "5", "--json"))
    assert set(found) == {"scenario", "seed", "reps", "weeks", "truncation_weeks",
                          "recommended_warmup_weeks", "run_too_short"}
    assert (found["scenario"], found["seed"], found["reps"], found["weeks"]) == (
        "baseline", 5, 2, 30)
    weeks = found["truncation_weeks"]
    assert set(weeks) == {"revenue", "opportunities"}
    assert all(isinstance(w, int) and 0 <= w <= 15 and w % 5 == 0 for w in weeks.values())
    assert found["recommended_warmup_weeks"] == max(weeks.values())
    assert isinstance(found["run_too_short"], bool)


def test_workers_give_the_serial_answer(run_cli):
    one = _json(run_cli("warmup", "baseline", *SHORT, "--workers", "1", "--json"))
    two = _json(run_cli("warmup", "baseline", *SHORT, "--workers", "2", "--json"))
    assert one == two


def test_table_names_each_series_and_the_recommendation(run_cli):
    done = run_cli("warmup", "baseline", *SHORT, "--set", "sales.reps=3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("warm-up of baseline") and "reps 2  weeks 30" in lines[0]
    assert lines[1].split() == ["series", "truncation", "week"]
    rows = {ln.split()[0]: int(ln.split()[-1]) for ln in lines[3:5]}
    assert set(rows) == {"revenue", "opportunities"}
    recommended = [ln for ln in lines if ln.startswith("recommended warm-up:")]
    assert recommended and int(recommended[0].split()[2]) == max(rows.values())


@pytest.mark.parametrize("args, needle", [
    (("--weeks", "29"), "--weeks"),
    (("--weeks", "52.5"), "--weeks"),
    (("--reps", "0"), "--reps"),
    (("--warmup", "4"), "--warmup"),
    (("--set", "sales.rpes=3"), "sales.rpes"),
])
def test_bad_input_is_one_line_and_exit_2(run_cli, args, needle):
    done = run_cli("warmup", "baseline", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr
