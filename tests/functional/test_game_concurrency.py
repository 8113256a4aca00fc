"""Twenty teams submitting at the same moment lose nothing, and two facilitator consoles
pressing the same button at the same moment change the game once.

Each player's page is its own kernel process, so the test posts from separate processes that
wait at a barrier and then write at once, including two tabs of the same player racing each
other. Every envelope must arrive whole, none may be lost, and no temporary file may be left.
The consoles race the same way: at each round change one of the two succeeds and the other is
refused, and the folder is left as one console would have left it.
"""

from __future__ import annotations

import builtins
import multiprocessing as mp
import os
import time

import pytest

from sim.game import LOCK_FILE, ROLES, Game, GameError
from sim.parallel import SerialExecutor

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

    game.lock_round()
    table = game.process_round()
    teams = table[table["team"].isin(TEAMS)]
    assert len(teams) == len(TEAMS)
    assert not teams["auto_marketing"].any() and not teams["auto_sales"].any()


def _change(folder: str, action: str, barrier, outcomes) -> None:
    """One facilitator console pressing ``action`` at the same moment as another."""
    _slow_drive()  # a wide gap between reading the state and writing it, as on a network drive
    game = Game(folder)
    barrier.wait(timeout=60)
    try:
        if action == "process":
            game.process_round(executor=SerialExecutor())
        else:
            getattr(game, f"{action}_round")()
    except GameError as exc:
        outcomes.put((action, "refused", str(exc)))
    else:
        outcomes.put((action, "done", ""))


def _race(ctx, folder: str, action: str) -> list[tuple[str, str, str]]:
    barrier, outcomes = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_change, args=(folder, action, barrier, outcomes))
             for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    return sorted(outcomes.get(timeout=5) for _ in procs)


def test_two_consoles_at_once_change_the_round_once(tmp_path, ctx):
    game = Game.create(tmp_path / "game", teams=["red", "blue"], weeks_per_round=1,
                       practice=False, luck_reps=0)
    folder = str(game.folder)
    expected = {"open": "open", "lock": "locked", "process": "processed", "undo": "locked",
                "reopen": "open"}
    for action in ("open", "lock", "process", "undo", "reopen"):
        outcomes = _race(ctx, folder, action)
        assert [o[1] for o in outcomes] == ["done", "refused"], outcomes
        refusal = outcomes[1][2]
        assert any(why in refusal for why in (
            "another console is changing the game; try again", "was opened already",
            "process round 0 before opening 1",
            "is locked already", "was processed already", "nothing to undo",
            "only a locked round")), refusal
        assert Game(folder).state(0).status == expected[action], action

    # the folder is as one console would have left it: valid state files, one set of results
    # set aside by the undo, none left in results/, and no half-written file anywhere
    after = Game(folder)
    assert [after.state(r.index).status for r in after.rounds] == ["open"] + ["waiting"] * 3
    assert not any(p.exists() for p in after.result_files(0))
    [kept] = after.undone(0)
    assert sorted(p.name for p in kept.iterdir()) == ["luck-00.csv", "problems-00.yaml",
                                                      "round-00.csv", "weekly-00.csv"]
    assert not [p for p in after.folder.rglob("*") if p.name.startswith(".")
                and p.name != LOCK_FILE]
    after.lock_round()
    table = after.process_round(executor=SerialExecutor())
    assert (kept / "round-00.csv").read_text() == \
        (after.folder / "results" / "round-00.csv").read_text()
    assert list(table["team"]) == ["red", "blue", "reference"]
