"""The workshop game's pages as the room server shows them (Solara routes).

Each page is one of the ipywidgets screens of :mod:`sim.game.screens`, built once per session
for the key in the page's address and kept fresh by re-reading the game folder every few
seconds, in that session's own context. The server's front desk (:mod:`sim.game.server`) has
already checked the visitor's pass before a session exists; each page checks its own key again,
because the key in the address, not the pass, says who the visitor is.

* ``/play?key=KEY``: the team page of the team and role whose key it is.
* ``/console?key=KEY``: the facilitator console, only with the console's key and only through
  the console door (a request naming the loopback address).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import solara
import solara.lab
from solara.server import kernel_context

from sim.game import GAME_URL_ENV, Game, GameError, game_folder, open_game
from sim.game.screens import FacilitatorScreen, Notice, TeamScreen

REFRESH_SECONDS = 5.0
NOT_VALID = ("This link is not valid for this game. Check it with your facilitator, or type "
             "your join code on the game's start page.")


def _key(search: str | None) -> str:
    return (parse_qs(search or "").get("key") or [""])[0]


def current_game() -> Game:
    """The game of the server's folder (``$LEADFLOW_GAME_DIR``), shared by every page."""
    return open_game(game_folder())


def team_screen(key: str) -> TeamScreen | Notice:
    """The team page for ``key``, or a neutral notice that names no team."""
    try:
        game = current_game()
    except GameError as exc:
        return Notice(f"No game to join yet ({exc}).")
    player = game.player(key)
    if player is None:
        return Notice(NOT_VALID)
    return TeamScreen(game, *player)


def console_screen(key: str, host: str) -> FacilitatorScreen | Notice:
    """The console for the console's key on the console door, or a neutral notice."""
    from sim.game.server import CONSOLE_PORT_ENV, Doors

    try:
        game = current_game()
    except GameError as exc:
        return Notice(f"No game here ({exc}).")
    doors = Doors(console_port=int(os.environ.get(CONSOLE_PORT_ENV) or 0))
    if not game.is_console_key(key) or not doors.console_host_ok(host):
        return Notice(NOT_VALID)
    return FacilitatorScreen(game, base_url=os.environ.get(GAME_URL_ENV))


def _use_live(screen: Any) -> None:
    """Keep ``screen`` fresh while its page is open; stop when the session ends."""
    def start() -> Any:
        if isinstance(screen, Notice):
            return None
        screen.start_auto_refresh(REFRESH_SECONDS, context=kernel_context.get_current_context())
        return screen.stop_auto_refresh
    solara.use_effect(start, [screen])


@solara.component
def PlayPage() -> None:
    """A player's page."""
    key = _key(solara.use_router().search)
    screen = solara.use_memo(lambda: team_screen(key), [key])
    _use_live(screen)
    solara.Title("LeadFlow Lab · your team")
    solara.display(screen.widget)


@solara.component
def ConsolePage() -> None:
    """The facilitator's console."""
    key = _key(solara.use_router().search)
    host = (solara.lab.headers.value.get("host") or [""])[0]
    screen = solara.use_memo(lambda: console_screen(key, host), [key, host])
    _use_live(screen)
    solara.Title("LeadFlow Lab · facilitator console")
    solara.display(screen.widget)


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - Solara's layout signature
    """A plain page: no navigation bar or drawer, nothing a phone has to make room for."""
    solara.Column(children=children, style={"padding": "8px", "max-width": "1200px"})


routes = [
    solara.Route(path="play", component=PlayPage, layout=Layout),
    solara.Route(path="console", component=ConsolePage, layout=Layout),
]
