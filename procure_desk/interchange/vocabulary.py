"""The words the interchange file uses: its name, version, kinds and defaults."""

from __future__ import annotations

FORMAT = "procure-desk/evaluation"
VERSION = 1

KINDS = ("section", "scored", "price", "pass_fail")
OPTION_TYPES = ("enterprise_suite", "best_of_breed", "build", "shared_service", "do_nothing")
PROCEDURES = ("options_appraisal", "competitive_tender")
# A supplier's offer is a tender by default; the council's own options are not
# (another council's shared service is not a tender; a commercial one says so).
TENDER_BY_DEFAULT = frozenset({"enterprise_suite", "best_of_breed"})


def default_tender(option_type: str) -> bool:
    return option_type in TENDER_BY_DEFAULT
OPTION_TYPE_LABELS = {
    "enterprise_suite": "Enterprise suite",
    "best_of_breed": "Best-of-breed",
    "build": "Build",
    "shared_service": "Shared service",
    "do_nothing": "Do nothing",
}
CATEGORIES = (
    "implementation", "licence", "hosting", "support", "staff",
    "training", "integration", "customisation", "exit", "other",
)
FORMULAS = ("lowest_relative", "linear_deviation")
COST_BASES = ("npv", "wlc")
APPORTIONMENT_METHODS = ("equal", "population", "custom")

DEFAULT_DESCRIPTORS = {
    "0": "Unacceptable", "1": "Poor", "2": "Weak",
    "3": "Satisfactory", "4": "Good", "5": "Excellent",
}
DEFAULT_APPRAISAL = {"years": 5, "discount_rate": 0.035, "cost_basis": "npv"}
DEFAULT_MODERATION = {"spread_flag": 2}
