"""An open server evaluation refreshes itself when another member changes it.

`ServerWatch` turns the core's LISTEN/NOTIFY listener (procure_desk.server.listen),
which calls back on its own thread, into a Qt signal on the window's thread, and
asks the open document to catch up (`Document.check_outside_changes`): other
members' changes show within a moment, without polling the server.

`install_server_actions(window)` adds File > Open from Server… to a main window
and watches every server evaluation it opens.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from procure_desk.errors import BadInput
from procure_desk.server.listen import Listener

log = logging.getLogger(__name__)


class ServerWatch(QObject):
    """Hears a server evaluation's changes for one open document."""

    heard = Signal(str)  # the login that changed it (emitted on the window's thread)

    def __init__(self, document: Any):
        super().__init__(document)
        from procure_desk.server.listen import watch

        self.document = document
        self.heard.connect(self._catch_up)
        self._listener: Listener | None = watch(document.file, self.heard.emit)
        document.destroyed.connect(self.stop)

    def _catch_up(self, _login: str) -> None:
        if not getattr(self.document, "_closed", False):
            self.document.check_outside_changes()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            self._listener = None


def watch_document(document: Any) -> ServerWatch | None:
    """A watch for `document` when it is a server evaluation (None for a file)."""
    if document is None or not getattr(document.file.store, "team", False):
        return None
    try:
        return ServerWatch(document)
    except BadInput as exc:  # the window still works; it only hears changes later
        log.warning("not hearing changes: %s", exc)
        return None


def open_from_server(window: Any, url: str) -> bool:
    """Open the evaluation at `url` in `window` (what File > Open from server does)."""
    from ui import ask
    from ui.document import Document

    doc = None
    try:
        doc = Document.open(url, window.settings.user_name, window)
        doc.doc()
    except BadInput as exc:
        if doc is not None:
            doc.close()
        ask.show_problem(window, "Cannot open", exc)
        return False
    window._set_document(doc)
    from procure_desk.server import view_note

    note = view_note(doc.file)
    if note:
        doc.notice.emit(note)
    return True


def install_server_actions(window: Any) -> QAction:
    """File > Open from Server…, and a watch on each server evaluation the window opens."""
    from ui.server_dialog import ServerDialog

    action = QAction("Open &from Server…", window)

    def ask_and_open() -> None:
        dialog = ServerDialog(window, login=window.settings.user_name or "")
        if dialog.exec():
            open_from_server(window, dialog.address())

    action.triggered.connect(ask_and_open)
    actions = window.file_menu.actions()  # placed after the other ways to open
    after = next((k for k, a in enumerate(actions) if a.text() == "Open the De&mo"), None)
    if after is not None and after + 1 < len(actions):
        window.file_menu.insertAction(actions[after + 1], action)
    else:
        window.file_menu.addAction(action)
    window.documentOpened.connect(watch_document)
    window.documentOpened.connect(lambda doc: _follow_role(window, doc))
    return action


def _follow_role(window: Any, document: Any) -> None:
    """Disable what the member's role may not use, now and after each check or change
    (connected after the window's own rules, so it has the last word)."""
    from ui import permissions

    if document is None or not getattr(document.file.store, "team", False):
        return
    document.lockChanged.connect(lambda: permissions.apply_to_window(window))
    permissions.apply_to_window(window)
