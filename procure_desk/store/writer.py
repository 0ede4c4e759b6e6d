"""Every write to an evaluation file, one method per change a service makes.

A `Writer` lives for one transaction (see `Store.transaction`). The services
decide what may change and check it; the writer only knows where it goes.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlmodel import Session, col

from .. import chain
from ..stamps import default_actor, now_iso
from . import rows
from .models import (
    Apportionment,
    AuditEvent,
    Bid,
    Conflict,
    Consensus,
    CostLine,
    Criterion,
    Evaluation,
    Evaluator,
    Feedback,
    Gateway,
    Meta,
    Partner,
    Score,
)

Record = dict[str, Any]
ScoreKey = tuple[str, str, str]

# The data revision, moved on by every unit of work that changes a figure.
_ADVANCE = ("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision' "
            "RETURNING CAST(value AS INTEGER)")


def as_json(v: Any) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=False)


def _score_where(prefix: str = "") -> Any:
    return (col(Score.evaluator_id) == bindparam(f"{prefix}evaluator_id"),
            col(Score.bid_id) == bindparam(f"{prefix}bid_id"),
            col(Score.criterion_id) == bindparam(f"{prefix}criterion_id"))


def start_event(earlier: int) -> Record:
    """The event that starts the chain in a file whose log began before it existed."""
    return {"at": now_iso(), "actor": "ProcureDesk", "action": chain.START,
            "entity": "evaluation", "entity_id": "", "before": None,
            "after": as_json({"events_before": earlier,
                              "why": "this file was made before the audit chain; the chain "
                                     "starts here and links to a hash of every earlier "
                                     "event"})}


_ONE_STATEMENT = 200  # events written with the head in one statement, at most
_EVENT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after",
                  "prev_hash", "data_digest", "hash")


class Writer:
    """The writes of one transaction."""

    def __init__(self, session: Session, *, team: bool = False):
        self.s = session
        self.events: list[Record] = []  # this unit's audit events, chained at its end
        self.team = team  # on a PostgreSQL server (see lock_head)
        self.touched: set[str] = set()  # scopes of the data this unit changed
        self._head: Any = None  # on a server: the chain's head row, locked
        self._scopes: dict[str, int] | None = None  # on a server: scopes moved on

    # ---- on a server: one unit at a time, and what each unit built on ----------------
    def lock_head(self) -> None:
        """Take the chain's head row for the rest of this transaction: units that write
        events wait for each other here, so each unit's events follow the one before
        (one chain, never a fork). Taken at the end of a unit, so the wait is short."""
        self._head = self.s.connection().exec_driver_sql(
            "SELECT hash, events, structure, scores, consensus, gateways, scopes::text, "
            "(SELECT value FROM meta WHERE key = 'sealed') FROM chainhead "
            "WHERE id = 1 FOR UPDATE").fetchone()

    def head_sealed(self) -> Record | None:
        """The seal as the locked head sees it (on a server)."""
        return json.loads(self._head[7]) if self._head and self._head[7] else None

    def head_events(self) -> int:
        return int(self._head[1]) if self._head else 0

    def head_digest(self) -> chain.DataDigest | None:
        """The digest of the whole evaluation as the head event left it (on a server)."""
        h = self._head
        if h is None or h[2] is None:
            return None
        return chain.DataDigest(str(h[2]), int(h[3], 16), int(h[4], 16), int(h[5], 16))

    def touch(self, *scopes: str) -> None:
        self.touched.update(scopes)

    def depends(self) -> set[str]:
        """The scopes this unit built on: the methodology, and for each evaluator whose
        scores it changed, their scores and their sign-off."""
        out = {"structure", *self.touched}
        return out | {"member:" + t.split(":", 1)[1] for t in self.touched
                      if t.startswith("scores:")}

    def check_and_advance(self, seen: dict[str, int] | None) -> dict[str, int] | None:
        """On a server, under the head's lock: None when a scope this unit built on
        changed since `seen` (someone else's edit; None: nothing was read, so nothing
        can be stale); else each touched scope moves on (written with the head) and
        every scope's revision now is returned."""
        now = {str(k): int(v) for k, v in json.loads(self._head[6] or "{}").items()}
        if seen is not None and any(now.get(k, 0) != seen.get(k, 0) for k in self.depends()):
            return None
        self._scopes = {**now, **{k: now.get(k, 0) + 1 for k in self.touched}}
        return self._scopes

    # ---- the file's own records ------------------------------------------------------
    def advance_revision(self) -> int:
        """Move the data revision on (taking the write lock); returns the new revision."""
        conn = self.s.connection()
        row = conn.exec_driver_sql(_ADVANCE).fetchone()
        if row is None:  # a file from before revisions were kept
            conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('revision', '1')")
            return 1
        return int(row[0])

    def audit(self, actor: str, action: str, entity: str, entity_id: str,
              before: Any, after: Any) -> None:
        """An audit event, written with its place in the chain when the unit ends."""
        self.events.append({"at": now_iso(), "actor": actor or default_actor(),
                            "action": action, "entity": entity, "entity_id": entity_id,
                            "before": as_json(before), "after": as_json(after)})

    def audit_many(self, events: list[Record]) -> None:
        """Events given as dicts of the audit fields (before/after as values)."""
        at = now_iso()
        self.events.extend(
            {"at": at, "actor": e["actor"] or default_actor(), "action": e["action"],
             "entity": e["entity"], "entity_id": e["entity_id"],
             "before": as_json(e["before"]), "after": as_json(e["after"])} for e in events)

    def flush_events(self, data_digest: str | None,
                     whole: chain.DataDigest | None = None) -> str | None:
        """Chain the unit's events onto the log and write them; returns the new head.

        `data_digest` None: the unit changed no data, so the last event's digest holds.
        A file whose log was begun before the chain existed first gets the event that
        starts the chain, linked to a hash of every event recorded before it.
        """
        if not self.events:
            return None
        if self.team:
            return self._flush_on_server(whole)
        conn = self.s.connection()
        last = conn.exec_driver_sql(
            "SELECT hash, data_digest FROM auditevent ORDER BY id DESC LIMIT 1").fetchone()
        if data_digest is None:
            if last is not None and last[1]:
                data_digest = str(last[1])
            else:
                doc, sealed = self.read_state()
                data_digest = chain.digest(doc, sealed).hex
        events = self.events
        if last is None:
            prev = chain.GENESIS
        elif last[0] is None:
            earlier = [dict(zip(("id", *chain.EVENT_FIELDS), r)) for r in conn.exec_driver_sql(
                "SELECT id, at, actor, action, entity, entity_id, before, after "
                "FROM auditevent ORDER BY id")]
            prev = chain.history_hash(earlier)
            if events[0]["action"] != chain.START:
                events = [start_event(len(earlier)), *events]
        else:
            prev = str(last[0])
        head = chain.link(prev, events, data_digest)
        conn.execute(insert(AuditEvent), events)
        self.events = []
        return head

    def _flush_on_server(self, whole: chain.DataDigest | None) -> str:
        """Chain the unit's events after the locked head; `whole` is the digest of the
        whole evaluation as this unit leaves it (None: unchanged)."""
        now = whole or self.head_digest()
        digest_hex = now.hex if now is not None else chain.digest(*self.read_state()).hex
        prev = self._head[0] or chain.GENESIS
        head = chain.link(prev, self.events, digest_hex)
        conn = self.s.connection()
        values: Record = {"hash": head, "events": int(self._head[1]) + len(self.events)}
        if self._scopes is not None:
            values["scopes"] = json.dumps(self._scopes)
        if whole is not None:
            values.update(structure=whole.structure, scores=f"{whole.scores:032x}",
                          consensus=f"{whole.consensus:032x}",
                          gateways=f"{whole.gateways:032x}")
        sets = ", ".join(f"{k} = CAST(:{k} AS jsonb)" if k == "scopes" else f"{k} = :{k}"
                         for k in values)
        if len(self.events) > _ONE_STATEMENT:  # a large unit: the driver batches them
            conn.execute(insert(AuditEvent), self.events)
            conn.execute(text(f"UPDATE chainhead SET {sets} WHERE id = 1"), values)
            self.events = []
            self._head = (head, values["events"], *self._head[2:])
            return head
        # the events and the new head in one statement (one round trip to the server),
        # in the driver's own placeholders: this runs while the head is locked
        rows_sql, params = [], dict(values)
        for i, e in enumerate(self.events):
            rows_sql.append("(" + ", ".join(f"%(e{i}_{k})s" for k in _EVENT_COLUMNS) + ")")
            params.update({f"e{i}_{k}": e.get(k) for k in _EVENT_COLUMNS})
        driver_sets = ", ".join(f"{k} = %({k})s::jsonb" if k == "scopes" else f"{k} = %({k})s"
                                for k in values)
        conn.exec_driver_sql(
            f"WITH added AS (INSERT INTO auditevent ({', '.join(_EVENT_COLUMNS)}) "
            f"VALUES {', '.join(rows_sql)} RETURNING 1) "
            f"UPDATE chainhead SET {driver_sets} WHERE id = 1", params)
        self.events = []
        self._head = (head, values["events"], *self._head[2:])
        return head

    def sealed(self) -> Record | None:
        row = self.s.connection().exec_driver_sql(
            "SELECT value FROM meta WHERE key = 'sealed'").fetchone()
        return json.loads(row[0]) if row else None

    def start_chain(self, earlier: int) -> None:
        self.events.insert(0, start_event(earlier))

    def read_state(self) -> tuple[Record, Record | None]:
        """The document and its seal as this transaction sees them."""
        self.s.flush()  # rows added through the session are not yet in the database
        return rows.read_document(self.s), self.sealed()

    def delete_meta(self, key: str) -> None:
        self.s.exec(delete(Meta).where(col(Meta.key) == key))

    def set_meta(self, key: str, value: str) -> None:
        self.s.merge(Meta(key=key, value=value))
        self.s.flush()

    def start_file(self, doc: Record, meta: dict[str, str],
                   conflict_dates: dict[tuple[str, str], str] | None = None) -> None:
        rows.write_document(self.s, doc, conflict_dates)
        for k, v in meta.items():
            self.s.add(Meta(key=k, value=v))
        self.s.flush()

    def replace_all(self, doc: Record, conflict_dates: dict[tuple[str, str], str]) -> None:
        self.touch("structure")
        rows.clear_all(self.s)
        rows.write_document(self.s, doc, conflict_dates=conflict_dates)

    # ---- evaluation and criteria -----------------------------------------------------
    def put_evaluation(self, ev: Record) -> None:
        self.touch("structure")
        self.s.exec(update(Evaluation).where(col(Evaluation.id) == 1)
                    .values(**rows.evaluation_row(ev)))

    def add_criterion(self, norm: Record, order: list[str]) -> None:
        self.touch("structure")
        self.s.add(Criterion(**rows.criterion_row(norm, 0)))
        self.s.flush()
        self._renumber(Criterion, order)

    def put_criterion(self, norm: Record) -> None:
        self.touch("structure")
        values = {k: v for k, v in rows.criterion_row(norm, 0).items()
                  if k not in ("id", "position", "parent_id")}
        self.s.exec(update(Criterion).where(col(Criterion.id) == norm["id"])
                    .values(**values))

    def move_criterion(self, cid: str, parent: str | None, order: list[str]) -> None:
        self.touch("structure")
        self.s.exec(update(Criterion).where(col(Criterion.id) == cid)
                    .values(parent_id=parent))
        self._renumber(Criterion, order)

    def delete_criteria(self, ids: list[str]) -> None:
        self.touch("structure")
        self.s.exec(delete(Criterion).where(col(Criterion.id).in_(ids)))

    def _renumber(self, table: Any, ids: list[str]) -> None:
        conn = self.s.connection()
        conn.execute(update(table).where(table.id == bindparam("k_id")),
                     [{"k_id": rid, "position": i} for i, rid in enumerate(ids)])

    # ---- bids ------------------------------------------------------------------------
    def add_bids(self, bids: list[Record]) -> None:
        self.touch("structure")
        rows.insert_bids(self.s, bids, start=rows.next_position(self.s, Bid))

    def put_bid(self, norm: Record, *, costs: bool, apportionment: bool) -> None:
        self.touch("structure")
        row = rows.bid_row(norm, 0)
        row.pop("position")
        bid = row.pop("id")
        self.s.exec(update(Bid).where(col(Bid.id) == bid).values(**row))
        if costs:
            self.s.exec(delete(CostLine).where(col(CostLine.bid_id) == bid))
            rows.insert_costs(self.s, norm)
        if apportionment:
            self.s.exec(delete(Apportionment).where(col(Apportionment.bid_id) == bid))
            rows.insert_apportionment(self.s, norm)

    def delete_bid(self, bid: str) -> None:
        self.touch("structure")
        self.s.exec(delete(Bid).where(col(Bid.id) == bid))

    # ---- evaluators and conflicts ----------------------------------------------------
    def add_evaluators(self, evaluators: list[Record]) -> None:
        self.touch("structure")
        rows.insert_evaluators(self.s, evaluators, start=rows.next_position(self.s, Evaluator))

    def put_evaluator(self, eid: str, name: str, role: str) -> None:
        self.touch("structure")
        self.s.exec(update(Evaluator).where(col(Evaluator.id) == eid)
                    .values(name=name, role=role))

    def put_declaration(self, eid: str, declaration: Record | None) -> None:
        self.touch(f"member:{eid}")
        self.s.exec(update(Evaluator).where(col(Evaluator.id) == eid).values(
            declared_on=declaration["date"] if declaration else None,
            interests=declaration["interests"] if declaration else None))

    def put_submitted(self, eid: str, when: str | None) -> None:
        self.touch(f"member:{eid}")
        self.s.exec(update(Evaluator).where(col(Evaluator.id) == eid)
                    .values(submitted_at=when))

    def put_conflict_details(self, eid: str, bid: str, nature: str, mitigation: str) -> None:
        self.touch("structure")
        self.s.exec(update(Conflict).where(col(Conflict.evaluator_id) == eid,
                                           col(Conflict.bid_id) == bid)
                    .values(nature=nature, mitigation=mitigation))

    def delete_evaluator(self, eid: str) -> None:
        self.touch("structure")
        self.s.exec(delete(Evaluator).where(col(Evaluator.id) == eid))

    def declare_conflict(self, eid: str, bid: str, declared_on: str) -> None:
        """The conflict, with that evaluator's scores on the bid set aside."""
        self.touch("structure", f"scores:{eid}")
        self.s.exec(delete(Score).where(col(Score.evaluator_id) == eid,
                                        col(Score.bid_id) == bid))
        self.s.add(Conflict(evaluator_id=eid, bid_id=bid,
                            position=rows.next_position(self.s, Conflict),
                            declared_on=declared_on))
        self.s.flush()

    def withdraw_conflict(self, eid: str, bid: str) -> None:
        self.touch("structure")
        self.s.exec(delete(Conflict).where(col(Conflict.evaluator_id) == eid,
                                           col(Conflict.bid_id) == bid))

    # ---- scores ----------------------------------------------------------------------
    def score_positions(self, keys: list[ScoreKey]) -> dict[ScoreKey, int]:
        conn = self.s.connection()
        out: dict[ScoreKey, int] = {}
        for e, b, c in keys:
            pos = conn.execute(select(col(Score.position)).where(
                col(Score.evaluator_id) == e, col(Score.bid_id) == b,
                col(Score.criterion_id) == c)).scalar()
            if pos is not None:
                out[(e, b, c)] = int(pos)
        return out

    def next_score_position(self) -> int:
        return rows.next_position(self.s, Score)

    def write_scores(self, *, deletes: list[ScoreKey], updates: list[Record],
                     inserts: list[Record]) -> None:
        """Score rows removed, changed in place and added (with their positions)."""
        self.touch(*{f"scores:{k[0]}" for k in deletes},
                   *{f"scores:{r['evaluator']}" for r in (*updates, *inserts)})
        conn = self.s.connection()
        if deletes:
            conn.execute(delete(Score).where(*_score_where()), [
                {"evaluator_id": e, "bid_id": b, "criterion_id": c} for e, b, c in deletes])
        if updates:
            conn.execute(update(Score).where(*_score_where("k_")), [
                {"k_evaluator_id": r["evaluator"], "k_bid_id": r["bid"],
                 "k_criterion_id": r["criterion"], "score": float(r["score"]),
                 "comment": r["comment"]} for r in updates])
        if inserts:
            conn.execute(insert(Score), [
                {"evaluator_id": r["evaluator"], "bid_id": r["bid"],
                 "criterion_id": r["criterion"], "position": r["position"],
                 "score": float(r["score"]), "comment": r.get("comment") or ""}
                for r in inserts])

    # ---- consensus and gateways ------------------------------------------------------
    def put_consensus(self, bid: str, cid: str, after: Record | None, *, exists: bool) -> None:
        self.touch("consensus")
        self._put_pair(Consensus, bid, cid, exists,
                       None if after is None else {"score": float(after["score"]),
                                                   "rationale": after["rationale"]})

    def put_gateway(self, bid: str, cid: str, after: Record | None, *, exists: bool) -> None:
        self.touch("gateways")
        self._put_pair(Gateway, bid, cid, exists,
                       None if after is None else {"passed": bool(after["passed"]),
                                                   "note": after["note"]})

    def put_feedback(self, bid: str, cid: str, after: Record | None, *, exists: bool) -> None:
        self.touch("structure")
        self._put_pair(Feedback, bid, cid, exists,
                       None if after is None else {"text": after["text"]})

    def _put_pair(self, table: Any, bid: str, cid: str, exists: bool,
                  values: Record | None) -> None:
        where = (table.bid_id == bid, table.criterion_id == cid)
        if values is None:
            self.s.exec(delete(table).where(*where))
        elif exists:  # changed in place: the record keeps its order
            self.s.exec(update(table).where(*where).values(**values))
        else:
            self.s.add(table(bid_id=bid, criterion_id=cid,
                             position=rows.next_position(self.s, table), **values))
            self.s.flush()

    # ---- partners --------------------------------------------------------------------
    def add_partner(self, norm: Record) -> None:
        self.touch("structure")
        self.s.add(Partner(**rows.partner_row(norm, rows.next_position(self.s, Partner))))
        self.s.flush()

    def put_partner(self, norm: Record) -> None:
        self.touch("structure")
        row = rows.partner_row(norm, 0)
        row.pop("position")
        pid = row.pop("id")
        self.s.exec(update(Partner).where(col(Partner.id) == pid).values(**row))

    def delete_partner(self, pid: str) -> None:
        self.touch("structure")
        self.s.exec(delete(Partner).where(col(Partner.id) == pid))
