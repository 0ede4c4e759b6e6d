"""The audit chain's head as every export records it, and reading it back.

Each export carries one line, `ProcureDesk audit head <64 hex> events <n>`, in
its metadata (PDF keywords, workbook properties) and its text, so `verify
--against EXPORT` can check that the evaluation file's history contains the
head the export was made from (docs/audit-chain.md).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .errors import BadInput

_STAMP = re.compile(rb"ProcureDesk audit head ([0-9a-f]{64}) events (\d+)")
_ZIP_MEMBER_LIMIT = 50 << 20  # bytes read from any one member of a workbook


def stamp(head: str | None, events: int) -> str:
    return f"ProcureDesk audit head {head or '0' * 64} events {events}"


def read_stamps(path: str | Path) -> list[tuple[str, int]]:
    """Every (head, events) an export holds; BadInput if it holds none or cannot be read."""
    p = Path(path)
    try:
        if zipfile.is_zipfile(p):
            found = _from_zip(p)
        else:
            found = _STAMP.findall(p.read_bytes())
    except OSError as exc:
        raise BadInput.one(str(p), f"cannot be read ({exc.strerror})") from None
    except zipfile.BadZipFile:
        raise BadInput.one(str(p), "is a damaged workbook") from None
    stamps = sorted({(h.decode(), int(n)) for h, n in found})
    if not stamps:
        raise BadInput.one(str(p), "holds no ProcureDesk audit head: it is not an export "
                                   "made by this version")
    return stamps


def _from_zip(p: Path) -> list[tuple[bytes, bytes]]:
    found: list[tuple[bytes, bytes]] = []
    with zipfile.ZipFile(p) as z:
        for info in z.infolist():
            if not info.filename.endswith(".xml") or info.file_size > _ZIP_MEMBER_LIMIT:
                continue
            with z.open(info) as fh:
                found += _STAMP.findall(fh.read(_ZIP_MEMBER_LIMIT))
    return found
