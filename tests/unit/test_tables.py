"""Unit tests of sim.views.tables: notebook tables as Styler output, written the labels' way."""

import math
import re

import pandas as pd
import pytest
from IPython.lib.pretty import pretty
from pandas.io.formats.style import Styler

from sim.views.labels import MINUS, format_interval, format_value, kpi_label, lever_label
from sim.views.palette import scenario_colors
from sim.views.tables import (
    BEYOND_LUCK,
    Table,
    comparison_table,
    differences_table,
    kpis_table,
    means_table,
    settings_table,
    states_table,
    styled,
)

RAW = re.compile(r"(?<![\w.])(\d{4,}\.\d+|\d+\.\d{4,})(?![\w.])")


def _cells(table: Styler) -> list[str]:
    """The text of every data cell of the table's HTML, row by row."""
    return re.findall(r"<td[^>]*>([^<]*)</td>", table.to_html())


def _headers(table: Styler) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]*)</th>", table.to_html())


def _cells_styled(table: Styler, prop: str) -> set[tuple[int, int]]:
    """``(row, column)`` of the data cells whose CSS holds ``prop``."""
    out = set()
    for selectors, props in re.findall(r"([^{}]+)\{([^}]*)\}", table.to_html()):
        if prop in props:
            out |= {(int(r), int(c)) for r, c in re.findall(r"_row(\d+)_col(\d+)", selectors)}
    return out


def _shown(table: Styler) -> str:
    """The table's HTML without its CSS, as the reader sees it."""
    return re.sub(r"<style.*?</style>", "", table.to_html(), flags=re.S)


@pytest.fixture
def means():
    return {"baseline": {"revenue": 5354175.3211, "leakage_rate": 0.48513, "won": 141.6,
                         "speed_to_lead_h_mean": 8.94},
            "team <b>pay</b>": {"revenue": 5906493.0, "leakage_rate": 0.47, "won": 152.2,
                                "speed_to_lead_h_mean": 0.4}}


@pytest.fixture
def differences():
    return {"integrated": {
        "revenue": {"mean": 2446898.4, "ci95": [1942770.1, 2951027.9]},
        "leakage_rate": {"mean": -0.365, "ci95": [-0.40, -0.33]},
        "won": {"mean": 1.5, "ci95": [-2.0, 5.0]},
    }}


def test_means_are_formatted_under_their_labels(means):
    table = means_table(means, ["revenue", "leakage_rate", "won", "speed_to_lead_h_mean"])
    assert isinstance(table, Table) and isinstance(table, Styler)
    assert table.data.loc["baseline", "revenue"] == 5354175.3211  # the numbers stay numbers
    assert _cells(table) == ["€5,354,175", "48.5 %", "142", "8.9 h",
                             "€5,906,493", "47.0 %", "152", "24 min"]
    headers = _headers(table)
    for kpi in ("revenue", "leakage_rate", "won", "speed_to_lead_h_mean"):
        assert kpi_label(kpi) in headers and kpi not in headers
    assert "Scenario" in headers
    assert not RAW.findall(_shown(table))


def test_each_scenario_row_is_marked_in_its_colour(means):
    html = means_table(means, ["revenue"]).to_html()
    for name, colour in scenario_colors(list(means)).items():
        assert f"border-left: 6px solid {colour}" in html, name


def test_user_text_is_escaped(means):
    html = means_table(means, ["revenue"]).to_html()
    assert "team &lt;b&gt;pay&lt;/b&gt;" in html and "<b>pay</b>" not in html


def test_a_missing_or_undefined_value_is_a_dash(means):
    means["baseline"]["won"] = math.nan
    del means["team <b>pay</b>"]["won"]
    assert _cells(means_table(means, ["won"])) == ["–", "–"]


def test_the_text_form_is_the_same_table_aligned(means):
    table = means_table(means, ["revenue", "leakage_rate"])
    text = repr(table)
    assert pretty(table) == text == table.text()  # what a notebook stores as text/plain
    assert " at 0x" not in text
    lines = text.splitlines()
    assert lines[0].split() == ["Scenario", "Revenue", "MQLs", "never", "contacted"]
    assert lines[1].startswith("baseline ") and lines[1].endswith("48.5 %")
    assert lines[1].index("€5,354,175") + len("€5,354,175") == lines[0].index("Revenue") + len(
        "Revenue")  # numbers right-aligned under their header


def test_a_single_index_is_named_in_the_header_row(means):
    html = means_table(means, ["revenue"]).to_html()
    head = html[html.index("<thead>"):html.index("</thead>")]
    assert head.count("<tr>") == 1 and ">Scenario</th>" in head  # no row for the index name
    pivot = pd.DataFrame({"team": ["a", "a"], "round_name": ["Q1", "Q2"], "mqls": [1387.0, 6.0]}
                         ).pivot(index="team", columns="round_name", values="mqls")
    table = styled(pivot, "mqls")  # one format for every column
    assert _cells(table) == ["1,387", "6"]
    assert {"Round name", "Team", "Q1", "Q2"} <= set(_headers(table))
    assert "round_name" not in _headers(table)


def test_the_html_depends_only_on_the_content(means):
    one = means_table(means, ["revenue"]).to_html()
    assert means_table(means, ["revenue"]).to_html() == one  # a re-run stores the same output
    means["baseline"]["revenue"] += 1
    other = means_table(means, ["revenue"]).to_html()
    assert re.search(r'id="(T_\w+)"', one).group(1) != re.search(r'id="(T_\w+)"', other).group(1)


def test_styled_formats_by_kpi_kind_or_as_given():
    frame = pd.DataFrame({"mqls": [4348, 1077], "qualified": [0.589, 0.172],
                          "odds vs within 1 h": [1.0, 0.1432], "revenue": [126690.3, -5.2],
                          "note": ["fast", "<slow>"]},
                         index=pd.Index(["within 1 h", "over 24 h"], name="first_attempt"))
    table = styled(frame, {"qualified": "share", "odds vs within 1 h": "index"},
                   signed=["revenue"])
    assert _cells(table) == ["4,348", "58.9 %", "1.00", "+€126,690", "fast",
                             "1,077", "17.2 %", "0.14", f"{MINUS}€5", "&lt;slow&gt;"]
    headers = _headers(table)
    assert {"MQLs (marketing-qualified leads)", "Qualified", "Odds vs within 1 h", "Revenue",
            "Note", "First attempt"} <= set(headers)
    assert not RAW.findall(_shown(table))


def test_a_number_column_without_a_kpi_is_still_written_for_people():
    table = styled(pd.Series([3219597.093, 0.13912], name="whatever"))
    assert _cells(table) == ["3,219,597", "0.139"]


def test_differences_are_signed_and_highlighted_beyond_luck(differences):
    table = differences_table(differences, ["revenue", "leakage_rate", "won"])
    cells = _cells(table)
    assert cells == [
        "+€2,446,898", format_interval("revenue", 1942770.1, 2951027.9), "yes",
        f"{MINUS}36.5 pp", format_interval("leakage_rate", -0.40, -0.33), "yes",
        "+1.5", format_interval("won", -2.0, 5.0), "no"]
    headers = _headers(table)
    assert {"Scenario", "KPI", "integrated", "Revenue", "MQLs never contacted",
            "Deals won"} <= set(headers)
    # revenue and leakage differ beyond luck, deals won does not: their difference and verdict
    assert _cells_styled(table, BEYOND_LUCK) == {(0, 0), (0, 2), (1, 0), (1, 2)}


def test_a_lab_result_reads_as_the_lab_shows_it():
    result = pd.DataFrame({
        "base": [5628367.2, 144.0], "changed": [1941015.0, 34.4],
        "difference": [-3687352.2, -109.6], "ci_low": [-4230719.0, -119.0],
        "ci_high": [-3143986.0, -100.2], "excludes_zero": [True, True]},
        index=pd.Index(["revenue", "won"], name="kpi"))
    table = comparison_table(result, ["won", "revenue"])
    assert _cells(table)[:3] == ["144", "34", f"{MINUS}110"]
    assert _cells(table)[5:8] == ["€5,628,367", "€1,941,015", f"{MINUS}€3,687,352"]
    assert {"Base", "Changed", "Difference", "95 % interval", "Beyond luck", "KPI",
            "Deals won"} <= set(_headers(table))
    assert "kpi" not in _headers(table) and "Kpi" not in _headers(table)


def test_settings_are_listed_under_the_levers_labels():
    frame = pd.DataFrame({"value": ["2.885", "36.9"], "records": ["75", "60"]},
                         index=pd.Index(["marketing.channels.events.leads_per_week",
                                         "sales.reps"], name="parameter"))
    table = settings_table(frame)
    headers = _headers(table)
    assert lever_label("sales.reps") in headers and "sales.reps" not in headers
    assert "Events channel: leads per week" in headers and "Setting" in headers
    assert _cells(table) == ["2.885", "75", "marketing.channels.events.leads_per_week",
                             "36.9", "60", "sales.reps"]


def test_where_leads_ended_in_words():
    states = pd.Series(["won", "nurture_exit", "nurture_exit", "ignored", "won", "won"])
    table = states_table(states)
    headers = _headers(table)
    assert ["Won", "Left nurture, never good enough for sales",
            "Ignored by sales (lead black hole)"] == [h for h in headers if h in (
                "Won", "Left nurture, never good enough for sales",
                "Ignored by sales (lead black hole)")]
    assert "Where the lead ended" in headers and "won" not in headers
    assert _cells(table) == ["3", "50.0 %", "won", "2", "33.3 %", "nurture_exit",
                             "1", "16.7 %", "ignored"]


def test_the_numbers_are_those_of_format_value(means):
    table = means_table(means, ["revenue"])
    assert _cells(table)[0] == format_value("revenue", means["baseline"]["revenue"])


def test_one_runs_kpis_read_as_a_column_with_their_definitions():
    from sim import KPI_GLOSSARY

    kpis = {"leads": 10621.0, "revenue": 5286643.94, "leakage_rate": 0.486}
    table = kpis_table(kpis, ["leads", "revenue", "leakage_rate", "won"])
    assert _cells(table) == ["10,621", KPI_GLOSSARY["leads"], "€5,286,644",
                             KPI_GLOSSARY["revenue"], "48.6 %", KPI_GLOSSARY["leakage_rate"],
                             "–", KPI_GLOSSARY["won"]]
    assert [kpi_label(k) for k in ("leads", "revenue", "leakage_rate", "won")] == [
        h for h in _headers(table) if h in {kpi_label(k) for k in kpis} | {"Deals won"}]
    assert _cells(kpis_table(kpis, ["revenue"], definitions=False)) == ["€5,286,644"]


def test_wide_differences_mark_each_difference_beyond_luck(differences):
    table = differences_table(differences, ["revenue", "leakage_rate", "won"], wide=True)
    assert _cells(table) == ["+€2,446,898", f"{MINUS}36.5 pp", "+1.5"]
    assert {"Revenue", "MQLs never contacted", "Deals won", "integrated"} <= set(_headers(table))
    assert _cells_styled(table, BEYOND_LUCK) == {(0, 0), (0, 1)}
