from __future__ import annotations

from ui.settings import MAX_RECENT, Settings


def test_settings_remember_name_recent_files_and_geometry(tmp_path):
    path = tmp_path / "s.ini"
    s = Settings(path)
    s.user_name = "  Asha Patel "
    for i in range(MAX_RECENT + 2):
        s.add_recent(tmp_path / f"f{i}.pdesk")
    s.add_recent(tmp_path / "f3.pdesk")  # reopening moves it to the top, no duplicate
    again = Settings(path)
    assert again.user_name == "Asha Patel"
    recent = again.recent_files
    assert len(recent) == MAX_RECENT
    assert recent[0].endswith("f3.pdesk")
    assert len(set(recent)) == len(recent)
    again.remove_recent(tmp_path / "f3.pdesk")
    assert not any(r.endswith("f3.pdesk") for r in Settings(path).recent_files)


def test_default_settings_are_sandboxed_in_test_mode():
    from PySide6.QtCore import QStandardPaths

    assert QStandardPaths.isTestModeEnabled()
    s = Settings()
    assert "ProcureDeskTest" in s.qsettings.fileName()
    assert ".qttest" in s.qsettings.fileName()
