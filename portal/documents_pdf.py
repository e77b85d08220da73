"""Bilingual (French / Arabic) PDFs of the consignment: statements and payout slips.

No Flask here: callers pass plain data (the statement dict of models.consignment_statements, a payout
and its cooperative) and get bytes back.
"""
import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

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


def mad(value):
    """An amount with its currency, as the pages show it (web.locale.money): 1 234,50 MAD."""
    if value is None:
        return ""
    return locale.money(value) + " MAD"


def amount(value):
    """An amount without its currency (table cells), empty for None."""
    return mad(value).replace(" MAD", "") if value is not None else ""


def qty(value):
    """A quantity with the decimals it needs (3, 2,5, 0,125)."""
    return locale.qty(value)  # "" for None


def local_time(naive_utc, tz=None):
    """A stored naive UTC datetime in the platform's time zone (models.clock)."""
    return clock.to_local(naive_utc)


def _describe(entry, labels, lang="fr"):
    """One statement line's wording in French or Arabic: kind, document, product, outlet.
    The document label is the document's number (its translated word dropped: the kind
    already says it in the line's language)."""
    names = KIND_NAMES.get(entry["kind"], (entry["kind"], entry["kind"]))
    parts = [names[0] if lang == "fr" else names[-1]]
    doc = labels.get((entry["document_type"], entry["document_id"]))
    if doc:
        parts.append(_document_number(doc))
    product = entry.get("product_" + lang) or entry.get("product_fr")
    if product:
        parts.append(product)
    place = entry.get("location_" + lang) or entry.get("location_fr")
    if place:
        parts.append(("@ " if lang == "fr" else "في ") + place)
    if entry.get("reference") and entry["kind"] == "payout":
        parts.append(("réf. " if lang == "fr" else "مرجع ") + entry["reference"])
    return " · ".join(parts)


def _document_number(label):
    """"Vente VEN-0001" / "وصل VEN-0001" → "VEN-0001" (the part with a digit)."""
    words = [w for w in str(label).split() if any(ch.isdigit() for ch in w)]
    return " ".join(words) if words else str(label)


def statement_pdf(stmt, cooperative, tz, labels=None):
    """The statement of a period as an A4 PDF (bytes). `labels` maps (document_type,
    document_id) to a document's label (receipt number, slip number...)."""
    register_fonts()
    labels = labels or {}
    buf = io.BytesIO()
    width, height = A4
    period = f"{stmt['from']:%d/%m/%Y} – {stmt['to']:%d/%m/%Y}"

    def header(canvas, doc):
        """Bilingual heading and cooperative on every page; page number in the footer."""
        canvas.saveState()
        draw_bilingual_heading(canvas, 15 * mm, width - 15 * mm, height - 18 * mm,
                               "Relevé de consignation", "كشف حساب الإيداع")
        canvas.setFont(FONT, 9)
        canvas.drawString(15 * mm, height - 25 * mm, cooperative.name_fr)
        canvas.drawRightString(width - 15 * mm, height - 25 * mm, ar(cooperative.name_ar))
        canvas.drawString(15 * mm, height - 30 * mm, f"Période / {ar('الفترة')} : {period}")
        canvas.drawRightString(width - 15 * mm, height - 30 * mm,
                               f"N° {cooperative.registration_number}")
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 10 * mm, "Tadamon – heures de Casablanca (Africa/Casablanca); "
                                            "période du premier jour 00:00 au dernier jour inclus.")
        canvas.drawRightString(width - 15 * mm, 10 * mm, f"{doc.page}")
        canvas.drawString(15 * mm, 6.5 * mm, shape(legal_line()))
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=36 * mm, bottomMargin=16 * mm,
                            title=f"Relevé {cooperative.name_fr} {period}")
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=6.5, leading=8)
    head = ["Date\n" + ar("التاريخ"), "Opération\n" + ar("العملية"), "Qté\n" + ar("الكمية"),
            "Brut\n" + ar("الإجمالي"), "Comm.\n" + ar("العمولة"), "Montant\n" + ar("المبلغ"),
            "Solde\n" + ar("الرصيد")]
    data = [head, ["", "Solde d'ouverture / " + ar("الرصيد الافتتاحي"), "", "", "", "",
                   mad(stmt["opening_balance"])]]
    for e in stmt["entries"]:
        # French then Arabic, line by line; each line shaped and ordered by documents.pdf.
        text = escape(shape(_describe(e, labels, "fr"))) + "<br/>" + escape(shape(_describe(e, labels, "ar"))) \
            + (f"<br/>Lot {escape(e['lot_code'])}" if e.get("lot_code") else "")
        data.append([
            locale.moment(e["created_at"], "fr"), Paragraph(text, cell),
            qty(e.get("quantity")), amount(e.get("gross")), amount(e.get("commission")),
            amount(e["amount"]), amount(e["running_balance"]),
        ])
    data.append(["", "Solde de clôture / " + ar("الرصيد الختامي"), "", "", "", "",
                 mad(stmt["closing_balance"])])
    table = Table(data, repeatRows=1, colWidths=[22 * mm, 82 * mm, 10 * mm, 17 * mm,
                                                   15 * mm, 18 * mm, 22 * mm])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 6.5),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, 6.5),
        ("FONT", (0, 1), (-1, 1), FONT_BOLD, 7),
        ("FONT", (0, -1), (-1, -1), FONT_BOLD, 7),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d1e7dd")),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
        ("ROWBACKGROUNDS", (0, 2), (-1, -2), [colors.white, colors.HexColor("#f3f3f3")]),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    totals = stmt["totals"]
    summary = Table([
        ["Ventes brutes / " + ar("المبيعات الإجمالية"), mad(stmt["gross"])],
        ["Commission / " + ar("العمولة"), mad(-stmt["commission"])],
        ["Ventes nettes (ventes et remboursements) / " + ar("صافي المبيعات"),
         mad(totals["sale"] + totals["refund"])],
        ["Frais / " + ar("الرسوم"), mad(totals["fee"])],
        ["Paiements / " + ar("الأداءات"), mad(totals["payout"])],
        ["Ajustements / " + ar("التسويات"), mad(totals["adjustment"])],
        ["Variation de la période / " + ar("تغير الفترة"),
         mad(stmt["closing_balance"] - stmt["opening_balance"])],
    ], colWidths=[90 * mm, 40 * mm], hAlign="RIGHT")
    summary.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8),
                                 ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                 ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black)]))
    from models.consignment import chain_head

    head = chain_head(cooperative.id) or "—"
    seal = Paragraph(f"Empreinte du registre (SHA-256, dernière écriture) / {escape(ar('بصمة السجل'))} :"
                     f"<br/><font size=6>{head}</font>", ParagraphStyle("seal", fontName=FONT, fontSize=7, leading=9))
    doc.build([table, Spacer(1, 6 * mm), summary, Spacer(1, 4 * mm), seal], onFirstPage=header,
              onLaterPages=header, canvasmaker=_canvas)
    return buf.getvalue()


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
    c.drawRightString(right, y, f"{payout.paid_on:%d/%m/%Y}")
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
