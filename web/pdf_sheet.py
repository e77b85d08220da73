"""A paginated bilingual A4 document (French left, Arabic right): header on each page, party
boxes, a table of lines, totals, notes and signature boxes. Plain reportlab, no Flask; the
delivery notes, slips and invoices of every area draw on it."""
from datetime import datetime
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from documents.pdf import FONT, FONT_BOLD, ar, draw_bilingual_heading, has_arabic, register_fonts
from models import clock
from web import locale

PAGE_W, PAGE_H = A4
MARGIN = 15 * mm
ROW_H = 11 * mm


def _qty(value):
    """A quantity without trailing zeros: 40, 2.5, 0.125."""
    if value is None:
        return ""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return text


def _date(value):
    """DD/MM/YYYY, as read in Morocco (a stored time: its local day, models.clock)."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = clock.local_day(value)
    return locale.day(value, "fr")  # the one locale layer: 04/03/2026


def _fit(c, text, font, size, width):
    """Cut text to fit `width` points, with an ellipsis."""
    if c.stringWidth(text, font, size) <= width:
        return text
    while text and c.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _wrap(c, text, font, size, width):
    """Split text into lines that fit `width` points, at spaces."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and c.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return [_fit(c, line, font, size, width) for line in lines]


class Document:
    """A paginated A4 document: header on each page, a table of lines, footer blocks."""

    def __init__(self, title_fr, title_ar, number, when):
        register_fonts()
        self.buffer = BytesIO()
        self.c = rl_canvas.Canvas(self.buffer, pagesize=A4)
        self.c.setTitle(f"{title_fr} {number}")
        self.title_fr, self.title_ar, self.number, self.when = title_fr, title_ar, number, when
        self.page = 0
        self.y = 0

    def new_page(self):
        """Start a page with the bilingual title, number and date."""
        if self.page:
            self.c.showPage()
        self.page += 1
        c = self.c
        c.setFillColorRGB(0.1, 0.45, 0.25)
        c.rect(0, PAGE_H - 8 * mm, PAGE_W, 8 * mm, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        draw_bilingual_heading(c, MARGIN, PAGE_W - MARGIN, PAGE_H - 20 * mm, self.title_fr,
                               self.title_ar, size=16)
        c.setFont(FONT, 9)
        c.drawString(MARGIN, PAGE_H - 26 * mm, "Tadamon – Plateforme des coopératives de l'Oriental")
        c.drawRightString(PAGE_W - MARGIN, PAGE_H - 26 * mm, ar("تضامن – منصة تعاونيات الجهة الشرقية"))
        c.setFont(FONT_BOLD, 11)
        c.drawString(MARGIN, PAGE_H - 33 * mm, f"N° {self.number}   Date : {_date(self.when)}")
        c.drawRightString(PAGE_W - MARGIN, PAGE_H - 33 * mm,
                          ar(f"رقم {self.number}   التاريخ: {_date(self.when)}"))
        c.setFont(FONT, 8)
        c.drawCentredString(PAGE_W / 2, 8 * mm, f"{self.number} – page {self.page}")
        self.y = PAGE_H - 38 * mm

    def parties(self, left, right):
        """Two boxes side by side: (label_fr, label_ar, [lines]) each."""
        c = self.c
        box_w = (PAGE_W - 2 * MARGIN - 6 * mm) / 2
        top = self.y
        height = 28 * mm
        for i, (label_fr, label_ar, lines) in enumerate((left, right)):
            x = MARGIN + i * (box_w + 6 * mm)
            c.setLineWidth(0.6)
            c.roundRect(x, top - height, box_w, height, 2 * mm)
            c.setFont(FONT_BOLD, 9)
            c.drawString(x + 3 * mm, top - 5 * mm, label_fr)
            c.drawRightString(x + box_w - 3 * mm, top - 5 * mm, ar(label_ar))
            yy = top - 10 * mm
            c.setFont(FONT, 9)
            for text in lines:
                if not text:
                    continue
                if has_arabic(text):
                    c.drawRightString(x + box_w - 3 * mm, yy, _fit(c, ar(text), FONT, 9, box_w - 6 * mm))
                    yy -= 4.5 * mm
                    continue
                for part in _wrap(c, text, FONT, 9, box_w - 6 * mm)[:2]:
                    c.drawString(x + 3 * mm, yy, part)
                    yy -= 4.5 * mm
        self.y = top - height - 6 * mm

    def table(self, columns, rows):
        """columns: [(label_fr, label_ar, width_mm, align)]; rows: lists of cells, a cell
        being a str or (french, arabic) for a two-line bilingual cell."""
        self._table_head(columns)
        for row in rows:
            if self.y - ROW_H < 60 * mm:
                self.new_page()
                self._table_head(columns)
            self._table_row(columns, row)

    def _table_head(self, columns):
        """The header row, French over Arabic."""
        c = self.c
        c.setFillColorRGB(0.9, 0.95, 0.92)
        c.rect(MARGIN, self.y - ROW_H, PAGE_W - 2 * MARGIN, ROW_H, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        x = MARGIN
        for label_fr, label_ar, width, _align in columns:
            w = width * mm
            c.setFont(FONT_BOLD, 8)
            c.drawString(x + 1.5 * mm, self.y - 4.5 * mm, label_fr)
            if label_ar != label_fr:
                c.drawRightString(x + w - 1.5 * mm, self.y - 9 * mm, ar(label_ar))
            x += w
        self.y -= ROW_H

    def _table_row(self, columns, row):
        """One line of the table, ruled below."""
        c = self.c
        x = MARGIN
        for (_fr, _ar, width, align), cell in zip(columns, row):
            w = width * mm
            if isinstance(cell, tuple):
                c.setFont(FONT, 8.5)
                c.drawString(x + 1.5 * mm, self.y - 4.5 * mm, _fit(c, cell[0], FONT, 8.5, w - 3 * mm))
                c.drawRightString(x + w - 1.5 * mm, self.y - 9 * mm,
                                  _fit(c, ar(cell[1]), FONT, 8.5, w - 3 * mm))
            else:
                c.setFont(FONT, 9.5)
                text = _fit(c, str(cell), FONT, 9.5, w - 3 * mm)
                if align == "right":
                    c.drawRightString(x + w - 1.5 * mm, self.y - 6.5 * mm, text)
                else:
                    c.drawString(x + 1.5 * mm, self.y - 6.5 * mm, text)
            x += w
        c.setLineWidth(0.3)
        c.line(MARGIN, self.y - ROW_H, PAGE_W - MARGIN, self.y - ROW_H)
        self.y -= ROW_H

    def total(self, label_fr, label_ar, value):
        """A bold totals line aligned right."""
        c = self.c
        self.y -= 6 * mm
        c.setFont(FONT_BOLD, 10)
        c.drawString(MARGIN, self.y, f"{label_fr} : {value}")
        c.drawRightString(PAGE_W - MARGIN, self.y, ar(f"{label_ar} {value}"))
        self.y -= 4 * mm

    def note(self, text, label_ar=None):
        """A free note under the table (shaped if Arabic), with an Arabic label on the right."""
        if not text:
            return
        self.y -= 5 * mm
        self.c.setFont(FONT, 9)
        width = PAGE_W - 2 * MARGIN - (30 * mm if label_ar else 0)
        shown = ar(text) if has_arabic(text) else text
        self.c.drawString(MARGIN, self.y, _fit(self.c, shown, FONT, 9, width))
        if label_ar:
            self.c.setFont(FONT_BOLD, 9)
            self.c.drawRightString(PAGE_W - MARGIN, self.y, ar(label_ar))

    def signatures(self, boxes):
        """Signature boxes at the foot of the last page: [(label_fr, label_ar)]."""
        c = self.c
        if self.y < 50 * mm:
            self.new_page()
        n = len(boxes)
        gap = 6 * mm
        box_w = (PAGE_W - 2 * MARGIN - gap * (n - 1)) / n
        top = 48 * mm
        for i, (label_fr, label_ar) in enumerate(boxes):
            x = MARGIN + i * (box_w + gap)
            c.setLineWidth(0.6)
            c.rect(x, top - 34 * mm, box_w, 34 * mm)
            c.setFont(FONT_BOLD, 9)
            c.drawString(x + 2 * mm, top - 5 * mm, label_fr)
            c.drawRightString(x + box_w - 2 * mm, top - 10 * mm, ar(label_ar))
            c.setFont(FONT, 7.5)
            c.drawString(x + 2 * mm, top - 31 * mm, "Nom, date et signature")
            c.drawRightString(x + box_w - 2 * mm, top - 27 * mm, ar("الاسم والتاريخ والتوقيع"))

    def finish(self):
        """The PDF bytes."""
        self.c.showPage()
        self.c.save()
        return self.buffer.getvalue()
