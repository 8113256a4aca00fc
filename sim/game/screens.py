"""The workshop game's screens: a team page per role, the facilitator console and solo play.

A :class:`TeamScreen` is a player's slip of paper at a board game: it shows the round, the
levers this half of the team may move this quarter (nothing of the other half's), its own KPI,
and whether the other teams are ready, never what they chose. "Submit" posts the envelope;
posting again before the round locks replaces it. The page keeps nothing of its own: reopen the
link and it reads the same folder again, so a Voilà refresh or a new kernel loses nothing.

The :class:`FacilitatorScreen` is the game master's console: open a round (with a countdown),
lock it, process it (undo the last processing, reopen a locked round), see who has posted, the
leaderboard, each team's funnel, revenue against the well-aligned reference, the misalignment
picture, trust over time, and export everything.

A :class:`SoloScreen` lets one person play both halves of a team, a quarter per click::

    from sim.game.screens import FacilitatorScreen, SoloScreen, TeamScreen
    TeamScreen.from_request()          # a team page for ?key=KEY (or ?code=CODE)
    FacilitatorScreen("games/tuesday") # the console
    SoloScreen.new()                   # a solo game in a fresh folder

The screens hold no game logic: they call :class:`sim.game.Game` and draw with
:mod:`sim.game.plots`.
"""

from __future__ import annotations

import html
import os
import random
import re
import tempfile
import threading
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as w
import pandas as pd

from sim.errors import ScenarioError
from sim.game import (
    REFERENCE,
    ROLE_KPIS,
    ROLES,
    SHARED_KPI,
    Game,
    GameError,
    Round,
    game_folder,
    luck_sentences,
    now_utc,
)
from sim.game import plots as game_plots
from sim.scenario import get_value
from sim.views.controls import (
    DPI,
    LeverControl,
    data_link,
    message_html,
    setting_text,
    size_figure,
)
from sim.views.images import figure_png
from sim.views.labels import format_value as format_kpi
from sim.views.labels import lever_help

GAME_RANGES: dict[str, tuple[float, float]] = {
    "pricing.price_index": (0.6, 1.6),
    "communication.sla_hours": (1, 72),
    "communication.meeting_every_weeks": (0, 13),
}
"""Slider ranges for the game's levers whose declared range is too wide to play with."""

BOARD_HEADERS: dict[str, str] = {
    "revenue_to_date": "revenue to date", "profit_to_date": "profit to date",
    "vs_reference": "vs. reference", "luck_band": "with other luck (vs. reference)",
    "p_first": "chance of first", "auto_submitted": "auto-submitted halves",
}
"""Column headers of the console's leaderboard."""

LEVER_LABELS: dict[str, str] = {
    "scoring.mql_threshold": "MQL bar (score a lead needs to be passed to sales)",
    "marketing.brand_share": "Share of budget on brand",
    "pricing.price_index": "List price (1.0 = what the market values)",
    "communication.crm_sharing": "Lead context shared in the CRM",
    "communication.handoff": "How MQLs are handed over",
    "communication.meeting_every_weeks": "Joint meeting every … weeks (0 = none)",
    "sales.prioritisation": "Which leads reps call first",
    "sales.prospecting_share": "Rep time on own prospecting",
    "sales.cold_calling": "Cold-calling intensity",
    "communication.sla_hours": "Follow-up promise (SLA, hours)",
    "communication.shared_lead_definition": "Sign the shared lead definition",
    "feedback.mode": "Report lead outcomes back to marketing",
}
"""Plain-language labels for the team pages (the dotted key is in the tooltip)."""


def _as_game(game: Game | str | Path) -> Game:
    return game if isinstance(game, Game) else Game(game)


def _clock(moment: Any) -> str:
    return moment.astimezone().strftime("%H:%M:%S") if moment is not None else ""


def _round_line(game: Game, index: int | None) -> str:
    if index is None:
        return "The game has not started yet: wait for the facilitator to open the first round."
    rnd = game.round(index)
    state = game.state(index)
    text = (f"<b>{html.escape(rnd.name)}</b> (round {index + 1} of {len(game.rounds)}"
            f"{', practice: not scored' if rnd.practice else ''}) · <b>{state.status}</b>")
    if state.status == "open" and state.closes_at is not None:
        left = max(0, int((state.closes_at - now_utc()).total_seconds()))
        text += f" · closes at {_clock(state.closes_at)} ({left // 60}:{left % 60:02d} left)"
    return text


TABLE_STYLE = ("<style>.leadflow-game-table{border-collapse:collapse}"
               ".leadflow-game-table th,.leadflow-game-table td{padding:2px 12px;"
               "text-align:right;border-bottom:1px solid #ddd}</style>")


def _table_html(table: pd.DataFrame) -> str:
    if table.empty:
        return ""
    return TABLE_STYLE + table.to_html(index=False, escape=True, border=0, na_rep="–",
                                       classes="leadflow-game-table")


def _show_figure(image: w.Image, fig: Any) -> None:
    """Draw ``fig`` into ``image`` at its own size (a stretched PNG would blur)."""
    fig.set_dpi(DPI)
    image.value = figure_png(fig)
    image.width = str(round(fig.get_figwidth() * DPI))


def _count(value: Any) -> str:
    return f"{float(value):,.0f}" if pd.notna(value) else "–"


def _share(value: Any) -> str:
    return f"{float(value):.0%}" if pd.notna(value) else "–"


def _band(low: Any, high: Any) -> str:
    return f"{_share(low)}–{_share(high)}" if pd.notna(low) and pd.notna(high) else "–"


def player_help(key: str) -> str:
    """What a lever does, for a player: the first sentence of its help, without the sources
    and assumptions the model's documentation adds for trainers.
    """
    text = lever_help(key).strip()
    first = text.split(". ")[0].rstrip(".")
    return f"{first}." if first else ""


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
        "vs_reference": board["vs_reference"].map(_share),
        "luck_band": [_band(lo, hi) for lo, hi in zip(board["vs_reference_low"],
                                                      board["vs_reference_high"], strict=True)],
        "p_first": board["p_first"].map(_share),
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


class _Screen:
    """Display plumbing shared by the screens."""

    widget: w.Widget

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def start_auto_refresh(self, seconds: float = 5.0,
                           context: AbstractContextManager[Any] | None = None) -> None:
        """Re-read the game folder every ``seconds`` in the background (for live pages).

        ``context`` is entered around each refresh: the room server passes the page's session,
        so that the widgets a background thread changes reach that page and no other.
        """
        stop = threading.Event()
        self._stop_refresh = stop
        inside = context if context is not None else nullcontext()

        # pages opened together would otherwise all re-read at the same instant, forever
        first = seconds * (0.5 + random.random())

        def loop() -> None:
            wait = first
            while not stop.wait(wait):
                wait = seconds
                try:
                    with inside:
                        self.refresh(quiet=True)
                except Exception:  # a half-copied folder on a network drive: try again later
                    continue

        threading.Thread(target=loop, daemon=True, name="leadflow-game-refresh").start()

    def stop_auto_refresh(self) -> None:
        stop = getattr(self, "_stop_refresh", None)
        if stop is not None:
            stop.set()

    def refresh(self, quiet: bool = False) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# --------------------------------------------------------------------------- team page
class TeamScreen(_Screen):
    """One role of one team: its levers this round, submit, readiness of others, own results."""

    def __init__(self, game: Game | str | Path, team: str, role: str):
        self.game = _as_game(game)
        if team not in self.game.teams:
            raise GameError("team page", "team", f"{team!r} is not in this game (teams: "
                            f"{', '.join(self.game.teams)})")
        if role not in ROLES:
            raise GameError("team page", "role", f"{role!r} is not one of {', '.join(ROLES)}")
        self.team, self.role = team, role
        self.round_index: int | None = None
        self.controls: dict[str, LeverControl] = {}
        self.header = w.HTML()
        self.round_label = w.HTML()
        self.lever_box = w.VBox()
        self.submit_button = w.Button(description="Submit choices", button_style="primary",
                                      icon="paper-plane")
        self.submit_button.on_click(lambda _b: self.submit())
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.message_label = w.HTML()
        self.pending = w.HTML()
        self.posted: dict[str, Any] = {}
        self.others = w.HTML()
        self.results_html = w.HTML()
        self.brief = w.HTML()
        self.state_line = w.HTML()
        self.standing_html = w.HTML()
        self.header.value = (f"<h3 style='margin:4px 0'>Team {html.escape(team)} · "
                             f"{role.capitalize()}</h3><div>{html.escape(self.game.name)}</div>")
        self.widget = w.VBox([
            self.header, self.round_label, self.state_line, self.brief, self.lever_box,
            w.HBox([self.submit_button, self.refresh_button]), self.pending, self.message_label,
            self.others, self.standing_html, self.results_html,
        ], layout=w.Layout(max_width="760px"))
        self.refresh()

    @classmethod
    def from_request(cls, folder: str | Path | None = None,
                     query: str | None = None) -> TeamScreen | JoinScreen | Notice:
        """The team page for an address carrying a player's secret key (``?key=KEY``, as in
        the links of :meth:`sim.game.Game.links`) or join code (``?code=K7Q2MX``); a join form
        when the address carries neither, and a notice when the folder holds no game yet.

        A team and role named in the address are never enough: anyone can type those. A wrong
        key or code gets the join form with one neutral line that names no team. ``query``
        defaults to ``$QUERY_STRING`` (what a notebook server passes to the kernel).
        """
        try:
            game = Game(folder or game_folder())
        except GameError as exc:
            return Notice(f"No game to join yet ({exc}). The facilitator starts one with "
                          "`make game`; then reload this page.")
        params = parse_qs(query if query is not None else os.environ.get("QUERY_STRING", ""))
        key = (params.get("key") or [""])[0]
        code = (params.get("code") or [""])[0]
        if key:
            player = game.player(key)
            if player is None:
                return JoinScreen(game, "That link is not valid for this game; check it with "
                                  "your facilitator, or type your join code.")
            return cls(game, *player)
        if code:
            try:
                return cls(game, *game.team_role(code))
            except GameError as exc:
                return JoinScreen(game, str(exc))
        return JoinScreen(game)

    # ---------------------------------------------------------------- programmatic API
    def values(self) -> dict[str, Any]:
        return {key: c.value for key, c in self.controls.items()}

    def set(self, key: str, value: Any) -> None:
        """Move a lever as a player would."""
        self.controls[key].value = value

    def submit(self) -> Path | None:
        """Post this role's choices for the open round; the message says what happened."""
        if self.round_index is None:
            self._say("The game has not started yet.", "error")
            return None
        try:
            path = self.game.submit(self.team, self.role, self.values(), self.round_index)
        except ScenarioError as exc:
            self._say(f"Not submitted: {exc}", "error")
            self.refresh(quiet=True)
            return None
        self._say(f"Submitted at {_clock(now_utc())}. You can change and submit again until "
                  "the round locks.", "ok")
        self.posted = self.values()
        self._show_pending()
        self._render_others()
        return path

    def refresh(self, quiet: bool = False) -> None:
        """Re-read the game folder: round, status, levers (if the round changed), results."""
        index = self.game.current_round()
        if index != self.round_index:
            self.round_index = index
            self._build_levers()
            if not quiet:
                self.message_label.value = ""
        self.round_label.value = f"<div>{_round_line(self.game, index)}</div>"
        state = self.game.state(index).status if index is not None else "waiting"
        self.submit_button.disabled = state != "open"
        for c in self.controls.values():
            for widget in c.widgets:
                widget.disabled = state != "open"
        over = self.game.last_processed() == len(self.game.rounds) - 1
        if state != "open" and "submit again" in self.message_label.value:
            self.message_label.value = ""  # no longer true once the round is locked
        self.state_line.value = message_html(self._state_sentence(index, state, over), "info")
        self._render_brief(index, over)
        self._render_others()
        self._render_results()
        self._render_standing(over)

    # ---------------------------------------------------------------- internals
    def _say(self, text: str, kind: str) -> None:
        self.message_label.value = message_html(text, kind)

    def _state_sentence(self, index: int | None, state: str, over: bool) -> str:
        """What the player can do now, in one sentence."""
        if over:
            return "Game over: the final standing is below. Thank you for playing."
        if index is None:
            return ""
        name = self.game.round(index).name
        return {
            "open": "Move your levers and press Submit choices; you can change them until the "
                    "round locks.",
            "locked": f"{name} is locked: your choices are in. Results come when the "
                      "facilitator processes the round.",
            "processed": f"The results of {name} are below. The next round opens soon.",
        }.get(state, "")

    def _render_brief(self, index: int | None, over: bool) -> None:
        """Your goal in plain words and what each of this round's levers does."""
        if index is None or over:
            self.brief.value = ""
            return
        rnd = self.game.round(index)
        _kpi, label = ROLE_KPIS[self.role]
        goal = (f"From this round both halves are scored on <b>{html.escape(SHARED_KPI[1])}</b>."
                if rnd.shared_kpi else
                f"You are scored on <b>{html.escape(label)}</b>, your half's own number; "
                "the other half of your team has its own.")
        items = "".join(f"<li><b>{html.escape(LEVER_LABELS.get(k, k))}</b>: "
                        f"{html.escape(player_help(k))}</li>" for k in rnd.levers(self.role))
        self.brief.value = (
            "<details open style='margin:4px 0'><summary><b>Your brief</b></summary>"
            f"<div>You play <b>{self.role}</b> for team <b>{html.escape(self.team)}</b>. "
            f"{goal}</div><ul style='margin:4px 0 4px 18px;padding:0'>{items}</ul></details>")

    def _render_standing(self, over: bool) -> None:
        """The final standing, this team's row in bold, once the last round is processed."""
        if not over:
            self.standing_html.value = ""
            return
        board = board_table(self.game.leaderboard())
        team_col = BOARD_HEADERS.get("team", "team")
        rows = board.to_dict("records")
        body = "".join(
            "<tr" + (" style='font-weight:bold'" if r[team_col] == self.team else "") + ">"
            + "".join(f"<td>{html.escape(str(v))}</td>" for v in r.values()) + "</tr>"
            for r in rows)
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in board.columns)
        self.standing_html.value = (
            "<h4 style='margin:8px 0 2px'>Final standing</h4>" + TABLE_STYLE
            + f"<div style='overflow-x:auto'><table class='leadflow-game-table'><tr>{head}</tr>"
            + f"{body}</table></div>")

    def _start_values(self, rnd: Round) -> dict[str, Any]:
        """What the levers show: this round's envelope, else the choices in force before."""
        own = self.game.envelopes(rnd.index).valid.get((self.team, self.role))
        if own is not None:
            return dict(own.choices)
        if rnd.index == 0:
            return {}
        return self.game.choices(self.team, rnd.index - 1)[0]

    def _show_pending(self, _change: Any = None) -> None:
        """Name the levers moved since the last submission (or since the round opened), as the
        kernel has them: what Submit would post.
        """
        moved = [f"{key} = {setting_text(value)}" for key, value in self.values().items()
                 if value != self.posted.get(key)]
        self.pending.value = (message_html("Not submitted yet: " + ", ".join(moved), "info")
                              if moved else "")

    def _build_levers(self) -> None:
        self.controls = {}
        self.posted = {}
        self.pending.value = ""
        if self.round_index is None:
            self.lever_box.children = []
            return
        rnd = self.game.round(self.round_index)
        start = self._start_values(rnd)
        rows: list[w.Widget] = []
        for key in rnd.levers(self.role):
            value = start.get(key, get_value(self.game.base, key))
            control = LeverControl(key, value, GAME_RANGES.get(key), label=False)
            control.input.description_allow_html = False
            shown = LEVER_LABELS.get(key, key)
            control.input.tooltip = shown
            control.observe(self._show_pending)
            self.controls[key] = control
            # the label wraps and the control drops below it on a phone, instead of both
            # being squeezed until the label is cut off
            rows.append(w.HBox([w.HTML(html.escape(shown),
                                       layout=w.Layout(width="330px", max_width="100%")),
                                control.widget],
                               layout=w.Layout(flex_flow="row wrap", align_items="center")))
        new = [g for g in rnd.unlocks if g != "shared_kpi"]
        notes = []
        if new:
            notes.append("Unlocked: " + ", ".join(new) + " levers.")
        if rnd.shared_kpi:
            notes.append("From this round both halves are measured on company revenue.")
        note = w.HTML(f"<i>{' '.join(notes)}</i>") if notes else w.HTML()
        self.lever_box.children = [note, *rows]
        self.posted = self.values()

    def _render_others(self) -> None:
        if self.round_index is None:
            self.others.value = ""
            return
        table = self.game.status(self.round_index)
        cells = []
        for row in table.to_dict("records"):
            ready = sum(row[r] != "-" for r in ROLES)
            cells.append(f"{html.escape(row['team'])} {ready}/{len(ROLES)}")
        self.others.value = ("<div style='color:#555'>Envelopes in: " + " · ".join(cells)
                             + "</div>")

    def _render_results(self) -> None:
        results = self.game.results()
        if results.empty:
            self.results_html.value = ""
            return
        mine = results[results["team"] == self.team]
        kpi, label = ROLE_KPIS[self.role]
        # the well-aligned reference company's same number, on the same random numbers: what
        # "good" looks like this quarter, so a result means something without the other teams'
        reference = results[results["team"] == REFERENCE].set_index("round")[kpi]
        rows = []
        for row in mine.to_dict("records"):
            rnd = self.game.round(int(row["round"]))
            ref = reference.get(row["round"])
            shown = {"round": row["round_name"], label: _count(row[kpi]),
                     "reference": _count(ref) if ref is not None else "–"}
            shown[SHARED_KPI[1]] = _count(row[SHARED_KPI[0]]) if rnd.shared_kpi else "–"
            shown["your choices"] = "kept from before" if row[f"auto_{self.role}"] else "submitted"
            rows.append(shown)
        self.results_html.value = ("<h4 style='margin:8px 0 2px'>Your results</h4>"
                                   + _table_html(pd.DataFrame(rows)) + self._luck_line())

    def _luck_line(self) -> str:
        """This team's band and chance of first, once the company's score is no secret: from
        the round that unlocks the shared KPI, or when the game is over (until then each half
        sees only its own KPI).
        """
        last = self.game.last_complete_round()
        if last is None:
            return ""
        over = self.game.last_processed() == len(self.game.rounds) - 1
        if not (self.game.round(last).shared_kpi or over):
            return ""
        board = self.game.leaderboard()
        mine = board[board["team"] == self.team]
        if mine.empty or int(mine["replications"].iloc[0]) < 2:
            return ""
        row = mine.iloc[0]
        kpi = self.game.rank_by
        text = (f"Luck check: replayed {row['replications'] - 1} times with other luck (the "
                f"same for every team), your {kpi} to date ranged from "
                f"{format_kpi(kpi, row['luck_low'])} to {format_kpi(kpi, row['luck_high'])} "
                f"({_band(row['vs_reference_low'], row['vs_reference_high'])} of the "
                "reference)")
        if len(board) > 1:  # a solo player has nobody to be ranked against
            tied = f", tied with {html.escape(row['tied_with'])}" if row["tied_with"] else ""
            text += (f"; you came first in {_share(row['p_first'])} of the runs. Rank "
                     f"{html.escape(row['place'])}{tied}")
        return f"<div style='margin-top:4px'>{text}.</div>"


class Notice(_Screen):
    """A page that only says something (no game yet)."""

    def __init__(self, text: str):
        self.text = text
        self.widget = w.HTML(message_html(text, "info"))

    def refresh(self, quiet: bool = False) -> None:
        """Nothing to re-read."""


class JoinScreen(_Screen):
    """Enter a join code (or the link's team and role were missing or wrong)."""

    def __init__(self, game: Game, problem: str = ""):
        self.game = game
        self.code = w.Text(description="Join code", placeholder="e.g. K7Q2MX",
                           style={"description_width": "initial"})
        self.button = w.Button(description="Join", button_style="primary")
        self.message_label = w.HTML(message_html(problem, "error"))
        self.screen: TeamScreen | None = None
        self.body = w.VBox([
            w.HTML(f"<h3>{html.escape(game.name)}</h3><div>Type the code your facilitator gave "
                   "your team and role, or open your team's link.</div>"),
            w.HBox([self.code, self.button]), self.message_label,
        ])
        self.widget = w.VBox([self.body])
        self.button.on_click(lambda _b: self.join(self.code.value))

    def join(self, code: str) -> TeamScreen | None:
        try:
            team, role = self.game.team_role(code)
        except GameError as exc:
            self.message_label.value = message_html(str(exc), "error")
            return None
        self.screen = TeamScreen(self.game, team, role)
        self.widget.children = [self.screen.widget]
        return self.screen

    def refresh(self, quiet: bool = False) -> None:
        if self.screen is not None:
            self.screen.refresh(quiet)


# --------------------------------------------------------------------------- facilitator
class FacilitatorScreen(_Screen):
    """The console: round control, envelopes, leaderboard, debrief charts, export.

    Each round button is enabled only while its action is valid (:meth:`why_not` says why
    not, naming rounds as the screen does). Processing, locking before a running countdown
    ends and undoing a processing first ask: a *Confirm* and a *Cancel* button appear, and
    only *Confirm* goes ahead. Called from code, those actions take ``confirm=True``.
    """

    CHARTS = ("Leaderboard", "Funnels", "Revenue", "Scoreboards vs company", "Trust")

    def __init__(self, game: Game | str | Path, base_url: str | None = None):
        self.game = _as_game(game)
        self.base_url = base_url
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
        self.open_button.on_click(lambda _b: self.open_round())
        self.lock_button.on_click(lambda _b: self.lock_round())
        self.process_button.on_click(lambda _b: self.process_round())
        self.undo_button.on_click(lambda _b: self.undo_round())
        self.reopen_button.on_click(lambda _b: self.reopen_round())
        self.confirm_button.on_click(lambda _b: self.confirm())
        self.cancel_button.on_click(lambda _b: self.cancel())
        self.refresh_button.on_click(lambda _b: self.refresh())
        self._pending: tuple[str, tuple[Any, ...]] | None = None
        self.round_label = w.HTML()
        self.message_label = w.HTML()
        self.status_html = w.HTML()
        self.board_html = w.HTML()
        self.export_html = w.HTML()
        self.images = {name: w.Image(format="png", layout=w.Layout(max_width="100%"))
                       for name in self.CHARTS}
        self.tabs = w.Tab(children=[
            w.VBox([self.board_html, self.images["Leaderboard"]]),
            *[self.images[name] for name in self.CHARTS[1:]],
        ])
        for i, name in enumerate(self.CHARTS):
            self.tabs.set_title(i, name)
        links = self.game.links(base_url)
        self.links_html = w.HTML("<details><summary>Team links and join codes</summary>"
                                 + _table_html(links) + "</details>")
        self.widget = w.VBox([
            w.HTML(f"<h3 style='margin:4px 0'>Facilitator: {html.escape(self.game.name)}</h3>"),
            self.round_label,
            w.HBox([self.minutes, self.open_button, self.lock_button, self.process_button,
                    self.refresh_button]),
            w.HBox([self.reopen_button, self.undo_button]),
            self.message_label, self.confirm_box, self.status_html, self.links_html, self.tabs,
            self.export_html,
        ])
        self._charted: int | None = -1
        self.refresh()

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
            changed = seen != self._snapshot()
        except ScenarioError as exc:
            self._say(self._explain(exc), "error")
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

    def why_not(self, action: str) -> str | None:
        """Why ``action`` (open, lock, process, undo, reopen) cannot be done now, naming the
        rounds as the screen shows them, or None when it can.
        """
        game, name = self.game, self._name
        current = game.current_round()
        if action == "open":
            return None if current is None else self._why_not_open(current)
        if current is None:
            return f"Cannot {action}: no round has been opened yet."
        status = game.state(current).status
        if action == "lock" and status != "open":
            return f"{name(current)} is {status}: only an open round can be locked."
        if action == "process" and status == "open":
            return f"{name(current)} is still open: lock it first."
        if action == "process" and status == "processed":
            return f"{name(current)} was processed already."
        if action == "reopen" and status != "locked":
            return (f"{name(current)} is {status}: only a locked round that is not processed "
                    "can be reopened.")
        if action == "undo" and status != "processed":
            last = game.last_processed()
            if last is None:
                return "Nothing to undo: no round has been processed yet."
            return f"{name(last)} cannot be undone: {name(current)} has been opened already."
        return None

    def _why_not_open(self, current: int) -> str | None:
        nxt = current + 1
        if self.game.state(current).status != "processed":
            after = f" before opening {self._name(nxt)}" if nxt < len(self.game.rounds) else ""
            return f"Process {self._name(current)}{after}."
        if nxt >= len(self.game.rounds):
            return f"{self._name(current)} was the last round: the game is over."
        return None

    def _question(self, action: str) -> str | None:
        """What to ask before ``action``, or None when it needs no confirmation."""
        current = self.game.current_round()
        if action == "process":
            return (f"Process {self._name(current)}? Every team is simulated and the results "
                    "go to the room.")
        if action == "lock" and self.game.state(current).countdown_running(now_utc()):
            closes = _clock(self.game.state(current).closes_at)
            return (f"The countdown of {self._name(current)} runs until {closes}. Lock it "
                    "early? Envelopes not posted by now will not count.")
        if action == "undo":
            return (f"Undo the processing of {self._name(self.game.last_processed())}? Its "
                    "results are set aside (kept in the game folder) and the round is locked "
                    "again, to reopen or process again.")
        return None

    def _run(self, action: str, call: Any, done: str, confirm: bool = True) -> int | None:
        """Do ``action`` if it is valid now, after asking if it needs a confirmation."""
        self._drop_pending()
        try:
            why = self.why_not(action)
            question = None if confirm or why else self._question(action)
        except ScenarioError as exc:
            self._say(self._explain(exc), "error")
            return None
        if why is not None:
            self._say(why, "error")
            return None
        if question is not None:
            self._pending = (action, self._snapshot())
            self.confirm_button.description = f"Confirm: {action} {self._name_of_target(action)}"
            self.confirm_box.layout.display = None
            self._say(question, "info")
            return None
        try:
            index = call()
        except ScenarioError as exc:  # another console was quicker, or a damaged file
            self.refresh()
            self._say(self._explain(exc), "error")
            return None
        self.refresh()
        self._say(done.format(self._name(index)), "ok")
        return index

    def _name(self, index: int | None) -> str:
        return self.game.round(index).name if index is not None else "the round"

    def _name_of_target(self, action: str) -> str:
        index = self.game.last_processed() if action == "undo" else self.game.current_round()
        return self._name(index)

    def _snapshot(self) -> tuple[Any, ...]:
        """What a confirmation was asked about: the current round and its state."""
        current = self.game.current_round()
        if current is None:
            return (None,)
        state = self.game.state(current)
        return (current, state.status, state.closes_at, state.locked_at, state.processed_at)

    def _drop_pending(self) -> None:
        self._pending = None
        self.confirm_box.layout.display = "none"

    def _say(self, text: str, kind: str) -> None:
        self.message_label.value = message_html(text, kind)

    def _explain(self, exc: ScenarioError) -> str:
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

    # ---------------------------------------------------------------- views
    def refresh(self, quiet: bool = False) -> None:
        try:
            index = self.game.current_round()
            self.round_label.value = f"<div>{_round_line(self.game, index)}</div>"
            self._show_envelopes(index)
            self._enable_buttons()
        except ScenarioError as exc:  # a damaged state file: say which, and change nothing
            self.round_label.value = message_html(str(exc), "error")
            for button in self.buttons.values():
                button.disabled = True
            self._drop_pending()
            return
        done = self.game.last_processed()
        if done != self._charted:
            self._charted = done
            self._draw_charts(done)

    def _show_envelopes(self, index: int | None) -> None:
        if index is None:
            self.status_html.value = ""
            return
        status = self.game.status(index)
        problems = self.game.problems(index)
        text = "<h4 style='margin:8px 0 2px'>Envelopes</h4>" + _table_html(status)
        if problems:
            text += ("<div style='color:#B00020'>Skipped:<ul>"
                     + "".join(f"<li>{html.escape(p)}</li>" for p in problems) + "</ul></div>")
        self.status_html.value = text

    def _enable_buttons(self) -> None:
        """Each round button enabled only while its action is valid; a confirmation asked
        about a state that has changed since (another console) is dropped.
        """
        for action, button in self.buttons.items():
            button.disabled = self.why_not(action) is not None
        current = self.game.current_round()
        running = current is not None and self.game.state(current).countdown_running(now_utc())
        self.lock_button.description = "Lock early" if running else "Lock round"
        if self._pending is not None and self._pending[1] != self._snapshot():
            self._drop_pending()
            self._say("The game changed (another console?): the question was dropped.", "info")

    def _draw_charts(self, index: int | None) -> None:
        results = self.game.results()
        board = self.game.leaderboard()
        weekly = self.game.weekly()
        reference = None
        last = self.game.last_complete_round()
        if last is not None:
            table = self.game.round_results(last)
            ref = table[table["team"] == REFERENCE]
            reference = float(ref[f"{self.game.rank_by}_to_date"].iloc[0]) if len(ref) else None
        self.board_html.value = (_table_html(board_table(board))
                                 + luck_html(board, self.game.rank_by))
        figures = {
            "Leaderboard": game_plots.leaderboard_chart(board, self.game.rank_by, reference),
            "Funnels": game_plots.team_funnels(results, index if index is not None else 0),
            "Revenue": game_plots.revenue_by_round(results),
            "Scoreboards vs company": game_plots.misalignment_chart(results),
            "Trust": game_plots.trust_by_team(weekly),
        }
        for name, fig in figures.items():
            _show_figure(self.images[name], fig)
        if not results.empty:
            data = results.to_csv(index=False).encode("utf-8")
            self.export_html.value = data_link(data, "game-results.csv", "text/csv",
                                                "Download every round's choices and results (CSV)")


class NewGameForm(_Screen):
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
        if self.console is not None:
            self.console.refresh(quiet)


# --------------------------------------------------------------------------- solo
class SoloScreen(_Screen):
    """One person plays both halves of a team: set both sides' levers, play a quarter."""

    def __init__(self, game: Game | str | Path):
        self.game = _as_game(game)
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
        _show_figure(self.image, fig)


def _summary(game: Game) -> str:
    board = game.leaderboard()
    if board.empty:
        return ""
    row = board.iloc[0]
    band = _band(row["vs_reference_low"], row["vs_reference_high"])
    luck = f" With other luck: {band} of it." if band != "–" else ""
    return (f"Revenue to date {format_kpi('revenue', row['revenue_to_date'])}, "
            f"{row['vs_reference']:.0%} of the well-aligned reference.{luck}")

