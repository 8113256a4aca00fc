"""Where the system's chromium is, and how to start it headless for Playwright.

Playwright drives the chromium the system provides (Debian's ``chromium`` package), never a
browser build of its own: ``LEADFLOW_CHROMIUM`` names another executable.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
"""Flags for a headless chromium in a container without network: no sandbox (root), no GPU,
and none of the background connections (updates, sync, QUIC) a closed network refuses."""


def find_chromium() -> str | None:
    """The chromium executable: ``LEADFLOW_CHROMIUM`` if set, else Debian's ``chromium``."""
    override = os.environ.get("LEADFLOW_CHROMIUM", "").strip()
    if override:
        return override if os.access(override, os.X_OK) and Path(override).is_file() else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def chromium_missing() -> str | None:
    """Why no browser test can run here, or None when Playwright and chromium are present."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("playwright is not installed: pip install -e '.[dev]' "
                "(the browser itself is the system's chromium)")
    if find_chromium() is None:
        where = os.environ.get("LEADFLOW_CHROMIUM", "").strip()
        if where:
            return (f"chromium not found at LEADFLOW_CHROMIUM={where}: point it at a chromium "
                    "executable, or unset it to use Debian's chromium")
        return "chromium not found: install Debian's chromium (apt-get install chromium)"
    return None


def launch_chromium(playwright, executable: str | None = None):
    """Start a headless chromium with Playwright (``playwright`` from ``sync_playwright()``)."""
    return playwright.chromium.launch(executable_path=executable or find_chromium(),
                                      headless=True, args=list(CHROMIUM_ARGS), timeout=60_000)
