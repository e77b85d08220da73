"""Point-of-sale tables: cash sessions, sales with their lines and payments, refunds, and the
per-shop receipt counter that numbers receipts without gaps."""
from extensions import db
from models.cooperatives import utcnow
from models.types import Money, Quantity, Rate

PAYMENT_METHODS = ("cash", "card", "mobile")


class CashSession(db.Model):
    """A cashier's till at one shop, from the opening float to the counted cash at close."""

    __tablename__ = "cash_sessions"

    id = db.Column(db.Integer, primary_key=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    cashier_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    opened_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    opening_float = db.Column(Money, nullable=False)
    closed_at = db.Column(db.DateTime)
    # Frozen at close: what the drawer should hold, what was counted, counted - expected.
    expected_cash = db.Column(Money)
    counted_cash = db.Column(Money)
    difference = db.Column(Money)
    note = db.Column(db.String(255))
    # The Z report's number, taken at close from the shop's counter (Z-AIR-000012).
    z_seq = db.Column(db.Integer)
    z_number = db.Column(db.String(32))

    location = db.relationship("Location")
    cashier = db.relationship("User")

    __table_args__ = (
        db.CheckConstraint("opening_float >= 0", name="float_nonneg"),
        # One open till per cashier per shop, held by the database across workers.
        db.Index("uq_cash_sessions_open", "location_id", "cashier_id", unique=True,
                 sqlite_where=db.text("closed_at IS NULL"),
                 postgresql_where=db.text("closed_at IS NULL")),
    )

    @property
    def is_open(self):
        """An open session accepts sales and refunds."""
        return self.closed_at is None


class ReceiptCounter(db.Model):
    """The last receipt number of a shop; its row is locked by each sale so numbers have no gaps."""

    __tablename__ = "receipt_counters"

    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), primary_key=True)
    prefix = db.Column(db.String(12), nullable=False)
    last_number = db.Column(db.Integer, nullable=False, default=0)
    # The shop's last credit-note (refund) and Z report numbers, gapless the same way.
    last_credit_note = db.Column(db.Integer, nullable=False, default=0)
    last_z_report = db.Column(db.Integer, nullable=False, default=0)


class Sale(db.Model):
    """A sale at one shop by one cashier; posted once per client reference."""

    __tablename__ = "sales"

    id = db.Column(db.Integer, primary_key=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    cashier_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    cash_session_id = db.Column(db.Integer, db.ForeignKey("cash_sessions.id"), nullable=False,
                                index=True)
    client_ref = db.Column(db.String(64), nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    number = db.Column(db.String(32), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    subtotal = db.Column(Money, nullable=False)
    discount_total = db.Column(Money, nullable=False)
    total = db.Column(Money, nullable=False)
    paid = db.Column(Money, nullable=False)
    change = db.Column(Money, nullable=False)
    print_count = db.Column(db.Integer, nullable=False, default=0)
    # SHA-256 of the shop's previous sale's hash and this sale's fields, lines and payments
    # (models.books): the sales of a shop form a chain, in receipt order.
    chain_hash = db.Column(db.String(64))

    location = db.relationship("Location")
    cashier = db.relationship("User")
    lines = db.relationship("SaleLine", order_by="SaleLine.id", back_populates="sale")
    payments = db.relationship("SalePayment", order_by="SalePayment.id")

    __table_args__ = (
        db.UniqueConstraint("location_id", "client_ref", name="uq_sales_location_client_ref"),
        db.UniqueConstraint("location_id", "seq", name="uq_sales_location_seq"),
        db.CheckConstraint("total >= 0 AND change >= 0", name="amounts_nonneg"),
    )


class SaleLine(db.Model):
    """One lot sold: quantity, price, discount, the commission rate frozen at the sale, and how
    much of it was refunded since (kept under the sale's row lock)."""

    __tablename__ = "sale_lines"

    id = db.Column(db.Integer, primary_key=True)
    sale_id = db.Column(db.Integer, db.ForeignKey("sales.id"), nullable=False, index=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), nullable=False)
    quantity = db.Column(Quantity, nullable=False)
    unit_price = db.Column(Money, nullable=False)
    discount = db.Column(Money, nullable=False, default=0)
    total = db.Column(Money, nullable=False)
    commission_rate = db.Column(Rate, nullable=False)
    refunded_quantity = db.Column(Quantity, nullable=False, default=0)
    refunded_amount = db.Column(Money, nullable=False, default=0)

    sale = db.relationship("Sale", back_populates="lines")
    lot = db.relationship("Lot")
    product = db.relationship("Product")

    __table_args__ = (
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("discount >= 0 AND total >= 0", name="amounts_nonneg"),
        db.CheckConstraint("refunded_quantity >= 0 AND refunded_quantity <= quantity",
                           name="refund_within_sold"),
    )


class SalePayment(db.Model):
    """A payment of a sale. For cash, `amount` is what the customer handed over."""

    __tablename__ = "sale_payments"

    id = db.Column(db.Integer, primary_key=True)
    sale_id = db.Column(db.Integer, db.ForeignKey("sales.id"), nullable=False, index=True)
    method = db.Column(db.String(8), nullable=False)
    amount = db.Column(Money, nullable=False)

    __table_args__ = (
        db.CheckConstraint("method IN ('cash', 'card', 'mobile')", name="method"),
        db.CheckConstraint("amount > 0", name="amount_positive"),
    )


class Refund(db.Model):
    """Money and goods given back for some lines of a sale, with a reason."""

    __tablename__ = "refunds"

    id = db.Column(db.Integer, primary_key=True)
    sale_id = db.Column(db.Integer, db.ForeignKey("sales.id"), nullable=False, index=True)
    # The till the money came out of (for cash refunds: it lowers the expected cash).
    cash_session_id = db.Column(db.Integer, db.ForeignKey("cash_sessions.id"), index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    method = db.Column(db.String(8), nullable=False, default="cash")
    reason = db.Column(db.String(255), nullable=False)
    total = db.Column(Money, nullable=False)
    # The credit note: numbered per shop without gaps (AV-AIR-000012), printed on demand.
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"))
    seq = db.Column(db.Integer)
    number = db.Column(db.String(32))
    print_count = db.Column(db.Integer, nullable=False, default=0)

    sale = db.relationship("Sale")
    lines = db.relationship("RefundLine", order_by="RefundLine.id")

    __table_args__ = (
        db.CheckConstraint("method IN ('cash', 'card', 'mobile')", name="method"),
        db.Index("uq_refunds_location_seq", "location_id", "seq", unique=True),
    )


class RefundLine(db.Model):
    """How much of one sale line came back, and whether it went back on the shelf."""

    __tablename__ = "refund_lines"

    id = db.Column(db.Integer, primary_key=True)
    refund_id = db.Column(db.Integer, db.ForeignKey("refunds.id"), nullable=False, index=True)
    sale_line_id = db.Column(db.Integer, db.ForeignKey("sale_lines.id"), nullable=False, index=True)
    quantity = db.Column(Quantity, nullable=False)
    amount = db.Column(Money, nullable=False)
    restock = db.Column(db.Boolean, nullable=False)

    sale_line = db.relationship("SaleLine")

    __table_args__ = (db.CheckConstraint("quantity > 0", name="quantity_positive"),)
