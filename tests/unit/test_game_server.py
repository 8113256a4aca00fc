"""The room server's front desk, piece by piece: the join limiter, the session book, the console
door's host check, the pass cookie and the websocket message check."""

from __future__ import annotations

import json
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.game.server import (
    MAX_BUFFERS,
    MAX_MESSAGE_BYTES,
    PASS_COOKIE,
    Doors,
    JoinLimiter,
    SessionBook,
    _message_ok,
    _pass,
    _same_origin,
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_limiter_allows_typos_and_stops_guessing_for_a_minute():
    clock = Clock()
    limiter = JoinLimiter(per_minute=3, clock=clock)
    for _ in range(3):
        assert limiter.allowed("10.0.0.7")
        limiter.failed("10.0.0.7")
    assert not limiter.allowed("10.0.0.7")
    assert limiter.allowed("10.0.0.8")  # another phone is not punished
    clock.now += 61
    assert limiter.allowed("10.0.0.7")


def test_the_limiter_remembers_a_bounded_number_of_addresses():
    limiter = JoinLimiter(per_minute=1, addresses=5, clock=Clock())
    for i in range(50):
        limiter.failed(f"10.0.{i}.1")
    assert len(limiter._tries) == 5
    assert not limiter.allowed("10.0.49.1")


def test_a_key_holds_a_few_sessions_and_the_newest_supersedes_the_oldest():
    book = SessionBook(per_key=2, total=10)
    assert book.admit("k", "a") == (True, [])
    assert book.admit("k", "b") == (True, [])
    assert book.admit("k", "a") == (True, [])  # a page reconnecting is not a new session
    assert book.admit("k", "c") == (True, ["a"])
    assert book.count() == 2


def test_a_full_room_refuses_new_sessions():
    book = SessionBook(per_key=3, total=2)
    assert book.admit("k1", "a")[0] and book.admit("k2", "b")[0]
    assert book.admit("k3", "c") == (False, [])


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.text("xyz", min_size=1, max_size=3)),
                max_size=60))
def test_the_book_never_holds_more_than_allowed(moves):
    book = SessionBook(per_key=3, total=7)
    for key, kernel in moves:
        book.admit(key, kernel)
        assert book.count() <= 7
        assert all(len(held) <= 3 for held in book._by_key.values())


@pytest.mark.parametrize(("host", "ok"), [
    ("127.0.0.1:8867", True), ("localhost:8867", True), ("LOCALHOST:8867", True),
    ("[::1]:8867", True), ("attacker.example:8867", False), ("127.0.0.1:8866", False),
    ("127.0.0.1", False), ("", False), ("127.0.0.1.attacker.example:8867", False),
])
def test_the_console_door_answers_only_to_its_own_host_name(host, ok):
    assert Doors(console_port=8867).console_host_ok(host) is ok


def test_the_pass_comes_from_its_cookie_only():
    assert _pass({"cookie": f"a=1; {PASS_COOKIE}=secret; b=2"}) == "secret"
    assert _pass({"cookie": "a=1"}) == ""
    assert _pass({}) == ""
    assert _pass({"cookie": '"unbalanced'}) == ""


@pytest.mark.parametrize(("headers", "ok"), [
    ({"host": "10.0.0.2:8866", "origin": "http://10.0.0.2:8866"}, True),
    ({"host": "10.0.0.2:8866", "origin": "http://attacker.example"}, False),
    ({"host": "10.0.0.2:8866", "origin": "null"}, False),
    ({"host": "10.0.0.2:8866"}, True),  # not a browser: the key decides
])
def test_a_websocket_must_come_from_the_page_origin(headers, ok):
    assert _same_origin(headers) is ok


def _frame(parts: list[bytes], count: int | None = None) -> bytes:
    n = len(parts) if count is None else count
    at, offsets = 4 * (len(parts) + 1), []
    for part in parts:
        offsets.append(at)
        at += len(part)
    return struct.pack("!i", n) + struct.pack("!" + "I" * len(parts), *offsets) + b"".join(parts)


def test_well_formed_messages_pass():
    header = json.dumps({"header": {"msg_type": "comm_msg"}}).encode()
    assert _message_ok({"type": "websocket.receive", "text": "{}"})
    assert _message_ok({"type": "websocket.receive", "bytes": _frame([header, b"png"])})


@pytest.mark.parametrize("data", [
    _frame([b"{}", b"x"], count=2 ** 31 - 1),  # two billion buffers claimed
    _frame([b"{}"], count=0),
    _frame([b"{}"], count=-5),
    _frame([b"{}"] * (MAX_BUFFERS + 1)),
    b"\x00\x00\x00\x01",  # shorter than its own header
    struct.pack("!iI", 1, 10 ** 6) + b"{}",  # an offset beyond the message
    struct.pack("!iII", 2, 12, 8) + b"{}{}",  # offsets going backwards
    b"x" * (MAX_MESSAGE_BYTES + 1),
])
def test_forged_binary_framing_is_refused(data):
    assert not _message_ok({"type": "websocket.receive", "bytes": data})


def test_an_oversized_text_message_is_refused():
    assert not _message_ok({"type": "websocket.receive", "text": "x" * (MAX_MESSAGE_BYTES + 1)})


@given(st.binary(max_size=200))
def test_any_bytes_get_an_answer_without_error(data):
    assert _message_ok({"type": "websocket.receive", "bytes": data}) in (True, False)
