"""The deposit receipt a cooperative takes home: bilingual, accepted and rejected lines with
reasons, and boxes for both signatures. No Flask here."""
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from documents.pdf import FONT, FONT_BOLD, ar, draw_bilingual_heading, register_fonts, shape
from web import locale
from web.labels import pdf_unit


def _qty(value, uom):
    """A quantity and its unit as the French column prints them: "26,5 kg", "12 pce"."""
    return f"{locale.qty(value, 'fr')} {pdf_unit(uom)}"


def reception_receipt_pdf(reception):
    """PDF bytes of the deposit receipt of a Reception (lines, products, lots loaded)."""
    register_fonts()
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"Récépissé de dépôt {reception.number}")
    w, h = A4
    left, right = 15 * mm, w - 15 * mm
    y = h - 20 * mm
    draw_bilingual_heading(c, left, right, y, "Récépissé de dépôt", "وصل الإيداع", 16)
    y -= 8 * mm
    coop, loc = reception.cooperative, reception.location
    c.setFont(FONT, 10)
    for fr, arabic, value, value_ar in (
        ("N°", "رقم", reception.number, reception.number),
        ("Date", "التاريخ", locale.day(reception.received_on, "fr"),
         locale.day(reception.received_on, "fr")),
        ("Coopérative", "التعاونية", coop.name_fr, coop.name_ar),
        ("N° d'enregistrement", "رقم التسجيل", coop.registration_number, coop.registration_number),
        ("Lieu de réception", "مكان الاستلام", loc.name_fr, loc.name_ar),
    ):
        c.setFont(FONT_BOLD, 9)
        c.drawString(left, y, fr + " :")
        c.setFont(FONT, 9)
        c.drawString(left + 44 * mm, y, shape(value))
        c.drawRightString(right, y, ar(f"{arabic} : {value_ar}"))
        y -= 5.5 * mm
    y -= 3 * mm
    cols = [left, left + 62 * mm, left + 92 * mm, left + 118 * mm, left + 144 * mm]
    heads = [("Produit", "المنتوج"), ("Livré", "الكمية المسلَّمة"), ("Accepté", "المقبول"),
             ("Refusé", "المرفوض"), ("Lot / DDM", "الحصة / تاريخ الصلاحية")]
    c.setFillGray(0.92)
    c.rect(left, y - 6.5 * mm, right - left, 10.5 * mm, stroke=0, fill=1)
    c.setFillGray(0)
    for x, (fr, arabic) in zip(cols, heads):
        c.setFont(FONT_BOLD, 8.5)
        c.drawString(x + 1 * mm, y, fr)
        c.setFont(FONT, 8)
        c.drawString(x + 1 * mm, y - 4.5 * mm, ar(arabic))
    y -= 11 * mm
    for line in reception.lines:
        p = line.product
        if y < 60 * mm:
            c.showPage()
            y = h - 20 * mm
        c.setFont(FONT, 8.5)
        c.drawString(cols[0] + 1 * mm, y, p.name_fr[:42])
        c.drawString(cols[1] + 1 * mm, y, _qty(line.quantity_delivered, p.uom))
        c.drawString(cols[2] + 1 * mm, y, _qty(line.quantity_accepted, p.uom))
        c.drawString(cols[3] + 1 * mm, y, _qty(line.quantity_rejected, p.uom))
        c.drawString(cols[4] + 1 * mm, y, line.lot.code if line.lot else "—")
        y -= 4.2 * mm
        c.drawString(cols[0] + 1 * mm, y, ar(p.name_ar))
        if line.best_before:
            c.drawString(cols[4] + 1 * mm, y, locale.day(line.best_before, "fr"))
        if line.rejection_reason:
            y -= 4.2 * mm
            c.setFont(FONT, 8)
            c.drawString(cols[1] + 1 * mm, y, f"Motif du refus / {ar('سبب الرفض')} : "
                         f"{ar(line.rejection_reason)[:80]}")
        y -= 2.5 * mm
        c.setStrokeGray(0.8)
        c.line(left, y, right, y)
        y -= 4.5 * mm
    if reception.note:
        c.setFont(FONT, 8.5)
        c.drawString(left, y, shape(f"Note : {reception.note[:110]}"))
        y -= 6 * mm
    c.setFont(FONT, 8)
    c.drawString(left, y, "Les marchandises acceptées restent la propriété de la coopérative "
                          "(dépôt-vente) jusqu'à leur vente.")
    y -= 4.5 * mm
    c.drawRightString(right, y, ar("تبقى السلع المقبولة ملكا للتعاونية (بيع بالأمانة) إلى حين بيعها."))
    y -= 10 * mm
    box_w, box_h = (right - left - 10 * mm) / 2, 30 * mm
    c.setStrokeGray(0)
    for i, (fr, arabic) in enumerate((("Pour la coopérative", "عن التعاونية"),
                                      ("Pour la plateforme (magasinier)", "عن المنصة (أمين المخزن)"))):
        x = left + i * (box_w + 10 * mm)
        c.rect(x, y - box_h, box_w, box_h)
        c.setFont(FONT_BOLD, 8.5)
        c.drawString(x + 2 * mm, y - 5 * mm, fr)
        c.setFont(FONT, 8.5)
        c.drawRightString(x + box_w - 2 * mm, y - 10 * mm, ar(arabic))
        c.setFont(FONT, 7)
        c.drawString(x + 2 * mm, y - box_h + 2.5 * mm, "Nom, date et signature / " + ar("الاسم والتاريخ والتوقيع"))
    c.showPage()
    c.save()
    return buf.getvalue()
