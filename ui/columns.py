"""A table's name column (a supplier, a criterion) keeps a readable width.

A stretched column in Qt shrinks to nothing when the window is narrow (the Bids
"Supplier" column fell to 30 px at 1024 px). `keep_name_column` makes the name column
take the spare width, as a stretched one would, but never less than `minimum`: below
that the table scrolls sideways instead, and the figures stay whole.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView


class NameColumn(QObject):
    """Keeps `column` of `view` at max(minimum, the width the other columns leave)."""

    def __init__(self, view: QTableView, column: int, minimum: int):
        super().__init__(view)
        self.view = view
        self.column = column
        self.minimum = minimum
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        view.viewport().installEventFilter(self)
        self._fitting = False
        header.sectionResized.connect(self._resized)
        self.fit()

    def _resized(self, index: int, _old: int, _new: int) -> None:
        if index != self.column:
            self.fit()

    def fit(self) -> None:
        if self._fitting:
            return
        self._fitting = True
        try:
            header = self.view.horizontalHeader()
            others = sum(header.sectionSize(i) for i in range(header.count())
                         if i != self.column and not header.isSectionHidden(i))
            room = self.view.viewport().width() - others
            header.resizeSection(self.column, max(self.minimum, room))
        finally:
            self._fitting = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False


def keep_name_column(view: QTableView, column: int, minimum: int = 200) -> NameColumn:
    return NameColumn(view, column, minimum)
