"""File > Export: the evidence pack, the PDF report, assessment summaries, OCDS.

Each export reads the evaluation through its own connection on a worker thread
(ui.jobs), with progress and Cancel, so the window stays responsive; when it is
done the user may open the folder that holds the result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices

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
    source_path = Path(doc.path)
    suggested = source_path.with_name(f"{source_path.stem}-{name}")
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

    written: list[Path] = []  # set once the export is complete and in place

    def work(progress: Callable[[int, int, str], None]) -> Path:
        written.append(write(progress))
        return written[0]

    def write(progress: Callable[[int, int, str], None]) -> Path:
        from procure_desk.exports import Source

        progress(0, 100, "Reading the evaluation")

        def report(fraction: float, message: str) -> None:
            progress(int(5 + 95 * fraction), 100, message)

        src = Source.load(source_path)
        if kind == "xlsx":
            from procure_desk.exports.xlsx_pack import write_xlsx

            return write_xlsx(src, target, force=force, report=report)
        if kind == "pdf":
            from procure_desk.exports.pdf_report import write_pdf

            return write_pdf(src, target, force=force, report=report)
        if kind == "ocds":
            from procure_desk.exports.ocds import write_ocds

            return write_ocds(src, target, force=force, report=report)
        from procure_desk.exports.summaries import write_summaries

        write_summaries(src, target, force=force, report=report)
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

    return run_job(window, title, work, on_success=done, on_cancel=cancelled)


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
