"""How much of the leaderboard is luck: bands, chances of first and ties, from the replays.

Every scored round is played once for the score and replayed a few times with other luck, the
same luck for every team in each replay (``results/luck-NN.csv``). Like judges who watch a
race run again with other wind, this module reads those replays to say how far each team's
score could have gone either way (its band, against the reference's in the same replay), how
often it would have come first, and which neighbours on the leaderboard cannot be told apart:
teams whose paired gap has a 95 % interval that includes zero share a place (``=2``), and
:func:`luck_sentences` says so in words a trainer can read out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from sim.claims import Claim, verdict
from sim.experiment import ci95
from sim.game.rules import REFERENCE

LUCK_COLUMNS = ("round", "team", "replication", "revenue_to_date", "profit_to_date")
"""The columns of a round's replays file (``results/luck-NN.csv``)."""

BOARD_LUCK_COLUMNS = ("place", "tied_with", "luck_low", "luck_high", "vs_reference_low",
                      "vs_reference_high", "p_first", "replications")
"""The leaderboard's columns about luck (:meth:`sim.game.Game.leaderboard`)."""

# "The team above is ahead" as a claim, so that the claims' verdict (holds, fails, undecided)
# judges the interval: undecided is an interval that includes zero.
_AHEAD = {kpi: Claim(says="the team above is ahead", kpi=kpi.removesuffix("_to_date"),
                     change="up") for kpi in ("revenue_to_date", "profit_to_date")}


def _within_luck(gaps: pd.Series, key: str) -> bool:
    """Whether paired gaps (the team above's score less this team's, replication by
    replication) are within luck: their 95 % interval includes zero.
    """
    low, high = ci95(gaps.to_numpy(dtype=float))
    return verdict(_AHEAD[key], low, high) == "undecided"


def luck_standings(order: Sequence[str], luck: pd.DataFrame, key: str,
                   played: Sequence[float] | None = None) -> pd.DataFrame:
    """The luck columns of the leaderboard (:data:`BOARD_LUCK_COLUMNS`), one row per team of
    ``order`` (best first), from a round's replays ``luck`` (:meth:`sim.game.Game.luck`),
    ranked by ``key`` (``revenue_to_date`` or ``profit_to_date``). Without replays, teams whose
    ``played`` scores (in ``order``) are exactly equal share a place: nothing tells them apart.
    """
    wide = luck.pivot_table(index="replication", columns="team", values=key, aggfunc="first") \
        if not luck.empty else pd.DataFrame()
    order = list(order)
    standings = pd.DataFrame({"place": [str(i + 1) for i in range(len(order))],
                              "tied_with": ""}, index=pd.Index(order, name="team"))
    for column in BOARD_LUCK_COLUMNS[2:-1]:
        standings[column] = float("nan")
    complete = set(order) <= set(wide.columns)
    standings["replications"] = len(wide) if complete else 0
    if len(wide) < 2 or not complete:
        # one replication or none: no interval, so only an exact tie can be told
        if played is not None:
            _share_places(standings, order, _runs(order, lambda a, b: played[order.index(a)]
                                                   == played[order.index(b)]))
        return standings
    _fill_bands(standings, wide, order)
    scores = wide[order]
    _share_places(standings, order,
                  _runs(order, lambda a, b: _within_luck(scores[a] - scores[b], key)))
    return standings


def _fill_bands(standings: pd.DataFrame, wide: pd.DataFrame, order: list[str]) -> None:
    """Each team's lowest and highest score over the replications, the same as a share of the
    reference's, and its chance of first (a first place held jointly is shared).
    """
    scores = wide[order]
    standings["luck_low"] = scores.min()
    standings["luck_high"] = scores.max()
    if REFERENCE in wide.columns:
        shares = scores.div(wide[REFERENCE].where(wide[REFERENCE] != 0), axis=0)
        standings["vs_reference_low"] = shares.min()
        standings["vs_reference_high"] = shares.max()
    first = scores.eq(scores.max(axis=1), axis=0)
    standings["p_first"] = first.div(first.sum(axis=1), axis=0).mean()
    standings["replications"] = len(scores)


def _runs(order: Sequence[str], tied: Callable[[str, str], bool]) -> list[list[str]]:
    """``order`` cut into runs of neighbours that ``tied(above, below)`` cannot tell apart."""
    groups: list[list[str]] = []
    for i, team in enumerate(order):
        if i and tied(order[i - 1], team):
            groups[-1].append(team)
        else:
            groups.append([team])
    return groups


def _share_places(standings: pd.DataFrame, order: Sequence[str],
                  groups: list[list[str]]) -> None:
    """Give every team of a group of two or more the group's first place (``=2``)."""
    for group in groups:
        if len(group) < 2:
            continue
        place = f"={list(order).index(group[0]) + 1}"
        for team in group:
            standings.loc[team, "place"] = place
            standings.loc[team, "tied_with"] = ", ".join(t for t in group if t != team)


NAMED_TIES = 3
"""The most teams of one tie named in a sentence; a larger tie is said by its size (a dozen names
read out in one breath tell the room less than "all 12 teams")."""


def names(teams: Sequence[str]) -> str:
    """Teams in a sentence: ``red``, ``red and blue``, ``red, blue and green``."""
    teams = list(teams)
    return teams[0] if len(teams) == 1 else f"{', '.join(teams[:-1])} and {teams[-1]}"


def _tie(group: Sequence[str], teams: int) -> str:
    """A group of tied teams as a sentence's subject: named, or by its size when large."""
    if len(group) <= NAMED_TIES:
        return names(group)
    if len(group) == teams:
        return f"All {len(group)} teams"
    return f"{len(group)} teams ({names([*group[:NAMED_TIES], f'{len(group) - NAMED_TIES} more'])})"


def luck_sentences(board: pd.DataFrame) -> list[str]:
    """The leaderboard's ties in words a trainer can read out, one sentence per group of tied
    teams, or one sentence saying there is none; empty without replays.
    """
    if board.empty or "replications" not in board or not (board["replications"] >= 2).all():
        return []
    said, lines = set(), []
    for row in board.to_dict("records"):
        if not row["tied_with"] or row["team"] in said:
            continue
        group = [row["team"], *row["tied_with"].split(", ")]
        said.update(group)
        gap = "the gap between them is" if len(group) == 2 else "the gaps between them are"
        lines.append(f"{_tie(group, len(board))} are tied: {gap} within what luck alone "
                     "produces.")
    if not lines and len(board) > 1:
        lines.append("No two neighbours on the leaderboard are tied: each gap is larger than "
                     "luck alone produces.")
    return lines
