"""The evidence exports on the large evaluation: the Excel pack and the PDF report (also
at 500 bids, to show it grows linearly).

Each runs as `procure-desk export` in its own process, so the time includes start-up
and the peak RSS is the command's own. The floor for the pack is the same cells
written with no styling (no fonts, fills, number formats, widths, conditional
formats, print setup or chart), by `python -m benchmarks.exports floor FILE OUT`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .core import Context, Row, remove_outputs, run_measured

PACK_SECONDS = 10.0
PACK_MB = 400.0
PDF_SECONDS = 10.0
PDF_LARGE_BIDS = 500
PDF_LARGE_SECONDS = 20.0  # issue 13: the report at 500 bids x 100 criteria x 8 evaluators


def evidence_pack(ctx: Context) -> list[Row]:
    pdesk = ctx.imported_file()
    out = ctx.workdir / "pack.xlsx"
    floor_out = ctx.workdir / "floor.xlsx"
    remove_outputs(out)
    remove_outputs(floor_out)
    run = run_measured(ctx.procure_desk("export", pdesk, "--xlsx", out), ctx)
    run.check("export --xlsx")
    floor = run_measured([sys.executable, "-m", "benchmarks.exports", "floor", str(pdesk),
                          str(floor_out)], ctx)
    floor.check("the unstyled floor")
    rows = [
        Row.limit("export --xlsx (evidence pack)", run.seconds, "s", PACK_SECONDS),
        Row.info("evidence pack: same cells, no styling (floor)", floor.seconds, "s"),
        Row.info("evidence pack / floor", run.seconds / floor.seconds, "x"),
        Row.info("evidence pack size", out.stat().st_size / 1e6, "MB"),
    ]
    if run.max_rss_mb is not None:
        rows.insert(1, Row.limit("export --xlsx peak RSS", run.max_rss_mb, "MB", PACK_MB))
    return rows


def pdf_report(ctx: Context) -> list[Row]:
    """The evaluation report at the run's size (60 bids) and at 500 bids x 100 criteria x
    8 evaluators, and how the time per bid grows between them (1.0 is linear)."""
    pdesk = ctx.imported_file()
    out = ctx.workdir / "report.pdf"
    remove_outputs(out)
    cpu = _cpu()
    run = run_measured(ctx.procure_desk("export", pdesk, "--pdf", out), ctx)
    cpu = _cpu() - cpu
    run.check("export --pdf")
    bids = len(ctx.doc["bids"])
    rows = [Row.limit("export --pdf (evaluation report)", run.seconds, "s", PDF_SECONDS),
            Row.info("evaluation report size", out.stat().st_size / 1e6, "MB")]
    if run.max_rss_mb is not None:
        rows.append(Row.info("export --pdf peak RSS", run.max_rss_mb, "MB"))
    big = large_file(ctx, PDF_LARGE_BIDS)
    out = ctx.workdir / f"report-{PDF_LARGE_BIDS}.pdf"
    remove_outputs(out)
    large_cpu = _cpu()
    large = run_measured(ctx.procure_desk("export", big, "--pdf", out), ctx)
    large_cpu = _cpu() - large_cpu
    large.check(f"export --pdf at {PDF_LARGE_BIDS} bids")
    rows += [
        Row.limit(f"export --pdf at {PDF_LARGE_BIDS} bids x 100 criteria x 8 evaluators",
                  large.seconds, "s", PDF_LARGE_SECONDS),
        Row.info(f"evaluation report at {PDF_LARGE_BIDS} bids: pages",
                 _pages(out), ""),
        Row.info("export --pdf processor time (user + system)", cpu, "s",
                 note="what a busy machine does not inflate: compare with the wall time"),
        Row.info(f"export --pdf at {PDF_LARGE_BIDS} bids: processor time", large_cpu, "s"),
        Row.info(f"report time per bid, {PDF_LARGE_BIDS} bids / {bids} bids",
                 (large_cpu / PDF_LARGE_BIDS) / (cpu / bids), "x",
                 note="processor time; 1.0 is linear in bids, below 1 is start-up "
                      "shared by more bids"),
    ]
    if large.max_rss_mb is not None:
        rows.append(Row.info(f"export --pdf at {PDF_LARGE_BIDS} bids peak RSS",
                             large.max_rss_mb, "MB"))
    return rows


def _cpu() -> float:
    """Processor time of the finished child processes (a command and what it ran)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def large_file(ctx: Context, n_bids: int) -> Path:
    """A .pdesk of make_large_evaluation at n_bids (100 criteria, 8 evaluators), made
    once per run and kept in the run's folder for the other exports."""
    from .generate import write_large_evaluation

    pdesk = ctx.workdir / f"large-{n_bids}.pdesk"
    if pdesk.exists():
        return pdesk
    source = write_large_evaluation(ctx.workdir / f"large-{n_bids}.json", n_bids=n_bids,
                                    n_criteria=100, n_evaluators=8, cost_lines=10)
    remove_outputs(pdesk)
    run_measured(ctx.procure_desk("import-json", source, pdesk), ctx).check(
        f"import-json at {n_bids} bids")
    return pdesk


def _pages(pdf: Path) -> int:
    """The page count from the PDF's own page tree (no external tool)."""
    import re

    trees = re.findall(rb"<<[^<>]*/Type\s*/Pages\b[^<>]*>>", pdf.read_bytes())
    counts = [int(m) for t in trees for m in re.findall(rb"/Count\s+(\d+)", t)]
    return max(counts, default=0)


def _floor(pdesk: str, out: str) -> None:
    from procure_desk.exports import Source
    from procure_desk.exports.xlsx_pack import write_xlsx

    write_xlsx(Source.load(pdesk), Path(out), force=True, styled=False)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "floor":
        sys.exit("usage: python -m benchmarks.exports floor FILE.pdesk OUT.xlsx")
    _floor(sys.argv[2], sys.argv[3])
