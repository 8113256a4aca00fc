"""``calibrate`` fits the funnel: the fit table, the HTML report, holdout and bad flags.

The exports are the small shipped Salesforce example (26 weeks, a few hundred leads), so one
fit on the command line takes seconds; how well a fit recovers known parameters is checked in
``tests/unit/test_calibrate.py``.
"""

import pytest

from sim import cli, load_scenario


@pytest.fixture
def export(repo):
    return repo / "examples" / "crm" / "salesforce_leads.csv"


def test_calibrate_fits_writes_a_report_and_a_holdout(run_cli, export, tmp_path):
    out, report = tmp_path / "my_company.yaml", tmp_path / "fit.html"
    # two replications: the fit runs in the command's process pool (one worker per core)
    done = run_cli("calibrate", export, "--out", out, "--report", report, "--reps", "2",
                   "--holdout-weeks", "3", "--seed", "1")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("note: salesforce_leads.csv: dropped 3 report footer rows")
    assert "fitted by simulation (2 replications" in text
    assert "observed vs simulated" in text and "holdout: the last 3 weeks" in text
    assert "stayed at baseline default" in text and "verdict" in text
    assert f"scenario written to {out}" in text and f"report written to {report}" in text
    assert "fit iteration 1:" in done.stderr  # progress goes to stderr, not into the tables
    page = report.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 3 and "MQL" in page and "Holdout" in page
    scenario = load_scenario(out)
    assert scenario.name == "my_company"  # named after --out
    assert scenario.sales.acceptance_bar is not None
    assert set(scenario.marketing.channels) == {"events", "outbound_list", "paid_search",
                                                "webinar"}


def test_bad_fit_flags_are_one_line_and_write_nothing(export, tmp_path, capsys):
    # the command's entry point in this process: each refusal comes before any simulation,
    # and the command line in a process of its own is run by the test above
    def refused(*args: object) -> str:
        try:
            code = cli.main(["calibrate", str(export), *map(str, args)])
        except SystemExit as exc:  # argparse's own refusals
            code = exc.code
        assert code == 2
        return capsys.readouterr().err

    out = tmp_path / "me.yaml"
    err = refused("--out", out, "--holdout-weeks", "40", "--reps", "2")
    assert len(err.strip().splitlines()) == 1 and "--holdout-weeks" in err and "1 to" in err
    assert not out.exists()
    (tmp_path / "fit.html").write_text("keep")
    err = refused("--out", out, "--report", tmp_path / "fit.html", "--reps", "2")
    assert "--report" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "fit.html").read_text() == "keep" and not out.exists()
    assert "--reps" in refused("--out", out, "--reps", "0")
    err = refused("--out", tmp_path / "x.txt")
    assert len(err.strip().splitlines()) == 1 and ".yaml" in err
    assert not (tmp_path / "x.txt").exists() and not out.exists()
