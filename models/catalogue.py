"""The product catalogue: bulk goods received by weight or volume, and packaged units."""
from stdnum import ean

from extensions import db
from models.cooperatives import utcnow
from models.types import Money, Quantity

CATEGORIES = (
    "dates", "olive_oil", "honey", "almonds", "truffles", "aromatic_plants",
    "cereal_derivatives", "crafts", "other",
)
KIND_BULK = "bulk"
KIND_UNIT = "unit"
KINDS = (KIND_BULK, KIND_UNIT)
# Unit of stock quantities: kg or litre for bulk, piece for packaged units.
UOMS = ("kg", "l", "pc")


def gtin_is_valid(value: str) -> bool:
    """True for an EAN-13 / GTIN-13 with a correct check digit (the barcode libraries 'fix' bad ones)."""
    return bool(value) and len(value) == 13 and value.isdigit() and ean.is_valid(value)


class Product(db.Model):
    """A catalogue item. Packaged units carry their net content in `content_uom`."""

    __tablename__ = "products"

    id = db.Column(db.Integer, primary_key=True)
    sku = db.Column(db.String(40), unique=True, nullable=False)
    name_fr = db.Column(db.String(160), nullable=False)
    name_ar = db.Column(db.String(160), nullable=False)
    category = db.Column(db.String(32), nullable=False)
    kind = db.Column(db.String(8), nullable=False)
    uom = db.Column(db.String(4), nullable=False)
    # For a packaged unit: how much of content_uom one piece holds (0.500 kg).
    net_content = db.Column(Quantity)
    content_uom = db.Column(db.String(4))
    gtin = db.Column(db.String(14), unique=True)
    retail_price = db.Column(Money)
    shelf_life_days = db.Column(db.Integer)
    allergens = db.Column(db.String(255))
    description = db.Column(db.Text)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("kind IN ('bulk', 'unit')", name="kind"),
        db.CheckConstraint("retail_price IS NULL OR retail_price >= 0", name="price_nonneg"),
        db.CheckConstraint("net_content IS NULL OR net_content > 0", name="content_pos"),
        db.Index("ix_products_category", "category"),
    )

    @property
    def is_bulk(self):
        """Bulk goods are counted in kg or litres, units in pieces."""
        return self.kind == KIND_BULK

    def name(self, locale="fr"):
        """The name in the reader's language."""
        return self.name_ar if locale == "ar" else self.name_fr

    def __repr__(self):
        return f"<Product {self.sku}>"
