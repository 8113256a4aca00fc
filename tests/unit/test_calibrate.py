"""Calibration from a CRM export: round trip, column variants, and bad CSVs."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import load_scenario, run
from sim.calibrate import calibrate, calibrated_scenario, estimate, export_crm, fit, read_crm
from sim.errors import ScenarioError
from sim.fit_stats import cycle_mean
from sim.params import Scenario
from sim.scenario import with_overrides
from sim.views.fit_report import fit_table, write_fit_report

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
KNOWN = ["weeks=104", "marketing.budget_learning_rate=0", "marketing.brand_share=0",
         "marketing.awareness_initial=0", "incentives.sales_comp=team_shared",
         "warmup_weeks=0"]  # the export covers the whole run, as the KPIs do


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    scenario = load_scenario(BASELINE, KNOWN)
    result = run(scenario, seed=3, event_log=True)
    path = tmp_path_factory.mktemp("crm") / "crm.csv"
    export_crm(result.event_log, path)
    return scenario, result, path


def test_round_trip_recovers_known_parameters_within_ten_percent(simulated, tmp_path):
    scenario, result, path = simulated
    cal = calibrate(path, tmp_path / "me.yaml", fit_reps=None)  # measuring only
    got = cal.overrides()
    for name, channel in scenario.marketing.channels.items():
        key = f"marketing.channels.{name}"
        assert got[f"{key}.leads_per_week"] == pytest.approx(channel.leads_per_week, rel=0.1)
        if name != "outbound_list":  # a handful of won deals only
            assert got[f"{key}.deal_size_median"] == pytest.approx(channel.deal_size_median,
                                                                   rel=0.1)
    assert got["sales.cycle_time_days_mean"] == pytest.approx(
        scenario.sales.cycle_time_days_mean, rel=0.1)
    kpis = result.kpis
    for observed, kpi in [("lead_to_mql", "mql_rate"), ("mql_to_sql", "mql_to_sql"),
                          ("contacted_within_1h", "contacted_within_1h")]:
        assert cal.observed[observed][0] == pytest.approx(kpis[kpi], rel=0.1)
    written = load_scenario(tmp_path / "me.yaml")
    assert set(written.marketing.channels) == set(scenario.marketing.channels)
    text = (tmp_path / "me.yaml").read_text()
    assert "(n = " in text and "leads_per_week" in text.splitlines()[2]


def test_column_variants_and_a_column_map(simulated, tmp_path):
    _, _, path = simulated
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).head(400)
    frame = frame.rename(columns={"channel": "Lead Source", "created_at": "Created Date",
                                  "amount": "Deal Value"})
    frame.to_csv(tmp_path / "variants.csv", index=False)
    assert {"channel", "created_at", "amount"} <= set(read_crm(tmp_path / "variants.csv"))
    frame.rename(columns={"Lead Source": "Herkunft"}).to_csv(tmp_path / "mapped.csv", index=False)
    # no channel column: every row is 'unknown' (sim.crm says so in a note)
    assert set(read_crm(tmp_path / "mapped.csv").channel) == {"unknown"}
    mapped = read_crm(tmp_path / "mapped.csv", {"Herkunft": "channel"})
    assert set(mapped.channel) == set(frame["Lead Source"])


def _csv(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("text, where, what", [
    ("", None, "empty"),
    ("created_at,channel\n", None, "no rows"),
    ("channel\nwebinar\n", "created_at", "no column for when each record was created"),
    ("created_at,channel\n2026-01-05T09:00:00,webinar\nyesterday,webinar\n", "created_at: 1 row",
     "cannot be read as a date-time (row 3 'yesterday')"),
    ("created_at,channel,amount\n2026-01-05T09:00:00,webinar,-5\n", "amount: 1 row",
     "is negative (row 2 '-5')"),
    ("created_at,channel,amount\n2026-01-05T09:00:00,webinar,lots\n", "amount: 1 row",
     "is not a number (row 2 'lots')"),
    ("created_at,channel,won\n2026-01-05T09:00:00,webinar,maybe\n", "won: 1 row", "true/false"),
    ("created_at,channel\n,webinar\n", "created_at: 1 row", "has no date (row 2 '')"),
])
def test_bad_csvs_name_the_row_and_column(tmp_path, text, where, what):
    with pytest.raises(ScenarioError) as err:
        read_crm(_csv(tmp_path, text))
    assert what in str(err.value)
    if where:
        assert where in str(err.value)


def test_other_encodings_and_a_missing_file(tmp_path):
    from sim.crm import read_export

    export = read_export(_csv(tmp_path, "created_at,channel\n2026-01-05T09:00:00,Müller\n",
                              "latin-1"))
    assert export.data.channel[0] == "müller"
    assert any("not UTF-8" in n for n in export.notes)
    with pytest.raises(ScenarioError, match="file not found"):
        read_crm(tmp_path / "none.csv")


def test_only_self_sourced_rows_is_refused(tmp_path):
    data = read_crm(_csv(tmp_path, "created_at,channel\n2026-01-05T09:00:00,self_sourced\n"))
    with pytest.raises(ScenarioError, match="no marketing leads"):
        estimate(data)


def test_the_shipped_example_calibrates(repo, tmp_path):
    # measuring only: the command line's fit, and its refusal of a bad --out, are checked in
    # tests/functional/test_cli_calibrate_fit.py
    out = tmp_path / "my_company.yaml"
    cal = calibrate(repo / "examples" / "crm_example.csv", out, fit_reps=None)
    scenario = load_scenario(out)
    assert scenario.name == "my_company" and cal.estimates
    assert set(scenario.marketing.channels) == {
        e.key.split(".")[2] for e in cal.estimates if e.key.startswith("marketing.channels.")}
    with pytest.raises(ScenarioError, match="must end in .yaml"):
        calibrate(repo / "examples" / "crm_example.csv", tmp_path / "x.txt", fit_reps=None)
    assert not (tmp_path / "x.txt").exists()


# ----------------------------------------------------------------------------- fitting
KNOWN_FIT = {"scoring.mql_threshold": 0.5, "sales.acceptance_bar": 0.52,
             "sales.sql_to_opportunity": 0.6, "sales.base_win_rate": 0.2,
             "sales.cycle_time_days_mean": 40.0}


def _fit_base():
    """What a CRM export cannot tell: the rest of the company, as the fit assumes it."""
    base = with_overrides(Scenario(), {"marketing.brand_share": 0.0,
                                       "marketing.awareness_initial": 0.0,
                                       "marketing.budget_learning_rate": 0.0,
                                       "incentives.sales_comp": "team_shared", "sales.reps": 5,
                                       "weeks": 20})
    channels = base.model_dump()["marketing"]["channels"]
    first = next(iter(channels.values()))
    return with_overrides(base, {f"marketing.channels.{n}.{k}": first[k] for n in channels
                                 for k in ("quality_alpha", "quality_beta")})


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    base = _fit_base()
    truth = with_overrides(base, KNOWN_FIT)
    path = tmp_path_factory.mktemp("fit") / "crm.csv"
    export_crm(run(truth, seed=5, event_log=True).event_log, path)
    cal = estimate(read_crm(path))
    # at most 10 iterations, however busy the machine: a budget in seconds would let a slow
    # machine stop the fit early and fail the test
    scenario = fit(cal, calibrated_scenario(cal, base=base), reps=5, budget_seconds=math.inf,
                   max_iter=10)
    return cal, scenario, path


def test_fit_recovers_known_parameters_and_reproduces_the_export(fitted):
    cal, scenario, _ = fitted
    got = cal.overrides()
    for key in ("scoring.mql_threshold", "sales.acceptance_bar", "sales.cycle_time_days_mean"):
        assert got[key] == pytest.approx(KNOWN_FIT[key], rel=0.1), key
    # a stage with a few hundred records recovers its parameter to its sampling error
    for key in ("sales.sql_to_opportunity", "sales.base_win_rate"):
        assert got[key] == pytest.approx(KNOWN_FIT[key], rel=0.25), key
    misses = [row for row in fit_table(cal.rows) if row[-1] == "MISS"]
    assert not misses, misses
    assert scenario.scoring.mql_threshold == got["scoring.mql_threshold"]


def test_censored_cycle_estimate_is_unbiased():
    rng = np.random.default_rng(1)
    means = []
    for _ in range(40):
        opened = rng.uniform(0, 120, 300)          # days before the export was taken
        cycle = rng.gamma(3.0, 45.0 / 3.0, 300)
        closed = cycle <= opened
        mean, low, high = cycle_mean(np.where(closed, cycle, opened), closed)
        assert low < mean < high
        means.append(mean)
    assert np.mean(means) == pytest.approx(45.0, rel=0.03)
    naive = np.mean(np.where(closed, cycle, np.nan)[closed])
    assert naive < 40  # closed deals alone are biased short


def test_report_and_holdout(repo, tmp_path):
    # the small Salesforce example (26 weeks, a few hundred leads) and a short fit: this checks
    # what is written, not how well it fits (that is the recovery test above)
    path = repo / "examples" / "crm" / "salesforce_leads.csv"
    cal = calibrate(path, tmp_path / "me.yaml", fit_reps=2, holdout_weeks=2, max_iter=2)
    write_fit_report(tmp_path / "fit.html", cal, "Fit of salesforce_leads.csv")
    assert len(cal.fit.iterations) <= 2 and len(cal.sims) == 2
    assert cal.holdout and set(cal.holdout) <= set(cal.rows)
    assert all(row.n > 0 and not math.isnan(row.simulated) for row in cal.holdout.values())
    page = (tmp_path / "fit.html").read_text(encoding="utf-8")
    assert "Holdout" in page and page.count("data:image/png;base64,") >= 3
    assert "Observed vs simulated" in (tmp_path / "me.yaml").read_text()
    with pytest.raises(ScenarioError, match="--holdout-weeks"):
        calibrate(path, tmp_path / "other.yaml", fit_reps=2, holdout_weeks=25)
    assert not (tmp_path / "other.yaml").exists()
