"""What a cooperative's portal reads: stock by outlet, receptions, sales, a chart's figures.

Every function takes the cooperative's id and filters on it in SQL: the isolation of one
cooperative from another lives here, not in templates. Reads only; no Flask imports.
"""
from collections import OrderedDict
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from extensions import db
from models.catalogue import Product
from models.consignment import ConsignmentEntry
from models.consignment import CHANNEL_TILL, CHANNELS
from models.documents import document_labels
from models.orders import DOC_CREDIT_NOTE, DOC_ORDER, Invoice, Order
from models.report_summaries import SALE_KINDS, ConsignmentMonthly, cooperative_sums, sale_locations
from models.stock import REAL_KINDS, Location, Lot, StockBalance, StockMovement
from models.types import money
from models import clock

# The order outlets are listed in: warehouse zones, shops and stands, then goods on the road.
KIND_ORDER = {"warehouse": 0, "shop": 1, "transit": 2}


def stock_by_outlet(cooperative_id, location_id=None):
    """[(location, [row, ...]), ...]: the cooperative's lots on hand at each real location.

    Each row: lot id and code, product, quantity, best-before. First-expired first.
    """
    query = (
        select(StockBalance.quantity, StockBalance.location_id, Lot.id.label("lot_id"),
               Lot.code.label("lot_code"), Lot.best_before, Product.id.label("product_id"),
               Product.name_fr.label("product_fr"), Product.name_ar.label("product_ar"),
               Product.uom, Product.sku)
        .join(Lot, Lot.id == StockBalance.lot_id)
        .join(Product, Product.id == Lot.product_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(Lot.cooperative_id == cooperative_id, StockBalance.quantity != 0,
               Location.kind.in_(REAL_KINDS))
        .order_by(Product.name_fr, Lot.best_before.is_(None), Lot.best_before, Lot.code)
    )
    if location_id:
        query = query.where(StockBalance.location_id == location_id)
    rows = db.session.execute(query).all()
    locations = {loc.id: loc for loc in db.session.execute(
        select(Location).where(Location.id.in_({r.location_id for r in rows} or {0}))).scalars()}
    grouped = {}
    for r in rows:
        grouped.setdefault(r.location_id, []).append(r)
    order = sorted(grouped, key=lambda i: (KIND_ORDER.get(locations[i].kind, 9), locations[i].code))
    return [(locations[i], grouped[i]) for i in order]


def receptions(cooperative_id):
    """The cooperative's deliveries: lots born of a reception, grouped by reception, newest
    first, each with the document's label (and receipt link) from the document registry."""
    received = (
        select(StockMovement.lot_id, func.sum(StockMovement.quantity).label("qty"))
        .where(StockMovement.kind == "reception").group_by(StockMovement.lot_id).subquery()
    )
    rows = db.session.execute(
        select(Lot.id, Lot.code, Lot.origin_id, Lot.created_at, Lot.best_before,
               Product.name_fr.label("product_fr"), Product.name_ar.label("product_ar"),
               Product.uom, received.c.qty)
        .join(Product, Product.id == Lot.product_id)
        .outerjoin(received, received.c.lot_id == Lot.id)
        .where(Lot.cooperative_id == cooperative_id, Lot.origin_type == "reception")
        .order_by(Lot.created_at.desc(), Lot.id.desc())
    ).all()
    labels = document_labels("reception", [r.origin_id for r in rows])
    groups = OrderedDict()
    for r in rows:
        key = r.origin_id
        if key not in groups:
            info = labels.get(key) or {"label": "—", "url": None}
            groups[key] = {"id": key, "label": info.get("label"),
                           "url": info.get("receipt_url") or info.get("url"),
                           "date": r.created_at, "lots": []}
        groups[key]["lots"].append(r)
    return list(groups.values())


# The entries an order wrote: its delivery, and the credit notes of goods it returned. Every
# other sale or refund entry is the till's (online or offline).
ORDER_DOCS = (DOC_ORDER, DOC_CREDIT_NOTE)


def _with_order_channel(query):
    """`query` over ConsignmentEntry joined to the order each order entry belongs to; returns
    (query, the channel expression: the order's fulfilment, "delivery" or "pickup", or
    "till" for an entry of no order)."""
    e = ConsignmentEntry
    delivered, credited, note = aliased(Order), aliased(Order), aliased(Invoice)
    query = (query.outerjoin(delivered, and_(e.document_type == DOC_ORDER,
                                             delivered.id == e.document_id))
             .outerjoin(note, and_(e.document_type == DOC_CREDIT_NOTE, note.id == e.document_id))
             .outerjoin(credited, credited.id == note.order_id))
    channel = case((e.document_type == DOC_ORDER, delivered.fulfilment),
                   (e.document_type == DOC_CREDIT_NOTE, credited.fulfilment),
                   else_=literal(CHANNEL_TILL))
    return query, channel


def _till_only():
    e = ConsignmentEntry
    return or_(e.document_type.is_(None), e.document_type.not_in(ORDER_DOCS))


def _sale_filters(cooperative_id, start=None, end=None, location_id=None):
    """The conditions of a cooperative's sale and refund entries over naive UTC bounds
    ([start, end), None: open) and an outlet: one filter for the list, its sums and its
    channels."""
    e = ConsignmentEntry
    filters = [e.cooperative_id == cooperative_id, e.kind.in_(SALE_KINDS)]
    if start is not None:
        filters.append(e.created_at >= start)
    if end is not None:
        filters.append(e.created_at < end)
    if location_id:
        filters.append(e.location_id == location_id)
    return filters


def _sums(count, gross, commission, owed):
    """A block of sums as the pages show them: lines, gross, commission, owed."""
    return {"lines": int(count), "gross": money(gross), "commission": money(commission),
            "owed": money(owed)}


ZERO_SUMS = _sums(0, 0, 0, 0)


def _sum_columns():
    e = ConsignmentEntry
    return (func.count(e.id), func.coalesce(func.sum(e.gross), 0),
            func.coalesce(func.sum(e.commission), 0), func.coalesce(func.sum(e.amount), 0))


def _order_sums(filters):
    """{channel: sums} of the order entries (delivered orders and their credit notes) under
    `filters`, by the order's fulfilment: only those few entries are joined to their orders."""
    e = ConsignmentEntry
    query, channel = _with_order_channel(select(e.id).select_from(e))
    query = query.with_only_columns(channel, *_sum_columns()).where(*filters, e.document_type.in_(ORDER_DOCS))
    return {row[0]: _sums(*row[1:]) for row in db.session.execute(query.group_by(channel)).all()}


def sales_query(cooperative_id, start=None, end=None, location_id=None, channel=None):
    """The select of sale and refund entries of a cooperative, newest first, with lot,
    product and outlet. `start`/`end` are naive UTC bounds ([start, end)); `channel` keeps
    one channel's ("till", "delivery", "pickup")."""
    e = ConsignmentEntry
    query = (
        select(e.id, e.created_at, e.kind, e.quantity, e.gross, e.commission_rate, e.commission,
               e.amount, e.document_type, e.document_id, e.lot_id, e.location_id,
               Lot.code.label("lot_code"), Product.name_fr.label("product_fr"),
               Product.name_ar.label("product_ar"), Product.uom,
               Location.name_fr.label("location_fr"), Location.name_ar.label("location_ar"))
        .outerjoin(Lot, Lot.id == e.lot_id)
        .outerjoin(Product, Product.id == Lot.product_id)
        .outerjoin(Location, Location.id == e.location_id)
        .where(*_sale_filters(cooperative_id, start, end, location_id))
        .order_by(e.created_at.desc(), e.id.desc())
    )
    if channel == CHANNEL_TILL:
        query = query.where(_till_only())
    elif channel in CHANNELS:
        query, expression = _with_order_channel(query.where(e.document_type.in_(ORDER_DOCS)))
        query = query.where(expression == channel)
    return query


def sales_by_channel(cooperative_id, start=None, end=None, location_id=None):
    """{channel: {"lines", "gross", "commission", "owed"}} over the same filter, every channel
    listed (zero where nothing sold), read from the entries themselves (the reference the
    summary-based `sales_page_sums` is tested against). The till's sums read the entries'
    covering index alone; only the (few) order entries are joined to their orders."""
    filters = _sale_filters(cooperative_id, start, end, location_id)
    found = {**dict.fromkeys(CHANNELS, ZERO_SUMS), **_order_sums(filters)}
    found[CHANNEL_TILL] = _sums(*db.session.execute(select(*_sum_columns()).where(*filters, _till_only())).one())
    return {c: dict(found[c]) for c in CHANNELS}


def entry_channels(rows):
    """{entry id: channel} of sale and refund rows (of sales_query) for a page of them."""
    order_ids = {r.document_id for r in rows if r.document_type == DOC_ORDER}
    note_ids = {r.document_id for r in rows if r.document_type == DOC_CREDIT_NOTE}
    fulfilment = dict(db.session.execute(select(Order.id, Order.fulfilment)
                                         .where(Order.id.in_(order_ids))).all()) if order_ids else {}
    notes = dict(db.session.execute(select(Invoice.id, Order.fulfilment)
                                    .join(Order, Order.id == Invoice.order_id)
                                    .where(Invoice.id.in_(note_ids))).all()) if note_ids else {}
    return {r.id: (fulfilment.get(r.document_id) if r.document_type == DOC_ORDER else
                   notes.get(r.document_id) if r.document_type == DOC_CREDIT_NOTE else CHANNEL_TILL)
            for r in rows}


def sales_totals(cooperative_id):
    """A cooperative's sales since the start: lines, gross, commission, owed (refunds net
    off), from the monthly summary (models/report_summaries.py: kept with every entry, proven
    equal to the ledger by integrity-check): a few thousand rows, not a year's entries."""
    m = ConsignmentMonthly
    return _sums(*db.session.execute(
        select(func.coalesce(func.sum(m.entries), 0), func.coalesce(func.sum(m.gross), 0),
               func.coalesce(func.sum(m.commission), 0), func.coalesce(func.sum(m.amount), 0))
        .where(m.cooperative_id == cooperative_id, m.kind.in_(SALE_KINDS))).one())


def sales_page_sums(cooperative_id, date_from=None, date_to=None, start=None, end=None, location_id=None):
    """(totals, by channel) of the sales page: the same figures as `sales_by_channel` over
    the local days [date_from, date_to] (None: open; `start`/`end` the same days as naive UTC
    bounds, as `sales_query` takes them) and an outlet, read from the summary tables: the
    whole filter's sums from consignment_monthly / _daily, the (few) order entries' by channel
    from the entries joined to their orders, and the till's as the rest. A year of a busy
    cooperative is 60,000 entries; this reads hundreds of summary rows and the order entries'
    index."""
    sums = cooperative_sums(cooperative_id, date_from, date_to, SALE_KINDS, location_id)
    totals = {"lines": sum(s["entries"] for s in sums.values()),
              "gross": money(sum((s["gross"] for s in sums.values()), Decimal(0))),
              "commission": money(sum((s["commission"] for s in sums.values()), Decimal(0))),
              "owed": money(sum((s["amount"] for s in sums.values()), Decimal(0)))}
    orders = _order_sums(_sale_filters(cooperative_id, start, end, location_id))
    by_channel = {c: dict(orders.get(c, ZERO_SUMS)) for c in CHANNELS}
    by_channel[CHANNEL_TILL] = {k: totals[k] - sum(row[k] for row in orders.values()) for k in totals}
    return totals, by_channel


def unit_price(row):
    """The price a line sold at: gross over quantity, to the centime (None without quantity)."""
    if not row.quantity:
        return None
    return money(abs(Decimal(row.gross or 0)) / abs(Decimal(row.quantity)))


def sale_outlets(cooperative_id):
    """The outlets where this cooperative's goods have sold (for the filter)."""
    ids = sale_locations(cooperative_id)  # from the monthly summary, not a scan of the entries
    if not ids:
        return []
    return db.session.execute(
        select(Location).where(Location.id.in_(ids)).order_by(Location.name_fr)).scalars().all()


def month_start(day, back):
    """The first day of the month `back` months before `day`'s."""
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def sales_by_month_and_outlet(cooperative_id, months=12, today=None):
    """(month labels "YYYY-MM", {outlet name_fr: [gross per month]}) for the last `months`
    months, refunds netted. Months are Morocco's (Africa/Casablanca) months, read from the
    monthly summary (models/report_summaries.py, kept with every entry and proven equal to
    the ledger by integrity-check): ~2,000 rows for a busy cooperative's year, not 60,000."""
    today = today or clock.today()
    first = month_start(today, months - 1)
    labels = [month_start(today, months - 1 - i).strftime("%Y-%m") for i in range(months)]
    m = ConsignmentMonthly
    rows = db.session.execute(
        select(m.day, m.location_id, func.sum(m.gross).label("gross"))
        .where(m.cooperative_id == cooperative_id, m.kind.in_(SALE_KINDS), m.day >= first)
        .group_by(m.day, m.location_id)
    ).all()
    names = dict(db.session.execute(select(Location.id, Location.name_fr).where(
        Location.id.in_({r.location_id for r in rows} or {0}))).all())
    series = {}
    for r in rows:
        month = str(r.day)[:7]
        if month not in labels:
            continue
        name = names.get(r.location_id, "—")
        series.setdefault(name, [Decimal(0)] * months)[labels.index(month)] += money(r.gross or 0)
    return labels, dict(sorted(series.items()))


def lot_detail(cooperative_id, lot_id):
    """A lot of this cooperative (None for another's): where it is and what it sold."""
    lot = db.session.get(Lot, lot_id)
    if lot is None or lot.cooperative_id != cooperative_id:
        return None
    on_hand = db.session.execute(
        select(Location, StockBalance.quantity).join(StockBalance, StockBalance.location_id == Location.id)
        .where(StockBalance.lot_id == lot_id, StockBalance.quantity != 0,
               Location.kind.in_(REAL_KINDS)).order_by(Location.code)).all()
    sales = db.session.execute(sales_query(cooperative_id).where(ConsignmentEntry.lot_id == lot_id)).all()
    return {"lot": lot, "on_hand": on_hand, "sales": sales}
