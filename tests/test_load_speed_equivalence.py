"""The quick paths of reading and verifying a file give exactly what the definitions do.

The data digest (`chain.digest`) and each audit event's hash are part of the file
format: the column-at-a-time forms (`chain.list_sum`, `chain.event_hashes`) must
equal the per-record definitions (`_record_hash`, `event_hash`) on every value a
file can hold, including hostile supplier text and values only older files hold.
`Source`'s audit log, read with the chain, must equal the services' `audit()`.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from procure_desk import chain
from procure_desk.exports import Source
from procure_desk.services import EvaluationFile

HOSTILE = ["=cmd|' /C calc'!A0", "<b>&amp;</b>", "\u202eevil\u202c", "評価の根拠", "é" * 3,
           "", "a\x00b", "line\nbreak", "12:34", "3:abc"]


def _reference(kind: str, records: list[dict]) -> int:
    return sum(chain._record_hash(kind, r) for r in records) % chain.MOD


def _scores() -> list[dict]:
    values = [3, 3.0, 2.5, -0.0, 0.0, 0, True, 1, 10**20, float("inf")]
    return [{"evaluator": f"E{i % 3}", "bid": HOSTILE[i % len(HOSTILE)],
             "criterion": f"Q{i % 4}", "score": values[i % len(values)],
             "comment": HOSTILE[(i * 7) % len(HOSTILE)] if i % 5 else None}
            for i in range(60)]


def test_list_sum_equals_the_record_hashes_on_every_kind_of_value() -> None:
    scores = _scores()
    consensus = [{"bid": r["bid"], "criterion": r["criterion"], "score": r["score"],
                  "rationale": r["comment"]} for r in scores]
    gateways = [{"bid": r["bid"], "criterion": r["criterion"],
                 "passed": [True, False, 1, 0, None][i % 5], "note": r["comment"]}
                for i, r in enumerate(scores)]
    for kind, records in (("scores", scores), ("consensus", consensus),
                          ("gateways", gateways)):
        assert chain.list_sum(kind, records) == _reference(kind, records)
        for r in records:  # one at a time too: 5 and 5.0 must not share a text
            assert chain.list_sum(kind, [r]) == chain._record_hash(kind, r)
    assert chain.list_sum("scores", []) == 0


def test_the_digest_tells_integer_and_decimal_scores_apart() -> None:
    a = [{"evaluator": "E1", "bid": "B1", "criterion": "Q1", "score": 5, "comment": ""}]
    b = [dict(a[0], score=5.0)]
    assert chain.list_sum("scores", a) != chain.list_sum("scores", b)
    assert chain.list_sum("scores", a + b) == _reference("scores", a + b)


def test_event_hashes_equal_event_hash() -> None:
    events = [{"id": i, "at": "2026-01-01T10:00:00", "actor": HOSTILE[i % len(HOSTILE)],
               "action": "score.set", "entity": "score", "entity_id": [None, "E1/B1/Q1"][i % 2],
               "before": [None, '{"score":3}', 7][i % 3],
               "after": [{"b": 1, "a": [1.5, None]}, "", '{"é":"\u202e"}'][i % 3],
               "prev_hash": [None, "0" * 64][i % 2], "data_digest": [None, "", "d"][i % 3]}
              for i in range(30)]
    events.append({"id": 99, "action": "x", "actor": "y"})  # fields missing altogether
    got = chain.event_hashes(events)
    assert got == [chain.event_hash(e.get("prev_hash"), e, e.get("data_digest") or "")
                   for e in events]


def _edited_file(tmp_path, example_doc) -> EvaluationFile:
    ef = EvaluationFile.create(tmp_path / "e.pdesk", example_doc, actor="tester")
    ef.set_score("tester", "E1", "B1", "Q1", 4, HOSTILE[4])
    ef.set_score("tester", "E1", "B2", "Q2", 2, HOSTILE[3])
    ef.set_consensus("tester", "B1", "Q1", 4, HOSTILE[0])
    ef.set_gateway("tester", "B2", "G1", False, HOSTILE[1])
    return ef


def test_a_file_verifies_and_its_digest_is_the_definitions(tmp_path, example_doc) -> None:
    with _edited_file(tmp_path, example_doc) as ef:
        verdict = ef.verify()
        assert verdict.intact, verdict.problems
        doc = ef.document()
        digest = ef.data_digest()
        assert (digest.scores, digest.consensus, digest.gateways) == tuple(
            _reference(k, doc[k]) for k in chain.LISTS)
        # every stored event's hash is the definition's
        rows = ef.store.chain_rows()
        assert [r["hash"] for r in rows] == [
            chain.event_hash(r["prev_hash"], r, r["data_digest"] or "") for r in rows]


def test_source_reads_the_audit_log_as_the_services_do(tmp_path, example_doc) -> None:
    with _edited_file(tmp_path, example_doc) as ef:
        expected = list(reversed(ef.audit()))
        path = ef.path
        head = ef.head()
    src = Source.load(path)
    fields = ("id", "at", "actor", "action", "entity", "entity_id", "before", "after")
    assert len(src.audit) == len(expected) >= 5
    for got, want in zip(src.audit, expected, strict=True):
        assert tuple(getattr(got, f) for f in fields) == tuple(getattr(want, f) for f in fields)
    assert src.audit == expected  # the dataclass' own equality, field by field
    assert (src.head, src.events) == head


def test_a_changed_record_is_still_refused(tmp_path, example_doc) -> None:
    with _edited_file(tmp_path, example_doc) as ef:
        path = ef.path
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE score SET score = 5.0 WHERE score = 4")  # 4 -> 5 behind its back
    con.close()
    with EvaluationFile.open(path) as ef:
        verdict = ef.verify()
    assert not verdict.intact
    assert verdict.problems[0]["where"] == "evaluation data"


def test_an_event_changed_in_place_is_named(tmp_path, example_doc) -> None:
    with _edited_file(tmp_path, example_doc) as ef:
        path = ef.path
        second = ef.store.chain_rows()[1]
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE auditevent SET actor = 'someone else' WHERE id = ?",
                    (second["id"],))
    con.close()
    with EvaluationFile.open(path) as ef:
        verdict = ef.verify()
    assert not verdict.intact
    assert verdict.problems[0]["message"] == "was changed after it was recorded"
    assert f"audit event {second['id']}" in verdict.problems[0]["where"]


def test_a_file_from_before_the_chain_still_verifies(tmp_path, example_doc) -> None:
    """An older file (its events unchained) gets a chain on opening; the quick check
    links it to the history hash of the events before it, as the definition does."""
    with _edited_file(tmp_path, example_doc) as ef:
        path = ef.path
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE auditevent SET prev_hash = NULL, data_digest = NULL, hash = NULL")
    con.close()
    with EvaluationFile.open(path) as ef:  # starts the chain
        verdict = ef.verify()
        rows = ef.store.chain_rows()
    assert verdict.intact, verdict.problems
    assert rows[-1]["action"] == chain.START
    first = next(i for i, r in enumerate(rows) if r["hash"])
    assert rows[first]["prev_hash"] == chain.history_hash(rows[:first])


TYPED = ["=cmd|' /C calc'!A0", "<b>&amp;</b>", "評価の根拠", "12:34", "3:abc", ""]


@pytest.mark.parametrize("text", TYPED)
def test_hostile_text_round_trips_through_the_lazy_audit_entry(tmp_path, example_doc,
                                                              text) -> None:
    with EvaluationFile.create(tmp_path / "h.pdesk", example_doc, actor="tester") as ef:
        ef.set_score("tester", "E1", "B1", "Q1", 1, text)
        assert ef.verify().intact
        entry = ef.audit_log()[-1]
        assert entry.after["comment"] == text
        assert json.loads(json.dumps(entry.before))["comment"] == "..."
