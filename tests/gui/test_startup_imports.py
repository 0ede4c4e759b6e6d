"""The window starts lean: opening an evaluation loads no library that only a view not
shown, an export or an import uses (benchmarks/startup.py measures what that saves).

Each check runs in a fresh process, since this one has imported everything already.
The same child then shows the views that do need those libraries, so the check is
seen to notice a module when it is loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# libraries the first views (Overview) never use: exports, workbook import, charts
NOT_AT_START = ("pandas", "reportlab", "openpyxl", "xlsxwriter", "PySide6.QtCharts",
                "procure_desk.exports", "procure_desk.workbooks", "ui.actions_desk",
                "ui.find", "ui.printing")
LATER_VIEWS = ("ui.views.analysis", "ui.views.audit", "ui.views.scoring",
               "ui.views.moderation", "ui.views.results", "ui.views.shared")

_CHILD = """\
import json, sys, tempfile
from pathlib import Path
from PySide6.QtCore import QStandardPaths
QStandardPaths.setTestModeEnabled(True)
from ui.app import ensure_demo, make_application
app = make_application([sys.argv[0]])
from ui.main_window import MainWindow
from ui.settings import Settings
watched = json.loads(sys.argv[1])
loaded = lambda: sorted(m for m in watched if m in sys.modules)
tmp = Path(tempfile.mkdtemp())
settings = Settings(tmp / "settings.ini")
settings.user_name = "Test"
window = MainWindow(settings=settings)
out = {"before_open": loaded()}
assert window.open_file(ensure_demo(tmp / "demo.pdesk"))
window.show()
app.processEvents()
out["view"] = window.current_view_key()
out["opened"] = loaded()
window.show_view("analysis")
app.processEvents()
out["analysis"] = loaded()
window.show_view("audit")
app.processEvents()
out["audit"] = loaded()
window.close_file()
print(json.dumps(out))
"""


def _run_child(tmp_path: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    r = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(NOT_AT_START + LATER_VIEWS)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    result: dict = json.loads(r.stdout.strip().splitlines()[-1])
    return result


def test_opening_the_demo_loads_no_export_chart_or_hidden_view(tmp_path):
    out = _run_child(tmp_path)
    assert out["before_open"] == []  # the empty window: none of them
    assert out["view"] == "overview"
    assert out["opened"] == []  # the demo open on its Overview: still none
    # the check sees a module once something loads it: the Analysis view draws charts
    assert "PySide6.QtCharts" in out["analysis"]
    assert "ui.views.analysis" in out["analysis"]
    assert "ui.views.audit" not in out["analysis"]  # each view when first shown
    assert "ui.views.audit" in out["audit"]
    # showing views loads no export library: those wait for an export
    for name in ("reportlab", "openpyxl", "xlsxwriter", "procure_desk.exports"):
        assert name not in out["audit"]
