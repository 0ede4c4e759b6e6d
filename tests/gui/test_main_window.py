"""The main window as a user drives it: new, open, recent, copy, close, preferences."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt

from procure_desk.services import EvaluationFile
from ui import ask


def test_start_page_new_evaluation_then_reopen(window, tmp_path, monkeypatch, no_dialogs):
    assert window.document is None
    assert window.pages.currentWidget() is window.start_page
    target = tmp_path / "new-eval"
    offered = []

    def details(parent, templates):
        offered.extend(templates)
        return {"title": "Housing system <b>&", "reference": "HDC-2026-07",
                "authority": "Harrowmere DC", "procedure": "competitive_tender",
                "template": "buy-small"}

    monkeypatch.setattr(ask, "new_evaluation", details)
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    window.start_page.new_button.click()
    assert window.document is not None, no_dialogs
    assert "buy-small" in [n for n, _d in offered]
    assert window.document.path == tmp_path / "new-eval.pdesk"
    ev = window.document.doc()["evaluation"]
    assert (ev["title"], ev["reference"], ev["authority"], ev["procedure"]) == (
        "Housing system <b>&", "HDC-2026-07", "Harrowmere DC", "competitive_tender")
    assert window.document.doc()["bids"] == []
    assert window.document.audit()[-1].actor == "tester"
    assert "new-eval.pdesk" in window.windowTitle()
    window.close_file()
    assert window.document is None
    first = window.start_page.recent.item(0)
    assert first.data(Qt.ItemDataRole.UserRole).endswith("new-eval.pdesk")
    assert first.text().startswith("new-eval.pdesk")
    window.start_page.recent.itemActivated.emit(first)
    assert window.document is not None
    assert window.document.path.name == "new-eval.pdesk"


def test_new_evaluation_cancelled_creates_nothing(window, tmp_path, monkeypatch):
    monkeypatch.setattr(ask, "new_evaluation", lambda *a: None)
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: pytest.fail("asked where"))
    assert not window.new_from_template()
    assert window.document is None


def test_open_shows_every_view_and_ctrl_numbers(open_window):
    from ui.views import view_classes

    keys = open_window.view_keys()
    assert keys == [k for k, _t, _c in view_classes()]  # every view, in order
    assert open_window.current_view_key() == "overview"
    shortcuts = {a.data(): a.shortcut().toString() for a in open_window.view_menu.actions()}
    assert [shortcuts[k] for k in keys[:9]] == [f"Ctrl+{n}" for n in range(1, len(keys[:9]) + 1)]
    if len(keys) >= 10:  # the number keys run 1..9, 0: the tenth view is Ctrl+0
        assert shortcuts[keys[9]] == "Ctrl+0"
    open_window.view_menu.actions()[-1].trigger()
    assert open_window.stack.currentWidget() is open_window.views[keys[-1]]
    assert open_window.sidebar.currentRow() == len(keys) - 1


def test_every_view_imports_and_is_built(open_window, qtbot):
    from ui.views import view_classes
    from ui.views.base import View

    listed = view_classes()
    assert [k for k, _t, _c in listed] == [
        "overview", "criteria", "bids", "evaluators", "scoring", "moderation", "results",
        "analysis", "shared", "audit"]
    for key, title, cls in listed:
        view = open_window.show_view(key)
        assert type(view) is cls
        assert isinstance(view, View)
        assert view.accessibleName() == title
        assert open_window.stack.currentWidget() is view
        assert open_window.sidebar.currentItem().text() == title


def test_a_view_that_cannot_be_imported_is_not_skipped(monkeypatch):
    from ui.views import view_classes

    monkeypatch.setitem(sys.modules, "ui.views.audit", None)  # as if the module were broken
    with pytest.raises(ImportError, match=r"ui\.views\.audit"):
        view_classes()


def test_a_view_is_imported_when_first_shown_and_a_broken_one_is_not_hidden(
        open_window, monkeypatch):
    from ui.views import view_class, view_titles

    assert [k for k, _t in view_titles()] == open_window.view_keys()
    with pytest.raises(KeyError):
        view_class("no-such-view")
    monkeypatch.setitem(sys.modules, "ui.views.audit", None)  # as if the module were broken
    assert open_window.show_view("results") is open_window.views["results"]
    with pytest.raises(ImportError, match=r"ui\.views\.audit"):
        open_window.view("audit")  # built on first use: the import fails there, loudly
    assert "audit" not in open_window.views


def test_open_refuses_a_file_that_is_not_an_evaluation(window, tmp_path, no_dialogs):
    bad = tmp_path / "notes.pdesk"
    bad.write_text("hello")
    assert not window.open_file(bad)
    assert window.document is None
    assert no_dialogs
    assert no_dialogs[0][0] == "Cannot open"
    assert "notes.pdesk" in no_dialogs[0][1]


def test_save_a_copy_and_undo_actions(open_window, tmp_path, monkeypatch, no_dialogs):
    doc = open_window.document
    assert not open_window.undo_action.isEnabled()
    doc.set_score("E1", "B1", "Q1", 1)
    assert open_window.undo_action.isEnabled()
    assert "Score" in open_window.undo_action.text()
    copy = tmp_path / "copy.pdesk"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(copy))
    open_window.save_copy_action.trigger()
    with EvaluationFile.open(copy) as ef:
        assert any(r["score"] == 1 for r in ef.document()["scores"])
    open_window.undo_action.trigger()
    assert not any(r["score"] == 1 for r in doc.doc()["scores"])
    open_window.redo_action.trigger()
    assert any(r["score"] == 1 for r in doc.doc()["scores"])


def test_preferences_name_goes_to_the_audit_log(open_window, monkeypatch):
    asked = []
    monkeypatch.setattr(ask, "your_name", lambda parent, current, first:
                        asked.append((current, first)) or "Priya Shah")
    open_window.preferences_action.trigger()
    assert asked == [("tester", False)]  # the name so far, offered to change
    assert open_window.settings.user_name == "Priya Shah"
    open_window.document.update_evaluation({"reference": "HDC-2026-015"})
    assert open_window.document.audit(limit=1)[0].actor == "Priya Shah"
    assert "Priya Shah" in open_window.user_label.text()


def test_the_first_run_asks_for_the_name_the_audit_log_records(qtbot, tmp_path, monkeypatch,
                                                                example_path):
    """Not the login name ("You: root"): the name given at the first run, kept."""
    from ui.main_window import MainWindow
    from ui.settings import Settings

    settings = Settings(tmp_path / "fresh.ini")
    assert not settings.has_user_name
    asked = []
    monkeypatch.setattr(ask, "your_name", lambda parent, current, first:
                        asked.append((current, first)) or "S. Kaur")
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.first_run()
    assert asked == [("", True)]
    assert window.user_label.text() == "You: S. Kaur"
    assert window.open_file(example_path)
    window.document.update_evaluation({"reference": "R-1"})
    assert window.document.audit(limit=1)[0].actor == "S. Kaur"
    window.close_file()
    # kept in the settings: the next run does not ask again
    again = MainWindow(settings=Settings(tmp_path / "fresh.ini"))
    qtbot.addWidget(again)
    again.first_run()
    assert len(asked) == 1
    assert again.settings.user_name == "S. Kaur"


def test_the_first_run_cancelled_asks_again_next_time(qtbot, tmp_path, monkeypatch):
    from ui.main_window import MainWindow
    from ui.settings import Settings

    asked = []
    monkeypatch.setattr(ask, "your_name", lambda *a: asked.append(a) and None)
    window = MainWindow(settings=Settings(tmp_path / "fresh.ini"))
    qtbot.addWidget(window)
    window.first_run()
    window.first_run()
    assert len(asked) == 2
    assert not window.settings.has_user_name


def test_user_guide_is_written_for_council_officers(window, qtbot):
    dialog = window.user_guide()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QTextBrowser

    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "ProcureDesk user guide" in text
    assert "Competitive tender" in text
    assert "comparator" in text
    assert "Ctrl+F" in text
    assert "Ctrl+P" in text
    assert "journal" not in text.lower()  # not the README's notes on SQLite


def test_extensions_are_installed_after_the_menus(monkeypatch, qtbot, settings):
    from ui import main_window

    calls = []

    def install(window):
        calls.append(window)
        window.export_menu.addAction("Evidence pack…")

    monkeypatch.setattr(main_window, "installers", lambda: [install])
    w = main_window.MainWindow(settings=settings)
    qtbot.addWidget(w)
    assert calls == [w]
    assert [a.text() for a in w.export_menu.actions()] == ["Evidence pack…"]


def test_the_window_installs_the_export_and_workbook_actions(window):
    exports = [a.text() for a in window.export_menu.actions()]
    assert "Evidence pack (&Excel)…" in exports  # ui.actions_exports
    assert "&Bid template…" in exports  # ui.actions_workbooks
    assert [a.text() for a in window.import_menu.actions()] == [
        "&Bids from workbooks…", "&Scoring sheets…"]


def test_document_opened_signal_and_geometry_saved(window, example_path, qtbot):
    with qtbot.waitSignal(window.documentOpened) as sig:
        window.open_file(example_path)
    assert sig.args[0] is window.document
    window.close()
    assert window.settings.geometry() is not None


def test_every_view_has_a_number_key_shown_in_the_view_menu(open_window, qtbot):
    from PySide6.QtCore import Qt

    keys = open_window.view_keys()
    assert len(keys) == 10
    assert keys[-1] == "audit"
    actions = open_window.view_menu.actions()
    # Ctrl+1 .. Ctrl+9 and Ctrl+0, in sidebar order, each shown beside its menu entry
    assert [a.shortcut().toString() for a in actions] == [f"Ctrl+{n % 10}" for n in range(1, 11)]
    assert all(a.isShortcutVisibleInContextMenu() for a in actions)
    assert open_window.sidebar.item(9).toolTip() == "Audit log (Ctrl+0)"
    open_window.activateWindow()
    qtbot.waitUntil(open_window.isActiveWindow)
    qtbot.keyClick(open_window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert open_window.current_view_key() == "audit"
    qtbot.keyClick(open_window, Qt.Key.Key_8, Qt.KeyboardModifier.ControlModifier)
    assert open_window.current_view_key() == keys[7]


def _menu_texts(menu):
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def _mnemonic(text):
    """The Alt letter of a menu text ("&&" is a literal ampersand), or None."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


def test_every_menu_item_has_its_own_mnemonic(open_window, settings, tmp_path):
    # two recent files, one with "&" in its name (which must stay literal)
    odd = tmp_path / "Fees & charges.pdesk"
    odd.write_bytes(b"")
    settings.add_recent(odd)
    menus = [a.menu() for a in open_window.menuBar().actions()]
    checked = 0
    while menus:
        menu = menus.pop()
        menu.aboutToShow.emit()  # Open Recent fills itself when shown
        texts = _menu_texts(menu)
        letters = [_mnemonic(t) for t in texts]
        assert None not in letters, (menu.title(), texts)
        assert len(letters) == len(set(letters)), (menu.title(), texts)
        menus += [a.menu() for a in menu.actions() if a.menu()]
        checked += 1
    assert checked >= 7  # File, Open Recent, Import, Export, Edit, View, Help
    bar = [_mnemonic(a.text()) for a in open_window.menuBar().actions()]
    assert None not in bar
    assert len(bar) == len(set(bar))
    view_texts = _menu_texts(open_window.view_menu)
    assert [t.replace("&", "") for t in view_texts][:3] == ["Overview", "Criteria", "Bids"]
    recent = _menu_texts(open_window.recent_menu)
    assert recent[0] == f"&1 {str(odd).replace('&', '&&')}"


def test_standard_shortcuts_keep_every_platform_binding(open_window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    def keys(action):
        return {s.toString() for s in action.shortcuts()}

    assert {"Ctrl+Y", "Ctrl+Shift+Z"} <= keys(open_window.redo_action)
    assert {"Ctrl+F4", "Ctrl+W"} <= keys(open_window.close_action)
    assert "Ctrl+Z" in keys(open_window.undo_action)
    assert open_window.quit_action.shortcut() == QKeySequence("Ctrl+Q")

    doc = open_window.document
    doc.set_score("E1", "B1", "Q1", 1)
    open_window.activateWindow()
    qtbot.waitUntil(open_window.isActiveWindow)
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(open_window, Qt.Key.Key_Z, ctrl)
    assert not any(r["score"] == 1 for r in doc.doc()["scores"])
    qtbot.keyClick(open_window, Qt.Key.Key_Z, ctrl | shift)  # Redo, as on Linux and macOS
    assert any(r["score"] == 1 for r in doc.doc()["scores"])
    qtbot.keyClick(open_window, Qt.Key.Key_W, ctrl)  # Close, as in every browser and editor
    assert open_window.document is None
    qtbot.keyClick(open_window, Qt.Key.Key_Q, ctrl)  # Quit
    assert not open_window.isVisible()


def test_the_new_evaluation_dialog_asks_and_explains(qtbot):
    from procure_desk import templates
    from ui.new_evaluation import NewEvaluationDialog

    offered = [(n, templates.describe(n)) for n in templates.names()]
    dialog = NewEvaluationDialog(None, offered)
    qtbot.addWidget(dialog)
    dialog.accept()  # no title yet: refused, with the reason
    assert dialog.result() != NewEvaluationDialog.DialogCode.Accepted
    assert "title" in dialog.problem.text()
    qtbot.keyClicks(dialog.title, "  Housing   system ")
    qtbot.keyClicks(dialog.reference, "HDC-2026-07")
    qtbot.keyClicks(dialog.authority, "Harrowmere DC")
    dialog.set_procedure("options_appraisal")
    dialog.template.setCurrentIndex(dialog.template.findData("shared-service"))
    assert dialog.details() == {"title": "Housing system", "reference": "HDC-2026-07",
                                "authority": "Harrowmere DC",
                                "procedure": "options_appraisal",
                                "template": "shared-service"}
    words = " ".join(b.accessibleDescription() for b in dialog.procedure.buttons())
    assert "Procurement Act 2023" in words
    assert "comparators" in words
    dialog.accept()
    assert dialog.result() == NewEvaluationDialog.DialogCode.Accepted
