"""Orders from buyers: buyers and their users, the buyer's catalogue and orders, the staff's
order pages (confirmation, pick list, delivery), invoices and payments, the pick-up at the
till, and the API (/api/v1/buyers, /api/v1/orders, /api/v1/invoices)."""
from flask import Blueprint

bp = Blueprint("orders", __name__)


def register_document_types():
    """Let traceability pages and cooperatives' statements name orders (the "order" channel)."""
    from models.documents import numbered_labeler, register_document_type
    from models.orders import DOC_CREDIT_NOTE, DOC_ORDER, Invoice, Order

    register_document_type(DOC_ORDER, numbered_labeler(Order, "orders.detail", "order_id",
                                                       column=Order.number))
    register_document_type(DOC_CREDIT_NOTE, numbered_labeler(Invoice, "orders.invoice",
                                                             "invoice_id", column=Invoice.number))


def register(app, api):
    """Pages under /orders, the API resources, document labels."""
    from orders import (buyer_views, invoice_views, pickup_views, price_list_views,  # noqa: F401
                        views)  # (routes)

    from orders import api as orders_api
    from orders import pickup_api  # noqa: F401  (its route on the orders API blueprint)

    app.register_blueprint(bp, url_prefix="/orders")
    api.register_blueprint(orders_api.blp)
    register_document_types()
