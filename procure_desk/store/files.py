"""The evaluation file on disk: is it whole, putting a new one in place, keeping copies.

Everything that can go wrong with the file itself (not ours, damaged, newer,
unreadable, busy, a full disk) ends here as one plain sentence naming the
file: never SQLite's own text, which may quote damaged bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import sys
import time
from datetime import datetime
from pathlib import Path

from .. import atomic
from ..errors import BadInput, FileBusy
from ..paths import user_data_folder

HEADER = b"SQLite format 3\x00"
KEEP_BACKUPS = 5  # copies kept per evaluation file
SIDE_FILES = ("-journal", "-wal", "-shm")

_DAMAGED = ("malformed", "not a database", "disk image", "encrypted", "no such table",
            "no such column", "database corrupt", "could not decode", "utf-8", "codec")


#: `schema.BUSY_TIMEOUT_MS`, for the read-only door (`raw.py`), which does not load the
#: ORM behind `schema`; tests/test_raw_reader.py holds the two equal.
BUSY_TIMEOUT_MS = 3000


def _busy_seconds() -> float:
    schema = sys.modules.get(f"{__package__}.schema")  # its setting, once it is loaded
    return getattr(schema, "BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS) / 1000


# ---- sentences ------------------------------------------------------------------------

def damage_problem(path: str | Path) -> BadInput:
    """A file that cannot be read as an evaluation, with the latest good copy if there is one."""
    latest = latest_backup(Path(path))
    where = ""
    if latest is not None:
        when = datetime.fromtimestamp(latest.stat().st_mtime).strftime("%d %b %Y %H:%M")
        where = f"; the latest good copy is {latest} (kept {when})"
    return BadInput.one(str(path), "is damaged and cannot be read as an evaluation "
                                   f"file{where}")


def environment_problem(path: str | Path, text: str) -> BadInput | None:
    """SQLite's error text (lower case) as one plain sentence, or None if it is not
    about the file or the disk."""
    if any(w in text for w in _DAMAGED):
        return damage_problem(path)
    if "database or disk is full" in text or "disk is full" in text:
        return BadInput.one(str(path), "could not be saved: the disk is full. Nothing was "
                                       "changed; free some space and try again.")
    if "readonly" in text or "read-only" in text:
        return BadInput.one(str(path), "is read-only (the file or its folder cannot be "
                                       "written). Nothing was changed.")
    if "unable to open" in text or "disk i/o error" in text:
        return BadInput.one(str(path), "could not be read or written (the disk or folder "
                                       "refused). Nothing was changed.")
    return None


def os_problem(path: str | Path, exc: OSError) -> BadInput:
    """An operating-system refusal as one plain sentence naming the path."""
    if atomic.disk_reason(exc):
        return atomic.disk_error(exc, path, "could not be read or written")
    why = exc.strerror or "the system refused"
    return BadInput.one(str(path), f"could not be read or written ({why}). Nothing was "
                                   "changed.")


def sqlite_problem(path: str | Path, exc: Exception) -> Exception:
    """A raw sqlite3 error as a sentence where it is about the file; else unchanged."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return FileBusy.one(str(path), "is busy: another window or computer is saving to it. "
                                       "Nothing was changed; try again in a moment.")
    said = environment_problem(path, text)
    return said if said is not None else exc


# ---- is it whole -----------------------------------------------------------------------

def file_identity(path: str | Path) -> tuple[int, int]:
    """(application_id, user_version) of a SQLite file, or BadInput if it is not one."""
    p = Path(path)
    if p.is_dir():
        raise BadInput.one(str(p), "is a folder, not an evaluation file")
    if not p.exists():
        raise BadInput.one(str(p), "no such file")
    try:
        with open(p, "rb") as fh:
            head = fh.read(100)
    except PermissionError:
        raise BadInput.one(str(p), "cannot be opened: you do not have permission to read "
                                   "it") from None
    except OSError as exc:
        raise os_problem(p, exc) from None
    if len(head) < 100 or not head.startswith(HEADER):
        raise BadInput.one(str(p), "is not a ProcureDesk evaluation file (not SQLite)")
    app_id = int.from_bytes(head[68:72], "big")
    version = int.from_bytes(head[60:64], "big")
    return app_id, version


FULL_CHECK_UP_TO = 64 << 20  # bytes: larger files get the quicker check


def check_intact(path: Path) -> None:
    """Refuse a file SQLite finds damaged (page structure, rows, indexes).

    `integrity_check` also matches every index to its rows: 45 ms on the large
    benchmark evaluation (4.7 MB). Above FULL_CHECK_UP_TO the open-time budget
    calls for `quick_check`, which reads each page once without the index match.
    """
    try:
        # read-write, so that a journal left by a crash is rolled back first, as any
        # later connection would; nothing else is written
        con = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise sqlite_problem(path, exc) from None
    try:
        con.execute(f"PRAGMA busy_timeout = {int(_busy_seconds() * 1000)}")
        check = "integrity_check" if path.stat().st_size <= FULL_CHECK_UP_TO else "quick_check"
        rows = con.execute(f"PRAGMA {check}").fetchall()
        # the size SQLite expects from the header against the real size: a file cut
        # short at a page boundary passes quick_check on the pages it still has
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    except sqlite3.Error as exc:
        raise sqlite_problem(path, exc) from None
    finally:
        con.close()
    if rows != [("ok",)] or path.stat().st_size < pages * size:
        raise damage_problem(path)


# ---- putting a new file in place ----------------------------------------------------------

def replace_file(tmp: Path, target: Path) -> None:
    """Put a finished new file onto `target`, which may exist (an overwrite).

    A target some other process has open is refused. Whatever journal the old file
    left (after a crash) is dealt with first: SQLite would otherwise play the old
    file's journal into the new one on its next open and corrupt it.
    """
    if target.exists():
        _take_over(target)
    for suffix in SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{target}{suffix}")
    try:
        os.replace(tmp, target)
    except OSError as exc:
        raise os_problem(target, exc) from None
    atomic.fsync_folder(target.parent)


def _take_over(target: Path) -> None:
    """Make sure nobody else has `target` open; roll back any journal the old file left."""
    try:
        con = sqlite3.connect(target, isolation_level=None, timeout=0.2)
    except sqlite3.Error:
        return  # not a database we can open: nothing can be playing into it
    try:
        con.execute("BEGIN EXCLUSIVE")  # rolls a hot journal back into the OLD file
        con.execute("ROLLBACK")
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise BadInput.one(str(target), "is open in another window or program: close it "
                                            "there first. Nothing was changed.") from None
    finally:
        con.close()


def remove_leftovers(path: Path) -> None:
    """A failed new file and its side files, so nothing half-made is left behind."""
    for p in (str(path), *(f"{path}{s}" for s in SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(p)


# ---- copies ------------------------------------------------------------------------------

def backup(src: str | Path, dest: str | Path) -> None:
    """A consistent copy of an evaluation file, even while it is open (SQLite backup API),
    written beside `dest` and renamed into place."""
    dest = Path(dest)
    atomic.sweep(dest.parent)
    tmp = atomic.part_path(dest)
    try:
        source = sqlite3.connect(src, isolation_level=None, timeout=_busy_seconds())
        try:
            # Hold a read lock first: the backup API itself retries a locked file
            # for ever, where this waits a few seconds and then says "busy".
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)
            finally:
                target.close()
            source.execute("COMMIT")
        finally:
            source.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        replace_file(tmp, dest)
    except sqlite3.Error as exc:
        remove_leftovers(tmp)
        raise sqlite_problem(dest, exc) from None
    except OSError as exc:
        remove_leftovers(tmp)
        raise os_problem(dest, exc) from None
    except BaseException:
        remove_leftovers(tmp)
        raise


def backups_folder(path: Path) -> Path:
    """Where the copies of one evaluation file are kept, in the user's data folder."""
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    return user_data_folder() / "backups" / f"{path.stem[:40]}-{key}"


def keep_backup(path: Path) -> Path:
    """Copy the file as it is now into its backups folder; keep the newest few."""
    folder = backups_folder(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_problem(folder, exc) from None
    stamp = time.strftime("%Y-%m-%d %H%M%S")
    dest = folder / f"{path.stem[:40]} {stamp}{path.suffix or '.pdesk'}"
    n = 2
    while dest.exists():
        dest = folder / f"{path.stem[:40]} {stamp}-{n}{path.suffix or '.pdesk'}"
        n += 1
    backup(path, dest)
    for old in _backups(folder)[KEEP_BACKUPS:]:
        with contextlib.suppress(OSError):
            old.unlink()
    return dest


def _backups(folder: Path) -> list[Path]:
    """Copies in a backups folder, newest first."""
    try:
        found = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except OSError:
        return []
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def latest_backup(path: Path) -> Path | None:
    copies = _backups(backups_folder(path))
    return copies[0] if copies else None
