"""Unit tests of sim.game.debrief: same-luck replays, bridges, the debrief slides and the pack.

The game here is tiny (two teams, two-week quarters, a practice round and two scored ones) and
is simulated serially, so the whole module runs in a few seconds.
"""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from sim.game import REFERENCE, Game, GameError, luck_sentences
from sim.game.debrief import (
    compared,
    debrief_slides,
    names,
    ordinal,
    pack_files,
    percent,
    round_kpis,
    same_luck_replay,
    take_home_html,
    team_bridge,
    write_debrief,
)
from sim.parallel import SerialExecutor
from sim.views.palette import REFERENCE_COLOR, team_colors

pytestmark = pytest.mark.usefixtures("agg_backend")

ROUNDS = [{"name": "Practice", "practice": True}, {"name": "Q1 Silos"},
          {"name": "Q2 Talk", "unlocks": ["communication"]}]
SCRIPT = {1: {"red": {"marketing": {"scoring.mql_threshold": 0.7},
                      "sales": {"sales.prioritisation": "score"}}},
          2: {"blue": {"sales": {"communication.sla_hours": 8.0}}}}
SHARED = {"incentives.shared_kpi_weight": 1.0}


def tiny_game(folder: Path, **options) -> Game:
    options.setdefault("rounds", ROUNDS)
    return Game.create(folder / "game", ["red", "blue"], weeks_per_round=2, luck_reps=2,
                       **options)


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> Game:
    game = tiny_game(tmp_path_factory.mktemp("debrief"), name="Tuesday <b>room</b>")
    game.play(SCRIPT, executor=SerialExecutor())
    return game


# --------------------------------------------------------------------------- replays
@pytest.mark.parametrize("index", [0, 1, 2])
@pytest.mark.parametrize("team", ["red", "blue", REFERENCE])
def test_a_replay_without_changes_is_the_played_round(played, team, index):
    replay = same_luck_replay(played, team, index, {})
    row = played.round_results(index).set_index("team").loc[team]
    assert replay["replayed"]["revenue"] == float(row["revenue"])  # exactly: the same luck
    assert replay["replayed"] == replay["played"]
    assert all(step.effect == 0 for step in replay["bridge"].steps)


def test_a_replay_with_a_change_differs_and_its_bridge_adds_up(played):
    replay = same_luck_replay(played, "red", 1, SHARED)
    bridge = replay["bridge"]
    assert replay["changes"] == SHARED and replay["round_name"] == "Q1 Silos"
    assert bridge.before == replay["played"]["revenue"]
    assert bridge.after == replay["replayed"]["revenue"]
    assert replay["replayed"] != replay["played"]
    assert math.isclose(sum(s.effect for s in bridge.steps), bridge.difference, abs_tol=1e-6)


def test_a_replay_leaves_the_earlier_quarters_as_played(played):
    replay = same_luck_replay(played, "red", 2, SHARED)
    q1 = played.round_results(1).set_index("team").loc["red"]
    replayed_q1 = replay["replayed"]["revenue_to_date"] - replay["replayed"]["revenue"]
    assert math.isclose(replayed_q1, float(q1["revenue_to_date"]), rel_tol=1e-12)


def test_a_replay_refuses_what_it_cannot_replay(played, tmp_path):
    with pytest.raises(GameError, match="sales.reps"):
        same_luck_replay(played, "red", 1, {"sales.reps": 9})
    with pytest.raises(GameError, match="not in this game"):
        same_luck_replay(played, "green", 1, {})
    with pytest.raises(GameError):
        same_luck_replay(played, "red", 1, {"scoring.mql_threshold": 7})
    fresh = tiny_game(tmp_path)
    with pytest.raises(GameError, match="has not been processed"):
        same_luck_replay(fresh, "red", 1, {})


# --------------------------------------------------------------------------- bridges
def test_a_team_bridge_runs_from_the_reference_to_the_team(played):
    bridge = team_bridge(played, "blue")
    table = played.round_results(2).set_index("team")
    assert bridge.before == float(table.loc[REFERENCE, "revenue"])
    assert bridge.after == float(table.loc["blue", "revenue"])
    assert math.isclose(sum(s.effect for s in bridge.steps), bridge.difference, abs_tol=1e-6)
    assert team_bridge(played, "blue", 1).after == float(
        played.round_results(1).set_index("team").loc["blue", "revenue"])


def test_round_kpis_carry_what_a_bridge_needs(played):
    kpis = round_kpis(played, "red", 2)
    for name in ("leads", "mqls", "sals", "sqls", "opportunities", "won", "revenue",
                 "price_index_final", "revenue_to_date", "profit_to_date"):
        assert math.isfinite(kpis[name]), name


# --------------------------------------------------------------------------- slides
def test_the_slides_come_in_teaching_order_with_takeaways_and_questions(played):
    slides = debrief_slides(played)
    assert [s.title for s in slides] == [
        "Leaderboard", "Revenue by quarter", "Scoreboards vs company", "Trust", "Funnels",
        "Bridge: red vs reference", "Bridge: blue vs reference"]
    for slide in slides:
        assert slide.takeaway and "?" in slide.notes, slide.title
    board = played.leaderboard()
    first = board.iloc[0]
    assert first["team"] in slides[0].takeaway and "reference company" in slides[0].takeaway
    assert "tied" in slides[0].notes or "No two neighbours" in slides[0].notes  # luck read out
    assert "Q1 Silos" in slides[1].takeaway and "Q2 Talk" in slides[1].takeaway


def test_the_charts_draw_each_team_in_its_colour_and_the_reference_dashed_grey(played):
    slides = {s.title: s for s in debrief_slides(played)}
    colours = team_colors(played.teams)
    for title in ("Revenue by quarter", "Trust"):
        (ax,) = slides[title].figure.axes
        drawn = {line.get_label(): line for line in ax.get_lines()}
        for team in played.teams:
            assert matplotlib.colors.to_hex(drawn[team].get_color()).upper() == colours[team]
        (reference,) = [line for label, line in drawn.items() if "reference" in label]
        assert matplotlib.colors.to_hex(reference.get_color()).upper() == REFERENCE_COLOR
        assert reference.get_linestyle() == "--"
        assert ax.get_legend() is None and slides[title].figure.legends  # under the plot


def _all_tied(teams: list[str], groups: list[list[str]]) -> pd.DataFrame:
    """A leaderboard of ``teams`` on which each of ``groups`` is tied within luck."""
    tied = {t: ", ".join(o for o in g if o != t) for g in groups for t in g}
    return pd.DataFrame({"team": teams, "tied_with": [tied.get(t, "") for t in teams],
                         "replications": 3})


def test_a_large_tie_is_said_by_its_size_not_team_by_team():
    teams = [f"t{i}" for i in range(1, 13)]
    assert luck_sentences(_all_tied(teams, [teams])) == [
        "All 12 teams are tied: the gaps between them are within what luck alone produces."]
    notes = luck_sentences(_all_tied(teams, [teams[:8], teams[8:10]]))
    assert notes[0] == ("8 teams (t1, t2, t3 and 5 more) are tied: the gaps between them are "
                        "within what luck alone produces.")
    assert notes[1].startswith("t9 and t10 are tied")  # a small group keeps its names


def test_a_replay_gets_its_own_slide(played):
    replay = same_luck_replay(played, "red", 1, SHARED)
    slide = debrief_slides(played, [replay])[-1]
    assert slide.title == "Replay: red, Q1 Silos"
    assert "same luck" in slide.takeaway and "shared revenue goal" in slide.takeaway


def test_the_slides_of_a_game_with_only_the_practice_played(tmp_path):
    game = tiny_game(tmp_path)
    game.play({}, until=0, executor=SerialExecutor())
    slides = debrief_slides(game)
    assert slides[0].takeaway == "No scored round has been processed yet."
    assert [s.title for s in slides][-2:] == ["Bridge: red vs reference",
                                              "Bridge: blue vs reference"]


def test_words():
    assert percent(0.123) == "12 %"
    assert compared(1.12) == "12 % above the reference company"
    assert compared(0.7, "it") == "30 % below it"
    assert compared(1.001) == "level with the reference company"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]
    assert names(["a"]) == "a" and names(["a", "b", "c"]) == "a, b and c"


# --------------------------------------------------------------------------- the pack
def test_the_take_home_page(played):
    page = take_home_html(played, "red")
    assert page.startswith("<!DOCTYPE html>")
    assert "Tuesday &lt;b&gt;room&lt;/b&gt;" in page and "<b>room</b>" not in page
    assert page.count("data:image/png;base64,") == 2
    assert "Score a lead needs to become an MQL" in page  # lever labels in words
    assert "class='changed'" in page  # red moved its MQL bar in Q1
    questions = re.search(r"<ol>(.*)</ol>", page).group(1)
    assert questions.count("<li>") == 3
    place = str(played.leaderboard().set_index("team").loc["red", "place"]).lstrip("=")
    assert f"<b>{ordinal(int(place))}</b>" in html.unescape(page)
    with pytest.raises(GameError):
        take_home_html(played, "green")


def test_write_debrief_writes_the_pack_and_replaces_it_only_with_force(played, tmp_path):
    out = tmp_path / "pack"
    paths = write_debrief(played, out)
    names_written = {p.relative_to(out).as_posix() for p in paths}
    assert {"debrief.pptx", "take-home-red.html", "take-home-blue.html",
            "charts/01-leaderboard.png"} <= names_written
    assert len([p for p in paths if p.suffix == ".png"]) == 7
    assert (out / "debrief.pptx").read_bytes()[:2] == b"PK"
    with pytest.raises(Exception, match="already exists"):
        write_debrief(played, out)
    assert write_debrief(played, out, force=True) == paths


def test_the_pack_is_made_in_memory_first(played, tmp_path):
    files = pack_files(played, tmp_path / "pack")
    assert not (tmp_path / "pack").exists()  # nothing written
    assert (tmp_path / "pack" / "debrief.pptx") in files
    assert sum(p.suffix == ".png" for p in files) == len(debrief_slides(played))
    assert all(data for data in files.values())


def test_a_refused_pack_writes_nothing(played, tmp_path):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "take-home-blue.html").write_text("keep me", encoding="utf-8")
    with pytest.raises(Exception, match="already exists"):
        write_debrief(played, out)
    assert sorted(p.name for p in out.iterdir()) == ["take-home-blue.html"]
    assert (out / "take-home-blue.html").read_text(encoding="utf-8") == "keep me"


def test_a_large_room_gets_the_per_team_charts_on_pages(tmp_path):
    teams = [f"t{i}" for i in range(7)]
    game = Game.create(tmp_path / "big", teams, rounds=[{"name": "Q1 Silos"}], practice=False,
                       weeks_per_round=1, luck_reps=2)
    game.play({}, executor=SerialExecutor())
    slides = debrief_slides(game)
    titles = [s.title for s in slides]
    assert titles[2:7] == ["Scoreboards vs company (1 of 2)", "Scoreboards vs company (2 of 2)",
                           "Trust", "Funnels (1 of 2)", "Funnels (2 of 2)"]
    assert titles[0] == "Leaderboard" and len(titles) == 7 + len(teams)
    # nobody moved a lever: one company seven times, all tied, and said so in a few words
    assert slides[0].takeaway.startswith("7 teams share first place (within luck)")
    assert "All 7 teams are tied" in slides[0].notes and "t3" not in slides[0].notes
    assert "level within luck with all 6 other teams." in take_home_html(game, "t0")
