"""Unit tests of sim.game: the workshop game played through its folder, without screens.

Games here are short (two to four weeks a quarter, two or three teams) so every round
simulates in a fraction of a second. Times that matter (countdowns, late envelopes) are passed
explicitly, never waited for.
"""

from __future__ import annotations

import math
import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.game as sim_game
import sim.game.processing
import sim.game.storage
from sim.game import (
    DEFAULT_ROUNDS,
    LEVERS,
    LOCK_FILE,
    REFERENCE,
    REFERENCE_CHOICES,
    Game,
    GameError,
    default_luck_reps,
    luck_sentences,
)
from sim.game.envelopes import Mailbox
from sim.game.luck import LUCK_COLUMNS
from sim.game.players import CODE_ALPHABET, CODE_LENGTH
from sim.game.rules import TEAM_NAME
from sim.game.storage import MAX_ENVELOPE_BYTES, write_atomically
from sim.parallel import PoolExecutor, SerialExecutor

T0 = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def new_game(folder: Path, teams=("red", "blue"), **options) -> Game:
    options.setdefault("weeks_per_round", 2)
    options.setdefault("luck_reps", 2)  # the fewest a game gets by default: the fastest
    return Game.create(folder / "game", teams=list(teams), **options)


def envelope(team: str, role: str, index: int, choices=None, at: datetime = T0, **extra) -> str:
    """The text of a hand-written envelope (what a player's page would post)."""
    data = {"team": team, "role": role, "round": index, "submitted_at": at.isoformat(),
            "choices": choices or {}}
    data.update(extra)
    return yaml.safe_dump(data, sort_keys=False)


# --------------------------------------------------------------------------- a played game
SCRIPT = {
    0: {"red": {"marketing": {"scoring.mql_threshold": 0.9}}},  # practice: not carried into scores
    1: {"red": {"marketing": {"scoring.mql_threshold": 0.3},
                "sales": {"sales.prioritisation": "score"}}},
    2: {"red": {"marketing": {"communication.crm_sharing": 0.8}},
        "blue": {"sales": {"communication.sla_hours": 8.0}},
        "green": {"sales": {"communication.sla_hours": 8.0}}},
}


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> Game:
    """A whole game of three teams: blue and green always choose alike, red differs."""
    game = Game.create(tmp_path_factory.mktemp("played") / "game", teams=["red", "blue", "green"],
                       weeks_per_round=4, luck_reps=2)
    game.play(SCRIPT)
    return game


def test_play_processes_every_round(played):
    assert [played.state(r.index).status for r in played.rounds] == ["processed"] * 5
    results = played.results()
    assert len(results) == len(played.rounds) * 4
    assert list(results["round"].unique()) == [0, 1, 2, 3, 4]


def test_reference_row_in_every_round(played):
    results = played.results()
    for index in range(len(played.rounds)):
        teams = list(results.loc[results["round"] == index, "team"])
        assert teams == ["red", "blue", "green", REFERENCE]


def test_same_choices_same_results(played):
    results = played.results()
    blue = results[results["team"] == "blue"].drop(columns="team").reset_index(drop=True)
    green = results[results["team"] == "green"].drop(columns="team").reset_index(drop=True)
    pd.testing.assert_frame_equal(blue, green)
    red = results[results["team"] == "red"].drop(columns="team").reset_index(drop=True)
    assert not red["mqls"].equals(blue["mqls"])


def test_revenue_to_date_sums_the_scored_rounds(played):
    results = played.results()
    scored = results[~results["practice"].astype(bool)]
    last = scored[scored["round"] == scored["round"].max()].set_index("team")
    for team, rows in scored.groupby("team"):
        for name in ("revenue", "profit", "total_cost"):
            assert rows[name].sum() == pytest.approx(last.loc[team, f"{name}_to_date"]), (team, name)
    assert last.loc["red", "revenue_to_date"] > 0


def test_round_revenue_matches_the_weekly_ledger(played):
    """Re-running from the first quarter reproduces the earlier quarters week for week."""
    weeks = played.weeks_per_round
    results = played.results()
    for index in (1, 2, 3, 4):
        ledger = played.weekly(index)
        for team in ("red", "blue", REFERENCE):
            mine = ledger[ledger["team"] == team]
            this = mine[mine["week"] > mine["week"].max() - weeks]
            row = results[(results["round"] == index) & (results["team"] == team)].iloc[0]
            assert row["revenue"] == pytest.approx(this["revenue"].sum())
            assert row["leads"] == this["leads"].sum()


def test_practice_round_is_not_scored(played):
    results = played.results()
    practice = results[results["round"] == 0]
    assert practice["practice"].astype(bool).all()
    assert practice["revenue"].sum() > 0
    first = results[results["round"] == 1].set_index("team")
    for team in ("red", "blue", REFERENCE):
        assert first.loc[team, "revenue_to_date"] == pytest.approx(first.loc[team, "revenue"])
    board = played.leaderboard().set_index("team")
    # both roles in four scored rounds, less blue sales' envelope in round 2; not the practice
    assert board.loc["blue", "auto_submitted"] == 2 * 4 - 1


def test_practice_choices_are_replaced_by_later_envelopes(played):
    results = played.results().set_index(["round", "team"])
    assert results.loc[(0, "red"), "scoring.mql_threshold"] == 0.9
    assert results.loc[(1, "red"), "scoring.mql_threshold"] == 0.3
    assert results.loc[(4, "red"), "scoring.mql_threshold"] == 0.3  # carried over


def test_silent_roles_keep_their_choices_and_are_flagged(played):
    results = played.results().set_index(["round", "team"])
    assert not results.loc[(1, "red"), "auto_marketing"]
    assert not results.loc[(1, "red"), "auto_sales"]
    assert results.loc[(3, "red"), "auto_marketing"] and results.loc[(3, "red"), "auto_sales"]
    assert results.loc[(3, "red"), "communication.crm_sharing"] == 0.8
    assert results.loc[(3, "blue"), "communication.sla_hours"] == 8.0
    choices, auto = played.choices("red", 3)
    assert auto == {"marketing": True, "sales": True}
    assert choices["scoring.mql_threshold"] == 0.3
    assert choices["sales.prioritisation"] == "score"
    assert choices["communication.crm_sharing"] == 0.8


def test_shared_kpi_round_switches_the_weight_on(played):
    results = played.results().set_index(["round", "team"])
    assert results.loc[(3, "red"), "incentives.shared_kpi_weight"] == 0.0
    assert results.loc[(4, "red"), "incentives.shared_kpi_weight"] == 1.0


def test_leaderboard_ranks_by_revenue(played):
    board = played.leaderboard()
    assert list(board["rank"]) == [1, 2, 3]
    assert set(board["team"]) == {"red", "blue", "green"}
    assert list(board["revenue_to_date"]) == sorted(board["revenue_to_date"], reverse=True)
    last = played.round_results(4).set_index("team")
    ref = last.loc[REFERENCE, "revenue_to_date"]
    for row in board.to_dict("records"):
        assert row["revenue_to_date"] == pytest.approx(last.loc[row["team"], "revenue_to_date"])
        assert row["vs_reference"] == pytest.approx(row["revenue_to_date"] / ref)


def test_state_survives_a_restart(played):
    again = Game(played.folder)
    assert again.teams == played.teams and again.codes == played.codes
    assert again.rounds == played.rounds
    pd.testing.assert_frame_equal(again.results(), played.results())
    pd.testing.assert_frame_equal(again.leaderboard(), played.leaderboard())
    assert again.choices("red", 4) == played.choices("red", 4)


def test_export_writes_every_round(played, tmp_path):
    path = played.export_csv(tmp_path / "out" / "results.csv")
    table = pd.read_csv(path)
    assert len(table) == 5 * 4
    assert set(table["team"]) == {"red", "blue", "green", REFERENCE}
    assert [p.name for p in path.parent.iterdir()] == ["results.csv"]


def test_weekly_ledger_has_every_team(played):
    weekly = played.weekly()
    assert set(weekly["team"]) == {"red", "blue", "green", REFERENCE}
    assert len(weekly) == 4 * 4 * 4  # four companies, four quarters of four weeks


def test_the_first_quarter_opens_on_a_filled_pipeline(played):
    # The company keeps its warm-up, so deals opened before the game close in its first weeks:
    # an empty pipeline would win nothing for weeks (cycle times average 45 days).
    weekly = played.weekly()
    first_weeks = weekly[weekly["week"] <= 2]
    assert (first_weeks.groupby("team")["won"].sum() > 0).all()
    assert played.base.warmup_weeks > 0


# --------------------------------------------------------------------------- creating
@pytest.mark.parametrize("teams", [["Red"], ["red", "red"], [REFERENCE], [], ["red", ""],
                                   ["1team"], ["a" * 21], ["red team"]])
def test_create_refuses_bad_team_names(tmp_path, teams):
    with pytest.raises(GameError, match="teams"):
        Game.create(tmp_path / "game", teams=teams)
    assert not (tmp_path / "game" / "game.yaml").exists()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=string.ascii_letters + string.digits + "-_ .", min_size=1, max_size=24))
def test_team_names_follow_the_pattern(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("names") / "game"
    valid = bool(TEAM_NAME.match(name.strip())) and name.strip() != REFERENCE
    if valid:
        assert Game.create(folder, teams=[name]).teams == [name.strip()]
    else:
        with pytest.raises(GameError):
            Game.create(folder, teams=[name])


def test_create_strips_team_names(tmp_path):
    game = Game.create(tmp_path / "game", teams=[" red", "blue "])
    assert game.teams == ["red", "blue"]


@pytest.mark.parametrize(("options", "key"), [
    ({"rank_by": "won"}, "rank_by"),
    ({"rounds": [{"name": "A", "unlocks": ["magic"]}]}, "magic"),
    ({"rounds": [{"name": "P", "practice": True}]}, "scored round"),
    ({"weeks_per_round": 0}, "weeks_per_round"),
    ({"scenario": "no_such_company"}, "no_such_company"),
])
def test_create_refuses_bad_options(tmp_path, options, key):
    with pytest.raises(GameError, match=key):
        Game.create(tmp_path / "game", teams=["red"], **options)
    assert not (tmp_path / "game" / "game.yaml").exists()


def test_create_refuses_an_existing_game(tmp_path):
    new_game(tmp_path)
    card = (tmp_path / "game" / "game.yaml").read_text()
    with pytest.raises(GameError, match="already exists"):
        new_game(tmp_path, teams=["green"])
    assert (tmp_path / "game" / "game.yaml").read_text() == card


def test_create_checks_round_names_before_writing(tmp_path):
    with pytest.raises(GameError):
        Game.create(tmp_path / "game", teams=["red"], rounds=[{"unlocks": []}])
    assert not (tmp_path / "game" / "game.yaml").exists()


def test_create_reads_null_unlocks_as_nothing_unlocked(tmp_path):
    game = Game.create(tmp_path / "game", teams=["red"], rounds=[{"name": "A", "unlocks": None}])
    assert game.rounds[0].unlocks == ()


def test_create_writes_the_rules_card(tmp_path):
    game = new_game(tmp_path, seed=11, rank_by="profit", name="Tuesday")
    assert (game.folder / "scenario.yaml").is_file()
    assert game.name == "Tuesday" and game.seed == 11 and game.rank_by == "profit"
    assert [r.name for r in game.rounds] == [r["name"] for r in DEFAULT_ROUNDS]
    assert game.rounds[0].practice and not any(r.practice for r in game.rounds[1:])
    assert [r.name for r in new_game(tmp_path / "x", practice=False).rounds] == \
        [r["name"] for r in DEFAULT_ROUNDS[1:]]


def test_missing_game_is_a_game_error(tmp_path):
    with pytest.raises(GameError, match="no game here"):
        Game(tmp_path)


def test_damaged_rules_card_is_a_game_error(tmp_path):
    game = new_game(tmp_path)
    (game.folder / "game.yaml").write_text("name: x\nteams: [red]\n")
    with pytest.raises(GameError, match="damaged rules card"):
        Game(game.folder)
    (game.folder / "game.yaml").write_text("teams: [red\n")
    with pytest.raises(GameError, match="not valid YAML"):
        Game(game.folder)


# --------------------------------------------------------------------------- round life cycle
def test_rounds_open_in_order(tmp_path):
    game = new_game(tmp_path)
    assert game.current_round() is None
    with pytest.raises(GameError, match="process round 0 before opening 1"):
        game.open_round(1)
    assert game.open_round() == 0
    assert game.state(0).status == "open"
    with pytest.raises(GameError, match="opened already"):
        game.open_round(0)
    with pytest.raises(GameError, match="process round 0"):
        game.open_round()
    with pytest.raises(GameError, match="process round 0 first"):
        game.process_round(1)


def test_lock_needs_an_open_round(tmp_path):
    game = new_game(tmp_path)
    with pytest.raises(GameError, match="no round has been opened"):
        game.lock_round()
    with pytest.raises(GameError, match="not open"):
        game.lock_round(0)
    with pytest.raises(GameError, match="does not exist"):
        game.lock_round(9)
    game.open_round()
    assert game.lock_round(now=T0) == 0
    assert game.state(0).status == "locked"
    assert game.state(0).locked_at == T0
    # locking again is refused (of two consoles pressing Lock, one is told) and keeps the time
    with pytest.raises(GameError, match=r"round 0 \(Practice\) is locked already"):
        game.lock_round(now=T0 + timedelta(hours=1))
    assert game.state(0).locked_at == T0


def test_process_needs_an_open_round(tmp_path):
    game = new_game(tmp_path)
    with pytest.raises(GameError, match="no round has been opened"):
        game.process_round()
    with pytest.raises(GameError, match="not open"):
        game.process_round(0)


def test_countdown_locks_the_round_by_itself(tmp_path):
    game = new_game(tmp_path)
    game.open_round(minutes=5, now=T0)
    assert game.state(0, T0 + timedelta(minutes=4)).status == "open"
    assert game.state(0, T0 + timedelta(minutes=5)).status == "locked"
    game.submit("red", "sales", {"sales.cold_calling": 0.5}, now=T0 + timedelta(minutes=1))
    with pytest.raises(GameError, match="locked"):
        game.submit("red", "sales", {"sales.cold_calling": 0.6}, now=T0 + timedelta(minutes=6))
    game.process_round(now=T0 + timedelta(minutes=30))
    assert game.state(0).locked_at == T0 + timedelta(minutes=5)
    assert game.choices("red", 0)[0] == {"sales.cold_calling": 0.5}


@pytest.mark.parametrize("minutes", [0, -1, 24 * 60 + 1])
def test_countdown_must_be_sensible(tmp_path, minutes):
    game = new_game(tmp_path)
    with pytest.raises(GameError, match="minutes"):
        game.open_round(minutes=minutes)
    assert game.state(0).status == "waiting"


def test_no_round_after_the_last(tmp_path):
    game = new_game(tmp_path, rounds=[{"name": "Only"}], weeks_per_round=1)
    game.play({})
    with pytest.raises(GameError, match="does not exist"):
        game.open_round()


# --------------------------------------------------------------------------- round changes
def small_game(tmp_path: Path, **options) -> Game:
    """One team, one-week scored quarters, no replays: processing takes a fraction of a second."""
    options.setdefault("practice", False)
    options.setdefault("luck_reps", 0)
    return new_game(tmp_path, teams=("red",), weeks_per_round=1, **options)


def process(game: Game, index: int | None = None, **kwargs) -> pd.DataFrame:
    return game.process_round(index, executor=SerialExecutor(), **kwargs)


def test_an_open_round_is_locked_before_it_is_processed(tmp_path):
    game = small_game(tmp_path)
    game.open_round()
    with pytest.raises(GameError, match=r"round 0 \(Q1 Silos\) is still open: lock it first"):
        process(game)
    assert game.state(0).status == "open" and game.round_results(0) is None
    game.lock_round()
    process(game)
    assert game.state(0).status == "processed"


def test_a_round_is_processed_once(tmp_path):
    game = small_game(tmp_path)
    game.open_round()
    game.lock_round()
    process(game)
    table = (game.folder / "results" / "round-00.csv").read_text()
    with pytest.raises(GameError, match=r"round 0 \(Q1 Silos\) was processed already"):
        process(game)
    with pytest.raises(GameError, match="was processed already"):
        game.lock_round()
    assert (game.folder / "results" / "round-00.csv").read_text() == table


def test_a_running_countdown_is_not_cut_short_without_force(tmp_path):
    game = small_game(tmp_path)
    game.open_round(minutes=10, now=T0)
    early = T0 + timedelta(minutes=4)
    with pytest.raises(GameError, match="the countdown of round 0 .* runs until 09:10 UTC; "
                                        "lock early with force"):
        game.lock_round(now=early)
    with pytest.raises(GameError, match="open until 09:10 UTC: wait for its countdown, or lock "
                                        "it early with force"):
        process(game, now=early)
    assert game.state(0, early).status == "open" and game.state(0, early).locked_at is None
    assert game.lock_round(now=early, force=True) == 0
    assert game.state(0).status == "locked" and game.state(0).locked_at == early


def test_a_countdown_that_ran_out_needs_no_lock(tmp_path):
    game = small_game(tmp_path)
    game.open_round(minutes=10, now=T0)
    process(game, now=T0 + timedelta(minutes=20))
    state = game.state(0)
    assert state.status == "processed" and state.locked_at == T0 + timedelta(minutes=10)


def test_undo_sets_the_results_aside_and_locks_the_round_again(tmp_path):
    game = small_game(tmp_path)
    game.open_round()
    game.submit("red", "sales", {"sales.cold_calling": 0.6})
    game.lock_round(now=T0)
    process(game)
    files = {p.name: p.read_bytes() for p in game.result_files(0) if p.exists()}
    assert set(files) == {"round-00.csv", "weekly-00.csv", "luck-00.csv", "problems-00.yaml"}

    assert game.undo_round(now=T0 + timedelta(hours=1)) == 0
    state = game.state(0)
    assert state.status == "locked" and state.processed_at is None and state.locked_at == T0
    assert not any(p.exists() for p in game.result_files(0))
    assert game.round_results(0) is None and game.leaderboard().empty
    [kept] = game.undone(0)
    assert kept == game.folder / "rounds" / "00" / "undone-20300304T100000000000Z"
    assert {p.name: p.read_bytes() for p in kept.iterdir()} == files
    # the set-aside copy is not an envelope, and the envelopes still count
    assert game.envelopes(0).problems == [] and ("red", "sales") in game.envelopes(0).valid
    table = process(game)
    assert (game.folder / "results" / "round-00.csv").read_bytes() == files["round-00.csv"]
    assert table.set_index("team").loc["red", "sales.cold_calling"] == 0.6


def test_undo_only_the_last_round_before_the_next_opens(tmp_path):
    game = small_game(tmp_path)
    with pytest.raises(GameError, match="nothing to undo"):
        game.undo_round()
    game.open_round()
    game.lock_round()
    with pytest.raises(GameError, match="nothing to undo"):
        game.undo_round()
    process(game)
    game.open_round()
    with pytest.raises(GameError, match=r"round 0 \(Q1 Silos\) cannot be undone: round 1 "
                                        r"\(Q2 Talk\) has been opened already"):
        game.undo_round()
    game.lock_round()
    process(game)
    with pytest.raises(GameError, match=r"only the last processed round, round 1 \(Q2 Talk\)"):
        game.undo_round(0)
    assert game.state(0).status == "processed" and game.round_results(0) is not None
    assert game.undo_round(1) == 1
    assert game.state(1).status == "locked" and game.state(0).status == "processed"


def test_reopen_takes_envelopes_again(tmp_path):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    with pytest.raises(GameError, match=r"round 0 \(Q1 Silos\) is open: only a locked round"):
        game.reopen_round()
    game.lock_round(now=T0 + timedelta(minutes=1))
    late = game.envelope_path(0, "red", "sales")
    late.write_text(envelope("red", "sales", 0, {"sales.cold_calling": 0.7},
                             at=T0 + timedelta(minutes=2)))
    assert "posted after the round locked" in game.envelopes(0).problems[0]
    with pytest.raises(GameError, match="minutes"):
        game.reopen_round(minutes=0)
    assert game.reopen_round(minutes=5, now=T0 + timedelta(minutes=3)) == 0
    state = game.state(0, T0 + timedelta(minutes=4))
    assert state.status == "open" and state.locked_at is None
    assert state.closes_at == T0 + timedelta(minutes=8)
    assert game.envelopes(0, T0 + timedelta(minutes=4)).valid[("red", "sales")].choices == \
        {"sales.cold_calling": 0.7}
    game.submit("red", "marketing", {"scoring.mql_threshold": 0.4},
                now=T0 + timedelta(minutes=4))
    # the new countdown runs out and locks the round; without one, reopen leaves it open
    process(game, now=T0 + timedelta(minutes=9))
    with pytest.raises(GameError, match="is processed: .* can be reopened \\(undo it first\\)"):
        game.reopen_round()
    game.undo_round()
    game.reopen_round()
    assert game.state(0).status == "open" and game.state(0).closes_at is None


def test_round_changes_wait_for_another_console(tmp_path, monkeypatch):
    from filelock import FileLock

    monkeypatch.setattr("sim.game.storage.LOCK_TIMEOUT", 0.2)
    game = small_game(tmp_path)
    other = FileLock(game.folder / LOCK_FILE)
    with other:  # another console is in the middle of a change
        for change in (game.open_round, game.lock_round, game.undo_round, game.reopen_round,
                       lambda: process(game)):
            with pytest.raises(GameError, match="another console is changing the game; try "
                                                "again"):
                change()
    assert game.state(0).status == "waiting"
    assert game.open_round() == 0


# --------------------------------------------------------------------------- damaged state
def write_state(game: Game, index: int, **data) -> Path:
    path = game.folder / "rounds" / f"{index:02d}" / "state.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data))
    return path


T = T0.isoformat()


@pytest.mark.parametrize(("data", "key", "problem"), [
    ({"status": "banana"}, "status",
     "'banana' is not a round status (one of waiting, open, locked, processed)"),
    ({"status": None}, "status", "not a round status"),
    ({"status": "processed", "opened_at": T, "locked_at": T}, "processed_at", "missing"),
    ({"status": "locked", "opened_at": T}, "locked_at", "missing"),
    ({"status": "open"}, "opened_at", "missing"),
    ({"status": "open", "opened_at": T, "processed_at": T}, "processed_at", "set, but"),
    ({"status": "waiting", "closes_at": T}, "closes_at", "set, but the round is only waiting"),
    ({"status": "open", "opened_at": "teatime"}, "opened_at", "'teatime' is not an ISO"),
    ({"status": "open", "opened_at": T, "closes_at": 5}, "closes_at", "not an ISO date-time"),
    ({"status": "open", "opened_at": T, "closes_at": "2030-03-04T08:00:00+00:00"}, "closes_at",
     "is not after opened_at"),
])
def test_a_damaged_state_file_is_named(tmp_path, data, key, problem):
    game = small_game(tmp_path)
    path = write_state(game, 0, **data)
    with pytest.raises(GameError) as caught:
        game.state(0)
    assert caught.value.source == str(path) and caught.value.key == key
    assert problem in caught.value.problem
    for change in (game.open_round, game.lock_round, game.undo_round, game.reopen_round):
        with pytest.raises(GameError, match=re.escape(f"{path}: {key}")):
            change()
    assert yaml.safe_load(path.read_text()) == data  # nothing acted on it


# --------------------------------------------------------------------------- bounded envelopes
def test_a_huge_envelope_is_skipped_unread(tmp_path, monkeypatch):
    game = small_game(tmp_path)
    game.open_round()
    game.submit("red", "marketing", {"scoring.mql_threshold": 0.4})
    huge = game.envelope_path(0, "red", "sales")
    with huge.open("w", encoding="utf-8") as fh:  # 28 MB: a valid envelope and a long comment
        fh.write(envelope("red", "sales", 0, {"sales.cold_calling": 0.5}))
        fh.write("#" + "x" * (28 * 1024 * 1024) + "\n")
    opened: list[str] = []
    real_read, real_read_text = Mailbox.read_envelope, sim.game.storage.read_text

    def read_text(path, *args, **kwargs):
        assert Path(path) != huge, "the huge envelope was read"
        opened.append(Path(path).name)
        return real_read_text(path, *args, **kwargs)

    monkeypatch.setattr(sim.game.storage, "read_text", read_text)
    found = game.envelopes(0)
    assert list(found.valid) == [("red", "marketing")]
    assert found.problems == [f"rounds/00/red.sales.yaml: too large ({huge.stat().st_size:,} "
                              f"bytes; an envelope holds at most {MAX_ENVELOPE_BYTES:,}) "
                              "(skipped)"]
    assert opened == ["red.marketing.yaml"]
    with pytest.raises(GameError, match="too large"):
        real_read(game.mailbox, huge)
    assert game.status().set_index("team").loc["red", "sales"] == "-"


def test_submit_refuses_an_envelope_over_the_limit(tmp_path):
    game = small_game(tmp_path)
    game.open_round()
    with pytest.raises(GameError, match=r"red\.sales: choices: too large \(.* bytes as YAML; "
                                        r"an envelope holds at most 16,384\)"):
        game.submit("red", "sales", {"sales.prioritisation": "x" * MAX_ENVELOPE_BYTES})
    assert not game.envelope_path(0, "red", "sales").exists()
    game.submit("red", "sales", {"sales.prioritisation": "score"})  # a normal one fits easily
    assert game.envelope_path(0, "red", "sales").stat().st_size < MAX_ENVELOPE_BYTES // 50


# --------------------------------------------------------------------------- submitting
@pytest.fixture
def open_game(tmp_path) -> Game:
    """A game with the practice round played and round 1 (silos) open."""
    game = new_game(tmp_path)
    game.play({}, until=0)
    game.open_round()
    return game


def test_submit_writes_an_envelope(open_game):
    path = open_game.submit("red", "marketing", {"scoring.mql_threshold": 0.6}, now=T0)
    assert path == open_game.folder / "rounds" / "01" / "red.marketing.yaml"
    sub = open_game.read_envelope(path)
    assert (sub.team, sub.role, sub.round) == ("red", "marketing", 1)
    assert sub.choices == {"scoring.mql_threshold": 0.6}
    assert sub.submitted_at == T0
    status = open_game.status().set_index("team")
    assert status.loc["red", "marketing"] != "-"
    assert status.loc["red", "sales"] == "-" and status.loc["blue", "marketing"] == "-"


def test_a_later_submit_replaces_the_earlier(open_game):
    open_game.submit("red", "sales", {"sales.cold_calling": 0.1}, now=T0)
    open_game.submit("red", "sales", {"sales.prospecting_share": 0.5},
                     now=T0 + timedelta(minutes=1))
    valid = open_game.envelopes(1).valid
    assert valid[("red", "sales")].choices == {"sales.prospecting_share": 0.5}
    assert sorted(p.name for p in (open_game.folder / "rounds" / "01").iterdir()) == \
        ["red.sales.yaml", "state.yaml"]


@pytest.mark.parametrize(("role", "choices", "key"), [
    ("marketing", {"sales.cold_calling": 0.5}, "sales.cold_calling"),
    ("sales", {"scoring.mql_threshold": 0.5}, "scoring.mql_threshold"),
    ("marketing", {"communication.crm_sharing": 0.9}, "communication.crm_sharing"),
    ("sales", {"feedback.mode": "closed_loop"}, "feedback.mode"),
    ("sales", {"sales.reps": 9}, "sales.reps"),
    ("marketing", {"scoring.mql_threshold": 1.5}, "scoring.mql_threshold"),
    ("sales", {"sales.prioritisation": "random"}, "sales.prioritisation"),
    ("sales", {"sales.cold_calling": "lots"}, "sales.cold_calling"),
])
def test_submit_refuses_a_lever_not_allowed(open_game, role, choices, key):
    with pytest.raises(GameError, match=key.replace(".", r"\.")):
        open_game.submit("red", role, choices)
    assert not open_game.envelope_path(1, "red", role).exists()


@pytest.mark.parametrize(("team", "role", "key"), [("purple", "sales", "team"),
                                                    ("red", "boss", "role")])
def test_submit_refuses_unknown_players(open_game, team, role, key):
    with pytest.raises(GameError, match=key):
        open_game.submit(team, role, {})


def test_unlocked_levers_are_taken_in_later_rounds(open_game):
    open_game.lock_round()
    open_game.process_round()
    open_game.open_round()
    open_game.submit("red", "marketing", {"communication.crm_sharing": 0.9})
    open_game.submit("red", "sales", {"communication.sla_hours": None})
    with pytest.raises(GameError, match=r"feedback\.mode"):
        open_game.submit("red", "sales", {"feedback.mode": "closed_loop"})
    assert open_game.envelopes(2).valid[("red", "sales")].choices == \
        {"communication.sla_hours": None}


def test_submit_refuses_a_round_that_is_not_open(tmp_path):
    game = new_game(tmp_path)
    with pytest.raises(GameError, match="no round has been opened"):
        game.submit("red", "sales", {})
    game.open_round()
    with pytest.raises(GameError, match="waiting"):
        game.submit("red", "sales", {}, index=1)
    game.lock_round()
    with pytest.raises(GameError, match="locked"):
        game.submit("red", "sales", {})


# --------------------------------------------------------------------------- bad envelopes
MALFORMED = {
    "invalid_yaml": ("red.sales.yaml", "team: red\nchoices: {sales.cold_calling: [0.5\n"),
    "not_a_mapping": ("red.sales.yaml", "- red\n- sales\n"),
    "empty_file": ("red.sales.yaml", ""),
    "not_utf8": ("red.sales.yaml", b"\xff\xfe\x00team"),
    "wrong_team": ("red.sales.yaml", envelope("blue", "sales", 1)),
    "wrong_role": ("red.sales.yaml", envelope("red", "marketing", 1)),
    "wrong_round": ("red.sales.yaml", envelope("red", "sales", 2)),
    "unknown_lever": ("red.sales.yaml", envelope("red", "sales", 1, {"sales.magic": 1})),
    "other_role_lever": ("red.sales.yaml", envelope("red", "sales", 1,
                                                    {"scoring.mql_threshold": 0.1})),
    "locked_lever": ("red.sales.yaml", envelope("red", "sales", 1,
                                                {"communication.sla_hours": 4})),
    "bad_value": ("red.sales.yaml", envelope("red", "sales", 1, {"sales.cold_calling": 2})),
    "nan_value": ("red.sales.yaml", envelope("red", "sales", 1,
                                             {"sales.prospecting_share": float("nan")})),
    "choices_list": ("red.sales.yaml", envelope("red", "sales", 1, ["sales.cold_calling"])),
    "no_time": ("red.sales.yaml", "team: red\nrole: sales\nround: 1\nchoices: {}\n"),
    "bad_time": ("red.sales.yaml", envelope("red", "sales", 1, submitted_at="teatime")),
    "no_role_in_name": ("red.yaml", envelope("red", "sales", 1)),
    "extra_dot_in_name": ("red.sales.v2.yaml", envelope("red", "sales", 1)),
    "unknown_team": ("purple.sales.yaml", envelope("purple", "sales", 1)),
    "unknown_role": ("red.boss.yaml", envelope("red", "boss", 1)),
    "upper_case_name": ("Red.sales.yaml", envelope("Red", "sales", 1)),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_envelopes_are_reported_and_skipped(open_game, case):
    name, content = MALFORMED[case]
    path = open_game.folder / "rounds" / "01" / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    open_game.submit("blue", "sales", {"sales.cold_calling": 0.4})
    found = open_game.envelopes(1)
    assert list(found.valid) == [("blue", "sales")]
    assert len(found.problems) == 1 and f"rounds/01/{name}" in found.problems[0]
    assert found.problems[0].endswith("(skipped)")
    with pytest.raises(GameError, match=name.replace(".", r"\.")):
        open_game.read_envelope(path)
    open_game.lock_round()
    table = open_game.process_round().set_index("team")
    assert table.loc["red", "auto_sales"] and not table.loc["blue", "auto_sales"]
    assert open_game.problems(1) == found.problems
    assert Game(open_game.folder).problems(1) == found.problems


def test_problems_are_listed_before_processing(open_game):
    (open_game.folder / "rounds" / "01" / "red.sales.yaml").write_text("[")
    assert len(open_game.problems(1)) == 1 and "red.sales.yaml" in open_game.problems(1)[0]


def test_hidden_and_temporary_files_are_ignored(open_game):
    folder = open_game.folder / "rounds" / "01"
    (folder / "._red.sales.yaml").write_bytes(b"\x00\x05\x16\x07 resource fork")
    (folder / ".red.sales.yaml.k2j3.tmp").write_text("half written")
    (folder / "notes.txt").write_text("not an envelope")
    found = open_game.envelopes(1)
    assert found.valid == {} and found.problems == []


def test_envelope_posted_after_the_lock_is_late(open_game):
    open_game.submit("red", "sales", {"sales.cold_calling": 0.5}, now=T0 + timedelta(minutes=1))
    open_game.submit("blue", "sales", {"sales.cold_calling": 0.5}, now=T0 + timedelta(hours=1))
    open_game.lock_round(now=T0 + timedelta(minutes=30))
    found = open_game.envelopes(1)
    assert list(found.valid) == [("red", "sales")]
    assert found.problems == ["rounds/01/blue.sales.yaml: posted after the round locked (skipped)"]
    table = open_game.process_round().set_index("team")
    assert not table.loc["red", "auto_sales"] and table.loc["blue", "auto_sales"]
    assert table.loc["blue", "sales.cold_calling"] != 0.5


def test_late_envelope_after_a_countdown(tmp_path):
    game = new_game(tmp_path)
    game.open_round(minutes=10, now=T0)
    path = game.envelope_path(0, "red", "marketing")
    path.write_text(envelope("red", "marketing", 0, {"scoring.mql_threshold": 0.2},
                             at=T0 + timedelta(minutes=11)))
    assert "posted after the round locked" in game.envelopes(0).problems[0]
    path.write_text(envelope("red", "marketing", 0, {"scoring.mql_threshold": 0.2},
                             at=T0 + timedelta(minutes=9)))
    assert game.envelopes(0).valid[("red", "marketing")].choices == {"scoring.mql_threshold": 0.2}


def test_processing_with_only_bad_envelopes_never_raises(open_game):
    folder = open_game.folder / "rounds" / "01"
    files = {name: content for name, content in MALFORMED.values()}  # the last of each name
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    open_game.lock_round()
    table = open_game.process_round()
    teams = table[table["team"] != REFERENCE]
    assert teams["auto_marketing"].all() and teams["auto_sales"].all()
    problems = open_game.problems(1)
    assert len(problems) == len(files)
    for name in files:
        assert any(f"rounds/01/{name}:" in p for p in problems), name


def test_a_folder_named_like_an_envelope_is_skipped(open_game):
    (open_game.folder / "rounds" / "01" / "red.sales.yaml").mkdir()
    found = open_game.envelopes(1)
    assert found.valid == {} and "red.sales.yaml" in found.problems[0]
    open_game.lock_round()
    open_game.process_round()


@pytest.mark.parametrize("choices", [[], False, 0, ""])
def test_empty_non_mapping_choices_are_reported(open_game, choices):
    path = open_game.envelope_path(1, "red", "sales")
    path.write_text(envelope("red", "sales", 1).replace("choices: {}", f"choices: {choices!r}"))
    assert ("red", "sales") not in open_game.envelopes(1).valid


def test_every_valid_team_name_survives_the_results_files(tmp_path):
    game = new_game(tmp_path, teams=["red", "nan", "null"], practice=False)
    game.play({}, until=0)
    assert set(game.results()["team"]) == {"red", "nan", "null", REFERENCE}
    assert set(game.leaderboard()["team"]) == {"red", "nan", "null"}


# --------------------------------------------------------------------------- leaderboard
def test_leaderboard_is_empty_before_a_scored_round(tmp_path):
    game = new_game(tmp_path)
    assert game.leaderboard().empty
    game.play({}, until=0)  # the practice round only
    board = game.leaderboard()
    assert board.empty and "revenue_to_date" in board.columns
    assert not game.results().empty


def test_leaderboard_can_rank_by_profit(tmp_path):
    game = new_game(tmp_path, teams=["red", "blue", "green"], rank_by="profit", practice=False,
                    weeks_per_round=3)
    game.play({0: {"red": {"sales": {"sales.cold_calling": 0.9}},
                   "green": {"marketing": {"marketing.brand_share": 0.5}}}}, until=1)
    board = game.leaderboard()
    assert list(board["profit_to_date"]) == sorted(board["profit_to_date"], reverse=True)
    ref = game.round_results(1).set_index("team").loc[REFERENCE, "profit_to_date"]
    assert list(board["vs_reference"]) == pytest.approx(list(board["profit_to_date"] / ref))
    assert Game(game.folder).rank_by == "profit"


def test_leaderboard_breaks_ties_by_name(tmp_path):
    game = new_game(tmp_path, teams=["zed", "amy", "kim"], practice=False)
    board = game.play({}, until=0)
    assert list(board["team"]) == ["amy", "kim", "zed"]
    assert board["revenue_to_date"].nunique() == 1


def test_play_stops_and_resumes(tmp_path):
    game = new_game(tmp_path)
    game.play({}, until=1)
    assert game.last_processed() == 1 and game.last_complete_round() == 1
    assert game.state(2).status == "waiting"
    game.play({3: {"blue": {"sales": {"feedback.mode": "closed_loop"}}}})
    assert game.last_processed() == 4
    row = game.round_results(4).set_index("team").loc["blue"]
    assert row["feedback.mode"] == "closed_loop"


def test_export_refuses_before_processing(tmp_path):
    game = new_game(tmp_path)
    with pytest.raises(GameError, match="no round has been processed"):
        game.export_csv(tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


# --------------------------------------------------------------------------- links and codes
def test_links_name_every_team_and_role(tmp_path):
    game = new_game(tmp_path)
    links = game.links("https://game.example/lab/")
    assert len(links) == 4
    assert list(links.columns) == ["team", "role", "code", "link"]
    for row in links.to_dict("records"):
        key = game.key_for(row["team"], row["role"])
        assert row["link"] == f"https://game.example/lab/play?key={key}"
        assert row["team"] not in row["link"]  # the link names no team: the key is the pass
        assert game.player(key) == (row["team"], row["role"])
        assert game.team_role(row["code"]) == (row["team"], row["role"])
        assert game.team_role(f" {row['code'].lower()} ") == (row["team"], row["role"])
        assert game.team_role(f"{row['code'][:3]}-{row['code'][3:]}") == (row["team"],
                                                                           row["role"])
    assert links["code"].is_unique


def test_links_default_address(tmp_path, monkeypatch):
    game = new_game(tmp_path)
    monkeypatch.delenv("LEADFLOW_GAME_URL", raising=False)
    assert game.links()["link"][0].startswith("http://localhost:8866/play?key=")
    monkeypatch.setenv("LEADFLOW_GAME_URL", "http://room-12:9000")
    assert game.links()["link"][0].startswith("http://room-12:9000/play?key=")


def test_every_player_and_the_console_get_their_own_unguessable_key(tmp_path):
    game = new_game(tmp_path, teams=[f"t{i}" for i in range(40)])
    keys = [*game.keys.values(), game.console_key]
    assert len(set(keys)) == 81
    assert all(len(key) >= 24 for key in keys)  # 18 random bytes and more
    assert game.player(game.console_key) is None
    assert not game.is_console_key(game.key_for("t0", "sales"))
    assert game.is_console_key(game.console_key)
    assert game.console_link("http://127.0.0.1:8867/") == \
        f"http://127.0.0.1:8867/console?key={game.console_key}"


@pytest.mark.parametrize("key", ["", "t0/sales", "red", "x" * 24])
def test_a_wrong_key_is_nobody(tmp_path, key):
    game = new_game(tmp_path)
    assert game.player(key) is None
    assert not game.is_console_key(key)


def test_codes_are_easy_to_read_aloud(tmp_path):
    game = new_game(tmp_path, teams=[f"t{i}" for i in range(40)])
    assert len(game.codes) == 80
    for code in game.codes:
        assert len(code) == CODE_LENGTH == 6 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("01OI")


@pytest.mark.parametrize("code", ["", "ZZZZZ", "red/sales", "0000", "red"])
def test_unknown_code_is_a_game_error_that_names_no_team(tmp_path, code):
    game = new_game(tmp_path)
    with pytest.raises(GameError, match="not a code of this game") as err:
        game.team_role(code)
    assert "blue" not in str(err.value) and "red/" not in str(err.value)


def test_a_rules_card_without_codes_or_keys_is_one_clear_line(tmp_path):
    """A damaged or older rules card: the links say what is missing instead of crashing."""
    game = new_game(tmp_path)
    card = game.folder / "game.yaml"
    data = yaml.safe_load(card.read_text())
    del data["codes"], data["keys"], data["console_key"]
    card.write_text(yaml.safe_dump(data))
    older = Game(game.folder)
    with pytest.raises(GameError, match="codes.*no join code"):
        older.links()
    with pytest.raises(GameError, match="console_key"):
        older.console_link("http://127.0.0.1:8867")
    assert older.player("anything") is None


# --------------------------------------------------------------------------- writing files
def test_write_atomically_replaces_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "deep" / "card.yaml"
    write_atomically(path, "first\n")
    write_atomically(path, "second\n")
    assert path.read_text() == "second\n"
    assert [p.name for p in path.parent.iterdir()] == ["card.yaml"]


def test_write_atomically_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "card.yaml"
    write_atomically(path, "old\n")
    with pytest.raises(TypeError):
        write_atomically(path, 42)  # type: ignore[arg-type]
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["card.yaml"]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_write_atomically_keeps_the_text_exactly(tmp_path, text):
    path = tmp_path / "any.txt"
    write_atomically(path, text)
    assert path.read_bytes() == text.encode("utf-8")


def test_the_company_and_rules_files_begin_with_one_comment_marker(tmp_path):
    game = new_game(tmp_path)
    company = (game.folder / "scenario.yaml").read_text(encoding="utf-8").splitlines()
    assert company[0] == "# The company every team inherits (copied from workshop_game)."
    card = (game.folder / "game.yaml").read_text(encoding="utf-8").splitlines()
    assert card[0] == ("# LeadFlow Lab workshop game: the rules card. Written once when the "
                       "game is created.")


def test_game_files_leave_no_temporary_files(played):
    # the folder's lock file stays (removing it would let two consoles lock two files)
    leftovers = [p for p in played.folder.rglob("*") if p.name.startswith(".")
                 and p != played.folder / LOCK_FILE]
    assert leftovers == []


def test_results_have_no_missing_kpis(played):
    results = played.results()
    for name in ("revenue", "revenue_to_date", "profit", "mqls", "bookings", "trust"):
        assert results[name].notna().all(), name
    assert all(math.isfinite(v) for v in results["trust"])


def test_every_team_inherits_the_same_company(tmp_path):
    # The warm-up runs before any choice: whatever a team picks for its first quarter, the
    # company it takes over (pipeline, trust) is the same, and the untouched one matches it.
    game = new_game(tmp_path, teams=("red", "blue"), weeks_per_round=1)
    game.play({1: {"red": {"marketing": {"scoring.mql_threshold": 0.2},
                           "sales": {"sales.prioritisation": "score"}}}}, until=1)
    from sim import run

    company = run(game.company(1), seed=game.seed, event_log=False)
    weekly = game.weekly()
    start = weekly[weekly["week"] == 1].set_index("team")
    # the first week's choices act from the first week on, but trust at the opening of the
    # books is the company's: trust moves by at most one week's step from the same start
    assert abs(start.loc["red", "trust"] - start.loc["blue", "trust"]) < 0.02
    assert start.loc["blue", "trust"] == pytest.approx(company.weekly["trust"].iloc[0])


# --------------------------------------------------------------------------- luck
def test_every_scored_round_is_replayed_with_other_luck(played):
    assert played.luck_reps == 2
    assert not (played.folder / "results" / "luck-00.csv").exists()  # practice: not ranked
    assert played.luck(0).empty
    for rnd in played.scored_rounds():
        luck = played.luck(rnd.index)
        assert list(luck.columns) == list(LUCK_COLUMNS)
        assert len(luck) == 4 * (1 + played.luck_reps)
        assert (luck["round"] == rnd.index).all()
        for team, rows in luck.groupby("team"):
            assert list(rows["replication"]) == list(range(1 + played.luck_reps)), team
        assert set(luck["team"]) == {"red", "blue", "green", REFERENCE}
        # the replays are other luck: the same company does not end the same each time
        red = luck[luck["team"] == "red"]["revenue_to_date"]
        assert red.nunique() == len(red)


def test_replication_zero_is_the_played_world(played):
    from sim import run

    for rnd in played.scored_rounds():
        luck = played.luck(rnd.index)
        played_world = luck[luck["replication"] == 0].set_index("team")
        official = played.round_results(rnd.index).set_index("team")
        for column in ("revenue_to_date", "profit_to_date"):
            assert played_world[column].to_dict() == official[column].to_dict()
    # and the official score is still that of one plain run of the team's company
    timeline = played.scored_rounds()
    weeks = played.weeks_per_round * len(timeline)
    changes = {k * played.weeks_per_round: played.scenario_for(played.choices("red", r.index)[0],
                                                               r, weeks)
               for k, r in enumerate(timeline)}
    single = run(played.company(weeks), seed=played.seed, changes=changes).kpis
    last = played.round_results(timeline[-1].index).set_index("team").loc["red"]
    assert last["revenue_to_date"] == single["revenue"]
    assert last["profit_to_date"] == single["profit"]


def test_teams_that_choose_alike_are_tied_and_share_first_place(played):
    board = played.leaderboard().set_index("team")
    assert board.loc["blue", "place"] == board.loc["green", "place"]
    assert board.loc["blue", "place"].startswith("=")
    assert "green" in board.loc["blue", "tied_with"].split(", ")
    assert "blue" in board.loc["green", "tied_with"].split(", ")
    assert board.loc["blue", "p_first"] == board.loc["green", "p_first"]
    assert board["p_first"].sum() == pytest.approx(1.0)
    for column in ("luck_low", "luck_high"):
        assert board.loc["blue", column] == board.loc["green", column]
    assert (board["luck_low"] <= board["revenue_to_date"]).all()
    assert (board["revenue_to_date"] <= board["luck_high"]).all()
    assert (board["vs_reference_low"] <= board["vs_reference_high"]).all()
    assert (board["replications"] == 1 + played.luck_reps).all()
    assert any("blue" in line and "green" in line and "tied" in line
               for line in luck_sentences(played.leaderboard()))


def test_identical_companies_share_one_simulation(tmp_path, monkeypatch):
    calls = []
    simulate = sim.game.processing._simulate
    monkeypatch.setattr(sim.game.processing, "_simulate",
                        lambda spec: calls.append(spec) or simulate(spec))
    game = new_game(tmp_path, teams=["red", "blue", "green"], practice=False, luck_reps=2)
    game.play({0: {"red": {"sales": {"sales.cold_calling": 0.5}}}}, until=0,
              executor=SerialExecutor())
    # blue and green are one company, red another, and the reference a third
    assert len(calls) == 3 * 3
    assert len(game.luck(0)) == 4 * 3


def bad_and_good(folder: Path, **options) -> Game:
    """A game of two teams after one quarter: ``good`` plays the reference's core levers,
    ``bad`` the same with a price far below value and an MQL bar that lets almost nothing
    through."""
    core = {role: {k: REFERENCE_CHOICES[k] for k in LEVERS[role]["core"]}
            for role in ("marketing", "sales")}
    worse = {**core["marketing"], "pricing.price_index": 0.6, "scoring.mql_threshold": 0.95}
    game = new_game(folder, teams=["bad", "good"], practice=False, weeks_per_round=6,
                    **options)
    game.play({0: {"good": core, "bad": {"marketing": worse, "sales": core["sales"]}}},
              until=0, executor=SerialExecutor())
    return game


def test_a_clearly_better_plan_is_not_tied(tmp_path):
    game = bad_and_good(tmp_path, luck_reps=3)
    board = game.leaderboard().set_index("team")
    assert list(board.index) == ["good", "bad"]
    assert list(board["place"]) == ["1", "2"]
    assert list(board["tied_with"]) == ["", ""]
    assert board.loc["good", "p_first"] == 1.0 and board.loc["bad", "p_first"] == 0.0
    assert "No two neighbours" in luck_sentences(game.leaderboard())[0]


def test_pool_and_serial_write_the_same_results(tmp_path):
    script = {0: {"red": {"marketing": {"pricing.price_index": 1.2}}},
              1: {"blue": {"sales": {"sales.cold_calling": 0.4}}}}
    folders = {}
    for name, executor in (("serial", SerialExecutor()), ("pool", PoolExecutor(2))):
        try:
            game = new_game(tmp_path / name, practice=False, luck_reps=2)
            game.play(script, until=1, executor=executor)
        finally:
            executor.close()
        folders[name] = game.folder / "results"
    names = sorted(p.name for p in folders["serial"].iterdir())
    assert "luck-01.csv" in names
    assert names == sorted(p.name for p in folders["pool"].iterdir())
    for name in names:
        assert (folders["serial"] / name).read_bytes() == (folders["pool"] / name).read_bytes()


def test_a_rules_card_without_luck_reps_loads(tmp_path):
    game = new_game(tmp_path, practice=False, luck_reps=0, weeks_per_round=13,
                    teams=[f"t{i}" for i in range(20)])
    card = game.folder / "game.yaml"
    data = yaml.safe_load(card.read_text())
    assert data.pop("luck_reps") == 0
    card.write_text(yaml.safe_dump(data, sort_keys=False))
    again = Game(game.folder)
    # what a new game of that size would get: 20 teams of 13-week quarters fit two replays
    assert again.luck_reps == 2
    assert Game.create(tmp_path / "new", teams=again.teams, weeks_per_round=13,
                       practice=False).luck_reps == 2
    again.weeks_per_round = 1  # keeps the test short; the card is what was under test
    again.play({}, until=0)
    assert list(again.luck(0)["replication"].unique()) == [0, 1, 2]


@pytest.mark.parametrize(("teams", "weeks", "replays"), [
    (20, 13, 2), (15, 13, 3), (10, 13, 4), (6, 13, 8), (4, 13, 9), (1, 13, 9), (40, 13, 2),
    (20, 4, 5),
])
def test_default_replays_fit_the_room(teams, weeks, replays):
    assert default_luck_reps(teams, weeks, 4, 13) == replays


def test_a_new_game_writes_its_replays_on_the_rules_card(tmp_path):
    game = Game.create(tmp_path / "game", teams=["red", "blue"], weeks_per_round=13)
    assert game.luck_reps == 9
    assert yaml.safe_load((game.folder / "game.yaml").read_text())["luck_reps"] == 9


def test_rounds_processed_without_replays_rank_as_before(tmp_path):
    game = new_game(tmp_path, teams=["zed", "amy"], practice=False, luck_reps=0)
    board = game.play({0: {"zed": {"marketing": {"pricing.price_index": 1.4}}}}, until=0)
    assert board["revenue_to_date"].nunique() == 2  # a real gap, not a tie
    assert list(game.luck(0)["replication"]) == [0, 0, 0]
    assert list(board["place"]) == ["1", "2"] and list(board["tied_with"]) == ["", ""]
    assert board[["luck_low", "luck_high", "p_first"]].isna().all().all()
    assert luck_sentences(board) == []
    (game.folder / "results" / "luck-00.csv").unlink()  # as if processed before replays existed
    again = game.leaderboard()
    assert list(again["place"]) == ["1", "2"] and (again["replications"] == 0).all()


@pytest.mark.parametrize("luck_reps", [-1, 51])
def test_create_refuses_a_bad_number_of_replays(tmp_path, luck_reps):
    with pytest.raises(GameError, match="luck_reps"):
        new_game(tmp_path, luck_reps=luck_reps)
    assert not (tmp_path / "game").exists()


def test_a_damaged_number_of_replays_is_a_game_error(tmp_path):
    game = new_game(tmp_path)
    card = game.folder / "game.yaml"
    for bad in ("-3", "true", "2.5", "many"):
        card.write_text(re.sub(r"luck_reps: .*", f"luck_reps: {bad}", card.read_text()))
        with pytest.raises(GameError, match="luck_reps"):
            Game(game.folder)


def test_without_replays_only_an_exact_tie_shares_a_place(tmp_path):
    """Two teams that chose the same on the same random numbers score the same: nothing tells
    them apart, so neither is shown second; a team that scored differently keeps its rank."""
    game = Game.create(tmp_path / "g", ["red", "blue", "green"], practice=False,
                       weeks_per_round=6, luck_reps=0)
    game.open_round()
    game.submit("green", "marketing", {"pricing.price_index": 1.4})
    game.lock_round()
    game.process_round()
    board = game.leaderboard().set_index("team")
    assert board.loc["red", "revenue_to_date"] == board.loc["blue", "revenue_to_date"]
    assert board.loc["red", "place"] == board.loc["blue", "place"]
    assert board.loc["red", "place"].startswith("=")
    assert board.loc["red", "tied_with"] == "blue" and board.loc["blue", "tied_with"] == "red"
    assert board.loc["green", "revenue_to_date"] != board.loc["red", "revenue_to_date"]
    assert not board.loc["green", "place"].startswith("=")


def test_open_game_is_shared_until_the_rules_card_changes(tmp_path):
    game = new_game(tmp_path)
    first = sim_game.open_game(game.folder)
    assert sim_game.open_game(game.folder) is first  # the room's pages share one loaded game
    card = game.folder / "game.yaml"
    write_atomically(card, card.read_text().replace(f"name: {game.name}", "name: renamed"))
    again = sim_game.open_game(game.folder)
    assert again is not first and again.name == "renamed"
    with pytest.raises(GameError, match="no game here"):
        sim_game.open_game(tmp_path / "missing")
