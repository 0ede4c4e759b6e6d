"""File > Import / Export of workbooks: supplier bids, offline scoring sheets, the template.

Reading workbooks (the slow, hostile part) runs in the background through ui.jobs
with progress and Cancel; nothing is written until every file has passed. The
window then asks before replacing a supplier already in the evaluation, or shows
the score changes for confirmation, and applies them as one undoable step.

Dropping .xlsx files on the Bids view imports them as bids: an event filter on
the window's view stack, so the Bids view itself needs no change.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import QFileDialog, QWidget

from procure_desk.errors import BadInput
from procure_desk.wording import plural, these

from . import ask
from .commands import ServiceCommand
from .jobs import Job, run_job

XLSX_FILTER = "Excel workbooks (*.xlsx)"


def choose_workbooks(parent: QWidget | None, title: str) -> list[str]:
    """The seam tests replace: several .xlsx files, or [] when cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, "", XLSX_FILTER)
    return list(paths)


def install(window: Any) -> None:
    entries: list[tuple[Any, str, str, Callable[[Any], Any]]] = [
        (window.import_menu, "&Bids from workbooks…", "Import supplier bid workbooks",
         lambda w: import_bids(w)),
        (window.import_menu, "&Scoring sheets…", "Import evaluators' scoring sheets",
         lambda w: import_scores(w)),
        (window.export_menu, "&Bid template…", "Export the bid response workbook for "
                                               "suppliers", lambda w: export_bid_template(w)),
        (window.export_menu, "Scoring &sheets…", "Export one scoring sheet per evaluator",
         lambda w: export_scoring_sheets(w)),
    ]
    actions: list[QAction] = []
    for menu, text, tip, run in entries:
        action = QAction(text, window)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False, r=run: r(window))
        menu.addAction(action)
        actions.append(action)
    window.workbook_actions = actions

    def enable(doc: Any) -> None:
        for a in actions:
            a.setEnabled(doc is not None)

    window.documentOpened.connect(enable)
    enable(window.document)
    window.workbook_drop_filter = _DropOnBids(window)
    window.stack.setAcceptDrops(True)
    window.stack.installEventFilter(window.workbook_drop_filter)


# ---- bids ---------------------------------------------------------------------------------

class ImportBids(ServiceCommand):
    """Bids from workbooks, added or replaced in one transaction; undo puts the evaluation
    back as it was before, in one transaction too."""

    what = "bids"

    def __init__(self, document: Any, plan: Any, text: str):
        super().__init__(document, text)
        self.plan = plan
        self.before: dict[str, Any] = {}
        self.added: list[str] = []

    def apply(self) -> None:
        from procure_desk.workbooks.bid_import import apply_import

        self.before = copy.deepcopy(self.ef.document())
        ids = apply_import(self.ef, self.actor, self.plan)
        self.added = ids[:len(self.plan.added)]

    def revert(self) -> None:
        # The stack is linear and cleared when the file changes elsewhere, so the file
        # is as the import left it: the evaluation before it is exactly what to put back.
        self.ef.replace_document(self.actor, self.before, "bids.import.undo",
                                 {"removed": self.added,
                                  "restored": [bid for bid, _ in self.plan.replaced]})


def import_bids(window: Any, paths: list[str] | None = None) -> Job | None:
    """Read and check the workbooks in the background, then add them as one undoable step."""
    document = window.document
    title = "Import bids"
    if document is None:
        return None
    if paths is None:
        paths = choose_workbooks(window, "Import supplier bid workbooks")
    if not paths:
        return None
    doc = copy.deepcopy(document.doc())

    def work(progress: Callable[[int, int, str], None]) -> Any:
        from procure_desk.workbooks.bid_import import plan_import

        return plan_import(doc, paths, progress=lambda i, n, label: progress(
            i, n, f"Checking {label}" if label else "Checked"))

    def done(plan: Any) -> None:
        if window.document is not document:
            return  # the file was closed meanwhile
        if plan.replaced:
            names = {b["id"]: b["supplier"] for b in document.doc()["bids"]}
            lines = [f"• {names.get(bid, bid)} ({bid}), from {pb.source}"
                     for bid, pb in plan.replaced]
            if len(lines) > 15:
                lines[14:] = [f"… and {len(lines) - 14} more"]
            listed = "\n".join(lines)
            if not ask.confirm(window, title,
                               f"These suppliers are already in the evaluation:\n{listed}\n\n"
                               "Replace their details and costs with the workbooks'? Their "
                               "scores are kept. (No: nothing is imported.)"):
                window.statusBar().showMessage("Import cancelled: nothing was changed", 5000)
                return
        n = len(plan.added) + len(plan.replaced)
        try:
            document.push(ImportBids(document, plan, f"Import {plural(n, 'bid workbook')}"))
        except BadInput as exc:
            ask.show_problem(window, title, exc)
            return
        window.statusBar().showMessage(f"Imported {plan.summary()}", 5000)
        if "bids" in window.view_keys():
            window.show_view("bids")

    return run_job(window, title, work, on_success=done)


# ---- scores -------------------------------------------------------------------------------

def import_scores(window: Any, paths: list[str] | None = None) -> Job | None:
    """Read the sheets in the background, show what changes, apply when confirmed."""
    document = window.document
    title = "Import scoring sheets"
    if document is None:
        return None
    if paths is None:
        paths = choose_workbooks(window, "Import evaluators' scoring sheets")
    if not paths:
        return None
    source = Path(document.path)

    def work(progress: Callable[[int, int, str], None]) -> Any:
        from procure_desk.services import EvaluationFile
        from procure_desk.workbooks.scoring_sheets import read_sheets

        with EvaluationFile.open(source) as ef:
            return read_sheets(ef, paths, progress=lambda i, n, label: progress(
                i, n, f"Checking {label}" if label else "Checked"))

    def done(reads: Any) -> None:
        from procure_desk.workbooks.scoring_sheets import describe_changes, describe_conflicts

        if window.document is not document:
            return
        changes = [c for r in reads for c in r.changes]
        conflicts = [c for r in reads for c in r.conflicts]
        if not changes and not conflicts:
            ask.info(window, title, "The sheets hold no new or changed scores: nothing to "
                                    "change.")
            return
        # dialogs that fit on a laptop screen: fewer details when many evaluators
        detail = max(2, 20 // len(reads))
        if conflicts:
            lines = describe_conflicts(document.doc(), conflicts, detail=detail)
            one = len(conflicts) == 1
            intro = ("This score was" if one else f"These {len(conflicts)} scores were")
            if ask.confirm(window, title, f"{intro} changed in the evaluation after the sheets "
                                          "were exported, and differently in the sheets:\n\n"
                           + "\n".join(lines)
                           + f"\n\nReplace {'it' if one else 'them'} with the sheets' "
                             f"{'value' if one else 'values'}? (No: the evaluation keeps its "
                             f"newer {'score' if one else 'scores'}.)"):
                changes += conflicts
        if not changes:
            window.statusBar().showMessage("Nothing was changed: the newer scores are kept",
                                           5000)
            return
        lines = describe_changes(document.doc(), changes, detail=detail)
        if not ask.confirm(window, title, "\n".join(lines)
                           + f"\n\nApply {these(len(changes), 'change')}?"):
            window.statusBar().showMessage("Nothing was changed", 5000)
            return
        try:
            document.set_scores([c.item for c in changes],
                                text=f"Import {plural(len(changes), 'score')} from scoring "
                                     "sheets")
        except BadInput as exc:
            ask.show_problem(window, title, exc)
            return
        window.statusBar().showMessage(f"Applied {plural(len(changes), 'score change')}", 5000)

    return run_job(window, title, work, on_success=done)


# ---- exports ------------------------------------------------------------------------------

def export_bid_template(window: Any) -> Job | None:
    document = window.document
    title = "Export the bid template"
    if document is None:
        return None
    suggested = Path(document.path).with_name("bid-response-template.xlsx")
    chosen = ask.save_path(window, title, XLSX_FILTER, str(suggested))
    if not chosen:
        return None
    target = Path(chosen)
    if target.suffix.lower() != ".xlsx":
        target = target.with_suffix(".xlsx")
    doc = copy.deepcopy(document.doc())

    def work(progress: Callable[[int, int, str], None]) -> Path:
        from procure_desk.workbooks.bid_template import write_bid_template

        progress(0, 1, "Writing the template")
        return write_bid_template(target, doc=doc, force=True)  # the dialog asked

    def done(path: Path) -> None:
        window.statusBar().showMessage(f"Wrote {path}", 5000)
        ask.info(window, title, f"Wrote {path}.\n\nSend it to suppliers with the tender; "
                                "import their filled workbooks with File > Import > Bids.")

    return run_job(window, title, work, on_success=done)


def choose_part(window: Any, doc: dict[str, Any]) -> Any:
    """The seam tests may replace: the part the sheets hold (a PartChoice), or None when
    cancelled. Opens the dialog that starts at everything and shows the rows per sheet."""
    from .sheet_part_dialog import SheetPartDialog

    dialog = SheetPartDialog(window, doc)
    try:
        return dialog.choice() if dialog.exec() == SheetPartDialog.DialogCode.Accepted \
            else None
    finally:
        dialog.deleteLater()


def export_scoring_sheets(window: Any, part: Any = None) -> Job | None:
    """Choose the part (evaluators, criteria, bids), then the folder; write in the
    background. `part` (a PartChoice) skips the first question."""
    document = window.document
    title = "Export scoring sheets"
    if document is None:
        return None
    from procure_desk.workbooks.scoring_sheets import safe_file_name
    from procure_desk.workbooks.sheet_part import resolve

    doc = document.doc()
    if not doc["evaluators"]:
        ask.show_problem(window, title, "This evaluation has no evaluators yet.")
        return None
    if part is None:
        part = choose_part(window, doc)
        if part is None:
            return None
    try:
        evaluators = resolve(doc, part).evaluators
    except BadInput as exc:  # the file changed under the dialog
        ask.show_problem(window, title, exc)
        return None
    chosen = ask.folder_path(window, title)
    if not chosen:
        return None
    folder = Path(chosen)
    clash = [n for e in evaluators if (folder / (n := safe_file_name(e["id"], e["name"])))
             .exists()]
    one = len(clash) == 1
    if clash and not ask.confirm(window, title, f"{plural(len(clash), 'scoring sheet')} "
                                                f"already {'exists' if one else 'exist'} in "
                                                f"{folder}. Replace {'it' if one else 'them'}?"):
        return None
    source = Path(document.path)
    actor = document.actor

    def work(progress: Callable[[int, int, str], None]) -> Any:
        from procure_desk.services import EvaluationFile
        from procure_desk.workbooks.scoring_sheets import write_scoring_sheets

        with EvaluationFile.open(source) as ef:
            return write_scoring_sheets(ef, folder, actor=actor, force=True, part=part,
                                        progress=lambda i, n, name: progress(
                                            i, n, f"Writing the sheet for {name}"
                                            if name else "Written"))

    def done(written: Any) -> None:
        if window.document is document:
            document.recorded_elsewhere()  # the export is in the audit log
        n = len(written)
        window.statusBar().showMessage(f"Wrote {plural(n, 'scoring sheet')}", 5000)
        listed = [f"• {p.name} for {e['name']}" for p, e in written]
        if len(listed) > 15:  # a dialog that fits on a laptop screen
            listed[14:] = [f"… and {len(listed) - 14} more"]
        ask.info(window, title, f"Wrote {plural(n, 'scoring sheet')} in {folder}:\n"
                 + "\n".join(listed))

    return run_job(window, title, work, on_success=done)


# ---- drag and drop on the Bids view -------------------------------------------------------

class _DropOnBids(QObject):
    """Accept .xlsx files dropped on the Bids view and import them as bids."""

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.last_job: Job | None = None

    def _paths(self, event: QDropEvent) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        paths = [u.toLocalFile() for u in mime.urls() if u.isLocalFile()]
        if not paths or not all(p.lower().endswith(".xlsx") for p in paths):
            return []
        return paths

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        if self.window.document is None or self.window.current_view_key() != "bids":
            return False
        drag = cast(QDropEvent, event)  # DragEnter and DragMove events are QDropEvents too
        paths = self._paths(drag)
        if not paths:
            return False
        drag.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            self.last_job = import_bids(self.window, paths)
        return True
