"""What every benchmark shares: result rows, the run context and a measured subprocess."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
PROCESS_TIMEOUT_S = 300.0


class BenchmarkError(Exception):
    """A measure could not be taken (as opposed to a target being missed)."""


@dataclass
class Row:
    """One measured figure. `target` is an upper limit in `unit`; None for information."""

    name: str
    value: float | str | None
    unit: str = ""
    target: float | None = None
    ok: bool | None = None
    note: str = ""

    @classmethod
    def limit(cls, name: str, value: float, unit: str, target: float, note: str = "") -> Row:
        return cls(name, value, unit, target, value <= target, note)

    @classmethod
    def info(cls, name: str, value: float | str | None, unit: str = "", note: str = "") -> Row:
        return cls(name, value, unit, None, None, note)


@dataclass
class Context:
    """The generated input, shared by all benchmarks of one run."""

    workdir: Path
    input_json: Path
    doc: dict[str, Any]
    env: dict[str, str] = field(default_factory=dict)
    imported: Path | None = None  # a .pdesk file built by import-json, once one exists

    def procure_desk(self, *args: str | Path) -> list[str]:
        return [sys.executable, "-m", "procure_desk", *(str(a) for a in args)]

    def imported_file(self) -> Path:
        """A .pdesk file of the input; runs import-json once if no benchmark has yet."""
        if self.imported is None or not self.imported.exists():
            out = self.workdir / "shared.pdesk"
            remove_outputs(out)
            run = run_measured(self.procure_desk("import-json", self.input_json, out), self)
            run.check("import-json")
            if not out.exists():
                raise BenchmarkError(f"import-json exited 0 but did not write {out.name}")
            self.imported = out
        return self.imported


Benchmark = Callable[[Context], Sequence[Row]]


@dataclass
class ProcessRun:
    args: list[str]
    seconds: float
    max_rss_mb: float | None  # None where the platform cannot tell (no os.wait4)
    returncode: int
    stdout: str
    stderr: str

    def check(self, what: str) -> None:
        if self.returncode != 0:
            tail = "\n".join(self.stderr.strip().splitlines()[-6:]) or "(no stderr)"
            raise BenchmarkError(f"{what} exited with status {self.returncode}: {tail}")


# A forked child's peak RSS counts the pages of the parent it was forked from (here,
# the benchmark with its large document in memory). A small Python in between starts
# the command and reports the command's own peak, so the figure is the command's.
_SMALL_PARENT = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'peak-rss-kb {kb // 1024 if sys.platform == \"darwin\" else kb}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_measured(args: list[str], ctx: Context, timeout: float = PROCESS_TIMEOUT_S) -> ProcessRun:
    """Run args to completion; wall time and the command's own peak RSS.

    The command runs under a small Python parent (see _SMALL_PARENT) that reports
    its peak memory on stderr. Output goes to temporary files so a chatty child
    cannot block on a full pipe.
    """
    env = {**os.environ, **ctx.env}
    wrapped = [sys.executable, "-c", _SMALL_PARENT, *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            wrapped, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=REPO_ROOT, env=env,
            start_new_session=True,  # its own process group: a timeout stops the command too
        )
        try:
            returncode: int | None = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            returncode = None
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if returncode is None:
        raise BenchmarkError(f"{' '.join(args[2:])} timed out after {timeout:g} s")
    rss: float | None = None
    kept = []
    for line in stderr.splitlines():
        if line.startswith("peak-rss-kb "):
            rss = int(line.split()[1]) / 1024
        else:
            kept.append(line)
    return ProcessRun(args, seconds, rss, returncode, stdout, "\n".join(kept))


def remove_outputs(path: Path) -> None:
    """Remove path and its side files (journal, WAL) so a command may write it anew."""
    for p in path.parent.glob(path.name + "*"):
        if p.is_file():
            p.unlink()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def parse_json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"expected one JSON object, got {type(value).__name__}")
    return value
