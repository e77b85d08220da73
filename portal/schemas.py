"""Marshmallow schemas of the consignment API. Decimals travel as strings, times in UTC."""
import marshmallow as ma
from marshmallow import validate as v

from web.fields import ID, Dec, Int
from models.catalogue import CATEGORIES
from models.consignment import CHANNELS
from models.consignment_payouts import PAYOUT_METHODS

class BalanceSchema(ma.Schema):
    """What a cooperative is owed (sales less commission, net of refunds), was charged in
    fees, was paid, and the balance: owed − fees − paid + adjustments."""

    class Meta:
        ordered = True

    cooperative_id = ma.fields.Integer(required=True)
    owed = Dec(required=True)
    fees = Dec(required=True)
    paid = Dec(required=True)
    adjustments = Dec(required=True)
    balance = Dec(required=True)


class PeriodArgsSchema(ma.Schema):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD: whole days in Africa/Casablanca time, both included.
    Missing: the current month so far."""

    class Meta:
        unknown = ma.EXCLUDE

    date_from = ma.fields.Date(data_key="from")
    date_to = ma.fields.Date(data_key="to")


class StatementArgsSchema(PeriodArgsSchema):
    """The period and the format of a statement."""

    format = ma.fields.String(load_default="json", validate=v.OneOf(("json", "pdf", "csv")))


class StatementEntrySchema(ma.Schema):
    """One line of a statement and the balance after it."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    kind = ma.fields.String(required=True)
    amount = Dec(required=True)
    running_balance = Dec(required=True)
    gross = Dec(allow_none=True)
    commission_rate = Dec(allow_none=True)
    commission = Dec(allow_none=True)
    quantity = Dec(allow_none=True)
    lot_id = ma.fields.Integer(allow_none=True)
    lot_code = ma.fields.String(allow_none=True)
    product = ma.fields.String(allow_none=True)
    location_id = ma.fields.Integer(allow_none=True)
    location = ma.fields.String(allow_none=True)
    document_type = ma.fields.String(allow_none=True)
    document_id = ma.fields.Integer(allow_none=True)
    document = ma.fields.String(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)


class StatementSchema(ma.Schema):
    """A period's statement: opening balance + entries = closing balance. `start` and `end`
    are the period's bounds in UTC ([start, end)); the next period starts at this `end`."""

    class Meta:
        ordered = True

    cooperative_id = ma.fields.Integer(required=True)
    date_from = ma.fields.Date(required=True, data_key="from")
    date_to = ma.fields.Date(required=True, data_key="to")
    start = ma.fields.AwareDateTime(required=True)
    end = ma.fields.AwareDateTime(required=True)
    opening_balance = Dec(required=True)
    entries = ma.fields.List(ma.fields.Nested(StatementEntrySchema), required=True)
    closing_balance = Dec(required=True)
    totals = ma.fields.Dict(keys=ma.fields.String(), values=Dec(), required=True)


class StatementPageArgsSchema(PeriodArgsSchema):
    """The period, and where the page starts: `cursor` as the previous page's `next_cursor`
    gave it (none: the period's first page); `limit` entries a page (500 by default)."""

    cursor = ma.fields.String(validate=v.Length(max=1000))
    limit = ma.fields.Integer(load_default=500, validate=v.Range(1, 2000))


class StatementPageSchema(ma.Schema):
    """One page of a period's statement, in the statement's order (time, then id):
    `opening_balance` is the running balance before the page's first entry, each entry
    carries the balance after it, `closing_balance` is the balance after the page's last
    entry (the next page's opening). `next_cursor` fetches the next page; null on the last
    page, whose closing balance is the period's. Pages concatenated are the whole statement."""

    class Meta:
        ordered = True

    cooperative_id = ma.fields.Integer(required=True)
    date_from = ma.fields.Date(required=True, data_key="from")
    date_to = ma.fields.Date(required=True, data_key="to")
    start = ma.fields.AwareDateTime(required=True)
    end = ma.fields.AwareDateTime(required=True)
    opening_balance = Dec(required=True)
    entries = ma.fields.List(ma.fields.Nested(StatementEntrySchema), required=True)
    closing_balance = Dec(required=True)
    limit = ma.fields.Integer(required=True)
    has_more = ma.fields.Boolean(required=True)
    next_cursor = ma.fields.String(allow_none=True, required=True)


class PayoutCreateSchema(ma.Schema):
    """A payout to record. More than the balance needs `override_reason`."""

    cooperative_id = Int(required=True, **ID)
    amount = Dec(required=True, validate=v.Range(0, 10_000_000, min_inclusive=False))
    method = ma.fields.String(required=True, validate=v.OneOf(PAYOUT_METHODS))
    reference = ma.fields.String(allow_none=True, validate=v.Length(max=120))
    paid_on = ma.fields.Date(allow_none=True)
    override_reason = ma.fields.String(allow_none=True, validate=v.Length(max=255))


class PayoutSchema(ma.Schema):
    """A recorded payout."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    cooperative_id = ma.fields.Integer(required=True)
    amount = Dec(required=True)
    paid_on = ma.fields.Date(required=True)
    method = ma.fields.String(required=True)
    reference = ma.fields.String(allow_none=True)
    override_reason = ma.fields.String(allow_none=True)
    balance_before = Dec(required=True)
    balance_after = Dec(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class PayoutListArgsSchema(ma.Schema):
    """Filters of GET /payouts."""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=v.Range(1, 1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=v.Range(1, 500))
    cooperative_id = ma.fields.Integer(**ID)


class SalesArgsSchema(PeriodArgsSchema):
    """Filters of GET /cooperatives/{id}/sales (no period: all time)."""

    page = ma.fields.Integer(load_default=1, validate=v.Range(1, 1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=v.Range(1, 500))
    location_id = ma.fields.Integer(**ID)


class SaleLineSchema(ma.Schema):
    """A sale or refund of the cooperative's goods, as its consignment entry records it."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    kind = ma.fields.String(required=True)
    location_id = ma.fields.Integer(allow_none=True)
    location = ma.fields.String(allow_none=True)
    lot_id = ma.fields.Integer(allow_none=True)
    lot_code = ma.fields.String(allow_none=True)
    product = ma.fields.String(allow_none=True)
    quantity = Dec(allow_none=True)
    unit_price = Dec(allow_none=True)
    gross = Dec(allow_none=True)
    commission_rate = Dec(allow_none=True)
    commission = Dec(allow_none=True)
    owed = Dec(required=True)
    document_type = ma.fields.String(allow_none=True)
    document_id = ma.fields.Integer(allow_none=True)


class OverviewItemSchema(BalanceSchema):
    """One cooperative's line of the overview."""

    name_fr = ma.fields.String(required=True)
    name_ar = ma.fields.String(required=True)
    province = ma.fields.String(required=True)


class OverviewSchema(ma.Schema):
    """Every cooperative's balance and the totals."""

    items = ma.fields.List(ma.fields.Nested(OverviewItemSchema), required=True)
    totals = ma.fields.Dict(keys=ma.fields.String(), values=Dec(), required=True)


class OverviewArgsSchema(ma.Schema):
    """?sort=name|owed|fees|paid|balance&dir=asc|desc"""

    class Meta:
        unknown = ma.EXCLUDE

    sort = ma.fields.String(load_default="name",
                            validate=v.OneOf(("name", "owed", "fees", "paid", "balance")))
    dir = ma.fields.String(load_default="asc", validate=v.OneOf(("asc", "desc")))


class CommissionRuleSchema(ma.Schema):
    """A commission rate for a scope. No cooperative: the platform; no category: every
    category; no channel: every channel. `rate` null removes the rate of that scope. The most
    specific applies (cooperative before platform, then category, then channel)."""

    class Meta:
        ordered = True

    # null for a cooperative's own rate (kept on the cooperative, not a rule row).
    id = ma.fields.Integer(dump_only=True, allow_none=True)
    cooperative_id = Int(allow_none=True, **ID)
    category = ma.fields.String(allow_none=True, validate=v.OneOf(CATEGORIES))
    # null: every channel; "till", "delivery" (orders delivered), "pickup" (orders picked up).
    channel = ma.fields.String(allow_none=True, validate=v.OneOf(CHANNELS))
    # From which day the rate applies (today or later; default today). Never in the past.
    effective_from = ma.fields.Date(load_only=True, allow_none=True)
    rate = Dec(required=True, allow_none=True, places=4, validate=v.Range(0, 1, max_inclusive=False))


class CommissionRatesSchema(ma.Schema):
    """The rules in force and the packaging fee per unit."""

    rules = ma.fields.List(ma.fields.Nested(CommissionRuleSchema), required=True)
    packaging_fee_per_unit = Dec(required=True)


class PackagingFeeSchema(ma.Schema):
    """The packaging fee per unit (MAD; 0: no fee)."""

    packaging_fee_per_unit = Dec(required=True, places=2, validate=v.Range(0, 1000))
