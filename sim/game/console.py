"""The facilitator's console: run the rounds, watch the envelopes, show the debrief.

The console is the game master's desk. Its round controls open a round (with a countdown),
lock it, process it, undo the last processing and reopen a locked round; each button is
enabled only while its action is valid, and the risky ones ask first (a *Confirm* and a
*Cancel* button appear). Three parts of the desk have their own class: :class:`RoundAdvice`
knows, without any widget, what can be done now and how to say why not;
:class:`EnvelopesPanel` shows who has posted and which envelopes were skipped;
:class:`DebriefPanel` shows the leaderboard, every team's guess of its revenue against the
result (predict, then reveal: :mod:`sim.game.guesses`), the debrief charts (funnels, revenue
against the well-aligned reference, the misalignment picture, trust over time) and the export.
On the room server the console also links to presenter mode (:mod:`sim.game.presenter`), the
projector's screen on the console door. :class:`NewGameForm` stands in for the console while
the folder holds no game yet.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from sim.errors import ScenarioError
from sim.game import plots as game_plots
from sim.game.display import (
    TABLE_STYLE,
    Screen,
    as_game,
    board_table,
    clock,
    luck_html,
    round_line,
    show_figure,
    swatch_html,
    table_html,
)
from sim.game.game import Game
from sim.game.guesses import shown_guesses
from sim.game.rules import REFERENCE
from sim.game.storage import game_folder, now_utc
from sim.views.controls import data_link, message_html

PRESENTER_LABEL = "Presenter mode (projector)"
LINK_BUTTON = ("display:inline-block;padding:4px 12px;margin:2px 6px 2px 0;border-radius:4px;"
               "background:#1f5fa8;color:#FFFFFF;text-decoration:none;font-weight:600")
"""A link that looks like the console's buttons: it opens presenter mode in a new tab."""


def console_door() -> str | None:
    """The console door's address when the console runs on the room server (which tells its
    pages the door's port), else None (a notebook has no presenter page to link to).
    """
    from sim.game.server import CONSOLE_PORT_ENV

    port = os.environ.get(CONSOLE_PORT_ENV, "").strip()
    return f"http://127.0.0.1:{port}" if port.isdigit() else None


def presenter_html(game: Game, console_url: str | None) -> str:
    """The links to presenter mode on the console door at ``console_url``, for a 1280×720 and
    a 1920×1080 projector; without a door, where presenter mode is found instead.
    """
    if console_url is None:
        return ("<div style='color:#555'>Presenter mode (projector) is a page of the room "
                "server: start the room with <code>make game</code> or <code>python -m sim game "
                "serve</code> and open it from this console there.</div>")
    links = [(game.presenter_link(console_url), PRESENTER_LABEL),
             (game.presenter_link(console_url, "1080"), "1920×1080 projector")]
    anchors = "".join(f"<a class='leadflow-presenter-link' href='{html.escape(href)}' "
                      f"target='_blank' rel='noopener' style='{LINK_BUTTON}'>{html.escape(text)}"
                      "</a>" for href, text in links)
    return (f"<div style='margin:4px 0'>{anchors}<span style='color:#555'>opens the "
            "projector's screen in a new tab (drag it to the projector, then full screen)"
            "</span></div>")


def guesses_html(table: pd.DataFrame, teams: list[str] | None = None) -> str:
    """Every team's guess beside its company's revenue, as a table whose teams wear their
    colours (:func:`sim.game.guesses.guess_table` in, HTML out); ``teams``, the game's teams,
    gives each the colour it has in the game's charts.
    """
    shown = shown_guesses(table)
    shown["posted by"] = [role or "–" for role in table["guessed_by"]]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns)
    rows = []
    for row in shown.to_dict("records"):
        swatch = swatch_html(row.pop("team"), teams)
        rows.append(f"<tr><td>{swatch}</td>"
                    + "".join(f"<td>{html.escape(str(v))}</td>" for v in row.values()) + "</tr>")
    return (TABLE_STYLE + f"<table class='leadflow-game-table leadflow-guesses'><tr>{head}</tr>"
            + "".join(rows) + "</table>")


class RoundAdvice:
    """What the console may do now, and what it says about it, read from the game folder.

    The widgets ask it: which actions are valid (:meth:`why_not`), what to ask before one
    (:meth:`question`), what a refusal from the game means in the round names the screen
    shows (:meth:`explain`), and what state a confirmation was asked about (:meth:`snapshot`).
    """

    def __init__(self, game: Game):
        self.game = game

    def name(self, index: int | None) -> str:
        """A round as the screen names it (its name)."""
        return self.game.round(index).name if index is not None else "the round"

    def target_name(self, action: str) -> str:
        """The name of the round ``action`` would change."""
        index = self.game.last_processed() if action == "undo" else self.game.current_round()
        return self.name(index)

    def why_not(self, action: str) -> str | None:
        """Why ``action`` (open, lock, process, undo, reopen) cannot be done now, naming the
        rounds as the screen shows them, or None when it can.
        """
        current = self.game.current_round()
        if action == "open":
            return None if current is None else self._why_not_open(current)
        if current is None:
            return f"Cannot {action}: no round has been opened yet."
        status = self.game.state(current).status
        if action == "undo":
            return None if status == "processed" else self._why_not_undo(current)
        refusals = {
            "lock": (status != "open",
                     f"{self.name(current)} is {status}: only an open round can be locked."),
            "process": (status in ("open", "processed"), f"{self.name(current)} "
                        + ("is still open: lock it first." if status == "open"
                           else "was processed already.")),
            "reopen": (status != "locked", f"{self.name(current)} is {status}: only a locked "
                       "round that is not processed can be reopened."),
        }
        refused, why = refusals.get(action, (False, None))
        return why if refused else None

    def _why_not_open(self, current: int) -> str | None:
        nxt = current + 1
        if self.game.state(current).status != "processed":
            after = f" before opening {self.name(nxt)}" if nxt < len(self.game.rounds) else ""
            return f"Process {self.name(current)}{after}."
        if nxt >= len(self.game.rounds):
            return f"{self.name(current)} was the last round: the game is over."
        return None

    def _why_not_undo(self, current: int) -> str:
        last = self.game.last_processed()
        if last is None:
            return "Nothing to undo: no round has been processed yet."
        return f"{self.name(last)} cannot be undone: {self.name(current)} has been opened already."

    def question(self, action: str) -> str | None:
        """What to ask before ``action``, or None when it needs no confirmation."""
        current = self.game.current_round()
        if action == "process":
            return (f"Process {self.name(current)}? Every team is simulated and the results "
                    "go to the room.")
        if action == "lock" and self.game.state(current).countdown_running(now_utc()):
            closes = clock(self.game.state(current).closes_at)
            return (f"The countdown of {self.name(current)} runs until {closes}. Lock it "
                    "early? Envelopes not posted by now will not count.")
        if action == "undo":
            return (f"Undo the processing of {self.name(self.game.last_processed())}? Its "
                    "results are set aside (kept in the game folder) and the round is locked "
                    "again, to reopen or process again.")
        return None

    def snapshot(self) -> tuple[Any, ...]:
        """What a confirmation was asked about: the current round and its state."""
        current = self.game.current_round()
        if current is None:
            return (None,)
        state = self.game.state(current)
        return (current, state.status, state.closes_at, state.locked_at, state.processed_at)

    def explain(self, exc: ScenarioError) -> str:
        """A refusal from the game in the round names the screen shows; a damaged file's
        message keeps its path and key, which say what to fix.
        """
        if exc.key not in ("round", "minutes") and exc.source != str(self.game.folder):
            return str(exc)
        text = exc.problem
        for rnd in reversed(self.game.rounds):  # round 12 before round 1
            pattern = rf"\bround {rnd.index}\b(?: \({re.escape(rnd.name)}\))?"
            text = re.sub(pattern, lambda _m, name=rnd.name: name, text)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


class EnvelopesPanel:
    """Who has posted for the current round, and the envelopes that were skipped."""

    def __init__(self, game: Game):
        self.game = game
        self.status_html = w.HTML()
        self.widget = self.status_html

    def show(self, index: int | None) -> None:
        """Show round ``index``'s envelopes (nothing before the game starts)."""
        if index is None:
            self.status_html.value = ""
            return
        status = self.game.status(index)
        problems = self.game.problems(index)
        text = ("<h4 style='margin:8px 0 2px'>Envelopes</h4>" + table_html(status)
                + self._guesses_line(index))
        problems = [*problems, *self.game.guesses(index).problems]
        if problems:
            text += ("<div style='color:#B00020'>Skipped:<ul>"
                     + "".join(f"<li>{html.escape(p)}</li>" for p in problems) + "</ul></div>")
        self.status_html.value = text

    def _guesses_line(self, index: int) -> str:
        """Which teams have guessed their revenue this round (never how much: the console may
        be on the projector before the reveal).
        """
        if self.game.state(index).status == "processed":
            return ""
        counted = self.game.guesses(index).counted
        done = [t for t in self.game.teams if t in counted]
        missing = [t for t in self.game.teams if t not in counted]
        parts = [f"guessed: {', '.join(done)}" if done else "",
                 f"no guess yet: {', '.join(missing)}" if missing else ""]
        return ("<div style='color:#555'>Revenue guesses (predict, then reveal) · "
                + html.escape(" · ".join(p for p in parts if p)) + "</div>")


class DebriefPanel:
    """The leaderboard and the debrief charts in tabs, and the results' download link."""

    CHARTS = ("Leaderboard", "Funnels", "Revenue", "Scoreboards vs company", "Trust")
    GUESSES = "Guesses vs results"

    def __init__(self, game: Game):
        self.game = game
        self.board_html = w.HTML()
        self.export_html = w.HTML()
        self.images = {name: w.Image(format="png", layout=w.Layout(max_width="100%"))
                       for name in self.CHARTS}
        self.guesses_html = w.HTML()
        self.tabs = w.Tab(children=[
            w.VBox([self.board_html, self.images["Leaderboard"]]), self.guesses_html,
            *[self.images[name] for name in self.CHARTS[1:]],
        ])
        for i, name in enumerate([self.CHARTS[0], self.GUESSES, *self.CHARTS[1:]]):
            self.tabs.set_title(i, name)
        self._charted: int | None = -1

    def update(self, done: int | None) -> None:
        """Redraw once another round has been processed (``done`` is the last processed)."""
        if done != self._charted:
            self._charted = done
            self.draw(done)

    def draw(self, index: int | None) -> None:
        """Draw the board and the charts of the game as processed up to round ``index``."""
        results = self.game.results()
        board = self.game.leaderboard()
        self.board_html.value = (table_html(board_table(board))
                                 + luck_html(board, self.game.rank_by))
        figures = {
            "Leaderboard": game_plots.leaderboard_chart(board, self.game.rank_by,
                                                        self._reference_score()),
            "Funnels": game_plots.team_funnels(results, index if index is not None else 0),
            "Revenue": game_plots.revenue_by_round(results),
            "Scoreboards vs company": game_plots.misalignment_chart(results),
            "Trust": game_plots.trust_by_team(self.game.weekly()),
        }
        for name, fig in figures.items():
            show_figure(self.images[name], fig)
        self.guesses_html.value = self._guesses()
        if not results.empty:
            data = results.to_csv(index=False).encode("utf-8")
            self.export_html.value = data_link(data, "game-results.csv", "text/csv",
                                               "Download every round's choices and results (CSV)")

    def _guesses(self) -> str:
        """Each processed round's guesses against the results, the latest round first."""
        done = [r for r in self.game.rounds if self.game.state(r.index).status == "processed"]
        if not done:
            return "<div>No round has been processed yet: guesses are shown here after it.</div>"
        parts = ["<div style='color:#555'>Each team's guess of its company's revenue in the "
                 "quarter, posted before the round locked, beside what the company made; the "
                 "miss is the guess's distance from the result (+ too high, − too low).</div>"]
        for rnd in reversed(done):
            parts.append(f"<h4 style='margin:8px 0 2px'>{html.escape(rnd.name)}</h4>"
                         + guesses_html(self.game.guess_table(rnd.index), self.game.teams))
        return "".join(parts)

    def _reference_score(self) -> float | None:
        """The reference's score to date at the last complete round, or None."""
        last = self.game.last_complete_round()
        if last is None:
            return None
        table = self.game.round_results(last)
        ref = table[table["team"] == REFERENCE]
        return float(ref[f"{self.game.rank_by}_to_date"].iloc[0]) if len(ref) else None


class FacilitatorScreen(Screen):
    """The console: round control, envelopes, leaderboard, debrief charts, export.

    Each round button is enabled only while its action is valid (:meth:`RoundAdvice.why_not`
    says why not, naming rounds as the screen does). Processing, locking before a running
    countdown ends and undoing a processing first ask: a *Confirm* and a *Cancel* button
    appear, and only *Confirm* goes ahead. Called from code, those actions take
    ``confirm=True``.

    ``base_url`` is the room's address, which the team links carry; ``console_url`` the
    console door's, which the presenter links carry (by default the room server's console door,
    :func:`console_door`; none in a notebook).
    """

    plain = ("The facilitator's console (interactive): run the notebook in JupyterLab, or make "
             "game, to use it.")

    def __init__(self, game: Game | str | Path, base_url: str | None = None,
                 console_url: str | None = None):
        self.game = as_game(game)
        self.base_url = base_url
        self.console_url = console_url or console_door()
        self.advice = RoundAdvice(self.game)
        self.envelopes = EnvelopesPanel(self.game)
        self.debrief = DebriefPanel(self.game)
        self._pending: tuple[str, tuple[Any, ...]] | None = None
        self._build_controls()
        self.round_label = w.HTML()
        self.message_label = w.HTML()
        self.links_html = w.HTML("<details><summary>Team links and join codes</summary>"
                                 + table_html(self.game.links(base_url)) + "</details>")
        self.presenter_html = w.HTML(presenter_html(self.game, self.console_url))
        self.widget = w.VBox([
            w.HTML(f"<h3 style='margin:4px 0'>Facilitator: {html.escape(self.game.name)}</h3>"),
            self.presenter_html, self.round_label,
            w.HBox([self.minutes, self.open_button, self.lock_button, self.process_button,
                    self.refresh_button]),
            w.HBox([self.reopen_button, self.undo_button]),
            self.message_label, self.confirm_box, self.envelopes.widget, self.links_html,
            self.debrief.tabs, self.debrief.export_html,
        ])
        self.refresh()

    def _build_controls(self) -> None:
        """The countdown field, the round buttons and the confirmation pair, wired up."""
        self.minutes = w.BoundedFloatText(value=3.0, min=0.0, max=120.0, step=0.5,
                                          description="countdown (min, 0 = none)",
                                          style={"description_width": "initial"},
                                          layout=w.Layout(width="240px"))
        self.open_button = w.Button(description="Open next round", button_style="success")
        self.lock_button = w.Button(description="Lock round", button_style="warning")
        self.process_button = w.Button(description="Process round", button_style="primary")
        self.reopen_button = w.Button(description="Reopen round", icon="unlock",
                                      tooltip="take envelopes again for the locked round")
        self.undo_button = w.Button(description="Undo processing", icon="undo",
                                    tooltip="set the last results aside; the round is locked "
                                    "again")
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.confirm_button = w.Button(description="Confirm", button_style="danger",
                                       layout=w.Layout(width="auto"))
        self.cancel_button = w.Button(description="Cancel")
        self.confirm_box = w.HBox([self.confirm_button, self.cancel_button],
                                  layout=w.Layout(display="none"))
        self.buttons = {"open": self.open_button, "lock": self.lock_button,
                        "process": self.process_button, "undo": self.undo_button,
                        "reopen": self.reopen_button}
        for action, button in self.buttons.items():
            button.on_click(lambda _b, act=action: getattr(self, f"{act}_round")())
        self.confirm_button.on_click(lambda _b: self.confirm())
        self.cancel_button.on_click(lambda _b: self.cancel())
        self.refresh_button.on_click(lambda _b: self.refresh())

    @classmethod
    def for_folder(cls, folder: str | Path | None = None,
                   base_url: str | None = None) -> FacilitatorScreen | NewGameForm:
        """The console for the game in ``folder`` (``$LEADFLOW_GAME_DIR`` by default), or a
        form to create one there.
        """
        folder = Path(folder) if folder is not None else game_folder()
        if (folder / "game.yaml").is_file():
            return cls(folder, base_url)
        return NewGameForm(folder, base_url)

    # ---------------------------------------------------------------- actions
    def open_round(self) -> int | None:
        """Open the next round, with the countdown field's minutes."""
        minutes = float(self.minutes.value) or None
        return self._run("open", lambda: self.game.open_round(minutes=minutes), "Opened {}.")

    def lock_round(self, confirm: bool = False) -> int | None:
        """Lock the current round; before its countdown ends only once confirmed."""
        return self._run("lock", lambda: self.game.lock_round(force=confirm), "Locked {}.",
                         confirm)

    def process_round(self, confirm: bool = False) -> int | None:
        """Process the locked round, once confirmed."""
        def process() -> int:
            index = self.game.current_round()
            self.game.process_round(index)
            return index
        return self._run("process", process, "Processed {}.", confirm)

    def undo_round(self, confirm: bool = False) -> int | None:
        """Undo the last processing, once confirmed: its results are set aside in the game
        folder and the round is locked again.
        """
        return self._run("undo", self.game.undo_round, "Undid the processing of {}: its "
                         "results are set aside and the round is locked again.", confirm)

    def reopen_round(self) -> int | None:
        """Take envelopes again for the locked round, with the countdown field's minutes."""
        minutes = float(self.minutes.value) or None
        return self._run("reopen", lambda: self.game.reopen_round(minutes=minutes),
                         "Reopened {}: envelopes are taken again.")

    def confirm(self) -> int | None:
        """Go ahead with the action waiting for confirmation (the *Confirm* button)."""
        if self._pending is None:
            self._say("Nothing to confirm.", "info")
            return None
        action, seen = self._pending
        self._drop_pending()
        try:
            changed = seen != self.advice.snapshot()
        except ScenarioError as exc:
            self._say(self.advice.explain(exc), "error")
            return None
        if changed:  # another console acted meanwhile: what was confirmed is not what is there
            self._say("The game changed since you asked (another console?): nothing was done. "
                      "Look again and choose.", "error")
            self.refresh()
            return None
        return getattr(self, f"{action}_round")(confirm=True)

    def cancel(self) -> None:
        """Drop the action waiting for confirmation (the *Cancel* button)."""
        if self._pending is not None:
            self._say("Cancelled: nothing changed.", "info")
        self._drop_pending()

    def _run(self, action: str, call: Any, done: str, confirm: bool = True) -> int | None:
        """Do ``action`` if it is valid now, after asking if it needs a confirmation."""
        self._drop_pending()
        try:
            why = self.advice.why_not(action)
            question = None if confirm or why else self.advice.question(action)
        except ScenarioError as exc:
            self._say(self.advice.explain(exc), "error")
            return None
        if why is not None:
            self._say(why, "error")
            return None
        if question is not None:
            self._ask(action, question)
            return None
        try:
            index = call()
        except ScenarioError as exc:  # another console was quicker, or a damaged file
            self.refresh()
            self._say(self.advice.explain(exc), "error")
            return None
        self.refresh()
        self._say(done.format(self.advice.name(index)), "ok")
        return index

    def _ask(self, action: str, question: str) -> None:
        """Show ``question`` with the *Confirm* and *Cancel* buttons, and remember what was
        asked about.
        """
        self._pending = (action, self.advice.snapshot())
        self.confirm_button.description = f"Confirm: {action} {self.advice.target_name(action)}"
        self.confirm_box.layout.display = None
        self._say(question, "info")

    def _drop_pending(self) -> None:
        self._pending = None
        self.confirm_box.layout.display = "none"

    def _say(self, text: str, kind: str) -> None:
        self.message_label.value = message_html(text, kind)

    # ---------------------------------------------------------------- views
    def refresh(self, quiet: bool = False) -> None:
        """Re-read the game folder: the round, the envelopes, the buttons and, once another
        round is processed, the debrief.
        """
        try:
            index = self.game.current_round()
            self.round_label.value = f"<div>{round_line(self.game, index)}</div>"
            self.envelopes.show(index)
            self._enable_buttons()
        except ScenarioError as exc:  # a damaged state file: say which, and change nothing
            self.round_label.value = message_html(str(exc), "error")
            for button in self.buttons.values():
                button.disabled = True
            self._drop_pending()
            return
        self.debrief.update(self.game.last_processed())

    def _enable_buttons(self) -> None:
        """Each round button enabled only while its action is valid; a confirmation asked
        about a state that has changed since (another console) is dropped.
        """
        for action, button in self.buttons.items():
            button.disabled = self.advice.why_not(action) is not None
        current = self.game.current_round()
        running = current is not None and self.game.state(current).countdown_running(now_utc())
        self.lock_button.description = "Lock early" if running else "Lock round"
        if self._pending is not None and self._pending[1] != self.advice.snapshot():
            self._drop_pending()
            self._say("The game changed (another console?): the question was dropped.", "info")


class NewGameForm(Screen):
    """Create a game in a folder: team names and whether to play a practice round."""

    def __init__(self, folder: str | Path, base_url: str | None = None):
        self.folder = Path(folder)
        self.base_url = base_url
        self.teams = w.Text(value="red,blue,green,yellow", description="teams",
                            style={"description_width": "initial"},
                            layout=w.Layout(width="420px"))
        self.practice = w.Checkbox(value=True, description="practice round first", indent=False)
        self.button = w.Button(description="Create game", button_style="primary")
        self.button.on_click(lambda _b: self.create())
        self.message_label = w.HTML()
        self.console: FacilitatorScreen | None = None
        self.widget = w.VBox([
            w.HTML(f"<div>No game in <code>{html.escape(str(self.folder))}</code> yet. Name the "
                   "teams (lower case, separated by commas) and create it.</div>"),
            self.teams, self.practice, self.button, self.message_label,
        ])

    def create(self) -> FacilitatorScreen | None:
        """Create the game from the form and show its console, or say what is wrong."""
        try:
            Game.create(self.folder, [t for t in self.teams.value.split(",") if t.strip()],
                        practice=self.practice.value)
        except ScenarioError as exc:
            self.message_label.value = message_html(str(exc), "error")
            return None
        self.console = FacilitatorScreen(self.folder, self.base_url)
        self.widget.children = [self.console.widget]
        return self.console

    def refresh(self, quiet: bool = False) -> None:
        """Refresh the console, once the game is created."""
        if self.console is not None:
            self.console.refresh(quiet)


