"""Calibration from a CRM export: a lead-level CSV in, a scenario YAML out.

Think of a tailor taking measurements. The CRM export is the customer standing still: how many
leads each channel brought per week, how fast sales answered, how many became MQLs, SQLs and
opportunities, how big the won deals were and how long they took. The tailor writes each
measurement on the pattern (the scenario file) with a note of how many points it rests on, and
leaves the rest of the pattern at its standard cut (the baseline's assumptions).

Documented columns (names are matched case-insensitively; common variants are accepted and
``--map column=name`` maps any other spelling):

==================  =====================================================================
``lead_id``         optional; a lead with several journeys (lost, nurtured, back) is counted once
``created_at``      when the lead was created (required)
``channel``         marketing source; ``self_sourced`` rows are sales' own prospects (required)
``first_contact_at`` first contact attempt by sales
``status``          the lead's last status or stage (kept for reference)
``became_mql_at``   when it became marketing-qualified
``became_sql_at``   when sales qualified it
``opportunity_at``  when an opportunity was opened
``closed_at``       when the opportunity closed
``won``             true/false (1/0, yes/no)
``amount``          booked amount of a won deal (non-negative)
``discount``        optional discount given (0-1); list-price deal sizes are amount/(1-discount)
==================  =====================================================================

Bad input (missing column, unparsable date, negative amount, empty file, wrong encoding) raises
:class:`~sim.errors.ScenarioError` naming the row and the column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import ScenarioError
from sim.params import Scenario
from sim.scenario import dump_scenario, with_overrides

COLUMNS = ("lead_id", "created_at", "channel", "first_contact_at", "status", "became_mql_at",
           "became_sql_at", "opportunity_at", "closed_at", "won", "amount", "discount")
REQUIRED = ("created_at", "channel")
TIMES = ("created_at", "first_contact_at", "became_mql_at", "became_sql_at", "opportunity_at",
         "closed_at")
ALIASES: dict[str, tuple[str, ...]] = {
    "created_at": ("created", "created_date", "create_date", "lead_created", "createddate"),
    "channel": ("source", "lead_source", "leadsource", "utm_source", "origin"),
    "first_contact_at": ("first_contact", "first_touch_at", "first_response_at",
                         "first_activity_at"),
    "status": ("stage", "lead_status", "final_state", "state"),
    "became_mql_at": ("mql_at", "mql_date", "became_mql"),
    "became_sql_at": ("sql_at", "sql_date", "became_sql"),
    "opportunity_at": ("opp_created_at", "opportunity_created_at", "opportunity_date"),
    "closed_at": ("close_date", "closedate", "closed"),
    "won": ("is_won", "closed_won", "iswon"),
    "amount": ("deal_amount", "value", "revenue", "deal_value"),
    "discount": ("discount_rate",),
    "lead_id": ("id", "lead", "record_id"),
}
SELF_SOURCED = "self_sourced"
EXPORT_START = "2026-01-05T00:00:00"  # a Monday: simulated hour 0
_TRUE = {"true", "1", "yes", "y", "won", "t"}
_FALSE = {"false", "0", "no", "n", "lost", "f", ""}


# ----------------------------------------------------------------------------- reading
def _normal(name: str) -> str:
    return "_".join(str(name).strip().lower().replace("-", " ").split())


def read_crm(path: str | Path, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read and check a CRM export; returns one row per record with documented column names,
    times as timestamps, ``won`` as bool and ``amount`` as float."""
    path = Path(path)
    source = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, None, "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(source, None, "is a folder, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, None, f"is not UTF-8 text (byte {exc.start}); save the "
                            "export as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise ScenarioError(source, None, "file is empty; expected a header row and one row "
                            "per lead") from None
    except pd.errors.ParserError as exc:
        raise ScenarioError(source, None, f"is not a readable CSV ({str(exc).strip()})") from None
    if raw.empty:
        raise ScenarioError(source, None, "has a header but no rows")
    rename: dict[str, str] = {}
    wanted = {**{c: c for c in COLUMNS},
              **{alias: c for c, aliases in ALIASES.items() for alias in aliases}}
    for given, ours in (column_map or {}).items():
        if ours not in COLUMNS:
            raise ScenarioError("--map", f"{given}={ours}",
                                f"unknown column; documented columns: {', '.join(COLUMNS)}")
        wanted[_normal(given)] = ours
    for col in raw.columns:
        ours = wanted.get(_normal(col))
        if ours is not None and ours not in rename.values():
            rename[col] = ours
    data = raw.rename(columns=rename)
    missing = [c for c in REQUIRED if c not in data.columns]
    if missing:
        raise ScenarioError(source, missing[0], "required column is missing (found: "
                            f"{', '.join(map(str, raw.columns))}); use --map COLUMN={missing[0]}")
    data = data[[c for c in COLUMNS if c in data.columns]].copy()
    for col in TIMES:
        if col in data.columns:
            data[col] = _times(data[col], source, col, required=col == "created_at")
    if "won" in data.columns:
        data["won"] = _booleans(data["won"], source)
    for col in ("amount", "discount"):
        if col in data.columns:
            data[col] = _numbers(data[col], source, col)
    data["channel"] = data["channel"].str.strip()
    if (data["channel"] == "").any():
        raise ScenarioError(source, f"row {_row(data.index[data['channel'] == ''][0])}, channel",
                            "is empty; every lead needs a channel")
    return data.reset_index(drop=True)


def _row(index: int) -> int:
    return int(index) + 2  # header is line 1


def _times(values: pd.Series, source: str, col: str, required: bool) -> pd.Series:
    text = values.str.strip()
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
    bad = parsed.isna() & (text != "")
    if required:
        bad |= text == ""
    if bad.any():
        i = bad.idxmax()
        raise ScenarioError(source, f"row {_row(i)}, {col}",
                            f"cannot read '{text[i]}' as a date-time (e.g. 2026-03-02T14:30:00)")
    return parsed


def _booleans(values: pd.Series, source: str) -> pd.Series:
    text = values.str.strip().str.lower()
    bad = ~text.isin(_TRUE | _FALSE)
    if bad.any():
        i = bad.idxmax()
        raise ScenarioError(source, f"row {_row(i)}, won",
                            f"'{values[i]}' is not true/false (1/0, yes/no)")
    return text.isin(_TRUE)


def _numbers(values: pd.Series, source: str, col: str) -> pd.Series:
    text = values.str.strip()
    numbers = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = numbers.isna() & (text != "")
    if bad.any():
        i = bad.idxmax()
        raise ScenarioError(source, f"row {_row(i)}, {col}", f"'{text[i]}' is not a number")
    low, high = (0.0, math.inf) if col == "amount" else (0.0, 0.99)
    out = (numbers < low) | (numbers > high)
    if out.any():
        i = out.idxmax()
        valid = "non-negative" if col == "amount" else "a share from 0 to 0.99"
        raise ScenarioError(source, f"row {_row(i)}, {col}", f"{numbers[i]:g} must be {valid}")
    return numbers


# ----------------------------------------------------------------------------- estimating
@dataclass
class Estimate:
    """One calibrated value with the data behind it."""

    key: str
    value: Any
    n: int
    note: str = ""


@dataclass
class Calibration:
    """What the export determines: scenario overrides and observed rates for reference."""

    weeks: float
    estimates: list[Estimate] = field(default_factory=list)
    observed: dict[str, tuple[float, int]] = field(default_factory=dict)

    def overrides(self) -> dict[str, Any]:
        return {e.key: e.value for e in self.estimates}


def estimate(data: pd.DataFrame, source: str = "<crm>") -> Calibration:
    """Estimate the scenario parameters a CRM export determines."""
    leads = data[data.channel != SELF_SOURCED]
    if leads.empty:
        raise ScenarioError(source, "channel", "no marketing leads (every row is self_sourced)")
    unique = leads.drop_duplicates("lead_id") if "lead_id" in leads else leads
    created = unique.created_at
    span_days = (created.max() - created.min()).total_seconds() / 86400.0
    n = len(unique)
    # the first and last of n uniform arrivals sit a gap in from each end of the period
    weeks = max(span_days / 7.0 * (n + 1) / max(n - 1, 1), 1.0 / 7.0)
    cal = Calibration(weeks=weeks)
    for name, group in leads.groupby("channel", sort=True):
        key = f"marketing.channels.{name}"
        count = group.lead_id.nunique() if "lead_id" in group else len(group)
        cal.estimates.append(Estimate(f"{key}.leads_per_week", round(count / weeks, 3),
                                      count, f"leads over {weeks:.1f} weeks"))
        deals = _deal_sizes(group)
        if len(deals) >= 5:
            logs = np.log(deals)
            cal.estimates.append(Estimate(f"{key}.deal_size_median",
                                          round(float(np.exp(np.median(logs))), 2), len(deals),
                                          "won deals, list price"))
            cal.estimates.append(Estimate(f"{key}.deal_size_sigma",
                                          round(float(np.std(logs, ddof=1)), 4), len(deals),
                                          "won deals, log-sd"))
    cycle = _cycle_days(data)
    if cycle is not None:
        cal.estimates.append(Estimate("sales.cycle_time_days_mean", round(cycle[0], 3), cycle[1],
                                      "closed opportunities old enough not to be censored"))
    _observe(cal, leads, data)
    return cal


def _deal_sizes(group: pd.DataFrame) -> np.ndarray:
    if "won" not in group or "amount" not in group:
        return np.array([])
    won = group[group.won & (group.amount > 0)]
    amounts = won.amount.to_numpy(dtype=float)
    if "discount" in won:
        amounts = amounts / (1.0 - won.discount.fillna(0.0).to_numpy(dtype=float))
    return amounts


def _cycle_days(data: pd.DataFrame) -> tuple[float, int] | None:
    if "opportunity_at" not in data or "closed_at" not in data:
        return None
    opps = data[data.opportunity_at.notna()]
    closed = opps[opps.closed_at.notna()]
    if len(closed) < 5:
        return None
    days = (closed.closed_at - closed.opportunity_at).dt.total_seconds() / 86400.0
    end = data[list(c for c in TIMES if c in data)].max().max()
    mean = float(days.mean())
    for _ in range(3):  # keep opportunities opened long enough ago to have closed
        cutoff = end - pd.Timedelta(days=4.0 * mean)
        early = opps.opportunity_at <= cutoff
        usable = days[closed.opportunity_at <= cutoff]
        if len(usable) < 5 or early.sum() == 0:
            break
        mean = float(usable.mean())
    usable = days[closed.opportunity_at <= end - pd.Timedelta(days=4.0 * mean)]
    if len(usable) >= 5:
        return float(usable.mean()), int(len(usable))
    return float(days.mean()), int(len(days))


def _observe(cal: Calibration, leads: pd.DataFrame, data: pd.DataFrame) -> None:
    def rate(num: int, den: int, name: str) -> None:
        if den:
            cal.observed[name] = (num / den, den)

    mql = leads.became_mql_at.notna() if "became_mql_at" in leads else None
    if mql is not None:
        rate(int(mql.sum()), len(leads), "lead_to_mql")
        if "became_sql_at" in leads:
            rate(int((mql & leads.became_sql_at.notna()).sum()), int(mql.sum()), "mql_to_sql")
        if "first_contact_at" in leads:
            mqls = leads[mql]
            delay = (mqls.first_contact_at - mqls.became_mql_at).dt.total_seconds() / 3600.0
            rate(int((delay <= 1.0).sum()), len(mqls), "contacted_within_1h")
            attempted = delay.dropna()
            if len(attempted):
                cal.observed["speed_to_lead_h_median"] = (float(attempted.median()),
                                                          len(attempted))
    if "became_sql_at" in leads and "opportunity_at" in leads:
        sql = leads.became_sql_at.notna()
        rate(int((sql & leads.opportunity_at.notna()).sum()), int(sql.sum()), "sql_to_opportunity")
    if "won" in data and "closed_at" in data:
        closed = data[data.closed_at.notna()]
        rate(int(closed.won.sum()), len(closed), "win_rate")


# ----------------------------------------------------------------------------- writing
def calibrated_scenario(cal: Calibration, name: str = "my_company",
                        base: Scenario | None = None) -> Scenario:
    """The base scenario (default: the model defaults) with the export's channels and estimates.

    Only the channels in the export are kept. Brand spend is set to zero and awareness to its
    floor, so the estimated volumes are what the model generates.
    """
    base = base or Scenario()
    raw = base.model_dump()
    channels = {}
    template = next(iter(base.marketing.channels.values())).model_dump()
    for est in cal.estimates:
        parts = est.key.split(".")
        if parts[:2] == ["marketing", "channels"]:
            channels.setdefault(parts[2], dict(template))[parts[3]] = est.value
    raw["marketing"]["channels"] = channels
    raw["name"] = name
    scenario = Scenario.model_validate(raw)
    others = {e.key: e.value for e in cal.estimates if not e.key.startswith("marketing.channels")}
    return with_overrides(scenario, {**others, "marketing.brand_share": 0.0,
                                     "marketing.awareness_initial": 0.0,
                                     "weeks": round(cal.weeks, 2),
                                     "description": f"Calibrated from a CRM export of "
                                                    f"{cal.weeks:.1f} weeks."})


def calibrate(csv_path: str | Path, out: str | Path,
              column_map: Mapping[str, str] | None = None, name: str | None = None) -> Calibration:
    """Read a CRM export, estimate, and write a commented scenario YAML (atomically)."""
    out = Path(out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ScenarioError("--out", str(out), "must end in .yaml or .yml")
    if not out.parent.is_dir():
        raise ScenarioError("--out", str(out), f"folder '{out.parent}' does not exist")
    data = read_crm(csv_path, column_map)
    cal = estimate(data, str(csv_path))
    scenario = calibrated_scenario(cal, name or out.stem)
    lines = [f"Calibrated from {Path(csv_path).name}: {len(data)} records over "
             f"{cal.weeks:.1f} weeks.",
             "Each estimate with the number of records behind it:"]
    lines += [f"  {e.key} = {e.value}  (n = {e.n}; {e.note})" for e in cal.estimates]
    lines += ["Observed in the export, for checking the model against (not parameters):"]
    lines += [f"  {k} = {v:.4g}  (n = {n})" for k, (v, n) in cal.observed.items()]
    lines += ["Everything else is the model default; see docs/model.md for each assumption."]
    dump_scenario(scenario, out, header="\n".join(lines))
    return cal


# ----------------------------------------------------------------------------- exporting
def export_crm(event_log: pd.DataFrame, path: str | Path | None = None,
               start: str = EXPORT_START) -> pd.DataFrame:
    """Turn a model event log (hours) into a CRM-style export with date-times: one row per lead
    journey (a lead lost, nurtured and qualified again has a row for each journey)."""
    log = event_log
    origin = pd.Timestamp(start, tz="UTC")
    out = pd.DataFrame({"lead_id": log.lead_id.to_numpy()})
    names = {"created_at": "created_at", "first_contact_at": "first_contact_at",
             "became_mql_at": "became_mql_at", "became_sql_at": "became_sql_at",
             "opportunity_at": "opportunity_at", "closed_at": "closed_at"}
    out["channel"] = log.channel.to_numpy()
    for ours, theirs in names.items():
        hours = pd.to_timedelta(log[theirs].to_numpy(), unit="h")
        stamps = (origin + hours)
        out[ours] = [s.strftime("%Y-%m-%dT%H:%M:%S") if not pd.isna(s) else "" for s in stamps]
    out["status"] = log.final_state.to_numpy()
    out["won"] = log.won.astype(bool).to_numpy()
    out["amount"] = np.round(log.amount.to_numpy(dtype=float), 2)
    out["discount"] = np.round(log.discount.to_numpy(dtype=float), 4)
    out = out[[c for c in COLUMNS if c in out.columns]]
    if path is not None:
        out.to_csv(path, index=False)
    return out


def parse_column_map(items: Sequence[str]) -> dict[str, str]:
    """Read ``--map CSV_COLUMN=documented_column`` flags."""
    out = {}
    for item in items:
        given, sep, ours = item.partition("=")
        if not sep or not given.strip() or not ours.strip():
            raise ScenarioError("--map", item, "expected CSV_COLUMN=documented_column, e.g. "
                                "Lead Source=channel")
        out[given.strip()] = ours.strip()
    return out
