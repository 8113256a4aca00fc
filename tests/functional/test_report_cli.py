"""python -m sim report: one self-contained HTML page, written atomically."""

import json


def test_report_writes_one_self_contained_page(run_cli, tmp_path):
    out = tmp_path / "report.html"
    done = run_cli("report", "undefined", "integrated", "--reps", "2", "--weeks", "8",
                   "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"report": str(out), "scenarios": ["undefined",
                                       "integrated"], "seed": 20061, "reps": 2}
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "undefined" in page and "integrated" in page
    assert "data:image/png;base64," in page
    assert "<script src=" not in page and "<link " not in page  # nothing fetched from elsewhere
    assert "python -m sim report undefined integrated --reps 2 --weeks 8" in page
    # for managers: the answer in words first, where it comes from (the revenue bridge), then
    # figures, then tables; no developer text
    assert (page.index('id="answer"') < page.index('id="bridge"') < page.index('id="figures"')
            < page.index('id="kpis"'))
    assert 'alt="Revenue bridge: undefined to integrated"' in page
    assert "earns €" in page and "dump_scenario" not in page
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_report_bad_input_writes_nothing(run_cli, tmp_path):
    for args, needle in [
        (["nope.yaml", "--out", tmp_path / "r.html"], "file not found"),
        (["baseline", "--out", tmp_path / "missing" / "r.html"], "does not exist"),
        (["baseline", "--reps", "0", "--out", tmp_path / "r.html"], "at least 1"),
        (["baseline"], "--out"),
    ]:
        done = run_cli("report", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_report_replaces_a_file_only_with_force(run_cli, tmp_path):
    out = tmp_path / "report.html"
    out.write_text("last week's report")
    done = run_cli("report", "baseline", "--reps", "1", "--weeks", "2", "--out", out)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "report.html: already exists; add --force" in lines[0]
    assert out.read_text() == "last week's report"
    done = run_cli("report", "baseline", "--reps", "1", "--weeks", "2", "--out", out, "--force")
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_report_never_replaces_a_scenario_it_reads(run_cli, tmp_path):
    scenario = tmp_path / "mine.yaml"
    scenario.write_text("name: mine\n")
    for force in ([], ["--force"]):
        done = run_cli("report", scenario, "--reps", "1", "--weeks", "2", "--out", scenario,
                       *force)
        assert done.returncode == 2 and "one of the files this command reads" in done.stderr
    assert scenario.read_text() == "name: mine\n"
