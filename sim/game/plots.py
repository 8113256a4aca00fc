"""Debrief charts of the workshop game, drawn from a game folder's result tables.

The facilitator's wall after the game: who finished where (the leaderboard), how each team's
revenue moved quarter by quarter against the well-aligned reference company, and the picture
the debrief turns on: each half's own scoreboard against the company's result. Funnels and
trust reuse :mod:`sim.views.plots`. Every function takes the tables of :class:`sim.game.Game`
(``results()``, ``leaderboard()``, ``weekly()``) and returns a :class:`~matplotlib.figure.Figure`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.game import REFERENCE, ROLE_KPIS
from sim.views.palette import color, team_color
from sim.views.plots import FunnelPlot, Thousands, revenue_over_time, trust_over_time

REFERENCE_STYLE = {"color": "#555555", "linestyle": "--", "linewidth": 1.5}


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


def leaderboard_chart(board: pd.DataFrame, rank_by: str = "revenue",
                      reference: float | None = None) -> Figure:
    """Horizontal bars of each team's cumulative revenue (or profit), best on top, with the
    reference company as a dashed line.

    When the round was replayed with other luck (the board's ``luck_low``/``luck_high``), a
    black whisker on each bar spans the team's lowest to highest score over the replications,
    and the labels show the ranks with ties (``=2``): overlapping whiskers are the picture of
    "this gap may be luck". The band is of the board's own ranking KPI; bars of the other KPI
    get none (the played world is one of the replications, so a band of the bars' KPI always
    brackets them, and one that does not is of the other KPI).
    """
    if board.empty:
        return _empty("No scored round processed yet")
    key = f"{rank_by}_to_date"
    fig = Figure(figsize=(7.0, 0.5 * len(board) + 1.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(board))
    ax.barh(y, board[key], color=[team_color(t) for t in board["team"]], height=0.7)
    ranks = board["place"] if "place" in board else board["rank"]
    ax.set_yticks(y, [f"{r}. {t}" for r, t in zip(ranks, board["team"], strict=True)])
    ax.invert_yaxis()
    legend = False
    if {"luck_low", "luck_high"} <= set(board.columns):
        low = pd.to_numeric(board["luck_low"], errors="coerce").to_numpy(dtype=float)
        high = pd.to_numeric(board["luck_high"], errors="coerce").to_numpy(dtype=float)
        score = board[key].to_numpy(dtype=float)
        if np.isfinite(low).all() and np.isfinite(high).all() \
                and (low <= score).all() and (score <= high).all():
            replications = int(board["replications"].iloc[0]) if "replications" in board else 0
            ax.errorbar(score, y, xerr=[score - low, high - score], fmt="none", ecolor="black",
                        elinewidth=1.2, capsize=4,
                        label=f"lowest to highest in {replications} runs with other luck")
            legend = True
    if reference is not None and math.isfinite(reference):
        ax.axvline(reference, **REFERENCE_STYLE, label="well-aligned reference")
        legend = True
    if legend:
        ax.legend(loc="lower right", fontsize=8)
    ax.xaxis.set_major_formatter(Thousands())
    ax.set_title(f"Leaderboard: {rank_by} to date", loc="left")
    ax.axvline(0, color="black", linewidth=0.8)
    return fig


def revenue_by_round(results: pd.DataFrame) -> Figure:
    """Each team's revenue per scored round, with the reference company dashed."""
    scored = _scored(results)
    if scored.empty:
        return _empty("No scored round processed yet")
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    names = list(dict.fromkeys(scored["round_name"]))
    x = np.arange(len(names))
    teams = [t for t in dict.fromkeys(scored["team"]) if t != REFERENCE]
    for team in teams:
        rows = scored[scored["team"] == team].set_index("round_name").reindex(names)
        ax.plot(x, rows["revenue"], marker="o", color=team_color(team), label=team)
    ref = scored[scored["team"] == REFERENCE].set_index("round_name").reindex(names)
    if len(ref):
        ax.plot(x, ref["revenue"], marker="s", label="reference", **REFERENCE_STYLE)
    ax.set_xticks(x, names)
    ax.yaxis.set_major_formatter(Thousands())
    ax.set_ylabel("revenue in the quarter")
    ax.set_title("Revenue per quarter against the well-aligned reference", loc="left")
    ax.legend(fontsize=8, ncol=2)
    return fig


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
    columns = max(1, min(columns, len(teams)))
    rows = math.ceil(len(teams) / columns)
    fig = Figure(figsize=(3.3 * columns, 2.6 * rows + 0.5), layout="constrained")
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
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8)
    fig.suptitle("Each half's scoreboard and the company's profit, against the well-aligned "
                 "reference (dashed = 100 %)", x=0.01, ha="left", fontsize=10)
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


def trust_by_team(weekly: pd.DataFrame) -> Figure:
    """Sales' trust in marketing leads week by week, one line per team and the reference."""
    if weekly.empty:
        return _empty("No scored round processed yet")
    return trust_over_time({team: g for team, g in weekly.groupby("team", sort=False)})


def cumulative_revenue(weekly: pd.DataFrame) -> Figure:
    """Cumulative revenue week by week, one line per team and the reference."""
    if weekly.empty:
        return _empty("No scored round processed yet")
    return revenue_over_time({team: g for team, g in weekly.groupby("team", sort=False)})
