"""Point of sale over the API: scan, sell, refund, receipts, cash sessions and Z reports.

Each handler validates, calls one service, commits once and answers; domain errors become
4xx in the one error format. A cashier works only at their own shops (403 elsewhere).
"""
from flask import current_app

from web.api import PDF_RESPONSE, pdf_response
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from auth.access import roles
from web import scope
from web.scope import require_shop
from extensions import db
from web.database import writes
from models.stock_codes import resolve_code, search_products
from models.sales_cash_sessions import close_session, open_session, z_report
from models.errors import DomainError
from models.sales_posting import LineRequest, PaymentRequest, find_sale, mark_printed, post_sale, sale_summary
from models.sales_refunds import RefundLineRequest, refund_sale
from models.sales_client_refs import check_same_cart
from models.sales import Refund
from shop.schemas import (CashSessionSchema, RefundInSchema, RefundOutSchema, SaleInSchema,
                          SaleOutSchema, ScanArgsSchema, ChooseLotErrorSchema, ScanOutSchema, SearchArgsSchema,
                          SearchOutSchema, SessionCloseSchema, SessionOpenSchema)

blp = Blueprint("shop_api", __name__, url_prefix="/api/v1",
                description="Point of sale: scan, sell, refund, receipts, cash sessions")

PDF = PDF_RESPONSE


def check_shop(location_id):
    """403 unless the user may work at this shop (cashiers: their own shops; admins: any)."""
    require_shop(location_id, _("You do not work at this shop."))


def visible_sale(sale_id):
    """The sale (404 if none), refused with 403 at a shop not the cashier's."""
    return scope.visible_sale(sale_id, _("You do not work at this shop."))


def visible_session(session_id):
    """A cash session the user may see: their own, or any for an admin."""
    return scope.visible_session(session_id, _("This is not your till."))


@blp.route("/shops/<int:location_id>/scan", methods=["GET"])
@blp.arguments(ScanArgsSchema, location="query")
@blp.response(200, ScanOutSchema)
@blp.alt_response(404, description="Unknown code")
@blp.alt_response(409, schema=ChooseLotErrorSchema,
                  description="`choose_lot`: a product-only code (EAN-13, GTIN-14, GS1 without "
                              "(10)) names several sellable lots here; `error.fields.candidates` "
                              "lists them first-expiring first, with cooperative and best-before: "
                              "the till shows a picker and sells the chosen `lot_id`. Also "
                              "`lot_blocked` (names the recall), `lot_expired`, `out_of_stock`.")
@roles("cashier", "admin")
def scan(args, location_id):
    """What a scanned code sells at this shop: a lot code or a GS1 string with (10) sells that
    lot; a product-only code sells the product's one sellable lot here, and never chooses
    between several (409 `choose_lot` with the candidates)."""
    check_shop(location_id)
    return resolve_code(location_id, args["code"]).__dict__


@blp.route("/shops/<int:location_id>/products", methods=["GET"])
@blp.arguments(SearchArgsSchema, location="query")
@blp.response(200, SearchOutSchema)
@roles("cashier", "admin")
def search(args, location_id):
    """Goods without a label: products whose name matches, with the lot a sale would take."""
    check_shop(location_id)
    return {"items": [item.__dict__ for item in search_products(location_id, args["q"])]}


@blp.route("/sales", methods=["POST"])
@blp.arguments(SaleInSchema)
@blp.response(201, SaleOutSchema)
@blp.alt_response(200, schema=SaleOutSchema, description="Already posted with this client_ref")
@blp.alt_response(403, description="Not a shop of this cashier")
@blp.alt_response(409, description="No open cash session, not enough stock (names the line), "
                                    "expired or blocked lot, product without price, `choose_lot` "
                                    "(a product-only barcode naming several lots), or "
                                    "`client_ref_conflict`: this client_ref was already used by "
                                    "another cart (`fields.sale_id`, `fields.number` name the "
                                    "first sale)")
@roles("cashier", "admin")
def create_sale(data):
    """Post a sale in one transaction. The same client_ref with the same cart answers 200 with
    the sale already recorded, never a second one; with a different cart, 409
    `client_ref_conflict` naming the first sale."""
    location_id = data["location_id"]
    check_shop(location_id)
    lines = [LineRequest(quantity=ln["quantity"], lot_id=ln.get("lot_id"),
                         barcode=ln.get("barcode"), discount=ln.get("discount") or 0)
             for ln in data["lines"]]
    payments = [PaymentRequest(p["method"], p["amount"]) for p in data["payments"]]
    try:
        summary, created = post_sale(
            location_id=location_id, user_id=current_user.id, client_ref=data["client_ref"],
            lines=lines, payments=payments,
            max_discount_rate=current_app.config["MAX_LINE_DISCOUNT_RATE"])
        db.session.commit()
    except IntegrityError:
        # Two posts of one cart raced: the other one won; answer with its sale.
        db.session.rollback()
        existing = find_sale(location_id, data["client_ref"].strip())
        if existing is None:
            raise
        check_same_cart(existing, lines, data["client_ref"].strip())
        summary, created = sale_summary(existing), False
    return summary, 201 if created else 200


@blp.route("/sales/<int:sale_id>", methods=["GET"])
@blp.response(200, SaleOutSchema)
@roles("cashier", "admin")
def get_sale(sale_id):
    """Read a sale with its lines and payments."""
    visible_sale(sale_id)
    return sale_summary(sale_id)


@blp.route("/sales/<int:sale_id>/receipt.pdf", methods=["GET"])
@blp.doc(responses=PDF)
@roles("cashier", "admin")
@writes
def receipt_pdf(sale_id):
    """The 80 mm receipt, French and Arabic; every print after the first says COPY."""
    from shop.receipt_data import receipt_data
    from shop.receipts_pdf import render_receipt

    visible_sale(sale_id)
    db.session.commit()  # end the read transaction: the print count is written in a fresh one
    copy = mark_printed(sale_id)
    db.session.commit()
    pdf = render_receipt(receipt_data(sale_id), copy=copy)
    return pdf_response(pdf, f"receipt-{sale_id}.pdf")


@blp.route("/sales/<int:sale_id>/refunds", methods=["POST"])
@blp.arguments(RefundInSchema)
@blp.response(201, RefundOutSchema)
@blp.alt_response(409, description="More than was sold, or no open till for a cash refund")
@roles("cashier", "admin")
def create_refund(data, sale_id):
    """Refund some lines of a sale (restocked, or written off as damaged), with a reason."""
    visible_sale(sale_id)
    refund_id = refund_sale(
        sale_id=sale_id, user_id=current_user.id, reason=data["reason"], method=data["method"],
        lines=[RefundLineRequest(ln["sale_line_id"], ln["quantity"], ln["restock"])
               for ln in data["lines"]])
    db.session.commit()
    return db.session.get(Refund, refund_id)


@blp.route("/cash-sessions", methods=["POST"])
@blp.arguments(SessionOpenSchema)
@blp.response(201, CashSessionSchema)
@blp.alt_response(409, description="This cashier's till is already open at this shop")
@roles("cashier", "admin")
def create_session(data):
    """Open the till at a shop with an opening float."""
    check_shop(data["location_id"])
    try:
        session = open_session(location_id=data["location_id"], cashier_id=current_user.id,
                               opening_float=data["opening_float"])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_("Your till is already open at this shop."), code="session_already_open")
    return _session_out(session)


def _session_out(session):
    """A session with its Z report figures."""
    return {"id": session.id, **z_report(session)}


@blp.route("/cash-sessions/<int:session_id>", methods=["GET"])
@blp.response(200, CashSessionSchema)
@roles("cashier", "admin")
def get_session(session_id):
    """A cash session and its running Z report figures."""
    return _session_out(visible_session(session_id))


@blp.route("/cash-sessions/<int:session_id>/close", methods=["POST"])
@blp.arguments(SessionCloseSchema)
@blp.response(200, CashSessionSchema)
@blp.alt_response(409, description="Already closed")
@roles("cashier", "admin")
def close(data, session_id):
    """Close the till with the counted cash; the difference is frozen in the Z report."""
    visible_session(session_id)
    session = close_session(session_id=session_id, counted_cash=data["counted_cash"],
                            note=data.get("note"))
    db.session.commit()
    return _session_out(session)


@blp.route("/cash-sessions/<int:session_id>/z.pdf", methods=["GET"])
@blp.doc(responses=PDF)
@roles("cashier", "admin")
def z_pdf(session_id):
    """The Z report of a session as a PDF (a running X report while it is open)."""
    from shop.receipt_data import z_context
    from shop.receipts_pdf import render_z_report

    session = visible_session(session_id)
    return pdf_response(render_z_report(z_context(session)), f"z-{session_id}.pdf")
