"""Shared PDF helpers: embedded DejaVu fonts (Latin and Arabic glyphs) and Arabic text
shaped and ordered for reportlab, which draws glyphs left to right as given."""
import os
from functools import lru_cache

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.graphics import shapes
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
    return FONT


@lru_cache(maxsize=4096)
def ar(text):
    """Arabic (or mixed) text shaped and in visual order, ready for drawString."""
    if not text:
        return ""
    return get_display(arabic_reshaper.reshape(text))


def has_arabic(text):
    """True when the text contains Arabic letters."""
    return any("\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufefc" for ch in text or "")


def draw_bilingual_heading(canvas, x_left, x_right, y, french, arabic, size=14):
    """French on the left, Arabic on the right, on one line."""
    register_fonts()
    canvas.setFont(FONT_BOLD, size)
    canvas.drawString(x_left, y, french)
    canvas.drawRightString(x_right, y, ar(arabic))
