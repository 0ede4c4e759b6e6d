"""The evidence pack's map: where each sheet puts what the later sheets' formulas refer
to (rows of criteria and bids, the Results columns, the Moderation and Scores blocks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..wording import column_letter


@dataclass
class Layout:
    """Where each sheet puts what the later sheets' formulas refer to."""

    crow: dict[str, int]  # Criteria sheet row of each criterion id
    brow: dict[str, int]  # Results (and Bids) row of each bid id
    mod_row0: int  # Moderation: pair (i, j) at mod_row0 + i * ns + j
    ns: int  # scored criteria
    nb: int  # bids
    c_frac0: int  # Results: first price fraction column
    c_sec0: int  # Results: first section column
    c_con0: int  # Results: first contribution column
    con_col: dict[str, int]  # Results: contribution column of each criterion id
    c_key0: int = 0  # Results: first ranking key column
    cost_row0: int = field(default=5, init=False)  # Costs: first bid row of the per-year table
    cmin_row: int = field(init=False)  # Results: the lowest eligible cost, below the table
    scores_last: int = field(init=False)  # Scores: last row, set by the Scores sheet
    blocks: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    score_order: list[int] = field(default_factory=list)  # Scores rows: document indices
    gate_cols: tuple[str, str] | None = None  # Bids: first and last gateway column
    analysis: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cmin_row = self.nb + 3

    @property
    def last(self) -> int:
        """The last bid row of the Results and Bids sheets."""
        return self.nb + 1

    def col(self, results_col: int) -> str:
        """A whole Results column over the bid rows, absolute: `Results!$E$2:$E$61`."""
        c = column_letter(results_col)
        return f"Results!${c}$2:${c}${self.last}"
