"""Reading CRM exports: each preset's format read back to the canonical frame, and bad files
reported with every problem at once."""

from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run
from sim.calibrate import export_crm, read_crm
from sim.crm import ExportProblemsError, read_export
from sim.crm_columns import TIMES
from sim.crm_export import EXAMPLES, example_logs, write_export
from sim.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["weeks=13", "warmup_weeks=0", "marketing.budget_learning_rate=0",
         "marketing.channels.webinar.leads_per_week=10",
         "marketing.channels.paid_search.leads_per_week=25",
         "marketing.channels.events.leads_per_week=8",
         "marketing.channels.outbound_list.leads_per_week=15"]


@pytest.fixture(scope="module")
def log():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", SMALL)
    return run(scenario, seed=5, event_log=True).event_log


@pytest.fixture(scope="module")
def canonical(log, tmp_path_factory):
    path = tmp_path_factory.mktemp("canon") / "canon.csv"
    export_crm(log, path)
    export = read_export(path)
    assert export.kind == "leads" and export.crm is None and export.notes == []
    return export.data


def _summary(data: pd.DataFrame) -> dict:
    out = {c: sorted(data[c].dropna().dt.floor("min")) for c in
           ("created_at", "first_contact_at", "became_mql_at", "became_sql_at",
            "opportunity_at", "closed_at")}
    out["won"] = int(data.won.sum())
    out["lost"] = int((~data.won & data.closed_at.notna()).sum())
    out["open"] = int((data.opportunity_at.notna() & data.closed_at.isna()).sum())
    out["amounts"] = sorted(data.amount[data.won].round(2))
    out["channels"] = data.channel.value_counts().to_dict()
    return out


FORMATS = [
    ("salesforce", {}),
    ("salesforce", {"encoding": "utf-16", "date_style": "dayfirst", "decimal": ",",
                    "delimiter": "\t"}),
    ("hubspot", {}),
    ("hubspot", {"delimiter": ";", "decimal": ",", "date_style": "dayfirst",
                 "encoding": "cp1252"}),
    ("zoho", {"date_style": "us", "encoding": "utf-8-sig"}),
    ("zoho", {"date_style": "api", "footer": True}),
]


@pytest.mark.parametrize("crm, options", FORMATS)
def test_each_format_reads_back_to_the_canonical_frame(log, canonical, tmp_path, crm, options):
    path = tmp_path / "export.csv"
    write_export(log, path, crm, **options)
    export = read_export(path)
    assert export.crm == crm and export.kind == "leads"
    assert list(export.data.columns) == list(canonical.columns)
    assert len(export.data) == len(canonical)
    assert _summary(export.data) == _summary(canonical)
    assert any("open deal" in n for n in export.notes)
    assert export.end == canonical[list(TIMES)].max().max().floor("min")


def test_open_deals_with_an_expected_close_date_are_not_closed(log, tmp_path):
    path = tmp_path / "sf.csv"
    table = write_export(log, path, "salesforce")
    data = read_export(path).data
    open_rows = (table["Stage"] == "Negotiation/Review").to_numpy()
    assert open_rows.any() and (table["Close Date"][open_rows] != "").all()
    assert data.closed_at[open_rows].isna().all() and not data.won[open_rows].any()


def test_pipedrive_is_deal_level_and_takes_the_won_or_lost_time(log, canonical, tmp_path):
    path = tmp_path / "pd.csv"
    write_export(log, path, "pipedrive", delimiter=";", decimal=",", date_style="dayfirst")
    export = read_export(path)
    assert export.kind == "deals" and export.crm == "pipedrive"
    assert any("deal-level" in n for n in export.notes)
    assert any("semicolon" in n for n in export.notes)
    deals = canonical[canonical.opportunity_at.notna()].copy()
    deals["created_at"] = deals.opportunity_at
    got, want = _summary(export.data), _summary(deals)
    for key in ("created_at", "opportunity_at", "closed_at", "won", "lost", "open", "amounts",
                "channels"):
        assert got[key] == want[key], key


def test_leads_and_deals_files_are_joined_on_the_lead_id(log, canonical, tmp_path):
    write_export(log, tmp_path / "contacts.csv", "hubspot", deals=tmp_path / "deals.csv")
    export = read_export(tmp_path / "contacts.csv", tmp_path / "deals.csv")
    assert export.kind == "leads" and export.crm == "hubspot"
    assert _summary(export.data) == _summary(canonical)
    assert "contacts.csv + " in export.source


def _csv(tmp_path, text, encoding="utf-8", name="bad.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_every_problem_is_listed_once_with_rows_and_the_fix(tmp_path):
    text = ("Created Date,Lead Source,Amount,Won\n"
            "2026-01-05 09:00,Webinar,100,true\n"
            "yesterday,Webinar,lots,maybe\n"
            "2026-01-06 09:00,Events,-5,no\n"
            "soon,Events,12,Closed Won\n")
    with pytest.raises(ExportProblemsError) as err:
        read_export(_csv(tmp_path, text))
    message = str(err.value)
    lines = message.splitlines()
    assert "3 problems" in lines[0] and len(lines) == 4
    assert "created_at ('Created Date'): 2 rows" in message
    assert "row 3 'yesterday', row 5 'soon'" in message and "--date-format" in message
    assert "amount: 1 row is not a number (row 3 'lots')" in message
    assert "and 1 row is negative (row 4 '-5')" in message and "won: 1 row" in message
    assert "row 3 'maybe'" in message and "--won-values" in message
    assert isinstance(err.value, ScenarioError)


def test_german_excel_export(tmp_path):
    text = ("Erstellt;Quelle;Betrag;Gewonnen;Rabatt\n"
            "07.01.2024 22:56;Webinar;12.873,33 €;WAHR;10%\n"
            "13.01.2024;;1.000,00;FALSCH;0\n"
            "\n"
            "Grand Totals (2 records)\n"
            "Confidential Information - Do Not Distribute\n")
    export = read_export(_csv(tmp_path, text, "cp1252"),
                         column_map={"Erstellt": "created_at", "Quelle": "channel",
                                     "Betrag": "amount", "Gewonnen": "won", "Rabatt": "discount"})
    data = export.data
    assert data.created_at.tolist() == [pd.Timestamp("2024-01-07 22:56"),
                                        pd.Timestamp("2024-01-13")]
    assert data.amount.tolist() == [12873.33, 1000.0] and data.discount.tolist() == [0.1, 0.0]
    assert data.won.tolist() == [True, False]
    assert data.channel.tolist() == ["webinar", "unknown"]
    notes = " ".join(export.notes)
    for said in ("semicolon", "Grand Totals", "2 report footer rows", "1 blank row",
                 "decimal comma", "Windows-1252", "1 row without a channel"):
        assert said in notes, said


@pytest.mark.parametrize("values, dayfirst, expected, said", [
    (["1/7/2024 10:56 PM", "1/13/2024 9:05 AM"], None, "2024-01-07 22:56", None),
    (["07/01/2024 10:56", "13/01/2024 09:05"], None, "2024-01-07 10:56", None),
    (["01/02/2024", "03/04/2024"], None, "2024-01-02", "month-first"),
    (["01.02.2024", "03.04.2024"], None, "2024-02-01", "day-first"),
    (["01/02/2024", "03/04/2024"], True, "2024-02-01", None),
    (["2024-01-07T22:56:00.123Z", "2024-01-08T01:00:00+02:00"], None, "2024-01-07 22:56:00.123",
     "UTC"),
])
def test_dates_in_each_style_and_what_was_assumed(tmp_path, values, dayfirst, expected, said):
    text = "created_at,channel\n" + "".join(f"{v},webinar\n" for v in values)
    export = read_export(_csv(tmp_path, text), dayfirst=dayfirst)
    assert export.data.created_at[0] == pd.Timestamp(expected)
    notes = " ".join(export.notes)
    if said:
        assert said in notes
    else:
        assert "fits both" not in notes


def test_a_column_that_decides_settles_the_ambiguous_ones(tmp_path):
    text = ("created_at,channel,closed_at\n"
            "01/02/2024 10:00,webinar,25/02/2024 10:00\n"
            "03/02/2024 10:00,webinar,\n")
    data = read_export(_csv(tmp_path, text)).data
    assert data.created_at[0] == pd.Timestamp("2024-02-01 10:00")


def test_stages_and_won_columns_holding_stage_names(tmp_path):
    text = ("Created Date,Lead Source,Stage,Close Date,Amount\n"
            "1/5/2024 9:00 AM,Web,Closed Won,1/20/2024,\"$12,873.33\"\n"
            "1/5/2024 9:00 AM,Web,Closed Lost,1/21/2024,$0.00\n"
            "1/5/2024 9:00 AM,Web,Prospecting,3/1/2024,\"$5,000.00\"\n"
            "1/5/2024 9:00 AM,Web,Signed,3/1/2024,\"$5,000.00\"\n")
    path = _csv(tmp_path, text)
    export = read_export(path)
    assert export.kind == "deals"
    data = export.data
    assert data.won.tolist() == [True, False, False, False]
    assert data.closed_at.notna().tolist() == [True, True, False, False]
    assert data.amount[0] == 12873.33
    assert any("'Signed'" in n and "--won-values" in n for n in export.notes)
    data = read_export(path, won_values=["Signed"]).data
    assert data.won.tolist() == [True, False, False, True]
    won_col = text.replace("Stage", "Won")
    data = read_export(_csv(tmp_path, won_col, name="won.csv"), won_values=["Signed"]).data
    assert data.won.tolist() == [True, False, False, True]
    assert data.closed_at.notna().tolist() == [True, True, False, True]


def test_salesforce_api_names(tmp_path):
    text = ("Id,CreatedDate,LeadSource,StageName,IsWon,IsClosed,CloseDate,Amount,ConvertedDate\n"
            "1,2024-01-05T09:00:00.000Z,Web,Closed Won,true,true,2024-01-20,100,\n"
            "2,2024-01-05T09:00:00.000Z,Web,Negotiation/Review,false,false,2024-03-01,50,\n")
    export = read_export(_csv(tmp_path, text))
    assert export.crm == "salesforce" and export.kind == "deals"
    assert export.data.won.tolist() == [True, False]
    assert export.data.closed_at.isna().tolist() == [False, True]


def test_channels_missing_blank_or_refused(tmp_path):
    blank = _csv(tmp_path, "created_at,channel\n2026-01-05T09:00:00,\n2026-01-06T09:00:00,web\n")
    assert read_export(blank).data.channel.tolist() == ["unknown", "web"]
    assert read_export(blank, missing_channel="none").data.channel[0] == "none"
    with pytest.raises(ExportProblemsError, match="row 2 ''.*--missing-channel unknown"):
        read_export(blank, missing_channel="error")
    none = _csv(tmp_path, "created_at\n2026-01-05T09:00:00\n", name="none.csv")
    export = read_export(none)
    assert export.data.channel.tolist() == ["unknown"]
    assert any("WARNING" in n for n in export.notes)
    with pytest.raises(ExportProblemsError, match="no column for the marketing source"):
        read_export(none, missing_channel=None)


def test_encodings_and_delimiters(tmp_path):
    text = "created_at;channel;amount\n2026-01-05T09:00:00;Müller;1,5\n"
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "cp1252"):
        data = read_export(_csv(tmp_path, text, encoding)).data
        assert data.channel[0] == "müller" and data.amount[0] == 1.5, encoding
    ragged = _csv(tmp_path, "created_at,channel\n2026-01-05T09:00:00,a,b,c\n", name="r.csv")
    with pytest.raises(ScenarioError, match="more fields than the header"):
        read_export(ragged)


def test_bad_options_are_refused(tmp_path):
    path = _csv(tmp_path, "created_at,channel\n2026-01-05T09:00:00,web\n")
    with pytest.raises(ScenarioError, match="--crm"):
        read_export(path, crm="excel")
    with pytest.raises(ScenarioError, match="--decimal"):
        read_export(path, decimal=";")
    with pytest.raises(ScenarioError, match="--map"):
        read_export(path, column_map={"x": "nonsense"})


def test_read_crm_still_returns_the_frame(tmp_path):
    data = read_crm(_csv(tmp_path, "Lead Source,Created Date\nweb,2026-01-05T09:00:00\n"))
    assert data.channel[0] == "web" and data.created_at[0] == pd.Timestamp("2026-01-05 09:00")


def test_the_shipped_examples_are_current(tmp_path):
    from sim.crm_export import write_examples

    written = write_examples(tmp_path)
    assert [p.name for p in written] == list(EXAMPLES)
    for path in written:
        shipped = ROOT / "examples" / "crm" / path.name
        assert shipped.read_bytes() == path.read_bytes(), (
            f"{shipped.name} is out of date; run python -m sim.crm_export")
        assert read_export(shipped).crm == EXAMPLES[path.name][0]
    assert example_logs  # the runs behind them, for anyone checking the numbers
