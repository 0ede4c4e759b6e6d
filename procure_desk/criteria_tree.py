"""The criteria tree's rules: which nodes lie under a node, where a new one goes."""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


def children(criteria: list[Record]) -> dict[str | None, list[str]]:
    """Each parent id (None for the top) with its children's ids, in order."""
    out: dict[str | None, list[str]] = {}
    for c in criteria:
        out.setdefault(c.get("parent"), []).append(c["id"])
    return out


def subtree_ids(criteria: list[Record], cid: str) -> list[str]:
    """`cid` and every node below it, parents before their children."""
    kids = children(criteria)
    out: list[str] = []
    stack = [cid]
    seen: set[str] = set()
    while stack:  # iterative: a deep tree never reaches the recursion limit
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        out.append(node)
        stack.extend(reversed(kids.get(node, [])))
    return out


def insert_order(criteria: list[Record], rec: Record, index: int | None) -> list[Record]:
    """The criteria list with `rec` placed as the index-th child of its parent."""
    parent = rec.get("parent")
    siblings = [i for i, c in enumerate(criteria) if c.get("parent") == parent]
    out = list(criteria)
    if index is None or index >= len(siblings):
        if siblings:
            # after the last sibling's whole subtree
            sub = set(subtree_ids(criteria, criteria[siblings[-1]]["id"]))
            pos = max(i for i, c in enumerate(criteria) if c["id"] in sub) + 1
        elif parent is not None:
            pos = next(i for i, c in enumerate(criteria) if c["id"] == parent) + 1
        else:
            pos = len(criteria)
    else:
        pos = siblings[max(index, 0)]
    out.insert(pos, rec)
    return out
