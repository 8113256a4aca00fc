"""Run folders: long batches of runs that survive being stopped, kept one batch at a time.

A run folder is a lab notebook with numbered pages. Every finished run is written on its own
page at once (a Parquet file in ``runs/``, written atomically), so a batch that is killed half
way loses nothing it finished, and running it again with ``resume`` only does the pages still
blank. Each page says what it is a record of (its labels, replication and a checksum of the
scenario, seed and replication), and a resume checks every page against the batch before
trusting it, so a copied or foreign file is reported and redone instead of counted.

The notebook is kept by one hand at a time: a lock file (``filelock``) gives the folder to one
batch until it ends, however it ends, and a holder file names the process, so a second batch
is told who has the folder. The first page is the manifest: what was asked (scenario, design,
replications, seed). A resume whose request differs from the manifest is refused before any
run, because mixing two batches' pages would give a table that belongs to neither.

Sweeps (``sim/sweep.py``) and robustness runs (``sim/robustness.py``) share this module; a
:class:`Layout` says what a folder of each kind calls its files and what names a run.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from sim import __version__
from sim.errors import ScenarioError
from sim.files import writable, write_atomic, write_error
from sim.parallel import RunSpec
from sim.params import Scenario
from sim.yamlio import read_text, shown

RUNS_DIR = "runs"


@dataclass(frozen=True)
class Layout:
    """What one kind of run folder calls its files, and which labels name a run in it.

    ``noun`` is how messages call a batch ("sweep"); ``keys`` are the labels that, with the
    replication, say which run a file holds (they are checked on resume and named in
    warnings); ``file_name`` gives a run's file name from its job ticket; ``asked`` lists
    what a different manifest may differ in, for the refusal; ``tables`` are result files
    the batch replaces at the end, checked before any run.
    """

    kind: str
    noun: str
    manifest: str
    lock: str
    holder: str
    keys: tuple[str, ...]
    file_name: Callable[[RunSpec], str]
    asked: str
    tables: tuple[str, ...] = ()


@contextmanager
def owned_folder(out: Path, layout: Layout, manifest: dict, resume: bool) -> Iterator[Path]:
    """Hold the folder ``out`` for this batch; yield its ``runs`` folder.

    The lock file keeps a second batch, or a ``resume`` of this one, out of the folder while
    this one runs, so neither can mix its runs into the other's or delete the other's
    half-written files. The operating system lets go of the lock when the holder ends,
    however it ends, so a killed batch never blocks its own resume.
    """
    runs = _make_folder(out, layout)
    lock = FileLock(out / layout.lock, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ScenarioError("--out", str(out), f"is in use by another {layout.noun} "
                            f"({_holder(out, layout)}); wait until it ends, or choose another "
                            "folder") from None
    try:
        _claim(out, layout)
        _check_tables(out, layout)
        _check_manifest(out, layout, manifest, resume)
        for stale in runs.rglob("*.partial"):
            stale.unlink(missing_ok=True)  # left by a run killed mid-write
        yield runs
    finally:
        (out / layout.holder).unlink(missing_ok=True)
        lock.release()


def _make_folder(out: Path, layout: Layout) -> Path:
    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", str(out), f"is a file; give a folder for the {layout.noun}")
    try:
        (out / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError("--out", str(out), f"cannot create folder ({exc.strerror})") from None
    if not (writable(out) and writable(out / RUNS_DIR)):
        raise ScenarioError("--out", str(out), "folder is not writable; choose another folder")
    return out / RUNS_DIR


def _claim(out: Path, layout: Layout) -> None:
    """Say who holds the folder, for the message a second batch gets."""
    holder = {"pid": os.getpid(), "host": socket.gethostname(),
              "since": time.strftime("%Y-%m-%d %H:%M:%S %z")}
    write_atomic(out / layout.holder, json.dumps(holder) + "\n")


def _holder(out: Path, layout: Layout) -> str:
    try:
        found = json.loads(read_text(out / layout.holder))
        return f"process {int(found['pid'])} on {shown(found['host'])} since {shown(found['since'])}"
    except (OSError, ValueError, TypeError, KeyError):
        return "holder not known yet"


def _check_manifest(out: Path, layout: Layout, manifest: dict, resume: bool) -> None:
    """Write the manifest of a new folder; refuse a folder that holds another batch."""
    path = out / layout.manifest
    noun = layout.noun
    if not path.exists():
        write_atomic(path, json.dumps({**manifest, "version": __version__}, indent=2))
        return
    try:
        found = json.loads(read_text(path))
    except (OSError, ValueError):
        raise ScenarioError("--out", str(path), "is unreadable or damaged; delete the folder "
                            "or choose another --out") from None
    if not isinstance(found, dict) or found.get("kind") != manifest["kind"]:
        raise ScenarioError("--out", str(path), f"is not a {noun}'s manifest; delete the folder "
                            "or choose another --out")
    if not resume:
        raise ScenarioError("--out", str(out), f"already holds a {noun}; add --resume to "
                            "continue it, or choose another folder")
    found.pop("version", None)
    if found != manifest:
        raise ScenarioError("--resume", str(out), f"this folder holds a different {noun} "
                            f"({layout.asked}); nothing was changed")


def _check_tables(out: Path, layout: Layout) -> None:
    """Refuse, before any run, result tables that could not be replaced at the end."""
    for name in layout.tables:
        path = out / name
        if path.exists() and not path.is_file():
            raise ScenarioError("--out", str(path), "is in the way of the results table (it is "
                                "not a file); remove it, or choose another --out")


def run_file(runs: Path, layout: Layout, spec: RunSpec) -> Path:
    """The file that keeps the run ``spec`` in the folder ``runs``."""
    return runs / layout.file_name(spec)


def save_run(runs: Path, layout: Layout, spec: RunSpec, row: dict[str, Any]) -> None:
    """Write one finished run, with what identifies it, as its own Parquet file."""
    path = run_file(runs, layout, spec)
    record = {**row, "scenario": spec.scenario.name, "checksum": checksum(spec)}
    table = pa.Table.from_pylist([record])
    try:
        write_atomic(path, lambda tmp: pq.write_table(table, tmp), suffix=".partial")
    except OSError as exc:
        raise write_error(path, exc) from None


def checksum(spec: RunSpec) -> str:
    """A fingerprint of what a run is: its scenario's every value, seed and replication."""
    text = json.dumps([spec.labels["scenario_sha"], spec.seed, spec.replication])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scenario_sha(scenario: Scenario) -> str:
    """A fingerprint of every value of a scenario (the ``scenario_sha`` label of a job)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def finished(runs: Path, layout: Layout, specs: Sequence[RunSpec],
             warn: Callable[[str], None]) -> dict[int, dict[str, Any]]:
    """The runs already in ``runs`` that belong to this batch, by job index.

    Each file must hold the run its name says (scenario, labels, replication and checksum): a
    copied or foreign file is reported and run again, never counted twice. A file that cannot
    be read at all stops the batch with the file's name, since deleting it is the user's call.
    Files in the folder that no job of this batch would write are reported and left out.
    """
    expected = {run_file(runs, layout, s).name: i for i, s in enumerate(specs)}
    done: dict[int, dict[str, Any]] = {}
    for path in sorted(runs.glob("*.parquet")):
        index = expected.get(path.name)
        if index is None:
            warn(f"{path}: not a run of this {layout.noun}; it is left out of the results")
            continue
        spec, row = specs[index], _read_run(path)
        if _holds(row, spec, layout):
            done[index] = row
        else:
            warn(f"{path}: holds {_what(row, spec, layout)}, not {_named(spec.labels, layout)} "
                 f"replication {spec.replication} of this {layout.noun} (a copied file?); that "
                 "run is done again")
    return done


def _read_run(path: Path) -> dict[str, Any]:
    try:
        rows = pq.ParquetFile(path).read().to_pylist()
    except (OSError, ValueError, pa.ArrowException):
        rows = []
    if len(rows) != 1:
        raise ScenarioError("--resume", str(path), "is damaged (not one complete run); delete "
                            "it and run again with --resume to redo that run")
    return rows[0]


def _holds(row: dict[str, Any], spec: RunSpec, layout: Layout) -> bool:
    return (all(row.get(k) == spec.labels[k] for k in layout.keys)
            and row.get("replication") == spec.replication
            and row.get("scenario") == spec.scenario.name
            and row.get("checksum") == checksum(spec))


def _named(labels: dict[str, Any], layout: Layout) -> str:
    return " ".join(f"{k} {shown(labels.get(k))}" for k in layout.keys)


def _what(row: dict[str, Any], spec: RunSpec, layout: Layout) -> str:
    if "checksum" not in row:
        return "a run without a checksum (written by another tool or version)"
    if any(row.get(k) != spec.labels[k] for k in layout.keys) or \
            row.get("replication") != spec.replication:
        return f"{_named(row, layout)} replication {shown(row.get('replication'))}"
    return "a run of another scenario or seed (its checksum differs)"
