"""The till that keeps selling offline: devices, their receipt-number blocks, the local
catalogue they carry, and what offline sales left to settle; the posting of a sale made while
the server was out of reach is models/sales_offline_posting.py.

A till device (a browser on a tablet or phone, `AIR-T2`) registers while online, binds itself
to the cashier's open cash session and reserves a block of receipt numbers. Offline, it
numbers its sales from that block (AIR-T2-000123, gapless per device) and queues them; when
the connection returns it posts them in order (models/sales_offline_posting.py). A shortfall
or a lot blocked or expired by then is recorded as an issue (OfflineSaleIssue), listed here
for the operator or the admin to settle. Flushes, never commits.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from extensions import db
from models import clock
from models.catalogue import Product
from models.cooperatives import utcnow
from models.errors import NotFound, ValidationFailed
from models.sales import CashSession, Sale
from models.stock import KIND_SHOP, Location, Lot, StockBalance
from models.stock_blocks import blocked_message, current_blocks
from models.stock_codes import _lot_rows, _resolved
from models.types import money

BLOCK_SIZE = 50


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
    from models.sales_numbers import receipt_prefix

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
