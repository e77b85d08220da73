"""The commission rule and the history of rates: which rate a cooperative's sale of a category
through a channel takes (`pick_rate`, written once), the rates in force on a day for many
pairs in one query (`commission_rates_for`), and an admin's change of a scope's rate from a
date on (`set_commission_rate`), appended to the history, never rewriting the past.

The tables are in models/consignment.py (CommissionRule, CommissionRateChange, and the
cooperative's own rate on Cooperative.commission_rate). Flush, never commit.
"""
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select

from extensions import db
from models import rawsql
from models.consignment import CHANNELS, CommissionRateChange, CommissionRule
from models.cooperatives import Cooperative
from models.errors import ValidationFailed
from models.settings import setting

# The rate a scope had before its first recorded change is recorded as in force since then.
BEGINNING = date(2000, 1, 1)



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
