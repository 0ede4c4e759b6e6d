"""A long table held as columns, turned into rows a chunk at a time as it is written.

The Scores, Moderation, Results and Audit sheets can hold millions of cells. Held as
rows (a tuple or a list of cells each) until the sheet is written, they take hundreds
of megabytes; as columns (a code per row into a few labels, an array of numbers, the
document's own list of comments) they take a few bytes a row. `Sheet.bulk` measures a
`Rows` column by column and writes it a chunk of rows at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CHUNK = 20_000  # rows made at once


@dataclass
class Measure:
    """What a text column holds, for its width and the rows whose text wraps: the widest
    line, the rows (positions in the column) longer than the column's cap or of several
    lines and their lengths, the rows whose text looks like spreadsheet markup
    (`<r>...`: written inline), and how many texts are not empty."""

    widest: int
    long: np.ndarray
    lengths: np.ndarray
    odd: np.ndarray
    texts: int
    multi: np.ndarray  # beside `long`: whether that text has several lines


class Part:
    """One column of a `Rows`: its values for rows a..b (positions) as a list."""

    size: int

    def chunk(self, a: int, b: int) -> list[Any]:
        raise NotImplementedError

    def value(self, r: int) -> Any:
        return self.chunk(r, r + 1)[0]

    def measure(self, a: int, b: int, cap: int) -> Measure:
        """Measured text by text (a column of free text: comments, rationales)."""
        widest, long, lengths, multi, odd, texts = 0, [], [], [], [], 0
        for start in range(a, b, CHUNK):
            values = self.chunk(start, min(b, start + CHUNK))
            lens = list(map(len, values))
            texts += len(values) - lens.count(0)
            top = max(lens, default=0)
            joined = "\x00".join(values) if top else ""
            lines = "\n" in joined
            if lines or "<r>" in joined:
                for r, v in enumerate(values):
                    if "\n" in v:
                        lens[r] = max(map(len, v.split("\n")))
                        long.append(start - a + r)
                        lengths.append(len(v))
                        multi.append(True)
                    elif v.startswith("<r>"):
                        odd.append(start - a + r)
            widest = max(widest, max(lens, default=0))
            if top > cap:
                for r, n in enumerate(lens):
                    if n > cap and "\n" not in values[r]:
                        long.append(start - a + r)
                        lengths.append(n)
                        multi.append(False)
        order = np.argsort(np.array(long, dtype=np.int64), kind="stable")
        return Measure(widest, np.array(long, dtype=np.int64)[order],
                       np.array(lengths, dtype=np.int64)[order],
                       np.array(odd, dtype=np.int64), texts,
                       np.array(multi, dtype=bool)[order])


class Items(Part):
    """Values kept as they are (a list, or any sequence that slices)."""

    def __init__(self, values: Sequence[Any]) -> None:
        self.values = values
        self.size = len(values)

    def chunk(self, a: int, b: int) -> list[Any]:
        got = self.values[a:b]
        return got if type(got) is list else list(got)


class Computed(Part):
    """Values made on demand by `make(a, b)`."""

    def __init__(self, size: int, make: Callable[[int, int], list[Any]]) -> None:
        self.size = size
        self.make = make

    def chunk(self, a: int, b: int) -> list[Any]:
        return self.make(a, b)


class Labels(Part):
    """A column of a few distinct texts (names, ids): a code per row into `labels`."""

    def __init__(self, codes: np.ndarray, labels: Sequence[Any]) -> None:
        self.codes = np.asarray(codes, dtype=np.int64)
        self.labels = np.empty(len(labels), dtype=object)
        self.labels[:] = list(labels)
        self.size = int(self.codes.size)

    def chunk(self, a: int, b: int) -> list[Any]:
        return self.labels[self.codes[a:b]].tolist()

    def measure(self, a: int, b: int, cap: int) -> Measure:
        labels = [str(x) if x is not None else "" for x in self.labels.tolist()]
        full = np.array([len(x) for x in labels], dtype=np.int64)
        line = np.array([max(map(len, x.split("\n"))) if "\n" in x else len(x)
                         for x in labels], dtype=np.int64)
        multi = np.array(["\n" in x for x in labels], dtype=bool)
        markup = np.array([x.startswith("<r>") and "\n" not in x for x in labels], dtype=bool)
        codes = self.codes[a:b]
        if not codes.size or not labels:
            return Measure(0, np.zeros(0, np.int64), np.zeros(0, np.int64),
                           np.zeros(0, np.int64), 0, np.zeros(0, dtype=bool))
        used = np.bincount(codes, minlength=len(labels)) > 0
        long_label = used & ((line > cap) | multi)
        long = np.flatnonzero(long_label[codes]) if long_label.any() else np.zeros(0, np.int64)
        odd = np.flatnonzero(markup[codes]) if (used & markup).any() else np.zeros(0, np.int64)
        return Measure(int(line[used].max(initial=0)), long, full[codes[long]], odd,
                       int(np.count_nonzero((full > 0)[codes])), multi[codes[long]])


class Numbers(Part):
    """Numbers from an array, `empty` where the array holds nan."""

    def __init__(self, values: np.ndarray, empty: Any = None) -> None:
        self.values = np.asarray(values, dtype=np.float64)
        self.empty = empty
        self.size = int(self.values.size)
        self.gaps = bool(np.isnan(self.values).any())

    def chunk(self, a: int, b: int) -> list[Any]:
        got = self.values[a:b].tolist()
        if self.gaps:
            e = self.empty
            return [e if x != x else x for x in got]
        return got


class Rows:
    """A long table as columns (`Part`s, one per column and then one per parameter of
    its formulas), rows `start`..`stop` of them; `rows(a, b)` gives rows a..b (counted
    from `start`) as tuples."""

    def __init__(self, parts: list[Part], start: int = 0, stop: int | None = None) -> None:
        self.parts = parts
        size = parts[0].size if parts else 0
        self.start = start
        self.stop = size if stop is None else stop

    def __len__(self) -> int:
        return self.stop - self.start

    def window(self, a: int, b: int) -> Rows:
        """Rows a..b of this table (counted from its start)."""
        return Rows(self.parts, self.start + a, self.start + b)

    def rows(self, a: int, b: int) -> list[tuple[Any, ...]]:
        s = self.start
        return list(zip(*(p.chunk(s + a, s + b) for p in self.parts)))

    def chunks(self, a: int = 0) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
        """(first row, rows) a chunk at a time, from row a to the end."""
        step = max(1, min(CHUNK, CHUNK * 20 // max(len(self.parts), 1)))  # wide: fewer
        for x in range(a, len(self), step):
            yield x, self.rows(x, min(len(self), x + step))

    def measure(self, k: int, cap: int, a: int = 0) -> Measure:
        """Column k's texts from row a (positions in the result count from a)."""
        return self.parts[k].measure(self.start + a, self.stop, cap)

    def value(self, r: int, k: int) -> Any:
        return self.parts[k].value(self.start + r)
