"""Hostile supplier workbooks: each refused quickly, clearly, with the evaluation untouched.

The hostile files are made here from a good bid workbook, by rewriting parts of
its zip package, so that each test shows exactly what is wrong with its file.
"""

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from procure_desk.cli import main
from procure_desk.services import EvaluationFile
from procure_desk.workbooks.bid_template import build_bid_workbook, save_workbook

GOOD_BID = {
    "supplier": "Kestrel Systems Ltd", "option_type": "best_of_breed", "sme": True,
    "term_years": 3,
    "costs": [
        {"item": "Implementation", "category": "implementation", "amount": 40000,
         "start_year": 0, "years": 1},
        {"item": "Subscription", "category": "licence", "amount": 25000,
         "start_year": 1, "years": 4},
    ],
}
# the template's sheets, in order: Instructions, Supplier, Pricing, Declarations, About
PRICING_PART = "xl/worksheets/sheet3.xml"
MB = 1_000_000


def good_workbook(path: Path, bid: dict | None = None) -> Path:
    save_workbook(build_bid_workbook(None, bid or GOOD_BID), path)
    return path


def rezip(src: Path, dst: Path, replace: dict | None = None, add: dict | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Copy a zip package, replacing or adding parts (bytes, or a function of the old bytes)."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in replace:
                new = replace[info.filename]
                data = new(data) if callable(new) else new
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


@pytest.fixture
def target(example_file):
    """The evaluation the hostile files are imported into, and its content before."""
    path = example_file.path
    before = example_file.document()
    example_file.close()
    return path, before


def refused(target, workbook: Path, capsys) -> str:
    """Import the workbook through the CLI; it must fail with exit 2 and change nothing."""
    path, before = target
    start = time.perf_counter()
    tracemalloc.start()
    try:
        code = main(["import-bids", str(path), str(workbook)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - start
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert seconds < 5, f"refusal took {seconds:.1f} s"
    assert peak < 200 * MB, f"peak Python memory {peak / MB:.0f} MB"
    with EvaluationFile.open(path) as ef:
        assert ef.document() == before
        assert [e.action for e in ef.audit()] == ["evaluation.create"]
    return err


def test_a_good_workbook_is_accepted(tmp_path, target, capsys):
    path, before = target
    wb = good_workbook(tmp_path / "kestrel.xlsx")
    assert main(["import-bids", str(path), str(wb)]) == 0, capsys.readouterr().err
    with EvaluationFile.open(path) as ef:
        bids = ef.document()["bids"]
    assert len(bids) == len(before["bids"]) + 1
    new = bids[-1]
    assert new["supplier"] == "Kestrel Systems Ltd"
    assert new["costs"] == GOOD_BID["costs"]


def test_zip_bomb_is_refused_before_inflating(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    bomb = b"<x>" + b" " * (9 * MB) + b"</x>"  # within the size limit, 1000 to 1
    wb = rezip(good, tmp_path / "bomb.xlsx", add={"xl/media/filler.xml": bomb})
    assert wb.stat().st_size < MB
    err = refused(target, wb, capsys)
    assert "bomb.xlsx: part 'xl/media/filler.xml' is compressed" in err
    assert "zip bomb" in err


def test_declared_size_beyond_the_limit_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    # a sheet part declaring 70 MB (the limit for one sheet is 60 MB)
    wb = rezip(good, tmp_path / "big.xlsx",
               replace={PRICING_PART: lambda d: d + b" " * (70 * MB)})
    err = refused(target, wb, capsys)
    assert "would expand to 70 MB" in err
    assert "zip bomb" in err


def test_too_many_parts_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    wb = rezip(good, tmp_path / "parts.xlsx",
               add={f"xl/media/p{i}.bin": b"x" for i in range(500)})
    assert "far more than any real workbook" in refused(target, wb, capsys)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""


def test_xml_entity_bomb_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    wb = rezip(good, tmp_path / "laughs.xlsx", replace={PRICING_PART: BILLION_LAUGHS})
    err = refused(target, wb, capsys)
    assert f"laughs.xlsx, part {PRICING_PART}: defines XML entities (an entity bomb)" in err


def test_entity_bomb_in_shared_strings_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    # openpyxl writes no shared strings part: add one, as Excel would have
    wb = rezip(good, tmp_path / "strings.xlsx", add={"xl/sharedStrings.xml": BILLION_LAUGHS})
    assert "defines XML entities" in refused(target, wb, capsys)


def test_external_entity_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
           b'<workbook><sheets/>&e;</workbook>')
    wb = rezip(good, tmp_path / "xxe.xlsx", replace={"xl/workbook.xml": xxe})
    err = refused(target, wb, capsys)
    assert "xxe.xlsx, part xl/workbook.xml: defines an external entity" in err
    assert "root:" not in err  # nothing of /etc/passwd was read


def test_any_document_type_declaration_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    dtd = b'<?xml version="1.0"?>\n<!DOCTYPE w SYSTEM "http://example.invalid/x.dtd">\n<w/>'
    wb = rezip(good, tmp_path / "dtd.xlsx", replace={"xl/styles.xml": dtd})
    assert "dtd.xlsx, part xl/styles.xml: refers to an external" in refused(target, wb, capsys)


def test_dimension_of_a_million_rows_is_refused_without_reading_them(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")

    def huge(data: bytes) -> bytes:
        start = data.index(b"<dimension")
        end = data.index(b"/>", start) + 2
        return data[:start] + b'<dimension ref="A1:E1048576"/>' + data[end:]

    wb = rezip(good, tmp_path / "tall.xlsx", replace={PRICING_PART: huge})
    err = refused(target, wb, capsys)
    assert "tall.xlsx, Pricing: the sheet reaches row 1,048,576" in err


def test_merged_range_of_a_million_rows_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")

    def merged(data: bytes) -> bytes:
        return data.replace(b"</sheetData>", b'</sheetData><mergeCells count="1">'
                                             b'<mergeCell ref="A5:E1048576"/></mergeCells>')

    wb = rezip(good, tmp_path / "merged.xlsx", replace={PRICING_PART: merged})
    assert "merged.xlsx, Pricing: the sheet reaches row 1,048,576" in refused(target, wb, capsys)


def test_a_cell_at_the_last_row_is_not_reached_by_walking(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")

    def far(data: bytes) -> bytes:
        return data.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" '
                                             b't="inlineStr"><is><t>x</t></is></c></row>'
                                             b"</sheetData>")

    wb = rezip(good, tmp_path / "far.xlsx", replace={PRICING_PART: far})
    assert "far.xlsx, Pricing: the sheet reaches row 1,048,576" in refused(target, wb, capsys)


NS = b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_a_far_row_with_a_namespace_prefix_is_refused_too(tmp_path, target, capsys):
    """Rows are found quickly by their plain tag; a prefixed <x:row> must not slip past."""
    good = good_workbook(tmp_path / "good.xlsx")

    def far(data: bytes) -> bytes:
        return data.replace(b"</sheetData>", b'<x:row ' + NS + b' r="1048576"><x:c '
                                             b'r="A1048576" t="inlineStr"><x:is><x:t>x</x:t>'
                                             b"</x:is></x:c></x:row></sheetData>")

    wb = rezip(good, tmp_path / "prefixed.xlsx", replace={PRICING_PART: far})
    err = refused(target, wb, capsys)
    assert "prefixed.xlsx, Pricing: the sheet reaches row 1,048,576" in err


def test_a_formula_with_a_namespace_prefix_is_found(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")

    def prefixed(data: bytes) -> bytes:
        import re

        return re.sub(rb'<c r="C6"([^>]*)><v>25000</v></c>',
                      rb'<c r="C6"\1><x:f ' + NS + rb'>25000*1.2</x:f></c>', data)

    wb = rezip(good, tmp_path / "xf.xlsx", replace={PRICING_PART: prefixed})
    assert "xf.xlsx, Pricing!C6: holds a formula, not a value" in refused(target, wb, capsys)


def test_text_file_is_not_a_workbook(tmp_path, target, capsys):
    wb = tmp_path / "notes.xlsx"
    wb.write_text("Dear council, please find our prices attached.")
    err = refused(target, wb, capsys)
    assert "notes.xlsx: is not an Excel workbook (.xlsx): it is not a zip package" in err


def test_zip_without_a_workbook_is_not_a_workbook(tmp_path, target, capsys):
    wb = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(wb, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "a zip package without a workbook inside" in refused(target, wb, capsys)


def test_old_xls_or_encrypted_workbook_is_named(tmp_path, target, capsys):
    wb = tmp_path / "old.xlsx"
    wb.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    assert "old-style .xls workbook or a password-protected one" in refused(target, wb, capsys)


def test_macro_workbook_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    wb = rezip(good, tmp_path / "macro.xlsx", add={"xl/vbaProject.bin": b"\0" * 100})
    assert "macro.xlsx: contains macros" in refused(target, wb, capsys)


def test_macro_content_type_is_refused(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    wb = rezip(good, tmp_path / "xlsm.xlsx", replace={"[Content_Types].xml": lambda d: d.replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")})
    assert "contains macros" in refused(target, wb, capsys)


def test_formula_without_a_value_is_refused_never_evaluated(tmp_path, target, capsys):
    wb = build_bid_workbook(None, GOOD_BID)
    wb["Pricing"]["C6"] = "=25000*1.2"  # openpyxl stores no cached value
    save_workbook(wb, tmp_path / "formula.xlsx")
    err = refused(target, tmp_path / "formula.xlsx", capsys)
    assert "formula.xlsx, Pricing!C6: holds a formula, not a value" in err


def test_formula_with_a_cached_value_gives_that_value(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")

    def cached(data: bytes) -> bytes:
        # C6 holds 25000; make it a formula whose saved result is 30000
        import re

        return re.sub(rb'<c r="C6"([^>]*)><v>25000</v></c>',
                      rb'<c r="C6"\1><f>25000*1.2</f><v>30000</v></c>', data)

    wb = rezip(good, tmp_path / "cached.xlsx", replace={PRICING_PART: cached})
    path, _ = target
    assert main(["import-bids", str(path), str(wb)]) == 0, capsys.readouterr().err
    with EvaluationFile.open(path) as ef:
        assert ef.document()["bids"][-1]["costs"][1]["amount"] == 30000


@pytest.mark.parametrize(("amount", "message"), [
    (-500, 'Pricing!C6: amount -500 is negative'),
    ("lots", 'Pricing!C6: amount "lots" is not a number'),
    (True, 'Pricing!C6: amount true is not a number'),
])
def test_bad_amounts_are_refused(tmp_path, target, capsys, amount, message):
    wb = build_bid_workbook(None, GOOD_BID)
    wb["Pricing"]["C6"] = amount
    save_workbook(wb, tmp_path / "kestrel.xlsx")
    assert f"kestrel.xlsx, {message}" in refused(target, tmp_path / "kestrel.xlsx", capsys)


def test_blank_required_fields_are_each_named(tmp_path, target, capsys):
    wb = build_bid_workbook(None, GOOD_BID)
    wb["Supplier"]["B5"] = None  # supplier name
    wb["Pricing"]["A6"] = None  # item of the second cost line
    wb["Pricing"]["E5"] = None  # years of the first
    save_workbook(wb, tmp_path / "blank.xlsx")
    err = refused(target, tmp_path / "blank.xlsx", capsys)
    assert "blank.xlsx, Supplier!B5: supplier name is blank (required)" in err
    assert "blank.xlsx, Pricing!A6: item is blank (required)" in err
    assert "blank.xlsx, Pricing!E5: number of years is blank (required)" in err


def test_sheet_far_larger_than_any_bid_is_refused(tmp_path, target, capsys):
    wb = build_bid_workbook(None, GOOD_BID)
    ws = wb["Pricing"]
    for _ in range(3000):
        ws.append(["Line", "Other", 1, 0, 1])
    save_workbook(wb, tmp_path / "huge.xlsx")
    err = refused(target, tmp_path / "huge.xlsx", capsys)
    assert "huge.xlsx, Pricing: the sheet reaches row 3,204" in err


def test_many_cost_lines_within_the_sheet_bound_are_still_refused(tmp_path, target, capsys):
    wb = build_bid_workbook(None, GOOD_BID)
    ws = wb["Pricing"]
    for r in range(7, 520):
        for c, v in enumerate(["Line", "Other", 1, 0, 1], start=1):
            ws.cell(row=r, column=c, value=v)
    save_workbook(wb, tmp_path / "lines.xlsx")
    assert "more than 500 cost lines" in refused(target, tmp_path / "lines.xlsx", capsys)


def test_one_bad_workbook_stops_the_whole_import(tmp_path, target, capsys):
    good = good_workbook(tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    path, before = target
    assert main(["import-bids", str(path), str(good), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.xlsx: is not an Excel workbook" in err
    with EvaluationFile.open(path) as ef:
        assert ef.document() == before
