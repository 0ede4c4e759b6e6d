"""A read-mostly table model over a list of records, described by columns.

The views' tables share it: each `Column` says how to show a record (display,
tooltip, alignment, check state) and, if editable, how to change it (`edit(row,
value)`, which calls a Document method). An edit the service refuses emits
`refused(message)` and leaves the data as it was; the view shows the message; an
accepted one emits `accepted()` so the view can clear a stale message.

A cell's editor starts with text (numbers written plainly, "1250.5"), so Qt gives a
line edit, never a spin box that would drop a decimal point or refuse "£90,000"; the
column's `edit` parses what was typed (`parse_number`, `parse_int`).

`set_rows` updates the rows in place (`dataChanged`) when they are the same records
in the same order, so an edit's own refresh neither closes the editor that is
committing it nor moves the current cell. Otherwise the model is reset; during a
commit the reset waits for the event loop, and `keep_current` puts the current cell
back (by record key and column) afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QTableView, QWidget

from procure_desk.errors import BadInput

from .ask import problem_text

Row = Any
Index = QModelIndex | QPersistentModelIndex
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # a column's sort key (numbers as numbers)


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
    sort: Callable[[Row], Any] | None = None  # what a click on the header sorts by


def record_key(row: Row) -> Any:
    """What identifies a record across refreshes: its "id" (dicts, objects), else None
    (then its place in the list is its identity)."""
    if isinstance(row, dict):
        return row.get("id")
    return getattr(row, "id", None)


def plain_text(value: Any) -> Any:
    """A number as the user would type it (no exponent, no separators); else unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


class RecordTableModel(QAbstractTableModel):
    """Rows are records (dicts or tuples); columns are `Column`s."""

    refused = Signal(str)
    accepted = Signal()

    def __init__(self, columns: list[Column], parent: QObject | None = None,
                 key: Callable[[Row], Any] = record_key):
        super().__init__(parent)
        self.columns = columns
        self.rows: list[Row] = []
        self.key = key
        self.locked = False  # the file takes no edits: no cell is editable
        self._committing = 0
        self._pending: list[Row] | None = None

    def set_rows(self, rows: list[Row]) -> None:
        rows = list(rows)
        if self._pending is not None:
            self._pending = rows  # a reset is on its way: it takes the newest rows
            return
        if len(rows) == len(self.rows) and all(
                self.key(a) == self.key(b) for a, b in zip(rows, self.rows)):
            self.rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(rows) - 1, len(self.columns) - 1))
            # a column's title may follow the data (Results: NPV or WLC)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
            return
        if self._committing:
            # resetting now would close the editor whose commit got us here
            self._pending = rows
            QTimer.singleShot(0, self._apply_pending)
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def _apply_pending(self) -> None:
        rows, self._pending = self._pending, None
        if rows is not None:
            self.set_rows(rows)

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
        if col.edit is not None and not self.locked:
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
            return "" if value is None else plain_text(value)
        if role == SORT_ROLE:
            if col.sort is not None:
                key = col.sort(row)
            elif col.check is not None:
                key = int(bool(col.check(row)))
            else:
                key = col.display(row)
            return "" if key is None else key
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
        elif str(value) == str(self.data(index, Qt.ItemDataRole.EditRole)):
            return True  # an editor closed as it opened: no edit, no undo step
        self._committing += 1
        try:
            col.edit(row, value)
        except BadInput as exc:
            self.refused.emit(problem_text(exc))
            return False
        finally:
            self._committing -= 1
        # The document's `changed` signal refreshes the rows; nothing more to do here.
        self.accepted.emit()
        return True

    def row_of(self, predicate: Callable[[Row], bool]) -> int:
        return next((i for i, r in enumerate(self.rows) if predicate(r)), -1)


def proxy_of(view: QAbstractItemView) -> QSortFilterProxyModel | None:
    """The sorting proxy between `view` and its records, if it sorts (see `sortable`)."""
    model = view.model()
    return model if isinstance(model, QSortFilterProxyModel) else None


def records_of(view: QAbstractItemView) -> QAbstractItemModel | None:
    """The model that holds `view`'s records (under its sorting proxy, if any)."""
    proxy = proxy_of(view)
    return proxy.sourceModel() if proxy is not None else view.model()


def source_row(view: QAbstractItemView, row: int) -> int:
    """The record's place in the model of the row shown at `row` (-1 if none)."""
    proxy = proxy_of(view)
    if proxy is None or row < 0:
        return row
    return proxy.mapToSource(proxy.index(row, 0)).row()


def view_row(view: QAbstractItemView, row: int) -> int:
    """Where the record at `row` of the model is shown (-1 if nowhere)."""
    proxy = proxy_of(view)
    source = records_of(view)
    if proxy is None or source is None or row < 0:
        return row
    return proxy.mapFromSource(source.index(row, 0)).row()


def current_record_row(view: QAbstractItemView) -> int:
    """The model row of the current cell's record (-1 if none), however it is sorted."""
    cur = view.currentIndex()
    return source_row(view, cur.row()) if cur.isValid() else -1


def selected_record_rows(view: QAbstractItemView) -> list[int]:
    """The model rows of the selected rows' records, in the order they are shown."""
    sm = view.selectionModel()
    if sm is None:
        return []
    return [source_row(view, r) for r in sorted(i.row() for i in sm.selectedRows())]


def select_row(view: QAbstractItemView, row: int) -> None:
    """Make the record at model row `row` current and selected wherever the view shows it
    (sorted or not), keeping the current column (QTableView.selectRow moves to the
    first column, so a keyboard user editing across would lose their place)."""
    source = records_of(view)
    model, sm = view.model(), view.selectionModel()
    if model is None or sm is None or source is None or not 0 <= row < source.rowCount():
        return
    row = view_row(view, row)
    if row < 0:
        return
    cur = view.currentIndex()
    if cur.isValid() and cur.row() == row and sm.isRowSelected(row, QModelIndex()):
        return
    index = model.index(row, cur.column() if cur.isValid() else 0)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    if view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows:
        flags |= QItemSelectionModel.SelectionFlag.Rows
    sm.setCurrentIndex(index, flags)


def keep_current(view: QAbstractItemView) -> None:
    """After a reset of the view's RecordTableModel, put the current cell back on the
    same record (by key) and column, if the record is still there. `sortable` calls it
    again for the proxy it puts between: each call serves the model the view shows."""
    shown = view.model()
    model = records_of(view)
    if not isinstance(model, RecordTableModel) or shown is None:
        return
    place: list[Any] = []

    def remember() -> None:
        place.clear()
        if view.model() is not shown:
            return
        row = current_record_row(view)
        if 0 <= row < len(model.rows):
            key = model.key(model.rows[row])
            if key is not None:
                place.extend((key, view.currentIndex().column()))

    def restore() -> None:
        if place and view.model() is shown:
            key, column = place
            row = view_row(view, model.row_of(lambda r: model.key(r) == key))
            if row >= 0 and not view.currentIndex().isValid():
                flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
                if view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows:
                    flags |= QItemSelectionModel.SelectionFlag.Rows
                view.selectionModel().setCurrentIndex(shown.index(row, column), flags)

    shown.modelAboutToBeReset.connect(remember)
    shown.modelReset.connect(restore)


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


def edit_across(view: QAbstractItemView, row: int, columns: Sequence[int],
                then: Callable[[], None] | None = None) -> None:
    """Fill in a new row (`row` of the records' model) field by field: open the editor on
    the first of `columns`;
    Enter (or Tab) commits it and opens the next, so what is typed for the second
    field never overwrites the first; after the last, `then()` (say, the focus to
    the next table). Escape stops where it is."""
    model = view.model()
    todo = list(columns)
    delegates = {id(d): d for d in [view.itemDelegate()] + [
        view.itemDelegateForColumn(c) for c in columns] if d is not None}
    go_on = (QAbstractItemDelegate.EndEditHint.SubmitModelCache,
             QAbstractItemDelegate.EndEditHint.EditNextItem)

    def open_next() -> None:
        if not todo or not shiboken6.isValid(view):
            return
        col = todo.pop(0)
        index = model.index(view_row(view, row), col)
        view.setCurrentIndex(index)
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        view.edit(index)

    def closed(_editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        if hint in go_on and todo:
            QTimer.singleShot(0, open_next)
            return
        for d in delegates.values():
            d.closeEditor.disconnect(closed)
        if hint in go_on and then is not None:
            QTimer.singleShot(0, then)

    for d in delegates.values():
        d.closeEditor.connect(closed)
    open_next()


def sortable(view: QTableView, model: QAbstractItemModel) -> QSortFilterProxyModel:
    """Let a click on a column header sort `view` (a table whose order means nothing):
    a proxy over `model` sorting by each column's `SORT_ROLE`, unsorted until a header
    is clicked. Edits go through the proxy to the right record."""
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    # as in a spreadsheet, a row edited stays where it is until the next sort or reload
    # (a row jumping away under the editor that is committing it would lose the edit)
    proxy.setDynamicSortFilter(False)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    keep_current(view)
    return proxy


def natural(text: Any) -> str:
    """A sort key putting B2 before B10 (numbers padded to eight digits)."""
    return re.sub(r"\d+", lambda m: m.group().zfill(8), str(text))
