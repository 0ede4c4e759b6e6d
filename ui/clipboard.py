"""Spreadsheet habits: copy a table's selection as tab-separated text with its headers,
and read a block copied from Excel or LibreOffice for pasting.

The text side is plain functions (no Qt), tested on their own:
- `parse_block(text)`: the rows and cells of tab-separated text as spreadsheets put
  it on the clipboard (CRLF or LF, a last line ending, cells quoted when they hold a
  tab, a line break or a quote).
- `format_block(rows)`: the reverse. A cell a spreadsheet would take for a formula
  (`=cmd`, `+44 …`, `@x`, `-x` that is not a number) is written with a leading
  apostrophe, as spreadsheets write text, so pasting it into one never runs it;
  `parse_block` takes that apostrophe off again.
- `place(block, ...)`: where each pasted cell lands: from the current cell, or by
  header (a first row naming the columns) and by row label (a first column naming
  the rows), so a block copied out of ProcureDesk goes back where it came from.
  Cells that would fall outside the table are problems, each named.

The Qt side: `install(view, paste=...)` gives an item view Ctrl+C (the selection,
with the column headers, and the row headers where the view shows them) and, when
the view takes pastes, Ctrl+V handing the parsed block to `paste`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView

Block = list[list[str]]
FORMULA_START = ("=", "+", "-", "@")
NUMBER = re.compile(r"^[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
INSTALLED = "procureDeskClipboard"


# ---- text ------------------------------------------------------------------------------
def parse_block(text: str) -> Block:
    """The rows of tab-separated text as a spreadsheet copies it (see the module)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows: Block = []
    row: list[str] = []
    cell: list[str] = []
    i, n = 0, len(text)
    quoted_cell = False
    while i < n:
        ch = text[i]
        if not cell and not quoted_cell and ch == '"':
            # a quoted cell: up to the closing quote; "" is one quote
            j = i + 1
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        cell.append('"')
                        j += 2
                        continue
                    break
                cell.append(text[j])
                j += 1
            if j < n and (j + 1 == n or text[j + 1] in "\t\n"):
                i = j + 1
                quoted_cell = True
                continue
            cell = [ch]  # not a quoted cell after all: a quote at its start, as typed
            i += 1
            continue
        if ch == "\t":
            row.append(_unquote("".join(cell), quoted_cell))
            cell, quoted_cell = [], False
        elif ch == "\n":
            row.append(_unquote("".join(cell), quoted_cell))
            rows.append(row)
            row, cell, quoted_cell = [], [], False
        else:
            cell.append(ch)
        i += 1
    if cell or row or quoted_cell:
        row.append(_unquote("".join(cell), quoted_cell))
        rows.append(row)
    return rows


def _unquote(cell: str, quoted: bool) -> str:
    """A cell as typed: the apostrophe spreadsheets put before formula-like text off."""
    if not quoted and cell.startswith("'") and cell[1:2] in FORMULA_START:
        return cell[1:]
    return cell


def safe_cell(text: str) -> str:
    """One cell for the clipboard: formula-like text behind an apostrophe, and quoted
    when it holds a tab, a line break or a starting quote."""
    if text.startswith(FORMULA_START) and not NUMBER.match(text.replace("£", "")):
        text = "'" + text
    if any(c in text for c in "\t\n\r") or text.startswith('"'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def format_block(rows: Sequence[Sequence[str]]) -> str:
    """Tab-separated text, a line each, ending with a line break (as spreadsheets copy)."""
    return "".join("\t".join(safe_cell(str(c)) for c in row) + "\n" for row in rows)


def label_key(text: str) -> str:
    """How a header or row label is compared: case and spacing aside, and the first
    word of a label like "Q1 30.0%" or "B1 Acme Ltd" counts as the whole."""
    return " ".join(str(text).split()).casefold()


def matches(text: str, names: Sequence[str]) -> bool:
    key = label_key(text)
    if not key:
        return False
    first = key.split(" ")[0]
    return any(key == label_key(n) or first == label_key(n) for n in names if n)


@dataclass
class Placed:
    """Where a pasted block's cells land: (row, column, text), and what cannot land."""

    cells: list[tuple[int, int, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[int]:
        return sorted({r for r, _c, _t in self.cells})


def place(block: Block, at: tuple[int, int], n_rows: int, n_cols: int, *,
          headers: Sequence[Sequence[str]] = (), row_labels: Sequence[Sequence[str]] = (),
          grow: bool = False, describe: Callable[[int], str] | None = None,
          label_column: int | None = None) -> Placed:
    """Where each cell of `block` lands in a table of `n_rows` x `n_cols`.

    `headers[c]` are the names column c answers to; when every filled cell of the
    block's first row is one of them, that row is a header: it is dropped and each
    pasted column goes to the column it names (a pasted column naming none is a
    problem). `row_labels[r]` likewise for a first column naming the rows. Otherwise
    the block goes from `at` (row, column) across and down. `label_column` says the
    row labels are shown in that column of the table (an Id column): a block whose
    first column names rows then starts in it. Rows past the end are problems unless
    `grow` (then they are new rows, numbered on from `n_rows`).
    """
    out = Placed()
    block = list(block)
    while len(block) > 1 and not any(c.strip() for c in block[-1]):
        block.pop()  # blank lines at the end; a blank row inside the block stays put
    if not block:
        out.problems.append("the clipboard holds no cells")
        return out
    width = max(len(r) for r in block)
    rows = [list(r) + [""] * (width - len(r)) for r in block]
    columns: list[int | None] = [at[1] + k for k in range(width)]
    row_to: list[int | None] | None = None
    first_col = 0
    head = rows[0]
    labels = [n for names in row_labels for n in names]
    if headers and _is_header(head, headers):
        rows = rows[1:]
        columns = [_named(h, headers) for h in head]
        if labels and rows and all(matches(r[0], labels) for r in rows):
            row_to = [_named(r[0], row_labels) for r in rows]
            # row labels under a corner cell; a labelled column of the table stays
            first_col = 1 if columns[0] is None else 0
        elif columns[0] is None and not head[0].strip():
            first_col = 1  # a corner cell over row labels that name no row: left out
    elif labels and all(matches(r[0], labels) for r in rows):
        row_to = [_named(r[0], row_labels) for r in rows]
        if label_column is None:
            first_col = 1
            columns = [None] + [at[1] + k for k in range(width - 1)]
        else:  # the labels are a column of the table: the block starts there
            columns = [label_column + k for k in range(width)]
    what = describe or (lambda r: f"row {r + 1}")
    for k in range(first_col, width):
        if columns[k] is None:
            out.problems.append(f"pasted column {k + 1} ({head[k]!r}) names no column here")
    for i, r in enumerate(rows):
        target = row_to[i] if row_to is not None else at[0] + i
        if target is None:
            out.problems.append(f"pasted row {i + 1} ({r[0]!r}) names no row here")
            continue
        if target >= n_rows and not grow:
            out.problems.append(f"pasted row {i + 1} would go past the last row "
                                f"({what(n_rows - 1)})" if n_rows else
                                "the table has no rows to paste into")
            continue
        for k in range(first_col, width):
            col = columns[k]
            if col is None:
                continue
            if col >= n_cols:
                out.problems.append(f"pasted column {k + 1} would go past the last column")
                break
            out.cells.append((target, col, r[k].strip()))
    return out


def _is_header(row: list[str], headers: Sequence[Sequence[str]]) -> bool:
    filled = [c for c in row if c.strip()]
    names = [n for names in headers for n in names]
    return bool(filled) and all(matches(c, names) for c in filled) and \
        not all(NUMBER.match(c.strip()) for c in filled)


def _named(text: str, names: Sequence[Sequence[str]]) -> int | None:
    """The index of the first entry of `names` that `text` names (exact key first)."""
    key = label_key(text)
    if not key:
        return None
    for i, ns in enumerate(names):
        if any(key == label_key(n) for n in ns if n):
            return i
    first = key.split(" ")[0]
    for i, ns in enumerate(names):
        if any(first == label_key(n) for n in ns if n):
            return i
    return None


def refused_text(problems: Sequence[str], limit: int = 12) -> str:
    """Every refused cell, one a line (the first `limit`, then how many more)."""
    shown = list(problems[:limit])
    if len(problems) > limit:
        shown.append(f"… and {len(problems) - limit} more")
    return "nothing was pasted:\n" + "\n".join(shown)


# ---- Qt: copy and paste keys on an item view ------------------------------------------
def header_text(view: QAbstractItemView, section: int, orientation: Qt.Orientation) -> str:
    model = view.model()
    value = model.headerData(section, orientation, Qt.ItemDataRole.DisplayRole)
    return " ".join(str(value or "").split())


def cell_text(view: QAbstractItemView, row: int, col: int) -> str:
    model = view.model()
    index = model.index(row, col)
    value = model.data(index, Qt.ItemDataRole.DisplayRole)
    if value is None or value == "":
        check = model.data(index, Qt.ItemDataRole.CheckStateRole)
        if check is not None:
            return "yes" if Qt.CheckState(check) == Qt.CheckState.Checked else "no"
        return ""
    return str(value)


def selection_block(view: QAbstractItemView) -> Block:
    """The selected cells (or the current one) with the column headers; the row
    headers too where the view shows them. Rows and columns in the order shown."""
    model = view.model()
    sm = view.selectionModel()
    indexes = [i for i in (sm.selectedIndexes() if sm is not None else []) if i.isValid()]
    if not indexes and view.currentIndex().isValid():
        indexes = [view.currentIndex()]
    if not indexes or model is None:
        return []
    rows = sorted({i.row() for i in indexes})
    cols = sorted({i.column() for i in indexes})
    vertical = getattr(view, "verticalHeader", None)
    horizontal = getattr(view, "horizontalHeader", None)
    if horizontal is not None:
        cols = sorted(cols, key=lambda c: horizontal().visualIndex(c))
        cols = [c for c in cols if not horizontal().isSectionHidden(c)]
    with_rows = vertical is not None and vertical().isVisible()
    chosen = {(i.row(), i.column()) for i in indexes}
    out: Block = [([""] if with_rows else []) + [header_text(view, c, Qt.Orientation.Horizontal)
                                                 for c in cols]]
    for r in rows:
        line = [header_text(view, r, Qt.Orientation.Vertical)] if with_rows else []
        line += [cell_text(view, r, c) if (r, c) in chosen else "" for c in cols]
        out.append(line)
    return out


def copy_selection(view: QAbstractItemView) -> str:
    text = format_block(selection_block(view))
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


class _Keys(QObject):
    """Ctrl+C and (when the view takes pastes) Ctrl+V on one item view."""

    def __init__(self, view: QAbstractItemView, paste: Callable[[Block], object] | None):
        super().__init__(view)
        self.view = view
        self.paste = paste

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) \
                or not isinstance(event, QKeyEvent):
            return False
        if self.view.state() == QAbstractItemView.State.EditingState:
            return False  # the cell's editor copies and pastes its own text
        copy = event.matches(QKeySequence.StandardKey.Copy)
        paste = self.paste is not None and event.matches(QKeySequence.StandardKey.Paste)
        if not (copy or paste):
            return False
        event.accept()
        if kind == QEvent.Type.ShortcutOverride:
            return True  # the key is ours, not a window shortcut's
        if copy:
            copy_selection(self.view)
        elif self.paste is not None:
            self.paste(parse_block(QGuiApplication.clipboard().text()))
        return True


def install(view: QAbstractItemView,
            paste: Callable[[Block], object] | None = None) -> None:
    """Give `view` Ctrl+C, and Ctrl+V calling `paste(block)` when given (once)."""
    old = view.property(INSTALLED)
    if old:
        if paste is None:
            return
        for child in view.children():
            if isinstance(child, _Keys):
                child.paste = paste
                return
    keys = _Keys(view, paste)
    view.installEventFilter(keys)
    view.setProperty(INSTALLED, True)
