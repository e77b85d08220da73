"""Read-side of the warehouse: stock on hand first-expired-first-out, a lot's genealogy and
history, and the recall of a lot forward to every unit and sale and back to its reception.

The genealogy is walked by recursive SQL (a handful of queries per page, whatever the size
of the ledger): no per-lot loops against the database.
"""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, literal, select, union_all

from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.documents import document_labels
from models.stock import (KIND_TRANSIT, REAL_KINDS, Location, Lot, StockBalance, StockMovement,
                          lot_parents)
from models.warehouse import PackagingRun, Reception, ReceptionLine
from models import clock

MAX_DEPTH = 30  # a safety stop: real genealogies are two or three levels deep


def expiry_status(best_before, today, warning_days):
    """"expired", "expiring" (within `warning_days`) or None."""
    if best_before is None:
        return None
    if best_before < today:
        return "expired"
    if best_before <= today + timedelta(days=warning_days):
        return "expiring"
    return None


def stock_query(filters):
    """Balances at real locations (non-zero), joined to lot, product, cooperative and location,
    sorted first-expired-first-out. `filters`: location_id, product_id, cooperative_id, lot_id,
    q (lot code), expiring_before (a date), sold_out (also every lot with nothing left at any
    real location, sold, consumed by packaging or written off: one row each, no location,
    quantity 0)."""
    b = StockBalance
    if filters.get("sold_out"):
        held = (select(b.lot_id, b.location_id, b.quantity).join(Location, Location.id == b.location_id)
                .where(b.quantity != 0, Location.kind.in_(REAL_KINDS)).subquery("held"))
        lot_id, location_id, quantity = Lot.id, held.c.location_id, func.coalesce(held.c.quantity, 0)
    else:
        lot_id, location_id, quantity = b.lot_id, b.location_id, b.quantity
    query = select(
        lot_id.label("lot_id"), Lot.code.label("lot_code"), Lot.best_before, Lot.harvest_date,
        Lot.production_date, Lot.product_id, Product.sku, Product.name_fr.label("product_fr"),
        Product.name_ar.label("product_ar"), Product.uom, Lot.cooperative_id,
        Cooperative.name_fr.label("cooperative_fr"), Cooperative.name_ar.label("cooperative_ar"),
        location_id.label("location_id"), Location.code.label("location_code"),
        Location.name_fr.label("location_fr"), Location.name_ar.label("location_ar"),
        Location.kind.label("location_kind"), quantity.label("quantity"))
    if filters.get("sold_out"):
        query = (query.select_from(Lot).outerjoin(held, held.c.lot_id == Lot.id)
                 .outerjoin(Location, Location.id == held.c.location_id))
    else:
        query = (query.select_from(b).join(Lot, Lot.id == b.lot_id)
                 .join(Location, Location.id == b.location_id)
                 .where(b.quantity != 0, Location.kind.in_(REAL_KINDS)))
    query = (query.join(Product, Product.id == Lot.product_id)
             .join(Cooperative, Cooperative.id == Lot.cooperative_id)
             .order_by(Lot.best_before.is_(None), Lot.best_before, Lot.code, Location.code))
    for name, column in (("location_id", location_id), ("product_id", Lot.product_id),
                         ("cooperative_id", Lot.cooperative_id), ("lot_id", lot_id)):
        if filters.get(name):
            query = query.where(column == filters[name])
    if filters.get("q"):
        query = query.where(Lot.code.ilike(f"%{filters['q'].strip()}%"))
    if filters.get("expiring_before"):
        query = query.where(Lot.best_before <= filters["expiring_before"])
    return query


def stock_rows(filters, *, today=None, warning_days=30, limit=None, offset=0):
    """The stock view's rows as dicts with an `expiry` status, and the total count."""
    today = today or clock.today()
    query = stock_query(filters)
    total = db.session.execute(stock_count(filters, query)).scalar()
    if limit:
        query = query.limit(limit).offset(offset)
    rows = []
    for r in db.session.execute(query):
        row = r._asdict()
        # A lot with nothing left anywhere (asked for with `sold_out`) warns of nothing.
        row["expiry"] = (expiry_status(r.best_before, today, warning_days)
                         if r.location_id is not None else None)
        rows.append(row)
    return rows, total


def stock_count(filters, query=None):
    """The count of stock_query(filters)'s rows. Without a filter on the lot's product,
    cooperative, code or date (and without sold-out lots), the holdings alone: a balance's lot
    always exists, and so do the lot's product and cooperative (NOT NULL foreign keys), so
    joining them changes no count (the stock page's count of every holding, ~10,000 on the
    bench year: half its SQL time)."""
    if filters.get("sold_out") or any(filters.get(k) for k in ("product_id", "cooperative_id", "q",
                                                                  "expiring_before")):
        query = stock_query(filters) if query is None else query
        return select(func.count()).select_from(query.order_by(None).subquery())
    b = StockBalance
    count = (select(func.count()).select_from(b).join(Location, Location.id == b.location_id)
             .where(b.quantity != 0, Location.kind.in_(REAL_KINDS)))
    for name, column in (("location_id", b.location_id), ("lot_id", b.lot_id)):
        if filters.get(name):
            count = count.where(column == filters[name])
    return count


def expiry_counts(today, warning_days):
    """How many (lot, location) holdings are expired and expiring soon."""
    base = stock_query({}).order_by(None).subquery()
    expired = db.session.execute(select(func.count()).where(base.c.best_before < today)).scalar()
    soon = db.session.execute(select(func.count()).where(
        base.c.best_before >= today,
        base.c.best_before <= today + timedelta(days=warning_days))).scalar()
    return {"expired": expired, "expiring": soon}


def _descendants_cte(lot_id):
    """Recursive CTE (lot_id, parent_id, quantity, depth) of every lot made from `lot_id`."""
    lp = lot_parents
    down = (select(lp.c.child_lot_id.label("lot_id"), lp.c.parent_lot_id.label("parent_id"),
                   lp.c.quantity.label("quantity"), literal(1).label("depth"))
            .where(lp.c.parent_lot_id == lot_id).cte("descendants", recursive=True))
    return down.union_all(
        select(lp.c.child_lot_id, lp.c.parent_lot_id, lp.c.quantity, down.c.depth + 1)
        .join(down, lp.c.parent_lot_id == down.c.lot_id).where(down.c.depth < MAX_DEPTH))


def _ancestors_cte(lot_id):
    """Recursive CTE (lot_id, child_id, quantity, depth) of every lot `lot_id` was made from."""
    lp = lot_parents
    up = (select(lp.c.parent_lot_id.label("lot_id"), lp.c.child_lot_id.label("child_id"),
                 lp.c.quantity.label("quantity"), literal(1).label("depth"))
          .where(lp.c.child_lot_id == lot_id).cte("ancestors", recursive=True))
    return up.union_all(
        select(lp.c.parent_lot_id, lp.c.child_lot_id, lp.c.quantity, up.c.depth + 1)
        .join(up, lp.c.child_lot_id == up.c.lot_id).where(up.c.depth < MAX_DEPTH))


def _edges(cte, other):
    """[(lot, other_id, quantity, depth)] from a genealogy CTE, lots loaded in one query."""
    rows = db.session.execute(
        select(Lot, cte.c[other], cte.c.quantity, cte.c.depth).join(cte, cte.c.lot_id == Lot.id)
        .order_by(cte.c.depth, Lot.id)).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def genealogy(lot):
    """{"ancestors": [...], "descendants": [...]} each {"lot", "via" (lot id), "quantity",
    "depth"}, plus the packaging runs and receptions the lots were born from."""
    ancestors = [dict(lot=a, via=v, quantity=q, depth=d) for a, v, q, d in _edges(_ancestors_cte(lot.id), "child_id")]
    descendants = [dict(lot=c, via=v, quantity=q, depth=d) for c, v, q, d in _edges(_descendants_cte(lot.id), "parent_id")]
    lots = [lot] + [e["lot"] for e in ancestors + descendants]
    return {"ancestors": ancestors, "descendants": descendants, "origins": origins(lots)}


def origins(lots):
    """The documents the lots were born from: {lot_id: Reception or PackagingRun}."""
    rec_ids = {x.origin_id for x in lots if x.origin_type == "reception" and x.origin_id}
    run_ids = {x.origin_id for x in lots if x.origin_type == "packaging_run" and x.origin_id}
    recs = {r.id: r for r in db.session.execute(
        select(Reception).where(Reception.id.in_(rec_ids))).scalars()} if rec_ids else {}
    runs = {r.id: r for r in db.session.execute(
        select(PackagingRun).where(PackagingRun.id.in_(run_ids))).scalars()} if run_ids else {}
    found = {}
    for x in lots:
        source = recs if x.origin_type == "reception" else runs if x.origin_type == "packaging_run" else {}
        if x.origin_id in source:
            found[x.id] = source[x.origin_id]
    return found


def label_documents(rows):
    """Add a "document" label dict to rows having document_type / document_id (few queries:
    one per document type, through the registry)."""
    by_type = {}
    for row in rows:
        if row.get("document_type") and row.get("document_id") is not None:
            by_type.setdefault(row["document_type"], set()).add(row["document_id"])
    labels = {t: document_labels(t, ids) for t, ids in by_type.items()}
    for row in rows:
        row["document"] = labels.get(row.get("document_type"), {}).get(row.get("document_id"))
    return rows


def movement_history(lot_ids, limit=500):
    """Movements of some lots, newest first, with location names and document labels."""
    src, dst = Location.__table__.alias("src"), Location.__table__.alias("dst")
    m = StockMovement
    rows = db.session.execute(
        select(m.id, m.created_at, m.lot_id, Lot.code.label("lot_code"), m.quantity, m.kind,
               m.document_type, m.document_id, m.note,
               src.c.name_fr.label("from_fr"), src.c.name_ar.label("from_ar"),
               dst.c.name_fr.label("to_fr"), dst.c.name_ar.label("to_ar"))
        .join(Lot, Lot.id == m.lot_id).join(src, src.c.id == m.from_location_id)
        .join(dst, dst.c.id == m.to_location_id)
        .where(m.lot_id.in_(lot_ids)).order_by(m.id.desc()).limit(limit)).all()
    return label_documents([r._asdict() for r in rows])


def recall(lot):
    """Everything a recall of `lot` needs, in a few queries.

    Forward: every descendant lot (through every packaging run), its balances at real
    locations (transit included), and every sale and refund of it and of the lot itself.
    Backward: the ancestor lots, the receptions they came from and the cooperative.
    """
    family = genealogy(lot)
    lots = [lot] + [d["lot"] for d in family["descendants"]]
    ids = [x.id for x in lots]
    down = _descendants_cte(lot.id)
    family_ids = union_all(select(literal(lot.id).label("lot_id")), select(down.c.lot_id)).subquery()
    loc = Location
    balances = [r._asdict() for r in db.session.execute(
        select(StockBalance.lot_id, Lot.code.label("lot_code"), StockBalance.location_id,
               loc.code.label("location_code"), loc.name_fr.label("location_fr"),
               loc.name_ar.label("location_ar"), loc.kind.label("location_kind"),
               StockBalance.quantity)
        .join(Lot, Lot.id == StockBalance.lot_id).join(loc, loc.id == StockBalance.location_id)
        .where(StockBalance.lot_id.in_(select(family_ids.c.lot_id)),
               StockBalance.quantity != 0, loc.kind.in_(REAL_KINDS))
        .order_by(loc.kind, loc.code, Lot.code))]
    shop = Location.__table__.alias("shop")
    m = StockMovement
    sales = label_documents([r._asdict() for r in db.session.execute(
        select(m.id, m.created_at, m.kind, m.lot_id, Lot.code.label("lot_code"), m.quantity,
               m.document_type, m.document_id, shop.c.id.label("shop_id"),
               shop.c.code.label("shop_code"), shop.c.name_fr.label("shop_fr"),
               shop.c.name_ar.label("shop_ar"))
        .join(Lot, Lot.id == m.lot_id).join(shop, shop.c.id == m.from_location_id)
        .where(m.lot_id.in_(select(family_ids.c.lot_id)), m.kind == "sale")
        .order_by(m.created_at, m.id))])
    refunds = label_documents([r._asdict() for r in db.session.execute(
        select(m.id, m.created_at, m.kind, m.lot_id, Lot.code.label("lot_code"), m.quantity,
               m.document_type, m.document_id, shop.c.id.label("shop_id"),
               shop.c.code.label("shop_code"), shop.c.name_fr.label("shop_fr"),
               shop.c.name_ar.label("shop_ar"))
        .join(Lot, Lot.id == m.lot_id).join(shop, shop.c.id == m.to_location_id)
        .where(m.lot_id.in_(select(family_ids.c.lot_id)), m.kind == "refund")
        .order_by(m.created_at, m.id))])
    summary = {x.id: {"on_hand": Decimal(0), "in_transit": Decimal(0), "sold": Decimal(0),
                      "refunded": Decimal(0)} for x in lots}
    for b in balances:
        key = "in_transit" if b["location_kind"] == KIND_TRANSIT else "on_hand"
        summary[b["lot_id"]][key] += b["quantity"]
    for s in sales:
        summary[s["lot_id"]]["sold"] += s["quantity"]
    for s in refunds:
        summary[s["lot_id"]]["refunded"] += s["quantity"]
    ancestor_lots = [a["lot"] for a in family["ancestors"]]
    roots = [x for x in [lot] + ancestor_lots if x.origin_type == "reception"]
    lines = {ln.lot_id: ln for ln in db.session.execute(
        select(ReceptionLine).where(ReceptionLine.lot_id.in_([x.id for x in roots]))).scalars()} if roots else {}
    return {
        "lot": lot, "lots": lots, "descendants": family["descendants"],
        "ancestors": family["ancestors"], "origins": family["origins"],
        "receptions": [(x, family["origins"].get(x.id), lines.get(x.id)) for x in roots],
        "cooperative": lot.cooperative, "balances": balances, "sales": sales,
        "refunds": refunds, "summary": summary, "lot_ids": ids,
    }


FIND_LIMIT = 50


def find_lots(code):
    """The lots a typed or scanned code names, sold-out and consumed ones included: a lot code
    or any label scan (the till's one resolver, models.stock_codes.identify: GS1-128 with or
    without ]C1, a GTIN / EAN-13 names every lot of its product), else lot codes containing the
    text. [{"lot", "product", "cooperative", "on_hand"}], latest best-before first, at most
    FIND_LIMIT; `on_hand` is the quantity at real locations (0 when sold out or consumed)."""
    from models.stock_codes import identify

    code = (code or "").strip()
    if not code:
        return []
    meaning = identify(code)
    query = (select(Lot, Product, Cooperative).join(Product, Product.id == Lot.product_id)
             .join(Cooperative, Cooperative.id == Lot.cooperative_id))
    if meaning and meaning[0] == "lot":
        query = query.where(Lot.code == meaning[1])
    elif meaning:
        query = query.where(Product.gtin == meaning[1])
    else:
        text = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Lot.code.ilike(f"%{text}%", escape="\\"))
    rows = db.session.execute(query.order_by(Lot.best_before.is_(None), Lot.best_before.desc(),
                                             Lot.code).limit(FIND_LIMIT)).all()
    ids = [lot.id for lot, _p, _c in rows]
    held = dict(db.session.execute(
        select(StockBalance.lot_id, func.sum(StockBalance.quantity))
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.lot_id.in_(ids), Location.kind.in_(REAL_KINDS))
        .group_by(StockBalance.lot_id)).all()) if ids else {}
    return [{"lot": lot, "product": product, "cooperative": coop,
             "on_hand": held.get(lot.id) or Decimal(0)} for lot, product, coop in rows]
