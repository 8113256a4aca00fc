"""The game folder on disk: reading and writing its files, and taking turns at changing them.

The folder is the game's only memory, like the box a board game is packed in: the rules card,
the company, one envelope per team, role and round, each round's state and results. Everything
here is about that box and nothing about the rules: every file is written whole or not at all
(:func:`write_atomically`), read through one memo that parses a file again only once it has
changed (the room's pages re-read the folder every few seconds), and an envelope too large to
be honest is refused before anything reads it. A round change holds the folder's lock file
(:class:`FolderLock`), so two consoles on one folder take turns.

Times are written as UTC ISO date-times to the microsecond (:func:`stamp`) and read back with
a clear error for anything else (:func:`parse_time`).
"""

from __future__ import annotations

import copy
import os
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from filelock import FileLock, Timeout

from sim.errors import ScenarioError
from sim.files import FileMemo, write_atomic
from sim.yamlio import read_text, safe_load

GAME_DIR_ENV = "LEADFLOW_GAME_DIR"
MAX_ENVELOPE_BYTES = 16 * 1024
"""The largest envelope file read: a role's choices take a few hundred bytes, so anything much
larger is a mistake or mischief, and is skipped unread so that it cannot slow the room down."""
LOCK_FILE = ".lock"
LOCK_TIMEOUT = 5.0
"""Seconds a round change waits for another console's change to finish before giving up."""


class GameError(ScenarioError):
    """A game folder, envelope or facilitator action that cannot be used (one clear line)."""


def game_folder(default: str | Path = "leadflow-game") -> Path:
    """The game folder of this machine: ``$LEADFLOW_GAME_DIR`` (set by ``make game``) or
    ``default`` relative to the current folder.
    """
    return Path(os.environ.get(GAME_DIR_ENV) or default)


# --------------------------------------------------------------------------- times
def now_utc() -> datetime:
    """The current moment, in UTC (the game folder's time zone)."""
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """A moment as the game's files write it: UTC, to the microsecond."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: Any, source: str, key: str) -> datetime:
    """A time read from a file; one without a time zone is taken to be UTC."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        raise GameError(source, key, f"{text!r} is not an ISO date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_clock(moment: datetime | None) -> str:
    """A moment as messages name it, ``HH:MM`` in UTC (``-`` for none)."""
    return moment.astimezone(UTC).strftime("%H:%M") if moment is not None else "-"


# --------------------------------------------------------------------------- envelope size
def check_envelope_size(record: Mapping[str, Any], source: str) -> None:
    """Refuse an envelope whose YAML would exceed :data:`MAX_ENVELOPE_BYTES` (the readers
    would skip it).
    """
    try:
        text = yaml.safe_dump(dict(record), sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        return  # not plain data: checking the levers says what is wrong with it
    size = len(text.encode("utf-8"))
    if size > MAX_ENVELOPE_BYTES:
        raise GameError(source, "choices", f"too large ({size:,} bytes as YAML; an envelope "
                        f"holds at most {MAX_ENVELOPE_BYTES:,})")


def check_envelope_file(path: Path, source: str) -> None:
    """Refuse an envelope file over :data:`MAX_ENVELOPE_BYTES` before anything reads it."""
    try:
        info = path.stat()
    except OSError:
        return  # gone or unreadable: reading it says which
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_ENVELOPE_BYTES:
        raise GameError(source, None, f"too large ({info.st_size:,} bytes; an envelope "
                        f"holds at most {MAX_ENVELOPE_BYTES:,})")


# --------------------------------------------------------------------------- writing
def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never a part.

    This is :func:`sim.files.write_atomic` with the game folder's two needs: the file is
    flushed to disk before it is renamed over the target (``durable``: the folder may be a
    shared drive that other laptops read), and its folder is made first if needed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text, durable=True)


def write_yaml(path: Path, data: Mapping[str, Any], header: str = "") -> None:
    """Write a mapping as a YAML file of the game folder, after an optional comment header."""
    text = yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True)
    write_atomically(path, header + text)


def write_csv(path: Path, table: pd.DataFrame) -> None:
    """Write a results table as a CSV file of the game folder."""
    write_atomically(path, table.to_csv(index=False))


# --------------------------------------------------------------------------- reading
_FILES = FileMemo()
"""The game folder's files as last parsed (see :class:`sim.files.FileMemo`): the room server's
pages re-read the folder every few seconds, and a file that has not changed is not parsed again."""


def read_yaml(path: Path, source: str) -> dict[str, Any]:
    """A YAML mapping file of the game folder (a fresh copy the caller may change)."""
    return copy.deepcopy(_FILES.get(path, lambda p: _parse_yaml(p, source)))


def _parse_yaml(path: Path, source: str) -> dict[str, Any]:
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise GameError(source, None, "file not found") from None
    except UnicodeDecodeError:
        raise GameError(source, None, "not UTF-8 text") from None
    except OSError as exc:
        raise GameError(source, None, f"cannot be read ({exc.strerror})") from None
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise GameError(source, None, f"not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise GameError(source, None, "expected a mapping of keys to values")
    return data


def read_table(path: Path) -> pd.DataFrame:
    """A results CSV, with team names kept as written (a team called ``nan`` stays one)."""
    return _FILES.get(path, _parse_table).copy()


def _parse_table(path: Path) -> pd.DataFrame:
    columns = pd.read_csv(path, nrows=0).columns
    missing = {c: ["", "nan", "NaN"] for c in columns if c != "team"}
    return pd.read_csv(path, keep_default_na=False, na_values=missing, dtype={"team": str})


# --------------------------------------------------------------------------- taking turns
class CheckedFiles:
    """A reader of one kind of player file (envelopes, guesses) that checks each file once per
    change: what a file was found to be, a record or the :class:`GameError` naming its problem,
    is remembered until the file changes. The room server's pages ask every few seconds who has
    posted, so an unchanged file costs a ``stat``, and an unchanged bad one the same line again.

    A subclass sets ``_memo`` (a :class:`sim.files.FileMemo`) and says in ``_read`` how to read
    and check one file.
    """

    _memo: FileMemo
    folder: Path

    def checked(self, path: Path) -> Any:
        """The record in ``path``; :class:`GameError` names the file and the problem."""
        outcome = self._memo.get(path, self._outcome)
        if isinstance(outcome, GameError):
            raise copy.copy(outcome)  # a fresh exception each time: no traceback piles up
        return outcome

    def in_time(self, folder: Path, lock: datetime | None, problems: list[str]) -> Iterator[Any]:
        """The checked records of the files in ``folder`` (not ``state.yaml``, not hidden
        temporary files) posted before ``lock``; each file skipped adds a line to ``problems``.
        """
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith(".") or path.name == "state.yaml":
                continue
            try:
                record = self.checked(path)
            except GameError as exc:
                problems.append(f"{exc} (skipped)")
                continue
            if lock is not None and record.submitted_at > lock:
                problems.append(f"{path.relative_to(self.folder)}: posted after the round "
                                "locked (skipped)")
                continue
            yield record

    def _outcome(self, path: Path) -> Any:
        try:
            return self._read(path)
        except GameError as exc:
            return exc

    def _read(self, path: Path) -> Any:  # pragma: no cover - each reader says how
        raise NotImplementedError


class FolderLock:
    """The game folder's lock file, held while a round changes.

    Two facilitator consoles (or a console and a terminal) may press a button at the same
    moment; the lock makes them take turns, and each re-reads the state inside it, so the
    second one sees what the first did instead of acting twice on a stale view. The lock is
    one object per game and re-entrant, so a change made inside another of this game's changes
    does not wait for itself.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock: FileLock | None = None

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the lock for the ``with`` block, or say that another console holds it."""
        if self._lock is None:
            self._lock = FileLock(self.folder / LOCK_FILE)
        try:
            self._lock.acquire(timeout=LOCK_TIMEOUT)
        except Timeout:
            raise GameError(str(self.folder), None,
                            "another console is changing the game; try again") from None
        try:
            yield
        finally:
            self._lock.release()
