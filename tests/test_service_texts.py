"""Texts typed in the app obey the same rules as an import (docs/bad-input.md)."""

from __future__ import annotations

import copy

import pytest

from procure_desk.errors import BadInput

OVERRIDE = "\u202e"


@pytest.mark.parametrize(("edit", "where"), [
    (lambda ef: ef.set_score("t", "E1", "B2", "Q1", 3, f"fine{OVERRIDE}txt"),
     "score E1/B2/Q1.comment"),
    (lambda ef: ef.set_consensus("t", "B1", "Q1", 3, "agreed\x07"), "consensus B1/Q1.rationale"),
    (lambda ef: ef.set_gateway("t", "B1", "G1", True, f"seen{OVERRIDE}"), "gateway B1/G1.note"),
    (lambda ef: ef.set_score("t", "E1", "B2", "Q1", 3, "x" * 20_001), "score E1/B2/Q1.comment"),
])
def test_a_refused_text_is_named_and_nothing_changes(example_file, edit, where):
    before = copy.deepcopy(example_file.document())
    n = len(example_file.audit())
    with pytest.raises(BadInput) as info:
        edit(example_file)
    assert [p.where for p in info.value.problems] == [where]
    example_file.reload()
    assert example_file.document() == before
    assert len(example_file.audit()) == n


def test_line_breaks_and_tabs_in_a_comment_are_kept(example_file):
    example_file.set_score("t", "E1", "B2", "Q1", 3, "first line\n\tindented")
    example_file.reload()
    got = next(r for r in example_file.document()["scores"]
               if (r["evaluator"], r["bid"], r["criterion"]) == ("E1", "B2", "Q1"))
    assert got["comment"] == "first line\n\tindented"
