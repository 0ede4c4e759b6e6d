"""Render every registered view on the demo evaluation: `python -m ui.screenshots DIR`.

Runs offscreen (`QT_QPA_PLATFORM=offscreen`), builds the demo into a temporary
folder (never into the repository), and writes 01-overview.png, 02-criteria.png, ...
at 1440x900.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

WIDTH, HEIGHT = 1440, 900


def render(out_dir: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from .app import ensure_demo, make_application
    from .main_window import MainWindow
    from .settings import Settings
    from .views import VIEWS

    app = make_application([sys.argv[0]])
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
        order = [k for k, _t, _m in VIEWS]  # numbered by registry place: stable names
        for key in window.view_keys():
            n = order.index(key) + 1
            view = window.show_view(key)
            ensure = getattr(view, "ensure_fresh", None)
            if ensure:
                ensure()
            for _ in range(3):
                app.processEvents()
            path = out_dir / f"{n:02d}-{key}.png"
            window.grab().save(str(path))
            written.append(path)
        window.close()
        QApplication.processEvents()
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/screenshots")
    for path in render(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
