"""Solo play: one person plays both halves of a team, a quarter per click.

A :class:`SoloScreen` is patience played with a board game's cards: the same game, with one
team whose single player posts both envelopes. It shows the marketing and the sales page side
by side (their own Submit buttons hidden); *Play this quarter* posts both, processes the
quarter and opens the next, and the chart compares the team's revenue with the well-aligned
reference's::

    from sim.game.solo import SoloScreen
    SoloScreen.new()                   # a solo game in a fresh folder
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from sim.errors import ScenarioError
from sim.game import plots as game_plots
from sim.game.display import Screen, as_game, band, show_figure
from sim.game.game import Game
from sim.game.rules import REFERENCE, ROLES
from sim.game.team_screen import TeamScreen
from sim.views.controls import message_html, size_figure
from sim.views.labels import format_value as format_kpi


class SoloScreen(Screen):
    """One person plays both halves of a team: set both sides' levers, play a quarter."""

    plain = ("Solo play (interactive): run the notebook in JupyterLab to play a quarter per "
             "click.")

    def __init__(self, game: Game | str | Path):
        self.game = as_game(game)
        self.team = self.game.teams[0]
        self.sides = {role: TeamScreen(self.game, self.team, role) for role in ROLES}
        for side in self.sides.values():
            side.submit_button.layout.display = "none"
            side.refresh_button.layout.display = "none"
        self.play_button = w.Button(description="Play this quarter", button_style="primary",
                                    icon="play")
        self.play_button.on_click(lambda _b: self.play())
        self.message_label = w.HTML()
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.summary = w.HTML()
        self.widget = w.VBox([
            w.HBox([self.sides["marketing"].widget, self.sides["sales"].widget]),
            self.play_button, self.message_label, self.summary, self.image,
        ])
        if self.game.current_round() is None:
            self.game.open_round()
        self.refresh()

    @classmethod
    def new(cls, folder: str | Path | None = None, **options: Any) -> SoloScreen:
        """A solo game in ``folder`` (a new temporary folder by default)."""
        folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="solo-game-"))
        return cls(Game.create(folder, teams=["solo"], solo=True, **options))

    def set(self, key: str, value: Any) -> None:
        """Move a lever on whichever half's page has it this round."""
        for side in self.sides.values():
            if key in side.controls:
                side.set(key, value)
                return
        raise KeyError(f"{key!r} is not a lever this round")

    def play(self) -> pd.DataFrame | None:
        """Submit both halves, process the quarter and open the next one."""
        index = self.game.current_round()
        try:
            for role, side in self.sides.items():
                self.game.submit(self.team, role, side.values(), index)
            self.game.lock_round(index)
            table = self.game.process_round(index)
            if index + 1 < len(self.game.rounds):
                self.game.open_round(index + 1)
        except ScenarioError as exc:
            self.message_label.value = message_html(f"Not played: {exc}", "error")
            return None
        row = table[table["team"] == self.team].iloc[0]
        ref = table[table["team"] == REFERENCE].iloc[0]
        self.message_label.value = message_html(
            f"{row['round_name']}: revenue {format_kpi('revenue', row['revenue'])} "
            f"(reference {format_kpi('revenue', ref['revenue'])}).", "ok")
        self.refresh()
        return table

    def refresh(self, quiet: bool = False) -> None:
        """Re-read the game folder: both pages, the summary and the revenue chart."""
        for side in self.sides.values():
            side.refresh(quiet)
            side.others.value = ""
        finished = self.game.last_processed() == len(self.game.rounds) - 1
        self.play_button.disabled = finished
        results = self.game.results()
        if finished:
            self.summary.value = "<b>Game over.</b> " + _summary(self.game)
        else:
            self.summary.value = _summary(self.game)
        fig = game_plots.revenue_by_round(results)
        size_figure(fig, 7.0, 3.6)
        show_figure(self.image, fig)


def _summary(game: Game) -> str:
    """The team's revenue to date against the reference's, with the band of other luck."""
    board = game.leaderboard()
    if board.empty:
        return ""
    row = board.iloc[0]
    spread = band(row["vs_reference_low"], row["vs_reference_high"])
    luck = f" With other luck: {spread} of it." if spread != "–" else ""
    return (f"Revenue to date {format_kpi('revenue', row['revenue_to_date'])}, "
            f"{row['vs_reference']:.0%} of the well-aligned reference.{luck}")

