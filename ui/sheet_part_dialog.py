"""Which part of the evaluation the scoring sheets hold: evaluators, criteria, bids.

A large panel shares the work: each evaluator marks their own section of questions
for a batch of bids. The dialog starts at everything (every evaluator, every scored
criterion, every bid), shows how many rows the longest sheet will hold, and keeps
Export disabled, saying how to make it fit, while a sheet would be too long to be
read back. Everything is reachable from the keyboard: Space ticks an evaluator,
the lists jump to the id typed (each entry starts with its id), Enter exports.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from procure_desk.wording import one_line, plural
from procure_desk.workbooks.sheet_part import (
    MAX_SHEET_ROWS,
    PartChoice,
    SheetPart,
    fit_advice,
    resolve,
)

Record = dict[str, Any]


def _depths(criteria: list[Record]) -> dict[str, int]:
    parent = {c["id"]: c.get("parent") for c in criteria}
    out: dict[str, int] = {}
    for cid in parent:
        depth, node = 0, parent[cid]
        while node is not None and depth <= len(parent):
            depth, node = depth + 1, parent.get(node)
        out[cid] = depth
    return out


class SheetPartDialog(QDialog):
    """Evaluators (ticked), a section or criterion, and a run of bids; `choice()` after."""

    def __init__(self, parent: QWidget | None, doc: Record):
        super().__init__(parent)
        self.doc = doc
        self.setWindowTitle("Export scoring sheets")
        self.resize(620, 520)
        intro = QLabel("Choose what the sheets hold: each evaluator gets a sheet of the chosen "
                       "criteria for the chosen bids (bids they declared a conflict with are "
                       "left out).")
        intro.setWordWrap(True)

        self.evaluators = QListWidget()
        self.evaluators.setAccessibleName("Evaluators")
        for e in doc["evaluators"]:
            item = QListWidgetItem(f"{e['id']}  {one_line(e['name'], 60)}")
            item.setData(Qt.ItemDataRole.UserRole, e["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.evaluators.addItem(item)
        if self.evaluators.count():
            self.evaluators.setCurrentRow(0)
        self.all_button = QPushButton("&All")
        self.none_button = QPushButton("&None")
        self.all_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Checked))
        self.none_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Unchecked))
        ticks = QHBoxLayout()
        ticks.addWidget(self.all_button)
        ticks.addWidget(self.none_button)
        ticks.addStretch(1)

        self.criteria = QComboBox()
        self.criteria.setAccessibleName("Criteria")
        self._fill_criteria()
        self.first_bid = QComboBox()
        self.first_bid.setAccessibleName("First bid")
        self.last_bid = QComboBox()
        self.last_bid.setAccessibleName("Last bid")
        for combo in (self.first_bid, self.last_bid):
            for b in doc["bids"]:
                combo.addItem(f"{b['id']}  {one_line(b['supplier'], 50)}", b["id"])
        self.last_bid.setCurrentIndex(self.last_bid.count() - 1)

        self.rows = QLabel()
        self.rows.setAccessibleName("Rows per sheet")
        self.rows.setWordWrap(True)
        self.rows.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Export…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        ev_label = QLabel("E&valuators:")
        ev_label.setBuddy(self.evaluators)
        box = QVBoxLayout()
        box.addWidget(self.evaluators)
        box.addLayout(ticks)
        form.addRow(ev_label, box)
        for text, widget in (("&Criteria:", self.criteria), ("&From bid:", self.first_bid),
                             ("&To bid:", self.last_bid)):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form, 1)
        layout.addWidget(self.rows)
        layout.addWidget(self.buttons)

        self.evaluators.itemChanged.connect(lambda _item: self.update_rows())
        for combo in (self.criteria, self.first_bid, self.last_bid):
            combo.currentIndexChanged.connect(lambda _i: self.update_rows())
        self.update_rows()
        self.evaluators.setFocus()

    # ---- filling and reading ------------------------------------------------------------
    def _fill_criteria(self) -> None:
        criteria = self.doc["criteria"]
        depth = _depths(criteria)
        under: dict[str, int] = {}
        parent = {c["id"]: c.get("parent") for c in criteria}
        for c in criteria:
            if c["kind"] != "scored":
                continue
            node, hops = parent[c["id"]], 0
            while node is not None and hops <= len(parent):
                under[node] = under.get(node, 0) + 1
                node, hops = parent.get(node), hops + 1
        n_scored = sum(c["kind"] == "scored" for c in criteria)
        self.criteria.addItem(f"Every scored criterion ({n_scored:,})", "")
        for c in criteria:
            if c["kind"] == "section" and under.get(c["id"]):
                count = plural(under[c["id"]], "scored criterion", "scored criteria")
                text = (f"{c['id']}  {'· ' * depth[c['id']]}{one_line(c['name'], 50)} "
                        f"(section: {count})")
            elif c["kind"] == "scored":
                text = f"{c['id']}  {'· ' * depth[c['id']]}{one_line(c['name'], 50)}"
            else:
                continue
            self.criteria.addItem(text, c["id"])

    def _tick_all(self, state: Qt.CheckState) -> None:
        for i in range(self.evaluators.count()):
            self.evaluators.item(i).setCheckState(state)

    def ticked(self) -> list[str]:
        return [self.evaluators.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.evaluators.count())
                if self.evaluators.item(i).checkState() == Qt.CheckState.Checked]

    def choice(self) -> PartChoice:
        """What is chosen; an empty tuple where everything is."""
        ticked = self.ticked()
        evaluators = () if len(ticked) == self.evaluators.count() else tuple(ticked)
        cid = self.criteria.currentData()
        first, last = self.first_bid.currentIndex(), self.last_bid.currentIndex()
        ids = [b["id"] for b in self.doc["bids"]]
        whole = first == 0 and last == len(ids) - 1
        bids = () if whole or first > last else tuple(ids[first:last + 1])
        return PartChoice(evaluators, (cid,) if cid else (), bids)

    # ---- the row count, and the polite refusal ---------------------------------------
    def update_rows(self) -> None:
        text, fits = self._verdict()
        self.rows.setText(text)
        self.rows.setStyleSheet("" if fits else "color: #9c0006;")
        self.ok.setEnabled(fits)

    def _verdict(self) -> tuple[str, bool]:
        if not self.ticked():
            return "Tick at least one evaluator.", False
        if self.first_bid.currentIndex() > self.last_bid.currentIndex():
            return "The first bid comes after the last: choose a run of bids in order.", False
        part = resolve(self.doc, self.choice())
        ev = max(part.evaluators, key=part.row_count)
        longest = part.row_count(ev)
        n_sheets = plural(len(part.evaluators), "sheet")
        size = (f"{n_sheets}; the longest holds {plural(longest, 'row')} "
                f"({plural(len(part.bids_for(ev)), 'bid')} x "
                f"{plural(len(part.criteria), 'scored criterion', 'scored criteria')}).")
        if not longest and not part.whole:
            return ("No sheet would hold a row: the chosen evaluators declared a conflict "
                    "of interest with every chosen bid."), False
        if longest <= MAX_SHEET_ROWS:
            return size, True
        return f"{size}\n{self._too_long(part)}", False

    def _too_long(self, part: SheetPart) -> str:
        advice = fit_advice(self.doc, part)
        ways = []
        if advice.section is not None:
            bids = ("" if advice.bids_with_section >= len(part.bids) else
                    f" and at most {plural(advice.bids_with_section, 'bid')}")
            ways.append(f"choose one section (the largest, {advice.section['id']}, has "
                        f"{advice.section_count:,} scored criteria){bids}")
        if advice.bids_now:
            ways.append(f"keep these criteria and choose at most "
                        f"{plural(advice.bids_now, 'bid')}")
        return (f"Too long: a sheet can be read back with at most {MAX_SHEET_ROWS:,} rows. "
                f"To make it fit, {', or '.join(ways) or 'choose fewer criteria'}; or score "
                "in the application.")
