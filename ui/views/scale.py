"""The scoring scale as the scoring and moderation views show it: values, words, labels.

Descriptors come from the criterion when it has its own, else from the evaluation's
scale; supplier and criterion names are shown on one line and cut to a length, since
supplier text may hold newlines or be very long.
"""

from __future__ import annotations

from typing import Any

from procure_desk.interchange import plain
from procure_desk.wording import one_line

Record = dict[str, Any]


def scale_values(scale: Record) -> list[float | int]:
    """Every score the scale allows, 0 to max by step."""
    smax, step = float(scale["max"]), float(scale["step"])
    n = round(smax / step) if step > 0 else 0
    return [plain(round(k * step, 10)) for k in range(n + 1)]


def descriptors(criterion: Record | None, scale: Record) -> dict[str, str]:
    """The words for each score: the criterion's own, else the evaluation's."""
    own = (criterion or {}).get("descriptors")
    return dict(own) if own else dict(scale.get("descriptors") or {})


def score_text(value: Any) -> str:
    """A score as people write it: 3, 3.5."""
    return "" if value is None else str(plain(value))


def bid_label(bid: Record, limit: int = 40) -> str:
    return f"{bid['id']} {one_line(bid['supplier'], limit)}"


def criterion_label(criterion: Record, limit: int = 50) -> str:
    return f"{criterion['id']} {one_line(criterion['name'], limit)}"
