"""Locations, lots, the immutable stock movements and the balances they keep."""
from extensions import db
from models.cooperatives import utcnow
from models.types import Quantity

# Real locations hold goods and never go negative; virtual ones model the outside world.
KIND_WAREHOUSE = "warehouse"
KIND_SHOP = "shop"
KIND_TRANSIT = "transit"
KIND_SUPPLIER = "supplier"
KIND_CUSTOMER = "customer"
KIND_LOSS = "loss"
KIND_ADJUSTMENT = "adjustment"
KIND_PRODUCTION = "production"
REAL_KINDS = (KIND_WAREHOUSE, KIND_SHOP, KIND_TRANSIT)
VIRTUAL_KINDS = (KIND_SUPPLIER, KIND_CUSTOMER, KIND_LOSS, KIND_ADJUSTMENT, KIND_PRODUCTION)
LOCATION_KINDS = REAL_KINDS + VIRTUAL_KINDS

# The virtual locations every database has, by code (created by the first migration).
VIRTUAL_LOCATIONS = {
    "SUPPLIERS": (KIND_SUPPLIER, "Fournisseurs (coopératives)", "الموردون (التعاونيات)"),
    "CUSTOMERS": (KIND_CUSTOMER, "Clients", "الزبناء"),
    "LOSS": (KIND_LOSS, "Pertes et casse", "الخسائر والكسر"),
    "ADJUSTMENT": (KIND_ADJUSTMENT, "Ajustements d'inventaire", "تسويات الجرد"),
    "PRODUCTION": (KIND_PRODUCTION, "Conditionnement", "التعبئة والتغليف"),
    "TRANSIT": (KIND_TRANSIT, "En transit", "في الطريق"),
    # What offline sales sold beyond the book stock, until the next count settles it.
    "UNRECONCILED": (KIND_ADJUSTMENT, "Ventes hors ligne à rapprocher", "مبيعات دون اتصال في انتظار التسوية"),
}

MOVEMENT_KINDS = (
    "reception", "packaging_input", "packaging_output", "waste", "dispatch", "receipt",
    "sale", "refund", "return", "return_to_cooperative", "count_adjustment", "loss",
    "offline_shortfall",
)


class Location(db.Model):
    """A warehouse zone, a shop or stand, or a virtual location (supplier, customer, loss...)."""

    __tablename__ = "locations"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(32), unique=True, nullable=False)
    name_fr = db.Column(db.String(160), nullable=False)
    name_ar = db.Column(db.String(160), nullable=False)
    kind = db.Column(db.String(16), nullable=False)
    address = db.Column(db.String(255))
    province = db.Column(db.String(40))
    active = db.Column(db.Boolean, nullable=False, default=True)

    @property
    def is_virtual(self):
        """Virtual locations may go negative: they are the world outside the platform."""
        return self.kind in VIRTUAL_KINDS

    def name(self, locale="fr"):
        """The name in the reader's language."""
        return self.name_ar if locale == "ar" else self.name_fr

    def __repr__(self):
        return f"<Location {self.code}>"


lot_parents = db.Table(
    "lot_parents",
    db.Column("child_lot_id", db.Integer, db.ForeignKey("lots.id"), primary_key=True),
    db.Column("parent_lot_id", db.Integer, db.ForeignKey("lots.id"), primary_key=True),
    db.Column("quantity", Quantity, nullable=False),
)


class Lot(db.Model):
    """A traceable batch owned by exactly one cooperative."""

    __tablename__ = "lots"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(40), unique=True, nullable=False)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id"), nullable=False, index=True)
    cooperative_id = db.Column(
        db.Integer, db.ForeignKey("cooperatives.id"), nullable=False, index=True
    )
    harvest_date = db.Column(db.Date)
    production_date = db.Column(db.Date)
    best_before = db.Column(db.Date, index=True)
    # Where the lot was born: ("reception", id) or ("packaging_run", id).
    origin_type = db.Column(db.String(32))
    origin_id = db.Column(db.Integer)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    product = db.relationship("Product", lazy="joined")
    cooperative = db.relationship("Cooperative", lazy="joined")
    # The stock page's first-expired-first-out order (stock_traceability.stock_query), read
    # in index order: migration 0018_lots_fefo.
    __table_args__ = (db.Index("ix_lots_fefo", db.text("(best_before IS NULL)"), "best_before", "code"),)
    parents = db.relationship(
        "Lot",
        secondary=lot_parents,
        primaryjoin=id == lot_parents.c.child_lot_id,
        secondaryjoin=id == lot_parents.c.parent_lot_id,
        backref="children",
    )

    def __repr__(self):
        return f"<Lot {self.code}>"


class StockMovement(db.Model):
    """One immutable line of the double-entry stock ledger. Corrections are new movements."""

    __tablename__ = "stock_movements"

    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False, index=True)
    quantity = db.Column(Quantity, nullable=False)
    from_location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    to_location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False)
    kind = db.Column(db.String(32), nullable=False)
    document_type = db.Column(db.String(32))
    document_id = db.Column(db.Integer)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    note = db.Column(db.String(255))

    lot = db.relationship("Lot")
    from_location = db.relationship("Location", foreign_keys=[from_location_id])
    to_location = db.relationship("Location", foreign_keys=[to_location_id])
    user = db.relationship("User")

    __table_args__ = (
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("from_location_id <> to_location_id", name="distinct_locations"),
        db.Index("ix_stock_movements_document", "document_type", "document_id"),
    )


class StockBalance(db.Model):
    """Quantity of a lot at a location, kept by the ledger service alone."""

    __tablename__ = "stock_balances"

    id = db.Column(db.Integer, primary_key=True)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"), nullable=False)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"), nullable=False, index=True)
    quantity = db.Column(Quantity, nullable=False, default=0)
    # Held for confirmed orders (models.ledger.reserve/release): what may leave is
    # quantity - reserved, checked by post_movements under the same row lock.
    reserved = db.Column(Quantity, nullable=False, default=0, server_default="0")
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    lot = db.relationship("Lot")
    location = db.relationship("Location")

    __table_args__ = (db.UniqueConstraint("lot_id", "location_id", name="uq_stock_balances_lot_location"),)
