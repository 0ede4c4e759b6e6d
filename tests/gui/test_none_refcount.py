"""Guard against a Qt binding that drops a reference to None whenever a Python
model's data() returns None: on Python 3.11 None is then freed after enough
repaints and the application aborts ("none_dealloc"). PySide6 6.12.0 did that;
pyproject.toml keeps it out. This test fails on such a binding."""

import gc
import sys

from PySide6.QtCore import QIdentityProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView


def none_refs() -> int:
    gc.collect()
    return sys.getrefcount(None)


def test_reading_the_views_models_keeps_none_alive(window, example_path):
    assert window.open_file(example_path)
    window.resize(1440, 900)
    window.show()
    for key in window.view_keys():
        window.show_view(key)
    models = []
    for item_view in window.findChildren(QAbstractItemView):
        model = item_view.model()
        if model is not None and model not in models:
            models.append(model)
    assert models, "no item views found"
    proxies = []
    for m in models:
        p = QIdentityProxyModel()
        p.setSourceModel(m)
        proxies.append(p)
    before = none_refs()
    for _ in range(200):
        for p in proxies:
            for role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.UserRole + 99):
                if p.rowCount() and p.columnCount():
                    p.data(p.index(0, 0), role)
                p.headerData(0, Qt.Orientation.Horizontal, role)
    # An honest binding leaves the count where it was (on 3.12+ None is immortal);
    # the faulty one loses one reference per call: thousands here.
    assert none_refs() - before > -50
