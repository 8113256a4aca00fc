"""Fixtures for real-browser tests: Playwright driving the system's chromium against local
JupyterLab and Voilà servers.

* ``chromium`` (session): a headless chromium browser. Without Playwright or a chromium
  executable the test is skipped with the reason, or fails when ``CI`` is set.
  ``LEADFLOW_CHROMIUM`` names another executable.
* ``page``: a fresh browser page (its own context: cookies, storage), 1280 × 1000.
  Tests in this folder carry the ``browser`` marker (``pytest -m browser``).
* ``lab_server(notebooks)``: JupyterLab on copies of the named notebooks.
* ``voila_server(target, extra_args=(), env=None)``: Voilà on a notebook or a folder.
* ``output_dir``: the folder for this test's screenshots.
* ``room``: a red-and-blue workshop game served by the room server (``python -m sim game
  serve``), its first round waiting; ``played_room``: the same with that round played and
  processed on the default choices.

Servers run on 127.0.0.1 on a free port with a random token, and are stopped after the test;
``server.url(path, **query)`` gives an address with the token, ``server.describe()`` the end of
the server's log for a failure message. For a notebook that reads its query string, and should
not see the token in it, ``server.authorize(page)`` then ``page.goto(server.plain_url(path,
**query))``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.browser.chromium import chromium_missing, find_chromium, launch_chromium
from tests.servers import (
    REPO,
    GameServer,
    Server,
    ServerError,
    copy_notebooks,
    skip_or_fail,
    start_game_server,
    start_lab,
    start_voila,
)


@pytest.fixture(scope="session")
def chromium():
    """A headless chromium, shared by the tests of one pytest process."""
    reason = chromium_missing()
    if reason:
        skip_or_fail(reason)
    from playwright.sync_api import Error, sync_playwright

    executable = find_chromium()
    manager = sync_playwright().start()
    try:
        browser = launch_chromium(manager, executable)
    except Error as exc:
        manager.stop()
        pytest.fail(f"chromium at {executable} did not start: {exc}", pytrace=False)
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()


@pytest.fixture
def page(chromium):
    """A new page in a context of its own (cookies, storage), 1280 × 1000 pixels; actions and
    ``expect`` wait up to 30 s."""
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)  # a kernel's answer may take seconds on a busy machine
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """``test-output/browser/<test>/`` (or ``$LEADFLOW_TEST_OUTPUT/browser/<test>/``), emptied
    at the start of the test."""
    root = Path(os.environ.get("LEADFLOW_TEST_OUTPUT") or REPO / "test-output")
    folder = root / "browser" / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _started(started: list[Server], launch: Callable[[], Server]) -> Server:
    """Launch a server, remember it for stopping, and fail the test (with the server's log)
    if it does not come up."""
    try:
        server = launch()
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    started.append(server)
    return server


def _stopped_afterwards(started: list[Server], start: Callable[..., Server]
                        ) -> Iterator[Callable[..., Server]]:
    """Hand ``start`` to the test, then stop every server it started."""
    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def lab_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``lab_server(["00_start_here.ipynb"], extra_args=(), env=None) -> Server``: JupyterLab
    on copies of notebooks from ``notebooks/`` (beside a copy of ``scenarios/``) in the test's
    temporary folder, so running and saving never touch the repository. Open a notebook at
    ``server.url("/lab/tree/NAME")``."""
    started: list[Server] = []

    def start(notebooks: Sequence[str], extra_args: Sequence[str] = (),
              env: dict[str, str] | None = None) -> Server:
        home = tmp_path / f"lab-{len(started) + 1}"
        root = copy_notebooks(notebooks, home)
        return _started(started, lambda: start_lab(root, home, extra_args=extra_args, env=env))

    yield from _stopped_afterwards(started, start)


@pytest.fixture
def voila_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``voila_server(target, extra_args=(), env=None, cwd=None) -> Server``: Voilà on a
    notebook or a folder of notebooks, with the code hidden. A notebook is at
    ``server.url("/")``; a folder's notebook at ``server.url("/voila/render/NAME", key=value)``.
    ``env`` adds environment variables for the server and its kernels."""
    started: list[Server] = []

    def start(target: Path, extra_args: Sequence[str] = (),
              env: dict[str, str] | None = None, cwd: Path | None = None) -> Server:
        home = tmp_path / f"voila-{len(started) + 1}"
        return _started(started, lambda: start_voila(Path(target), home, extra_args=extra_args,
                                                     env=env, cwd=cwd))

    yield from _stopped_afterwards(started, start)


def _serve_game(tmp_path: Path, played: bool) -> Iterator[GameServer]:
    """A two-team game (no practice round, no luck replays: processing stays quick), served by
    the room server; ``played``: its first round processed on the default choices."""
    from sim.game import Game
    from sim.parallel import SerialExecutor

    folder = tmp_path / "game"
    game = Game.create(folder, teams=["red", "blue"], practice=False, weeks_per_round=4,
                       luck_reps=0)
    if played:
        game.play({}, until=0, executor=SerialExecutor())
    try:
        server = start_game_server(folder, tmp_path / "room")
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def room(tmp_path) -> Iterator[GameServer]:
    """A red-and-blue game with its first round waiting, served by the room server."""
    yield from _serve_game(tmp_path, played=False)


@pytest.fixture
def played_room(tmp_path) -> Iterator[GameServer]:
    """A red-and-blue game with its first scored round processed, served by the room server."""
    yield from _serve_game(tmp_path, played=True)
