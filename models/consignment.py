"""The consignment ledger: what each cooperative is owed, line by line, immutable.

Amounts are signed from the cooperative's point of view: a sale adds what it is owed
(line total less the commission, at the rate frozen at the time of sale), a refund
reverses it, a fee or a payout takes away. The balance is the sum.
"""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, or_, select

from extensions import db
from models import rawsql
from models.cooperatives import Cooperative, utcnow
from models.errors import ValidationFailed
from models.settings import setting
from models.books import chain_hash, entry_values
from models.types import CENT, MILLI, Money, Quantity, Rate, money

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


# The rate a scope had before its first recorded change is recorded as in force since then.
BEGINNING = date(2000, 1, 1)


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
    millions of rows. Only `post_entries` writes it, in the entries' own transaction, under
    the row's lock; `consignment_balance_mismatches` proves it equals the ledger's sums."""

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


BUCKETS = {"sale": "owed", "refund": "owed", "fee": "fees", "payout": "paid", "adjustment": "adjustments"}


def pick_rate(rules, own_rate, cooperative_id, category, default, channel=None):
    """The commission rule, written once. Most specific first; the cooperative outranks the
    category, which outranks the channel:

    1. cooperative + category + channel      5. platform + category + channel
    2. cooperative + category                6. platform + category
    3. cooperative + channel                 7. platform + channel
    4. the cooperative's own rate, then      8. platform
       its rule for every category           9. the configured default

    `rules` maps (cooperative_id or None, category or None, channel or None) to a rate; a
    `channel` of None (a compensation's consignment value) skips the channel rules."""
    for coop in (cooperative_id, None):
        scopes = []
        if category is not None and channel is not None:
            scopes.append((coop, category, channel))
        if category is not None:
            scopes.append((coop, category, None))
        if channel is not None:
            scopes.append((coop, None, channel))
        for scope in scopes:
            if scope in rules:
                return rules[scope]
        if coop is not None and own_rate is not None:
            return own_rate
        if (coop, None, None) in rules:
            return rules[(coop, None, None)]
    return default


def default_commission_rate():
    """The configured rate when no rule and no cooperative rate applies."""
    return Decimal(setting("DEFAULT_COMMISSION_RATE"))


RATE_ROWS = (
    "SELECT 'change', cooperative_id, category, channel, rate, effective_from, id "
    "FROM commission_rate_changes WHERE cooperative_id IN ({ids}) OR cooperative_id IS NULL "
    "UNION ALL SELECT 'rule', cooperative_id, category, channel, rate, CAST(NULL AS DATE), id "
    "FROM commission_rules WHERE cooperative_id IN ({ids}) OR cooperative_id IS NULL "
    "UNION ALL SELECT 'own', id, CAST(NULL AS VARCHAR(32)), CAST(NULL AS VARCHAR(16)), "
    "commission_rate, CAST(NULL AS DATE), id FROM cooperatives WHERE id IN ({ids})")


def _rate_rows(coop_ids, as_of):
    """The changes (all dates: a scope with any change is decided by its changes alone), the
    rules and the cooperatives' own rates, in one round trip:
    (source, cooperative, category, channel, rate, effective_from, id). Run on the driver
    (models.rawsql): the till calls this on every sale."""
    ids, params = rawsql.in_list("coop", sorted(coop_ids) or [0])
    return [(source, coop, category, channel, rawsql.dec(rate, 4), rawsql.day(effective), row_id)
            for source, coop, category, channel, rate, effective, row_id
            in rawsql.execute(RATE_ROWS.format(ids=ids), params).fetchall()]


def commission_rates_for(pairs, as_of=None, channel=None):
    """The rates in force on `as_of` (default: today in Morocco) for (cooperative, category)
    pairs sold through `channel` ("till", "delivery", "pickup"; None: the rate of no channel
    in particular), in one query. A scope's latest change effective by then decides; a scope
    without one keeps its rule (or the cooperative's own rate); `pick_rate` chooses among
    scopes."""
    from models.stock_codes import shop_today

    as_of = as_of or shop_today()
    coop_ids = {c for c, _cat in pairs}
    rules, own, latest, changed = {}, {}, {}, set()
    for source, coop, category, chan, rate, effective, row_id in _rate_rows(coop_ids, as_of):
        if source == "change":
            key = (coop, category, chan)
            changed.add(key)
            if effective <= as_of and (key not in latest or (effective, row_id) > latest[key][:2]):
                latest[key] = (effective, row_id, rate)
        elif source == "rule":
            rules[(coop, category, chan)] = rate
        else:
            own[coop] = rate
    for key in changed:
        coop, category, chan = key
        rate = latest[key][2] if key in latest else None
        if coop is not None and category is None and chan is None:
            own[coop] = rate  # the cooperative's own rate, every category and channel
        elif rate is None:
            rules.pop(key, None)
        else:
            rules[key] = rate
    default = default_commission_rate()
    return {(coop, category): pick_rate(rules, own.get(coop), coop, category, default, channel)
            for coop, category in pairs}


def rate_history(cooperative_id=None):
    """Every recorded change of rate (all scopes, or a cooperative's and the platform's),
    newest decision first."""
    ch = CommissionRateChange
    query = select(ch).order_by(ch.effective_from.desc(), ch.id.desc())
    if cooperative_id is not None:
        query = query.where(or_(ch.cooperative_id == cooperative_id, ch.cooperative_id.is_(None)))
    return db.session.execute(query).scalars().all()


def commission_rate_for(cooperative_id, category=None, channel=None):
    """The rate in force now for a cooperative, a product category and a channel (see
    `pick_rate`)."""
    return commission_rates_for({(cooperative_id, category)}, channel=channel)[(cooperative_id, category)]


def sale_entry_values(gross, rate):
    """(commission, owed) for a sale line of value `gross` at `rate`, to the centime."""
    gross = money(gross)
    commission = money(gross * Decimal(rate))
    return commission, gross - commission


_SCALES = {"amount": CENT, "gross": CENT, "commission": CENT, "quantity": MILLI,
           "commission_rate": Decimal("0.0001")}


def post_entries(entries):
    """Write consignment entries (dicts of ConsignmentEntry columns) through Core, in the
    caller's transaction. Sale and refund entries must carry gross, rate and commission.

    Each entry is chained (models.books): the cooperatives' running balance rows are locked
    first, in id order, and their chain heads move with the totals."""
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
        # The values as the database keeps them (its scale), so the hash reads them back alike.
        for name, scale in _SCALES.items():
            if row[name] is not None:
                row[name] = Decimal(row[name]).quantize(scale, rounding=ROUND_HALF_UP)
        rows.append(row)
    heads = _lock_heads({row["cooperative_id"] for row in rows})
    for row in rows:
        row["chain_hash"] = heads[row["cooperative_id"]] = chain_hash(
            heads.get(row["cooperative_id"]), entry_values(row))
    rawsql.insert("consignment_entries", rows)
    _add_to_balances(rows, now, heads)
    from models.report_summaries import add_entries  # the reports' daily sums, same transaction

    add_entries(rows)


LOCK_HEADS = ("SELECT cooperative_id, chain_head FROM consignment_balances "
              "WHERE cooperative_id IN ({ids}) ORDER BY cooperative_id")


def _lock_heads(coop_ids):
    """{cooperative: chain head} with the running balance rows locked FOR UPDATE in id order
    (created when missing, so two first postings of a cooperative cannot fork its chain)."""
    _raw, dialect = rawsql.connection()

    def read(wanted):
        ids, params = rawsql.in_list("coop", sorted(wanted))
        sql = LOCK_HEADS.format(ids=ids) + (" FOR UPDATE" if dialect == "postgresql" else "")
        return dict(rawsql.execute(sql, params).fetchall())

    heads = read(coop_ids)
    missing = set(coop_ids) - heads.keys()
    if missing:
        zero = Decimal(0)
        rawsql.executemany(
            "INSERT INTO consignment_balances (cooperative_id, owed, fees, paid, adjustments, updated_at) "
            "VALUES (:cooperative_id, :owed, :fees, :paid, :adjustments, :updated_at) "
            "ON CONFLICT (cooperative_id) DO NOTHING",
            [{"cooperative_id": c, "owed": zero, "fees": zero, "paid": zero, "adjustments": zero,
              "updated_at": utcnow()} for c in sorted(missing)])
        heads.update(read(missing))
    return heads


# INSERT … ON CONFLICT (cooperative_id) DO UPDATE adding every bucket (SQLite and PostgreSQL).
BALANCE_UPSERT = (
    "INSERT INTO consignment_balances (cooperative_id, owed, fees, paid, adjustments, updated_at, "
    "chain_head) VALUES (:cooperative_id, :owed, :fees, :paid, :adjustments, :updated_at, :chain_head) "
    "ON CONFLICT (cooperative_id) DO UPDATE SET owed = consignment_balances.owed + excluded.owed, "
    "fees = consignment_balances.fees + excluded.fees, paid = consignment_balances.paid + excluded.paid, "
    "adjustments = consignment_balances.adjustments + excluded.adjustments, "
    "updated_at = excluded.updated_at, chain_head = excluded.chain_head")


def _add_to_balances(rows, now, heads):
    """Add the entries to their cooperatives' running totals and move their chain heads, in
    cooperative order so two writers never deadlock (the row stays locked until the caller
    commits)."""
    zero = Decimal(0)
    deltas = {}
    for row in rows:
        bucket = deltas.setdefault(row["cooperative_id"], {
            "cooperative_id": row["cooperative_id"], "owed": zero, "fees": zero, "paid": zero,
            "adjustments": zero, "updated_at": now, "chain_head": heads[row["cooperative_id"]]})
        bucket[BUCKETS[row["kind"]]] += row["amount"]
    # One prepared upsert, executed for every cooperative in id order (executemany: the rows
    # are still taken one after the other, in that order); untouched buckets add zero.
    rawsql.executemany(BALANCE_UPSERT, [deltas[coop] for coop in sorted(deltas)])


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


def _scope(model, cooperative_id, category, channel):
    """The WHERE clauses of one scope (None: the column IS NULL)."""
    return [model.cooperative_id.is_(None) if cooperative_id is None else model.cooperative_id == cooperative_id,
            model.category.is_(None) if category is None else model.category == category,
            model.channel.is_(None) if channel is None else model.channel == channel]


def _scope_rule(cooperative_id, category, channel=None):
    return db.session.execute(select(CommissionRule).where(
        *_scope(CommissionRule, cooperative_id, category, channel))).scalars().first()


def append_rate_change(*, cooperative_id, category, old_rate, rate, effective_from, user_id=None,
                       channel=None):
    """Append a change of a scope's rate; a scope's first change also records the rate it had
    before (in force since BEGINNING), so the history answers for any date."""
    ch = CommissionRateChange
    scope = _scope(ch, cooperative_id, category, channel)
    if old_rate is not None and db.session.execute(select(ch.id).where(*scope).limit(1)).scalar() is None:
        db.session.add(ch(cooperative_id=cooperative_id, category=category, channel=channel,
                          rate=old_rate, effective_from=BEGINNING, user_id=user_id))
    db.session.add(ch(cooperative_id=cooperative_id, category=category, channel=channel, rate=rate,
                      effective_from=effective_from, user_id=user_id))


def set_commission_rate(*, cooperative_id=None, category=None, channel=None, rate,
                        effective_from=None, user_id=None):
    """Set a commission rate for a scope (cooperative or platform, category or every one,
    channel or every one) from `effective_from` (default today; never before today: a change
    never rewrites the past); `rate` None removes it (the next rule applies, `pick_rate`).

    The change is appended to the history (CommissionRateChange). When it takes effect today,
    the scope's current rate is also kept where the pages read it: the cooperative's own rate
    (no category, no channel) on Cooperative.commission_rate, every other scope in a
    CommissionRule. Sales and delivered order lines already recorded keep their frozen rate.
    """
    from flask_babel import gettext as _

    from models.catalogue import CATEGORIES
    from models.errors import NotFound
    from models.stock_codes import shop_today

    if category is not None and category not in CATEGORIES:
        raise ValidationFailed(_("Unknown category."), fields={"category": [str(category)]})
    if channel is not None and channel not in CHANNELS:
        raise ValidationFailed(_("Unknown channel."), fields={"channel": [str(channel)]})
    value = None if rate is None else _clean_rate(rate)
    today = shop_today()
    effective_from = effective_from or today
    if not isinstance(effective_from, date) or effective_from < today:
        raise ValidationFailed(_("A new rate takes effect today or later, never in the past."),
                               fields={"effective_from": [_("Today or later.")]})
    coop = None
    if cooperative_id is not None:
        coop = db.session.get(Cooperative, cooperative_id)
        if coop is None:
            raise NotFound(_("Unknown cooperative."), fields={"cooperative_id": [str(cooperative_id)]})
    own = coop is not None and category is None and channel is None
    rule = None if own else _scope_rule(cooperative_id, category, channel)
    old = coop.commission_rate if own else (rule.rate if rule else None)
    append_rate_change(cooperative_id=cooperative_id, category=category, channel=channel,
                       old_rate=old, rate=value, effective_from=effective_from, user_id=user_id)
    if effective_from > today:
        db.session.flush()
        return value
    if own:
        coop.commission_rate = value
    elif value is None:
        if rule is not None:
            db.session.delete(rule)
    elif rule is None:
        db.session.add(CommissionRule(cooperative_id=cooperative_id, category=category,
                                      channel=channel, rate=value))
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


def chain_head(cooperative_id):
    """The hash of a cooperative's last entry (its chain's head), or None."""
    return db.session.execute(select(ConsignmentBalance.chain_head)
                              .where(ConsignmentBalance.cooperative_id == cooperative_id)).scalar()
