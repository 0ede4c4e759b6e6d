"""The scan of what a bidder's summary would disclose (procure_desk/disclosure.py), and
the standstill period's working days (procure_desk/standstill.py)."""

import datetime as dt

import pytest

from procure_desk.disclosure import Figure, Scanner, parse_amount, scanner_for, shown
from procure_desk.standstill import easter, standstill_end, uk_holidays

SUPPLIERS = {
    "B1": "Carrowfield Public Sector Solutions plc",
    "B3": "Kestrelway Digital Ltd",
    "B4": "Lanthorn CRM Ltd",
    "B6": "Harrowmere DC Digital Team (in-house build)",
    "B7": "Open Data Ltd",
    "B9": "北京云软件有限公司",
}
FIGURES = [Figure(614000.0, "B3", "whole-life cost"),
           Figure(583897.69, "B3", "net present value"),
           Figure(642000.0, "B1", "whole-life cost"),
           Figure(18000.0, "B3", "exit a year")]


@pytest.fixture
def scanner():
    return Scanner(SUPPLIERS, FIGURES, authority="Harrowmere District Council",
                   supplier_ids={"B3": "11384520"})


def named(scanner, text):
    return sorted((m.bid, m.kind) for m in scanner.mentions(text))


@pytest.mark.parametrize("text", [
    "Weaker than Kestrelway Digital Ltd on exit.",
    "weaker than KESTRELWAY on exit",
    "Kestrelway's exit plan is better",
    "Kes\u200btrel\u00adway",  # zero-width space and a soft hyphen inside
    "K\u0435strelway",  # a Cyrillic e
    "\u202eKestrelway\u202c",  # a right-to-left override around it
    "Ｋｅｓｔｒｅｌｗａｙ",  # full-width letters
    "kestrelway   digital",
])
def test_a_supplier_named_however_it_is_written(scanner, text):
    assert ("B3", "name") in named(scanner, text)


def test_ids_and_registered_numbers(scanner):
    assert named(scanner, "as tender B3 showed") == [("B3", "id")]
    assert named(scanner, "as b3 showed") == [("B3", "id")]
    assert named(scanner, "B31 and AB3 are not B3's") == [("B3", "id")]
    assert named(scanner, "Companies House 11384520") == [("B3", "id")]


def test_common_words_are_not_names(scanner):
    # "Open Data Ltd" is named only as "Open Data"; its words alone are everyday words
    assert named(scanner, "Data is open in this tender") == []
    assert named(scanner, "an open data standard") == [("B7", "name")]
    # the council's own name, and the in-house team's generic words
    assert named(scanner, "Harrowmere residents and a digital team") == []
    assert named(scanner, "the Harrowmere DC Digital Team would") == [("B6", "name")]
    assert named(scanner, "a public sector solution") == []


def test_names_in_scripts_without_spaces(scanner):
    assert ("B9", "name") in named(scanner, "与北京云软件有限公司的报价相比")


@pytest.mark.parametrize("text", ["£614,000", "614000", "£614k", "614 K", "£0.614m",
                                  "£0.61m", "614,000.00", "614\u00a0000", "£614 thousand",
                                  "583,898", "£583,897.69", "18k", "£18,000"])
def test_figures_written_differently(scanner, text):
    assert ("B3", "figure") in named(scanner, f"a price of {text} was lower")


@pytest.mark.parametrize("text", ["613,000", "£600k", "£1m", "8% of the cost", "14 of 20",
                                  "year 2026", "12 months", "£614"])
def test_numbers_that_are_not_anothers_figure(scanner, text):
    assert [k for k in named(scanner, text) if k[0] == "B3"] == []


def test_precision_follows_the_writing():
    assert parse_amount("614,000", None) == (614000.0, 500.0)
    assert parse_amount("614", "k") == (614000.0, 500.0)
    assert parse_amount("613,912", None) == (613912.0, 0.5)
    assert parse_amount("0.61", "m") == (610000.0, 5000.0)
    value, tolerance = parse_amount("6", "k")  # one significant figure: half a percent
    assert (value, tolerance) == (6000.0, 30.0)


def test_hits_leave_out_the_reader_and_the_successful_tender(scanner):
    texts = [("B1", "F1", "Kestrelway, B3, at £614k; ours at £642,000"),
             ("B3", "F2", "Lanthorn was worse")]
    hits = scanner.hits("B1", texts, allowed=["B3"])
    got = sorted((h.owner, h.criterion, h.mention.bid, h.mention.kind) for h in hits)
    # the successful tender's name and id may appear; its price never
    assert got == [("B1", "F1", "B3", "figure"), ("B3", "F2", "B4", "name")]
    # a number that is also the reader's own figure is the reader's
    own = Scanner(SUPPLIERS, [Figure(614000.0, "B3", "wlc"), Figure(614000.0, "B1", "wlc")])
    assert own.hits("B1", [("B1", "P", "your £614k")]) == []
    # to anyone else it names both
    assert sorted(h.mention.bid for h in own.hits("B4", [("B4", "P", "£614k")])) == [
        "B1", "B3"]


def test_scanner_for_a_document_knows_every_cost_figure():
    doc = {"evaluation": {"authority": "Harrowmere District Council",
                          "appraisal": {"years": 5, "discount_rate": 0.035}},
           "bids": [{"id": "B1", "supplier": "Alpha Widgets Ltd",
                     "supplier_id": {"scheme": "GB-COH", "id": "01234567"},
                     "costs": [{"item": "Licence", "amount": 90000, "start_year": 1,
                                "years": 4},
                               {"item": "Setup", "amount": 250000, "start_year": 0,
                                "years": 1}]},
                    {"id": "B2", "supplier": "Beta Ltd", "costs": []}]}
    sc = scanner_for(doc)
    found = {m.what.rsplit(" ", 1)[-1] for m in sc.mentions("£610k, 360,000, £90k, 250000")}
    # the whole-life cost, a line over its years, a line's yearly amount (or a year's)
    assert found == {"610,000", "360,000", "90,000", "250,000"}
    assert sc.mentions("£610k")[0].what == ("a cost figure of another tender, Alpha Widgets "
                                            "Ltd (B1): whole-life cost 610,000")
    assert [m.kind for m in sc.mentions("reg. 01234567")] == ["id"]


def test_messages_show_hidden_characters():
    assert shown("a\u202eb\x07c") == "a<U+202E>b<U+0007>c"
    assert shown("x" * 200, 20).endswith("…")


# ---- the standstill period ------------------------------------------------------------

def test_easter():
    assert [easter(y) for y in (2025, 2026, 2027, 2030)] == [
        dt.date(2025, 4, 20), dt.date(2026, 4, 5), dt.date(2027, 3, 28),
        dt.date(2030, 4, 21)]


def test_bank_holidays_in_any_part_of_the_uk():
    days = uk_holidays(2026)
    for d in ("2026-01-01", "2026-01-02", "2026-03-17", "2026-04-03", "2026-04-06",
              "2026-05-04", "2026-05-25", "2026-07-13", "2026-08-03", "2026-08-31",
              "2026-11-30", "2026-12-25", "2026-12-28"):
        assert dt.date.fromisoformat(d) in days, d
    assert dt.date(2026, 12, 26) not in days  # a Saturday: Monday 28 is the holiday
    assert len(days) == 13


def test_standstill_counts_working_days_from_the_notice():
    assert standstill_end(dt.date(2026, 10, 19), 8) == dt.date(2026, 10, 28)
    # from a Saturday: the first working day is the Monday
    assert standstill_end(dt.date(2026, 10, 17), 8) == dt.date(2026, 10, 28)
    # over Christmas and New Year (28 Dec, 1 and 2 Jan are holidays)
    assert standstill_end(dt.date(2026, 12, 21), 8) == dt.date(2027, 1, 5)
    assert standstill_end(dt.date(2026, 10, 19), 0) is None
