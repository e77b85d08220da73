"""The till that keeps selling offline: devices, their receipt-number blocks, the local
catalogue they carry, and the posting of a sale made while the server was out of reach.

A till device (a browser on a tablet or phone, `AIR-T2`) registers while online, binds itself
to the cashier's open cash session and reserves a block of receipt numbers. Offline, it
numbers its sales from that block (AIR-T2-000123, gapless per device) and queues them; when
the connection returns it posts them in order, each with its client reference (idempotent),
the device time it was sold at (`sold_at`) and its device number.

The server accepts what happened: commission rates in force at `sold_at`; when the shop's
book stock no longer covers a line (the goods physically left), the shortfall first comes from
the virtual UNRECONCILED location through the ledger, is recorded here, and is listed for the
operator to settle at the next count; a lot blocked or expired meanwhile still sells and is
flagged to the admin. Flushes, never commits.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from extensions import db
from models import clock
from models.books import chain_hash, sale_values
from models.catalogue import Product
from models.consignment import CHANNEL_TILL, commission_rates_for, post_entries, sale_line_entry
from models.cooperatives import utcnow
from models.errors import DomainError, InsufficientStock, NotFound, ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.sales import CashSession, Sale, SaleLine, SalePayment
from models.sales_client_refs import check_same_cart
from models.stock import KIND_SHOP, Location, Lot, StockBalance
from models.stock_blocks import blocked_message, current_blocks
from models.stock_codes import _lot_rows, _resolved
from models.types import money

# How far a device clock may run ahead of the server's, and how old a queued sale may be.
CLOCK_SKEW = timedelta(minutes=10)
MAX_AGE = timedelta(days=14)
BLOCK_SIZE = 50
UNRECONCILED = "UNRECONCILED"


class TillDevice(db.Model):
    """A browser that sells at one shop: its short code (T1, T2…), the cash session it sells
    into, how many sales it last said were waiting, and its reserved receipt numbers."""

    __tablename__ = "till_devices"

    id = db.Column(db.Integer, primary_key=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    code = db.Column(db.String(8), nullable=False)
    cash_session_id = db.Column(db.Integer, db.ForeignKey("cash_sessions.id"))
    queued_count = db.Column(db.Integer, nullable=False, default=0)
    reserved_through = db.Column(db.Integer, nullable=False, default=0)
    created_by = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_seen_at = db.Column(db.DateTime)

    location = db.relationship("Location")

    __table_args__ = (db.UniqueConstraint("location_id", "code", name="uq_till_devices_code"),)


class DeviceReceiptBlock(db.Model):
    """A block of receipt numbers reserved by a device while online: [first, last]."""

    __tablename__ = "device_receipt_blocks"

    id = db.Column(db.Integer, primary_key=True)
    device_id = db.Column(db.Integer, db.ForeignKey("till_devices.id"), nullable=False, index=True)
    first = db.Column(db.Integer, nullable=False)
    last = db.Column(db.Integer, nullable=False)
    reserved_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))


class OfflineSale(db.Model):
    """A sale made offline: the device, its device receipt number, when it was sold and when
    it reached the server."""

    __tablename__ = "offline_sales"

    sale_id = db.Column(db.Integer, db.ForeignKey("sales.id"), primary_key=True)
    device_id = db.Column(db.Integer, db.ForeignKey("till_devices.id"), nullable=False)
    device_seq = db.Column(db.Integer, nullable=False)
    device_number = db.Column(db.String(32), nullable=False)
    sold_at = db.Column(db.DateTime, nullable=False)
    synced_at = db.Column(db.DateTime, nullable=False)

    __table_args__ = (db.UniqueConstraint("device_id", "device_seq", name="uq_offline_sales_device_seq"),)


class OfflineSaleIssue(db.Model):
    """Something an offline sale left to settle: a stock shortfall (taken from UNRECONCILED),
    or a lot blocked or expired by the time it synced (flagged to the admin)."""

    __tablename__ = "offline_sale_issues"

    id = db.Column(db.Integer, primary_key=True)
    sale_id = db.Column(db.Integer, db.ForeignKey("sales.id"), nullable=False, index=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False)
    kind = db.Column(db.String(16), nullable=False)  # shortfall | lot_blocked | lot_expired
    quantity = db.Column(db.Numeric(14, 3))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    settled_at = db.Column(db.DateTime)

    __table_args__ = (db.CheckConstraint("kind IN ('shortfall', 'lot_blocked', 'lot_expired')",
                                         name="kind"),)


# ---- devices and receipt blocks ------------------------------------------------------------

def receipt_prefix_of(location_code):
    """The shop's receipt prefix (AIR for SHOP-AIRPORT), as the shop's own receipts use."""
    from models.sales_posting import receipt_prefix

    return receipt_prefix(location_code)


def device_number(location_code, device_code, seq):
    """AIR-T2-000123."""
    return f"{receipt_prefix_of(location_code)}-{device_code}-{seq:06d}"


def register_device(location_id, user_id):
    """A new device at a shop, coded T1, T2… in order."""
    kind = db.session.execute(select(Location.kind).where(Location.id == location_id)).scalar()
    if kind != KIND_SHOP:
        raise NotFound(_("No such shop."), code="unknown_shop")
    count = db.session.execute(select(func.count(TillDevice.id))
                               .where(TillDevice.location_id == location_id)).scalar()
    device = TillDevice(location_id=location_id, code=f"T{count + 1}", created_by=user_id,
                        last_seen_at=utcnow())
    db.session.add(device)
    db.session.flush()
    return device


def device_at(device_id, location_id=None, lock=False):
    """The device (404 when unknown or of another shop)."""
    query = select(TillDevice).where(TillDevice.id == device_id)
    if lock:
        query = query.with_for_update()
    device = db.session.execute(query).scalar()
    if device is None or (location_id is not None and device.location_id != location_id):
        raise NotFound(_("This till device is not registered at this shop."), code="unknown_device")
    return device


def report_status(device, cash_session_id, queued):
    """The device says which session it sells into and how many sales wait on it."""
    if cash_session_id is not None:
        session = db.session.get(CashSession, cash_session_id)
        if session is None or session.location_id != device.location_id:
            raise ValidationFailed(_("Unknown cash session."), code="unknown_session",
                                   fields={"cash_session_id": [_("Unknown cash session.")]})
        device.cash_session_id = cash_session_id
    device.queued_count = max(0, int(queued or 0))
    device.last_seen_at = utcnow()
    db.session.flush()


def reserve_block(device_id, user_id, size=BLOCK_SIZE):
    """Reserve the device's next `size` receipt numbers: (first, last). The device row is
    locked, so two reservations never overlap; numbers follow on from the last block."""
    device = device_at(device_id, lock=True)
    first = device.reserved_through + 1
    last = first + size - 1
    device.reserved_through = last
    db.session.add(DeviceReceiptBlock(device_id=device.id, first=first, last=last, user_id=user_id))
    db.session.flush()
    return first, last


def queued_on_session(session_id):
    """[(device code, sales waiting)] of the devices selling into this session."""
    return db.session.execute(
        select(TillDevice.code, TillDevice.queued_count)
        .where(TillDevice.cash_session_id == session_id, TillDevice.queued_count > 0)
        .order_by(TillDevice.code)).all()


# ---- the local catalogue -----------------------------------------------------------------

def catalogue(location_id, today=None):
    """What the till carries to sell offline: every lot on hand at the shop (blocked and
    expired ones too, flagged, so a scan refuses them the way the server does), the products
    with a GTIN, and the codes of every other lot (a scan of one says "nothing left here")."""
    today = today or clock.today()
    rows = db.session.execute(_lot_rows(location_id).add_columns(Product.gtin)
                              .where(StockBalance.quantity > 0)
                              .order_by(Lot.best_before.is_(None), Lot.best_before, Lot.id)).all()
    blocks = current_blocks({r.id for r in rows})
    lots = []
    for row in rows:
        item = _resolved(row).as_json()
        block = blocks.get(row.id)
        item.update({"gtin": row.gtin, "category": row.category,
                     "blocked": block is not None,
                     "blocked_message": blocked_message(row.code, block) if block else None})
        lots.append(item)
    here = {r.id for r in rows}
    others = [code for lot_id, code in db.session.execute(select(Lot.id, Lot.code).order_by(Lot.id))
              if lot_id not in here]
    products = [{"product_id": p.id, "gtin": p.gtin, "name_fr": p.name_fr, "name_ar": p.name_ar}
                for p in db.session.execute(select(Product.id, Product.gtin, Product.name_fr,
                                                   Product.name_ar).where(Product.gtin.is_not(None)))]
    return {"location_id": location_id, "today": today.isoformat(),
            "generated_at": utcnow().isoformat() + "Z", "lots": lots, "products": products,
            "other_lot_codes": others}


# ---- posting a sale made offline ---------------------------------------------------------

@dataclass
class OfflineFacts:
    """What an offline sale carries beyond an ordinary one."""

    device_id: int
    device_seq: int
    cash_session_id: int
    sold_at: object  # naive UTC datetime


def check_sold_at(sold_at, now):
    """The device time of a sale, within limits of the server clock (422 otherwise)."""
    if sold_at > now + CLOCK_SKEW:
        raise ValidationFailed(_("The sale's time is ahead of the server clock: check the "
                                 "device's date and time."), code="sold_at_future",
                               fields={"sold_at": [_("In the future.")]})
    if sold_at < now - MAX_AGE:
        raise ValidationFailed(_("The sale is older than %(days)s days: record it by hand.",
                                 days=MAX_AGE.days), code="sold_at_too_old",
                               fields={"sold_at": [_("Too old.")]})


def _offline_session(location_id, session_id):
    """The cash session the device sold into (open or closed since), at this shop."""
    session = db.session.execute(
        select(CashSession).where(CashSession.id == session_id)
        .with_for_update(read=True, key_share=True)).scalar()
    if session is None or session.location_id != location_id:
        raise ValidationFailed(_("Unknown cash session."), code="unknown_session",
                               fields={"cash_session_id": [_("Unknown cash session.")]})
    return session


def _offline_items(location_id, lines):
    """Each line's lot at this shop, by id (an offline till always names the lot)."""
    ids = {ln.lot_id for ln in lines}
    found = {r.id: _resolved(r) for r in db.session.execute(
        _lot_rows(location_id).where(Lot.id.in_(ids or {0})))}
    items = []
    for i, ln in enumerate(lines):
        if ln.lot_id not in found:
            raise ValidationFailed(_("Line %(n)s: unknown lot.", n=i + 1), code="unknown_lot",
                                   fields={"lines": {str(i): {"lot_id": [_("Unknown lot.")]}}})
        items.append(found[ln.lot_id])
    return items


def _issues_of(priced, today, server_today):
    """(lot_id, kind) of lines whose lot is blocked now, or expired by now."""
    blocks = current_blocks({p.item.lot_id for p in priced})
    issues = []
    for p in priced:
        if p.item.lot_id in blocks:
            issues.append((p.item.lot_id, "lot_blocked"))
        elif p.item.best_before is not None and p.item.best_before < max(today, server_today):
            issues.append((p.item.lot_id, "lot_expired"))
    return list(dict.fromkeys(issues))


def _post_stock(priced, location_id, customers_id, sale_id, user_id, now):
    """Move the goods to the customer; a shortfall at the shop comes first from UNRECONCILED.
    Retried on a race (another sale took the stock between the read and the lock)."""
    unreconciled_id = virtual_location(UNRECONCILED).id
    wanted = {}
    for p in priced:
        wanted[p.item.lot_id] = wanted.get(p.item.lot_id, Decimal(0)) + p.quantity
    for attempt in range(3):
        on_hand = dict(db.session.execute(
            select(StockBalance.lot_id, StockBalance.quantity)
            .where(StockBalance.location_id == location_id, StockBalance.lot_id.in_(wanted))).all())
        shortfalls = {lot: qty - max(on_hand.get(lot) or Decimal(0), Decimal(0))
                      for lot, qty in wanted.items()
                      if qty > max(on_hand.get(lot) or Decimal(0), Decimal(0))}
        savepoint = db.session.begin_nested()
        try:
            if shortfalls:
                post_movements([Move(lot, qty, unreconciled_id, location_id)
                                for lot, qty in sorted(shortfalls.items())],
                               kind="offline_shortfall", user_id=user_id, document_type="sale",
                               document_id=sale_id, at=now, allow_held=True)
            post_movements([Move(p.item.lot_id, p.quantity, location_id, customers_id)
                            for p in priced], kind="sale", user_id=user_id,
                           document_type="sale", document_id=sale_id, at=now, allow_held=True)
            savepoint.commit()
            return shortfalls
        except InsufficientStock:
            savepoint.rollback()
            if attempt == 2:
                raise
    return {}


def post_offline_sale(*, location_id, user_id, client_ref, lines, payments, max_discount_rate,
                      facts, now=None):
    """Record a sale made offline; returns (summary, created) like `post_sale`. The same
    client reference with the same cart answers the sale already recorded (created=False).

    Refuses for good (the till lists it under "needs attention"): a malformed line or
    payments (422), an unknown device, session or lot, a device number never reserved or
    already used by another sale (409), a device time out of limits (422). Never refuses for
    stock, a block or an expiry: those are recorded and flagged.
    """
    from models.sales_posting import _price_lines, _settle, find_sale, next_receipt, sale_summary

    now = now or utcnow()
    client_ref = (client_ref or "").strip()
    if not client_ref or len(client_ref) > 64:
        raise ValidationFailed(_("A client reference (1 to 64 characters) is required."),
                               fields={"client_ref": [_("Required.")]})
    existing = find_sale(location_id, client_ref)
    if existing is not None:
        check_same_cart(existing, lines, client_ref)
        _keep_device_number(existing, location_id, facts, now)
        return offline_summary(sale_summary(existing)), False
    if not lines:
        raise ValidationFailed(_("A sale needs at least one line."), code="empty_sale",
                               fields={"lines": [_("Required.")]})
    device = device_at(facts.device_id, location_id)
    if not 1 <= facts.device_seq <= device.reserved_through:
        raise DomainError(_("Receipt number %(n)s was never reserved by this device.",
                            n=facts.device_seq), code="number_not_reserved", status=409,
                          fields={"device_seq": [_("Not reserved.")]})
    used = db.session.execute(select(OfflineSale.sale_id).where(
        OfflineSale.device_id == device.id, OfflineSale.device_seq == facts.device_seq)).scalar()
    if used is not None:
        raise DomainError(_("Receipt number %(n)s of this device is already used by another sale.",
                            n=facts.device_seq), code="device_number_used", status=409,
                          fields={"sale_id": used})
    check_sold_at(facts.sold_at, now)
    session = _offline_session(location_id, facts.cash_session_id)
    location_code = db.session.execute(select(Location.code).where(Location.id == location_id)).scalar()
    customers_id = virtual_location("CUSTOMERS").id
    today = clock.local_day(facts.sold_at)
    items = _offline_items(location_id, lines)
    priced = _price_lines(lines, items, max_discount_rate)
    subtotal = sum((p.gross for p in priced), Decimal(0))
    discount_total = sum((p.discount for p in priced), Decimal(0))
    total = subtotal - discount_total
    paid, change = _settle(total, payments)
    rates = commission_rates_for({(p.item.cooperative_id, p.item.category) for p in priced},
                                 as_of=today, channel=CHANNEL_TILL)
    for p in priced:
        p.rate = rates[(p.item.cooperative_id, p.item.category)]

    cashier_id = session.cashier_id
    seq, number, previous = next_receipt(location_id, location_code)
    sales = Sale.__table__
    sale_row = {
        "location_id": location_id, "cashier_id": cashier_id, "cash_session_id": session.id,
        "client_ref": client_ref, "seq": seq, "number": number, "created_at": facts.sold_at,
        "subtotal": subtotal, "discount_total": discount_total, "total": total, "paid": paid,
        "change": change, "print_count": 1}
    line_rows = [{"lot_id": p.item.lot_id, "product_id": p.item.product_id,
                  "cooperative_id": p.item.cooperative_id, "quantity": p.quantity,
                  "unit_price": p.item.unit_price, "discount": p.discount, "total": p.total,
                  "commission_rate": p.rate} for p in priced]
    payment_rows = [{"method": p.method, "amount": money(p.amount)} for p in payments]
    sale_row["chain_hash"] = chain_hash(previous, sale_values(sale_row, line_rows, payment_rows))
    sale_id = db.session.execute(insert(sales).returning(sales.c.id), sale_row).scalar_one()
    shortfalls = _post_stock(priced, location_id, customers_id, sale_id, user_id, now)
    line_table = SaleLine.__table__
    db.session.execute(insert(line_table), [
        {"sale_id": sale_id, **row, "refunded_quantity": Decimal(0), "refunded_amount": Decimal(0)}
        for row in line_rows])
    db.session.execute(insert(SalePayment.__table__), [{"sale_id": sale_id, **row} for row in payment_rows])
    post_entries([sale_line_entry(cooperative_id=p.item.cooperative_id, category=p.item.category,
                                  gross=p.total, lot_id=p.item.lot_id, quantity=p.quantity,
                                  location_id=location_id, document_type="sale", document_id=sale_id,
                                  user_id=cashier_id, at=facts.sold_at, rate=p.rate) for p in priced])
    db.session.execute(insert(OfflineSale.__table__), {
        "sale_id": sale_id, "device_id": device.id, "device_seq": facts.device_seq,
        "device_number": device_number(location_code, device.code, facts.device_seq),
        "sold_at": facts.sold_at, "synced_at": now})
    issues = [{"sale_id": sale_id, "location_id": location_id, "lot_id": lot, "kind": "shortfall",
               "quantity": qty, "created_at": now} for lot, qty in sorted(shortfalls.items())]
    issues += [{"sale_id": sale_id, "location_id": location_id, "lot_id": lot, "kind": kind,
                "quantity": None, "created_at": now}
               for lot, kind in _issues_of(priced, today, clock.today())]
    if issues:
        db.session.execute(insert(OfflineSaleIssue.__table__), issues)
    return offline_summary(sale_summary(sale_id)), True


def _keep_device_number(sale_id, location_id, facts, now):
    """The till posted a sale online, lost the answer, and kept it offline under a device
    number: the server had recorded it. Link that number to the sale, so the device's
    numbers stay gapless (nothing when the sale already has one, or the number is not free)."""
    if db.session.get(OfflineSale, sale_id) is not None:
        return
    device = db.session.get(TillDevice, facts.device_id)
    if device is None or device.location_id != location_id \
            or not 1 <= facts.device_seq <= device.reserved_through:
        return
    taken = db.session.execute(select(OfflineSale.sale_id).where(
        OfflineSale.device_id == device.id, OfflineSale.device_seq == facts.device_seq)).scalar()
    if taken is not None:
        return
    code = db.session.execute(select(Location.code).where(Location.id == location_id)).scalar()
    db.session.execute(insert(OfflineSale.__table__), {
        "sale_id": sale_id, "device_id": device.id, "device_seq": facts.device_seq,
        "device_number": device_number(code, device.code, facts.device_seq),
        "sold_at": facts.sold_at, "synced_at": now})


def offline_summary(summary):
    """A sale's summary with its device number and flags, when it was made offline."""
    row = db.session.execute(select(OfflineSale.device_number, OfflineSale.sold_at,
                                    OfflineSale.synced_at)
                             .where(OfflineSale.sale_id == summary["id"])).first()
    kinds = db.session.execute(select(OfflineSaleIssue.kind)
                               .where(OfflineSaleIssue.sale_id == summary["id"])).scalars().all()
    summary = dict(summary)
    summary.update({"device_number": row.device_number if row else None,
                    "sold_at": row.sold_at if row else None,
                    "issues": sorted(set(kinds))})
    return summary


# ---- what is left to settle, and the Z report's late sales ---------------------------------

def open_issues(location_ids=None):
    """The offline sales' unsettled issues, newest first, with lot, product and shop names."""
    query = (select(OfflineSaleIssue.id, OfflineSaleIssue.kind, OfflineSaleIssue.quantity,
                    OfflineSaleIssue.created_at, OfflineSaleIssue.sale_id, Sale.number,
                    OfflineSale.device_number, Lot.code.label("lot_code"),
                    Product.name_fr, Product.name_ar, Location.name_fr.label("shop_fr"),
                    Location.name_ar.label("shop_ar"))
             .join(Sale, Sale.id == OfflineSaleIssue.sale_id)
             .outerjoin(OfflineSale, OfflineSale.sale_id == Sale.id)
             .join(Lot, Lot.id == OfflineSaleIssue.lot_id)
             .join(Product, Product.id == Lot.product_id)
             .join(Location, Location.id == OfflineSaleIssue.location_id)
             .where(OfflineSaleIssue.settled_at.is_(None))
             .order_by(OfflineSaleIssue.id.desc()))
    if location_ids is not None:
        query = query.where(OfflineSaleIssue.location_id.in_(location_ids or {0}))
    return db.session.execute(query.limit(500)).all()


def settle_issue(issue_id):
    """Mark an issue settled (the count has been made, or the admin has dealt with the lot)."""
    row = db.session.execute(update(OfflineSaleIssue.__table__)
                             .where(OfflineSaleIssue.id == issue_id,
                                    OfflineSaleIssue.settled_at.is_(None))
                             .values(settled_at=utcnow())
                             .returning(OfflineSaleIssue.location_id)).first()
    if row is None:
        raise NotFound(_("Nothing to settle."), code="unknown_issue")
    return row.location_id


def late_sales(session):
    """The offline sales of a session: count and total, and those synced after it closed."""
    base = (select(func.count(Sale.id), func.coalesce(func.sum(Sale.total), 0))
            .join(OfflineSale, OfflineSale.sale_id == Sale.id)
            .where(Sale.cash_session_id == session.id))
    count, total = db.session.execute(base).one()
    after = (0, Decimal(0))
    if session.closed_at is not None:
        after = db.session.execute(base.where(OfflineSale.synced_at > session.closed_at)).one()
    return {"offline_count": count, "offline_total": money(total),
            "synced_after_close_count": after[0], "synced_after_close_total": money(after[1])}
