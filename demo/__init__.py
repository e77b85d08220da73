"""Demo data for Tadamon: cooperatives of the Oriental region, their products, the platform's
warehouse zones, shops and solidarity stands, and one user per role.

`seed_demo()` goes through the master-data services (the same rules as the admin pages and the
API), flushes and never commits: the caller commits. Running it again updates the same rows
(matched by registration number, SKU, location code and username) rather than duplicating them.

Every name, phone number, registration number, bank account and barcode here is fictitious.
The GTINs use Morocco's GS1 prefix 611 followed by an invented company prefix; their check digits
are real, so scanners and label printers accept them.
"""
from sqlalchemy import select

from demo.data import BUYER_USERS, BUYERS, COOPERATIVES, LOCATIONS, PRODUCTS, USERS
from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.masterdata import (
    ensure_virtual_locations,
    save_cooperative,
    save_location,
    save_product,
)
from models.stock import Location
from models.users import User

# (username, password, role, what the login is for) — printed by `flask seed-demo`.
DEMO_LOGINS = [
    ("admin", "demo-admin", "admin", "Administratrice de la plateforme"),
    ("operateur", "demo-operateur", "operator", "Magasinier – Plateforme logistique de l'Oriental"),
    ("caissier", "demo-caissier", "cashier", "Caissier – Boutique aéroport Oujda-Angad"),
    ("caissier.stand", "demo-stand", "cashier",
     "Caissière des stands solidaires Oujda et Berkane (interface en arabe)"),
    ("coop.figuig", "demo-figuig", "cooperative", "Coopérative Zenaga des dattes de Figuig"),
    ("coop.taourirt", "demo-taourirt", "cooperative", "Coopérative Zit Al Khayr – Taourirt (huile d'olive)"),
    ("observatoire", "demo-observatoire", "observer",
     "Observatoire régional de l'ESS – rapports et carte (agrégats seulement)"),
    ("acheteur.hotel", "demo-hotel", "buyer",
     "Acheteuse – Hôtel Les Orangers, Oujda (catalogue, commandes, factures)"),
]

# Invented GS1 company prefix under Morocco's 611 (611 + 9204), then a 5-digit item reference.
def _existing(model, column, value):
    """The row of `model` whose `column` equals `value`, or None (so a rerun updates it)."""
    return db.session.execute(select(model).where(column == value)).scalar()


def _seed_cooperatives():
    """Create or update the demo cooperatives; returns them by their module key."""
    by_key = {}
    for entry in COOPERATIVES:
        data = {k: v for k, v in entry.items() if k != "key"}
        current = _existing(Cooperative, Cooperative.registration_number,
                            data["registration_number"])
        by_key[entry["key"]] = save_cooperative(data, current)
    return by_key


def _seed_products():
    """Create or update the demo catalogue; returns the products."""
    products = []
    for data in PRODUCTS:
        current = _existing(Product, Product.sku, data["sku"])
        products.append(save_product(dict(data), current))
    return products


def _seed_locations():
    """Ensure the virtual locations, then create or update the real ones; returns them by code."""
    ensure_virtual_locations()
    by_code = {}
    for data in LOCATIONS:
        current = _existing(Location, Location.code, data["code"])
        by_code[data["code"]] = save_location(dict(data), current)
    return by_code


def _seed_buyers():
    """Create or update the demo buyers; returns them by their module key."""
    from models.orders import Buyer

    by_key = {}
    for entry in BUYERS:
        data = {k: v for k, v in entry.items() if k != "key"}
        buyer = _existing(Buyer, Buyer.name, data["name"]) or Buyer()
        for name, value in data.items():
            setattr(buyer, name, value)
        db.session.add(buyer)
        by_key[entry["key"]] = buyer
    db.session.flush()
    return by_key


def _seed_users(cooperatives, locations):
    """Create or update one user per role (and a few more), tied to shops or a cooperative."""
    passwords = {username: password for username, password, _role, _what in DEMO_LOGINS}
    buyers = _seed_buyers()
    users = []
    for username, full_name, role, locale, shop_codes, coop_key in USERS:
        user = _existing(User, User.username, username) or User(username=username)
        user.full_name = full_name
        user.role = role
        user.locale = locale
        user.active = True
        user.cooperative_id = cooperatives[coop_key].id if coop_key else None
        user.buyer_id = buyers[BUYER_USERS[username]].id if username in BUYER_USERS else None
        user.shops = [locations[code] for code in shop_codes]
        user.set_password(passwords[username])
        db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def seed_demo(activity=True):
    """Load the demo data through the master-data services; flush only, the caller commits.

    Callable on an empty database (the system locations may already exist) and again on a
    seeded one, which it updates in place. With `activity`, each feature area adds a few
    weeks of life (receptions, packaging runs, transfers, sales...) through its own
    `<area>/demo.py` `seed(summary)`, always via the services. Returns counts.
    """
    cooperatives = _seed_cooperatives()
    products = _seed_products()
    locations = _seed_locations()
    users = _seed_users(cooperatives, locations)
    summary = {
        "cooperatives": len(cooperatives),
        "products": len(products),
        "products with GTIN": sum(1 for p in products if p.gtin),
        "locations": len(locations),
        "users": len(users),
    }
    if activity:
        _seed_activity(summary)
    return summary


def _seed_activity(summary):
    """Let each feature area add its demo activity, in the order goods flow."""
    import importlib
    import importlib.util

    from flask import current_app

    for area in current_app.config["AREAS"]:
        if importlib.util.find_spec(f"{area}.demo") is None:
            continue  # an area without demo activity of its own
        importlib.import_module(f"{area}.demo").seed(summary)
