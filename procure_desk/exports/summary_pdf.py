"""The pages of an assessment summary and of a notice of exclusion (reportlab).

Tables are built of plain string cells, wrapped here once with `simpleSplit` and drawn
by reportlab as they are (never read as markup): a Paragraph per cell cost a minute
at 500 bids. What every letter shares (the award criteria, the scoring scale, the
successful tender's scores and reasons) is worked out once per export.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from ..standstill import standstill_end
from ..wording import money
from . import Source
from .safe_text import plain_text
from .summary_plan import Letter, Plan, notice_date

if TYPE_CHECKING:
    from .pdf_report import Kit

FONT_SIZE = 8
LEADING = 9.6
PAD = 12  # a cell's left and right padding together, in points
LINES_PER_ROW = 45  # a longer reason continues on the next row, so a row fits a page
PRICE_WORDS = {
    "lowest_relative": "the lowest cost among the tenders not excluded divided by the "
                       "tender's own cost",
    "linear_deviation": "1 minus the amount by which the tender's cost exceeds the lowest "
                        "cost among the tenders not excluded, as a fraction of that lowest "
                        "cost (never below 0)",
}
#: The notice of exclusion's table (each failed requirement and its reasons).
NOTICE_HEADER = ["ID", "Criterion", "Weight (%)", "Score", "Points", "Reasons"]
NOTICE_WIDTHS = (14, 40, 15, 24, 15, 66)  # mm
#: The assessment summary's table: each award criterion once, the bidder's score and
#: points beside it and, for an unsuccessful bidder, the successful tender's.
#: Beneath a row, the bidder's reasons start under the criterion's name and the
#: successful tender's under the score columns (`NOTE_SPLIT`: the first column of theirs).
SIDE_WIDTHS = (20, 59, 16, 19, 17, 21.5, 21.5)  # mm
NOTE_SPLIT = 3
OWN_WIDTHS = (20, 100, 16, 19, 19)  # mm: a successful bidder's (its own columns only)


class Layout:
    """Everything the letters of one export share, worked out once."""

    def __init__(self, src: Source, plan: Plan, kit: Kit, *, draft: bool) -> None:
        from reportlab.lib.units import mm

        self.src, self.plan, self.kit, self.draft = src, plan, kit, draft
        self.mm = mm
        self.widths = [x * mm for x in NOTICE_WIDTHS]
        ev = src.ev
        self.smax = float(ev["scale"]["max"])
        self.descriptors = {float(k): v for k, v in (ev["scale"].get("descriptors")
                                                      or {}).items()}
        self.basis = ("net present value" if ev["appraisal"]["cost_basis"] == "npv"
                      else "whole-life cost")
        self.criteria = self._criteria()
        self._winner: dict[str, tuple[list[str], list[str]]] | None = None

    @functools.cached_property
    def wrapper(self) -> Any:
        from .summary_table import Wrapper

        return Wrapper(self.kit.font, FONT_SIZE)

    def split(self, text: str, width: float) -> list[str]:
        return list(self.wrapper.lines(plain_text(text).replace("\r\n", "\n"), width))

    def lines(self, text: str, col: int) -> list[str]:
        """The text wrapped to column `col` of the notice's table, as lines."""
        return self.split(text, self.widths[col] - PAD)

    def wrap(self, text: str, col: int) -> str:
        return "\n".join(self.lines(text, col))

    def _indented(self, name: str, indent: str, width: float) -> str:
        """A criterion's name, every line indented to its depth."""
        room = width - PAD - self.wrapper.width(indent)
        return "\n".join(indent + line for line in self.split(name, room))

    def _named(self, name: str, need: str, indent: str, width: float) -> str:
        """The criterion's cell: its name, then what excludes a tender, if anything."""
        cell = self._indented(name, indent, width)
        return cell + ("\n" + self._indented(need[0].upper() + need[1:], indent, width)
                       if need else "")

    def _criteria(self) -> list[dict[str, Any]]:
        """Each criterion once: id, kind, its cell in either table (the name indented to
        its depth, and what excludes a tender), weight."""
        snap = self.src.results.snap
        mm = self.mm
        depth: dict[str, int] = {}
        mins = dict(zip(snap.scored_ids, snap.min_score.tolist(), strict=True))
        out = []
        for c in self.src.doc["criteria"]:
            p = c.get("parent")
            depth[c["id"]] = 0 if p is None else depth.get(p, 0) + 1
            indent = "\u00a0\u00a0" * depth[c["id"]]
            need = ""
            if c["kind"] == "pass_fail":
                need = "pass or fail: a fail excludes the tender"
            elif c["kind"] == "scored" and mins.get(c["id"]) == mins.get(c["id"]):
                need = f"minimum score {mins[c['id']]:g}: a lower score excludes the tender"
            eff = snap.eff.get(c["id"])
            out.append({"id": c["id"], "kind": c["kind"], "name": c["name"],
                        "cell": self.split(c["id"], SIDE_WIDTHS[0] * mm - PAD),
                        "side": self._named(c["name"], need, indent, SIDE_WIDTHS[1] * mm),
                        "own": self._named(c["name"], need, indent, OWN_WIDTHS[1] * mm),
                        "weight": "pass/fail" if eff is None else f"{eff:.2f}",
                        "eff": eff, "need": need})
        for c in out:
            c["cell"] = "\n".join(c["cell"])
        return out

    # ---- the tables -------------------------------------------------------------------

    def _plain(self, header: list[str], rows: list[list[str]], widths: list[float],
               align_right: tuple[int, ...] = ()) -> Any:
        from .summary_table import plain_table

        return plain_table(header, rows, widths, font=self.kit.font, bold=self.kit.bold,
                           size=FONT_SIZE, leading=LEADING, align_right=align_right)

    def scale_table(self) -> Any:
        mm = self.mm
        rows = [[f"{k:g}", "\n".join(self.split(v, 150 * mm - PAD))]
                for k, v in sorted(self.descriptors.items())]
        return self._plain(["Score", "What the score means"], rows, [24 * mm, 150 * mm])

    def descriptor(self, score: float) -> str:
        if score in self.descriptors:
            return self.descriptors[score]
        below = [k for k in self.descriptors if k < score]
        above = [k for k in self.descriptors if k > score]
        if below and above:
            lo, hi = max(below), min(above)
            return f"between {self.descriptors[lo]} and {self.descriptors[hi]}"
        return ""

    def columns(self, i: int) -> dict[str, tuple[list[str], str | None]]:
        """One bid's cells per criterion: [score, points] and the reasons written for
        the bidder (None: none to print); sections add up their criteria."""
        src, res = self.src, self.src.results
        snap = res.snap
        bid = snap.bid_ids[i]
        sec = {sid: k for k, sid in enumerate(snap.section_ids)}
        scored = {cid: j for j, cid in enumerate(snap.scored_ids)}
        priced = {cid: j for j, cid in enumerate(snap.price_ids)}
        gates = {g["criterion"]: g for g in src.gateways_of(bid)}
        fb = self.plan.feedback
        out: dict[str, tuple[list[str], str | None]] = {}
        for c in self.criteria:
            cid = c["id"]
            if c["kind"] == "pass_fail":
                g = gates.get(cid)
                out[cid] = (["no result" if g is None else ("pass" if g["passed"]
                                                            else "fail"), ""], None)
            elif c["kind"] == "section":
                out[cid] = (["", _points(res.sections[i, sec[cid]])], None)
            elif c["kind"] == "scored":
                j = scored[cid]
                fin = float(res.scores.final[i, j])
                score = "—" if fin != fin else (f"{fin:.2f}".rstrip("0").rstrip(".")
                                                + f" of {self.smax:g}")
                out[cid] = ([score, _points(res.scored_contrib[i, j])],
                            fb.get((bid, cid), "[DRAFT: no feedback written yet]"))
            else:
                j = priced[cid]
                frac = float(res.price_frac[i, j])
                out[cid] = (["—" if frac != frac else f"{frac:.3f} of 1",
                             _points(res.price_contrib[i, j])], fb.get((bid, cid)))
        return out

    def note_widths(self, beside: bool) -> tuple[float, float]:
        """The room for the bidder's reasons beneath a row and, `beside`, for the
        successful tender's."""
        mm = self.mm
        if not beside:
            return (sum(OWN_WIDTHS[1:]) * mm - PAD, 0.0)
        return (sum(SIDE_WIDTHS[1:NOTE_SPLIT]) * mm - PAD,
                sum(SIDE_WIDTHS[NOTE_SPLIT:]) * mm - PAD)

    def winner(self) -> dict[str, tuple[list[str], list[str]]]:
        """The successful tender's cells and reasons (wrapped), shared by every
        unsuccessful bidder's summary: worked out once."""
        if self._winner is None:
            snap = self.src.results.snap
            label = f"{self.winner_label()}: "
            cols = (self.columns(snap.bid_ids.index(self.plan.winner))
                    if self.plan.winner else {})
            room = self.note_widths(True)[1]
            self._winner = {cid: (cells, [] if why is None
                                  else self.split(label + why, room))
                            for cid, (cells, why) in cols.items()}
        return self._winner

    def winner_label(self) -> str:
        return "Leading tender" if self.src.provisional else "Successful tender"

    def side_rows(self, i: int, beside: bool) -> list[list[str]]:
        """One bidder's table: each criterion's row, then beneath it the reasons, each
        labelled: the bidder's, and the successful tender's beside them if `beside`."""
        room = self.note_widths(beside)[0]
        mine = self.columns(i)
        theirs = self.winner() if beside else {}
        rows: list[list[str]] = []
        for c in self.criteria:
            cid = c["id"]
            cells, why = mine[cid]
            row = [c["cell"], c["side" if beside else "own"], c["weight"], *cells]
            if beside:
                row += theirs[cid][0]
            rows.append(row)
            own = [] if why is None else self.split("Your tender: " + why, room)
            rows += _notes(own, theirs[cid][1] if beside else [])
        return rows

    def side_table(self, rows: list[list[str]], beside: bool) -> Any:
        mm = self.mm
        widths: tuple[float, ...]
        right: tuple[int, ...]
        if beside:
            them = self.winner_label()
            header = ["ID", "Award criterion", "Weight (%)", "Your tender\nscore",
                      "Your tender\npoints", f"{them}\nscore", f"{them}\npoints"]
            widths, right = SIDE_WIDTHS, (2, 3, 4, 5, 6)
        else:
            header = ["ID", "Award criterion", "Weight (%)", "Your tender\nscore",
                      "Your tender\npoints"]
            widths, right = OWN_WIDTHS, (2, 3, 4)
        return self._plain(header, rows, [x * mm for x in widths], right)

    def _reason(self, bid: str, cid: str) -> list[str]:
        text = self.plan.feedback.get((bid, cid))
        if text is None:
            text = "[DRAFT: no feedback written yet]"
        return self.lines(text, 5)

    def _with_reason(self, row: list[str], reason: list[str]) -> list[list[str]]:
        """The row with its reason; a long reason continues on further rows."""
        out = [[*row, "\n".join(reason[:LINES_PER_ROW])]]
        for k in range(LINES_PER_ROW, len(reason), LINES_PER_ROW):
            out.append(["", "(continued)", "", "", "", "\n".join(reason[k:k + LINES_PER_ROW])])
        return out

    def notice_table(self, rows: list[list[str]]) -> Any:
        return self._plain(NOTICE_HEADER, rows, self.widths, (2, 4))


def _notes(own: list[str], theirs: list[str]) -> list[list[str]]:
    """The reasons beneath a row, the bidder's and the successful tender's side by side
    (`NOTE_SPLIT`); a long one continues in further notes, so a note fits a page."""
    out = []
    for k in range(0, max(len(own), len(theirs)), LINES_PER_ROW):
        cells = [_chunk(own, k), _chunk(theirs, k)]
        out.append(["", cells[0]] if not theirs else
                   ["", cells[0], *[""] * (NOTE_SPLIT - 2), cells[1]])
    return out


def _chunk(lines: list[str], k: int) -> str:
    part = lines[k:k + LINES_PER_ROW]
    return "\n".join(["(continued)", *part] if k and part else part)


def _points(v: Any) -> str:
    v = float(v)
    return "—" if v != v else f"{v:.2f}"


# ---- the letters ------------------------------------------------------------------------

def letter_story(lay: Layout, letter: Letter) -> list[Any]:
    """The flowables of one letter."""
    story = _heading(lay, letter)
    if letter.kind == "notice":
        story += _notice(lay, letter)
    else:
        story += _summary(lay, letter)
    story += _standstill(lay)
    return story


def _heading(lay: Layout, letter: Letter) -> list[Any]:
    from reportlab.platypus import Spacer

    from .pdf_governance import banner

    kit, src, ev = lay.kit, lay.src, lay.src.ev
    title = "Assessment summary" if letter.kind == "summary" else "Notice of exclusion"
    law = ("section 50 of the Procurement Act 2023 and regulation 31 of the Procurement "
           "Regulations 2024" if letter.kind == "summary"
           else "the Procurement Act 2023 to a supplier whose tender was excluded from "
                "the competition")
    story: list[Any] = [
        kit.p(ev.get("authority", ""), kit.h2),
        kit.m(title, kit.title),
        kit.p(f"{ev.get('title', '')} (reference {ev.get('reference', '')})"),
        kit.m(f"<b>For:</b> {kit.t(letter.supplier)}, tender {kit.t(letter.bid)}"),
        kit.p(f"{'Issued' if letter.kind == 'summary' else 'Sent'} under {law}. Prepared "
              f"on {src.exported_at[:10]}."),
        kit.p(f"Made from the evaluation's record as it then stood: {src.stamp}.", kit.small),
        Spacer(1, 3 * lay.mm),
    ]
    if lay.draft:
        story += [banner(kit, "DRAFT: not to be sent to the bidder. It is not a notice of "
                              "the outcome: " + _draft_reason(lay)), Spacer(1, 3 * lay.mm)]
    if src.sealed:
        from .governance import sealed_line

        story += [banner(kit, sealed_line(src), "#1F4E79"), Spacer(1, 3 * lay.mm)]
    return story


def _draft_reason(lay: Layout) -> str:
    n = lay.plan.gaps
    if not n:
        return "it was written as a draft."
    first = lay.plan.missing[0]
    return (f"{first.where}: {first.message}"
            + (f" (and {n - 1:,} more item{'s' if n > 2 else ''} missing)" if n > 1 else "."))


def _summary(lay: Layout, letter: Letter) -> list[Any]:
    kit, src = lay.kit, lay.src
    res = src.results
    i = letter.index
    mine = _totals(res, i)
    n = len(res.ranking)
    rank = res.rank[i]
    story: list[Any] = [kit.m("Outcome", kit.h1)]
    provisional = src.provisional
    if provisional:
        story.append(kit.p(f"DRAFT: the results are provisional. On the results so far "
                           f"your tender has {mine} and is ranked {rank} of {n} tenders "
                           f"assessed; no tender has been found successful yet."))
    elif letter.successful:
        story.append(kit.p(f"Your tender is the most advantageous tender: it has {mine}, "
                           f"ranked 1 of {n} tenders assessed. The council intends to award "
                           f"the contract to you once the standstill period below has ended."))
    else:
        story.append(kit.p(f"Your tender was not successful. It has {mine} and is ranked "
                           f"{rank} of {n} tenders assessed."))
    w = None if letter.successful else lay.plan.winner
    beside = w is not None
    them = lay.winner_label().lower()
    if w is not None:
        wi = res.snap.bid_ids.index(w)
        who = "leads on the results so far" if provisional else "is the successful tender"
        story.append(kit.p(f"The tender of {src.supplier(w)} {who}, with {_totals(res, wi)}. "
                           f"Its scores and the reasons for them are set out below beside "
                           f"yours."))
    story += _method(lay, i)
    title = ("The award criteria, your tender's scores and the reasons for them"
             + (f", beside the {them}'s" if beside else ""))
    story.append(kit.m(title, kit.h1))
    story.append(kit.p(
        "Each award criterion is one row: its weight (percent of the 100 points "
        "available; a section's weight is shared among the criteria beneath it), "
        + ("your tender's score and points, and the " + them + "'s. " if beside
           else "your tender's score and points. ")
        + "A section's points add up the criteria beneath it. Under a criterion's name: "
          "what excludes a tender; beneath its row: the reasons for the scores, where "
          "they were written" + (", yours on the left." if beside else "."), kit.small))
    story.append(lay.side_table(lay.side_rows(i, beside), beside))
    story.append(kit.p(f"Total: your tender has {mine}."))
    if w is not None:
        wi = res.snap.bid_ids.index(w)
        story.append(kit.p(f"Total: the {them} ({src.supplier(w)}) has "
                           f"{_totals(res, wi)}."))
    return story


def _totals(res: Any, i: int) -> str:
    return (f"{res.total[i]:.2f} points of 100 (quality {res.quality[i]:.2f}, price "
            f"{res.price[i]:.2f})")


def _method(lay: Layout, i: int) -> list[Any]:
    """The award criteria, the scoring scale and how price is scored."""
    kit, src = lay.kit, lay.src
    ev = src.ev
    snap = src.results.snap
    cur = ev.get("currency") or "GBP"
    appr = ev["appraisal"]
    story: list[Any] = [
        kit.m("How the tenders were assessed", kit.h1),
        kit.p("Each tender was assessed against the award criteria published in the tender "
              "documents, with the weights given in the table below. The most "
              "advantageous tender is the one with the most points."),
        kit.m("The scoring scale", kit.h2),
        kit.p(f"Each quality criterion was scored from 0 to {lay.smax:g}; the score agreed "
              f"at moderation, else the mean of the evaluators' scores, earns "
              f"score / {lay.smax:g} x the criterion's weight in points."),
    ]
    if lay.descriptors:
        story.append(lay.scale_table())
    story.append(kit.m("Price", kit.h2))
    story.append(kit.p(f"Price was scored on each tender's {lay.basis} over "
                       f"{appr['years']} years (discounted at {appr['discount_rate']:.1%} a "
                       f"year for the net present value). Your tender's whole-life cost is "
                       f"{money(float(snap.wlc[i]), cur)} and its net present value "
                       f"{money(float(snap.npv[i]), cur)}."))
    for c in src.doc["criteria"]:
        if c["kind"] == "price":
            f = c.get("formula") or "lowest_relative"
            story.append(kit.p(f"{c['id']} {c['name']}: the price score is "
                               f"{PRICE_WORDS.get(f, f)}; it earns the price score x the "
                               f"weight in points. Where no other reason is written "
                               f"beneath it, this is the reason for its score."))
    return story


def _notice(lay: Layout, letter: Letter) -> list[Any]:
    """Why the tender was excluded: each failed requirement, and the reasons written for
    a minimum score it did not reach."""
    kit, res = lay.kit, lay.src.results
    snap, i = res.snap, letter.index
    story: list[Any] = [kit.m("Outcome", kit.h1)]
    draft = " DRAFT: the results are provisional." if lay.src.provisional else ""
    story.append(kit.p(f"Your tender was excluded from the competition and was not "
                       f"assessed against the award criteria, for the reasons below, as "
                       f"the tender documents said a tender would be.{draft}"))
    names = {c["id"]: c["name"] for c in lay.criteria}
    rows: list[list[str]] = []
    for j, gid in enumerate(snap.gate_ids):
        if snap.gateway[i, j] == 0.0:
            rows.append([lay.wrap(gid, 0), lay.wrap(names[gid], 1), "pass/fail", "fail", "",
                         lay.wrap("Your tender did not meet this mandatory requirement.", 5)])
    scored = {cid: j for j, cid in enumerate(snap.scored_ids)}
    from .summary_plan import needs_feedback

    for cid in needs_feedback(lay.src, letter):
        j = scored[cid]
        fin = float(res.scores.final[i, j])
        reason = lay._reason(letter.bid, cid)
        reason = lay.lines(f"The score of {fin:g} is below the minimum of "
                           f"{snap.min_score[j]:g}.", 5) + reason
        rows += lay._with_reason([lay.wrap(cid, 0), lay.wrap(names[cid], 1),
                                  f"{snap.eff.get(cid, 0):.2f}",
                                  lay.wrap(f"{fin:g} of {lay.smax:g}\n"
                                           + lay.descriptor(fin), 3), "—"], reason)
    story.append(lay.notice_table(rows))
    return story


def _standstill(lay: Layout) -> list[Any]:
    kit = lay.kit
    award = lay.plan.award or {}
    story: list[Any] = [kit.m("Standstill period and questions", kit.h1)]
    when = notice_date(award)
    days = int(award.get("standstill_days", 8) or 0)
    if when is None:
        story.append(kit.p("[DRAFT: the date of the contract award notice is not set, so the "
                           "standstill period cannot be given yet.]"))
    elif days <= 0:
        story.append(kit.p(f"The contract award notice is to be published on "
                           f"{_day(when)}. No standstill period applies to this award."))
    else:
        end = standstill_end(when, days)
        assert end is not None
        story.append(kit.p(
            f"The contract award notice is to be published on {_day(when)}. The standstill "
            f"period is {days} working days beginning with that day, so it ends at "
            f"midnight at the end of {_day(end)}; the contract will not be entered into "
            f"before then. Working days leave out Saturdays, Sundays, Christmas Day, Good "
            f"Friday and bank holidays in any part of the United Kingdom."))
    contact = str(award.get("contact") or "").strip()
    story.append(kit.p("Questions about this letter: " + (contact or "[DRAFT: no contact "
                                                                     "set]") + "."))
    return story


def _day(d: dt.date) -> str:
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"
