"""The fonts of every PDF, and supplier text made drawable in them.

A records office keeps a PDF for years and opens it on machines it cannot choose, so
every font is embedded: DejaVu Sans, shipped under resources/fonts/ (free licence
beside it), covers Latin, Greek, Cyrillic, Arabic and Hebrew. It has no Chinese,
Japanese or Korean; for those a fallback is looked for on the machine (Droid Sans
Fallback, WenQuanYi, Windows' and macOS's own; reportlab embeds only TrueType
outlines, so the OpenType/CFF Noto CJK files do not qualify) and each run of such
characters is set in it. Where none is found the characters would print as empty
boxes: `missing()` says which scripts, and the report says so in words.

Right-to-left names (Arabic, Hebrew) are put in visual order (Unicode bidi, with
Arabic letters joined) before they are laid out, since reportlab draws left to right.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import unicodedata
from pathlib import Path

from ..paths import RESOURCES
from .safe_text import para, plain_text

FONT_DIR = RESOURCES / "fonts"
REGULAR_FILE = FONT_DIR / "DejaVuSans.ttf"
BOLD_FILE = FONT_DIR / "DejaVuSans-Bold.ttf"
MAIN, MAIN_BOLD, FALLBACK = "PDSans", "PDSans-Bold", "PDSansCJK"

#: Where a fallback for Chinese, Japanese and Korean is looked for first, as
#: (path, index in a collection); then fontconfig (`fc-list :lang=zh`). The
#: environment variable PROCURE_DESK_CJK_FONT names another file ("" for none).
CJK_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
    ("C:/Windows/Fonts/msgothic.ttc", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
)
_RTL = ("R", "AL")
# The first word of a character's Unicode name, as a reader knows the script.
_SCRIPTS = {"CJK": "Chinese, Japanese or Korean", "HANGUL": "Korean",
            "HIRAGANA": "Japanese", "KATAKANA": "Japanese", "HALFWIDTH": "Japanese",
            "BOPOMOFO": "Chinese"}
# Explicit bidi formatting characters: the order is worked out here, and they have no
# glyph (a hostile override must not reverse a name either: it is dropped).
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Fonts:
    """The registered fonts: main, bold and the fallback (None where there is none)."""

    def __init__(self) -> None:
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        self.regular, self.bold = MAIN, MAIN_BOLD
        try:
            main = TTFont(MAIN, str(REGULAR_FILE))
            pdfmetrics.registerFont(main)
            pdfmetrics.registerFont(TTFont(MAIN_BOLD, str(BOLD_FILE)))
        except Exception:  # a damaged installation: the built-in font, said in words
            self.regular, self.bold = "Helvetica", "Helvetica-Bold"
            self.glyphs: frozenset[int] = frozenset(range(32, 256))
            self.embedded = False
        else:
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(MAIN, bold, italic, MAIN_BOLD if bold else MAIN)
            self.glyphs = frozenset(main.face.charToGlyph)
            self.embedded = True
        self.fallback: str | None = None
        self.fallback_file = ""
        self.fallback_glyphs: frozenset[int] = frozenset()
        for path, index in _cjk_candidates():
            try:
                font = TTFont(FALLBACK, path, subfontIndex=index)
            except Exception:  # PostScript outlines, a damaged file: the next one
                continue
            pdfmetrics.registerFont(font)
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FALLBACK, bold, italic, FALLBACK)
            self.fallback, self.fallback_file = FALLBACK, path
            self.fallback_glyphs = frozenset(font.face.charToGlyph)
            break


def _cjk_candidates() -> list[tuple[str, int]]:
    override = os.environ.get("PROCURE_DESK_CJK_FONT")
    if override is not None:
        return [(override, 0)] if override else []
    found = [(p, i) for p, i in CJK_CANDIDATES if Path(p).is_file()]
    if found:
        return found
    try:  # fontconfig, where the machine has it
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True,
                             text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = sorted({line.split(":")[0].strip() for line in out.splitlines()})
    return [(f, 0) for f in files if f.lower().endswith((".ttf", ".ttc"))]


@functools.cache
def fonts() -> Fonts:
    """The fonts, registered once per process."""
    return Fonts()


def reset() -> None:
    """Look for the fonts again (the tests change what the machine has)."""
    fonts.cache_clear()
    _font_of.cache_clear()
    _laid_out.cache_clear()


@functools.cache
def _font_of(ch: str) -> str | None:
    """None for the main font; the fallback's name; "" where no font has the glyph."""
    f = fonts()
    code = ord(ch)
    if code in f.glyphs or ch in "\n\t" or unicodedata.category(ch).startswith("C"):
        return None
    if f.fallback and code in f.fallback_glyphs:
        return f.fallback
    return ""


def visual(text: str) -> str:
    """Text in the order it is drawn, left to right: right-to-left runs reversed by the
    Unicode bidi algorithm (Arabic letters joined first), line by line."""
    if text.isascii():
        return text
    text = _BIDI_CONTROLS.sub("", text)
    if not any(unicodedata.bidirectional(c) in _RTL for c in text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return "\n".join(get_display(arabic_reshaper.reshape(line)) if line else line
                     for line in text.split("\n"))


def runs(text: str) -> list[tuple[str, str | None]]:
    """The text in runs of one font: (run, None for the main font or the fallback's
    name, or "" where no font has the glyph)."""
    out: list[tuple[str, str | None]] = []
    for ch in text:
        font = None if ch.isascii() else _font_of(ch)
        if out and out[-1][1] == font:
            out[-1] = (out[-1][0] + ch, font)
        else:
            out.append((ch, font))
    return out


def needs_fallback(text: str) -> bool:
    """Whether any character of text is missing from the main font."""
    return not text.isascii() and any(_font_of(c) is not None for c in text
                                      if not c.isascii())


def markup(value: object) -> str:
    """Paragraph markup of user text: escaped, in visual order, each run the main font
    lacks set in the fallback."""
    text = visual(plain_text(value))
    if not needs_fallback(text):
        return para(text)
    return "".join(f'<font name="{font}">{para(run)}</font>' if font else para(run)
                   for run, font in runs(text))


def missing(text: str) -> list[str]:
    """The scripts of the characters no font here can draw (empty when all can)."""
    if text.isascii():
        return []
    names = set()
    for ch in text:
        if not ch.isascii() and _font_of(ch) == "":
            first = unicodedata.name(ch, f"U+{ord(ch):04X}").split(" ")[0]
            names.add(_SCRIPTS.get(first, first.title()))
    return sorted(names)


def shown(value: object) -> str | None:
    """User text ready to be drawn as a plain string in the main font, or None where it
    needs the fallback (then a Paragraph of `markup`)."""
    text = visual(plain_text(value))
    return None if needs_fallback(text) else text


def draw(canv: object, x: float, y: float, value: object, font: str, size: float,
         anchor: str = "left") -> None:
    """Draw one line on a canvas (page headers and footers) with the fallback where
    needed; anchor "left", "right" or "centre"."""
    parts, width = _laid_out(plain_text(value), font, size)
    x0 = x - width if anchor == "right" else x - width / 2 if anchor == "centre" else x
    for run, f, w in parts:
        canv.setFont(f, size)  # type: ignore[attr-defined]
        canv.drawString(x0, y, run)  # type: ignore[attr-defined]
        x0 += w


@functools.lru_cache(maxsize=256)
def _laid_out(text: str, font: str, size: float
              ) -> tuple[tuple[tuple[str, str, float], ...], float]:
    """A line's runs (text, font, width) in drawing order and its width: the same
    header and footer are drawn on every page of every letter."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    parts = tuple((run, f or font, float(stringWidth(run, f or font, size)))
                  for run, f in runs(visual(text)))
    return parts, sum(w for _, _, w in parts)
