"""Workbook imports at full size, as whole `procure-desk` processes.

- 60 bid workbooks (the large evaluation's bids, 10 cost lines each) imported
  into an evaluation that has the same criteria and evaluators but no bids.
- 8 scoring sheets of 60 bids x 100 criteria exported from the large
  evaluation, a tenth of each evaluator's scores changed as an evaluator would
  (typed into the sheet), then read back and applied with `--yes`.

Preparing the workbooks is not timed; the import commands are.
"""

from __future__ import annotations

import copy
import json
import random
import shutil

from .core import BenchmarkError, Context, Row, remove_outputs
from .core import run_measured as run

BIDS_TARGET_S = 5.0
SHEETS_TARGET_S = 5.0


def import_bid_workbooks(ctx: Context) -> list[Row]:
    """`procure-desk import-bids FILE 60 workbooks`, one transaction."""
    from procure_desk.services import EvaluationFile
    from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook

    folder = ctx.workdir / "bid-workbooks"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    books = []
    for b in ctx.doc["bids"]:
        path = folder / f"{b['id']}.xlsx"
        save_workbook(build_bid_workbook(ctx.doc, b, {"summary": b.get("notes", "")}), path)
        books.append(path)
    empty = copy.deepcopy(ctx.doc)
    for key in ("bids", "scores", "consensus", "gateways"):
        empty[key] = []
    for e in empty["evaluators"]:
        e["conflicts"] = []
    target = ctx.workdir / "bench-bids.pdesk"
    remove_outputs(target)
    with EvaluationFile.create(target, empty, actor="bench"):
        pass
    r = run(ctx.procure_desk("import-bids", target, *books), ctx)
    r.check("import-bids")
    with EvaluationFile.open(target) as ef:
        got = len(ef.document()["bids"])
    if got != len(books):
        raise BenchmarkError(f"import-bids added {got} bids, not {len(books)}")
    return [
        Row.limit(f"import-bids of {len(books)} workbooks wall time", r.seconds, "s",
                  BIDS_TARGET_S),
        Row.info("import-bids peak memory (max RSS)", r.max_rss_mb, "MB"),
    ]


def import_scoring_sheets(ctx: Context) -> list[Row]:
    """`procure-desk import-scores FILE 8 sheets --yes` on 60 x 100 sheets."""
    from openpyxl import load_workbook

    from procure_desk.services import EvaluationFile
    from procure_desk.workbooks.scoring_sheets import write_scoring_sheets

    target = ctx.workdir / "bench-scores.pdesk"
    remove_outputs(target)
    shutil.copyfile(ctx.imported_file(), target)
    folder = ctx.workdir / "scoring-sheets"
    shutil.rmtree(folder, ignore_errors=True)
    with EvaluationFile.open(target) as ef:
        written = write_scoring_sheets(ef, folder, actor="bench")
        smax = ef.document()["evaluation"]["scale"]["max"]
    rng = random.Random(7)
    changed = 0
    for path, _ in written:
        wb = load_workbook(path)
        ws = wb["Scores"]
        rows = list(range(5, ws.max_row + 1))
        for r in rng.sample(rows, len(rows) // 10):
            old = ws.cell(row=r, column=5).value
            new = (int(old or 0) + 1) % (int(smax) + 1)
            ws.cell(row=r, column=5, value=new)
            ws.cell(row=r, column=6, value=f"Revised after reading the clarifications ({new})")
            changed += 1
        wb.save(path)
    sheets = [p for p, _ in written]
    r = run(ctx.procure_desk("import-scores", target, *sheets, "--yes"),
            ctx)
    r.check("import-scores")
    applied = json.dumps(r.stdout.strip().splitlines()[-1:])
    if f"Applied {changed} score changes" not in r.stdout:
        raise BenchmarkError(f"import-scores did not apply {changed} changes: {applied}")
    return [
        Row.limit(f"import-scores of {len(sheets)} sheets (60 x 100) wall time", r.seconds, "s",
                  SHEETS_TARGET_S, note=f"{changed} scores changed and applied"),
        Row.info("import-scores peak memory (max RSS)", r.max_rss_mb, "MB"),
    ]


HOSTILE_TARGET_S = 5.0
HOSTILE_MEMORY_MB = 200.0


def hostile_refusals(ctx: Context) -> list[Row]:
    """Hostile bid workbooks refused by `import-bids`: wall time and peak memory each."""
    import zipfile

    from procure_desk.services import EvaluationFile
    from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook

    folder = ctx.workdir / "hostile"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    good = folder / "good.xlsx"
    save_workbook(build_bid_workbook(None, ctx.doc["bids"][0]), good)
    pricing = "xl/worksheets/sheet3.xml"

    def rezip(name: str, replace: dict | None = None, add: dict | None = None):
        out = folder / name
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(out, "w",
                                                          zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if replace and info.filename in replace:
                    data = replace[info.filename](data)
                zout.writestr(info.filename, data)
            for part, data in (add or {}).items():
                zout.writestr(part, data)
        return out

    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                         .encode() for i in range(9))
              + b']><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&j;</t>'
                b"</is></c></row></sheetData></worksheet>")
    cases = {
        "zip bomb (9 MB part, 1000:1)": rezip(
            "bomb.xlsx", add={"xl/media/a.xml": b" " * 9_000_000}),
        "XML entity bomb": rezip("laughs.xlsx", replace={pricing: lambda d: laughs}),
        "dimension of 1,048,576 rows": rezip("tall.xlsx", replace={pricing: lambda d: d.replace(
            b'<dimension ref="A1:E204"/>', b'<dimension ref="A1:XFD1048576"/>')}),
    }
    target = ctx.workdir / "bench-hostile.pdesk"
    remove_outputs(target)
    with EvaluationFile.create(target, ctx.doc, actor="bench"):
        pass
    rows: list[Row] = []
    for what, path in cases.items():
        r = run(ctx.procure_desk("import-bids", target, path), ctx)
        if r.returncode != 2:
            raise BenchmarkError(f"{what}: import-bids exited {r.returncode}, not 2")
        lines = r.stderr.strip().splitlines()
        rows.append(Row.limit(f"refuse {what}: wall time", r.seconds, "s", HOSTILE_TARGET_S,
                              note=lines[0][:90] if lines else ""))
        peak = r.max_rss_mb
        if peak is not None:
            rows.append(Row.limit(f"refuse {what}: peak memory", peak, "MB", HOSTILE_MEMORY_MB))
    return rows
