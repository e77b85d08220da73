"""A cooperative's statement one page at a time (the portal's page, its PDF): the period's
figures from the summaries, the page's entries with their running balance, read as the
driver gives them (`plain`: amounts in integer centimes, times and figures as text).
The period and the statement's query come from models.consignment_statements."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models import rawsql
from models.catalogue import Product
from models.consignment import ConsignmentEntry, balance
from models.consignment_statements import (ENTRY_KINDS_ORDER, _cents, period_bounds, scaled_text,
                                           statement_query, stored_datetime)
from models.report_summaries import cooperative_sums
from models.stock import Location, Lot


def _from_cents(cents):
    """Integer centimes as a Decimal of scale 2."""
    return Decimal(cents).scaleb(-2)


def _scaled_decimal(value, memo):
    """Decimal(scaled_text(value, places)) for memo = ({}, places), remembered per stored
    value (not for zero: 0.0 and -0.0 are one key but two texts)."""
    if value is None:
        return None
    known, places = memo
    found = known.get(value) if value else None
    if found is None:
        found = Decimal(scaled_text(value, places))
        if value:
            known[value] = found
    return found


def paged_statement(cooperative_id, date_from, date_to, page=1, per_page=200, plain=False):
    """One page of a period's statement for the HTML page: the same dict as `statement`
    (opening, totals, gross, commission and closing of the whole period) but with only the
    entries of page `page` (each with its running balance), plus "page", "per_page" and
    "total_entries". A year of a busy cooperative is ~60,000 entries: the period's figures are
    sums in SQL (one grouped index-only read of the covering index), the page's opening is
    the sum of the entries before it (index-only), and only `per_page` rows are read as
    tuples. `per_page=None`: every entry (the PDF).

    `plain` (the PDF's year): the entries without a Decimal or a datetime each —
    "created_at" the stored UTC time as text ("YYYY-MM-DD HH:MM:SS[.ffffff]"), "amount_cents"
    and "running_cents" integer centimes (no "amount" / "running_balance"), gross, rate,
    commission and quantity the texts `scaled_text` writes (statement_query(plain=...)); the
    period's figures stay Decimals."""
    start, end = period_bounds(date_from, date_to)
    opening = _cents(balance(cooperative_id, until=start)["balance"])
    e = ConsignmentEntry
    period = (e.cooperative_id == cooperative_id, e.created_at >= start, e.created_at < end)
    totals = dict.fromkeys(ENTRY_KINDS_ORDER, 0)
    count = gross_sum = commission_sum = 0
    # The period's sums from the summary tables (whole local months and the edge days), equal
    # to the entries' (integrity-check proves it): ~100 rows, not a year's 60,000 entries.
    for kind, sums in cooperative_sums(cooperative_id, date_from, date_to).items():
        totals[kind] = totals.get(kind, 0) + _cents(sums["amount"])
        count += sums["entries"]
        if kind in ("sale", "refund"):
            gross_sum += _cents(sums["gross"])
            commission_sum += _cents(sums["commission"])
    page = max(page, 1)
    first = 0 if per_page is None else (page - 1) * per_page
    before = 0
    if first:
        skipped = select(e.amount).where(*period).order_by(e.created_at, e.id).limit(first).subquery()
        before = _cents(db.session.execute(select(func.coalesce(func.sum(skipped.c.amount), 0))).scalar())
    dialect = db.session.get_bind().dialect.name
    query = statement_query(cooperative_id, start, end, dialect if plain else None)
    if per_page is not None:
        query = query.offset(first).limit(per_page)
    rows = rawsql.driver_rows(query)
    head = {"start": start, "end": end, "opening_cents": opening, "totals_cents": totals,
            "gross_cents": gross_sum, "commission_cents": commission_sum,
            "closing_cents": opening + sum(totals.values())}
    lots = {r.id: r for r in db.session.execute(
        select(Lot.id, Lot.code, Product.name_fr, Product.name_ar).join(Product, Product.id == Lot.product_id)
        .where(Lot.id.in_({x[8] for x in rows if x[8] is not None})))} if rows else {}
    places = {r.id: r for r in db.session.execute(select(Location.id, Location.name_fr, Location.name_ar))}
    # The figures as the Decimals of their texts with the column's scale (scaled_text), made
    # once per stored value and column: a year (the PDF) repeats a few hundred values.
    gross_of, rate_of, commission_of, qty_of = (({None: None}, places) for places in (2, 4, 2, 3))
    gross_known, rate_known, commission_known, qty_known = gross_of[0], rate_of[0], commission_of[0], qty_of[0]
    running = opening + before
    entries = []
    append = entries.append
    if plain:
        running = _plain_entries(rows, running, lots, places, append)
    for (eid, created, kind, amount, gross, rate, commission, qty, lot_id, location_id,
         doc_type, doc_id, reference, note, number) in (() if plain else rows):
        cents = int(amount.scaleb(2)) if amount.__class__ is Decimal else round(amount * 100)  # _cents
        running += cents
        lot, place = lots.get(lot_id), places.get(location_id)
        append({
            "id": eid, "created_at": created if created.__class__ is datetime else stored_datetime(created),
            "kind": kind, "amount": _from_cents(cents),
            "running_balance": _from_cents(running), "running_cents": running,
            "gross": gross_known[gross] if gross in gross_known else _scaled_decimal(gross, gross_of),
            "commission_rate": rate_known[rate] if rate in rate_known else _scaled_decimal(rate, rate_of),
            "commission": (commission_known[commission] if commission in commission_known
                           else _scaled_decimal(commission, commission_of)),
            "quantity": qty_known[qty] if qty in qty_known else _scaled_decimal(qty, qty_of), "lot_id": lot_id,
            "location_id": location_id, "document_type": doc_type, "document_id": doc_id,
            "reference": reference, "note": note, "lot_code": lot.code if lot else None,
            "product_fr": lot.name_fr if lot else None, "product_ar": lot.name_ar if lot else None,
            "location_fr": place.name_fr if place else None,
            "location_ar": place.name_ar if place else None, "receipt_number": number})
    return {
        "cooperative_id": cooperative_id, "from": date_from, "to": date_to,
        "start": head["start"], "end": head["end"],
        "opening_balance": _from_cents(head["opening_cents"]), "entries": entries,
        "totals": {k: _from_cents(v) for k, v in head["totals_cents"].items()},
        "gross": _from_cents(head["gross_cents"]), "commission": _from_cents(head["commission_cents"]),
        "closing_balance": _from_cents(head["closing_cents"]),
        "page": page, "per_page": per_page, "total_entries": count,
    }


def _plain_entries(rows, running, lots, places, append):
    """paged_statement(plain=True)'s entries of driver rows of statement_query(plain=dialect);
    the running balance in centimes after them. Figures: PostgreSQL's texts as they are,
    SQLite's REALs through scaled_text once per value and column."""
    formats = tuple(({}, places) for places in (2, 4, 2, 3))

    def text(value, memo):
        if value is None or value.__class__ is str:
            return value
        known, places_ = memo
        found = known.get(value) if value else None  # 0.0 and -0.0: one key, two texts
        if found is None:
            found = scaled_text(value, places_)
            if value:
                known[value] = found
        return found

    gross_of, rate_of, commission_of, qty_of = formats
    no_lot, no_place = (None, None, None), (None, None)
    lot_names = {i: (r.code, r.name_fr, r.name_ar) for i, r in lots.items()}
    place_names = {i: (r.name_fr, r.name_ar) for i, r in places.items()}
    for (eid, created, kind, cents, gross, rate, commission, qty, lot_id, location_id,
         doc_type, doc_id, reference, note, number) in rows:
        running += cents
        lot_code, product_fr, product_ar = lot_names.get(lot_id, no_lot)
        location_fr, location_ar = place_names.get(location_id, no_place)
        append({
            "id": eid, "created_at": created, "kind": kind, "amount_cents": cents, "running_cents": running,
            "gross": gross if gross.__class__ is str else text(gross, gross_of),
            "commission_rate": rate if rate.__class__ is str else text(rate, rate_of),
            "commission": commission if commission.__class__ is str else text(commission, commission_of),
            "quantity": qty if qty.__class__ is str else text(qty, qty_of), "lot_id": lot_id,
            "location_id": location_id, "document_type": doc_type, "document_id": doc_id,
            "reference": reference, "note": note, "lot_code": lot_code,
            "product_fr": product_fr, "product_ar": product_ar,
            "location_fr": location_fr, "location_ar": location_ar, "receipt_number": number})
    return running
