"""The benchmark report: a plain-text table for people, a JSON file for tools."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .core import Row


def verdict(row: Row) -> str:
    if row.ok is None:
        return "-"
    return "OK" if row.ok else "MISS"


def format_value(value: float | str | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,} {unit}".rstrip()
    if math.isinf(value):
        return "inf"
    if unit == "ms" or abs(value) < 10:
        text = f"{value:.3f}" if abs(value) < 1 else f"{value:.2f}"
    else:
        text = f"{value:,.1f}"
    return f"{text} {unit}".rstrip()


def format_target(row: Row) -> str:
    return "-" if row.target is None else f"<= {row.target:g} {row.unit}".rstrip()


def table(rows: list[Row], failures: list[dict[str, str]]) -> str:
    header = ("measure", "value", "target", "result")
    lines = [(r.name, format_value(r.value, r.unit), format_target(r), verdict(r)) for r in rows]
    lines += [(f"{f['benchmark']} (not measured)", "n/a", "-", "ERROR") for f in failures]
    widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]

    def fmt(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    out = [fmt(header), fmt(tuple("-" * w for w in widths))]
    out += [fmt(line) for line in lines]
    notes = [f"  {r.name}: {r.note}" for r in rows if r.note]
    if notes:
        out += ["", "notes:", *notes]
    if failures:
        out += ["", "not measured:"]
        out += [f"  {f['benchmark']}: {f['error']}" for f in failures]
    return "\n".join(out)


def summary(rows: list[Row], failures: list[dict[str, str]]) -> dict[str, int]:
    return {
        "ok": sum(r.ok is True for r in rows),
        "miss": sum(r.ok is False for r in rows),
        "info": sum(r.ok is None for r in rows),
        "not_measured": len(failures),
    }


def write_json(path: Path, meta: dict[str, Any], rows: list[Row], failures: list) -> None:
    def row_dict(r: Row) -> dict[str, Any]:
        d = asdict(r)
        if isinstance(r.value, float) and not math.isfinite(r.value):
            d["value"] = None
        d["result"] = verdict(r)
        return d

    report = {
        **meta,
        "summary": summary(rows, failures),
        "rows": [row_dict(r) for r in rows],
        "failures": failures,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
