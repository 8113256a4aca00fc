"""The game's results as the folder keeps them, and the leaderboard made from them.

Processing a round writes four files to ``results/`` (:mod:`sim.game.processing`): each team's
and the reference's result row (``round-NN.csv``), their week-by-week ledgers (``weekly-NN``),
the replays with other luck (``luck-NN``) and the envelopes that did not count
(``problems-NN.yaml``). :class:`Results` reads them back, as a scorekeeper reads the score
sheets: one round, every round, the weeks, the replays, and the leaderboard at the last round
everyone completed, with how much of each gap is luck (:mod:`sim.game.luck`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.game.envelopes import Mailbox
from sim.game.luck import BOARD_LUCK_COLUMNS, LUCK_COLUMNS, luck_standings
from sim.game.rounds import RoundBook
from sim.game.rules import REFERENCE, Rules
from sim.game.storage import GameError, read_table, read_yaml, write_csv

BOARD_COLUMNS = ("rank", "team", "revenue_to_date", "profit_to_date", "vs_reference",
                 "auto_submitted", *BOARD_LUCK_COLUMNS)


class Results:
    """The result files of a game folder, read back."""

    def __init__(self, rules: Rules, book: RoundBook, mailbox: Mailbox):
        self.rules = rules
        self.book = book
        self.mailbox = mailbox
        self.folder = rules.folder / "results"

    def round_results(self, index: int) -> pd.DataFrame | None:
        """Round ``index``'s result table, one row per team and the reference, or None."""
        path = self.folder / f"round-{index:02d}.csv"
        return read_table(path) if path.exists() else None

    def problems(self, index: int) -> list[str]:
        """The envelopes of round ``index`` that did not count, a line each: as processing
        found them, or as they stand now for a round not processed yet.
        """
        path = self.folder / f"problems-{index:02d}.yaml"
        if path.exists():
            return list(read_yaml(path, str(path)).get("problems") or [])
        return self.mailbox.envelopes(index).problems

    def results(self) -> pd.DataFrame:
        """Every processed round's choices and results, one row per team (and the reference)."""
        tables = [t for r in self.rules.rounds if (t := self.round_results(r.index)) is not None]
        return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()

    def previous_cumulative(self, index: int) -> dict[str, dict[str, float]]:
        """Each team's result row of the last scored round before ``index`` (empty if none)."""
        earlier = [r.index for r in self.rules.rounds[:index] if not r.practice]
        if not earlier:
            return {}
        table = self.round_results(earlier[-1])
        if table is None:
            return {}
        return {row["team"]: row for row in table.to_dict("records")}

    def weekly(self, index: int | None = None) -> pd.DataFrame:
        """Week-by-week ledgers (one per team and the reference) from the latest processing."""
        index = self.book.last_complete_round() if index is None else index
        if index is None:
            return pd.DataFrame()
        path = self.folder / f"weekly-{index:02d}.csv"
        return read_table(path) if path.exists() else pd.DataFrame()

    def luck(self, index: int | None = None) -> pd.DataFrame:
        """The replays of a scored round (the last complete one by default): each team's and
        the reference's revenue and profit to date in every replication, 0 being the played
        world (``results/luck-NN.csv``); replication 0 alone in a game without replays, and
        empty for a round processed before the replays existed.
        """
        index = self.book.last_complete_round() if index is None else index
        path = self.folder / f"luck-{index:02d}.csv" if index is not None else None
        if path is None or not path.exists():
            return pd.DataFrame(columns=list(LUCK_COLUMNS))
        return read_table(path)

    def leaderboard(self) -> pd.DataFrame:
        """Teams ranked by cumulative revenue or profit at the last round all completed.

        ``rank`` orders the played world (ties of the score broken by name). The other
        columns say how much of it is luck, from the round's replays (:meth:`luck`):
        ``luck_low``/``luck_high`` are the lowest and highest score over all replications,
        ``vs_reference_low``/``vs_reference_high`` the same as a share of the reference's score
        in the same replication, ``p_first`` the share of replications the team finishes first
        in (a first place held jointly is shared). ``place`` is the rank to show: teams whose
        gap to the team above is within luck (the 95 % interval of their paired differences
        includes zero) share the first one's rank, written ``=2``, and ``tied_with`` names the
        others of the group. Without replays (rounds processed before they existed, or a game
        with ``luck_reps: 0``) these columns are empty and ``place`` is the rank.
        """
        index = self.book.last_complete_round()
        if index is None:
            return pd.DataFrame(columns=list(BOARD_COLUMNS))
        table = self.round_results(index)
        key = f"{self.rules.rank_by}_to_date"
        ref = table[table["team"] == REFERENCE]
        board = table[table["team"] != REFERENCE].copy()
        ref_value = float(ref[key].iloc[0]) if len(ref) else float("nan")
        board["vs_reference"] = board[key] / ref_value if ref_value else float("nan")
        board["auto_submitted"] = board["team"].map(self._auto_submitted()).fillna(0).astype(int)
        board = board.sort_values([key, "team"], ascending=[False, True])
        board["rank"] = range(1, len(board) + 1)
        luck = luck_standings(list(board["team"]), self.luck(index), key,
                              played=[float(v) for v in board[key]])
        board = board.join(luck, on="team")
        return board[list(BOARD_COLUMNS)].reset_index(drop=True)

    def _auto_submitted(self) -> pd.Series:
        """How many halves each team left to be carried over, over the scored rounds."""
        everything = self.results()
        scored = everything[~everything["practice"].astype(bool)]
        return scored.assign(n=scored["auto_marketing"].astype(int)
                             + scored["auto_sales"].astype(int)).groupby("team")["n"].sum()

    def export_csv(self, path: str | Path) -> Path:
        """Write every round's choices and results to one CSV (atomically)."""
        table = self.results()
        if table.empty:
            raise GameError(str(self.rules.folder), None, "no round has been processed yet")
        path = Path(path)
        write_csv(path, table)
        return path
