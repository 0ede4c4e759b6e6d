"""The app as a user starts it: `main.py` on a copy of the demo, in a real window on a
real X server (Xvfb, the xcb platform), driven from outside with xdotool (keys) and
xclip (the clipboard); the file is checked through the services afterwards.

The first run asks for the user's name (typed here), Ctrl+5 goes to Scoring, a digit
is a score, Ctrl+Z undoes it, a block of two scores put on the clipboard with xclip
(tab-separated, as a spreadsheet copies them) is pasted with Ctrl+V, Ctrl+3 and Ctrl+C
copy the selected bid (read back with xclip), Ctrl+Q quits. Needs Xvfb, xauth, xdotool
and xclip (Debian: xvfb xauth xdotool xclip, and the xcb libraries ui/launcher.py
names); `.ci/run` installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from procure_desk import paths
from procure_desk.services import EvaluationFile, import_json

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {"Xvfb": "xvfb", "xauth": "xauth", "xdotool": "xdotool", "xclip": "xclip"}
NAME = "J. Whitlock"  # the demo's E1: her own scores, no "on behalf" question

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="X11 is Linux's")


@pytest.fixture
def display(tmp_path):
    """A private X server on a free display number, with its own authority file."""
    for tool, package in TOOLS.items():
        if not shutil.which(tool):
            pytest.skip(f"{tool} (Debian package {package}) is not installed")
    from ui import launcher

    missing = launcher.missing_libraries()
    if missing:
        pytest.skip(f"the xcb libraries ({' '.join(sorted(set(missing.values())))}) "
                    "are not installed")
    auth = tmp_path / "Xauthority"
    cookie = os.urandom(16).hex()
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten",
         "tcp", "-auth", str(auth)], pass_fds=(write,), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as fh:
            number = fh.readline().strip()
        if not number:
            pytest.fail("Xvfb did not start")
        name = f":{number}"
        subprocess.run(["xauth", "-f", str(auth), "add", name, ".", cookie], check=True,
                       capture_output=True)
        yield {"DISPLAY": name, "XAUTHORITY": str(auth)}
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


class Desk:
    """The running app and the tools that drive it."""

    def __init__(self, env: dict[str, str], app: subprocess.Popen[str]):
        self.env = env
        self.app = app

    def run(self, *args: str, timeout: float = 20) -> str:
        r = subprocess.run(list(args), env=self.env, capture_output=True, text=True,
                           timeout=timeout)
        if r.returncode != 0:
            raise AssertionError(f"{args}: {r.stderr.strip()}\n{self.log()}")
        return r.stdout

    def log(self) -> str:
        return ""

    def window(self, name: str, timeout: float = 60) -> str:
        """The id of the first window whose title holds `name`, once it is mapped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.app.poll() is not None:
                raise AssertionError(f"the app ended ({self.app.returncode}) before a "
                                     f"window named {name!r} showed")
            r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", name],
                               env=self.env, capture_output=True, text=True)
            ids = r.stdout.split()
            if ids:
                return ids[-1]
            time.sleep(0.2)
        raise AssertionError(f"no window named {name!r} within {timeout} s")

    def focus(self, wid: str) -> None:
        self.run("xdotool", "mousemove", "--window", wid, "40", "40")
        self.run("xdotool", "windowfocus", "--sync", wid)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.run("xdotool", "key", "--clearmodifiers", key)
            time.sleep(0.25)  # the app handles each before the next arrives

    def type(self, text: str) -> None:
        self.run("xdotool", "type", "--delay", "40", text)

    def clipboard(self) -> str:
        return self.run("xclip", "-o", "-selection", "clipboard")

    def copy(self, text: str) -> None:
        """Put `text` on the clipboard as another program would (xclip keeps serving it
        in the background until the clipboard changes hands)."""
        subprocess.run(["xclip", "-i", "-selection", "clipboard"], input=text, text=True,
                       env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True, timeout=20)


def _score(path: Path, evaluator: str, bid: str, criterion: str) -> float | None:
    with EvaluationFile.open(path) as ef:
        got = [r["score"] for r in ef.document()["scores"]
               if (r["evaluator"], r["bid"], r["criterion"]) == (evaluator, bid, criterion)]
    return got[0] if got else None


def _wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_the_app_in_a_real_window_driven_from_outside(display, tmp_path):
    demo = tmp_path / "demo.pdesk"
    import_json(paths.SAMPLE_TENDER, demo, actor="demo").close()
    with EvaluationFile.open(demo) as ef:
        doc = ef.document()
        first_bid = doc["bids"][0]["id"]
        first_q, second_q = ef.snapshot().scored_ids[:2]
        mine = {(r["bid"], r["criterion"]): r["score"] for r in doc["scores"]
                if r["evaluator"] == "E1"}
        before = mine.get((first_bid, first_q))
        last_event = max(e.id for e in ef.audit())
    typed = 1 if before != 1 else 2  # a score that changes the cell
    # a block of two scores for the first bid's first two questions, each a change
    pasted = [3 if before != 3 else 4,
              2 if mine.get((first_bid, second_q)) != 2 else 1]
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_RUNTIME_DIR": str(tmp_path),
           "PROCURE_DESK_DATA": str(home / "procure-desk"), "QT_QPA_PLATFORM": "xcb",
           "LANG": "C.UTF-8", **display}
    log = tmp_path / "app.log"
    with log.open("w") as out:
        app = subprocess.Popen([sys.executable, str(ROOT / "main.py"), str(demo)], cwd=ROOT,
                               env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    desk = Desk(env, app)
    desk.log = lambda: log.read_text(errors="replace")  # type: ignore[method-assign]
    try:
        # the first run asks for the name the audit log records
        ask = desk.window("Your name")
        desk.focus(ask)
        desk.type(NAME)
        desk.keys("Return")
        main = desk.window("demo.pdesk")
        desk.focus(main)
        desk.keys("ctrl+5")  # Scoring: the keyboard in the grid, on the first cell
        desk.keys(str(typed))  # a digit is a score
        _wait_for(lambda: _score(demo, "E1", first_bid, first_q) == typed)
        assert _score(demo, "E1", first_bid, first_q) == typed, desk.log()
        desk.keys("Escape", "ctrl+z")  # undo (Escape first: no cell editor open)
        _wait_for(lambda: _score(demo, "E1", first_bid, first_q) == before)
        assert _score(demo, "E1", first_bid, first_q) == before, desk.log()
        desk.copy(f"{pasted[0]}\t{pasted[1]}\n")  # two cells of a spreadsheet row
        # the cursor moved on after the digit: Ctrl+Home is the first cell, as in Excel
        desk.keys("ctrl+5", "ctrl+Home", "ctrl+v")
        _wait_for(lambda: _score(demo, "E1", first_bid, second_q) == pasted[1])
        assert [_score(demo, "E1", first_bid, q) for q in (first_q, second_q)] == pasted, \
            desk.log()
        desk.keys("ctrl+3", "ctrl+c")  # Bids: copy the selected bid
        assert first_bid in desk.clipboard().split(), desk.clipboard()
        desk.keys("ctrl+q")
        app.wait(30)
        assert app.returncode == 0, desk.log()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(10)
    # the file as the services read it: the typed score undone, the block pasted, every
    # event in the name given
    assert [_score(demo, "E1", first_bid, q) for q in (first_q, second_q)] == pasted
    with EvaluationFile.open(demo) as ef:
        mine = [e for e in ef.audit() if e.id > last_event]
    assert sum(e.entity == "score" for e in mine) >= 3, mine  # score, undo, paste
    assert {e.actor for e in mine} == {NAME}  # the name given, not the login name
