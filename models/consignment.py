"""The consignment ledger: what each cooperative is owed, line by line, immutable.

Amounts are signed from the cooperative's point of view: a sale adds what it is owed
(line total less the commission, at the rate frozen at the time of sale), a refund
reverses it, a fee or a payout takes away. The balance is the sum.
"""
from decimal import Decimal

from sqlalchemy import case, func, select

from extensions import db
from models.cooperatives import Cooperative, utcnow
from models.errors import ValidationFailed
from models.settings import setting
from models.types import Money, Quantity, Rate, money

ENTRY_KINDS = ("sale", "refund", "payout", "fee", "adjustment")


class CommissionRule(db.Model):
    """A commission rate: platform-wide (no cooperative) or per cooperative, optionally per
    product category. The most specific rule wins."""

    __tablename__ = "commission_rules"

    id = db.Column(db.Integer, primary_key=True)
    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"))
    category = db.Column(db.String(32))
    rate = db.Column(Rate, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.UniqueConstraint("cooperative_id", "category", name="uq_commission_rules_scope"),
        db.CheckConstraint("rate >= 0 AND rate < 1", name="rate_range"),
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
    millions of rows. Only `post_entries` writes it, in the entries' own transaction, under
    the row's lock; `consignment_balance_mismatches` proves it equals the ledger's sums."""

    __tablename__ = "consignment_balances"

    cooperative_id = db.Column(db.Integer, db.ForeignKey("cooperatives.id"), primary_key=True)
    owed = db.Column(Money, nullable=False, default=0)         # sales and refunds
    fees = db.Column(Money, nullable=False, default=0)         # signed as entered (negative)
    paid = db.Column(Money, nullable=False, default=0)         # signed as entered (negative)
    adjustments = db.Column(Money, nullable=False, default=0)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)


BUCKETS = {"sale": "owed", "refund": "owed", "fee": "fees", "payout": "paid", "adjustment": "adjustments"}


def pick_rate(rules, own_rate, cooperative_id, category, default):
    """The commission rule, written once. Most specific first: the (cooperative, category)
    rule, the cooperative's own rate, the cooperative's rule for every category, the
    (platform, category) rule, the platform rule, then the configured default.

    `rules` maps (cooperative_id or None, category or None) to a rate."""
    if category is not None and (cooperative_id, category) in rules:
        return rules[(cooperative_id, category)]
    if own_rate is not None:
        return own_rate
    if (cooperative_id, None) in rules:
        return rules[(cooperative_id, None)]
    if category is not None and (None, category) in rules:
        return rules[(None, category)]
    if (None, None) in rules:
        return rules[(None, None)]
    return default


def default_commission_rate():
    """The configured rate when no rule and no cooperative rate applies."""
    return Decimal(setting("DEFAULT_COMMISSION_RATE"))


def commission_rates_for(pairs):
    """The rates in force now for (cooperative, category) pairs, in two queries."""
    coop_ids = {c for c, _cat in pairs}
    rules = {(r.cooperative_id, r.category): r.rate for r in db.session.execute(
        select(CommissionRule.cooperative_id, CommissionRule.category, CommissionRule.rate)
        .where(CommissionRule.cooperative_id.in_(coop_ids) | CommissionRule.cooperative_id.is_(None)))}
    own = dict(db.session.execute(
        select(Cooperative.id, Cooperative.commission_rate).where(Cooperative.id.in_(coop_ids))).all())
    default = default_commission_rate()
    return {(coop, category): pick_rate(rules, own.get(coop), coop, category, default)
            for coop, category in pairs}


def commission_rate_for(cooperative_id, category=None):
    """The rate in force now for a cooperative and a product category (see `pick_rate`)."""
    return commission_rates_for({(cooperative_id, category)})[(cooperative_id, category)]


def sale_entry_values(gross, rate):
    """(commission, owed) for a sale line of value `gross` at `rate`, to the centime."""
    gross = money(gross)
    commission = money(gross * Decimal(rate))
    return commission, gross - commission


def post_entries(entries):
    """Write consignment entries (dicts of ConsignmentEntry columns) through Core, in the
    caller's transaction. Sale and refund entries must carry gross, rate and commission."""
    if not entries:
        return
    now = utcnow()
    rows = []
    for e in entries:
        if e.get("kind") not in ENTRY_KINDS:
            raise ValidationFailed("Unknown consignment entry kind", fields={"kind": [str(e.get("kind"))]})
        row = {c.name: None for c in ConsignmentEntry.__table__.columns if c.name != "id"}
        row.update(e)
        row["created_at"] = row["created_at"] or now
        row["amount"] = money(row["amount"])
        rows.append(row)
    db.session.execute(ConsignmentEntry.__table__.insert(), rows)
    _add_to_balances(rows, now)
    from models.report_summaries import add_entries  # the reports' daily sums, same transaction

    add_entries(rows)


def _add_to_balances(rows, now):
    """Add the entries to their cooperatives' running totals, in cooperative order so two
    writers never deadlock (the row stays locked until the caller commits)."""
    zero = Decimal(0)
    deltas = {}
    for row in rows:
        bucket = deltas.setdefault(row["cooperative_id"], {
            "cooperative_id": row["cooperative_id"], "owed": zero, "fees": zero, "paid": zero,
            "adjustments": zero, "updated_at": now})
        bucket[BUCKETS[row["kind"]]] += row["amount"]
    # One prepared upsert, executed for every cooperative in id order (executemany: the rows
    # are still taken one after the other, in that order); untouched buckets add zero.
    db.session.execute(_balance_upsert(db.session.get_bind().dialect.name),
                       [deltas[coop] for coop in sorted(deltas)])


_UPSERTS = {}


def _balance_upsert(dialect):
    """INSERT … ON CONFLICT (cooperative_id) DO UPDATE adding every bucket: built once per
    dialect (building it per call cost more than running it)."""
    if dialect not in _UPSERTS:
        from sqlalchemy.dialects import postgresql, sqlite

        table = ConsignmentBalance.__table__
        stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        buckets = sorted(set(BUCKETS.values()))
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["cooperative_id"],
            set_={**{k: table.c[k] + stmt.excluded[k] for k in buckets},
                  "updated_at": stmt.excluded.updated_at})
    return _UPSERTS[dialect]


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


def sale_line_entry(*, cooperative_id, category, gross, lot_id, quantity, location_id,
                    document_type, document_id, user_id=None, at=None, kind="sale", rate=None):
    """The entry (a dict for `post_entries`) a sold or refunded line makes, not yet posted."""
    rate = commission_rate_for(cooperative_id, category) if rate is None else Decimal(rate)
    commission, owed = sale_entry_values(gross, rate)
    sign = Decimal(-1) if kind == "refund" else Decimal(1)
    return {
        "cooperative_id": cooperative_id, "kind": kind, "created_at": at,
        "amount": sign * owed, "gross": sign * money(gross), "commission_rate": rate,
        "commission": sign * commission, "lot_id": lot_id, "quantity": quantity,
        "location_id": location_id, "document_type": document_type,
        "document_id": document_id, "user_id": user_id,
    }


def record_sale_line(**kwargs):
    """The entry a sold (or refunded, kind='refund') line makes: owed = gross less commission.

    A refund passes the sale's frozen `rate` and is written with negative amounts. Several
    lines of one document: build them with `sale_line_entry` and post them in one call.
    Returns (rate, commission, owed).
    """
    entry = sale_line_entry(**kwargs)
    post_entries([entry])
    sign = Decimal(-1) if entry["kind"] == "refund" else Decimal(1)
    return entry["commission_rate"], sign * entry["commission"], sign * entry["amount"]


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


def charge_packaging_fee(*, cooperative_id, units, document_id, user_id=None, at=None):
    """The packaging fee a packaging run charges its cooperative: units × fee per unit.

    The fee per unit is the admin's setting (ConsignmentSetting "packaging_fee_per_unit"),
    else PACKAGING_FEE_PER_UNIT from the config (zero: no fee). Returns the fee charged.
    """
    per_unit = packaging_fee_per_unit()
    fee = money(per_unit * Decimal(units))
    if fee > 0:
        post_entries([{
            "cooperative_id": cooperative_id, "kind": "fee", "amount": -fee,
            "quantity": Decimal(units), "document_type": "packaging_run",
            "document_id": document_id, "user_id": user_id, "created_at": at,
            "note": "packaging fee",
        }])
    return fee


def _clean_rate(rate, field="rate"):
    """A rate as a Decimal in [0, 1) with at most four decimals, else ValidationFailed."""
    from flask_babel import gettext as _

    try:
        value = Decimal(str(rate))
    except Exception:  # noqa: BLE001 - InvalidOperation and friends
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= 1 \
            or value != value.quantize(Decimal("0.0001")):
        raise ValidationFailed(_("A rate is between 0 and 0.9999 (0.15 for 15%)."),
                               fields={field: [_("Between 0 and 0.9999, four decimals at most.")]})
    return value


def set_commission_rate(*, cooperative_id=None, category=None, rate):
    """Set a commission rate for a scope; `rate` None removes it (the next rule applies).

    The cooperative's own rate (no category) lives on Cooperative.commission_rate; every
    other scope is a CommissionRule. Sales already recorded keep their frozen rate.
    """
    from flask_babel import gettext as _

    from models.catalogue import CATEGORIES
    from models.errors import NotFound

    if category is not None and category not in CATEGORIES:
        raise ValidationFailed(_("Unknown category."), fields={"category": [str(category)]})
    value = None if rate is None else _clean_rate(rate)
    if cooperative_id is not None:
        coop = db.session.get(Cooperative, cooperative_id)
        if coop is None:
            raise NotFound(_("Unknown cooperative."), fields={"cooperative_id": [str(cooperative_id)]})
        if category is None:
            coop.commission_rate = value
            db.session.flush()
            return value
    scope = [CommissionRule.category.is_(None) if category is None else CommissionRule.category == category,
             CommissionRule.cooperative_id.is_(None) if cooperative_id is None
             else CommissionRule.cooperative_id == cooperative_id]
    rule = db.session.execute(select(CommissionRule).where(*scope)).scalars().first()
    if value is None:
        if rule is not None:
            db.session.delete(rule)
    elif rule is None:
        db.session.add(CommissionRule(cooperative_id=cooperative_id, category=category, rate=value))
    else:
        rule.rate = value
    db.session.flush()
    return value


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
