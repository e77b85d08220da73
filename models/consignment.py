"""The consignment ledger: what each cooperative is owed, line by line, immutable.

Amounts are signed from the cooperative's point of view: a sale adds what it is owed
(line total less the commission, at the rate frozen at the time of sale), a refund
reverses it, a fee or a payout takes away. The balance is the sum.

The tables, the balance and the packaging fee setting are here; the services beside them:
models/consignment_posting.py (the only writer of entries), consignment_rates.py (the
commission rule and the history of rates), consignment_statements.py, consignment_payouts.py.
"""
from decimal import Decimal

from sqlalchemy import case, func, select

from extensions import db
from models.cooperatives import utcnow
from models.errors import ValidationFailed
from models.settings import setting
from models.types import Money, Quantity, Rate, money

ENTRY_KINDS = ("sale", "refund", "payout", "fee", "adjustment")


# The channels a sale reaches a customer through: the till (a shop's or a stand's sale,
# online or offline), an order delivered to a buyer, an order picked up at a shop. The order
# channels are named after models.orders.FULFILMENTS (an order's `fulfilment`).
CHANNEL_TILL = "till"
CHANNELS = (CHANNEL_TILL, "delivery", "pickup")


class CommissionRule(db.Model):
    """A commission rate: platform-wide (no cooperative) or per cooperative, optionally per
    product category and per channel (None: every one). The most specific rule wins
    (`pick_rate`)."""

    __tablename__ = "commission_rules"

    id = db.Column(db.Integer, primary_key=True)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"))
    category = db.Column(db.String(32))
    channel = db.Column(db.String(16))
    rate = db.Column(Rate, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.UniqueConstraint("cooperative_id", "category", "channel", name="uq_commission_rules_scope"),
        db.CheckConstraint("rate >= 0 AND rate < 1", name="rate_range"),
        db.CheckConstraint("channel IS NULL OR channel IN ('till', 'delivery', 'pickup')",
                           name="channel"),
    )


class CommissionRateChange(db.Model):
    """One decision on a commission rate: from `effective_from` on, the scope (cooperative or
    platform, category or every category, channel or every channel) takes `rate` (None: the scope's rule is removed and
    the next more general one applies). Appended, never edited: the history of rates. A
    CommissionRule row (or a cooperative's own rate) holds the scope's rate as of its last
    change that has taken effect; the changes decide."""

    __tablename__ = "commission_rate_changes"

    id = db.Column(db.Integer, primary_key=True)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"))
    category = db.Column(db.String(32))
    channel = db.Column(db.String(16))  # None: every channel
    rate = db.Column(Rate)
    effective_from = db.Column(db.Date, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    __table_args__ = (
        db.CheckConstraint("rate IS NULL OR (rate >= 0 AND rate < 1)", name="rate_range"),
        db.Index("ix_commission_rate_changes_scope", "cooperative_id", "category", "effective_from"),
    )


class ConsignmentSetting(db.Model):
    """A platform setting of the consignment an admin may change (key → decimal text)."""

    __tablename__ = "consignment_settings"

    key = db.Column(db.String(64), primary_key=True)
    value = db.Column(db.String(64), nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))


PACKAGING_FEE_KEY = "packaging_fee_per_unit"


def packaging_fee_per_unit():
    """The packaging fee per unit in force: the admin's setting, else the config's."""
    value = db.session.execute(
        select(ConsignmentSetting.value).where(ConsignmentSetting.key == PACKAGING_FEE_KEY)).scalar()
    if value is None:
        value = setting("PACKAGING_FEE_PER_UNIT") or 0
    return money(Decimal(str(value)))


# The statement's covering index, in key order: cooperative, time, id (the statement's order)
# then what a statement line shows.
STATEMENT_COLUMNS = ("cooperative_id", "created_at", "id", "kind", "amount", "gross",
                     "commission_rate", "commission", "quantity", "lot_id", "location_id",
                     "document_type", "document_id", "reference", "note")


class ConsignmentEntry(db.Model):
    """One immutable line of a cooperative's account with the platform."""

    __tablename__ = "consignment_entries"

    id = db.Column(db.Integer, primary_key=True)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    kind = db.Column(db.String(16), nullable=False)
    # Signed: + owed to the cooperative, - paid out or charged.
    amount = db.Column(Money, nullable=False)
    # For sales and refunds: the sale value, the frozen rate and the commission taken.
    gross = db.Column(Money)
    commission_rate = db.Column(Rate)
    commission = db.Column(Money)
    lot_id = db.Column(db.Integer, db.ForeignKey("lots.id"))
    quantity = db.Column(Quantity)
    location_id = db.Column(db.Integer, db.ForeignKey("locations.id"))
    document_type = db.Column(db.String(32))
    document_id = db.Column(db.Integer)
    reference = db.Column(db.String(120))
    note = db.Column(db.String(255))
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    # SHA-256 of the previous entry's hash (same cooperative, by id) and this entry's fields.
    chain_hash = db.Column(db.String(64))

    cooperative = db.relationship("Cooperative")
    lot = db.relationship("Lot")
    location = db.relationship("Location")

    __table_args__ = (
        db.CheckConstraint(
            "kind IN ('sale', 'refund', 'payout', 'fee', 'adjustment')", name="kind"),
        # Covering index (0008_perf_indexes): a balance before a date is an index-only sum and
        # a statement an index-only read in order, even over millions of rows (the entries of
        # one cooperative are scattered through the table: reading them row by row was most
        # of a year's statement). Every column a statement shows is in it.
        db.Index("ix_consignment_entries_statement", *STATEMENT_COLUMNS),
        db.Index("ix_consignment_entries_document", "document_type", "document_id"),
    )


class ConsignmentBalance(db.Model):
    """A cooperative's running totals of its entries, per kind: the balance without summing
    millions of rows. Only `post_entries` (models.consignment_posting) writes it, in the
    entries' own transaction, under the row's lock; `consignment_balance_mismatches` proves it
    equals the ledger's sums."""

    __tablename__ = "consignment_balances"

    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), primary_key=True)
    owed = db.Column(Money, nullable=False, default=0)         # sales and refunds
    fees = db.Column(Money, nullable=False, default=0)         # signed as entered (negative)
    paid = db.Column(Money, nullable=False, default=0)         # signed as entered (negative)
    adjustments = db.Column(Money, nullable=False, default=0)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The hash of the cooperative's last entry (models.books): the head of its chain, moved
    # under this row's lock by the posting that adds entries.
    chain_head = db.Column(db.String(64))


def consignment_balance_mismatches():
    """Cooperatives whose running totals differ from the sums of their entries (empty: sound)."""
    e = ConsignmentEntry
    sums = {r[0]: tuple(money(v or 0) for v in r[1:]) for r in db.session.execute(
        select(e.cooperative_id,
               func.sum(case((e.kind.in_(("sale", "refund")), e.amount), else_=0)),
               func.sum(case((e.kind == "fee", e.amount), else_=0)),
               func.sum(case((e.kind == "payout", e.amount), else_=0)),
               func.sum(case((e.kind == "adjustment", e.amount), else_=0))).group_by(e.cooperative_id))}
    b = ConsignmentBalance
    kept = {r[0]: tuple(money(v) for v in r[1:]) for r in db.session.execute(
        select(b.cooperative_id, b.owed, b.fees, b.paid, b.adjustments))}
    zero = (money(0),) * 4
    return [{"cooperative_id": c, "ledger": sums.get(c, zero), "kept": kept.get(c, zero)}
            for c in sorted(sums.keys() | kept.keys()) if sums.get(c, zero) != kept.get(c, zero)]


def balance(cooperative_id, until=None):
    """{"owed", "fees", "paid", "adjustments", "balance"} for a cooperative (entries before `until`).

    Now: one row of the running totals. Before a date: an indexed sum of the entries."""
    if until is None:
        b = ConsignmentBalance
        row = db.session.execute(select(b.owed, b.fees, b.paid, b.adjustments)
                                 .where(b.cooperative_id == cooperative_id)).first()
        owed, fees, paid, adjustments = (money(v) for v in (row or (0, 0, 0, 0)))
        return {"owed": owed, "fees": -fees, "paid": -paid, "adjustments": adjustments,
                "balance": owed + fees + paid + adjustments}
    e = ConsignmentEntry
    query = select(
        func.coalesce(func.sum(case((e.kind.in_(("sale", "refund")), e.amount), else_=0)), 0),
        func.coalesce(func.sum(case((e.kind == "fee", e.amount), else_=0)), 0),
        func.coalesce(func.sum(case((e.kind == "payout", e.amount), else_=0)), 0),
        func.coalesce(func.sum(case((e.kind == "adjustment", e.amount), else_=0)), 0),
    ).where(e.cooperative_id == cooperative_id)
    if until is not None:
        query = query.where(e.created_at < until)
    owed, fees, paid, adjustments = (money(v) for v in db.session.execute(query).one())
    return {"owed": owed, "fees": -fees, "paid": -paid, "adjustments": adjustments,
            "balance": owed + fees + paid + adjustments}


def set_packaging_fee(per_unit, user_id=None):
    """Set the packaging fee per unit (MAD, ≥ 0; 0 disables it). Returns the value."""
    from flask_babel import gettext as _

    try:
        value = Decimal(str(per_unit))
    except Exception:  # noqa: BLE001
        value = None
    if value is None or not value.is_finite() or value < 0 or value > 1000 or value != money(value):
        raise ValidationFailed(_("Enter a fee between 0 and 1000 dirhams, two decimals at most."),
                               fields={"per_unit": [_("Between 0 and 1000, two decimals at most.")]})
    setting = db.session.get(ConsignmentSetting, PACKAGING_FEE_KEY)
    if setting is None:
        setting = ConsignmentSetting(key=PACKAGING_FEE_KEY, value=str(value))
        db.session.add(setting)
    setting.value, setting.updated_at, setting.updated_by_id = str(money(value)), utcnow(), user_id
    db.session.flush()
    return money(value)


def chain_head(cooperative_id):
    """The hash of a cooperative's last entry (its chain's head), or None."""
    return db.session.execute(select(ConsignmentBalance.chain_head)
                              .where(ConsignmentBalance.cooperative_id == cooperative_id)).scalar()
