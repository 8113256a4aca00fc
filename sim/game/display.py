"""What the game's screens share: display plumbing, live refresh, and the tables they show.

Every screen of the game (a team's page, the join form, the facilitator's console, solo play)
is a :class:`Screen`: an ipywidgets layout that shows itself in a notebook, re-reads the game
folder on :meth:`Screen.refresh` and, on a live page, every few seconds in the background
(:meth:`Screen.start_auto_refresh`). Like the common stock of a print shop, the pieces here are
what more than one screen sets: the round's headline (:func:`round_line`), an HTML table in the
game's style (:func:`table_html`), a figure drawn at its own size (:func:`show_figure`), the
leaderboard as the room reads it (:func:`board_table`, :func:`luck_html`) and the number
formats they use.
"""

from __future__ import annotations

import html
import random
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from sim.game.game import Game
from sim.game.luck import luck_sentences
from sim.game.storage import now_utc
from sim.views.controls import DPI, Shown, message_html
from sim.views.images import figure_png
from sim.views.labels import format_value as format_kpi
from sim.views.palette import team_color

BOARD_HEADERS: dict[str, str] = {
    "revenue_to_date": "revenue to date", "profit_to_date": "profit to date",
    "vs_reference": "vs. reference", "luck_band": "with other luck (vs. reference)",
    "p_first": "chance of first", "auto_submitted": "auto-submitted halves",
}
"""Column headers of the console's leaderboard."""

TABLE_STYLE = ("<style>.leadflow-game-table{border-collapse:collapse}"
               ".leadflow-game-table th,.leadflow-game-table td{padding:2px 12px;"
               "text-align:right;border-bottom:1px solid #ddd}</style>")


def as_game(game: Game | str | Path) -> Game:
    """``game``, or the game in the folder it names."""
    return game if isinstance(game, Game) else Game(game)


def clock(moment: Any) -> str:
    """A moment in the screen's local time, ``HH:MM:SS`` (empty for none)."""
    return moment.astimezone().strftime("%H:%M:%S") if moment is not None else ""


def round_line(game: Game, index: int | None) -> str:
    """The round's headline: its name, number, status and the countdown's time left."""
    if index is None:
        return "The game has not started yet: wait for the facilitator to open the first round."
    rnd = game.round(index)
    state = game.state(index)
    text = (f"<b>{html.escape(rnd.name)}</b> (round {index + 1} of {len(game.rounds)}"
            f"{', practice: not scored' if rnd.practice else ''}) · <b>{state.status}</b>")
    if state.status == "open" and state.closes_at is not None:
        left = max(0, int((state.closes_at - now_utc()).total_seconds()))
        text += f" · closes at {clock(state.closes_at)} ({left // 60}:{left % 60:02d} left)"
    return text


def table_html(table: pd.DataFrame) -> str:
    """A table in the game's style (nothing for an empty one)."""
    if table.empty:
        return ""
    return TABLE_STYLE + table.to_html(index=False, escape=True, border=0, na_rep="–",
                                       classes="leadflow-game-table")


def show_figure(image: w.Image, fig: Any) -> None:
    """Draw ``fig`` into ``image`` at its own size (a stretched PNG would blur)."""
    fig.set_dpi(DPI)
    image.value = figure_png(fig)
    image.width = str(round(fig.get_figwidth() * DPI))


def count(value: Any) -> str:
    """A count with thousands separators (``–`` for none)."""
    return f"{float(value):,.0f}" if pd.notna(value) else "–"


def share(value: Any) -> str:
    """A share as a whole percentage (``–`` for none)."""
    return f"{float(value):.0%}" if pd.notna(value) else "–"


def band(low: Any, high: Any) -> str:
    """A range of shares, ``80%–95%`` (``–`` unless both ends are known)."""
    return f"{share(low)}–{share(high)}" if pd.notna(low) and pd.notna(high) else "–"


def board_table(board: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard as the console shows it: the rank with ties (``=2``), money formatted,
    each team's band over the replications as a share of the reference, and its chance of
    finishing first.
    """
    if board.empty:
        return board
    shown = pd.DataFrame({
        "rank": board["place"], "team": board["team"],
        "revenue_to_date": board["revenue_to_date"].map(lambda v: format_kpi("revenue", v)),
        "profit_to_date": board["profit_to_date"].map(lambda v: format_kpi("profit", v)),
        "vs_reference": board["vs_reference"].map(share),
        "luck_band": [band(lo, hi) for lo, hi in zip(board["vs_reference_low"],
                                                     board["vs_reference_high"], strict=True)],
        "p_first": board["p_first"].map(share),
        "auto_submitted": board["auto_submitted"],
    })
    return shown.rename(columns=BOARD_HEADERS)


def luck_html(board: pd.DataFrame, rank_by: str) -> str:
    """What the band and the ties mean, and the ties themselves, for the trainer to read out."""
    if board.empty:
        return ""
    replications = int(board["replications"].iloc[0])
    if replications < 2:
        return ("<div style='color:#555'>This round was processed without replays, so the "
                "leaderboard cannot tell skill from luck.</div>")
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in luck_sentences(board))
    return (f"<div style='color:#555'>Luck: each team's {html.escape(rank_by)} to date in "
            f"{replications} runs of the same quarters (the played one and "
            f"{replications - 1} replays with other luck, the same luck for every team), as a "
            "share of the reference's in the same run; <i>chance of first</i> is the share of "
            "runs a team comes first in. Teams marked = share a rank.</div>"
            f"<ul style='margin:4px 0'>{lines}</ul>")


def swatch_html(team: str, teams: list[str] | None = None) -> str:
    """A team's name behind a square in its colour among the game's ``teams``
    (:func:`sim.views.palette.team_color`), as the tables of the console and the projector
    show it.
    """
    colour = team_color(str(team), teams)
    return f"<span style='color:{colour}'>&#9632;</span> {html.escape(str(team))}"


class Screen(Shown):
    """What the game's screens share: each has a ``widget`` (shown as a :class:`Shown` is) and
    a :meth:`refresh`, and may re-read the game folder by itself.
    """

    plain = ("A screen of the workshop game: open the notebook in JupyterLab and run it, or "
             "serve the game (make game), to play.")

    tick_seconds: float | None = None
    """How often :meth:`tick` runs between two refreshes (a screen with a countdown sets it)."""

    def tick(self) -> None:
        """Between two refreshes: nothing here (a screen with a countdown redraws it)."""

    def start_auto_refresh(self, seconds: float = 5.0,
                           context: AbstractContextManager[Any] | None = None) -> None:
        """Re-read the game folder every ``seconds`` in the background (for live pages), and
        :meth:`tick` every :attr:`tick_seconds` in between, until :meth:`stop_auto_refresh`.

        ``context`` is entered around each step: the room server passes the page's session,
        so that the widgets a background thread changes reach that page and no other.
        """
        stop = threading.Event()
        self._stop_refresh = stop
        inside = context if context is not None else nullcontext()
        step = min(self.tick_seconds or seconds, seconds)
        # pages opened together would otherwise all re-read at the same instant, forever
        first = step * (0.5 + random.random())

        def loop() -> None:
            wait, since = first, 0.0
            while not stop.wait(wait):
                wait = step
                since += step
                due = since >= seconds - 1e-9
                since = 0.0 if due else since
                try:
                    with inside:
                        if due:
                            self.refresh(quiet=True)
                        else:
                            self.tick()
                except Exception:  # a half-copied folder on a network drive: try again later
                    continue

        threading.Thread(target=loop, daemon=True, name="leadflow-game-refresh").start()

    def stop_auto_refresh(self) -> None:
        """End the background refresh (the room server calls it when a page's session closes)."""
        stop = getattr(self, "_stop_refresh", None)
        if stop is not None:
            stop.set()

    def refresh(self, quiet: bool = False) -> None:  # pragma: no cover - overridden
        """Re-read the game folder and redraw (each screen says what it shows)."""
        raise NotImplementedError


class Notice(Screen):
    """A page that only says something (no game yet)."""

    def __init__(self, text: str):
        self.text = text
        self.widget = w.HTML(message_html(text, "info"))

    def refresh(self, quiet: bool = False) -> None:
        """Nothing to re-read."""
