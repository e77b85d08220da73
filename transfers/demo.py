"""Demo activity of the transfers area: if the warehouse's demo put packaged goods in stock
(WH-STOCK / WH-PACK), replenish the airport shop and the stands from it through the services
(requests, FEFO fulfilment, dispatch, receipt with a breakage, a return). Without warehouse
stock it does nothing."""
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import transfers_replenishment, transfers_posting
from models.catalogue import KIND_UNIT, Product
from models.stock import Location
from models.users import User


def _by_code(code):
    """A location by code, or None."""
    return db.session.execute(select(Location).where(Location.code == code)).scalar()


def _user_id(username):
    """A demo user's id, or None."""
    return db.session.execute(select(User.id).where(User.username == username)).scalar()


def _unit_products_in_stock(zones):
    """{(zone id, product id): unexpired quantity} of packaged products on hand in the zones."""
    found = {}
    products = db.session.execute(select(Product).where(Product.kind == KIND_UNIT)
                                  .order_by(Product.id)).scalars().all()
    for zone in zones:
        for product in products:
            qty = sum((q for _lot, q in transfers_posting.fefo_lots(product.id, zone.id)), start=Decimal(0))
            if qty >= 2:
                found[(zone.id, product.id)] = qty
    return found


def _ship(source, shop, wanted, operator, receiver, *, receive=True, broken=False, request=True):
    """Request (optionally), fulfil or draft, dispatch and receive one shipment; returns it."""
    shop_user = receiver if request else operator
    if request:
        req = transfers_replenishment.create_request(shop.id, [{"product_id": p, "quantity": q}
                                                     for p, q in wanted.items()],
                                           note="Réassort hebdomadaire", user_id=shop_user)
        transfer, _short = transfers_replenishment.fulfil_request(req.id, from_location_id=source.id,
                                                        user_id=operator)
    else:
        lines, _short = transfers_posting.propose_fefo(source.id, wanted)
        transfer = transfers_posting.create_transfer(source.id, shop.id, lines, user_id=operator)
    transfers_posting.dispatch_transfer(transfer.id, user_id=operator)
    if receive:
        lines = []
        if broken:
            first = transfer.lines[0]
            lines = [{"lot_id": first.lot_id, "quantity_received": first.quantity - 1,
                      "reason": "1 unité cassée pendant le transport"}]
        transfers_posting.receive_transfer(transfer.id, lines, user_id=receiver)
    return transfer


def seed(summary):
    """Add a few weeks of transfers when the warehouse holds packaged goods; else nothing."""
    zones = db.session.execute(select(Location).where(Location.kind == "warehouse")
                               .order_by(Location.code)).scalars().all()
    stock = _unit_products_in_stock(zones)
    if not stock:
        return
    operator, cashier, stand_cashier = (_user_id("operateur"), _user_id("caissier"),
                                        _user_id("caissier.stand"))
    plan = [("SHOP-AIRPORT", cashier, dict(receive=True, broken=True)),
            ("STAND-OUJDA", stand_cashier, dict(receive=True)),
            ("STAND-BERKANE", stand_cashier, dict(receive=False)),
            ("STAND-NADOR", operator, dict(receive=True, request=False))]
    shipped = 0
    for shop_code, receiver, options in plan:
        shop = _by_code(shop_code)
        if shop is None:
            continue
        # Each shop gets up to four products from each zone, a quarter of what it holds.
        for zone in zones:
            wanted = {}
            for (zone_id, product_id), qty in stock.items():
                if zone_id == zone.id and len(wanted) < 4:
                    share = (qty / 4).to_integral_value()
                    if share >= 2:
                        wanted[product_id] = share
                        stock[(zone_id, product_id)] = qty - share
            if wanted:
                _ship(zone, shop, wanted, operator, receiver or operator, **options)
                shipped += 1
    airport, warehouse = _by_code("SHOP-AIRPORT"), _by_code("WH-STOCK")
    if airport is not None and warehouse is not None and shipped:
        on_hand = [(lot, q) for p in {p for _z, p in stock}
                   for lot, q in transfers_posting.fefo_lots(p, airport.id) if q >= 2]
        if on_hand:
            lot, _q = on_hand[0]
            ret = transfers_posting.create_transfer(airport.id, warehouse.id,
                                               [{"lot_id": lot.id, "quantity": Decimal(1)}],
                                               note="Invendu – retour entrepôt", user_id=cashier)
            transfers_posting.dispatch_transfer(ret.id, user_id=cashier)
            transfers_posting.receive_transfer(ret.id, [], user_id=operator)
            shipped += 1
    # An open request the operators will see on their list.
    stand = _by_code("STAND-OUJDA")
    product_id = next(iter(stock))[1]
    if stand is not None:
        transfers_replenishment.create_request(stand.id, [{"product_id": product_id, "quantity": Decimal(12)}],
                                     note="Pour le week-end", user_id=stand_cashier)
    db.session.flush()
    summary["transfers"] = shipped
