"""Local servers for the tests: JupyterLab and Voilà on a free port with a random token, and the
workshop game's room server (``python -m sim game serve``) on two free ports.

Every server listens on 127.0.0.1 only, on a port the operating system hands out, with a token
nobody else knows (the game's secret keys, for the room server), and keeps its log in a file of
the test's temporary folder. Its Jupyter settings, workspaces and runtime files live in that
folder too, so neither the user's own settings nor another server started at the same time
(``pytest -n 2``) leak in. A server is ready when an HTTP endpoint answers; :meth:`Server.stop`
ends it with its kernels.

    server = start_voila(notebook, tmp_path / "voila", env={"NAME": "value"})
    try:
        page.goto(server.url("/", lever="value"))
    finally:
        server.stop()

    room = start_game_server(game_folder, tmp_path / "room")
    try:
        page.goto(room.url("/"))                      # the join page
        page.goto(room.link("red", "marketing"))      # a player's link, with its key
        page.goto(room.console_link())                # the facilitator console
    finally:
        room.stop()

Missing prerequisites (a browser, a package) go through :func:`skip_or_fail`: skipped with the
reason on a developer's machine, a failure when the ``CI`` variable is set, so that tests never
silently vanish from a CI run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
BIN = Path(sys.executable).parent

START_TIMEOUT = 120.0
"""Seconds a server may take to answer (generous: a shared two-core machine under test load)."""


class ServerError(RuntimeError):
    """A server did not start, or stopped answering; the message ends with its log."""


def in_ci() -> bool:
    """Whether the tests run in CI (the ``CI`` environment variable is set and not empty)."""
    return bool(os.environ.get("CI", "").strip())


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test for a missing prerequisite, or fail it when running in CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure rather than a skip)",
                    pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, deadline: float, timeout: float = 60) -> tuple[int, str]:
    """GET ``url`` until it answers or ``deadline`` (``time.monotonic()``) passes; returns the
    status and the body. Connection errors are retried; an HTTP error status is an answer."""
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last = exc
            time.sleep(0.5)
    raise TimeoutError(f"no answer from {url}: {last}")


def notebook_code_lines(path: Path, min_length: int = 12) -> list[str]:
    """The code cells' lines of a notebook that are long enough to be recognised on a page
    (comments and short lines left out)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    lines = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            text = line.strip()
            if len(text) >= min_length and not text.startswith("#"):
                lines.append(text)
    return lines


@dataclass
class Server:
    """A running server: its address, token, process and log."""

    name: str
    port: int
    token: str
    process: subprocess.Popen
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/", **query: object) -> str:
        """Address of ``path`` with the query parameters and the token
        (``url("/voila/render/NAME.ipynb", lever="value")``). A notebook that reads its query
        string sees the token too; see :meth:`plain_url` for one without."""
        params = {**{k: str(v) for k, v in query.items()}, "token": self.token}
        return f"{self.base}/{path.lstrip('/')}?{urllib.parse.urlencode(params)}"

    def plain_url(self, path: str = "/", **query: object) -> str:
        """Address of ``path`` with the query parameters only: for a browser page or context
        that :meth:`authorize` has given the token."""
        params = urllib.parse.urlencode({k: str(v) for k, v in query.items()})
        return f"{self.base}/{path.lstrip('/')}" + (f"?{params}" if params else "")

    def authorize(self, page_or_context) -> None:
        """Send the token with every request of a Playwright page or browser context (as an
        ``Authorization`` header), so that :meth:`plain_url` addresses open."""
        page_or_context.set_extra_http_headers({"Authorization": f"token {self.token}"})

    def get_json(self, path: str, timeout: float = 30) -> object:
        """GET a JSON endpoint of the server (authenticated with the token)."""
        with urllib.request.urlopen(self.url(path), timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))

    def log_tail(self, chars: int = 3000) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return text[-chars:]

    def describe(self, chars: int = 3000) -> str:
        """Name, address, state and the end of the log: for failure messages."""
        state = "running" if self.process.poll() is None else \
            f"exited with status {self.process.returncode}"
        return (f"{self.name} at {self.base} ({state}); log {self.log_path}, last lines:\n"
                f"{self.log_tail(chars)}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20) -> None:
        """Terminate the server and its kernels; kill whatever is left after ``timeout``."""
        descendants = _descendants(self.process.pid)
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=timeout)
        for proc in descendants:  # kernels started in a session of their own
            try:
                proc.wait(timeout=5)
            except Exception:  # noqa: BLE001 - psutil's TimeoutExpired or NoSuchProcess
                try:
                    proc.kill()
                except Exception:  # noqa: BLE001
                    pass
        if self._log is not None:
            self._log.close()
            self._log = None


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _descendants(pid: int) -> list:
    try:
        import psutil
    except ImportError:
        return []
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def jupyter_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a Jupyter server whose settings, workspaces and runtime files live under
    ``home``; this checkout's ``sim`` comes first on the kernels' path."""
    env = dict(os.environ)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTER_DATA_DIR", "data"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONWARNINGS", None)
    env.pop("JUPYTER_TOKEN", None)
    env.update(extra or {})
    return env


@dataclass
class GameServer(Server):
    """The workshop game's room server: the room door at :attr:`base` (``url(path)`` carries no
    token: the game's links carry their own keys) and the console door at
    :attr:`console_base`, both on 127.0.0.1."""

    console_port: int = 0
    folder: Path = field(default_factory=Path)

    @property
    def console_base(self) -> str:
        return f"http://127.0.0.1:{self.console_port}"

    def url(self, path: str = "/", **query: object) -> str:
        """Address of ``path`` on the room door, with the query parameters only."""
        return self.plain_url(path, **query)

    def console_url(self, path: str = "/", **query: object) -> str:
        """Address of ``path`` on the console door, with the query parameters only."""
        params = urllib.parse.urlencode({k: str(v) for k, v in query.items()})
        return f"{self.console_base}/{path.lstrip('/')}" + (f"?{params}" if params else "")

    def game(self):
        from sim.game import Game

        return Game(self.folder)

    def links(self):
        """The game's team, role, code and link table, its links pointing at this server."""
        return self.game().links(self.base)

    def link(self, team: str, role: str) -> str:
        """The link (with its secret key) of one team and role."""
        return f"{self.base}/play?key={self.game().key_for(team, role)}"

    def code(self, team: str, role: str) -> str:
        """The join code of one team and role."""
        return self.game().code_for(team, role)

    def console_link(self) -> str:
        """The facilitator console's link (with the console's key) on the console door."""
        return self.game().console_link(self.console_base)

    def describe(self, chars: int = 3000) -> str:
        return super().describe(chars).replace(
            f" at {self.base} ", f" at {self.base} (console door {self.console_base}) ", 1)


def start_server(name: str, argv: Sequence[str], *, port: int, token: str, ready_path: str,
                 home: Path, cwd: Path, env: Mapping[str, str],
                 timeout: float = START_TIMEOUT,
                 make: Callable[..., Server] = Server) -> Server:
    """Start ``argv`` and wait until ``ready_path`` answers 200; ServerError with the log if it
    exits or does not answer within ``timeout`` seconds. ``make`` builds the :class:`Server`
    (``make(name, port, token, process, log_path, log)``)."""
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / f"{name}.log"
    log = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdout=log,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    server = make(name, port, token, process, log_path, log)
    deadline = time.monotonic() + timeout
    last = ""
    try:
        while True:
            if process.poll() is not None:
                raise ServerError(f"{name} exited before answering.\n{server.describe()}")
            if time.monotonic() > deadline:
                raise ServerError(f"{name} did not answer within {timeout:.0f} s ({last}).\n"
                                  f"{server.describe()}")
            try:
                with urllib.request.urlopen(server.url(ready_path), timeout=10) as response:
                    if response.status == 200:
                        return server
                    last = f"status {response.status}"
            except urllib.error.HTTPError as exc:
                last = f"status {exc.code}"
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                last = str(exc)
            time.sleep(0.3)
    except BaseException:
        server.stop()
        raise


def _root_flags() -> list[str]:
    """Jupyter servers refuse to run as root (containers, CI) unless told to."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def _command(name: str) -> list[str]:
    """The console command ``name`` of this interpreter's environment."""
    exe = BIN / name
    if exe.exists():
        return [str(exe)]
    found = shutil.which(name)
    if found:
        return [found]
    raise FileNotFoundError(f"{name} is not installed in this environment")


def copy_notebooks(names: Iterable[str], dest: Path, source: Path = NOTEBOOKS) -> Path:
    """Copy notebooks into ``dest/notebooks`` (beside a copy of ``scenarios/``, which the
    notebooks open by relative path); returns the notebooks folder."""
    folder = dest / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(source / name, folder / name)
    scenarios = dest / "scenarios"
    if not scenarios.exists():
        shutil.copytree(REPO / "scenarios", scenarios)
    return folder


def start_lab(root_dir: Path, home: Path, *, extra_args: Sequence[str] = (),
              env: Mapping[str, str] | None = None, timeout: float = START_TIMEOUT) -> Server:
    """JupyterLab serving ``root_dir``; ready when ``/api/status`` answers."""
    port, token = free_port(), secrets.token_hex(16)
    env = jupyter_env(home, env)
    # no question about news, no update check: nothing to dismiss, no outside requests
    notification = (Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
                    / "notification.jupyterlab-settings")
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}),
                            encoding="utf-8")
    argv = [*_command("jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=None", *_root_flags(), *extra_args]
    return start_server("jupyterlab", argv, port=port, token=token, ready_path="/api/status",
                        home=home, cwd=root_dir, env=env, timeout=timeout)


def start_voila(target: Path, home: Path, *, extra_args: Sequence[str] = (),
                env: Mapping[str, str] | None = None, cwd: Path | None = None,
                timeout: float = START_TIMEOUT) -> Server:
    """Voilà serving a notebook or a folder of notebooks, code hidden (``--strip_sources``).

    A notebook is at ``url("/")``; a notebook ``NAME`` of a folder at
    ``url("/voila/render/NAME", key=value)``, whose query string the notebook can read.
    ``env`` adds environment variables for the server and its kernels."""
    port, token = free_port(), secrets.token_hex(16)
    argv = [*_command("voila"), str(target), "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--strip_sources=True",
            f"--token={token}", *extra_args]
    return start_server("voila", argv, port=port, token=token,
                        ready_path="/voila/static/voila.js", home=home,
                        cwd=cwd or (target if target.is_dir() else target.parent),
                        env=jupyter_env(home, env), timeout=timeout)


def start_game_server(folder: Path, home: Path, *, env: Mapping[str, str] | None = None,
                      timeout: float = START_TIMEOUT) -> GameServer:
    """The workshop game's room server (``python -m sim game serve``) on the game in ``folder``:
    the room door and the console door on two free ports of 127.0.0.1, its log in
    ``home/room.log``; ready when the join page (``GET /`` on the room door) answers.

    ``server.url("/")`` is the join page, ``server.link(team, role)`` a player's link,
    ``server.console_link()`` the facilitator console. ``env`` adds environment variables."""
    folder = Path(folder).resolve()
    port = free_port()
    console_port = free_port()
    while console_port == port:
        console_port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "sim", "game", "serve", str(folder), "--host", "127.0.0.1",
            "--port", str(port), "--console-port", str(console_port), "--url", base]
    server_env = jupyter_env(home, {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", **(env or {})})
    make = partial(GameServer, console_port=console_port, folder=folder)
    return start_server("room", argv, port=port, token="", ready_path="/", home=home,
                        cwd=home, env=server_env, timeout=timeout, make=make)
