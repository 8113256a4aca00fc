"""Unit tests of sim.game.plots: the debrief charts, from a played game and from empty tables."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.game import REFERENCE, Game
from sim.game import plots as game_plots
from sim.views.images import figure_png
from sim.views.palette import team_color

pytestmark = pytest.mark.usefixtures("agg_backend")

TEAMS = ["red", "blue", "green", "amber"]


@pytest.fixture(scope="module")
def game(tmp_path_factory) -> Game:
    game = Game.create(tmp_path_factory.mktemp("plots") / "game", teams=TEAMS, weeks_per_round=3,
                       luck_reps=2)
    game.play({1: {"red": {"marketing": {"scoring.mql_threshold": 0.2}},
                   "blue": {"sales": {"sales.prioritisation": "cherry_pick"}}}})
    return game


def drawn(fig: Figure) -> Figure:
    """The figure, after checking it draws without an error."""
    assert isinstance(fig, Figure)
    assert figure_png(fig).startswith(b"\x89PNG")
    return fig


def visible_axes(fig: Figure):
    return [ax for ax in fig.axes if ax.axison]


def placeholder_text(fig: Figure) -> str:
    """The message of a placeholder figure (one hidden axis with a single text)."""
    assert visible_axes(fig) == []
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert len(texts) == 1
    return texts[0]


def test_leaderboard_chart(game):
    board = game.leaderboard()
    ref = game.round_results(game.last_complete_round()).set_index("team")
    reference = float(ref.loc[REFERENCE, "revenue_to_date"])
    fig = drawn(game_plots.leaderboard_chart(board, "revenue", reference))
    (ax,) = fig.axes
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == pytest.approx(list(board["revenue_to_date"]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{r}. {t}" for r, t in zip(board["place"], board["team"], strict=True)]
    assert any(list(line.get_xdata()) == [reference, reference] for line in ax.get_lines())
    # each team in its own colour, whatever its rank: red is drawn red, blue blue
    colours = [matplotlib.colors.to_hex(bar.get_facecolor()).upper() for bar in ax.patches]
    assert colours == [team_color(t).upper() for t in board["team"]]


def test_leaderboard_chart_shows_the_luck_band_and_the_ties(game):
    board = game.leaderboard()
    fig = drawn(game_plots.leaderboard_chart(board, "revenue"))
    (ax,) = fig.axes
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    spans = sorted((min(x), max(x)) for x, _ in (seg.T for seg in whiskers.get_segments()))
    expected = sorted(zip(board["luck_low"], board["luck_high"], strict=True))
    assert np.allclose(spans, expected)
    assert any("other luck" in t.get_text() for t in ax.get_legend().get_texts())
    # green and amber never moved a lever: one company, so tied
    labels = dict(zip(board["team"], [t.get_text() for t in ax.get_yticklabels()], strict=True))
    assert labels["amber"].startswith("=") and labels["green"].startswith("=")
    assert labels["amber"].split(".")[0] == labels["green"].split(".")[0]


def test_leaderboard_chart_without_replays_has_no_band(game):
    board = game.leaderboard().drop(columns=["luck_low", "luck_high", "place"])
    fig = drawn(game_plots.leaderboard_chart(board, "revenue"))
    (ax,) = fig.axes
    assert not [c for c in ax.collections if isinstance(c, LineCollection)]
    assert [t.get_text() for t in ax.get_yticklabels()][0] == f"1. {board['team'].iloc[0]}"


def test_leaderboard_chart_by_profit_without_reference(game):
    board = game.leaderboard()
    fig = drawn(game_plots.leaderboard_chart(board, "profit", float("nan")))
    (ax,) = fig.axes
    assert [b.get_width() for b in ax.patches] == pytest.approx(list(board["profit_to_date"]))
    assert ax.get_legend() is None  # no reference; and the board's band is of revenue
    assert "profit" in ax.get_title(loc="left")


def test_revenue_by_round(game):
    results = game.results()
    fig = drawn(game_plots.revenue_by_round(results))
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {*TEAMS, "reference"}
    scored = results[~results["practice"].astype(bool)]
    for team in TEAMS:
        expected = scored.loc[scored["team"] == team, "revenue"].to_numpy()
        assert np.allclose(lines[team].get_ydata(), expected)
    assert [t.get_text() for t in ax.get_xticklabels()] == [r.name for r in game.scored_rounds()]


def test_misalignment_chart_has_a_panel_per_team(game):
    results = game.results()
    fig = drawn(game_plots.misalignment_chart(results, columns=3))
    axes = visible_axes(fig)
    assert [ax.get_title(loc="left") for ax in axes] == TEAMS
    scored = results[~results["practice"].astype(bool)]
    ref = scored[scored["team"] == REFERENCE].set_index("round")
    red = scored[scored["team"] == "red"].set_index("round")
    mqls = next(line for line in axes[0].get_lines() if "marketing" in line.get_label())
    expected = 100 * red["mqls"] / ref["mqls"]
    assert np.allclose(mqls.get_ydata(), expected.to_numpy())
    assert len(fig.axes) == 6  # two rows of three, the empty panels hidden


def test_team_funnels(game):
    results = game.results()
    last = game.last_complete_round()
    fig = drawn(game_plots.team_funnels(results, last))
    assert [ax.get_title(loc="left") for ax in visible_axes(fig)] == [*TEAMS, REFERENCE]


@pytest.mark.parametrize("draw", [game_plots.trust_by_team, game_plots.cumulative_revenue])
def test_weekly_charts_have_a_line_per_company(game, draw):
    weekly = game.weekly()
    fig = drawn(draw(weekly))
    ax = visible_axes(fig)[0]
    labels = {line.get_label() for line in ax.get_lines()}
    assert {*TEAMS, REFERENCE} <= labels


@pytest.mark.parametrize("draw", [
    lambda t: game_plots.leaderboard_chart(t),
    game_plots.revenue_by_round,
    game_plots.misalignment_chart,
    lambda t: game_plots.team_funnels(t, 1),
    game_plots.trust_by_team,
    game_plots.cumulative_revenue,
])
def test_empty_tables_give_a_placeholder(draw):
    fig = drawn(draw(pd.DataFrame()))
    assert placeholder_text(fig)


def test_practice_only_gives_placeholders(tmp_path):
    game = Game.create(tmp_path / "game", teams=["red"], weeks_per_round=2, luck_reps=2)
    game.play({}, until=0)
    results = game.results()
    assert not results.empty
    assert "No scored round" in placeholder_text(drawn(game_plots.revenue_by_round(results)))
    assert "No scored round" in placeholder_text(drawn(game_plots.misalignment_chart(results)))
    assert "has not been processed" in placeholder_text(
        drawn(game_plots.team_funnels(results, 1)))
    funnels = drawn(game_plots.team_funnels(results, 0))  # the practice round itself
    assert [ax.get_title(loc="left") for ax in visible_axes(funnels)] == ["red", REFERENCE]


def test_zero_reference_does_not_break_the_misalignment_chart(game):
    results = game.results().copy()
    results.loc[results["team"] == REFERENCE, ["mqls", "bookings", "profit"]] = 0.0
    fig = drawn(game_plots.misalignment_chart(results))
    for ax in visible_axes(fig):
        for line in ax.get_lines():
            assert all(math.isnan(y) or math.isfinite(y) for y in line.get_ydata())
