"""The orders over the API: /api/v1/buyers, /api/v1/orders (state transitions as actions),
/api/v1/invoices. Handlers: check who may → service → commit once → respond. The one
visibility rule (web/scope.py): staff see all; a buyer's token sees its own buyer's orders,
invoices and balance, and orders for itself only."""
from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models import orders_drafts, orders_invoices, orders_posting, orders_prices
from models.errors import DomainError, NotFound, ValidationFailed
from models.orders import Buyer, Invoice, Order, PriceList
from models.stock_codes import resolve_lot
from orders import documents_pdf
from orders.queries import buyers_location
from orders.schemas import (BuyerInSchema, BuyerSchema, CancelSchema, ConfirmResultSchema,
                            ConfirmSchema, CreditNoteInSchema, DeliverSchema, InvoiceListArgsSchema,
                            InvoiceSchema, OrderCreateSchema, OrderListArgsSchema, OrderSchema,
                            PackSchema, BuyerPaymentInSchema, PriceListCreateSchema,
                            PriceListInSchema, PriceListSchema, buyer_out, invoice_out, order_out,
                            price_list_out)
from orders.views import platform_identity
from web.api import PDF_RESPONSE, page_schema, paginate, pdf_response
from web.fields import ListArgsSchema
from web.scope import (STAFF, cancellable_order, only_my_buyer, visible_buyer, visible_invoice,
                       visible_order)

blp = Blueprint("orders_api", __name__, url_prefix="/api/v1",
                description="Buyers, their orders (reservation, picking, delivery) and invoices")

BuyerPage = page_schema(BuyerSchema, "BuyerPage")
OrderPage = page_schema(OrderSchema, "OrderPage")
InvoicePage = page_schema(InvoiceSchema, "InvoicePage")
BUYER_FIELDS = ("kind", "name", "ice", "if_number", "rc", "address", "contact_name", "phone",
                "email", "payment_terms_days", "flight_date", "active", "price_list_id")
PriceListPage = page_schema(PriceListSchema, "PriceListPage")


def _check_price_list(data):
    """422 when a buyer is given a price list that does not exist."""
    if data.get("price_list_id") and db.session.get(PriceList, data["price_list_id"]) is None:
        raise ValidationFailed("Unknown price list", fields={"price_list_id": ["Unknown price list"]})


# --- buyers ----------------------------------------------------------------------------------

@blp.route("/buyers", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, BuyerPage)
@roles(*STAFF, "buyer")
def list_buyers(args):
    """Buyers by name (a buyer's token: its own)."""
    query = only_my_buyer(select(Buyer).order_by(Buyer.name, Buyer.id), Buyer.id)
    if args.get("q"):
        query = query.where(Buyer.name.ilike(f"%{args['q']}%"))
    page = paginate(query, args, db.session)
    page["items"] = [buyer_out(row[0]) for row in page["items"]]
    return page


@blp.route("/buyers", methods=["POST"])
@blp.arguments(BuyerInSchema)
@blp.response(201, BuyerSchema)
@roles(*STAFF)
def create_buyer(data):
    """A new buyer (business or private customer)."""
    _check_price_list(data)
    buyer = Buyer(**{k: data.get(k) for k in BUYER_FIELDS})
    db.session.add(buyer)
    db.session.commit()
    return buyer_out(buyer, orders_invoices.buyer_balance(buyer.id)["balance"])


@blp.route("/buyers/<int:buyer_id>", methods=["GET"])
@blp.response(200, BuyerSchema)
@roles(*STAFF, "buyer")
def get_buyer(buyer_id):
    """A buyer and its balance (what it owes)."""
    buyer = visible_buyer(buyer_id)
    return buyer_out(buyer, orders_invoices.buyer_balance(buyer.id)["balance"])


@blp.route("/buyers/<int:buyer_id>", methods=["PUT", "PATCH"])
@blp.arguments(BuyerInSchema(partial=True))
@blp.response(200, BuyerSchema)
@roles(*STAFF)
def update_buyer(data, buyer_id):
    """Change a buyer (its price list too)."""
    buyer = visible_buyer(buyer_id)
    _check_price_list(data)
    for key in BUYER_FIELDS:
        if key in data:
            setattr(buyer, key, data[key])
    db.session.commit()
    return buyer_out(buyer, orders_invoices.buyer_balance(buyer.id)["balance"])


# --- price lists ----------------------------------------------------------------------------

def _price_list_body(price_list):
    return price_list_out(price_list, [b.id for b in orders_prices.buyers_using(price_list.id)])


def _prices(data):
    return {row["product_id"]: row["unit_price"] for row in data.get("prices") or []}


@blp.route("/price-lists", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, PriceListPage)
@roles("admin")
def list_price_lists(args):
    """Price lists by name, with their prices and the buyers using them."""
    query = select(PriceList).order_by(PriceList.name, PriceList.id)
    if args.get("q"):
        query = query.where(PriceList.name.ilike(f"%{args['q']}%"))
    page = paginate(query, args, db.session)
    page["items"] = [_price_list_body(row[0]) for row in page["items"]]
    return page


@blp.route("/price-lists", methods=["POST"])
@blp.arguments(PriceListCreateSchema)
@blp.response(201, PriceListSchema)
@blp.alt_response(422, description="Name taken or missing, unknown product, bad price")
@roles("admin")
def create_price_list(data):
    """A new price list (name unique), with prices if given."""
    price_list = orders_prices.save_price_list(name=data["name"], prices=_prices(data),
                                               user_id=current_user.id)
    db.session.commit()
    return _price_list_body(price_list)


@blp.route("/price-lists/<int:price_list_id>", methods=["GET"])
@blp.response(200, PriceListSchema)
@roles("admin")
def get_price_list(price_list_id):
    """One price list."""
    price_list = db.session.get(PriceList, price_list_id)
    if price_list is None:
        raise NotFound("Unknown price list")
    return _price_list_body(price_list)


@blp.route("/price-lists/<int:price_list_id>", methods=["PUT", "PATCH"])
@blp.arguments(PriceListInSchema)
@blp.response(200, PriceListSchema)
@blp.alt_response(422, description="Name taken, unknown product, bad price")
@roles("admin")
def update_price_list(data, price_list_id):
    """Rename a price list and set (or with `unit_price: null` remove) some of its prices."""
    price_list = orders_prices.save_price_list(price_list_id, name=data.get("name"),
                                               prices=_prices(data), user_id=current_user.id)
    db.session.commit()
    return _price_list_body(price_list)


# --- orders ----------------------------------------------------------------------------------

@blp.route("/orders", methods=["GET"])
@blp.arguments(OrderListArgsSchema, location="query")
@blp.response(200, OrderPage)
@roles(*STAFF, "buyer")
def list_orders(args):
    """Orders, newest first (a buyer's token: its own)."""
    query = only_my_buyer(select(Order).order_by(Order.id.desc()), Order.buyer_id)
    for name in ("state", "buyer_id"):
        if args.get(name):
            query = query.where(getattr(Order, name) == args[name])
    page = paginate(query, args, db.session)
    page["items"] = [order_out(row[0]) for row in page["items"]]
    return page


@blp.route("/orders", methods=["POST"])
@blp.arguments(OrderCreateSchema)
@blp.response(201, OrderSchema)
@blp.alt_response(422, description="Unknown product or buyer, bad quantity")
@roles(*STAFF, "buyer")
def create_order(data):
    """A draft order. Staff name the buyer and location; a buyer orders for itself from the
    warehouse (delivery)."""
    if current_user.role == "buyer":
        if data.get("buyer_id") not in (None, current_user.buyer_id):
            abort(403)
        buyer_id, location = current_user.buyer_id, buyers_location()
        location_id, fulfilment = (location.id if location else None), "delivery"
    else:
        buyer_id, location_id = data.get("buyer_id"), data.get("location_id")
        fulfilment = data.get("fulfilment", "delivery")
    order = orders_drafts.create_order(
        buyer_id=buyer_id, location_id=location_id, fulfilment=fulfilment,
        lines=data["lines"], user_id=current_user.id, note=data.get("note"),
        delivery_address=data.get("delivery_address"))
    db.session.commit()
    return order_out(order)


@blp.route("/orders/<int:order_id>", methods=["GET"])
@blp.response(200, OrderSchema)
@roles(*STAFF, "buyer")
def get_order(order_id):
    """One order with its lines and the lots reserved, packed and delivered."""
    return order_out(visible_order(order_id))


def _action(order_id, service, **kwargs):
    visible_order(order_id)
    result = service(order_id, user_id=current_user.id, **kwargs)
    db.session.commit()
    return result


@blp.route("/orders/<int:order_id>/confirm", methods=["POST"])
@blp.arguments(ConfirmSchema)
@blp.response(200, ConfirmResultSchema)
@blp.alt_response(409, description="shortage (per line in fields.lines) / wrong_state")
@roles(*STAFF)
def confirm_order(data, order_id):
    """Reserve the lots first-expired-first-out; `partial` back-orders what is short."""
    order, backorder = _action(order_id, orders_posting.confirm_order, partial=data["partial"])
    body = order_out(order)
    body["backorder"] = order_out(backorder) if backorder else None
    return body


@blp.route("/orders/<int:order_id>/pack", methods=["POST"])
@blp.arguments(PackSchema)
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="lot_not_reserved / over_packed / wrong_state")
@roles(*STAFF)
def pack_order(data, order_id):
    """A lot (its id, or a scanned code read by the till's resolver) packed into the parcel."""
    order = visible_order(order_id)
    lot_id = data.get("lot_id")
    if lot_id is None:
        if not data.get("code"):
            raise DomainError("Give lot_id or code", code="validation_error", status=422,
                              fields={"lot_id": ["Missing"]})
        lot_id = resolve_lot(data["code"], order.location_id).lot_id
    orders_posting.pack(order.id, lot_id=lot_id, quantity=data["quantity"])
    db.session.commit()
    return order_out(order)


@blp.route("/orders/<int:order_id>/prepare", methods=["POST"])
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="wrong_state")
@roles(*STAFF)
def prepare_order(order_id):
    """The parcel is ready."""
    return order_out(_action(order_id, orders_posting.prepare_order))


@blp.route("/orders/<int:order_id>/ship", methods=["POST"])
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="wrong_state")
@roles(*STAFF)
def ship_order(order_id):
    """Shipped, or ready for pick-up at the shop."""
    return order_out(_action(order_id, orders_posting.ship_order))


@blp.route("/orders/<int:order_id>/deliver", methods=["POST"])
@blp.arguments(DeliverSchema)
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="wrong_state")
@roles(*STAFF)
def deliver_order(data, order_id):
    """Delivered with what was handed over; the rest of the reservation is released."""
    handed = {line["line_id"]: line["quantity"] for line in data["lines"]}
    return order_out(_action(order_id, orders_posting.deliver_order, handed=handed))


@blp.route("/orders/<int:order_id>/cancel", methods=["POST"])
@blp.arguments(CancelSchema)
@blp.response(200, OrderSchema)
@blp.alt_response(409, description="wrong_state")
@roles(*STAFF, "buyer")
def cancel_order(data, order_id):
    """Cancel before delivery, with a reason (a buyer: its own draft)."""
    cancellable_order(order_id)
    return order_out(_action(order_id, orders_posting.cancel_order, reason=data["reason"]))


@blp.route("/orders/<int:order_id>/invoice", methods=["POST"])
@blp.response(201, InvoiceSchema)
@blp.alt_response(409, description="wrong_state / nothing_to_invoice")
@roles(*STAFF)
def invoice_order(order_id):
    """Invoice a delivered order."""
    invoice = _action(order_id, orders_invoices.invoice_order)
    return invoice_out(invoice, orders_invoices.outstanding(invoice))


@blp.route("/orders/<int:order_id>/delivery-note", methods=["GET"])
@blp.doc(responses=PDF_RESPONSE)
@roles(*STAFF, "buyer")
def order_delivery_note(order_id):
    """The delivery note PDF (French and Arabic), once prepared."""
    order = visible_order(order_id)
    if order.state in ("draft", "confirmed", "cancelled"):
        raise NotFound("No delivery note before the parcel is prepared")
    return pdf_response(documents_pdf.delivery_note(order, platform_identity()),
                        f"{order.number}-BL.pdf")


# --- invoices --------------------------------------------------------------------------------

@blp.route("/invoices", methods=["GET"])
@blp.arguments(InvoiceListArgsSchema, location="query")
@blp.response(200, InvoicePage)
@roles(*STAFF, "buyer")
def list_invoices(args):
    """Invoices and credit notes, newest first (a buyer's token: its own)."""
    query = only_my_buyer(select(Invoice).order_by(Invoice.id.desc()), Invoice.buyer_id)
    if args.get("buyer_id"):
        query = query.where(Invoice.buyer_id == args["buyer_id"])
    page = paginate(query, args, db.session)
    page["items"] = [invoice_out(row[0], orders_invoices.outstanding(row[0])
                                 if row[0].kind == "invoice" else None) for row in page["items"]]
    return page


@blp.route("/invoices/<int:invoice_id>", methods=["GET"])
@blp.response(200, InvoiceSchema)
@roles(*STAFF, "buyer")
def get_invoice(invoice_id):
    """One invoice or credit note, with what is still due."""
    inv = visible_invoice(invoice_id)
    return invoice_out(inv, orders_invoices.outstanding(inv) if inv.kind == "invoice" else None)


@blp.route("/invoices/<int:invoice_id>/pdf", methods=["GET"])
@blp.doc(responses=PDF_RESPONSE)
@roles(*STAFF, "buyer")
def invoice_pdf(invoice_id):
    """The invoice or credit note PDF (French and Arabic, both parties' ICE, IF, RC)."""
    inv = visible_invoice(invoice_id)
    return pdf_response(documents_pdf.invoice(inv, platform_identity()), f"{inv.number}.pdf")


@blp.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
@blp.arguments(BuyerPaymentInSchema)
@blp.response(201, InvoiceSchema)
@blp.alt_response(409, description="overpayment / not_an_invoice")
@roles(*STAFF)
def add_payment(data, invoice_id):
    """Record money received (partial allowed); answers the invoice with what is still due."""
    inv = visible_invoice(invoice_id)
    orders_invoices.record_payment(inv.id, amount=data["amount"], method=data["method"],
                                   reference=data.get("reference"), user_id=current_user.id)
    db.session.commit()
    return invoice_out(inv, orders_invoices.outstanding(inv))


@blp.route("/invoices/<int:invoice_id>/credit-notes", methods=["POST"])
@blp.arguments(CreditNoteInSchema)
@blp.response(201, InvoiceSchema)
@blp.alt_response(409, description="return_exceeds_invoice / not_an_invoice")
@roles(*STAFF)
def add_credit_note(data, invoice_id):
    """Goods returned: a credit note, restocked or written off."""
    inv = visible_invoice(invoice_id)
    note = orders_invoices.credit_note(
        inv.id, returns={line["line_id"]: line["quantity"] for line in data["lines"]},
        reason=data["reason"], restock=data["restock"], user_id=current_user.id)
    db.session.commit()
    return invoice_out(note)
