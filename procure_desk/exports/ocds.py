"""An OCDS 1.1 release (tag `award`) with the bids extension, for publication.

Bid values are each bid's whole-life cost over the appraisal period (the
undiscounted total a buyer would pay); a bid is `valid` unless excluded
(`disqualified`), and `pending` while its assessment is incomplete. The ocid
prefix defaults to a placeholder: a council publishing for real uses the one
registered for it. The tender is `active` until there is a winner and the results
are final (nothing outstanding: docs/governance.md), then `complete`; while they
are provisional the award is `pending` and its description says so.

The release carries the audit stamp it was made from in an extension field,
`procureDeskAudit` ("ProcureDesk audit head <hash> events <n>"), which `verify
--against` reads back; `procureDeskSealed` holds the seal ({"at", "by"}) once
the record is sealed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import Report, Source, no_report, recorded_target

OCID_PREFIX = "ocds-000000"
BID_STATUS = {"ranked": "valid", "excluded": "disqualified", "incomplete": "pending",
              "withdrawn": "withdrawn"}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "evaluation"


def _criteria_details(doc: dict[str, Any], snap: Any) -> str:
    """The award criteria in words: each scored and price leaf with its effective weight."""
    # Leaves only, each with its own effective weight and its sections named: listing a
    # section beside its criteria would read as counting its weight twice.
    by_id = {c["id"]: c for c in doc["criteria"]}

    def path(c: dict[str, Any]) -> str:
        names = []
        p = c.get("parent")
        while p is not None and p in by_id:
            names.append(f"{p} {by_id[p]['name']}")
            p = by_id[p].get("parent")
        return " > ".join(reversed(names))

    lines = []
    for c in doc["criteria"]:
        if c["kind"] in ("scored", "price"):
            notes = (["price"] if c["kind"] == "price" else []) + (
                [f"section {path(c)}"] if c.get("parent") else [])
            lines.append(f"{c['id']} {c['name']}: {snap.eff.get(c['id'], 0):.2f}%"
                         + (f" ({', '.join(notes)})" if notes else ""))
        elif c["kind"] == "pass_fail":
            lines.append(f"{c['id']} {c['name']}: pass/fail")
    return ("Most advantageous tender by weighted criteria; each scored and price "
            "criterion with its effective weight: " + "; ".join(lines))


def _bids_section(doc: dict[str, Any], res: Any, wlc: dict[str, float], cur: str,
                  party_id: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The bids extension: statistics and one entry per bid."""
    status = {b["id"]: res.status[i] for i, b in enumerate(doc["bids"])}
    valid = [bid for bid, s in status.items() if s != "excluded"]
    stats: list[dict[str, Any]] = [
        {"id": "1", "measure": "bids", "value": len(doc["bids"])},
        {"id": "2", "measure": "validBids", "value": len(valid)},
        {"id": "3", "measure": "smeBids", "value": sum(bool(b.get("sme")) for b in doc["bids"])},
    ]
    if valid:
        stats += [
            {"id": "4", "measure": "lowestValidBidValue",
             "value": min(wlc[b] for b in valid), "currency": cur},
            {"id": "5", "measure": "highestValidBidValue",
             "value": max(wlc[b] for b in valid), "currency": cur},
        ]
    bid_details = [{"id": str(b["id"]), "status": BID_STATUS.get(status[b["id"]], "pending"),
                    "tenderers": [{"id": party_id(b["id"]), "name": str(b["supplier"])}],
                    "value": {"amount": wlc[b["id"]], "currency": cur}}
                   for b in doc["bids"]]
    return stats, bid_details


def build_release(src: Source, *, ocid_prefix: str = OCID_PREFIX) -> dict[str, Any]:
    doc, res, rj = src.doc, src.results, src.results_json()
    ev = doc["evaluation"]
    cur = ev.get("currency") or "GBP"
    ref = str(ev.get("reference") or src.path.stem)
    ocid = f"{ocid_prefix}-{_slug(ref)}"
    snap = res.snap
    buyer = {"id": "buyer", "name": str(ev.get("authority") or "Contracting authority")}

    def party_id(bid_id: str) -> str:
        return f"tenderer-{bid_id}"

    parties = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
    for b in doc["bids"]:
        roles = ["tenderer"] + (["supplier"] if b["id"] == res.winner else [])
        party: dict[str, Any] = {"id": party_id(b["id"]), "name": str(b["supplier"]),
                                 "roles": roles}
        if b.get("sme"):
            party["details"] = {"scale": "sme"}
        parties.append(party)

    details = _criteria_details(doc, snap)
    # Complete only when there is a winner and nothing a final decision needs is
    # outstanding (which includes every divergent score moderated).
    final = not src.provisional and not rj["flags"]
    tender_status = "complete" if res.winner and final else "active"

    wlc = {b["id"]: float(snap.wlc[i]) for i, b in enumerate(doc["bids"])}
    stats, bid_details = _bids_section(doc, res, wlc, cur, party_id)
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{_slug(ref)}-award-{src.sha256[:12]}",
        "date": src.exported_at,
        "tag": ["award"],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": buyer,
        "tender": {
            "id": ref,
            "title": str(ev.get("title") or ""),
            "status": tender_status,
            "procuringEntity": buyer,
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": details,
            "numberOfTenderers": len(doc["bids"]),
            "tenderers": [{"id": party_id(b["id"]), "name": str(b["supplier"])}
                          for b in doc["bids"]],
        },
        "bids": {"statistics": stats, "details": bid_details},
        "awards": [],
        "procureDeskAudit": src.stamp,
    }
    if src.sealed:
        release["procureDeskSealed"] = {"at": str(src.sealed.get("at", "")),
                                        "by": str(src.sealed.get("by", ""))}
    if res.winner:
        w = next(b for b in rj["bids"] if b["id"] == res.winner)
        release["awards"].append({
            "id": f"{_slug(ref)}-award-1",
            "title": ("" if final else "Provisional: ") + f"Award to {w['supplier']}",
            "description": (("Provisional: the results are not final, so this is the "
                             "provisional leader, not a decision. " if not final else "")
                            + f"Most advantageous tender: {w['total']:.2f} points of 100 "
                            f"(quality {w['quality']:.2f}, price {w['price']:.2f})."),
            "status": "pending",
            "date": src.exported_at,
            "value": {"amount": wlc[res.winner], "currency": cur},
            "suppliers": [{"id": party_id(res.winner), "name": str(w["supplier"])}],
            "relatedBids": [str(res.winner)],
        })
    else:
        del release["awards"]
    return release


def write_ocds(source: Source, target: str | Path, *, force: bool = False,
               report: Report = no_report, ocid_prefix: str = OCID_PREFIX) -> Path:
    """Write the release as JSON to `target` (atomically); returns the path."""
    target = Path(target)
    text = json.dumps(build_release(source, ocid_prefix=ocid_prefix), ensure_ascii=False,
                      indent=2) + "\n"
    with recorded_target(source, target, force, "export.ocds") as tmp:
        tmp.write_text(text, encoding="utf-8")
    report(1.0, f"Wrote {target.name}")
    return target
