"""Feedback to the bidder: what a bidder is told about its tender on one criterion.

Kept apart from what is internal (evaluators' comments, the moderation rationale):
only this text reaches a bidder's assessment summary. The Moderation view shows it
for the selected (bid, criterion) pair, or for the bid's price criterion; it is
saved as one undoable step when the box loses the focus or another pair is chosen,
as every other edit is. Text the file refuses stays in the box as a draft, with the
reason, until it is put right.

`feedback_needed` lists the pairs an assessment summary needs reasons for (every
assessed tender in a competitive tender, on every scored and price criterion);
the panel says which still have none, since summaries are refused without them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from procure_desk.engine import Results
from procure_desk.errors import BadInput
from procure_desk.wording import one_line

from .. import ask
from ..document import Document
from .scale import criterion_label

Record = dict[str, Any]
Pair = tuple[str, str]
ASSESSED = ("ranked", "incomplete")  # statuses of a tender whose summary gives scores


def feedback_needed(doc: Record, res: Results) -> list[Pair]:
    """(bid, criterion) pairs an assessment summary needs feedback on, in bid then
    criterion order: none outside a competitive tender."""
    if doc["evaluation"].get("procedure") != "competitive_tender":
        return []
    snap = res.snap
    crits = [c["id"] for c in doc["criteria"] if c["kind"] in ("scored", "price")]
    out: list[Pair] = []
    for i, b in enumerate(snap.bids):
        if bool(snap.tender[i]) and res.status[i] in ASSESSED:
            out.extend((b["id"], c) for c in crits)
    return out


def feedback_missing(doc: Record, res: Results) -> list[Pair]:
    have = {(f["bid"], f["criterion"]) for f in doc.get("feedback", []) if f["text"].strip()}
    return [p for p in feedback_needed(doc, res) if p not in have]


class FeedbackPanel(QGroupBox):
    """The feedback box of the Moderation view (see the module's docstring)."""

    def __init__(self, document: Document, problem: Any, parent: QWidget | None = None):
        super().__init__("Feedback to the bidder", parent)
        self.document = document
        self.problem = problem  # problem(title, text): the view's banner
        self.editable = True
        self._key: Pair | None = None  # the pair whose text is in the box
        self.drafts: dict[Pair, str] = {}  # refused text, kept until put right
        self.bid: Record | None = None
        self._row_criterion: str | None = None  # the criterion of the row shown
        self.note = QLabel("Goes to the bidder in its assessment summary. Evaluators' "
                           "comments and the moderation rationale above are internal: "
                           "they are never sent.")
        self.note.setWordWrap(True)
        self.criterion_box = QComboBox()
        self.criterion_box.setAccessibleName("Feedback on criterion")
        self.criterion_box.activated.connect(lambda _i: self._load())
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Feedback to the bidder")
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText("The reasons for this score, written for the bidder "
                                     "(saved when you leave the box)")
        self.text.installEventFilter(self)
        self.missing = QLabel()
        self.missing.setTextFormat(Qt.TextFormat.PlainText)
        self.missing.setWordWrap(True)
        self.missing.setAccessibleName("Feedback still missing")
        form = QFormLayout(self)
        form.addRow(self.note)
        on = QLabel("O&n:")
        on.setBuddy(self.criterion_box)
        form.addRow(on, self.criterion_box)
        label = QLabel("Feed&back:")
        label.setBuddy(self.text)
        form.addRow(label, self.text)
        form.addRow(self.missing)

    # ---- which pair ------------------------------------------------------------------
    def key(self) -> Pair | None:
        cid = self.criterion_box.currentData()
        return (self.bid["id"], cid) if self.bid is not None and cid else None

    def show_pair(self, bid: Record | None, criterion: Record | None) -> None:
        """Show the feedback on (bid, criterion), saving what was typed first."""
        self.commit()
        # the same pair shown again (a refresh): keep the criterion chosen in the box
        keep = self.criterion_box.currentData() if (
            bid is not None and self.bid is not None and bid["id"] == self.bid["id"]
            and criterion is not None and criterion["id"] == self._row_criterion) else None
        self._row_criterion = criterion["id"] if criterion is not None else None
        self.bid = bid
        self.criterion_box.blockSignals(True)
        self.criterion_box.clear()
        if bid is not None and criterion is not None:
            self.criterion_box.addItem(criterion_label(criterion, 60), criterion["id"])
            for c in self.document.doc()["criteria"]:
                if c["kind"] == "price":
                    self.criterion_box.addItem(criterion_label(c, 60), c["id"])
            if keep is not None and self.criterion_box.findData(keep) >= 0:
                self.criterion_box.setCurrentIndex(self.criterion_box.findData(keep))
        self.criterion_box.blockSignals(False)
        self._load()
        self.update_missing()

    def _load(self) -> None:
        self.commit()
        key = self.key()
        self._key = key
        if key is None:
            self._set_text("")
            self.text.setEnabled(False)
            return
        self.text.setEnabled(True)
        self.text.setReadOnly(not self.editable)
        self.setTitle(f"Feedback to the bidder: {key[0]} on {key[1]}")
        draft = self.drafts.get(key)
        self._set_text(draft if draft is not None else self.saved_text(key))
        if draft is not None:
            self.text.document().setModified(True)

    def saved_text(self, key: Pair) -> str:
        return next((f["text"] for f in self.document.doc().get("feedback", [])
                     if (f["bid"], f["criterion"]) == key), "")

    def _set_text(self, text: str) -> None:
        self.text.blockSignals(True)
        self.text.setPlainText(text)
        self.text.document().setModified(False)
        self.text.blockSignals(False)

    def refresh(self) -> None:
        """After a change: the saved text, unless something is being typed."""
        if self._key is not None and not self.text.document().isModified():
            self._set_text(self.saved_text(self._key))
        self.update_missing()

    # ---- saving ----------------------------------------------------------------------
    def commit(self) -> bool:
        """Save the typed text (one undoable step); False when refused (kept as a draft)."""
        key = self._key
        if key is None or not self.text.document().isModified():
            return True
        text = self.text.toPlainText().strip()
        self.text.document().setModified(False)
        if text == self.saved_text(key).strip():
            self.drafts.pop(key, None)
            return True
        try:
            self.document.set_feedback(key[0], key[1], text)
        except BadInput as exc:
            self.drafts[key] = self.text.toPlainText()
            self.text.document().setModified(True)
            self.problem("Feedback not saved (kept in the box as a draft)",
                         ask.problem_text(exc))
            return False
        self.drafts.pop(key, None)
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text and event.type() == QEvent.Type.FocusOut:
            self.commit()
        return super().eventFilter(watched, event)

    def update_missing(self) -> None:
        doc = self.document.doc()
        needed = feedback_needed(doc, self.document.results())
        if not needed:
            self.missing.setText("Assessment summaries are written only in a competitive "
                                 "tender: none needs feedback in this evaluation.")
            return
        missing = feedback_missing(doc, self.document.results())
        if not missing:
            self.missing.setText(f"Every one of the {len(needed)} tender/criterion pairs "
                                 "has feedback.")
            return
        shown = ", ".join(f"{b} {c}" for b, c in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        self.missing.setText(f"Still without feedback ({len(missing)} of {len(needed)}; "
                             f"assessment summaries are refused until each has some): "
                             f"{one_line(shown, 400)}{more}.")
