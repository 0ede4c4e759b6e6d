"""File > Export: the evidence pack, the PDF report, assessment summaries, OCDS.

Each export reads the evaluation through its own connection on a worker thread
(ui.jobs), with progress and Cancel, so the window stays responsive; when it is
done the user may open the folder that holds the result.

Assessment summaries refused for what is missing (feedback, award details, final
results) are offered again as DRAFT; the OCDS release asks for the council's ocid
prefix (the evaluation's, if set, filled in) and whether to publish bid values. Each
export is recorded in the audit log under the user's name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from procure_desk.errors import BadInput

from . import ask
from .jobs import Job, run_job

# kind: (menu text, dialog title, file filter or None for a folder, suggested name)
KINDS: dict[str, tuple[str, str, str | None, str]] = {
    "xlsx": ("Evidence pack (&Excel)…", "Export the evidence pack",
             "Excel workbooks (*.xlsx)", "evidence-pack.xlsx"),
    "pdf": ("&PDF report…", "Export the evaluation report", "PDF files (*.pdf)",
            "evaluation-report.pdf"),
    "summaries": ("&Assessment summaries…", "Export assessment summaries", None,
                  "assessment-summaries"),
    "ocds": ("&OCDS release…", "Export an OCDS release", "JSON files (*.json)",
             "ocds-release.json"),
}


def install(window: Any) -> None:
    actions: list[QAction] = []
    for kind, (text, title, _filter, _name) in KINDS.items():
        action = QAction(text, window)
        action.setStatusTip(title)
        action.triggered.connect(lambda _=False, k=kind: export(window, k))
        window.export_menu.addAction(action)
        actions.append(action)
    window.export_actions = actions

    def enable(doc: Any) -> None:
        for a in actions:
            a.setEnabled(doc is not None)

    window.documentOpened.connect(enable)
    enable(window.document)


def export(window: Any, kind: str) -> Job | None:
    """Ask where, then export in the background; returns the job (None if not started)."""
    doc = window.document
    if doc is None:
        return None
    _text, title, file_filter, name = KINDS[kind]
    doc.wait_for_check()
    problem = doc.altered()
    if problem is not None:
        ask.show_problem(window, title, f"Nothing is exported from this file: it was changed "
                                        f"outside ProcureDesk ({problem['where']}: "
                                        f"{problem['message']}).")
        return None
    options: dict[str, Any] = {}
    if kind == "ocds":
        chosen_options = ocds_options(window, str(doc.doc()["evaluation"].get("ocid_prefix")
                                                  or ""))
        if chosen_options is None:
            return None
        options = {"ocid_prefix": chosen_options[0],
                   "publish_bid_values": chosen_options[1]}
    address = getattr(doc.file.store, "url", None)  # a server evaluation (team mode)
    source: str | Path = address or Path(doc.path)
    if address is None:
        suggested = Path(doc.path).with_name(f"{Path(doc.path).stem}-{name}")
    else:
        from procure_desk.exports.safe_text import safe_filename

        reference = str(doc.doc()["evaluation"].get("reference") or "evaluation")
        suggested = Path.home() / safe_filename(f"{reference}-{name}")
    if file_filter is None:
        chosen = ask.folder_path(window, title)
        if not chosen:
            return None
        target = Path(chosen)
        force = _confirm_replace(window, title, target)
        if force is None:
            return None
    else:
        chosen = ask.save_path(window, title, file_filter, str(suggested))
        if not chosen:
            return None
        target = Path(chosen)
        force = True  # the save dialog has already asked before replacing a file
    return start(window, kind, source, target, force, options)


def start(window: Any, kind: str, source_path: str | Path, target: Path, force: bool,
          options: dict[str, Any]) -> Job:
    """Write `kind` from the file, or from a server evaluation's address, to `target` in
    the background (`options`: the OCDS prefix and bid values; `draft` for
    summaries). From a server, the export is made from a verified snapshot and recorded
    in the server's audit log (procure_desk/exports/from_server.py)."""
    title = KINDS[kind][1]
    actor = window.document.actor if window.document is not None else None
    written: list[Path] = []  # set once the export is complete and in place

    def work(progress: Callable[[int, int, str], None]) -> Path:
        written.append(write(progress))
        return written[0]

    def write(progress: Callable[[int, int, str], None]) -> Path:
        from procure_desk.exports import Source

        progress(0, 100, "Reading the evaluation")
        if isinstance(source_path, str):  # a server evaluation's address
            from procure_desk.exports.from_server import open_source

            with open_source(source_path, actor=actor) as src:
                return write_from(src, progress)
        return write_from(Source.load(source_path, actor=actor), progress)

    def write_from(src: Any, progress: Callable[[int, int, str], None]) -> Path:
        def report(fraction: float, message: str) -> None:
            progress(int(5 + 95 * fraction), 100, message)

        if kind == "xlsx":
            from procure_desk.exports.xlsx_pack import write_xlsx

            return write_xlsx(src, target, force=force, report=report)
        if kind == "pdf":
            from procure_desk.exports.pdf_report import write_pdf

            return write_pdf(src, target, force=force, report=report)
        if kind == "ocds":
            from procure_desk.exports.ocds import write_ocds

            return write_ocds(src, target, force=force, report=report, **options)
        from procure_desk.exports.summaries import write_summaries

        write_summaries(src, target, force=force, report=report,
                        draft=bool(options.get("draft")))
        return target

    def done(path: Path) -> None:
        folder = path if path.is_dir() else path.parent
        window.statusBar().showMessage(f"Wrote {path}", 5000)
        if ask.confirm(window, title, f"Wrote {path}.\n\nOpen the folder that holds it?"):
            open_folder(folder)

    def cancelled() -> None:
        # every export writes to temporary files first: a cancel leaves nothing behind,
        # unless it came as the finished export was being put in place
        window.statusBar().showMessage(
            f"Wrote {written[0]}: it was complete before Cancel took effect" if written
            else f"{title}: cancelled; nothing was written", 8000)

    def failed(exc: BaseException) -> None:
        if kind == "summaries" and not options.get("draft") and missing_only(exc):
            assert isinstance(exc, BadInput)
            if draft_offer(window, title, ask.problem_text(exc)):
                # the first attempt wrote nothing: the folder is as the user chose it
                start(window, kind, source_path, target, force, {**options, "draft": True})
            return
        if isinstance(exc, BadInput):
            ask.show_problem(window, title, exc)
        else:
            ask.show_problem(window, title, f"Internal error: {ask.problem_text(exc)}")

    return run_job(window, title, work, on_success=done, on_cancel=cancelled,
                   on_failure=failed)


def missing_only(exc: BaseException) -> bool:
    """Whether summaries were refused only for what is missing (which DRAFT lets
    through), not for a text that would disclose another supplier."""
    return (isinstance(exc, BadInput) and bool(exc.problems)
            and exc.problems[0].where == "assessment summaries"
            and exc.problems[0].message.startswith("not issued"))


def draft_offer(parent: QWidget | None, title: str, text: str) -> bool:
    """The refusal with what is missing, and the choice to write them marked DRAFT."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText("The assessment summaries cannot be issued yet.")
    box.setInformativeText(text.replace(" (use --draft to write them marked DRAFT)", "")
                           + "\n\nYou may write them now with every page marked DRAFT, "
                             "for checking; they are not to be sent to bidders.")
    draft = box.addButton("Write as &DRAFT", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is draft


class OcdsDialog(QDialog):
    """The ocid prefix registered to the council and whether to publish bid values."""

    def __init__(self, parent: QWidget | None, prefix: str):
        from procure_desk.exports.ocds import PLACEHOLDER  # loaded when first asked

        super().__init__(parent)
        self.setWindowTitle("Export an OCDS release")
        self.prefix = QLineEdit(prefix)
        self.prefix.setPlaceholderText("ocds-abc123")
        self.prefix.setAccessibleName("OCID prefix")
        self.values = QCheckBox("Publish &bid values")
        self.values.setToolTip("Each tender's price in the release; left out unless ticked")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        words = QLabel("The prefix registered to the council with the Open Contracting "
                       "Partnership: ocds- and six lower-case letters or digits. The "
                       f"placeholder {PLACEHOLDER} is refused.")
        words.setWordWrap(True)
        form = QFormLayout()
        label = QLabel("OCID &prefix")
        label.setBuddy(self.prefix)
        form.addRow(label, self.prefix)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(words)
        layout.addLayout(form)
        layout.addWidget(self.values)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def check(self) -> str | None:
        """What is wrong with the prefix typed (None when it will do)."""
        from procure_desk.exports.ocds import PLACEHOLDER, PREFIX_FORM

        prefix = self.prefix.text().strip()
        if not prefix:
            return "Give the council's ocid prefix."
        if prefix == PLACEHOLDER:
            return f"{PLACEHOLDER} is a placeholder, not a registered prefix."
        if not PREFIX_FORM.match(prefix):
            return f"“{prefix}” is not an ocid prefix (ocds- and six lower-case letters or digits)."
        return None

    def accept(self) -> None:
        why = self.check()
        if why is not None:
            self.problem.setText(why)
            self.prefix.setFocus()
            self.prefix.selectAll()
            return
        super().accept()


def ocds_options(parent: QWidget | None, prefix: str) -> tuple[str, bool] | None:
    """The prefix and the bid values choice; None when cancelled."""
    dialog = OcdsDialog(parent, prefix)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.prefix.text().strip(), dialog.values.isChecked()


def _confirm_replace(window: Any, title: str, folder: Path) -> bool | None:
    """Whether to overwrite summaries already in the folder (None: the user declined)."""
    from procure_desk.exports.summaries import summary_names

    if not folder.is_dir():
        return False
    names = summary_names(window.document.doc()["bids"])
    clash = [n for n in names.values() if (folder / n).exists()]
    if not clash:
        return False
    if ask.confirm(window, title, f"{len(clash)} assessment summaries already exist in "
                                  f"{folder}. Replace them?"):
        return True
    return None


def open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
