"""Writing model runs the way CRMs export them, and the example exports built that way.

The reverse of the customs officer of :mod:`sim.crm`: a forger who knows every country's
labels. :func:`write_export` takes a model event log, whose truth is known, and writes it as
Salesforce, HubSpot, Pipedrive or Zoho would export it (their column names, stage and status
spellings, date styles, decimal marks and report footers), so the reader can be tested against
files like the ones users bring. ``python -m sim.crm_export [FOLDER]`` rewrites the small
example exports shipped in ``examples/crm/`` (:data:`EXAMPLES`), which notebooks find with
:func:`example_path`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim import kit
from sim.crm_columns import CRMS, TIMES
from sim.errors import ScenarioError

EXPORT_START = "2026-01-05T00:00:00"  # a Monday: simulated hour 0
DATE_STYLES = {"salesforce": "us", "zoho": "iso", "hubspot": "iso", "pipedrive": "iso"}
PRETTY = {"self_sourced": "Self Sourced"}


def _pretty(channel: str) -> str:
    """A channel as a CRM user would type it: ``paid_search`` is ``Paid Search``."""
    return PRETTY.get(channel, channel.replace("_", " ").title())


def _format_time(stamps: pd.Series, style: str) -> list[str]:
    """Times written in a date style: ``us``, ``dayfirst``, ``api`` or ``iso``."""
    out = []
    for t in stamps:
        if pd.isna(t):
            out.append("")
        elif style == "us":
            hour = t.hour % 12 or 12
            out.append(f"{t.month}/{t.day}/{t.year} {hour}:{t.minute:02d} "
                       f"{'AM' if t.hour < 12 else 'PM'}")
        elif style == "dayfirst":
            out.append(t.strftime("%d.%m.%Y %H:%M"))
        elif style == "api":
            out.append(t.strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        else:
            out.append(t.strftime("%Y-%m-%d %H:%M"))
    return out


def _format_money(values: Sequence[float], decimal: str, symbol: str) -> list[str]:
    """Amounts with thousands separators, the decimal mark and a currency sign."""
    out = []
    for v in values:
        if pd.isna(v):
            out.append("")
            continue
        text = f"{v:,.2f}"
        if decimal == ",":
            text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
        out.append(text if not symbol else f"{text} €" if decimal == "," else f"{symbol}{text}")
    return out



@dataclass
class _Journeys:
    """A model event log as a CRM sees it: the times as date-times, each journey's outcome,
    its close date (an expected one for an open deal), amount and channel as written.
    """

    log: pd.DataFrame
    when: dict[str, pd.Series]
    opened: np.ndarray
    outcome: np.ndarray
    expected: pd.Series
    close: pd.Series
    money: list[str]
    channel: list[str]
    style: str
    decimal: str

    def t(self, col: str | pd.Series) -> list[str]:
        """A time column (by name, or a series of times) in the export's date style."""
        return _format_time(self.when[col] if isinstance(col, str) else col, self.style)

    def share(self, values: np.ndarray) -> list[str]:
        """Shares (a discount) with four decimals and the export's decimal mark."""
        return [f"{v:.4f}".replace(".", self.decimal) for v in values]

    def discount(self) -> list[str]:
        """Each journey's discount as a share."""
        return self.share(self.log.discount.to_numpy(dtype=float))

    def stage(self, open_name: str) -> pd.Series:
        """Each journey's deal stage: Closed Won, Closed Lost, ``open_name`` or none."""
        return pd.Series(self.outcome).map({"won": "Closed Won", "lost": "Closed Lost",
                                            "open": open_name, "": ""})


def _journeys(event_log: pd.DataFrame, crm: str, decimal: str, date_style: str | None,
              blank_sources: int, start: str) -> _Journeys:
    """The event log (hours) turned into what every CRM's export is written from."""
    log = event_log.reset_index(drop=True)
    origin = pd.Timestamp(start)
    when = {c: pd.Series((origin + pd.to_timedelta(log[c].to_numpy(), unit="h")).floor("min"))
            for c in TIMES}
    closed = log.closed_at.notna().to_numpy()
    opened = log.opportunity_at.notna().to_numpy()
    won = log.won.astype(bool).to_numpy()
    outcome = np.where(won, "won", np.where(closed, "lost", np.where(opened, "open", "")))
    expected = when["opportunity_at"] + pd.Timedelta(days=45)  # what the rep hopes for
    close = when["closed_at"].where(outcome != "open", expected)
    amount = np.where(outcome == "won", np.round(log.amount.to_numpy(dtype=float), 2),
                      np.where(outcome == "open", 25000.0, np.nan))
    channel = [_pretty(c) for c in log.channel]
    if blank_sources:
        channel = ["" if i % blank_sources == 0 else c for i, c in enumerate(channel)]
    money = _format_money(amount, decimal, "" if crm == "pipedrive" else "$")
    return _Journeys(log, when, opened, outcome, expected, close, money, channel,
                     date_style or DATE_STYLES[crm], decimal)


def write_export(event_log: pd.DataFrame, path: str | Path, crm: str = "hubspot", *,
                 delimiter: str = ",", decimal: str = ".", date_style: str | None = None,
                 encoding: str = "utf-8", footer: bool | None = None,
                 deals: str | Path | None = None, blank_sources: int = 0,
                 start: str = EXPORT_START) -> pd.DataFrame:
    """Write a model event log (hours) as ``crm`` exports it; return the table written.

    Each preset has its column names, stage and status spellings and date style (``us``,
    ``dayfirst``, ``iso`` or ``api``; ``date_style`` overrides it). Open deals carry an
    expected close date and amount, as in a CRM. ``footer`` adds a Salesforce-style report
    footer (default: Salesforce only); ``blank_sources`` blanks the channel of every so many
    rows; ``deals`` (HubSpot) writes the deals to a second file joined on the contact id.
    Times are written to the minute.
    """
    if crm not in CRMS:
        raise ValueError(f"crm must be one of {CRMS}")
    j = _journeys(event_log, crm, decimal, date_style, blank_sources, start)
    table = TABLES[crm](j)
    if crm == "hubspot" and deals is not None:
        table = _split_hubspot_deals(j, table, Path(deals), delimiter, encoding)
    if footer is None:
        footer = crm == "salesforce"
    _write_table(table, Path(path), delimiter, encoding, footer)
    return table


def _salesforce(j: _Journeys) -> pd.DataFrame:
    """A Salesforce leads report: converted leads carry their opportunity's stage."""
    log = j.log
    status = np.where(j.opened, "Closed - Converted",
                      np.where(log.first_contact_at.notna(), "Working - Contacted",
                               np.where(log.final_state.to_numpy() == "rejected",
                                        "Closed - Not Converted", "Open - Not Contacted")))
    return pd.DataFrame({
        "Lead ID": [f"00Q{i:012d}" for i in log.lead_id], "Created Date": j.t("created_at"),
        "Lead Source": j.channel, "Lead Status": status,
        "First Contact Date": j.t("first_contact_at"), "MQL Date": j.t("became_mql_at"),
        "SQL Date": j.t("became_sql_at"), "Converted Date": j.t("opportunity_at"),
        "Stage": j.stage("Negotiation/Review"), "Close Date": j.t(j.close), "Amount": j.money,
        "Discount": j.discount()})


def _hubspot(j: _Journeys) -> pd.DataFrame:
    """A HubSpot contacts export, with each contact's lifecycle stage and deal."""
    log = j.log
    life = np.where(j.outcome == "won", "Customer", np.where(j.opened, "Opportunity", np.where(
        log.became_sql_at.notna(), "Sales Qualified Lead", np.where(
            log.became_mql_at.notna(), "Marketing Qualified Lead", "Lead"))))
    return pd.DataFrame({
        "Record ID": [str(1000 + i) for i in log.lead_id], "Create Date": j.t("created_at"),
        "Original Source": j.channel, "Lifecycle Stage": life,
        "First Outreach Date": j.t("first_contact_at"),
        "Became a Marketing Qualified Lead Date": j.t("became_mql_at"),
        "Became a Sales Qualified Lead Date": j.t("became_sql_at"),
        "Became an Opportunity Date": j.t("opportunity_at"),
        "Deal Stage": j.stage("Contract Sent"), "Close Date": j.t(j.close), "Amount": j.money,
        "Discount": j.discount()})


HUBSPOT_DEAL_COLUMNS = ["Deal Stage", "Close Date", "Amount", "Discount"]


def _split_hubspot_deals(j: _Journeys, table: pd.DataFrame, deals: Path, delimiter: str,
                         encoding: str) -> pd.DataFrame:
    """Write the deals of a HubSpot contacts table to their own file, joined on the contact
    id, and return the contacts without them.
    """
    has = j.opened
    deal_table = pd.DataFrame({
        "Record ID": [str(900000 + i) for i in range(int(has.sum()))],
        "Deal Name": [f"Deal {i}" for i in j.log.lead_id[has]],
        "Create Date": np.array(j.t("opportunity_at"), dtype=object)[has],
        **{c: table[c].to_numpy()[has] for c in HUBSPOT_DEAL_COLUMNS},
        "Associated Contact IDs": table["Record ID"].to_numpy()[has]})
    _write_table(deal_table, deals, delimiter, encoding, False)
    return table.drop(columns=HUBSPOT_DEAL_COLUMNS)


def _pipedrive(j: _Journeys) -> pd.DataFrame:
    """A Pipedrive deals export: one row per opportunity, "Deal - " before every field."""
    log, outcome = j.log, j.outcome
    status = pd.Series(outcome).map({"won": "Won", "lost": "Lost", "open": "Open", "": ""})
    won_time = j.when["closed_at"].where(outcome == "won")
    lost_time = j.when["closed_at"].where(outcome == "lost")
    return pd.DataFrame({
        "Deal - ID": [str(i + 1) for i in log.lead_id], "Deal - Title": [
            f"Deal {i}" for i in log.lead_id],
        "Deal - Deal created": j.t("opportunity_at"), "Deal - Status": status,
        "Deal - Stage": np.where(outcome == "open", "Proposal Made", "Negotiations Started"),
        "Deal - Won time": j.t(won_time), "Deal - Lost time": j.t(lost_time),
        "Deal - Expected close date": j.t(j.expected),
        "Deal - Value": j.money, "Deal - Currency": "EUR" if j.decimal == "," else "USD",
        "Deal - Source channel": j.channel,
        "Deal - Person ID": [str(5000 + i) for i in log.lead_id]})[j.opened]


def _zoho(j: _Journeys) -> pd.DataFrame:
    """A Zoho CRM leads export: converted leads carry their deal's stage and amount."""
    log = j.log
    status = np.where(j.opened, "Converted", np.where(log.became_sql_at.notna(),
                      "Pre-Qualified", np.where(log.first_contact_at.notna(), "Contacted",
                                                "Not Contacted")))
    return pd.DataFrame({
        "Record Id": [f"zcrm_{4000000 + i}" for i in log.lead_id],
        "Created Time": j.t("created_at"), "Lead Source": j.channel, "Lead Status": status,
        "First Contact Time": j.t("first_contact_at"), "MQL Date": j.t("became_mql_at"),
        "SQL Date": j.t("became_sql_at"),
        "Converted": np.where(j.opened, "true", "false"),
        "Converted Time": j.t("opportunity_at"), "Stage": j.stage("Negotiation/Review"),
        "Closing Date": j.t(j.close), "Amount": j.money,
        "Discount": j.discount()})


TABLES = {"salesforce": _salesforce, "hubspot": _hubspot, "pipedrive": _pipedrive,
          "zoho": _zoho}
"""Each CRM's export table, built from the journeys."""


def _write_table(table: pd.DataFrame, path: Path, delimiter: str, encoding: str,
                 footer: bool) -> None:
    """The table as CSV with CRLF line ends, in ``encoding``, with a report footer if asked."""
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, sep=delimiter, lineterminator="\r\n")
    text = buffer.getvalue()
    if footer:  # as a Salesforce report writes it below the data
        text += (f"\r\n\"Grand Totals ({len(table)} records)\"\r\n\r\n"
                 "\"Confidential Information - Do Not Distribute\"\r\n"
                 "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n")
    path.write_bytes(text.encode(encoding))


# ----------------------------------------------------------------------------- examples
EXAMPLES = {  # file name: (crm, writer options)
    "salesforce_leads.csv": ("salesforce", {}),
    "hubspot_contacts.csv": ("hubspot", {"blank_sources": 40}),
    "pipedrive_deals.csv": ("pipedrive", {"delimiter": ";", "decimal": ",",
                                          "date_style": "dayfirst", "encoding": "utf-8-sig"}),
    "zoho_leads.csv": ("zoho", {}),
}
EXAMPLE_SEED = 11
EXAMPLES_DIR = kit.part_dir("examples") / "crm"


def example_path(name: str) -> Path:
    """The shipped example export ``name`` (one of :data:`EXAMPLES`), wherever the current
    folder is: notebooks read ``example_path("salesforce_leads.csv")``, not a ``../`` path.
    """
    if name not in EXAMPLES:
        raise ScenarioError("example", str(name),
                            f"no such example export; choose one of {', '.join(EXAMPLES)}")
    return EXAMPLES_DIR / name


def example_logs() -> dict[str, pd.DataFrame]:
    """The seeded model runs behind ``examples/crm/``: a small company for the lead-level
    files (a few hundred leads) and a full-size one for the deal-level file.
    """
    from sim import load_scenario, run
    from sim.scenario import resolve_scenario_path

    base = ["weeks=26", "warmup_weeks=0", "marketing.budget_learning_rate=0",
            "marketing.brand_share=0", "marketing.awareness_initial=0"]
    scenario = load_scenario(resolve_scenario_path("baseline"), base)
    small = base + [f"marketing.channels.{n}.leads_per_week={c.leads_per_week / 10:g}"
                    for n, c in scenario.marketing.channels.items()]
    out = {}
    for size, overrides in (("small", small), ("full", base)):
        result = run(load_scenario(resolve_scenario_path("baseline"), overrides),
                     seed=EXAMPLE_SEED, event_log=True)
        out[size] = result.event_log
    return out


def write_examples(folder: str | Path) -> list[Path]:
    """Write one example export per preset into ``folder``; return the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    logs = example_logs()
    paths = []
    for name, (crm, options) in EXAMPLES.items():
        log = logs["full" if crm == "pipedrive" else "small"]
        write_export(log, folder / name, crm, **options)
        paths.append(folder / name)
    return paths


if __name__ == "__main__":  # python -m sim.crm_export [FOLDER]: rewrite the example exports
    import sys

    target = sys.argv[1] if len(sys.argv) > 1 else EXAMPLES_DIR
    for p in write_examples(target):
        print(p)
