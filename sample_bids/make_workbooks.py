"""Write the sample tender's bids as filled bid response workbooks.

    python sample_bids/make_workbooks.py [--out DIR]

One workbook per bid of sample_bids/harrowmere.json, named like
`B3-kestrelway-digital-ltd.xlsx`, filled as the supplier would: details,
pricing (the JSON's cost lines) and declarations against the tender's
gateways.
Importing them into an evaluation made from the buy-small template gives the
same suppliers and costs as the JSON (tests/test_workbooks_bids.py checks it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from procure_desk.paths import SAMPLE_TENDER  # noqa: E402
from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook  # noqa: E402

# What each supplier would write that the evaluation JSON does not hold.
EXTRAS: dict[str, dict] = {
    "B1": {
        "contact_name": "Helen Marsh, Bid Manager", "contact_email": "bids@carrowfield.example",
        "contact_phone": "0161 555 0142",
        "break_clauses": "7-year term with an optional 2-year extension. Penalty-free break at "
                         "the end of year 5 on 6 months' notice.",
        "summary": "Our local government suite (CRM, web forms and contact centre case "
                   "handling), hosted by us and called off the framework. Bespoke workflows "
                   "for waste and revenues are included.",
    },
    "B2": {
        "contact_name": "Rupert Vane, Public Sector Director",
        "contact_email": "tenders@stratavane.example", "contact_phone": "020 7946 0311",
        "break_clauses": "10-year term renewing automatically for 3 years unless notice is "
                         "given 12 months before expiry. Early termination fees apply.",
        "summary": "A customer suite on the same data model as our ERP, delivered as one "
                   "programme with a single go-live at month 12.",
    },
    "B3": {
        "contact_name": "Priya Nair, Director", "contact_email": "priya@kestrelway.example",
        "contact_phone": "0113 496 0720",
        "break_clauses": "3-year term plus two optional 1-year extensions (priced, capped at "
                         "CPI). The council may end the contract on 6 months' notice after "
                         "year 1. No automatic renewal.",
        "summary": "Cloud CRM and case management built for district councils, with a "
                   "separate web forms product. Configured, not customised: all 14 priority "
                   "workflows with our standard rules engine.",
    },
    "B4": {
        "contact_name": "Tom Ellery, Account Manager", "contact_email": "tom@lanthorn.example",
        "contact_phone": "0117 496 0883",
        "break_clauses": "3-year term; break at 12 months on 3 months' notice; no automatic "
                         "renewal.",
        "summary": "SaaS CRM with a rules engine and its own form builder.",
    },
    "B5": {
        "contact_name": "Grace Okafor, Bid Lead", "contact_email": "bids@brightmoor.example",
        "contact_phone": "0121 496 0555",
        "break_clauses": "4-year term; penalty-free break at 24 months; no automatic renewal.",
        "summary": "Case management platform already used by contact centre and housing "
                   "teams at several councils.",
    },
    "B6": {
        "contact_name": "Digital Team Lead, Harrowmere District Council",
        "contact_email": "digital@harrowmere.example", "contact_phone": "01632 960 400",
        "break_clauses": "Platform licence renewable yearly after the first 2 years; the "
                         "council owns the applications built on it.",
        "summary": "Service-by-service mini-CRMs built by the council's digital team on a "
                   "low-code platform licensed from Quillstone Apps Ltd.",
    },
    "B7": {
        "contact_name": "Head of Shared Services, Ashcombe Borough Council",
        "contact_email": "shared.services@ashcombe.example", "contact_phone": "01632 960 218",
        "break_clauses": "5-year inter-authority agreement; any partner may leave on 12 "
                         "months' notice.",
        "summary": "Join the customer platform Ashcombe hosts and already shares with "
                   "Fenwick Vale. Costs are the whole partnership's, split between the three "
                   "councils by population.",
    },
    "B8": {
        "contact_name": "Alan Pellory, Managing Director", "contact_email": "alan@pellory.example",
        "contact_phone": "01904 496 011",
        "break_clauses": "Annual extended support, renewable each April.",
        "summary": "Keep the on-premises CRM and web forms on annual extended support. "
                   "Mainstream support ended in 2025.",
    },
}


def slug(text: str, words: int = 4) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(parts[:words]) or "bid"


def declarations(doc: dict, bid_id: str) -> dict[str, tuple[str, str]]:
    """The supplier's own answers: what its evidence shows (B4 holds Cyber Essentials only)."""
    out = {}
    for g in doc.get("gateways", []):
        if g["bid"] == bid_id:
            out[g["criterion"]] = ("Yes" if g["passed"] else "No", g.get("note", ""))
    return out


def workbook_paths(doc: dict, folder: Path = HERE) -> list[tuple[Path, dict]]:
    return [(folder / f"{b['id']}-{slug(b['supplier'])}.xlsx", b) for b in doc["bids"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder (default: sample_bids)")
    args = parser.parse_args(argv)
    doc = json.loads(SAMPLE_TENDER.read_text(encoding="utf-8"))
    for path, bid in workbook_paths(doc, args.out):
        extras = dict(EXTRAS.get(bid["id"], {"summary": bid.get("notes", "")}))
        extras["declarations"] = declarations(doc, bid["id"])
        save_workbook(build_bid_workbook(doc, bid, extras), path, force=True)
        print(f"Wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
