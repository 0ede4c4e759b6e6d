"""The service patches its cached document after quick edits instead of re-reading
the file; whatever the sequence of edits, the cache must equal a fresh read."""

import random

from procure_desk.services import EvaluationFile


def test_cached_document_equals_a_fresh_read_after_any_quick_edits(example_file):
    ef = example_file
    rng = random.Random(7)
    cells = [("E1", "B1", "Q1"), ("E1", "B1", "Q2"), ("E1", "B2", "Q1"), ("E2", "B1", "Q2"),
             ("E1", "B2", "Q2")]
    pairs = [("B1", "Q1"), ("B1", "Q2"), ("B2", "Q1"), ("B2", "Q2")]
    for step in range(60):
        kind = rng.choice(["score", "consensus", "gateway"])
        if kind == "score":
            e, b, c = rng.choice(cells)
            ef.set_score("t", e, b, c, rng.choice([None, 0, 1, 2, 3, 4, 5]), f"c{step}")
        elif kind == "consensus":
            b, c = rng.choice(pairs)
            ef.set_consensus("t", b, c, rng.choice([None, 1, 4]), f"why {step}")
        else:
            ef.set_gateway("t", rng.choice(["B1", "B2"]), "G1", rng.choice([None, True, False]))
        with EvaluationFile.open(ef.path) as fresh:
            assert ef.document() == fresh.document(), f"after step {step} ({kind})"
            assert ef.results().to_json() == fresh.results().to_json()
