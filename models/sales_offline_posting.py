"""Posting a sale a till made offline (models/sales_offline.py: its devices and their
receipt-number blocks), when the connection returns: in order, each with its client reference
(idempotent), the device time it was sold at (`sold_at`) and its device number.

The server accepts what happened: commission rates in force at `sold_at`; when the shop's
book stock no longer covers a line (the goods physically left), the shortfall first comes from
the virtual UNRECONCILED location through the ledger and is recorded as an issue for the
operator to settle at the next count; a lot blocked or expired meanwhile still sells and is
flagged to the admin. Flushes, never commits.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import insert, select

from extensions import db
from models import clock
from models.consignment import CHANNEL_TILL
from models.consignment_posting import post_entries, sale_line_entry
from models.consignment_rates import commission_rates_for
from models.cooperatives import utcnow
from models.errors import DomainError, InsufficientStock, ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.sales import CashSession, Sale, SaleLine, SalePayment
from models.sales_client_refs import check_same_cart
from models.sales_offline import OfflineSale, OfflineSaleIssue, TillDevice, device_at, device_number
from models.stock import Location, Lot, StockBalance
from models.stock_blocks import current_blocks
from models.stock_codes import _lot_rows, _resolved

# How far a device clock may run ahead of the server's, and how old a queued sale may be.
CLOCK_SKEW = timedelta(minutes=10)
MAX_AGE = timedelta(days=14)
UNRECONCILED = "UNRECONCILED"


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
    from models.sales_posting import (_price_lines, _settle, checked_client_ref, find_sale, sale_rows,
                                      sale_summary)

    now = now or utcnow()
    client_ref = checked_client_ref(client_ref)
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
    sales = Sale.__table__
    sale_row, line_rows, payment_rows = sale_rows(
        location_id=location_id, location_code=location_code, cashier_id=cashier_id,
        session_id=session.id, client_ref=client_ref, created_at=facts.sold_at, priced=priced,
        payments=payments, totals=(subtotal, discount_total, total, paid, change), print_count=1)
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
