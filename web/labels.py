"""Every code a person sees, with its translated label: one table per kind of code, in one
place, so a page, a PDF and a CSV name a thing the same way."""
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "dates": _l("Dates"), "olive_oil": _l("Olive oil"), "honey": _l("Honey"),
    "almonds": _l("Almonds"), "truffles": _l("Desert truffles"),
    "aromatic_plants": _l("Medicinal and aromatic plants"),
    "cereal_derivatives": _l("Couscous and cereal derivatives"), "crafts": _l("Crafts"),
    "other": _l("Other"),
}
PRODUCT_KIND_LABELS = {"bulk": _l("Bulk (kg or litre)"), "unit": _l("Packaged unit (pieces)")}
UOM_LABELS = {"kg": _l("kg"), "l": _l("litre"), "pc": _l("piece")}
LOCATION_KIND_LABELS = {"warehouse": _l("Warehouse zone"), "shop": _l("Shop or stand")}
# Every kind of place as a page names it (the real ones above, and the ledger's virtual ones).
PLACE_KIND_LABELS = {**LOCATION_KIND_LABELS, "transit": _l("In transit"),
                     "supplier": _l("Suppliers"), "customer": _l("Customers"), "loss": _l("Loss"),
                     "adjustment": _l("Adjustment"), "production": _l("Packaging production")}

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "operator": _l("Warehouse operator"),
    "cashier": _l("Cashier"),
    "cooperative": _l("Cooperative"),
    "observer": _l("Observer (aggregates only)"),
    "buyer": _l("Buyer"),
}


MOVEMENT_LABELS = {
    "reception": _l("Reception"), "packaging_input": _l("Packaging input"),
    "packaging_output": _l("Packaging output"), "waste": _l("Packaging waste"),
    "dispatch": _l("Dispatch"), "receipt": _l("Receipt at shop"), "sale": _l("Sale"),
    "refund": _l("Refund"), "return": _l("Return"),
    "return_to_cooperative": _l("Return to cooperative"),
    "count_adjustment": _l("Count adjustment"), "loss": _l("Loss"),
    "offline_shortfall": _l("Offline sale beyond the book stock"),
}

PAYOUT_METHOD_LABELS = {"bank_transfer": _l("Bank transfer"), "cash": _l("Cash"), "cheque": _l("Cheque")}
PAYMENT_METHOD_LABELS = {"cash": _l("Cash"), "card": _l("Card"), "mobile": _l("Mobile money")}
ENTRY_KIND_LABELS = {"sale": _l("Sale"), "refund": _l("Refund"), "payout": _l("Payout"),
                     "fee": _l("Fee"), "adjustment": _l("Adjustment")}
# The channels a sale goes through (models.consignment.CHANNELS), for commission rates and
# the cooperatives' sales by channel.
CHANNEL_LABELS = {"till": _l("Till sales"), "delivery": _l("Orders delivered"),
                  "pickup": _l("Orders picked up at a shop")}

# Units as bilingual PDFs print them (no request language there): (French, Arabic).
PDF_UNIT_WORDS = {"kg": ("kg", "كلغ"), "l": ("L", "ل"), "pc": ("pce", "قطعة")}


def pdf_unit(code, lang="fr"):
    """A unit code as a printed document writes it in French or Arabic (never the raw code)."""
    fr, arabic = PDF_UNIT_WORDS.get(code, (code or "", code or ""))
    return arabic if lang == "ar" else fr
