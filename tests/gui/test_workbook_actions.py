"""File > Import/Export of workbooks in the window, and dropping bids on the Bids view.

Dialogs are replaced at their seams (ui.ask, ui.actions_workbooks.choose_workbooks);
the background jobs really run.
"""

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook
from procure_desk.workbooks.sheet_part import PartChoice
from ui import actions_workbooks, ask, jobs

BID = {
    "supplier": "Kestrel Systems Ltd", "option_type": "best_of_breed", "sme": True,
    "term_years": 3,
    "costs": [{"item": "Implementation", "category": "implementation", "amount": 40000,
               "start_year": 0, "years": 1}],
}


def write_bid(path, **changes):
    save_workbook(build_bid_workbook(None, dict(BID, **changes)), path)
    return str(path)


def drag_and_drop(widget, paths):
    """Drag files over a widget and drop them, as the window system does: enter, then drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(20, 20), *args)
    enter.ignore()
    QApplication.sendEvent(widget, enter)
    drop = QDropEvent(QPointF(20, 20), *args)
    drop.ignore()
    if enter.isAccepted():
        QApplication.sendEvent(widget, drop)
    return enter.isAccepted(), drop.isAccepted()


def suppliers(window):
    return [b["supplier"] for b in window.document.doc()["bids"]]


@pytest.fixture(autouse=True)
def whole_part(monkeypatch):
    """The part the scoring sheets hold: everything, as the dialog starts (its own tests
    are in test_sheet_part_dialog.py)."""
    monkeypatch.setattr(actions_workbooks, "choose_part", lambda window, doc: PartChoice())


@pytest.fixture
def answers(monkeypatch):
    """Record confirmations asked; answer with answers['confirm'] (a list: one per question)."""
    state = {"confirm": True, "asked": []}

    def confirm(parent, title, text):
        state["asked"].append(text)
        if isinstance(state["confirm"], list):
            return state["confirm"].pop(0)
        return state["confirm"]

    monkeypatch.setattr(ask, "confirm", confirm)
    return state


def test_menu_entries_follow_the_open_document(window, example_path):
    imports = [a.text() for a in window.import_menu.actions()]
    exports = [a.text() for a in window.export_menu.actions()]
    assert "&Bids from workbooks…" in imports
    assert "&Scoring sheets…" in imports
    assert "&Bid template…" in exports
    assert "Scoring &sheets…" in exports
    assert not any(a.isEnabled() for a in window.workbook_actions)
    assert window.open_file(example_path)
    assert all(a.isEnabled() for a in window.workbook_actions)


def test_import_bids_through_the_menu_is_one_undoable_step(open_window, qtbot, tmp_path,
                                                          monkeypatch, no_dialogs):
    files = [write_bid(tmp_path / "a.xlsx"), write_bid(tmp_path / "b.xlsx", supplier="Owl Ltd")]
    monkeypatch.setattr(actions_workbooks, "choose_workbooks", lambda *a: files)
    before = suppliers(open_window)
    action = next(a for a in open_window.import_menu.actions()
                  if a.text() == "&Bids from workbooks…")
    action.trigger()
    qtbot.waitUntil(lambda: len(suppliers(open_window)) == len(before) + 2, timeout=20000)
    assert suppliers(open_window)[-2:] == ["Kestrel Systems Ltd", "Owl Ltd"]
    assert open_window.current_view_key() == "bids"
    stack = open_window.document.undo_stack
    assert stack.undoText() == "Import 2 bid workbooks"
    events = len(open_window.document.audit())
    stack.undo()
    assert suppliers(open_window) == before
    # one transaction: one audit event, naming the bids taken out
    [undone] = open_window.document.audit()[:len(open_window.document.audit()) - events]
    assert undone.action == "bids.import.undo"
    assert undone.after == {"removed": ["B3", "B4"], "restored": []}
    stack.redo()
    assert suppliers(open_window)[-2:] == ["Kestrel Systems Ltd", "Owl Ltd"]
    assert no_dialogs == []


def test_a_hostile_workbook_is_refused_with_its_reason(open_window, qtbot, tmp_path,
                                                      no_dialogs):
    bad = tmp_path / "prices.xlsx"
    bad.write_text("not a workbook")
    good = write_bid(tmp_path / "good.xlsx")
    before = open_window.document.doc()
    actions_workbooks.import_bids(open_window, [good, str(bad)])
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=20000)
    title, text = no_dialogs[0]
    assert title == "Import bids"
    assert "prices.xlsx: is not an Excel workbook (.xlsx)" in text
    assert open_window.document.doc() == before
    assert not open_window.document.undo_stack.canUndo()


def test_replacing_an_existing_supplier_asks_first(open_window, qtbot, tmp_path, answers,
                                                  no_dialogs):
    existing = open_window.document.doc()["bids"][0]
    path = write_bid(tmp_path / "again.xlsx", supplier=existing["supplier"].lower())
    before = open_window.document.doc()

    answers["confirm"] = False
    actions_workbooks.import_bids(open_window, [path])
    qtbot.waitUntil(lambda: bool(answers["asked"]), timeout=20000)
    assert existing["supplier"] in answers["asked"][0]
    assert "scores are kept" in answers["asked"][0]
    assert open_window.document.doc() == before

    answers["confirm"] = True
    actions_workbooks.import_bids(open_window, [path])
    qtbot.waitUntil(lambda: open_window.document.doc()["bids"][0]["costs"] == BID["costs"],
                    timeout=20000)
    after = open_window.document.doc()
    assert after["bids"][0]["id"] == existing["id"]
    assert after["scores"] == before["scores"]
    open_window.document.undo_stack.undo()
    assert open_window.document.doc()["bids"][0]["costs"] == existing["costs"]
    assert no_dialogs == []


def test_cancel_stops_the_import_with_nothing_written(open_window, qtbot, tmp_path,
                                                     monkeypatch):
    from procure_desk.workbooks import bid_import

    files = [write_bid(tmp_path / f"b{i}.xlsx", supplier=f"Supplier {i}") for i in range(30)]
    before = open_window.document.doc()
    read = []
    real = bid_import.read_bid_workbook

    def reading(path, **kwargs):  # the user presses Cancel while the second file is read
        read.append(path)
        if len(read) == 2:
            for job in list(jobs._running):
                job.cancel()
        return real(path, **kwargs)

    monkeypatch.setattr(bid_import, "read_bid_workbook", reading)
    job = actions_workbooks.import_bids(open_window, files)
    qtbot.waitUntil(lambda: job not in jobs._running, timeout=20000)  # finished
    assert job.outcome == "cancelled"
    assert job.result is None
    assert len(read) == 2  # stopped at the next step, not after reading all 30
    assert open_window.document.doc() == before


def test_dropping_workbooks_on_the_bids_view_imports_them(open_window, qtbot, tmp_path,
                                                         no_dialogs):
    path = write_bid(tmp_path / "dropped.xlsx", supplier="Dropped Ltd")
    open_window.show_view("bids")
    assert drag_and_drop(open_window.stack, [path]) == (True, True)
    qtbot.waitUntil(lambda: "Dropped Ltd" in suppliers(open_window), timeout=20000)
    assert no_dialogs == []


def test_drops_elsewhere_or_of_other_files_are_ignored(open_window, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("hello")
    open_window.show_view("bids")
    assert drag_and_drop(open_window.stack, [note]) == (False, False)
    open_window.show_view("overview")
    assert drag_and_drop(open_window.stack, [write_bid(tmp_path / "x.xlsx")]) == (False, False)
    assert open_window.workbook_drop_filter.last_job is None


def test_scoring_sheets_export_then_import_with_confirmation(open_window, qtbot, tmp_path,
                                                            monkeypatch, answers, no_dialogs):
    folder = tmp_path / "sheets"
    monkeypatch.setattr(ask, "folder_path", lambda *a: str(folder))
    actions_workbooks.export_scoring_sheets(open_window)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=20000)
    assert no_dialogs[0][0] == "Export scoring sheets"
    assert "scoring-E2-B-Jones.xlsx for B. Jones" in no_dialogs[0][1]

    sheet = folder / "scoring-E2-B-Jones.xlsx"
    wb = load_workbook(sheet)
    ws = wb["Scores"]
    rows = {(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value): r
            for r in range(5, ws.max_row + 1)}
    ws.cell(row=rows[("B1", "Q1")], column=5, value=4)
    ws.cell(row=rows[("B1", "Q2")], column=5, value=2)
    ws.cell(row=rows[("B1", "Q2")], column=6, value="Weak exit terms")
    wb.save(sheet)

    actions_workbooks.import_scores(open_window, [str(sheet)])
    qtbot.waitUntil(lambda: bool(answers["asked"]), timeout=20000)
    shown = answers["asked"][0]
    assert "E2 B. Jones (scoring-E2-B-Jones.xlsx): 1 new, 1 changed" in shown
    assert "B1 Q1: 5 -> 4" in shown

    def score(eid, bid, cid):
        return next((s["score"] for s in open_window.document.doc()["scores"]
                     if (s["evaluator"], s["bid"], s["criterion"]) == (eid, bid, cid)), None)

    qtbot.waitUntil(lambda: score("E2", "B1", "Q2") == 2, timeout=5000)
    assert score("E2", "B1", "Q1") == 4
    open_window.document.undo_stack.undo()
    assert score("E2", "B1", "Q1") == 5
    assert score("E2", "B1", "Q2") is None


def test_declining_the_score_changes_writes_nothing(open_window, qtbot, tmp_path,
                                                   monkeypatch, answers, no_dialogs):
    folder = tmp_path / "sheets"
    monkeypatch.setattr(ask, "folder_path", lambda *a: str(folder))
    actions_workbooks.export_scoring_sheets(open_window)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=20000)
    sheet = folder / "scoring-E1-A-Patel.xlsx"
    wb = load_workbook(sheet)
    wb["Scores"]["E5"] = 0
    wb.save(sheet)
    before = open_window.document.doc()
    answers["confirm"] = False
    actions_workbooks.import_scores(open_window, [str(sheet)])
    qtbot.waitUntil(lambda: bool(answers["asked"]), timeout=20000)
    assert open_window.document.doc() == before


def test_export_bid_template_for_the_open_evaluation(open_window, qtbot, tmp_path,
                                                    monkeypatch, no_dialogs):
    target = tmp_path / "template"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    actions_workbooks.export_bid_template(open_window)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=20000)
    written = tmp_path / "template.xlsx"
    assert written.exists()
    assert load_workbook(written)["Declarations"]["A5"].value == "G1"  # the example's gateway


def score_of(window, eid, bid, cid):
    return next(((s["score"], s["comment"]) for s in window.document.doc()["scores"]
                 if (s["evaluator"], s["bid"], s["criterion"]) == (eid, bid, cid)), None)


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_score_changed_since_export_is_kept_unless_the_user_says_replace(
        open_window, qtbot, tmp_path, monkeypatch, answers, no_dialogs, overwrite):
    folder = tmp_path / "sheets"
    monkeypatch.setattr(ask, "folder_path", lambda *a: str(folder))
    actions_workbooks.export_scoring_sheets(open_window)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=20000)
    assert score_of(open_window, "E2", "B1", "Q1")[0] == 5  # as exported
    open_window.document.set_scores([{"evaluator": "E2", "bid": "B1", "criterion": "Q1",
                                      "score": 1, "comment": "Moderated"}])
    sheet = folder / "scoring-E2-B-Jones.xlsx"
    wb = load_workbook(sheet)
    ws = wb["Scores"]
    ws["E5"], ws["F5"] = 3, "Adequate"  # B1/Q1: changed in the sheet too
    ws["E6"], ws["F6"] = 2, "Weak exit terms"  # B1/Q2: new
    wb.save(sheet)

    answers["confirm"] = [overwrite, True]
    actions_workbooks.import_scores(open_window, [str(sheet)])
    qtbot.waitUntil(lambda: score_of(open_window, "E2", "B1", "Q2") is not None, timeout=20000)
    conflict, changes = answers["asked"]
    assert ("B1 Q1: changed in the evaluation since this sheet was exported (was 5, now 1; "
            "the sheet says 3)") in conflict
    assert conflict.startswith("This score was changed in the evaluation after the sheets")
    assert "Replace it with the sheets' value?" in conflict
    assert score_of(open_window, "E2", "B1", "Q2") == (2, "Weak exit terms")
    if overwrite:
        assert "B1 Q1: 1 -> 3" in changes
        assert changes.endswith("Apply these 2 changes?")
        assert score_of(open_window, "E2", "B1", "Q1") == (3, "Adequate")
    else:
        assert "B1 Q1" not in changes
        assert changes.endswith("Apply this 1 change?")
        assert score_of(open_window, "E2", "B1", "Q1") == (1, "Moderated")
    open_window.document.undo_stack.undo()
    assert score_of(open_window, "E2", "B1", "Q1") == (1, "Moderated")
    assert score_of(open_window, "E2", "B1", "Q2") is None
