"""Team mode under load (docs/team-mode.md): a board scoring at once on one server.

- eight evaluator clients (processes, each its own database login) each entering
  600 scores at once on a PostgreSQL server on loopback (a unix socket): every
  score saved, audited and chained (`verify` of the whole record afterwards), and
  the per-edit latency's p50 and p95 (goal: p95 <= 50 ms);
- the same load on one SQLite file with two writers (two windows), for comparison:
  there a writer's edit is refused whenever the other saved since it read, and is
  made again after reading the file afresh (the refusals are counted);
- `results --json` of the large evaluation on the server against the file (goal:
  within 1.5x; read with psycopg alone, as the file is with sqlite3 alone), and as
  one evaluator (only the rows the server lets them read);
- where the eight clients' time goes: a sampler reads `pg_stat_activity` every few
  milliseconds during the load and counts, for the clients' server sessions, the
  samples waiting on a row lock (the audit chain's head row: every edit's append
  takes it), working on the server's CPU, waiting for the client inside a
  transaction (the client's Python between its statements while it holds the
  lock), and idle between edits (the client computing before or after a transaction).

The server is a throwaway one started by the tests' own helper (tests/pg_server.py);
without PostgreSQL installed the benchmark says so and is not measured.
`PROCURE_DESK_BENCH_TEAM_EDITS` sets the scores per client (default 600).
"""

from __future__ import annotations

import importlib.util
import multiprocessing as mp
import os
import queue
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

from .core import REPO_ROOT, BenchmarkError, Context, Row, run_measured

CLIENTS = 8
EDITS = int(os.environ.get("PROCURE_DESK_BENCH_TEAM_EDITS", "600"))
SQLITE_WRITERS = 2
P95_TARGET_MS = 50.0
RESULTS_RATIO = 1.5


def _pg_helper() -> Any:
    spec = importlib.util.spec_from_file_location("pg_server",
                                                  REPO_ROOT / "tests" / "pg_server.py")
    if spec is None or spec.loader is None:
        raise BenchmarkError("tests/pg_server.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules["pg_server"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def _cells(doc: dict[str, Any], eid: str, n: int) -> list[tuple[str, str]]:
    """`n` (bid, criterion) cells evaluator `eid` may score, in a fixed order."""
    ev = next(e for e in doc["evaluators"] if e["id"] == eid)
    scored = [c["id"] for c in doc["criteria"] if c["kind"] == "scored"]
    cells = [(b["id"], c) for b in doc["bids"] if b["id"] not in ev["conflicts"]
             for c in scored]
    if len(cells) < n:
        raise BenchmarkError(f"{eid} has only {len(cells)} cells to score")
    return cells[:n]


def _client(address: str, eid: str, cells: list[tuple[str, str]], step: float,
            start: Any, out: Any, tag: str = "bench") -> None:
    """One member: enter a score in each cell as fast as the service takes them."""
    import time

    from procure_desk.errors import FileBusy
    from procure_desk.services import ChangedElsewhere, EvaluationFile

    latencies: list[float] = []
    refused = 0
    with EvaluationFile.open(address) as ef:
        ef.document()
        start.wait()
        began = time.perf_counter()
        for n, (bid, cid) in enumerate(cells):
            value = (n % 3) * step
            t0 = time.perf_counter()  # from the keystroke to saved, tries again included
            while True:
                try:
                    ef.set_score(eid, eid, bid, cid, value, f"{tag} {n}")
                except (ChangedElsewhere, FileBusy):
                    refused += 1  # the other writer saved first, or is saving: again
                    continue
                latencies.append((time.perf_counter() - t0) * 1000)
                break
    out.put((eid, latencies, refused, time.perf_counter() - began))


def _load(addresses: dict[str, str], doc: dict[str, Any], tag: str = "bench"
          ) -> tuple[list[float], int, float]:
    """Every client at once: all latencies (ms), how many edits were refused, and the
    edits saved per second by all the clients together."""
    step = float(doc["evaluation"]["scale"]["step"])
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(len(addresses))
    out = ctx.Queue()
    procs = [ctx.Process(target=_client,
                         args=(url, eid, _cells(doc, eid, EDITS), step, start, out, tag))
             for eid, url in addresses.items()]
    for p in procs:
        p.start()
    got: list[Any] = []
    while len(got) < len(procs):
        try:
            got.append(out.get(timeout=5))
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                for p in procs:
                    p.kill()
                raise BenchmarkError("a client failed: see its error above") from None
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise BenchmarkError(f"a client failed (exit status {p.exitcode})")
    rate = sum(len(lat) for _, lat, _, _ in got) / max(s for *_, s in got)
    return [ms for _, lat, _, _ in got for ms in lat], sum(r for _, _, r, _ in got), rate


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def _saved(path_or_url: str, doc: dict[str, Any], eids: list[str]) -> tuple[int, bool, int]:
    """(scores holding the last value each client entered, chain intact, events)."""
    from procure_desk.services import EvaluationFile

    step = float(doc["evaluation"]["scale"]["step"])
    with EvaluationFile.open(path_or_url) as ef:
        verdict = ef.verify()
        have = {(r["evaluator"], r["bid"], r["criterion"]): r for r in ef.document()["scores"]}
    ok = 0
    for eid in eids:
        for n, (bid, cid) in enumerate(_cells(doc, eid, EDITS)):
            r = have.get((eid, bid, cid))
            ok += bool(r and r["comment"] == f"bench {n}" and r["score"] == (n % 3) * step)
    return ok, verdict.intact, verdict.events


def team(ctx: Context) -> list[Row]:
    pg = _pg_helper()
    src = ctx.imported_file()
    eids = [e["id"] for e in ctx.doc["evaluators"]][:CLIENTS]
    if len(eids) < CLIENTS:
        raise BenchmarkError(f"the large evaluation has only {len(eids)} evaluators")
    with pg.running() as server:
        if server is None:
            raise BenchmarkError("PostgreSQL (initdb, pg_ctl) is not installed")
        from procure_desk import server as team_mode

        server.new_database("bench")
        owner = server.url("bench", login=pg.OWNER, evaluation="LARGE")
        team_mode.publish(src, owner, actor="bench")
        addresses = {}
        for eid in eids:
            login = f"bench_{eid.lower()}"
            server.login(login)
            team_mode.grant(owner, login, "evaluator", eid)
            addresses[eid] = pg.as_login(owner, login)
        alone, _, _ = _load({eids[0]: addresses[eids[0]]}, ctx.doc, "alone")  # no other client
        _, before = _head(owner)
        with Sampler(server.conninfo("bench")) as waits:
            latencies, refused, rate = _load(addresses, ctx.doc)
        saved, intact, events = _saved(owner, ctx.doc, eids)
        file_run = run_measured(ctx.procure_desk("results", src, "--json"), ctx)
        file_run.check("results (file)")
        server_run = run_measured(ctx.procure_desk("results", owner, "--json"), ctx)
        server_run.check("results (server)")
        member_run = run_measured(ctx.procure_desk("results", addresses[eids[0]], "--json"),
                                  ctx)
        member_run.check("results (server, an evaluator)")
    sqlite_rows = _sqlite(ctx, src, eids[:SQLITE_WRITERS])
    total = CLIENTS * EDITS
    return [
        Row.info(f"server: scores saved of {total:,} entered by {CLIENTS} clients", saved,
                 note=f"{'one intact chain' if intact else 'CHAIN NOT INTACT'}, "
                      f"{events - before:,} events added, {refused} refused"),
        Row.info("server, one client alone: per-edit latency p50 / p95",
                 f"{_pct(alone, 50):.1f} / {_pct(alone, 95):.1f}", "ms",
                 note="the same edits with no other client on the machine's CPUs"),
        Row.info("server: per-edit latency p50", _pct(latencies, 50), "ms",
                 note=f"{rate:.0f} edits saved per second by the {CLIENTS} clients together"),
        Row.limit("server: per-edit latency p95", _pct(latencies, 95), "ms", P95_TARGET_MS,
                  note=f"{CLIENTS} clients at once, {os.cpu_count()} CPUs"),
        Row.info("server: head-row lock held per edit, under load", 1000 / rate, "ms",
                 note="1 / edits saved per second: every edit's append holds the lock in "
                      "turn, so this is the serial part each waiting edit queues behind"),
        *waits.rows(),
        *sqlite_rows,
        Row.limit("results --json: server / file", server_run.seconds / file_run.seconds,
                  "x", RESULTS_RATIO,
                  note=f"{server_run.seconds:.2f} s against {file_run.seconds:.2f} s "
                       "(the administrator's login: every row)"),
        Row.info("results --json: server as an evaluator / file",
                 member_run.seconds / file_run.seconds, "x",
                 note=f"{member_run.seconds:.2f} s: the rows row-level security lets "
                      "them read"),
    ]


def _head(url: str) -> tuple[str | None, int]:
    from procure_desk.services import EvaluationFile

    with EvaluationFile.open(url) as ef:
        return ef.head()


def _sqlite(ctx: Context, src: Path, eids: list[str]) -> list[Row]:
    path = ctx.workdir / "team-sqlite.pdesk"
    shutil.copyfile(src, path)
    _, before = _head(str(path))
    latencies, refused, rate = _load({e: str(path) for e in eids}, ctx.doc)
    saved, intact, events = _saved(str(path), ctx.doc, eids)
    return [
        Row.info(f"file: scores saved of {len(eids) * EDITS:,} by {len(eids)} writers", saved,
                 note=f"{'intact' if intact else 'NOT INTACT'}, {events - before:,} events, "
                      f"{refused} edits refused and made again"),
        Row.info("file: per-edit latency p50", _pct(latencies, 50), "ms",
                 note=f"{rate:.0f} edits saved per second by the {len(eids)} writers"),
        Row.info("file: per-edit latency p95", _pct(latencies, 95), "ms"),
    ]


class Sampler:
    """Samples the clients' server sessions in `pg_stat_activity` on a thread while a
    load runs: what each session is doing, counted by kind (see the module's docstring)."""

    KINDS = ("waiting on the head-row lock", "working on the server",
             "waiting for its client inside a transaction", "idle between edits")
    INTERVAL_S = 0.003

    def __init__(self, conninfo: str):
        self.conninfo = conninfo
        self.counts = dict.fromkeys(self.KINDS, 0)
        self.locks: dict[str, int] = {}
        self._stop = False
        self._thread: Any = None

    def __enter__(self) -> Sampler:
        import threading

        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._thread.join()

    def _run(self) -> None:
        import time

        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            while not self._stop:
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE application_name = 'ProcureDesk' AND datname = current_database() "
                    "AND usename LIKE 'bench_%'").fetchall()
                for state, kind, event in rows:
                    self._count(state, kind, event)
                time.sleep(self.INTERVAL_S)

    def _count(self, state: str | None, kind: str | None, event: str | None) -> None:
        if kind == "Lock":
            self.counts[self.KINDS[0]] += 1
            self.locks[str(event)] = self.locks.get(str(event), 0) + 1
        elif state == "active":
            self.counts[self.KINDS[1]] += 1
        elif state and state.startswith("idle in transaction"):
            self.counts[self.KINDS[2]] += 1
        elif state == "idle":
            self.counts[self.KINDS[3]] += 1

    def rows(self) -> list[Row]:
        total = sum(self.counts.values()) or 1
        locks = ", ".join(f"{k} {v}" for k, v in sorted(self.locks.items())) or "none"
        out = [Row.info(f"server sessions: share of samples {kind}",
                        100 * n / total, "%",
                        note=(f"{total:,} samples of the {CLIENTS} sessions; lock waits by "
                              f"kind: {locks}") if i == 0 else "")
               for i, (kind, n) in enumerate(self.counts.items())]
        return out
