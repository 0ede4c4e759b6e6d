"""The Shared service view: partners, the apportionment editor, costs and savings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from ui.table_model import SORT_ROLE


@pytest.fixture
def view(qtbot, document):
    from ui.views.shared import SharedView

    # The worked example has one partner (C1, 98,000 people); add a second of 2,000,
    # and make B2 (best-of-breed in the example) the shared-service bid.
    document.add_partner({"id": "C2", "name": "Small Parish =1+1", "population": 2000,
                          "baseline_annual_cost": 10000})
    document.update_bid("B2", {"option_type": "shared_service"})
    v = SharedView(document)
    qtbot.addWidget(v)
    v.show()
    v.bid_box.setCurrentIndex(v.bid_box.findData("B2"))
    return v


def set_cell(model, row, col, value, role=Qt.ItemDataRole.EditRole):
    return model.setData(model.index(row, col), value, role)


def test_models_pass_the_model_tester(view, qtmodeltester):
    view.method_box.setCurrentIndex(view.method_box.findData("custom"))
    for model in (view.partners_model, view.split_model, view.savings_model):
        qtmodeltester.check(model)


def test_partner_edits_are_undoable(view, qtbot):
    m = view.partners_model
    assert set_cell(m, 1, 2, "2,500")
    qtbot.waitUntil(lambda: m.index(1, 2).data() == "2,500")
    assert view.document.doc()["partners"][1]["population"] == 2500
    view.document.undo_stack.undo()
    assert view.document.doc()["partners"][1]["population"] == 2000


def test_a_bad_population_is_refused_in_words(view):
    assert not set_cell(view.partners_model, 0, 2, "lots")
    assert "not a number" in view.banner.text()
    assert view.document.doc()["partners"][0]["population"] == 98000


def test_a_good_edit_clears_the_last_refusal(view):
    m = view.partners_model
    assert not set_cell(m, 0, 2, "1250.5")  # half a person
    assert "not a whole number" in view.banner.text()
    assert view.banner.isVisibleTo(view)
    assert set_cell(m, 0, 3, "1250.50")  # a baseline in pounds and pence
    assert view.document.doc()["partners"][0]["baseline_annual_cost"] == 1250.5
    assert not view.banner.isVisibleTo(view)
    view.method_box.setCurrentIndex(view.method_box.findData("custom"))
    assert not set_cell(view.split_model, 0, 3, "-5")
    assert "must be 0 or more" in view.banner.text()
    assert set_cell(view.split_model, 0, 3, "40")
    assert not view.banner.isVisibleTo(view)


def test_population_split_applied_and_costed(view):
    # B2 pays 80,000 a year for 5 years; NPV at 3.5% = 80,000 x 4.67308 = 373,846.
    # C1 has 98,000 of the 100,000 people: 98%, C2 2%.
    view.method_box.setCurrentIndex(view.method_box.findData("population"))
    sm = view.split_model
    assert [sm.index(r, 4).data() for r in range(2)] == ["98.0%", "2.0%"]
    assert view.apply_button.isEnabled()
    view.apply_button.click()
    bid = next(b for b in view.document.doc()["bids"] if b["id"] == "B2")
    assert bid["apportionment"] == {"method": "population"}
    rows = view.savings_model.rows
    assert [(r["partner"], round(r["share"], 4)) for r in rows] == [("C1", 0.98), ("C2", 0.02)]
    npv = 80000 * sum(1 / 1.035 ** y for y in range(5))
    assert rows[0]["cost"] == pytest.approx(0.98 * npv)
    assert view.savings_model.index(0, 3).data() == f"£{0.98 * npv:,.0f}"
    # baseline: C1's 210,000 a year, discounted the same way
    assert rows[0]["baseline"] == pytest.approx(210000 * npv / 80000)
    assert "B2:" in view.break_even_label.text()
    view.document.undo_stack.undo()
    bid = next(b for b in view.document.doc()["bids"] if b["id"] == "B2")
    assert bid.get("apportionment") is None
    assert view.savings_model.rowCount() == 0


def test_custom_shares_must_add_up_to_100(view):
    view.method_box.setCurrentIndex(view.method_box.findData("custom"))
    sm = view.split_model
    assert set_cell(sm, 0, 3, "30")
    assert set_cell(sm, 1, 3, "60")
    view.update_editor()
    assert "add up to 90%" in view.split_check.text()
    assert not view.apply_button.isEnabled()
    assert set_cell(sm, 1, 3, "70")
    view.update_editor()
    assert view.apply_button.isEnabled()
    view.apply_button.click()
    bid = next(b for b in view.document.doc()["bids"] if b["id"] == "B2")
    assert bid["apportionment"] == {"method": "custom", "shares": {"C1": 30, "C2": 70}}
    assert [round(r["share"], 2) for r in view.savings_model.rows] == [0.3, 0.7]


def test_unticking_a_partner_shares_among_the_rest(view):
    view.method_box.setCurrentIndex(view.method_box.findData("equal"))
    assert set_cell(view.split_model, 1, 0, Qt.CheckState.Unchecked.value,
                    Qt.ItemDataRole.CheckStateRole)
    view.update_editor()
    assert view.split_model.index(0, 4).data() == "100.0%"
    view.apply_button.click()
    bid = next(b for b in view.document.doc()["bids"] if b["id"] == "B2")
    assert bid["apportionment"] == {"method": "equal", "partners": ["C1"]}
    # untick the last one too: nothing to apply, and the editor says why
    view.load_pending()
    set_cell(view.split_model, 0, 0, Qt.CheckState.Unchecked.value,
             Qt.ItemDataRole.CheckStateRole)
    view.update_editor()
    assert "at least one partner" in view.split_check.text()
    assert not view.apply_button.isEnabled()


def test_add_and_remove_partner(view):
    view.add_button.click()
    assert len(view.document.doc()["partners"]) == 3
    view.partners_table.selectRow(2)
    view.remove_button.click()
    assert [p["id"] for p in view.document.doc()["partners"]] == ["C1", "C2"]


def test_custom_starts_from_the_previous_split_adding_up_to_100(view):
    # by population C1 has 98% and C2 2%; switching to custom keeps those figures
    view.method_box.setCurrentIndex(view.method_box.findData("population"))
    view.method_box.setCurrentIndex(view.method_box.findData("custom"))
    assert [view.split_model.index(r, 3).data() for r in range(2)] == ["98", "2"]
    assert view.apply_button.isEnabled()


def test_title_and_break_even_in_plain_words(view):
    from PySide6.QtWidgets import QLabel

    assert any(w.text() == "<h2>Shared service</h2>" for w in view.findChildren(QLabel))
    view.method_box.setCurrentIndex(view.method_box.findData("equal"))
    view.apply_button.click()
    # B2 (NPV 373,846) already costs less than going alone with B1 (NPV over 600,000):
    # one partner of average size is enough; C1 and C2 share it now
    text = view.break_even_label.text()
    assert "once 1 partner of average size shares it; 2 partners share it now." in text
    assert "(s)" not in text


def bids_offered(view):
    return [view.bid_box.itemData(i) for i in range(view.bid_box.count())]


def test_only_shared_service_bids_are_offered(view, qtbot):
    from PySide6.QtWidgets import QLabel

    doc = view.document
    assert bids_offered(view) == ["B2"]  # B1, an enterprise suite, is not split
    # with no shared-service bid left, the editor says so and offers nothing to split
    doc.update_bid("B2", {"option_type": "best_of_breed"})
    assert bids_offered(view) == []
    assert view.split_check.text() == ("⚠ No shared-service bid: mark a bid's option type "
                                       "as Shared service in Bids.")
    assert not view.method_box.isEnabled()
    assert not view.apply_button.isEnabled()
    view.apply()  # nothing to apply it to
    assert all(not b.get("apportionment") for b in doc.doc()["bids"])
    assert "No shared-service bid" in view.break_even_label.text()
    assert not any("choose a bid above" in w.text() for w in view.findChildren(QLabel))
    doc.undo_stack.undo()
    assert bids_offered(view) == ["B2"]
    assert view.method_box.isEnabled()


def test_a_bid_split_before_its_type_changed_can_only_be_unsplit(view):
    doc = view.document
    view.method_box.setCurrentIndex(view.method_box.findData("equal"))
    view.apply_button.click()
    doc.update_bid("B2", {"option_type": "best_of_breed"})
    assert bids_offered(view) == ["B2"]  # still offered: its split is on record
    assert "B2 is Best-of-breed, not a shared-service bid" in view.split_check.text()
    assert not view.apply_button.isEnabled()
    view.method_box.setCurrentIndex(view.method_box.findData(None))  # Not shared
    assert view.apply_button.isEnabled()
    view.apply_button.click()
    assert next(b for b in doc.doc()["bids"] if b["id"] == "B2").get("apportionment") is None
    assert bids_offered(view) == []


def test_buttons_and_fields_have_their_own_alt_keys(view, qtbot):
    from PySide6.QtWidgets import QAbstractButton, QLabel

    texts = [b.text() for b in view.findChildren(QAbstractButton) if b.text()]
    texts += [w.text() for w in view.findChildren(QLabel) if w.buddy() is not None]
    keys = [t[t.index("&") + 1].lower() for t in texts if "&" in t]
    assert len(keys) == len(texts)  # every one has a mnemonic
    assert len(set(keys)) == len(keys)  # no two the same
    assert not set(keys) & {"f", "e", "v", "h"}  # clear of the menu bar's
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # Add partner
    qtbot.waitUntil(lambda: len(view.document.doc()["partners"]) == 3)  # an animated click


def test_figures_typed_into_the_partner_cells_are_saved_as_typed(view, qtbot):
    from PySide6.QtWidgets import QApplication, QLineEdit

    t = view.partners_table
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)

    def type_into(col, text):
        t.setFocus()
        t.setCurrentIndex(t.model().index(0, col))  # as shown (a sorting proxy)
        t.edit(t.currentIndex())
        editor = QApplication.focusWidget()
        assert isinstance(editor, QLineEdit)  # text, not a spin box that drops the point
        editor.selectAll()
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    type_into(3, "1250.50")
    qtbot.waitUntil(lambda: view.document.doc()["partners"][0]["baseline_annual_cost"]
                    == 1250.5)
    type_into(2, "1250.5")
    qtbot.waitUntil(lambda: "not a whole number" in view.banner.text())
    assert view.document.doc()["partners"][0]["population"] == 98000
    type_into(2, "12,500")
    qtbot.waitUntil(lambda: view.document.doc()["partners"][0]["population"] == 12500)
    assert not view.banner.isVisibleTo(view)


def test_amounts_are_written_as_everywhere_else(view):
    # a partner whose baseline is tiny loses by sharing: its saving is negative
    view.document.update_evaluation({"currency": "EUR"})
    assert view.edit(view.document.update_partner, "C2", {"baseline_annual_cost": 100})
    view.method_box.setCurrentIndex(view.method_box.findData("population"))
    view.apply_button.click()
    npv = 80000 * sum(1 / 1.035 ** y for y in range(5))
    saving = 100 * npv / 80000 - 0.02 * npv
    assert saving < 0
    m = view.savings_model
    c2 = next(i for i, r in enumerate(m.rows) if r["partner"] == "C2")
    assert m.index(c2, 5).data() == f"-€{-saving:,.0f}"  # the sign first, then the symbol
    assert view.partners_model.index(1, 3).data() == "€100"
    view.document.update_evaluation({"currency": "CHF"})
    assert m.index(c2, 4).data() == f"{100 * npv / 80000:,.0f} CHF"


def test_savings_sort_by_a_header_click_as_numbers(view, qtbot, qtmodeltester):
    view.method_box.setCurrentIndex(view.method_box.findData("population"))
    view.apply_button.click()
    table = view.savings_table
    proxy = table.model()
    qtmodeltester.check(proxy)
    saving = 5
    header = table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().topLeft() + QPoint(
                         header.sectionViewportPosition(saving) + 5, 5))
    shown = [proxy.index(r, saving).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert len(shown) == 2
    assert shown == sorted(shown) or shown == sorted(shown, reverse=True)
    assert header.sortIndicatorSection() == saving
    before = [proxy.index(r, 1).data() for r in range(proxy.rowCount())]
    table.sortByColumn(saving, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, saving).data(SORT_ROLE) for r in range(2)] == sorted(
        shown, reverse=True)
    assert sorted(before) == sorted(proxy.index(r, 1).data() for r in range(2))
