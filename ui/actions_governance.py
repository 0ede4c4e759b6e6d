"""File > Seal the Record… and Save a Copy as a New Draft… (docs/governance.md), and
which File actions a file that takes no edits still offers.

Sealing is refused while the results are provisional (the outstanding list is shown);
afterwards no change can be made to the file, by anyone, and it is never unsealed: a
draft copy is an unsealed copy whose audit log names the sealed file as its origin.
A file changed outside ProcureDesk offers no import and no export (an export would
present altered data as the record); a sealed one still exports.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction

from procure_desk.errors import BadInput
from procure_desk.wording import one_line

from . import ask

TITLE = "Seal the record"


def install(window: Any) -> None:
    fm = window.file_menu
    window.seal_action = QAction("Sea&l the Record…", window)
    window.seal_action.setStatusTip("Seal the evaluation after award: no change can be "
                                    "made to it afterwards")
    window.seal_action.triggered.connect(lambda _=False: seal(window))
    window.draft_action = QAction("Save a Copy as a New &Draft…", window)
    window.draft_action.setStatusTip("An unsealed copy of this sealed evaluation to work on")
    window.draft_action.triggered.connect(lambda _=False: save_draft(window))
    fm.insertAction(window.close_action, window.seal_action)
    fm.insertAction(window.close_action, window.draft_action)
    fm.insertSeparator(window.close_action)

    def follow(doc: Any) -> None:
        if doc is not None:
            doc.lockChanged.connect(lambda: enable(window))
        enable(window)

    window.documentOpened.connect(follow)
    follow(window.document)


def enable(window: Any) -> None:
    """Seal while open and unsealed; draft copy when sealed; no import into a file that
    takes no edits, and no export from one changed outside ProcureDesk."""
    doc = window.document
    altered = doc is not None and doc.altered() is not None
    sealed = doc is not None and doc.file.sealed() is not None
    window.seal_action.setEnabled(doc is not None and not sealed and not altered)
    window.draft_action.setEnabled(sealed and not altered)
    imports = window.workbook_actions[:2]
    for action in imports:
        action.setEnabled(doc is not None and not altered and not sealed)
    for action in [*window.export_actions, *window.workbook_actions[2:]]:
        action.setEnabled(doc is not None and not altered)


def seal(window: Any) -> bool:
    doc = window.document
    if doc is None:
        return False
    outstanding = doc.outstanding()
    if outstanding:
        ask.show_problem(window, TITLE,
                         "The record cannot be sealed while the results are provisional. "
                         "Outstanding:\n" + "\n".join(f"• {r['detail']}" for r in outstanding))
        return False
    refusal = doc.refusal()
    if refusal is not None:
        ask.show_problem(window, TITLE, f"The evaluation {refusal}")
        return False
    leader = doc.results().winner
    supplier = next((b["supplier"] for b in doc.doc()["bids"] if b["id"] == leader), "")
    reason = ask.text(window, TITLE, "Reason (optional; kept with the seal), e.g. 'contract "
                                     "awarded on 4 March':")
    if reason is None:
        return False
    if not ask.confirm(window, TITLE,
                       f"Seal the record with {leader} {one_line(supplier, 60)} as the "
                       "preferred bidder?\n\nNo change can be made to it afterwards, by "
                       "anyone, and it cannot be unsealed. Exports still work. To work on "
                       "it again, save a copy as a new draft."):
        return False
    try:
        doc.seal(reason.strip())
    except BadInput as exc:
        ask.show_problem(window, TITLE, exc)
        return False
    window.statusBar().showMessage("Sealed: no change can be made to this record now", 8000)
    return True


def save_draft(window: Any) -> str | None:
    """An unsealed copy of the sealed file; offers to open it. Returns its path."""
    doc = window.document
    if doc is None:
        return None
    title = "Save a copy as a new draft"
    suggested = str(doc.path.with_name(doc.path.stem + " draft.pdesk"))
    path = ask.save_path(window, title, suggested=suggested)
    if not path:
        return None
    if not path.endswith(".pdesk"):
        path += ".pdesk"
    try:
        doc.save_draft_copy(path)
    except BadInput as exc:
        ask.show_problem(window, title, exc)
        return None
    if ask.confirm(window, title, f"Saved an unsealed draft as {path}. Its audit log "
                                  "records this sealed file as its origin.\n\nOpen the "
                                  "draft now?"):
        window.open_file(path)
    return path
