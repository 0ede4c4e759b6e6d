"""Leaving out again what the file left out.

An export writes every field; for a file that came from an import, fields the
source left out (and that still hold their default) are left out again, so that
importing and exporting gives back the same document.
"""

from __future__ import annotations

from typing import Any

from .vocabulary import (
    DEFAULT_APPRAISAL,
    DEFAULT_DESCRIPTORS,
    DEFAULT_MODERATION,
    default_tender,
)

_RECORD_DEFAULTS: dict[str, dict[str, Any]] = {
    "criteria": {"parent": None, "guidance": "", "formula": "lowest_relative"},
    "bids": {"sme": False, "notes": "", "costs": [], "tender": None},  # None: see _default
    "evaluators": {"role": "", "conflicts": []},
    "scores": {"comment": ""},
    "consensus": {},
    "gateways": {"note": ""},
    "partners": {"population": 0, "baseline_annual_cost": 0},
}
_EVALUATION_DEFAULTS: dict[str, Any] = {"reference": "", "authority": "", "currency": "GBP",
                                         "procedure": "options_appraisal",
                                         "marking": "OFFICIAL-SENSITIVE: COMMERCIAL",
                                         "abnormally_low": 0.2}
_BLOCK_DEFAULTS: dict[str, dict[str, Any]] = {
    "scale": {"max": 5, "step": 1},
    "appraisal": dict(DEFAULT_APPRAISAL),
    "moderation": dict(DEFAULT_MODERATION),
}
_OPTIONAL_LISTS = ("evaluators", "scores", "consensus", "gateways", "partners", "feedback")


def _identity(key: str, rec: dict[str, Any]) -> str:
    if key in ("scores",):
        return f"{rec.get('evaluator')}/{rec.get('bid')}/{rec.get('criterion')}"
    if key in ("consensus", "gateways"):
        return f"{rec.get('bid')}/{rec.get('criterion')}"
    return str(rec.get("id"))


def omitted_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Which optional fields a (valid) source document left out."""
    out: dict[str, Any] = {"": [k for k in _OPTIONAL_LISTS if k not in raw]}
    ev = raw.get("evaluation", {})
    out["evaluation"] = [k for k in (*_EVALUATION_DEFAULTS, *_BLOCK_DEFAULTS) if k not in ev]
    for block, fields in _BLOCK_DEFAULTS.items():
        if isinstance(ev.get(block), dict):
            keys = [*fields, "descriptors"] if block == "scale" else list(fields)
            out[f"evaluation.{block}"] = [k for k in keys if k not in ev[block]]
    for key, defaults in _RECORD_DEFAULTS.items():
        records = [r for r in raw.get(key, []) if isinstance(r, dict)]
        per_field: dict[str, Any] = {}
        for field in defaults:
            missing = [_identity(key, r) for r in records if field not in r]
            if missing:
                per_field[field] = "all" if len(missing) == len(records) else missing
        if per_field:
            out[key] = per_field
    return out


def leave_out(doc: dict[str, Any], omitted: dict[str, Any]) -> dict[str, Any]:
    """The document without the fields its source left out, where they still hold
    their default (a value changed since is always written).

    `doc` is left as it is. Only the objects that lose a field are copied (the
    top level, the settings, the records of a list that has fields to leave out);
    the rest is shared with `doc`, so the result is for writing out, not editing.
    """
    out = dict(doc)
    out["evaluation"] = {k: dict(v) if isinstance(v, dict) else v
                         for k, v in doc["evaluation"].items()}
    for key, per_field in omitted.items():
        if key in _RECORD_DEFAULTS and per_field and isinstance(out.get(key), list):
            out[key] = [dict(r) for r in out[key]]
    for k in omitted.get("", []):
        if out.get(k) == []:
            del out[k]
    ev = out["evaluation"]
    smax = ev["scale"]["max"]
    default_descriptors = DEFAULT_DESCRIPTORS if smax == 5 else {}
    for block, fields in _BLOCK_DEFAULTS.items():
        for k in omitted.get(f"evaluation.{block}", []):
            default = default_descriptors if k == "descriptors" else fields.get(k)
            if k in ev[block] and ev[block][k] == default:
                del ev[block][k]
    for k in omitted.get("evaluation", []):
        if k in _EVALUATION_DEFAULTS:
            if ev.get(k) == _EVALUATION_DEFAULTS[k]:
                del ev[k]
        elif k in _BLOCK_DEFAULTS:
            full = dict(_BLOCK_DEFAULTS[k])
            if k == "scale":
                full["descriptors"] = default_descriptors
            if ev.get(k) in (full, {}):
                del ev[k]
    for key, per_field in omitted.items():
        if key not in _RECORD_DEFAULTS or key not in out:
            continue
        for field, who in per_field.items():
            ids = None if who == "all" else set(who)
            for rec in out[key]:
                if ((ids is None or _identity(key, rec) in ids) and field in rec
                        and rec[field] == _default(key, field, rec)):
                    del rec[field]
    return out


def _default(key: str, field: str, rec: dict[str, Any]) -> Any:
    """A field's default, which for a bid's `tender` follows its option type."""
    if key == "bids" and field == "tender":
        return default_tender(str(rec.get("option_type")))
    return _RECORD_DEFAULTS[key][field]
