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


# ----------------------------------------------------------------------------- reading
def read_crm(path: str | Path, column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read and check a CRM export; returns one row per record with documented column names,
    times as timestamps, ``won`` as bool and ``amount`` as float.

    A shortcut for ``sim.crm.read_export(path, column_map=column_map).data``, which also reads
    Salesforce, HubSpot, Pipedrive and Zoho exports and says what it assumed.
    """
    from sim.crm import read_export

    return read_export(path, column_map=column_map).data


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
    """What the export determines: scenario overrides, the observed figures with their
    intervals, what stayed at the baseline's defaults, and (after :func:`fit`) the fit.
    """

    weeks: float
    estimates: list[Estimate] = field(default_factory=list)
    observed: dict[str, tuple[float, int]] = field(default_factory=dict)
    kind: str = "leads"
    defaults: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    origin: Any = None
    end_hours: float = math.nan
    fit: Any = None
    sims: list[Any] = field(default_factory=list)
    holdout: dict[str, Any] | None = None
    holdout_weeks: int | None = None

    def overrides(self) -> dict[str, Any]:
        """Every value the calibration sets in the scenario: the estimates, then the fit's."""
        out = {e.key: e.value for e in self.estimates}
        if self.fit is not None:
            out.update(self.fit.values)
        return out

    def notes(self) -> list[str]:
        """Warnings, then every value that stayed at the baseline's default."""
        return list(self.warnings) + [f"stayed at baseline default: {d}" for d in self.defaults]


def _unpack(data: Any) -> tuple[pd.DataFrame, str, pd.Timestamp | None, list[str]]:
    """A DataFrame or an export object (``.data``, ``.kind``, ``.end``, ``.notes``)."""
    if isinstance(data, pd.DataFrame):
        return data, "leads", None, []
    return (data.data, getattr(data, "kind", "leads") or "leads", getattr(data, "end", None),
            list(getattr(data, "notes", []) or []))


def estimate(data: Any, source: str = "<crm>") -> Calibration:
    """Estimate the scenario parameters a CRM export determines (a DataFrame from
    :func:`read_crm`, or an export object with ``data``, ``kind`` and ``end``).
    """
    data, kind, end, notes = _unpack(data)
    leads = data[data.channel != SELF_SOURCED]
    if leads.empty:
        raise ScenarioError(source, "channel", "no marketing leads (every row is self_sourced)")
    unique = leads.drop_duplicates("lead_id") if "lead_id" in leads else leads
    created = unique.created_at
    span_days = (created.max() - created.min()).total_seconds() / 86400.0
    n = len(unique)
    # the first and last of n uniform arrivals sit a gap in from each end of the period
    weeks = max(span_days / 7.0 * (n + 1) / max(n - 1, 1), 1.0 / 7.0)
    cal = Calibration(weeks=weeks, kind=kind, warnings=list(notes))
    template = Scenario()
    for name, group in leads.groupby("channel", sort=True):
        _estimate_channel(cal, str(name), group, template)
    _measure_funnel(cal, data, end)
    _estimate_cycle_and_arrivals(cal, leads, n, template)
    _observe(cal, leads, data)
    return cal


def _estimate_channel(cal: Calibration, name: str, group: pd.DataFrame,
                      template: Scenario) -> None:
    """A channel's leads per week (a lead-level export) and its won deals' size."""
    base_channel = next(iter(template.marketing.channels.values()))
    key = f"marketing.channels.{name}"
    count = group.lead_id.nunique() if "lead_id" in group else len(group)
    weeks = cal.weeks
    if cal.kind == "leads":
        cal.estimates.append(Estimate(f"{key}.leads_per_week", round(count / weeks, 3),
                                      count, f"leads over {weeks:.1f} weeks"))
    else:
        cal.estimates.append(Estimate(f"{key}.leads_per_week", base_channel.leads_per_week,
                                      count, "deal-level export: baseline volume"))
        cal.defaults.append(f"{key}.leads_per_week = {base_channel.leads_per_week} "
                            f"(a deal-level export has {count} deals, not leads)")
    deals = _deal_sizes(group)
    if len(deals) >= 5:
        logs = np.log(deals)
        cal.estimates.append(Estimate(f"{key}.deal_size_median",
                                      round(float(np.exp(np.median(logs))), 2), len(deals),
                                      "won deals, list price"))
        cal.estimates.append(Estimate(f"{key}.deal_size_sigma",
                                      round(float(np.std(logs, ddof=1)), 4), len(deals),
                                      "won deals, log-sd"))
    else:
        cal.defaults.append(f"{key}.deal_size_median = {base_channel.deal_size_median:g} "
                            f"and deal_size_sigma = {base_channel.deal_size_sigma:g} "
                            f"({len(deals)} won deals, 5 needed)")
    cal.defaults.append(f"{key}.quality_alpha/quality_beta and cost_per_lead (not in a "
                        "CRM export)")


def _measure_funnel(cal: Calibration, data: pd.DataFrame, end: pd.Timestamp | None) -> None:
    """The export's funnel in the model's hours (``cal.origin``, ``cal.end_hours``,
    ``cal.stats``) and the observed rows of the fit table it determines (``cal.rows``).
    """
    from sim.fit_stats import funnel_stats, hours_frame

    # hours since the Monday 00:00 before the first lead: the model's week starts there
    first = data.created_at.min()
    origin = (first - pd.Timedelta(days=first.day_of_week)).normalize()
    if end is None or pd.isna(end):
        end = data[[c for c in TIMES if c in data]].max().max()
    cal.origin = origin
    cal.end_hours = (end - origin).total_seconds() / 3600.0
    cal.stats = funnel_stats(hours_frame(data, origin), cal.end_hours)
    cal.rows = _observed_rows(cal, data)


def _observed_rows(cal: Calibration, data: pd.DataFrame) -> dict[str, Any]:
    """The fit table's observed rows, without those the export cannot determine: the lead
    side of a deal-level export, and stages without a record or a value.
    """
    from sim.fit import Row, observed_rows
    from sim.fit_stats import INNER, wilson

    rows = observed_rows(cal.stats, cal.weeks)
    for key in INNER:
        k, m = cal.stats[key]
        rows[key] = Row(key, k / m if m else math.nan, *wilson(k, m), m)
    if cal.kind != "leads":
        for key in ("leads_per_week", "lead_to_mql", "mql_to_sql", "sql_to_opportunity",
                    "contacted_within_1h", "speed_to_lead_h_median", "revenue_per_week",
                    *INNER):
            rows.pop(key, None)
        cal.warnings.append("deal-level export: only deal sizes, win rate and cycle time are "
                            "estimated; lead volumes, the funnel's rates and speed to lead stay "
                            "at the baseline's defaults")
    for key in ("lead_to_mql", "mql_to_sql", "sql_to_opportunity", "contacted_within_1h",
                "speed_to_lead_h_median", "cycle_time_days"):
        if key in rows and (rows[key].n == 0 or math.isnan(rows[key].observed)):
            rows.pop(key)
    for key in INNER:
        if key in rows and rows[key].n == 0:
            rows.pop(key)
    if "won" not in data or "closed_at" not in data:
        rows.pop("win_rate", None)
    return rows


def _estimate_cycle_and_arrivals(cal: Calibration, leads: pd.DataFrame, n: int,
                                 template: Scenario) -> None:
    """The mean cycle time (open deals censored) and the share of leads arriving in office
    hours, each only when the export has enough to say it.
    """
    from sim.fit_stats import office_hours_share

    cycle = cal.rows.get("cycle_time_days")
    if cycle is not None:
        opened = int(len(cal.stats["events"]))
        cal.estimates.append(Estimate("sales.cycle_time_days_mean", round(cycle.observed, 3),
                                      cycle.n, f"gamma MLE, {cycle.n} closed and "
                                      f"{opened - cycle.n} open (censored) opportunities"))
    else:
        cal.defaults.append(f"sales.cycle_time_days_mean = "
                            f"{template.sales.cycle_time_days_mean} (no closed opportunities)")
    if cal.kind == "leads" and n >= THIN_ARRIVALS:
        share = office_hours_share(leads.created_at)
        cal.estimates.append(Estimate("marketing.business_hours_arrival_share",
                                      round(min(max(share, 0.0), 1.0), 4), len(leads),
                                      "leads created Mon-Fri 09:00-17:00"))
    else:
        cal.defaults.append("marketing.business_hours_arrival_share = "
                            f"{template.marketing.business_hours_arrival_share}")


THIN_ARRIVALS = 30


def _deal_sizes(group: pd.DataFrame) -> np.ndarray:
    if "won" not in group or "amount" not in group:
        return np.array([])
    won = group[group.won & (group.amount > 0)]
    amounts = won.amount.to_numpy(dtype=float)
    if "discount" in won:
        amounts = amounts / (1.0 - won.discount.fillna(0.0).to_numpy(dtype=float))
    return amounts


def _observe(cal: Calibration, leads: pd.DataFrame, data: pd.DataFrame) -> None:
    """The observed figures as (value, n), for the scenario header and ``--json``."""
    from sim.fit_stats import INNER

    for key, row in cal.rows.items():
        if key not in INNER and not math.isnan(row.observed):
            cal.observed[key] = (float(row.observed), int(row.n))


# ----------------------------------------------------------------------------- fitting
def fit(cal: Calibration, scenario: Scenario, reps: int = 20, seed: int | None = None,
        executor: Any = None, progress: Any = None, budget_seconds: float = 90.0,
        max_iter: int = 10) -> Scenario:
    """Move the behavioural parameters until ``scenario`` simulated ``reps`` times reproduces
    the export (``sim/fit.py``, at most ``max_iter`` iterations or ``budget_seconds``); fills
    ``cal.fit``, ``cal.sims`` and the simulated column of ``cal.rows``, and returns the fitted
    scenario.
    """
    from sim.fit import fit_scenario, simulate, simulated_columns, thin_warnings
    from sim.fit_stats import INNER

    available = list(cal.rows)
    result = fit_scenario(scenario, cal.rows, reps=reps, seed=seed, executor=executor,
                          available=available, progress=progress,
                          budget_seconds=budget_seconds, max_iter=max_iter)
    fitted = with_overrides(scenario, result.values)
    seed = fitted.seed if seed is None else seed
    if result.sims and result.scenario.model_dump() == fitted.model_dump():
        cal.sims = result.sims  # the last iteration simulated the fitted company already
    else:
        cal.sims = simulate(fitted, reps, seed, executor, weekly=True)
    shown = {k: v for k, v in cal.rows.items() if k not in INNER}
    simulated_columns(shown, cal.sims)
    cal.rows = shown
    cal.fit = result
    cal.defaults += result.defaults
    cal.warnings += thin_warnings(shown)
    if not result.converged:
        cal.warnings.append(f"the fit stopped after {len(result.iterations)} iterations "
                            "before every stage was matched; see the verdicts")
    return fitted


def _holdout(data: pd.DataFrame, weeks: int, total_weeks: float) -> tuple[pd.DataFrame,
                                                                           pd.Timestamp]:
    """The records created before the last ``weeks`` weeks, as the export looked then."""
    if not 1 <= weeks <= total_weeks - 2:
        raise ScenarioError("--holdout-weeks", str(weeks),
                            f"must be from 1 to {max(int(total_weeks - 2), 0)}: the export "
                            f"covers {total_weeks:.1f} weeks and the fit needs at least 2")
    cut = data.created_at.min() + pd.Timedelta(weeks=total_weeks - weeks)
    early = data[data.created_at < cut].copy()
    for col in TIMES:
        if col in early and col != "created_at":
            late = early[col] >= cut
            early.loc[late, col] = pd.NaT
            if col == "closed_at" and "won" in early:
                early.loc[late, "won"] = False
                if "amount" in early:
                    early.loc[late, "amount"] = 0.0
    return early.reset_index(drop=True), cut


def _shown(v: Any) -> str:
    from sim.views.labels import plain_number

    return f"{v:,}" if isinstance(v, int) else plain_number(float(v))


def estimates_table(cal: Calibration) -> pd.DataFrame:
    """What the export measured, for a notebook: each estimate with the records behind it and
    how it was measured (a value the fit then moved says so; see :func:`fitted_table`).
    """
    fitted = cal.fit.values if cal.fit is not None else {}
    rows = [{"parameter": e.key, "value": _shown(e.value), "records": str(e.n),
             "from": e.note + ("; the fit's starting point" if e.key in fitted else "")}
            for e in cal.estimates]
    return pd.DataFrame(rows, columns=["parameter", "value", "records", "from"]
                        ).set_index("parameter")


FIT_TARGETS = {"attempted_share": "MQL → SQL: MQLs sales attempts",
               "sql_of_attempted": "MQL → SQL: attempted MQLs qualified",
               "within_1h_of_attempted": "MQLs attempted within 1 h",
               "sales.reps": "speed to lead (the team grows when prospecting alone cannot)"}


def fitted_table(cal: Calibration) -> pd.DataFrame:
    """The parameters :func:`fit` moved, each with the figure of the export it was moved to
    match (empty before a fit).
    """
    from sim.fit import DIALS, ROWS

    targets = {d.key: d.target for d in DIALS}
    values = cal.fit.values if cal.fit is not None else {}
    rows = []
    for key, v in values.items():
        target = targets.get(key, key)
        rows.append({"parameter": key, "value": _shown(v),
                     "matches": FIT_TARGETS.get(target, ROWS.get(target, target))})
    return pd.DataFrame(rows, columns=["parameter", "value", "matches"]).set_index("parameter")


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
    if cal.fit is not None:
        others.update(cal.fit.values)
    return with_overrides(scenario, {**others, "marketing.brand_share": 0.0,
                                     "marketing.awareness_initial": 0.0,
                                     "weeks": round(cal.weeks, 2),
                                     "description": f"Calibrated from a CRM export of "
                                                    f"{cal.weeks:.1f} weeks."})


def calibrate(csv_path: str | Path, out: str | Path,
              column_map: Mapping[str, str] | None = None, name: str | None = None, *,
              fit_reps: int | None = 20, seed: int | None = None, executor: Any = None,
              holdout_weeks: int | None = None, progress: Any = None, data: Any = None,
              max_iter: int = 10) -> Calibration:
    """Read a CRM export, estimate, fit (``fit_reps`` replications, at most ``max_iter``
    iterations; None: measure only) and write a commented scenario YAML (atomically).

    With ``holdout_weeks`` the fit uses the earlier weeks only and ``cal.holdout`` compares the
    last weeks of the export with the same weeks simulated. The fit as an HTML page is
    :func:`sim.views.fit_report.write_fit_report`.
    """
    out = Path(out)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ScenarioError("--out", str(out), "must end in .yaml or .yml")
    if not out.parent.is_dir():
        raise ScenarioError("--out", str(out), f"folder '{out.parent}' does not exist")
    if holdout_weeks is not None and fit_reps is None:
        raise ScenarioError("--holdout-weeks", str(holdout_weeks), "needs a fit (--reps)")
    if data is None:
        from sim.crm import read_export

        data = read_export(csv_path, column_map=column_map)
    frame, kind, end, notes = _unpack(data)
    full = estimate(data, str(csv_path))
    cut = None
    if holdout_weeks is not None:
        early, cut = _holdout(frame, holdout_weeks, full.weeks)
        cal = estimate(_Like(early, kind, cut, notes), str(csv_path))
    else:
        cal = full
    scenario = calibrated_scenario(cal, name or out.stem)
    if fit_reps is not None:
        scenario = fit(cal, scenario, fit_reps, seed, executor, progress, max_iter=max_iter)
    if cut is not None:
        _predict(cal, full, frame, scenario, cut, holdout_weeks, fit_reps, seed, executor)
    dump_scenario(scenario, out, header=_header(cal, Path(csv_path).name, len(frame), fit_reps))
    return cal


def _header(cal: Calibration, source: str, records: int, fit_reps: int | None) -> str:
    """The calibrated scenario's opening comment: every estimate with the records behind it,
    the fit and how well it fits (or what was observed), the notes.
    """
    lines = [f"Calibrated from {source}: {records} records over {cal.weeks:.1f} weeks.",
             "Each estimate with the number of records behind it:"]
    lines += [f"  {e.key} = {e.value}  (n = {e.n}; {e.note})" for e in cal.estimates]
    if cal.fit is not None:
        lines += [f"Fitted by simulation ({fit_reps} replications, common random numbers):"]
        lines += [f"  {k} = {v}" for k, v in cal.fit.values.items()]
        lines += ["Observed vs simulated:"]
        lines += [f"  {r.label}: observed {r.observed:.4g} [{r.low:.4g}, {r.high:.4g}] "
                  f"(n = {r.n}), simulated {r.simulated:.4g}: {r.verdict}"
                  for r in cal.rows.values()]
    else:
        lines += ["Observed in the export, for checking the model against (not parameters):"]
        lines += [f"  {k} = {v:.4g}  (n = {n})" for k, (v, n) in cal.observed.items()]
    lines += [f"Note: {n}" for n in cal.notes()]
    lines += ["Everything else is the model default; see docs/model.md for each assumption."]
    return "\n".join(lines)


def _predict(cal: Calibration, full: Calibration, frame: pd.DataFrame, scenario: Scenario,
             cut: pd.Timestamp, holdout_weeks: int, reps: int, seed: int | None,
             executor: Any) -> None:
    """Simulate the fitted company over the whole export and compare the leads created in the
    last ``holdout_weeks`` weeks with the export's (``cal.holdout``).
    """
    from sim.fit import observed_rows, simulate, simulated_columns
    from sim.fit_stats import funnel_stats, hours_frame

    span = round(full.weeks, 2)
    window = ((cut - full.origin).total_seconds() / 3600.0, span * 168.0)
    obs = funnel_stats(hours_frame(frame, full.origin), full.end_hours, window)
    rows = {k: v for k, v in observed_rows(obs, holdout_weeks).items() if k in cal.rows}
    sims = simulate(with_overrides(scenario, {"weeks": span}), reps,
                    scenario.seed if seed is None else seed, executor, window=window)
    simulated_columns(rows, sims)
    cal.holdout, cal.holdout_weeks = rows, holdout_weeks


@dataclass
class _Like:
    """An export object for a part of an export (the earlier weeks of a holdout)."""

    data: pd.DataFrame
    kind: str
    end: pd.Timestamp
    notes: list[str]


# ----------------------------------------------------------------------------- exporting
def export_crm(event_log: pd.DataFrame, path: str | Path | None = None,
               start: str = EXPORT_START) -> pd.DataFrame:
    """Turn a model event log (hours) into a CRM-style export with date-times: one row per lead
    journey (a lead lost, nurtured and qualified again has a row for each journey).
    """
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
