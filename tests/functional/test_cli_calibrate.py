"""Calibrating from the exports CRMs write: each shipped preset example without --map, and a
bad export refused with every problem in one message and nothing written."""

import pytest

from sim import cli, load_scenario, run
from sim.calibrate import calibrate
from sim.crm import read_export
from sim.crm_export import EXAMPLES, write_export


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_preset_example_calibrates_without_a_map(repo, tmp_path, name):
    path = repo / "examples" / "crm" / name
    export = read_export(path)
    assert export.crm == EXAMPLES[name][0]
    out = tmp_path / "me.yaml"
    cal = calibrate(path, out, data=export, fit_reps=None)
    scenario = load_scenario(out)
    channels = set(export.data.channel) - {"self_sourced"}
    assert set(scenario.marketing.channels) == channels
    assert cal.kind == export.kind == ("deals" if "pipedrive" in name else "leads")


def test_the_command_reads_a_crm_export_and_prints_its_notes_first(repo, tmp_path, capsys):
    scenario = load_scenario(repo / "scenarios" / "baseline.yaml",
                             ["weeks=3", "warmup_weeks=0"])
    path = tmp_path / "hubspot.csv"
    write_export(run(scenario, seed=2, event_log=True).event_log, path, "hubspot",
                 delimiter=";", decimal=",", date_style="dayfirst", blank_sources=25)
    out = tmp_path / "me.yaml"
    # the command's entry point in this process (the command line in a process of its own is
    # run by tests/functional/test_cli_calibrate_fit.py)
    code = cli.main(["calibrate", str(path), "--out", str(out), "--reps", "1", "--seed", "1",
                     "--crm", "hubspot", "--dayfirst", "--decimal", ","])
    done = capsys.readouterr()
    assert code == 0, done.err
    lines = done.out.splitlines()
    assert lines[0].startswith("note: hubspot.csv: columns are separated by semicolons")
    first_estimate = next(i for i, line in enumerate(lines) if line.startswith("calibrated"))
    notes = [line for line in lines[:first_estimate] if line.startswith("note:")]
    assert any("read as channel 'unknown'" in n for n in notes)
    assert not any(line in notes for line in lines[first_estimate:])  # said once
    assert "unknown" in load_scenario(out).marketing.channels


def test_a_bad_export_lists_every_problem_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("Created Date,Lead Source,Amount,Stage\n"
                    "1/13/2024 10:56 PM,Web,\"$12,873.33\",Closed Won\n"
                    "someday,Web,lots,Closed Lost\n"
                    "1/14/2024 9:00 AM,,-5,Open\n", encoding="utf-8")
    out = tmp_path / "me.yaml"
    code = cli.main(["calibrate", str(path), "--out", str(out), "--missing-channel", "error"])
    done = capsys.readouterr()
    assert code == 2 and done.out == ""
    message = done.err.strip().splitlines()
    assert "3 problems, nothing was written" in message[0] and len(message) == 4
    text = done.err
    assert "row 3 'someday'" in text and "row 3 'lots'" in text and "row 4 '-5'" in text
    assert "--missing-channel unknown" in text and "--date-format" in text
    assert not out.exists()
