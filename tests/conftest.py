"""Shared fixtures: where the repository is, and a way to run the real command line."""

from __future__ import annotations

import os
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
