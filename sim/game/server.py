"""The workshop game's server: the whole room in one process, and nobody plays for another team.

Think of a conference venue with two doors and one front desk. The **room door**
(``GAME_HOST:8866``) is where the players' phones come in; the **console door**
(``127.0.0.1:8867``, the facilitator's own laptop) is where the facilitator comes in. Behind both
is one process and one game folder, which stays the single source of truth: the server keeps no
game state of its own, so a restart or a reload loses nothing.

The front desk (:class:`RoomGate`, a small ASGI middleware in front of Solara) checks every
visitor before anything is spent on them:

* A player gets in with the secret key their team-role link carries (``/play?key=KEY``), or by
  typing their short join code on the plain join page at ``/`` (which trades the code for the
  link). A wrong key or code gets one neutral message that names no team; wrong codes are
  rate-limited per address, so codes cannot be guessed.
* Only a visitor who showed a valid key gets a Solara session (a *virtual kernel*: the widgets of
  one page, a few MB, not a kernel process); anonymous requests get static files and the join
  page, nothing that holds memory. Each key may hold only a few sessions (a reload or a second
  tab supersedes the oldest) and the room as a whole a bounded number, so no visitor can cost
  the server memory.
* The console answers only on the console door, only with the console's own key, and only to
  requests whose ``Host`` header names the loopback address (what a DNS-rebinding page cannot
  fake); the room door never serves it.
* Websockets must come from the page's own origin, and each message is size-limited and its
  binary framing checked before Solara parses it.

The pages themselves (:mod:`sim.game.pages`) are the game's ipywidgets screens
(:mod:`sim.game.team_screen`, :mod:`sim.game.console`), one per session. ``python -m sim game serve FOLDER`` (and ``make game``)
start it; :func:`serve` runs both doors in one event loop.
"""

from __future__ import annotations

import asyncio
import html
import os
import struct
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sim.game import GAME_DIR_ENV, GAME_URL_ENV, Game, GameError, open_game

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ROOM_PORT = 8866
CONSOLE_PORT = 8867
CONSOLE_PORT_ENV = "LEADFLOW_CONSOLE_PORT"
"""Where the pages learn the console door's port, to check a console session came through it."""
PASS_COOKIE = "leadflow-pass"
"""The cookie a visitor gets after showing a valid key; websockets are admitted only with it."""
SESSIONS_PER_KEY = 3
"""Live sessions one key may hold: a phone, its reload and a laptop tab. A fourth supersedes the
oldest, so reloading a hundred times still holds three sessions' memory."""
SPARE_SESSIONS = 10
"""Sessions the room may hold beyond three per player and console, for the facilitator's tests."""
MAX_MESSAGE_BYTES = 256 * 1024
"""The largest websocket message a page may send; a player's messages are clicks and slider
values of a few hundred bytes, so anything near this is not a player."""
MAX_BUFFERS = 16
"""Binary websocket messages carry a count of buffers; a page sends one or two."""
JOIN_TRIES_PER_MINUTE = 10
"""Wrong join codes one address may try per minute: plenty for typos, hopeless for guessing one
of a room's 80 codes among a billion."""
TRACKED_ADDRESSES = 4096
"""Addresses whose join tries are remembered at once (the oldest is forgotten first), so the
rate limiter's memory is bounded too."""
SESSION_CULL = "90s"
"""How long a session whose page went away is kept for its page to come back (a phone that
locked its screen) before its memory is freed; the game folder keeps every choice anyway."""
STATIC_PREFIXES = ("/static/", "/_solara/cdn/", "/jupyter/nbextensions/", "/favicon")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
NEUTRAL_KEY = ("This link or code is not valid for this game. Check it with your facilitator, "
               "or type your join code below.")


# --------------------------------------------------------------------------- the desk's memory
class JoinLimiter:
    """Counts wrong join codes per address over the last minute (bounded in addresses)."""

    def __init__(self, per_minute: int = JOIN_TRIES_PER_MINUTE,
                 addresses: int = TRACKED_ADDRESSES, clock: Callable[[], float] = time.monotonic):
        self.per_minute, self.addresses, self.clock = per_minute, addresses, clock
        self._tries: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allowed(self, address: str) -> bool:
        """Whether ``address`` may try another code now."""
        with self._lock:
            tries = self._recent(address)
            return len(tries) < self.per_minute

    def failed(self, address: str) -> None:
        """Remember one wrong code from ``address``."""
        with self._lock:
            self._recent(address).append(self.clock())
            self._tries.move_to_end(address)
            while len(self._tries) > self.addresses:
                self._tries.popitem(last=False)

    def _recent(self, address: str) -> deque[float]:
        tries = self._tries.setdefault(address, deque())
        while tries and tries[0] < self.clock() - 60.0:
            tries.popleft()
        return tries


class SessionBook:
    """Which sessions (Solara kernel ids) each key holds, oldest first.

    :meth:`admit` says which older sessions a new one supersedes (the caller closes them) or
    refuses the new one when the whole room is full.
    """

    def __init__(self, per_key: int = SESSIONS_PER_KEY, total: int = 100):
        self.per_key, self.total = per_key, total
        self._by_key: dict[str, deque[str]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str, kernel_id: str) -> tuple[bool, list[str]]:
        """``(admitted, superseded kernel ids)`` for a session ``kernel_id`` of ``key``."""
        with self._lock:
            held = self._by_key.setdefault(key, deque())
            if kernel_id in held:  # the same page reconnecting (a phone waking up)
                return True, []
            superseded = []
            while len(held) >= self.per_key:
                superseded.append(held.popleft())
            if not superseded and self.count() >= self.total:
                return False, []
            held.append(kernel_id)
            return True, superseded

    def count(self) -> int:
        """How many kernels are held now, over every key."""
        return sum(len(held) for held in self._by_key.values())


# --------------------------------------------------------------------------- the front desk
@dataclass(frozen=True)
class Doors:
    """Where the two doors listen: the room's port and the console's port and host names."""

    room_port: int = ROOM_PORT
    console_port: int = CONSOLE_PORT
    console_hosts: tuple[str, ...] = LOOPBACK_NAMES

    def console_host_ok(self, host: str) -> bool:
        """Whether a request's ``Host`` header names the console door (not a rebound name)."""
        allowed = {f"{name}:{self.console_port}" for name in self.console_hosts}
        return host.lower() in allowed


class RoomGate:
    """The ASGI middleware that admits visitors to the Solara app behind it (see the module)."""

    def __init__(self, app: ASGIApp, folder: str | Path, doors: Doors = Doors(),
                 close_session: Callable[[str], None] | None = None):
        self.app, self.folder, self.doors = app, Path(folder), doors
        self.close_session = close_session or (lambda _kernel_id: None)
        self.limiter = JoinLimiter()
        game = Game(self.folder)
        self.sessions = SessionBook(total=SESSIONS_PER_KEY * (len(game.keys) + 1)
                                    + SPARE_SESSIONS)

    def game(self) -> Game:
        """The game as its folder says now (keys never change, but the folder is the truth)."""
        return open_game(self.folder)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route one request: the door it came in by decides which pages it may reach."""
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        door = "console" if _local_port(scope) == self.doors.console_port else "room"
        headers = _headers(scope)
        if door == "console" and not self.doors.console_host_ok(headers.get("host", "")):
            if scope["type"] == "websocket":
                return await _close_websocket(receive, send)
            return await _refuse(send, 421, "This console answers only on its own address "
                                 "(open the console link printed when the game started).")
        if scope["type"] == "websocket":
            return await self._websocket(scope, receive, send, door, headers)
        return await self._http(scope, receive, send, door, headers)

    # ---------------------------------------------------------------- http
    async def _http(self, scope: Scope, receive: Receive, send: Send, door: str,
                    headers: dict[str, str]) -> None:
        path, method = scope["path"], scope["method"]
        if path.startswith(STATIC_PREFIXES) and method in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        pages = ("/console", "/present") if door == "console" else ("/play",)
        if path in pages and method in ("GET", "HEAD"):
            key = _query(scope).get("key", "")
            if self._valid(key, door):
                return await self.app(scope, receive, _with_cookie(send, key))
            return await _join_page(send, 403, NEUTRAL_KEY, door)
        if door == "room" and path == "/" and method in ("GET", "HEAD"):
            return await _join_page(send, 200, "", door)
        if door == "room" and path == "/join" and method == "POST":
            return await self._join(scope, receive, send)
        if door == "console" and path == "/":
            return await _join_page(send, 200, "", door)
        if self._valid(_pass(headers), door) and (
                path.startswith("/jupyter/api/kernels/") or path.startswith("/_solara/api/close/")):
            return await self.app(scope, receive, send)
        return await _refuse(send, 404, "Nothing here.")

    async def _join(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Trade a join code for the team-role link (one neutral answer for a wrong code)."""
        address = (scope.get("client") or ("?", 0))[0]
        body = await _read_body(receive, limit=1024)
        code = (parse_qs(body.decode("utf-8", "replace")).get("code") or [""])[0]
        if not self.limiter.allowed(address):
            return await _join_page(send, 429, "Too many wrong codes from this device; wait a "
                                    "minute and try again.", "room")
        game = self.game()
        try:
            team, role = game.team_role(code)
        except GameError:
            self.limiter.failed(address)
            return await _join_page(send, 403, NEUTRAL_KEY, "room")
        key = game.key_for(team, role)
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", f"/play?key={key}".encode()),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def _valid(self, key: str, door: str) -> bool:
        if not key:
            return False
        game = self.game()
        return game.is_console_key(key) if door == "console" else game.player(key) is not None

    # ---------------------------------------------------------------- websocket
    async def _websocket(self, scope: Scope, receive: Receive, send: Send, door: str,
                         headers: dict[str, str]) -> None:
        key = _pass(headers)
        parts = scope["path"].split("/")
        kernel_id = parts[4] if len(parts) > 5 and scope["path"].startswith(
            "/jupyter/api/kernels/") else ""
        if not kernel_id or not self._valid(key, door) or not _same_origin(headers):
            return await _close_websocket(receive, send)
        admitted, superseded = self.sessions.admit(key, kernel_id)
        if not admitted:
            return await _close_websocket(receive, send)
        for old in superseded:
            self.close_session(old)
        await self.app(scope, _checked_messages(receive), send)


# --------------------------------------------------------------------------- asgi helpers
def _local_port(scope: Scope) -> int:
    server = scope.get("server") or ("", 0)
    return int(server[1] or 0)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _query(scope: Scope) -> dict[str, str]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return {k: v[0] for k, v in parse_qs(raw).items()}


def _pass(headers: dict[str, str]) -> str:
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no pass
        return ""
    morsel = cookie.get(PASS_COOKIE)
    return morsel.value if morsel is not None else ""


def _same_origin(headers: dict[str, str]) -> bool:
    """A websocket from the page's own origin (browsers always send Origin on websockets)."""
    origin = headers.get("origin")
    if origin is None:  # not a browser: scripts can send anything anyway, the key decides
        return True
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()


def _with_cookie(send: Send, key: str) -> Send:
    cookie = f"{PASS_COOKIE}={key}; Path=/; HttpOnly; SameSite=Strict".encode()

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie),
                                  (b"cache-control", b"no-store"),
                                  (b"referrer-policy", b"no-referrer")]
        await send(message)
    return sending


def _checked_messages(receive: Receive) -> Receive:
    """``receive`` that ends the connection at a message no page sends: too large, or binary
    framing whose buffer count or offsets do not fit the message.
    """
    async def receiving() -> Message:
        message = await receive()
        if message["type"] == "websocket.receive" and not _message_ok(message):
            return {"type": "websocket.disconnect", "code": 1009}
        return message
    return receiving


def _message_ok(message: Message) -> bool:
    text, data = message.get("text"), message.get("bytes")
    if text is not None:
        return len(text) <= MAX_MESSAGE_BYTES
    if data is None:
        return True
    if len(data) > MAX_MESSAGE_BYTES or len(data) < 8:
        return False
    count = struct.unpack("!i", data[:4])[0]
    if not 1 <= count <= MAX_BUFFERS or len(data) < 4 * (count + 1):
        return False
    offsets = struct.unpack("!" + "I" * count, data[4: 4 * (count + 1)])
    ends = (*offsets[1:], len(data))
    return all(4 * (count + 1) <= a <= b <= len(data) for a, b in zip(offsets, ends, strict=True))


async def _read_body(receive: Receive, limit: int) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit:
            return b""
        if not message.get("more_body"):
            return body


async def _close_websocket(receive: Receive, send: Send) -> None:
    message = await receive()  # websocket.connect
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})


async def _refuse(send: Send, status: int, text: str) -> None:
    await _html(send, status, _page("LeadFlow Lab", f"<p>{html.escape(text)}</p>"))


async def _html(send: Send, status: int, body: str) -> None:
    data = body.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"),
                            (b"content-length", str(len(data)).encode()),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": data})


async def _join_page(send: Send, status: int, problem: str, door: str) -> None:
    if door == "console":
        body = ("<h1>Facilitator console</h1><p>Open the console link printed when the game "
                "started (it carries the console's key).</p>")
        return await _html(send, status, _page("Facilitator console", body))
    problem_html = (f"<p class='problem' role='alert'>{html.escape(problem)}</p>"
                    if problem else "")
    body = f"""<h1>Join your team</h1>
<p>Type the code your facilitator gave your team and role, or open your team's link.</p>
{problem_html}
<form method="post" action="/join">
  <label for="code">Join code</label>
  <input id="code" name="code" autocomplete="off" autocapitalize="characters" maxlength="12"
         inputmode="text" placeholder="e.g. K7Q2MX" required>
  <button type="submit">Join</button>
</form>"""
    await _html(send, status, _page("Join the game", body))


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · LeadFlow Lab</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 32rem; margin: 2rem auto; padding: 0 1rem;
        font-size: 1.1rem; line-height: 1.45; color: #1d1d1f; }}
 label {{ display: block; font-weight: 600; margin: 1rem 0 .3rem; }}
 input {{ font-size: 1.4rem; letter-spacing: .15em; text-transform: uppercase; width: 100%;
         box-sizing: border-box; padding: .5rem; }}
 button {{ font-size: 1.1rem; margin-top: .8rem; padding: .6rem 1.4rem; background: #1f5fa8;
          color: white; border: 0; border-radius: 6px; }}
 .problem {{ color: #B00020; font-weight: 600; }}
</style></head><body>{body}</body></html>"""


# --------------------------------------------------------------------------- serving
def build_app(folder: str | Path, doors: Doors = Doors()) -> ASGIApp:
    """The room's ASGI app: Solara's server (with the game's pages) behind the front desk."""
    import warnings

    folder = Path(folder).resolve()
    Game(folder)  # a missing or damaged game is one clear line before anything is served
    # Solara warns that its session cookie cannot be SameSite=None over plain http; the room
    # needs no cross-site cookie (the pass cookie is SameSite=Strict), so the warning is noise
    warnings.filterwarnings("ignore", message="Cookies with samesite=none")
    os.environ[GAME_DIR_ENV] = str(folder)
    os.environ[CONSOLE_PORT_ENV] = str(doors.console_port)
    os.environ["SOLARA_APP"] = "sim.game.pages"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # a room sends nothing out
    import solara.server.settings as solara_settings

    solara_settings.kernel.cull_timeout = SESSION_CULL
    solara_settings.main.mode = "production"
    solara_settings.telemetry.mixpanel_enable = False
    # a page of the game, not an advertisement: no "runs on Solara" loader or banner
    solara_settings.theme.loader = "plain"
    solara_settings.theme.show_banner = False
    solara_settings.theme.title = "LeadFlow Lab"
    _no_script_magics()
    from solara.server import kernel_context
    from solara.server.starlette import app as solara_app

    def close_session(kernel_id: str) -> None:
        context = kernel_context.contexts.get(kernel_id)
        if context is not None:
            threading.Thread(target=context.close, kwargs={"reason": "superseded"},
                             daemon=True).start()

    return RoomGate(solara_app, folder, doors, close_session)


def _no_script_magics() -> None:
    """Give each session's IPython shell no ``%%bash``-style magics.

    Every session gets a shell of its own, and building one spends most of its time writing
    argument parsers for eight ``%%script`` magics (bash, perl, ruby...) that a game page never
    runs: a fifth of the server's work when a room's forty pages open at once. The list comes
    from one function of IPython's script magics, so that is what is replaced.
    """
    try:
        from IPython.core.magics import script
    except ImportError:  # pragma: no cover - IPython always comes with Solara
        return
    if hasattr(script, "default_script_magics"):
        script.default_script_magics = list


def make_servers(app: ASGIApp, host: str, port: int, console_port: int) -> list[Any]:
    """The two doors as uvicorn servers of one app: the room on ``host:port``, the console on
    ``127.0.0.1:console_port``; run them together in one event loop (:func:`run_servers`).
    """
    import uvicorn

    # Solara's start-up and shut-down run once, with the room door
    return [uvicorn.Server(uvicorn.Config(app, host=h, port=p, log_level="warning",
                                          ws_max_size=MAX_MESSAGE_BYTES, lifespan=life))
            for h, p, life in ((host, port, "on"), ("127.0.0.1", console_port, "off"))]


async def run_servers(servers: list[Any]) -> None:
    """Serve every door until each is told to stop (``server.should_exit``) or Ctrl+C."""
    await asyncio.gather(*(s.serve() for s in servers))


def serve(folder: str | Path, host: str = "0.0.0.0", port: int = ROOM_PORT,
          console_port: int = CONSOLE_PORT, room_url: str | None = None) -> None:
    """Serve the room door on ``host:port`` and the console door on ``127.0.0.1:console_port``
    from this one process until Ctrl+C.
    """
    import multiprocessing

    # round processing starts a process pool from a server thread: forking a process that runs
    # threads can copy a held lock into the child, so the workers come from a fork server
    multiprocessing.set_start_method("forkserver", force=True)
    if room_url:
        os.environ[GAME_URL_ENV] = room_url
    app = build_app(folder, Doors(room_port=port, console_port=console_port))
    asyncio.run(run_servers(make_servers(app, host, port, console_port)))
