"""Sweeps and sensitivity: many scenarios at once, as one tidy table.

A sweep is a field trial laid out in plots. Every combination of the chosen lever values is one
plot of land (a grid point); every replication is one season on it. All plots see the same
weather (common random numbers: replication ``r`` uses the same streams at every point), so the
differences between plots are the levers' doing. The harvest is recorded plot by plot as it
comes in: each finished run is written to the output folder at once, so a sweep that is stopped
can be resumed and ends with exactly the table an uninterrupted one would have produced.

One-at-a-time sensitivity moves each lever to a low and a high value around the base scenario,
holding the rest, and ranks levers by how far they swing a KPI (the tornado chart of
``sim/plots.py``).
"""

from __future__ import annotations

import itertools
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim import __version__
from sim.errors import ScenarioError
from sim.metrics import KPI_NAMES
from sim.parallel import Executor, RunSpec, run_all
from sim.params import Scenario
from sim.scenario import parse_override, with_overrides

MANIFEST = "sweep.json"
RUNS_DIR = "runs"
RESULTS = "results"

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
    "trust.initial": (0.3, 0.8),
}
"""Levers a one-at-a-time sensitivity moves when none are named, with their low and high values."""


# ----------------------------------------------------------------------------------- grids
def parse_grid(items: Sequence[str], base: Scenario) -> dict[str, list[Any]]:
    """Read ``--grid PATH=v1,v2,…`` flags into ``{path: [values]}``, checking every value.

    Values are read as YAML (``8``, ``0.5``, ``true``, ``fifo``) and each one is validated against
    the base scenario, so a bad grid fails before any run starts.
    """
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values_text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError("--grid", item, "expected PATH=v1,v2,… e.g. sales.reps=2,4,6")
        if key in grid:
            raise ScenarioError("--grid", key, "is given twice; list all its values in one flag")
        parts = [v.strip() for v in values_text.split(",")]
        if not values_text.strip() or any(not v for v in parts):
            raise ScenarioError("--grid", key, "needs at least one value, e.g. "
                                f"{key}=v1,v2 (empty values are not allowed)")
        values = []
        for text in parts:
            _, value = parse_override(f"{key}={text}")
            try:
                with_overrides(base, {key: value})
            except ScenarioError as exc:
                raise ScenarioError("--grid", key, exc.problem) from None
            values.append(value)
        grid[key] = values
    if not grid:
        raise ScenarioError("--grid", None, "give at least one --grid PATH=v1,v2,…")
    return grid


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values (full factorial), in a fixed order."""
    keys = list(grid)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grid.values())]


# ----------------------------------------------------------------------------------- output
def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _manifest(base: Scenario, grid: Mapping[str, Sequence[Any]], reps: int, seed: int) -> dict:
    return {"kind": "leadflow-sweep", "base": base.model_dump(mode="json"),
            "grid": {k: list(v) for k, v in grid.items()}, "reps": reps, "seed": seed}


def _prepare_folder(out: Path, manifest: dict, resume: bool) -> Path:
    """Create or check the output folder; refuse anything that would overwrite other work."""
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", str(out), "is a file; give a folder for the sweep")
    try:
        (out / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError("--out", str(out), f"cannot create folder ({exc.strerror})") from None
    if not os.access(out, os.W_OK) or not os.access(out / RUNS_DIR, os.W_OK):
        raise ScenarioError("--out", str(out), "folder is not writable")
    path = out / MANIFEST
    if path.exists():
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ScenarioError("--out", str(out), f"{MANIFEST} is unreadable; use another "
                                "folder") from None
        if not resume:
            raise ScenarioError("--out", str(out), "already holds a sweep; add --resume to "
                                "continue it, or choose another folder")
        found.pop("version", None)
        if found != manifest:
            raise ScenarioError("--resume", str(out), "this folder holds a different sweep "
                                "(other scenario, grid, reps or seed); nothing was changed")
    else:
        _atomic_write(path, lambda tmp: Path(tmp).write_text(
            json.dumps({**manifest, "version": __version__}, indent=2), encoding="utf-8"))
    for stale in (out / RUNS_DIR).glob("*.partial"):
        stale.unlink(missing_ok=True)  # left by a run killed mid-write
    return out / RUNS_DIR


def _run_file(runs: Path, point: int, replication: int) -> Path:
    return runs / f"point-{point:05d}-rep-{replication:04d}.parquet"


def _save_run(runs: Path, row: dict[str, Any]) -> None:
    path = _run_file(runs, row["point"], row["replication"])
    frame = pd.DataFrame([row])
    _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def _columns(grid: Mapping[str, Any]) -> list[str]:
    return ["point", *grid, "replication", "seed", *KPI_NAMES]


# ----------------------------------------------------------------------------------- sweeps
def sweep(base: Scenario, grid: Mapping[str, Sequence[Any]], reps: int, seed: int | None = None,
          executor: Executor | None = None, out: str | Path | None = None,
          resume: bool = False, progress: bool = False) -> pd.DataFrame:
    """Run every grid point ``reps`` times and return one row per run.

    The table keeps every parameter value beside every KPI. With ``out`` each finished run is
    written to ``out/runs/`` as it completes, and the whole table to ``out/results.parquet`` and
    ``out/results.csv`` at the end; ``resume`` skips the runs already there.
    """
    if reps < 1:
        raise ValueError("reps must be at least 1")
    seed = base.seed if seed is None else seed
    points = grid_points(grid)
    specs = []
    for p, values in enumerate(points):
        scenario = with_overrides(base, values)
        specs += [RunSpec(scenario, seed, r, {"point": p, **values}) for r in range(reps)]
    if out is None:
        rows = run_all(specs, executor, progress, "sweep")
        return _table(rows, grid)

    out = Path(out)
    runs = _prepare_folder(out, _manifest(base, grid, reps, seed), resume)
    todo = [s for s in specs if not _run_file(runs, s.labels["point"], s.replication).exists()]
    run_all(todo, executor, progress, "sweep", on_result=lambda _i, row: _save_run(runs, row))
    frames = [pd.read_parquet(_run_file(runs, s.labels["point"], s.replication)) for s in specs]
    table = _table(pd.concat(frames, ignore_index=True).to_dict("records"), grid)
    _atomic_write(out / f"{RESULTS}.parquet", lambda tmp: table.to_parquet(tmp, index=False))
    _atomic_write(out / f"{RESULTS}.csv", lambda tmp: table.to_csv(tmp, index=False))
    return table


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
    for key, values in parse_grid(items, base).items():
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
                     "swing": abs(k_high - k_low)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)
