"""The orders' states and kinds, named in the reader's language (pages and flash messages)."""
from flask_babel import lazy_gettext as _l

from orders import bp
from web.audit import label_values

STATE_LABELS = {
    "draft": _l("Draft"), "confirmed": _l("Confirmed"), "prepared": _l("Prepared"),
    "shipped": _l("Shipped"), "ready_for_pickup": _l("Ready for pick-up"),
    "delivered": _l("Delivered"), "invoiced": _l("Invoiced"), "cancelled": _l("Cancelled"),
}
label_values("order", "state", STATE_LABELS)  # the audit log names them too (an order's history)
STATE_BADGES = {"draft": "text-bg-secondary", "confirmed": "text-bg-primary",
                "prepared": "text-bg-info", "shipped": "text-bg-warning",
                "ready_for_pickup": "text-bg-warning", "delivered": "text-bg-success",
                "invoiced": "text-bg-dark", "cancelled": "text-bg-danger"}
FULFILMENT_LABELS = {"delivery": _l("Delivery"), "pickup": _l("Pick-up at a shop")}
BUYER_KIND_LABELS = {"business": _l("Business"), "private": _l("Private customer (pick-up)")}
INVOICE_KIND_LABELS = {"invoice": _l("Invoice"), "credit_note": _l("Credit note")}
BUYER_PAYMENT_LABELS = {"bank_transfer": _l("Bank transfer"), "cheque": _l("Cheque"),
                        "cash": _l("Cash"), "card": _l("Card"), "mobile": _l("Mobile money")}


STAFF_NAV = [("orders.index", _l("Orders")), ("orders.buyers", _l("Buyers")),
             ("orders.invoices", _l("Invoices")), ("orders.price_lists", _l("Price lists"))]
# Pages of the staff's tabs that only some staff roles open.
NAV_ROLES = {"orders.price_lists": ("admin",)}
BUYER_NAV = [("orders.catalogue", _l("Catalogue")), ("orders.mine", _l("My orders")),
             ("orders.invoices", _l("Invoices and balance"))]


def orders_nav():
    """The area's tabs for this user (only the pages that exist)."""
    from flask import current_app, url_for
    from flask_login import current_user

    entries = BUYER_NAV if current_user.role == "buyer" else STAFF_NAV
    return [(endpoint, url_for(endpoint), label) for endpoint, label in entries
            if endpoint in current_app.view_functions
            and current_user.role in NAV_ROLES.get(endpoint, (current_user.role,))]


@bp.app_context_processor
def state_labels():
    """Templates name order states, fulfilments and buyer kinds in the reader's language."""
    return {"order_state": lambda s: STATE_LABELS.get(s, s),
            "order_badge": lambda s: STATE_BADGES.get(s, "text-bg-light"),
            "fulfilment_label": lambda f: FULFILMENT_LABELS.get(f, f),
            "buyer_kind_label": lambda k: BUYER_KIND_LABELS.get(k, k),
            "invoice_kind_label": lambda k: INVOICE_KIND_LABELS.get(k, k),
            "payment_method_label": lambda m: BUYER_PAYMENT_LABELS.get(m, m),
            "orders_nav": orders_nav, "orders_has": _has_page,
            "pickups_waiting": _pickups_waiting}


def _pickups_waiting(location_id):
    """How many pick-up orders wait at a shop (the cashier's screen shows it)."""
    from orders.pickup_views import waiting_pickups

    return len(waiting_pickups({location_id}))


def _has_page(endpoint):
    """True when the page exists (the area's pages arrive step by step)."""
    from flask import current_app

    return endpoint in current_app.view_functions
