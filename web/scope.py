"""The one visibility rule: who may see or act on which shop, sale, till, cooperative, lot,
transfer, request, count, write-off, buyer, order or invoice. Every area asks here; none
writes the rule again.

- admins and warehouse operators (staff) see every location;
- a cashier works only at the shops they are assigned to (403 elsewhere);
- a cooperative user sees only its own cooperative and lots (another's look like ids that do
  not exist: 404), and nothing of the shops' work;
- a buyer user sees only its own buyer's orders, invoices and balance (another's: 404);
  a cashier sees the pick-up orders of their own shops (the till hands them over).
Missing records are 404.
"""
from functools import wraps

from flask import abort
from flask_login import current_user

from extensions import db

STAFF = ("admin", "operator")
SHOP_ROLES = ("admin", "operator", "cashier")


def is_staff(user=None):
    """Admins and warehouse operators see every location."""
    return (user or current_user).role in STAFF


def my_shop_ids(user=None):
    """The ids of the shops a cashier works at (an empty set for any other role)."""
    user = user or current_user
    return user.shop_ids() if user.role == "cashier" else set()


def may_work_at(location_id, user=None):
    """Staff work anywhere; a cashier only at their own shops; nobody else at a shop."""
    user = user or current_user
    if user.role in STAFF:
        return True
    return user.role == "cashier" and location_id is not None and int(location_id) in user.shop_ids()


def require_shop(location_id, description=None):
    """403 unless this user may work at the location."""
    if not may_work_at(location_id):
        abort(403, description=description)


def only_my_shops(query, column):
    """Restrict a select to this user's shops by `column` (staff: unchanged)."""
    if is_staff():
        return query
    return query.where(column.in_(my_shop_ids() or {0}))


def only_my_transfers(query):
    """Restrict a select of transfers to those to or from this user's shops (staff: all)."""
    from sqlalchemy import or_

    from models.transfers import Transfer

    if is_staff():
        return query
    shops = my_shop_ids() or {0}
    return query.where(or_(Transfer.from_location_id.in_(shops), Transfer.to_location_id.in_(shops)))


def my_locations(locations):
    """The locations of a list this user may work at (staff: all of them)."""
    return [loc for loc in locations if may_work_at(loc.id)]


def shop_scope(view):
    """For shop routes with a `location_id`: a cashier only works at their own shops."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        location_id = kwargs.get("location_id")
        if location_id is not None:
            require_shop(location_id)
        return view(*args, **kwargs)

    return wrapper


def get_or_404(model, record_id):
    """A row by primary key, or 404."""
    row = db.session.get(model, record_id) if record_id else None
    if row is None:
        abort(404)
    return row


# --- the shops' work: sales, tills, transfers, requests, counts --------------------------------

def visible_sale(sale_id, description=None):
    """A sale at one of this user's shops (404 if none, 403 elsewhere)."""
    from models.sales import Sale

    sale = get_or_404(Sale, sale_id)
    require_shop(sale.location_id, description)
    return sale


def visible_session(session_id, description=None):
    """A cash session of this user's own (any for an admin): 404 if none, 403 if another's."""
    from models.sales import CashSession

    session = get_or_404(CashSession, session_id)
    if not owns_session(session):
        abort(403, description=description)
    return session


def owns_session(session, user=None):
    """A cash session is its cashier's own; an admin may act on any."""
    user = user or current_user
    return user.role == "admin" or session.cashier_id == user.id


def visible_transfer(transfer_id):
    """A transfer this user may see: staff any, a cashier those to or from their shops."""
    from models.transfers import Transfer

    transfer = get_or_404(Transfer, transfer_id)
    if not (may_work_at(transfer.from_location_id) or may_work_at(transfer.to_location_id)):
        abort(403)
    return transfer


def may_handle_draft(transfer):
    """Staff edit, cancel and dispatch any draft; a cashier only returns from their shop."""
    return is_staff() or (transfer.kind == "return" and may_work_at(transfer.from_location_id))


def may_receive(transfer):
    """Staff receive anywhere; a cashier only at their own shop."""
    return may_work_at(transfer.to_location_id)


def draft_to_handle(transfer_id):
    """A transfer this user may edit, cancel or dispatch (`may_handle_draft`): 404 if none,
    403 otherwise."""
    transfer = visible_transfer(transfer_id)
    if not may_handle_draft(transfer):
        abort(403)
    return transfer


def transfer_to_receive(transfer_id):
    """A transfer this user may receive (`may_receive`): 404 if none, 403 otherwise."""
    transfer = visible_transfer(transfer_id)
    if not may_receive(transfer):
        abort(403)
    return transfer


def check_new_transfer(from_location_id, to_location_id, kind):
    """Cashiers may only draft returns from their own shop to the warehouse."""
    if is_staff():
        return
    from models.stock import KIND_WAREHOUSE, Location

    require_shop(from_location_id)
    destination = db.session.get(Location, to_location_id)
    if kind == "transfer" or destination is None or destination.kind != KIND_WAREHOUSE:
        abort(403)


def visible_request(request_id):
    """A replenishment request of one of this user's shops (staff: any)."""
    from models.transfers import ReplenishmentRequest

    request = get_or_404(ReplenishmentRequest, request_id)
    require_shop(request.shop_id)
    return request


def visible_count(count_id):
    """A stock count at one of this user's locations (staff: any)."""
    from models.transfers import StockCount

    count = get_or_404(StockCount, count_id)
    require_shop(count.location_id)
    return count


def visible_write_off(write_off_id):
    """A write-off at one of this user's locations (staff: any): 404 if none, 403 at another
    shop for a cashier."""
    from models.stock_writeoffs import WriteOff

    row = get_or_404(WriteOff, write_off_id)
    require_shop(row.location_id)
    return row


def visible_coop_return(return_id):
    """A return to a cooperative (only staff reach these routes)."""
    from models.transfers import CooperativeReturn

    return get_or_404(CooperativeReturn, return_id)


# --- the cooperatives' side: their cooperative and lots ---------------------------------------

def visible_cooperative(coop_id, directory=False):
    """The cooperative if this user may see it; 404 for anyone else's (a cooperative user sees
    only its own, so another's ids look like ids that do not exist). Its consignment (balance,
    statements) is for admins and itself: 403 for the shops' roles; the master-data directory
    (`directory=True`) every signed-in role may read."""
    from models.cooperatives import Cooperative

    coop = get_or_404(Cooperative, coop_id)
    if current_user.role == "cooperative" and current_user.cooperative_id != coop.id:
        abort(404)
    if not directory and current_user.role not in ("admin", "cooperative"):
        abort(403)
    return coop


def visible_lot(lot_id):
    """The lot if this user may see it; 404 for another cooperative's lot."""
    from models.stock import Lot

    lot = get_or_404(Lot, lot_id)
    if current_user.role == "cooperative" and lot.cooperative_id != current_user.cooperative_id:
        abort(404)
    return lot


def only_my_cooperative(query, column, asked=None, refusal=403):
    """Restrict a select to the cooperative user's own rows by `column` (other roles:
    unchanged). A cooperative asking for another's (`asked`) is refused with `refusal`."""
    if current_user.role != "cooperative":
        return query
    if asked not in (None, current_user.cooperative_id):
        abort(refusal)
    return query.where(column == current_user.cooperative_id)


def visible_owned(model, record_id):
    """A row carrying a cooperative_id (a reception, a payout): 404 if none or, for a
    cooperative user, if it is another cooperative's."""
    row = get_or_404(model, record_id)
    if current_user.role == "cooperative" and row.cooperative_id != current_user.cooperative_id:
        abort(404)
    return row


def sees_payout_details(user=None):
    """Cooperatives' bank details are for admins alone."""
    return (user or current_user).role == "admin"


# --- buyers: their own orders, invoices and balance -------------------------------------------

ORDER_STAFF = STAFF


def only_my_buyer(query, column):
    """Restrict a select to the buyer user's own rows by `column` (staff: unchanged; a cashier:
    anyone else: nothing)."""
    from sqlalchemy import false

    user = current_user
    if user.role in STAFF:
        return query
    if user.role == "buyer":
        return query.where(column == user.buyer_id)
    return query.where(false())


def visible_buyer(buyer_id):
    """A buyer: staff see every one, a buyer user only its own (404 for another's)."""
    from models.orders import Buyer

    buyer = get_or_404(Buyer, buyer_id)
    _only_buyers_own(buyer.id)
    return buyer


def _only_buyers_own(buyer_id):
    """Staff see every buyer's rows; a buyer user only its own (404 for another's, so its ids
    look like ids that do not exist); anyone else: 403."""
    if current_user.role == "buyer" and current_user.buyer_id != buyer_id:
        abort(404)
    if current_user.role not in STAFF + ("buyer",):
        abort(403)


def visible_order(order_id, pickup_at_till=False):
    """An order: staff any; a buyer only its own (404 for another's); with `pickup_at_till`, a
    cashier the pick-up orders served from their own shops (403 elsewhere)."""
    from models.orders import Order

    order = get_or_404(Order, order_id)
    role = current_user.role
    if role in STAFF:
        return order
    if role == "buyer":
        if order.buyer_id != current_user.buyer_id:
            abort(404)
        return order
    if pickup_at_till and role == "cashier" and order.fulfilment == "pickup":
        require_shop(order.location_id)
        return order
    abort(403)


def cancellable_order(order_id):
    """An order this user may cancel: staff any (the service refuses one delivered), a buyer
    only its own and only while it is a draft (403 once confirmed)."""
    order = visible_order(order_id)
    if current_user.role == "buyer" and order.state != "draft":
        abort(403)
    return order


def visible_invoice(invoice_id):
    """An invoice or credit note: staff any, a buyer only its own (404 for another's)."""
    from models.orders import Invoice

    invoice = get_or_404(Invoice, invoice_id)
    _only_buyers_own(invoice.buyer_id)
    return invoice


# --- the observatory: aggregates for admins and the observer ------------------------------------

REPORT_READERS = ("admin", "observer")


def may_read_reports(user=None):
    """Reports are aggregates for admins and the observer (no personal data): 403 for anyone
    else. The observer reads nothing else: no bank details, receipts or user names."""
    if (user or current_user).role not in REPORT_READERS:
        abort(403)
    return True
