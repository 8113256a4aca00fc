"""Presenter mode: the facilitator's projector screen, readable from the back of the room.

The console is the facilitator's desk; the presenter is the scoreboard on the stadium wall. It
shows one thing at a time, large: the countdown of the open round while the teams play (or
"Round locked", "Waiting for the facilitator"), then a leaderboard revealed place by place,
from the last team to the winner, as at an award ceremony, every team's guess of its revenue
beside the result (predict, then reveal: :mod:`sim.game.guesses`), and the debrief charts one
by one with their takeaway (:func:`sim.game.debrief.debrief_slides`).

Everything is sized for a projector: :meth:`Presenter.set_viewport` takes the screen's size in
pixels (1280×720 and 1920×1080 are the usual ones) and scales the countdown, the text and each
chart to it. A chart keeps its layout in inches and gets more dots per inch on a larger screen,
so its fonts grow with the screen instead of the chart growing more ticks.

Like the console, the presenter holds no game state of its own: :meth:`Presenter.refresh`
re-reads the game folder (the console calls it every few seconds) and :meth:`Presenter.tick`
moves the countdown on between two reads.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ipywidgets as w
import matplotlib as mpl
import pandas as pd

from sim.game import Game, GameError, open_game
from sim.game.debrief import debrief_slides, money
from sim.game.display import Screen, swatch_html
from sim.game.guesses import NO_GUESS, miss_text
from sim.views.deck import Slide
from sim.views.images import figure_png
from sim.views.projector import VIEWPORTS, chart_geometry

CLOCK_SHARE = 96 / 720
"""The countdown's digits as a share of the screen height: 96 px at 720, 144 px at 1080."""
STATUS_SHARE = 0.05
"""The one-line round status shown instead while no round is running."""
REVEAL_TITLE = "Leaderboard reveal"
GUESSES_TITLE = "Guesses vs results"
CELL = "<td style='padding:0 0.8em'>"
WAITING = "Waiting for the facilitator"
LOCKED = "Round locked"
FINAL = "Final results"
UNBROKEN = re.compile(r" (?=(?:k|m|bn|%)\b)")
"""The space before a unit of money or a percent sign, kept on the number's line."""


def utc_now() -> datetime:
    """The current time in UTC, the presenter's clock unless another one is given."""
    return datetime.now(UTC)


def countdown_text(state: Any, now: datetime, final: bool = False) -> str:
    """What the big clock says for a round in ``state`` (None before the game starts) at
    ``now``: the time left (``4:05``, ``1:02:03``), "Round open" without a countdown, "Round
    locked" (a countdown that ran out locks the round), "Waiting for the facilitator", or
    "Final results" once the ``final`` round is processed.
    """
    if state is not None and state.status == "processed" and final:
        return FINAL
    if state is None or state.status in ("waiting", "processed"):
        return WAITING
    if state.status == "locked":
        return LOCKED
    if state.closes_at is None:
        return "Round open"
    left = int((state.closes_at - now).total_seconds() + 0.999)  # 0:01 until the last second
    if left <= 0:
        return LOCKED
    hours, rest = divmod(left, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _running(state: Any) -> bool:
    return state is not None and state.status in ("open", "locked")


class Layout:
    """Pixel sizes of the presenter's parts on a screen of ``width`` × ``height``."""

    def __init__(self, width: int, height: int):
        if width < 320 or height < 240:
            raise ValueError(f"a viewport of {width}×{height} px is too small to present on")
        self.width, self.height = int(width), int(height)

    def px(self, share: float) -> int:
        """A share of the screen height in whole pixels."""
        return round(share * self.height)

    def header(self, running: bool) -> int:
        """Height of the clock line and the round line under it."""
        clock = self.px(CLOCK_SHARE if running else STATUS_SHARE)
        return round(1.2 * clock + 1.5 * self.px(0.033))

    def chart_box(self, running: bool) -> tuple[int, int]:
        """The chart's size in pixels: the full width, and the height the rest leaves."""
        rest = self.header(running) + self.px(0.11) + self.px(0.07) + self.px(0.03)
        return round(0.96 * self.width), max(120, self.height - rest)


class Presenter(Screen):
    """The projector screen of a game (an ipywidgets ``VBox`` in :attr:`widget`).

    ``viewport`` is the screen size in pixels; ``clock`` returns the time now (injectable for
    tests and rehearsals). The buttons call :meth:`previous`, :meth:`next`,
    :meth:`reveal_next` and :meth:`reveal_all`.
    """

    plain = ("Presenter mode (interactive): open it from the facilitator's console on the "
             "projector.")

    tick_seconds = 1.0  # the countdown moves every second; the folder is re-read less often

    def __init__(self, game: Game | str | Path, *, viewport: tuple[int, int] = VIEWPORTS["720p"],
                 clock: Callable[[], datetime] | None = None):
        self.game = game if isinstance(game, Game) else open_game(game)
        self.clock = clock or utc_now
        self.layout = Layout(*viewport)
        self.slides: list[Slide] = []
        self._natural: list[tuple[float, float]] = []
        self.board = pd.DataFrame()
        self.guesses = pd.DataFrame()
        self.position = 0
        self.revealed = 0
        self._state: Any = None
        self._round: int | None = None
        self._charted: Any = object()  # what the slides were made from: nothing yet
        self._header_running = False
        self.chart_dpi = 0.0  # of the chart last shown: its fonts are this many ÷ 72 px a point
        self._lock = threading.RLock()
        self._build_widgets()
        self.refresh()

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        self.clock_html = w.HTML()
        self.title_html = w.HTML()
        self.image = w.Image(format="png")
        self.board_html = w.HTML()
        self.message = w.HTML()
        self.prev_button = w.Button(description="Previous", icon="arrow-left")
        self.next_button = w.Button(description="Next", icon="arrow-right")
        self.position_label = w.HTML()
        self.reveal_button = w.Button(description="Reveal next place", icon="trophy")
        self.reveal_all_button = w.Button(description="Reveal all")
        self.prev_button.on_click(lambda _b: self.previous())
        self.next_button.on_click(lambda _b: self.next())
        self.reveal_button.on_click(lambda _b: self.reveal_next())
        self.reveal_all_button.on_click(lambda _b: self.reveal_all())
        self.buttons = [self.prev_button, self.next_button, self.reveal_button,
                        self.reveal_all_button]
        controls = w.HBox([self.prev_button, self.position_label, self.next_button,
                           self.reveal_button, self.reveal_all_button],
                          layout=w.Layout(align_items="center"))
        self.widget = w.VBox([self.clock_html, self.title_html, self.image, self.board_html,
                              controls, self.message])
        self._size_widgets()

    def _size_widgets(self) -> None:
        height = f"{self.layout.px(0.06)}px"
        for button in self.buttons:
            button.layout = w.Layout(height=height, width="auto", margin="0 12px 0 0")
            button.style.font_size = f"{self.layout.px(0.028)}px"
        self.widget.layout = w.Layout(width=f"{self.layout.width}px",
                                      padding=f"{self.layout.px(0.015)}px")

    # ------------------------------------------------------------------ reading the folder
    def refresh(self, quiet: bool = False, now: datetime | None = None) -> None:
        """Re-read the game folder: the round and its countdown, and, when a round has been
        processed since the last look, the debrief charts and the leaderboard (the reveal
        starts again from the last place). ``quiet`` keeps the last message.
        """
        with self._lock:
            try:
                self._round = self.game.current_round()
                moment = now or self.clock()
                self._state = self.game.state(self._round, moment) \
                    if self._round is not None else None
                done = self.game.last_processed()
            except GameError as exc:  # a damaged state file: say which, change nothing else
                self.message.value = f"<div style='color:#B00020'>{html.escape(str(exc))}</div>"
                return
            if not quiet:
                self.message.value = ""
            if done != self._charted:
                self._charted = done
                self._load_debrief()
            self._show(now)

    def _load_debrief(self) -> None:
        self.slides = debrief_slides(self.game) if self._charted is not None else []
        # each chart's own size, before the screen resizes it: the layout starts from it
        self._natural = [tuple(s.figure.get_size_inches()) for s in self.slides]
        self.board = self.game.leaderboard()
        done = self._charted
        self.guesses = self.game.guess_table(done) if done is not None else pd.DataFrame()
        self.revealed = 0
        self.position = min(self.position, len(self.items) - 1)

    def tick(self, now: datetime | None = None) -> None:
        """Move the countdown on without reading the folder (between two refreshes)."""
        with self._lock:
            if self._show_clock(now) and self.position > 0:  # the chart's room changed
                self._show_item()

    # ------------------------------------------------------------------ the screen
    def set_viewport(self, width_px: int, height_px: int) -> None:
        """Lay the presenter out for a screen of ``width_px`` × ``height_px``: the countdown,
        the text and the chart (its size and its fonts) follow.
        """
        with self._lock:
            self.layout = Layout(width_px, height_px)
            self._size_widgets()
            self._show()

    @property
    def items(self) -> list[str]:
        """What Previous and Next step through: the leaderboard reveal, the guesses against the
        results once a round is processed, then each chart.
        """
        return [REVEAL_TITLE, *self._tables()[1:], *(s.title for s in self.slides)]

    def _tables(self) -> list[str]:
        """The items drawn as tables rather than charts, in their order at the start."""
        return [REVEAL_TITLE, *([GUESSES_TITLE] if not self.guesses.empty else [])]

    @property
    def current(self) -> str:
        """The title of what is on screen."""
        return self.items[self.position]

    def countdown(self, now: datetime | None = None) -> str:
        """The big clock's text now (see :func:`countdown_text`)."""
        return countdown_text(self._state, now or self.clock(), self._final())

    def _final(self) -> bool:
        return self._round is not None and self._round == len(self.game.rounds) - 1

    def _show(self, now: datetime | None = None) -> None:
        self._show_clock(now)
        count = len(self.items)
        self.position_label.value = (f"<span style='font-size:{self.layout.px(0.028)}px'>"
                                     f"{self.position + 1} / {count}</span>")
        self.prev_button.disabled = self.next_button.disabled = count < 2
        if self.position == 0:
            self._show_reveal()
        else:
            self._show_item()

    def _show_item(self) -> None:
        """Show the guesses or a chart: whatever :attr:`position` points at past the reveal."""
        tables = len(self._tables())
        if self.position < tables:
            self._show_guesses()
        else:
            self._show_slide(self.position - tables)

    def _show_clock(self, now: datetime | None = None) -> bool:
        """Draw the clock; returns whether the header changed size (a round began or ended)."""
        now = now or self.clock()
        text = countdown_text(self._state, now, self._final())
        running = _running(self._state)
        size = self.layout.px(CLOCK_SHARE if running else STATUS_SHARE)
        line = ""
        if self._round is not None:
            rnd = self.game.round(self._round)
            line = f"{rnd.name} · round {self._round + 1} of {len(self.game.rounds)}"
        self.clock_html.value = (
            f"<div style='text-align:center;line-height:1.2'>"
            f"<div style='font-size:{size}px;font-weight:700'>{html.escape(text)}</div>"
            f"<div style='font-size:{self.layout.px(0.033)}px;color:#555'>"
            f"{html.escape(line)}</div></div>")
        changed = running != self._header_running
        self._header_running = running
        return changed

    def _heading(self, title: str, takeaway: str) -> None:
        self.title_html.value = (
            f"<div style='line-height:1.25'>"
            f"<div style='font-size:{self.layout.px(0.045)}px;font-weight:700'>"
            f"{html.escape(title)}</div><div style='font-size:{self.layout.px(0.03)}px'>"
            f"{UNBROKEN.sub('&nbsp;', html.escape(takeaway))}</div></div>")

    def _show_slide(self, number: int) -> None:
        slide = self.slides[number]
        self._heading(slide.title, slide.takeaway)
        self.board_html.layout = w.Layout(display="none")
        self.image.layout.display = None
        box = self.layout.chart_box(self._header_running)
        inches, dpi = chart_geometry(box, self._natural[number])
        self.chart_dpi = dpi
        slide.figure.set_size_inches(*inches)
        slide.figure.set_dpi(dpi)
        self.image.value = figure_png(slide.figure, dpi)
        self.image.width, self.image.height = str(box[0]), str(box[1])

    @property
    def font_px(self) -> float:
        """The height in pixels of the last chart's default text on this screen."""
        return mpl.rcParams["font.size"] * self.chart_dpi / 72

    # ------------------------------------------------------------------ navigating
    def next(self) -> str:
        """Show the next item (after the last, the first again); returns its title."""
        with self._lock:
            self.position = (self.position + 1) % len(self.items)
            self._show()
            return self.current

    def previous(self) -> str:
        """Show the item before (before the first, the last); returns its title."""
        with self._lock:
            self.position = (self.position - 1) % len(self.items)
            self._show()
            return self.current

    # ------------------------------------------------------------------ the reveal
    def reveal_next(self) -> str | None:
        """Show the leaderboard with one more team uncovered, from the last place up to the
        first; returns the team uncovered (None when all are shown already).
        """
        with self._lock:
            team = None
            if self.revealed < len(self.board):
                self.revealed += 1
                team = str(self.board["team"].iloc[len(self.board) - self.revealed])
            self.position = 0
            self._show()
            return team

    def reveal_all(self) -> None:
        """Show the whole leaderboard at once."""
        with self._lock:
            self.revealed = len(self.board)
            self.position = 0
            self._show()

    def shown_teams(self) -> list[str]:
        """The teams uncovered so far, in the order they were uncovered (last place first)."""
        teams = list(self.board["team"]) if not self.board.empty else []
        return teams[::-1][: self.revealed]

    def _show_reveal(self) -> None:
        done = self.revealed >= len(self.board)
        self.reveal_button.disabled = done
        self.reveal_all_button.disabled = done
        self.image.layout.display = "none"
        # the table takes the chart's room, so the buttons stay where the hand expects them
        self.board_html.layout = w.Layout(height=f"{self.layout.chart_box(self._header_running)[1]}px",
                                          overflow="hidden")
        if self.board.empty:
            self._heading("Leaderboard", "No scored round has been processed yet.")
            self.board_html.value = ""
            return
        left = len(self.board) - self.revealed
        self._heading("Leaderboard", "Every place is shown." if done else
                      f"{left} place{'s' if left > 1 else ''} still to reveal.")
        self.board_html.value = self._board_table()

    def _board_table(self) -> str:
        """The leaderboard as a large table, the places not yet revealed as question marks."""
        box = self.layout.chart_box(self._header_running)
        size = max(12, min(self.layout.px(0.05), round(box[1] / (len(self.board) + 1) / 1.5)))
        key = f"{self.game.rank_by}_to_date"
        hidden = len(self.board) - self.revealed
        head = ("place", "team", key.replace("_", " "), "vs. reference")
        rows = ["<tr style='color:#555;font-size:0.5em'>"
                + "".join(f"<td style='padding:0 1.6em'>{h}</td>" for h in head) + "</tr>"]
        for i, row in enumerate(self.board.to_dict("records")):
            place = html.escape(str(row["place"]))
            if i < hidden:
                cells = f"<td>{place}</td><td>?</td><td></td><td></td>"
            else:
                swatch = swatch_html(row["team"], self.game.teams)
                cells = (f"<td>{place}</td><td>{swatch}</td><td>{html.escape(money(row[key]))}"
                         f"</td><td>{html.escape(miss_text(float(row['vs_reference']) - 1))}</td>")
            rows.append(f"<tr>{cells.replace('<td>', CELL)}</tr>")
        return (f"<table style='font-size:{size}px;line-height:1.3;margin:auto;"
                "border-collapse:collapse'>"
                f"{''.join(rows)}</table>")

    # ------------------------------------------------------------------ the guesses
    def _show_guesses(self) -> None:
        """Every team's guess of its revenue in the last processed round beside the result."""
        self.image.layout.display = "none"
        self.board_html.layout = w.Layout(height=f"{self.layout.chart_box(self._header_running)[1]}px",
                                          overflow="hidden")
        name = self.game.round(self._charted).name
        self._heading(f"{GUESSES_TITLE} · {name}", guesses_takeaway(self.guesses))
        self.board_html.value = self._guesses_table()

    def _guesses_table(self) -> str:
        """The guesses as a large table: team, guess, result and miss."""
        box = self.layout.chart_box(self._header_running)
        size = max(12, min(self.layout.px(0.05), round(box[1] / (len(self.guesses) + 1) / 1.5)))
        head = ("team", "guess", "result", "miss")
        rows = ["<tr style='color:#555;font-size:0.5em'>"
                + "".join(f"<td style='padding:0 1.6em'>{h}</td>" for h in head) + "</tr>"]
        for row in self.guesses.to_dict("records"):
            guessed = pd.notna(row["guess"])
            swatch = swatch_html(row["team"], self.game.teams)
            cells = (swatch, html.escape(money(row["guess"]) if guessed else NO_GUESS),
                     html.escape(money(row["result"])), html.escape(miss_text(row["miss"])))
            rows.append("<tr>" + "".join(f"{CELL}{c}</td>" for c in cells) + "</tr>")
        return (f"<table class='leadflow-guesses' style='font-size:{size}px;line-height:1.3;"
                f"margin:auto;border-collapse:collapse;white-space:nowrap'>{''.join(rows)}"
                "</table>")


def guesses_takeaway(table: pd.DataFrame) -> str:
    """The line under the guesses' title: who came closest, and how many did not guess."""
    guessed = table[table["guess"].notna() & table["miss"].notna()]
    missing = int(table["guess"].isna().sum())
    silent = (f"{missing} team{'s' if missing != 1 else ''} did not guess."
              if missing else "Every team guessed.")
    if guessed.empty:
        return "No team guessed this quarter's revenue." if missing else silent
    best = guessed.loc[guessed["miss"].abs().idxmin()]
    off = round(abs(float(best["miss"])) * 100)
    how = "right on" if off == 0 else f"{off} % {'too high' if best['miss'] > 0 else 'too low'}"
    return f"Closest: {best['team']} ({how}). {silent}"


__all__ = ["GUESSES_TITLE", "Layout", "Presenter", "countdown_text", "guesses_takeaway"]
