"""The interchange JSON: its fields (docs/format.md), the rules that refuse bad
input (docs/bad-input.md), and the round trip from file to file.

`validate` is the one door: an import, every edit made in the application and
every bid workbook pass through it before anything is written.
"""

from __future__ import annotations

from . import limits
from .checks import size_problems, validate
from .files import dump_chunks, dumps, load_json, read_json_file
from .limits import MAX_AMOUNT, MAX_TEXT, MAX_WEIGHT
from .roundtrip import leave_out, omitted_fields
from .text import (
    hidden_problem,
    id_problem,
    long_text_problem,
    name_problem,
    safe_id,
    safe_text,
)
from .tree import section_weight_problems
from .values import is_integer, is_number, on_step, plain, q, score_problem
from .vocabulary import (
    APPORTIONMENT_METHODS,
    CATEGORIES,
    COST_BASES,
    DEFAULT_APPRAISAL,
    DEFAULT_DESCRIPTORS,
    DEFAULT_MODERATION,
    FORMAT,
    FORMULAS,
    KINDS,
    OPTION_TYPE_LABELS,
    OPTION_TYPES,
    PROCEDURES,
    VERSION,
    default_tender,
)

__all__ = [
    "APPORTIONMENT_METHODS",
    "CATEGORIES",
    "COST_BASES",
    "DEFAULT_APPRAISAL",
    "DEFAULT_DESCRIPTORS",
    "DEFAULT_MODERATION",
    "FORMAT",
    "FORMULAS",
    "KINDS",
    "MAX_AMOUNT",
    "MAX_TEXT",
    "MAX_WEIGHT",
    "OPTION_TYPES",
    "OPTION_TYPE_LABELS",
    "PROCEDURES",
    "VERSION",
    "default_tender",
    "dump_chunks",
    "dumps",
    "hidden_problem",
    "id_problem",
    "is_integer",
    "is_number",
    "leave_out",
    "limits",
    "load_json",
    "long_text_problem",
    "name_problem",
    "omitted_fields",
    "on_step",
    "plain",
    "q",
    "read_json_file",
    "safe_id",
    "safe_text",
    "score_problem",
    "section_weight_problems",
    "size_problems",
    "validate",
]
