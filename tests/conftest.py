"""Shared fixtures: where the repository is, and a way to run the real command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    """Root of the repository (holds ``pyproject.toml``, ``sim/`` and ``scenarios/``)."""
    return REPO


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m sim ARGS…`` in a subprocess, by default from ``tmp_path``.

    The repository is put first on ``PYTHONPATH`` so the code under test is the code in this
    checkout, whatever the current folder.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONWARNINGS", None)

    def run(*args: object, cwd: Path | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sim", *map(str, args)],
            cwd=cwd or tmp_path, env=env, capture_output=True, text=True,
            encoding="utf-8", errors="replace", timeout=timeout,
        )

    return run


@pytest.fixture(scope="module")
def agg_backend():
    """Draw figures with matplotlib's headless Agg backend, restoring the previous one after."""
    import matplotlib

    previous = matplotlib.get_backend()
    matplotlib.use("Agg")
    yield
    matplotlib.use(previous)


_FILES = "--- files on the test drive:"


@pytest.fixture
def run_cli_on_tmpfs(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m sim ARGS…`` with a fresh, empty in-memory drive mounted on a folder.

    ``run(folder, options, *args)`` mounts a tmpfs with mount ``options`` on ``folder`` (``ro``
    for a read-only drive, ``size=4k`` for one that is full after a page) in a private mount
    namespace of the command alone, so nothing outside it sees the drive. What the drive
    holds when the command ends is listed in the result's ``files`` (paths relative to
    ``folder``). The test is skipped where the system does not let an ordinary process do
    this (no user namespaces).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONWARNINGS", None)
    script = ('mount -t tmpfs -o "$1" leadflow-test "$2" || exit 97; dir=$2; shift 2; "$@"; '
              f'rc=$?; echo {_FILES}; cd "$dir" && find . -mindepth 1 | sort; exit $rc')

    def run(folder: Path, options: str, *args: object,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
        if shutil.which("unshare") is None:
            pytest.skip("needs unshare(1) to mount a test drive")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
             options, str(folder), sys.executable, "-m", "sim", *map(str, args)],
            cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8",
            errors="replace", timeout=timeout)
        if done.returncode == 97 or "unshare:" in done.stderr:
            pytest.skip(f"cannot mount a test drive here: {done.stderr.strip()[:200]}")
        done.stdout, _, listing = done.stdout.rpartition(f"{_FILES}\n")
        done.files = [line.removeprefix("./") for line in listing.splitlines()]
        return done

    return run
