"""Orders from buyers: the buyers (businesses and travellers), their price lists, orders and
their lines, the lots reserved and packed for each line, invoices, credit notes and payments.

The services live beside: models/orders_drafts.py (drafting: lines checked and priced),
models/orders_posting.py (the state flow, reservations, delivery), models/orders_invoices.py
(invoices, credit notes, payments, balance), models/orders_prices.py (price lists) and
models/orders_pickup.py (pick-up at a shop's till).
"""
from extensions import db
from models.cooperatives import utcnow
from models.types import Money, Quantity, Rate

BUYER_KINDS = ("business", "private")

# The state flow. Cancelled is reachable from any state before delivered.
ORDER_STATES = ("draft", "confirmed", "prepared", "shipped", "ready_for_pickup", "delivered",
                "invoiced", "cancelled")
CANCELLABLE_STATES = ("draft", "confirmed", "prepared", "shipped", "ready_for_pickup")
FULFILMENTS = ("delivery", "pickup")
INVOICE_KINDS = ("invoice", "credit_note")
BUYER_PAYMENT_METHODS = ("cash", "card", "mobile", "bank_transfer", "cheque")

DOC_ORDER = "order"
DOC_CREDIT_NOTE = "order_credit_note"


class PriceList(db.Model):
    """Negotiated prices for some buyers (a hotel, a grocer): a product's price here replaces
    its retail price on their orders."""

    __tablename__ = "price_lists"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), unique=True, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    items = db.relationship("PriceListItem", cascade="all, delete-orphan", lazy="selectin")


class PriceListItem(db.Model):
    """One product's price on a price list."""

    __tablename__ = "price_list_items"

    id = db.Column(db.Integer, primary_key=True)
    price_list_id = db.Column(db.Integer, db.ForeignKey("price_lists.id"), nullable=False)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    unit_price = db.Column(Money, nullable=False)

    __table_args__ = (
        db.UniqueConstraint("price_list_id", "product_id", name="uq_price_list_items_product"),
        db.CheckConstraint("unit_price >= 0", name="price_nonneg"),
    )


class Buyer(db.Model):
    """A business buyer (hotel, restaurant, grocer, exporter) with its legal identifiers and
    payment terms, or a private customer (a traveller picking up at a shop)."""

    __tablename__ = "buyers"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False, default="business")
    name = db.Column(db.String(160), nullable=False)
    ice = db.Column(db.String(15))           # Identifiant commun de l'entreprise (15 digits)
    if_number = db.Column(db.String(20))     # Identifiant fiscal
    rc = db.Column(db.String(40))            # Registre du commerce
    address = db.Column(db.String(255))
    contact_name = db.Column(db.String(120))
    phone = db.Column(db.String(40))
    email = db.Column(db.String(120))
    payment_terms_days = db.Column(db.Integer, nullable=False, default=0)
    price_list_id = db.Column(db.Integer, db.ForeignKey("price_lists.id"))
    # A traveller's flight (private customers picking up at the airport shop).
    flight_date = db.Column(db.Date)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    price_list = db.relationship("PriceList")

    __table_args__ = (
        db.CheckConstraint("kind IN ('business', 'private')", name="kind"),
        db.CheckConstraint("payment_terms_days >= 0 AND payment_terms_days <= 365",
                           name="terms_range"),
    )


class Order(db.Model):
    """A buyer's order: lines by product, served from one location (the warehouse, or the shop
    where it is picked up)."""

    __tablename__ = "orders"

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(24), unique=True)
    buyer_id = db.Column(db.Integer, db.ForeignKey("buyers.id"), nullable=False, index=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    fulfilment = db.Column(db.String(16), nullable=False, default="delivery")
    state = db.Column(db.String(20), nullable=False, default="draft")
    delivery_address = db.Column(db.String(255))
    note = db.Column(db.String(255))
    cancel_reason = db.Column(db.String(255))
    # The order holding what could not be reserved at a partial confirmation.
    backorder_of_id = db.Column(db.Integer, db.ForeignKey("orders.id"))
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    confirmed_at = db.Column(db.DateTime)
    prepared_at = db.Column(db.DateTime)
    shipped_at = db.Column(db.DateTime)
    delivered_at = db.Column(db.DateTime)
    invoiced_at = db.Column(db.DateTime)
    cancelled_at = db.Column(db.DateTime)

    buyer = db.relationship("Buyer")
    location = db.relationship("Location")
    lines = db.relationship("OrderLine", back_populates="order", order_by="OrderLine.id",
                            cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        db.CheckConstraint("state IN ('draft', 'confirmed', 'prepared', 'shipped', "
                           "'ready_for_pickup', 'delivered', 'invoiced', 'cancelled')",
                           name="state"),
        db.CheckConstraint("fulfilment IN ('delivery', 'pickup')", name="fulfilment"),
    )


def order_number(order_id):
    """CMD-000123: what the buyer quotes and the till scans."""
    return f"CMD-{order_id:06d}"


def order_by_number(text):
    """The order a scanned or typed number names (CMD-000123, or 123), or None."""
    text = (text or "").strip().upper()
    digits = text[4:] if text.startswith("CMD-") else text
    if not digits.isdigit() or len(digits) > 9:
        return None
    return db.session.get(Order, int(digits))


class OrderLine(db.Model):
    """A product and quantity ordered, its price frozen when the line was written; how much
    was reserved at confirmation, back-ordered and delivered."""

    __tablename__ = "order_lines"

    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    quantity = db.Column(Quantity, nullable=False)
    unit_price = db.Column(Money, nullable=False)
    confirmed_quantity = db.Column(Quantity)
    backordered_quantity = db.Column(Quantity)
    delivered_quantity = db.Column(Quantity)

    order = db.relationship("Order", back_populates="lines")
    product = db.relationship("Product", lazy="joined")
    lots = db.relationship("OrderLineLot", back_populates="line", order_by="OrderLineLot.id",
                           cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("unit_price >= 0", name="price_nonneg"),
    )


class OrderLineLot(db.Model):
    """A lot at a location held for an order line: `reserved` is what it holds now (the sum of
    these per lot and location is the balance's `reserved`); `packed` what was put in the
    parcel; `delivered` what was handed over (recall reaches the buyer through it)."""

    __tablename__ = "order_line_lots"

    id = db.Column(db.Integer, primary_key=True)
    line_id = db.Column(db.Integer, db.ForeignKey("order_lines.id"), nullable=False, index=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    reserved = db.Column(Quantity, nullable=False, default=0)
    packed = db.Column(Quantity)
    delivered = db.Column(Quantity)

    line = db.relationship("OrderLine", back_populates="lots")
    lot = db.relationship("Lot", lazy="joined")
    location = db.relationship("Location")

    __table_args__ = (
        db.CheckConstraint("reserved >= 0", name="reserved_nonneg"),
        db.Index("ix_order_line_lots_lot_location", "lot_id", "location_id"),
    )


class InvoiceCounter(db.Model):
    """The last number of a series (invoice or credit note) in a year: its row is locked by
    each new document, so numbers have no gaps."""

    __tablename__ = "invoice_counters"

    kind = db.Column(db.String(16), primary_key=True)
    year = db.Column(db.Integer, primary_key=True)
    last_number = db.Column(db.Integer, nullable=False, default=0)


class Invoice(db.Model):
    """An invoice for a delivered order, or a credit note for goods returned (negative of
    nothing: its amounts are positive and it is subtracted from the buyer's balance)."""

    __tablename__ = "invoices"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False, default="invoice")
    year = db.Column(db.Integer, nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    number = db.Column(db.String(24), unique=True, nullable=False)
    buyer_id = db.Column(db.Integer, db.ForeignKey("buyers.id"), nullable=False, index=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=False, index=True)
    credited_invoice_id = db.Column(db.Integer, db.ForeignKey("invoices.id"))
    issued_on = db.Column(db.Date, nullable=False)
    due_on = db.Column(db.Date, nullable=False)
    total_net = db.Column(Money, nullable=False)
    total_tax = db.Column(Money, nullable=False)
    total = db.Column(Money, nullable=False)
    reason = db.Column(db.String(255))
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    buyer = db.relationship("Buyer")
    order = db.relationship("Order")
    lines = db.relationship("InvoiceLine", order_by="InvoiceLine.id", lazy="selectin")

    __table_args__ = (
        db.UniqueConstraint("kind", "year", "seq", name="uq_invoices_series"),
        db.CheckConstraint("kind IN ('invoice', 'credit_note')", name="kind"),
    )


class InvoiceLine(db.Model):
    """A product line of an invoice: quantity, unit price before tax, the category's tax rate."""

    __tablename__ = "invoice_lines"

    id = db.Column(db.Integer, primary_key=True)
    invoice_id = db.Column(db.Integer, db.ForeignKey("invoices.id"), nullable=False, index=True)
    order_line_id = db.Column(db.Integer, db.ForeignKey("order_lines.id"))
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False)
    # A credit note's line names the lot returned (the cooperative's entry is reversed per lot).
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"))
    quantity = db.Column(Quantity, nullable=False)
    unit_price = db.Column(Money, nullable=False)
    tax_rate = db.Column(Rate, nullable=False)
    net = db.Column(Money, nullable=False)
    tax = db.Column(Money, nullable=False)
    total = db.Column(Money, nullable=False)

    product = db.relationship("Product", lazy="joined")


class BuyerPayment(db.Model):
    """Money received from a buyer (partial or whole, by method), against an invoice."""

    __tablename__ = "buyer_payments"

    id = db.Column(db.Integer, primary_key=True)
    buyer_id = db.Column(db.Integer, db.ForeignKey("buyers.id"), nullable=False, index=True)
    invoice_id = db.Column(db.Integer, db.ForeignKey("invoices.id"), index=True)
    # A pre-order paid at a shop's till: the cashier's open session it belongs to (its
    # expected cash at close and its Z report count it).
    cash_session_id = db.Column(db.Integer, db.ForeignKey("cash_sessions.id"), index=True)
    amount = db.Column(Money, nullable=False)
    method = db.Column(db.String(16), nullable=False)
    paid_on = db.Column(db.Date, nullable=False)
    reference = db.Column(db.String(80))
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("amount > 0", name="amount_positive"),
        db.CheckConstraint("method IN ('cash', 'card', 'mobile', 'bank_transfer', 'cheque')",
                           name="method"),
    )
