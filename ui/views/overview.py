"""Overview: the evaluation's details (editable), progress, and what is left before award.

Progress counts each evaluator's scores against what they are expected to score
(every scored question for every bid they have no conflict with). The checklist
reads the results the engine computes; nothing is scored here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from procure_desk import interchange
from procure_desk.errors import BadInput
from procure_desk.wording import plural

from ..document import Document
from ..table_model import RIGHT, Column, RecordTableModel, parse_int, parse_number
from .base import Banner, View
from .bids import cost_warnings, make_table

OK, TODO = "✔", "✘"


class OverviewView(View):
    title = "Overview"
    interests = ("evaluation", "criteria", "bids", "evaluators", "scores", "consensus",
                 "gateways")

    def __init__(self, document: Document, parent: QWidget | None = None):
        super().__init__(document, parent)
        self.banner = Banner(self)
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        details = QGroupBox("Evaluation")
        form = QFormLayout(details)
        for key, label in (("title", "Title"), ("reference", "Reference"),
                           ("authority", "Contracting authority"), ("currency", "Currency"),
                           ("scale_max", "Top score"), ("scale_step", "Score step"),
                           ("years", "Appraisal years"), ("rate", "Discount rate (%)"),
                           ("spread", "Flag a spread of at least")):
            edit = QLineEdit()
            edit.setAccessibleName(label)
            edit.editingFinished.connect(lambda k=key: self._commit(k))
            self.fields[key] = edit
            form.addRow(label, edit)
        basis = QComboBox()
        basis.setAccessibleName("Price scored on")
        basis.addItem("Net present value (NPV)", "npv")
        basis.addItem("Whole-life cost (WLC)", "wlc")
        basis.activated.connect(lambda _i: self._commit("basis"))
        self.fields["basis"] = basis
        form.addRow("Price scored on", basis)

        self.progress_model = RecordTableModel([
            Column("Evaluator", lambda r: r["name"]),
            Column("Role", lambda r: r["role"]),
            Column("Scores entered", lambda r: r["done"], align=RIGHT),
            Column("Expected", lambda r: r["expected"], align=RIGHT),
            Column("Progress", lambda r: f"{r['done'] / r['expected'] * 100:.0f}%"
                   if r["expected"] else "–", align=RIGHT),
        ], self)
        self.progress = make_table(self.progress_model, "Scoring progress by evaluator")
        for col, width in enumerate((200, 200, 120, 100)):
            self.progress.setColumnWidth(col, width)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.checklist = QLabel()
        self.checklist.setTextFormat(Qt.TextFormat.PlainText)
        self.checklist.setAccessibleName("Checklist toward award")
        self.checklist.setWordWrap(True)
        self.checklist.setAlignment(Qt.AlignmentFlag.AlignTop)

        progress_box = QGroupBox("Progress")
        pl = QVBoxLayout(progress_box)
        pl.addWidget(self.summary)
        pl.addWidget(self.progress)
        check_box = QGroupBox("Checklist toward award")
        cl = QVBoxLayout(check_box)
        cl.addWidget(self.checklist)
        cl.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(details, 1)
        row.addWidget(check_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Overview</h2>"))
        layout.addWidget(self.banner)
        layout.addLayout(row)
        layout.addWidget(progress_box)
        layout.addStretch(1)
        self.focus_target = self.fields["title"]
        self.refresh()

    # ---- details ---------------------------------------------------------------------
    def _values(self) -> dict[str, Any]:
        ev = self.document.doc()["evaluation"]
        return {"title": ev["title"], "reference": ev["reference"],
                "authority": ev["authority"], "currency": ev["currency"],
                "scale_max": ev["scale"]["max"], "scale_step": ev["scale"]["step"],
                "years": ev["appraisal"]["years"],
                "rate": interchange.plain(round(ev["appraisal"]["discount_rate"] * 100, 10)),
                "spread": ev["moderation"]["spread_flag"],
                "basis": ev["appraisal"]["cost_basis"]}

    def _commit(self, key: str) -> None:
        ev = self.document.doc()["evaluation"]
        widget = self.fields[key]
        value: Any = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        if str(value).strip() == str(self._values()[key]):
            return
        try:
            if key in ("title", "reference", "authority", "currency"):
                change: dict[str, Any] = {key: str(value).strip()}
            elif key in ("scale_max", "scale_step"):
                n = parse_number(value, f"evaluation.scale.{key[6:]}")
                change = {"scale": dict(ev["scale"], **{key[6:]: interchange.plain(n)})}
            elif key == "years":
                change = {"appraisal": dict(ev["appraisal"],
                                            years=parse_int(value, "evaluation.appraisal.years"))}
            elif key == "rate":
                rate = parse_number(value, "evaluation.appraisal.discount_rate") / 100
                change = {"appraisal": dict(ev["appraisal"], discount_rate=rate)}
            elif key == "basis":
                change = {"appraisal": dict(ev["appraisal"], cost_basis=value)}
            else:
                change = {"moderation": dict(ev["moderation"], spread_flag=interchange.plain(
                    parse_number(value, "evaluation.moderation.spread_flag")))}
        except BadInput as exc:
            self.show_problem("Not changed", str(exc))
            self._put_back(key)
            return
        if not self.edit(self.document.update_evaluation, change):
            self._put_back(key)

    def _put_back(self, key: str) -> None:
        """After a refusal, the field shows the saved value again (the banner says why),
        all selected so the user can type over it."""
        widget = self.fields[key]
        value = self._values()[key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))
        else:
            widget.setText(str(value))
            if widget.hasFocus():
                widget.selectAll()
            else:
                widget.setCursorPosition(0)

    def _fill_details(self) -> None:
        for key, value in self._values().items():
            widget = self.fields[key]
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
            elif not widget.hasFocus() or widget.text() == "":
                widget.setText(str(value))
                widget.setCursorPosition(0)

    # ---- progress and checklist ------------------------------------------------------
    def refresh(self) -> None:
        self._fill_details()
        doc = self.document.doc()
        res = self.document.results()
        snap = res.snap
        n_scored = len(snap.scored_ids)
        n_bids = len(snap.bid_ids)
        done = Counter(r["evaluator"] for r in doc["scores"])
        rows = []
        for e in doc["evaluators"]:
            free = n_bids - len([b for b in e["conflicts"] if b in set(snap.bid_ids)])
            rows.append({"name": f"{e['id']} {e['name']}", "role": e["role"],
                         "done": done.get(e["id"], 0), "expected": free * n_scored})
        self.progress_model.set_rows(rows)
        # as tall as its rows (up to 15), so the page does not end in an empty white box
        h = self.progress.verticalHeader().defaultSectionSize()
        self.progress.setMaximumHeight(self.progress.horizontalHeader().sizeHint().height()
                                       + min(max(len(rows), 1), 15) * h
                                       + 2 * self.progress.frameWidth())
        flags = res.flags()
        gates_expected = n_bids * len(snap.gate_ids)
        gates_missing = gates_expected - len(doc["gateways"])
        total_done = sum(r["done"] for r in rows)
        total_expected = sum(r["expected"] for r in rows)
        self.summary.setText(
            f"{plural(n_bids, 'bid')} · {plural(n_scored, 'scored question')} · "
            f"{plural(len(doc['evaluators']), 'evaluator')} · {total_done:,} of "
            f"{total_expected:,} scores entered · {plural(len(flags), 'item')} to moderate · "
            f"{plural(gates_missing, 'gateway result')} missing")

        problems = interchange.section_weight_problems(doc["criteria"])
        status = Counter(res.status)
        winner = res.winner
        winner_name = next((b["supplier"] for b in doc["bids"] if b["id"] == winner), "")
        items = [
            (not problems and n_scored > 0, "Criteria weighted (every section carries weight)"
             if not problems else f"Criteria: {problems[0].message}"),
            (n_bids >= 1, f"Bids entered ({n_bids})"),
        ]
        no_costs = cost_warnings(doc, res)
        items += [(False, w) for w in no_costs] or [
            (n_bids > 0, "Every bid has its costs" if all(b["costs"] for b in doc["bids"])
             else "Every bid still in the competition has its costs")]
        items += [
            (bool(doc["evaluators"]), f"Evaluators named ({len(doc['evaluators'])})"),
            (total_expected > 0 and total_done >= total_expected,
             f"All scores entered ({total_done} of {total_expected})"),
            (not flags, "Moderation done" if not flags
             else f"{plural(len(flags), 'wide spread')} to moderate"),
            (gates_missing == 0, "Every gateway result recorded" if gates_missing == 0
             else f"{plural(gates_missing, 'gateway result')} missing: record them in "
                  "Bids > Gateways"),
            (status.get("incomplete", 0) == 0,
             f"{plural(status['incomplete'], 'bid')} incomplete" if status.get("incomplete")
             else "No bid incomplete"),
            (winner is not None, f"Preferred bidder: {winner} {winner_name[:80]}"
             if winner else "No preferred bidder yet"),
        ]
        self.checklist.setText("\n".join(f"{OK if ok else TODO}  {text}" for ok, text in items))
