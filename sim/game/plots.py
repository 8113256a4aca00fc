"""Debrief charts of the workshop game, drawn from a game folder's result tables.

The facilitator's wall after the game: who finished where (the leaderboard), how each team's
revenue moved quarter by quarter against the well-aligned reference company, and the picture
the debrief turns on: each half's own scoreboard against the company's result, then funnels,
trust and revenue week by week. Every function takes the tables of :class:`sim.game.Game`
(``results()``, ``leaderboard()``, ``weekly()``) and returns a
:class:`~matplotlib.figure.Figure`.

Each team is drawn in its own colour in every chart (:func:`sim.views.palette.team_colors`)
and the reference always the same way, dashed dark grey (:data:`REFERENCE_STYLE`). A chart of
some of a game's teams (one team's take-home page, a page of a large room) is given the
game's teams as ``teams``, so that its colours are the game's; without them the teams of the
table are the game. Legends sit under the plot, where they hide no bar and no line.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.game import REFERENCE, ROLE_KPIS
from sim.views.palette import REFERENCE_COLOR, color, team_colors
from sim.views.plots import FunnelPlot, axis_formatter

REFERENCE_STYLE = {"color": REFERENCE_COLOR, "linestyle": "--", "linewidth": 1.5}
"""How the well-aligned reference company is drawn in every chart of the game."""
REFERENCE_LABEL = "well-aligned reference"
"""The reference company's name in the charts' legends."""
TEXT_INCHES = 0.075
"""Width of an average character of 10-point text, to wrap a title to its figure."""


def _scored(results: pd.DataFrame) -> pd.DataFrame:
    if results.empty:
        return results
    return results[~results["practice"].astype(bool)]


def _empty(text: str, figsize: tuple[float, float] = (7.0, 3.0)) -> Figure:
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11)
    return fig


def _colours(table: pd.DataFrame, teams: Iterable[str] | None) -> dict[str, str]:
    """Each team's colour: among ``teams`` (the game's) when given, else the table's teams."""
    if teams is None:
        teams = [t for t in dict.fromkeys(table["team"]) if t != REFERENCE]
    return team_colors(teams)


def _wrapped(text: str, width_inches: float) -> str:
    """``text`` on as many lines as a figure ``width_inches`` wide needs (10-point text)."""
    return textwrap.fill(text, max(30, int(width_inches / TEXT_INCHES)))


def _legend_below(fig: Figure, ax: Axes, columns: int | None = None) -> None:
    """The legend of ``ax`` under the plot, outside it, in as many columns as fit."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    fit = max(1, int(fig.get_figwidth() // 1.6))
    ncol = columns or min(len(handles), fit)
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol, fontsize=8,
               frameon=False)


def leaderboard_chart(board: pd.DataFrame, rank_by: str = "revenue",
                      reference: float | None = None,
                      teams: Sequence[str] | None = None) -> Figure:
    """Horizontal bars of each team's cumulative revenue (or profit), best on top, with the
    reference company as a dashed line.

    When the round was replayed with other luck (the board's ``luck_low``/``luck_high``), a
    black whisker on each bar spans the team's lowest to highest score over the replications,
    and the labels show the ranks with ties (``=2``): overlapping whiskers are the picture of
    "this gap may be luck". The band is of the board's own ranking KPI; bars of the other KPI
    get none (the played world is one of the replications, so a band of the bars' KPI always
    brackets them, and one that does not is of the other KPI). The legend is under the bars.
    """
    if board.empty:
        return _empty("No scored round processed yet")
    key = f"{rank_by}_to_date"
    colours = _colours(board, teams)
    fig = Figure(figsize=(7.0, 0.5 * len(board) + 1.8), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(board))
    ax.barh(y, board[key], color=[colours[t] for t in board["team"]], height=0.7)
    ranks = board["place"] if "place" in board else board["rank"]
    ax.set_yticks(y, [f"{r}. {t}" for r, t in zip(ranks, board["team"], strict=True)])
    ax.invert_yaxis()
    _luck_whiskers(ax, board, key, y)
    if reference is not None and math.isfinite(reference):
        ax.axvline(reference, **REFERENCE_STYLE, label=REFERENCE_LABEL)
    _legend_below(fig, ax, columns=2)
    ax.margins(x=0.03)  # the reference line off the frame when it is the longest
    ax.xaxis.set_major_formatter(axis_formatter(rank_by))  # €1.2 m, as every money axis
    ax.set_title(f"Leaderboard: {rank_by} to date", loc="left")
    ax.axvline(0, color="black", linewidth=0.8)
    return fig


def _luck_whiskers(ax: Axes, board: pd.DataFrame, key: str, y: np.ndarray) -> None:
    """The board's luck band as a whisker on each bar, when it is of the bars' KPI."""
    if not {"luck_low", "luck_high"} <= set(board.columns):
        return
    low = pd.to_numeric(board["luck_low"], errors="coerce").to_numpy(dtype=float)
    high = pd.to_numeric(board["luck_high"], errors="coerce").to_numpy(dtype=float)
    score = board[key].to_numpy(dtype=float)
    if np.isfinite(low).all() and np.isfinite(high).all() \
            and (low <= score).all() and (score <= high).all():
        replications = int(board["replications"].iloc[0]) if "replications" in board else 0
        bars = ax.errorbar(score, y, xerr=[score - low, high - score], fmt="none",
                           ecolor="black", elinewidth=1.2, capsize=4,
                           label=f"lowest to highest in {replications} runs with other luck")
        halo = [patheffects.withStroke(linewidth=3.2, foreground="white")]
        for artist in (*bars.lines[1], *bars.lines[2]):  # seen on a black bar too
            artist.set_path_effects(halo)


def revenue_by_round(results: pd.DataFrame, teams: Sequence[str] | None = None) -> Figure:
    """Each team's revenue per scored round, with the reference company dashed."""
    scored = _scored(results)
    if scored.empty:
        return _empty("No scored round processed yet")
    colours = _colours(scored, teams)
    fig = Figure(figsize=(7.0, 4.4), layout="constrained")
    ax = fig.add_subplot()
    names = list(dict.fromkeys(scored["round_name"]))
    x = np.arange(len(names))
    for team in [t for t in dict.fromkeys(scored["team"]) if t != REFERENCE]:
        rows = scored[scored["team"] == team].set_index("round_name").reindex(names)
        ax.plot(x, rows["revenue"], marker="o", color=colours[team], label=team)
    ref = scored[scored["team"] == REFERENCE].set_index("round_name").reindex(names)
    if len(ref):
        ax.plot(x, ref["revenue"], marker="s", label=REFERENCE_LABEL, **REFERENCE_STYLE)
    ax.set_xticks(x, names)
    ax.yaxis.set_major_formatter(axis_formatter("revenue"))
    ax.set_ylabel("revenue in the quarter")
    ax.set_title("Revenue per quarter against the well-aligned reference", loc="left")
    ax.grid(True, axis="y", alpha=0.3)
    _legend_below(fig, ax)
    return fig


def _grid(panels: int, columns: int) -> tuple[int, int]:
    """Rows and columns for ``panels`` panels, at most ``columns`` wide; a square for four."""
    columns = max(1, min(columns, panels))
    if panels % columns and panels % (columns - 1 or 1) == 0 \
            and panels // (columns - 1 or 1) <= columns:
        columns -= 1  # four panels as two by two, not three and one
    return math.ceil(panels / columns), columns


def misalignment_chart(results: pd.DataFrame, columns: int = 3) -> Figure:
    """One panel per team: marketing's KPI, sales' KPI and the company's profit per quarter, each
    as a percentage of the well-aligned reference company's figure in the same quarter.

    A marketing line far above 100 % next to a profit line far below it is the misalignment
    picture: the scoreboard cheers while the company falls behind (below 0 % is a loss).
    """
    scored = _scored(results)
    teams = [t for t in dict.fromkeys(scored["team"]) if t != REFERENCE] if not scored.empty \
        else []
    ref = scored[scored["team"] == REFERENCE].set_index("round") if teams else None
    if not teams or ref is None or ref.empty:
        return _empty("No scored round processed yet")
    rows, columns = _grid(len(teams), columns)
    width = max(3.3 * columns, 6.0)  # room for the title and the legend beside a lone panel
    fig = Figure(figsize=(width, 2.6 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False, sharey=True)
    series = [(ROLE_KPIS["marketing"][0], "marketing: " + ROLE_KPIS["marketing"][1], color(0)),
              (ROLE_KPIS["sales"][0], "sales: " + ROLE_KPIS["sales"][1], color(1)),
              ("profit", "company: profit", color(6))]
    for ax, team in zip(axes.flat, teams, strict=False):
        mine = scored[scored["team"] == team].set_index("round")
        base = ref.reindex(mine.index)
        x = np.arange(len(mine))
        for column, label, colour in series:
            denominator = base[column].abs().replace(0, np.nan)
            ax.plot(x, 100 * mine[column] / denominator, marker="o", color=colour, label=label)
        ax.axhline(100, **REFERENCE_STYLE)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xticks(x, [str(n).split(" ")[0] for n in mine["round_name"]])
        ax.set_title(team, loc="left", fontsize=10)
    for ax in list(axes.flat)[len(teams):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("% of the reference")
    _legend_below(fig, axes.flat[0], columns=3)
    fig.suptitle(_wrapped("Each half's scoreboard and the company's profit, against the "
                          "well-aligned reference (dashed = 100 %)", width),
                 x=0.01, ha="left", fontsize=10)
    return fig


def team_funnels(results: pd.DataFrame, index: int, columns: int = 3) -> Figure:
    """Each team's funnel in round ``index``, all on one scale so volumes compare."""
    table = results[results["round"] == index] if not results.empty else results
    if table.empty:
        return _empty(f"Round {index} has not been processed")
    teams = list(table["team"])
    columns = max(1, min(columns, len(teams)))
    rows = math.ceil(len(teams) / columns)
    fig = Figure(figsize=(4.2 * columns, 2.6 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    scale = float(table["leads"].max())
    for ax, row in zip(axes.flat, table.to_dict("records"), strict=False):
        FunnelPlot(ax, title=str(row["team"])).update(row, scale=scale)
    for ax in list(axes.flat)[len(teams):]:
        ax.axis("off")
    return fig


def _weekly_lines(weekly: pd.DataFrame, column: str, teams: Sequence[str] | None,
                  cumulative: bool = False) -> tuple[Figure, Axes]:
    """One line per team of a weekly column (summed up week by week when ``cumulative``), in
    the team's colour, and the reference dashed, with the legend under the plot.
    """
    colours = _colours(weekly, teams)
    fig = Figure(figsize=(7.0, 4.4), layout="constrained")
    ax = fig.add_subplot()
    for team, ledger in weekly.groupby("team", sort=False):
        values = ledger[column].cumsum() if cumulative else ledger[column]
        if team == REFERENCE:
            ax.plot(ledger["week"], values, label=REFERENCE_LABEL, zorder=3, **REFERENCE_STYLE)
        else:
            ax.plot(ledger["week"], values, color=colours[team], linewidth=1.8, label=team)
    ax.set_xlabel("week")
    ax.grid(True, alpha=0.3)
    _legend_below(fig, ax)
    return fig, ax


def trust_by_team(weekly: pd.DataFrame, teams: Sequence[str] | None = None) -> Figure:
    """Sales' trust in marketing leads week by week, one line per team and the reference."""
    if weekly.empty:
        return _empty("No scored round processed yet")
    fig, ax = _weekly_lines(weekly, "trust", teams)
    ax.set_ylim(0.0, 1.0)
    ax.set_ylabel("trust (0 = none, 1 = full)")
    ax.set_title("Sales' trust in marketing leads, week by week", loc="left")
    return fig


def cumulative_revenue(weekly: pd.DataFrame, teams: Sequence[str] | None = None) -> Figure:
    """Cumulative revenue week by week, one line per team and the reference."""
    if weekly.empty:
        return _empty("No scored round processed yet")
    fig, ax = _weekly_lines(weekly, "revenue", teams, cumulative=True)
    ax.yaxis.set_major_formatter(axis_formatter("revenue"))
    ax.set_ylabel("revenue booked so far")
    ax.set_title("Revenue booked so far, week by week", loc="left")
    return fig


__all__ = ["REFERENCE_LABEL", "REFERENCE_STYLE", "cumulative_revenue", "leaderboard_chart",
           "misalignment_chart", "revenue_by_round", "team_funnels", "trust_by_team"]
