"""The workshop game's pages as the room server shows them (Solara routes).

Each page is one of the game's ipywidgets screens (:mod:`sim.game.team_screen`,
:mod:`sim.game.console`, :mod:`sim.game.presenter`), built once per session
for the key in the page's address and kept fresh by re-reading the game folder every few
seconds, in that session's own context. The server's front desk (:mod:`sim.game.server`) has
already checked the visitor's pass before a session exists; each page checks its own key again,
because the key in the address, not the pass, says who the visitor is.

* ``/play?key=KEY``: the team page of the team and role whose key it is.
* ``/console?key=KEY``: the facilitator console, only with the console's key and only through
  the console door (a request naming the loopback address).
* ``/present?key=KEY``: presenter mode for the projector (:mod:`sim.game.presenter`), on the
  same terms as the console; ``&size=1080`` lays it out for a 1920×1080 screen (default 720).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import solara
import solara.lab
from solara.server import kernel_context

from sim.game import GAME_URL_ENV, Game, GameError, game_folder, open_game
from sim.game.console import FacilitatorScreen
from sim.game.display import Notice
from sim.game.presenter import Presenter
from sim.game.team_screen import TeamScreen
from sim.views.projector import VIEWPORTS

REFRESH_SECONDS = 5.0
NOT_VALID = ("This link is not valid for this game. Check it with your facilitator, or type "
             "your join code on the game's start page.")


def _key(search: str | None, name: str = "key") -> str:
    return (parse_qs(search or "").get(name) or [""])[0]


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


def _console_game(key: str, host: str) -> Game | Notice:
    """The game, for the console's key on the console door; else a neutral notice."""
    from sim.game.server import CONSOLE_PORT_ENV, Doors

    try:
        game = current_game()
    except GameError as exc:
        return Notice(f"No game here ({exc}).")
    doors = Doors(console_port=int(os.environ.get(CONSOLE_PORT_ENV) or 0))
    if not game.is_console_key(key) or not doors.console_host_ok(host):
        return Notice(NOT_VALID)
    return game


def console_screen(key: str, host: str) -> FacilitatorScreen | Notice:
    """The console for the console's key on the console door, or a neutral notice."""
    game = _console_game(key, host)
    if isinstance(game, Notice):
        return game
    return FacilitatorScreen(game, base_url=os.environ.get(GAME_URL_ENV))


def presenter_screen(key: str, host: str, size: str = "") -> Presenter | Notice:
    """Presenter mode for the console's key on the console door, or a neutral notice;
    ``size`` ``1080`` lays it out for a 1920×1080 projector, anything else for 1280×720.
    """
    game = _console_game(key, host)
    if isinstance(game, Notice):
        return game
    return Presenter(game, viewport=VIEWPORTS["1080p" if size == "1080" else "720p"])


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
def PresentPage() -> None:
    """Presenter mode: the screen the room sees on the projector."""
    search = solara.use_router().search
    key, size = _key(search), _key(search, "size")
    host = (solara.lab.headers.value.get("host") or [""])[0]
    screen = solara.use_memo(lambda: presenter_screen(key, host, size), [key, host, size])
    _use_live(screen)
    solara.Title("LeadFlow Lab · presenter")
    solara.display(screen.widget)


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - Solara's layout signature
    """A plain page: no navigation bar or drawer, nothing a phone has to make room for."""
    solara.Column(children=children, style={"padding": "8px", "max-width": "1200px"})


@solara.component
def WideLayout(children: list[Any] = []) -> None:  # noqa: B006 - Solara's layout signature
    """The projector's page: the whole screen, no margin a room would see."""
    solara.Column(children=children, style={"padding": "0"})


routes = [
    solara.Route(path="play", component=PlayPage, layout=Layout),
    solara.Route(path="console", component=ConsolePage, layout=Layout),
    solara.Route(path="present", component=PresentPage, layout=WideLayout),
]
