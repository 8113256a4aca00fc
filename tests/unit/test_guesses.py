"""Unit tests of sim.game.guesses: the teams' guesses of their revenue, posted, read back and
set against the results, through a small game folder (two weeks a quarter, no replays).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from sim.game import Game, GameError
from sim.game.guesses import (
    GUESS_COLUMNS,
    MAX_GUESS,
    NO_GUESS,
    miss_text,
    parse_amount,
    shown_guesses,
)
from sim.parallel import SerialExecutor

T0 = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def small_game(tmp_path: Path, **options) -> Game:
    options.setdefault("practice", False)
    return Game.create(tmp_path / "game", teams=["red", "blue"], weeks_per_round=2,
                       luck_reps=0, **options)


def process(game: Game, **kwargs):
    return game.process_round(executor=SerialExecutor(), **kwargs)


def slip(game: Game, name: str, index: int = 0, **data) -> Path:
    """Write the guess file ``name`` (``TEAM.ROLE``) by hand, with ``data`` over what a
    player's page would write (what a damaged or doctored folder would hold)."""
    team, role = name.split(".")
    record = {"team": team, "role": role, "round": index, "amount": 1000.0,
              "submitted_at": T0.isoformat(), **data}
    path = game.slips.path(index, team, role)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- typing a guess
@pytest.mark.parametrize(("typed", "amount"), [
    ("1200000", 1_200_000), ("1,200,000", 1_200_000), ("€1,200,000", 1_200_000),
    ("1 200 000 €", 1_200_000), ("1'200'000", 1_200_000), ("1.2m", 1_200_000),
    ("1.2 M", 1_200_000), ("1,5 m", 1_500_000), ("250k", 250_000), ("250 K", 250_000),
    ("2 million", 2_000_000), ("0.4bn", 400_000_000), ("350000.50", 350_000.5),
    ("1,500", 1500), (" 0 ", 0), (420_000, 420_000), (3.5e5, 350_000),
])
def test_a_guess_may_be_typed_as_people_write_money(typed, amount):
    assert parse_amount(typed) == pytest.approx(amount)


@pytest.mark.parametrize("typed", ["", "  ", "lots", "-5", "−5", "1.2.3", "12x", "1e6",
                                   "1,2,3", "nan", "inf", float("nan"), float("inf"), -1.0,
                                   MAX_GUESS * 10, True, None])
def test_a_bad_guess_is_refused_with_one_line_that_says_how_to_type_it(typed):
    with pytest.raises(GameError) as caught:
        parse_amount(typed, "red.sales")
    message = str(caught.value)
    assert message.startswith("red.sales: guess: ") and "\n" not in message
    assert "e.g. 1200000" in message or "more than" in message


def test_the_miss_is_signed_and_says_too_high_or_too_low():
    assert miss_text(0.123) == "+12 %"
    assert miss_text(-0.08) == "\u22128 %"
    assert miss_text(0.001) == "±0 %"
    assert miss_text(float("nan")) == "–" and miss_text(None) == "–"


# --------------------------------------------------------------------------- posting
def test_a_guess_is_filed_whole_in_the_rounds_guess_folder(tmp_path):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    path = game.post_guess("red", "marketing", "350k", now=T0)
    assert path == game.folder / "rounds" / "00" / "guesses" / "red.marketing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data == {"team": "red", "role": "marketing", "round": 0, "amount": 350_000.0,
                    "submitted_at": "2030-03-04T09:00:00.000000+00:00"}
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file
    # the guess folder is no envelope: the round's envelopes know nothing of it
    assert game.envelopes(0).problems == [] and game.envelopes(0).valid == {}


@pytest.mark.parametrize(("team", "role", "key"), [("green", "sales", "team"),
                                                   ("red", "finance", "role")])
def test_only_a_team_and_role_of_the_game_may_guess(tmp_path, team, role, key):
    game = small_game(tmp_path)
    game.open_round()
    with pytest.raises(GameError, match=rf"^{team}\.{role}: {key}: "):
        game.post_guess(team, role, 1000)
    assert not (game.folder / "rounds" / "00" / "guesses").exists()


def test_guesses_are_taken_only_while_the_round_is_open(tmp_path):
    game = small_game(tmp_path)
    with pytest.raises(GameError, match="no round has been opened yet"):
        game.post_guess("red", "sales", 1000)
    game.open_round(minutes=5, now=T0)
    game.post_guess("red", "sales", 1000, now=T0 + timedelta(minutes=4))
    with pytest.raises(GameError, match=r"round 0 \(Q1 Silos\) is locked: guesses are taken "
                                        "only while a round is open"):
        game.post_guess("red", "sales", 2000, now=T0 + timedelta(minutes=6))  # ran out
    assert game.guesses(0).counted["red"].amount == 1000


def test_a_bad_amount_writes_nothing(tmp_path):
    game = small_game(tmp_path)
    game.open_round()
    game.post_guess("red", "sales", 1000)
    with pytest.raises(GameError, match="'lots' is not an amount"):
        game.post_guess("red", "sales", "lots")
    assert game.guesses(0).counted["red"].amount == 1000


def test_the_last_guess_before_the_lock_counts_whichever_half_posted_it(tmp_path):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    game.post_guess("red", "marketing", 100_000, now=T0 + timedelta(minutes=1))
    game.post_guess("red", "sales", 200_000, now=T0 + timedelta(minutes=2))
    assert game.guesses(0).counted["red"].role == "sales"
    game.post_guess("red", "marketing", 300_000, now=T0 + timedelta(minutes=3))
    counted = game.guesses(0).counted
    assert (counted["red"].role, counted["red"].amount) == ("marketing", 300_000)
    assert "blue" not in counted


def test_a_guess_dated_after_the_lock_is_skipped(tmp_path):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    game.post_guess("red", "sales", 100_000, now=T0)
    game.lock_round(now=T0 + timedelta(minutes=1))
    slip(game, "red.marketing", amount=999_999.0,
         submitted_at=(T0 + timedelta(minutes=2)).isoformat())
    found = game.guesses(0)
    assert found.counted["red"].amount == 100_000
    assert found.problems == ["rounds/00/guesses/red.marketing.yaml: posted after the round "
                              "locked (skipped)"]


@pytest.mark.parametrize(("data", "problem"), [
    ({"team": "blue"}, "team: says 'blue', but the file is filed as 'red'"),
    ({"round": 3}, "round: says 3"),
    ({"amount": "lots"}, "amount: 'lots' is not a number"),
    ({"amount": -4.0}, "guess: -4.0 is not an amount"),
    ({"submitted_at": "yesterday"}, "submitted_at: 'yesterday' is not an ISO date-time"),
])
def test_a_damaged_guess_file_is_named_and_skipped(tmp_path, data, problem):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    slip(game, "red.sales", **data)
    found = game.guesses(0)
    assert found.counted == {}
    [line] = found.problems
    assert line.startswith("rounds/00/guesses/red.sales.yaml: ") and problem in line


def test_a_misnamed_guess_file_is_skipped(tmp_path):
    game = small_game(tmp_path)
    game.open_round()
    folder = game.folder / "rounds" / "00" / "guesses"
    folder.mkdir(parents=True)
    (folder / "red.yaml").write_text("amount: 5\n", encoding="utf-8")
    (folder / ".red.sales.yaml.tmp").write_text("half-written", encoding="utf-8")
    found = game.guesses(0)
    assert found.counted == {} and len(found.problems) == 1
    assert "guess files are named TEAM.ROLE.yaml" in found.problems[0]


# --------------------------------------------------------------------------- the reveal
def test_after_processing_each_guess_stands_beside_its_result(tmp_path):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    game.post_guess("red", "sales", 300_000, now=T0)
    before = game.guess_table(0)
    assert list(before.columns) == list(GUESS_COLUMNS)
    assert before["result"].isna().all()  # nothing to compare with before processing
    game.lock_round(now=T0 + timedelta(minutes=1))
    results = process(game).set_index("team")
    table = game.guess_table(0).set_index("team")
    assert list(table.index) == ["red", "blue"]  # the teams, never the reference
    assert table.loc["red", "result"] == pytest.approx(results.loc["red", "revenue"])
    assert table.loc["red", "miss"] == pytest.approx(300_000 / results.loc["red", "revenue"] - 1)
    assert table.loc["red", "guessed_by"] == "sales"
    assert math.isnan(table.loc["blue", "guess"]) and math.isnan(table.loc["blue", "miss"])
    shown = shown_guesses(game.guess_table(0)).set_index("team")
    assert shown.loc["blue", "guess"] == NO_GUESS and shown.loc["blue", "miss"] == "–"
    assert shown.loc["red", "guess"] == "€300,000"
    assert shown.loc["red", "result"].startswith("€")


def test_a_round_that_does_not_exist_has_no_guess_table(tmp_path):
    game = small_game(tmp_path)
    with pytest.raises(GameError, match="round"):
        game.guess_table(9)


def test_a_game_folder_without_guesses_opens_and_shows_no_guess(tmp_path):
    """A game played before guesses existed (no guess folder anywhere) reads as nobody
    guessing, and its result files are as they were."""
    game = small_game(tmp_path)
    game.play({}, until=0, executor=SerialExecutor())
    assert not list(game.folder.rglob("guesses"))
    again = Game(game.folder)
    table = again.guess_table(0)
    assert table["guess"].isna().all() and table["result"].notna().all()
    assert not [p for p in again.folder.rglob("*") if "guess" in p.name]


def test_undo_hides_the_comparison_and_closes_the_guesses_for_good(tmp_path):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    game.post_guess("red", "marketing", 300_000, now=T0)
    game.lock_round(now=T0 + timedelta(minutes=1))
    first = process(game).set_index("team")
    game.undo_round(now=T0 + timedelta(minutes=2))
    assert game.guess_table(0)["result"].isna().all()  # no results in force: no comparison
    assert game.guesses(0).counted["red"].amount == 300_000  # the guess itself stays
    game.reopen_round(now=T0 + timedelta(minutes=3))
    # the room has seen this quarter's revenue: a new guess now would be no guess
    with pytest.raises(GameError, match="have been shown already"):
        game.post_guess("blue", "sales", first.loc["blue", "revenue"],
                        now=T0 + timedelta(minutes=4))
    assert game.guesses_closed(0, now=T0 + timedelta(minutes=4)) is not None
    game.submit("red", "marketing", {"pricing.price_index": 1.5}, now=T0 + timedelta(minutes=4))
    game.lock_round(now=T0 + timedelta(minutes=5))
    again = process(game).set_index("team")
    table = game.guess_table(0).set_index("team")
    assert table.loc["red", "guess"] == 300_000
    assert table.loc["red", "result"] == pytest.approx(again.loc["red", "revenue"])
    assert again.loc["red", "revenue"] != first.loc["red", "revenue"]
    assert math.isnan(table.loc["blue", "guess"])


def test_a_round_reopened_before_processing_takes_guesses_again(tmp_path):
    game = small_game(tmp_path)
    game.open_round(now=T0)
    game.post_guess("red", "marketing", 100_000, now=T0)
    game.lock_round(now=T0 + timedelta(minutes=1))
    game.reopen_round(now=T0 + timedelta(minutes=2))
    assert game.guesses_closed(0, now=T0 + timedelta(minutes=2)) is None
    game.post_guess("red", "sales", 200_000, now=T0 + timedelta(minutes=3))
    game.lock_round(now=T0 + timedelta(minutes=4))
    assert game.guesses(0).counted["red"].amount == 200_000


def test_the_presenter_link_is_the_console_link_on_the_present_page(tmp_path):
    game = small_game(tmp_path)
    base = "http://127.0.0.1:8867"
    assert game.presenter_link(base) == f"{base}/present?key={game.console_key}"
    assert game.presenter_link(base, "1080") == f"{base}/present?key={game.console_key}&size=1080"
