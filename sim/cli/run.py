"""The commands that run scenarios and show their KPIs: ``run``, ``compare``, ``report`` and
``validate`` (which only reads them).

Each command has its ``add_*`` function, which builds its parser, and its ``cmd_*`` function,
which does the work once the flags are read: load the scenarios, run the replications, then
print a table (or one JSON object with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from sim.cli.shared import (
    PROG,
    FlagExecutor,
    add_common,
    bounded,
    clean,
    load,
    load_scenario,
    out_file,
    plain_number,
    positive_int,
    prepare_out,
    resolve_scenario_path,
    seed_number,
    text_table,
    warmup_weeks,
    weeks_number,
)
from sim.errors import ScenarioError
from sim.files import write_atomic
from sim.kpis import KPI_NAMES
from sim.yamlio import shown

precision_share = bounded(float, "a fraction such as 0.05",
                          lambda v: math.isfinite(v) and 0 < v <= 1, "above 0 and at most 1")
max_reps_number = bounded(int, "a whole number", lambda v: v >= 2,
                          "at least 2 (an interval needs two)")
# the KPI whose paired differences decide how many replications compare runs
SIZING_KPI = "revenue"


# ---------------------------------------------------------------------------------- run
def add_run(sub: Any) -> None:
    """The ``run`` command's parser."""
    p = sub.add_parser("run", help="simulate one scenario")
    p.add_argument("scenario", help="scenario file, or a preset name such as baseline")
    add_common(p)
    p.add_argument("--out", metavar="DIR", help="also write kpis.json, replications.csv and the "
                   "resolved scenario to DIR")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    """``run``: replications of one scenario, their KPI means and 95 % intervals."""
    # the rows, not the table: a run that writes no files prints its KPIs without pandas
    from sim.experiment import replication_rows, summarise

    scenario = load(args.scenario, args.set, args.weeks, args.warmup)
    out = prepare_out(args.out)  # after the scenario is known good: bad input creates no folder
    seed = scenario.seed if args.seed is None else args.seed
    with FlagExecutor(args, jobs=args.reps) as executor:
        runs = replication_rows(scenario, args.reps, seed, executor, progress=not args.json)
    means, ci = summarise(runs)
    payload = clean({
        "scenario": scenario.name, "seed": seed, "reps": args.reps, "weeks": scenario.weeks,
        "kpis": {k: means[k] for k in KPI_NAMES}, "ci95": None if ci is None else {
            k: ci[k] for k in KPI_NAMES},
    })
    if out is not None:
        _write_run(out, payload, runs, scenario, seed)
    if args.json:
        print(json.dumps(payload))
        return 0
    print(f"scenario {shown(scenario.name, None)}  seed {seed}  reps {args.reps}  "
          f"weeks {scenario.weeks:g}")
    _print_run_table(payload, runs, bool(ci))
    if out is not None:
        print(f"results written to {out}/")
    return 0


def _write_run(out: Path, payload: dict[str, Any], runs: Any, scenario: Any, seed: int) -> None:
    """``run --out DIR``: the KPIs, every replication and the scenario as it was run."""
    from sim.experiment import replication_table
    from sim.scenario import dump_scenario

    table = replication_table(runs)
    write_atomic(out / "kpis.json", json.dumps(payload, indent=2) + "\n")
    write_atomic(out / "replications.csv", lambda p: table.to_csv(p))
    dump_scenario(scenario, out / "scenario.yaml",
                  header=f"Resolved scenario '{scenario.name}' as run (seed {seed}).")


def _print_run_table(payload: dict[str, Any], runs: Any, with_ci: bool) -> None:
    """The KPI table of ``run``, and how many replications a ±5 % revenue interval needs."""
    header = ["kpi", "mean"] + (["95% CI"] if with_ci else [])
    rows = []
    for k in KPI_NAMES:
        row = [k, plain_number(payload["kpis"][k])]
        if with_ci:
            low, high = payload["ci95"][k]
            row.append(f"[{plain_number(low)}, {plain_number(high)}]")
        rows.append(row)
    print(text_table(header, rows))
    if with_ci:
        from sim.experiment import replications_needed

        needed = replications_needed([row["revenue"] for row in runs], 0.05, relative=True)
        print(f"replications for a revenue interval of +/-5 % of the mean: about {needed}")


# ---------------------------------------------------------------------------------- compare
def add_compare(sub: Any) -> None:
    """The ``compare`` command's parser."""
    # conflict_handler="resolve" lets compare's own --reps (no fixed default) replace the common one
    p = sub.add_parser("compare", help="compare scenarios with common random numbers",
                       conflict_handler="resolve")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    add_common(p)
    p.add_argument("--reps", type=positive_int, default=None, metavar="N",
                   help="run exactly N replications (default: as many as --precision needs, "
                   "up to --max-reps)")
    p.add_argument("--precision", type=precision_share, default=0.05, metavar="FRACTION",
                   help="add replications until every revenue difference's 95%% interval is "
                   "within this share of the first scenario's revenue (default 0.05)")
    p.add_argument("--max-reps", type=max_reps_number, default=100, metavar="N",
                   help="most replications to run when sizing them (default 100)")
    p.add_argument("--kpi", dest="kpis", action="append", choices=KPI_NAMES, metavar="NAME",
                   help="show only these KPIs in the table (repeatable)")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """``compare``: scenarios on common random numbers, each against the first, with paired
    95 % intervals; the replications are sized to ``--precision`` unless ``--reps`` is given.
    """
    scenarios = [load(p, args.set, args.weeks, args.warmup) for p in args.scenarios]
    seed = scenarios[0].seed if args.seed is None else args.seed
    sized = args.reps is None
    comparison, precision = _compare_runs(args, scenarios, seed, sized)
    first = comparison.names[0]
    warning = _precision_warning(precision, first, sized)
    payload = clean({
        "scenarios": comparison.names,
        "reps": precision.reps,
        "kpis": {n: {k: v[k] for k in KPI_NAMES} for n, v in comparison.means().items()},
        "diff_vs_first": {n: {k: d[k] for k in KPI_NAMES}
                          for n, d in comparison.differences().items()},
    })
    if args.json:
        print(json.dumps(payload))
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
        return 0
    sizing = f" sized for ±{100 * precision.target:g} %" if sized else ""
    achieved = _share(precision.half_width)
    if achieved:
        sizing += f"  {SIZING_KPI} differences {achieved} of {first} {SIZING_KPI}"
    print(f"compare vs {shown(first, None)}  seed {seed}  reps {precision.reps}"
          f"{shown(sizing, None)}  (common random numbers, paired 95% CI)")
    print(text_table(*_compare_table(payload, comparison.names, args.kpis or KPI_NAMES)))
    if precision.reps > 1:
        print("* the 95% interval of the paired difference excludes zero")
    for name in comparison.names[1:]:
        print()
        print(text_table(*_bridge_table(payload, first, name)))
    if warning:
        print(f"warning: {shown(warning, None)}", file=sys.stderr)
    return 0


def _bridge_table(payload: dict[str, Any], first: str, other: str
                  ) -> tuple[list[str], list[list[str]]]:
    """The revenue bridge from ``first`` to ``other`` (:func:`sim.bridge.revenue_bridge` of
    their mean KPIs) as a table: each link of the funnel, its value in both and its part of the
    revenue difference.
    """
    from sim.bridge import revenue_bridge

    kpis = payload["kpis"]
    bridge = revenue_bridge(kpis[first], kpis[other])
    header = [f"revenue bridge {first} -> {other}", first, other, "revenue effect"]
    rows = [["revenue", plain_number(bridge.before), "", ""]]
    rows += [[s.label, plain_number(s.before), plain_number(s.after),
              f"{s.effect:+,.0f}"] for s in bridge.steps]
    rows.append(["revenue", "", plain_number(bridge.after), f"{bridge.difference:+,.0f}"])
    return header, rows


def _compare_runs(args: argparse.Namespace, scenarios: list[Any], seed: int,
                  sized: bool) -> tuple[Any, Any]:
    """The paired comparison and the precision its revenue differences reached: sized
    replications (up to ``--max-reps``), or exactly ``--reps``.
    """
    from sim.experiment import compare, compare_sized, paired_precision

    jobs = (args.max_reps if sized else args.reps) * len(scenarios)
    with FlagExecutor(args, jobs=jobs) as executor:
        if sized:
            result = compare_sized(scenarios, seed, executor, progress=not args.json,
                                   kpi=SIZING_KPI, precision=args.precision,
                                   max_reps=args.max_reps)
            return result.comparison, result.precision
        comparison = compare(scenarios, args.reps, seed, executor, progress=not args.json)
        return comparison, paired_precision(comparison, SIZING_KPI, args.precision)


def _compare_table(payload: dict[str, Any], names: list[str], kpis: Any
                   ) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the compare table: each KPI of the first scenario, then of each
    other one with its paired difference (``*`` when its interval excludes zero).
    """
    from sim.experiment import excludes_zero

    first = names[0]
    header = ["kpi", first]
    for n in names[1:]:
        header += [n, f"diff vs {first}", "95% CI"]
    rows = []
    for k in kpis:
        row = [k, plain_number(payload["kpis"][first][k])]
        for n in names[1:]:
            d = payload["diff_vs_first"][n][k]
            low, high = d["ci95"]
            mark = "*" if excludes_zero((low, high)) else " "
            row += [plain_number(payload["kpis"][n][k]), f"{plain_number(d['mean'])}{mark}",
                    f"[{plain_number(low)}, {plain_number(high)}]"]
        rows.append(row)
    return header, rows


def _share(value: float) -> str:
    """A share as "±7.3 %", or "" when it is not a finite number (nothing to show)."""
    return f"±{100 * value:.1f} %" if math.isfinite(value) else ""


def _precision_warning(precision: Any, first: str, sized: bool) -> str | None:
    """The warning compare prints when its paired differences are wider than asked, else None.

    Without an interval (a single replication) there is nothing to judge, so no warning.
    """
    if precision.met or math.isnan(precision.half_width):
        return None
    kpi, reps = precision.kpi, precision.reps
    target = f"±{100 * precision.target:g} %"
    if precision.needed is None:
        return (f"the mean {kpi} of {first} is zero, so {kpi} differences cannot be held "
                f"within {target} of it; {reps} replications were run")
    gives = (f"{kpi} differences {_share(precision.half_width)} of {first} {kpi}; about "
             f"{precision.needed} are needed for {target}")
    if sized:
        return f"the cap of {reps} replications gives {gives} (raise --max-reps to run them)"
    return f"{reps} replications give {gives} (omit --reps to size them automatically)"


# ---------------------------------------------------------------------------------- report
def add_report(sub: Any) -> None:
    """The ``report`` command's parser."""
    p = sub.add_parser("report", help="write a one-page HTML report to forward")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario files or preset names; the first is the reference")
    p.add_argument("--out", metavar="FILE.html", required=True, help="the HTML file to write")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--seed", type=seed_number, default=None)
    p.add_argument("--reps", type=positive_int, default=10, help="replications (default 10)")
    p.add_argument("--weeks", type=weeks_number, default=None)
    p.add_argument("--warmup", type=warmup_weeks, default=None, metavar="WEEKS")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """``report``: the one-page HTML report of the scenarios, to forward."""
    import shlex

    from sim.views.report import write_report

    scenarios = [load(p, args.set, args.weeks, args.warmup) for p in args.scenarios]
    out_file(args, protected=[resolve_scenario_path(p) for p in args.scenarios])
    seed = scenarios[0].seed if args.seed is None else args.seed
    command = shlex.join(["python", "-m", "sim", "report", *args.argv])
    path = write_report(scenarios, Path(args.out), reps=args.reps, seed=seed,
                        source_paths=list(args.scenarios), command=command)
    if args.json:
        print(json.dumps({"report": str(path), "scenarios": [s.name for s in scenarios],
                          "seed": seed, "reps": args.reps}))
    else:
        print(f"report written to {shown(path, None)}")
    return 0


# ---------------------------------------------------------------------------------- validate
def add_validate(sub: Any) -> None:
    """The ``validate`` command's parser."""
    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: read every scenario file and say ok or what is wrong (exit 2 if any is)."""
    failed = 0
    for path in args.scenarios:
        try:
            scenario = load_scenario(resolve_scenario_path(path), args.set)
        except ScenarioError as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            failed += 1
        else:
            print(f"ok  {shown(path, None)}  ({shown(scenario.name, None)})")
    return 2 if failed else 0
