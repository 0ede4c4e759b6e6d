"""The audit log in plain English: what each event means, for the Audit log view.

The log stores events as the services write them (`score.set`, before and after
records); a reader needs "S. Kaur's score for B3 on F1 changed from 3 to 4".
`describe(entry, names)` gives that sentence, `details(entry)` the rest worth reading
(a comment, a rationale, the fields a change touched, the reason given). People and
records are named as the evaluation names them now, or as the event recorded them
when they have since been removed. Unknown actions (a newer version's) still read
as words.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from procure_desk.interchange import plain
from procure_desk.wording import one_line

Record = dict[str, Any]
QUOTE = 80  # characters of a quoted text shown

FIELD_WORDS = {
    "min_score": "minimum score", "formula": "price formula", "option_type": "option type",
    "scale.max": "top score", "scale.step": "score step", "scale.descriptors": "scale words",
    "appraisal.years": "appraisal years", "appraisal.discount_rate": "discount rate",
    "appraisal.cost_basis": "price basis", "moderation.spread_flag": "spread flag",
    "conflicts": "conflicts", "costs": "costs",
}
HIDDEN = {"reason", "methodology", "id", "position", "_index"}


@dataclass
class Names:
    """Who and what the ids stand for, read from the evaluation as it is now."""

    evaluators: dict[str, str] = field(default_factory=dict)
    bids: dict[str, str] = field(default_factory=dict)
    criteria: dict[str, str] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Record) -> Names:
        return cls({e["id"]: e["name"] for e in doc["evaluators"]},
                   {b["id"]: b["supplier"] for b in doc["bids"]},
                   {c["id"]: c["name"] for c in doc["criteria"]},
                   {p["id"]: p["name"] for p in doc.get("partners", [])})

    def person(self, eid: str) -> str:
        return self.evaluators.get(eid, eid)


def value(v: Any) -> str:
    """A stored value as a person writes it."""
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return str(plain(v))
    if isinstance(v, str):
        return f"“{one_line(v, QUOTE)}”" if v else "(blank)"
    if isinstance(v, list):
        return f"{len(v)} item{'' if len(v) == 1 else 's'}"
    return one_line(json.dumps(v, ensure_ascii=False), QUOTE)


def field_words(path: str) -> str:
    if path in FIELD_WORDS:
        return FIELD_WORDS[path]
    text = path.replace("_", " ").replace(".", " ")
    for n in range(20):
        text = text.replace(f"[{n}]", f" line {n + 1}")
    return text


_MISSING = object()


def _diff(before: Any, after: Any, path: str, out: list[tuple[str, Any, Any]]) -> None:
    """(path, before, after) of each leaf that differs; lists of one length and dicts
    are followed down, so one changed amount in a bid's costs reads as just that."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for k in [*before, *(k for k in after if k not in before)]:
            if not path and k in HIDDEN:
                continue
            _diff(before.get(k, _MISSING), after.get(k, _MISSING),
                  f"{path}.{k}" if path else str(k), out)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for n, (b, a) in enumerate(zip(before, after)):
            _diff(b, a, f"{path}[{n}]", out)
    else:
        out.append((path, before, after))


def changed_fields(before: Any, after: Any) -> list[str]:
    """'weight 10 → 20' for each field that changed."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    diffs: list[tuple[str, Any, Any]] = []
    _diff(before, after, "", diffs)
    return [f"{field_words(p)} {'none' if b is _MISSING else value(b)} → "
            f"{'none' if a is _MISSING else value(a)}" for p, b, a in diffs]


def _get(rec: Any, key: str) -> Any:
    return rec.get(key) if isinstance(rec, dict) else None


# ---- one sentence per action ------------------------------------------------------------
def _ids(entity_id: str, n: int) -> list[str]:
    """The n ids a compound record id holds ('E2/B3/F1'), '' for any missing."""
    return [*entity_id.split("/"), *[""] * n][:n]


def _score(e: Any, n: Names) -> str:
    eid, bid, cid = _ids(e.entity_id, 3)
    who = n.person(eid)
    b, a = _get(e.before, "score"), _get(e.after, "score")
    if e.after is None:
        return f"{who}'s score for {bid} on {cid} cleared (was {value(b)})"
    if e.before is None:
        return f"{who} scored {bid} on {cid}: {value(a)}"
    if b != a:
        return f"{who}'s score for {bid} on {cid} changed from {value(b)} to {value(a)}"
    return f"{who}'s comment on the score for {bid} on {cid} changed"


def _consensus(e: Any, n: Names) -> str:
    bid, cid = _ids(e.entity_id, 2)
    b, a = _get(e.before, "score"), _get(e.after, "score")
    if e.after is None:
        return f"Consensus score for {bid} on {cid} cleared (was {value(b)})"
    was = f" (was {value(b)})" if e.before is not None and b != a else ""
    return f"Consensus score for {bid} on {cid}: {value(a)}{was}"


def _gateway(e: Any, n: Names) -> str:
    bid, cid = _ids(e.entity_id, 2)
    if e.after is None:
        return f"Gateway {cid} result for {bid} cleared"
    passed = _get(e.after, "passed")
    return f"Gateway {cid} for {bid}: {'passed' if passed else 'failed'}"


def _conflict(e: Any, n: Names) -> str:
    eid, bid = _ids(e.entity_id, 2)
    verb = {"conflict.declare": "declared", "conflict.withdraw": "withdrawn",
            "conflict.details": "described"}.get(e.action, "changed")
    return f"Conflict of interest {verb}: {n.person(eid)} with {bid}"


def _declaration(e: Any, n: Names) -> str:
    who = n.person(e.entity_id)
    if e.after is None:
        return f"Declaration of interests removed: {who}"
    what = "interests declared" if _get(e.after, "interests") else "nil return"
    return f"Declaration of interests: {who}, dated {_get(e.after, 'date')}, {what}"


def _record(kind: str, names: Callable[[Names], dict[str, str]],
            label: str = "name") -> Callable[[Any, Names], str]:
    verbs = {"add": "added", "update": "changed", "delete": "removed", "move": "moved"}

    def say(e: Any, n: Names) -> str:
        rid = e.entity_id
        name = names(n).get(rid) or _get(e.after, label) or _get(e.before, label) or ""
        verb = verbs.get(e.action.rsplit(".", 1)[-1], "changed")
        return f"{kind} {rid} {one_line(str(name), 60)} {verb}".replace("  ", " ")
    return say


def _evaluation(e: Any, n: Names) -> str:
    if e.action == "evaluation.update" and isinstance(e.before, dict):
        keys = [field_words(k) for k in e.before]
        return "Evaluation settings changed: " + ", ".join(keys)
    if e.action == "evaluation.seal":
        return "Record sealed: no change can be made to it from now on"
    if e.action == "evaluation.draft":
        origin = _get(e.after, "origin") or {}
        return f"Draft copy made from the sealed file {origin.get('file', '')}".strip()
    if e.action == "evaluation.new" and _get(e.after, "template"):
        return f"Evaluation created from the template {_get(e.after, 'template')}"
    return "Evaluation created"


SAY: dict[str, Callable[[Any, Names], str]] = {
    "score.set": _score, "score.clear": _score,
    "consensus.set": _consensus, "consensus.clear": _consensus,
    "gateway.set": _gateway, "gateway.clear": _gateway,
    "conflict.declare": _conflict, "conflict.withdraw": _conflict,
    "conflict.details": _conflict,
    "declaration.set": _declaration, "declaration.clear": _declaration,
    "scores.submit": lambda e, n: f"{n.person(e.entity_id)} submitted their scores "
                                  "(signed off: locked)",
    "scores.withdraw": lambda e, n: f"{n.person(e.entity_id)}'s submission withdrawn: "
                                    "their scores are unlocked",
    "scoring.on_behalf": lambda e, n: "Scores entered on behalf of "
                                      f"{n.person(str(_get(e.after, 'evaluator')))} "
                                      f"({_get(e.after, 'evaluator')})",
    "scoring.open": lambda e, n: "Scoring opened: the published methodology is locked",
    "evaluation.create": _evaluation, "evaluation.new": _evaluation,
    "evaluation.update": _evaluation, "evaluation.seal": _evaluation,
    "evaluation.draft": _evaluation,
    "import.json": lambda e, n: "Evaluation imported from an interchange file",
    "import.bids": lambda e, n: "Bids imported from "
                                f"{value(_get(e.after, 'files') or [])} (workbooks)",
    "bids.import.undo": lambda e, n: "Import of bids undone",
    "restore": lambda e, n: "Removed records put back (undo)",
    "chain.start": lambda e, n: "Audit chain started (the file was made by an earlier "
                                "version)",
}
for _kind, _names, _label in (("Criterion", lambda n: n.criteria, "name"),
                              ("Bid", lambda n: n.bids, "supplier"),
                              ("Evaluator", lambda n: n.evaluators, "name"),
                              ("Partner", lambda n: n.partners, "name")):
    for _verb in ("add", "update", "delete", "move"):
        SAY[f"{_kind.lower()}.{_verb}"] = _record(_kind, _names, _label)


def describe(entry: Any, names: Names) -> str:
    """One sentence saying what the event was."""
    say = SAY.get(entry.action)
    if say is not None:
        try:
            return say(entry, names)
        except (AttributeError, TypeError, ValueError, KeyError):
            pass  # a record shaped otherwise (an older file): the words below
    if entry.action.startswith("export."):
        return "Exported: " + entry.action[7:].replace("_", " ")
    words = entry.action.replace(".", " ").replace("_", " ")
    return (words[:1].upper() + words[1:]) + (f" ({entry.entity_id})" if entry.entity_id
                                              else "")


def details(entry: Any) -> str:
    """What else the event holds worth reading, in words ('' when nothing)."""
    a, b = entry.after, entry.before
    parts: list[str] = []
    reason = _get(a, "reason")
    if entry.action in ("score.set", "score.clear"):
        if _get(a, "comment") != _get(b, "comment") and _get(a, "comment"):
            parts.append(f"Comment: {value(_get(a, 'comment'))}")
        elif b is not None and _get(b, "comment") and not _get(a, "comment"):
            parts.append("Comment removed")
    elif entry.action == "consensus.set" and _get(a, "rationale"):
        parts.append(f"Rationale: {value(_get(a, 'rationale'))}")
    elif entry.action == "gateway.set" and _get(a, "note"):
        parts.append(f"Note: {value(_get(a, 'note'))}")
    elif entry.action == "conflict.declare":
        parts.append(f"Declared on {_get(a, 'declared_on')}")
        moved = _get(b, "scores") or []
        if moved:
            parts.append(f"{len(moved)} of their scores on the bid set aside")
    elif entry.action == "conflict.withdraw" and _get(a, "scores"):
        parts.append(f"{len(_get(a, 'scores'))} scores put back")
    elif entry.action == "conflict.details":
        parts.append(f"Nature: {value(_get(a, 'nature'))}; mitigation agreed: "
                     f"{value(_get(a, 'mitigation'))}")
    elif entry.action == "declaration.set" and _get(a, "interests"):
        parts.append(f"Interests: {value(_get(a, 'interests'))}")
    elif entry.action == "scoring.on_behalf":
        parts.append(f"By {entry.actor}")
    elif entry.action.endswith(".update") or entry.action == "criterion.move":
        parts += changed_fields(b, a)
    elif entry.action.startswith("export.") and isinstance(a, dict):
        parts += [f"{field_words(k)}: {value(v)}" for k, v in a.items() if k not in HIDDEN]
    if reason:
        parts.insert(0, f"Reason: {value(reason)}")
    return "; ".join(p for p in parts if p)
