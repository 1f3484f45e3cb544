"""Launch Debian's chromium through Playwright (never `playwright install`: no browser downloads here)."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

DEFAULT_CHROMIUM = "/usr/bin/chromium"


def chromium_path() -> str | None:
    """$IPCITY_CHROMIUM if set, else /usr/bin/chromium if present, else None."""
    env = os.environ.get("IPCITY_CHROMIUM")
    if env:
        return env
    if Path(DEFAULT_CHROMIUM).is_file() and os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    return None


def launch(playwright):
    """Start headless chromium via ``playwright.chromium``; returns the Browser."""
    path = chromium_path()
    if path is None or not (Path(path).is_file() and os.access(path, os.X_OK)):
        raise RuntimeError(
            f"chromium not found (looked at $IPCITY_CHROMIUM, then {DEFAULT_CHROMIUM}; got {path!r}). "
            "Install it with `bash scripts/install-system-deps.sh` (Debian package `chromium`) "
            "or point IPCITY_CHROMIUM at a chromium binary. Do not run `playwright install`."
        )
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
