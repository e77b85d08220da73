"""The pick-up at the till over the API: POST /api/v1/orders/{id}/pickup hands a traveller's
pre-order over at the caller's open till at the order's shop and takes its payment there, in
that cash session (models/orders_pickup.py) — what the till page's scan does."""
import marshmallow as ma
from flask_login import current_user
from marshmallow import validate as v

from auth.access import roles
from extensions import db
from models.orders_invoices import outstanding
from models.orders_pickup import hand_over_at_till
from models.sales import PAYMENT_METHODS
from orders.api import blp
from orders.schemas import InvoiceSchema, invoice_out
from web.scope import SHOP_ROLES, visible_order


class PickupSchema(ma.Schema):
    """How the traveller pays at the till."""

    method = ma.fields.String(required=True, validate=v.OneOf(PAYMENT_METHODS))


@blp.route("/orders/<int:order_id>/pickup", methods=["POST"])
@blp.arguments(PickupSchema)
@blp.response(201, InvoiceSchema)
@blp.alt_response(409, description="no_open_session (open the till first) / wrong_shop / "
                                   "wrong_state")
@roles(*SHOP_ROLES)
def pickup(data, order_id):
    """Hand a pick-up order over at the caller's till and take its payment there; answers
    the invoice (nothing left due). A cashier: only orders of their own shops."""
    order = visible_order(order_id, pickup_at_till=True)
    _order, invoice, _payment = hand_over_at_till(
        order.id, location_id=order.location_id, cashier_id=current_user.id,
        method=data["method"])
    db.session.commit()
    return invoice_out(invoice, outstanding(invoice))
