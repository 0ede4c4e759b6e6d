"""The sidebar's views, in order.

`view_titles()` lists them as (key, title) without importing any of them;
`view_class(key)` imports one view's module when it is first shown, so the views not
shown (and what they use: charts, exports) cost nothing at start-up. `view_classes()`
lists them all as (key, title, class), importing every one. A view class takes
`(document: Document, parent)` and refreshes itself on `document.changed`
(subclass `ui.views.base.View` for that). A view that cannot be imported is a fault,
raised like any other.

To add a view, add one line at its place in the sidebar: key, title, module, class.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import View

VIEWS: tuple[tuple[str, str, str, str], ...] = (
    ("overview", "Overview", "overview", "OverviewView"),
    ("criteria", "Criteria", "criteria", "CriteriaView"),
    ("bids", "Bids", "bids", "BidsView"),
    ("evaluators", "Evaluators", "evaluators", "EvaluatorsView"),
    ("scoring", "Scoring", "scoring", "ScoringView"),
    ("moderation", "Moderation", "moderation", "ModerationView"),
    ("results", "Results", "results", "ResultsView"),
    ("analysis", "Analysis", "analysis", "AnalysisView"),
    ("shared", "Shared service", "shared", "SharedView"),
    ("audit", "Audit log", "audit", "AuditView"),
)


def view_titles() -> list[tuple[str, str]]:
    """(key, title) of every view, in sidebar order; imports none of them."""
    return [(key, title) for key, title, _m, _c in VIEWS]


def view_class(key: str) -> type[View]:
    """The class of the view `key`, its module imported on first use (KeyError if none)."""
    found = [(m, c) for k, _t, m, c in VIEWS if k == key]
    if not found:
        raise KeyError(key)
    (module, name), = found
    cls: type[View] = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    return cls


def view_classes() -> list[tuple[str, str, type[View]]]:
    """(key, title, class) of every view, in sidebar order (imports them all)."""
    return [(key, title, view_class(key)) for key, title in view_titles()]
