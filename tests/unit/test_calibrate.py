"""Calibration from a CRM export: round trip, column variants, and bad CSVs."""

from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run
from sim.calibrate import calibrate, estimate, export_crm, read_crm
from sim.errors import ScenarioError

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
    cal = calibrate(path, tmp_path / "me.yaml")
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
                          ("contacted_within_1h", "contacted_within_1h"),
                          ("win_rate", "win_rate")]:
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
    with pytest.raises(ScenarioError, match="channel"):
        read_crm(tmp_path / "mapped.csv")
    assert "channel" in read_crm(tmp_path / "mapped.csv", {"Herkunft": "channel"})


def _csv(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("text, where, what", [
    ("", None, "empty"),
    ("created_at,channel\n", None, "no rows"),
    ("channel\nwebinar\n", "created_at", "required column"),
    ("created_at,channel\n2026-01-05T09:00:00,webinar\nyesterday,webinar\n", "row 3, created_at",
     "cannot read 'yesterday'"),
    ("created_at,channel,amount\n2026-01-05T09:00:00,webinar,-5\n", "row 2, amount",
     "non-negative"),
    ("created_at,channel,amount\n2026-01-05T09:00:00,webinar,lots\n", "row 2, amount",
     "not a number"),
    ("created_at,channel,won\n2026-01-05T09:00:00,webinar,maybe\n", "row 2, won", "true/false"),
    ("created_at,channel\n2026-01-05T09:00:00,\n", "row 2, channel", "empty"),
])
def test_bad_csvs_name_the_row_and_column(tmp_path, text, where, what):
    with pytest.raises(ScenarioError) as err:
        read_crm(_csv(tmp_path, text))
    assert what in str(err.value)
    if where:
        assert where in str(err.value)


def test_wrong_encoding_and_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="not UTF-8"):
        read_crm(_csv(tmp_path, "created_at,channel\n2026-01-05T09:00:00,Müller\n", "latin-1"))
    with pytest.raises(ScenarioError, match="file not found"):
        read_crm(tmp_path / "none.csv")


def test_only_self_sourced_rows_is_refused(tmp_path):
    data = read_crm(_csv(tmp_path, "created_at,channel\n2026-01-05T09:00:00,self_sourced\n"))
    with pytest.raises(ScenarioError, match="no marketing leads"):
        estimate(data)


def test_cli_calibrates_the_shipped_example(run_cli, repo, tmp_path):
    out = tmp_path / "my_company.yaml"
    done = run_cli("calibrate", repo / "examples" / "crm_example.csv", "--out", out)
    assert done.returncode == 0, done.stderr
    assert load_scenario(out).name == "my_company"
    bad = run_cli("calibrate", repo / "examples" / "crm_example.csv", "--out", tmp_path / "x.txt")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.txt").exists()
