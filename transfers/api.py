"""Transfers and replenishment requests over the API (/api/v1/transfers,
/api/v1/replenishment-requests). Handlers: validate → service → commit once → respond."""
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from web.api import PDF_RESPONSE, page_schema, paginate, pdf_response
from auth.access import roles
from extensions import db
from models import transfers_replenishment, transfers_posting
from models.transfers import ReplenishmentRequest, Transfer
from transfers import documents_pdf
from web.scope import (SHOP_ROLES, STAFF, check_new_transfer, draft_to_handle, only_my_shops,
                       only_my_transfers, require_shop, transfer_to_receive, visible_request,
                       visible_transfer)
from transfers.schemas import (FulfilResultSchema, FulfilSchema, ReceiveSchema,
                               RequestCreateSchema, RequestListArgsSchema, RequestSchema,
                               TransferCreateSchema, TransferListArgsSchema, TransferSchema,
                               TransferUpdateSchema, request_out, transfer_out)

blp = Blueprint("transfers_api", __name__, url_prefix="/api/v1",
                description="Transfers between locations, delivery notes, replenishment requests")

TransferPage = page_schema(TransferSchema, "TransferPage")
RequestPage = page_schema(RequestSchema, "RequestPage")


@blp.route("/transfers", methods=["GET"])
@blp.arguments(TransferListArgsSchema, location="query")
@blp.response(200, TransferPage)
@roles(*SHOP_ROLES)
def list_transfers(args):
    """List transfers, newest first; a cashier sees those to or from their shops."""
    query = select(Transfer).order_by(Transfer.id.desc())
    for name in ("state", "kind", "from_location_id", "to_location_id"):
        if args.get(name):
            query = query.where(getattr(Transfer, name) == args[name])
    query = only_my_transfers(query)
    page = paginate(query, args, db.session)
    page["items"] = [transfer_out(row[0]) for row in page["items"]]
    return page


@blp.route("/transfers", methods=["POST"])
@blp.arguments(TransferCreateSchema)
@blp.response(201, TransferSchema)
@blp.alt_response(409, description="Not enough stock at the source, or an expired lot")
@roles(*SHOP_ROLES)
def create_transfer(data):
    """Draft a transfer of lots; nothing moves until it is dispatched.

    A cashier may only draft a return from their own shop to the warehouse.
    """
    check_new_transfer(data["from_location_id"], data["to_location_id"], data.get("kind"))
    transfer = transfers_posting.create_transfer(
        data["from_location_id"], data["to_location_id"], data["lines"], kind=data.get("kind"),
        note=data.get("note"), user_id=current_user.id)
    db.session.commit()
    return transfer_out(transfer)


@blp.route("/transfers/<int:transfer_id>", methods=["GET"])
@blp.response(200, TransferSchema)
@roles(*SHOP_ROLES)
def get_transfer(transfer_id):
    """Read one transfer."""
    return transfer_out(visible_transfer(transfer_id))


@blp.route("/transfers/<int:transfer_id>", methods=["PUT", "PATCH"])
@blp.arguments(TransferUpdateSchema)
@blp.response(200, TransferSchema)
@blp.alt_response(409, description="already_dispatched / transfer_cancelled / insufficient_stock")
@roles(*SHOP_ROLES)
def update_transfer(data, transfer_id):
    """Edit a draft: given lines replace all of its lines. A dispatched transfer cannot change."""
    transfer = draft_to_handle(transfer_id)
    check_new_transfer(data.get("from_location_id", transfer.from_location_id),
                       data.get("to_location_id", transfer.to_location_id),
                       data.get("kind", transfer.kind))
    transfers_posting.update_transfer(transfer_id, **data)
    db.session.commit()
    return transfer_out(transfer)


@blp.route("/transfers/<int:transfer_id>/cancel", methods=["POST"])
@blp.response(200, TransferSchema)
@blp.alt_response(409, description="already_dispatched / transfer_cancelled")
@roles(*SHOP_ROLES)
def cancel_transfer(transfer_id):
    """Cancel a draft; a request it fulfilled opens again."""
    transfer = draft_to_handle(transfer_id)
    transfers_posting.cancel_transfer(transfer_id, user_id=current_user.id)
    db.session.commit()
    return transfer_out(transfer)


@blp.route("/transfers/<int:transfer_id>/dispatch", methods=["POST"])
@blp.response(200, TransferSchema)
@blp.alt_response(409, description="already_dispatched / transfer_cancelled / insufficient_stock")
@roles(*SHOP_ROLES)
def dispatch_transfer(transfer_id):
    """Dispatch: the lots leave the source for the in-transit location (operators; a cashier
    dispatches a return from their own shop)."""
    transfer = draft_to_handle(transfer_id)
    transfers_posting.dispatch_transfer(transfer_id, user_id=current_user.id)
    db.session.commit()
    return transfer_out(transfer)


@blp.route("/transfers/<int:transfer_id>/receive", methods=["POST"])
@blp.arguments(ReceiveSchema)
@blp.response(200, TransferSchema)
@blp.alt_response(409, description="not_dispatched / already_received / over_received")
@roles(*SHOP_ROLES)
def receive_transfer(data, transfer_id):
    """Receive: what arrived goes to the destination, any shortfall to loss with its reason.
    Lines left out arrived in full. The destination shop's cashier or an operator."""
    transfer = transfer_to_receive(transfer_id)
    transfers_posting.receive_transfer(transfer_id, data["lines"], user_id=current_user.id)
    db.session.commit()
    return transfer_out(transfer)


@blp.route("/transfers/<int:transfer_id>/delivery-note.pdf", methods=["GET"])
@blp.doc(responses=PDF_RESPONSE)
@roles(*SHOP_ROLES)
def delivery_note(transfer_id):
    """The delivery note to print and sign (French and Arabic)."""
    transfer = visible_transfer(transfer_id)
    return pdf_response(documents_pdf.delivery_note(transfer), f"{transfer.number}.pdf")


@blp.route("/replenishment-requests", methods=["GET"])
@blp.arguments(RequestListArgsSchema, location="query")
@blp.response(200, RequestPage)
@roles(*SHOP_ROLES)
def list_requests(args):
    """List replenishment requests, newest first (a cashier: their shops')."""
    query = select(ReplenishmentRequest).order_by(ReplenishmentRequest.id.desc())
    if args.get("state"):
        query = query.where(ReplenishmentRequest.state == args["state"])
    if args.get("shop_id"):
        query = query.where(ReplenishmentRequest.shop_id == args["shop_id"])
    query = only_my_shops(query, ReplenishmentRequest.shop_id)
    page = paginate(query, args, db.session)
    page["items"] = [request_out(row[0]) for row in page["items"]]
    return page


@blp.route("/replenishment-requests", methods=["POST"])
@blp.arguments(RequestCreateSchema)
@blp.response(201, RequestSchema)
@roles(*SHOP_ROLES)
def create_request(data):
    """A shop asks the warehouse for products (its cashiers, or staff on its behalf)."""
    require_shop(data["shop_id"])
    request = transfers_replenishment.create_request(data["shop_id"], data["lines"], note=data.get("note"),
                                           user_id=current_user.id)
    db.session.commit()
    return request_out(request)


@blp.route("/replenishment-requests/<int:request_id>", methods=["GET"])
@blp.response(200, RequestSchema)
@roles(*SHOP_ROLES)
def get_request(request_id):
    """Read one replenishment request."""
    return request_out(visible_request(request_id))


@blp.route("/replenishment-requests/<int:request_id>/fulfil", methods=["POST"])
@blp.arguments(FulfilSchema)
@blp.response(201, FulfilResultSchema)
@blp.alt_response(409, description="request_not_open / no_stock")
@roles(*STAFF)
def fulfil_request(data, request_id):
    """Fulfil as a draft transfer, lots proposed first-expired-first-out (editable before
    dispatch). Shortages list what the warehouse could not cover."""
    request = visible_request(request_id)
    transfer, shortages = transfers_replenishment.fulfil_request(
        request_id, from_location_id=data.get("from_location_id"), user_id=current_user.id)
    db.session.commit()
    current_app.logger.info("request %s fulfilled as %s", request.number, transfer.number)
    return {"request": request_out(request), "transfer": transfer_out(transfer),
            "shortages": [{"product_id": p, "quantity": q} for p, q in shortages.items()]}


@blp.route("/replenishment-requests/<int:request_id>/cancel", methods=["POST"])
@blp.response(200, RequestSchema)
@blp.alt_response(409, description="request_not_open")
@roles(*SHOP_ROLES)
def cancel_request(request_id):
    """Withdraw an open request."""
    request = visible_request(request_id)
    transfers_replenishment.cancel_request(request_id)
    db.session.commit()
    return request_out(request)
