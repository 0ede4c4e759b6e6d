"""An unexpected error in the app becomes a message and a log entry, not a traceback."""

import sys

from ui import app


def test_unexpected_error_is_shown_calmly_and_logged(monkeypatch, tmp_path, no_dialogs):
    log_file = tmp_path / "data" / "procure-desk.log"
    monkeypatch.setattr(app, "log_path", lambda: log_file)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    app.install_error_handler()
    try:
        raise ValueError("the widget fell over")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    [(title, text)] = no_dialogs
    assert title == "Something went wrong"
    assert "ValueError: the widget fell over" in text
    assert "Your work is safe" in text
    assert str(log_file) in text
    logged = log_file.read_text()
    assert "Traceback" in logged
    assert "the widget fell over" in logged
