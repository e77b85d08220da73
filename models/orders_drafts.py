"""Drafting an order: a buyer's lines checked, priced (its price list, else the retail price)
and frozen, where it is served from, and a draft's lines replaced. Nothing touches the ledger
before confirmation (models/orders_posting.py). Flush, never commit.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.errors import ValidationFailed
from models.orders import FULFILMENTS, Buyer, Order, OrderLine, PriceListItem, order_number
from models.orders_audit import lines_text, record
from models.orders_posting import clean_quantity, lock_order, require_state
from models.stock import KIND_SHOP, KIND_WAREHOUSE, Location
from models.types import money

MAX_LINES = 200


def unit_prices(buyer, product_ids):
    """{product id: unit price before tax} for a buyer: its price list where it names the
    product, else the product's retail price."""
    prices = {p.id: p.retail_price for p in db.session.execute(
        select(Product).where(Product.id.in_(product_ids))).scalars()}
    if buyer.price_list_id:
        for item in db.session.execute(select(PriceListItem).where(
                PriceListItem.price_list_id == buyer.price_list_id,
                PriceListItem.product_id.in_(product_ids))).scalars():
            prices[item.product_id] = item.unit_price
    return prices


def _clean_lines(buyer, lines):
    """Validate [{product_id, quantity}] into OrderLine rows with frozen prices (one line per
    product: repeated products are added up)."""
    if not lines:
        raise ValidationFailed(_("An order needs at least one line."), code="empty",
                               fields={"lines": [_("An order needs at least one line.")]})
    if len(lines) > MAX_LINES:
        raise ValidationFailed(_("Too many lines."), fields={"lines": [str(len(lines))]})
    wanted, errors = {}, {}
    for index, line in enumerate(lines):
        try:
            product_id = int(line.get("product_id"))
        except (TypeError, ValueError):
            errors[str(index)] = [_("Choose a product.")]
            continue
        try:
            qty = clean_quantity(line.get("quantity"), "quantity")
        except ValidationFailed as exc:
            errors[str(index)] = [exc.message]
            continue
        wanted[product_id] = wanted.get(product_id, Decimal(0)) + qty
    products = {p.id: p for p in db.session.execute(
        select(Product).where(Product.id.in_(wanted))).scalars()} if wanted else {}
    prices = unit_prices(buyer, list(wanted)) if wanted else {}
    for index, line in enumerate(lines):
        pid = line.get("product_id")
        try:
            pid = int(pid)
        except (TypeError, ValueError):
            continue
        product = products.get(pid)
        if product is None or not product.active:
            errors[str(index)] = [_("Unknown product.")]
        elif prices.get(pid) is None:
            errors[str(index)] = [_("This product has no price: it cannot be ordered.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted lines."), fields={"lines": errors})
    return [OrderLine(product_id=pid, quantity=qty, unit_price=money(prices[pid]))
            for pid, qty in wanted.items()]


def serving_locations():
    """Where orders are served from: the warehouse zones and the shops (pick-up)."""
    return db.session.execute(select(Location).where(
        Location.kind.in_((KIND_WAREHOUSE, KIND_SHOP)), Location.active.is_(True))
        .order_by(Location.kind.desc(), Location.name_fr)).scalars().all()


def create_order(*, buyer_id, location_id, lines, fulfilment="delivery", user_id=None,
                 note=None, delivery_address=None):
    """A draft order for a buyer, served from `location_id`; prices frozen now."""
    buyer = db.session.get(Buyer, buyer_id) if buyer_id else None
    if buyer is None or not buyer.active:
        raise ValidationFailed(_("Unknown buyer."), fields={"buyer_id": [str(buyer_id)]})
    location = db.session.get(Location, location_id) if location_id else None
    if location is None or location.kind not in (KIND_WAREHOUSE, KIND_SHOP) or not location.active:
        raise ValidationFailed(_("Orders are served from a warehouse zone or a shop."),
                               fields={"location_id": [str(location_id)]})
    if fulfilment not in FULFILMENTS:
        raise ValidationFailed(_("Delivery or pick-up?"), fields={"fulfilment": [str(fulfilment)]})
    if fulfilment == "pickup" and location.kind != KIND_SHOP:
        raise ValidationFailed(_("A pick-up order is served from a shop."),
                               fields={"location_id": [str(location_id)]})
    order = Order(buyer_id=buyer.id, location_id=location.id, fulfilment=fulfilment,
                  state="draft", note=(note or None), created_by_id=user_id,
                  delivery_address=delivery_address or buyer.address)
    order.lines = _clean_lines(buyer, lines)
    db.session.add(order)
    db.session.flush()
    order.number = order_number(order.id)
    db.session.flush()
    record("create", order, user_id=user_id, number=order.number, buyer=buyer.name,
           location=location.code, fulfilment=fulfilment, lines=lines_text(order))
    return order


def replace_lines(order_id, lines):
    """A draft's lines, replaced (prices frozen again at today's prices)."""
    order = lock_order(order_id)
    require_state(order, "draft")
    new_lines = _clean_lines(order.buyer, lines)
    before = lines_text(order)
    order.lines.clear()
    db.session.flush()
    order.lines.extend(new_lines)
    db.session.flush()
    record("update", order, before={"lines": before}, lines=lines_text(order))
    return order
