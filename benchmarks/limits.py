"""Every command at the input limits: under 60 s and 1 GB each (issue 9).

The evaluation is `generate.make_limits_evaluation`: 1,000 bids, 2,000 criteria, 100
evaluators, 100 partners and 50,000 cost lines, with about a million scores (its
docstring says why that share). Each command runs as a user would run it,
`python -m procure_desk ...` in a fresh process, once; the figures are its wall time
and its own peak resident memory. Run alone with `python -m benchmarks --only limits`.

Commands that change the file (import-bids, scoring-sheets, import-scores) work on
copies, so each command sees the same evaluation.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from .core import BenchmarkError, Context, ProcessRun, Row, remove_outputs, run_measured

#: Options for `python -m benchmarks.generate --limits` (none: the limits themselves).
#: A smaller evaluation for a quick look: ["--bids", "100", "--score-budget", "50000"].
GENERATOR_OPTIONS: list[str] = []
TARGET_S = 60.0
TARGET_MB = 1024.0  # 1 GiB, as the peak resident set size (MB here are MiB, as elsewhere)
#: A command still running after five times the goal is stopped and reported as a miss.
TIMEOUT_S = 300.0


def limits(ctx: Context) -> list[Row]:
    work = ctx.workdir / "limits"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    src = work / "limits.json"
    gen = run_measured([sys.executable, "-m", "benchmarks.generate", "--limits", str(src),
                        *GENERATOR_OPTIONS], ctx, timeout=TIMEOUT_S)
    gen.check("benchmarks.generate --limits")
    rows = _size_rows(src)
    pdesk = work / "limits.pdesk"
    out = work / "out"
    out.mkdir()

    def cmd(label: str, *args: str | Path, expect: Path | None = None,
            refuses: bool = False) -> None:
        rows.extend(_measure(label, ctx.procure_desk(*args), ctx, expect, refuses))

    cmd("import-json", "import-json", src, pdesk, expect=pdesk)
    if not pdesk.exists():
        raise BenchmarkError("import-json did not write the evaluation: nothing else to measure")
    rows.append(Row.info("limits: evaluation file size", pdesk.stat().st_size / 1e6, "MB"))
    cmd("results --json", "results", pdesk, "--json")
    cmd("results (table)", "results", pdesk)
    cmd("analyse --json", "analyse", pdesk, "--json")
    cmd("analyse (text)", "analyse", pdesk)
    cmd("export --xlsx", "export", pdesk, "--xlsx", out / "pack.xlsx", expect=out / "pack.xlsx")
    cmd("export --pdf", "export", pdesk, "--pdf", out / "report.pdf", expect=out / "report.pdf")
    # unfinished, so the summaries' final check refuses them and names what is missing;
    # --draft writes them all, marked DRAFT: the whole work of the export
    cmd("export --summaries (refused: unfinished)", "export", pdesk, "--summaries",
        out / "summaries", refuses=True)
    cmd("export --summaries --draft", "export", pdesk, "--summaries", out / "drafts",
        "--draft", expect=out / "drafts")
    cmd("export --ocds", "export", pdesk, "--ocds", out / "ocds.json", expect=out / "ocds.json")
    cmd("export-json", "export-json", pdesk, out / "back.json", expect=out / "back.json")
    cmd("status", "status", pdesk)
    cmd("verify", "verify", pdesk)
    cmd("bid-template --for", "bid-template", out / "bid.xlsx", "--for", pdesk,
        expect=out / "bid.xlsx")
    cmd("new", "new", out / "new.pdesk", "--template", "mat-60-40", expect=out / "new.pdesk")

    # a supplier's revised workbook replacing a bid's details and costs
    book = out / "bid-B0001.xlsx"
    _bid_workbook(pdesk, book)
    copy = _copy(pdesk, work / "bids.pdesk")
    cmd("import-bids --replace (1 workbook)", "import-bids", copy, book, "--replace")

    copy = _copy(pdesk, work / "sheets.pdesk")
    sheets = out / "sheets"
    # every evaluator's whole sheet would be too long to read back: refused at once,
    # saying how to choose a part; a panel member's part is what a large panel exports
    cmd("scoring-sheets (whole: refused)", "scoring-sheets", copy, out / "whole",
        refuses=True)
    cmd("scoring-sheets (E001, section Q01, 100 bids)", "scoring-sheets", copy, sheets,
        "--evaluator", "E001", "--criteria", "Q01", "--bids", "B0001-B0100", expect=sheets)
    changed = _change_one_sheet(sheets)
    if changed is not None:
        cmd("import-scores --yes (1 sheet)", "import-scores", copy, changed, "--yes")

    rows.extend(_measure("app opens the file (offscreen)",
                         [sys.executable, "-m", "benchmarks.gui", "--open-only", str(pdesk)],
                         ctx, None))
    return rows


def _measure(label: str, argv: list[str], ctx: Context, expect: Path | None,
             refuses: bool = False) -> list[Row]:
    """One command's wall time and peak memory (`refuses`: the command is to refuse the
    file with exit status 2, as a user would see it do; how fast it says so counts)."""
    name = f"limits: {label}"
    try:
        r = run_measured(argv, ctx, timeout=TIMEOUT_S)
    except BenchmarkError:  # timed out: a miss, by more than the timeout
        print(f"  {label}: stopped after {TIMEOUT_S:g} s", flush=True)
        return [Row(f"{name} wall time", f"> {TIMEOUT_S:g} s (stopped)", "s", TARGET_S, False,
                    _progress(expect))]
    rows: list[Row]
    if refuses and r.returncode == 2:
        first = (r.stderr.strip().splitlines() or ["(no stderr)"])[0]
        print(f"  {label}: refused in {r.seconds:.1f} s, as it should be", flush=True)
        return [Row.limit(f"{name} wall time", r.seconds, "s", TARGET_S,
                          note=f"refused, as it should be: {first}"[:300]), *_memory(name, r)]
    if r.returncode != 0 or (expect is not None and not expect.exists()):
        first = (r.stderr.strip().splitlines() or ["(no stderr)"])[0]
        print(f"  {label}: exit status {r.returncode} after {r.seconds:.1f} s", flush=True)
        rows = [Row(f"{name} wall time", f"refused after {r.seconds:.1f} s", "s", TARGET_S,
                    False, f"exit status {r.returncode}: {first}"[:300])]
        return rows + _memory(name, r)
    note = ""
    last = r.stdout.strip().splitlines()[-1:] if r.stdout.strip() else []
    if last and last[0].startswith("{") and '"window_s"' in last[0]:
        note = f"window shown {json.loads(last[0])['window_s']:.1f} s after the start"
    rows = [Row.limit(f"{name} wall time", r.seconds, "s", TARGET_S, note=note)]
    print(f"  {label}: {r.seconds:.1f} s, "
          f"{'?' if r.max_rss_mb is None else f'{r.max_rss_mb:.0f}'} MB", flush=True)
    return rows + _memory(name, r)


def _memory(name: str, r: ProcessRun) -> list[Row]:
    if r.max_rss_mb is None:
        return [Row(f"{name} peak RSS", None, "MB", TARGET_MB, None, "not measurable here")]
    return [Row.limit(f"{name} peak RSS", r.max_rss_mb, "MB", TARGET_MB)]


def _progress(expect: Path | None) -> str:
    """How far a stopped command got, where its output shows it: the summaries it had
    finished (kept under temporary names until all are done)."""
    if expect is None or not expect.is_dir():
        return ""
    parts = [p for p in expect.iterdir() if ".pdf" in p.name]
    return f"about {len(parts)} files written in its folder when stopped" if parts else ""


def _size_rows(src: Path) -> list[Row]:
    doc = json.loads(src.read_text(encoding="utf-8"))
    kinds = [c["kind"] for c in doc["criteria"]]
    return [
        Row.info("limits: bids / criteria / evaluators / partners",
                 f"{len(doc['bids']):,} / {len(kinds):,} / {len(doc['evaluators'])} / "
                 f"{len(doc['partners'])}",
                 note=f"{kinds.count('scored'):,} scored, {kinds.count('section')} sections, "
                      f"{kinds.count('price')} price, {kinds.count('pass_fail')} gateways"),
        Row.info("limits: scores / consensus / gateway results / cost lines",
                 f"{len(doc['scores']):,} / {len(doc['consensus']):,} / "
                 f"{len(doc['gateways']):,} / {sum(len(b['costs']) for b in doc['bids']):,}"),
        Row.info("limits: interchange JSON size", src.stat().st_size / 1e6, "MB"),
    ]


def _copy(pdesk: Path, to: Path) -> Path:
    remove_outputs(to)
    shutil.copyfile(pdesk, to)
    return to


def _bid_workbook(pdesk: Path, book: Path) -> None:
    """The first bid returned by its supplier with revised prices (the file already holds
    the most cost lines allowed, so the same number of lines)."""
    from procure_desk.services import EvaluationFile
    from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook

    with EvaluationFile.open(pdesk) as ef:
        doc = ef.document()
    bid = dict(doc["bids"][0])
    bid["costs"] = [dict(line, amount=line["amount"] + 100) for line in bid["costs"]]
    save_workbook(build_bid_workbook(doc, bid, {"summary": bid.get("notes", "")}), book)


def _change_one_sheet(folder: Path) -> Path | None:
    """One evaluator's sheet with a score typed on a tenth of its rows (not timed)."""
    from openpyxl import load_workbook

    from procure_desk.workbooks.scoring_sheets import FIRST_ROW, SCORE_COL, SCORES

    sheets = sorted(folder.glob("*.xlsx"))
    if not sheets:
        return None
    path = sheets[0]
    wb = load_workbook(path)
    ws = wb[SCORES]
    for r in range(FIRST_ROW, ws.max_row + 1, 10):
        cell = ws.cell(row=r, column=SCORE_COL)
        cell.value = 3 if cell.value != 3 else 4
    changed = folder.parent / f"changed-{path.name}"
    wb.save(changed)
    return changed
