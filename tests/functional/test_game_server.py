"""The room server as a curious participant would try it: nobody plays for another team, and
nothing an anonymous visitor or a forged message does starts a session or holds memory.

The server runs in this test process (both doors, on free ports of 127.0.0.1), so the tests
can count its sessions directly; the players are :class:`sim.game.bot.PageBot` bots that speak
the page's own websocket protocol, as a phone's browser does.
"""

from __future__ import annotations

import asyncio
import json
import re
import resource
import struct
import threading
import time
import uuid

import httpx
import pytest
from websockets.sync.client import connect

from sim.game import Game
from sim.game.bot import BotError, PageBot
from sim.game.server import (
    JOIN_TRIES_PER_MINUTE,
    PASS_COOKIE,
    SESSIONS_PER_KEY,
    Doors,
    build_app,
    make_servers,
    run_servers,
)
from tests.servers import free_port

TEAMS = ["red", "blue"]
pytestmark = [
    # the server says these in production too, and filters them there; pytest resets filters
    pytest.mark.filterwarnings("ignore:Cookies with samesite=none"),
    pytest.mark.filterwarnings("ignore:websockets.legacy is deprecated"),
]


def _names_a_team(text: str) -> bool:
    return any(re.search(rf"\b{team}\b", text) for team in TEAMS)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    folder = tmp_path_factory.mktemp("room") / "game"
    game = Game.create(folder, TEAMS, practice=False, weeks_per_round=2, luck_reps=0)
    game.open_round()
    port, console_port = free_port(), free_port()
    app = build_app(folder, Doors(room_port=port, console_port=console_port))
    servers = make_servers(app, "127.0.0.1", port, console_port)
    thread = threading.Thread(target=lambda: asyncio.run(run_servers(servers)), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not all(s.started for s in servers):
        assert time.monotonic() < deadline, "the room server did not start"
        time.sleep(0.05)
    yield Room(game, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{console_port}", app)
    for server in servers:
        server.should_exit = True
    thread.join(timeout=10)


class Room:
    def __init__(self, game, url, console_url, gate):
        self.game, self.url, self.console_url, self.gate = game, url, console_url, gate

    def link(self, team, role):
        return f"{self.url}/play?key={self.game.key_for(team, role)}"

    @staticmethod
    def sessions() -> int:
        from solara.server import kernel_context

        return sum(not c.closed_event.is_set() for c in list(kernel_context.contexts.values()))


def _settle(count, expected, timeout=10.0):
    deadline = time.monotonic() + timeout
    while count() != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return count()


def _ws_refused(url, **headers) -> bool:
    try:
        with connect(url, additional_headers=headers, open_timeout=10) as ws:
            ws.recv(timeout=5)
    except Exception:
        return True
    return False


def _ws_url(base, kernel=None):
    kernel = kernel or uuid.uuid4().hex
    return f"{base.replace('http', 'ws', 1)}/jupyter/api/kernels/{kernel}/channels?session_id=x"


# --------------------------------------------------------------------------- impersonation
def test_a_wrong_key_gets_one_neutral_answer_naming_no_team(room):
    for path in ("/play?key=not-a-key", "/play?team=red&role=sales", "/play"):
        reply = httpx.get(room.url + path)
        assert reply.status_code == 403, path
        assert "not valid" in reply.text
        assert not _names_a_team(reply.text)
        assert PASS_COOKIE not in reply.headers.get("set-cookie", "")


def test_a_join_code_is_traded_for_its_own_link_only(room):
    code = room.game.code_for("blue", "sales")
    typed = f"{code[:3].lower()}-{code[3:]}"  # as a player types it
    reply = httpx.post(room.url + "/join", data={"code": typed})
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/play?key={room.game.key_for('blue', 'sales')}"
    wrong = httpx.post(room.url + "/join", data={"code": "ZZZZZZ"})
    assert wrong.status_code == 403 and not _names_a_team(wrong.text)


def test_guessing_codes_is_rate_limited(room):
    room.gate.limiter._tries.clear()
    answers = [httpx.post(room.url + "/join", data={"code": f"Q{i:05d}"}).status_code
               for i in range(JOIN_TRIES_PER_MINUTE + 2)]
    assert answers[:JOIN_TRIES_PER_MINUTE] == [403] * JOIN_TRIES_PER_MINUTE
    assert answers[-1] == 429
    # even the right code waits out the minute: a guesser learns nothing from trying it
    right = httpx.post(room.url + "/join", data={"code": room.game.code_for("red", "sales")})
    assert right.status_code == 429
    room.gate.limiter._tries.clear()


def test_a_player_submits_for_their_own_team_and_role_only(room):
    with PageBot(room.link("red", "sales")) as bot:
        assert any("Team red · Sales" in text for text in bot.texts())
        assert bot.submit() < 5
    folder = room.game.folder / "rounds" / "00"
    assert (folder / "red.sales.yaml").is_file()
    assert not (folder / "blue.sales.yaml").exists()
    assert not (folder / "red.marketing.yaml").exists()


def test_a_pass_for_one_team_does_not_open_another_teams_page(room):
    """The pass cookie only admits; the key in the page's address says who the visitor is."""
    bot = PageBot(room.link("red", "marketing")).open(run="play?key=someone-elses-guess")
    try:
        assert not any("Team" in text for text in bot.texts())
        assert any("not valid" in text for text in bot.texts())
        with pytest.raises(BotError, match="no 'Submit choices' button"):
            bot.submit()
    finally:
        bot.close()


def test_the_console_is_not_on_the_room_door(room):
    key = room.game.console_key
    assert httpx.get(f"{room.url}/console?key={key}").status_code == 404
    player = httpx.get(room.link("red", "sales"))
    cookie = f"{PASS_COOKIE}={player.cookies[PASS_COOKIE]}"
    # a player's pass opens no session on the console door
    assert _ws_refused(_ws_url(room.console_url), Cookie=cookie)
    # and the console's page refuses a player's key
    reply = httpx.get(f"{room.console_url}/console?key={room.game.key_for('red', 'sales')}")
    assert reply.status_code == 403


def test_the_console_answers_only_to_its_own_host_name(room):
    key = room.game.console_key
    assert httpx.get(f"{room.console_url}/console?key={key}").status_code == 200
    rebound = httpx.get(f"{room.console_url}/console?key={key}",
                        headers={"Host": "attacker.example"})
    assert rebound.status_code == 421
    ok = httpx.get(f"{room.console_url}/console?key={key}")
    cookie = f"{PASS_COOKIE}={ok.cookies[PASS_COOKIE]}"
    assert _ws_refused(_ws_url(room.console_url), Cookie=cookie, Host="attacker.example")


def test_the_console_page_opens_with_its_key_on_its_door(room):
    with PageBot(room.game.console_link(room.console_url)) as console:
        assert any("Facilitator" in text for text in console.texts())
        console.button("Process round")


def test_presenter_mode_opens_on_the_console_door_only(room):
    key = room.game.console_key
    present = room.game.console_link(room.console_url).replace("/console?", "/present?")
    assert httpx.get(f"{room.url}/present?key={key}").status_code == 404
    assert httpx.get(present.replace(key, room.game.key_for("red", "sales"))).status_code == 403
    with PageBot(present) as presenter:
        presenter.button("Reveal next place")  # the presenter's own controls are on the page
        assert any("px" in text for text in presenter.texts())  # the big countdown's style


def test_a_websocket_from_another_site_is_refused(room):
    reply = httpx.get(room.link("blue", "marketing"))
    cookie = f"{PASS_COOKIE}={reply.cookies[PASS_COOKIE]}"
    assert _ws_refused(_ws_url(room.url), Cookie=cookie, Origin="http://attacker.example")


# --------------------------------------------------------------------------- memory
def test_anonymous_requests_start_no_session(room):
    before = _settle(room.sessions, room.sessions())
    for _ in range(20):
        for path in ("/", "/play?key=bad", "/readyz", "/resourcez", "/jupyter/api/kernels/x",
                     "/anything"):
            assert httpx.get(room.url + path).status_code in (200, 403, 404)
        assert _ws_refused(_ws_url(room.url))
        assert _ws_refused(_ws_url(room.url), Cookie=f"{PASS_COOKIE}=forged")
    assert room.sessions() == before


def test_one_key_holds_at_most_a_few_sessions(room):
    before = _settle(room.sessions, room.sessions())
    bots = [PageBot(room.link("blue", "sales")).open() for _ in range(SESSIONS_PER_KEY + 3)]
    try:
        held = _settle(room.sessions, before + SESSIONS_PER_KEY)
        assert held <= before + SESSIONS_PER_KEY
        assert bots[-1].submit() < 5  # the newest page is the one that works
    finally:
        for bot in bots:
            bot.close()


def _binary(header: dict, buffers: list[bytes], count: int | None = None) -> bytes:
    """A message in the binary framing Jupyter's websocket uses (count, offsets, parts)."""
    parts = [json.dumps(header).encode(), *buffers]
    n = len(parts) if count is None else count
    offsets, at = [], 4 * (len(parts) + 1)
    for part in parts:
        offsets.append(at)
        at += len(part)
    return struct.pack("!i", n) + struct.pack("!" + "I" * len(parts), *offsets) + b"".join(parts)


def test_forged_messages_end_the_connection_without_hanging_the_server(room):
    """The pair that sent a Voilà server into an endless list: a comm_open for an image model
    and a request_state, as binary frames with no subprotocol; then a frame whose buffer count
    claims two billion buffers."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bot = PageBot(room.link("red", "marketing")).open()
    comm = uuid.uuid4().hex
    header = {"header": {"msg_id": "1", "msg_type": "comm_open", "session": "x"},
              "parent_header": {}, "metadata": {}, "channel": "shell",
              "content": {"comm_id": comm, "target_name": "jupyter.widget",
                          "data": {"state": {"_model_name": "ImageModel"}}}}
    bot.ws.send(_binary(header, [b"\x89PNG"]))
    request = dict(header, content={"comm_id": comm, "data": {"method": "request_state"}})
    request["header"] = dict(header["header"], msg_type="comm_msg")
    bot.ws.send(_binary(request, [b""]))
    bot.ws.send(_binary(request, [b"x"], count=2 ** 31 - 1))
    with pytest.raises(BotError, match="connection ended"):
        bot.wait(lambda m: False, timeout=10)
    bot.close()
    start = time.monotonic()
    assert httpx.get(room.url + "/", timeout=5).status_code == 200
    assert time.monotonic() - start < 2
    with PageBot(room.link("red", "marketing")) as again:
        assert again.submit() < 5
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mb < 200


def test_an_oversized_message_ends_the_connection(room):
    bot = PageBot(room.link("blue", "marketing")).open()
    bot.ws.send("x" * (300 * 1024))
    with pytest.raises(BotError, match="connection ended"):
        bot.wait(lambda m: False, timeout=10)
    bot.close()
