"""A read-mostly table model over a list of records, described by columns.

The views' tables share it: each `Column` says how to show a record (display,
tooltip, alignment, check state) and, if editable, how to change it (`edit(row,
value)`, which calls a Document method). An edit the service refuses emits
`refused(message)` and leaves the data as it was; the view shows the message.
Rows are replaced wholesale on refresh (`set_rows`), which is cheap for the
tens-to-hundreds of rows these tables hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from procure_desk.errors import BadInput

from .ask import problem_text

Row = Any
Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass
class Column:
    title: str
    display: Callable[[Row], Any]
    edit: Callable[[Row, Any], None] | None = None  # raises BadInput to refuse
    align: Qt.AlignmentFlag = LEFT
    tooltip: Callable[[Row], str | None] | None = None
    check: Callable[[Row], bool | None] | None = None  # a checkbox column
    edit_value: Callable[[Row], Any] | None = None  # what the editor starts with
    choices: Sequence[tuple[str, str]] | None = None  # (value, label) for a combo editor
    header_tip: str = ""


class RecordTableModel(QAbstractTableModel):
    """Rows are records (dicts or tuples); columns are `Column`s."""

    refused = Signal(str)

    def __init__(self, columns: list[Column], parent: QObject | None = None):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].header_tip:
                return self.columns[section].header_tip
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        col = self.columns[index.column()]
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if col.edit is not None:
            f |= (Qt.ItemFlag.ItemIsUserCheckable if col.check is not None
                  else Qt.ItemFlag.ItemIsEditable)
        return f

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        col = self.columns[index.column()]
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if col.check is not None:
                return None
            value = col.display(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.EditRole:
            value = col.edit_value(row) if col.edit_value else col.display(row)
            return "" if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return col.align
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip is not None:
            return col.tooltip(row)
        if role == Qt.ItemDataRole.CheckStateRole and col.check is not None:
            state = col.check(row)
            if state is None:
                return None
            return Qt.CheckState.Checked if state else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.AccessibleTextRole:
            value = col.display(row) if col.check is None else (
                "yes" if col.check(row) else "no")
            return f"{col.title}: {'' if value is None else value}"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        col = self.columns[index.column()]
        if col.edit is None:
            return False
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and col.check is not None:
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role != Qt.ItemDataRole.EditRole:
            return False
        try:
            col.edit(row, value)
        except BadInput as exc:
            self.refused.emit(problem_text(exc))
            return False
        # The document's `changed` signal refreshes the rows; nothing more to do here.
        return True

    def row_of(self, predicate: Callable[[Row], bool]) -> int:
        return next((i for i, r in enumerate(self.rows) if predicate(r)), -1)


def parse_number(text: Any, what: str) -> float:
    """A number typed by the user ("1,250.50", "£90,000"), or BadInput naming `what`."""
    if isinstance(text, int | float):
        return float(text)
    cleaned = str(text).strip().replace(",", "").replace("£", "").replace("%", "")
    try:
        return float(cleaned)
    except ValueError:
        raise BadInput.one(what, f"{str(text)!r} is not a number") from None


def parse_int(text: Any, what: str) -> int:
    value = parse_number(text, what)
    if not value.is_integer():
        raise BadInput.one(what, f"{text!r} is not a whole number")
    return int(value)
