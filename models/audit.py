"""The audit log: who changed what, when, from where, with the fields before → after.

Append-only (triggers refuse UPDATE and DELETE, see models.books) and written in the
transaction of the change it records, by `record` alone:
- explicitly, for events that are not a row edit (logins, failed logins, payouts reversed,
  compensations decided, count postings);
- from the session's flush, for the master data and settings edited through the ORM
  (products and prices, cooperatives with their bank details, locations, users with their
  roles and shops, commission rules, settings, lots, tokens, payouts, counts, compensations,
  buyers):
  one row per object created, changed or deleted, with the changed fields only.

Models never read the request: the web floor gives `set_actor_source` a function answering
(user id, address) for the request being served; explicit calls may pass both themselves.
"""
import json

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from extensions import db
from models.books import _text
from models.cooperatives import utcnow

# Values never written to the log, only the fact that they changed.
SECRET_FIELDS = {"password_hash", "token_hash"}
# Fields whose change is not worth a line (bookkeeping of the row itself).
IGNORED_FIELDS = {"updated_at", "last_used_at"}

_UNSET = object()
_actor_source = None


class AuditEntry(db.Model):
    """One recorded change or event. Never updated nor deleted."""

    __tablename__ = "audit_entries"

    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    address = db.Column(db.String(64))
    action = db.Column(db.String(40), nullable=False)
    object_type = db.Column(db.String(40), nullable=False)
    object_id = db.Column(db.String(40))
    before = db.Column(db.Text)
    after = db.Column(db.Text)

    user = db.relationship("User")

    __table_args__ = (db.Index("ix_audit_entries_object", "object_type", "object_id", "id"),)

    @property
    def before_data(self):
        """The fields before the change (a dict, empty for a creation)."""
        return json.loads(self.before) if self.before else {}

    @property
    def after_data(self):
        """The fields after the change (a dict, empty for a deletion)."""
        return json.loads(self.after) if self.after else {}

    @property
    def changes(self):
        """[(field, before, after)] in field order."""
        before, after = self.before_data, self.after_data
        return [(k, before.get(k), after.get(k)) for k in sorted(before.keys() | after.keys())]


def set_actor_source(function):
    """Let the web floor say who is acting: `function()` → (user id or None, address or None)."""
    global _actor_source
    _actor_source = function


def current_actor():
    """(user id, address) of the request being served, or (None, None) (CLI, tests)."""
    if _actor_source is None:
        return None, None
    try:
        return _actor_source()
    except Exception:  # noqa: BLE001 - no request, no signed-in user: nobody
        return None, None


def _json(data):
    if data is None:
        return None
    return json.dumps({k: _text(v) if not isinstance(v, (list, dict)) else v
                       for k, v in data.items()}, ensure_ascii=False, sort_keys=True)


def _row(action, object_type, object_id, before, after, user_id, address):
    if user_id is _UNSET or address is _UNSET:
        actor_id, actor_address = current_actor()
        user_id = actor_id if user_id is _UNSET else user_id
        address = actor_address if address is _UNSET else address
    return {"created_at": utcnow(), "user_id": user_id, "address": (address or None) and address[:64],
            "action": action[:40], "object_type": object_type[:40],
            "object_id": None if object_id is None else str(object_id)[:40],
            "before": _json(before), "after": _json(after)}


def record(action, object_type, object_id=None, before=None, after=None, user_id=_UNSET,
           address=_UNSET):
    """Write one audit entry in the caller's transaction. `before`/`after` are dicts of the
    fields concerned; user and address default to the request's (see `set_actor_source`)."""
    db.session.execute(insert(AuditEntry.__table__),
                       [_row(action, object_type, object_id, before, after, user_id, address)])


def history(object_type, object_id, limit=200):
    """An object's audit entries, newest first (what its page shows)."""
    return db.session.execute(
        db.select(AuditEntry).where(AuditEntry.object_type == object_type,
                                    AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.id.desc()).limit(limit)).scalars().all()


# --- recorded from the flush -----------------------------------------------------------------

def _audited():
    """class → (object type, record creations?) for the rows edited through the ORM."""
    from models.catalogue import Product
    from models.compensations import Compensation
    from models.consignment import CommissionRateChange, CommissionRule, ConsignmentSetting
    from models.consignment_payouts import Payout
    from models.cooperatives import Cooperative
    from models.orders import Buyer
    from models.stock import Location, Lot
    from models.transfers import StockCount
    from models.users import ApiToken, User

    return {Product: ("product", True), Cooperative: ("cooperative", True),
            Location: ("location", True), User: ("user", True),
            CommissionRule: ("commission_rule", True), ConsignmentSetting: ("setting", True),
            CommissionRateChange: ("commission_rate", True),
            Lot: ("lot", False), ApiToken: ("api_token", True), Payout: ("payout", True),
            StockCount: ("stock_count", False), Compensation: ("compensation", True),
            Buyer: ("buyer", True)}


_AUDITED = None


def _value(obj, attr):
    value = getattr(obj, attr.key)
    if attr.key in SECRET_FIELDS:
        return "***"
    return value


def _snapshot(obj):
    mapper = inspect(obj).mapper
    return {a.key: _value(obj, a) for a in mapper.column_attrs if a.key not in IGNORED_FIELDS}


def _relation_label(item):
    return getattr(item, "code", None) or getattr(item, "username", None) or str(getattr(item, "id", item))


def _diff(obj):
    """(before, after) of the changed fields of a persistent object."""
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        if attr.key in IGNORED_FIELDS:
            continue
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            before[attr.key] = "***" if attr.key in SECRET_FIELDS else old
            after[attr.key] = "***" if attr.key in SECRET_FIELDS else new
    for rel in state.mapper.relationships:
        if rel.secondary is None:
            continue
        hist = state.attrs[rel.key].history
        if hist.has_changes():
            before[rel.key] = sorted(_relation_label(i) for i in list(hist.unchanged or ()) + list(hist.deleted or ()))
            after[rel.key] = sorted(_relation_label(i) for i in list(hist.unchanged or ()) + list(hist.added or ()))
    return before, after


def _key(obj):
    """An object's id for the log (a setting's key)."""
    return inspect(obj).identity[0] if inspect(obj).identity else getattr(obj, "id", None)


def _token_row(token, created):
    if created:
        return _row("token_created", "user", token.user_id, None,
                    {"token_id": token.id, "name": token.name}, _UNSET, _UNSET)
    if token.revoked_at is not None and inspect(token).attrs["revoked_at"].history.has_changes():
        return _row("token_revoked", "user", token.user_id, None, {"token_id": token.id}, _UNSET, _UNSET)
    return None


@event.listens_for(Session, "after_flush")
def _record_flush(session, _context):
    """One entry per audited object the flush created, changed or deleted."""
    global _AUDITED
    if not (session.new or session.dirty or session.deleted):
        return
    if _AUDITED is None:
        _AUDITED = _audited()
    rows = []
    for obj in session.new:
        kind = _AUDITED.get(type(obj))
        if kind is None:
            continue
        if kind[0] == "api_token":
            rows.append(_token_row(obj, True))
        elif kind[1]:
            rows.append(_row("create", kind[0], _key(obj), None, _snapshot(obj), _UNSET, _UNSET))
    for obj in session.dirty:
        kind = _AUDITED.get(type(obj))
        if kind is None:
            continue
        if kind[0] == "api_token":
            rows.append(_token_row(obj, False))
            continue
        before, after = _diff(obj)
        if before or after:
            rows.append(_row("update", kind[0], _key(obj), before, after, _UNSET, _UNSET))
    for obj in session.deleted:
        kind = _AUDITED.get(type(obj))
        if kind is not None:
            rows.append(_row("delete", kind[0], _key(obj), _snapshot(obj), None, _UNSET, _UNSET))
    rows = [r for r in rows if r is not None]
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)


def _recorded_explicitly():
    """class → object type of the objects whose services write their entries themselves."""
    from models.orders import Invoice, Order, PriceList

    return {Order: "order", Invoice: "invoice", PriceList: "price_list"}


def object_type_of(obj):
    """The log's object type of an ORM object (None when it is not audited)."""
    global _AUDITED
    if _AUDITED is None:
        _AUDITED = _audited()
    kind = _AUDITED.get(type(obj))
    return kind[0] if kind else _recorded_explicitly().get(type(obj))
