"""Tables of the transfers area: transfers between locations, replenishment requests from
shops, returns to cooperatives, stock counts, and the counters that number them.

The services live beside them, named after this module: models/transfers_posting.py
(transfers), models/transfers_replenishment.py (requests), models/transfers_counts.py (counts)
and models/transfers_returns.py (returns to cooperatives).
"""
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models.cooperatives import utcnow
from models.types import Quantity

TRANSFER_KINDS = ("transfer", "return")
TRANSFER_STATES = ("draft", "dispatched", "received", "cancelled")
REQUEST_STATES = ("open", "fulfilled", "cancelled")
COUNT_STATES = ("open", "posted", "cancelled")

# Document types written on stock movements (and labelled through models.documents).
DOC_TRANSFER = "transfer"
DOC_COUNT = "stock_count"
DOC_COOPERATIVE_RETURN = "cooperative_return"
DOC_REQUEST = "replenishment_request"


def _in(column, values):
    """A CHECK expression `column IN (...)` for a tuple of string constants."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class TransferCounter(db.Model):
    """The last number given per (prefix, year): TR-2026-00042. One row per series, locked
    while a number is taken, so two workers never hand out the same number."""

    __tablename__ = "transfer_counters"

    prefix = db.Column(db.String(8), primary_key=True)
    year = db.Column(db.Integer, primary_key=True, autoincrement=False)
    last = db.Column(db.Integer, nullable=False, default=0)


def next_number(prefix, at=None):
    """The next readable number of a series, e.g. next_number("TR") → "TR-2026-00042"."""
    year = (at or utcnow()).year
    table = TransferCounter.__table__
    dialect = db.session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(ins(table).values(prefix=prefix, year=year, last=0)
                       .on_conflict_do_nothing(index_elements=["prefix", "year"]))
    last = db.session.execute(
        select(table.c.last).where(table.c.prefix == prefix, table.c.year == year).with_for_update()
    ).scalar_one() + 1
    db.session.execute(update(table).where(table.c.prefix == prefix, table.c.year == year)
                       .values(last=last))
    return f"{prefix}-{year}-{last:05d}"


class Transfer(db.Model):
    """Goods moving from one real location to another through the virtual TRANSIT location.

    kind "transfer": warehouse → shop (or any real → real); kind "return": shop → warehouse.
    draft → dispatched (stock in transit) → received (shortfall to LOSS), or draft → cancelled.
    """

    __tablename__ = "transfers"

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(20), unique=True, nullable=False)
    kind = db.Column(db.String(16), nullable=False, default="transfer")
    state = db.Column(db.String(16), nullable=False, default="draft", index=True)
    from_location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    to_location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False,
                               index=True)
    note = db.Column(db.String(255))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    dispatched_at = db.Column(db.DateTime)
    dispatched_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    received_at = db.Column(db.DateTime)
    received_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    cancelled_at = db.Column(db.DateTime)

    from_location = db.relationship("Location", foreign_keys=[from_location_id])
    to_location = db.relationship("Location", foreign_keys=[to_location_id])
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    dispatched_by = db.relationship("User", foreign_keys=[dispatched_by_id])
    received_by = db.relationship("User", foreign_keys=[received_by_id])
    lines = db.relationship("TransferLine", back_populates="transfer", order_by="TransferLine.id",
                            cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        db.CheckConstraint(_in("kind", TRANSFER_KINDS), name="kind"),
        db.CheckConstraint(_in("state", TRANSFER_STATES), name="state"),
        db.CheckConstraint("from_location_id <> to_location_id", name="distinct_locations"),
    )

    @property
    def total_quantity(self):
        """Sum of the quantities sent."""
        return sum((line.quantity for line in self.lines), start=0)

    @property
    def total_received(self):
        """Sum of the quantities received (None before receipt)."""
        if self.state != "received":
            return None
        return sum((line.quantity_received or 0 for line in self.lines), start=0)


class TransferLine(db.Model):
    """A lot and the quantity sent; at receipt, what arrived and why any shortfall."""

    __tablename__ = "transfer_lines"

    id = db.Column(db.Integer, primary_key=True)
    transfer_id = db.Column(db.Integer, db.ForeignKey("transfers.id"), nullable=False, index=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    quantity = db.Column(Quantity, nullable=False)
    quantity_received = db.Column(Quantity)
    loss_reason = db.Column(db.String(255))

    transfer = db.relationship("Transfer", back_populates="lines")
    lot = db.relationship("Lot", lazy="joined")

    __table_args__ = (
        db.UniqueConstraint("transfer_id", "lot_id", name="uq_transfer_lines_transfer_lot"),
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("quantity_received IS NULL OR (quantity_received >= 0 "
                           "AND quantity_received <= quantity)", name="received_range"),
    )

    @property
    def shortfall(self):
        """What was sent but did not arrive (None before receipt)."""
        if self.quantity_received is None:
            return None
        return self.quantity - self.quantity_received


class ReplenishmentRequest(db.Model):
    """A shop asking the warehouse for products and quantities; fulfilled as a transfer."""

    __tablename__ = "replenishment_requests"

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(20), unique=True, nullable=False)
    shop_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False, index=True)
    state = db.Column(db.String(16), nullable=False, default="open", index=True)
    note = db.Column(db.String(500))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    fulfilled_at = db.Column(db.DateTime)
    fulfilled_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    transfer_id = db.Column(db.Integer, db.ForeignKey("transfers.id"))

    shop = db.relationship("Location")
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    transfer = db.relationship("Transfer", backref=db.backref("request", uselist=False))
    lines = db.relationship("ReplenishmentLine", back_populates="request", lazy="selectin",
                            order_by="ReplenishmentLine.id", cascade="all, delete-orphan")

    __table_args__ = (db.CheckConstraint(_in("state", REQUEST_STATES), name="state"),)


class ReplenishmentLine(db.Model):
    """A product and the quantity a shop wants."""

    __tablename__ = "replenishment_lines"

    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("replenishment_requests.id"),
                           nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    quantity = db.Column(Quantity, nullable=False)

    request = db.relationship("ReplenishmentRequest", back_populates="lines")
    product = db.relationship("Product", lazy="joined")

    __table_args__ = (
        db.UniqueConstraint("request_id", "product_id", name="uq_replenishment_lines_product"),
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class CooperativeReturn(db.Model):
    """Goods handed back to their cooperative: they leave consignment (location → SUPPLIERS)."""

    __tablename__ = "cooperative_returns"

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(20), unique=True, nullable=False)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), nullable=False,
                               index=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    reason = db.Column(db.String(255), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    cooperative = db.relationship("Cooperative")
    location = db.relationship("Location")
    created_by = db.relationship("User")
    lines = db.relationship("CooperativeReturnLine", back_populates="cooperative_return",
                            lazy="selectin", order_by="CooperativeReturnLine.id",
                            cascade="all, delete-orphan")

    @property
    def total_quantity(self):
        """Sum of the quantities handed back."""
        return sum((line.quantity for line in self.lines), start=0)


class CooperativeReturnLine(db.Model):
    """A lot and the quantity handed back."""

    __tablename__ = "cooperative_return_lines"

    id = db.Column(db.Integer, primary_key=True)
    return_id = db.Column(db.Integer, db.ForeignKey("cooperative_returns.id"), nullable=False,
                          index=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False)
    quantity = db.Column(Quantity, nullable=False)

    cooperative_return = db.relationship("CooperativeReturn", back_populates="lines")
    lot = db.relationship("Lot", lazy="joined")

    __table_args__ = (
        db.UniqueConstraint("return_id", "lot_id", name="uq_cooperative_return_lines_lot"),
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class StockCount(db.Model):
    """A physical count at one real location. Expected quantities are a snapshot taken when
    the count starts; posting adjusts by (counted − snapshot), so movements made while the
    count was under way are kept, never overwritten."""

    __tablename__ = "stock_counts"

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(20), unique=True, nullable=False)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False, index=True)
    state = db.Column(db.String(16), nullable=False, default="open")
    reason = db.Column(db.String(255))
    started_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    started_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    posted_at = db.Column(db.DateTime)
    posted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    location = db.relationship("Location")
    started_by = db.relationship("User", foreign_keys=[started_by_id])
    posted_by = db.relationship("User", foreign_keys=[posted_by_id])
    lines = db.relationship("StockCountLine", back_populates="count", lazy="selectin",
                            order_by="StockCountLine.id", cascade="all, delete-orphan")

    __table_args__ = (db.CheckConstraint(_in("state", COUNT_STATES), name="state"),)


class StockCountLine(db.Model):
    """A lot at the counted location: the snapshot, and what was counted (None: not yet)."""

    __tablename__ = "stock_count_lines"

    id = db.Column(db.Integer, primary_key=True)
    count_id = db.Column(db.Integer, db.ForeignKey("stock_counts.id"), nullable=False, index=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False)
    expected = db.Column(Quantity, nullable=False)
    counted = db.Column(Quantity)
    note = db.Column(db.String(255))

    count = db.relationship("StockCount", back_populates="lines")
    lot = db.relationship("Lot", lazy="joined")

    __table_args__ = (
        db.UniqueConstraint("count_id", "lot_id", name="uq_stock_count_lines_lot"),
        db.CheckConstraint("counted IS NULL OR counted >= 0", name="counted_nonneg"),
    )

    @property
    def difference(self):
        """counted − expected, or None while the lot is not counted."""
        return None if self.counted is None else self.counted - self.expected
