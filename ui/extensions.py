"""The extension seam: modules that add menu actions or panels to the main window.

Each name in EXTENSIONS is a module with `install(window: MainWindow) -> None`, called
once after the window has built its menus. An extension may add actions to
`window.file_menu`, `window.import_menu` and `window.export_menu`, read
`window.document` (the open `Document` or None), follow `window.documentOpened`
(emitted with the new Document, or None when the file is closed) and call
`window.open_file(path)`. A module that fails to import or install is logged and
skipped: the window still opens.
"""

from __future__ import annotations

EXTENSIONS: tuple[str, ...] = ("ui.actions_exports", "ui.actions_workbooks")
