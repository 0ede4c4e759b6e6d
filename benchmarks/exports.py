"""The evidence exports on the large evaluation: the Excel pack and the PDF report.

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
    pdesk = ctx.imported_file()
    out = ctx.workdir / "report.pdf"
    remove_outputs(out)
    run = run_measured(ctx.procure_desk("export", pdesk, "--pdf", out), ctx)
    run.check("export --pdf")
    rows = [Row.limit("export --pdf (evaluation report)", run.seconds, "s", PDF_SECONDS),
            Row.info("evaluation report size", out.stat().st_size / 1e6, "MB")]
    if run.max_rss_mb is not None:
        rows.append(Row.info("export --pdf peak RSS", run.max_rss_mb, "MB"))
    return rows


def _floor(pdesk: str, out: str) -> None:
    from procure_desk.exports import Source
    from procure_desk.exports.xlsx_pack import write_xlsx

    write_xlsx(Source.load(pdesk), Path(out), force=True, styled=False)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "floor":
        sys.exit("usage: python -m benchmarks.exports floor FILE.pdesk OUT.xlsx")
    _floor(sys.argv[2], sys.argv[3])
