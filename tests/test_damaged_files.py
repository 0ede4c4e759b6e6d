"""Damaged, foreign and unreadable files: exit 2, one plain sentence, the file untouched.

Each case is run through the command line as a user would meet it (`results`,
and an edit where it matters), never through private helpers.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from procure_desk.cli import main
from procure_desk.services import EvaluationFile

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def good(tmp_path, example_doc) -> Path:
    path = tmp_path / "tender.pdesk"
    EvaluationFile.create(path, example_doc, actor="tester").close()
    return path


def refused(capsys, *argv: str) -> str:
    """Run a command that must refuse: exit 2 and one plain sentence on stderr."""
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for leak in ("Traceback", "Error", "sqlite3", "sqlalchemy", "SELECT", "http",
                 "internal error"):
        assert leak not in err, err
    return lines[0]


def page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def cut_sizes(n: int, ps: int) -> list[int]:
    return sorted({0, 1, 50, 99, 100, 101, ps // 2, ps, ps + 1, 2 * ps, n // 2, n - ps,
                   n - 1} - {n})


def test_truncated_files_are_refused_at_every_size(tmp_path, good, capsys):
    data = good.read_bytes()
    sizes = cut_sizes(len(data), page_size(data))
    assert len(sizes) >= 12
    for size in sizes:
        path = tmp_path / f"cut-{size}.pdesk"
        path.write_bytes(data[:size])
        line = refused(capsys, "results", str(path))
        assert line.startswith(f"procure-desk: {path}: ")
        assert ("damaged" in line) or ("not a ProcureDesk evaluation file" in line), line
        assert path.read_bytes() == data[:size]


@pytest.mark.parametrize("page", [1, 2, 5, -3, -1])
def test_flipped_bytes_are_refused_untouched(tmp_path, good, capsys, page):
    data = bytearray(good.read_bytes())
    ps = page_size(bytes(data))
    pages = len(data) // ps
    start = (page % pages) * ps
    for k in range(8):  # the page's header: its kind, free blocks and cell count
        data[start + k] ^= 0xFF
    path = tmp_path / "flipped.pdesk"
    path.write_bytes(bytes(data))
    line = refused(capsys, "results", str(path))
    assert "is damaged and cannot be read" in line
    assert path.read_bytes() == bytes(data)


def test_an_index_that_disagrees_with_its_rows_is_refused(tmp_path, good, capsys):
    # A file that passes the page-level check but fails SQLite's integrity check:
    # the index over bid positions no longer matches the bid rows.
    con = sqlite3.connect(good)
    index = con.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                        "AND tbl_name = 'bid' AND sql IS NOT NULL").fetchone()[0]
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = replace(sql, '(position)', '(supplier)') "
                "WHERE name = ?", (index,))
    con.commit()
    con.close()
    before = good.read_bytes()
    line = refused(capsys, "results", str(good))
    assert "is damaged and cannot be read" in line
    assert good.read_bytes() == before


def test_a_lost_format_version_is_refused_untouched(good, capsys):
    con = sqlite3.connect(good)
    con.execute("PRAGMA user_version = 0")
    con.close()
    before = good.read_bytes()
    line = refused(capsys, "results", str(good))
    assert "is damaged" in line
    assert good.read_bytes() == before


def test_text_that_no_longer_decodes_is_refused_without_quoting_it(good, capsys):
    con = sqlite3.connect(good)
    con.execute("UPDATE bid SET supplier = CAST(X'FFFE41C3' AS TEXT) WHERE position = 0")
    con.commit()
    con.close()
    before = good.read_bytes()
    line = refused(capsys, "results", str(good))
    assert "is damaged and cannot be read" in line
    assert "\\x" not in line
    assert "\ufffd" not in line
    assert good.read_bytes() == before


@pytest.fixture
def open_folder():
    """A folder every user can reach (pytest's own temporary folders are private)."""
    folder = Path(tempfile.mkdtemp(prefix="procure-desk-perm-"))
    folder.chmod(0o755)
    yield folder
    for p in folder.iterdir():
        p.chmod(0o644)
    shutil.rmtree(folder)


def test_a_file_without_read_permission_is_refused(open_folder, good):
    locked = open_folder / "locked.pdesk"
    locked.write_bytes(good.read_bytes())
    locked.chmod(0)
    command = [sys.executable, "-m", "procure_desk", "results", str(locked)]
    if os.geteuid() == 0:  # a mode stops root only without its power to override it
        assert shutil.which("setpriv"), "setpriv (util-linux) is needed as root"
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", *command]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (f"procure-desk: {locked}: cannot be opened: you do not "
                                   "have permission to read it")
    locked.chmod(0o644)
    assert locked.read_bytes() == good.read_bytes()


def test_a_damaged_file_names_the_latest_good_copy(tmp_path, good, capsys, user_data):
    # An edit keeps a copy of the file as it was before the session's first change.
    with EvaluationFile.open(good) as ef:
        ef.set_score("tester", "E1", "B2", "Q1", 5)
        kept = ef.backup
    assert kept is not None
    assert kept.is_relative_to(user_data)
    with EvaluationFile.open(kept) as copy:  # the copy is a whole evaluation
        assert copy.document()["bids"]
    data = bytearray(good.read_bytes())
    data[page_size(bytes(data)) * 2: page_size(bytes(data)) * 2 + 8] = b"\xff" * 8
    good.write_bytes(bytes(data))
    line = refused(capsys, "results", str(good))
    assert f"the latest good copy is {kept}" in line
