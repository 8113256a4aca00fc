"""``calibrate`` fits the funnel: the fit table, the HTML report, holdout and bad flags."""

from sim import load_scenario


def test_calibrate_fits_writes_a_report_and_a_holdout(run_cli, repo, tmp_path):
    out, report = tmp_path / "me.yaml", tmp_path / "fit.html"
    done = run_cli("calibrate", repo / "examples" / "crm_example.csv", "--out", out,
                   "--report", report, "--reps", "4", "--holdout-weeks", "3")
    assert done.returncode == 0, done.stderr
    assert "observed vs simulated" in done.stdout and "holdout" in done.stdout
    assert "stayed at baseline default" in done.stdout
    page = report.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 3 and "MQL" in page
    assert load_scenario(out).sales.acceptance_bar is not None


def test_bad_fit_flags_are_one_line_and_write_nothing(run_cli, repo, tmp_path):
    out = tmp_path / "me.yaml"
    bad = run_cli("calibrate", repo / "examples" / "crm_example.csv", "--out", out,
                  "--holdout-weeks", "40", "--reps", "2")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "--holdout-weeks" in bad.stderr and "1 to" in bad.stderr
    assert not out.exists()
    (tmp_path / "fit.html").write_text("keep")
    bad = run_cli("calibrate", repo / "examples" / "crm_example.csv", "--out", out,
                  "--report", tmp_path / "fit.html", "--reps", "2")
    assert bad.returncode == 2 and "--report" in bad.stderr
    assert (tmp_path / "fit.html").read_text() == "keep" and not out.exists()
    bad = run_cli("calibrate", repo / "examples" / "crm_example.csv", "--out", out,
                  "--reps", "0")
    assert bad.returncode == 2 and "--reps" in bad.stderr
