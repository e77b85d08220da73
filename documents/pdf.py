"""Shared PDF helpers: embedded DejaVu fonts (Latin and Arabic glyphs) and Arabic text
shaped and ordered for reportlab, which draws glyphs left to right as given."""
import os
import re
import unicodedata
from functools import lru_cache

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab import rl_config
from reportlab.graphics import shapes
from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "fonts")
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"


@lru_cache(maxsize=1)
def register_fonts():
    """Register the bundled fonts once per process; barcode widgets default to them too,
    so no non-embedded Helvetica sneaks into a PDF."""
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(FONT_DIR, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    shapes.STATE_DEFAULTS["fontName"] = FONT
    # Streams zlib-compressed as binary, without ASCII85 on top: reportlab's ASCII85 encoder is
    # pure Python here (no C accelerator), ~15 ms a page of a statement, and makes files 25 %
    # bigger; binary streams are plain PDF (every reader, pdftoppm, pdftotext).
    rl_config.useA85 = 0
    return FONT


@lru_cache(maxsize=2048)
def code128(value, bar_width, bar_height):
    """A cached Code 128 symbol (reportlab) with 10X quiet zones and no built-in
    human-readable line: what every PDF draws (labels, receipts); pages draw theirs as SVG
    (web.barcodes)."""
    return Code128(value, barWidth=bar_width, barHeight=bar_height, humanReadable=0,
                   quiet=1, lquiet=10 * bar_width, rquiet=10 * bar_width)


# Explicit direction controls (embeddings, overrides, isolates), marks and invisible characters
# that pasted text carries: python-bidi refuses isolates ("FSI not allowed here") and DejaVu has
# no glyph for most of them, so they are taken out before ordering; tabs and line breaks are
# spaces (a drawString line is one line).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d"
                                    "\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad"))
_INVISIBLE.update({c: " " for c in range(0, 32)})
_INVISIBLE[0x7f] = None


_NEGATIVE = re.compile(r"(?<!\w)[-\u2212][\d][\d\s.,\u202f\u00a0]*\d|(?<!\w)[-\u2212]\d")


def _first_strong(line):
    """"R" when the line's first strong letter is right-to-left, else "L"."""
    for ch in line:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "L"


def is_rtl(text):
    """True when a line's first strong letter is Arabic (draw it from the right)."""
    return _first_strong(clean_line(text)) == "R"


def clean_line(text):
    """A line of text without control or direction characters (what a PDF line can draw)."""
    return str(text).translate(_INVISIBLE) if text is not None else ""


@lru_cache(maxsize=4096)
def shape(text, base_dir=None):
    """THE function for every PDF line that may hold Arabic: letters joined
    (arabic-reshaper) and runs put in visual order (python-bidi), so reportlab, which draws
    glyphs left to right as given, shows a mixed French/Arabic line correctly. The paragraph
    direction follows the line's first strong letter unless `base_dir` ("L" or "R") says.
    Direction controls and isolates are removed first; it never raises on odd input."""
    line = clean_line(text)
    if not has_arabic(line):
        return line
    # A leading minus is a separator to the bidi algorithm and trails a number in an Arabic
    # line ("10,50-"): a left-to-right mark on each side keeps "-10,50" whole (removed after).
    if base_dir is None:
        base_dir = _first_strong(line)
    line = _NEGATIVE.sub(lambda m: "\u200e" + m.group(0) + "\u200e", line)
    try:
        shaped = arabic_reshaper.reshape(line)
    except Exception:  # noqa: BLE001 - an odd character must not cost a receipt
        shaped = line
    try:
        visual = get_display(shaped, base_dir=base_dir)
    except Exception:  # noqa: BLE001
        visual = shaped[::-1]
    return clean_line(visual)


def ar(text):
    """Arabic (or mixed) text shaped and in visual order, ready for drawString (see shape)."""
    return shape(text) if text else ""


def fit_size(text, width, size, font=FONT, minimum=4.5):
    """The largest font size (down to `minimum`) at which `text` fits in `width` points."""
    register_fonts()
    while size > minimum and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    return size


def has_arabic(text):
    """True when the text contains Arabic letters."""
    return any("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufefc" for ch in text or "")


def draw_bilingual_heading(canvas, x_left, x_right, y, french, arabic, size=14):
    """French on the left, Arabic on the right, on one line."""
    register_fonts()
    canvas.setFont(FONT_BOLD, size)
    canvas.drawString(x_left, y, french)
    canvas.drawRightString(x_right, y, ar(arabic))


def legal_line():
    """The platform's legal identity from config (name, address, ICE, IF, RC), one line;
    empty outside an app."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return ""
    cfg = current_app.config
    parts = [cfg.get("PLATFORM_LEGAL_NAME"), cfg.get("PLATFORM_ADDRESS")]
    parts += [f"{label} {cfg.get(key)}" for label, key in
              (("ICE", "PLATFORM_ICE"), ("IF", "PLATFORM_IF"), ("RC", "PLATFORM_RC")) if cfg.get(key)]
    return " · ".join(p for p in parts if p)
