"""The command line: ``python -m sim`` (or ``leadflow``).

Exit codes: 0 ok, 2 bad input (one clear line on stderr, nothing half-written), 1 a bug.

    python -m sim run scenarios/baseline.yaml --reps 10 --json
    python -m sim compare scenarios/undefined.yaml scenarios/integrated.yaml --reps 20
    python -m sim sweep scenarios/baseline.yaml --grid sales.reps=2,4 --reps 5 --out out/sweep
    python -m sim report scenarios/undefined.yaml scenarios/integrated.yaml --out report.html
    python -m sim robustness --out out/robustness --markdown docs/robustness.md
    python -m sim validate scenarios/*.yaml
    python -m sim game new games/tuesday --teams red,blue,green
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sim import __version__
from sim.errors import ScenarioError
from sim.files import check_can_create, check_folder, check_target, writable, write_atomic
from sim.kpis import KPI_NAMES
from sim.yamlio import shown

if TYPE_CHECKING:
    from sim.params import Scenario

# The model, numpy, scipy and pandas load only when a command needs them, so that --help and
# a mistyped flag answer at once; each command imports what it uses.


def plain_number(value: Any) -> str:
    """A number as the tables print it (:func:`sim.views.labels.plain_number`)."""
    from sim.views.labels import plain_number as plain

    return plain(value)


def load_scenario(path: Any, overrides: Sequence[str] = ()) -> Scenario:
    from sim.scenario import load_scenario as load

    return load(path, overrides)


def resolve_scenario_path(path: Any) -> Path:
    from sim.scenario import resolve_scenario_path as resolve

    return resolve(path)

PROG = "leadflow"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        sys.stderr.write(f"{PROG}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _bounded(cast: type, what: str, valid: Callable[[Any], bool], range_text: str
             ) -> Callable[[str], Any]:
    """An argparse type: ``cast`` the text, then check it is ``valid`` (else say ``range_text``)."""

    def parse(text: str) -> Any:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got '{text}'") from None
        if not valid(value):
            raise argparse.ArgumentTypeError(f"must be {range_text}, got {text}")
        return value

    return parse


_positive_int = _bounded(int, "a whole number", lambda v: v >= 1, "at least 1")
_port = _bounded(int, "a port number", lambda v: 1024 <= v <= 65535, "from 1024 to 65535")
_seed = _bounded(int, "a whole number", lambda v: 0 <= v < 2**63, "from 0 to 2^63-1")
_weeks = _bounded(float, "a number of weeks", lambda v: math.isfinite(v) and 0 < v <= 5200,
                  "above 0 and at most 5200")
_warmup = _bounded(int, "a whole number of weeks", lambda v: 0 <= v <= 5200, "from 0 to 5200")


def _load(path: str, sets: Sequence[str], weeks: float | None,
          warmup: float | None = None) -> Scenario:
    overrides = list(sets)
    if weeks is not None:
        overrides.append(f"weeks={weeks}")
    if warmup is not None:
        overrides.append(f"warmup_weeks={warmup}")
    return load_scenario(resolve_scenario_path(path), overrides)


def _clean(value: Any) -> Any:
    """JSON has no NaN: undefined ratios (e.g. win rate with no closed deal) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value




def _table(header: list[str], rows: list[list[str]]) -> str:
    """Columns aligned for a terminal; every cell is shown with its control characters
    escaped, so a scenario named with an ANSI escape or a line break cannot redraw the
    terminal or break the table.
    """
    header = [shown(c, None) for c in header]
    rows = [[shown(c, None) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(  # noqa: E731
        c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
    )
    return "\n".join([line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def _prepare_out(out: str | None) -> Path | None:
    if out is None:
        return None
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ScenarioError("--out", out, "is a file; give a folder to write results into")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError("--out", out, f"cannot create folder ({exc.strerror})") from None
    if not writable(path):
        raise ScenarioError("--out", out, "folder is not writable; choose another folder")
    return path


def _out_file(args: argparse.Namespace, suffixes: Sequence[str] = (),
              protected: Sequence[str | Path] = (), why: str | None = None,
              make_folder: bool = False) -> Path:
    """Check ``--out FILE`` before any work: a writable folder, and an existing file only
    replaced with ``--force`` (never one of ``protected``, the command's own inputs).
    """
    extra = {"protected_why": why} if why else {}
    return check_target(args.out, "--out", force=args.force, suffixes=suffixes,
                        protected=protected, make_folder=make_folder, **extra)


# ---------------------------------------------------------------------------------- commands
def cmd_run(args: argparse.Namespace) -> int:
    from sim.experiment import replicate, summarise
    from sim.scenario import dump_scenario

    scenario = _load(args.scenario, args.set, args.weeks, args.warmup)
    out = _prepare_out(args.out)  # after the scenario is known good: bad input creates no folder
    seed = scenario.seed if args.seed is None else args.seed
    with _executor(args, jobs=args.reps) as executor:
        table = replicate(scenario, args.reps, seed, executor, progress=not args.json)
    means, ci = summarise(table)
    payload = {
        "scenario": scenario.name, "seed": seed, "reps": args.reps, "weeks": scenario.weeks,
        "kpis": {k: means[k] for k in KPI_NAMES}, "ci95": None if ci is None else {
            k: ci[k] for k in KPI_NAMES},
    }
    payload = _clean(payload)
    if out is not None:
        write_atomic(out / "kpis.json", json.dumps(payload, indent=2) + "\n")
        write_atomic(out / "replications.csv", lambda p: table.to_csv(p))
        dump_scenario(scenario, out / "scenario.yaml",
                      header=f"Resolved scenario '{scenario.name}' as run (seed {seed}).")
    if args.json:
        print(json.dumps(payload))
        return 0
    print(f"scenario {shown(scenario.name, None)}  seed {seed}  reps {args.reps}  "
          f"weeks {scenario.weeks:g}")
    header = ["kpi", "mean"] + (["95% CI"] if ci else [])
    rows = []
    for k in KPI_NAMES:
        row = [k, plain_number(payload["kpis"][k])]
        if ci:
            low, high = payload["ci95"][k]
            row.append(f"[{plain_number(low)}, {plain_number(high)}]")
        rows.append(row)
    print(_table(header, rows))
    if ci:
        from sim.experiment import replications_needed

        needed = replications_needed(table["revenue"].to_numpy(), 0.05, relative=True)
        print(f"replications for a revenue interval of +/-5 % of the mean: about {needed}")
    if out is not None:
        print(f"results written to {out}/")
    return 0


_precision = _bounded(float, "a fraction such as 0.05", lambda v: math.isfinite(v) and 0 < v <= 1,
                      "above 0 and at most 1")
_max_reps = _bounded(int, "a whole number", lambda v: v >= 2, "at least 2 (an interval needs two)")
_claim_reps = _bounded(int, "a whole number", lambda v: 2 <= v <= 1000, "from 2 to 1000")
# the KPI whose paired differences decide how many replications compare runs
_SIZING_KPI = "revenue"


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.experiment import compare, compare_sized, excludes_zero, paired_precision

    scenarios = [_load(p, args.set, args.weeks, args.warmup) for p in args.scenarios]
    seed = scenarios[0].seed if args.seed is None else args.seed
    sized = args.reps is None
    jobs = (args.max_reps if sized else args.reps) * len(scenarios)
    with _executor(args, jobs=jobs) as executor:
        if sized:
            result = compare_sized(scenarios, seed, executor, progress=not args.json,
                                   kpi=_SIZING_KPI, precision=args.precision,
                                   max_reps=args.max_reps)
            comparison, precision = result.comparison, result.precision
        else:
            comparison = compare(scenarios, args.reps, seed, executor, progress=not args.json)
            precision = paired_precision(comparison, _SIZING_KPI, args.precision)
    reps = precision.reps
    first = comparison.names[0]
    warning = _precision_warning(precision, first, sized)
    payload = _clean({
        "scenarios": comparison.names,
        "reps": reps,
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
        sizing += f"  {_SIZING_KPI} differences {achieved} of {first} {_SIZING_KPI}"
    print(f"compare vs {shown(first, None)}  seed {seed}  reps {reps}{shown(sizing, None)}  "
          "(common random numbers, paired 95% CI)")
    header = ["kpi", first]
    for n in comparison.names[1:]:
        header += [n, f"diff vs {first}", "95% CI"]
    rows = []
    for k in args.kpis or KPI_NAMES:
        row = [k, plain_number(payload["kpis"][first][k])]
        for n in comparison.names[1:]:
            d = payload["diff_vs_first"][n][k]
            low, high = d["ci95"]
            mark = "*" if excludes_zero((low, high)) else " "
            row += [plain_number(payload["kpis"][n][k]), f"{plain_number(d['mean'])}{mark}",
                    f"[{plain_number(low)}, {plain_number(high)}]"]
        rows.append(row)
    print(_table(header, rows))
    if reps > 1:
        print("* the 95% interval of the paired difference excludes zero")
    if warning:
        print(f"warning: {shown(warning, None)}", file=sys.stderr)
    return 0


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


SWEEP_COLUMNS = ("revenue", "profit", "mql_to_sql", "leakage_rate", "trust_final")


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.experiment import ci95
    from sim.sweep import parse_grid, summarise_points, sweep

    scenario = _load(args.scenario, args.set, args.weeks, args.warmup)
    grid = parse_grid(args.grid, scenario)
    seed = scenario.seed if args.seed is None else args.seed
    points = math.prod(len(v) for v in grid.values())
    with _executor(args, jobs=points * args.reps) as executor:
        table = sweep(scenario, grid, args.reps, seed, executor, out=args.out,
                      resume=args.resume, progress=not args.json, warn=_warn)
    means = summarise_points(table, grid)
    if args.json:
        entries = []
        for _, row in means.iterrows():
            runs = table[table.point == row["point"]]
            entries.append({
                "point": int(row["point"]), "params": {k: _plain(row[k]) for k in grid},
                "kpis": {k: float(row[k]) for k in KPI_NAMES},
                "ci95": None if args.reps < 2 else {
                    k: list(ci95(runs[k].to_numpy())) for k in KPI_NAMES},
            })
        print(json.dumps(_clean({
            "scenario": scenario.name, "seed": seed, "reps": args.reps, "weeks": scenario.weeks,
            "grid": grid, "out": args.out, "runs": len(table), "points": entries})))
        return 0
    print(f"sweep {shown(scenario.name, None)}  seed {seed}  reps {args.reps}  {points} points, "
          f"{len(table)} runs (means per point)")
    header = ["point", *grid, *SWEEP_COLUMNS]
    rows = [[str(int(r["point"])), *(str(_plain(r[k])) for k in grid),
             *(plain_number(float(r[k])) for k in SWEEP_COLUMNS)] for _, r in means.iterrows()]
    print(_table(header, rows))
    print(f"every run, with all KPIs: {shown(args.out, None)}/results.csv and results.parquet")
    return 0


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {shown(message, None)}", file=sys.stderr)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.sweep import one_at_a_time, parse_levers

    scenario = _load(args.scenario, args.set, args.weeks, args.warmup)
    levers = parse_levers(args.lever, scenario)
    plot = _figure_target(args.plot)
    seed = scenario.seed if args.seed is None else args.seed
    with _executor(args, jobs=(2 * len(levers) + 1) * args.reps) as executor:
        table = one_at_a_time(scenario, levers, args.kpi, args.reps, seed, executor,
                              progress=not args.json)
    if plot is not None:
        from sim.views.plots import tornado

        fig = tornado(table, kpi=args.kpi)
        write_atomic(plot, lambda tmp: fig.savefig(tmp, format=plot.suffix[1:], dpi=120,
                                                   bbox_inches="tight"))
    if args.json:
        print(json.dumps(_clean({
            "scenario": scenario.name, "seed": seed, "reps": args.reps, "kpi": args.kpi,
            "levers": [{k: _plain(v) for k, v in row.items()}
                       for row in table.to_dict("records")]})))
        return 0
    print(f"one-at-a-time sensitivity of {args.kpi}  scenario {shown(scenario.name, None)}  "
          f"seed {seed}  "
          f"reps {args.reps}  (base {plain_number(float(table.kpi_base.iloc[0]))})")
    header = ["lever", "low", "high", f"{args.kpi} at low", f"{args.kpi} at high", "swing"]
    rows = [[r.parameter, str(_plain(r.low_value)), str(_plain(r.high_value)), plain_number(r.kpi_low),
             plain_number(r.kpi_high), plain_number(r.swing)] for r in table.itertuples()]
    print(_table(header, rows))
    return 0


def cmd_warmup(args: argparse.Namespace) -> int:
    from sim.warmup import suggest_warmup

    # Warm-up 0: every week from the empty start is needed, and a file's own warm-up might not
    # fit inside the --weeks asked for.
    scenario = _load(args.scenario, args.set, args.weeks, 0)
    seed = scenario.seed if args.seed is None else args.seed
    with _executor(args, jobs=args.reps) as executor:
        found = suggest_warmup(scenario, weeks=args.weeks, reps=args.reps, seed=seed,
                               executor=executor, progress=not args.json)
    if args.json:
        print(json.dumps(found.to_dict()))
        return 0
    print(f"warm-up of {shown(found.scenario, None)}  seed {seed}  reps {found.reps}  "
          f"weeks {found.weeks}  (MSER-{found.batch} on the average of the replications)")
    rows = [[name + (" *" if name in found.too_short else ""), str(week)]
            for name, week in found.truncation_weeks.items()]
    print(_table(["series", "truncation week"], rows))
    print(f"recommended warm-up: {found.recommended_warmup_weeks} weeks "
          f"(--warmup {found.recommended_warmup_weeks}, or warmup_weeks in the scenario)")
    if found.run_too_short:
        print(f"* still settling in the second half of the run: the warm-up may be longer; "
              f"try more --weeks than {found.weeks}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    import shlex

    from sim.views.report import write_report

    scenarios = [_load(p, args.set, args.weeks, args.warmup) for p in args.scenarios]
    _out_file(args, protected=[resolve_scenario_path(p) for p in args.scenarios])
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


def _figure_target(target: str | None) -> Path | None:
    """Check a --plot file name before any run: a .png, .svg or .pdf in an existing folder."""
    if target is None:
        return None
    path = Path(target)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ScenarioError("--plot", target, "must end in .png, .svg or .pdf")
    check_folder(path, "--plot")  # a read-only folder is found before the runs, not after
    return path


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.calibrate import calibrate, parse_column_map
    from sim.fit import fit_table

    _out_file(args, suffixes=(".yaml", ".yml"), protected=[args.csv])
    if args.report is not None:
        check_target(args.report, "--report", force=args.force, suffixes=(".html", ".htm"),
                     protected=[args.csv, args.out])
    export = _read_export(args)  # every problem of the file at once, before any work
    if not args.json:
        for note in export.notes:
            print(f"note: {shown(note, None)}")
    with _executor(args, jobs=args.reps) as executor:
        cal = calibrate(args.csv, args.out, parse_column_map(args.map), args.name,
                        data=export, fit_reps=args.reps, seed=args.seed, executor=executor,
                        report=args.report, holdout_weeks=args.holdout_weeks, force=args.force,
                        progress=None if args.json else _stderr_line)
    rows = {k: {"label": r.label, "observed": r.observed, "ci95": [r.low, r.high], "n": r.n,
                "simulated": r.simulated, "simulated_ci95": [r.sim_low, r.sim_high],
                "verdict": r.verdict} for k, r in cal.rows.items()}
    if args.json:
        print(json.dumps(_clean({
            "scenario": str(args.out), "weeks": cal.weeks, "reps": args.reps,
            "estimates": {e.key: {"value": e.value, "n": e.n} for e in cal.estimates},
            "fitted": cal.fit.values if cal.fit else {},
            "observed": {k: {"value": v, "n": n} for k, (v, n) in cal.observed.items()},
            "fit": rows, "holdout": {k: {"observed": r.observed, "ci95": [r.low, r.high],
                                         "simulated": r.simulated, "verdict": r.verdict}
                                     for k, r in (cal.holdout or {}).items()},
            "defaults": cal.defaults, "warnings": cal.warnings,
            "report": str(args.report) if args.report else None})))
        return 0
    print(f"calibrated from {shown(args.csv, None)}: {cal.weeks:.1f} weeks")
    print(_table(["estimate", "value", "n"], [[e.key, str(e.value), str(e.n)]
                                               for e in cal.estimates]))
    header = ["figure", "observed [95 %]", "n", "simulated [95 %]", "verdict"]
    if cal.fit is not None:
        print(f"\nfitted by simulation ({args.reps} replications, common random numbers, "
              f"{cal.fit.seconds:.0f} s):")
        print(_table(["parameter", "value"], [[k, str(v)] for k, v in cal.fit.values.items()]))
        print("\nobserved vs simulated (95 % intervals):")
        print(_table(header, fit_table(cal.rows)))
    if cal.holdout is not None:
        print(f"\nholdout: the last {cal.holdout_weeks} weeks, predicted from the earlier ones:")
        print(_table(header, fit_table(cal.holdout)))
    for note in cal.notes():
        if note not in export.notes:  # the export's notes were printed before the estimate
            print(f"note: {note}")
    print(f"scenario written to {shown(args.out, None)}")
    if args.report is not None:
        print(f"report written to {shown(args.report, None)}")
    return 0


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


def _stderr_line(text: str) -> None:
    sys.stderr.write(text + "\n")


def _plain(value: Any) -> Any:
    """Numpy scalars to plain Python for JSON and tables."""
    return value.item() if hasattr(value, "item") else value


class _executor:
    """The executor the flags ask for, closed afterwards (``with _executor(args) as ex``)."""

    def __init__(self, args: argparse.Namespace, jobs: int | None):
        from sim.parallel import make_executor

        self._ex = make_executor(getattr(args, "workers", None), getattr(args, "scheduler", None),
                                 jobs)

    def __enter__(self):
        return self._ex

    def __exit__(self, *exc: object) -> None:
        self._ex.close()


def cmd_claims(args: argparse.Namespace) -> int:
    from sim.claims import check, claimed_files, summary, unsaid

    paths = ([resolve_scenario_path(p) for p in args.scenarios] if args.scenarios
             else claimed_files(resolve_scenario_path("baseline").parent))
    for path in paths:
        missing = unsaid(path)
        if missing:
            raise ScenarioError(str(path), "claims", f"'{shown(missing[0])}' is not said in the "
                                "file's opening comment; say it there or change the claim")
    with _executor(args, jobs=2 * args.pilot * len(paths)) as executor:
        results = check(paths, executor, pilot=args.pilot, max_reps=args.max_reps, seed=args.seed)
    counts = summary(results)
    if args.json:
        print(json.dumps(_clean({"claims": [_claim_row(r) for r in results], "summary": counts})))
    else:
        rows = [[shown(r.scenario, 30), shown(r.claim.says, 50), r.claim.kpi, _claim_test(r),
                 _claim_number(r, r.estimate),
                 f"[{_claim_number(r, r.low)}, {_claim_number(r, r.high)}]", str(r.reps),
                 r.verdict] for r in results]
        print(_table(["scenario", "claim", "kpi", "test", "estimate", "95% CI", "reps",
                      "verdict"], rows))
        print(f"{counts['holds']} hold, {counts['fails']} fail, {counts['undecided']} undecided "
              f"(paired replications on common random numbers, {args.pilot} to "
              f"{args.max_reps}; differences as a share of the other scenario's mean)")
    return 0 if counts["holds"] == len(results) else 1


def _claim_test(r: Any) -> str:
    c = r.claim
    test = (c.change if c.change != "even" else f"even ±{100 * c.margin:g} %") if c.change else (
        f"band [{100 * c.band[0]:+g} %, {100 * c.band[1]:+g} %]" if c.band
        else f"value [{c.value[0]:g}, {c.value[1]:g}]")
    where = f" vs {c.against}" if c.value is None else ""
    return shown(test + where + (f" with {r.conditions}" if c.set else ""), 80)


def _claim_number(r: Any, x: float) -> str:
    if r.claim.value is not None:
        return plain_number(x)
    return f"{100 * x:+.1f} %" if math.isfinite(x) else "-"


def _claim_row(r: Any) -> dict[str, Any]:
    return {"scenario": r.scenario, **r.claim.model_dump(), "estimate": r.estimate,
            "ci95": [r.low, r.high], "reps": r.reps, "verdict": r.verdict}


def cmd_robustness(args: argparse.Namespace) -> int:
    from sim import robustness as rb
    from sim.claims import claimed_files

    paths = ([resolve_scenario_path(p) for p in args.scenarios] if args.scenarios
             else claimed_files(resolve_scenario_path("baseline").parent))
    design = rb.Design(trajectories=args.trajectories, samples=args.samples, top=args.top,
                       reps=args.reps)
    design.check(len(rb.factor_groups()))  # before any scenario is read or worker started
    figure = _figure_target(args.plot)
    page = None if args.markdown is None else check_target(
        args.markdown, "--markdown", force=args.force, suffixes=(".md",),
        protected=paths)
    with _executor(args, jobs=None) as executor:  # thousands of jobs: every worker
        result = rb.run(paths, executor, design, seed=args.seed, out=args.out,
                        resume=args.resume, progress=not args.json, warn=_warn)
    if figure is not None:
        fig = rb.plot(result)
        write_atomic(figure, lambda tmp: fig.savefig(tmp, format=figure.suffix[1:], dpi=110,
                                                     bbox_inches="tight"))
    if page is not None:
        write_atomic(page, rb.markdown(result, rb.command_line(args.argv)))
    if args.json:
        print(json.dumps(_clean(result.to_dict())))
        return 0
    rows = [[shown(rb.claim_title(c, 60), None), c.claim.kpi, f"{100 * c.share:.0f} %",
             shown(c.label, None), rb.indices_text(c, most=2)] for c in result.claims]
    print(_table(["claim", "kpi", "holds on", "label", "ST (top groups)"], rows))
    counts = result.summary()
    screening, second = design.points(len(result.groups))
    print(f"{counts['robust']} robust, {counts['depends']} depend on the assumptions  (seed "
          f"{result.seed}, {design.reps} replication(s) per point on common random numbers; "
          f"Morris {screening} points over {len(result.groups)} groups, then Saltelli "
          f"{second} points over {', '.join(result.chosen)}; {result.runs} runs)")
    for done, what in ((figure, "chart"), (page, "page")):
        if done is not None:
            print(f"{what} written to {shown(str(done), None)}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
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


GAME_ACTIONS = ("new", "status", "links", "serve", "open", "lock", "process", "undo", "reopen",
                "leaderboard", "export")


def _print_standings(game: Any) -> None:
    """The leaderboard with its luck columns, and the ties in words a trainer can read out."""
    from sim.game import luck_sentences

    board = game.leaderboard()
    if board.empty:
        print("no scored round processed yet")
        return
    index = game.last_complete_round()
    replays = int(board["replications"].iloc[0])
    print(f"leaderboard after round {index} ({game.round(index).name}), by {game.rank_by} to "
          f"date" + (f"; luck band and P(first) over {replays} replications on the same random "
                     "numbers" if replays >= 2 else ""))

    def share(v: float) -> str:
        return "-" if math.isnan(v) else f"{100 * v:.0f}%"

    def band(r: dict[str, Any]) -> str:
        low, high = r["vs_reference_low"], r["vs_reference_high"]
        return "-" if math.isnan(low) or math.isnan(high) else f"{share(low)}-{share(high)}"

    print(_table(["rank", "team", f"{game.rank_by} to date", "vs ref", "luck band vs ref",
                  "P(first)", "auto-submitted"],
                 [[r["place"], r["team"], plain_number(r[f"{game.rank_by}_to_date"]),
                   share(r["vs_reference"]), band(r), share(r["p_first"]),
                   str(r["auto_submitted"])] for r in board.to_dict("records")]))
    for line in luck_sentences(board):
        print(line)


def cmd_game(args: argparse.Namespace) -> int:
    """The workshop game from a terminal: the same actions as the facilitator screen."""
    from sim.game import Game, GameError

    if args.action == "new":
        if not args.teams:
            raise GameError("--teams", None, "give the team names, e.g. --teams red,blue,green")
        check_can_create(args.folder, "game new")
        game = Game.create(args.folder, [t for t in args.teams.split(",") if t.strip()],
                           scenario=args.scenario, seed=args.seed, practice=not args.no_practice,
                           rank_by=args.rank_by, luck_reps=args.luck_reps)
        print(f"game '{shown(game.name, None)}' created in {shown(args.folder, None)}: "
              f"{len(game.teams)} teams, "
              f"{len(game.rounds)} rounds")
        return 0
    game = Game(args.folder)
    if args.action == "serve":
        return _serve_game(args, game)
    if args.action == "links":
        print(_table(["team", "role", "code", "link"],
                     [list(map(str, r)) for r in game.links(args.url).itertuples(index=False)]))
        print(f"facilitator console (this machine only): "
              f"{game.console_link(f'http://127.0.0.1:{args.console_port}')}")
    elif args.action == "status":
        index = game.current_round()
        if index is None:
            print("no round opened yet")
            return 0
        print(f"round {index} ({game.round(index).name}): {game.state(index).status}")
        print(_table(["team", "marketing", "sales"],
                     [list(map(str, r)) for r in game.status(index).itertuples(index=False)]))
        for problem in game.envelopes(index).problems:
            print(f"skipped: {problem}")
        if game.last_complete_round() is not None:
            print()
            _print_standings(game)
    elif args.action == "leaderboard":
        _print_standings(game)
    elif args.action == "open":
        index = game.open_round(minutes=args.minutes)
        print(f"round {index} ({game.round(index).name}) is open")
    elif args.action == "lock":
        index = game.lock_round(force=args.force)
        print(f"round {index} ({game.round(index).name}) is locked")
    elif args.action in ("undo", "reopen"):
        _undo_or_reopen(args, game)
    elif args.action == "process":
        from sim.parallel import make_executor

        index = game.current_round()
        executor = make_executor(args.workers) if args.workers is not None else None
        try:
            table = game.process_round(index, executor=executor)
        finally:
            if executor is not None:
                executor.close()
        for problem in game.problems(index):
            print(f"skipped: {problem}")
        print(_table(["team", "revenue", "revenue to date", "auto-submitted"],
                     [[r["team"], plain_number(r["revenue"]), plain_number(r["revenue_to_date"]),
                       ",".join(role for role in ("marketing", "sales") if r[f"auto_{role}"])
                       or "-"] for r in table.to_dict("records")]))
    elif args.action == "export":
        if not args.out:
            raise GameError("--out", None, "give the CSV file to write, e.g. --out results.csv")
        # the game's files are its state: an export must never replace one of them
        own = [p for p in Path(args.folder).rglob("*") if p.is_file()]
        _out_file(args, protected=own, why="is one of the game's own files", make_folder=True)
        print(f"written {shown(game.export_csv(args.out), None)}")
    return 0


def _serve_game(args: argparse.Namespace, game: Any) -> int:
    """``game serve``: the room door and the console door from one process (Ctrl+C stops)."""
    from sim.game import GameError
    from sim.game.server import serve

    room = args.url or f"http://{'localhost' if args.host in ('127.0.0.1', '::1') else args.host}" \
        f":{args.port}"
    if args.port == args.console_port:
        raise GameError("--console-port", None, f"must differ from --port ({args.port})")
    print(f"room: players open their links or type their code at {room}/")
    print(f"facilitator console (this machine only): "
          f"{game.console_link(f'http://127.0.0.1:{args.console_port}')}")
    print("Ctrl+C stops the server; the game folder keeps everything.", flush=True)
    try:
        serve(args.folder, host=args.host, port=args.port, console_port=args.console_port,
              room_url=room)
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise GameError(f"--port {args.port} / --console-port {args.console_port}", None,
                        f"cannot listen there ({exc.strerror or exc})") from None
    return 0


def _undo_or_reopen(args: argparse.Namespace, game: Any) -> None:
    """``game undo``: the last processed round back to locked, its results set aside;
    ``game reopen``: a locked round open again (``--minutes`` for a new countdown).
    """
    from datetime import UTC

    if args.action == "undo":
        index = game.undo_round()
        kept = game.undone(index)[-1].relative_to(game.folder)
        print(f"round {index} ({game.round(index).name}) is locked again; its results are kept "
              f"in {shown(kept, None)}")
        return
    index = game.reopen_round(minutes=args.minutes)
    closes = game.state(index).closes_at
    until = f" until {closes.astimezone(UTC):%H:%M} UTC" if closes is not None else ""
    print(f"round {index} ({game.round(index).name}) is open again{until}")


# ---------------------------------------------------------------------------------- parser
def _add_output_and_workers(p: argparse.ArgumentParser) -> None:
    """``--json``, and where the replications run: ``--workers`` or ``--scheduler``."""
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on a Dask cluster: tcp://host:8786, or 'local' for a LocalCluster")


def _add_common(p: argparse.ArgumentParser, reps_default: int = 1) -> None:
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override any scenario key, e.g. --set sales.reps=8 (repeatable)")
    p.add_argument("--seed", type=_seed, default=None, help="master seed (default: scenario's)")
    p.add_argument("--reps", type=_positive_int, default=reps_default,
                   help=f"replications (default {reps_default})")
    p.add_argument("--weeks", type=_weeks, default=None, help="simulated weeks")
    p.add_argument("--warmup", type=_warmup, default=None, metavar="WEEKS",
                   help="whole weeks simulated before the measured --weeks and left out of "
                   "every KPI (presets: 13)")
    _add_output_and_workers(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="LeadFlow Lab: simulate marketing-to-sales lead flow.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("run", help="simulate one scenario")
    p.add_argument("scenario", help="scenario file, or a preset name such as baseline")
    _add_common(p)
    p.add_argument("--out", metavar="DIR", help="also write kpis.json, replications.csv and the "
                   "resolved scenario to DIR")
    p.set_defaults(func=cmd_run)

    # conflict_handler="resolve" lets compare's own --reps (no fixed default) replace the common one
    p = sub.add_parser("compare", help="compare scenarios with common random numbers",
                       conflict_handler="resolve")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    _add_common(p)
    p.add_argument("--reps", type=_positive_int, default=None, metavar="N",
                   help="run exactly N replications (default: as many as --precision needs, "
                   "up to --max-reps)")
    p.add_argument("--precision", type=_precision, default=0.05, metavar="FRACTION",
                   help="add replications until every revenue difference's 95%% interval is "
                   "within this share of the first scenario's revenue (default 0.05)")
    p.add_argument("--max-reps", type=_max_reps, default=100, metavar="N",
                   help="most replications to run when sizing them (default 100)")
    p.add_argument("--kpi", dest="kpis", action="append", choices=KPI_NAMES, metavar="NAME",
                   help="show only these KPIs in the table (repeatable)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("sweep", help="run a full-factorial grid of lever values")
    p.add_argument("scenario", help="base scenario file, or a preset name")
    p.add_argument("--grid", action="append", default=[], metavar="PATH=v1,v2,...",
                   required=True, help="lever values to combine (repeatable)")
    _add_common(p, reps_default=5)
    p.add_argument("--out", metavar="DIR", required=True,
                   help="folder for every finished run (Parquet) and results.csv")
    p.add_argument("--resume", action="store_true",
                   help="continue a sweep in --out, skipping the runs already there (each is "
                   "checked against the sweep first)")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("sensitivity", help="one-at-a-time sensitivity of a KPI (tornado data)")
    p.add_argument("scenario", help="base scenario file, or a preset name")
    p.add_argument("--lever", action="append", default=[], metavar="PATH=low,high",
                   help="a lever and its low and high values (repeatable; default: a standard "
                   "set of levers)")
    p.add_argument("--kpi", default="revenue", choices=KPI_NAMES, metavar="NAME",
                   help="the KPI to rank levers by (default revenue)")
    p.add_argument("--plot", metavar="FILE.png", help="also save the tornado chart")
    _add_common(p, reps_default=5)
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("warmup", help="estimate the warm-up period (MSER-5 on replication "
                       "averages)")
    p.add_argument("scenario", help="scenario file, or a preset name such as baseline")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override any scenario key, e.g. --set sales.reps=8 (repeatable)")
    p.add_argument("--seed", type=_seed, default=None, help="master seed (default: scenario's)")
    p.add_argument("--reps", type=_positive_int, default=10, help="replications (default 10)")
    # MSER-5 needs six batches of five weeks (sim.warmup.min_observations).
    p.add_argument("--weeks", type=_bounded(int, "a whole number of weeks",
                                            lambda v: 30 <= v <= 5200, "from 30 to 5200"),
                   default=260, help="simulated weeks from the empty start (default 260)")
    _add_output_and_workers(p)
    p.set_defaults(func=cmd_warmup)

    p = sub.add_parser("report", help="write a one-page HTML report to forward")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario files or preset names; the first is the reference")
    p.add_argument("--out", metavar="FILE.html", required=True, help="the HTML file to write")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.add_argument("--seed", type=_seed, default=None)
    p.add_argument("--reps", type=_positive_int, default=10, help="replications (default 10)")
    p.add_argument("--weeks", type=_weeks, default=None)
    p.add_argument("--warmup", type=_warmup, default=None, metavar="WEEKS")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("calibrate", help="estimate a scenario from a CRM export (CSV)")
    p.add_argument("csv", metavar="CRM.csv", help="lead-level export; see sim/calibrate.py")
    p.add_argument("--out", metavar="FILE.yaml", required=True, help="scenario file to write")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.add_argument("--map", action="append", default=[], metavar="CSV_COLUMN=column",
                   help="map a column name of the export to a documented one (repeatable)")
    p.add_argument("--name", default=None, help="scenario name (default: the file's name)")
    p.add_argument("--crm", choices=("salesforce", "hubspot", "pipedrive", "zoho"), default=None,
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
    p.add_argument("--reps", type=_positive_int, default=20,
                   help="replications the fit simulates, on common random numbers (default 20)")
    p.add_argument("--seed", type=_seed, default=None)
    p.add_argument("--report", metavar="FILE.html", default=None,
                   help="write the fit as a self-contained HTML page with plots")
    p.add_argument("--holdout-weeks", type=_positive_int, default=None, metavar="N",
                   help="fit on the earlier weeks and show how well it predicts the last N")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes for the fit (default: one per core)")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("game", help="run the workshop game: new, status, links, open, lock, "
                       "process, undo, reopen, export")
    p.add_argument("action", choices=GAME_ACTIONS, metavar="ACTION",
                   help=", ".join(GAME_ACTIONS))
    p.add_argument("folder", metavar="FOLDER", help="the game folder (a shared drive works)")
    p.add_argument("--teams", help="new: comma-separated team names, e.g. red,blue,green")
    p.add_argument("--scenario", default="workshop_game",
                   help="new: the company every team inherits (default workshop_game)")
    p.add_argument("--seed", type=_seed, default=None, help="new: the game's seed")
    p.add_argument("--no-practice", action="store_true", help="new: no practice round")
    p.add_argument("--rank-by", choices=("revenue", "profit"), default="revenue",
                   help="new: what the leaderboard ranks by (default revenue)")
    p.add_argument("--luck-reps", type=_bounded(int, "a whole number", lambda v: 0 <= v <= 50,
                                                "from 0 to 50"),
                   default=None, help="new: replays of each scored round with other luck, to "
                   "show how much of each gap is chance (default: as many as keep processing "
                   "within about 15 s on two cores, 2 to 9; 0 = none)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="process: worker processes (default: one per core)")
    p.add_argument("--minutes", type=_bounded(float, "minutes", lambda v: 0 < v <= 1440,
                                              "above 0 and at most 1440"),
                   default=None, help="open, reopen: countdown before the round locks itself")
    p.add_argument("--url", default=None,
                   help="links, serve: the room's address as players reach it (default "
                   "$LEADFLOW_GAME_URL or http://localhost:8866)")
    p.add_argument("--host", default="127.0.0.1",
                   help="serve: the address the room door listens on (0.0.0.0 for a room's "
                   "network; default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=_port, default=8866, help="serve: the room door's port "
                   "(default 8866)")
    p.add_argument("--console-port", type=_port, default=8867,
                   help="serve, links: the console door's port on 127.0.0.1 (default 8867)")
    p.add_argument("--out", metavar="FILE.csv", help="export: the CSV file to write")
    p.add_argument("--force", action="store_true",
                   help="lock: end a running countdown early; export: replace --out if it "
                   "exists (never one of the game's files)")
    p.set_defaults(func=cmd_game)

    p = sub.add_parser("claims", help="check what scenario headers claim, with paired "
                       "replications until each interval decides")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                   help="scenario files or preset names (default: every preset with claims)")
    p.add_argument("--seed", type=_seed, default=None, help="master seed (default: scenario's)")
    p.add_argument("--pilot", type=_claim_reps, default=8,
                   help="replications before the first look (default 8)")
    p.add_argument("--max-reps", type=_claim_reps, default=64,
                   help="cap on replications per comparison (default 64)")
    _add_output_and_workers(p)
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("robustness", help="how much of the assumption space each claim holds "
                       "on, and which assumptions it depends on (Morris, then Sobol)")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                   help="scenario files or preset names (default: every preset with claims)")
    p.add_argument("--seed", type=_seed, default=None,
                   help="seed of the samplers and the runs (default: the first scenario's)")
    p.add_argument("--reps", type=_positive_int, default=1,
                   help="replications of every scenario at every point (default 1)")
    p.add_argument("--trajectories", type=_bounded(int, "a whole number", lambda v: v >= 2,
                                                   "at least 2"),
                   default=3, help="Morris screening trajectories (default 3)")
    p.add_argument("--samples", type=_bounded(int, "a whole number",
                                              lambda v: v >= 2 and v & (v - 1) == 0,
                                              "a power of two, at least 2 (2, 4, 8, 16, ...)"),
                   default=8, help="Saltelli base points, a power of two (default 8)")
    p.add_argument("--top", type=_positive_int, default=3,
                   help="assumption groups kept after screening (default 3)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="folder keeping every finished run, so a stopped run can --resume")
    p.add_argument("--resume", action="store_true",
                   help="continue the robustness run in --out, skipping the runs already there")
    p.add_argument("--plot", metavar="FILE.png", help="also save the chart")
    p.add_argument("--markdown", metavar="FILE.md",
                   help="also write the result as a page (e.g. docs/robustness.md)")
    p.add_argument("--force", action="store_true", help="replace --markdown if it exists")
    _add_output_and_workers(p)
    p.set_defaults(func=cmd_robustness)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.set_defaults(func=cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv[1:]
    if args.command == "compare" and len(args.scenarios) < 2:
        parser.error("compare needs at least two scenarios")
    if args.command == "claims" and args.max_reps < args.pilot:
        parser.error("argument --max-reps: must be at least --pilot")
    if args.command == "robustness" and args.resume and args.out is None:
        parser.error("argument --resume: needs --out, the folder of the run to continue")
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return 0
        # a full disk or a drive gone read-only mid-way: the writers left the old files as
        # they were, so it is said in one line like any other input the command cannot use
        where = shown(exc.filename, None) if exc.filename else "a file"
        print(f"{PROG}: error: {where}: {exc.strerror or type(exc).__name__}; no file was "
              "left half-written (free some space, or choose a writable folder)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
