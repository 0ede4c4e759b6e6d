"""A whole session as a user lives it: new file, bid with costs, conflict, reopen."""

from __future__ import annotations

from PySide6.QtCore import Qt

from procure_desk import paths
from ui import ask


def test_new_bid_conflict_close_reopen(window, tmp_path, monkeypatch, no_dialogs):
    monkeypatch.setattr(ask, "new_evaluation", lambda parent, templates: {
        "title": "Customer platform", "reference": "", "authority": "",
        "procedure": "competitive_tender", "template": "mat-60-40"})
    target = tmp_path / "tender.pdesk"
    monkeypatch.setattr(ask, "save_path", lambda *a, **k: str(target))
    window.new_action.trigger()
    window.show()
    doc = window.document
    assert doc is not None

    bids = window.show_view("bids")
    bids.add_bid()
    bm = bids.bid_model
    assert bm.setData(bm.index(0, 1), "Acme Civic Ltd")
    bids.add_line()
    assert bids.cost_model.setData(bids.cost_model.index(0, 2), "50000")
    assert bids.cost_model.setData(bids.cost_model.index(0, 4), "5")

    evs = window.show_view("evaluators")
    evs.add_evaluator()
    assert evs.roster_model.setData(evs.roster_model.index(0, 1), "R. Adeyemi")
    cm = evs.conflicts_model
    assert cm.setData(cm.index(0, 0), Qt.CheckState.Checked.value,
                      Qt.ItemDataRole.CheckStateRole)
    declared = doc.conflict_dates()[("E1", "B1")]

    window.close_action.trigger()
    assert window.document is None
    assert window.open_file(target)
    again = window.document.doc()
    assert again["bids"][0]["supplier"] == "Acme Civic Ltd"
    assert again["bids"][0]["costs"][0]["amount"] == 50000
    assert again["evaluators"][0]["name"] == "R. Adeyemi"
    assert again["evaluators"][0]["conflicts"] == ["B1"]
    evs = window.show_view("evaluators")
    evs.ensure_fresh()
    assert evs.conflicts_model.index(0, 0).data() == declared
    bids = window.show_view("bids")
    assert bids.bid_model.index(0, 5).data() == "£250,000"
    assert no_dialogs == []


def test_screenshots_render_every_view(tmp_path):
    import pytest

    if not paths.SAMPLE_TENDER.exists():
        pytest.skip("the sample tender (sample_bids/harrowmere.json) is not there yet")
    from PySide6.QtGui import QImage

    from ui.screenshots import EXTRA_SHOTS, HEIGHT, WIDTH, render
    from ui.views import view_classes

    written = render(tmp_path / "shots")
    names = [p.name for p in written]
    # one picture per view, numbered in sidebar order, then the states views alone
    # do not show (a submitted evaluator, a sealed record)
    views = [f"{i:02d}-{key}.png" for i, (key, _, _) in enumerate(view_classes(), start=1)]
    extra = [f"{len(views) + i:02d}-{name}.png"
             for i, (name, _f, _v, _e) in enumerate(EXTRA_SHOTS, start=1)]
    assert names == views + extra
    for p in written:
        img = QImage(str(p))
        assert (img.width(), img.height()) == (WIDTH, HEIGHT)
