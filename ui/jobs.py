"""Long work off the GUI thread, with progress and Cancel (Anki's CollectionOp style).

    run_job(window, "Exporting evidence", work, on_success=done)

`work(progress)` runs on a worker thread; it calls `progress(done, total, text)` now
and then, which raises `procure_desk.errors.Cancelled` once the user pressed Cancel.
Its return value is handed to `on_success(result)` on the GUI thread, after the
progress dialog has closed (so a follow-up question never sits behind it). A `BadInput`
is shown as a message naming the problem; `Cancelled` closes the dialog (and calls
`on_cancel`, if given, to say what was left undone); any
other exception is shown as an internal error (and logged with its traceback).
The window stays responsive throughout.

`work` must not touch widgets, and should open its own `EvaluationFile` (or read a
copy of `document.doc()` taken before starting) rather than share the GUI's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from procure_desk.errors import BadInput, Cancelled

from . import ask

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
_running: set[Job] = set()  # keeps jobs alive until they finish
# Callbacks are plain functions: queue them explicitly so they run on the GUI thread.
_QUEUED = Qt.ConnectionType.QueuedConnection


class Job(QObject):
    """One piece of background work. Signals arrive on the GUI thread.

    The outcome travels in `result` and `error`, not in the signals: handing Python
    objects (None above all) through queued cross-thread signals has crashed
    PySide6 ("none_dealloc"), while plain signals with no Python payload do not.
    """

    progressed = Signal(int, int, str)
    succeeded = Signal()  # read `result`
    failed = Signal()  # read `error`
    cancelled = Signal()
    finished = Signal()  # after any of the three above

    def __init__(self, func: Callable[[Progress], Any], parent: QObject | None = None):
        super().__init__(parent)
        self.func = func
        self.result: Any = None
        self.error: BaseException | None = None
        self.outcome = ""  # "succeeded", "failed" or "cancelled", set before `finished`
        # True on the GUI thread once the outcome's callbacks have run: wait on this
        # (a signal emitted by the worker before anyone listened would be missed)
        self.settled = False
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int, text: str = "") -> None:
        if self._cancel.is_set():
            raise Cancelled()
        self.progressed.emit(done, total, text)

    def _run(self) -> None:  # on the worker thread
        try:
            result = self.func(self._progress)
            if self._cancel.is_set():
                raise Cancelled()
        except Cancelled:
            self.outcome = "cancelled"
            self._emit(self.cancelled)
        except Exception as exc:  # shown to the user by run_job
            if not isinstance(exc, BadInput):
                log.exception("background job failed")
            self.error = exc
            self.outcome = "failed"
            self._emit(self.failed)
        else:
            self.result = result
            self.outcome = "succeeded"
            self._emit(self.succeeded)
        self._emit(self.finished)

    def _emit(self, signal: Any) -> None:
        # The application may be shutting down and this object gone with it: the
        # outcome then has nobody to go to, which is no error.
        try:
            signal.emit()
        except RuntimeError:
            log.debug("background job finished after its window closed")


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job

    def run(self) -> None:
        self.job._run()


def shutdown(timeout_ms: int = 3000) -> bool:
    """Cancel running jobs and wait for them (at exit); True if all stopped in time."""
    for job in list(_running):
        job.cancel()
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


def run_job(parent: QWidget | None, title: str, func: Callable[[Progress], Any],
            on_success: Callable[[Any], None] | None = None, *, cancellable: bool = True,
            on_failure: Callable[[BaseException], None] | None = None,
            show_dialog: bool = True, on_cancel: Callable[[], None] | None = None) -> Job:
    """Start `func` in the background; returns the Job (tests wait on `job.finished`)."""
    job = Job(func)
    dialog: QProgressDialog | None = None
    if show_dialog:
        dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setAccessibleName(title)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(job.cancel)

        def show_progress(done: int, total: int, text: str) -> None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total > 0 else 0)
            if text:
                dialog.setLabelText(text)

        job.progressed.connect(show_progress, _QUEUED)

    def failed() -> None:
        exc = job.error
        assert exc is not None
        if on_failure is not None:
            on_failure(exc)
        elif isinstance(exc, BadInput):
            ask.show_problem(parent, title, exc)
        else:
            ask.show_problem(parent, title, f"Internal error: {ask.problem_text(exc)}")

    def done() -> None:
        # The progress dialog goes first: a follow-up question ("Open the folder?",
        # "Replace these suppliers?") or a message must not appear behind a dialog
        # whose Cancel button still looks live.
        if dialog is not None:
            dialog.canceled.disconnect(job.cancel)  # closing emits it: not the user's Cancel
            dialog.close()
            dialog.deleteLater()
        _running.discard(job)
        try:
            if job.outcome == "succeeded" and on_success is not None:
                on_success(job.result)
            elif job.outcome == "failed":
                failed()
            elif job.outcome == "cancelled" and on_cancel is not None:
                on_cancel()
        finally:
            job.settled = True

    job.finished.connect(done, _QUEUED)
    _running.add(job)
    QThreadPool.globalInstance().start(_Runnable(job))
    return job
