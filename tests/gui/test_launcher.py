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
