"""A bot that plays a team page over the wire, as a phone would, to load-test the room server.

A bot is a browser without the browser: it fetches a team-role link (which gives it the pass
cookie), opens the page's websocket, asks Solara to run the page, and then reads the widgets the
server sends (ipywidgets' own messages) the way the browser's widget manager does. It can then
move a lever, press *Submit choices* and time how long the server takes to say "Submitted".
``bench/bench_game_server.py`` runs forty of them at once; the server's tests use them to try
what a curious participant would (another team's page, a forged message).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.sync.client import ClientConnection, connect

SUBMIT = "Submit choices"


class BotError(RuntimeError):
    """The server did not answer as a page expects (refused, closed, or too slow)."""


class PageBot:
    """One open page of the room server (``link`` as printed by ``game links``)."""

    def __init__(self, link: str, timeout: float = 20.0):
        parts = urlsplit(link)
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.page = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        self.timeout = timeout
        self.models: dict[str, dict[str, Any]] = {}
        self.session = uuid.uuid4().hex
        self.ws: ClientConnection | None = None
        self.http = httpx.Client(base_url=self.base, timeout=timeout)

    # ---------------------------------------------------------------- connecting
    def open(self, run: str | None = None) -> PageBot:
        """Load the page and start its session; raises :class:`BotError` if refused.

        ``run`` asks the session to show another address than the one loaded (what a forged
        page would do), to check that the address's own key decides what is shown.
        """
        reply = self.http.get("/" + self.page)
        if reply.status_code != 200:
            raise BotError(f"page refused with HTTP {reply.status_code}")
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        kernel = uuid.uuid4().hex
        ws_base = self.base.replace("http", "ws", 1)
        try:
            self.ws = connect(f"{ws_base}/jupyter/api/kernels/{kernel}/channels?session_id="
                              f"{self.session}", additional_headers={"Cookie": cookie},
                              open_timeout=self.timeout, max_size=2 ** 24).__enter__()
        except Exception as exc:
            raise BotError(f"websocket refused ({exc})") from None
        control = uuid.uuid4().hex
        self.send("comm_open", {"comm_id": control, "target_name": "solara.control",
                                "data": {}})
        self.send("comm_msg", {"comm_id": control,
                               "data": {"method": "run", "args": {"path": run or self.page}}})
        self.wait(lambda m: _data(m).get("method") == "finished")
        return self

    def close(self) -> None:
        """Close the websocket and the HTTP session; the server frees the kernel."""
        if self.ws is not None:
            self.ws.close()
        self.http.close()

    def __enter__(self) -> PageBot:
        return self.open()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---------------------------------------------------------------- the wire
    def send(self, msg_type: str, content: dict[str, Any]) -> str:
        """Send one Jupyter message on the page's websocket; its message id."""
        assert self.ws is not None, "open() first"
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": "bot",
                       "session": self.session, "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
            "buffers": []}))
        return msg_id

    def wait(self, done: Any, timeout: float | None = None) -> dict[str, Any]:
        """Read messages (keeping the widgets' state) until ``done(message)``."""
        assert self.ws is not None, "open() first"
        end = time.monotonic() + (timeout or self.timeout)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise BotError("the server did not answer in time")
            try:
                raw = self.ws.recv(timeout=left)
            except TimeoutError:
                raise BotError("the server did not answer in time") from None
            except Exception as exc:
                raise BotError(f"the connection ended ({exc})") from None
            if not isinstance(raw, str):
                continue
            message = json.loads(raw)
            self._keep(message)
            if done(message):
                return message

    def _keep(self, message: dict[str, Any]) -> None:
        kind = message["header"]["msg_type"]
        content = message.get("content", {})
        if kind == "comm_open":
            self.models[content["comm_id"]] = dict(content.get("data", {}).get("state", {}))
        elif kind == "comm_msg" and _data(message).get("method") == "update":
            self.models.setdefault(content["comm_id"], {}).update(_data(message).get("state", {}))

    # ---------------------------------------------------------------- playing
    def texts(self) -> list[str]:
        """Every HTML widget's text on the page now."""
        return [str(m.get("value", "")) for m in self.models.values()
                if m.get("_model_name") == "HTMLModel"]

    def button(self, description: str) -> str:
        """The model id of the button labelled ``description`` (or, failing that, the one
        button whose label starts with it, like "Confirm: process Q1").
        """
        buttons = {model_id: str(state.get("description", ""))
                   for model_id, state in self.models.items()
                   if state.get("_model_name") == "ButtonModel"}
        exact = [m for m, label in buttons.items() if label == description]
        starting = [m for m, label in buttons.items() if label.startswith(description)]
        for found in (exact, starting):
            if len(found) == 1:
                return found[0]
        raise BotError(f"no {description!r} button on the page")

    def click(self, description: str) -> None:
        """Press a button and wait until the server has handled the press (its widgets'
        changes have all been sent by then: the server says "idle" after them).
        """
        pressed = self.send("comm_msg", {"comm_id": self.button(description),
                                         "data": {"method": "custom",
                                                  "content": {"event": "click"}}})
        self.wait(lambda m: m["header"]["msg_type"] == "status"
                  and m.get("parent_header", {}).get("msg_id") == pressed
                  and m["content"].get("execution_state") == "idle")

    def submit(self) -> float:
        """Press *Submit choices*; the seconds until the page says it was submitted."""
        start = time.perf_counter()
        self.click(SUBMIT)
        took = time.perf_counter() - start
        if not any("Submitted at" in text for text in self.texts()):
            raise BotError("the page did not say the choices were submitted: "
                           + " | ".join(t for t in self.texts() if "ubmit" in t)[:200])
        return took


def _data(message: dict[str, Any]) -> dict[str, Any]:
    return message.get("content", {}).get("data", {}) or {}
