"""Render every registered view on the demo evaluation: `python -m ui.screenshots DIR`.

Runs offscreen (`QT_QPA_PLATFORM=offscreen`), builds the demo into a temporary
folder (never into the repository), and writes 01-overview.png, 02-criteria.png, ...
at 1440x900, after any background work of a view (the Analysis view's simulation)
has finished. Pictures in DIR named like a view's but no longer matching one (a view
renumbered or gone) are removed, so the folder always shows today's views.
`--dark` renders with a dark palette, to check that every colour follows it.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1440, 900
SHOT = re.compile(r"^\d\d-[a-z_]+\.png$")
DARK = {"Window": "#2b2b2b", "WindowText": "#e6e6e6", "Base": "#1e1e1e",
        "AlternateBase": "#272727", "Text": "#e6e6e6", "Button": "#353535",
        "ButtonText": "#e6e6e6", "Highlight": "#2f6f9f", "HighlightedText": "#ffffff",
        "ToolTipBase": "#3d3a24", "ToolTipText": "#f2eed8", "PlaceholderText": "#8c8c8c",
        "Mid": "#4a4a4a", "Dark": "#151515", "Light": "#505050"}


def dark_palette() -> Any:
    """A dark palette like a desktop's dark mode (disabled text dimmed)."""
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    for role, colour in DARK.items():
        pal.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    for role in ("WindowText", "Text", "ButtonText"):
        pal.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, role),
                     QColor("#7a7a7a"))
    return pal


def _settle(app: Any, view: Any, timeout: float = 20.0) -> None:
    """Let the view finish what it does in the background (`busy()`), then paint."""
    busy = getattr(view, "busy", None)
    end = time.monotonic() + timeout
    while busy is not None and busy() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(3):
        app.processEvents()


def render(out_dir: Path, dark: bool = False) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from .app import ensure_demo, make_application
    from .main_window import MainWindow
    from .settings import Settings
    from .views import view_classes

    app = make_application([sys.argv[0]])
    if dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        demo = ensure_demo(Path(tmp) / "demo.pdesk")
        settings = Settings(Path(tmp) / "settings.ini")
        settings.user_name = "Procurement officer"
        window = MainWindow(settings=settings)
        window.resize(WIDTH, HEIGHT)
        window.show()
        if not window.open_file(demo):
            raise SystemExit(f"could not open {demo}")
        order = [k for k, _t, _c in view_classes()]  # numbered by sidebar place: stable names
        for key in window.view_keys():
            n = order.index(key) + 1
            view = window.show_view(key)
            ensure = getattr(view, "ensure_fresh", None)
            if ensure:
                ensure()
            _settle(app, view)
            path = out_dir / f"{n:02d}-{key}.png"
            window.grab().save(str(path))
            written.append(path)
        window.close()
        QApplication.processEvents()
    for stale in sorted(out_dir.glob("*.png")):
        if SHOT.match(stale.name) and stale not in written:
            stale.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    dark = "--dark" in args
    rest = [a for a in args if a != "--dark"]
    out = Path(rest[0] if rest else "docs/screenshots")
    for path in render(out, dark=dark):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
