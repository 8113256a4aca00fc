"""What every command of the command line shares: the parser, the flag types, the tables.

The commands are the rooms of a house and this is its hallway: the parser that says a usage
error in one line, the checked flag types (``--reps``, ``--seed``, ``--weeks``…) and the flags
most commands take, loading a scenario with those flags, checking an ``--out`` before any
work, the executor the flags ask for, and the aligned tables and strict JSON every command
prints.

The model, numpy, scipy and pandas load only when a command needs them, so that ``--help`` and
a mistyped flag answer at once: nothing heavy is imported at the top of this module, and each
helper imports what it uses.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sim.errors import ScenarioError
from sim.files import check_folder, check_target, writable
from sim.yamlio import shown

if TYPE_CHECKING:
    from sim.params import Scenario

PROG = "leadflow"


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Say the usage error in one line on stderr and exit with code 2."""
        message = " ".join(message.split())
        sys.stderr.write(f"{PROG}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


# ---------------------------------------------------------------------------------- flag types
def bounded(cast: type, what: str, valid: Callable[[Any], bool], range_text: str
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


positive_int = bounded(int, "a whole number", lambda v: v >= 1, "at least 1")
port_number = bounded(int, "a port number", lambda v: 1024 <= v <= 65535, "from 1024 to 65535")
seed_number = bounded(int, "a whole number", lambda v: 0 <= v < 2**63, "from 0 to 2^63-1")
weeks_number = bounded(float, "a number of weeks", lambda v: math.isfinite(v) and 0 < v <= 5200,
                       "above 0 and at most 5200")
warmup_weeks = bounded(int, "a whole number of weeks", lambda v: 0 <= v <= 5200,
                       "from 0 to 5200")


def add_output_and_workers(p: argparse.ArgumentParser) -> None:
    """``--json``, and where the replications run: ``--workers`` or ``--scheduler``."""
    p.add_argument("--json", action="store_true", help="print exactly one JSON object")
    p.add_argument("--workers", type=positive_int, default=None,
                   help="worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="run on a Dask cluster: tcp://host:8786, or 'local' for a LocalCluster")


def add_common(p: argparse.ArgumentParser, reps_default: int = 1) -> None:
    """The flags of a command that runs one scenario's replications: ``--set``, ``--seed``,
    ``--reps``, ``--weeks``, ``--warmup``, then the output and worker flags.
    """
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                   help="override any scenario key, e.g. --set sales.reps=8 (repeatable)")
    p.add_argument("--seed", type=seed_number, default=None,
                   help="master seed (default: scenario's)")
    p.add_argument("--reps", type=positive_int, default=reps_default,
                   help=f"replications (default {reps_default})")
    p.add_argument("--weeks", type=weeks_number, default=None, help="simulated weeks")
    p.add_argument("--warmup", type=warmup_weeks, default=None, metavar="WEEKS",
                   help="whole weeks simulated before the measured --weeks and left out of "
                   "every KPI (presets: 13)")
    add_output_and_workers(p)


# ---------------------------------------------------------------------------------- scenarios
def load_scenario(path: Any, overrides: Sequence[str] = ()) -> Scenario:
    """:func:`sim.scenario.load_scenario`, imported when a command first needs it."""
    from sim.scenario import load_scenario as load

    return load(path, overrides)


def resolve_scenario_path(path: Any) -> Path:
    """:func:`sim.scenario.resolve_scenario_path`, imported when a command first needs it."""
    from sim.scenario import resolve_scenario_path as resolve

    return resolve(path)


def load(path: str, sets: Sequence[str], weeks: float | None,
         warmup: float | None = None) -> Scenario:
    """The scenario a command runs: the file or preset, its ``--set`` overrides, then
    ``--weeks`` and ``--warmup`` when given.
    """
    overrides = list(sets)
    if weeks is not None:
        overrides.append(f"weeks={weeks}")
    if warmup is not None:
        overrides.append(f"warmup_weeks={warmup}")
    return load_scenario(resolve_scenario_path(path), overrides)


class FlagExecutor:
    """The executor the flags ask for, closed afterwards (``with FlagExecutor(args) as ex``)."""

    def __init__(self, args: argparse.Namespace, jobs: int | None):
        from sim.parallel import make_executor

        self._ex = make_executor(getattr(args, "workers", None), getattr(args, "scheduler", None),
                                 jobs)

    def __enter__(self):
        return self._ex

    def __exit__(self, *exc: object) -> None:
        self._ex.close()


# ---------------------------------------------------------------------------------- files
def prepare_out(out: str | None) -> Path | None:
    """The ``--out DIR`` folder, created when missing (None when not given); a file, a folder
    that cannot be created or one that is not writable is a :class:`ScenarioError`.
    """
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


def out_file(args: argparse.Namespace, suffixes: Sequence[str] = (),
             protected: Sequence[str | Path] = (), why: str | None = None,
             make_folder: bool = False) -> Path:
    """Check ``--out FILE`` before any work: a writable folder, and an existing file only
    replaced with ``--force`` (never one of ``protected``, the command's own inputs).
    """
    extra = {"protected_why": why} if why else {}
    return check_target(args.out, "--out", force=args.force, suffixes=suffixes,
                        protected=protected, make_folder=make_folder, **extra)


def figure_target(target: str | None) -> Path | None:
    """Check a --plot file name before any run: a .png, .svg or .pdf in an existing folder."""
    if target is None:
        return None
    path = Path(target)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ScenarioError("--plot", target, "must end in .png, .svg or .pdf")
    check_folder(path, "--plot")  # a read-only folder is found before the runs, not after
    return path


# ---------------------------------------------------------------------------------- printing
def plain_number(value: Any) -> str:
    """A number as the tables print it (:func:`sim.views.labels.plain_number`)."""
    from sim.views.labels import plain_number as plain

    return plain(value)


def plain(value: Any) -> Any:
    """Numpy scalars to plain Python for JSON and tables."""
    return value.item() if hasattr(value, "item") else value


def clean(value: Any) -> Any:
    """JSON has no NaN: undefined ratios (e.g. win rate with no closed deal) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def text_table(header: list[str], rows: list[list[str]]) -> str:
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


def warn(message: str) -> None:
    """A warning on stderr, said the way the command line says its errors."""
    print(f"{PROG}: warning: {shown(message, None)}", file=sys.stderr)


def stderr_line(text: str) -> None:
    """One line of progress on stderr (stdout stays for the tables and the JSON)."""
    sys.stderr.write(text + "\n")
