"""Cooperatives: the suppliers and owners of consigned goods."""
from datetime import datetime, timezone

from extensions import db
from models.types import Rate

PROVINCES = (
    "Oujda-Angad", "Berkane", "Nador", "Driouch", "Taourirt", "Jerada", "Guercif", "Figuig",
)


def utcnow():
    """Timezone-aware now, stored naive in UTC for portability between databases."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Cooperative(db.Model):
    """A cooperative of the Oriental region. Payout details are for admins only."""

    __tablename__ = "cooperatives"

    id = db.Column(db.Integer, primary_key=True)
    name_fr = db.Column(db.String(160), nullable=False)
    name_ar = db.Column(db.String(160), nullable=False)
    registration_number = db.Column(db.String(40), unique=True, nullable=False)
    province = db.Column(db.String(40), nullable=False)
    phone = db.Column(db.String(40))
    email = db.Column(db.String(120))
    address = db.Column(db.String(255))
    members_total = db.Column(db.Integer, nullable=False, default=0)
    members_women = db.Column(db.Integer, nullable=False, default=0)
    members_youth = db.Column(db.Integer, nullable=False, default=0)
    # None means the platform default (Config.DEFAULT_COMMISSION_RATE).
    commission_rate = db.Column(Rate)
    payout_bank = db.Column(db.String(120))
    payout_account = db.Column(db.String(64))
    payout_holder = db.Column(db.String(160))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("members_total >= 0", name="members_nonneg"),
        db.CheckConstraint(
            "commission_rate IS NULL OR (commission_rate >= 0 AND commission_rate < 1)",
            name="commission_range",
        ),
    )

    def name(self, locale="fr"):
        """The name in the reader's language."""
        return self.name_ar if locale == "ar" else self.name_fr

    def __repr__(self):
        return f"<Cooperative {self.id} {self.name_fr}>"
