"""What a final decision still needs: results are provisional while any of it is
outstanding (docs/results.md, "provisional").

Five checks, each named in `results --json` with what is missing:
`scores_missing`, `not_submitted`, `declaration_missing`, `flags_open`,
`gateways_open`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .wording import plural

if TYPE_CHECKING:
    from .engine import Results

CHECKS = ("scores_missing", "not_submitted", "declaration_missing", "flags_open",
          "gateways_open")
SHOWN = 3  # names or places listed in a detail before "and N more"


def _listed(items: list[str]) -> str:
    more = len(items) - SHOWN
    return ", ".join(items[:SHOWN]) + (f" and {more:,} more" if more > 0 else "")


def _who(e: dict[str, Any]) -> str:
    return f"{e['name']} ({e['id']})"


def outstanding(results: Results) -> list[dict[str, str]]:
    """One entry per kind of gap, in the order of CHECKS; [] when the decision is final."""
    snap = results.snap
    out: list[dict[str, str]] = []
    gaps = _missing_scores(results)
    if gaps:
        out.append({"check": "scores_missing", "detail": "; ".join(gaps)})
    waiting = [_who(e) for e in snap.evaluators if not e.get("submitted")]
    if waiting:
        out.append({"check": "not_submitted",
                    "detail": f"{_listed(waiting)} {'has' if len(waiting) == 1 else 'have'} "
                              "not submitted their scores"})
    undeclared = [_who(e) for e in snap.evaluators if not e.get("declaration")]
    if undeclared:
        out.append({"check": "declaration_missing",
                    "detail": f"{_listed(undeclared)}: no dated declaration of interests"})
    flags = results.flags()
    if flags:
        places = [f"{f['bid']}/{f['criterion']}" for f in flags]
        out.append({"check": "flags_open",
                    "detail": f"{plural(len(flags), 'divergent score')} without a consensus "
                              f"score ({_listed(places)})"})
    b, g = np.nonzero(np.isnan(snap.gateway))
    if b.size:
        places = [f"{snap.bid_ids[i]}/{snap.gate_ids[j]}" for i, j in zip(b, g)]
        out.append({"check": "gateways_open",
                    "detail": f"{plural(int(b.size), 'gateway result')} not recorded "
                              f"({_listed(places)})"})
    return out


def _missing_scores(results: Results) -> list[str]:
    """Each evaluator's missing scores: every scored criterion, for every bid they have no
    conflict with that is not excluded."""
    snap = results.snap
    if not snap.scored_ids or not snap.bid_ids:
        return []
    open_bids = np.array([s != "excluded" for s in results.status], dtype=bool)
    if not snap.evaluators:
        return ["no evaluator has been added to score the bids"] if open_bids.any() else []
    # (evaluator, bid) pairs each evaluator may score, times the scored criteria, less
    # the scores they gave on those bids (a score is never given where a conflict is)
    due = (~snap.conflict & open_bids[None, :]).sum(axis=1) * len(snap.scored_ids)
    given = snap.pair_scores().evaluator_counts(open_bids)[: len(snap.evaluators)]
    missing = due - given
    return [f"{_who(e)}: {missing[k]:,} of {due[k]:,} scores missing"
            for k, e in enumerate(snap.evaluators) if missing[k]]
