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
    monkeypatch.setattr(actions_exports, "ocds_options", lambda parent, prefix: (prefix, False))
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


def competitive_without_award(example_doc, tmp_path):
    """A competitive tender with final results but no feedback and no award details."""
    doc = final_example(example_doc)
    doc["evaluation"]["procedure"] = "competitive_tender"
    path = tmp_path / "unready.pdesk"
    EvaluationFile.create(path, doc, actor="tester").close()
    return path


@pytest.mark.parametrize("answer", [True, False])
def test_summaries_missing_details_are_offered_as_draft(window, example_doc, qtbot, tmp_path,
                                                        monkeypatch, no_dialogs, answer):
    assert window.open_file(competitive_without_award(example_doc, tmp_path))
    folder = tmp_path / "drafts"
    monkeypatch.setattr(ask, "folder_path", lambda *a, **k: str(folder))
    monkeypatch.setattr(ask, "confirm", lambda *a: False)
    offered = []
    monkeypatch.setattr(actions_exports, "draft_offer",
                        lambda parent, title, text: offered.append(text) or answer)
    jobs = []
    real = actions_exports.run_job
    monkeypatch.setattr(actions_exports, "run_job",
                        lambda *a, **k: jobs.append(real(*a, **k)) or jobs[-1])
    actions_exports.export(window, "summaries")
    qtbot.waitUntil(lambda: bool(offered), timeout=30000)
    assert "evaluation.award: no award details" in offered[0]
    assert "feedback" in offered[0]
    assert no_dialogs == []  # the offer is the message, not a second one
    if not answer:
        qtbot.wait(50)
        assert len(jobs) == 1
        assert not folder.exists() or list(folder.glob("*.pdf")) == []
        return
    qtbot.waitUntil(lambda: len(jobs) == 2 and jobs[1].settled, timeout=30000)
    assert jobs[1].error is None
    assert len(list(folder.glob("*.pdf"))) == 2
    with EvaluationFile.open(window.document.path) as ef:
        event = ef.audit()[0]
    assert event.action == "export.summaries"


def test_a_disclosure_is_refused_without_a_draft_offer(ready_window, qtbot, tmp_path,
                                                       monkeypatch, no_dialogs):
    doc = ready_window.document
    cid = next(c["id"] for c in doc.doc()["criteria"] if c["kind"] == "scored")
    doc.set_feedback("B1", cid, "Stronger than Small Co on every point.")
    folder = tmp_path / "s"
    monkeypatch.setattr(ask, "folder_path", lambda *a, **k: str(folder))
    offered = []
    monkeypatch.setattr(actions_exports, "draft_offer",
                        lambda *a: offered.append(a) or True)
    job = actions_exports.export(ready_window, "summaries")
    qtbot.waitUntil(lambda: job.settled, timeout=30000)
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=5000)
    assert offered == []
    assert "refused" in no_dialogs[0][1]


def test_exports_are_recorded_under_the_users_name(ready_window, qtbot, tmp_path,
                                                   monkeypatch, opened):
    ready_window.document.actor = "Priya Shah"
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    monkeypatch.setattr(ask, "confirm", lambda *a: False)
    job = actions_exports.export(ready_window, "pdf")
    qtbot.waitUntil(lambda: job.settled, timeout=60000)
    assert job.error is None
    with EvaluationFile.open(ready_window.document.path) as ef:
        event = ef.audit()[0]
    assert event.action == "export.pdf"
    assert event.actor == "Priya Shah"


def test_ocds_asks_for_the_prefix_and_refuses_the_placeholder(qtbot):
    dialog = actions_exports.OcdsDialog(None, "")
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "ocid prefix" in dialog.problem.text()
    dialog.prefix.setText("ocds-000000")
    dialog.accept()
    assert "placeholder" in dialog.problem.text()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.prefix.setText("OCDS-1")
    dialog.accept()
    assert "is not an ocid prefix" in dialog.problem.text()
    dialog.prefix.setText(" ocds-hdc123 ")
    assert not dialog.values.isChecked()  # bid values are left out unless ticked
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_ocds_prefix_and_bid_values_reach_the_release(window, example_doc, qtbot, tmp_path,
                                                      monkeypatch, opened, no_dialogs):
    path = tmp_path / "noprefix.pdesk"
    doc = final_example(example_doc)
    doc["evaluation"]["procedure"] = "competitive_tender"
    EvaluationFile.create(path, doc, actor="tester").close()
    assert window.open_file(path)
    asked = []
    monkeypatch.setattr(actions_exports, "ocds_options",
                        lambda parent, prefix: asked.append(prefix) or ("ocds-hdc123", True))
    target = tmp_path / "release.json"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    monkeypatch.setattr(ask, "confirm", lambda *a: False)
    job = actions_exports.export(window, "ocds")
    qtbot.waitUntil(lambda: job.settled, timeout=30000)
    assert job.error is None, no_dialogs
    assert asked == [""]  # the evaluation has none: the field starts empty
    release = json.loads(target.read_text())
    assert release["ocid"].startswith("ocds-hdc123-")
    assert any("value" in b for b in release["bids"]["details"])


def test_ocds_cancelled_writes_nothing(ready_window, monkeypatch, tmp_path):
    monkeypatch.setattr(actions_exports, "ocds_options", lambda parent, prefix: None)
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: pytest.fail("asked where"))
    assert actions_exports.export(ready_window, "ocds") is None
