"""The extension seam: modules that add menu actions or panels to the main window.

Each module listed in `installers()` has `install(window: MainWindow) -> None`, called
once after the window has built its menus. An extension may add actions to
`window.file_menu`, `window.import_menu` and `window.export_menu`, read
`window.document` (the open `Document` or None), follow `window.documentOpened`
(emitted with the new Document, or None when the file is closed) and call
`window.open_file(path)`. One that cannot be imported or installed is a fault,
raised like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def installers() -> list[Callable[[Any], None]]:
    from . import actions_exports, actions_governance, actions_workbooks

    # governance last: it decides which of the others' actions a locked file offers
    return [actions_exports.install, actions_workbooks.install, actions_governance.install]
