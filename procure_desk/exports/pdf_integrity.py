"""The report's decision integrity (docs/evidence.md): the one verdict, the gateway
results with their notes, who would win were a failed gateway a pass, abnormally low
tenders (Procurement Act 2023 s.34), ties and the rule that decided them, the options
that are not tenders beside the tenders, and the sign-off block.

Every figure comes from the analysis (`integrity`, `analysis.analyse`) and the
engine's results; user text goes through `Kit.p`, `Kit.t` or `Kit.cell`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..interchange import OPTION_TYPE_LABELS
from ..wording import money
from . import Source, num

if TYPE_CHECKING:
    from .pdf_base import Kit

RED, AMBER, GREEN = "#C00000", "#FFE699", "#E2EFDA"
MAX_REASONS = 12  # verdict reasons listed; the tables below hold every case
S34 = ("Procurement Act 2023, s.34: a tender that appears abnormally low may be rejected "
       "only after the supplier has been asked to explain its price and given reasonable "
       "time to do so, and only if the explanation does not satisfy the authority that "
       "the contract can be performed for that price. A low price is not by itself a "
       "reason to exclude.")
MAX_GATEWAY_ROWS = 400  # then failures, missing results and notes only (all in the pack)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def final_verdict(analysis: dict[str, Any], tie: dict[str, Any] | None) -> dict[str, Any]:
    """`integrity.verdict` as the analysis gives it (the one the app and the workbook
    show); a tie to the printed precision, which it counts, is named here with the rule
    that decided it."""
    verdict = dict(analysis.get("verdict") or {"robust": False,
                                               "reasons": ["no bid is ranked"]})
    if tie and tie["printed"]:
        said = f"{tie['first']} and {tie['second']} tie at"
        reasons = [r for r in verdict["reasons"] if not r.startswith(said)]
        verdict = {"robust": False, "reasons": [*reasons, tie["reason"]]}
    return verdict


def integrity_section(kit: Kit, src: Source, analysis: dict[str, Any],
                      verdict: dict[str, Any], tie: dict[str, Any] | None,
                      who: Callable[[str | None], str]) -> list[Any]:
    """The verdict and the decision-integrity findings, each said in words first."""
    out: list[Any] = [kit.heading("Decision integrity", 1)]
    out += verdict_box(kit, src, verdict)
    out += _ties(kit, tie)
    out += _exclusions(kit, src, analysis, who)
    out += _abnormally_low(kit, src, analysis, who)
    out += _comparators(kit, src, who)
    out += _gateways(kit, src)
    from .governance import methodology_changes

    n = len(methodology_changes(src))
    out.append(kit.heading("Changes to the published methodology", 1, key="changes-ref"))
    out.append(kit.p(
        "None after scoring opened." if n == 0 else
        f"{n} change{'s were' if n != 1 else ' was'} made after scoring opened, each with "
        f"its reason: see section 2, Changes to the published methodology."))
    return out


def verdict_box(kit: Kit, src: Source, verdict: dict[str, Any]) -> list[Any]:
    """The one verdict of `integrity.verdict`: robust only when every test held."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    reasons = verdict["reasons"]
    if verdict["robust"]:
        head = "<b>Verdict: robust.</b> Every test held."
        colour = "#548235"
    else:
        head = "<b>Verdict: not robust.</b>"
        colour = RED
    lines = [kit.m(head, kit.body)]
    if verdict["robust"]:
        lines.append(kit.p(
            "The results are final; no other ranked bid withdrawing reverses the winner; "
            "both price formulas give the same winner; the winner won at least 90% of the "
            "simulations with uncertain weights and scores; and no failed gateway would "
            "change the winner were it a pass.", kit.small))
    else:
        lines.append(kit.p("Robust means every test held. These did not:",
                           kit.small))
        lines += [kit.p("• " + r, kit.small) for r in reasons[:MAX_REASONS]]
        if len(reasons) > MAX_REASONS:
            lines.append(kit.p(f"… and {len(reasons) - MAX_REASONS} more, each in the "
                               f"tables of this section.", kit.small))
    c = kit.colors.HexColor(colour)
    box = Table([[line] for line in lines], colWidths=[174 * mm])
    box.setStyle([("FONT", (0, 0), (-1, -1), kit.font, 9.5),
                  ("BOX", (0, 0), (-1, -1), 1.2, c), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                  ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                  ("TOPPADDING", (0, 0), (-1, 0), 4), ("BOTTOMPADDING", (0, -1), (-1, -1), 4)])
    return [box]


def _ties(kit: Kit, tie: dict[str, Any] | None) -> list[Any]:
    out = [kit.m("Ties", kit.h2)]
    if tie is None:
        out.append(kit.p("Fewer than two bids are ranked: there is nothing to tie."))
    elif tie["printed"] or tie["rule"] != "total":
        out.append(kit.m("<b>A tie.</b> " + kit.t(tie["sentence"])))
    else:
        out.append(kit.p(tie["sentence"]))
    return out


def _exclusions(kit: Kit, src: Source, analysis: dict[str, Any],
                who: Callable[[str | None], str]) -> list[Any]:
    """Each failed gateway, with who would win were it a pass."""
    from reportlab.lib.units import mm

    out = [kit.m("Failed gateways: who would win were each a pass", kit.h2)]
    rows = analysis.get("exclusions") or []
    if not rows:
        out.append(kit.p("No bid failed a gateway."))
        return out
    winner = analysis.get("winner")
    changing = [e for e in rows if e["winner_if_passed"] != winner]
    cheapest = _cheapest_excluded(src)
    for e in changing:
        text = (f"Were {who(e['bid'])}'s failed gateway {e['criterion']} a pass, "
                f"{who(e['winner_if_passed'])} would win instead of {who(winner)}.")
        if e["bid"] == cheapest:
            text += " It is the lowest-priced bid received."
        out.append(kit.m("<b>The winner would change.</b> " + kit.t(text)))
    if not changing:
        out.append(kit.p(f"None of the {len(rows)} failed gateway result"
                         f"{'s' if len(rows) != 1 else ''} would change the winner were it "
                         f"a pass."))
    names = {c["id"]: c["name"] for c in src.doc["criteria"]}
    table, extra = [], []
    for k, e in enumerate(rows, start=1):
        if e["winner_if_passed"] != winner:
            extra.append(("BACKGROUND", (0, k), (-1, k), kit.colors.HexColor("#F8CBAD")))
        table.append([e["bid"], kit.cell(src.supplier(e["bid"]), width=50 * mm),
                      kit.cell(f"{e['criterion']} {names.get(e['criterion'], '')}",
                               width=44 * mm),
                      kit.cell(who(e["winner_if_passed"]), width=50 * mm),
                      "yes" if e["winner_if_passed"] != winner else "no"])
    out.append(kit.table(["Bid", "Supplier", "Failed gateway", "Winner were it a pass",
                          "Changes"], table, [14 * mm, 50 * mm, 44 * mm, 50 * mm, 16 * mm],
                         extra=extra))
    return out


def _cheapest_excluded(src: Source) -> str | None:
    """The lowest-cost bid of all, if it is excluded."""
    res = src.results
    c = res.snap.cost_basis
    if not len(c):
        return None
    i = int(c.argmin())
    return res.snap.bid_ids[i] if res.status[i] == "excluded" else None


def _abnormally_low(kit: Kit, src: Source, analysis: dict[str, Any],
                    who: Callable[[str | None], str]) -> list[Any]:
    from reportlab.lib.units import mm

    threshold = float(src.ev.get("abnormally_low", 0.2))
    out = [kit.m("Abnormally low tenders", kit.h2)]
    low = analysis.get("abnormally_low") or []
    cur = src.ev.get("currency") or "GBP"
    if not low:
        out.append(kit.p(f"No tender's cost is more than {threshold:.0%} below the median "
                         f"of the other tenders not excluded (the test needs at least "
                         f"three such tenders)."))
        return out
    out.append(kit.p(f"{len(low)} tender{'s are' if len(low) != 1 else ' is'} priced more "
                     f"than {threshold:.0%} below the median of the other tenders not "
                     f"excluded:"))
    rows = [[e["bid"], kit.cell(src.supplier(e["bid"]), width=62 * mm),
             money(e["cost"], cur), money(e["median"], cur), f"{e['below']:.0%}"]
            for e in low]
    out.append(kit.table(["Bid", "Supplier", "Cost", "Others' median", "Below"], rows,
                         [14 * mm, 62 * mm, 34 * mm, 34 * mm, 20 * mm],
                         align_right=(2, 3, 4)))
    out.append(kit.m("<b>Before any rejection.</b> " + kit.t(S34)))
    return out


def _comparators(kit: Kit, src: Source, who: Callable[[str | None], str]) -> list[Any]:
    """Options that are not tenders, scored beside the tenders (value for money)."""
    from reportlab.lib.units import mm

    from .pdf_bids import bid_figures

    if src.ev.get("procedure") != "competitive_tender":
        return []
    figures = bid_figures(src.results)
    comps = [b for b in figures if b["status"] == "comparator"]
    out = [kit.m("Options that are not tenders", kit.h2), kit.p(
        "This is a competitive tender under the Procurement Act 2023: only suppliers' "
        "tenders compete and can win. The council's other options are scored by the same "
        "rules, their price against the lowest tender, and shown here as evidence of "
        "value for money.")]
    if not comps:
        out.append(kit.p("No other option was scored beside the tenders."))
        return out
    ranked = [b for b in figures if b["rank"] is not None]
    winner = next((b for b in ranked if b["rank"] == 1), None)
    cur = src.ev.get("currency") or "GBP"
    rows = []
    for b in comps:
        label = OPTION_TYPE_LABELS.get(b["option_type"], b["option_type"]).lower()
        if b["total"] is None:
            out.append(kit.p(f"The {label} option {who(b['id'])} has no total: no tender "
                             f"is left to price it against."))
            continue
        place = 1 + sum(1 for r in ranked if r["total"] > b["total"])
        text = (f"The {label} option {who(b['id'])} would have scored {b['total']:.2f} "
                f"points (quality {b['quality']:.2f}, price {b['price']:.2f})")
        if winner is not None:
            gap = winner["total"] - b["total"]
            text += (f", {abs(gap):.2f} points {'below' if gap >= 0 else 'above'} the "
                     f"winning tender: placed among the {len(ranked)} ranked tenders it "
                     f"would have come {ordinal(place)} of {len(ranked) + 1}.")
        else:
            text += "."
        out.append(kit.p(text))
        basis = b["npv"] if src.ev["appraisal"]["cost_basis"] == "npv" else b["wlc"]
        rows.append([b["id"], kit.cell(b["supplier"], width=56 * mm),
                     OPTION_TYPE_LABELS.get(b["option_type"], b["option_type"]),
                     num(b["quality"]), num(b["price"]), num(b["total"]),
                     money(basis, cur), str(place)])
    if rows:
        out.append(kit.table(["Option", "Name", "Type", "Quality", "Price", "Total", "Cost",
                              "Would rank"], rows,
                             [14 * mm, 46 * mm, 26 * mm, 15 * mm, 15 * mm, 15 * mm,
                              25 * mm, 18 * mm], align_right=(3, 4, 5, 6, 7)))
    return out


def _gateways(kit: Kit, src: Source) -> list[Any]:
    """Each bid's gateway results with their notes; missing results said so."""
    from reportlab.lib.units import mm

    gates = [c for c in src.doc["criteria"] if c["kind"] == "pass_fail"]
    out = [kit.m("Gateway results", kit.h2)]
    if not gates:
        out.append(kit.p("The evaluation has no pass/fail gateway."))
        return out
    rows: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = []
    everything = len(src.doc["bids"]) * len(gates) <= MAX_GATEWAY_ROWS
    passed = 0
    for b in src.doc["bids"]:
        got = {g["criterion"]: g for g in src.gateways_of(b["id"])}
        for c in gates:
            g = got.get(c["id"])
            result = "no result" if g is None else ("pass" if g["passed"] else "FAIL")
            note = "" if g is None else (g.get("note") or "")
            if result == "pass" and not note and not everything:
                passed += 1
                continue
            if result != "pass":
                extra.append(("TEXTCOLOR", (3, len(rows) + 1), (3, len(rows) + 1),
                              kit.colors.HexColor(RED)))
            rows.append([b["id"], kit.cell(b["supplier"], width=40 * mm),
                         kit.cell(f"{c['id']} {c['name']}", width=40 * mm), result,
                         kit.cell(note or "—", 1500, width=62 * mm)])
    if not everything:
        out.append(kit.p(f"{passed} passes without a note are counted here, not listed; "
                         f"every result is in the evidence pack (Bids sheet)."))
    out.append(kit.p("Every gateway result, with the note recorded for it:" if everything
                     else "Every fail, missing result and note:"))
    if rows:
        out.append(kit.table(["Bid", "Supplier", "Gateway", "Result", "Note"], rows,
                             [12 * mm, 40 * mm, 40 * mm, 20 * mm, 62 * mm], extra=extra))
    return out


def sign_off(kit: Kit, src: Source) -> list[Any]:
    """Prepared, checked and approved: a name, signature and date line for each."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer, Table

    line = "_" * 26
    rows = [["", "Name", "Signature", "Date"]]
    for role in ("Prepared by", "Checked by", "Approved by"):
        rows.append([role, line, line, "____ / ____ / ________"])
    t = Table(rows, colWidths=[28 * mm, 50 * mm, 50 * mm, 46 * mm],
              rowHeights=[6 * mm] + [12 * mm] * 3)
    t.setStyle([("FONT", (0, 0), (-1, -1), kit.font, 9),
                ("FONT", (0, 0), (-1, 0), kit.bold, 8),
                ("FONT", (0, 1), (0, -1), kit.bold, 9),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("BOX", (0, 0), (-1, -1), 0.5, kit.colors.HexColor("#1F4E79"))])
    return [KeepTogether([
        kit.heading("Sign-off", 1, key="sign-off"),
        kit.p("This report is a record of the evaluation. Its author prepares it, a "
              "second officer checks the figures against the evidence pack, and the "
              "officer with delegated authority approves it before the award decision."),
        Spacer(1, 2 * mm), t])]
