"""The evidence pack's map: where each sheet puts what the later sheets' formulas refer
to (rows of criteria and bids, the Results columns, the Scores and Moderation blocks),
and how a long table goes on over continuation sheets.

A worksheet holds `SHEET_ROWS` rows. A table longer than that (the Scores sheet at two
million scores, the Moderation sheet at two million scored pairs, a long audit log)
goes on over "Scores (2)", "Scores (3)", ..., each with its header row; a block of rows
that a formula reads (one pair's scores, one bid's Moderation rows) is never split
between two sheets, so every formula names the one sheet its rows are on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..wording import column_letter

#: The rows of an Excel worksheet, its header row included (tests lower it to make a
#: small evaluation spill over several sheets).
SHEET_ROWS = 1_048_576
#: The columns of an Excel worksheet.
SHEET_COLUMNS = 16_384


def page_title(title: str, page: int) -> str:
    """The name of a table's sheet: the first is `title`, the next `title (2)`, ..."""
    return title if page == 0 else f"{title} ({page + 1})"


def sheet_ref(name: str) -> str:
    """A sheet's name as a formula names it: quoted when it holds more than letters."""
    return name if name.isalnum() else "'" + name.replace("'", "''") + "'"


def pages(sizes: np.ndarray, rows: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Blocks of rows (their sizes, in order) laid over sheets whose first row is a header:
    each block's sheet (0 = the first) and first row there, and how many sheets. A
    block goes on the next sheet when it would not fit whole on this one."""
    room = (rows or SHEET_ROWS) - 1
    sizes = np.asarray(sizes, dtype=np.int64)
    n = sizes.size
    sheet = np.zeros(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    if n == 0:
        return sheet, first, 1
    if int(sizes.max()) > room:
        raise ValueError(f"a block of {int(sizes.max()):,} rows is longer than a sheet")
    ends = np.cumsum(sizes)
    a, base, page = 0, 0, 0
    while a < n:
        z = int(np.searchsorted(ends, base + room, side="right"))
        sheet[a:z] = page
        first[a:z] = 2 + (ends[a:z] - sizes[a:z] - base)
        base = int(ends[z - 1])
        a, page = z, page + 1
    return sheet, first, page


@dataclass
class Table:
    """A long table's place: its sheets (names), and for each sheet the range of the
    table's rows (positions in its order) it holds."""

    title: str
    names: list[str]
    spans: list[tuple[int, int]]

    @classmethod
    def split(cls, title: str, sheet: np.ndarray, n_sheets: int) -> Table:
        """From each row's sheet (non-decreasing)."""
        bounds = np.searchsorted(sheet, np.arange(n_sheets + 1)).tolist()
        return cls(title, [page_title(title, p) for p in range(n_sheets)],
                   [(bounds[p], bounds[p + 1]) for p in range(n_sheets)])

    @classmethod
    def rows(cls, title: str, n: int) -> Table:
        """A table of `n` rows in no blocks (the Audit sheet)."""
        room = SHEET_ROWS - 1
        k = max(1, -(-n // room))
        return cls(title, [page_title(title, p) for p in range(k)],
                   [(p * room, min(n, (p + 1) * room)) for p in range(k)])

    def ranges(self, col: str) -> list[str]:
        """The column over each sheet's rows: `Moderation!$M$2:$M$900`, ..."""
        return [f"{sheet_ref(name)}!${col}$2:${col}${max(2, b - a + 1)}"
                for name, (a, b) in zip(self.names, self.spans)]


@dataclass
class Layout:
    """Where each sheet puts what the later sheets' formulas refer to."""

    crow: dict[str, int]  # Criteria sheet row of each criterion id
    brow: dict[str, int]  # Results (and Bids) row of each bid id
    ns: int  # scored criteria
    nb: int  # bids
    c_frac0: int  # Results: first price fraction column
    c_sec0: int  # Results: first section column
    c_con0: int  # Results: first contribution column
    con_col: dict[str, int]  # Results: contribution column of each criterion id
    c_key0: int = 0  # Results: first ranking key column
    cost_row0: int = field(default=5, init=False)  # Costs: first bid row of the per-year table
    cmin_row: int = field(init=False)  # Results: the lowest eligible cost, below the table
    # Scores: the document's index of each row's score, in the sheets' order (bid, then
    # criterion, then file order), and the sheets
    score_order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    scores: Table = field(default_factory=lambda: Table("Scores", ["Scores"], [(0, 0)]))
    # Moderation: one row per (bid, scored criterion) pair with a score or a consensus
    # score, in bid and criterion order: its flat pair (bid * ns + criterion), sheet
    # and row; each pair's block of Scores rows (sheet, first and last row; sheet -1
    # where it has none); each bid's block of Moderation rows (first and last row
    # position in `mod_pair`, empty when last < first)
    mod_pair: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mod_sheet: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    mod_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    moderation: Table = field(default_factory=lambda: Table("Moderation", ["Moderation"],
                                                            [(0, 0)]))
    block_sheet: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    block_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    block_last: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bid_first: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bid_stop: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    audit: Table = field(default_factory=lambda: Table("Audit", ["Audit"], [(0, 0)]))
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

    def bid_block(self, i: int, col: str) -> str | None:
        """Bid i's Moderation rows in one column (`Moderation!$L$2:$L$40`), or None
        when it has none."""
        a, z = int(self.bid_first[i]), int(self.bid_stop[i])
        if z <= a:
            return None
        name = sheet_ref(self.moderation.names[int(self.mod_sheet[a])])
        return f"{name}!${col}${int(self.mod_row[a])}:${col}${int(self.mod_row[z - 1])}"

    def final_refs(self, i: int) -> list[str | None]:
        """Bid i's final score cells, one per scored criterion (None: no Moderation row)."""
        out: list[str | None] = [None] * self.ns
        a, z = int(self.bid_first[i]), int(self.bid_stop[i])
        if z <= a:
            return out
        name = sheet_ref(self.moderation.names[int(self.mod_sheet[a])])
        for pair, row in zip(self.mod_pair[a:z].tolist(), self.mod_row[a:z].tolist()):
            out[pair - i * self.ns] = f"{name}!$L${row}"
        return out


def plan_scores(lay: Layout, s_bid: np.ndarray, s_crit: np.ndarray,
                consensus: np.ndarray) -> None:
    """Lay out the Scores sheets (one block per pair, in bid and criterion order) and the
    Moderation sheets (one row per pair with a score or a consensus score, one block per
    bid) on `lay`."""
    ns, nb = max(lay.ns, 1), lay.nb
    order = np.lexsort((s_crit, s_bid))  # stable: file order within a pair
    lay.score_order = order
    pair_of = s_bid[order] * ns + s_crit[order]
    scored, counts = np.unique(pair_of, return_counts=True)
    sheet, first, n = pages(counts)
    lay.scores = Table.split("Scores", sheet[np.searchsorted(scored, pair_of)], n)
    agreed = np.flatnonzero(~np.isnan(consensus.reshape(-1))) if lay.ns else np.zeros(0)
    pairs = np.union1d(scored, agreed).astype(np.int64)
    lay.mod_pair = pairs
    k = np.minimum(np.searchsorted(scored, pairs), max(scored.size - 1, 0))
    if scored.size:
        has = scored[k] == pairs
        lay.block_sheet = np.where(has, sheet[k], -1)
        lay.block_first = np.where(has, first[k], 0)
        lay.block_last = np.where(has, first[k] + counts[k] - 1, 0)
    else:
        lay.block_sheet = np.full(pairs.size, -1, dtype=np.int64)
        lay.block_first = lay.block_last = np.zeros(pairs.size, dtype=np.int64)
    bid_of = pairs // ns
    lay.bid_first = np.searchsorted(bid_of, np.arange(nb))
    lay.bid_stop = np.searchsorted(bid_of, np.arange(nb), side="right")
    per_bid = lay.bid_stop - lay.bid_first
    bsheet, bfirst, n = pages(per_bid)
    within = np.arange(pairs.size) - np.repeat(lay.bid_first, per_bid)
    lay.mod_sheet = np.repeat(bsheet, per_bid)
    lay.mod_row = np.repeat(bfirst, per_bid) + within
    lay.moderation = Table.split("Moderation", lay.mod_sheet, n)
