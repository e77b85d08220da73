"""The offline till's API: devices, receipt-number blocks, the local catalogue, and the
posting of sales made while the server was out of reach (models/sales_offline.py and
models/sales_offline_posting.py).

Kept apart from shop/api.py: an offline sale has its own resource, so the ordinary sale's
path stays as it is.
"""
from datetime import timezone

import marshmallow as ma
from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate as v
from sqlalchemy.exc import IntegrityError

from auth.access import roles
from extensions import db
from models.errors import DomainError, NotFound
from models.sales_offline import (BLOCK_SIZE, catalogue, device_at, device_number, register_device,
                                  report_status, reserve_block)
from models.sales_offline_posting import OfflineFacts, offline_summary, post_offline_sale
from models.sales_posting import LineRequest, PaymentRequest, find_sale, sale_summary
from models.sales_client_refs import check_same_cart
from shop.schemas import SaleInSchema, SaleOutSchema
from shop.api import check_shop
from web.scope import owns_session

blp = Blueprint("shop_offline_api", __name__, url_prefix="/api/v1",
                description="Offline till: devices, receipt blocks, catalogue, offline sales")


class TillDeviceSchema(ma.Schema):
    """A till device: its id, shop, code (T2) and receipt prefix (AIR-T2)."""

    id = ma.fields.Integer(required=True)
    location_id = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True)
    prefix = ma.fields.String(required=True)
    reserved_through = ma.fields.Integer(required=True)
    cash_session_id = ma.fields.Integer(allow_none=True)


class TillDeviceStatusSchema(ma.Schema):
    """What the device reports: the session it sells into, how many sales wait on it."""

    cash_session_id = ma.fields.Integer(allow_none=True, load_default=None)
    queued = ma.fields.Integer(load_default=0, validate=v.Range(0, 100000))


class ReceiptBlockInSchema(ma.Schema):
    """How many numbers to reserve."""

    size = ma.fields.Integer(load_default=BLOCK_SIZE, validate=v.Range(1, 500))


class ReceiptBlockOutSchema(ma.Schema):
    """A reserved block of device receipt numbers, [first, last]."""

    first = ma.fields.Integer(required=True)
    last = ma.fields.Integer(required=True)
    prefix = ma.fields.String(required=True)


class OfflineSaleInSchema(SaleInSchema):
    """A sale made offline: the cart, plus the device, its receipt number, the cash session it
    was sold into and the device time."""

    device_id = ma.fields.Integer(required=True, validate=v.Range(1, 2**31 - 1))
    device_seq = ma.fields.Integer(required=True, validate=v.Range(1, 2**31 - 1))
    cash_session_id = ma.fields.Integer(required=True, validate=v.Range(1, 2**31 - 1))
    sold_at = ma.fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class OfflineSaleOutSchema(SaleOutSchema):
    """The recorded sale, with its device number and what it left to settle."""

    device_number = ma.fields.String(allow_none=True)
    sold_at = ma.fields.DateTime(allow_none=True)
    issues = ma.fields.List(ma.fields.String())


class CatalogueSchema(ma.Schema):
    """The till's local catalogue: the shop's lots on hand (with GTIN, names, price,
    best-before, quantity, blocked), the products with a GTIN, every other lot code."""

    location_id = ma.fields.Integer(required=True)
    today = ma.fields.String(required=True)
    generated_at = ma.fields.String(required=True)
    lots = ma.fields.List(ma.fields.Dict(), required=True)
    products = ma.fields.List(ma.fields.Dict(), required=True)
    other_lot_codes = ma.fields.List(ma.fields.String(), required=True)


def _device_out(device):
    from models.stock import Location

    code = db.session.get(Location, device.location_id).code
    return {"id": device.id, "location_id": device.location_id, "code": device.code,
            "prefix": device_number(code, device.code, 0).rsplit("-", 1)[0],
            "reserved_through": device.reserved_through, "cash_session_id": device.cash_session_id}


@blp.route("/shops/<int:location_id>/devices", methods=["POST"])
@blp.response(201, TillDeviceSchema)
@roles("cashier", "admin")
def create_device(location_id):
    """Register this browser as a till device of the shop (T1, T2…)."""
    check_shop(location_id)
    device = register_device(location_id, current_user.id)
    db.session.commit()
    return _device_out(device)


@blp.route("/devices/<int:device_id>/status", methods=["POST"])
@blp.arguments(TillDeviceStatusSchema)
@blp.response(200, TillDeviceSchema)
@roles("cashier", "admin")
def device_status(data, device_id):
    """The device says which cash session it sells into and how many sales wait on it."""
    device = device_at(device_id)
    check_shop(device.location_id)
    report_status(device, data["cash_session_id"], data["queued"])
    db.session.commit()
    return _device_out(device)


@blp.route("/devices/<int:device_id>/receipt-blocks", methods=["POST"])
@blp.arguments(ReceiptBlockInSchema)
@blp.response(201, ReceiptBlockOutSchema)
@roles("cashier", "admin")
def create_block(data, device_id):
    """Reserve the device's next receipt numbers, to number its sales while offline."""
    device = device_at(device_id)
    check_shop(device.location_id)
    first, last = reserve_block(device_id, current_user.id, data["size"])
    db.session.commit()
    return {"first": first, "last": last, "prefix": _device_out(device)["prefix"]}


@blp.route("/shops/<int:location_id>/catalogue", methods=["GET"])
@blp.response(200, CatalogueSchema)
@blp.alt_response(404, description="No such shop")
@roles("cashier", "admin")
def shop_catalogue(location_id):
    """The shop's sellable lots, products with a GTIN and other lot codes: what the till
    keeps in IndexedDB to scan offline by the server's rules."""
    check_shop(location_id)
    from models.stock import KIND_SHOP, Location

    shop = db.session.get(Location, location_id)
    if shop is None or shop.kind != KIND_SHOP:
        raise NotFound(_("No such shop."), code="unknown_shop")
    return catalogue(location_id)


@blp.route("/offline-sales", methods=["POST"])
@blp.arguments(OfflineSaleInSchema)
@blp.response(201, OfflineSaleOutSchema)
@blp.alt_response(200, schema=OfflineSaleOutSchema, description="Already posted with this client_ref")
@blp.alt_response(409, description="`number_not_reserved`, `device_number_used`, "
                                   "`client_ref_conflict`: refused for good")
@roles("cashier", "admin")
def create_offline_sale(data):
    """Record a sale the till made offline, exactly once per client reference. Stock short
    at the shop, a lot blocked or expired since: recorded and flagged, never refused."""
    location_id = data["location_id"]
    check_shop(location_id)
    from models.sales import CashSession

    session = db.session.get(CashSession, data["cash_session_id"])
    if session is not None and not owns_session(session):
        raise DomainError(_("This is not your till."), code="not_your_session", status=403)
    lines = [LineRequest(quantity=ln["quantity"], lot_id=ln.get("lot_id"),
                         barcode=ln.get("barcode"), discount=ln.get("discount") or 0)
             for ln in data["lines"]]
    payments = [PaymentRequest(p["method"], p["amount"]) for p in data["payments"]]
    facts = OfflineFacts(device_id=data["device_id"], device_seq=data["device_seq"],
                         cash_session_id=data["cash_session_id"],
                         sold_at=data["sold_at"].astimezone(timezone.utc).replace(tzinfo=None))
    if any(ln.lot_id is None for ln in lines):
        raise DomainError(_("An offline sale names each line's lot."), code="lot_required", status=422)
    try:
        summary, created = post_offline_sale(
            location_id=location_id, user_id=current_user.id, client_ref=data["client_ref"],
            lines=lines, payments=payments, facts=facts,
            max_discount_rate=current_app.config["MAX_LINE_DISCOUNT_RATE"])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = find_sale(location_id, data["client_ref"].strip())
        if existing is None:
            raise
        check_same_cart(existing, lines, data["client_ref"].strip())
        summary, created = offline_summary(sale_summary(existing)), False
    return summary, 201 if created else 200
