"""File > Export: each export runs in the background, then offers to open the folder."""

import json

import pytest
from final_docs import final_example
from summary_docs import ready_to_issue

from procure_desk.services import EvaluationFile
from ui import actions_exports, ask


@pytest.fixture
def ready_window(window, tmp_path, example_doc):
    """A MainWindow on the example, final and ready to issue: a competitive tender with
    feedback for the bidders, award details and an ocid prefix."""
    path = tmp_path / "ready.pdesk"
    EvaluationFile.create(path, ready_to_issue(final_example(example_doc)),
                          actor="tester").close()
    assert window.open_file(path)
    window.show()
    return window


@pytest.fixture
def opened(monkeypatch):
    urls = []
    monkeypatch.setattr(actions_exports.QDesktopServices, "openUrl",
                        lambda url: urls.append(url.toLocalFile()))
    return urls


def action(window, text):
    return next(a for a in window.export_menu.actions() if a.text() == text)


def test_menu_entries_follow_the_open_document(window, example_path):
    texts = [a.text() for a in window.export_menu.actions()]
    for kind in actions_exports.KINDS.values():
        assert kind[0] in texts
    assert not action(window, "&PDF report…").isEnabled()
    assert window.open_file(example_path)
    assert action(window, "&PDF report…").isEnabled()


@pytest.mark.parametrize("kind", ["xlsx", "pdf", "ocds"])
def test_export_file_then_open_the_folder(ready_window, qtbot, tmp_path, monkeypatch,
                                          opened, no_dialogs, kind):
    open_window = ready_window
    target = tmp_path / "out" / f"result.{'json' if kind == 'ocds' else kind}"
    target.parent.mkdir()
    asked = []
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    monkeypatch.setattr(ask, "confirm", lambda parent, title, text: asked.append(text) or True)
    job = actions_exports.export(open_window, kind)
    qtbot.waitUntil(lambda: job.settled, timeout=30000)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert opened == [str(target.parent)]
    assert target.exists()
    assert target.stat().st_size > 0
    assert str(target) in asked[0]
    assert no_dialogs == []
    if kind == "ocds":
        assert json.loads(target.read_text())["awards"][0]["relatedBids"] == ["B1"]


def test_summaries_into_a_folder_through_the_menu(ready_window, qtbot, tmp_path, monkeypatch,
                                                  opened, no_dialogs):
    open_window = ready_window
    folder = tmp_path / "summaries"
    monkeypatch.setattr(ask, "folder_path", lambda *a, **k: str(folder))
    monkeypatch.setattr(ask, "confirm", lambda *a: False)  # do not open the folder
    jobs = []
    real = actions_exports.run_job
    monkeypatch.setattr(actions_exports, "run_job",
                        lambda *a, **k: jobs.append(real(*a, **k)) or jobs[-1])
    action(open_window, "&Assessment summaries…").trigger()
    qtbot.waitUntil(lambda: jobs[0].settled, timeout=30000)
    assert len(list(folder.glob("*.pdf"))) == 2
    assert opened == []
    assert no_dialogs == []


def test_cancel_leaves_no_file(open_window, qtbot, tmp_path, monkeypatch, opened):
    target = tmp_path / "pack.xlsx"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    monkeypatch.setattr(ask, "confirm", lambda *a: True)
    job = actions_exports.export(open_window, "xlsx")
    job.cancel()
    qtbot.waitUntil(lambda: job.settled, timeout=30000)
    assert job.error is None
    assert job.result is None
    assert not target.exists()
    assert list(tmp_path.glob("*.part")) == []
    assert opened == []


def test_a_refused_export_says_why(open_window, qtbot, tmp_path, monkeypatch, no_dialogs):
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(tmp_path / "no" / "r.pdf"))
    job = actions_exports.export(open_window, "pdf")
    qtbot.waitUntil(lambda: job.settled, timeout=30000)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=5000)
    assert "folder does not exist" in no_dialogs[0][1]


def test_cancelled_summaries_leave_the_folder_as_it_was(ready_window, qtbot, tmp_path,
                                                        monkeypatch, opened, no_dialogs):
    import threading

    open_window = ready_window

    from procure_desk.exports import summaries

    folder = tmp_path / "summaries"
    folder.mkdir()
    (folder / "notes.txt").write_text("the officer's own file")
    monkeypatch.setattr(ask, "folder_path", lambda *a, **k: str(folder))
    monkeypatch.setattr(ask, "confirm", lambda *a: True)
    # hold the second of the example's two summaries until the user has pressed Cancel:
    # by then the first has been written
    second, go = threading.Event(), threading.Event()
    real = summaries.write_letter

    def build(layout, letter, target):
        if letter.bid == "B2":
            second.set()
            go.wait(10)
        return real(layout, letter, target)

    monkeypatch.setattr(summaries, "write_letter", build)
    job = actions_exports.export(open_window, "summaries")
    qtbot.waitUntil(second.is_set, timeout=30000)
    job.cancel()
    go.set()
    qtbot.waitUntil(lambda: job.settled, timeout=30000)
    assert job.outcome == "cancelled"
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "the officer's own file"
    assert opened == []
    assert no_dialogs == []  # a cancel is no error: the status bar says what happened
    assert "cancelled; nothing was written" in open_window.statusBar().currentMessage()
