"""The sidebar's views, in order.

`view_classes()` lists them as (key, title, class). A view class takes
`(document: Document, parent)` and refreshes itself on `document.changed`
(subclass `ui.views.base.View` for that). The modules are imported on the first call
(when the first file opens), not when the window starts; a view that cannot be
imported is a fault, raised like any other.

To add a view, import it below and add one line at its place in the sidebar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import View


def view_classes() -> list[tuple[str, str, type[View]]]:
    from .analysis import AnalysisView
    from .audit import AuditView
    from .bids import BidsView
    from .criteria import CriteriaView
    from .evaluators import EvaluatorsView
    from .moderation import ModerationView
    from .overview import OverviewView
    from .results import ResultsView
    from .scoring import ScoringView
    from .shared import SharedView

    return [
        ("overview", "Overview", OverviewView),
        ("criteria", "Criteria", CriteriaView),
        ("bids", "Bids", BidsView),
        ("evaluators", "Evaluators", EvaluatorsView),
        ("scoring", "Scoring", ScoringView),
        ("moderation", "Moderation", ModerationView),
        ("results", "Results", ResultsView),
        ("analysis", "Analysis", AnalysisView),
        ("shared", "Shared service", SharedView),
        ("audit", "Audit log", AuditView),
    ]
