"""Twenty teams submitting at the same moment lose nothing.

Each player's page is its own kernel process, so the test posts from separate processes that
wait at a barrier and then write at once, including two tabs of the same player racing each
other. Every envelope must arrive whole, none may be lost, and no temporary file may be left.
"""

from __future__ import annotations

import builtins
import multiprocessing as mp
import os
import time

import pytest

from sim.game import ROLES, Game, GameError

TEAMS = [f"team{i:02d}" for i in range(20)]


class _SlowDrive:
    """A file that reaches the disk in two halves, as over a slow network drive."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, text):
        half = len(text) // 2
        self._fh.write(text[:half])
        self._fh.flush()
        time.sleep(0.05)
        return half + self._fh.write(text[half:])

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._fh.__exit__(*exc)


def _slow_drive() -> None:
    """Make every file this process writes arrive slowly (the patch stays in this process)."""
    real_open, real_fdopen = builtins.open, os.fdopen

    def slow_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        return _SlowDrive(fh) if "w" in mode else fh

    def slow_fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        return _SlowDrive(fh) if "w" in mode else fh

    builtins.open, os.fdopen = slow_open, slow_fdopen


def _post(folder: str, team: str, role: str, value: float, barrier) -> None:
    _slow_drive()
    game = Game(folder)
    choices = ({"scoring.mql_threshold": value} if role == "marketing"
               else {"sales.cold_calling": value})
    barrier.wait(timeout=60)
    game.submit(team, role, choices)


@pytest.fixture(scope="module")
def ctx():
    if "fork" not in mp.get_all_start_methods():  # pragma: no cover - non-POSIX
        pytest.skip("needs the fork start method")
    return mp.get_context("fork")


def test_twenty_teams_at_once_lose_nothing(tmp_path, ctx):
    game = Game.create(tmp_path / "game", teams=TEAMS, weeks_per_round=2)
    game.open_round()
    jobs = [(team, role, 0.30 + 0.01 * i) for i, team in enumerate(TEAMS) for role in ROLES]
    # the first team's marketing half posts from two tabs at once as well
    jobs.append((TEAMS[0], "marketing", 0.55))
    barrier = ctx.Barrier(len(jobs))
    procs = [ctx.Process(target=_post, args=(str(game.folder), team, role, value, barrier))
             for team, role, value in jobs]
    for p in procs:
        p.start()
    # a facilitator screen reading the folder while the envelopes land sees whole files only
    torn: list[str] = []
    reader = Game(game.folder)
    folder = game.folder / "rounds" / "00"
    while any(p.is_alive() for p in procs):
        for path in folder.glob("team*.yaml"):
            try:
                reader.read_envelope(path)
            except (GameError, FileNotFoundError) as exc:
                torn.append(str(exc))
    for p in procs:
        p.join(timeout=120)
    assert torn == []
    assert [p.exitcode for p in procs] == [0] * len(procs)

    found = Game(game.folder).envelopes(0)
    assert found.problems == []
    assert set(found.valid) == {(team, role) for team in TEAMS for role in ROLES}
    for i, team in enumerate(TEAMS[1:], start=1):
        assert found.valid[(team, "marketing")].choices == {"scoring.mql_threshold": 0.30 + 0.01 * i}
        assert found.valid[(team, "sales")].choices == {"sales.cold_calling": 0.30 + 0.01 * i}
    # the racing tabs: one of the two whole envelopes won, never a mixture or a torn file
    assert found.valid[(TEAMS[0], "marketing")].choices["scoring.mql_threshold"] in (0.30, 0.55)
    assert not [p.name for p in (game.folder / "rounds" / "00").iterdir()
                if p.name.startswith(".")]

    table = game.process_round()
    teams = table[table["team"].isin(TEAMS)]
    assert len(teams) == len(TEAMS)
    assert not teams["auto_marketing"].any() and not teams["auto_sales"].any()
