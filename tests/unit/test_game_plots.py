"""Unit tests of sim.game.plots: the debrief charts, from a played game and from empty tables."""

from __future__ import annotations

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from sim.game import REFERENCE, Game
from sim.game import plots as game_plots
from sim.views.images import figure_png
from sim.views.palette import REFERENCE_COLOR, team_colors

pytestmark = pytest.mark.usefixtures("agg_backend")

TEAMS = ["red", "blue", "green", "amber"]
COLOURS = team_colors(TEAMS)


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
    assert bar_colours(ax) == [COLOURS[t] for t in board["team"]]
    assert COLOURS["red"] == "#D55E00" and COLOURS["blue"] == "#0072B2"
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.startswith(("€", "−€")) for t in ticks), ticks  # money, as money


def bar_colours(ax) -> list[str]:
    return [matplotlib.colors.to_hex(bar.get_facecolor()).upper() for bar in ax.patches]


def laid_out(fig: Figure):
    """The renderer of ``fig`` after its layout is done, to measure where things are drawn."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    return renderer


def below(fig: Figure, ax) -> bool:
    """Whether every legend of the figure lies wholly under the plot of ``ax``."""
    renderer = laid_out(fig)
    plot = ax.get_window_extent(renderer)
    return bool(fig.legends) and all(
        legend.get_window_extent(renderer).y1 <= plot.y0 for legend in fig.legends)


def inside(fig: Figure, text) -> bool:
    """Whether ``text`` is drawn wholly inside the figure (no letter cut off)."""
    renderer = laid_out(fig)
    box, page = text.get_window_extent(renderer), fig.bbox
    return box.x0 >= page.x0 and box.x1 <= page.x1 and box.y0 >= page.y0 and box.y1 <= page.y1


def test_the_leaderboard_legend_sits_under_the_bars(game):
    board = game.leaderboard()
    reference = float(game.round_results(game.last_complete_round())
                      .set_index("team").loc[REFERENCE, "revenue_to_date"])
    fig = drawn(game_plots.leaderboard_chart(board, "revenue", reference))
    (ax,) = fig.axes
    assert ax.get_legend() is None and below(fig, ax)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert game_plots.REFERENCE_LABEL in texts and any("other luck" in t for t in texts)


def _board(teams: list[str]) -> pd.DataFrame:
    """A leaderboard of ``teams``, all tied (no simulation needed to draw one)."""
    n = len(teams)
    return pd.DataFrame({"team": teams, "place": ["=1"] * n, "rank": range(1, n + 1),
                         "revenue_to_date": np.linspace(2e6, 1e6, n),
                         "profit_to_date": np.linspace(5e5, 1e5, n)})


def test_twelve_teams_get_twelve_colours_and_a_page_of_them_the_same_ones():
    teams = ["red", "blue", "green", "yellow", "falcons", "owls", "tigers", "lions", "otters",
             "hawks", "wolves", "bears"]
    (ax,) = drawn(game_plots.leaderboard_chart(_board(teams))).axes
    colours = bar_colours(ax)
    assert len(set(colours)) == 12 and REFERENCE_COLOR not in colours
    assert colours[:4] == ["#D55E00", "#0072B2", "#009E73", "#F0E442"]  # named after their hue
    # half of the room, told which game it belongs to, keeps the room's colours
    (half,) = drawn(game_plots.leaderboard_chart(_board(teams[6:]), teams=teams)).axes
    assert bar_colours(half) == colours[6:]


def test_leaderboard_chart_shows_the_luck_band_and_the_ties(game):
    board = game.leaderboard()
    fig = drawn(game_plots.leaderboard_chart(board, "revenue"))
    (ax,) = fig.axes
    (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    spans = sorted((min(x), max(x)) for x, _ in (seg.T for seg in whiskers.get_segments()))
    expected = sorted(zip(board["luck_low"], board["luck_high"], strict=True))
    assert np.allclose(spans, expected)
    assert any("other luck" in t.get_text() for t in fig.legends[0].get_texts())
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
    assert fig.legends == []  # no reference; and the board's band is of revenue
    assert "profit" in ax.get_title(loc="left")


def test_revenue_by_round(game):
    results = game.results()
    fig = drawn(game_plots.revenue_by_round(results))
    (ax,) = fig.axes
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {*TEAMS, game_plots.REFERENCE_LABEL}
    scored = results[~results["practice"].astype(bool)]
    for team in TEAMS:
        expected = scored.loc[scored["team"] == team, "revenue"].to_numpy()
        assert np.allclose(lines[team].get_ydata(), expected)
        assert matplotlib.colors.to_hex(lines[team].get_color()).upper() == COLOURS[team]
    assert_reference_style(lines[game_plots.REFERENCE_LABEL])
    assert [t.get_text() for t in ax.get_xticklabels()] == [r.name for r in game.scored_rounds()]
    assert below(fig, ax)
    # one team's chart (a take-home page) in the colour the team has in the whole game
    mine = results[results["team"].isin(["amber", REFERENCE])]
    (ax,) = drawn(game_plots.revenue_by_round(mine, teams=TEAMS)).axes
    (amber,) = [line for line in ax.get_lines() if line.get_label() == "amber"]
    assert matplotlib.colors.to_hex(amber.get_color()).upper() == COLOURS["amber"]


def assert_reference_style(line) -> None:
    """The reference company as every chart of the game draws it: dashed dark grey."""
    assert matplotlib.colors.to_hex(line.get_color()).upper() == REFERENCE_COLOR
    assert line.get_linestyle() == "--"


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
    assert len(fig.axes) == 4  # four teams: two by two
    assert inside(fig, fig._suptitle) and below(fig, axes[-1])


@pytest.mark.parametrize(("teams", "panels"), [(1, 1), (2, 2), (3, 3), (5, 6), (7, 9)])
def test_misalignment_title_fits_and_panels_fill_the_grid(game, teams, panels):
    results = game.results()
    keep = [*TEAMS[:teams], REFERENCE] if teams <= len(TEAMS) else None
    if keep is None:  # more teams than the game: copies of its teams under other names
        extra = [results[results["team"] == "red"].assign(team=f"t{i}") for i in range(teams - 4)]
        results = pd.concat([results, *extra])
    else:
        results = results[results["team"].isin(keep)]
    fig = drawn(game_plots.misalignment_chart(results))
    assert len(visible_axes(fig)) == teams and len(fig.axes) == panels
    assert inside(fig, fig._suptitle)


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
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {*TEAMS, game_plots.REFERENCE_LABEL}
    for team in TEAMS:  # the team's own colour, as in every other chart
        assert matplotlib.colors.to_hex(lines[team].get_color()).upper() == COLOURS[team]
    assert_reference_style(lines[game_plots.REFERENCE_LABEL])
    assert below(fig, ax)
    red = weekly[weekly["team"] == "red"]
    assert np.allclose(lines["red"].get_ydata(), red["trust"] if draw is game_plots.trust_by_team
                       else red["revenue"].cumsum())


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
