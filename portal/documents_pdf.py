"""Bilingual (French / Arabic) PDFs of the consignment: payout slips, and what the statement
(portal/statement_pdf.py) shares with them: the kinds' and methods' names, amounts and the
embedded-font canvas.

No Flask here: callers pass plain data (a payout and its cooperative) and get bytes back.
"""
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from documents.pdf import FONT, FONT_BOLD, ar, draw_bilingual_heading, legal_line, register_fonts, shape
from models import clock
from web import locale

KIND_NAMES = {
    "sale": ("Vente", "بيع"),
    "refund": ("Remboursement", "استرجاع"),
    "payout": ("Paiement", "أداء"),
    "fee": ("Frais", "رسوم"),
    "adjustment": ("Ajustement", "تسوية"),
}
METHOD_NAMES = {
    "bank_transfer": ("Virement bancaire", "تحويل بنكي"),
    "cash": ("Espèces", "نقدا"),
    "cheque": ("Chèque", "شيك"),
}


def _canvas(*args, **kwargs):
    """A canvas whose initial font is the embedded one (else a non-embedded Helvetica
    is declared on every page)."""
    kwargs["initialFontName"] = FONT
    return pdfcanvas.Canvas(*args, **kwargs)


def mad(value, lang=None):
    """An amount with its currency, as the pages show it (web.locale.money): 1 234,50 MAD."""
    if value is None:
        return ""
    return locale.money(value, lang) + " MAD"


def amount(value, lang=None):
    """An amount without its currency (table cells), empty for None."""
    return locale.money(value, lang) if value is not None else ""


def qty(value, lang=None):
    """A quantity with the decimals it needs (3, 2,5, 0,125)."""
    return locale.qty(value, lang)  # "" for None


def local_time(naive_utc, tz=None):
    """A stored naive UTC datetime in the platform's time zone (models.clock)."""
    return clock.to_local(naive_utc)


def payout_slip_pdf(payout, cooperative, tz, include_bank=False, paid_by=None):
    """A payout slip (A4 portrait, upper half) in French and Arabic, with signature boxes.
    Bank details are printed only when `include_bank` (an admin's copy)."""
    register_fonts()
    buf = io.BytesIO()
    width, height = A4
    c = _canvas(buf, pagesize=A4)
    c.setTitle(f"Bordereau {payout.number}")
    left, right = 18 * mm, width - 18 * mm
    y = height - 22 * mm
    draw_bilingual_heading(c, left, right, y, "Bordereau de paiement", "وصل أداء")
    y -= 8 * mm
    c.setFont(FONT, 10)
    c.drawString(left, y, f"N° {payout.number}")
    c.drawRightString(right, y, locale.day(payout.paid_on, "fr"))
    y -= 10 * mm
    method = METHOD_NAMES.get(payout.method, (payout.method, payout.method))
    rows = [
        ("Coopérative", "التعاونية", cooperative.name_fr, ar(cooperative.name_ar)),
        ("Immatriculation", "رقم التسجيل", cooperative.registration_number, ""),
        ("Montant payé", "المبلغ المؤدى", mad(payout.amount), ""),
        ("Mode de paiement", "طريقة الأداء", method[0], ar(method[1])),
        ("Référence", "المرجع", payout.reference or "—", ""),
        ("Solde avant paiement", "الرصيد قبل الأداء", mad(payout.balance_before), ""),
        ("Solde après paiement", "الرصيد بعد الأداء", mad(payout.balance_after), ""),
    ]
    if payout.override_reason:
        rows.append(("Dépassement autorisé", "تجاوز مرخص", payout.override_reason[:60], ""))
    if include_bank:
        rows += [("Banque", "البنك", cooperative.payout_bank or "—", ""),
                 ("Compte (RIB)", "الحساب", cooperative.payout_account or "—", ""),
                 ("Titulaire", "صاحب الحساب", cooperative.payout_holder or "—", "")]
    for fr, arabic, value, value_ar in rows:
        c.setFont(FONT, 8)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(left, y, fr)
        c.drawRightString(right, y, ar(arabic))
        y -= 5 * mm
        c.setFillColor(colors.black)
        c.setFont(FONT_BOLD, 11)
        c.drawString(left + 4 * mm, y, value)
        if value_ar:
            c.drawRightString(right - 4 * mm, y, value_ar)
        y -= 3 * mm
        c.setStrokeColor(colors.HexColor("#cccccc"))
        c.line(left, y, right, y)
        y -= 6 * mm
    y -= 4 * mm
    c.setStrokeColor(colors.black)
    box_w = (right - left - 10 * mm) / 2
    for i, (fr, arabic) in enumerate((("Pour la plateforme", "عن المنصة"),
                                      ("Pour la coopérative (reçu)", "عن التعاونية (استلمت)"))):
        x = left + i * (box_w + 10 * mm)
        c.rect(x, y - 28 * mm, box_w, 28 * mm)
        c.setFont(FONT, 8)
        c.drawString(x + 2 * mm, y - 5 * mm, fr)
        c.drawRightString(x + box_w - 2 * mm, y - 5 * mm, ar(arabic))
    c.setFont(FONT, 7)
    recorded = locale.moment(payout.created_at, "fr")
    c.drawString(left, y - 34 * mm, shape(f"Enregistré le {recorded}" + (f" par {paid_by}" if paid_by else "")))
    c.drawString(left, y - 38 * mm, shape(legal_line()))
    c.showPage()
    c.save()
    return buf.getvalue()
