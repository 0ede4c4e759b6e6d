"""Evaluation templates: interchange documents with criteria and no bids, kept as data."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from . import interchange
from .errors import BadInput
from .paths import TEMPLATES


def names() -> list[str]:
    return sorted(p.stem for p in TEMPLATES.glob("*.json"))


@cache
def _load(name: str) -> dict[str, Any]:
    return interchange.load_json(TEMPLATES / f"{name}.json")


def load(name: str) -> dict[str, Any]:
    """A fresh copy of a template's document; BadInput for an unknown name."""
    if name not in names():
        raise BadInput.one("--template", f"{interchange.q(name)} is not a template "
                                         f"(one of {', '.join(names())})")
    return copy.deepcopy(_load(name))


def describe(name: str) -> str:
    doc = load(name)
    scored = sum(1 for c in doc["criteria"] if c["kind"] == "scored")
    gates = sum(1 for c in doc["criteria"] if c["kind"] == "pass_fail")
    return f"{doc['evaluation']['title']} ({scored} scored criteria, {gates} gateways)"
