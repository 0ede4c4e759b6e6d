"""Sealing, draft copies and altered files, as a user meets them in the window.

The worked example (tests/data/example.json) is provisional: B. Jones (E2) has a score
missing, nobody has declared or submitted, and B1/Q1 is a divergent score. `finish`
completes it so that it can be sealed.
"""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from procure_desk.errors import BadInput
from ui import actions_exports, ask

from .conftest import make_final


def finish(window):
    """The open evaluation with every check passed (its views told)."""
    doc = window.document
    doc.file.set_score("tester", "E2", "B1", "Q2", 4)
    make_final(doc.file)
    doc.changed.emit("all")
    return doc


def seal(window, monkeypatch):
    monkeypatch.setattr(ask, "text", lambda *a, **k: "contract awarded")
    monkeypatch.setattr(ask, "confirm", lambda *a: True)
    window.seal_action.trigger()


def alter(path):
    """A score changed with the sqlite3 shell, behind ProcureDesk's back."""
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE score SET score = 0 WHERE rowid = 1")
    con.close()


# ---- sealing --------------------------------------------------------------------------------
def test_seal_is_refused_while_provisional_with_the_outstanding_list(open_window, no_dialogs):
    assert open_window.seal_action.isEnabled()
    open_window.seal_action.trigger()
    title, text = no_dialogs[0]
    assert title == "Seal the record"
    assert text.startswith("The record cannot be sealed while the results are provisional. "
                           "Outstanding:\n• B. Jones (E2): 1 of 2 scores missing")
    assert "• A. Patel (E1), B. Jones (E2) have not submitted their scores" in text
    assert open_window.document.file.sealed() is None
    assert not open_window.lock_bar.isVisibleTo(open_window)


def test_a_sealed_record_refuses_every_edit_and_looks_read_only(open_window, monkeypatch,
                                                                qtbot, no_dialogs):
    doc = finish(open_window)
    seal(open_window, monkeypatch)
    sealed = doc.file.sealed()
    assert (sealed["by"], sealed["reason"]) == ("tester", "contract awarded")
    bar = open_window.lock_bar
    assert bar.isVisibleTo(open_window)
    assert bar.text().startswith("Sealed by tester on ")
    assert "(contract awarded)" in bar.text()
    # File: no second seal, no import; a draft copy and the exports are offered
    assert not open_window.seal_action.isEnabled()
    assert open_window.draft_action.isEnabled()
    assert all(a.isEnabled() for a in open_window.export_actions)
    assert not any(a.isEnabled() for a in open_window.workbook_actions[:2])
    assert doc.undo_stack.count() == 0
    # every edit is refused, saying who sealed it
    with pytest.raises(BadInput, match="was sealed by tester on"):
        doc.set_score("E1", "B1", "Q1", 1)
    # and the widgets that edit are read-only
    overview = open_window.show_view("overview")
    assert overview.fields["title"].isReadOnly()
    assert "✔  Preferred bidder: B2 Small Co" in overview.checklist.text()
    assert overview.checklist.text().startswith("Stage: sealed")
    criteria = open_window.show_view("criteria")
    index = criteria.model.index_of("Q1", 2)
    assert not criteria.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not criteria.add_action.isEnabled()
    evaluators = open_window.show_view("evaluators")
    assert not evaluators.declaration.declared.isEnabled()
    assert evaluators.declaration.interests.isReadOnly()
    cell = evaluators.conflicts_model.index(0, 0)
    assert not evaluators.conflicts_model.flags(cell) & Qt.ItemFlag.ItemIsUserCheckable
    bids = open_window.show_view("bids")
    assert not any(a.isEnabled() for a in bids.toolbar.actions())
    scoring = open_window.show_view("scoring")
    assert not scoring.signoff.withdraw_button.isEnabled()
    assert "read-only" in scoring.hint.text()
    scoring.select("B1", "Q1")
    qtbot.keyClick(scoring.grid, "1")  # typed anyway: refused, saying why
    assert "was sealed by tester" in scoring.banner.text()
    moderation = open_window.show_view("moderation")
    assert not moderation.save_button.isEnabled()
    results = open_window.show_view("results")
    assert results.headline.text().startswith("Preferred bidder: B2 Small Co")
    assert no_dialogs == []


def test_a_draft_copy_of_a_sealed_record_can_change(open_window, monkeypatch, tmp_path,
                                                    no_dialogs):
    finish(open_window)
    seal(open_window, monkeypatch)
    sealed_path = open_window.document.path
    target = tmp_path / "draft"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    open_window.draft_action.trigger()  # "Open the draft now?" Yes (see `seal`)
    doc = open_window.document
    assert doc.path == tmp_path / "draft.pdesk"
    assert doc.file.sealed() is None
    assert not open_window.lock_bar.isVisibleTo(open_window)
    assert open_window.seal_action.isEnabled()
    draft = doc.audit(limit=1)[0]
    assert draft.action == "evaluation.draft"
    assert draft.after["origin"]["file"] == sealed_path.name
    doc.update_evaluation({"reference": "REF-2 (re-run)"})  # the draft takes edits
    assert doc.doc()["evaluation"]["reference"] == "REF-2 (re-run)"
    assert no_dialogs == []


# ---- a file changed outside ProcureDesk -------------------------------------------------------
def test_an_altered_file_opens_read_only_naming_the_problem(window, example_path, qtbot,
                                                            no_dialogs):
    alter(example_path)
    assert window.open_file(example_path)
    doc = window.document
    qtbot.waitUntil(lambda: doc.verdict is not None)
    bar = window.lock_bar
    assert bar.isVisibleTo(window)
    assert bar.text().startswith("⚠ This file was changed outside ProcureDesk: evaluation "
                                 "data: do not match the audit log's last event")
    assert "It is open read-only" in bar.text()
    # nothing to import into it, nothing exported from it, no seal
    assert not any(a.isEnabled() for a in window.export_actions)
    assert not any(a.isEnabled() for a in window.workbook_actions)
    assert not window.seal_action.isEnabled()
    assert actions_exports.export(window, "pdf") is None
    assert no_dialogs[-1][1].startswith("Nothing is exported from this file: it was changed "
                                        "outside ProcureDesk")
    # every edit is refused with the explanation, in the view that tried it
    with pytest.raises(BadInput, match="changed outside ProcureDesk"):
        doc.set_score("E1", "B1", "Q1", 4)
    overview = window.show_view("overview")
    overview.ensure_fresh()  # the window is not shown in this test
    assert overview.fields["title"].isReadOnly()
    assert "Audit log NOT INTACT: evaluation data" in overview.checklist.text()
    scoring = window.show_view("scoring")
    scoring.select("B1", "Q1")
    qtbot.keyClick(scoring.grid, "4")
    assert "was changed outside ProcureDesk" in scoring.banner.text()
    assert doc.audit(limit=1)[0].action == "evaluation.create"  # nothing written


def test_an_edit_made_before_the_check_ends_waits_for_it(window, example_path):
    alter(example_path)
    assert window.open_file(example_path)
    doc = window.document
    # at once, before the check on its worker thread has been collected: the edit waits
    # for it, and is refused (an edit would chain the altered data as ProcureDesk's)
    with pytest.raises(BadInput, match="changed outside ProcureDesk"):
        doc.set_score("E1", "B1", "Q1", 4)
    assert doc.verdict is not None
    assert not doc.verdict.intact


def test_an_intact_file_is_not_locked(open_window, qtbot):
    doc = open_window.document
    qtbot.waitUntil(lambda: doc.verdict is not None)
    assert doc.verdict.intact
    assert doc.refusal() is None
    assert not open_window.lock_bar.isVisibleTo(open_window)
    assert all(a.isEnabled() for a in open_window.export_actions)
    overview = open_window.show_view("overview")
    assert overview.checklist.text().endswith("✔  Audit log intact (1 events)")
