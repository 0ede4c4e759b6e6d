"""The published methodology, locked once scoring opens (docs/governance.md).

Scoring opens with the first score, or explicitly (`open_scoring`). After that a
change to the criteria, their weights, the scale, a price formula or the
appraisal needs a reason; it is recorded with the change, its effect on the
ranking can be seen before it is made (`ranking_if`), and the report lists it
under changes to the published methodology.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from ..engine import Snapshot, compute
from ..errors import BadInput
from .file import FileCore, TrialDone
from .records import Record

CRITERION_FIELDS = frozenset({"weight", "kind", "formula", "min_score", "descriptors"})
EVALUATION_FIELDS = frozenset({"scale", "appraisal"})
OPENED_KEY = "scoring_opened"


class MethodologyRules(FileCore):
    def scoring_open(self) -> bool:
        doc = self.document()
        return bool(doc["scores"] or doc["consensus"] or self.meta(OPENED_KEY))

    def open_scoring(self, actor: str) -> None:
        """Open scoring explicitly (before any score): the methodology is now locked."""
        if self.meta(OPENED_KEY):
            return
        self.set_meta(actor, OPENED_KEY, json.dumps({"by": actor}), "scoring.open",
                      {"why": "the published methodology is locked from now on"})

    def methodology_change(self, what: str, reason: str | None) -> Record:
        """What a methodology change records: {} before scoring opens, else its reason
        (refused without one)."""
        if self._trying:
            return {"reason": reason or "(trial)"}
        if not self.scoring_open():
            return {"reason": reason} if reason else {}
        if not reason or not reason.strip():
            raise BadInput.one(what, "scoring has opened, so a change to the published "
                                     "methodology needs a reason (the report lists it)")
        return {"reason": reason.strip(), "methodology": True}

    def ranking_if(self, edit: Callable[[Any], Any]) -> tuple[list[str], list[str]]:
        """The ranking now and as it would be after `edit(self)`, which is not kept."""
        before = list(self.results().to_json()["ranking"])
        with self._trial(), suppress(TrialDone):
            edit(self)
        doc = self._trial_doc
        if doc is None:
            return before, before
        return before, compute(Snapshot.from_doc(doc)).to_json()["ranking"]

    @contextmanager
    def _trial(self) -> Iterator[None]:
        self._trying, self._trial_doc = True, None
        try:
            yield
        finally:
            self._trying = False
