"""The command line: ``python -m sim`` (or ``leadflow``).

Exit codes: 0 ok, 2 bad input (one clear line on stderr, nothing half-written), 1 a bug.

    python -m sim run scenarios/baseline.yaml --reps 10 --json
    python -m sim compare scenarios/undefined.yaml scenarios/integrated.yaml --reps 20
    python -m sim validate scenarios/*.yaml
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sim import __version__
from sim.errors import ScenarioError
from sim.metrics import KPI_NAMES
from sim.params import Scenario
from sim.scenario import load_scenario, resolve_scenario_path

PROG = "leadflow"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        sys.stderr.write(f"{PROG}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be from 0 to 2^63-1, got {value}")
    return value


def _weeks(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of weeks, got '{text}'") from None
    if not (math.isfinite(value) and 0 < value <= 5200):
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 5200, got {text}")
    return value


def _load(path: str, sets: Sequence[str], weeks: float | None) -> Scenario:
    overrides = list(sets)
    if weeks is not None:
        overrides.append(f"weeks={weeks}")
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


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.3f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
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
    if not os.access(path, os.W_OK):
        raise ScenarioError("--out", out, "folder is not writable")
    return path


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------------- commands
def cmd_run(args: argparse.Namespace) -> int:
    from sim.experiment import replicate, summarise
    from sim.scenario import dump_scenario

    scenario = _load(args.scenario, args.set, args.weeks)
    out = _prepare_out(args.out)  # after the scenario is known good: bad input creates no folder
    seed = scenario.seed if args.seed is None else args.seed
    table = replicate(scenario, args.reps, seed)
    means, ci = summarise(table)
    payload = {
        "scenario": scenario.name, "seed": seed, "reps": args.reps, "weeks": scenario.weeks,
        "kpis": {k: means[k] for k in KPI_NAMES}, "ci95": None if ci is None else {
            k: ci[k] for k in KPI_NAMES},
    }
    payload = _clean(payload)
    if out is not None:
        _write_atomic(out / "kpis.json",
                      lambda p: p.write_text(json.dumps(payload, indent=2) + "\n"))
        _write_atomic(out / "replications.csv", lambda p: table.to_csv(p))
        _write_atomic(out / "scenario.yaml", lambda p: dump_scenario(
            scenario, p, header=f"Resolved scenario '{scenario.name}' as run (seed {seed})."))
    if args.json:
        print(json.dumps(payload))
        return 0
    print(f"scenario {scenario.name}  seed {seed}  reps {args.reps}  weeks {scenario.weeks:g}")
    header = ["kpi", "mean"] + (["95% CI"] if ci else [])
    rows = []
    for k in KPI_NAMES:
        row = [k, _fmt(payload["kpis"][k])]
        if ci:
            low, high = payload["ci95"][k]
            row.append(f"[{_fmt(low)}, {_fmt(high)}]")
        rows.append(row)
    print(_table(header, rows))
    if out is not None:
        print(f"results written to {out}/")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.experiment import compare

    scenarios = [_load(p, args.set, args.weeks) for p in args.scenarios]
    seed = scenarios[0].seed if args.seed is None else args.seed
    comparison = compare(scenarios, args.reps, seed)
    payload = _clean({
        "scenarios": comparison.names,
        "kpis": {n: {k: v[k] for k in KPI_NAMES} for n, v in comparison.means().items()},
        "diff_vs_first": {n: {k: d[k] for k in KPI_NAMES}
                          for n, d in comparison.differences().items()},
    })
    if args.json:
        print(json.dumps(payload))
        return 0
    first = comparison.names[0]
    print(f"compare vs {first}  seed {seed}  reps {args.reps}  (common random numbers, "
          "paired 95% CI)")
    header = ["kpi", first]
    for n in comparison.names[1:]:
        header += [n, f"diff vs {first}", "95% CI"]
    rows = []
    for k in args.kpis or KPI_NAMES:
        row = [k, _fmt(payload["kpis"][first][k])]
        for n in comparison.names[1:]:
            d = payload["diff_vs_first"][n][k]
            low, high = d["ci95"]
            mark = "*" if low is not None and (low > 0 or high < 0) else " "
            row += [_fmt(payload["kpis"][n][k]), f"{_fmt(d['mean'])}{mark}",
                    f"[{_fmt(low)}, {_fmt(high)}]"]
        rows.append(row)
    print(_table(header, rows))
    if args.reps > 1:
        print("* the 95% interval of the paired difference excludes zero")
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
            print(f"ok  {path}  ({scenario.name})")
    return 2 if failed else 0


# ---------------------------------------------------------------------------------- parser
def _add_common(p: argparse.ArgumentParser, reps_default: int = 1) -> None:
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override any scenario key, e.g. --set sales.reps=8 (repeatable)")
    p.add_argument("--seed", type=_seed, default=None, help="master seed (default: scenario's)")
    p.add_argument("--reps", type=_positive_int, default=reps_default,
                   help=f"replications (default {reps_default})")
    p.add_argument("--weeks", type=_weeks, default=None, help="simulated weeks")
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")


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

    p = sub.add_parser("compare", help="compare scenarios with common random numbers")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    _add_common(p, reps_default=10)
    p.add_argument("--kpi", dest="kpis", action="append", choices=KPI_NAMES, metavar="NAME",
                   help="show only these KPIs in the table (repeatable)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("validate", help="check scenario files without running them")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE")
    p.set_defaults(func=cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "compare" and len(args.scenarios) < 2:
        parser.error("compare needs at least two scenarios")
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
