"""`procure_desk.atomic`: a file is written whole or not at all, and a disk that refuses
says so in one plain sentence."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys

import pytest

from procure_desk import atomic
from procure_desk.errors import BadInput


def names(folder):
    return sorted(p.name for p in folder.iterdir())


def write_and_fail(target, error, *, force=False, meanwhile=None):
    """Write part of `target`, then fail with `error` (after `meanwhile()`, if given)."""
    with atomic.writing(target, force=force) as tmp:
        tmp.write_bytes(b"half a file")
        if meanwhile:
            meanwhile()
        if error is not None:
            raise error


def test_the_whole_file_lands_under_its_name_and_nothing_else(tmp_path):
    target = atomic.write_text(tmp_path / "release.json", "{}\n")
    assert target.read_text() == "{}\n"
    assert names(tmp_path) == ["release.json"]


def test_the_file_is_synced_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        calls.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    def replace(a, b):
        calls.append("rename")
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    atomic.write_bytes(tmp_path / "pack.xlsx", b"PK")
    expected = ["file", "rename"] + ([] if sys.platform == "win32" else ["folder"])
    assert calls == expected


def test_a_failure_leaves_no_temporary_file_and_the_old_file_as_it_was(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"the earlier report")
    with pytest.raises(RuntimeError, match="layout failed"):
        write_and_fail(target, RuntimeError("layout failed"), force=True)
    assert target.read_bytes() == b"the earlier report"
    assert names(tmp_path) == ["report.pdf"]


def test_an_existing_file_is_refused_without_force(tmp_path):
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"mine")
    with pytest.raises(BadInput, match="already exists"):
        atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"mine"


def test_a_file_that_appears_while_writing_is_not_overwritten(tmp_path):
    target = tmp_path / "pack.xlsx"
    with pytest.raises(BadInput, match=r"pack\.xlsx: already exists"):
        write_and_fail(target, None, meanwhile=lambda: target.write_bytes(b"someone else's"))
    assert target.read_bytes() == b"someone else's"
    assert names(tmp_path) == ["pack.xlsx"]


def test_a_missing_folder_is_named(tmp_path):
    target = tmp_path / "nowhere" / "pack.xlsx"
    with pytest.raises(BadInput) as refused:
        atomic.write_bytes(target, b"x")
    assert str(refused.value) == f"{target}: its folder does not exist"


REFUSALS = [
    (errno.ENOSPC, "the disk is full"),
    (errno.EROFS, "the folder is read-only"),
    (errno.EACCES, "you do not have permission to write here"),
    (errno.EPERM, "you do not have permission to write here"),
    (errno.EFBIG, "the file would be larger than this disk or the system allows"),
]
if hasattr(errno, "EDQUOT"):
    REFUSALS.append((errno.EDQUOT, "your disk quota is used up"))


@pytest.mark.parametrize(("code", "reason"), REFUSALS)
def test_a_disk_that_refuses_is_one_plain_sentence(tmp_path, code, reason):
    target = tmp_path / "pack.xlsx"
    with pytest.raises(BadInput) as refused:
        write_and_fail(target, OSError(code, os.strerror(code), str(target)))
    assert str(refused.value) == f"{target}: could not be saved because {reason}"
    assert names(tmp_path) == []


def test_lxml_reporting_a_full_disk_is_the_same_sentence(tmp_path):
    etree = pytest.importorskip("lxml.etree")
    target = tmp_path / "sheet.xlsx"
    with pytest.raises(BadInput) as refused:
        write_and_fail(target, etree.SerialisationError("IO_ENOSPC"))
    assert str(refused.value) == f"{target}: could not be saved because the disk is full"


def test_an_error_that_is_not_the_disk_is_not_disguised_as_one(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_and_fail(tmp_path / "report.pdf",
                       FileNotFoundError(errno.ENOENT, "no such font", "DejaVuSans.ttf"))
    assert names(tmp_path) == []


def test_a_file_open_in_another_program_is_named_as_such(tmp_path, monkeypatch):
    target = tmp_path / "pack.xlsx"
    target.write_bytes(b"open in Excel")

    def locked(a, b):
        raise PermissionError(errno.EACCES, "Access is denied", str(b))

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(BadInput) as refused:
        atomic.write_bytes(target, b"new", force=True)
    assert str(refused.value) == (f"{target}: could not be replaced because it is open in "
                                  "another program or protected: close it and try again")
    assert target.read_bytes() == b"open in Excel"
    assert names(tmp_path) == ["pack.xlsx"]


# ---- several files as one -----------------------------------------------------------

def batch(targets, *, force=True, make_folders=False, after_commit=None, commit=True):
    """Write every target in one batch, commit, then run `after_commit` inside the batch."""
    with atomic.Batch(targets, force=force, make_folders=make_folders) as b:
        for t in targets:
            b.part(t).write_bytes(b"new " + t.name.encode())
        if commit:
            b.commit()
        if after_commit:
            after_commit()

def test_a_batch_is_taken_back_when_the_work_after_commit_fails(tmp_path):
    old, new = tmp_path / "a.pdf", tmp_path / "b.pdf"
    old.write_bytes(b"the earlier a")
    seen = []

    def record():
        seen.append(old.read_bytes())  # in place, until the block fails
        raise RuntimeError("the audit event could not be recorded")

    with pytest.raises(RuntimeError, match="audit"):
        batch([old, new], after_commit=record)
    assert seen == [b"new a.pdf"]
    assert old.read_bytes() == b"the earlier a"
    assert names(tmp_path) == ["a.pdf"]


def test_a_batch_whose_second_rename_fails_leaves_the_first_as_it_was(tmp_path, monkeypatch):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    first.write_bytes(b"the earlier a")
    real_replace = os.replace

    def full_on_b(a, b):
        if str(b) == str(second):
            raise OSError(errno.ENOSPC, "No space left on device", str(b))
        real_replace(a, b)

    monkeypatch.setattr(os, "replace", full_on_b)
    with pytest.raises(BadInput) as refused:
        batch([first, second])
    assert str(refused.value) == f"{second}: could not be saved because the disk is full"
    assert first.read_bytes() == b"the earlier a"
    assert names(tmp_path) == ["a.pdf"]


def test_a_batch_removes_the_folders_it_made_when_it_fails(tmp_path):
    target = tmp_path / "new" / "deeper" / "a.pdf"
    def cancel():
        raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        batch([target], make_folders=True, commit=False, after_commit=cancel)
    assert names(tmp_path) == []


def test_make_folder_refuses_a_file_in_the_way(tmp_path):
    (tmp_path / "sheets").write_text("not a folder")
    with pytest.raises(BadInput, match="sheets: is a file, not a folder"):
        atomic.make_folder(tmp_path / "sheets")


# ---- what killed runs leave ---------------------------------------------------------

@pytest.fixture
def running_pid():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_sweep_removes_only_what_dead_runs_on_this_computer_left(tmp_path, running_pid):
    mine_dead = atomic.part_path(tmp_path / "pack.xlsx").name.replace(
        f".{os.getpid()}.", ".99999999.", 1)
    mine_live = atomic.part_path(tmp_path / "report.pdf").name.replace(
        f".{os.getpid()}.", f".{running_pid}.", 1)
    ours_now = atomic.part_path(tmp_path / "release.json").name  # this process: writing
    leftovers = [mine_dead, ".demo.pdesk.99999999.part", ".demo.pdesk.99999999.part-journal"]
    kept = [mine_live, ours_now,
            ".pack.xlsx.99999999.0a1b2c.1.part",  # another computer on a shared folder
            ".notes.2024.part",  # the user's own file
            "pack.xlsx"]
    for name in leftovers + kept:
        (tmp_path / name).write_bytes(b"x")
    assert atomic.sweep(tmp_path) == len(leftovers)
    assert names(tmp_path) == sorted(kept)


def test_sweep_of_a_folder_that_cannot_be_read_removes_nothing(tmp_path):
    assert atomic.sweep(tmp_path / "absent") == 0
