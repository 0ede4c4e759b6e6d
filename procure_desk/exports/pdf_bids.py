"""Section 5 of the evaluation report, bid by bid, and the per-bid figures every section
of the report reads, taken from the engine's arrays.

The report never builds the results JSON (`Results.to_json`): that is a record per bid
and criterion, two million at the input limits. It reads the bids' totals from
`bid_figures` and each criterion's figures from the arrays (`Results.scores.final`,
`price_frac`, `scored_contrib`, `price_contrib`, `sections`).

Section 5 is bounded (docs/evidence.md): every bid has its heading, its status, the
reasons it is not ranked (the first `REASONS_SHOWN`; the evidence pack's Bids sheet has
every one) and its points by top-level section; the table of its points by criterion is
printed for the bids in the section's order as long as the criterion rows printed stay
within `ROW_BUDGET` (500 bids x 100 criteria keep every table). Where tables are left
out the section says so at its start, and each bid without its table says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..wording import money, plural
from . import Report, num

if TYPE_CHECKING:
    from .pdf_report import _Story

#: Criterion rows printed in section 5, over all bids; past it a bid has its points by
#: section only (the evidence pack's Results sheet has every bid's points by criterion).
ROW_BUDGET = 50_000
#: Reasons printed under a bid (an incomplete bid at the limits has 1,942: one per
#: missing score or gateway result); the evidence pack's Bids sheet lists every one.
REASONS_SHOWN = 10
#: Top-level criteria shown one row each in a bid's points by section; past it the
#: table gives quality and price.
SECTION_ROWS = 30


def _value(x: Any) -> float | None:
    x = float(x)
    return None if x != x else x


def bid_figures(res: Any) -> list[dict[str, Any]]:
    """Each bid's record of the results JSON (docs/results.md) without its criteria and
    reasons (`Results.reasons[i]` writes a bid's when asked): id, supplier, option_type,
    status, rank, total, quality, price, wlc, npv."""
    snap = res.snap
    out = []
    for i, bid in enumerate(snap.bids):
        out.append({"id": bid["id"], "supplier": bid["supplier"],
                    "option_type": bid["option_type"], "status": res.status[i],
                    "rank": res.rank[i],
                    "total": _value(res.total[i]), "quality": _value(res.quality[i]),
                    "price": _value(res.price[i]), "wlc": float(snap.wlc[i]),
                    "npv": float(snap.npv[i])})
    return out


def results_figures(res: Any) -> dict[str, Any]:
    """The results JSON's winner, ranking and bids (`bid_figures`): what `decisive_tie`
    and the report's tables read."""
    ids = res.snap.bid_ids
    return {"winner": res.winner, "ranking": [ids[i] for i in res.ranking],
            "bids": bid_figures(res)}


def flagged(res: Any, worst: int) -> tuple[int, int, list[dict[str, Any]]]:
    """How many divergent scores are flagged, on how many bids, and the `worst` widest
    ({bid, criterion, spread}; equal spreads in bid then criterion order)."""
    snap, scores = res.snap, res.scores
    at = np.flatnonzero(scores.flagged)
    if not at.size:
        return 0, 0, []
    spread = scores.spread.ravel()[at]
    top = at[np.argsort(-spread, kind="stable")[:worst]]
    ns = len(snap.scored_ids)
    shown = [{"bid": snap.bid_ids[k // ns], "criterion": snap.scored_ids[k % ns],
              "spread": float(scores.spread.flat[k])} for k in top.tolist()]
    return int(at.size), int(scores.flagged.any(axis=1).sum()), shown


class _Leaves:
    """The scored and price criteria in tree order, with what every bid's table shares."""

    def __init__(self, st: _Story) -> None:
        from reportlab.lib.units import mm

        snap, kit = st.snap, st.kit
        at = {cid: (0, j) for j, cid in enumerate(snap.scored_ids)}
        at.update({cid: (1, j) for j, cid in enumerate(snap.price_ids)})
        self.leaves = [(c, *at[c["id"]]) for c in st.doc["criteria"] if c["id"] in at]
        # a criterion's cell is the same in every bid's table: wrapped once
        self.cells = {c["id"]: kit.cell(c["name"], width=92 * mm) for c, _, _ in self.leaves}
        self.effs = {c["id"]: f"{snap.eff[c['id']]:.2f}" for c, _, _ in self.leaves}

    def __len__(self) -> int:
        return len(self.leaves)


def bid_by_bid(st: _Story, report: Report) -> list[Any]:
    """Section 5: each bid in the report's order (ranked bids in rank order first)."""
    kit, order = st.kit, st.order
    leaves = _Leaves(st)
    full = len(order) if not leaves else min(len(order), ROW_BUDGET // len(leaves))
    story = [kit.heading("5. Bid by bid", 0, key="s5")]
    if full < len(order):
        story.append(kit.p(_opening(len(order), full, len(leaves))))
    for n, i in enumerate(order):
        if n % 5 == 0:
            report(0.25 + 0.35 * n / max(1, len(order)), f"Writing bid {n + 1} of {len(order)}")
        story += _bid(st, i, leaves if n < full else None)
    return story


def _opening(bids: int, full: int, rows: int) -> str:
    """The sentence that opens a bounded section 5."""
    shown = ("None of the" if not full else
             f"The first {full:,} of the" if full > 1 else "The first of the")
    return (f"Every bid below has its status, the reasons for it and its points by "
            f"section. {shown} {bids:,} bids, in the order of this section (ranked bids "
            f"in rank order, then the others), also {'has' if full == 1 else 'have'} "
            f"{'its' if full == 1 else 'their'} points by criterion ({plural(rows, 'row')}"
            f" a bid); the other {bids - full:,} are left out to keep this report to a "
            f"readable length. The evidence pack's Results sheet holds every bid's points "
            f"by criterion.")


def _bid(st: _Story, i: int, leaves: _Leaves | None) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak

    kit, cur = st.kit, st.cur
    b = st.figures[i]
    out = [CondPageBreak(40 * mm),
           kit.heading(f"{b['id']} {b['supplier']}", 1, user=True, key=f"bid{i}")]
    head = (f"Status: {b['status']}" + (f", rank {b['rank']}" if b["rank"] else "") +
            f". Whole-life cost {money(b['wlc'], cur)}; NPV {money(b['npv'], cur)}.")
    if b["total"] is not None:
        head += (f" Quality {b['quality']:.2f} + price {b['price']:.2f} = "
                 f"{b['total']:.2f} points.")
    out.append(kit.p(head))
    reasons = st.res.reasons[i]
    for r in reasons[:REASONS_SHOWN]:
        out.append(kit.p("• " + r, kit.small))
    if len(reasons) > REASONS_SHOWN:
        out.append(kit.p(f"• and {plural(len(reasons) - REASONS_SHOWN, 'more reason')}: "
                         f"the evidence pack's Bids sheet lists every one.", kit.small))
    out.append(_sections_table(st, i))
    if leaves is None:
        out.append(kit.p("Its points by criterion are not printed here (see the start of "
                         "this section): the evidence pack's Results sheet holds them.",
                         kit.small))
    elif len(leaves):
        out.append(_criteria_table(st, i, leaves))
    return out


def _sections_table(st: _Story, i: int) -> Any:
    """The bid's points by top-level section (a top-level criterion is its own row);
    quality and price where there are more than SECTION_ROWS of them."""
    from reportlab.lib.units import mm

    kit, snap, res = st.kit, st.snap, st.res
    b = st.figures[i]
    if 0 < len(st.tops) <= SECTION_ROWS:
        rows = [[snap.section_ids[k],
                 kit.cell(st.names.get(snap.section_ids[k], ""), width=110 * mm),
                 f"{snap.eff.get(snap.section_ids[k], 0.0):.2f}",
                 num(_value(res.sections[i, k]))] for k in st.tops]
    else:
        rows = [["", "Quality (every scored criterion)", f"{float(snap.scored_w.sum()):.2f}",
                 num(_value(np.sum(res.scored_contrib[i])))],
                ["", "Price (every price criterion)", f"{float(snap.price_w.sum()):.2f}",
                 num(_value(np.sum(res.price_contrib[i])))]]
    return kit.table(["ID", "Section", "Effective weight", "Points"], rows,
                     [16 * mm, 110 * mm, 30 * mm, 18 * mm], align_right=(2, 3),
                     caption=f"{b['id']} {b['supplier']}: points by section")


def _criteria_table(st: _Story, i: int, leaves: _Leaves) -> Any:
    from reportlab.lib.units import mm

    kit, res = st.kit, st.res
    b = st.figures[i]
    smax = float(st.ev["scale"]["max"])
    final = res.scores.final[i].tolist()
    frac = res.price_frac[i].tolist()
    points = (res.scored_contrib[i].tolist(), res.price_contrib[i].tolist())
    rows = []
    for c, k, j in leaves.leaves:
        v = final[j] if k == 0 else frac[j]
        if v != v:
            score = "—"
        else:
            score = f"{v:.2f} / {smax:g}" if k == 0 else f"fraction {v:.4f}"
        p = points[k][j]
        cell = leaves.cells[c["id"]]
        if not isinstance(cell, str):  # a Paragraph is laid out once per table
            cell = kit.cell(c["name"], width=92 * mm)
        rows.append([c["id"], cell, leaves.effs[c["id"]], score,
                     "—" if p != p else f"{p:.2f}"])
    return kit.table(["ID", "Criterion", "Effective weight", "Final score", "Points"], rows,
                     [16 * mm, 92 * mm, 22 * mm, 26 * mm, 18 * mm], align_right=(2, 3, 4),
                     caption=f"{b['id']} {b['supplier']}: points by criterion")
