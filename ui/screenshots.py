"""Render every registered view on the demo evaluation: `python -m ui.screenshots DIR`.

Runs offscreen (`QT_QPA_PLATFORM=offscreen`), builds the demo into a temporary
folder (never into the repository), and writes 01-overview.png, 02-criteria.png, ...
at 1280x720 (`--size 1366x768` or SCREENSHOTS_SIZE for another; every picture is
exactly that size), after any background work of a view (the Analysis view's simulation)
has finished. The demo is taken part way through governance first: one of its three
evaluators has submitted, so the results are provisional. Then the states the views alone do not
show: a submitted evaluator's locked grid (EXTRA_SHOTS), and a copy of the demo
completed and sealed. Pictures in DIR named like these but no longer made (a view
renumbered or gone) are removed, so the folder always shows today's views.
`--dark` renders with a dark palette, to check that every colour follows it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

WIDTH, HEIGHT = 1280, 720  # a 13-inch laptop's screen: every view must be usable at it
USER = "J. Whitlock"  # the demo's first evaluator: the Scoring view opens on her own scores
OFFICER = "Procurement officer"
# the record a view shows in its picture (the Evaluators view: S. Kaur's declaration)
SHOWING = {"evaluators": "E2"}
# after one picture per view: (name, file, view, evaluator shown in the Scoring view)
EXTRA_SHOTS = [("scoring_submitted", "demo", "scoring", "E2"),
               ("sealed", "sealed", "results", None),
               ("sealed_overview", "sealed", "overview", None)]
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


def _days_ago(n: int) -> str:
    return (dt.date.today() - dt.timedelta(days=n)).isoformat()


def prepare_demo(path: Path) -> None:
    """The demo part way through: S. Kaur has submitted her scores, J. Whitlock has
    changed a score, one divergent score is moderated (the panel's declarations come
    with the demo)."""
    from procure_desk.services import EvaluationFile

    with EvaluationFile.open(path) as ef:
        for e in ef.document()["evaluators"]:  # an older sample came without them
            if not e.get("declaration"):
                ef.set_declaration(e["name"], e["id"], _days_ago(80), "")
        ef.submit("S. Kaur", "E2")
        # B4 failed a gateway, so this changes no figure; the audit log shows it
        ef.set_score("J. Whitlock", "E1", "B4", "F1", 3, "Exit plan only outlined: "
                     "revised after the clarification answer")
        _moderate(ef, ef.results().flags()[:1])  # moderation has begun


def _moderate(ef: Any, flags: list[dict[str, Any]]) -> None:
    """A consensus score (the evaluators' median) on each of these divergent scores."""
    from procure_desk.interchange import plain

    doc = ef.document()
    step = float(doc["evaluation"]["scale"]["step"])
    for flag in flags:
        given = sorted(r["score"] for r in doc["scores"]
                       if (r["bid"], r["criterion"]) == (flag["bid"], flag["criterion"]))
        agreed = round(given[len(given) // 2] / step) * step
        ef.set_consensus(OFFICER, flag["bid"], flag["criterion"], plain(agreed),
                         "Agreed at the moderation meeting after reading the evidence again")


def complete_and_seal(path: Path) -> None:
    """Every declaration made, every divergent score moderated, every evaluator
    submitted, and the record sealed."""
    from procure_desk.services import EvaluationFile

    with EvaluationFile.open(path) as ef:
        _moderate(ef, ef.results().flags())
        for e in ef.document()["evaluators"]:
            if not e.get("submitted"):
                ef.submit(e["name"], e["id"])
        ef.seal(OFFICER, "Contract awarded; standstill period ended")


@contextmanager
def _answering_yes() -> Iterator[None]:
    """The questions a scripted visit would ask (entering on someone's behalf) answered."""
    from . import ask

    saved = ask.confirm
    ask.confirm = lambda *_a, **_k: True
    try:
        yield
    finally:
        ask.confirm = saved


def _settle(app: Any, view: Any, timeout: float = 20.0) -> None:
    """Let the view finish what it does in the background (`busy()`), then paint."""
    busy = getattr(view, "busy", None)
    end = time.monotonic() + timeout
    while busy is not None and busy() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(3):
        app.processEvents()


def parse_size(text: str) -> tuple[int, int]:
    """"1366x768" as (1366, 768); SystemExit with one sentence when it is not a size."""
    m = re.fullmatch(r"\s*(\d{3,5})\s*[xX×]\s*(\d{3,5})\s*", text)
    if not m:
        raise SystemExit(f"screenshot size {text!r} is not WIDTHxHEIGHT (e.g. 1366x768)")
    return int(m.group(1)), int(m.group(2))


def render(out_dir: Path, dark: bool = False,
           size: tuple[int, int] = (WIDTH, HEIGHT)) -> list[Path]:
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
        files = {"demo": ensure_demo(Path(tmp) / "demo.pdesk")}
        prepare_demo(files["demo"])
        files["sealed"] = Path(tmp) / "sealed.pdesk"
        shutil.copyfile(files["demo"], files["sealed"])
        complete_and_seal(files["sealed"])
        settings = Settings(Path(tmp) / "settings.ini")
        settings.user_name = USER
        window = MainWindow(settings=settings)
        window.resize(*size)
        window.show()
        if not window.open_file(files["demo"]):
            raise SystemExit(f"could not open {files['demo']}")
        order = [k for k, _t, _c in view_classes()]  # numbered by sidebar place: stable names
        shots: list[tuple[str, str, str, str | None]] = [
            (f"{order.index(key) + 1:02d}-{key}.png", "demo", key, None)
            for key in window.view_keys()]
        shots += [(f"{len(order) + n:02d}-{name}.png", file, key, eid)
                  for n, (name, file, key, eid) in enumerate(EXTRA_SHOTS, start=1)]
        shown = "demo"
        for name, file, key, eid in shots:
            if file != shown:
                if not window.open_file(files[file]):
                    raise SystemExit(f"could not open {files[file]}")
                shown = file
            view = window.show_view(key)
            if file == "demo" and key in SHOWING:
                cast(Any, view).select(SHOWING[key])
            if eid is not None:
                with _answering_yes():
                    cast(Any, view).set_evaluator(eid)
            ensure = getattr(view, "ensure_fresh", None)
            if ensure:
                ensure()
            if window.document is not None:
                window.document.wait_for_check()  # the bar and read-only widgets follow
            _settle(app, view)
            path = out_dir / name
            if (window.width(), window.height()) != size:
                raise SystemExit(f"the window is {window.width()}x{window.height()}, not "
                                 f"{size[0]}x{size[1]}: {key} asks for more room")
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
    size_text = os.environ.get("SCREENSHOTS_SIZE") or f"{WIDTH}x{HEIGHT}"
    rest = []
    it = iter(a for a in args if a != "--dark")
    for a in it:
        if a == "--size":
            size_text = next(it, "")
        elif a.startswith("--size="):
            size_text = a.split("=", 1)[1]
        else:
            rest.append(a)
    out = Path(rest[0] if rest else "docs/screenshots")
    for path in render(out, dark=dark, size=parse_size(size_text)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
