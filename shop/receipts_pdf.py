"""80 mm till printouts (sale receipts, Z reports) with reportlab, French and Arabic.

No Flask here: callers pass plain dicts (shop/receipt_data.py builds them). A printout is a
list of rows laid out top to bottom on a page as tall as its content, as thermal printers
expect. Arabic goes through documents.pdf.ar() (shaped, visual order) in DejaVu Sans.
"""
import io
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from documents.pdf import FONT, FONT_BOLD, ar, code128, is_rtl, register_fonts, shape
from web import locale

WIDTH = 80 * mm
MARGIN = 4 * mm
VALUE_COL = 22 * mm  # right-hand column for amounts
LINE = 10.5
BAR_X = 0.33 * mm  # a Code 128 module: 4 dots of a 300 dpi head, read by the shops' scanners
BAR_H = 9 * mm
METHODS = {"cash": ("Espèces", "نقدا"), "card": ("Carte bancaire", "بطاقة بنكية"),
           "mobile": ("Paiement mobile", "الأداء بالهاتف")}


def fmt(value):
    """An amount as the pages show it in the user's language (web.locale.money)."""
    value = Decimal(value or 0).quantize(Decimal("0.01")) + 0  # + 0 turns -0.00 into 0.00
    return locale.money(value)


def fmt_qty(value):
    """A quantity without trailing zeros, as the pages show it (web.locale.qty)."""
    return locale.qty(value)


def _wrap(text, font, size, width):
    """Split `text` into lines no wider than `width` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words, lines, current = (text or "").split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if stringWidth(trial, font, size) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


class Ticket:
    """Rows of an 80 mm printout, measured then drawn."""

    def __init__(self):
        register_fonts()  # measuring text needs the fonts before drawing does
        self.rows = []

    def center(self, text, size=8, bold=False, arabic=False):
        """A centred line (wrapped)."""
        font = FONT_BOLD if bold else FONT
        for part in _wrap(text, font, size, WIDTH - 2 * MARGIN):
            self.rows.append(("center", shape(part), size, font))  # the one bidi function

    def text(self, french, arabic=None, size=8, bold=False):
        """French on the left (wrapped), Arabic on the right on its own line when given."""
        font = FONT_BOLD if bold else FONT
        for part in _wrap(french, font, size, WIDTH - 2 * MARGIN):
            # a line that starts in Arabic (a name, a refund reason) starts on the right
            self.rows.append(("right" if is_rtl(part) else "left", shape(part), size, font))
        if arabic:
            for part in _wrap(arabic, font, size, WIDTH - 2 * MARGIN):
                self.rows.append(("right", ar(part), size, font))

    def pair(self, french, arabic, value, size=8, bold=False):
        """Label in French (left) and Arabic (just left of the value), value on the right; the
        Arabic label gets its own line when the three do not fit side by side."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        font = FONT_BOLD if bold else FONT
        shaped = ar(arabic)
        needed = sum(stringWidth(t, font, size) for t in (french, shaped, value)) + 16
        if needed <= WIDTH - 2 * MARGIN:
            self.rows.append(("pair", (shape(french), shaped, shape(value)), size, font))
        else:
            self.rows.append(("pair", (shape(french), "", shape(value)), size, font))
            if shaped:
                self.rows.append(("right", shaped, size - 1, font))

    def barcode(self, value):
        """A centred Code 128 of `value` (the receipt number a refund screen reads back)."""
        self.rows.append(("barcode", value, BAR_H, FONT))

    def rule(self):
        """A dashed separator."""
        self.rows.append(("rule", None, 6, FONT))

    def space(self):
        """A blank line."""
        self.rows.append(("space", None, 5, FONT))

    def height(self):
        """The page height this ticket needs."""
        return sum(size + 3.5 for _k, _t, size, _f in self.rows) + 2 * MARGIN + 10

    def render(self, title):
        """The PDF bytes."""
        register_fonts()
        buf = io.BytesIO()
        height = self.height()
        c = pdfcanvas.Canvas(buf, pagesize=(WIDTH, height))
        c.setTitle(title)
        y = height - MARGIN
        right = WIDTH - MARGIN
        for kind, text, size, font in self.rows:
            y -= size + 3.5
            c.setFont(font, size)
            if kind == "center":
                c.drawCentredString(WIDTH / 2, y, text)
            elif kind == "left":
                c.drawString(MARGIN, y, text)
            elif kind == "right":
                c.drawRightString(right, y, text)
            elif kind == "pair":
                french, arabic, value = text
                c.drawString(MARGIN, y, french)
                gap = max(VALUE_COL, c.stringWidth(value, font, size) + 8)
                c.drawRightString(right - gap, y, arabic)
                c.drawRightString(right, y, value)
            elif kind == "barcode":
                symbol = code128(text, BAR_X, BAR_H)
                symbol.drawOn(c, (WIDTH - symbol.width) / 2, y)
            elif kind == "rule":
                c.setDash(2, 2)
                c.setLineWidth(0.5)
                c.line(MARGIN, y + 2, right, y + 2)
                c.setDash()
        c.showPage()
        c.save()
        return buf.getvalue()


def _header(t, data):
    """Platform and shop names, address."""
    t.center("Tadamon · تضامن", size=12, bold=True, arabic=True)
    t.center("Produits des coopératives de l'Oriental", size=7)
    t.center("منتجات تعاونيات جهة الشرق", size=7, arabic=True)
    t.space()
    t.center(data["shop_fr"], size=9, bold=True)
    t.center(data["shop_ar"], size=9, bold=True, arabic=True)
    if data.get("address"):
        t.center(data["address"], size=7)
    for line in data.get("legal") or ():
        t.center(line, size=6.5)


def render_receipt(data, copy=False):
    """The sale receipt. `data` as printouts.receipt_data gives it."""
    t = Ticket()
    _header(t, data)
    t.rule()
    if copy:
        t.center("DUPLICATA – COPIE", size=11, bold=True)
        t.center("نسخة مكررة", size=11, bold=True, arabic=True)
    t.pair("Ticket N°", "وصل رقم", data["number"], bold=True)
    t.pair("Date", "التاريخ", data["date"])
    t.pair("Caisse", "أمين الصندوق", data["cashier"])
    t.rule()
    for line in data["lines"]:
        t.text(line["name_fr"], line["name_ar"], size=8, bold=True)
        t.pair(f"{fmt_qty(line['quantity'])} × {fmt(line['unit_price'])}", "", fmt(line["gross"]))
        t.text(f"Lot {line['lot_code']}", size=6)
        if Decimal(line["discount"]):
            t.pair("Remise", "تخفيض", "-" + fmt(line["discount"]))
    t.rule()
    t.pair("Sous-total", "المجموع الفرعي", fmt(data["subtotal"]))
    if Decimal(data["discount_total"]):
        t.pair("Remises", "التخفيضات", "-" + fmt(data["discount_total"]))
    t.pair("TOTAL MAD", "المجموع (درهم)", fmt(data["total"]), size=11, bold=True)
    t.rule()
    for payment in data["payments"]:
        fr, arabic = METHODS[payment["method"]]
        t.pair(fr, arabic, fmt(payment["amount"]))
    t.pair("Rendu", "الباقي", fmt(data["change"]), bold=True)
    for refund in data.get("refunds", []):
        t.rule()
        t.pair(f"Remboursement {refund.get('number') or ''}".strip(), "استرجاع", "-" + fmt(refund["total"]), bold=True)
        t.text(refund["date"], size=6)
        t.text(refund["reason"], size=6)  # its own line: an Arabic reason reads from the right
    t.rule()
    t.center("Merci de soutenir les coopératives !", size=8)
    t.center("شكرا لدعمكم للتعاونيات", size=8, arabic=True)
    t.space()
    t.barcode(data["number"])
    t.center(data["number"], size=7)
    return t.render(f"{data['number']}")


def render_z_report(data):
    """The Z report of a cash session (an X report while the till is open)."""
    t = Ticket()
    _header(t, data)
    t.rule()
    if data["closed"]:
        t.center("RAPPORT Z – CLÔTURE DE CAISSE", size=10, bold=True)
        t.center("تقرير Z – إغلاق الصندوق", size=10, bold=True, arabic=True)
    else:
        t.center("RAPPORT X – CAISSE OUVERTE", size=10, bold=True)
        t.center("تقرير X – الصندوق مفتوح", size=10, bold=True, arabic=True)
    if data.get("z_number"):
        t.pair("Rapport Z N°", "تقرير Z رقم", data["z_number"], bold=True)
    t.pair("Session N°", "الدورة رقم", str(data["session_id"]))
    t.pair("Caisse", "أمين الصندوق", data["cashier"])
    t.pair("Ouverture", "الافتتاح", data["opened"])
    if data["closed"]:
        t.pair("Clôture", "الإغلاق", data["closed"])
    t.rule()
    t.pair("Ventes", "عدد المبيعات", str(data["sales_count"]))
    t.pair("Montant brut", "المبلغ الإجمالي", fmt(data["gross"]))
    t.pair("Remises", "التخفيضات", ("-" if data["discounts"] else "") + fmt(data["discounts"]))
    t.pair("Total des ventes", "مجموع المبيعات", fmt(data["sales_total"]), bold=True)
    for method, (fr, arabic) in METHODS.items():
        t.pair(f"  {fr}", arabic, fmt(data["by_method"][method]))
    t.pair(f"Remboursements ({data['refunds_count']})", "الاسترجاعات", ("-" if data["refunds_total"] else "") + fmt(data["refunds_total"]))
    t.pair("Net", "الصافي", fmt(data["net_total"]), bold=True)
    if data.get("preorders_count"):
        t.rule()
        t.pair(f"Précommandes retirées ({data['preorders_count']})", "الطلبيات المسبقة المسلَّمة", "",
               bold=True)
        for row in data["preorders"]:
            fr, arabic = METHODS.get(row["method"], (row["method"], row["method"]))
            t.pair(f"  {row['order_number']}", "", fmt(row["amount"]))
            t.pair(f"    {fr}", arabic, "", size=7)
        for method, (fr, arabic) in METHODS.items():
            if data["preorders_by_method"].get(method):
                t.pair(f"  {fr}", arabic, fmt(data["preorders_by_method"][method]))
        t.pair("Total précommandes", "مجموع الطلبيات المسبقة", fmt(data["preorders_total"]), bold=True)
    t.rule()
    t.pair("Premier ticket", "أول وصل", data.get("first_receipt") or "—")
    t.pair("Dernier ticket", "آخر وصل", data.get("last_receipt") or "—")
    t.pair("Premier avoir", "أول إشعار دائن", data.get("first_credit_note") or "—")
    t.pair("Dernier avoir", "آخر إشعار دائن", data.get("last_credit_note") or "—")
    t.rule()
    t.pair("Fonds de caisse", "مبلغ الصرف الأولي", fmt(data["opening_float"]))
    t.pair("+ Espèces reçues", "النقد المستلم", fmt(data["cash_tendered"]))
    t.pair("− Monnaie rendue", "الباقي المرجع", fmt(data["change_given"]))
    t.pair("− Remb. en espèces", "الاسترجاعات نقدا", fmt(data["refunds_by_method"]["cash"]))
    if data.get("preorders_count"):
        t.pair("+ Précommandes espèces", "طلبيات مسبقة نقدا", fmt(data["preorders_by_method"]["cash"]))
    t.pair("Espèces attendues", "النقد المتوقع", fmt(data["expected_cash"]), bold=True)
    if data["counted_cash"] is not None:
        t.pair("Espèces comptées", "النقد المعدود", fmt(data["counted_cash"]), bold=True)
        diff = Decimal(data["difference"])
        t.pair("Écart", "الفرق", ("+" if diff > 0 else "") + fmt(diff), size=10, bold=True)
    t.rule()
    t.center(f"Imprimé le {data['printed']}", size=6)
    return t.render(f"Z {data['session_id']}")
