"""The command line: ``python -m sim`` (or ``leadflow``).

Exit codes: 0 ok, 2 bad input (one clear line on stderr, nothing half-written), 1 a bug.

    python -m sim run scenarios/baseline.yaml --reps 10 --json
    python -m sim compare scenarios/undefined.yaml scenarios/integrated.yaml --reps 20
    python -m sim sweep scenarios/baseline.yaml --grid sales.reps=2,4 --reps 5 --out out/sweep
    python -m sim report scenarios/undefined.yaml scenarios/integrated.yaml --out report.html
    python -m sim robustness --out out/robustness --markdown docs/robustness.md
    python -m sim validate scenarios/*.yaml
    python -m sim game new games/tuesday --teams red,blue,green
    python -m sim game debrief games/tuesday --out debrief
    python -m sim copy-kit my-workshop

The public API is :func:`main` (what ``python -m sim`` runs) and :func:`build_parser`. Each
family of commands has its module, where each command builds its own parser (``add_*``) and
does its work (``cmd_*``): :mod:`sim.cli.run` (run, compare, report, validate),
:mod:`sim.cli.explore` (sweep, sensitivity, warmup, claims, robustness),
:mod:`sim.cli.calibrate` (calibrate), :mod:`sim.cli.game` (the workshop game) and
:mod:`sim.cli.kit` (copy-kit);
:mod:`sim.cli.shared` holds the parser class, the flag types and the table printing.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import NoReturn

from sim import __version__
from sim.cli import calibrate, explore, game, kit, run
from sim.cli.shared import PROG, Parser
from sim.errors import ScenarioError
from sim.yamlio import shown

# the commands in the order --help lists them
COMMANDS = (run.add_run, run.add_compare, explore.add_sweep, explore.add_sensitivity,
            explore.add_warmup, run.add_report, calibrate.add_calibrate, game.add_game,
            explore.add_claims, explore.add_robustness, run.add_validate, kit.add_copy_kit)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, each with its ``func`` to call once the flags are read."""
    parser = Parser(prog=PROG, description="LeadFlow Lab: simulate marketing-to-sales lead flow.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for add in COMMANDS:
        add(sub)
    return parser


def _check_together(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """The usage errors argparse cannot see alone: flags that only make sense together."""
    if args.command == "compare" and len(args.scenarios) < 2:
        parser.error("compare needs at least two scenarios")
    if args.command == "claims" and args.max_reps < args.pilot:
        parser.error("argument --max-reps: must be at least --pilot")
    if args.command == "robustness" and args.resume and args.out is None:
        parser.error("argument --resume: needs --out, the folder of the run to continue")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line (``sys.argv[1:]`` when not given); return its exit code.

    Bad input of any kind (a scenario, a flag, a full disk) is one line on stderr and exit
    code 2; Ctrl+C is exit code 130.
    """
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv[1:]
    _check_together(parser, args)
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


def entry() -> NoReturn:
    """Run the command line of this process and exit with its code (``python -m sim`` and the
    ``leadflow`` command).

    Before exiting, every object is moved out of the garbage collector's sight
    (:func:`gc.freeze`): the interpreter's last collection would otherwise walk each of the
    hundreds of thousands of objects numpy, scipy and pydantic made at import, a tenth of the
    start-up of a short command, only to free memory the process hands back anyway.
    """
    code = main()
    gc.freeze()
    sys.exit(code)


__all__ = ["build_parser", "entry", "main"]
