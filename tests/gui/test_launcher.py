"""Starting the app where no window can open says why instead of aborting."""

from ui import launcher


def test_no_display_is_a_clear_message(monkeypatch, capsys):
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    assert launcher.main([]) == 2
    assert "needs a graphical display" in capsys.readouterr().err


def test_a_display_or_platform_lets_the_app_start(monkeypatch):
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    assert not launcher.no_display()
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not launcher.no_display()


def test_a_missing_xcb_library_names_the_package_to_install(monkeypatch, capsys):
    """A fresh Debian desktop without libxcb-cursor0: one clear message before Qt starts,
    naming the package and the command that installs it."""
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    fake = {"libprocuredesk-missing.so.0": "libprocuredesk-missing0",
            "libc.so.6": "libc6"}  # one there is, one there is not
    monkeypatch.setattr(launcher, "XCB_LIBRARIES", fake)
    started = []
    monkeypatch.setattr("ui.app.run_app", lambda *a, **k: started.append(a) or 0)
    assert launcher.main(["--demo"]) == 2
    err = capsys.readouterr().err
    assert not started  # Qt never started
    assert "libprocuredesk-missing.so.0" in err
    assert "sudo apt install libprocuredesk-missing0\n" in err
    assert "libc6" not in err  # only what is missing
    assert "Traceback" not in err


def test_the_check_looks_only_where_qt_uses_x11(monkeypatch):
    monkeypatch.setattr(launcher.sys, "platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    assert launcher.uses_xcb()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not launcher.uses_xcb()
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert launcher.uses_xcb()
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert not launcher.uses_xcb()
    monkeypatch.setattr(launcher.sys, "platform", "win32")
    assert not launcher.uses_xcb()


def test_every_library_the_xcb_plugin_links_to_is_known():
    """The list names a package for each X11 library libqxcb.so needs (ldd), so the
    message never misses one a fresh system lacks."""
    import shutil
    import subprocess
    from pathlib import Path

    import PySide6
    import pytest

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        pytest.skip("no xcb platform plugin on this system")
    if not shutil.which("ldd"):
        pytest.skip("ldd is not installed")
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
    needed = {line.split()[0] for line in out.splitlines() if "=>" in line}
    x11 = {n for n in needed if n.startswith(("libxcb", "libX11", "libxkbcommon"))}
    assert x11
    assert x11 <= set(launcher.XCB_LIBRARIES), x11 - set(launcher.XCB_LIBRARIES)
    # the check finds missing exactly what the dynamic loader cannot find
    missing = launcher.missing_libraries()
    not_found = {line.split()[0] for line in out.splitlines() if "not found" in line}
    assert set(missing) == not_found & set(launcher.XCB_LIBRARIES)
