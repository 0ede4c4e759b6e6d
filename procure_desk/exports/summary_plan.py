"""Who receives what, before a page is drawn: the assessment summaries and exclusion
notices of a competitive tender, what is missing for them to be issued, and what in
them would disclose another supplier (docs/evidence.md, "Assessment summaries").

Only tenders receive anything: a tender assessed in full (ranked) gets an assessment
summary, an excluded tender a notice of the reason; comparators (an in-house build,
another council's shared service, doing nothing) and tenders whose assessment is not
complete get nothing. Reasons come only from `feedback`, written for the bidder;
evaluators' comments and moderation rationales are internal and never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..errors import BadInput, Problem
from ..wording import one_line, plural
from . import Source

SHOWN_RECIPIENTS = 10  # readers named in one disclosure problem before "and N more"
SHOWN_CRITERIA = 12  # criteria named in one tender's missing feedback before "and N more"
SHOWN_MISSING = 12  # tenders whose missing feedback is listed before "and N more tenders"
DETAIL_LIMIT = 300  # characters of what is outstanding, per kind (`procure-desk status`)


@dataclass
class Letter:
    """One PDF: an assessment summary (`kind` "summary") or a notice of exclusion."""

    bid: str
    supplier: str
    kind: str
    index: int  # the bid's position in the evaluation
    successful: bool = False
    texts: list[tuple[str, str, str]] = field(default_factory=list)  # (owner, crit, text)


@dataclass
class Plan:
    """What `write_summaries` will write, and why it may not be issued yet."""

    letters: list[Letter]
    winner: str | None
    feedback: dict[tuple[str, str], str]
    missing: list[Problem]  # at most SHOWN_MISSING tenders' feedback, then a count
    award: dict[str, Any] | None
    gaps: int = 0  # everything missing, each tender without feedback counted once

    @property
    def complete(self) -> bool:
        return not self.missing


def plan_summaries(src: Source) -> Plan:
    """The letters to write and everything missing for them to be final (BadInput when
    this evaluation is not a competitive tender or has no tender to write to)."""
    ev = src.ev
    if ev.get("procedure") != "competitive_tender":
        raise BadInput.one("evaluation.procedure", (
            "assessment summaries are sent to the suppliers of a competitive tender; this "
            "evaluation is an options appraisal, so none were written (set the procedure "
            "to competitive tender if the options are suppliers' tenders)"))
    res = src.results
    snap = res.snap
    feedback = {(f["bid"], f["criterion"]): f["text"] for f in src.doc.get("feedback", [])}
    winner = res.winner
    letters: list[Letter] = []
    for i, b in enumerate(src.doc["bids"]):
        if not snap.tender[i]:
            continue
        if res.status[i] == "ranked":
            letters.append(Letter(b["id"], b["supplier"], "summary", i,
                                  successful=b["id"] == winner))
        elif res.status[i] == "excluded":
            letters.append(Letter(b["id"], b["supplier"], "notice", i))
    if not letters:
        raise BadInput.one("bids", "no tender has been assessed or excluded yet, so there "
                                   "is nobody to send an assessment summary to")
    missing = [Problem("results", f"provisional: {one_line(o['detail'], DETAIL_LIMIT)}")
               for o in src.outstanding]
    award = ev.get("award")
    missing += _award_missing(award)
    tenders: list[Problem] = []
    for letter in letters:
        letter.texts = _texts(src, letter, winner, feedback)
        tenders += _feedback_missing(src, letter, feedback)
    gaps = len(missing) + len(tenders)
    missing += tenders[:SHOWN_MISSING]
    more = len(tenders) - SHOWN_MISSING
    if more > 0:
        missing.append(Problem("feedback", f"and {plural(more, 'more tender')} with no "
                                           f"feedback written for the bidder on some "
                                           f"criteria (the Feedback view lists every "
                                           f"tender and criterion)"))
    return Plan(letters, winner, feedback, missing, award, gaps)


def _award_missing(award: dict[str, Any] | None) -> list[Problem]:
    if not award:
        return [Problem("evaluation.award", "no award details: the contract award notice "
                                            "date, the standstill period and a contact")]
    out = []
    if not award.get("notice_date"):
        out.append(Problem("evaluation.award.notice_date", "no date for the contract award "
                                                           "notice, so the standstill period "
                                                           "cannot be worked out"))
    if not str(award.get("contact") or "").strip():
        out.append(Problem("evaluation.award.contact", "no contact for the bidders' "
                                                       "questions"))
    return out


def needs_feedback(src: Source, letter: Letter) -> list[str]:
    """The criteria whose reasons this letter prints from feedback: every scored
    criterion of an assessed tender; the criteria whose minimum score an excluded
    tender missed."""
    snap = src.results.snap
    if letter.kind == "summary":
        return list(snap.scored_ids)
    fin = src.results.scores.final[letter.index]
    return [cid for j, cid in enumerate(snap.scored_ids)
            if snap.min_score[j] == snap.min_score[j] and fin[j] == fin[j]
            and fin[j] < snap.min_score[j] - 1e-9]


def _feedback_missing(src: Source, letter: Letter,
                      feedback: dict[tuple[str, str], str]) -> list[Problem]:
    gaps = [cid for cid in needs_feedback(src, letter) if (letter.bid, cid) not in feedback]
    if not gaps:
        return []
    more = len(gaps) - SHOWN_CRITERIA
    shown = ", ".join(gaps[:SHOWN_CRITERIA]) + (f" and {more:,} more" if more > 0 else "")
    many = plural(len(gaps), "criterion", "criteria")
    return [Problem(f"feedback {letter.bid}", f"{letter.supplier}: no feedback written for "
                                              f"the bidder on {many} ({shown})")]


def _texts(src: Source, letter: Letter, winner: str | None,
           feedback: dict[tuple[str, str], str]) -> list[tuple[str, str, str]]:
    """Every text of feedback this letter prints: its own (scored and price criteria),
    and in an unsuccessful bidder's summary the successful tender's."""
    snap = src.results.snap
    leaves = [*snap.scored_ids, *snap.price_ids]
    owners = [letter.bid]
    if letter.kind == "summary" and winner and winner != letter.bid:
        owners.append(winner)
    if letter.kind == "notice":
        leaves = needs_feedback(src, letter)
    return [(o, cid, feedback[(o, cid)]) for o in owners for cid in leaves
            if (o, cid) in feedback]


def disclosure_problems(src: Source, plan: Plan) -> list[Problem]:
    """Every text bound for a bidder that names another supplier or another bid's cost
    figures, one problem per text and what it names, with the summaries it would reach."""
    from ..disclosure import scanner_for, shown

    scanner = scanner_for(src.doc)
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    first: dict[tuple[str, str, str, str], Any] = {}
    for letter in plan.letters:
        allowed = [plan.winner] if plan.winner and letter.kind == "summary" else []
        for hit in scanner.hits(letter.bid, letter.texts, allowed=allowed):
            key = (hit.owner, hit.criterion, hit.mention.what, hit.mention.found)
            grouped.setdefault(key, []).append(letter.bid)
            first.setdefault(key, hit)
    out = []
    for key, readers in grouped.items():
        hit = first[key]
        more = len(readers) - SHOWN_RECIPIENTS
        who = ", ".join(readers[:SHOWN_RECIPIENTS]) + (f" and {more} more" if more > 0
                                                        else "")
        out.append(Problem(f"feedback {hit.owner}/{hit.criterion}",
                           f"\"{shown(hit.text)}\" names {hit.mention.what} (as "
                           f"\"{shown(hit.mention.found, 40)}\"); it would reach the "
                           f"{'summary' if len(readers) == 1 else 'summaries'} for {who}"))
    return out


def prepare(src: Source, *, draft: bool = False) -> Plan:
    """The plan, checked: refused (BadInput, nothing written) when any text would
    disclose another supplier, and, unless `draft`, when anything is missing."""
    plan = plan_summaries(src)
    leaks = disclosure_problems(src, plan)
    if leaks:
        raise BadInput([Problem("assessment summaries", "refused: feedback bound for a "
                                                        "bidder discloses another supplier; "
                                                        "nothing was written"), *leaks])
    if plan.missing and not draft:
        raise BadInput([Problem("assessment summaries", "not issued: the following is "
                                                        "missing (use --draft to write them "
                                                        "marked DRAFT)"), *plan.missing])
    return plan


def notice_date(award: dict[str, Any] | None) -> dt.date | None:
    when = (award or {}).get("notice_date")
    try:
        return dt.date.fromisoformat(when) if when else None
    except ValueError:
        return None
