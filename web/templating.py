"""Template helpers: locale and direction, number and date formatting, the menu of each role."""
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.labels import MOVEMENT_LABELS, PLACE_KIND_LABELS, ROLE_LABELS, UOM_LABELS

# (endpoint, label, roles): only endpoints that exist are shown.
MENU = [
    ("admin.dashboard", _l("Dashboard"), {"admin"}),
    ("warehouse.index", _l("Warehouse"), {"admin", "operator"}),
    ("warehouse.stock", _l("Stock"), {"admin", "operator"}),
    ("transfers.index", _l("Transfers"), {"admin", "operator"}),
    ("orders.index", _l("Orders"), {"admin", "operator"}),
    ("orders.catalogue", _l("Catalogue"), {"buyer"}),
    ("orders.mine", _l("My orders"), {"buyer"}),
    ("orders.invoices", _l("Invoices and balance"), {"buyer"}),
    ("shop.index", _l("Point of sale"), {"cashier"}),
    ("transfers.shop_stock", _l("Shop stock"), {"cashier"}),
    ("transfers.requests", _l("Replenishment"), {"cashier"}),
    ("orders.pickups", _l("Pick-ups"), {"cashier"}),
    ("warehouse.write_offs", _l("Write-offs"), {"operator", "cashier"}),
    ("shop.offline_issues", _l("Offline sales to settle"), {"operator"}),
    ("portal.index", _l("My consignment"), {"cooperative"}),
    ("admin.cooperatives", _l("Cooperatives"), {"admin"}),
    ("admin.products", _l("Products"), {"admin"}),
    ("admin.locations", _l("Locations"), {"admin"}),
    ("admin.users", _l("Users"), {"admin"}),
    ("portal.overview", _l("Consignment"), {"admin"}),
    ("portal.payouts", _l("Payouts"), {"admin"}),
    ("portal.compensations", _l("Compensations"), {"admin"}),
    ("admin.audit_log", _l("Audit log"), {"admin"}),
    ("reports.index", _l("Reports"), {"admin", "observer"}),
    ("reports.map_page", _l("Map"), {"admin", "observer"}),
]
# The navbar's search box (a lot by code, GTIN or label scan): (endpoint, roles).
LOT_SEARCH = ("warehouse.find_lot", {"admin", "operator"})


def lot_search_url(user):
    """Where the navbar's lot search box sends, for a user who may use it; else None."""
    endpoint, allowed = LOT_SEARCH
    if user.is_authenticated and user.role in allowed and endpoint in current_app.view_functions:
        return url_for(endpoint)
    return None


def unit_label(code):
    """A unit of measure as a person reads it in their language (kg, litre, piece)."""
    label = UOM_LABELS.get(code)
    return str(label) if label is not None else (code or "")


def menu_for(user):
    """The menu entries a user may open."""
    if not user.is_authenticated:
        return []
    return [(url_for(endpoint), label) for endpoint, label, roles in MENU
            if user.role in roles and endpoint in current_app.view_functions]


def register(app):
    """Install filters and the context processor."""
    from web.locale import register as register_locale

    register_locale(app)  # money, qty, percent, day, moment...: the one locale layer
    app.jinja_env.filters["unit"] = unit_label
    app.jinja_env.filters["place_kind"] = lambda code: str(PLACE_KIND_LABELS.get(code, code or ""))
    from web import barcodes

    barcodes.register(app)  # barcode_svg(): Code 128 drawn inline on pages
    from web import lot_flags

    lot_flags.register(app)

    @app.context_processor
    def inject():
        locale = str(get_locale() or "fr")
        return {
            "current_locale": locale,
            "text_dir": "rtl" if locale == "ar" else "ltr",
            "languages": current_app.config["LANGUAGES"],
            "menu": menu_for(current_user),
            "lot_search_url": lot_search_url(current_user),
            "movement_label": lambda kind: MOVEMENT_LABELS.get(kind, kind),
            "role_label": lambda role: ROLE_LABELS.get(role, role),
            "localized": lambda obj: obj.name(locale) if obj is not None else "",
        }
