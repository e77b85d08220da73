"""Compensation: a loss of consigned goods while the platform holds them becomes a proposal
to credit the cooperative; an admin approves it (a consignment entry of kind "adjustment",
document "compensation", on the cooperative's statement) or rejects it with a reason.

Proposed by the services that post the loss, in the loss's transaction: a transfer received
short, a count below the books, goods written off at a shop or the warehouse, a refund
written off as damaged. Losses the cooperative bears by agreement (packaging waste,
rejection at reception) are recorded as "borne", never proposed.

Value: the basis COMPENSATION_BASIS (config) — "consignment" (retail price less the
commission in force at the time of the loss: what the cooperative would have been owed had
the goods sold) or "retail". Flushes, never commits.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.consignment_posting import post_entries
from models.consignment_rates import commission_rates_for
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.settings import setting
from models.stock import Lot
from models.types import Money, Quantity, Rate, money

# The losses the platform answers for, and those the cooperative bears by agreement.
LOSS_KINDS = ("transit_shortfall", "count_difference", "write_off", "refund_damaged")
BORNE_KINDS = ("packaging_waste", "reception_rejected", "write_off_borne")
STATUSES = ("proposed", "approved", "rejected", "borne")
BASES = ("consignment", "retail")


class Compensation(db.Model):
    """A loss of a cooperative's goods and what the platform does about it."""

    __tablename__ = "compensations"

    id = db.Column(db.Integer, primary_key=True)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"))
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"))
    quantity = db.Column(Quantity, nullable=False)
    loss_kind = db.Column(db.String(24), nullable=False)
    # The loss document: ("transfer", id), ("stock_count", id), ("refund", id), ...
    document_type = db.Column(db.String(32), nullable=False)
    document_id = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.String(255))
    basis = db.Column(db.String(16), nullable=False)
    retail_price = db.Column(Money)
    commission_rate = db.Column(Rate)
    unit_value = db.Column(Money, nullable=False)
    amount = db.Column(Money, nullable=False)
    status = db.Column(db.String(12), nullable=False, default="proposed", index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decided_at = db.Column(db.DateTime)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    decision_note = db.Column(db.String(255))
    entry_id = db.Column(db.Integer, db.ForeignKey("consignment_entries.id"))

    cooperative = db.relationship("Cooperative")
    product = db.relationship("Product")
    lot = db.relationship("Lot")
    location = db.relationship("Location")

    __table_args__ = (
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("amount >= 0", name="amount_nonneg"),
        db.CheckConstraint("status IN ('proposed', 'approved', 'rejected', 'borne')", name="status"),
        db.Index("ix_compensations_document", "document_type", "document_id"),
    )

    @property
    def number(self):
        """The number quoted on the statement: CMP-000012."""
        return f"CMP-{self.id:06d}"


def compensation_basis():
    """The configured basis of a compensation's value ("consignment" unless set to "retail")."""
    basis = setting("COMPENSATION_BASIS") or "consignment"
    return basis if basis in BASES else "consignment"


def _values(items):
    """(lot, product) rows and the commission rates in force now for lots."""
    lot_ids = {i["lot_id"] for i in items if i.get("lot_id")}
    lots = {r.id: r for r in db.session.execute(
        select(Lot.id, Lot.cooperative_id, Lot.product_id, Product.category, Product.retail_price)
        .join(Product, Product.id == Lot.product_id).where(Lot.id.in_(lot_ids)))} if lot_ids else {}
    rates = commission_rates_for({(r.cooperative_id, r.category) for r in lots.values()})
    return lots, rates


def record_losses(items, *, loss_kind, document_type, document_id, user_id=None, reason=None):
    """Open a compensation per lost lot line. `items`: dicts with lot_id, quantity,
    location_id (where the goods were lost). `loss_kind` in LOSS_KINDS proposes; in
    BORNE_KINDS records the loss as borne by the cooperative. Returns the rows written."""
    if loss_kind not in LOSS_KINDS + BORNE_KINDS:
        raise ValidationFailed("Unknown loss kind", fields={"loss_kind": [loss_kind]})
    items = [i for i in items if i.get("quantity") and Decimal(i["quantity"]) > 0]
    if not items:
        return []
    lots, rates = _values(items)
    basis = compensation_basis()
    rows = []
    for item in items:
        lot = lots[item["lot_id"]]
        rate = rates[(lot.cooperative_id, lot.category)]
        price = money(lot.retail_price) if lot.retail_price is not None else None
        unit = Decimal(0) if price is None else (price if basis == "retail" else money(price * (1 - rate)))
        comp = Compensation(
            cooperative_id=lot.cooperative_id, product_id=lot.product_id, lot_id=lot.id,
            location_id=item.get("location_id"), quantity=Decimal(item["quantity"]),
            loss_kind=loss_kind, document_type=document_type, document_id=document_id,
            reason=((item.get("reason") or reason or "").strip()[:255] or None), basis=basis,
            retail_price=price, commission_rate=rate, unit_value=unit,
            amount=money(unit * Decimal(item["quantity"])),
            status="borne" if loss_kind in BORNE_KINDS else "proposed", created_by_id=user_id)
        db.session.add(comp)
        rows.append(comp)
    db.session.flush()
    return rows


def record_borne_rejection(*, cooperative_id, product_id, quantity, document_id, reason, user_id=None):
    """Goods rejected at reception: the cooperative's loss by agreement (no lot, no value)."""
    comp = Compensation(cooperative_id=cooperative_id, product_id=product_id, quantity=quantity,
                        loss_kind="reception_rejected", document_type="reception",
                        document_id=document_id, reason=(reason or "")[:255] or None,
                        basis=compensation_basis(), unit_value=Decimal(0), amount=Decimal(0),
                        status="borne", created_by_id=user_id)
    db.session.add(comp)
    return comp


def _lock(compensation_id):
    comp = db.session.execute(select(Compensation).where(Compensation.id == compensation_id)
                              .with_for_update()).scalar()
    if comp is None:
        raise NotFound(_("No such compensation."))
    if comp.status != "proposed":
        raise DomainError(_("This compensation has already been decided."), code="already_decided")
    return comp


def approve(compensation_id, *, user_id=None, note=None):
    """Credit the cooperative: an "adjustment" entry linked to the compensation and its loss
    document. Returns the compensation."""
    comp = _lock(compensation_id)
    if comp.amount <= 0:
        raise DomainError(_("A compensation without value cannot be approved; reject it."),
                          code="no_value")
    now = utcnow()
    post_entries([{
        "cooperative_id": comp.cooperative_id, "kind": "adjustment", "amount": comp.amount,
        "lot_id": comp.lot_id, "quantity": comp.quantity, "location_id": comp.location_id,
        "document_type": "compensation", "document_id": comp.id,
        "reference": f"{comp.document_type}:{comp.document_id}",
        "note": f"compensation {comp.loss_kind}", "user_id": user_id, "created_at": now,
    }])
    from models.consignment import ConsignmentEntry

    comp.entry_id = db.session.execute(select(ConsignmentEntry.id).where(
        ConsignmentEntry.document_type == "compensation", ConsignmentEntry.document_id == comp.id)
    ).scalar()
    comp.status, comp.decided_at, comp.decided_by_id = "approved", now, user_id
    comp.decision_note = (note or "").strip()[:255] or None
    db.session.flush()
    return comp


def reject(compensation_id, *, reason, user_id=None):
    """Refuse a proposal, with the reason the cooperative will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for rejecting it."), fields={"reason": [_("Required.")]})
    if len(reason) > 255:
        raise ValidationFailed(_("At most %(n)s characters.", n=255), fields={"reason": [_("Too long.")]})
    comp = _lock(compensation_id)
    comp.status, comp.decided_at, comp.decided_by_id, comp.decision_note = \
        "rejected", utcnow(), user_id, reason
    db.session.flush()
    return comp


def compensation_problems():
    """Approved compensations without their entry, or whose entry's amount differs."""
    from models.consignment import ConsignmentEntry as E

    rows = db.session.execute(
        select(Compensation.id, Compensation.amount, E.amount.label("entry_amount"), E.id.label("eid"))
        .outerjoin(E, (E.document_type == "compensation") & (E.document_id == Compensation.id))
        .where(Compensation.status == "approved")).all()
    return [{"compensation_id": r.id, "amount": r.amount, "entry_amount": r.entry_amount}
            for r in rows if r.eid is None or money(r.entry_amount) != money(r.amount)]
