"""The players' envelopes: posting a role's choices for a round, and reading them back.

An envelope is one file, ``rounds/NN/TEAM.ROLE.yaml``, written by the player's page and never
by anyone else; posting again before the round locks replaces it. :class:`Mailbox` checks what
goes in (the round is open, the team and role exist, each lever is one this role may move this
round and its value one the company takes) and what comes out: a malformed, misfiled,
oversized or late envelope is reported by name and treated as not posted, so a round never
stalls or crashes. The choices in force for a team are each lever's last posted value
(:func:`carried`); a role that posted nothing keeps its previous choices, flagged as
auto-submitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from sim.errors import ScenarioError
from sim.files import FileMemo
from sim.game.rounds import RoundBook
from sim.game.rules import ROLES, Round, Rules
from sim.game.storage import (
    CheckedFiles,
    GameError,
    check_envelope_file,
    check_envelope_size,
    now_utc,
    parse_time,
    read_yaml,
    stamp,
    write_yaml,
)
from sim.scenario import get_value, with_overrides

CHECK_MEMO_SIZE = 1024


@dataclass
class Submission:
    """One envelope: a role's choices for a round, and when it was posted."""

    team: str
    role: str
    round: int
    choices: dict[str, Any]
    submitted_at: datetime
    path: Path


class PlayerFile(NamedTuple):
    """A player's file as :meth:`Mailbox.read_player_file` found it, checked."""

    source: str
    data: dict[str, Any]
    team: str
    role: str
    submitted_at: datetime


@dataclass
class Envelopes:
    """What processing found in a round's folder: valid envelopes and the problems."""

    valid: dict[tuple[str, str], Submission] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def carried(team: str, rounds: Sequence[Envelopes]) -> tuple[dict[str, Any], dict[str, bool]]:
    """The choices in force for ``team`` after the given rounds' envelopes, and per role
    whether the last round had none (see :meth:`Mailbox.choices`).
    """
    current: dict[str, Any] = {}
    auto: dict[str, bool] = {}
    for i, env in enumerate(rounds):
        for role in ROLES:
            sub = env.valid.get((team, role))
            if sub is not None:
                current.update(sub.choices)
            if i == len(rounds) - 1:
                auto[role] = sub is None
    return current, auto


class Mailbox(CheckedFiles):
    """The envelopes of a game's rounds: posting, checking and reading them."""

    def __init__(self, rules: Rules, book: RoundBook):
        self.rules = rules
        self.book = book
        self.folder = rules.folder
        self._checked: dict[tuple[str, tuple[tuple[str, Any], ...]], dict[str, Any]] = {}
        self._memo = FileMemo(size=512)

    # ------------------------------------------------------------------ checks
    def check_player(self, team: str, role: str, source: str) -> None:
        """Refuse a team that is not in the game or a role that is not one of :data:`ROLES`."""
        if team not in self.rules.teams:
            raise GameError(source, "team", f"{team!r} is not in this game (teams: "
                            f"{', '.join(self.rules.teams)})")
        if role not in ROLES:
            raise GameError(source, "role", f"{role!r} is not one of {', '.join(ROLES)}")

    def check_choices(self, rnd: Round, role: str, choices: Mapping[str, Any],
                      source: str) -> dict[str, Any]:
        """``choices`` as the company takes them, or a GameError for a lever ``role`` may not
        move in ``rnd`` or a value the company refuses.
        """
        allowed = rnd.levers(role)
        for key in choices:
            if key not in allowed:
                raise GameError(source, key, f"not a {role} lever in round {rnd.index} "
                                f"({', '.join(allowed)})")
        try:
            memo_key = (role, tuple(sorted(choices.items())))
            hash(memo_key)
        except TypeError:  # a list or mapping where a number belongs: checked (and refused) below
            memo_key = None
        if memo_key is not None and memo_key in self._checked:
            return dict(self._checked[memo_key])
        try:
            checked = with_overrides(self.rules.base, choices)
        except ScenarioError as exc:
            raise GameError(source, exc.key, exc.problem) from None
        result = {key: get_value(checked, key) for key in choices}
        if memo_key is not None and len(self._checked) < CHECK_MEMO_SIZE:
            # the same choices check out the same way against the same company: a room's pages
            # re-read every envelope every few seconds, and the check builds a whole scenario
            self._checked[memo_key] = result
        return dict(result)

    # ------------------------------------------------------------------ posting
    def envelope_path(self, index: int, team: str, role: str) -> Path:
        """Where ``team``'s ``role`` envelope for round ``index`` is filed."""
        return self.book.round_dir(index) / f"{team}.{role}.yaml"

    def submit(self, team: str, role: str, choices: Mapping[str, Any],
               index: int | None = None, now: datetime | None = None) -> Path:
        """Post ``role``'s choices for a round (the current one by default).

        Raises :class:`GameError` if the round is not open or a choice is not allowed; a later
        envelope from the same team and role replaces the earlier one.
        """
        source = f"{team}.{role}"
        self.check_player(team, role, source)
        index = self.book.current_or(index)
        rnd = self.rules.round(index)
        now = now or now_utc()
        status = self.book.state(index, now).status
        if status != "open":
            raise GameError(source, "round", f"round {index} ({rnd.name}) is {status}: "
                            "envelopes are not taken now")
        record = {"team": team, "role": role, "round": index, "submitted_at": stamp(now)}
        check_envelope_size({**record, "choices": dict(choices)}, source)
        checked = self.check_choices(rnd, role, choices, source)
        path = self.envelope_path(index, team, role)
        write_yaml(path, {**record, "choices": checked})
        return path

    # ------------------------------------------------------------------ reading
    def read_envelope(self, path: Path) -> Submission:
        """Read and check one envelope; :class:`GameError` names the file and the problem.

        What an envelope file was found to be is remembered until the file changes (the room
        server's pages ask every few seconds who has posted), so an unchanged envelope costs
        a ``stat``, and an unchanged bad one the same line again.
        """
        return self.checked(path)

    def read_player_file(self, path: Path, index: int, kind: str) -> PlayerFile:
        """Read one file a player posts for round ``index`` (an envelope, a guess: ``kind``)
        and check what every such file holds: its size, its name ``TEAM.ROLE.yaml`` (a team of
        the game and one of its roles), a ``team``, ``role`` and ``round`` that agree with where
        it is filed, and the moment it was posted. :class:`GameError` names the file.
        """
        source = str(path.relative_to(self.folder)) if path.is_relative_to(self.folder) else str(path)
        check_envelope_file(path, source)
        data = read_yaml(path, source)
        stem = path.name.removesuffix(".yaml")
        if stem.count(".") != 1:
            raise GameError(source, None, f"{kind} files are named TEAM.ROLE.yaml")
        team, role = stem.split(".")
        self.check_player(team, role, source)
        for key, expected in (("team", team), ("role", role), ("round", index)):
            if data.get(key) != expected:
                raise GameError(source, key, f"says {data.get(key)!r}, but the file is filed "
                                f"as {expected!r}")
        if "submitted_at" not in data:
            raise GameError(source, "submitted_at", "missing")
        moment = parse_time(data["submitted_at"], source, "submitted_at")
        return PlayerFile(source, data, team, role, moment)

    def _read(self, path: Path) -> Submission:
        index = int(path.parent.name)
        source, data, team, role, moment = self.read_player_file(path, index, "envelope")
        choices = data.get("choices")
        choices = {} if choices is None else choices  # "choices:" with nothing under it
        if not isinstance(choices, dict):
            raise GameError(source, "choices", "expected a mapping of lever to value")
        checked = self.check_choices(self.rules.round(index), role, choices, source)
        return Submission(team, role, index, checked, moment, path)

    def envelopes(self, index: int, now: datetime | None = None) -> Envelopes:
        """Every envelope of a round that counts, and a line for each that does not."""
        found = Envelopes()
        folder = self.book.round_dir(index)
        if not folder.is_dir():
            return found
        lock = self.book.state(index, now).lock_time()
        for sub in self.in_time(folder, lock, found.problems):
            found.valid[(sub.team, sub.role)] = sub
        return found

    def status(self, index: int | None = None) -> pd.DataFrame:
        """Who has posted for a round: one row per team, a column per role (time or '-')."""
        index = self.book.current_or(index)
        env = self.envelopes(index)
        rows = []
        for team in self.rules.teams:
            row: dict[str, Any] = {"team": team}
            for role in ROLES:
                sub = env.valid.get((team, role))
                row[role] = sub.submitted_at.astimezone().strftime("%H:%M:%S") if sub else "-"
            rows.append(row)
        return pd.DataFrame(rows, columns=["team", *ROLES])

    def choices(self, team: str, index: int) -> tuple[dict[str, Any], dict[str, bool]]:
        """The choices in force for ``team`` in round ``index`` and, per role, whether they were
        carried over (auto-submitted) because no valid envelope came in time.

        Each lever keeps its last posted value; levers nobody has set yet keep the company's.
        """
        return carried(team, [self.envelopes(i) for i in range(index + 1)])
