"""The application bundle, checked as a user gets it: `python3 packaging/smoke.py PATH`.

PATH is the bundle's folder or the archive made by `make dist` (unpacked into a
temporary folder first). Run it with the system's Python and a clean environment, as
`make dist-check` does (env -i with PATH and a new HOME: no virtualenv, no PYTHONPATH),
so that nothing but the bundle can answer. It checks what is in the bundle (no test or
benchmark code, only the Qt plugins kept, the size), then runs the bundled
`procure-desk`: --version, new, demo, results --json, export --pdf --xlsx, verify, a refusal,
the desktop application opening a window offscreen and closing, and on Linux the
desktop integration (install-desktop.sh) in the temporary HOME. Standard library only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_layout as L  # noqa: N812

WINDOWS = sys.platform == "win32"
EXE = ".exe" if WINDOWS else ""
# Qt libraries that mean a module the application does not use got in
UNWANTED_QT = ("Qt6Quick", "Qt6Qml", "Qt6WebEngine", "Qt63D", "Qt6Multimedia", "Qt6Pdf",
               "Qt6VirtualKeyboard", "Qt6Designer")
TIMEOUT_S = 180


class Failed(Exception):  # noqa: N818 (a failed check, not a program error)
    pass


def expected_version() -> str:
    with open(L.REPO / "pyproject.toml", "rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment the bundle runs in: what `env -i` left, and nothing of Python's."""
    keep = ("PATH", "HOME", "SYSTEMROOT", "WINDIR", "TEMP", "TMP", "USERPROFILE",
            "LOCALAPPDATA", "APPDATA", "HOMEDRIVE", "HOMEPATH")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(extra)
    return env


def run(bundle: Path, *args: str | Path, expect: int = 0, cwd: Path, **extra: str
        ) -> subprocess.CompletedProcess[str]:
    cmd = [str(bundle / f"{L.NAME}{EXE}"), *(str(a) for a in args)]
    start = time.perf_counter()
    r = subprocess.run(cmd, cwd=cwd, env=clean_env(**extra), capture_output=True, text=True,
                       encoding="utf-8", errors="replace", timeout=TIMEOUT_S,
                       stdin=subprocess.DEVNULL)
    took = time.perf_counter() - start
    shown = " ".join(str(a) for a in args) or "(no arguments)"
    print(f"  procure-desk {shown}: exit {r.returncode} in {took:.2f} s")
    if r.returncode != expect:
        raise Failed(f"procure-desk {shown} exited {r.returncode}, not {expect}\n"
                     f"stdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-2000:]}")
    return r


def check_contents(bundle: Path) -> None:
    internal = bundle / L.CONTENTS
    if not (bundle / f"{L.NAME}{EXE}").is_file():
        raise Failed(f"no {L.NAME}{EXE} in {bundle}")
    if WINDOWS and not (bundle / f"{L.GUI_NAME}{EXE}").is_file():
        raise Failed(f"no {L.GUI_NAME}{EXE} (the program without a console) in {bundle}")
    for name in L.FORBIDDEN_PACKAGES:
        if (internal / name).exists():
            raise Failed(f"test or development code in the bundle: {internal / name}")
    for must in ("resources/templates/buy-small.json", "sample_bids/harrowmere.json",
                 "README.md", "CHANGELOG.md"):
        if not (internal / must).is_file():
            raise Failed(f"{must} is missing from the bundle")
    if not list((internal / "sample_bids").glob("B*.xlsx")):
        raise Failed("the sample bid workbooks are missing from the bundle")
    if list((internal / "sample_bids").glob("*.py")):
        raise Failed("the sample workbooks' generator (Python) is in the bundle")
    files = [p for p in internal.rglob("*") if p.is_file() or p.is_symlink()]
    unwanted = sorted({p.name for p in files if any(q in p.name for q in UNWANTED_QT)})
    if unwanted:
        raise Failed(f"Qt libraries the application does not use: {', '.join(unwanted)}")
    plugins = sorted(p for p in files if "plugins" in p.parts and p.parent.parent.name == "plugins")
    for p in plugins:
        if not L.keep_qt_file(str(p.relative_to(internal))):
            raise Failed(f"a Qt plugin not on the list in bundle_layout.py: {p.name}")
    platforms = {L.plugin_name(p.name) for p in plugins if p.parent.name == "platforms"}
    if "qoffscreen" not in platforms or not platforms & {"qxcb", "qwindows", "qcocoa"}:
        raise Failed(f"platform plugins: {sorted(platforms)}")
    size = L.size_mb(bundle)
    print(f"  {len(files)} files, {size:.0f} MB unpacked (budget {L.SIZE_BUDGET_MB} MB), "
          f"Qt plugins: {', '.join(sorted(L.plugin_name(p.name) for p in plugins))}")
    if not WINDOWS and size > L.SIZE_BUDGET_MB:
        raise Failed(f"the bundle is {size:.0f} MB, over the {L.SIZE_BUDGET_MB} MB budget")
    if not (bundle / "licenses" / "README.txt").is_file():
        raise Failed("no licenses/README.txt")


def check_commands(bundle: Path, work: Path, version: str) -> None:
    out = run(bundle, "--version", cwd=work).stdout.strip()
    if out != f"ProcureDesk {version}":
        raise Failed(f"--version printed {out!r}, expected 'ProcureDesk {version}'")

    run(bundle, "new", work / "new.pdesk", "--template", "buy-small", cwd=work)
    if not (work / "new.pdesk").is_file():
        raise Failed("new --template buy-small wrote no file")

    demo = work / "demo"
    out = run(bundle, "demo", demo, cwd=work).stdout
    for name in ("demo.pdesk", "evidence-pack.xlsx", "evaluation-report.pdf",
                 "bid-template.xlsx", "ocds-release.json"):
        if not (demo / name).is_file():
            raise Failed(f"demo wrote no {name}:\n{out}")
    if len(list((demo / "bid-workbooks").glob("B*.xlsx"))) < 8:
        raise Failed(f"the demo did not find the sample bid workbooks:\n{out}")

    results = json.loads(run(bundle, "results", "--json", demo / "demo.pdesk", cwd=work).stdout)
    if not results.get("winner") or not results.get("ranking"):
        raise Failed(f"results --json has no winner or ranking: {sorted(results)}")

    pdf, xlsx = work / "report.pdf", work / "pack.xlsx"
    run(bundle, "export", demo / "demo.pdesk", "--pdf", pdf, "--xlsx", xlsx, cwd=work)
    if not pdf.read_bytes().startswith(b"%PDF-") or pdf.stat().st_size < 10_000:
        raise Failed("export --pdf wrote no PDF")
    with zipfile.ZipFile(xlsx) as z:
        text = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                        if n.endswith(".xml"))
    if f"ProcureDesk {version}" not in text:
        raise Failed(f"the evidence pack does not name ProcureDesk {version} (About sheet)")

    err = run(bundle, "results", work / "missing.pdesk", expect=2, cwd=work).stderr
    if "missing.pdesk" not in err:
        raise Failed(f"a missing file is not named in the refusal: {err!r}")
    out = run(bundle, "verify", demo / "demo.pdesk", "--against", pdf, xlsx, cwd=work).stdout
    if not out.startswith("Intact:"):
        raise Failed(f"verify did not find the demo intact: {out!r}")


def check_window(bundle: Path, work: Path) -> None:
    gui = {"QT_QPA_PLATFORM": "offscreen", "PROCURE_DESK_QUIT_AFTER": "300"}
    out = run(bundle, work / "demo" / "demo.pdesk", cwd=work, **gui).stdout
    if not re.search(r"^window: .*demo\.pdesk.*ProcureDesk$", out, re.M):
        raise Failed(f"no main window on demo.pdesk was shown: {out!r}")
    out = run(bundle, "--demo", cwd=work, **gui).stdout
    if "window: " not in out or "demo.pdesk" not in out:
        raise Failed(f"--demo showed no window on the demo evaluation: {out!r}")


def check_desktop(bundle: Path, home: Path) -> None:
    """Linux: install-desktop.sh puts the entry, icons and file type under this HOME."""
    env = {**clean_env(), "HOME": str(home)}
    r = subprocess.run([str(bundle / "install-desktop.sh")], env=env, capture_output=True,
                       text=True, timeout=TIMEOUT_S)
    if r.returncode != 0:
        raise Failed(f"install-desktop.sh exited {r.returncode}: {r.stderr}")
    data = home / ".local" / "share"
    entry = (data / "applications" / "procure-desk.desktop").read_text(encoding="utf-8")
    program = bundle / L.NAME
    if f'Exec="{program}" %f' not in entry:
        raise Failed(f"the desktop entry does not start {program}:\n{entry}")
    for must in ("mime/packages/procure-desk.xml",
                 "icons/hicolor/48x48/apps/procure-desk.png",
                 "icons/hicolor/48x48/mimetypes/application-x-procure-desk.png"):
        if not (data / must).is_file():
            raise Failed(f"install-desktop.sh did not install {must}")
    if shutil.which("update-mime-database", path=env["PATH"]):
        globs = (data / "mime" / "globs2").read_text(encoding="utf-8")
        if "application/x-procure-desk:*.pdesk" not in globs:
            raise Failed("the .pdesk type is not in the user's MIME database")
    print("  install-desktop.sh: entry, icons and the .pdesk type under the temporary HOME")
    r = subprocess.run([str(bundle / "install-desktop.sh"), "--uninstall"], env=env,
                       capture_output=True, text=True, timeout=TIMEOUT_S)
    if r.returncode != 0 or (data / "applications" / "procure-desk.desktop").exists():
        raise Failed(f"install-desktop.sh --uninstall failed: {r.stderr}")


def unpack(archive: Path, into: Path) -> Path:
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as z:
            z.extractall(into)
    else:
        with tarfile.open(archive) as t:
            if hasattr(tarfile, "tar_filter"):  # Python 3.11.4 and later
                t.extractall(into, filter="tar")
            else:
                t.extractall(into)
    return into / L.NAME


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX"):
        if name in os.environ:
            print(f"smoke: {name} is set; run this in a clean environment (make dist-check)")
            return 2
    target = Path(argv[0]).resolve()
    version = expected_version()
    start = time.perf_counter()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="procure-desk-smoke-") as tmp:
        root = Path(tmp)
        if target.is_dir():
            bundle = target
        elif target.is_file():
            print(f"Unpacking {target.name}")
            bundle = unpack(target, root / "unpacked")
        else:
            print(f"smoke: no bundle or archive at {target}: run make dist first")
            return 2
        print(f"Checking the bundle at {bundle} (ProcureDesk {version})")
        work = root / "work"
        work.mkdir()
        checks = [("contents", lambda: check_contents(bundle)),
                  ("commands", lambda: check_commands(bundle, work, version)),
                  ("window", lambda: check_window(bundle, work))]
        if sys.platform.startswith("linux"):
            checks.append(("desktop", lambda: check_desktop(bundle, root / "home")))
        for name, check in checks:
            print(f"{name}:")
            try:
                check()
            except (Failed, OSError, subprocess.SubprocessError, ValueError) as exc:
                print(f"  FAILED: {exc}")
                failed += 1
            else:
                passed += 1
    print(f"smoke: checked in {time.perf_counter() - start:.1f} s")
    print(f"smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
