"""A pasted sheet of thousands of scores is written in one transaction: big enough to
spill the writer's page cache, it must not find the file locked by itself (the
digest of the data before is taken outside the transaction)."""

from __future__ import annotations

from benchmarks.generate import make_large_evaluation
from procure_desk.services import EvaluationFile


def test_thousands_of_scores_in_one_batch_on_a_freshly_opened_file(tmp_path):
    path = tmp_path / "big.pdesk"
    EvaluationFile.create(path, make_large_evaluation(n_bids=60, n_criteria=100,
                                                      n_evaluators=8, cost_lines=1),
                          actor="t").close()
    with EvaluationFile.open(path) as ef:  # nothing read or digested yet
        doc = ef.document()
        e = doc["evaluators"][0]
        crit = [c["id"] for c in doc["criteria"] if c["kind"] == "scored"]
        items = [{"evaluator": e["id"], "bid": b["id"], "criterion": c,
                  "score": (i + j + 1) % 5, "comment": "pasted =cmd"}
                 for i, b in enumerate(doc["bids"]) if b["id"] not in e["conflicts"]
                 for j, c in enumerate(crit)]
        assert len(items) > 5000
        ef.set_scores("t", items)
        got = {(r["bid"], r["criterion"]): (r["score"], r["comment"])
               for r in ef.document()["scores"] if r["evaluator"] == e["id"]}
        assert all(got[(it["bid"], it["criterion"])] == (it["score"], "pasted =cmd")
                   for it in items)
    with EvaluationFile.open(path) as ef:
        assert ef.verify().intact
