"""The commands that explore a scenario's space: ``sweep``, ``sensitivity``, ``warmup``,
``claims`` and ``robustness``.

Where ``run`` and ``compare`` answer "what happens here?", these answer "what happens around
here?": a grid of lever values, one lever at a time, how long the empty start takes to settle,
whether the claims written in the scenario files hold, and on how much of the assumption space
they hold. Each has its ``add_*`` parser builder and its ``cmd_*`` function.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from sim.cli.shared import (
    FlagExecutor,
    add_common,
    add_output_and_workers,
    bounded,
    clean,
    figure_target,
    load,
    plain,
    plain_number,
    positive_int,
    resolve_scenario_path,
    seed_number,
    text_table,
    warn,
)
from sim.errors import ScenarioError
from sim.files import check_target, write_atomic
from sim.kpis import KPI_NAMES
from sim.yamlio import shown

SWEEP_COLUMNS = ("revenue", "profit", "mql_to_sql", "leakage_rate", "trust_final")
claim_reps_number = bounded(int, "a whole number", lambda v: 2 <= v <= 1000, "from 2 to 1000")


# ---------------------------------------------------------------------------------- sweep
def add_sweep(sub: Any) -> None:
    """The ``sweep`` command's parser."""
    p = sub.add_parser("sweep", help="run a full-factorial grid of lever values")
    p.add_argument("scenario", help="base scenario file, or a preset name")
    p.add_argument("--grid", action="append", default=[], metavar="PATH=v1,v2,...",
                   required=True, help="lever values to combine (repeatable)")
    add_common(p, reps_default=5)
    p.add_argument("--out", metavar="DIR", required=True,
                   help="folder for every finished run (Parquet) and results.csv")
    p.add_argument("--resume", action="store_true",
                   help="continue a sweep in --out, skipping the runs already there (each is "
                   "checked against the sweep first)")
    p.set_defaults(func=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``sweep``: every combination of the ``--grid`` values, each point's KPI means."""
    from sim.sweep import parse_grid, summarise_points, sweep

    scenario = load(args.scenario, args.set, args.weeks, args.warmup)
    grid = parse_grid(args.grid, scenario)
    seed = scenario.seed if args.seed is None else args.seed
    points = math.prod(len(v) for v in grid.values())
    with FlagExecutor(args, jobs=points * args.reps) as executor:
        runs = sweep(scenario, grid, args.reps, seed, executor, out=args.out,
                     resume=args.resume, progress=not args.json, warn=warn)
    means = summarise_points(runs, grid)
    if args.json:
        print(json.dumps(clean({
            "scenario": scenario.name, "seed": seed, "reps": args.reps, "weeks": scenario.weeks,
            "grid": grid, "out": args.out, "runs": len(runs),
            "points": _sweep_points(means, runs, grid, args.reps)})))
        return 0
    print(f"sweep {shown(scenario.name, None)}  seed {seed}  reps {args.reps}  {points} points, "
          f"{len(runs)} runs (means per point)")
    header = ["point", *grid, *SWEEP_COLUMNS]
    rows = [[str(int(r["point"])), *(str(plain(r[k])) for k in grid),
             *(plain_number(float(r[k])) for k in SWEEP_COLUMNS)] for _, r in means.iterrows()]
    print(text_table(header, rows))
    print(f"every run, with all KPIs: {shown(args.out, None)}/results.csv and results.parquet")
    return 0


def _sweep_points(means: Any, runs: Any, grid: dict[str, Any], reps: int) -> list[dict]:
    """Each point of a sweep for ``--json``: its lever values, KPI means and 95 % intervals."""
    from sim.experiment import ci95

    entries = []
    for _, row in means.iterrows():
        point = runs[runs.point == row["point"]]
        entries.append({
            "point": int(row["point"]), "params": {k: plain(row[k]) for k in grid},
            "kpis": {k: float(row[k]) for k in KPI_NAMES},
            "ci95": None if reps < 2 else {
                k: list(ci95(point[k].to_numpy())) for k in KPI_NAMES},
        })
    return entries


# ---------------------------------------------------------------------------------- sensitivity
def add_sensitivity(sub: Any) -> None:
    """The ``sensitivity`` command's parser."""
    p = sub.add_parser("sensitivity", help="one-at-a-time sensitivity of a KPI (tornado data)")
    p.add_argument("scenario", help="base scenario file, or a preset name")
    p.add_argument("--lever", action="append", default=[], metavar="PATH=low,high",
                   help="a lever and its low and high values (repeatable; default: a standard "
                   "set of levers)")
    p.add_argument("--kpi", default="revenue", choices=KPI_NAMES, metavar="NAME",
                   help="the KPI to rank levers by (default revenue)")
    p.add_argument("--plot", metavar="FILE.png", help="also save the tornado chart")
    add_common(p, reps_default=5)
    p.set_defaults(func=cmd_sensitivity)


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``sensitivity``: each lever at its low and high value, the others at the base; the
    levers ranked by the swing of one KPI (and the tornado chart with ``--plot``).
    """
    from sim.sweep import one_at_a_time, parse_levers

    scenario = load(args.scenario, args.set, args.weeks, args.warmup)
    levers = parse_levers(args.lever, scenario)
    plot = figure_target(args.plot)
    seed = scenario.seed if args.seed is None else args.seed
    with FlagExecutor(args, jobs=(2 * len(levers) + 1) * args.reps) as executor:
        swings = one_at_a_time(scenario, levers, args.kpi, args.reps, seed, executor,
                               progress=not args.json)
    if plot is not None:
        from sim.views.sweep_plots import tornado

        fig = tornado(swings, kpi=args.kpi)
        write_atomic(plot, lambda tmp: fig.savefig(tmp, format=plot.suffix[1:], dpi=120,
                                                   bbox_inches="tight"))
    if args.json:
        print(json.dumps(clean({
            "scenario": scenario.name, "seed": seed, "reps": args.reps, "kpi": args.kpi,
            "levers": [{k: plain(v) for k, v in row.items()}
                       for row in swings.to_dict("records")]})))
        return 0
    print(f"one-at-a-time sensitivity of {args.kpi}  scenario {shown(scenario.name, None)}  "
          f"seed {seed}  "
          f"reps {args.reps}  (base {plain_number(float(swings.kpi_base.iloc[0]))})")
    header = ["lever", "low", "high", f"{args.kpi} at low", f"{args.kpi} at high", "swing"]
    rows = [[r.parameter, str(plain(r.low_value)), str(plain(r.high_value)),
             plain_number(r.kpi_low), plain_number(r.kpi_high), plain_number(r.swing)]
            for r in swings.itertuples()]
    print(text_table(header, rows))
    return 0


# ---------------------------------------------------------------------------------- warmup
def add_warmup(sub: Any) -> None:
    """The ``warmup`` command's parser."""
    p = sub.add_parser("warmup", help="estimate the warm-up period (MSER-5 on replication "
                       "averages)")
    p.add_argument("scenario", help="scenario file, or a preset name such as baseline")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override any scenario key, e.g. --set sales.reps=8 (repeatable)")
    p.add_argument("--seed", type=seed_number, default=None,
                   help="master seed (default: scenario's)")
    p.add_argument("--reps", type=positive_int, default=10, help="replications (default 10)")
    # MSER-5 needs six batches of five weeks (sim.warmup.min_observations).
    p.add_argument("--weeks", type=bounded(int, "a whole number of weeks",
                                           lambda v: 30 <= v <= 5200, "from 30 to 5200"),
                   default=260, help="simulated weeks from the empty start (default 260)")
    add_output_and_workers(p)
    p.set_defaults(func=cmd_warmup)


def cmd_warmup(args: argparse.Namespace) -> int:
    """``warmup``: the weeks to leave out before the KPIs settle (MSER-5)."""
    from sim.warmup import suggest_warmup

    # Warm-up 0: every week from the empty start is needed, and a file's own warm-up might not
    # fit inside the --weeks asked for.
    scenario = load(args.scenario, args.set, args.weeks, 0)
    seed = scenario.seed if args.seed is None else args.seed
    with FlagExecutor(args, jobs=args.reps) as executor:
        found = suggest_warmup(scenario, weeks=args.weeks, reps=args.reps, seed=seed,
                               executor=executor, progress=not args.json)
    if args.json:
        print(json.dumps(found.to_dict()))
        return 0
    print(f"warm-up of {shown(found.scenario, None)}  seed {seed}  reps {found.reps}  "
          f"weeks {found.weeks}  (MSER-{found.batch} on the average of the replications)")
    rows = [[name + (" *" if name in found.too_short else ""), str(week)]
            for name, week in found.truncation_weeks.items()]
    print(text_table(["series", "truncation week"], rows))
    print(f"recommended warm-up: {found.recommended_warmup_weeks} weeks "
          f"(--warmup {found.recommended_warmup_weeks}, or warmup_weeks in the scenario)")
    if found.run_too_short:
        print(f"* still settling in the second half of the run: the warm-up may be longer; "
              f"try more --weeks than {found.weeks}")
    return 0


# ---------------------------------------------------------------------------------- claims
def _add_claimed_scenarios(p: Any, seed_help: str) -> None:
    """The scenarios whose header claims are checked (every preset with claims by default), and
    the seed: what the ``claims`` and ``robustness`` commands both take.
    """
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                   help="scenario files or preset names (default: every preset with claims)")
    p.add_argument("--seed", type=seed_number, default=None, help=seed_help)


def add_claims(sub: Any) -> None:
    """The ``claims`` command's parser."""
    p = sub.add_parser("claims", help="check what scenario headers claim, with paired "
                       "replications until each interval decides")
    _add_claimed_scenarios(p, seed_help="master seed (default: scenario's)")
    p.add_argument("--pilot", type=claim_reps_number, default=8,
                   help="replications before the first look (default 8)")
    p.add_argument("--max-reps", type=claim_reps_number, default=64,
                   help="cap on replications per comparison (default 64)")
    add_output_and_workers(p)
    p.set_defaults(func=cmd_claims)


def _claimed_paths(scenarios: list[str]) -> list[Any]:
    """The scenario files named, or every preset with claims when none is."""
    from sim.claims import claimed_files

    return ([resolve_scenario_path(p) for p in scenarios] if scenarios
            else claimed_files(resolve_scenario_path("baseline").parent))


def cmd_claims(args: argparse.Namespace) -> int:
    """``claims``: check each claim of the scenario headers (exit 1 unless every one holds)."""
    from sim.claims import check, summary, unsaid

    paths = _claimed_paths(args.scenarios)
    for path in paths:
        missing = unsaid(path)
        if missing:
            raise ScenarioError(str(path), "claims", f"'{shown(missing[0])}' is not said in the "
                                "file's opening comment; say it there or change the claim")
    with FlagExecutor(args, jobs=2 * args.pilot * len(paths)) as executor:
        results = check(paths, executor, pilot=args.pilot, max_reps=args.max_reps, seed=args.seed)
    counts = summary(results)
    if args.json:
        print(json.dumps(clean({"claims": [_claim_row(r) for r in results], "summary": counts})))
    else:
        rows = [[shown(r.scenario, 30), shown(r.claim.says, 50), r.claim.kpi, _claim_test(r),
                 _claim_number(r, r.estimate),
                 f"[{_claim_number(r, r.low)}, {_claim_number(r, r.high)}]", str(r.reps),
                 r.verdict] for r in results]
        print(text_table(["scenario", "claim", "kpi", "test", "estimate", "95% CI", "reps",
                          "verdict"], rows))
        print(f"{counts['holds']} hold, {counts['fails']} fail, {counts['undecided']} undecided "
              f"(paired replications on common random numbers, {args.pilot} to "
              f"{args.max_reps}; differences as a share of the other scenario's mean)")
    return 0 if counts["holds"] == len(results) else 1


def _claim_test(r: Any) -> str:
    """What a claim tests, in the table's words: a change, an even band, a band or a value."""
    c = r.claim
    test = (c.change if c.change != "even" else f"even ±{100 * c.margin:g} %") if c.change else (
        f"band [{100 * c.band[0]:+g} %, {100 * c.band[1]:+g} %]" if c.band
        else f"value [{c.value[0]:g}, {c.value[1]:g}]")
    where = f" vs {c.against}" if c.value is None else ""
    return shown(test + where + (f" with {r.conditions}" if c.set else ""), 80)


def _claim_number(r: Any, x: float) -> str:
    """A claim's estimate or bound: a plain number for a value claim, else a signed share."""
    if r.claim.value is not None:
        return plain_number(x)
    return f"{100 * x:+.1f} %" if math.isfinite(x) else "-"


def _claim_row(r: Any) -> dict[str, Any]:
    """One checked claim for ``--json``."""
    return {"scenario": r.scenario, **r.claim.model_dump(), "estimate": r.estimate,
            "ci95": [r.low, r.high], "reps": r.reps, "verdict": r.verdict}


# ---------------------------------------------------------------------------------- robustness
def add_robustness(sub: Any) -> None:
    """The ``robustness`` command's parser."""
    p = sub.add_parser("robustness", help="how much of the assumption space each claim holds "
                       "on, and which assumptions it depends on (Morris, then Sobol)")
    _add_claimed_scenarios(p, seed_help="seed of the samplers and the runs (default: the "
                           "first scenario's)")
    p.add_argument("--reps", type=positive_int, default=1,
                   help="replications of every scenario at every point (default 1)")
    p.add_argument("--trajectories", type=bounded(int, "a whole number", lambda v: v >= 2,
                                                  "at least 2"),
                   default=3, help="Morris screening trajectories (default 3)")
    p.add_argument("--samples", type=bounded(int, "a whole number",
                                             lambda v: v >= 2 and v & (v - 1) == 0,
                                             "a power of two, at least 2 (2, 4, 8, 16, ...)"),
                   default=8, help="Saltelli base points, a power of two (default 8)")
    p.add_argument("--top", type=positive_int, default=3,
                   help="assumption groups kept after screening (default 3)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="folder keeping every finished run, so a stopped run can --resume")
    p.add_argument("--resume", action="store_true",
                   help="continue the robustness run in --out, skipping the runs already there")
    p.add_argument("--plot", metavar="FILE.png", help="also save the chart")
    p.add_argument("--markdown", metavar="FILE.md",
                   help="also write the result as a page (e.g. docs/robustness.md)")
    p.add_argument("--force", action="store_true", help="replace --markdown if it exists")
    add_output_and_workers(p)
    p.set_defaults(func=cmd_robustness)


def cmd_robustness(args: argparse.Namespace) -> int:
    """``robustness``: on how much of the assumption space each claim holds, and which
    assumption groups it depends on (Morris screening, then Sobol indices).
    """
    from sim import robustness as rb

    paths = _claimed_paths(args.scenarios)
    design = rb.Design(trajectories=args.trajectories, samples=args.samples, top=args.top,
                       reps=args.reps)
    design.check(len(rb.factor_groups()))  # before any scenario is read or worker started
    figure = figure_target(args.plot)
    page = None if args.markdown is None else check_target(
        args.markdown, "--markdown", force=args.force, suffixes=(".md",),
        protected=paths)
    with FlagExecutor(args, jobs=None) as executor:  # thousands of jobs: every worker
        result = rb.run(paths, executor, design, seed=args.seed, out=args.out,
                        resume=args.resume, progress=not args.json, warn=warn)
    if figure is not None:
        fig = rb.plot(result)
        write_atomic(figure, lambda tmp: fig.savefig(tmp, format=figure.suffix[1:], dpi=110,
                                                     bbox_inches="tight"))
    if page is not None:
        write_atomic(page, rb.markdown(result, rb.command_line(args.argv)))
    if args.json:
        print(json.dumps(clean(result.to_dict())))
        return 0
    _print_robustness(result, design)
    for done, what in ((figure, "chart"), (page, "page")):
        if done is not None:
            print(f"{what} written to {shown(str(done), None)}")
    return 0


def _print_robustness(result: Any, design: Any) -> None:
    """The robustness table, and a line saying how it was measured."""
    from sim import robustness as rb

    rows = [[shown(rb.claim_title(c, 60), None), c.claim.kpi, f"{100 * c.share:.0f} %",
             shown(c.label, None), rb.indices_text(c, most=2)] for c in result.claims]
    print(text_table(["claim", "kpi", "holds on", "label", "ST (top groups)"], rows))
    counts = result.summary()
    screening, second = design.points(len(result.groups))
    print(f"{counts['robust']} robust, {counts['depends']} depend on the assumptions  (seed "
          f"{result.seed}, {design.reps} replication(s) per point on common random numbers; "
          f"Morris {screening} points over {len(result.groups)} groups, then Saltelli "
          f"{second} points over {', '.join(result.chosen)}; {result.runs} runs)")
