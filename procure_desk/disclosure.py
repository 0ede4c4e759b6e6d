"""What a bidder's assessment summary must not disclose: another supplier's name or id,
or another bid's cost figures (Procurement Regulations 2024 reg. 31; docs/evidence.md).

Every text bound for a bidder is scanned before anything is written. A `Scanner` is
built once per evaluation and reads each distinct text once (a text printed in many
summaries, such as the successful tender's feedback, is not read again), so the scan
stays linear at hundreds of bids.

What counts as naming a supplier, after the text is normalised (NFKC, case folded,
invisible and bidirectional control characters removed, look-alike Cyrillic and Greek
letters read as Latin):
- its name without brackets and without a legal suffix ("Kestrelway Digital" for
  "Kestrelway Digital Ltd (SME)"), as whole words;
- its first word alone where that word is distinctive: five letters or more, not a
  common business word ("Digital", "Systems", "Council"...), not a word of the
  authority's name and not the first word of another supplier;
- its bid id ("B3") and its registered identifier (`supplier_id.id`) as whole words
  (an id made of digits only, or of one character, is too common to look for);
- for names in scripts written without spaces (Chinese, Japanese), the name anywhere.

A cost figure is any amount of 1,000 or more that the bid's costs produce: its
whole-life cost, net present value, each cost line's yearly amount and its total,
and each year's cost. A number in the text matches a figure when the figure rounds
to it at the precision it was written with ("£614k" and "614,000" both match
613,912; "613,912" matches only 613,911.5 to 613,912.5); a number of one significant
figure ("£1m") matches only within half a percent. A number that matches one of the
reader's own figures is taken to be about the reader and is not a hit.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MIN_FIGURE = 1000.0
SINGLE_DIGIT_TOLERANCE = 0.005
DISTINCTIVE_MIN = 5

# Characters that change nothing a reader sees but would split a name for a scanner.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B, 0x200C,
     0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061,
     0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF])
# Cyrillic and Greek letters drawn like Latin ones (after case folding).
_LOOKALIKE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ζ": "z", "μ": "m",
})
_LEGAL = {"ltd", "limited", "plc", "llp", "llc", "lp", "inc", "incorporated", "co",
          "company", "corp", "corporation", "gmbh", "sa", "bv", "ag", "cic", "cio"}
# Words of a company name too common in feedback to stand for the company alone.
_GENERIC = {
    "about", "access", "advice", "analytics", "apps", "associates", "borough", "business",
    "care", "case", "centre", "center", "change", "city", "civic", "cloud", "community",
    "computing", "connect", "consult", "consultancy", "consulting", "council", "county",
    "customer", "data", "design", "development", "digital", "direct", "district", "east",
    "enterprise", "enterprises", "europe", "first", "global", "government", "great",
    "group", "holdings", "house", "industries", "infrastructure", "innovation",
    "innovations", "international", "local", "management", "metropolitan", "national",
    "network", "networks", "north", "northern", "partners", "partnership", "people",
    "platform", "platforms", "public", "regional", "resources", "royal", "sector",
    "service", "services", "shared", "smart", "social", "software", "solutions", "south",
    "southern", "support", "systems", "team", "technical", "technologies", "technology",
    "trust", "united", "west", "western", "works", "world",
}
_WORD = re.compile(r"\w+")
_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<mult>k|m|mn|bn|thousand|million|billion)(?![\w]))?(?!\s?%)(?![\w])",
    re.IGNORECASE)
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9,
         "billion": 1e9}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise(text: str) -> str:
    """The text as the scan reads it: NFKC, case folded, invisible characters gone,
    look-alike letters read as Latin, runs of white space as one space."""
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).casefold()
    return " ".join(text.translate(_LOOKALIKE).split())


def shown(text: str, limit: int = 160) -> str:
    """Text fit to quote in a message on a terminal: control and bidirectional
    characters shown as code points, long text cut with a visible sign."""
    out = []
    for ch in text:
        if ord(ch) in _INVISIBLE or _CONTROL.match(ch):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    s = " ".join("".join(out).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


@dataclass(frozen=True)
class Mention:
    """Something a text names: a supplier (`kind` name or id) or a cost figure."""

    bid: str  # whose
    kind: str  # "name", "id" or "figure"
    found: str  # as written in the text
    what: str  # in words, for the message


@dataclass(frozen=True)
class Hit:
    """A mention that would reach a bidder it does not concern."""

    reader: str  # whose summary
    owner: str  # whose feedback the text is
    criterion: str
    text: str
    mention: Mention


@dataclass(frozen=True)
class Figure:
    value: float
    bid: str
    label: str


@dataclass
class Scanner:
    """Built once per evaluation: the names, ids and cost figures of every bid."""

    suppliers: Mapping[str, str]  # bid id -> supplier name
    figures: Sequence[Figure] = ()
    authority: str = ""
    supplier_ids: Mapping[str, str] = field(default_factory=dict)
    _phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = field(
        default_factory=dict, repr=False)
    _spaceless: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _values: list[float] = field(default_factory=list, repr=False)
    _own: dict[str, list[float]] = field(default_factory=dict, repr=False)
    _cache: dict[str, tuple[Mention, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        authority_words = set(_WORD.findall(normalise(self.authority)))
        firsts: dict[str, set[str]] = {}
        cores: dict[str, tuple[str, ...]] = {}
        for bid, name in self.suppliers.items():
            core = _core(name)
            cores[bid] = core
            if core:
                firsts.setdefault(core[0], set()).add(bid)
        for bid, core in cores.items():
            if core:
                self._add(core, bid, "name")
                first = core[0]
                if (len(core) > 1 and len(first) >= DISTINCTIVE_MIN and first.isalpha()
                        and first not in _GENERIC and first not in _LEGAL
                        and first not in authority_words and len(firsts[first]) == 1):
                    self._add((first,), bid, "name")
                joined = " ".join(core)
                if _SPACELESS.search(joined):
                    self._spaceless.append((joined, bid))
            for token in _id_tokens(bid):
                self._add((token,), bid, "id")
            sid = self.supplier_ids.get(bid)
            if sid:
                for token in _id_tokens(sid, digits_ok=True):
                    self._add((token,), bid, "supplier_id")
        self.figures = sorted((f for f in self.figures if abs(f.value) >= MIN_FIGURE),
                              key=lambda f: f.value)
        self._values = [f.value for f in self.figures]
        for f in self.figures:
            self._own.setdefault(f.bid, []).append(f.value)
        for v in self._own.values():
            v.sort()

    def _add(self, words: tuple[str, ...], bid: str, kind: str) -> None:
        entries = self._phrases.setdefault(words[0], [])
        if all(e[0] != words or e[1] != bid for e in entries):
            entries.append((words, bid, kind))
            entries.sort(key=lambda e: -len(e[0]))  # the longest match first

    def mentions(self, text: str) -> tuple[Mention, ...]:
        """Every supplier and cost figure the text names (each text read once)."""
        got = self._cache.get(text)
        if got is None:
            got = tuple(self._names_in(text)) + tuple(self._figures_in(text))
            self._cache[text] = got
        return got

    def _names_in(self, text: str) -> Iterable[Mention]:
        norm = normalise(text)
        words = _WORD.findall(norm)
        seen: set[tuple[str, str]] = set()
        i = 0
        while i < len(words):
            step = 1
            for phrase, bid, kind in self._phrases.get(words[i], ()):
                if tuple(words[i: i + len(phrase)]) == phrase:
                    if (bid, kind) not in seen:
                        seen.add((bid, kind))
                        yield self._mention(bid, kind, " ".join(phrase))
                    step = len(phrase)
                    break
            i += step
        for joined, bid in self._spaceless:
            if joined in norm and (bid, "name") not in seen:
                seen.add((bid, "name"))
                yield self._mention(bid, "name", joined)

    def _mention(self, bid: str, kind: str, found: str) -> Mention:
        who = f"{self.suppliers[bid]} ({bid})"
        what = {"name": f"another supplier, {who}",
                "id": f"another tender's id, {who}",
                "supplier_id": f"another supplier's registered identifier, {who}"}[kind]
        return Mention(bid, "name" if kind == "name" else "id", found, what)

    def _figures_in(self, text: str) -> Iterable[Mention]:
        if not self._values:
            return
        plain = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
        for m in _NUMBER.finditer(plain):
            parsed = parse_amount(m.group("num"), m.group("mult"))
            if parsed is None:
                continue
            value, tolerance = parsed
            if value < MIN_FIGURE - tolerance:
                continue
            lo = bisect.bisect_left(self._values, value - tolerance)
            hi = bisect.bisect_right(self._values, value + tolerance)
            owners: dict[str, Figure] = {}
            for f in self.figures[lo:hi]:
                owners.setdefault(f.bid, f)
            for bid, f in owners.items():
                yield Mention(bid, "figure", m.group(0).strip(),
                              f"a cost figure of another tender, {self.suppliers[bid]} "
                              f"({bid}): {f.label} {f.value:,.0f}")

    def matches_own(self, bid: str, found: str) -> bool:
        """Whether a number as written matches one of `bid`'s own figures."""
        m = _NUMBER.search(found)
        parsed = parse_amount(m.group("num"), m.group("mult")) if m else None
        own = self._own.get(bid)
        if parsed is None or not own:
            return False
        value, tolerance = parsed
        k = bisect.bisect_left(own, value - tolerance)
        return k < len(own) and own[k] <= value + tolerance

    def hits(self, reader: str, texts: Iterable[tuple[str, str, str]], *,
             allowed: Iterable[str] = ()) -> list[Hit]:
        """What in `texts` ((owner bid, criterion, text) bound for `reader`'s summary)
        names another supplier or another bid's figures. `allowed`: bids whose name and
        id may appear (the successful tender's, in an unsuccessful bidder's copy)."""
        ok = {reader, *allowed}
        out = []
        for owner, criterion, text in texts:
            for m in self.mentions(text):
                if m.bid == reader:
                    continue
                if m.kind != "figure" and m.bid in ok:
                    continue
                if m.kind == "figure" and self.matches_own(reader, m.found):
                    continue
                out.append(Hit(reader, owner, criterion, text, m))
        return out


def parse_amount(num: str, mult: str | None) -> tuple[float, float] | None:
    """A number as written ("614,000", "614k", "0.61m") as (value, tolerance): half a
    unit of its last significant place, or half a percent for one significant figure."""
    digits = re.sub(r"[,\u00a0\u202f ]", "", num)
    try:
        value = float(digits)
    except ValueError:
        return None
    factor = _MULT.get((mult or "").lower(), 1.0)
    whole, _, frac = digits.partition(".")
    if frac:
        unit = 10.0 ** -len(frac)
        significant = len((whole + frac).lstrip("0"))
    else:
        stripped = whole.rstrip("0")
        unit = 10.0 ** (len(whole) - len(stripped)) if stripped else 1.0
        significant = len(stripped.lstrip("0"))
    value *= factor
    if significant <= 1:
        return value, abs(value) * SINGLE_DIGIT_TOLERANCE
    return value, unit * factor / 2


def _core(name: str) -> tuple[str, ...]:
    """The words of a name without bracketed parts and trailing legal suffixes."""
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", normalise(name))
    words = _WORD.findall(text)
    while len(words) > 1 and words[-1] in _LEGAL:
        words.pop()
    return tuple(words)


def _id_tokens(ident: str, *, digits_ok: bool = False) -> list[str]:
    """An id as a whole word to look for, unless it is too common to mean the bid."""
    words = tuple(_WORD.findall(normalise(ident)))
    if len(words) != 1:
        return []
    w = words[0]
    if len(w) < 2 or (w.isdigit() and (not digits_ok or len(w) < 6)):
        return []
    return [w]


def cost_figures(doc: Mapping[str, Any]) -> list[Figure]:
    """Every cost figure each bid's costs produce (see the module's docstring)."""
    from .engine import discount_factors, year_costs

    appraisal = doc["evaluation"]["appraisal"]
    years = int(appraisal["years"])
    disc = discount_factors(years, float(appraisal["discount_rate"]))
    out: list[Figure] = []
    for b in doc["bids"]:
        bid = b["id"]
        costs = b.get("costs", [])
        by_year = year_costs(costs, years)
        out.append(Figure(float(by_year.sum()), bid, "whole-life cost"))
        out.append(Figure(float(by_year @ disc), bid, "net present value"))
        for y, v in enumerate(by_year):
            out.append(Figure(float(v), bid, f"cost in year {y}"))
        for line in costs:
            amount = float(line["amount"])
            out.append(Figure(amount, bid, f"{line.get('item', 'cost line')} a year"))
            out.append(Figure(amount * int(line["years"]), bid,
                              f"{line.get('item', 'cost line')} in all"))
    return out


def scanner_for(doc: Mapping[str, Any]) -> Scanner:
    """The scanner of an evaluation document."""
    ids = {b["id"]: str((b.get("supplier_id") or {}).get("id") or "") for b in doc["bids"]}
    return Scanner(suppliers={b["id"]: str(b["supplier"]) for b in doc["bids"]},
                   figures=cost_figures(doc), authority=str(doc["evaluation"].get(
                       "authority") or ""), supplier_ids=ids)
