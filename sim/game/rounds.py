"""The rounds' clock: where each round stands, and the moves that take it on.

A round goes ``waiting`` → ``open`` → ``locked`` → ``processed``, like a ballot: the box is
set out, votes go in, the box is sealed, the votes are counted. Its state lives in
``rounds/NN/state.yaml``, written by the facilitator only. A countdown (``closes_at``) seals
the box by itself when it runs out. A sealed box can be opened again before the count
(:meth:`RoundBook.reopen`), and the last count can be taken back while the next box is not
out yet (:meth:`RoundBook.undo`); its results are set aside, never deleted. Every move holds
the folder's lock (:class:`~sim.game.storage.FolderLock`) and re-reads the state inside it, so
of two consoles pressing the same button one is told what the other did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sim.files import write_atomic
from sim.game.rules import Rules
from sim.game.storage import (
    FolderLock,
    GameError,
    now_utc,
    parse_time,
    read_yaml,
    stamp,
    utc_clock,
    write_yaml,
)

STATUSES = ("waiting", "open", "locked", "processed")
"""A round's life cycle, in order (``rounds/NN/state.yaml`` says which)."""
TIMES = ("opened_at", "closes_at", "locked_at", "processed_at")


@dataclass
class RoundState:
    """Where a round stands, read from ``rounds/NN/state.yaml`` (written by the facilitator)."""

    status: str = "waiting"
    opened_at: datetime | None = None
    closes_at: datetime | None = None
    locked_at: datetime | None = None
    processed_at: datetime | None = None

    def lock_time(self) -> datetime | None:
        """When the round stopped (or will stop) taking envelopes, or None."""
        times = [t for t in (self.locked_at, self.closes_at) if t is not None]
        return min(times) if times else None

    def countdown_running(self, now: datetime) -> bool:
        """Whether the round is open with a countdown that has not run out at ``now``."""
        return self.status == "open" and self.closes_at is not None and now < self.closes_at

    def inconsistency(self) -> tuple[str, str] | None:
        """The key and problem of a state that cannot have been written by the game, or None.

        Each status has its times: a round is opened before it locks, and locks before it is
        processed, so e.g. a processed round without ``processed_at`` is a damaged file (or a
        hand edit), and acting on it could lose a round's results.
        """
        if self.status not in STATUSES:
            return "status", f"{self.status!r} is not a round status (one of {', '.join(STATUSES)})"
        stage = STATUSES.index(self.status)
        for key, needed_from in (("opened_at", 1), ("locked_at", 2), ("processed_at", 3)):
            present = getattr(self, key) is not None
            if stage >= needed_from and not present:
                return key, f"missing: a round that is {self.status} records when it was " \
                            f"{key.removesuffix('_at')}"
            if stage < needed_from and present:
                return key, f"set, but the round is only {self.status}"
        if self.status == "waiting" and self.closes_at is not None:
            return "closes_at", "set, but the round is only waiting"
        if self.opened_at and self.closes_at and self.closes_at <= self.opened_at:
            return "closes_at", "is not after opened_at"
        return None


def check_minutes(minutes: float | None, source: str) -> None:
    """Refuse a countdown that is not between 0 and a day."""
    if minutes is not None and not 0 < minutes <= 24 * 60:
        raise GameError(source, "minutes", "a countdown must be between 0 and 1440 minutes")


class RoundBook:
    """The state files of a game's rounds, and the facilitator's moves on them."""

    def __init__(self, rules: Rules, lock: FolderLock):
        self.rules = rules
        self.folder = rules.folder
        self.lock = lock

    # ------------------------------------------------------------------ reading
    def round_dir(self, index: int) -> Path:
        """The folder of round ``index``: its state, envelopes and undone results."""
        return self.folder / "rounds" / f"{index:02d}"

    def state(self, index: int, now: datetime | None = None) -> RoundState:
        """The state of round ``index``; a countdown that ran out reads as ``locked``.

        A state file the game cannot have written (a status other than :data:`STATUSES`, a time
        that is not a date-time, or times that contradict the status) is a :class:`GameError`
        naming the file and the key: acting on a guess could lose a round's results.
        """
        path = self.round_dir(index) / "state.yaml"
        if not path.exists():
            return RoundState()
        source = str(path)
        data = read_yaml(path, source)
        times = {k: parse_time(data[k], source, k) if data.get(k) is not None else None
                 for k in TIMES}
        state = RoundState(status=str(data.get("status", "waiting")), **times)
        wrong = state.inconsistency()
        if wrong is not None:
            raise GameError(source, *wrong)
        now = now or now_utc()
        if state.status == "open" and state.closes_at is not None and now >= state.closes_at:
            state.status = "locked"
        return state

    def save_state(self, index: int, state: RoundState) -> None:
        """Write round ``index``'s state file (never one that would read as damaged)."""
        wrong = state.inconsistency()
        if wrong is not None:  # a bug, not an input: never write a file that reads as damaged
            raise AssertionError(f"round {index}: {wrong[0]}: {wrong[1]}")
        data = {"status": state.status}
        for key in TIMES:
            value = getattr(state, key)
            data[key] = stamp(value) if value is not None else None
        write_yaml(self.round_dir(index) / "state.yaml", data)

    def current_round(self) -> int | None:
        """The latest round that has been opened, or None before the game starts."""
        opened = [r.index for r in self.rules.rounds if self.state(r.index).status != "waiting"]
        return max(opened) if opened else None

    def current_or(self, index: int | None) -> int:
        """``index`` if it is a round, else the current round (a GameError before the game starts)."""
        if index is not None:
            self.rules.round(index)
            return index
        current = self.current_round()
        if current is None:
            raise GameError(str(self.folder), "round", "no round has been opened yet")
        return current

    def last_processed(self) -> int | None:
        """The last round processed (practice included), or None."""
        done = [r.index for r in self.rules.rounds if self.state(r.index).status == "processed"]
        return max(done) if done else None

    def last_complete_round(self) -> int | None:
        """The last scored round every team has a result for."""
        done = [r.index for r in self.rules.scored_rounds()
                if self.state(r.index).status == "processed"]
        return max(done) if done else None

    def result_files(self, index: int) -> list[Path]:
        """The files processing round ``index`` writes (the luck file for a scored round)."""
        results = self.folder / "results"
        return [results / f"{kind}-{index:02d}.{ext}" for kind, ext in
                (("round", "csv"), ("weekly", "csv"), ("luck", "csv"), ("problems", "yaml"))]

    def undone(self, index: int) -> list[Path]:
        """The folders holding round ``index``'s undone results, oldest first."""
        return sorted(p for p in self.round_dir(index).glob("undone-*") if p.is_dir())

    # ------------------------------------------------------------------ moves
    def open(self, index: int | None = None, minutes: float | None = None,
             now: datetime | None = None) -> int:
        """Open the next round (or ``index``), with an optional countdown in minutes."""
        with self.lock.changing():
            current = self.current_round()
            index = (0 if current is None else current + 1) if index is None else index
            self.rules.round(index)
            source = str(self.round_dir(index) / "state.yaml")
            if index > 0 and self.state(index - 1).status != "processed":
                raise GameError(source, "round",
                                f"process round {index - 1} before opening {index}")
            if self.state(index).status != "waiting":
                raise GameError(source, "round", f"round {index} was opened already")
            check_minutes(minutes, source)
            now = now or now_utc()
            closes = now + timedelta(minutes=minutes) if minutes is not None else None
            self.save_state(index, RoundState("open", opened_at=now, closes_at=closes))
        return index

    def lock_round(self, index: int | None = None, now: datetime | None = None,
                   force: bool = False) -> int:
        """Stop taking envelopes for a round (the current one by default).

        A running countdown is a promise to the room, so it is not cut short unless ``force``
        (``game lock --force``, or the console's confirmation). Locking a round that is locked
        already is refused, so that of two consoles pressing Lock at once one is told.
        """
        with self.lock.changing():
            index = self.current_or(index)
            now = now or now_utc()
            state = self.state(index, now)
            source, label = str(self.round_dir(index) / "state.yaml"), self.rules.label(index)
            if state.status == "waiting":
                raise GameError(source, "round", f"{label} is not open")
            if state.status == "processed":
                raise GameError(source, "round", f"{label} was processed already")
            if state.locked_at is not None:
                raise GameError(source, "round", f"{label} is locked already")
            if state.countdown_running(now) and not force:
                raise GameError(source, "round", f"the countdown of {label} runs until "
                                f"{utc_clock(state.closes_at)} UTC; lock early with force "
                                "(game lock --force)")
            self.record_lock(index, state, now)
        return index

    def record_lock(self, index: int, state: RoundState, now: datetime) -> None:
        """Write that round ``index`` locked (at its countdown's end, if that came first)."""
        # a round whose countdown ran out locked at its end, whenever somebody notices
        state.locked_at = min(now, state.closes_at) if state.closes_at is not None else now
        state.status = "locked"
        self.save_state(index, state)

    def reopen(self, index: int | None = None, minutes: float | None = None,
               now: datetime | None = None) -> int:
        """Take envelopes again for a locked round that has not been processed (the current
        one by default), with an optional new countdown in minutes.

        For a round locked too early: envelopes posted since then count again (the round has
        no lock time until it locks anew). A processed round is undone first (:meth:`undo`).
        """
        with self.lock.changing():
            index = self.current_or(index)
            now = now or now_utc()
            state = self.state(index, now)
            source, label = str(self.round_dir(index) / "state.yaml"), self.rules.label(index)
            if state.status != "locked":
                undo = " (undo it first)" if state.status == "processed" else ""
                raise GameError(source, "round", f"{label} is {state.status}: only a locked "
                                f"round that is not processed can be reopened{undo}")
            check_minutes(minutes, source)
            state.status, state.locked_at = "open", None
            state.closes_at = now + timedelta(minutes=minutes) if minutes is not None else None
            if state.opened_at is not None and state.closes_at is not None \
                    and state.closes_at <= state.opened_at:
                state.opened_at = now  # a clock set back: keep the times in order
            self.save_state(index, state)
        return index

    def undo(self, index: int | None = None, now: datetime | None = None) -> int:
        """Take back the last processing: the round is locked again, without results.

        Only the last processed round (``index``, if given, must be that one), and only while
        the next round has not been opened: the next round's envelopes were posted against
        these results. The round's result files are moved to ``rounds/NN/undone-STAMP/``, not
        deleted, so nothing is lost. The copy is written first and the state second, so a
        failure half-way leaves either the processed round or the locked one, never a mixture
        (results of a round that is not processed are never read). Returns the round's index.
        """
        with self.lock.changing():
            last = self._undoable(index)
            moment = now or now_utc()
            kept = self.round_dir(last) / f"undone-{moment.astimezone(UTC):%Y%m%dT%H%M%S%fZ}"
            files = [p for p in self.result_files(last) if p.is_file()]
            kept.mkdir(parents=True, exist_ok=True)
            for path in files:
                write_atomic(kept / path.name, path.read_bytes(), durable=True)
            state = self.state(last)
            state.status, state.processed_at = "locked", None
            self.save_state(last, state)
            for path in files:
                path.unlink()
        return last

    def _undoable(self, index: int | None) -> int:
        """The last processed round if it may be undone now (and is ``index``, if given)."""
        last = self.last_processed()
        if last is None:
            raise GameError(str(self.folder), "round",
                            "no round has been processed yet: nothing to undo")
        source, label = str(self.round_dir(last) / "state.yaml"), self.rules.label
        if index is not None and index != last:
            self.rules.round(index)
            raise GameError(source, "round", f"only the last processed round, "
                            f"{label(last)}, can be undone, not round {index}")
        if last + 1 < len(self.rules.rounds) and self.state(last + 1).status != "waiting":
            raise GameError(source, "round", f"{label(last)} cannot be undone: "
                            f"{label(last + 1)} has been opened already")
        return last

    def check_processable(self, index: int, now: datetime | None) -> RoundState:
        """The state of round ``index`` if it can be processed now, else a GameError that says
        what to do first.
        """
        source, label = str(self.round_dir(index) / "state.yaml"), self.rules.label(index)
        if index > 0 and self.state(index - 1).status != "processed":
            raise GameError(str(self.round_dir(index)), "round",
                            f"process round {index - 1} first")
        now = now or now_utc()
        state = self.state(index, now)
        if state.status == "waiting":
            raise GameError(source, "round", f"{label} is not open yet: open it, lock it, "
                            "then process it")
        if state.status == "processed":
            raise GameError(source, "round", f"{label} was processed already (undo it to "
                            "process it again)")
        if state.countdown_running(now):
            raise GameError(source, "round", f"{label} is open until "
                            f"{utc_clock(state.closes_at)} UTC: wait for its countdown, or "
                            "lock it early with force (game lock --force), then process it")
        if state.status == "open":
            raise GameError(source, "round", f"{label} is still open: lock it first "
                            "(game lock), then process it")
        return state
