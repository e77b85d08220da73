"""Who is acting, for the audit log: the signed-in user (session or bearer token) and the
request's address, handed to models.audit (which never reads the request itself). Also the
template helpers of the shared history macro (templates/audit/_history.html)."""
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import audit
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
    app.jinja_env.filters["audit_time"] = local_datetime
    app.jinja_env.globals["audit_action_label"] = lambda a: ACTION_LABELS.get(a, a)
    app.jinja_env.globals["audit_object_label"] = lambda o: OBJECT_LABELS.get(o, o)
    app.jinja_env.globals["loss_kind_label"] = lambda k: LOSS_KIND_LABELS.get(k, k)
    app.jinja_env.globals["compensation_status_label"] = lambda s: STATUS_LABELS.get(s, s)
