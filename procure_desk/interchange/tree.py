"""The criteria tree's rules: parents that exist and are sections, no cycles, a
depth of at most MAX_DEPTH levels, and weight that goes somewhere.

Every walk here is iterative and visits each criterion a bounded number of
times, so a chain of any length is refused with a message, never a
RecursionError, and 2,000 criteria are checked in milliseconds.
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from .checker import Checker
from .limits import MAX_DEPTH
from .values import q

_ON_A_CYCLE = -1  # the depth of a criterion on, or under, a cycle of parents


def check_parents(c: Checker, criteria: list[dict[str, Any]]) -> None:
    """Each parent names a section; an unknown parent is reported and cleared."""
    by_id = {r["id"]: r for r in criteria if r["id"] is not None}
    for r in criteria:
        p = r["parent"]
        if p is None:
            continue
        if not isinstance(p, str) or p not in by_id:
            c.add(f"{r['_where']}.parent", f"{q(p)} is not a criterion")
            r["parent"] = None
        elif by_id[p]["kind"] != "section":
            c.add(f"{r['_where']}.parent",
                  f"{q(p)} is not a section (only sections have children)")
    _check_depth(c, criteria, by_id)


def _check_depth(c: Checker, criteria: list[dict[str, Any]],
                 by_id: dict[str, dict[str, Any]]) -> None:
    """Cycles of parents, and criteria deeper than MAX_DEPTH levels."""
    depth: dict[str, int] = {}
    for r in criteria:
        if r["id"] is None or r["id"] in depth:
            continue
        # walk up to a criterion whose depth is known, the top, or a repeat
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = r["id"]
        base = 0
        while node is not None:
            if node in depth:
                base = depth[node]
                break
            if node in on_path:  # the path from `node` on is a cycle
                for cid in path[on_path[node]:]:
                    depth[cid] = _ON_A_CYCLE
                    rec = by_id[cid]
                    c.add(f"{rec['_where']}.parent",
                          f"{q(rec['parent'])} makes a cycle of parents")
                base = _ON_A_CYCLE
                del path[on_path[node]:]
                break
            on_path[node] = len(path)
            path.append(node)
            node = by_id[node]["parent"]
        for cid in reversed(path):
            base = _ON_A_CYCLE if base == _ON_A_CYCLE else base + 1
            depth[cid] = base
            if base == MAX_DEPTH + 1:  # the first level too deep: one message per branch
                rec = by_id[cid]
                c.add(f"{rec['_where']}.parent",
                      f"{q(rec['parent'])} would put this criterion {base} levels deep; "
                      f"criteria may nest at most {MAX_DEPTH} levels")


def section_weight_problems(criteria: list[dict[str, Any]]) -> list[Problem]:
    """Sections whose weight would go nowhere: refused on import, warned of in editing."""
    out: list[Problem] = []
    children: dict[str | None, list[dict[str, Any]]] = {}
    for r in criteria:
        if r["kind"] in ("section", "scored", "price"):
            children.setdefault(r.get("parent"), []).append(r)
    for i, r in enumerate(criteria):
        if r["kind"] == "section" and r["id"] is not None:
            kids = children.get(r["id"], [])
            where = r.get("_where", f"criteria[{i}]")
            if not kids:
                out.append(Problem(where, f"section {q(r['id'])} has no weighted criteria "
                                          "under it"))
            elif sum(k.get("weight") or 0 for k in kids) <= 0:
                out.append(Problem(where, f"the children of section {q(r['id'])} weigh 0 "
                                          "in all"))
    top = children.get(None, [])
    if top and sum(k.get("weight") or 0 for k in top) <= 0:
        out.append(Problem("criteria", "the top-level criteria weigh 0 in all"))
    return out
