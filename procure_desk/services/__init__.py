"""Use cases over one evaluation file: the only door to its data.

The command line, the desktop app and the exports call these and nothing
below them. Each edit is one unit of work: it is checked by the same rules as
an import, then written together with its audit event (who, when, what,
before, after) in one transaction, or not at all. Edits that remove records
return what they removed so that undo can put it back with `restore`.

The package is laid out by seam: `file` (lifecycle, unit of work, cache and
reads), the edits by record family (`structure`, `scoring`, `partners`,
`restore`), and `transfer` (the interchange file). Only `procure_desk.store`
knows the tables.
"""

from __future__ import annotations

from pathlib import Path

from ..stamps import default_actor, now_iso
from ..store import Store, check_and_migrate, is_address
from .file import OMITTED_KEY
from .governance import GovernanceEdits
from .partners import PartnerEdits
from .records import AuditEntry, ChangedElsewhere, Record
from .restore import RestoreEdits
from .scoring import ScoringEdits
from .structure import StructureEdits


class EvaluationFile(StructureEdits, ScoringEdits, PartnerEdits, RestoreEdits,
                     GovernanceEdits):
    """An open .pdesk file and every use case over it. Reads are cached until the next
    edit."""


def check_file(path: str | Path) -> None:
    """Refuse, with a plain sentence, a file that is not an evaluation this version can open
    (and bring an older one up to date). A server address is checked by opening it."""
    if is_address(path):
        Store(str(path)).close()
        return
    check_and_migrate(path)


from .transfer import export_json, import_json  # noqa: E402

__all__ = [
    "OMITTED_KEY",
    "AuditEntry",
    "ChangedElsewhere",
    "EvaluationFile",
    "Record",
    "check_file",
    "default_actor",
    "export_json",
    "import_json",
    "is_address",
    "now_iso",
]
