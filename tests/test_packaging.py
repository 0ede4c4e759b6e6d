"""The packaging recipe (packaging/): what the bundle keeps, the icons, the .pdesk file
type, the Linux desktop installation (in a temporary HOME, never the real one) and the
Windows installer's promises. The bundle itself is checked by `make dist-check`."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from procure_desk.services import EvaluationFile

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))
import bundle_layout as layout  # noqa: E402

MIME = "application/x-procure-desk"
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux desktop")


# ---- what the bundle keeps ---------------------------------------------------------
@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
    ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", True),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("numpy/core/_multiarray_umath.so", True),
])
def test_qt_plugins_kept_on_linux(dest, kept):
    assert layout.keep_qt_file(dest) is kept


def test_qt_plugins_kept_on_windows(monkeypatch):
    """Windows wheels have no Qt folder level and no lib prefix."""
    monkeypatch.setattr(layout.sys, "platform", "win32")
    assert layout.keep_qt_file(str(Path("PySide6/plugins/platforms/qwindows.dll")))
    assert layout.keep_qt_file(str(Path("PySide6/plugins/styles/qmodernwindowsstyle.dll")))
    assert not layout.keep_qt_file(str(Path("PySide6/plugins/platforms/qdirect2d.dll")))
    assert not layout.keep_qt_file(str(Path("PySide6/translations/qtbase_fr.qm")))


def test_linked_closure_drops_what_only_dropped_plugins_needed():
    links = {
        "/s/QtCore.so": ["libQt6Core.so.6"],
        "/s/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Core.so.6"],
        "/s/libQt6XcbQpa.so.6": ["libxkbcommon.so.0"],
        "/s/libQt6Quick.so.6": ["libQt6Qml.so.6"],
        "/s/libpython3.11.so.1.0": [],
    }
    binaries = [
        ("PySide6/QtCore.abi3.so", "/s/QtCore.so", "EXTENSION"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/s/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/s/libQt6Core.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/s/libQt6XcbQpa.so.6", "BINARY"),
        ("libxkbcommon.so.0", "/s/libxkbcommon.so.0", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/s/libQt6Quick.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Qml.so.6", "/s/libQt6Qml.so.6", "BINARY"),
        ("libpython3.11.so.1.0", "/s/libpython3.11.so.1.0", "BINARY"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
    ]
    kept = layout.linked_closure(binaries, lambda src: links.get(src, []))
    assert {Path(d).name for d, _s, kind in kept if kind != "SYMLINK"} == {
        "QtCore.abi3.so", "libqxcb.so", "libQt6Core.so.6", "libQt6XcbQpa.so.6",
        "libxkbcommon.so.0", "libpython3.11.so.1.0"}
    assert [d for d, _s, kind in kept if kind == "SYMLINK"] == ["libQt6Core.so.6"]


def test_data_files_are_the_shipped_data_and_no_code():
    files = layout.data_files()
    names = {Path(src).relative_to(ROOT).as_posix() for src, _folder in files}
    assert "resources/templates/buy-small.json" in names
    assert "sample_bids/harrowmere.json" in names
    assert any(n.startswith("sample_bids/B1-") and n.endswith(".xlsx") for n in names)
    assert {"README.md", "CHANGELOG.md"} <= names
    assert not [n for n in names if n.endswith(".py") or n.startswith(("tests/", "benchmarks/"))]


def test_test_and_benchmark_code_is_excluded():
    for name in ("tests", "benchmarks", "pytest", "ui.screenshots", "PySide6.QtQuick",
                 "PySide6.QtWebEngineCore", "PySide6.QtMultimedia", "PySide6.Qt3DCore"):
        assert name in layout.EXCLUDED_MODULES
    # and nothing the application imports
    used = set()
    for path in [*ROOT.glob("procure_desk/**/*.py"), *ROOT.glob("ui/**/*.py")]:
        used |= set(re.findall(r"^\s*(?:from|import) (PySide6\.\w+)", path.read_text("utf-8"),
                               re.M))
    assert used, "no Qt imports found"
    assert not used & set(layout.EXCLUDED_MODULES)


def test_licences_travel_with_the_bundle(tmp_path):
    layout.write_licenses(tmp_path / "licenses")
    readme = (tmp_path / "licenses" / "README.txt").read_text("utf-8")
    for name in ("PySide6", "numpy", "reportlab", "openpyxl", "SQLAlchemy"):
        assert re.search(rf"^{name} \d", readme, re.M | re.I), name
    assert "pytest" not in readme
    assert "mypy" not in readme
    assert "Lesser General Public License" in (
        tmp_path / "licenses" / "PySide6" / "NOTICE.txt").read_text("utf-8")


# ---- icons --------------------------------------------------------------------------
def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def test_icon_set_sizes():
    hicolor = PACKAGING / "icons" / "hicolor"
    folders = sorted(p.name for p in hicolor.iterdir())
    assert {"16x16", "32x32", "48x48", "128x128", "256x256"} <= set(folders)
    for folder in folders:
        n = int(folder.split("x")[0])
        assert png_size(hicolor / folder / "apps" / "procure-desk.png") == (n, n)
        assert png_size(hicolor / folder / "mimetypes" / f"{MIME.replace('/', '-')}.png") == (n, n)


def test_windows_icon_holds_every_size():
    data = (PACKAGING / "icons" / "procure-desk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {data[6 + 16 * i] or 256 for i in range(count)}
    assert sizes >= {16, 24, 32, 48, 256}


# ---- the .pdesk type ----------------------------------------------------------------
def mime_magic() -> list[tuple[int, str, bytes | int]]:
    """(offset, type, value) of the nested matches in packaging/linux/procure-desk.xml."""
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(PACKAGING / "linux" / "procure-desk.xml").getroot()
    mt = root.find("m:mime-type", ns)
    assert mt is not None
    assert mt.get("type") == MIME
    assert mt.find("m:glob", ns).get("pattern") == "*.pdesk"
    out = []
    node = mt.find("m:magic", ns)
    assert int(node.get("priority")) > 50  # above the generic SQLite type
    while (node := node.find("m:match", ns)) is not None:
        value = node.get("value")
        if node.get("type") == "string":
            out.append((int(node.get("offset")), "string",
                        value.encode("latin-1").decode("unicode_escape").encode("latin-1")))
        else:
            out.append((int(node.get("offset")), node.get("type"), int(value, 0)))
    return out


def matches(path: Path) -> bool:
    data = path.read_bytes()[:128]
    for offset, kind, value in mime_magic():
        if kind == "string":
            assert isinstance(value, bytes)
            if data[offset:offset + len(value)] != value:
                return False
        else:
            assert kind == "big32"
            if struct.unpack(">I", data[offset:offset + 4])[0] != value:
                return False
    return True


def test_mime_magic_tells_an_evaluation_from_another_sqlite_file(tmp_path, example_doc):
    pdesk = tmp_path / "renamed.bin"
    EvaluationFile.create(pdesk, example_doc, actor="tester").close()
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert matches(pdesk)
    assert not matches(other)


# ---- the Linux desktop ---------------------------------------------------------------
@pytest.fixture
def fake_bundle(tmp_path) -> Path:
    """The bundle's desktop files as the spec lays them out, with a stand-in program."""
    bundle = tmp_path / "Apps" / "Procure Desk"  # a space, as in real folder names
    bundle.mkdir(parents=True)
    program = bundle / "procure-desk"
    program.write_text('#!/bin/sh\necho "$@"\n')
    program.chmod(0o755)
    layout.stage_linux_desktop(bundle)
    return bundle


def desktop_env(tmp_path: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path / "home"),
            "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}


def run_script(bundle: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(bundle / "install-desktop.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def qt_mime_type(path: Path, env: dict[str, str]) -> str:
    code = ("import sys\nfrom PySide6.QtCore import QMimeDatabase\n"
            "print(QMimeDatabase().mimeTypeForFile(sys.argv[1], "
            "QMimeDatabase.MatchMode.MatchContent).name())")
    return subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True,
                          capture_output=True, text=True, timeout=120).stdout.strip()


@linux_only
def test_install_desktop_puts_entry_icons_and_type_under_home(tmp_path, fake_bundle,
                                                              example_doc):
    env = desktop_env(tmp_path)
    data = tmp_path / "data"
    renamed = tmp_path / "evaluation.bin"  # found by its content, not its name
    EvaluationFile.create(renamed, example_doc, actor="tester").close()
    can_rebuild = shutil.which("update-mime-database", path=env["PATH"]) is not None
    if can_rebuild:
        assert qt_mime_type(renamed, env) != MIME

    r = run_script(fake_bundle, env)
    assert r.returncode == 0, r.stderr
    entry = (data / "applications" / "procure-desk.desktop").read_text("utf-8")
    program = fake_bundle / "procure-desk"
    assert f'\nExec="{program}" %f\n' in entry
    assert f"\nTryExec={program}\n" in entry
    assert f"\nMimeType={MIME};\n" in entry
    assert "\nIcon=procure-desk\n" in entry
    assert (data / "mime" / "packages" / "procure-desk.xml").is_file()
    for size in ("16x16", "48x48", "256x256"):
        assert (data / "icons" / "hicolor" / size / "apps" / "procure-desk.png").is_file()
        assert (data / "icons" / "hicolor" / size / "mimetypes"
                / "application-x-procure-desk.png").is_file()
    link = tmp_path / "home" / ".local" / "bin" / "procure-desk"
    assert link.is_symlink()
    assert Path(os.readlink(link)) == program
    if can_rebuild:
        assert f"{MIME}:*.pdesk" in (data / "mime" / "globs2").read_text("utf-8")
        assert qt_mime_type(renamed, env) == MIME
    if shutil.which("xdg-mime", path=env["PATH"]):
        assert f"{MIME}=procure-desk.desktop" in (
            tmp_path / "config" / "mimeapps.list").read_text("utf-8")

    r = run_script(fake_bundle, env, "--uninstall")
    assert r.returncode == 0, r.stderr
    assert not (data / "applications" / "procure-desk.desktop").exists()
    assert not (data / "mime" / "packages" / "procure-desk.xml").exists()
    assert not list((data / "icons").rglob("*procure-desk*.png"))
    assert not link.exists()
    assert not link.is_symlink()
    if can_rebuild:
        assert qt_mime_type(renamed, env) != MIME
        assert MIME not in (data / "mime" / "globs2").read_text("utf-8")
    if (tmp_path / "config" / "mimeapps.list").exists():
        assert MIME not in (tmp_path / "config" / "mimeapps.list").read_text("utf-8")


@linux_only
def test_install_desktop_leaves_another_command_alone(tmp_path, fake_bundle):
    env = desktop_env(tmp_path)
    other = tmp_path / "home" / ".local" / "bin" / "procure-desk"
    other.parent.mkdir(parents=True)
    other.write_text("#!/bin/sh\n")
    r = run_script(fake_bundle, env)
    assert r.returncode == 0, r.stderr
    assert "left as it is" in r.stdout
    assert other.read_text() == "#!/bin/sh\n"
    run_script(fake_bundle, env, "--uninstall")
    assert other.read_text() == "#!/bin/sh\n"


@linux_only
def test_install_desktop_refuses_a_path_it_cannot_quote(tmp_path):
    bundle = tmp_path / "money$folder"
    bundle.mkdir()
    (bundle / "procure-desk").write_text("#!/bin/sh\n")
    (bundle / "procure-desk").chmod(0o755)
    layout.stage_linux_desktop(bundle)
    r = run_script(bundle, desktop_env(tmp_path))
    assert r.returncode == 2
    assert "move the folder" in r.stderr
    assert not (tmp_path / "data" / "applications" / "procure-desk.desktop").exists()


# ---- Windows: the recipe's promises (nothing here runs on Windows) -------------------
def test_windows_installer_is_per_user_with_the_pdesk_association():
    iss = (PACKAGING / "windows" / "procure-desk.iss").read_text("utf-8")
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.M)
    assert re.search(r"^DefaultDirName=\{userpf\}\\ProcureDesk$", iss, re.M)
    assert "HKLM" not in iss
    assert "HKCR" not in iss
    assert "{commonpf}" not in iss
    keys = re.findall(r'^Root: HKCU; Subkey: "([^"]+)"', iss, re.M)
    assert keys
    assert all(k.startswith("Software\\Classes\\") for k in keys)
    assert "Software\\Classes\\.pdesk" in keys
    assert re.search(r'shell\\open\\command".*ValueData: """\{app\}\\ProcureDesk\.exe"" '
                     r'open ""%1"""', iss)
    assert "ChangesAssociations=yes" in iss
    icon = re.search(r"^SetupIconFile=(.+)$", iss, re.M)
    assert icon
    assert (PACKAGING / "windows" / icon.group(1).replace("\\", "/")).resolve() == (
        PACKAGING / "icons" / "procure-desk.ico")


def test_windows_workflow_builds_tests_and_packs_the_installer():
    wf = (ROOT / ".github" / "workflows" / "windows.yml").read_text("utf-8")
    assert "runs-on: windows-" in wf
    assert "packaging/procure-desk.spec" in wf or "packaging\\procure-desk.spec" in wf
    assert "packaging/smoke.py" in wf
    assert "procure-desk.iss" in wf


def test_spec_has_no_platform_paths():
    """Paths in the spec are built with pathlib, so it runs unchanged on Windows."""
    import ast

    spec = (PACKAGING / "procure-desk.spec").read_text("utf-8")
    literals = [n.value for n in ast.walk(ast.parse(spec))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert literals
    assert not [v for v in literals if ("/" in v or "\\" in v) and "\n" not in v]
