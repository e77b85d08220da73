"""Printed documents of the transfers area, bilingual French / Arabic: the delivery note, the
return slip for a cooperative, and the blind count sheet. Plain reportlab, no Flask."""
from web.pdf_sheet import MARGIN, ROW_H, Document, _date, _qty  # noqa: F401  (count_sheet_pdf)


def _place(loc):
    """A location's lines for a party box: names in both languages and the address."""
    return [loc.name_fr, loc.name_ar, loc.address or ""]


LOT_COLUMNS = [
    ("#", "#", 8, "right"),
    ("Produit", "المنتوج", 78, "left"),
    ("Lot", "الحصة", 36, "left"),
    ("DLUO", "تاريخ الصلاحية", 26, "left"),
]


def delivery_note(transfer):
    """The delivery note of a transfer: parties, lines, totals, driver and shop signatures."""
    is_return = transfer.kind == "return"
    doc = Document("Bon de retour" if is_return else "Bon de livraison",
                   "وصل الإرجاع" if is_return else "وصل التسليم", transfer.number,
                   transfer.dispatched_at or transfer.created_at)
    doc.new_page()
    doc.parties(("Expéditeur", "المرسل", _place(transfer.from_location)),
                ("Destinataire", "المرسل إليه", _place(transfer.to_location)))
    received = transfer.state == "received"
    columns = LOT_COLUMNS + [("Qté", "الكمية", 16, "right"),
                             ("Reçu", "المستلم", 16, "right")]
    rows = []
    for i, line in enumerate(transfer.lines, 1):
        product = line.lot.product
        rows.append([str(i), (product.name_fr, product.name_ar), line.lot.code,
                     _date(line.lot.best_before), _qty(line.quantity),
                     _qty(line.quantity_received) if received else ""])
    doc.table(columns, rows)
    doc.total("Total expédié", "مجموع الكمية المرسلة:", _qty(transfer.total_quantity))
    if received:
        doc.total("Total reçu", "مجموع الكمية المستلمة:", _qty(transfer.total_received))
    doc.note(transfer.note and f"Note : {transfer.note}", label_ar="ملاحظة")
    doc.signatures([("Chauffeur / livreur", "السائق / الموزع"),
                    ("Réception magasin", "استلام المتجر")])
    return doc.finish()


def return_slip(ret):
    """The slip a cooperative signs when it takes its goods back (they leave consignment)."""
    doc = Document("Bon de retour coopérative", "وصل إرجاع إلى التعاونية", ret.number,
                   ret.created_at)
    doc.new_page()
    coop = ret.cooperative
    doc.parties(("Remis par", "سلمه", _place(ret.location)),
                ("Coopérative", "التعاونية", [coop.name_fr, coop.name_ar,
                                              coop.registration_number, coop.address or ""]))
    rows = []
    for i, line in enumerate(ret.lines, 1):
        product = line.lot.product
        rows.append([str(i), (product.name_fr, product.name_ar), line.lot.code,
                     _date(line.lot.best_before), _qty(line.quantity)])
    doc.table(LOT_COLUMNS + [("Qté", "الكمية", 32, "right")], rows)
    doc.total("Total rendu", "مجموع الكمية المرجعة:", _qty(ret.total_quantity))
    doc.note(f"Motif : {ret.reason}", label_ar="السبب")
    doc.signatures([("Pour la plateforme", "عن المنصة"),
                    ("Pour la coopérative", "عن التعاونية")])
    return doc.finish()


def count_sheet(count):
    """A blind count sheet: every lot expected at the location, an empty box to write the
    count in (expected quantities are left off so the count is not biased)."""
    from transfers.count_sheet_pdf import CountSheetDocument, LotBarcode

    doc = CountSheetDocument("Feuille d'inventaire", "ورقة الجرد", count.number, count.started_at)
    doc.new_page()
    loc = count.location
    doc.parties(("Emplacement", "الموقع", _place(loc)),
                ("Inventaire", "الجرد", [f"Ouvert le {_date(count.started_at)}",
                                         "Compter chaque lot, lot par lot.",
                                         "عد كل حصة على حدة"]))
    rows = []
    for i, line in enumerate(count.lines, 1):
        product = line.lot.product
        rows.append([str(i), (product.name_fr, product.name_ar), LotBarcode(line.lot.code),
                     _date(line.lot.best_before), "", ""])
    for i in range(len(rows) + 1, len(rows) + 6):  # room for lots found on the shelf
        rows.append([str(i), ("", ""), "", "", "", ""])
    # The lot column is wide enough for its Code 128 at GS1's minimum X-dimension.
    columns = [LOT_COLUMNS[0], LOT_COLUMNS[1][:2] + (50, "left"), LOT_COLUMNS[2][:2] + (64, "left"),
               LOT_COLUMNS[3]]
    doc.table(columns + [("Compté", "المعدود", 16, "right"),
                         ("Note", "ملاحظة", 16, "left")], rows)
    doc.signatures([("Compté par", "عده"), ("Vérifié par", "راجعه")])
    return doc.finish()
