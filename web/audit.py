"""Who is acting, for the audit log: the signed-in user (session or bearer token) and the
request's address, handed to models.audit (which never reads the request itself). Also the
template helpers of the shared history macro (templates/audit/_history.html)."""
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from models import audit
from web import locale
from web.labels import (CATEGORY_LABELS, CHANNEL_LABELS, LOCATION_KIND_LABELS, PAYMENT_METHOD_LABELS,
                        PAYOUT_METHOD_LABELS, PRODUCT_KIND_LABELS, ROLE_LABELS, UOM_LABELS)
from web.locale import moment as locale_moment



ACTION_LABELS = {
    "create": _l("created"), "update": _l("changed"), "delete": _l("deleted"),
    "login": _l("signed in"), "login_failed": _l("failed sign-in"),
    "token_created": _l("API token issued"), "token_revoked": _l("API token revoked"),
    "reverse": _l("reversed"), "approve": _l("approved"), "reject": _l("rejected"),
    # orders (models/orders_audit.py)
    "confirm": _l("confirmed"), "pack": _l("packed"), "prepare": _l("prepared"),
    "ship": _l("shipped"), "ready": _l("ready for pick-up"), "deliver": _l("delivered"),
    "invoice": _l("invoiced"), "cancel": _l("cancelled"), "issue": _l("issued"),
    "payment": _l("payment received"), "credit_note": _l("credit note issued"),
}
OBJECT_LABELS = {
    "product": _l("Product"), "cooperative": _l("Cooperative"), "location": _l("Location"),
    "user": _l("User"), "commission_rule": _l("Commission rule"), "commission_rate": _l("Commission rate"),
    "setting": _l("Setting"), "lot": _l("Lot"), "api_token": _l("API token"), "payout": _l("Payout"),
    "stock_count": _l("Stock count"), "compensation": _l("Compensation"),
    "order": _l("Order"), "invoice": _l("Invoice or credit note"), "buyer": _l("Buyer"),
    "price_list": _l("Price list"),
}


LOSS_KIND_LABELS = {
    "transit_shortfall": _l("Short on arrival of a transfer"), "count_difference": _l("Stock count below the books"),
    "write_off": _l("Written off"), "refund_damaged": _l("Refund written off as damaged"),
    "packaging_waste": _l("Packaging waste (borne by the cooperative)"),
    "reception_rejected": _l("Rejected at reception (borne by the cooperative)"),
    "write_off_borne": _l("Written off: expired or defective (borne by the cooperative)"),
}
STATUS_LABELS = {"proposed": _l("To decide"), "approved": _l("Approved"), "rejected": _l("Rejected"),
                 "borne": _l("Borne by the cooperative"), "all": _l("All")}


# The fields the log records, named as the forms name them (an unknown field shows as its code).
FIELD_LABELS = {
    "active": _l("Active"), "address": _l("Address"), "allergens": _l("Allergens"),
    "amount": _l("Amount"), "balance_before": _l("Balance before"), "basis": _l("Basis"),
    "buyer_id": _l("Buyer"), "category": _l("Category"), "channel": _l("Channel"),
    "code": _l("Code"), "commission_rate": _l("Commission rate"), "contact_name": _l("Contact"),
    "content_uom": _l("Unit"), "cooperative_id": _l("Cooperative"), "created_at": _l("Created"),
    "decided_at": _l("Decided"), "decision_note": _l("Reason"), "description": _l("Description"),
    "effective_from": _l("Effective from"), "email": _l("Email"), "full_name": _l("Full name"),
    "gtin": _l("GTIN (EAN-13)"), "locale": _l("Language"), "location_id": _l("Location"),
    "loss_kind": _l("Loss"), "lot_id": _l("Lot"), "members_total": _l("Members"),
    "method": _l("Method"), "name": _l("Name"), "name_ar": _l("Name (Arabic)"),
    "name_fr": _l("Name (French)"), "net_content": _l("Net content per unit"), "note": _l("Note"),
    "override_reason": _l("Reason"), "paid_on": _l("Paid on"), "password_hash": _l("Password"),
    "payout_account": _l("Account (RIB)"), "payout_bank": _l("Bank"),
    "payout_holder": _l("Account holder"), "phone": _l("Phone"), "price_list_id": _l("Price list"),
    "product_id": _l("Product"), "province": _l("Province"), "quantity": _l("Quantity"),
    "rate": _l("Rate"), "reason": _l("Reason"), "reference": _l("Reference"),
    "registration_number": _l("Registration number"), "retail_price": _l("Retail price"),
    "role": _l("Role"), "shelf_life_days": _l("Shelf life (days)"), "shops": _l("Shops"),
    "sku": _l("SKU"), "state": _l("State"), "status": _l("Status"), "unit_value": _l("Unit value"),
    "uom": _l("Unit"), "username": _l("Username"), "best_before": _l("Best before"),
    "harvest_date": _l("Harvest date"), "kind": _l("Kind"),
}
# Codes among the values, named in the reader's language: by field, or by object and field.
VALUE_LABELS = {
    "role": ROLE_LABELS, "category": CATEGORY_LABELS, "uom": UOM_LABELS, "content_uom": UOM_LABELS,
    "channel": CHANNEL_LABELS, "loss_kind": LOSS_KIND_LABELS, "status": STATUS_LABELS,
    "method": {**PAYMENT_METHOD_LABELS, **PAYOUT_METHOD_LABELS},
}
OBJECT_VALUE_LABELS = {("product", "kind"): PRODUCT_KIND_LABELS, ("location", "kind"): LOCATION_KIND_LABELS}
INTERNAL_FIELDS = {"id", "session_version"}  # kept in the log and its CSV, not on pages
RATE_FIELDS = {"rate", "commission_rate"}
MONEY_FIELDS = {"retail_price", "amount", "unit_value", "balance_before", "price", "total"}
YES_NO_FIELDS = {"active"}
_DECIMAL = re.compile(r"^-?\d+\.(\d+)$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def label_values(object_type, field, labels):
    """An area names the codes of one of its objects' fields in the log (orders: their states)."""
    OBJECT_VALUE_LABELS[(object_type, field)] = labels


def field_label(field):
    """A recorded field's name in the reader's language (its code when the log has no name)."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else None


def value_text(object_type, field, value):
    """A recorded value as the reader reads it: codes named, times in the platform's time and
    dates, numbers and rates in the reader's language; anything else as it was recorded."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(value_text(object_type, field, v) for v in value) or "—"
    text = str(value)
    labels = OBJECT_VALUE_LABELS.get((object_type, field)) or VALUE_LABELS.get(field)
    if labels is not None and text in labels:
        return str(labels[text])
    if field in YES_NO_FIELDS and text in ("1", "0", "True", "False"):
        return str(_l("Yes") if text in ("1", "True") else _l("No"))
    if field == "locale":
        from flask import current_app

        return current_app.config["LANGUAGES"].get(text, text)
    try:
        if _MOMENT.match(text):
            return locale.moment(datetime.fromisoformat(text), seconds=True)
        if _DAY.match(text):
            return locale.day(date.fromisoformat(text))
        if field in RATE_FIELDS and (_DECIMAL.match(text) or text.isdigit()):
            return locale.percent(Decimal(text))
        if field in MONEY_FIELDS and (_DECIMAL.match(text) or text.lstrip("-").isdigit()):
            return locale.money(Decimal(text))
        match = _DECIMAL.match(text)
        if match:
            return locale.number(Decimal(text), places=len(match.group(1)))
    except (ValueError, InvalidOperation):
        pass
    return text


def changes_of(entry):
    """[(field, label or None, before text, after text)] of an audit entry, for pages (a field
    empty before and after, as most of a creation's, is left out)."""
    rows = [(field, field_label(field), value_text(entry.object_type, field, before),
             value_text(entry.object_type, field, after)) for field, before, after in entry.changes]
    return [row for row in rows if (row[2] != "—" or row[3] != "—") and row[0] not in INTERNAL_FIELDS]


def request_actor():
    """(user id or None, client address or None) of the request being served."""
    if not has_request_context():
        return None, None
    user = current_user if current_user and current_user.is_authenticated else None
    return (user.id if user is not None else None), request.remote_addr


def local_datetime(moment):
    """A stored UTC time in Morocco's time, formatted for the reader's language."""
    if moment is None:
        return ""
    return locale_moment(moment, seconds=True)


def history_of(obj, limit=50):
    """The audit entries of an object the log knows (newest first), or []."""
    kind = audit.object_type_of(obj)
    if kind is None or getattr(obj, "id", None) is None:
        return []
    return audit.history(kind, obj.id, limit=limit)


def register(app):
    """Let models.audit ask who is acting; give templates the history helpers."""
    audit.set_actor_source(request_actor)
    app.jinja_env.globals["audit_history_of"] = history_of
    app.jinja_env.globals["audit_changes_of"] = changes_of
    app.jinja_env.filters["audit_time"] = local_datetime
    app.jinja_env.globals["audit_action_label"] = lambda a: ACTION_LABELS.get(a, a)
    app.jinja_env.globals["audit_object_label"] = lambda o: OBJECT_LABELS.get(o, o)
    app.jinja_env.globals["loss_kind_label"] = lambda k: LOSS_KIND_LABELS.get(k, k)
    app.jinja_env.globals["compensation_status_label"] = lambda s: STATUS_LABELS.get(s, s)
