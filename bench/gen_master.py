"""Master data for the benchmark region: the demo's, topped up to 50 cooperatives, 500
products and 20 outlets (warehouse zones + shops/stands), one cashier per shop.

Called inside an app context on a freshly migrated database; writes through the ORM (a few
hundred rows) and commits. Returns a `Region` the row generator works from.
"""
import random
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.catalogue import CATEGORIES, Product
from models.cooperatives import Cooperative
from models.stock import Location
from models.users import User

N_COOPERATIVES = 50
N_PRODUCTS = 500
N_ZONES = 4
N_SHOPS = 16
PROVINCES = ("Oujda-Angad", "Berkane", "Nador", "Driouch", "Taourirt", "Jerada", "Figuig", "Guercif")
# Bulk unit per category (crafts are received and sold by the piece, packaged as a unit too).
CATEGORY_UOM = {"olive_oil": "l", "crafts": "kg"}
CASHIER_PASSWORD = "bench-caisse"


@dataclass
class Region:
    """Ids and attributes the generator needs, in plain Python."""

    zones: list = field(default_factory=list)          # warehouse location ids
    shops: list = field(default_factory=list)          # [(location id, code)]
    cashier_of: dict = field(default_factory=dict)     # shop id -> cashier user id
    coops: list = field(default_factory=list)          # cooperative ids
    bulk: list = field(default_factory=list)           # [(product id, sku, uom, category, coop id)]
    units: list = field(default_factory=list)          # [(product id, sku, bulk index, net, price, category, shelf)]
    virtual: dict = field(default_factory=dict)        # code -> location id
    operator_id: int = None
    admin_id: int = None


def _add_cooperatives(rng, now):
    """Top the demo's cooperatives up to N_COOPERATIVES."""
    have = db.session.execute(select(Cooperative.id)).scalars().all()
    for n in range(len(have), N_COOPERATIVES):
        total = rng.randint(8, 120)
        db.session.add(Cooperative(
            name_fr=f"Coopérative banc d'essai n° {n + 1}", name_ar=f"تعاونية تجريبية رقم {n + 1}",
            registration_number=f"BENCH-{n + 1:04d}", province=rng.choice(PROVINCES),
            members_total=total, members_women=total // 3, members_youth=total // 4,
            commission_rate=rng.choice([None, Decimal("0.10"), Decimal("0.12"), Decimal("0.15")]),
            active=True, created_at=now))
    db.session.flush()


def _add_products(rng, now):
    """Top the catalogue up to N_PRODUCTS: one bulk product for three packaged units."""
    have = db.session.execute(select(Product.id)).scalars().all()
    missing = N_PRODUCTS - len(have)
    n_bulk = missing // 4
    cats = [c for c in CATEGORIES if c != "other"]
    for b in range(n_bulk):
        cat = cats[b % len(cats)]
        uom = CATEGORY_UOM.get(cat, "kg")
        sku = f"{cat[:3].upper()}-G{b:04d}-VRAC"
        db.session.add(Product(sku=sku, name_fr=f"{cat} vrac n° {b}", name_ar=f"منتوج سائب رقم {b}",
                               category=cat, kind="bulk", uom=uom, shelf_life_days=540,
                               active=True, created_at=now))
    for u in range(missing - n_bulk):
        b = u % n_bulk
        cat = cats[b % len(cats)]
        uom = CATEGORY_UOM.get(cat, "kg")
        net = (Decimal("0.250"), Decimal("0.500"), Decimal("1.000"))[(u // n_bulk) % 3]
        price = Decimal(rng.randrange(2000, 20000, 50)) / 100
        db.session.add(Product(sku=f"{cat[:3].upper()}-G{b:04d}-U{u:04d}", name_fr=f"{cat} {net} {uom} n° {u}",
                               name_ar=f"منتوج معبأ رقم {u}", category=cat, kind="unit", uom="pc",
                               net_content=net, content_uom=uom, retail_price=price,
                               shelf_life_days=365, active=True, created_at=now))
    db.session.flush()


def _add_locations():
    """Top the real outlets up to N_ZONES warehouse zones and N_SHOPS shops/stands."""
    def count(kind):
        return len(db.session.execute(select(Location.id).where(Location.kind == kind)).all())

    for n in range(count("warehouse"), N_ZONES):
        db.session.add(Location(code=f"WH-Z{n}", name_fr=f"Entrepôt – zone {n}", name_ar=f"المخزن – المنطقة {n}",
                                kind="warehouse", province="Oujda-Angad", active=True))
    for n in range(count("shop"), N_SHOPS):
        db.session.add(Location(code=f"STAND-B{n:02d}", name_fr=f"Stand solidaire n° {n}",
                                name_ar=f"رواق تضامني رقم {n}", kind="shop",
                                province=PROVINCES[n % len(PROVINCES)], active=True))
    db.session.flush()


def prepare_master(seed, now=None):
    """Add the master data, commit, and describe the region for the generator."""
    rng = random.Random(seed)
    now = now or datetime(2025, 11, 1)
    _add_cooperatives(rng, now)
    _add_products(rng, now)
    _add_locations()
    region = Region()
    region.virtual = dict(db.session.execute(select(Location.code, Location.id)).all())
    region.zones = db.session.execute(select(Location.id).where(Location.kind == "warehouse")
                                      .order_by(Location.id)).scalars().all()
    region.shops = [tuple(r) for r in db.session.execute(
        select(Location.id, Location.code).where(Location.kind == "shop").order_by(Location.id))]
    # One cashier per shop; the password hash is computed once (scrypt is slow by design).
    template = User(username="x", role="cashier")
    template.set_password(CASHIER_PASSWORD)
    shops = {loc.id: loc for loc in db.session.execute(select(Location).where(Location.kind == "shop")).scalars()}
    for shop_id, code in region.shops:
        name = f"caisse.{code.lower()}"
        user = db.session.execute(select(User).where(User.username == name)).scalar()
        if user is None:
            user = User(username=name, role="cashier", full_name=f"Caisse {code}", locale="fr",
                        password_hash=template.password_hash, active=True, created_at=now)
            user.shops = [shops[shop_id]]
            db.session.add(user)
            db.session.flush()
        region.cashier_of[shop_id] = user.id
    region.operator_id = db.session.execute(select(User.id).where(User.role == "operator")).scalars().first()
    region.admin_id = db.session.execute(select(User.id).where(User.role == "admin")).scalars().first()
    region.coops = db.session.execute(select(Cooperative.id).order_by(Cooperative.id)).scalars().all()
    # Generated products only: their bulk → unit pairing is known (demo products stay idle).
    bulk_rows = db.session.execute(select(Product).where(Product.sku.like("%-G%-VRAC"))
                                   .order_by(Product.id)).scalars().all()
    index = {p.sku.rsplit("-", 1)[0]: i for i, p in enumerate(bulk_rows)}
    for i, p in enumerate(bulk_rows):
        region.bulk.append((p.id, p.sku, p.uom, p.category, region.coops[i % len(region.coops)]))
    for p in db.session.execute(select(Product).where(Product.sku.like("%-G%-U%"))
                                .order_by(Product.id)).scalars():
        region.units.append((p.id, p.sku, index[p.sku.rsplit("-", 1)[0]], p.net_content,
                             p.retail_price, p.category, p.shelf_life_days))
    db.session.commit()
    return region
