"""Other members' changes, as they are committed (LISTEN/NOTIFY; no polling)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import BadInput
from ..services import EvaluationFile
from ..store.listen import Listener


def watch(ef: EvaluationFile, on_change: Callable[[str], None]) -> Listener:
    """Start hearing changes to `ef`'s server evaluation; `on_change(login)` is called on
    a background thread. Stop it with `.stop()`."""
    if not ef.store.team:
        raise BadInput.one(str(ef.path), "is a file, not an evaluation on a server")
    return Listener(ef.store.address, on_change)


__all__ = ["Listener", "watch"]
