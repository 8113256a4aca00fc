"""The ``calibrate`` command: a scenario estimated from a CRM export, fitted by simulation.

The command reads the export first (every problem of the file at once, before any work),
measures it, moves the model's behavioural parameters until the simulated company shows what
the export shows (:mod:`sim.fit`), and writes the scenario; ``--report`` adds the fit as an
HTML page and ``--holdout-weeks`` checks how well the fit predicts the export's last weeks.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sim.cli.shared import (
    FlagExecutor,
    clean,
    out_file,
    positive_int,
    seed_number,
    stderr_line,
    text_table,
)
from sim.files import check_target
from sim.yamlio import shown

CRM_CHOICES = ("salesforce", "hubspot", "pipedrive", "zoho")
FIT_COLUMNS = ["figure", "observed [95 %]", "n", "simulated [95 %]", "verdict"]


def add_calibrate(sub: Any) -> None:
    """The ``calibrate`` command's parser: the export, how to read it, and the fit's flags."""
    p = sub.add_parser("calibrate", help="estimate a scenario from a CRM export (CSV)")
    p.add_argument("csv", metavar="CRM.csv", help="lead-level export; see sim/calibrate.py")
    p.add_argument("--out", metavar="FILE.yaml", required=True, help="scenario file to write")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    _add_reading(p)
    p.add_argument("--reps", type=positive_int, default=20,
                   help="replications the fit simulates, on common random numbers (default 20)")
    p.add_argument("--seed", type=seed_number, default=None)
    p.add_argument("--report", metavar="FILE.html", default=None,
                   help="write the fit as a self-contained HTML page with plots")
    p.add_argument("--holdout-weeks", type=positive_int, default=None, metavar="N",
                   help="fit on the earlier weeks and show how well it predicts the last N")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes for the fit (default: one per core)")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.set_defaults(func=cmd_calibrate)


def _add_reading(p: argparse.ArgumentParser) -> None:
    """The scenario's name, and the flags that say how to read the export
    (``sim.crm.read_export``'s options).
    """
    p.add_argument("--map", action="append", default=[], metavar="CSV_COLUMN=column",
                   help="map a column name of the export to a documented one (repeatable)")
    p.add_argument("--name", default=None, help="scenario name (default: the file's name)")
    p.add_argument("--crm", choices=CRM_CHOICES, default=None,
                   help="read the export as this CRM writes it (default: recognised from the "
                   "column names)")
    p.add_argument("--deals", metavar="DEALS.csv", default=None,
                   help="a deals export to join to the leads on the lead id (see sim/crm.py)")
    p.add_argument("--dayfirst", action="store_true",
                   help="read dates that fit both ways as day-first (07.01.2024 = 7 January)")
    p.add_argument("--date-format", default=None, metavar="FORMAT",
                   help="the dates' format, e.g. '%%d/%%m/%%Y %%H:%%M'")
    p.add_argument("--decimal", choices=(".", ","), default=None,
                   help="the decimal mark of amounts (default: decided from the values)")
    p.add_argument("--won-values", action="append", default=[], metavar="STAGE[,STAGE]",
                   help="stage names that mean won, beside Closed Won, Won, Customer…")
    p.add_argument("--lost-values", action="append", default=[], metavar="STAGE[,STAGE]",
                   help="stage names that mean lost, beside Closed Lost, Lost…")
    p.add_argument("--missing-channel", default="unknown", metavar="NAME",
                   help="channel for rows without a source (default unknown; 'error' refuses "
                   "them)")


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``calibrate``: read the export, estimate and fit the scenario, write it (and the report)."""
    from sim.calibrate import calibrate, parse_column_map

    out_file(args, suffixes=(".yaml", ".yml"), protected=[args.csv])
    if args.report is not None:
        check_target(args.report, "--report", force=args.force, suffixes=(".html", ".htm"),
                     protected=[args.csv, args.out])
    export = _read_export(args)  # every problem of the file at once, before any work
    if not args.json:
        for note in export.notes:
            print(f"note: {shown(note, None)}")
    with FlagExecutor(args, jobs=args.reps) as executor:
        cal = calibrate(args.csv, args.out, parse_column_map(args.map), args.name,
                        data=export, fit_reps=args.reps, seed=args.seed, executor=executor,
                        holdout_weeks=args.holdout_weeks,
                        progress=None if args.json else stderr_line)
    if args.report is not None:
        from sim.views.fit_report import write_fit_report

        write_fit_report(args.report, cal, f"Fit of {Path(args.csv).name}")
    if args.json:
        print(json.dumps(clean(_calibration_json(args, cal))))
        return 0
    _print_calibration(args, cal, export.notes)
    return 0


def _calibration_json(args: argparse.Namespace, cal: Any) -> dict[str, Any]:
    """The calibration as ``--json`` prints it: estimates, fitted values, the fit's rows."""
    rows = {k: {"label": r.label, "observed": r.observed, "ci95": [r.low, r.high], "n": r.n,
                "simulated": r.simulated, "simulated_ci95": [r.sim_low, r.sim_high],
                "verdict": r.verdict} for k, r in cal.rows.items()}
    return {
        "scenario": str(args.out), "weeks": cal.weeks, "reps": args.reps,
        "estimates": {e.key: {"value": e.value, "n": e.n} for e in cal.estimates},
        "fitted": cal.fit.values if cal.fit else {},
        "observed": {k: {"value": v, "n": n} for k, (v, n) in cal.observed.items()},
        "fit": rows, "holdout": {k: {"observed": r.observed, "ci95": [r.low, r.high],
                                     "simulated": r.simulated, "verdict": r.verdict}
                                 for k, r in (cal.holdout or {}).items()},
        "defaults": cal.defaults, "warnings": cal.warnings,
        "report": str(args.report) if args.report else None}


def _print_calibration(args: argparse.Namespace, cal: Any, export_notes: list[str]) -> None:
    """The calibration as tables: estimates, fitted values, observed vs simulated, holdout."""
    from sim.views.fit_report import fit_table

    print(f"calibrated from {shown(args.csv, None)}: {cal.weeks:.1f} weeks")
    print(text_table(["estimate", "value", "n"], [[e.key, str(e.value), str(e.n)]
                                                   for e in cal.estimates]))
    if cal.fit is not None:
        print(f"\nfitted by simulation ({args.reps} replications, common random numbers, "
              f"{cal.fit.seconds:.0f} s):")
        print(text_table(["parameter", "value"],
                         [[k, str(v)] for k, v in cal.fit.values.items()]))
        print("\nobserved vs simulated (95 % intervals):")
        print(text_table(FIT_COLUMNS, fit_table(cal.rows)))
    if cal.holdout is not None:
        print(f"\nholdout: the last {cal.holdout_weeks} weeks, predicted from the earlier ones:")
        print(text_table(FIT_COLUMNS, fit_table(cal.holdout)))
    for note in cal.notes():
        if note not in export_notes:  # the export's notes were printed before the estimate
            print(f"note: {note}")
    print(f"scenario written to {shown(args.out, None)}")
    if args.report is not None:
        print(f"report written to {shown(args.report, None)}")


def _read_export(args: argparse.Namespace) -> Any:
    """The calibrate command's CRM export, read with its reading flags."""
    from sim.calibrate import parse_column_map
    from sim.crm import read_export

    missing = args.missing_channel
    return read_export(args.csv, args.deals, column_map=parse_column_map(args.map),
                       crm=args.crm, dayfirst=True if args.dayfirst else None,
                       date_format=args.date_format, decimal=args.decimal,
                       won_values=_values(args.won_values), lost_values=_values(args.lost_values),
                       missing_channel=None if missing == "error" else missing)


def _values(items: list[str]) -> list[str]:
    """``--won-values "Closed Won,Signed"`` (repeatable): the stage names, comma-separated."""
    return [v.strip() for item in items for v in item.split(",") if v.strip()]
