"""A team's page: one role of one team plays its half of the company, and the join form.

A :class:`TeamScreen` is a player's slip of paper at a board game: it shows the round, the
levers this half of the team may move this quarter (nothing of the other half's), its own KPI,
and whether the other teams are ready, never what they chose. "Submit" posts the envelope;
posting again before the round locks replaces it. Beside it a :class:`GuessBox` takes the
team's guess of its company's revenue this quarter (predict, then reveal:
:mod:`sim.game.guesses`), and the recap sets each guess beside the result. The page keeps nothing of its own: reopen the
link and it reads the same folder again, so a Voilà refresh or a new kernel loses nothing.
:meth:`TeamScreen.from_request` admits a player only with a link's secret key or a join code;
otherwise it shows the :class:`JoinScreen`.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import ipywidgets as w
import pandas as pd

from sim.errors import ScenarioError
from sim.game.display import (
    BOARD_HEADERS,
    TABLE_STYLE,
    Notice,
    Screen,
    as_game,
    band,
    board_table,
    clock,
    count,
    round_line,
    share,
    table_html,
)
from sim.game.game import Game
from sim.game.guesses import miss_text, money_text
from sim.game.rules import REFERENCE, ROLE_KPIS, ROLES, SHARED_KPI, Round
from sim.game.storage import GameError, game_folder, now_utc
from sim.scenario import get_value
from sim.views.controls import LeverControl, message_html
from sim.views.labels import currency, format_setting, lever_help
from sim.views.labels import format_value as format_kpi
from sim.views.palette import team_color

GAME_RANGES: dict[str, tuple[float, float]] = {
    "pricing.price_index": (0.6, 1.6),
    "communication.sla_hours": (1, 72),
    "communication.meeting_every_weeks": (0, 13),
}
"""Slider ranges for the game's levers whose declared range is too wide to play with."""


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



def short_label(key: str) -> str:
    """A lever's label without its explanation in brackets: ``MQL bar``, ``List price``."""
    return LEVER_LABELS.get(key, key).split(" (")[0]


def header_html(team: str, role: str, game_name: str, teams: list[str] | None = None) -> str:
    """The page's heading: the team and role, and the game, beside a bar in the team's colour
    (:func:`sim.views.palette.team_color` among the game's ``teams``: the colour its charts
    use).
    """
    return (f"<div class='leadflow-team-badge' style='border-left:10px solid "
            f"{team_color(team, teams)};padding:0 0 0 10px;margin:4px 0'>"
            f"<h3 style='margin:0'>Team {html.escape(team)} · {role.capitalize()}</h3>"
            f"<div>{html.escape(game_name)}</div></div>")


def player_help(key: str) -> str:
    """What a lever does, for a player: the first sentence of its help, without the sources
    and assumptions the model's documentation adds for trainers.
    """
    text = lever_help(key).strip()
    first = text.split(". ")[0].rstrip(".")
    return f"{first}." if first else ""


class TeamScreen(Screen):
    """One role of one team: its levers this round, submit, readiness of others, own results."""

    def __init__(self, game: Game | str | Path, team: str, role: str):
        self.game = as_game(game)
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
        self.header.value = header_html(team, role, self.game.name, self.game.teams)
        self.guess = GuessBox(self.game, team, role)
        self.widget = w.VBox([
            self.header, self.round_label, self.state_line, self.brief, self.lever_box,
            w.HBox([self.submit_button, self.refresh_button]), self.pending, self.message_label,
            self.guess.widget, self.others, self.standing_html, self.guess.recap_html,
            self.results_html,
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
        """The levers as the page shows them now: what Submit would post."""
        return {key: c.value for key, c in self.controls.items()}

    def set(self, key: str, value: Any) -> None:
        """Move a lever as a player would."""
        self.controls[key].value = value

    def post_guess(self, text: str | None = None) -> Path | None:
        """Post the team's guess of its revenue this quarter (:meth:`GuessBox.post`)."""
        return self.guess.post(text)

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
        self._say(f"Submitted at {clock(now_utc())}. You can change and submit again until "
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
        self.round_label.value = f"<div>{round_line(self.game, index)}</div>"
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
        self.guess.show(index, state, over)
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
        moved = [f"{short_label(key)} = {format_setting(key, value)}"
                 for key, value in self.values().items() if value != self.posted.get(key)]
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
            if isinstance(control.input, w.Dropdown):  # the choices in words, not as spelt
                control.input.options = [(format_setting(key, o), o)
                                         for o in control.input.options]
                control.value = value
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
            self.guess.show_recap([])
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
            shown = {"round": row["round_name"], label: count(row[kpi]),
                     "reference": count(ref) if ref is not None else "–"}
            shown[SHARED_KPI[1]] = count(row[SHARED_KPI[0]]) if rnd.shared_kpi else "–"
            shown["your choices"] = "kept from before" if row[f"auto_{self.role}"] else "submitted"
            rows.append(shown)
        self.results_html.value = ("<h4 style='margin:8px 0 2px'>Your results</h4>"
                                   + _scrolling(table_html(pd.DataFrame(rows)))
                                   + self._luck_line())
        self.guess.show_recap([int(r) for r in mine["round"]], self._company_score_shown())

    def _company_score_shown(self) -> bool:
        """Whether this page may show the company's revenue: from the round that unlocks the
        shared KPI, or once the game is over. Until then each half sees only its own KPI, and
        the room sees the revenue beside the guesses on the facilitator's projector.
        """
        last = self.game.last_complete_round()
        if last is None:
            return False
        over = self.game.last_processed() == len(self.game.rounds) - 1
        return bool(self.game.round(last).shared_kpi or over)

    def _luck_line(self) -> str:
        """This team's band and chance of first, once the company's score is no secret: from
        the round that unlocks the shared KPI, or when the game is over (until then each half
        sees only its own KPI).
        """
        if not self._company_score_shown():
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
                f"({band(row['vs_reference_low'], row['vs_reference_high'])} of the "
                "reference)")
        if len(board) > 1:  # a solo player has nobody to be ranked against
            tied = f", tied with {html.escape(row['tied_with'])}" if row["tied_with"] else ""
            text += (f"; you came first in {share(row['p_first'])} of the runs. Rank "
                     f"{html.escape(row['place'])}{tied}")
        return f"<div style='margin-top:4px'>{text}.</div>"



PHONE_TABLES = ("<style>@media (max-width:480px){.leadflow-team-tables .leadflow-game-table th,"
                ".leadflow-team-tables .leadflow-game-table td{padding:2px 5px;"
                "font-size:0.92em}}</style>")
"""Tighter tables on a phone, so that a team's results fit its width."""


def _scrolling(table: str) -> str:
    """A table that fits a phone (:data:`PHONE_TABLES`), or else scrolls sideways inside its
    box, never the whole page.
    """
    return (f"{PHONE_TABLES}<div class='leadflow-team-tables' style='overflow-x:auto'>{table}"
            "</div>") if table else ""


class GuessBox:
    """The team's guess of its company's revenue this quarter: a field, a button, and the
    guess that counts now (whichever half of the team posted it last).

    Shown while a round is open or locked and before it is processed; after that the
    guess stands beside the result in the recap above the team's results (:meth:`show_recap`).
    """

    def __init__(self, game: Game, team: str, role: str):
        self.game, self.team, self.role = game, team, role
        self.round_index: int | None = None
        self.label = w.HTML()
        # every keystroke reaches the server, so a tap on the button never overtakes the text
        self.input = w.Text(placeholder="e.g. 1.2m", continuous_update=True,
                            layout=w.Layout(width="170px"))
        self.button = w.Button(description="Post guess", icon="bullseye",
                               layout=w.Layout(width="auto"))
        self.button.on_click(lambda _b: self.post())
        self.line = w.HTML()
        self.message_label = w.HTML()
        self.recap_html = w.HTML()
        self.widget = w.VBox([self.label,
                              w.HBox([self.input, self.button],
                                     layout=w.Layout(flex_flow="row wrap", align_items="center")),
                              self.line, self.message_label],
                             layout=w.Layout(margin="8px 0", padding="4px 0 0 0",
                                             border_top="1px solid #ddd", display="none"))

    def post(self, text: str | None = None) -> Path | None:
        """Post the guess in the field (or ``text``); the message line says what happened."""
        if text is not None:
            self.input.value = str(text)
        if self.round_index is None:
            self._say("The game has not started yet.", "error")
            return None
        try:
            path = self.game.post_guess(self.team, self.role, self.input.value,
                                        self.round_index)
        except ScenarioError as exc:
            problem = exc.problem.replace(self.game.rules.label(self.round_index),
                                          self.game.round(self.round_index).name)
            self._say(f"Not posted: {problem}.", "error")
            self.show(self.round_index, self.game.state(self.round_index).status)
            return None
        self._say(f"Guess posted at {clock(now_utc())}. Your team can change it until the "
                  "round locks; the last guess counts.", "ok")
        self.show(self.round_index, "open")
        return path

    def show(self, index: int | None, state: str, over: bool = False) -> None:
        """Show the box for round ``index`` in ``state``: open to guess, or closed with the
        team's guess; hidden before the game and once the round is processed.
        """
        self.round_index = index
        if index is None or over or state not in ("open", "locked"):
            self.widget.layout.display = "none"
            self.message_label.value = ""
            return
        self.widget.layout.display = None
        closed = self.game.guesses_closed(index)
        self.input.disabled = self.button.disabled = closed is not None
        self.label.value = (f"<b>Your guess: the company's revenue this quarter, in "
                            f"{html.escape(currency().strip())}</b><div style='color:#555'>The "
                            "room sees every team's guess beside its result once the round is "
                            "processed.</div>")
        counted = self.game.guesses(index).counted.get(self.team)
        if counted is not None:
            who = "you" if counted.role == self.role else f"your {counted.role} half"
            text = (f"Your team's guess: <b>{html.escape(money_text(counted.amount))}</b> "
                    f"(posted by {who} at {clock(counted.submitted_at)}).")
        else:
            text = ("Your team did not guess this round." if closed is not None
                    else "Your team has not guessed yet.")
        self.line.value = f"<div>{text}</div>"
        if closed is not None and "posted at" in self.message_label.value:
            self.message_label.value = ""  # "you can change it" is no longer true

    def show_recap(self, rounds: list[int], revealed: bool = True) -> None:
        """Show the team's guess beside its company's revenue in each processed round of
        ``rounds``, and how far off it was (``no guess`` for a round it did not guess).

        While the company's score is still a secret on the players' pages (``revealed`` false:
        the silo rounds), the page shows the guess only; the room sees the result beside every
        team's guess on the facilitator's projector.
        """
        rows = []
        hidden = "on the projector"
        for index in rounds:
            mine = self.game.guess_table(index).set_index("team").loc[self.team]
            rows.append({"round": self.game.round(index).name,
                         "your guess": (money_text(mine["guess"]) if pd.notna(mine["guess"])
                                        else "no guess"),
                         "company revenue": money_text(mine["result"]) if revealed else hidden,
                         "miss": miss_text(mine["miss"]) if revealed else hidden})
        self.recap_html.value = ("<h4 style='margin:8px 0 2px'>Your guess vs the result</h4>"
                                 + _scrolling(table_html(pd.DataFrame(rows)))) if rows else ""

    def _say(self, text: str, kind: str) -> None:
        self.message_label.value = message_html(text, kind)


class JoinScreen(Screen):
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
        """Open the team page a join code stands for, or say why the code is wrong."""
        try:
            team, role = self.game.team_role(code)
        except GameError as exc:
            self.message_label.value = message_html(str(exc), "error")
            return None
        self.screen = TeamScreen(self.game, team, role)
        self.widget.children = [self.screen.widget]
        return self.screen

    def refresh(self, quiet: bool = False) -> None:
        """Refresh the team page, once a code has opened one."""
        if self.screen is not None:
            self.screen.refresh(quiet)


