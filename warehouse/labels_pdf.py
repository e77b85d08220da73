"""Unit labels as PDF: bilingual text and vector barcodes that a shop scanner reads.

No Flask here: `label_data(lot)` reads plain attributes and `render_labels` writes the PDF.

Barcodes (reportlab widgets, exact vector bars):
- a product with a GTIN: GS1-128 carrying (01) GTIN-14, (17) best-before YYMMDD and (10) lot,
  the variable-length lot last so no separator is needed, plus an EAN-13 of the GTIN for
  ordinary till scanners;
- without a GTIN: a Code 128 of the lot code.
Sizes respect GS1: X-dimension 0.25 mm or more for GS1-128 / Code 128, EAN-13 at
magnification 0.8 or more (X 0.264 mm). A full GS1-128 with a 13-character lot is ~88 mm
wide at that X, so the 99 and 100 mm labels carry it in one symbol, while the 70 and 58 mm
labels split the element string over two GS1-128 symbols, as GS1 logistic labels do; no
bars are ever squeezed below the minimum.

Every label names its lot in one symbol a scanner reads first (issue 13: a scan never
guesses the lot). On split labels the top symbol is the lot's — (10) — and the one under it
(01)(17): (01) and (10) together are ~77 mm at the minimum X, wider than a 58 or 70 mm
label, so they cannot share a linear symbol there. Layouts with room (`datamatrix`) add a
GS1 DataMatrix carrying (01)(17)(10) in one symbol for 2D scanners. The EAN-13 names only
the product: the resolver (models.stock_codes) takes it directly only when one lot of the
product is on hand, otherwise it asks which.

Each label is drawn once per PDF as a form XObject and placed N times; barcode objects are
cached per lot, so 1,000 labels cost little more than one.
"""
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.eanbc import Ean13BarcodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

from models.stock_codes import build_gs1
from documents.datamatrix import GS1DataMatrix
from documents.pdf import FONT, FONT_BOLD, ar, code128, has_arabic, register_fonts
from web.labels import pdf_unit

GS1_X_MIN = 0.25 * mm          # GS1-128 minimum X-dimension (0.0098 in)
EAN_X = 0.27 * mm              # EAN-13 at magnification ~0.82 (0.8 minimum: 0.264 mm)
FNC1 = "\xf1"
DM_X = 0.42 * mm               # GS1 DataMatrix module, above GS1's 0.396 mm for retail 2D


@dataclass(frozen=True)
class Layout:
    """A label size and how labels sit on the page (a sheet of cols × rows, or one per page)."""

    name: str
    label_w: float
    label_h: float
    cols: int = 1
    rows: int = 1
    page_w: float = 0
    page_h: float = 0
    left: float = 0
    top: float = 0
    hpitch: float = 0
    vpitch: float = 0
    split_gs1: bool = False
    gs1_x: float = GS1_X_MIN
    datamatrix: bool = False

    @property
    def per_page(self):
        """Labels on one page."""
        return self.cols * self.rows

    @property
    def page_size(self):
        """(width, height) of the PDF page: A4 for sheets, the label itself for thermal rolls."""
        return (self.page_w, self.page_h) if self.page_w else (self.label_w, self.label_h)

    def position(self, index):
        """Lower-left corner of label `index` (0-based, row by row) on its page."""
        col, row = index % self.cols, index // self.cols
        x = self.left + col * (self.hpitch or self.label_w)
        y = self.page_size[1] - self.top - row * (self.vpitch or self.label_h) - self.label_h
        return x, y


A4_W, A4_H = A4
LAYOUTS = {
    # 3 × 8 labels of 70 × 37 mm, edge to edge (0.5 mm top and bottom).
    "a4-3x8": Layout("a4-3x8", 70 * mm, 37 * mm, 3, 8, A4_W, A4_H, 0, 0.5 * mm,
                     split_gs1=True, gs1_x=0.254 * mm),
    # 2 × 7 labels of 99.1 × 38.1 mm (L7163 style): 4.65 mm sides, 2.5 mm gap, 15.15 mm top.
    "a4-2x7": Layout("a4-2x7", 99.1 * mm, 38.1 * mm, 2, 7, A4_W, A4_H, 4.65 * mm, 15.15 * mm,
                     hpitch=101.6 * mm, gs1_x=0.254 * mm, datamatrix=True),
    # Thermal rolls, one label per page (0.25 mm = 2 dots at 203 dpi).
    "58x40": Layout("58x40", 58 * mm, 40 * mm, split_gs1=True, gs1_x=0.25 * mm),
    "100x50": Layout("100x50", 100 * mm, 50 * mm, gs1_x=0.25 * mm, datamatrix=True),
}


@dataclass(frozen=True)
class LabelData:
    """What one lot's labels say. Dates as date objects, price a Decimal or None."""

    lot_code: str
    name_fr: str
    name_ar: str
    cooperative_fr: str
    cooperative_ar: str
    net_content: str
    best_before: object = None
    gtin: str | None = None
    price: Decimal | None = None
    allergens: str | None = None


def net_content_text(quantity, uom):
    """0.500 kg → "500 g", 1.000 l → "1 L", 0.010 l → "10 ml", 2.5 kg → "2,5 kg"."""
    if quantity is None:
        return ""
    q = Decimal(quantity)
    if uom in ("kg", "l") and q < 1:
        small = (q * 1000).normalize()
        return f"{small:f} {'g' if uom == 'kg' else 'ml'}"
    text = f"{q.normalize():f}".replace(".", ",")
    return f"{text} {pdf_unit(uom)}"


def label_data(lot, with_price=False):
    """LabelData from a Lot (with its product and cooperative loaded)."""
    p, c = lot.product, lot.cooperative
    return LabelData(
        lot_code=lot.code, name_fr=p.name_fr, name_ar=p.name_ar, cooperative_fr=c.name_fr,
        cooperative_ar=c.name_ar, net_content=net_content_text(p.net_content, p.content_uom),
        best_before=lot.best_before, gtin=p.gtin,
        price=p.retail_price if with_price else None, allergens=p.allergens)


def gs1_element_strings(data):
    """The GS1 data as [(symbol data with FNC1, human-readable text)]: one symbol, or two when
    split — the lot's (10) first (the top symbol), then (01)(17). Built by python-stdnum:
    fixed-length AIs first, the variable-length lot (10) last."""
    head = {"01": "0" + data.gtin}
    if data.best_before:
        head["17"] = data.best_before
    tail = {"10": data.lot_code}
    split = [(build_gs1(tail), build_gs1(tail, parentheses=True)),
             (build_gs1(head), build_gs1(head, parentheses=True))]
    full = [(build_gs1({**head, **tail}), build_gs1({**head, **tail}, parentheses=True))]
    return split, full


def gs1_datamatrix_string(data):
    """The element string of the label's GS1 DataMatrix: (01)(17)(10) in one symbol."""
    values = {"01": "0" + data.gtin, "10": data.lot_code}
    if data.best_before:
        values["17"] = data.best_before
    return build_gs1(values, fnc1="\x1d")


@lru_cache(maxsize=512)
def datamatrix(value):
    """A cached GS1 DataMatrix symbol (modules of DM_X)."""
    return GS1DataMatrix(value, barWidth=DM_X)


@lru_cache(maxsize=512)
def ean13(gtin, bar_height):
    """A cached EAN-13 drawing of a validated GTIN-13 (check digit recomputed and compared)."""
    widget = Ean13BarcodeWidget(gtin[:12], barWidth=EAN_X, barHeight=bar_height, fontSize=7,
                                fontName=FONT)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(x1 - x0, y1 - y0 + 7)
    widget.y = 7 - y0 + 0.5
    drawing.add(widget)
    return drawing


def fit(c, text, font, size, max_width, x, y, align="left", min_size=4.5):
    """Draw one line, shrinking the font until it fits `max_width` (then cutting with "…")."""
    while size > min_size and stringWidth(text, font, size) > max_width:
        size -= 0.25
    # Arabic in visual order reads from the right: its start is the string's end, so a line
    # too long even at the smallest size loses its visual left (the reading end), not its start.
    rtl = align == "right" and has_arabic(text)
    while len(text) > 1 and stringWidth(text, font, size) > max_width:
        text = "…" + text[2:] if rtl else text[:-2] + "…"
    c.setFont(font, size)
    if align == "right":
        c.drawRightString(x, y, text)
    elif align == "center":
        c.drawCentredString(x, y, text)
    else:
        c.drawString(x, y, text)
    return size


def _draw_barcode_block(c, value, hri, x_mid, y, bar_width, bar_height, hri_size):
    """A Code 128 / GS1-128 symbol centred on x_mid with its bracketed line under it."""
    symbol = code128(value, bar_width, bar_height)
    symbol.drawOn(c, x_mid - symbol.width / 2, y + hri_size + 1)
    c.setFont(FONT, hri_size)
    c.drawCentredString(x_mid, y + 0.6, hri)
    return symbol.width


def _draw_text(c, d, x, top, width, size):
    """The text block: names FR and AR, cooperative, net content, lot, best-before, price."""
    lh = size * 1.28
    y = top - size
    fit(c, d.name_fr, FONT_BOLD, size + 1, width, x, y)
    y -= lh + 1
    fit(c, ar(d.name_ar), FONT_BOLD, size + 1, width, x + width, y, align="right")
    y -= lh
    fit(c, d.cooperative_fr, FONT, size - 1.5, width, x, y)
    y -= lh - 1
    left = f"{d.net_content}" if d.net_content else ""
    fit(c, left, FONT_BOLD, size, width * 0.5, x, y)
    if d.price is not None:
        price = f"{Decimal(d.price):.2f}".replace(".", ",") + " MAD"
        fit(c, price, FONT_BOLD, size + 1, width * 0.5, x + width, y, align="right")
    y -= lh
    fit(c, f"Lot : {d.lot_code}", FONT, size, width, x, y)
    y -= lh
    if d.best_before:
        fit(c, f"DDM : {d.best_before:%d/%m/%Y}  " + ar("يُفضَّل استهلاكه قبل"), FONT, size, width, x, y)
    if d.allergens:
        y -= lh - 1
        fit(c, f"Allergènes : {d.allergens}", FONT, size - 1.5, width, x, y)


def draw_label(c, d, layout):
    """One label in (0, 0)–(label_w, label_h) on canvas `c`."""
    w, h, m = layout.label_w, layout.label_h, 1.6 * mm
    if not d.gtin:
        bar_h = 9 * mm if h > 45 * mm else 7 * mm
        _draw_barcode_block(c, d.lot_code, d.lot_code, w / 2, m, layout.gs1_x, bar_h, 6)
        _draw_text(c, d, m, h - m, w - 2 * m, 7.5 if w > 80 * mm else 6.5)
        return
    split, full = gs1_element_strings(d)
    if layout.split_gs1:
        bar_h, hri = 5.5 * mm, 5
        y = m
        for value, text in reversed(split):
            _draw_barcode_block(c, value, text, w / 2, y, layout.gs1_x, bar_h, hri)
            y += bar_h + hri + 1.8
    else:
        bar_h, hri = (10 * mm if h > 45 * mm else 8 * mm), 6
        value, text = full[0]
        _draw_barcode_block(c, value, text, w / 2, m, layout.gs1_x, bar_h, hri)
        y = m + bar_h + hri + 2
    top_h = h - m - y
    ean = ean13(d.gtin, min(18.28 * mm, top_h - 10))
    renderPDF.draw(ean, c, w - m - ean.width + 2 * mm, y + (top_h - ean.height) / 2)
    text_w = w - 2 * m - ean.width + 2 * mm
    if layout.datamatrix:
        symbol = datamatrix(gs1_datamatrix_string(d))
        side = symbol.width
        symbol.drawOn(c, m + text_w - side - 1.5 * mm, y + 0.5 * mm)
        text_w -= side + 2.5 * mm
    _draw_text(c, d, m, h - m, text_w, 7 if w > 80 * mm else 5.5)


def render_labels(items, layout_name="a4-3x8", start=1):
    """PDF bytes: for each (LabelData, copies) that many labels, on `layout_name`, skipping the
    first `start - 1` positions of the first sheet (a partly used sheet)."""
    register_fonts()
    layout = LAYOUTS[layout_name]
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=layout.page_size, pageCompression=1)
    c.setTitle("Étiquettes – Tadamon")
    forms = {}
    index = max(0, min(int(start) - 1, layout.per_page - 1)) if layout.per_page > 1 else 0
    placed = 0
    for data, copies in items:
        if data not in forms:
            name = f"label{len(forms)}"
            c.beginForm(name, 0, 0, layout.label_w, layout.label_h)
            draw_label(c, data, layout)
            c.endForm()
            forms[data] = name
        for _n in range(int(copies)):
            if placed and index == 0:
                c.showPage()
            x, y = layout.position(index)
            c.saveState()
            c.translate(x, y)
            c.doForm(forms[data])
            c.restoreState()
            placed += 1
            index = (index + 1) % layout.per_page
    if not placed:
        c.setFont(FONT, 8)
        c.drawString(5 * mm, 5 * mm, "—")
    c.showPage()
    c.save()
    return buf.getvalue()
