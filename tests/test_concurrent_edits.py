"""Two windows or computers on one file: neither silently undoes the other's change."""

import sqlite3

import pytest

from procure_desk.errors import BadInput
from procure_desk.services import ChangedElsewhere, EvaluationFile


def test_an_edit_on_a_stale_view_is_refused_and_the_view_catches_up(example_file):
    mine = example_file
    mine.document()
    with EvaluationFile.open(mine.path) as theirs:
        theirs.update_bid("them", "B1", {"supplier": "Renamed by a colleague"})
    assert mine.changed_elsewhere()
    with pytest.raises(ChangedElsewhere) as refused:
        mine.update_bid("me", "B1", {"notes": "my note"})
    assert "changed elsewhere" in str(refused.value)
    # nothing of mine was written, theirs stands, and my view now shows it
    with EvaluationFile.open(mine.path) as check:
        b1 = check.document()["bids"][0]
    assert b1["supplier"] == "Renamed by a colleague"
    assert b1["notes"] == ""
    assert mine.document()["bids"][0]["supplier"] == "Renamed by a colleague"
    assert not mine.changed_elsewhere()
    mine.update_bid("me", "B1", {"notes": "my note"})  # made again on the fresh view
    with EvaluationFile.open(mine.path) as check:
        assert check.document()["bids"][0]["notes"] == "my note"
        assert check.document()["bids"][0]["supplier"] == "Renamed by a colleague"


def test_my_own_edits_never_count_as_outside_changes(example_file):
    ef = example_file
    ef.set_score("me", "E1", "B1", "Q1", 2)
    ef.set_consensus("me", "B1", "Q1", 3, "agreed")
    ef.update_bid("me", "B2", {"notes": "x"})
    assert not ef.changed_elsewhere()
    ef.set_score("me", "E1", "B1", "Q1", 1)


def test_a_failed_edit_leaves_the_revision_as_it_was(example_file):
    ef = example_file
    with pytest.raises(BadInput):
        ef.update_bid("me", "B1", {"term_years": -4})
    with pytest.raises(RuntimeError), ef.unit_of_work():
        raise RuntimeError("interrupted")
    assert not ef.changed_elsewhere()
    ef.update_bid("me", "B1", {"notes": "still fine"})


def test_noting_an_export_is_not_a_change_to_the_evaluation(example_file, tmp_path):
    from procure_desk.workbooks.scoring_sheets import write_scoring_sheets

    mine = example_file
    mine.document()
    with EvaluationFile.open(mine.path) as other:
        write_scoring_sheets(other, tmp_path / "sheets", actor="them")
    assert not mine.changed_elsewhere()
    mine.set_score("me", "E1", "B1", "Q1", 4)


def test_a_file_held_by_another_program_is_busy_not_broken(example_file):
    ef = example_file
    ef.document()
    holder = sqlite3.connect(ef.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(BadInput) as refused:
            ef.set_score("me", "E1", "B1", "Q1", 1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "is busy" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    ef.set_score("me", "E1", "B1", "Q1", 1)  # free again
    assert ef.document()["scores"][0]["score"] == 1


def test_a_change_elsewhere_after_my_own_edit_is_still_noticed(example_file):
    mine = example_file
    mine.update_bid("me", "B1", {"supplier": "Mine"})  # my cache is dropped after this
    with EvaluationFile.open(mine.path) as theirs:
        theirs.update_bid("them", "B1", {"supplier": "Theirs"})
    # an undo of my rename would be built on what I saw: it must not overwrite theirs
    with pytest.raises(ChangedElsewhere):
        mine.update_bid("me", "B1", {"supplier": "Example Suite Ltd"})
    with EvaluationFile.open(mine.path) as check:
        assert check.document()["bids"][0]["supplier"] == "Theirs"
