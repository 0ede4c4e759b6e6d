"""Writing files so that each is whole or absent: the one way the program writes one.

    with atomic.writing(target, force=force) as tmp:
        workbook.save(tmp)            # anything that writes to a path

    atomic.write_text(target, text)   # or write_bytes / copy_file

The body writes a temporary file in the target's own folder
(`.NAME.PID.HOST.N.part`); when it succeeds the file is flushed to the disk,
renamed onto the target in one step (`os.replace`) and the folder is synced, so
a crash, a cancel or a full disk never leaves half a file under the target's
name. On any failure the temporary file is removed. Without `force` an
existing target is refused, before any work and again just before the rename.

Several files that belong together (the assessment summaries, the scoring
sheets) go through one `Batch`: every file is built first, then all are renamed
into place; if one rename fails, or the work after `commit()` inside the batch
does (recording the export in the audit log), the files already placed are
taken back and the ones they replaced restored.

A disk that refuses (full, over quota, read-only, no permission) becomes
`BadInput` naming the target in one plain sentence. A run killed mid-write
leaves its `.part` file behind: the next write into that folder, or `sweep`,
removes it once its process is gone.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import itertools
import os
import re
import shutil
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from .errors import BadInput, Cancelled, Problem

__all__ = ["Batch", "copy_file", "disk_error", "fsync_folder", "make_folder", "part_path",
           "save_buffered", "sweep", "write_bytes", "write_text", "writing"]

_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]
_COUNTER = itertools.count(1)
# `.NAME.PID.HOST.N.part`, or `.NAME.PID.part` as earlier versions named them (only for
# names of the kinds of file the program writes: a user's own `.notes.2024.part` stays),
# with the journal SQLite may leave beside a database being written
_PART = re.compile(r"^\.(?P<name>.+?)\.(?P<pid>\d+)(?:\.(?P<host>[0-9a-f]{6})\.\d+)?"
                   r"\.part(?:-journal|-wal|-shm)?$")
_OUR_KINDS = (".pdesk", ".xlsx", ".pdf", ".json", ".csv")

# The ways a disk refuses a write, in words; any other OSError is a fault, not the disk.
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EFBIG: "the file would be larger than this disk or the system allows",
    errno.EROFS: "the folder is read-only",
    errno.EACCES: "you do not have permission to write here",
    errno.EPERM: "you do not have permission to write here",
    errno.ENAMETOOLONG: "the name is too long for this disk",
    errno.EIO: "the disk reported an input/output error",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "your disk quota is used up"


def part_path(target: Path) -> Path:
    """A fresh temporary name beside `target`, recognisable by `sweep`."""
    return target.with_name(f".{target.name}.{os.getpid()}.{_HOST}.{next(_COUNTER)}.part")


@contextlib.contextmanager
def writing(target: str | Path, *, force: bool = False) -> Iterator[Path]:
    """A temporary path beside `target`, renamed onto it only if the block succeeds."""
    t = Path(target)
    with Batch([t], force=force, undoable=False) as batch:
        yield batch.part(t)
        batch.commit()


def write_text(target: str | Path, text: str, *, force: bool = False,
               encoding: str = "utf-8") -> Path:
    """`text` as the whole content of `target`, atomically."""
    return write_bytes(target, text.encode(encoding), force=force)


def write_bytes(target: str | Path, data: bytes, *, force: bool = False) -> Path:
    """`data` as the whole content of `target`, atomically."""
    with writing(target, force=force) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def copy_file(source: str | Path, target: str | Path, *, force: bool = False) -> Path:
    """A copy of `source` at `target`, atomically."""
    with writing(target, force=force) as tmp:
        shutil.copyfile(source, tmp)
    return Path(target)


def save_buffered(path: str | Path, save: Callable[[IO[bytes]], object]) -> None:
    """Let `save` write into memory, then put the bytes in `path` (a temporary path).

    For libraries that write a zip (openpyxl): when the disk refuses midway they leave
    the archive open, and its clean-up later prints an error of its own. In memory the
    library always finishes; the one write to the disk is ours, and fails plainly.
    """
    buffer = io.BytesIO()
    save(buffer)
    with open(path, "wb") as fh:
        fh.write(buffer.getbuffer())


def make_folder(folder: str | Path) -> bool:
    """Create `folder` (and its parents) if absent; True if this call made it."""
    f = Path(folder)
    if f.is_dir():
        return False
    if f.exists():
        raise BadInput.one(str(f), "is a file, not a folder")
    try:
        f.mkdir(parents=True)
    except FileExistsError:
        return False
    except OSError as exc:
        if disk_reason(exc):
            raise disk_error(exc, f, "could not be created") from None
        raise BadInput.one(str(f), f"could not be created ({exc.strerror})") from None
    return True


def sweep(folder: str | Path) -> int:
    """Remove temporary files left in `folder` by runs on this computer that were killed.

    A `.part` file is left alone while its process is running (it may be writing
    now) and when another computer made it (a shared folder). Returns how many
    were removed; a folder that cannot be read is left as it is.
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        m = _PART.match(entry.name)
        if not m or m["host"] not in (None, _HOST):
            continue
        if m["host"] is None and not m["name"].lower().endswith(_OUR_KINDS):
            continue
        pid = int(m["pid"])
        if pid == os.getpid() or _running(pid):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed += 1
        except OSError:
            pass
    return removed


def _running(pid: int) -> bool:
    """Whether a process with this id is running on this computer."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill would end it there
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        try:
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        finally:
            kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process
    return True


def disk_error(exc: BaseException, where: str | Path, doing: str = "could not be saved"
               ) -> BadInput:
    """The plain sentence for a disk that refused: "OUT: could not be saved because the
    disk is full"."""
    reason = disk_reason(exc) or "the disk refused to write it"
    return BadInput([Problem(str(where), f"{doing} because {reason}")])


def disk_reason(exc: BaseException) -> str | None:
    """Why a write failed, in words, if `exc` (or what caused it) is the disk refusing.

    lxml, under openpyxl, reports a failed write as `SerialisationError("IO_ENOSPC")`.
    """
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno is not None:
            return _REASONS.get(e.errno)
        m = re.fullmatch(r"IO_(E[A-Z]+)", str(e))
        if m and type(e).__module__.startswith("lxml"):
            code = getattr(errno, m[1], None)
            return _REASONS.get(code) if code is not None else None
        e = e.__cause__ or e.__context__
    return None


class Batch:
    """Files written together: each built under a temporary name, then all renamed into
    place by `commit`, or none.

        with Batch(targets, force=force) as batch:
            for t in targets:
                build(batch.part(t))
            with ef.recording(...):     # optional: more work that must succeed too
                batch.commit()

    Leaving the block by an exception removes every temporary file and, if
    `commit` had run, takes the placed files back (restoring what they replaced,
    unless `undoable=False`). Folders the batch created (`make_folders`) and left
    empty are removed again.
    """

    def __init__(self, targets: Iterable[str | Path], *, force: bool = False,
                 make_folders: bool = False, undoable: bool = True) -> None:
        self.targets = [Path(t) for t in targets]
        self.force = force
        self.make_folders = make_folders
        self.undoable = undoable
        self._parts: dict[Path, Path] = {}
        self._placed: list[tuple[Path, Path | None]] = []  # (target, its old content)
        self._made: list[Path] = []
        self._current: Path | None = None
        self._committed = False

    # ---- the block ---------------------------------------------------------------
    def __enter__(self) -> Batch:
        self._check()
        try:
            for folder in dict.fromkeys(t.parent for t in self.targets):
                if self.make_folders:
                    missing = [p for p in (folder, *folder.parents) if not p.exists()]
                    if make_folder(folder):
                        self._made += missing  # deepest first
                sweep(folder)
        except BaseException:
            self._remove_made_folders()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if exc is not None and self._committed:
                self._undo()
            elif exc is None:
                self._drop_backups()
        finally:
            for tmp in self._parts.values():
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
            if exc is not None:
                self._remove_made_folders()
        if (isinstance(exc, Exception) and not isinstance(exc, BadInput | Cancelled)
                and disk_reason(exc)):
            where = self._current or (self.targets[0] if self.targets else Path("."))
            raise disk_error(exc, where) from None

    def part(self, target: str | Path) -> Path:
        """The temporary path to write `target`'s content to."""
        t = Path(target)
        if t not in self._parts:
            self._parts[t] = part_path(t)
        self._current = t
        return self._parts[t]

    def commit(self) -> None:
        """Sync every temporary file to the disk, then rename each onto its target."""
        missing = [t for t in self.targets if t not in self._parts or not self._parts[t].exists()]
        if missing:
            raise RuntimeError(f"nothing was written for {missing[0]}")
        for t in self.targets:
            self._current = t
            _fsync(self._parts[t])
        if not self.force:
            self._refuse_existing()
        self._committed = True
        try:
            for t in self.targets:
                self._current = t
                existed = t.exists()
                old = self._keep(t) if self.undoable and existed else None
                os.replace(self._parts[t], t)
                if old is not None or not existed:  # what `_undo` can take back
                    self._placed.append((t, old))
        except BaseException as exc:
            self._undo()
            self._committed = False
            if isinstance(exc, PermissionError):  # the folder took the temporary file
                raise BadInput.one(str(self._current), "could not be replaced because it is "
                                   "open in another program or protected: close it and "
                                   "try again") from None
            raise
        for folder in dict.fromkeys(t.parent for t in self.targets):
            fsync_folder(folder)

    # ---- helpers -----------------------------------------------------------------
    def _check(self) -> None:
        problems = []
        for t in self.targets:
            if t.is_dir():
                problems.append(Problem(str(t), "is a folder, not a file"))
            elif not self.make_folders and not t.parent.is_dir():
                problems.append(Problem(str(t), "its folder does not exist"))
        if problems:
            raise BadInput(problems)
        if not self.force:
            self._refuse_existing()

    def _refuse_existing(self) -> None:
        clash = [str(t) for t in self.targets if t.exists()]
        if clash:
            raise BadInput([Problem(p, "already exists (use --force to overwrite)")
                            for p in clash])

    def _keep(self, target: Path) -> Path:
        """A second name for the file about to be replaced, to restore it on failure."""
        keep = part_path(target)
        self._parts[keep] = keep  # removed with the temporary files
        try:
            os.link(target, keep)
        except OSError:  # no hard links here (FAT, some network drives): copy it
            shutil.copy2(target, keep)
        return keep

    def _undo(self) -> None:
        for target, old in reversed(self._placed):
            with contextlib.suppress(OSError):
                if old is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(old, target)
        self._placed = []

    def _drop_backups(self) -> None:
        self._placed = []

    def _remove_made_folders(self) -> None:
        for folder in self._made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty
        self._made = []


def _fsync(path: Path) -> None:
    """Make the file's content durable before it takes the target's name."""
    flags = os.O_RDWR if sys.platform == "win32" else os.O_RDONLY
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows cannot open a folder for this)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network file systems refuse; the rename itself is done
    finally:
        os.close(fd)
