"""Overview: the evaluation's details (editable), progress, and what is left before award.

Progress counts each evaluator's scores against what they are expected to score
(every scored question for every bid they have no conflict with). The checklist is
`procure_desk.status.status_of`, as `procure-desk status` prints it (the five checks
that keep results provisional), after the set-up steps; nothing is scored here, and
nothing is ticked that the data do not bear out: an empty evaluation ticks nothing,
and moderation is not done while scores are missing.
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
from procure_desk.chain import Verdict
from procure_desk.errors import BadInput
from procure_desk.status import CHECK_WORDS, status_of
from procure_desk.wording import one_line, plural

from .. import ask, methodology
from ..document import Document
from ..new_evaluation import PROCEDURE_WORDS
from ..table_model import RIGHT, Column, RecordTableModel, parse_int, parse_number
from ..when import local_date
from .base import Banner, View
from .bids import cost_warnings, make_table

OK, TODO = "✔", "✘"
# where each of the checks is put right
WHERE = {"scores_missing": "in Scoring", "not_submitted": "in Scoring: Submit",
         "declaration_missing": "in Evaluators", "flags_open": "in Moderation",
         "gateways_open": "record them in Bids > Gateways"}
# the settings that are part of the published methodology (a change needs a reason
# once scoring has opened)
LOCKED_KEYS = {"scale_max", "scale_step", "years", "rate", "basis"}


class CheckedFile:
    """The open file as `status_of` reads it, with the audit chain's check made when
    the file opened (it takes a second on a large file: not again at every refresh)."""

    def __init__(self, document: Document):
        self.d = document

    def document(self) -> dict[str, Any]:
        return self.d.doc()

    def results(self) -> Any:
        return self.d.results()

    def sealed(self) -> dict[str, Any] | None:
        return self.d.file.sealed()

    def verify(self) -> Verdict:
        return self.d.verdict or Verdict(True, 0, None, [])


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
        # Alt letters clear of the menu bar's (File, Edit, View, Help; T kept for Tools)
        for key, label in (("title", "T&itle"), ("reference", "&Reference"),
                           ("authority", "Contracting &authority"), ("currency", "&Currency"),
                           ("scale_max", "T&op score"), ("scale_step", "Score ste&p"),
                           ("years", "Appraisal &years"), ("rate", "&Discount rate (%)"),
                           ("spread", "Flag a spread of at &least")):
            edit = QLineEdit()
            edit.setAccessibleName(label.replace("&", ""))
            edit.editingFinished.connect(lambda k=key: self._commit(k))
            self.fields[key] = edit
            form.addRow(label, edit)
        basis = QComboBox()
        basis.setAccessibleName("Price scored on")
        basis.addItem("Net present value (NPV)", "npv")
        basis.addItem("Whole-life cost (WLC)", "wlc")
        basis.activated.connect(lambda _i: self._commit("basis"))
        self.fields["basis"] = basis
        form.addRow("Price scored o&n", basis)
        procedure = QComboBox()
        procedure.setAccessibleName("Procedure")
        for key, (label, words) in PROCEDURE_WORDS.items():
            procedure.addItem(label, key)
            procedure.setItemData(procedure.count() - 1, words, Qt.ItemDataRole.ToolTipRole)
        procedure.activated.connect(lambda _i: self._commit("procedure"))
        self.fields["procedure"] = procedure
        self.procedure_words = QLabel()
        self.procedure_words.setWordWrap(True)
        self.procedure_words.setTextFormat(Qt.TextFormat.PlainText)
        self.procedure_words.setAccessibleName("What the procedure means")
        form.addRow("Proced&ure", procedure)
        form.addRow("", self.procedure_words)
        documents = self._documents_box()

        self.progress_model = RecordTableModel([
            Column("Evaluator", lambda r: r["name"]),
            Column("Role", lambda r: r["role"]),
            Column("Scores entered", lambda r: r["done"], align=RIGHT),
            Column("Expected", lambda r: r["expected"], align=RIGHT),
            Column("Progress", lambda r: f"{r['done'] / r['expected'] * 100:.0f}%"
                   if r["expected"] else "–", align=RIGHT),
            Column("Declaration", lambda r: r["declared"],
                   header_tip="Their dated declaration of interests (Evaluators view)"),
            Column("Submitted", lambda r: r["submitted"],
                   header_tip="When they signed off their scores (Scoring view)"),
        ], self)
        self.progress = make_table(self.progress_model, "Scoring progress by evaluator")
        for col, width in enumerate((200, 180, 110, 80, 80, 150)):
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
        right = QVBoxLayout()
        right.addWidget(check_box, 1)
        right.addWidget(documents)
        row = QHBoxLayout()
        row.addWidget(details, 1)
        row.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Overview</h2>"))
        layout.addWidget(self.banner)
        layout.addLayout(row)
        layout.addWidget(progress_box)
        layout.addStretch(1)
        self.focus_target = self.fields["title"]
        self._asking = False  # a reason is being asked for: a second commit waits
        # the checklist ends with the audit chain's check, which ends after opening
        document.lockChanged.connect(self._checked)
        self.refresh()

    def _documents_box(self) -> QGroupBox:
        """What the documents need: the marking on every page, the award notice and
        standstill for the assessment summaries, the ocid prefix for OCDS."""
        box = QGroupBox("Award and publication")
        form = QFormLayout(box)
        for key, label, tip in (
                ("marking", "Security &marking", "Printed on every page of every PDF"),
                ("notice_date", "A&ward notice date",
                 "When the contract award notice is published (YYYY-MM-DD): the "
                 "standstill period runs from it"),
                ("standstill_days", "&Standstill days",
                 "Working days between the award notice and the contract (8 at least)"),
                ("contact", "Contact for &bidders",
                 "Whom bidders may ask about their assessment summary"),
                ("ocid_prefix", "OCID prefi&x",
                 "The prefix registered to the council for OCDS releases (ocds- and six "
                 "letters or digits)")):
            edit = QLineEdit()
            edit.setAccessibleName(label.replace("&", ""))
            edit.setToolTip(tip)
            edit.editingFinished.connect(lambda k=key: self._commit(k))
            self.fields[key] = edit
            form.addRow(label, edit)
        return box

    def _checked(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def lockables(self) -> list[object]:
        return list(self.fields.values())

    # ---- details ---------------------------------------------------------------------
    def _values(self) -> dict[str, Any]:
        ev = self.document.doc()["evaluation"]
        award = ev.get("award") or {}
        return {"title": ev["title"], "reference": ev["reference"],
                "authority": ev["authority"], "currency": ev["currency"],
                "scale_max": ev["scale"]["max"], "scale_step": ev["scale"]["step"],
                "years": ev["appraisal"]["years"],
                "rate": interchange.plain(round(ev["appraisal"]["discount_rate"] * 100, 10)),
                "spread": ev["moderation"]["spread_flag"],
                "basis": ev["appraisal"]["cost_basis"],
                "procedure": ev.get("procedure") or "options_appraisal",
                "marking": ev["marking"], "ocid_prefix": ev.get("ocid_prefix") or "",
                "notice_date": award.get("notice_date") or "",
                "standstill_days": award.get("standstill_days", 8),
                "contact": award.get("contact") or ""}

    def _commit(self, key: str) -> None:
        ev = self.document.doc()["evaluation"]
        widget = self.fields[key]
        value: Any = widget.currentData() if isinstance(widget, QComboBox) else widget.text()
        if str(value).strip() == str(self._values()[key]):
            if isinstance(widget, QLineEdit):
                widget.setModified(False)
            return
        try:
            if key in ("title", "reference", "authority", "currency", "procedure", "marking"):
                change: dict[str, Any] = {key: str(value).strip()}
            elif key == "ocid_prefix":
                change = {key: str(value).strip() or None}
            elif key in ("notice_date", "standstill_days", "contact"):
                change = {"award": self._award(ev, key, str(value))}
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
        if self._asking:
            return
        self._asking = True
        try:
            reason = self._reason(key, change)
        except methodology.Declined:
            self._put_back(key)
            return
        except BadInput as exc:
            self.show_problem("Not changed", ask.problem_text(exc))
            self._put_back(key)
            return
        finally:
            self._asking = False
        if not self.edit(self.document.update_evaluation, change, reason):
            self._put_back(key)
        elif isinstance(widget, QLineEdit):
            widget.setModified(False)  # entered: a later undo may replace it

    @staticmethod
    def _award(ev: dict[str, Any], key: str, value: str) -> dict[str, Any]:
        """The award details with one of them changed (created when there are none)."""
        award = dict(ev.get("award") or {"notice_date": None, "standstill_days": 8,
                                         "contact": ""})
        if key == "standstill_days":
            award[key] = parse_int(value, "evaluation.award.standstill_days")
        elif key == "notice_date":
            award[key] = value.strip() or None
        else:
            award[key] = value.strip()
        return award

    def _reason(self, key: str, change: dict[str, Any]) -> str | None:
        """The reason a locked setting's change needs (None when it needs none)."""
        doc = self.document
        actor = doc.actor
        labels = {"scale_max": "The top score", "scale_step": "The score step",
                  "years": "The appraisal years", "rate": "The discount rate",
                  "basis": "What price is scored on"}
        return methodology.maybe_reason(
            self, doc, key in LOCKED_KEYS and methodology.evaluation_locked(doc, change),
            labels.get(key, "This setting"),
            lambda f: f.update_evaluation(actor, change, reason=methodology.PREVIEW))

    def _put_back(self, key: str) -> None:
        """After a refusal, the field shows the saved value again (the banner says why),
        all selected so the user can type over it."""
        widget = self.fields[key]
        value = self._values()[key]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))
        else:
            widget.setText(str(value))  # clears isModified
            if widget.hasFocus():
                widget.selectAll()
            else:
                widget.setCursorPosition(0)

    def _fill_details(self) -> None:
        """The saved values, in every field but one holding typing not yet entered
        (`isModified`): an undo shows at once, even in the field with the cursor, so
        leaving that field later never enters the value the undo took away."""
        for key, value in self._values().items():
            widget = self.fields[key]
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
            elif not widget.isModified() and widget.text() != str(value):
                focused = widget.hasFocus()
                widget.setText(str(value))
                if focused:
                    widget.selectAll()
                else:
                    widget.setCursorPosition(0)
        words = PROCEDURE_WORDS.get(self._values()["procedure"])
        self.procedure_words.setText(words[1] if words else "")

    def pending(self) -> list[str]:
        """Typing in a field not yet entered (the window asks before closing)."""
        out = []
        for key, widget in self.fields.items():
            if isinstance(widget, QLineEdit) and widget.isModified() \
                    and widget.text().strip() != str(self._values()[key]):
                out.append(f"{widget.accessibleName()} in Overview: "
                           f"“{one_line(widget.text(), 60)}”")
        return out

    def commit_pending(self) -> list[str]:
        for key, widget in self.fields.items():
            if isinstance(widget, QLineEdit) and widget.isModified():
                self._commit(key)
        return []

    def discard_pending(self) -> None:
        for key, widget in self.fields.items():
            if isinstance(widget, QLineEdit) and widget.isModified():
                self._put_back(key)

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
            decl = e.get("declaration")
            rows.append({"name": f"{e['id']} {e['name']}", "role": e["role"],
                         "done": done.get(e["id"], 0), "expected": free * n_scored,
                         "declared": (decl["date"] + (" (nil)" if not decl["interests"]
                                                      else "")) if decl else "none yet",
                         "submitted": local_date(e["submitted"]) if e.get("submitted")
                         else "not yet"})
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

        self.checklist.setText(self._checklist(doc, res, n_scored, n_bids))

    def _checklist(self, doc: dict[str, Any], res: Any, n_scored: int, n_bids: int) -> str:
        """The set-up steps, then `status_of`'s checks, then the decision."""
        status = status_of(CheckedFile(self.document))
        problems = interchange.section_weight_problems(doc["criteria"])
        incomplete = Counter(res.status).get("incomplete", 0)
        items = [
            (not problems and n_scored > 0, "Criteria weighted (every section carries weight)"
             if not problems else f"Criteria: {problems[0].message}"),
            (n_bids >= 1, f"Bids entered ({n_bids})"),
        ]
        no_costs = cost_warnings(doc, res)
        items += [(False, w) for w in no_costs] or [
            (n_bids > 0, "Every bid has its costs" if all(b["costs"] for b in doc["bids"])
             else "Every bid still in the competition has its costs")]
        items.append((bool(doc["evaluators"]), f"Evaluators named ({len(doc['evaluators'])})"))
        done = {c["check"]: c["done"] for c in status["checklist"]}
        for c in status["checklist"]:
            ok = c["done"]
            text = CHECK_WORDS[c["check"]]
            if c["check"] == "flags_open":
                # moderation is not done while scores are still coming in
                ok = ok and done["scores_missing"]
                text = "Moderation done: " + text[0].lower() + text[1:]
            items.append((ok, text + (f": {c['detail']} ({WHERE[c['check']]})"
                                      if c["detail"] else "")))
        items.append((n_bids > 0 and not incomplete,
                      f"{plural(incomplete, 'bid')} incomplete" if incomplete
                      else "No bid incomplete"))
        leader = status["leader"]
        name = next((one_line(b["supplier"], 80) for b in doc["bids"] if b["id"] == leader), "")
        if leader is None:
            items.append((False, "No preferred bidder yet"))
        elif status["provisional"]:
            items.append((False, f"Provisional leader: {leader} {name} (not final while "
                                 "anything above is outstanding)"))
        else:
            items.append((True, f"Preferred bidder: {leader} {name}"))
        lines = [f"Stage: {status['stage']}"]
        lines += [f"{OK if ok else TODO}  {text}" for ok, text in items]
        lines.append(self._chain_line(status))
        return "\n".join(lines)

    def _chain_line(self, status: dict[str, Any]) -> str:
        if self.document.verdict is None:
            return "Audit log: being checked…"
        if not status["intact"]:
            p = status["problems"][0] if status["problems"] else {"where": "", "message": ""}
            return f"{TODO}  Audit log NOT INTACT: {p['where']}: {p['message']}"
        return f"{OK}  Audit log intact ({status['events']:,} events)"
