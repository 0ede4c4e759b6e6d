"""Keyboard habits: Ctrl+5 then a digit is a score; no Alt letter used twice within a
view or taken from the menu bar; Enter after Add evaluator / Add bid moves to the
next field of the new row."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QLineEdit,
)

# views whose own controls offer Alt letters (the others may offer none)
OWN_VIEWS = ("overview", "scoring", "moderation", "criteria", "shared", "evaluators",
             "analysis", "audit")
TOOLS = "t"  # a Tools menu may join the menu bar: its letter is kept free too


@pytest.fixture
def window(open_window, qtbot):
    open_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is open_window)
    return open_window


def mnemonic(text: str) -> str | None:
    """The Alt letter of a label ("&&" is a literal ampersand), or None."""
    m = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def alt_letters(view) -> list[tuple[str, str]]:
    """(letter, text) of every label with a buddy, button and group box in `view`."""
    out = []
    for w in view.findChildren(QLabel):
        if w.buddy() is not None and w.textFormat() != Qt.TextFormat.RichText:
            out.append(w.text())
    out += [w.text() for w in view.findChildren(QAbstractButton)]
    out += [w.title() for w in view.findChildren(QGroupBox)]
    return [(m, t) for t in out if (m := mnemonic(t))]


def test_ctrl_5_lands_in_the_scoring_grid_and_a_digit_is_a_score(window, qtbot):
    keys = window.view_keys()
    assert keys[4] == "scoring"
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    view = window.views["scoring"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.grid)
    assert view.grid.currentIndex().isValid()
    eid = view.model.evaluator["id"]
    b, c = view.model.key(view.grid.currentIndex())
    before = {(r["bid"], r["criterion"]): r["score"] for r in window.document.doc()["scores"]
              if r["evaluator"] == eid}.get((b, c))
    digit = "1" if before != 1 else "2"
    qtbot.keyClick(QApplication.focusWidget(), digit)
    after = {(r["bid"], r["criterion"]): r["score"] for r in window.document.doc()["scores"]
             if r["evaluator"] == eid}
    assert after[(b, c)] == int(digit)


def test_no_alt_letter_clashes_within_a_view_or_with_the_menus(window):
    menus = {mnemonic(a.text()) for a in window.menuBar().actions()} - {None}
    assert {"f", "e", "v", "h"} <= menus
    taken = menus | {TOOLS}
    keys = window.view_keys()
    assert set(OWN_VIEWS) <= set(keys)
    for key in keys:  # every view, with its sign-off bar and declarations where it has them
        view = window.show_view(key)
        view.ensure_fresh()
        letters = alt_letters(view)
        assert letters or key not in OWN_VIEWS, key
        seen: dict[str, str] = {}
        for letter, text in letters:
            assert letter not in taken, f"{key}: {text!r} takes Alt+{letter.upper()}, " \
                                        "a menu's"
            assert letter not in seen, f"{key}: {text!r} and {seen[letter]!r} share " \
                                       f"Alt+{letter.upper()}"
            seen[letter] = text


def test_alt_o_in_scoring_goes_to_the_evaluator_not_a_menu(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    view = window.views["scoring"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.grid)
    qtbot.keyClick(view.grid, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.evaluator_box)
    qtbot.keyRelease(view.evaluator_box, Qt.Key.Key_Alt)  # the key is let go of


def test_enter_after_add_evaluator_moves_to_the_role(window, qtbot):
    view = window.show_view("evaluators")
    doc = window.document
    view.add_evaluator()
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "C. Okafor")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.roster.currentIndex().column() == 2
                    and isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "Procurement lead")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: doc.doc()["evaluators"][-1]["role"] != "")
    new = doc.doc()["evaluators"][-1]
    assert (new["name"], new["role"]) == ("C. Okafor", "Procurement lead")


def test_enter_after_add_bid_moves_through_the_new_row(window, qtbot):
    view = window.show_view("bids")
    doc = window.document
    view.add_bid()
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit))
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "Acme Civic Ltd")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.table.currentIndex().column() == 2)  # the option type
    qtbot.waitUntil(lambda: QApplication.focusWidget() not in (None, view.table))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.table.currentIndex().column() == 4  # the term
                    and isinstance(QApplication.focusWidget(), QLineEdit))
    qtbot.keyClicks(QApplication.focusWidget(), "5")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.costs)  # costs next
    new = doc.doc()["bids"][-1]
    assert (new["supplier"], new.get("term_years")) == ("Acme Civic Ltd", 5)


def test_the_sign_off_bar_the_audit_filters_and_overview_fields_have_alt_letters(window):
    """Submit, Withdraw and Blind scoring in Scoring; Search, Who and Record in the audit
    log; the evaluation's details in Overview: each reachable with Alt."""
    expected = {"scoring": {"u", "w", "b"}, "audit": {"s", "w", "r"},
                "overview": {"i", "r", "a", "m", "x"}, "analysis": {"b"}}
    for key, letters in expected.items():
        view = window.show_view(key)
        view.ensure_fresh()
        assert letters <= {m for m, _t in alt_letters(view)}, key
