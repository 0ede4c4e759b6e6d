"""File > Export > Scoring sheets: the dialog that chooses evaluators, criteria and bids.

Driven from the keyboard as a user would; the row count follows the choice, and a
part too long to read back keeps Export disabled, saying how to make it fit.
"""

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from procure_desk.services import EvaluationFile
from procure_desk.workbooks.sheet_part import MAX_SHEET_ROWS, PartChoice
from ui import actions_workbooks, ask
from ui.sheet_part_dialog import SheetPartDialog


def panel_doc(n_bids=12, sizes=(3, 2), n_evaluators=3):
    """A quality section Q with sections S1.. of sizes[i] scored criteria (S1's last one
    a level deeper, under S1.X), bids B0001.. (hostile names) and evaluators E1..;
    E2 declared a conflict with B0003."""
    crit = [{"id": "Q", "name": "Quality", "kind": "section", "weight": 60, "parent": None}]
    for s, n in enumerate(sizes, start=1):
        crit.append({"id": f"S{s}", "name": f"Section {s}", "kind": "section", "weight": 1,
                     "parent": "Q"})
        crit += [{"id": f"S{s}.{k}", "name": f"Question {k}", "kind": "scored",
                  "weight": 1, "parent": f"S{s}"} for k in range(1, n)]
        crit += [{"id": f"S{s}.X", "name": "Deeper", "kind": "section", "weight": 1,
                  "parent": f"S{s}"},
                 {"id": f"S{s}.{n}", "name": "Exit <b>&", "kind": "scored", "weight": 1,
                  "parent": f"S{s}.X"}]
    crit += [{"id": "P", "name": "Price", "kind": "price", "weight": 40, "parent": None}]
    names = ["=cmd|' /C calc'!A1", "<b>Bold</b> & Co", "東京システム株式会社"]
    return {
        "format": "procure-desk/evaluation", "version": 1,
        "evaluation": {"title": "Panel", "reference": "T-2", "authority": "Test DC"},
        "criteria": crit,
        "bids": [{"id": f"B{i:04d}", "supplier": f"{names[i % 3]} {i}",
                  "option_type": "build", "costs": []} for i in range(1, n_bids + 1)],
        "evaluators": [{"id": f"E{e}", "name": f"Evaluator {e}",
                        "conflicts": ["B0003"] if e == 2 and n_bids >= 3 else []}
                       for e in range(1, n_evaluators + 1)],
    }


@pytest.fixture
def dialog(qtbot):
    def make(doc):
        d = SheetPartDialog(None, doc)
        qtbot.addWidget(d)
        d.show()
        d.activateWindow()  # mnemonics (Alt+C...) reach the active window only
        qtbot.waitUntil(lambda: QApplication.activeWindow() is d)
        return d
    return make


def test_it_starts_at_everything_and_counts_the_rows(dialog):
    d = dialog(panel_doc())
    assert d.choice() == PartChoice()
    assert d.rows.text() == ("3 sheets; the longest holds 60 rows (12 bids x 5 scored "
                             "criteria).")
    assert d.ok.isEnabled()
    assert d.focusWidget() is d.evaluators  # ready for Space and the arrows


def test_the_keyboard_chooses_evaluators_a_section_and_a_run_of_bids(dialog, qtbot):
    d = dialog(panel_doc())
    qtbot.keyClick(d.evaluators, Qt.Key.Key_Space)  # E1 off
    qtbot.keyClick(d.evaluators, Qt.Key.Key_Down)
    qtbot.keyClick(d.evaluators, Qt.Key.Key_Down)
    qtbot.keyClick(d.evaluators, Qt.Key.Key_Space)  # E3 off
    assert d.ticked() == ["E2"]
    qtbot.keyClick(d, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # &Criteria
    assert d.focusWidget() is d.criteria
    qtbot.keyClicks(d.criteria, "S1")
    assert d.criteria.currentData() == "S1"
    qtbot.keyClick(d, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # &From bid
    qtbot.keyClicks(d.first_bid, "B0002")
    qtbot.keyClick(d, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # &To bid
    qtbot.keyClicks(d.last_bid, "B0005")
    assert d.choice() == PartChoice(("E2",), ("S1",), ("B0002", "B0003", "B0004", "B0005"))
    # E2 declared a conflict with B0003: 3 bids x S1's 3 criteria
    assert d.rows.text() == "1 sheet; the longest holds 9 rows (3 bids x 3 scored criteria)."
    with qtbot.waitSignal(d.accepted):
        qtbot.keyClick(d.criteria, Qt.Key.Key_Return)


def test_no_evaluator_or_a_backwards_run_cannot_be_exported(dialog, qtbot):
    d = dialog(panel_doc())
    d.none_button.click()
    assert not d.ok.isEnabled()
    assert d.rows.text() == "Tick at least one evaluator."
    d.all_button.click()
    d.first_bid.setCurrentIndex(5)
    d.last_bid.setCurrentIndex(2)
    assert not d.ok.isEnabled()
    assert "first bid comes after the last" in d.rows.text()
    qtbot.keyClick(d.evaluators, Qt.Key.Key_Return)
    assert d.isVisible()  # Enter does nothing while Export is disabled
    d.none_button.click()
    d.evaluators.item(1).setCheckState(Qt.CheckState.Checked)  # E2, conflicted with B0003
    d.first_bid.setCurrentIndex(2)
    assert d.choice() == PartChoice(("E2",), (), ("B0003",))
    assert not d.ok.isEnabled()
    assert d.rows.text().startswith("No sheet would hold a row")


def test_a_part_too_long_is_refused_politely_with_numbers_that_fit(dialog, qtbot):
    d = dialog(panel_doc(n_bids=300, sizes=(60, 40), n_evaluators=40))
    assert not d.ok.isEnabled()
    text = d.rows.text()
    assert text.startswith("40 sheets; the longest holds 30,000 rows (300 bids x 100 "
                           "scored criteria).")
    # S1 fits with all 300 bids (416 would): no bid count for it
    assert (f"Too long: a sheet can be read back with at most {MAX_SHEET_ROWS:,} rows. To "
            "make it fit, choose one section (the largest, S1, has 60 scored criteria), or "
            "keep these criteria and choose at most 249 bids; or score in the "
            "application.") in text
    assert len(text.splitlines()) == 2  # never a line per evaluator
    qtbot.keyClicks(d.criteria, "S1")
    assert d.ok.isEnabled()
    assert "18,000 rows" in d.rows.text()
    d2 = dialog(panel_doc(n_bids=1000, sizes=(192, 150), n_evaluators=2))
    d2.last_bid.setCurrentIndex(599)
    assert "choose one section (the largest, S1, has 192 scored criteria) and at most " \
           "130 bids, or keep these criteria and choose at most 73 bids" in d2.rows.text()


def test_the_menu_exports_the_part_the_user_chose(open_window, qtbot, tmp_path, monkeypatch,
                                                 no_dialogs):
    folder = tmp_path / "sheets"
    monkeypatch.setattr(ask, "folder_path", lambda *a: str(folder))
    seen = []

    def drive():  # the user, once the dialog is up: E1 off, only Q2, Enter
        d = QApplication.activeModalWidget()
        if not isinstance(d, SheetPartDialog):
            QTimer.singleShot(50, drive)
            return
        seen.append(d.rows.text())
        qtbot.keyClick(d.evaluators, Qt.Key.Key_Space)
        qtbot.keyClicks(d.criteria, "Q2")
        seen.append(d.rows.text())
        qtbot.keyClick(d.criteria, Qt.Key.Key_Return)

    QTimer.singleShot(0, drive)
    actions_workbooks.export_scoring_sheets(open_window)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=20000)
    assert seen == ["2 sheets; the longest holds 4 rows (2 bids x 2 scored criteria).",
                    "1 sheet; the longest holds 1 row (1 bid x 1 scored criterion)."]
    assert no_dialogs[0] == ("Export scoring sheets", f"Wrote 1 scoring sheet in {folder}:\n"
                                                      "• scoring-E2-B-Jones.xlsx for B. Jones")
    ws = load_workbook(folder / "scoring-E2-B-Jones.xlsx")["Scores"]
    assert [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value)
            for r in range(5, ws.max_row + 1) if ws.cell(row=r, column=1).value] == \
        [("B1", "Q2")]
    with EvaluationFile.open(open_window.document.path) as ef:
        (event,) = ef.audit(text="export.scoring_sheets")
    assert event.after["part"]["evaluators"] == ["E2"]
    assert event.after["part"]["criteria"] == ["Q2"]


def test_cancelling_the_dialog_writes_nothing(open_window, qtbot, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(ask, "folder_path", lambda *a: asked.append(a))

    def cancel():
        d = QApplication.activeModalWidget()
        if not isinstance(d, SheetPartDialog):
            QTimer.singleShot(50, cancel)
            return
        qtbot.keyClick(d, Qt.Key.Key_Escape)

    QTimer.singleShot(0, cancel)
    assert actions_workbooks.export_scoring_sheets(open_window) is None
    assert asked == []
    with EvaluationFile.open(open_window.document.path) as ef:
        assert ef.audit(text="export.scoring_sheets") == []
