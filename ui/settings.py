"""The user's preferences, kept in QSettings: name, recent files, window geometry.

Modelled on orange-canvas-core's utils/settings.py. `Settings()` uses the
application's organisation and name ("ProcureDesk"); tests pass an ini file path
(and turn on `QStandardPaths.setTestModeEnabled(True)`) so a real user's settings
are never read or written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from procure_desk.services import default_actor

MAX_RECENT = 8


class Settings:
    """Typed access to the few things ProcureDesk remembers between runs."""

    def __init__(self, path: str | Path | None = None):
        self.qsettings = (QSettings(str(path), QSettings.Format.IniFormat) if path
                          else QSettings())

    # ---- the user's name, written to the audit log -------------------------------------
    @property
    def user_name(self) -> str:
        value = self.qsettings.value("user/name", "")
        return str(value) if value else default_actor()

    @user_name.setter
    def user_name(self, name: str) -> None:
        self.qsettings.setValue("user/name", name.strip())
        self.qsettings.sync()

    @property
    def has_user_name(self) -> bool:
        """False until the user has given a name (the first run asks for it)."""
        return bool(str(self.qsettings.value("user/name", "") or "").strip())

    # ---- recent files -----------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("files/recent", [])
        if isinstance(value, str):  # QSettings gives one string for a one-item list
            return [value]
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else []

    def add_recent(self, path: str | Path) -> None:
        p = str(Path(path).resolve())
        items = [p, *[r for r in self.recent_files if r != p]][:MAX_RECENT]
        self.qsettings.setValue("files/recent", items)
        self.qsettings.sync()

    def remove_recent(self, path: str | Path) -> None:
        p = str(Path(path).resolve())
        self.qsettings.setValue("files/recent", [r for r in self.recent_files if r != p])
        self.qsettings.sync()

    # ---- window geometry -----------------------------------------------------------------
    def geometry(self, key: str = "main") -> QByteArray | None:
        value = self.qsettings.value(f"window/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_geometry(self, value: QByteArray, key: str = "main") -> None:
        self.qsettings.setValue(f"window/{key}", value)
        self.qsettings.sync()
