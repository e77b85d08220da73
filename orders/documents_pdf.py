"""Printed documents of the orders area, bilingual French / Arabic: the delivery note and the
invoice or credit note. Plain reportlab on the shared sheet (web/pdf_sheet.py), no Flask:
the caller passes the platform's identity (config) in."""
from web.pdf_sheet import Document, _date, _qty


def _money(value):
    """1 234,50 style amounts, as the invoices of Morocco print them."""
    if value is None:
        return ""
    text = f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    return text


def _identifiers(ice=None, if_number=None, rc=None):
    """'ICE … · IF … · RC …' for the parties' boxes (only those known)."""
    return " · ".join(f"{label} {value}" for label, value in
                      (("ICE", ice), ("IF", if_number), ("RC", rc)) if value)


def _buyer_box(buyer, address=None):
    lines = [buyer.name, address or buyer.address or "",
             _identifiers(buyer.ice, buyer.if_number, buyer.rc)]
    if buyer.phone:
        lines.append(f"Tél. {buyer.phone}")
    return lines


def _platform_box(platform, location=None):
    lines = [platform.get("name") or "", platform.get("address") or "",
             _identifiers(platform.get("ice"), platform.get("if"), platform.get("rc"))]
    if location is not None:
        lines.append(f"{location.name_fr}")
    return lines


def delivery_note(order, platform):
    """The delivery note of an order: parties, packed lots per line (lot, best-before),
    quantities ordered, packed and handed over, the buyer's signature."""
    doc = Document("Bon de livraison", "وصل التسليم", order.number,
                   order.shipped_at or order.prepared_at or order.confirmed_at or order.created_at)
    doc.new_page()
    doc.parties(("Expéditeur", "المرسل", _platform_box(platform, order.location)),
                ("Destinataire", "المرسل إليه", _buyer_box(order.buyer, order.delivery_address)))
    delivered = order.state in ("delivered", "invoiced")
    columns = [("#", "#", 8, "right"), ("Produit", "المنتوج", 66, "left"),
               ("Lot", "الحصة", 32, "left"), ("DDM", "يُفضَّل قبل", 22, "left"),
               ("Cdé", "المطلوب", 16, "right"), ("Emballé", "المعبأ", 18, "right"),
               ("Livré", "المسلَّم", 18, "right")]
    rows, n = [], 0
    for line in order.lines:
        product = line.product
        if not line.lots:
            n += 1
            rows.append([str(n), (product.name_fr, product.name_ar), "—", "—",
                         _qty(line.quantity), "", ""])
        for held in line.lots:
            n += 1
            rows.append([str(n), (product.name_fr, product.name_ar), held.lot.code,
                         _date(held.lot.best_before), _qty(line.quantity),
                         _qty(held.packed if held.packed is not None else held.reserved),
                         _qty(held.delivered) if delivered else ""])
    doc.table(columns, rows)
    doc.note(order.note and f"Note : {order.note}", label_ar="ملاحظة")
    doc.signatures([("Livreur", "الموزع"), ("Reçu par le client", "استلام الزبون")])
    return doc.finish()


def invoice(inv, platform):
    """An invoice or a credit note: both parties' ICE, IF and RC, lines with the tax rate of
    their category, totals before tax, tax and to pay, the due date."""
    credit = inv.kind == "credit_note"
    doc = Document("Avoir" if credit else "Facture", "إشعار دائن" if credit else "فاتورة",
                   inv.number, inv.issued_on)
    doc.new_page()
    doc.parties(("Vendeur", "البائع", _platform_box(platform)),
                ("Client", "الزبون", _buyer_box(inv.buyer)))
    columns = [("#", "#", 8, "right"), ("Produit", "المنتوج", 70, "left"),
               ("Qté", "الكمية", 16, "right"), ("PU HT", "ث.و. دون ض", 22, "right"),
               ("TVA", "الضريبة", 14, "right"), ("Total HT", "المجموع دون ض", 26, "right"),
               ("TTC", "مع الضريبة", 24, "right")]
    rows = []
    for i, line in enumerate(inv.lines, 1):
        rows.append([str(i), (line.product.name_fr, line.product.name_ar), _qty(line.quantity),
                     _money(line.unit_price), f"{(line.tax_rate * 100).normalize():f} %",
                     _money(line.net), _money(line.total)])
    doc.table(columns, rows)
    doc.total("Total HT", "المجموع دون احتساب الضريبة:", _money(inv.total_net))
    doc.total("TVA", "الضريبة على القيمة المضافة:", _money(inv.total_tax))
    doc.total("Total TTC (MAD)", "المجموع مع الضريبة (درهم):", _money(inv.total))
    order_ref = f"Commande {inv.order.number}" if inv.order is not None else ""
    if credit:
        doc.note(f"{order_ref} · Motif : {inv.reason or ''}", label_ar="السبب")
    else:
        doc.note(f"{order_ref} · Échéance : {_date(inv.due_on)} "
                 f"({inv.buyer.payment_terms_days} jours)", label_ar=f"تاريخ الاستحقاق {_date(inv.due_on)}")
    return doc.finish()
