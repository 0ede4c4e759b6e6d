"""The `procure-desk` command: the core's command line, with the desktop app plugged in.

Qt is imported only when a window is to open, so `procure-desk results` stays fast.
`python main.py --demo` (what `make run` does) opens the demo evaluation, built
on first use into the user's data folder.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

# What Qt's X11 platform plugin (plugins/platforms/libqxcb.so) links to, beyond Qt's
# own libraries, with the Debian/Ubuntu package that holds each (`ldd libqxcb.so`).
# A fresh desktop often lacks the first few; Qt then aborts with text no user can act on.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
}


def no_display() -> bool:
    """True where a window cannot open (a Linux session with no graphical display)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def uses_xcb() -> bool:
    """True where Qt would open its window through X11 (the xcb platform plugin)."""
    if not sys.platform.startswith("linux"):
        return False
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    wayland = bool(os.environ.get("WAYLAND_DISPLAY")) or \
        os.environ.get("XDG_SESSION_TYPE") == "wayland"
    return bool(os.environ.get("DISPLAY")) and not wayland


def _bundled_folders() -> list[Path]:
    """Where a library may sit beside the program (the bundle, or PySide6's own Qt)."""
    folders = []
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        folders.append(Path(meipass))
    try:
        import importlib.util

        spec = importlib.util.find_spec("PySide6")
        if spec is not None and spec.origin:
            folders.append(Path(spec.origin).parent / "Qt" / "lib")
    except (ImportError, ValueError):
        pass
    return folders


def _loads(soname: str) -> bool:
    if any((folder / soname).exists() for folder in _bundled_folders()):
        return True
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_libraries(libraries: Mapping[str, str] | None = None,
                      loads: Callable[[str], bool] = _loads) -> dict[str, str]:
    """The libraries of `libraries` (soname: Debian package) that cannot be loaded."""
    wanted = XCB_LIBRARIES if libraries is None else libraries
    return {name: package for name, package in wanted.items() if not loads(name)}


def missing_libraries_message(missing: Mapping[str, str]) -> str:
    """One clear message: what is missing, and the command that installs it."""
    packages = " ".join(sorted(set(missing.values())))
    return ("procure-desk: the desktop application cannot open a window: this system lacks "
            f"{'a library' if len(missing) == 1 else 'libraries'} that Qt needs to draw on "
            f"X11 ({', '.join(missing)}). On Debian or Ubuntu, install "
            f"{'it' if len(set(missing.values())) == 1 else 'them'} with:\n"
            f"    sudo apt install {packages}\n"
            "then start ProcureDesk again. The command line works meanwhile "
            "(procure-desk --help).")


def launch_gui(file: str | None, *, demo: bool = False) -> int:
    if no_display():
        # Qt would abort without a word a user could act on
        print("procure-desk: the desktop application needs a graphical display, and this "
              "session has none; the command line works here (procure-desk --help)",
              file=sys.stderr)
        return 2
    if uses_xcb():
        missing = missing_libraries()
        if missing:  # Qt would abort with "no Qt platform plugin could be initialized"
            print(missing_libraries_message(missing), file=sys.stderr)
            return 2
    from PySide6.QtGui import QGuiApplication, QIcon

    from procure_desk.paths import APP_ICON
    from ui.app import make_application, run_app

    make_application().setWindowIcon(QIcon(str(APP_ICON)))
    QGuiApplication.setDesktopFileName("procure-desk")  # the dock's icon: procure-desk.desktop
    if os.environ.get("PROCURE_DESK_QUIT_AFTER"):  # the bundle's smoke test: ui/quit_after.py
        from ui.quit_after import VARIABLE, schedule

        schedule(os.environ[VARIABLE])
    return run_app(file, demo=demo)


def main(argv: Sequence[str] | None = None) -> int:
    from procure_desk.cli import main as cli_main

    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--demo"]:
        return launch_gui(None, demo=True)
    if len(args) == 1 and args[0].lower().endswith(".pdesk"):
        args = ["open", args[0]]
    return cli_main(args, gui=launch_gui)


if __name__ == "__main__":
    sys.exit(main())
