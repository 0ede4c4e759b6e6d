"""Exports onto a disk that refuses: full, read-only, without permission, or busy.

Each command runs as the user runs it (`python -m procure_desk ...`) in a child
process whose file size limit (RLIMIT_FSIZE) makes every write past it fail
with EFBIG, as a full disk does: Python ignores SIGXFSZ, so the write raises.
The command must exit 2 with one plain sentence naming the file, leave no
temporary file, and leave the target absent or, with --force, as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from final_docs import final_example
from summary_docs import ready_to_issue
from test_export_xlsx import make_file

from procure_desk.cli import main
from procure_desk.services import EvaluationFile

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 1024  # bytes: smaller than any of the exports of the example evaluation


def run(args: list[str], *, limit: int | None = None, wrap: list[str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """`python -m procure_desk ARGS` in a child process, its file size capped at `limit`."""
    cap = None
    if limit is not None:
        resource = pytest.importorskip("resource", reason="file size limits are POSIX")

        def cap() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PROCURE_DESK_USER="tester")
    env.pop("PROCURE_DESK_DEBUG", None)
    return subprocess.run([*(wrap or []), sys.executable, "-m", "procure_desk", *args],
                          preexec_fn=cap, capture_output=True, text=True, timeout=180,
                          cwd=ROOT, env=env)


def refused_plainly(r: subprocess.CompletedProcess[str], where: Path, reason: str) -> None:
    """Exit 2 and one line naming `where` and why: no traceback, no library or SQL text."""
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(where) in lines[0]
    assert reason in lines[0]
    for leak in ("Traceback", "openpyxl", "lxml", "reportlab", "Serialisation", "Errno",
                 "sqlite", "SQL", "internal error"):
        assert leak not in r.stderr


def files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Each file's name, inode and content: a file replaced by a copy has a new inode."""
    return {p.name: (p.stat().st_ino, p.read_bytes()) for p in folder.iterdir()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.part*")) if folder.exists() else []


@pytest.fixture
def pdesk(tmp_path, example_doc) -> Path:
    """The example, final and ready to issue (a competitive tender with feedback, award
    details and an ocid prefix): every export would succeed but for the disk."""
    return make_file(tmp_path, ready_to_issue(final_example(example_doc)), "ready.pdesk")


# (command line after the evaluation file, what is written, the file named in the message)
EXPORTS = {
    "xlsx": (["--xlsx", "{out}/pack.xlsx"], "pack.xlsx", "pack.xlsx"),
    "pdf": (["--pdf", "{out}/report.pdf"], "report.pdf", "report.pdf"),
    "summaries": (["--summaries", "{out}/summaries"], "summaries", "summaries"),
    "ocds": (["--ocds", "{out}/release.json"], "release.json", "release.json"),
}


def export_args(kind: str, pdesk: Path, out: Path) -> list[str]:
    options, _, _ = EXPORTS[kind]
    return ["export", str(pdesk), *[o.format(out=out) for o in options]]


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_a_full_disk_refuses_the_export_plainly_and_leaves_nothing(kind, pdesk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    r = run(export_args(kind, pdesk, out), limit=LIMIT)
    _, written, named = EXPORTS[kind]
    refused_plainly(r, out / named, "could not be saved because the file would be larger")
    assert not (out / written).exists()
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("kind", ["xlsx", "pdf", "ocds"])
def test_a_full_disk_leaves_the_file_it_would_have_replaced(kind, pdesk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _, written, _ = EXPORTS[kind]
    (out / written).write_bytes(b"the earlier export")
    r = run([*export_args(kind, pdesk, out), "--force"], limit=LIMIT)
    refused_plainly(r, out / written, "the file would be larger")
    assert (out / written).read_bytes() == b"the earlier export"
    assert leftovers(out) == []


def test_a_full_disk_leaves_earlier_summaries_as_they_were(pdesk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert main(export_args("summaries", pdesk, out)) == 0
    before = files(out / "summaries")
    r = run([*export_args("summaries", pdesk, out), "--force"], limit=LIMIT)
    refused_plainly(r, out / "summaries", "the file would be larger")
    assert files(out / "summaries") == before


def test_a_full_disk_refuses_the_interchange_file(pdesk, tmp_path):
    target = tmp_path / "out.json"
    r = run(["export-json", str(pdesk), str(target)], limit=LIMIT)
    refused_plainly(r, target, "the file would be larger")
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_a_full_disk_refuses_a_new_evaluation_file(tmp_path):
    target = tmp_path / "new.pdesk"
    r = run(["import-json", str(ROOT / "sample_bids" / "harrowmere.json"), str(target)],
            limit=64 * 1024)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert str(target) in r.stderr
    assert "Traceback" not in r.stderr
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_a_full_disk_refuses_the_bid_template(tmp_path):
    target = tmp_path / "template.xlsx"
    r = run(["bid-template", str(target)], limit=LIMIT)
    refused_plainly(r, target, "the file would be larger")
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_refuses_scoring_sheets_and_records_no_export(pdesk, tmp_path):
    assert main(["scoring-sheets", str(pdesk), str(tmp_path / "first")]) == 0  # names the file
    target = tmp_path / "sheets"
    r = run(["scoring-sheets", str(pdesk), str(target)], limit=LIMIT)
    refused_plainly(r, target, "the file would be larger")
    assert not target.exists()  # the folder it made is gone again
    with EvaluationFile.open(pdesk) as ef:
        assert len(ef.audit(text="export.scoring_sheets")) == 1  # the first one only


# ---- read-only and forbidden folders -----------------------------------------------

def read_only_wrapper(folder: Path) -> list[str]:
    """A command prefix that runs the command with `folder` mounted read-only, in a mount
    namespace of its own (so even root cannot write there, and nothing outside changes)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    wrap = [unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
            'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && shift && exec "$@"',
            str(folder), "_"]
    probe = subprocess.run([*wrap, "sh", "-c", f'! touch "{folder}/probe" 2>/dev/null'],
                           capture_output=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip("this system does not allow a read-only mount in a user namespace")
    return wrap


@pytest.mark.parametrize("kind", ["xlsx", "pdf", "summaries", "ocds"])
def test_a_read_only_folder_refuses_the_export_plainly(kind, pdesk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _, _, named = EXPORTS[kind]
    r = run(export_args(kind, pdesk, out), wrap=read_only_wrapper(out))
    refused_plainly(r, out / named, "because the folder is read-only")
    assert list(out.iterdir()) == []


def test_a_read_only_folder_refuses_scoring_sheets_and_records_no_export(pdesk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    r = run(["scoring-sheets", str(pdesk), str(out)], wrap=read_only_wrapper(out))
    refused_plainly(r, out, "because the folder is read-only")
    assert list(out.iterdir()) == []
    with EvaluationFile.open(pdesk) as ef:
        assert ef.audit(text="export.scoring_sheets") == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into a folder whatever its permissions say")
def test_a_folder_without_write_permission_refuses_plainly(pdesk, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert main(export_args("xlsx", pdesk, out)) == 2
    finally:
        out.chmod(0o755)
    err = capsys.readouterr().err
    assert f"{out / 'pack.xlsx'}: could not be saved because you do not have permission" in err
    assert list(out.iterdir()) == []


# ---- a run killed mid-write --------------------------------------------------------

KILLED_MID_WRITE = """
import os, signal, sys
from procure_desk import atomic
with atomic.writing(sys.argv[1]) as tmp:
    tmp.write_bytes(b"half a workbook")
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_next_export_removes_what_a_killed_run_left(pdesk, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(out / "pack.xlsx")],
                            capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    (left,) = leftovers(out)  # what a killed run leaves: its temporary file, not the target
    assert left.startswith(".pack.xlsx.")
    assert not (out / "pack.xlsx").exists()
    (out / ".report.pdf.99999999.part").write_bytes(b"from an earlier version")

    assert main(export_args("pdf", pdesk, out)) == 0
    assert leftovers(out) == []
    assert sorted(p.name for p in out.iterdir()) == ["report.pdf"]


# ---- a busy evaluation file --------------------------------------------------------

@pytest.mark.parametrize("force", [False, True])
def test_scoring_sheets_for_a_busy_file_leave_no_sheet_and_say_so(pdesk, tmp_path, capsys,
                                                                 force):
    sheets = tmp_path / "sheets"
    assert main(["scoring-sheets", str(pdesk), str(sheets)]) == 0
    before = files(sheets)
    target = sheets if force else tmp_path / "more"
    holder = sqlite3.connect(pdesk, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program is saving to it
    try:
        capsys.readouterr()
        rc = main(["scoring-sheets", str(pdesk), str(target), *(["--force"] if force else [])])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert rc == 2
    err = capsys.readouterr().err
    assert f"{pdesk}: is busy" in err
    assert files(sheets) == before  # the very same files: none was replaced
    assert not (tmp_path / "more").exists()
    assert leftovers(tmp_path) == []
    with EvaluationFile.open(pdesk) as ef:
        assert len(ef.audit(text="export.scoring_sheets")) == 1
