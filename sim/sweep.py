"""Sweeps and sensitivity: many scenarios at once, as one tidy table.

A sweep is a field trial laid out in plots. Every combination of the chosen lever values is one
plot of land (a grid point); every replication is one season on it. All plots see the same
weather (common random numbers: replication ``r`` uses the same streams at every point), so the
differences between plots are the levers' doing. The harvest is recorded plot by plot as it
comes in: each finished run is written to the output folder at once, so a sweep that is stopped
can be resumed and ends with exactly the table an uninterrupted one would have produced.

The field book is kept by one surveyor at a time: a lock file gives the folder to one sweep
until it ends, every run file carries what it is a run of (point, replication and a checksum of
the scenario, seed and replication), and a resume checks each file against the sweep before
trusting it, so a copied or foreign file is reported instead of counted (``sim/runfolder.py``
keeps the folder, for robustness runs too).

One-at-a-time sensitivity moves each lever to a low and a high value around the base scenario,
holding the rest, and ranks levers by how far they swing a KPI (the tornado chart of
``sim/views/plots.py``).
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import ScenarioError
from sim.files import write_atomic, write_error
from sim.metrics import KPI_NAMES
from sim.parallel import Executor, RunSpec, run_all
from sim.params import Scenario, plausible_range
from sim.runfolder import Layout, finished, owned_folder, save_run, scenario_sha
from sim.scenario import get_value, parse_override, with_overrides
from sim.yamlio import shown

MANIFEST = "sweep.json"
RESULTS = "results"
LOCK = "sweep.lock"
"""The lock file that keeps a sweep folder to one sweep at a time."""
HOLDER = "sweep.holder"
"""Who holds the lock (process, machine, since when), for the message a second sweep gets."""
CHECKPOINT_SECONDS = 30.0
"""Longest time between two writes of the results tables while a sweep runs."""

DEFAULT_LEVERS: dict[str, tuple[Any, Any]] = {
    "incentives.shared_kpi_weight": (0.0, 1.0),
    "communication.crm_sharing": (0.2, 1.0),
    "communication.meeting_every_weeks": (0, 1),
    "communication.role_clarity": (0.2, 1.0),
    "communication.leadership": (0.0, 1.0),
    "incentives.scrutiny_balance": (0.0, 1.0),
    "marketing.brand_share": (0.05, 0.4),
    "pricing.price_index": (0.85, 1.3),
    "sales.reps": (2, 8),
    "sales.cold_calling": (0.0, 0.9),
    "scoring.mql_threshold": (0.35, 0.55),
    "trust.initial": plausible_range("trust.initial").bounds,  # around the steady state
}
"""Levers a one-at-a-time sensitivity moves when none are named, with their low and high values."""


# ----------------------------------------------------------------------------------- grids
def parse_grid(items: Sequence[str], base: Scenario, source: str = "--grid"
               ) -> dict[str, list[Any]]:
    """Read ``--grid PATH=v1,v2,…`` flags into ``{path: [values]}``, checking every value.

    Values are read as YAML (``8``, ``0.5``, ``true``, ``fifo``) and each one is validated against
    the base scenario and kept as the parameter's own type (``1e-2`` for a share is the number
    0.01), so a bad grid fails before any run starts and every column of the results has one
    type. ``source`` is the flag named in errors (``--lever`` for sensitivity).
    """
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values_text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise _flag_error(source, item, "expected PATH=v1,v2,… e.g. sales.reps=2,4,6")
        if key in grid:
            raise _flag_error(source, key, "is given twice; list all its values in one flag")
        parts = [v.strip() for v in values_text.split(",")]
        if not values_text.strip() or any(not v for v in parts):
            raise _flag_error(source, key, "needs at least one value, e.g. "
                              f"{key}=v1,v2 (empty values are not allowed)")
        values: list[Any] = []
        for text in parts:
            value = _typed_value(base, key, text, source)
            if value in values:
                raise _flag_error(source, key, f"value '{shown(text)}' is given twice (as "
                                  f"{shown(value)}); list each value once")
            values.append(value)
        grid[key] = values
    if not grid:
        raise _flag_error(source, None, f"give at least one {source} PATH=v1,v2,…")
    return grid


def _typed_value(base: Scenario, key: str, text: str, source: str) -> Any:
    """One grid value as the scenario holds it once validated (its declared type)."""
    try:
        _, value = parse_override(f"{key}={text}")
        return get_value(with_overrides(base, {key: value}), key)
    except ScenarioError as exc:
        raise _flag_error(source, key, exc.problem) from None


def _flag_error(source: str, key: str | None, problem: str) -> ScenarioError:
    # keys and values come from the command line: keep the message one short, safe line
    return ScenarioError(source, None if key is None else shown(key, 100), problem)


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values (full factorial), in a fixed order."""
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]


# ----------------------------------------------------------------------------------- output
def _manifest(base: Scenario, grid: Mapping[str, Sequence[Any]], reps: int, seed: int) -> dict:
    return {"kind": "leadflow-sweep", "base": base.model_dump(mode="json"),
            "grid": {k: list(v) for k, v in grid.items()}, "reps": reps, "seed": seed}


def _run_file(runs: Path, point: int, replication: int) -> Path:
    return runs / f"point-{point:05d}-rep-{replication:04d}.parquet"


LAYOUT = Layout(kind="leadflow-sweep", noun="sweep", manifest=MANIFEST, lock=LOCK, holder=HOLDER,
                keys=("point",), asked="other scenario, grid, reps or seed",
                file_name=lambda spec: _run_file(Path(), spec.labels["point"],
                                                 spec.replication).name,
                tables=(f"{RESULTS}.parquet", f"{RESULTS}.csv"))
"""How a sweep folder names its files (``sim/runfolder.py`` keeps them)."""


def _save_run(runs: Path, spec: RunSpec, row: dict[str, Any]) -> None:
    """Write one finished run, with what identifies it, as its own Parquet file."""
    save_run(runs, LAYOUT, spec, row)


def _columns(grid: Mapping[str, Any]) -> list[str]:
    return ["point", *grid, "replication", "seed", *KPI_NAMES]


class _Results:
    """The results tables of a sweep folder, kept up to date as runs finish.

    Every finished run is already safe in ``runs/``; the tables are rewritten (atomically) at
    least every :data:`CHECKPOINT_SECONDS` while the sweep runs, so a long sweep that is
    stopped still leaves tables of the runs it finished, and once more at the end.
    """

    def __init__(self, out: Path, grid: Mapping[str, Any], rows: dict[int, dict[str, Any]]):
        self.out, self.grid, self.rows = out, grid, dict(rows)
        self._written = time.monotonic()

    def add(self, index: int, row: dict[str, Any]) -> None:
        self.rows[index] = row
        if time.monotonic() - self._written >= CHECKPOINT_SECONDS:
            self.write()

    def write(self) -> pd.DataFrame:
        table = _table([self.rows[i] for i in sorted(self.rows)], self.grid)
        for name, save in ((f"{RESULTS}.parquet", lambda tmp: table.to_parquet(tmp, index=False)),
                           (f"{RESULTS}.csv", lambda tmp: table.to_csv(tmp, index=False))):
            try:
                write_atomic(self.out / name, save, suffix=".partial")
            except OSError as exc:
                raise write_error(self.out / name, exc) from None
        self._written = time.monotonic()
        return table


# ----------------------------------------------------------------------------------- sweeps
def sweep(base: Scenario, grid: Mapping[str, Sequence[Any]], reps: int, seed: int | None = None,
          executor: Executor | None = None, out: str | Path | None = None,
          resume: bool = False, progress: bool = False,
          warn: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Run every grid point ``reps`` times and return one row per run.

    The table keeps every parameter value beside every KPI. With ``out`` each finished run is
    written to ``out/runs/`` as it completes, and the whole table to ``out/results.parquet`` and
    ``out/results.csv`` as the sweep goes and at the end; ``resume`` skips the runs already
    there. Only one sweep at a time may use a folder. ``warn`` is told about files in
    ``out/runs/`` that are not this sweep's (default: :func:`warnings.warn`).
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    seed = base.seed if seed is None else seed
    specs = _specs(base, grid, reps, seed)
    if out is None:
        return _table([_public(r) for r in run_all(specs, executor, progress, "sweep")], grid)
    out = Path(out)
    with owned_folder(out, LAYOUT, _manifest(base, grid, reps, seed), resume) as runs:
        results = _Results(out, grid, finished(runs, LAYOUT, specs, warn or _warn))
        todo = [i for i in range(len(specs)) if i not in results.rows]

        def keep(i: int, row: dict[str, Any]) -> None:
            row = _public(row)
            _save_run(runs, specs[todo[i]], row)
            results.add(todo[i], row)

        run_all([specs[i] for i in todo], executor, progress, "sweep", on_result=keep)
        return results.write()


def _specs(base: Scenario, grid: Mapping[str, Sequence[Any]], reps: int, seed: int
           ) -> list[RunSpec]:
    specs = []
    for p, values in enumerate(grid_points(grid)):
        scenario = with_overrides(base, values)
        labels = {"point": p, **values, "scenario_sha": scenario_sha(scenario)}
        specs += [RunSpec(scenario, seed, r, labels) for r in range(reps)]
    return specs


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A run's row without the fingerprint that only the run files need."""
    return {k: v for k, v in row.items() if k != "scenario_sha"}


def _warn(message: str) -> None:
    warnings.warn(message, SweepWarning, stacklevel=3)


class SweepWarning(UserWarning):
    """A file in a sweep folder that is not what its name says (reported, then redone)."""


def _table(rows: list[dict[str, Any]], grid: Mapping[str, Any]) -> pd.DataFrame:
    table = pd.DataFrame(rows)[_columns(grid)]
    return table.sort_values(["point", "replication"], ignore_index=True)


def summarise_points(table: pd.DataFrame, grid: Mapping[str, Any]) -> pd.DataFrame:
    """Mean of every KPI per grid point (one row per point, parameters first)."""
    return table.groupby(["point", *grid], sort=True, dropna=False)[list(KPI_NAMES)].mean(
    ).reset_index()


# ----------------------------------------------------------------------------------- sensitivity
def parse_levers(items: Sequence[str], base: Scenario) -> dict[str, tuple[Any, Any]]:
    """Read ``--lever PATH=low,high`` flags; none means :data:`DEFAULT_LEVERS`."""
    if not items:
        return dict(DEFAULT_LEVERS)
    levers = {}
    for key, values in parse_grid(items, base, source="--lever").items():
        if len(values) != 2:
            raise ScenarioError("--lever", key, f"needs exactly two values, low and high "
                                f"(got {len(values)})")
        levers[key] = (values[0], values[1])
    return levers


def one_at_a_time(base: Scenario, levers: Mapping[str, tuple[Any, Any]], kpi: str = "revenue",
                  reps: int = 5, seed: int | None = None, executor: Executor | None = None,
                  progress: bool = False) -> pd.DataFrame:
    """Move each lever to its low and high value, holding the rest at ``base``.

    Returns one row per lever, largest swing first, with columns ``parameter, low_value,
    high_value, kpi_low, kpi_high, kpi_base, swing`` (means over ``reps`` replications with common
    random numbers) — the input of the tornado chart.
    """
    if kpi not in KPI_NAMES:
        raise ScenarioError("--kpi", kpi, f"unknown KPI; one of {', '.join(KPI_NAMES)}")
    seed = base.seed if seed is None else seed
    specs = [RunSpec(base, seed, r, {"parameter": None, "side": "base"}) for r in range(reps)]
    for key, (low, high) in levers.items():
        for side, value in (("low", low), ("high", high)):
            scenario = with_overrides(base, {key: value})
            specs += [RunSpec(scenario, seed, r, {"parameter": key, "side": side})
                      for r in range(reps)]
    frame = pd.DataFrame(run_all(specs, executor, progress, "sensitivity"))
    base_value = frame.loc[frame.side == "base", kpi].mean()
    rows = []
    for key, (low, high) in levers.items():
        mine = frame[frame.parameter == key]
        k_low = mine.loc[mine.side == "low", kpi].mean()
        k_high = mine.loc[mine.side == "high", kpi].mean()
        rows.append({"parameter": key, "low_value": low, "high_value": high, "kpi_low": k_low,
                     "kpi_high": k_high, "kpi_base": base_value,
                     "swing": swing(k_low, base_value, k_high)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable",
                                          ignore_index=True)


def swing(low: float, base: float, high: float) -> float:
    """How far one lever moves the KPI: from the lowest to the highest of the KPI at the lever's
    low value, at the base scenario and at its high value.

    A lever whose KPI peaks in the middle (both ends below the base) still swings by the height
    of the peak, which ``|high - low|`` would hide. The table of ``python -m sim sensitivity``
    and the tornado chart both order levers by this number, so they agree. A missing value
    (NaN) is left out; with none left the swing is 0.
    """
    values = [v for v in (low, base, high) if v == v]  # NaN != NaN
    return max(values) - min(values) if values else 0.0
