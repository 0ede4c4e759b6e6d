"""Where the shipped data lives: templates, styles and the sample tender."""

from __future__ import annotations

import sys
from pathlib import Path

# In the application bundle (PyInstaller sets sys.frozen) the data sits beside the
# code in the bundle's own folder, sys._MEIPASS; from a checkout, at the repository root.
FROZEN = bool(getattr(sys, "frozen", False))
ROOT = (Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) if FROZEN
        else Path(__file__).resolve().parent.parent)
RESOURCES = ROOT / "resources"
TEMPLATES = RESOURCES / "templates"
APP_ICON = RESOURCES / "icons" / "procure-desk.png"  # packaging/icons/render.py
SAMPLE_BIDS = ROOT / "sample_bids"
SAMPLE_TENDER = SAMPLE_BIDS / "harrowmere.json"


def user_data_folder() -> Path:
    """Where ProcureDesk keeps its own files for this user (backups of evaluations).

    `PROCURE_DESK_DATA` overrides it (the tests use this, so they never touch a real
    profile); otherwise the platform's usual place.
    """
    import os

    if os.environ.get("PROCURE_DESK_DATA"):
        return Path(os.environ["PROCURE_DESK_DATA"])
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "ProcureDesk"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ProcureDesk"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "procure-desk"
