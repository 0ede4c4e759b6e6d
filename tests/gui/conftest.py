"""UI fixtures: a Document on a temp copy of the worked example, a MainWindow, and
settings in test mode so no real user's preferences are read or written."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QStandardPaths

from procure_desk.services import EvaluationFile


def pytest_collection_modifyitems(items):
    # The offscreen platform says this when a window is shown; it is not a problem.
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture(autouse=True)
def _test_mode_settings(qapp):
    QStandardPaths.setTestModeEnabled(True)
    QCoreApplication.setOrganizationName("ProcureDeskTest")
    QCoreApplication.setApplicationName("ProcureDeskTest")
    return


@pytest.fixture
def settings(tmp_path):
    from ui.settings import Settings

    s = Settings(tmp_path / "settings.ini")
    s.user_name = "tester"
    return s


@pytest.fixture
def example_path(tmp_path, example_doc):
    """A .pdesk file holding the worked example (tests/data/example.json)."""
    path = tmp_path / "x.pdesk"
    EvaluationFile.create(path, example_doc, actor="tester").close()
    return path


@pytest.fixture
def document(example_path, qapp):
    from ui.document import Document

    doc = Document.open(example_path, "tester")
    yield doc
    doc.close()


@pytest.fixture
def window(qtbot, settings):
    from ui.main_window import MainWindow

    w = MainWindow(settings=settings)
    qtbot.addWidget(w)
    yield w
    w.close_file()


@pytest.fixture
def open_window(window, example_path):
    """A MainWindow with the worked example open."""
    assert window.open_file(example_path)
    window.show()
    return window


@pytest.fixture
def no_dialogs(monkeypatch):
    """Fail loudly if a test would pop a real message box; record what was said."""
    from ui import ask

    said: list[tuple[str, str]] = []
    monkeypatch.setattr(ask, "show_problem",
                        lambda parent, title, exc: said.append(
                            (title, exc if isinstance(exc, str) else ask.problem_text(exc))))
    monkeypatch.setattr(ask, "info", lambda parent, title, text: said.append((title, text)))
    return said
