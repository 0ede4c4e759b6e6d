"""What every export says about the evaluation's life, in words: whether the results
are provisional and what is outstanding, the seal, the declarations of interests and
the changes made to the published methodology after scoring opened
(docs/governance.md). The PDF report, the summaries and the evidence pack lay these
out; the words are the same everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from . import Source

CHECK_NAMES = {
    "scores_missing": "Scores missing",
    "not_submitted": "Scores not submitted",
    "declaration_missing": "Declarations of interests missing",
    "flags_open": "Divergent scores without a consensus",
    "gateways_open": "Gateway results missing",
}
METHODOLOGY_ACTIONS = ("criterion.add", "criterion.update", "criterion.move",
                       "criterion.delete", "evaluation.update")
NIL_RETURN = "nil return"
VALUE_LIMIT = 160  # characters of a changed value shown before it is cut


def check_name(check: str) -> str:
    return CHECK_NAMES.get(check, check.replace("_", " ").capitalize())


def draft_line(src: Source, where: str = "") -> str:
    """One sentence that says the results are provisional, and how much is outstanding
    (`where`: where the list is, e.g. " (section 1)")."""
    n = len(src.outstanding)
    return (f"DRAFT: the results are provisional: {n} of the checks a final decision "
            f"needs {'is' if n == 1 else 'are'} not met yet{where}. This is not a "
            f"decision to award.")


def sealed_line(src: Source) -> str:
    """"Sealed by NAME on WHEN ..." for a sealed file; "" otherwise."""
    s = src.sealed
    if not s:
        return ""
    reason = str(s.get("reason") or "").strip()
    return (f"Sealed by {s.get('by', '')} on {s.get('at', '')}: the evaluation record "
            f"can no longer be changed." + (f" Reason: {reason}" if reason else ""))


def leader_word(src: Source) -> str:
    """What the bid ranked first is called: the winner only once the results are final."""
    return "provisional leader" if src.provisional else "winner"


# ---- declarations ------------------------------------------------------------------------

def declaration_rows(src: Source) -> list[dict[str, Any]]:
    """One row per evaluator and declared conflict (one row for an evaluator with none):
    who, their declaration's date and interests ("nil return" for none declared), each
    conflict with the date it was declared, its nature and mitigation, and sign-off."""
    suppliers = {b["id"]: b["supplier"] for b in src.doc["bids"]}
    out: list[dict[str, Any]] = []
    for e in src.doc["evaluators"]:
        decl = e.get("declaration") or None
        base = {
            "id": e["id"], "name": e["name"], "role": e.get("role") or "",
            "declared_on": decl["date"] if decl else "",
            "interests": ((decl.get("interests") or "").strip() or NIL_RETURN) if decl
            else "no declaration made",
            "submitted": e.get("submitted") or "",
        }
        conflicts = list(e.get("conflicts") or [])
        if not conflicts:
            out.append({**base, "bid": "", "supplier": "", "conflict_on": "",
                        "nature": "", "mitigation": ""})
        details = e.get("conflict_details") or {}
        declared = e.get("declared") or {}
        for bid in conflicts:
            d = details.get(bid) or {}
            out.append({**base, "bid": bid, "supplier": suppliers.get(bid, ""),
                        "conflict_on": src.conflict_dates.get((e["id"], bid))
                        or declared.get(bid) or "",
                        "nature": d.get("nature") or "", "mitigation": d.get("mitigation")
                        or ""})
    return out


# ---- changes to the published methodology --------------------------------------------------

def methodology_changes(src: Source) -> list[dict[str, str]]:
    """Every change to the published methodology made after scoring opened, oldest
    first: {"at", "by", "what", "reason"} (from the audit log)."""
    names = {c["id"]: c["name"] for c in src.doc["criteria"]}
    out = []
    for a in src.audit:
        after = a.after if isinstance(a.after, dict) else {}
        if a.action not in METHODOLOGY_ACTIONS or after.get("methodology") is not True:
            continue
        out.append({"at": str(a.at), "by": str(a.actor), "what": _what(a, names),
                    "reason": str(after.get("reason") or "")})
    return out


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           sort_keys=True)
    return text if len(text) <= VALUE_LIMIT else text[:VALUE_LIMIT - 1] + "…"


def _changes(before: Any, after: Any, prefix: str = "") -> list[str]:
    """"key: old → new" for each value that differs, nested settings by their path."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for k in [*before, *(k for k in after if k not in before)]:
            if before.get(k) != after.get(k):
                out += _changes(before.get(k), after.get(k), f"{prefix}{k}.")
        return out
    label = prefix[:-1] or "value"
    shown = "none" if before is None else _short(before)
    return [f"{label} {shown} → {'none' if after is None else _short(after)}"]


def _what(a: Any, names: dict[str, str]) -> str:
    """The change in words."""
    before = a.before if isinstance(a.before, dict) else {}
    after = {k: v for k, v in (a.after or {}).items() if k not in ("reason", "methodology")}
    cid = a.entity_id
    if a.action == "evaluation.update":
        return "Settings: " + "; ".join(_changes({k: before.get(k) for k in after}, after))
    label = f"{cid} {names.get(cid) or after.get('name') or ''}".strip()
    if a.action == "criterion.add":
        kind = after.get("kind", "")
        weight = after.get("weight")
        parent = after.get("parent")
        return (f"Added criterion {label} ({kind}"
                + (f", weight {weight:g}" if isinstance(weight, int | float) else "")
                + (f", under {parent}" if parent else ", at the top level") + ")")
    if a.action == "criterion.delete":
        removed = before.get("criteria") or []
        name = next((c.get("name", "") for c in removed if c.get("id") == cid), "")
        below = max(0, len(removed) - 1)
        scores = len(before.get("scores") or [])
        return (f"Removed criterion {cid} {name}".rstrip()
                + (f" and {below} criteria below it" if below else "")
                + (f", with {scores} score{'s' if scores != 1 else ''}" if scores else ""))
    if a.action == "criterion.move":
        def where(parent: Any) -> str:
            return f"under {parent}" if parent else "at the top level"

        return (f"Moved criterion {label} from {where(before.get('parent'))} to "
                f"{where(after.get('parent'))}")
    return f"Criterion {label}: " + "; ".join(
        _changes({k: before.get(k) for k in after}, after))
