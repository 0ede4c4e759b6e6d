"""Background work: results come back on the GUI thread, Cancel stops it, errors are shown."""

from __future__ import annotations

import threading
import time

from procure_desk.errors import BadInput
from ui.jobs import run_job


def test_job_runs_off_the_gui_thread_and_reports_success(qtbot, no_dialogs):
    seen = {}

    def work(progress):
        seen["thread"] = threading.current_thread()
        for i in range(3):
            progress(i, 3, f"step {i}")
        return 42

    got = []

    def on_success(result):
        seen["callback_thread"] = threading.current_thread()
        got.append(result)

    run_job(None, "Counting", work, on_success)
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    assert got == [42]
    assert seen["thread"] is not threading.main_thread()
    assert seen["callback_thread"] is threading.main_thread()
    assert no_dialogs == []


def test_cancel_raises_cancelled_inside_the_work(qtbot, no_dialogs):
    started = threading.Event()
    steps = []

    def work(progress):
        started.set()
        for i in range(1000):
            progress(i, 1000, "working")
            steps.append(i)
            time.sleep(0.002)
        return "finished"

    got = []
    job = run_job(None, "Long", work, got.append)
    cancelled = []
    job.cancelled.connect(lambda: cancelled.append(True))
    started.wait(2)
    job.cancel()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert got == []
    assert len(steps) < 1000
    assert no_dialogs == []  # cancelling is not an error


def test_bad_input_is_shown_as_a_message(qtbot, no_dialogs):
    def work(progress):
        raise BadInput.one("bids.xlsx, sheet Costs, cell C4", "-5 is a negative amount")

    run_job(None, "Import bids", work, lambda r: None, show_dialog=False)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=5000)
    assert no_dialogs == [("Import bids", "bids.xlsx, sheet Costs, cell C4: -5 is a "
                                          "negative amount")]


def _visible_progress(parent):
    from PySide6.QtWidgets import QProgressDialog

    return [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]


def _job_with_dialog_shown(qtbot, parent, fail=False, **callbacks):
    """Run a job whose progress dialog is showing when the work ends."""
    release = threading.Event()

    def work(progress):
        progress(0, 2, "starting")
        while not release.wait(0.05):  # halfway until released: the dialog shows at 0.4 s
            progress(1, 2, "halfway")
        if fail:
            raise BadInput.one("bids.xlsx", "no sheet Costs")
        return "done"

    job = run_job(parent, "Export", work, **callbacks)
    qtbot.waitUntil(lambda: bool(_visible_progress(parent)), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: job.settled, timeout=5000)
    return job


def test_progress_dialog_is_closed_before_the_follow_up_question(qtbot, no_dialogs):
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    seen = []  # the progress dialogs still showing when the callback asks its question
    job = _job_with_dialog_shown(qtbot, parent, on_success=lambda r: seen.append(
        (r, _visible_progress(parent))))
    assert seen == [("done", [])]
    assert not job.is_cancelled  # closing the dialog is not the user's Cancel

    failures = []
    _job_with_dialog_shown(qtbot, parent, fail=True, on_failure=lambda exc: failures.append(
        (str(exc), _visible_progress(parent))))
    assert failures == [("bids.xlsx: no sheet Costs", [])]
