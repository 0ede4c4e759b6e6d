"""The Scoring view's grid: a digit records the score and moves on, Delete clears.

A single keystroke is a whole score on an integer scale up to 9; otherwise the key
opens the cell's editor with it. At the last cell the cursor stays put.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QTableView, QWidget

if TYPE_CHECKING:
    from .scoring import ScoreGridModel

CENTER = Qt.AlignmentFlag.AlignCenter


class ScoreTable(QTableView):
    """The grid: a digit records the score and moves on; Delete clears.

    At the last cell it stays put (`reached_end`): wrapping to the first cell would let
    one more keystroke overwrite the first bid's first score without a word.
    """

    reached_end = Signal()

    def __init__(self, model: ScoreGridModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.grid_model = model
        self.setAccessibleName("Scores")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        vh = self.verticalHeader()
        vh.setSectionResizeMode(vh.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 12)
        hh = self.horizontalHeader()
        hh.setSectionResizeMode(hh.ResizeMode.Fixed)
        hh.setDefaultSectionSize(max(52, self.fontMetrics().horizontalAdvance("00.0%") + 16))
        hh.setDefaultAlignment(CENTER)

    def single_key(self) -> bool:
        """True when one keystroke is one whole score (an integer scale up to 9)."""
        s = self.grid_model.scale
        return float(s["max"]) <= 9 and float(s["step"]).is_integer()

    def _next_index(self) -> QModelIndex | None:
        """The next scorable cell in reading order, or None at the last one."""
        here = self.currentIndex()
        nxt = self.moveCursor(QAbstractItemView.CursorAction.MoveNext,
                              Qt.KeyboardModifier.NoModifier)
        if not nxt.isValid() or (nxt.row(), nxt.column()) <= (here.row(), here.column()):
            return None  # Qt would wrap round to the first cell
        return nxt

    def next_cell(self) -> bool:
        """Move on after a score; at the last cell stay there and say so (False)."""
        nxt = self._next_index()
        if nxt is None:
            self.reached_end.emit()
            return False
        self.selectionModel().setCurrentIndex(nxt,
                                              QItemSelectionModel.SelectionFlag.ClearAndSelect)
        return True

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        """Tab out of a typed score at the last cell: no wrap round to the first."""
        if hint == QAbstractItemDelegate.EndEditHint.EditNextItem and self._next_index() is None:
            hint = QAbstractItemDelegate.EndEditHint.NoHint
            self.reached_end.emit()
        super().closeEditor(editor, hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if self.state() != QAbstractItemView.State.EditingState and index.isValid():
            text = event.text()
            plain_key = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                                  | Qt.KeyboardModifier.AltModifier
                                                  | Qt.KeyboardModifier.MetaModifier))
            if plain_key and len(text) == 1 and text.isdigit():
                if self.grid_model.conflicted(index):
                    event.accept()
                    return
                if self.single_key():
                    if self.grid_model.setData(index, text):
                        self.next_cell()
                    event.accept()
                    return
                self.edit(index)  # a multi-character score: open the editor on the key
                editor = self.focusWidget()
                if editor is not self and hasattr(editor, "setText"):
                    editor.setText(text)
                event.accept()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and plain_key:
                if not self.grid_model.conflicted(index):
                    self.grid_model.setData(index, "")
                event.accept()
                return
        super().keyPressEvent(event)
