"""What the application bundle relies on in the Qt layer: the version in Help > About,
PROCURE_DESK_QUIT_AFTER (its smoke test and start-up benchmark), the launcher taking a
.PDESK file in any case, and the windowed program's refusals shown, not lost."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from procure_desk.paths import APP_ICON
from procure_desk.services import EvaluationFile
from ui import launcher, quit_after

ROOT = Path(__file__).resolve().parents[2]


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def test_about_names_the_version(window, no_dialogs):
    window.about()
    (title, text), = no_dialogs
    assert title == "About ProcureDesk"
    assert text.startswith(f"ProcureDesk {pyproject_version()}:")


def _private_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A child's environment whose settings and data stay in tmp_path, never a real profile."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), **extra}
    env.pop("PYTHONPATH", None)
    return env


def test_quit_after_opens_the_window_on_the_file_then_closes(tmp_path, example_doc):
    pdesk = tmp_path / "Example.PDESK"
    EvaluationFile.create(pdesk, example_doc, actor="tester").close()
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), str(pdesk)], cwd=tmp_path,
                       env=_private_env(tmp_path, PROCURE_DESK_QUIT_AFTER="0"),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    title = example_doc["evaluation"]["title"]
    assert r.stdout.splitlines() == [f"window: {title} — Example.PDESK — ProcureDesk"]


def test_quit_after_must_be_milliseconds(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path,
                       env=_private_env(tmp_path, PROCURE_DESK_QUIT_AFTER="soon"),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "PROCURE_DESK_QUIT_AFTER must be a number of milliseconds" in r.stderr


def test_quit_after_fails_when_a_message_box_is_up(window, qtbot, monkeypatch):
    window.show()
    box = QMessageBox(QMessageBox.Icon.Warning, "Demo evaluation", "could not be built")
    qtbot.addWidget(box)
    box.show()
    codes: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(codes.append))
    quit_after.finish()
    assert codes == [quit_after.NOT_SHOWN]
    assert not window.isVisible()
    assert not box.isVisible()


def test_quit_after_succeeds_with_the_main_window_alone(window, monkeypatch, capsys):
    monkeypatch.setattr(QApplication, "windowIcon", staticmethod(lambda: QIcon(str(APP_ICON))))
    window.show()
    codes: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(codes.append))
    quit_after.finish()
    assert codes == [0]
    assert "window: ProcureDesk" in capsys.readouterr().out


def test_quit_after_fails_without_the_icon(window, monkeypatch, capsys):
    monkeypatch.setattr(QApplication, "windowIcon", staticmethod(QIcon))
    window.show()
    codes: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(codes.append))
    quit_after.finish()
    assert codes == [quit_after.NOT_SHOWN]
    assert "icon: none" in capsys.readouterr().out


def test_windows_carry_the_icon_and_the_desktop_entry_name(qapp, monkeypatch):
    monkeypatch.setattr("ui.app.run_app", lambda file, demo=False: 0)
    monkeypatch.setattr(QApplication, "setWindowIcon", lambda self, icon: seen.append(icon))
    seen: list[QIcon] = []
    assert APP_ICON.is_file()
    assert launcher.launch_gui(None) == 0
    assert len(seen) == 1
    assert seen[0].availableSizes() == [QSize(256, 256)]
    assert QGuiApplication.desktopFileName() == "procure-desk"


def test_a_pdesk_file_in_any_case_is_opened(tmp_path, example_doc, monkeypatch):
    opened: list[str | None] = []
    monkeypatch.setattr(launcher, "launch_gui", lambda file, demo=False: opened.append(file) or 0)
    for name in ("a.pdesk", "B.PDESK", "c.PDesk"):
        EvaluationFile.create(tmp_path / name, example_doc, actor="tester").close()
        assert launcher.main([str(tmp_path / name)]) == 0
    assert opened == [str(tmp_path / n) for n in ("a.pdesk", "B.PDESK", "c.PDesk")]


def _gui_entry():
    spec = importlib.util.spec_from_file_location(
        "procure_desk_gui", ROOT / "packaging" / "procure_desk_gui.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_windowed_program_shows_a_refusal_it_cannot_print(tmp_path, monkeypatch):
    """Without a console there is no stderr: a double-clicked missing file is told in a box."""
    gui = _gui_entry()
    shown: list[str] = []
    monkeypatch.setattr(gui, "show_problem", shown.append)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert gui.main(["open", str(tmp_path / "gone.pdesk")]) == 2
    assert len(shown) == 1
    assert "gone.pdesk" in shown[0]
    assert "no such file" in shown[0]


def test_windowed_program_is_quiet_when_all_is_well(monkeypatch):
    gui = _gui_entry()
    shown: list[str] = []
    monkeypatch.setattr(gui, "show_problem", shown.append)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert gui.main(["--version"]) == 0
    assert shown == []
