"""The sale service: one transaction moves the goods to the customer, writes the sale, its
lines and payments, numbers the receipt without gaps and owes each cooperative its share.

Built for the till at rush hour: a handful of statements per sale, Core inserts, no lazy
loads in loops. Flushes, never commits: the caller commits (and, on a unique-constraint race
over the client reference, rolls back and answers with the sale already recorded).
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from extensions import db
from models import rawsql
from models.stock_codes import Resolved, _check_sellable, resolve_code, shop_today
from models.books import chain_hash, sale_values
from models.consignment import CHANNEL_TILL
from models.consignment_posting import post_entries, sale_line_entry
from models.consignment_rates import commission_rates_for
from models.cooperatives import utcnow
from models.errors import DomainError, InsufficientStock, NotFound, ValidationFailed
from models.ledger import Move, post_movements
from models.sales_client_refs import check_same_cart
from models.sales import Sale, SaleLine, SalePayment
from models.sales_numbers import next_receipt
from models.stock import KIND_SHOP, Location
from models.types import money, quantity as round_quantity


@dataclass
class LineRequest:
    """A line as the till sends it: a lot id or a scanned code, a quantity, a discount in MAD."""

    quantity: Decimal
    lot_id: int | None = None
    barcode: str | None = None
    discount: Decimal = Decimal(0)


@dataclass
class PaymentRequest:
    """A payment: cash (the amount handed over), card or mobile money."""

    method: str
    amount: Decimal


@dataclass
class PricedLine:
    """A resolved line with its amounts, ready to write."""

    index: int
    item: Resolved
    quantity: Decimal
    discount: Decimal
    gross: Decimal
    total: Decimal
    rate: Decimal = Decimal(0)


def _decimal(value, name, index):
    """A finite Decimal or a 422 naming the line's field."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationFailed(_("Line %(n)s: %(field)s must be a number.", n=index + 1, field=name),
                               fields={"lines": {str(index): {name: [_("Not a number.")]}}})
    return number


LOTS_AT = ("SELECT l.id, l.code, l.product_id, p.name_fr, p.name_ar, p.uom, p.retail_price, "
           "l.best_before, b.quantity, l.cooperative_id, p.category, c.name_fr, c.name_ar "
           "FROM lots l JOIN products p ON p.id = l.product_id "
           "JOIN cooperatives c ON c.id = l.cooperative_id "
           "LEFT OUTER JOIN stock_balances b ON b.lot_id = l.id AND b.location_id = :loc WHERE ")


def _lots_at(location_id, ids, codes):
    """Resolved lots by id or code with their stock here: the columns of
    models.stock_codes._lot_rows in one statement on the driver (models.rawsql)."""
    where, params = [], {"loc": location_id}
    if ids:
        sql, values = rawsql.in_list("id", sorted(ids))
        where.append(f"l.id IN ({sql})")
        params.update(values)
    if codes:
        sql, values = rawsql.in_list("code", sorted(codes))
        where.append(f"l.code IN ({sql})")
        params.update(values)
    return [Resolved(r[0], r[1], r[2], r[3], r[4], r[5], rawsql.dec(r[6], 2), rawsql.day(r[7]),
                     rawsql.dec(r[8], 3) if r[8] is not None else Decimal(0), r[9], r[10],
                     r[11] or "", r[12] or "")
            for r in rawsql.execute(LOTS_AT + " OR ".join(where), params).fetchall()]


def _resolve_lines(location_id, lines, today):
    """Each request line's lot at this shop, by id or scanned code (lot codes in one query)."""
    ids = {ln.lot_id for ln in lines if ln.lot_id is not None}
    codes = {ln.barcode.strip() for ln in lines if ln.lot_id is None and ln.barcode}
    found_ids, found_codes = {}, {}
    if ids or codes:
        for item in _lots_at(location_id, ids, codes):
            found_ids[item.lot_id] = found_codes[item.lot_code] = item
    resolved = []
    for i, ln in enumerate(lines):
        try:
            if ln.lot_id is not None:
                item = found_ids.get(ln.lot_id)
                if item is None:
                    raise ValidationFailed(_("Line %(n)s: unknown lot.", n=i + 1), code="unknown_lot",
                                           fields={"lines": {str(i): {"lot_id": [_("Unknown lot.")]}}})
                if item.best_before is not None and item.best_before < today:
                    _check_sellable(item, today)
            elif ln.barcode and ln.barcode.strip() in found_codes:
                item = found_codes[ln.barcode.strip()]
                if item.best_before is not None and item.best_before < today:
                    _check_sellable(item, today)
            elif ln.barcode:
                item = resolve_code(location_id, ln.barcode, today)
            else:
                raise ValidationFailed(_("Line %(n)s: give a lot_id or a barcode.", n=i + 1),
                                       fields={"lines": {str(i): {"lot_id": [_("Required.")]}}})
        except DomainError as exc:
            if isinstance(exc, ValidationFailed):
                raise
            status = 422 if isinstance(exc, NotFound) else exc.status
            raise DomainError(_("Line %(n)s: %(message)s", n=i + 1, message=exc.message),
                              code=exc.code, status=status, fields={"line": i, **exc.fields})
        resolved.append(item)
    return resolved


def _price_lines(lines, items, max_discount_rate):
    """Amounts per line: gross = quantity × retail price, total = gross − discount (bounded)."""
    priced = []
    for i, (ln, item) in enumerate(zip(lines, items)):
        qty = _decimal(ln.quantity, "quantity", i)
        discount = _decimal(ln.discount if ln.discount is not None else 0, "discount", i)
        if qty <= 0:
            raise ValidationFailed(_("Line %(n)s: the quantity must be positive.", n=i + 1),
                                   fields={"lines": {str(i): {"quantity": [_("Must be positive.")]}}})
        if item.uom == "pc" and qty != qty.to_integral_value():
            raise ValidationFailed(_("Line %(n)s: pieces are sold whole.", n=i + 1),
                                   fields={"lines": {str(i): {"quantity": [_("A whole number.")]}}})
        if item.unit_price is None:
            raise DomainError(_("Line %(n)s: %(product)s has no retail price and cannot be sold.",
                                n=i + 1, product=item.name_fr), code="no_price",
                              fields={"line": i, "product_id": item.product_id}, status=409)
        qty = round_quantity(qty)
        gross = money(qty * item.unit_price)
        discount = money(discount)
        limit = money(gross * Decimal(max_discount_rate))
        if discount < 0 or discount > limit:
            raise ValidationFailed(
                _("Line %(n)s: the discount must be between 0 and %(limit)s MAD.", n=i + 1, limit=limit),
                code="discount_limit", fields={"lines": {str(i): {"discount": [str(limit)]}}})
        priced.append(PricedLine(i, item, qty, discount, gross, gross - discount))
    return priced


def frozen_rates(pairs):
    """Commission rates in force now for (cooperative, category) pairs: frozen on the sale's
    consignment entries (the rule itself is models.consignment_rates.pick_rate; a till sale takes
    the till channel's rules)."""
    return commission_rates_for(pairs, channel=CHANNEL_TILL)


def _settle(total, payments):
    """Check the payments against the total; returns (paid, change) or a 422."""
    cash = sum((money(p.amount) for p in payments if p.method == "cash"), Decimal(0))
    other = sum((money(p.amount) for p in payments if p.method != "cash"), Decimal(0))
    for i, p in enumerate(payments):
        if money(p.amount) <= 0:
            raise ValidationFailed(_("Payment amounts must be positive."), code="bad_payment",
                                   fields={"payments": {str(i): {"amount": [_("Must be positive.")]}}})
    if other > total:
        raise ValidationFailed(_("Card and mobile payments cannot exceed the total (%(total)s MAD).",
                                 total=total), code="overpaid_noncash",
                               fields={"payments": [_("Only cash gives change.")]})
    if cash + other < total:
        raise ValidationFailed(_("Payments (%(paid)s MAD) are short of the total (%(total)s MAD).",
                                 paid=cash + other, total=total), code="payments_short",
                               fields={"payments": [str(total - cash - other)]})
    return cash + other, cash + other - total


def checked_client_ref(client_ref):
    """The till's reference of a sale, stripped: 1 to 64 characters, or 422."""
    client_ref = (client_ref or "").strip()
    if not client_ref or len(client_ref) > 64:
        raise ValidationFailed(_("A client reference (1 to 64 characters) is required."),
                               fields={"client_ref": [_("Required.")]})
    return client_ref


def find_sale(location_id, client_ref):
    """The id of the sale already posted with this client reference at this shop, or None."""
    row = rawsql.execute("SELECT id FROM sales WHERE location_id = :loc AND client_ref = :ref",
                         {"loc": location_id, "ref": client_ref}).fetchone()
    return row[0] if row else None


@dataclass
class TillContext:
    """What a sale needs of its shop and till."""

    code: str
    session_id: int
    customers_id: int


TILL_CONTEXT = (
    "SELECT l.code, s.id, (SELECT id FROM locations WHERE code = 'CUSTOMERS') "
    "FROM locations l JOIN cash_sessions s ON s.location_id = l.id "
    "WHERE l.id = :loc AND l.kind = :kind AND s.cashier_id = :user AND s.closed_at IS NULL")


def till_context(location_id, user_id):
    """(location code, open cash session id, CUSTOMERS id) in one round trip, or None when
    this user has no open till at this shop.

    The session row is locked FOR KEY SHARE: sales do not block each other, but a close
    (FOR UPDATE) waits for them, and a sale waiting on a close sees it closed.
    """
    _raw, dialect = rawsql.connection()
    sql = TILL_CONTEXT + (" FOR KEY SHARE OF s" if dialect == "postgresql" else "")
    row = rawsql.execute(sql, {"loc": location_id, "kind": KIND_SHOP, "user": user_id}).fetchone()
    return TillContext(*row) if row else None


def post_sale(*, location_id, user_id, client_ref, lines, payments, max_discount_rate,
              today=None, at=None):
    """Post a sale; returns (summary, created) with the summary as `sale_summary` gives it. A
    client reference already posted at this shop with the same cart returns that sale with
    created=False, writing nothing; with a different cart, 409 `client_ref_conflict`.

    Raises ValidationFailed (422: bad line, discount over the limit, payments short or card
    over the total), DomainError 409 (no open cash session, not enough stock naming the line,
    expired lot, product without price), NotFound (not a shop).
    """
    client_ref = checked_client_ref(client_ref)
    existing = find_sale(location_id, client_ref)
    if existing is not None:
        check_same_cart(existing, lines, client_ref)
        return sale_summary(existing), False
    if not lines:
        raise ValidationFailed(_("A sale needs at least one line."), code="empty_sale",
                               fields={"lines": [_("Required.")]})
    ctx = till_context(location_id, user_id)
    if ctx is None:
        kind = db.session.execute(select(Location.kind).where(Location.id == location_id)).scalar()
        if kind != KIND_SHOP:
            raise NotFound(_("No such shop."), code="unknown_shop")
        raise DomainError(_("Open the till (a cash session) at this shop before selling."),
                          code="no_open_session")
    today = today or shop_today()
    items = _resolve_lines(location_id, lines, today)
    priced = _price_lines(lines, items, max_discount_rate)
    subtotal = sum((p.gross for p in priced), Decimal(0))
    discount_total = sum((p.discount for p in priced), Decimal(0))
    total = subtotal - discount_total
    paid, change = _settle(total, payments)
    rates = frozen_rates({(p.item.cooperative_id, p.item.category) for p in priced})
    for p in priced:
        p.rate = rates[(p.item.cooperative_id, p.item.category)]

    now = at or utcnow()
    sale_row, line_rows, payment_rows = sale_rows(
        location_id=location_id, location_code=ctx.code, cashier_id=user_id,
        session_id=ctx.session_id, client_ref=client_ref, created_at=now, priced=priced,
        payments=payments, totals=(subtotal, discount_total, total, paid, change), print_count=0)
    number = sale_row["number"]
    # PostgreSQL: the writes below go out in pipeline mode (models.rawsql.pipeline): one
    # round trip per read that is needed (ids, locked rows), not one per statement.
    with rawsql.pipeline():
        sale_id, line_ids = _write_sale(sale_row, line_rows, payment_rows, priced, location_id,
                                        ctx, user_id, now)
    return {
        "id": sale_id, "number": number, "location_id": location_id,
        "cash_session_id": ctx.session_id, "client_ref": client_ref, "created_at": now,
        "subtotal": subtotal, "discount_total": discount_total, "total": total, "paid": paid,
        "change": change, "print_count": 0,
        "lines": [{"id": line_id, "lot_id": p.item.lot_id, "product_id": p.item.product_id,
                   "quantity": p.quantity, "unit_price": p.item.unit_price,
                   "discount": p.discount, "total": p.total, "commission_rate": p.rate,
                   "refunded_quantity": Decimal(0)} for p, line_id in zip(priced, line_ids)],
        "payments": [{"method": p.method, "amount": money(p.amount)} for p in payments],
    }, True


def sale_rows(*, location_id, location_code, cashier_id, session_id, client_ref, created_at,
              priced, payments, totals, print_count):
    """The rows of a sale as both tills write them — the sale (its receipt number taken from
    the shop's counter and its chain hash over the previous sale's), its lines at their frozen
    rates, its payments: (sale_row, line_rows, payment_rows). `totals` is (subtotal,
    discount_total, total, paid, change)."""
    subtotal, discount_total, total, paid, change = totals
    seq, number, previous = next_receipt(location_id, location_code)
    sale_row = {
        "location_id": location_id, "cashier_id": cashier_id, "cash_session_id": session_id,
        "client_ref": client_ref, "seq": seq, "number": number, "created_at": created_at,
        "subtotal": subtotal, "discount_total": discount_total, "total": total, "paid": paid,
        "change": change, "print_count": print_count}
    line_rows = [{"lot_id": p.item.lot_id, "product_id": p.item.product_id,
                  "cooperative_id": p.item.cooperative_id, "quantity": p.quantity,
                  "unit_price": p.item.unit_price, "discount": p.discount, "total": p.total,
                  "commission_rate": p.rate} for p in priced]
    payment_rows = [{"method": p.method, "amount": money(p.amount)} for p in payments]
    sale_row["chain_hash"] = chain_hash(previous, sale_values(sale_row, line_rows, payment_rows))
    return sale_row, line_rows, payment_rows


def _write_sale(sale_row, line_rows, payment_rows, priced, location_id, ctx, user_id, now):
    """Write the sale, move its goods, write its lines and payments and owe each cooperative
    its share; returns (sale id, the lines' ids in order)."""
    sale_id = rawsql.insert("sales", [sale_row], returning="id")[0]
    try:
        post_movements([Move(p.item.lot_id, p.quantity, location_id, ctx.customers_id)
                        for p in priced], kind="sale", user_id=user_id, document_type="sale",
                       document_id=sale_id, at=now)
    except InsufficientStock as exc:
        line = next(p for p in priced if p.item.lot_id == exc.lot_id)
        raise DomainError(
            _("Line %(n)s (%(product)s, lot %(lot)s): not enough stock here, %(available)s left.",
              n=line.index + 1, product=line.item.name_fr, lot=exc.lot_code,
              available=exc.available.normalize()),
            code="insufficient_stock", fields={"line": line.index, **exc.fields})
    # One multi-row INSERT per table (models.rawsql), the lines' ids back in order.
    line_ids = rawsql.insert("sale_lines", [
        {"sale_id": sale_id, **row, "refunded_quantity": Decimal(0), "refunded_amount": Decimal(0)}
        for row in line_rows], returning="id")
    if payment_rows:
        rawsql.insert("sale_payments", [{"sale_id": sale_id, **row} for row in payment_rows])
    # One call for every line: the cooperatives' running balances are locked in id order.
    post_entries([sale_line_entry(cooperative_id=p.item.cooperative_id, category=p.item.category,
                                  gross=p.total, lot_id=p.item.lot_id, quantity=p.quantity,
                                  location_id=location_id, document_type="sale", document_id=sale_id,
                                  user_id=user_id, at=now, rate=p.rate) for p in priced])
    return sale_id, line_ids


def sale_summary(sale_id):
    """The API's view of a sale: id, number, totals, change, lines and payments (3 queries)."""
    sale = db.session.execute(select(Sale.__table__).where(Sale.id == sale_id)).mappings().first()
    if sale is None:
        raise NotFound(_("No such sale."))
    lines = db.session.execute(select(SaleLine.__table__).where(SaleLine.sale_id == sale_id)
                               .order_by(SaleLine.id)).mappings().all()
    payments = db.session.execute(select(SalePayment.method, SalePayment.amount)
                                  .where(SalePayment.sale_id == sale_id)
                                  .order_by(SalePayment.id)).mappings().all()
    return {**sale, "lines": [dict(x) for x in lines], "payments": [dict(p) for p in payments]}


def mark_printed(sale_id):
    """Count a print of the receipt; returns True when it is a copy (printed before)."""
    table = Sale.__table__
    row = db.session.execute(update(table).where(table.c.id == sale_id)
                             .values(print_count=table.c.print_count + 1)
                             .returning(table.c.print_count)).first()
    if row is None:
        raise NotFound(_("No such sale."))
    return row.print_count > 1


def sales_of_session(session_id):
    """Count and totals of a cash session's sales."""
    return db.session.execute(select(
        func.count(Sale.id), func.coalesce(func.sum(Sale.subtotal), 0),
        func.coalesce(func.sum(Sale.discount_total), 0), func.coalesce(func.sum(Sale.total), 0),
        func.coalesce(func.sum(Sale.change), 0)).where(Sale.cash_session_id == session_id)).one()
