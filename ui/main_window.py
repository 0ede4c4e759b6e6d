"""The main window: menus, a sidebar of views over one open evaluation, a status bar.

Views are listed by `ui.views.view_titles()` when the first file opens; each view's
module is imported (`ui.views.view_class`) and the view built when first shown, so
the views not shown, and the libraries only they use, cost nothing at start-up.
Extensions (`ui.extensions`) are installed after the menus exist and may add to
`file_menu`, `import_menu` and `export_menu`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from procure_desk import __version__, templates
from procure_desk.errors import BadInput
from procure_desk.services import EvaluationFile

from . import ask
from .document import Document, concerns
from .extensions import installers
from .lock_bar import LockBar
from .new_evaluation import apply_details
from .pending import commit_pending, discard_pending, pending_edits
from .settings import Settings
from .start_page import StartPage
from .views import view_class, view_titles

if TYPE_CHECKING:
    from .actions_desk import Hit

log = logging.getLogger(__name__)
APP_NAME = "ProcureDesk"


class MainWindow(QMainWindow):
    """One window, one open evaluation at a time."""

    documentOpened = Signal(object)  # the new Document, or None when closed

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.document: Document | None = None
        self.views: dict[str, QWidget] = {}
        self._view_titles: list[tuple[str, str]] | None = None
        self.undo_group = QUndoGroup(self)
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 720)  # fits a 1366x768 laptop; no view asks for more than 1024

        self.pages = QStackedWidget()
        self.start_page = StartPage(self)
        self.pages.addWidget(self.start_page)
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Views")
        self.sidebar.setUniformItemSizes(True)
        self.sidebar.setMaximumWidth(200)
        self.sidebar.setSpacing(3)
        self.sidebar.currentRowChanged.connect(self._show_row)
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Current view")
        workspace = QSplitter()
        workspace.addWidget(self.sidebar)
        workspace.addWidget(self.stack)
        workspace.setStretchFactor(1, 1)
        workspace.setSizes([180, 1100])
        self.lock_bar = LockBar()
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.lock_bar)
        page_layout.addWidget(workspace, 1)
        self.pages.addWidget(page)
        self.setCentralWidget(self.pages)

        self.file_label = QLabel()
        self.user_label = QLabel()
        self.statusBar().addPermanentWidget(self.file_label)
        self.statusBar().addPermanentWidget(self.user_label)

        self._build_menus()
        self._install_extensions()
        from .server_watch import install_server_actions

        install_server_actions(self)  # File > Open from server (docs/team-mode.md)
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._update_state()

    # ---- menus -----------------------------------------------------------------------
    def _action(self, menu: QMenu, text: str, slot: object,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            set_shortcuts(action, shortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        fm = self.file_menu
        self.new_action = self._action(fm, "&New Evaluation…", self.new_from_template,
                                       QKeySequence.StandardKey.New,
                                       "Start a new evaluation: title, reference, authority, "
                                       "procedure and a template of criteria")
        self.open_action = self._action(fm, "&Open…", self.open_dialog,
                                        QKeySequence.StandardKey.Open)
        self.recent_menu = fm.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.demo_action = self._action(fm, "Open the De&mo", self.open_demo, None,
                                        "A worked example to try things on")
        fm.addSeparator()
        self.import_menu = fm.addMenu("&Import")
        self.export_menu = fm.addMenu("&Export")
        fm.addSeparator()
        self.print_action = self._action(fm, "&Print…", lambda: _desk().print_now(self),
                                         QKeySequence.StandardKey.Print,
                                         "Print the scoring matrix, the moderation sheet or "
                                         "the results")
        if self.print_action.shortcut().isEmpty():
            self.print_action.setShortcut(QKeySequence("Ctrl+P"))
        self.preview_action = self._action(fm, "Print Pre&view…",
                                           lambda: _desk().preview(self),
                                           "Ctrl+Shift+P", "See the pages before printing")
        fm.addSeparator()
        self.save_copy_action = self._action(
            fm, "&Save a Copy…", self.save_copy, QKeySequence.StandardKey.SaveAs,
            "Write a copy of the evaluation file (edits are saved as you make them)")
        self.close_action = self._action(fm, "&Close", self.close_file,
                                         QKeySequence.StandardKey.Close)
        fm.addSeparator()
        self.quit_action = self._action(fm, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        if self.quit_action.shortcut().isEmpty():  # Windows and bare X11 define none
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        self.edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.undo_group.createUndoAction(self, "&Undo")
        set_shortcuts(self.undo_action, QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, "&Redo")
        set_shortcuts(self.redo_action, QKeySequence.StandardKey.Redo)
        self.edit_menu.addAction(self.undo_action)
        self.edit_menu.addAction(self.redo_action)
        self.edit_menu.addSeparator()
        self.find_action = self._action(self.edit_menu, "&Find…",
                                        lambda: _desk().find(self),
                                        QKeySequence.StandardKey.Find,
                                        "Search bids, criteria, comments and the audit log")
        if self.find_action.shortcut().isEmpty():
            self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.edit_menu.addSeparator()
        self.preferences_action = self._action(self.edit_menu, "&Preferences: your name…",
                                               self.preferences,
                                               QKeySequence.StandardKey.Preferences)
        if self.preferences_action.shortcut().isEmpty():
            self.preferences_action.setShortcut(QKeySequence("Ctrl+,"))

        self.view_menu = bar.addMenu("&View")

        self.help_menu = bar.addMenu("&Help")
        self.guide_action = self._action(self.help_menu, "User &guide", self.user_guide,
                                         QKeySequence.StandardKey.HelpContents)
        self.about_action = self._action(self.help_menu, "&About ProcureDesk", self.about)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for n, path in enumerate(self.settings.recent_files, start=1):
            # "&1 path" .. "&9 path" as most programs number them; "&" in a path is literal
            label = path.replace("&", "&&")
            action = self.recent_menu.addAction(f"&{n} {label}" if n < 10 else label)
            action.triggered.connect(lambda _=False, p=path: self.open_file(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _install_extensions(self) -> None:
        for install in installers():
            install(self)

    # ---- views -----------------------------------------------------------------------
    def _ensure_view_titles(self) -> list[tuple[str, str]]:
        if self._view_titles is None:
            self._view_titles = view_titles()
            self.sidebar.clear()
            used: set[str] = set()
            for n, (key, title) in enumerate(self._view_titles, start=1):
                # Ctrl+1 .. Ctrl+9, then Ctrl+0 for the tenth, as the number keys run
                shortcut = f"Ctrl+{n % 10}" if n <= 10 else None
                item = QListWidgetItem(title)
                item.setData(Qt.ItemDataRole.UserRole, key)
                if shortcut:
                    item.setToolTip(f"{title} ({shortcut})")
                self.sidebar.addItem(item)
                action = self._action(self.view_menu, with_mnemonic(title, used),
                                      lambda _=False, k=key: self.show_view(k), shortcut)
                action.setData(key)
                action.setShortcutVisibleInContextMenu(True)
        return self._view_titles

    def view_keys(self) -> list[str]:
        return [k for k, _t in self._ensure_view_titles()]

    def view(self, key: str) -> QWidget:
        """The view for `key`, built on first use (a file must be open)."""
        if self.document is None:
            raise RuntimeError("no file is open")
        if key not in self.views:
            title = next(t for k, t in self._ensure_view_titles() if k == key)
            widget = view_class(key)(self.document, self.stack)
            widget.setAccessibleName(title)
            self.views[key] = widget
            self.stack.addWidget(widget)
        return self.views[key]

    def show_view(self, key: str) -> QWidget:
        keys = self.view_keys()
        if key not in keys or self.document is None:
            raise KeyError(key)
        row = keys.index(key)
        if self.sidebar.currentRow() != row:
            self.sidebar.setCurrentRow(row)  # calls _show_row
        else:
            self._show_row(row)
        return self.views[key]

    def current_view_key(self) -> str | None:
        item = self.sidebar.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _show_row(self, row: int) -> None:
        if self.document is None or row < 0:
            return
        key = self.view_keys()[row]
        self.stack.setCurrentWidget(self.view(key))

    # ---- files -----------------------------------------------------------------------
    def open_file(self, path: str | Path) -> bool:
        """Open an evaluation file in this window (closing the current one)."""
        p = Path(path)
        if not p.is_file():
            ask.show_problem(self, "Cannot open", f"{p}: no such file")
            self.settings.remove_recent(p)
            self.start_page.refresh()
            return False
        doc: Document | None = None
        try:
            doc = Document.open(p, self.settings.user_name, self)
            doc.doc()  # read it now: a broken file is refused here, not in a view
        except BadInput as exc:
            if doc is not None:
                doc.close()
            ask.show_problem(self, "Cannot open", exc)
            return False
        except Exception as exc:  # not a .pdesk file at all
            if doc is not None:
                doc.close()
            log.exception("could not open %s", p)
            ask.show_problem(self, "Cannot open", f"{p}: not a ProcureDesk evaluation "
                                                  f"({exc})")
            return False
        self._set_document(doc)
        self.settings.add_recent(p)
        return True

    def _set_document(self, doc: Document | None) -> None:
        old = self.document
        for widget in self.views.values():
            self.stack.removeWidget(widget)
            widget.deleteLater()
        self.views.clear()
        if old is not None:
            self.undo_group.removeStack(old.undo_stack)
            old.close()
            old.deleteLater()
        self.document = doc
        if doc is not None:
            self.undo_group.addStack(doc.undo_stack)
            self.undo_group.setActiveStack(doc.undo_stack)
            doc.changed.connect(self._on_changed)
            doc.failed.connect(lambda title, text: ask.show_problem(self, title, text))
            doc.notice.connect(lambda text: self.statusBar().showMessage(text, 15000))
            doc.lockChanged.connect(self._update_lock)
            self._ensure_view_titles()
            if self.sidebar.count():
                self.sidebar.setCurrentRow(-1)
                self.sidebar.setCurrentRow(0)
        self._update_state()
        self._update_lock()
        self.documentOpened.emit(doc)

    def open_dialog(self) -> None:
        path = ask.open_path(self)
        if path:
            self.open_file(path)

    def open_demo(self) -> bool:
        """The demo evaluation, built on first use in the user's data folder."""
        from .app import ensure_demo

        try:
            path = ensure_demo()
        except (BadInput, OSError) as exc:
            ask.show_problem(self, "Demo evaluation", f"The demo could not be built: "
                                                      f"{ask.problem_text(exc)}")
            return False
        return self.open_file(path)

    def new_from_template(self) -> bool:
        """Title, reference, authority and procedure, a template, then where to save."""
        names = templates.names()
        details = ask.new_evaluation(self, [(n, templates.describe(n)) for n in names])
        if details is None:
            return False
        name = details.get("template") or names[0]
        suggested = "".join(ch if ch.isalnum() or ch in " -_" else " "
                            for ch in details.get("title", "")).strip() or "evaluation"
        path = ask.save_path(self, "Save the new evaluation as",
                             suggested=f"{suggested[:60]}.pdesk")
        if not path:
            return False
        if not path.endswith(".pdesk"):
            path += ".pdesk"
        try:
            doc = apply_details(templates.load(name), details)
            ef = EvaluationFile.create(path, doc, actor=self.settings.user_name, force=True,
                                       action="evaluation.new", detail={"template": name})
            ef.close()
        except BadInput as exc:
            ask.show_problem(self, "New evaluation", exc)
            return False
        return self.open_file(path)

    def save_copy(self) -> None:
        if self.document is None:
            return
        suggested = str(self.document.path.with_name(self.document.path.stem + " copy.pdesk"))
        path = ask.save_path(self, "Save a copy as", suggested=suggested)
        if not path:
            return
        try:
            self.document.file.save_copy(path, force=True)
        except BadInput as exc:
            ask.show_problem(self, "Save a copy", exc)
            return
        self.statusBar().showMessage(f"Copy saved to {path}", 5000)

    # ---- edit and help ---------------------------------------------------------------
    def preferences(self) -> None:
        self.ask_name(first_run=False)

    def ask_name(self, first_run: bool) -> bool:
        """Ask for the user's name for the audit log and keep it in the settings."""
        current = self.settings.user_name if self.settings.has_user_name else ""
        name = ask.your_name(self, current, first_run)
        if name is None:
            return False
        self.settings.user_name = name
        if self.document is not None:
            self.document.actor = self.settings.user_name
        self._update_state()
        return True

    def first_run(self) -> None:
        """On the first run, before anything is recorded, ask for the user's name."""
        if not self.settings.has_user_name:
            self.ask_name(first_run=True)

    def about(self) -> None:
        ask.info(self, f"About {APP_NAME}",
                 f"{APP_NAME} {__version__}: offline evaluation of supplier tenders for "
                 "councils.\n\n"
                 "Every edit is saved as you make it, with who, when, what, before and "
                 "after in the audit log.")

    def user_guide(self) -> QDialog:
        from .user_guide import show_user_guide

        return show_user_guide(self, f"{APP_NAME} user guide")

    def go_to(self, hit: Hit) -> None:
        """Show a hit of Find (ui.find) in its view."""
        _desk().go_to(self, hit)

    # ---- state -----------------------------------------------------------------------
    def _on_changed(self, kind: str) -> None:
        if concerns(kind, "evaluation"):
            self._update_state()
        self.statusBar().showMessage("Saved", 2000)

    def _update_state(self) -> None:
        has = self.document is not None
        for action in (self.save_copy_action, self.close_action, self.find_action,
                       self.print_action, self.preview_action):
            action.setEnabled(has)
        self.view_menu.setEnabled(has)
        self.user_label.setText(f"You: {self.settings.user_name}")
        if self.document is None:
            self.setWindowTitle(APP_NAME)
            self.file_label.setText("")
            self.start_page.refresh()
            self.pages.setCurrentIndex(0)
        else:
            title = self.document.doc()["evaluation"]["title"]
            self.setWindowTitle(f"{title} — {self.document.path.name} — {APP_NAME}")
            self.file_label.setText(str(self.document.path))
            self.pages.setCurrentIndex(1)

    def _update_lock(self) -> None:
        """The bar that says why the file takes no edits (see ui.lock_bar)."""
        self.lock_bar.show_for(self.document)

    def settle_pending(self) -> bool:
        """Text typed and not yet entered (a field, a cell being edited): ask whether to
        save it; then what every view holds is saved as leaving its box would save it,
        and drafts that cannot be saved yet are named before they are lost. False when
        the user would rather stay (Cancel)."""
        what = pending_edits(self)
        if what:
            answer = ask.unsaved(self, what)
            if answer == "cancel":
                return False
            if answer == "discard":
                discard_pending(self)
                return True
        drafts = commit_pending(self)
        return not drafts or ask.confirm(
            self, "Drafts not saved",
            "These drafts cannot be saved yet and will be lost:\n"
            + "\n".join(f"• {d}" for d in drafts) + "\n\nClose anyway?")

    def close_file(self) -> None:
        if self.settle_pending():
            self._set_document(None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.settle_pending():
            event.ignore()
            return
        self.settings.set_geometry(self.saveGeometry())
        self._set_document(None)
        super().closeEvent(event)


def _desk() -> ModuleType:
    """ui.actions_desk (Find, printing), imported when first used, not at start-up."""
    from . import actions_desk

    return actions_desk


def set_shortcuts(action: QAction,
                  shortcut: QKeySequence | QKeySequence.StandardKey | str) -> None:
    """Every binding the platform gives a standard key (Redo is both Ctrl+Y and
    Ctrl+Shift+Z, Close both Ctrl+F4 and Ctrl+W); `setShortcut` would keep only the first."""
    if isinstance(shortcut, QKeySequence.StandardKey):
        action.setShortcuts(shortcut)
    else:
        action.setShortcut(QKeySequence(shortcut))


def with_mnemonic(title: str, used: set[str]) -> str:
    """`title` with an Alt mnemonic not in `used` (which it joins): the first free
    initial of a word, else the first free letter; none when no letter is free."""
    starts = [m.start() for m in re.finditer(r"\w+", title)]
    for i in starts + [i for i in range(len(title)) if i not in starts]:
        ch = title[i].lower()
        if ch.isalnum() and ch not in used:
            used.add(ch)
            return title[:i].replace("&", "&&") + "&" + title[i:].replace("&", "&&")
    return title.replace("&", "&&")
