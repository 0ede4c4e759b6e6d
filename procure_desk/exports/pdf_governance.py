"""The PDF report's pages on the evaluation's life: DRAFT and what is outstanding, the
seal, the declarations of interests and conflicts, and the changes to the published
methodology (words from `governance`). User text is escaped (`Kit.p`, `Kit.cell`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import Source
from .governance import (
    check_name,
    declaration_rows,
    draft_line,
    methodology_changes,
    sealed_line,
)
from .pdf_fonts import markup as para

if TYPE_CHECKING:
    from .pdf_base import Kit

RED = "#C00000"


def banner(kit: Kit, text: str, colour: str = RED) -> Any:
    """A sentence in a coloured box across the page: DRAFT, or sealed."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    c = kit.colors.HexColor(colour)
    t = Table([[kit.m(f"<b>{para(text)}</b>", kit.body)]], colWidths=[174 * mm])
    t.setStyle([("FONT", (0, 0), (-1, -1), kit.font, 9.5),
                ("BOX", (0, 0), (-1, -1), 1.2, c), ("TEXTCOLOR", (0, 0), (-1, -1), c),
                ("LEFTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])
    return t


def status_banners(kit: Kit, src: Source) -> list[Any]:
    """DRAFT while provisional; who sealed the record and when, once sealed."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    out: list[Any] = []
    if src.provisional:
        out += [banner(kit, draft_line(src, " (listed in section 1)")), Spacer(1, 3 * mm)]
    if src.sealed:
        out += [banner(kit, sealed_line(src), "#1F4E79"), Spacer(1, 3 * mm)]
    return out


def outstanding_section(kit: Kit, src: Source) -> list[Any]:
    """What a final decision still needs, one row per kind of gap; [] once final."""
    from reportlab.lib.units import mm

    if not src.provisional:
        return []
    rows = [[kit.cell(check_name(o["check"]), width=46 * mm),
             kit.cell(o["detail"], 1200, width=128 * mm)]
            for o in src.outstanding]
    return [kit.m("What is outstanding", kit.h2),
            kit.p("The results in this report are provisional until each of these is "
                  "done. Until then the bid ranked first is the provisional leader, not "
                  "the winner, and the decision cannot be called robust."),
            kit.table(["Outstanding", "What is missing"], rows, [46 * mm, 128 * mm])]


def methodology_changes_section(kit: Kit, src: Source) -> list[Any]:
    """Every change to the published methodology after scoring opened: when, who, what,
    why; "None" when there were none."""
    from reportlab.lib.units import mm

    out = [kit.m("Changes to the published methodology", kit.h2)]
    changes = methodology_changes(src)
    if not changes:
        out.append(kit.p("None: the criteria, weights, scale, price formulas and appraisal "
                         "are as they stood when scoring opened."))
        return out
    out.append(kit.p(f"{len(changes)} change{'s were' if len(changes) != 1 else ' was'} "
                     f"made to the published methodology after scoring opened, each with "
                     f"its reason:"))
    rows = [[c["at"], kit.cell(c["by"], width=26 * mm), kit.cell(c["what"], 800, width=64 * mm),
             kit.cell(c["reason"], 800, width=48 * mm)] for c in changes]
    out.append(kit.table(["When", "Who", "What changed", "Reason"], rows,
                         [36 * mm, 26 * mm, 64 * mm, 48 * mm]))
    return out


def declarations_section(kit: Kit, src: Source, number: int) -> list[Any]:
    """Each evaluator's declaration of interests, then each declared conflict with the
    date it was declared, its nature and the mitigation agreed."""
    from reportlab.lib.units import mm

    rows = declaration_rows(src)
    story = [kit.heading(f"{number}. Declarations of interests", 0, key=f"s{number}")]
    story.append(kit.p("Each evaluator makes a dated declaration of interests; an "
                       "evaluator who declared a conflict with a bid did not score it "
                       "(Procurement Act 2023, s.81-83), and such scores are never "
                       "counted."))
    seen: set[str] = set()
    decl = []
    for r in rows:
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        decl.append([kit.cell(r["name"], width=34 * mm), kit.cell(r["role"] or "—", width=30 * mm),
                     r["declared_on"] or "—", kit.cell(r["interests"], 800),
                     (r["submitted"][:10] if r["submitted"] else "not yet")])
    story.append(kit.table(["Evaluator", "Role", "Declared on", "Interests declared",
                            "Scores submitted"], decl,
                           [34 * mm, 30 * mm, 22 * mm, 66 * mm, 22 * mm]))
    story.append(kit.m("Declared conflicts of interest", kit.h2))
    conflicts = [r for r in rows if r["bid"]]
    if not conflicts:
        story.append(kit.p("No evaluator declared a conflict of interest."))
        return story
    table = [[kit.cell(r["name"], width=30 * mm), r["bid"],
              kit.cell(r["supplier"], width=32 * mm), r["conflict_on"] or "—",
              kit.cell(r["nature"] or "—", 600), kit.cell(r["mitigation"] or "—", 600)]
             for r in conflicts]
    story.append(kit.table(["Evaluator", "Bid", "Supplier", "Declared on", "Nature",
                            "Mitigation"], table,
                           [30 * mm, 12 * mm, 32 * mm, 22 * mm, 39 * mm, 39 * mm]))
    return story


# What the report says of robustness while the results are provisional.
ROBUSTNESS_CAVEAT = ("The results are provisional, so the decision cannot be called robust "
                     "yet: the robustness tests show only how the provisional ranking "
                     "responds, and must be read again once nothing is outstanding.")
