# Run-time hook (packaging/procure-desk.spec): where Qt finds its plugins in the bundle.
#
# It stands in for PyInstaller's own PySide6 hook, which imports PySide6.QtCore as the
# program starts (to register a qt.conf that PySide6's wheels register themselves), so
# that every command line run would load Qt; ProcureDesk loads Qt only when a window
# opens (ui/launcher.py).
import os
import sys


def _where_qt_is() -> None:
    base = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
    if sys.platform.startswith("win"):
        qt = os.path.join(base, "PySide6")
        # Qt's DLLs and those collected beside them are found along PATH
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")
    else:
        qt = os.path.join(base, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt, "plugins")


_where_qt_is()
del _where_qt_is
