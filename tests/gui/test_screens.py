"""The window fits a laptop: at 1280x720 and 1366x768 every view is shown without the
window growing, no view asks for more than 1024 px, and the columns that hold names
keep a readable width."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from procure_desk import paths
from procure_desk.services import import_json


@pytest.fixture
def demo_window(window, tmp_path):
    if not paths.SAMPLE_TENDER.exists():
        pytest.skip("the sample tender (sample_bids/harrowmere.json) is not there")
    demo = tmp_path / "demo.pdesk"
    import_json(paths.SAMPLE_TENDER, demo, actor="demo").close()
    assert window.open_file(demo)
    window.show()
    return window


def _names(window, key):
    """(what, width) of the name columns a view shows."""
    view = window.views[key]
    if key == "bids":
        return [("Bids: Supplier", view.table.columnWidth(1))]
    if key == "results":
        return [("Results: Supplier", view.table.columnWidth(2)),
                ("Results: Criterion", view.breakdown.columnWidth(0))]
    if key == "audit":
        return [("Audit log: What happened", view.table.columnWidth(2))]
    if key == "analysis":
        return [("Analysis: Criterion", view.switching_table.columnWidth(0))]
    return []


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_every_view_fits_without_widening_the_window(demo_window, qtbot, size):
    w = demo_window
    w.resize(*size)
    qtbot.waitUntil(lambda: (w.width(), w.height()) == size)
    for key in w.view_keys():
        view = w.show_view(key)
        view.ensure_fresh()
        QApplication.processEvents()
        assert (w.width(), w.height()) == size, key
        assert view.minimumSizeHint().width() <= 800, key  # 1024 with the sidebar
        for what, width in _names(w, key):
            assert width >= 150, (what, width)
    assert w.minimumSizeHint().width() <= 1024
    assert w.minimumSizeHint().height() <= 700


def test_a_narrow_window_keeps_the_names_readable(demo_window, qtbot):
    w = demo_window
    w.resize(1024, 700)
    qtbot.waitUntil(lambda: w.width() == 1024)
    view = w.show_view("bids")
    QApplication.processEvents()
    assert w.width() == 1024
    assert view.table.columnWidth(1) >= 220  # the Supplier column (30 px before)


def test_cut_text_is_shown_whole_on_hover(demo_window):
    """Exclusion reasons, criterion names and chart legends: whole in a tooltip."""
    from PySide6.QtCore import Qt

    w = demo_window
    results = w.show_view("results")
    results.ensure_fresh()
    snap = w.document.snapshot()
    m = results.ranking_model
    excluded = [r for r in m.rows if r["status"] == "excluded"]
    assert excluded
    reasons = next(i for i, c in enumerate(m.columns) if c.title == "Reasons")
    row = m.rows.index(excluded[0])
    assert m.index(row, reasons).data(Qt.ItemDataRole.ToolTipRole) == "\n".join(
        excluded[0]["reasons"])
    long_section = max((snap.names[s] for s in snap.section_ids), key=len)
    assert long_section in results.chart_view.toolTip()  # the legend elides it
    analysis = w.show_view("analysis")
    analysis.ensure_fresh()
    tips = analysis.tornado.toolTip() + " ".join(
        str(analysis.switching_model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole))
        for r in range(analysis.switching_model.rowCount()))
    for e in analysis.switching_model.rows:
        assert snap.names[e["node"]] in tips
