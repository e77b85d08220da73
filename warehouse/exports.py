"""CSV exports of the stock view and the recall, and the recall flattened for JSON."""
from flask_babel import lazy_gettext as _l

from models.clock import to_local
from web.csvfile import csv_text, page_dialect, word
from web.labels import MOVEMENT_LABELS, PLACE_KIND_LABELS, UOM_LABELS

# The kinds of row of the recall CSV, as a person reads them.
RECALL_ROW_LABELS = {"origin": _l("Origin"), "lot": _l("Lot"), "location": _l("Location")}


def recall_flat(r):
    """The recall as plain dicts: lots with their totals, balances, sales, origins."""
    parent = {d["lot"].id: (d["via"], d["depth"]) for d in r["descendants"]}
    lots = []
    for lot in r["lots"]:
        via, depth = parent.get(lot.id, (None, 0))
        lots.append({"lot_id": lot.id, "lot_code": lot.code, "product_id": lot.product_id,
                     "depth": depth, "parent_lot_id": via, "best_before": lot.best_before,
                     **r["summary"][lot.id]})
    origins = [{"lot_id": lot.id, "lot_code": lot.code,
                "reception_id": rec.id if rec else None,
                "reception_number": rec.number if rec else None,
                "received_on": rec.received_on if rec else None,
                "cooperative_id": lot.cooperative_id,
                "quantity_accepted": line.quantity_accepted if line else None}
               for lot, rec, line in r["receptions"]]
    return {"lot_id": r["lot"].id, "lot_code": r["lot"].code,
            "cooperative_id": r["cooperative"].id, "cooperative": r["cooperative"].name_fr,
            "lots": lots, "balances": r["balances"], "sales": r["sales"],
            "refunds": r["refunds"], "origins": origins}


def _csv(header, rows, dialect):
    """CSV text through the app's one writer (web.csvfile: BOM, formula cells neutralised,
    the page's dialect)."""
    return csv_text(header, rows, dialect)


def stock_csv(rows, labels):
    """The stock view as CSV; `labels` maps expiry statuses to words."""
    header = ["lot", "product_sku", "product", "cooperative", "location", "quantity", "unit",
              "best_before", "harvest_date", "status"]
    dialect = page_dialect()
    return _csv(header, [[r["lot_code"], r["sku"], r["product_fr"], r["cooperative_fr"],
                          r["location_code"], r["quantity"], word(r["uom"], UOM_LABELS, dialect),
                          r["best_before"] or "", r["harvest_date"] or "",
                          labels.get(r["expiry"], "")] for r in rows], dialect)


def recall_csv(r):
    """The recall as one CSV: a section per kind of row (origin, lot, location, sale)."""
    flat = recall_flat(r)
    dialect = page_dialect()
    row_kind = lambda code: word(code, RECALL_ROW_LABELS, dialect)  # noqa: E731
    rows = []
    for o in flat["origins"]:
        rows.append([row_kind("origin"), o["lot_code"], o["reception_number"] or "", o["received_on"] or "",
                     flat["cooperative"], o["quantity_accepted"] or "", "", ""])
    for x in flat["lots"]:
        rows.append([row_kind("lot"), x["lot_code"], x["depth"], x["best_before"] or "", "",
                     x["on_hand"], x["in_transit"], x["sold"]])
    for b in flat["balances"]:
        rows.append([row_kind("location"), b["lot_code"], b["location_code"],
                     word(b["location_kind"], PLACE_KIND_LABELS, dialect), "",
                     b["quantity"], "", ""])
    for s in flat["sales"] + flat["refunds"]:
        rows.append([word(s["kind"], MOVEMENT_LABELS, dialect), s["lot_code"], s["shop_code"], to_local(s["created_at"]).replace(tzinfo=None).isoformat(" ", "seconds"),
                     (s.get("document") or {}).get("label", ""), s["quantity"], "", ""])
    header = ["row", "lot", "reference", "date_or_kind", "detail", "quantity", "in_transit", "sold"]
    return _csv(header, rows, dialect)
