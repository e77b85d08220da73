"""Who may touch which transfer, request or count: staff everything, a cashier only what
concerns their own shops (403 otherwise). Missing records are 404."""
from flask import abort
from flask_login import current_user

from extensions import db
from models.transfers import CooperativeReturn, ReplenishmentRequest, StockCount, Transfer

STAFF = ("admin", "operator")
SHOP_ROLES = ("admin", "operator", "cashier")


def is_staff():
    """Admins and warehouse operators see every location."""
    return current_user.role in STAFF


def require_shop(location_id):
    """A cashier works only at their shops: 403 for any other location."""
    if not is_staff() and location_id not in current_user.shop_ids():
        abort(403)


def get_or_404(model, record_id):
    """A row by primary key, or 404."""
    row = db.session.get(model, record_id)
    if row is None:
        abort(404)
    return row


def visible_transfer(transfer_id):
    """A transfer this user may see: staff any, a cashier those to or from their shops."""
    transfer = get_or_404(Transfer, transfer_id)
    if not is_staff():
        shops = current_user.shop_ids()
        if transfer.from_location_id not in shops and transfer.to_location_id not in shops:
            abort(403)
    return transfer


def may_handle_draft(transfer):
    """Staff edit, cancel and dispatch any draft; a cashier only returns from their shop."""
    return is_staff() or (transfer.kind == "return"
                          and transfer.from_location_id in current_user.shop_ids())


def may_receive(transfer):
    """Staff receive anywhere; a cashier only at their own shop."""
    return is_staff() or transfer.to_location_id in current_user.shop_ids()


def check_new_transfer(from_location_id, to_location_id, kind):
    """Cashiers may only draft returns from their own shop."""
    if is_staff():
        return
    from models.stock import KIND_WAREHOUSE, Location

    require_shop(from_location_id)
    destination = db.session.get(Location, to_location_id)
    if kind == "transfer" or destination is None or destination.kind != KIND_WAREHOUSE:
        abort(403)


def visible_request(request_id):
    """A replenishment request of one of this user's shops (staff: any)."""
    request = get_or_404(ReplenishmentRequest, request_id)
    require_shop(request.shop_id)
    return request


def visible_count(count_id):
    """A stock count at one of this user's locations (staff: any)."""
    count = get_or_404(StockCount, count_id)
    require_shop(count.location_id)
    return count


def visible_coop_return(return_id):
    """A return to a cooperative (staff only reach these routes)."""
    return get_or_404(CooperativeReturn, return_id)
