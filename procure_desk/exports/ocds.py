"""An OCDS 1.1 release (tag `award`) with the bids extension, for publication.

Only tenders appear: an in-house build, another council's shared service or doing
nothing is an option the council weighed, not a tenderer (`bids[].tender`,
docs/format.md). A tender is `valid` unless excluded (`disqualified`), and `pending`
while its assessment is incomplete. Parties carry their registered identifier
(`bids[].supplier_id`, e.g. scheme GB-COH and a Companies House number) when known.

The ocid prefix is the one registered to the council: `evaluation.ocid_prefix` or
`--ocid-prefix`; without one (or with the placeholder `ocds-000000`) the release is
refused. Bid values (each tender's whole-life cost over the appraisal period, the
undiscounted total a buyer would pay) and the lowest and highest valid values are
left out unless asked for (`publish_bid_values`): they are commercially sensitive.
The award's value is the successful tender's whole-life cost, and says so
(`procureDeskValueBasis`, and the award's description, which also names the cost
basis price was scored on). The tender is `active` until there is a winner and the
results are final (nothing outstanding: docs/governance.md), then `complete`; while
they are provisional the award is `pending` and its description says so.

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

from ..errors import BadInput
from . import Report, Source, no_report, recorded_target

PLACEHOLDER = "ocds-000000"
PREFIX_FORM = re.compile(r"^ocds-[a-z0-9]{6}$")
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


def resolve_prefix(src: Source, given: str | None = None) -> str:
    """The ocid prefix to publish under: `given` (--ocid-prefix), else the evaluation's;
    refused when there is none, when it is the placeholder, or not of the OCDS form."""
    prefix = (given or str(src.ev.get("ocid_prefix") or "")).strip()
    where = "--ocid-prefix" if given else "evaluation.ocid_prefix"
    if not prefix:
        raise BadInput.one(where, "an OCDS release needs the ocid prefix registered to the "
                                  "council (ocds- and six characters, from the Open "
                                  "Contracting Partnership): set it in the evaluation or "
                                  "give --ocid-prefix; nothing was written")
    if prefix == PLACEHOLDER:
        raise BadInput.one(where, f"{PLACEHOLDER} is a placeholder, not a registered prefix: "
                                  "give the council's own; nothing was written")
    if not PREFIX_FORM.match(prefix):
        raise BadInput.one(where, f"{prefix!r} is not an OCDS prefix (ocds- and six lower-case "
                                  "letters or digits); nothing was written")
    return prefix


def _party_ids(doc: dict[str, Any], tenders: list[int]) -> dict[str, str]:
    """Each tender's party id: scheme-id where the supplier's identifier is known (the
    OCDS convention), else tenderer-<bid>; unique either way."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for i in tenders:
        b = doc["bids"][i]
        sid = b.get("supplier_id") or {}
        pid = (f"{sid['scheme']}-{sid['id']}" if sid.get("scheme") and sid.get("id")
               else f"tenderer-{b['id']}")
        if pid in used:
            pid = f"tenderer-{b['id']}"
        used.add(pid)
        out[b["id"]] = pid
    return out


def _bids_section(doc: dict[str, Any], res: Any, tenders: list[int], wlc: dict[str, float],
                  cur: str, party_id: dict[str, str], publish_values: bool
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The bids extension: statistics and one entry per tender (values only if asked)."""
    bids = [doc["bids"][i] for i in tenders]
    status = {doc["bids"][i]["id"]: res.status[i] for i in tenders}
    valid = [b["id"] for b in bids if status[b["id"]] != "excluded"]
    stats: list[dict[str, Any]] = [
        {"id": "1", "measure": "bids", "value": len(bids)},
        {"id": "2", "measure": "validBids", "value": len(valid)},
        {"id": "3", "measure": "smeBids", "value": sum(bool(b.get("sme")) for b in bids)},
    ]
    if valid and publish_values:
        stats += [
            {"id": "4", "measure": "lowestValidBidValue",
             "value": min(wlc[b] for b in valid), "currency": cur},
            {"id": "5", "measure": "highestValidBidValue",
             "value": max(wlc[b] for b in valid), "currency": cur},
        ]
    details = []
    for b in bids:
        entry: dict[str, Any] = {
            "id": str(b["id"]), "status": BID_STATUS.get(status[b["id"]], "pending"),
            "tenderers": [{"id": party_id[b["id"]], "name": str(b["supplier"])}]}
        if publish_values:
            entry["value"] = {"amount": wlc[b["id"]], "currency": cur}
        details.append(entry)
    return stats, details


def _parties(doc: dict[str, Any], tenders: list[int], winner: str | None,
             party_id: dict[str, str], buyer: dict[str, Any]) -> list[dict[str, Any]]:
    parties = [{**buyer, "roles": ["buyer", "procuringEntity"]}]
    for i in tenders:
        b = doc["bids"][i]
        roles = ["tenderer"] + (["supplier"] if b["id"] == winner else [])
        party: dict[str, Any] = {"id": party_id[b["id"]], "name": str(b["supplier"]),
                                 "roles": roles}
        sid = b.get("supplier_id")
        if sid:
            party["identifier"] = {"scheme": str(sid["scheme"]), "id": str(sid["id"]),
                                   "legalName": str(b["supplier"])}
        if b.get("sme"):
            party["details"] = {"scale": "sme"}
        parties.append(party)
    return parties


def build_release(src: Source, *, ocid_prefix: str | None = None,
                  publish_bid_values: bool = False) -> dict[str, Any]:
    """The release; `ocid_prefix` as `resolve_prefix` takes it (refused without one)."""
    prefix = resolve_prefix(src, ocid_prefix)
    doc, res = src.doc, src.results
    ev = doc["evaluation"]
    cur = ev.get("currency") or "GBP"
    ref = str(ev.get("reference") or src.path.stem)
    snap = res.snap
    buyer = {"id": "buyer", "name": str(ev.get("authority") or "Contracting authority")}
    tenders = [i for i in range(len(doc["bids"])) if snap.tender[i]]
    party_id = _party_ids(doc, tenders)
    winner = res.winner if res.winner in party_id else None

    # Complete only when there is a winner and nothing a final decision needs is
    # outstanding (which includes every divergent score moderated).
    final = not src.provisional and not bool(res.scores.flagged.any())
    wlc = {b["id"]: float(snap.wlc[i]) for i, b in enumerate(doc["bids"])}
    stats, bid_details = _bids_section(doc, res, tenders, wlc, cur, party_id,
                                       publish_bid_values)
    release: dict[str, Any] = {
        "ocid": f"{prefix}-{_slug(ref)}",
        "id": f"{_slug(ref)}-award-{src.sha256[:12]}",
        "date": src.exported_at,
        "tag": ["award"],
        "initiationType": "tender",
        "language": "en",
        "parties": _parties(doc, tenders, winner, party_id, buyer),
        "buyer": buyer,
        "tender": {
            "id": ref,
            "title": str(ev.get("title") or ""),
            "status": "complete" if winner and final else "active",
            "procuringEntity": buyer,
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": _criteria_details(doc, snap),
            "numberOfTenderers": len(tenders),
            "tenderers": [{"id": party_id[doc["bids"][i]["id"]],
                           "name": str(doc["bids"][i]["supplier"])} for i in tenders],
        },
        "bids": {"statistics": stats, "details": bid_details},
        "procureDeskAudit": src.stamp,
    }
    if src.sealed:
        release["procureDeskSealed"] = {"at": str(src.sealed.get("at", "")),
                                        "by": str(src.sealed.get("by", ""))}
    if winner:
        release["awards"] = [_award(src, winner, wlc[winner], party_id[winner], ref, final)]
    return release


def _award(src: Source, winner: str, value: float, pid: str, ref: str,
           final: bool) -> dict[str, Any]:
    ev = src.ev
    appr = ev["appraisal"]
    res = src.results
    i = res.snap.bid_ids.index(winner)
    w = {"supplier": src.doc["bids"][i]["supplier"], "total": float(res.total[i]),
         "quality": float(res.quality[i]), "price": float(res.price[i])}
    basis = (f"whole-life cost over {appr['years']} years, undiscounted")
    scored = ("net present value at " + f"{appr['discount_rate']:.1%} a year"
              if appr["cost_basis"] == "npv" else "whole-life cost")
    return {
        "id": f"{_slug(ref)}-award-1",
        "title": ("" if final else "Provisional: ") + f"Award to {w['supplier']}",
        "description": (("Provisional: the results are not final, so this is the "
                         "provisional leader, not a decision. " if not final else "")
                        + f"Most advantageous tender: {w['total']:.2f} points of 100 "
                        f"(quality {w['quality']:.2f}, price {w['price']:.2f}). The value is "
                        f"the tender's {basis}; price was scored on its {scored}."),
        "status": "pending",
        "date": src.exported_at,
        "value": {"amount": value, "currency": ev.get("currency") or "GBP"},
        "procureDeskValueBasis": basis,
        "suppliers": [{"id": pid, "name": str(w["supplier"])}],
        "relatedBids": [str(winner)],
    }


def write_ocds(source: Source, target: str | Path, *, force: bool = False,
               report: Report = no_report, ocid_prefix: str | None = None,
               publish_bid_values: bool = False) -> Path:
    """Write the release as JSON to `target` (atomically); returns the path."""
    target = Path(target)
    text = json.dumps(build_release(source, ocid_prefix=ocid_prefix,
                                    publish_bid_values=publish_bid_values),
                      ensure_ascii=False, indent=2) + "\n"
    with recorded_target(source, target, force, "export.ocds") as tmp:
        tmp.write_text(text, encoding="utf-8")
    report(1.0, f"Wrote {target.name}")
    return target
