"""How much an evaluation may hold: every limit the input rules apply, in one place.

The window, the workbooks and the exports cite these names rather than their
own numbers. Each limit is far above a real council tender and low enough that
every part of ProcureDesk (the engine, the evidence pack, the PDF report)
still finishes in seconds at the limit. docs/bad-input.md explains each one.
"""

from __future__ import annotations

# ---- counts ----------------------------------------------------------------------------
MAX_BIDS = 1_000
MAX_CRITERIA = 2_000
MAX_EVALUATORS = 100
MAX_PARTNERS = 100
#: Cost lines in one bid; the bid response workbook reads up to the same number.
MAX_COST_LINES_PER_BID = 500
MAX_COST_LINES = 50_000  # in the whole file
#: Individual scores in one file (1,000 bids x 100 questions x 20 evaluators).
MAX_SCORES = 2_000_000
#: Levels of criteria: a top-level criterion is level 1, its children level 2.
MAX_DEPTH = 8

# ---- text ------------------------------------------------------------------------------
MAX_ID = 40  # characters in an id
MAX_NAME = 200  # a title, supplier, criterion, evaluator or partner name, a cost item
MAX_REFERENCE = 100  # the evaluation's reference, e.g. HDC-2026-014
MAX_DESCRIPTOR = 500  # what one score means, on the scale or on one criterion
MAX_TEXT = 20_000  # a comment, rationale, note or guidance

# ---- numbers ---------------------------------------------------------------------------
# Larger than any real tender, small enough that sums over a century stay finite.
MAX_AMOUNT = 1e12
MAX_WEIGHT = 1e9
MAX_POPULATION = 1e10
MAX_SCALE = 1_000  # the largest scale maximum or step
MAX_YEARS = 100  # the appraisal period
MAX_LINE_YEARS = 1_000  # a cost line's start year and number of years
