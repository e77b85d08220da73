"""Warehouse documents: receptions (deliveries from cooperatives) and packaging runs
(bulk lots made into labelled units), and the lot codes they give their lots."""
import re
import uuid
from datetime import date

from extensions import db
from models.cooperatives import utcnow
from models.stock import Lot
from models.types import Quantity


class Reception(db.Model):
    """A delivery from one cooperative into a warehouse location."""

    __tablename__ = "receptions"

    id = db.Column(db.Integer, primary_key=True)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), nullable=False,
                               index=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    received_on = db.Column(db.Date, nullable=False)
    note = db.Column(db.String(255))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    cooperative = db.relationship("Cooperative")
    location = db.relationship("Location")
    user = db.relationship("User")
    lines = db.relationship("ReceptionLine", back_populates="reception",
                            order_by="ReceptionLine.id", lazy="selectin")

    @property
    def number(self):
        """The number printed on the deposit receipt."""
        return reception_number(self.id)


class ReceptionLine(db.Model):
    """One product delivered: what was accepted (it becomes a lot) and what was refused, and why."""

    __tablename__ = "reception_lines"

    id = db.Column(db.Integer, primary_key=True)
    reception_id = db.Column(db.Integer, db.ForeignKey("receptions.id"), nullable=False,
                             index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    quantity_delivered = db.Column(Quantity, nullable=False)
    quantity_accepted = db.Column(Quantity, nullable=False)
    quantity_rejected = db.Column(Quantity, nullable=False)
    rejection_reason = db.Column(db.String(255))
    harvest_date = db.Column(db.Date)
    best_before = db.Column(db.Date)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), index=True)

    reception = db.relationship("Reception", back_populates="lines")
    product = db.relationship("Product", lazy="joined")
    lot = db.relationship("Lot")

    __table_args__ = (
        db.CheckConstraint("quantity_delivered > 0", name="delivered_pos"),
        db.CheckConstraint("quantity_accepted >= 0 AND quantity_rejected >= 0", name="split_nonneg"),
        db.CheckConstraint("quantity_accepted + quantity_rejected = quantity_delivered",
                           name="split_sum"),
    )


class PackagingRun(db.Model):
    """Bulk lots of one cooperative packed into units: a new lot whose parents are the inputs.

    The inputs' quantities are everything consumed: the packed content plus the waste (and any
    overfill). Waste is posted from PRODUCTION to LOSS so every gram stays traceable.
    """

    __tablename__ = "packaging_runs"

    id = db.Column(db.Integer, primary_key=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), nullable=False,
                               index=True)
    output_product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    output_lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    output_units = db.Column(db.Integer, nullable=False)
    consumed_quantity = db.Column(Quantity, nullable=False)
    waste_quantity = db.Column(Quantity, nullable=False, default=0)
    best_before = db.Column(db.Date)
    note = db.Column(db.String(255))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)

    location = db.relationship("Location")
    cooperative = db.relationship("Cooperative")
    output_product = db.relationship("Product")
    output_lot = db.relationship("Lot")
    user = db.relationship("User")
    inputs = db.relationship("PackagingInput", back_populates="run",
                             order_by="PackagingInput.id", lazy="selectin")

    __table_args__ = (
        db.CheckConstraint("output_units > 0", name="units_pos"),
        db.CheckConstraint("waste_quantity >= 0 AND waste_quantity < consumed_quantity",
                           name="waste_range"),
    )

    @property
    def number(self):
        """The run's reference on screens and movements."""
        return packaging_run_number(self.id)

    @property
    def packed_quantity(self):
        """Units × net content: what went into the packs."""
        return self.output_units * (self.output_product.net_content or 0)

    @property
    def yield_rate(self):
        """Packed content against what was consumed, waste apart (1 = nothing given away)."""
        net = self.consumed_quantity - self.waste_quantity
        return (self.packed_quantity / net) if net else None

    @property
    def waste_rate(self):
        """Waste as a share of what was consumed."""
        return self.waste_quantity / self.consumed_quantity if self.consumed_quantity else None


class PackagingInput(db.Model):
    """A lot consumed by a packaging run, with the share of the waste it carried."""

    __tablename__ = "packaging_inputs"

    id = db.Column(db.Integer, primary_key=True)
    run_id = db.Column(db.Integer, db.ForeignKey("packaging_runs.id"), nullable=False, index=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    quantity = db.Column(Quantity, nullable=False)
    waste_quantity = db.Column(Quantity, nullable=False, default=0)

    run = db.relationship("PackagingRun", back_populates="inputs")
    lot = db.relationship("Lot")

    __table_args__ = (
        db.CheckConstraint("quantity > 0", name="quantity_pos"),
        db.UniqueConstraint("run_id", "lot_id", name="uq_packaging_inputs_run_lot"),
    )


def reception_number(reception_id):
    """REC-000012."""
    return f"REC-{reception_id:06d}"


def packaging_run_number(run_id):
    """PKG-000005."""
    return f"PKG-{run_id:06d}"


def lot_prefix(product):
    """A readable prefix from the product's SKU ("DAT-AZ-500" → "DAT")."""
    head = re.sub(r"[^A-Z0-9]", "", (product.sku or "").split("-")[0].upper())[:4]
    return head or "LOT"


def new_lot(product, cooperative_id, on, **columns):
    """Create a lot coded PREFIX-YYMM-NNNN where NNNN is its id: unique by construction,
    so concurrent writers never collide (no max()+1 race). Flushes."""
    lot = Lot(code="TMP-" + uuid.uuid4().hex[:24], product_id=product.id,
              cooperative_id=cooperative_id, **columns)
    db.session.add(lot)
    db.session.flush()
    lot.code = f"{lot_prefix(product)}-{on:%y%m}-{lot.id:04d}"
    db.session.flush()
    return lot


def parse_quantity(value, errors, key, *, allow_zero=False, integral=False):
    """A Decimal quantity from a number or string, or a field error (None returned)."""
    from decimal import Decimal, InvalidOperation

    from flask_babel import gettext as _

    if value is None or value == "":
        if allow_zero:
            return Decimal(0)
        errors[key] = [_("This field is required.")]
        return None
    try:
        qty = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[key] = [_("Not a number.")]
        return None
    if not qty.is_finite():
        errors[key] = [_("Not a number.")]
    elif qty < 0 or (qty == 0 and not allow_zero):
        errors[key] = [_("Must be more than zero.") if not allow_zero else _("Cannot be negative.")]
    elif qty.as_tuple().exponent < -3:
        errors[key] = [_("At most three decimals (grams or millilitres).")]
    elif qty >= Decimal("100000000000"):
        errors[key] = [_("Too large.")]
    elif integral and qty != qty.to_integral_value():
        errors[key] = [_("Packaged units are counted in whole pieces.")]
    else:
        return qty
    return None


def parse_date(value, errors, key):
    """A date from a date or an ISO string (None when empty), or a field error."""
    from datetime import date, datetime

    from flask_babel import gettext as _

    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = str(value)
    try:
        value = date.fromisoformat(str(value))
    except ValueError:
        errors[key] = [_("Not a date (YYYY-MM-DD).")]
        return None
    if not BUSINESS_DATE_MIN <= value <= BUSINESS_DATE_MAX:
        errors[key] = [_("Enter a date between %(first)s and %(last)s.",
                         first=BUSINESS_DATE_MIN.isoformat(), last=BUSINESS_DATE_MAX.isoformat())]
        return None
    return value


# Harvests, receptions and best-before dates of this century only (a typo's year 0001 or 9999
# is refused with a message, not stored).
BUSINESS_DATE_MIN = date(2000, 1, 1)
BUSINESS_DATE_MAX = date(2099, 12, 31)


# The recall walks the genealogy downwards (parent → children): index that direction too
# (the primary key (child, parent) serves the upward walk).
db.Index("ix_lot_parents_parent_lot_id", db.metadata.tables["lot_parents"].c.parent_lot_id)
