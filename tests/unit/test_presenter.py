"""Unit tests of sim.game.presenter: the projector screen driven headless, with a clock set by
the test (no waiting for a countdown) and a tiny game simulated serially.
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import PIL.Image
import pytest

from sim.game import Game
from sim.game.presenter import (
    FINAL,
    GUESSES_TITLE,
    LOCKED,
    REVEAL_TITLE,
    WAITING,
    Layout,
    Presenter,
    countdown_text,
    guesses_takeaway,
)
from sim.parallel import SerialExecutor
from sim.views.projector import VIEWPORTS

pytestmark = pytest.mark.usefixtures("agg_backend")

T0 = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
ROUNDS = [{"name": "Q1 Silos"}, {"name": "Q2 Talk", "unlocks": ["communication"]}]
SCRIPT = {0: {"red": {"marketing": {"scoring.mql_threshold": 0.7}}}}


def played_game(folder: Path, teams=("red", "blue", "green"), guesses=None) -> Game:
    """A game whose first quarter is processed and whose second is waiting; ``guesses`` maps
    teams to the revenue they guessed for the first quarter."""
    game = Game.create(folder / "game", list(teams), rounds=ROUNDS, practice=False,
                       weeks_per_round=2, luck_reps=2)
    game.open_round()
    for team, amount in (guesses or {}).items():
        game.post_guess(team, "sales", amount)
    game.play(SCRIPT, until=0, executor=SerialExecutor())
    return game


@pytest.fixture(scope="module")
def game(tmp_path_factory) -> Game:
    return played_game(tmp_path_factory.mktemp("presenter"))


@pytest.fixture(scope="module")
def presenter(game) -> Presenter:
    return Presenter(game, clock=lambda: T0)


def png_size(data: bytes) -> tuple[int, int]:
    return PIL.Image.open(io.BytesIO(data)).size


# --------------------------------------------------------------------------- countdown
def test_countdown_text_for_each_state():
    def state(status, closes=None):
        return SimpleNamespace(status=status, closes_at=closes)

    closes = T0 + timedelta(minutes=4, seconds=5)
    assert countdown_text(state("open", closes), T0) == "4:05"
    assert countdown_text(state("open", closes), T0 + timedelta(seconds=4.5)) == "4:01"
    assert countdown_text(state("open", T0 + timedelta(hours=1, seconds=3)), T0) == "1:00:03"
    assert countdown_text(state("open", closes), closes) == LOCKED
    assert countdown_text(state("open"), T0) == "Round open"
    assert countdown_text(state("locked"), T0) == LOCKED
    assert countdown_text(None, T0) == WAITING
    assert countdown_text(state("processed"), T0) == WAITING
    assert countdown_text(state("processed"), T0, final=True) == FINAL


def test_the_countdown_of_an_open_round_is_big_and_moves_on(tmp_path):
    game = played_game(tmp_path, teams=("red", "blue"))
    shown = Presenter(game, clock=lambda: T0)
    assert shown.countdown() == WAITING
    game.open_round(minutes=5, now=T0)
    shown.refresh(now=T0 + timedelta(minutes=1))
    assert shown.countdown(T0 + timedelta(minutes=1)) == "4:00"
    assert "4:00" in shown.clock_html.value and "font-size:96px" in shown.clock_html.value
    assert "Q2 Talk" in shown.clock_html.value
    shown.tick(now=T0 + timedelta(minutes=3, seconds=30))
    assert "1:30" in shown.clock_html.value
    shown.tick(now=T0 + timedelta(minutes=6))
    assert LOCKED in shown.clock_html.value
    shown.set_viewport(*VIEWPORTS["1080p"])
    shown.refresh(now=T0 + timedelta(minutes=2))
    assert "font-size:144px" in shown.clock_html.value


def test_a_damaged_state_file_is_named(tmp_path):
    game = played_game(tmp_path, teams=("red",))
    shown = Presenter(game, clock=lambda: T0)
    (game.folder / "rounds" / "00" / "state.yaml").write_text("status: eaten\n",
                                                              encoding="utf-8")
    shown.refresh()
    assert "state.yaml" in shown.message.value


# --------------------------------------------------------------------------- the reveal
def test_the_reveal_goes_from_last_place_to_first(game, presenter):
    order = list(game.leaderboard()["team"])[::-1]
    presenter.refresh()
    presenter.revealed = 0
    uncovered = [presenter.reveal_next() for _ in order]
    assert uncovered == order and presenter.shown_teams() == order
    assert presenter.current == REVEAL_TITLE
    assert presenter.reveal_button.disabled and presenter.reveal_all_button.disabled
    assert presenter.reveal_next() is None
    for team in order:
        assert team in presenter.board_html.value


def test_hidden_places_show_no_team(game, presenter):
    presenter.revealed = 0
    presenter.reveal_next()
    winner = game.leaderboard()["team"].iloc[0]
    assert winner not in presenter.board_html.value and "?" in presenter.board_html.value
    assert not presenter.reveal_button.disabled
    presenter.reveal_all()
    assert winner in presenter.board_html.value and presenter.reveal_button.disabled


def test_the_reveal_button_clicks_reveal(game, presenter):
    presenter.revealed = 0
    presenter.reveal_button.click()
    assert presenter.revealed == 1


# --------------------------------------------------------------------------- charts
def test_previous_and_next_cycle_through_the_debrief_charts(presenter):
    titles = presenter.items
    assert titles[:3] == [REVEAL_TITLE, GUESSES_TITLE, "Leaderboard"] and len(titles) == 10
    presenter.position = 0
    seen = [presenter.next() for _ in titles]
    assert seen == [*titles[1:], titles[0]]
    assert presenter.previous() == titles[-1]
    presenter.next_button.click()
    assert presenter.current == titles[0]


@pytest.mark.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS))
def test_every_chart_fits_the_viewport(presenter, viewport):
    presenter.set_viewport(*viewport)
    presenter.position = 1  # the guesses: a table, then the charts
    for _ in presenter.items[2:]:
        presenter.next()
        width, height = png_size(presenter.image.value)
        assert width <= viewport[0] and height <= 0.8 * viewport[1], presenter.current
        assert presenter.image.width == str(width)


def test_fonts_grow_with_the_screen(presenter):
    sizes = {}
    for name, viewport in VIEWPORTS.items():
        presenter.set_viewport(*viewport)
        presenter.position = 2  # the leaderboard chart
        presenter.next()
        presenter.previous()
        sizes[name] = presenter.font_px
    assert sizes["1080p"] > sizes["720p"] >= 16


def test_a_screen_too_small_to_present_on_is_refused():
    with pytest.raises(ValueError, match="too small to present on"):
        Layout(100, 100)


def test_a_new_round_processed_restarts_the_reveal(tmp_path):
    game = played_game(tmp_path, teams=("red", "blue"))
    shown = Presenter(game, clock=lambda: T0)
    shown.reveal_all()
    game.play({}, executor=SerialExecutor())
    shown.refresh()
    assert shown.revealed == 0 and not shown.reveal_button.disabled
    assert FINAL in shown.clock_html.value


def test_switching_screens_and_back_gives_the_same_chart(presenter):
    presenter.set_viewport(*VIEWPORTS["720p"])
    presenter.position = presenter.items.index("Funnels") - 1
    presenter.next()
    first = (png_size(presenter.image.value), presenter.chart_dpi)
    presenter.set_viewport(*VIEWPORTS["1080p"])
    presenter.set_viewport(*VIEWPORTS["720p"])
    assert (png_size(presenter.image.value), presenter.chart_dpi) == first


def test_auto_refresh_sees_a_round_open(tmp_path):
    game = played_game(tmp_path, teams=("red",))
    shown = Presenter(game)
    shown.start_auto_refresh(seconds=1.0)
    try:
        game.open_round(minutes=5)
        deadline = time.monotonic() + 10
        while "Q2 Talk" not in shown.clock_html.value and time.monotonic() < deadline:
            time.sleep(0.1)
        assert re.search(r">\d:\d\d<", shown.clock_html.value)
    finally:
        shown.stop_auto_refresh()


# --------------------------------------------------------------------------- the guesses
def test_the_guesses_stand_beside_the_results_after_the_reveal(tmp_path):
    game = played_game(tmp_path, guesses={"red": "1.2m", "blue": 90_000})
    shown = Presenter(game, clock=lambda: T0)
    assert shown.items[1] == GUESSES_TITLE
    assert shown.next() == GUESSES_TITLE
    assert shown.image.layout.display == "none" and shown.board_html.layout.display is None
    table = shown.board_html.value
    revenue = game.round_results(0).set_index("team")["revenue"]
    assert "no guess" in table and table.count("no guess") == 1  # green did not guess
    assert "€1.20 m" in table and "€90.0 k" in table
    miss = round((90_000 / revenue["blue"] - 1) * 100)
    assert f"{'+' if miss > 0 else chr(0x2212)}{abs(miss)} %" in table
    assert "<span style='color:#D55E00'>&#9632;</span> red" in table
    assert "Q1 Silos" in shown.title_html.value and "did not guess" in shown.title_html.value
    shown.set_viewport(*VIEWPORTS["1080p"])  # the table grows with the screen
    assert shown.current == GUESSES_TITLE and "font-size:54px" in shown.board_html.value
    assert shown.next() == "Leaderboard"
    assert shown.image.layout.display is None


def test_before_any_processing_there_are_no_guesses_to_show(tmp_path):
    game = Game.create(tmp_path / "game", ["red"], rounds=ROUNDS, practice=False,
                       weeks_per_round=2, luck_reps=0)
    game.open_round()
    game.post_guess("red", "marketing", 100_000)
    shown = Presenter(game, clock=lambda: T0)
    assert shown.items == [REVEAL_TITLE]  # a guess is no secret of the projector's
    assert "100" not in shown.board_html.value + shown.title_html.value


@pytest.mark.parametrize(("guesses", "line"), [
    ({"red": 1.1, "blue": 0.95, "green": None}, "Closest: blue (5 % too low). 1 team did not "
                                                "guess."),
    ({"red": 1.004, "blue": None, "green": None}, "Closest: red (right on). 2 teams did not "
                                                  "guess."),
    ({"red": 1.3, "blue": 1.2, "green": 1.25}, "Closest: blue (20 % too high). Every team "
                                               "guessed."),
    ({"red": None, "blue": None, "green": None}, "No team guessed this quarter's revenue."),
])
def test_the_guesses_takeaway_names_the_closest_team(guesses, line):
    table = pd.DataFrame({"team": list(guesses),
                          "guess": [g * 1000 if g else float("nan") for g in guesses.values()],
                          "result": [1000.0] * len(guesses)})
    table["miss"] = table["guess"] / table["result"] - 1
    assert guesses_takeaway(table) == line
