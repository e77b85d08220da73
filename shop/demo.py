"""Demo activity at the shops: each shop holding stock gets a till opened by its cashier and a
few sales (cash, card, mobile, split), a refund, and yesterday's till closed with a small
difference. Goes through the services; flushes, never commits. Does nothing where no earlier
area put stock in a shop."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models.stock_codes import shop_today
from models.sales_cash_sessions import close_session, open_session
from models import clock
from models.errors import DomainError
from models.sales_posting import LineRequest, PaymentRequest, post_sale
from models.sales_refunds import RefundLineRequest, refund_sale
from models.stock import KIND_SHOP, Location, Lot, StockBalance
from models.users import User, user_shops

# (lines as [(lot index, quantity)], payment plan) of the demo sales at each shop.
BASKETS = [([(0, 1)], "cash"), ([(1, 2), (0, 1)], "card"), ([(2, 1)], "mobile"),
           ([(0, 1), (2, 1), (3, 1)], "split"), ([(4, 1)], "cash"), ([(5, 2), (3, 1)], "card")]


def _sellable_lots(location_id):
    """Lots with stock at the shop, priced and not expired, first-expiring first."""
    from models.catalogue import Product

    today = shop_today()
    return db.session.execute(
        select(Lot.id, StockBalance.quantity, Product.retail_price)
        .join(StockBalance, StockBalance.lot_id == Lot.id).join(Product, Product.id == Lot.product_id)
        .where(StockBalance.location_id == location_id, StockBalance.quantity >= 3,
               Product.retail_price.is_not(None), Product.uom == "pc",
               (Lot.best_before.is_(None)) | (Lot.best_before >= today))
        .order_by(Lot.best_before, Lot.id).limit(6)).all()


def _payments(total, plan):
    """Payments for a basket: cash rounded up to the next 50 MAD note, card, mobile or split."""
    if plan == "card":
        return [PaymentRequest("card", total)]
    if plan == "mobile":
        return [PaymentRequest("mobile", total)]
    if plan == "split":
        card = (total / 2).quantize(Decimal("1"))
        return [PaymentRequest("card", card), PaymentRequest("cash", total - card)]
    tendered = ((total // 50) + 1) * 50
    return [PaymentRequest("cash", tendered)]


def _cashier(location_id):
    """The first cashier working at this shop, or None."""
    return db.session.execute(
        select(User.id).join(user_shops, user_shops.c.user_id == User.id)
        .where(user_shops.c.location_id == location_id, User.role == "cashier", User.active)
        .order_by(User.id)).scalar()


def _sell_day(location_id, cashier_id, lots, at, tag, counted_offset):
    """One till: open, sell the baskets, refund one line, and close it when `counted_offset`
    is given (the counted cash is expected + offset)."""
    from flask import current_app

    session = open_session(location_id=location_id, cashier_id=cashier_id,
                           opening_float=Decimal("200"), at=at)
    sales = []
    for n, (basket, plan) in enumerate(BASKETS):
        lines = [LineRequest(quantity=Decimal(q), lot_id=lots[i % len(lots)].id) for i, q in basket]
        total = sum(Decimal(q) * lots[i % len(lots)].retail_price for i, q in basket)
        try:
            # A savepoint per sale: a sale refused half-way (not enough left of a lot) leaves
            # nothing behind, neither its row nor its receipt number (the books stay whole).
            with db.session.begin_nested():
                summary, _created = post_sale(
                    location_id=location_id, user_id=cashier_id, client_ref=f"demo-{tag}-{n}",
                    lines=lines, payments=_payments(total, plan),
                    max_discount_rate=current_app.config["MAX_LINE_DISCOUNT_RATE"],
                    at=at + timedelta(minutes=20 * (n + 1)))
        except DomainError:
            continue  # not enough left of a lot: the demo simply sells less
        sales.append(summary)
    if sales:
        first = sales[0]
        refund_sale(sale_id=first["id"], user_id=cashier_id, reason="Emballage abîmé (démo)",
                    lines=[RefundLineRequest(first["lines"][0]["id"], Decimal(1), True)],
                    at=at + timedelta(hours=3))
    if counted_offset is not None:
        from models.sales_cash_sessions import z_report

        expected = z_report(session)["expected_cash"]
        close_session(session_id=session.id, counted_cash=expected + counted_offset,
                      at=at + timedelta(hours=8))
    return len(sales)


def seed(summary):
    """Yesterday's closed till and today's open one at every shop that holds stock."""
    shops = db.session.execute(select(Location.id).where(Location.kind == KIND_SHOP,
                                                         Location.active)).scalars().all()
    made = 0
    for location_id in shops:
        lots = _sellable_lots(location_id)
        cashier_id = _cashier(location_id)
        if not lots or cashier_id is None:
            continue
        # 08:00 on Morocco's today (stored as naive UTC): yesterday's till is the local yesterday
        start = clock.local_midnight_utc(clock.today()) + timedelta(hours=8)
        made += _sell_day(location_id, cashier_id, lots, start - timedelta(days=1), f"{location_id}-y",
                          Decimal("-5.00"))
        db.session.flush()
        lots = _sellable_lots(location_id)
        if lots:
            made += _sell_day(location_id, cashier_id, lots, start, f"{location_id}-t", None)
    summary["sales"] = made
    db.session.flush()
