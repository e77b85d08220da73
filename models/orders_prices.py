"""Price lists: negotiated prices for some buyers (a hotel, a grocer). A product's price on
the buyer's list replaces its retail price when an order is drafted (orders_drafts.unit_prices).

`save_price_list` creates or changes one list: its name and the prices of some products, all
checked before anything is written (a bad price names its product; nothing half-written), and
the change recorded in the audit log in the same transaction. Flush, never commit."""
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select

from extensions import db
from models import audit
from models.catalogue import Product
from models.errors import NotFound, ValidationFailed
from models.orders import Buyer, PriceList, PriceListItem
from models.orders_audit import number_text
from models.types import money

MAX_PRICE = Decimal(10) ** 7


def clean_price(value):
    """A unit price as money: a number ≥ 0, below ten million, two decimals at most; None
    stays None (the product leaves the list). ValidationFailed otherwise."""
    if value is None:
        return None
    try:
        price = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        price = None
    if price is None or not price.is_finite() or price < 0 or price >= MAX_PRICE \
            or price != price.quantize(Decimal("0.01")):
        raise ValidationFailed(_("A price is a number from 0, two decimals at most."),
                               fields={"unit_price": [str(value)]})
    return money(price)


def _clean_name(name, price_list_id):
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_("Give the price list a name (120 characters at most)."),
                               fields={"name": [_("Give the price list a name (120 characters at most).")]})
    taken = db.session.execute(select(PriceList.id).where(
        func.lower(PriceList.name) == name.lower(), PriceList.id != (price_list_id or 0))).scalar()
    if taken:
        raise ValidationFailed(_("Another price list already has this name."),
                               fields={"name": [_("Another price list already has this name.")]})
    return name


def save_price_list(price_list_id=None, *, name=None, prices=None, user_id=None):
    """Create (no id) or change a price list. `name`: None keeps it (required for a new list);
    `prices` maps product id → unit price before tax (None: the product leaves the list);
    products not named keep their price. Returns the list."""
    price_list = None
    if price_list_id is not None:
        price_list = db.session.get(PriceList, price_list_id)
        if price_list is None:
            raise NotFound(_("Unknown price list."))
    if price_list is None or name is not None:
        name = _clean_name(name, price_list_id)
    wanted, errors = {}, {}
    for key, value in (prices or {}).items():
        try:
            product_id = int(key)
        except (TypeError, ValueError):
            errors[str(key)] = [_("Unknown product.")]
            continue
        try:
            wanted[product_id] = clean_price(value)
        except ValidationFailed as exc:
            errors[str(key)] = [exc.message]
    products = {p.id: p for p in db.session.execute(
        select(Product).where(Product.id.in_(wanted))).scalars()} if wanted else {}
    for product_id in wanted:
        if product_id not in products:
            errors[str(product_id)] = [_("Unknown product.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted prices."), fields={"prices": errors})

    created = price_list is None
    before, after = {}, {}
    if created:
        price_list = PriceList(name=name)
        db.session.add(price_list)
        after["name"] = name
    elif name is not None and name != price_list.name:
        before["name"], after["name"] = price_list.name, name
        price_list.name = name
    items = {item.product_id: item for item in price_list.items}
    for product_id, price in sorted(wanted.items()):
        item, field = items.get(product_id), f"price {products[product_id].sku}"
        old = item.unit_price if item is not None else None
        if price is None and item is not None:
            price_list.items.remove(item)
        elif price is not None and item is None:
            price_list.items.append(PriceListItem(product_id=product_id, unit_price=price))
        elif price is not None and money(item.unit_price) != price:
            item.unit_price = price
        else:
            continue
        if not created:
            before[field] = None if old is None else number_text(money(old))
        if price is not None:
            after[field] = number_text(price)
    db.session.flush()
    if created or before or after:
        audit.record("create" if created else "update", "price_list", price_list.id,
                     before=before or None, after=after or None,
                     **({} if user_id is None else {"user_id": user_id}))
    return price_list


def buyers_using(price_list_id):
    """The buyers whose orders take this list's prices, by name."""
    return db.session.execute(select(Buyer).where(Buyer.price_list_id == price_list_id)
                              .order_by(Buyer.name)).scalars().all()


def price_lists():
    """[(price list, number of buyers using it)] by name."""
    counts = dict(db.session.execute(select(Buyer.price_list_id, func.count(Buyer.id))
                                     .where(Buyer.price_list_id.is_not(None))
                                     .group_by(Buyer.price_list_id)).all())
    return [(pl, counts.get(pl.id, 0)) for pl in db.session.execute(
        select(PriceList).order_by(PriceList.name)).scalars()]
