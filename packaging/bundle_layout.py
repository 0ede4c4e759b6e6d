"""What goes into the application bundle, shared by the PyInstaller spec, the bundle's
smoke test (packaging/smoke.py) and the tests (tests/test_packaging.py).

Plain Python with no third-party imports: the smoke test runs it with the system's
Python, outside any virtual environment.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NAME = "procure-desk"  # the bundle's folder and its command
GUI_NAME = "ProcureDesk"  # Windows and macOS: the program without a console window
CONTENTS = "_internal"  # PyInstaller's folder for everything but the programs
SIZE_BUDGET_MB = 350  # unpacked, on Linux

# The data the application reads at run time (procure_desk/paths.py and the user guide
# in ui/main_window.py), as (source glob relative to the repository, folder in the bundle).
DATA = [
    ("resources/templates/*.json", "resources/templates"),
    ("resources/icons/*.png", "resources/icons"),
    ("resources/fonts/*", "resources/fonts"),  # embedded in every PDF, with its licence
    ("sample_bids/*.xlsx", "sample_bids"),
    ("sample_bids/*.json", "sample_bids"),
    ("README.md", "."),
    ("CHANGELOG.md", "."),
    ("docs/*.md", "docs"),
]

# Python modules never bundled: tests, benchmarks, development tools, and what the
# libraries import only optionally. ProcureDesk uses QtCore, QtGui, QtWidgets, QtCharts and
# QtPrintSupport (File > Print).
EXCLUDED_MODULES = [
    "tests", "benchmarks", "ui.screenshots", "pytest", "_pytest", "pytestqt", "py",
    "mypy", "ruff", "importlinter", "grimp", "jsonschema", "setuptools", "pip",
    "pkg_resources", "tkinter", "_tkinter", "IPython", "matplotlib", "scipy",
    "PIL.ImageQt", "pydoc_data", "rich", "pygments", "attr", "attrs", "hypothesis",
    "lib2to3", "unittest.mock", "doctest",
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebChannel",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.Qt3DCore",
    "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtDesigner", "PySide6.QtHelp",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtXml", "PySide6.QtBluetooth",
    "PySide6.QtPositioning", "PySide6.QtLocation", "PySide6.QtSensors",
    "PySide6.QtSerialPort", "PySide6.QtTextToSpeech", "PySide6.QtDataVisualization",
    "PySide6.QtGraphs", "PySide6.QtScxml", "PySide6.QtRemoteObjects", "PySide6.QtSvg",
    "PySide6.QtSvgWidgets", "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets", "PySide6.QtConcurrent", "PySide6.QtUiTools",
]

# Top-level packages whose presence in the bundle means test or development code got in.
FORBIDDEN_PACKAGES = ("tests", "benchmarks", "pytest", "_pytest", "pytestqt", "mypy", "ruff")

# Qt plugins kept, by plugin folder; every other plugin is left out. Names are the file
# names without "lib" and the extension, so one list serves Linux, Windows and macOS.
QT_PLUGINS = {
    # the windowing systems: X11, Wayland, Windows, macOS, and offscreen (no display)
    "platforms": {"qxcb", "qwayland", "qwindows", "qcocoa", "qoffscreen"},
    "wayland-decoration-client": {"*"},
    "wayland-graphics-integration-client": {"*"},
    "wayland-shell-integration": {"*"},
    "xcbglintegrations": {"*"},
    # native file dialogs through the desktop portal (no GTK in the bundle)
    "platformthemes": {"qxdgdesktopportal"},
    # typing accents with a compose key or an input method
    "platforminputcontexts": {"composeplatforminputcontextplugin",
                              "ibusplatforminputcontextplugin"},
    # the desktop theme's icons in dialogs (SVG), the Windows 11 and macOS styles
    "iconengines": {"qsvgicon"},
    "imageformats": {"qsvg"},
    "styles": {"*"},
}


def plugin_name(filename: str) -> str:
    """`libqxcb.so` or `qxcb.dll` -> `qxcb`."""
    stem = filename.split(".")[0]
    return stem[3:] if stem.startswith("lib") and not sys.platform.startswith("win") else stem


def keep_qt_file(dest: str) -> bool:
    """Whether a bundled file under PySide6/Qt (plugin or translation) is kept."""
    parts = Path(dest).parts
    if not parts or parts[0] != "PySide6":
        return True
    rest = parts[1:]
    if rest[:1] == ("Qt",):  # Linux and macOS wheels; Windows has no Qt folder level
        rest = rest[1:]
    if rest[:1] == ("translations",):
        return False  # ProcureDesk speaks English only; Qt's own texts are English too
    if rest[:1] == ("plugins",) and len(rest) >= 3:
        allowed = QT_PLUGINS.get(rest[1], set())
        return "*" in allowed or plugin_name(rest[-1]) in allowed
    return True


def is_qt_plugin(dest: str) -> bool:
    parts = Path(dest).parts
    return parts[:1] == ("PySide6",) and "plugins" in parts[1:3]


def linked_closure(binaries: list[tuple[str, str, str]],
                   imports_of: Callable[[str], list[str]]) -> list[tuple[str, str, str]]:
    """The entries of `binaries` (PyInstaller's (dest, source, typecode)) that something
    kept needs: Python's extension modules, the Qt plugins kept, Python itself, and
    whatever they link to, and so on; with the symbolic links to those. Drops what only
    a plugin left out linked to (Qt Quick, QML, the virtual keyboard, PDF, eglfs and
    their system libraries). `imports_of(source)` names the libraries a binary links to."""
    files = [e for e in binaries if e[2] != "SYMLINK"]
    by_name: dict[str, tuple[str, str, str]] = {}
    for entry in files:
        by_name.setdefault(Path(entry[0]).name.lower(), entry)
    todo = [e for e in files
            if e[2] == "EXTENSION" or is_qt_plugin(e[0])
            or Path(e[0]).name.lower().startswith(("libpython", "python3"))]
    kept = {e[0] for e in todo}
    while todo:
        entry = todo.pop()
        for name in imports_of(entry[1]):
            dep = by_name.get(Path(name).name.lower())
            if dep is not None and dep[0] not in kept:
                kept.add(dep[0])
                todo.append(dep)
    # a link (dest, target relative to the bundle, "SYMLINK") stays if its target does
    kept_paths = {Path(d) for d in kept}
    return [e for e in binaries if e[0] in kept
            or (e[2] == "SYMLINK" and Path(e[1]) in kept_paths)]


def data_files() -> list[tuple[str, str]]:
    """(source file, folder in the bundle) for every data file, as PyInstaller wants."""
    out = []
    for pattern, folder in DATA:
        matches = sorted(REPO.glob(pattern))
        if not matches:
            raise SystemExit(f"packaging: nothing matches {pattern}")
        out += [(str(p), folder) for p in matches if p.is_file()]
    return out


# The Linux desktop integration laid out beside the program: install-desktop.sh and the
# files it installs under ~/.local/share (packaging/linux, packaging/icons).
def stage_linux_desktop(bundle: Path) -> None:
    share = bundle / "share"
    if share.exists():
        shutil.rmtree(share)
    (share / "applications").mkdir(parents=True)
    (share / "mime" / "packages").mkdir(parents=True)
    shutil.copy2(HERE / "linux" / "procure-desk.desktop", share / "applications")
    shutil.copy2(HERE / "linux" / "procure-desk.xml", share / "mime" / "packages")
    shutil.copytree(HERE / "icons" / "hicolor", share / "icons" / "hicolor")
    script = bundle / "install-desktop.sh"
    shutil.copy2(HERE / "linux" / "install-desktop.sh", script)
    script.chmod(0o755)


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*")
               if p.is_file() and not p.is_symlink()) / 1e6


def runtime_distributions(root: str = "procure-desk") -> list[str]:
    """The installed distributions the application needs: its requirements, theirs,
    and so on (extras and development tools not included)."""
    import importlib.metadata as md

    from packaging.requirements import Requirement  # PyInstaller depends on it

    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen[key] = dist.metadata["Name"]
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    seen.pop(root, None)
    return sorted(seen.values(), key=str.lower)


LICENCE_FILE = ("licen", "copying", "notice", "authors")


def write_licenses(folder: Path) -> None:
    """The licence texts of Python and of every bundled distribution, one folder each:
    Qt (PySide6) is LGPL, which asks that its licence travel with the program."""
    import importlib.metadata as md

    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    python_licence = Path(sys.base_prefix) / "LICENSE.txt"
    if not python_licence.exists():
        python_licence = (Path(sys.base_prefix) / "lib"
                          / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "LICENSE.txt")
    if python_licence.exists():
        (folder / "Python").mkdir()
        shutil.copy2(python_licence, folder / "Python" / "LICENSE.txt")
    lines = []
    for name in runtime_distributions():
        dist = md.distribution(name)
        files = [f for f in dist.files or []
                 if any(f.name.lower().startswith(p) for p in LICENCE_FILE)
                 and ".dist-info" in str(f)]
        target = folder / name
        for f in files:
            src = Path(str(dist.locate_file(f)))
            if src.is_file():
                target.mkdir(exist_ok=True)
                shutil.copy2(src, target / f.name)
        licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
        first = licence.strip().splitlines()[0] if licence.strip() else "see its folder"
        lines.append(f"{name} {dist.version}: {first[:80]}")
    # The Qt for Python wheels ship no licence text: the LGPL's (which builds on the
    # GPL's) is taken from the build machine where it has one (Debian: common-licenses).
    qt = folder / "PySide6"
    qt.mkdir(exist_ok=True)
    for text in ("LGPL-3", "GPL-3"):
        src = Path("/usr/share/common-licenses") / text
        if src.is_file():
            shutil.copy2(src, qt / f"{text}.txt")
    (qt / "NOTICE.txt").write_text(
        "Qt and Qt for Python (PySide6, shiboken6) are used under the GNU Lesser General "
        "Public License version 3 (https://www.gnu.org/licenses/lgpl-3.0.html). Their "
        "source is published by The Qt Company (https://code.qt.io). They are shared "
        "libraries in this folder's _internal/PySide6 and _internal/shiboken6, and may "
        "be replaced there by compatible builds.\n", encoding="utf-8")
    (folder / "README.txt").write_text(
        "ProcureDesk includes these open-source components; each folder holds the "
        "licence texts its authors ship.\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
