"""The view registry: what the sidebar shows, in order.

Each entry is (key, title, "module:ClassName"). A view class takes
`(document: Document, parent)` and refreshes itself on `document.changed`
(subclass `ui.views.base.View` for that). The window imports each module only when
a file is open, and skips (with a log line) one that cannot be imported yet.

To add a view, insert one line here at its place in the sidebar.
"""

from __future__ import annotations

VIEWS: list[tuple[str, str, str]] = [
    ("overview", "Overview", "ui.views.overview:OverviewView"),
    ("criteria", "Criteria", "ui.views.criteria:CriteriaView"),
    ("bids", "Bids", "ui.views.bids:BidsView"),
    ("evaluators", "Evaluators", "ui.views.evaluators:EvaluatorsView"),
    ("scoring", "Scoring", "ui.views.scoring:ScoringView"),
    ("moderation", "Moderation", "ui.views.moderation:ModerationView"),
    ("results", "Results", "ui.views.results:ResultsView"),
    ("analysis", "Analysis", "ui.views.analysis:AnalysisView"),
    ("shared", "Shared service", "ui.views.shared:SharedView"),
    ("audit", "Audit log", "ui.views.audit:AuditView"),
]
