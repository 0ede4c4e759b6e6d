"""The evidence pack's rows, streamed straight into XlsxWriter's row file.

XlsxWriter's cell methods check and convert every argument and run some thirty
regular expressions over every formula; for the half a million cells of the large
evaluation (a million with a long audit log) that is most of the time it takes to
write the pack. In constant-memory mode a worksheet streams its rows, as
`<row>` elements, into a temporary file that it copies into the sheet's XML when
the workbook closes; `emit` writes the same elements itself, a row at a time, and
sets the worksheet's dimensions, so XlsxWriter still writes everything around the
rows (columns, panes, printing, protection, conditional formats, charts).

Text goes to the workbook's shared strings (each text stored once), or inline where
a row's cells sit at the top beside wrapped text; it is escaped either way, so
nothing a supplier types becomes markup or a formula (XlsxWriter would pass a string
that looks like `<r>...</r>` through unescaped as rich text: such text is written
inline, escaped here).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..wording import column_letter

_ESCAPES = re.compile(r"[&<>]|_(?=x[0-9A-Fa-f]{4}_)")
_REPLACE = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "_": "_x005F_"}


def esc(text: str) -> str:
    """Text for an XML text node; a literal `_x0041_` stays literal (Excel would read it
    as the escape of a character)."""
    if "_x" in text:
        return _ESCAPES.sub(lambda m: _REPLACE[m.group()], text)
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


_LITERAL = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def shared_text(text: str) -> str:
    """Text for XlsxWriter's shared strings, which escapes `&`, `<` and `>` itself but
    would read `_x0041_` as the escape of a character: made literal here. (It also
    passes `<r>...</r>` through as markup: such text is written inline instead.)"""
    return _LITERAL.sub("_x005F_", text) if "_x" in text else text


def number(value: Any) -> str:
    return str(value) if type(value) is int else repr(float(value))


def string_tail(style: str, text: str) -> str:
    """A text cell's XML after its reference (`<c r="A1"` + this)."""
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'{style} t="inlineStr"><is><t{space}>{esc(text)}</t></is></c>'


def string_cell(ref: str, style: str, text: str) -> str:
    return f'<c r="{ref}"{string_tail(style, text)}'


def formula_cell(ref: str, style: str, formula: str, value: Any) -> str:
    f = esc(formula[1:] if formula.startswith("=") else formula)
    t = type(value)
    if t is str:
        if value == "":
            return f'<c r="{ref}"{style}><f>{f}</f><v></v></c>'
        return f'<c r="{ref}"{style} t="str"><f>{f}</f><v>{esc(value)}</v></c>'
    if t is bool:
        return f'<c r="{ref}"{style} t="b"><f>{f}</f><v>{int(value)}</v></c>'
    return f'<c r="{ref}"{style}><f>{f}</f><v>{number(value)}</v></c>'


def value_cell(ref: str, style: str, value: Any) -> str:
    """A cell holding a value (not a formula): text, a number, a boolean or nothing."""
    t = type(value)
    if t is str:
        return string_cell(ref, style, value) if value else f'<c r="{ref}"{style}/>'
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if t is bool:
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    return f'<c r="{ref}"{style}><v>{number(value)}</v></c>'


def emit(ws: Any, rows: list[list[Any]], cell: Callable[[str, Any, int, int, bool], str],
         heights: dict[int, float], tall: Any = (), shared: dict[str, int] | None = None,
         first: int = 0) -> int:
    """Write `rows` (lists of cells, in order, the first at 0-based row `first`) into the
    worksheet `ws` (constant-memory mode, nothing written to it otherwise).
    `cell(ref, value, row, column, top)` gives a non-empty cell's XML, `top` true in the
    rows of `tall` (their cells sit at the top, beside wrapped text); `heights` the rows
    given a height, in points (rows counted as `first` counts them). A text found in
    `shared` (text -> index of the shared strings) is written as that index here, the
    quickest case; returns how many were."""
    if not rows:
        return 0
    width = max((len(r) for r in rows), default=1) or 1
    ws._check_dimensions(first, 0)
    ws._check_dimensions(first + len(rows) - 1, width - 1)
    letters = [column_letter(k + 1) for k in range(width)]
    known = shared if shared is not None else {}
    fh = ws.row_data_fh
    out: list[str] = []
    reused = 0
    for r, values in enumerate(rows, start=first):
        xml, n = row_xml(values, r, letters, cell, heights.get(r), r in tall, known)
        reused += n
        if xml:
            out.append(xml)
        if len(out) > 2000:
            fh.write("".join(out))
            out.clear()
    fh.write("".join(out))
    return reused


def row_xml(values: list[Any], r: int, letters: list[str],
            cell: Callable[[str, Any, int, int, bool], str], height: float | None,
            top: bool, known: dict[str, int]) -> tuple[str, int]:
    """One row's XML (0-based row r; "" for a row with nothing in it), and how many of
    its texts were written as an index of `known` shared strings."""
    n = str(r + 1)
    out = [f'<row r="{n}" ht="{height:g}" customHeight="1">' if height is not None
           else f'<row r="{n}">']
    add = out.append
    reused = 0
    for k, v in enumerate(values):
        if v is None or v == "":
            continue
        if not top and type(v) is str:
            index = known.get(v)
            if index is not None:
                reused += 1
                add(f'<c r="{letters[k]}{n}" t="s"><v>{index}</v></c>')
                continue
        add(cell(letters[k] + n, v, r, k, top))
    if len(out) == 1 and height is None:
        return "", 0
    add("</row>")
    return "".join(out), reused


#: The kinds of column `row_writer` writes: text (a shared string, or nothing when
#: empty), a number (nothing when None), an input (a number, or an empty cell in its
#: style when None: still there to be typed in) and a formula with its value (a
#: number, text, a boolean or "" for nothing).
TEXT, NUMBER, INPUT, FORMULA = "text", "number", "input", "formula"

#: In a FORMULA column's formula: `{r}` the row number, `{0}`, `{1}`, ... the row's
#: parameters (the values after its columns', as text: a block of rows it reads).
_HOLE = re.compile(r"\{(r|\d+)\}")


def formula_tail(f: str, value: Any) -> str:
    """A formula cell's XML after its reference and style (`f` already escaped)."""
    t = type(value)
    if t is str:
        if value == "":
            return f"><f>{f}</f><v></v></c>"
        return f' t="str"><f>{f}</f><v>{esc(value)}</v></c>'
    if t is bool:
        return f' t="b"><f>{f}</f><v>{int(value)}</v></c>'
    return f"><f>{f}</f><v>{number(value)}</v></c>"


def fill_formula(formula: str, r: int, params: tuple[Any, ...]) -> str:
    """The formula of a FORMULA column for row `r` with the row's parameters."""
    return _HOLE.sub(lambda m: str(r) if m.group(1) == "r" else str(params[int(m.group(1))]),
                     formula)


class Col:
    """A column of a table written with `Sheet.bulk`: TEXT (user text, already through
    `t`), NUMBER, INPUT or FORMULA (`formula` with `{r}` for the row number and `{0}`,
    `{1}`, ... for the row's parameters, `={0}` alone for a formula given whole as the
    parameter; its values a number, text or ""), `style` the
    keywords of `Sheet.cell` (None: a plain value)."""

    __slots__ = ("formula", "kind", "style")

    def __init__(self, kind: str, style: dict[str, Any] | None = None,
                 formula: str = "") -> None:
        self.kind, self.style, self.formula = kind, style, formula


class FastShared(dict[str, str]):
    """Text -> its index in the workbook's shared strings, as text (added when new)."""

    def __init__(self, book: Any) -> None:
        super().__init__()
        self.book = book

    def __missing__(self, text: str) -> str:
        book = self.book
        index = book.shared.get(text)
        if index is None:
            index = book.strings._get_shared_string_index(shared_text(text))
            book.shared[text] = index
            book.reused -= 1  # counted there; counted again with the bulk's references
        got = self[text] = str(index)
        return got


def row_writer(columns: list[tuple[str, str, str, str, str]], tall: bool = False
               ) -> Callable[..., str]:
    """A function `(values, n, shared) -> XML` that writes one whole row (number `n`, as
    text) of a table whose columns are alike from row to row, in one expression: the
    quick way through the Scores and Audit sheets' hundreds of thousands of rows.

    `columns` gives each column's (kind, letter, style attribute, formula, style of a
    wrapped text) (the formula with `{r}` where the row number goes, for a FORMULA
    column); `shared` maps a text to its shared-string index as text (looked up, or
    added, by the mapping itself). With `tall`, the function takes two more arguments:
    the row's height attribute and the columns whose text wraps in it. A row's values
    may be followed by its parameters (text), which its formulas take. The function's
    source holds only the letters, styles and formulas given here (as literals), never
    a value: values are its arguments."""
    width = len(columns)
    parts = ["'<row r=\"' + n + '\"' + H + '>'" if tall else "'<row r=\"' + n + '\">'"]
    for k, (kind, letter, style, formula, wrapped) in enumerate(columns):
        ref = f"'<c r=\"{letter}' + n + '\"{style}"
        if kind == TEXT:
            if tall:
                ref = (f"'<c r=\"{letter}' + n + '\"' + ({wrapped!r} if {k} in W else "
                       f"{style!r}) + '")
            parts.append(f"('' if not v[{k}] else {ref} t=\"s\"><v>' + S[v[{k}]] + "
                         "'</v></c>')")
        elif kind == NUMBER:
            parts.append(f"('' if v[{k}] is None else {ref}><v>' + N(v[{k}]) + '</v></c>')")
        elif kind == INPUT:
            parts.append(f"({ref}/>' if v[{k}] is None else {ref}><v>' + N(v[{k}]) + "
                         "'</v></c>')")
        elif kind == FORMULA:
            text = esc(formula[1:] if formula.startswith("=") else formula)
            pieces = _HOLE.split(text)  # literal, hole, literal, ...
            if len(pieces) == 3 and not pieces[0] and not pieces[2] and pieces[1] != "r":
                # the whole formula is a parameter: escaped here
                parts.append(f"{ref}' + T(E(v[{width} + {int(pieces[1])}]), v[{k}])")
                continue
            body = " + ".join(repr(p) if i % 2 == 0 else
                              ("n" if p == "r" else f"v[{width} + {int(p)}]")
                              for i, p in enumerate(pieces) if i % 2 or p)
            parts.append(f"{ref}' + T({body}, v[{k}])")
        else:
            raise ValueError(f"unknown column kind {kind!r}")
    parts.append("'</row>'")
    args = "v, n, S, H, W" if tall else "v, n, S"
    source = f"def row({args}):\n    return ''.join((" + ",\n        ".join(parts) + "))\n"
    space: dict[str, Any] = {"N": number, "T": formula_tail, "E": esc}
    exec(compile(source, "<pack row>", "exec"), space)  # literals only, see above
    return space["row"]
