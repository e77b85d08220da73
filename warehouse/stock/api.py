"""Lots and stock on hand over the API."""
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from web.api import paginate, page_schema
from web.fields import ListArgsSchema
from warehouse.stock.schemas import LotSchema, LotUpdateSchema, StockArgsSchema, StockItemSchema
from auth.access import any_user, roles
from web.scope import only_my_cooperative, only_my_shops, visible_lot
from extensions import db
from models.catalogue import Product
from models.cooperatives import Cooperative
from models.errors import ValidationFailed
from models.stock import REAL_KINDS, Location, Lot, StockBalance

blp = Blueprint("stock_api", __name__, url_prefix="/api/v1", description="Lots and stock on hand")

LotPage = page_schema(LotSchema, "LotPage")
StockPage = page_schema(StockItemSchema, "StockPage")


def lot_out(lot):
    """A lot as the API shows it, with its parents' ids."""
    lot.parent_ids = [p.id for p in lot.parents]
    return lot




@blp.route("/lots", methods=["GET"])
@blp.arguments(ListArgsSchema, location="query")
@blp.response(200, LotPage)
@any_user
def list_lots(args):
    """List lots, first-expired first (a cooperative user sees only its own)."""
    query = select(Lot).order_by(Lot.best_before.is_(None), Lot.best_before, Lot.id)
    query = only_my_cooperative(query, Lot.cooperative_id)
    if args.get("q"):
        query = query.where(Lot.code.ilike(f"%{args['q']}%"))
    page = paginate(query, args, db.session)
    page["items"] = [lot_out(row[0]) for row in page["items"]]
    return page


@blp.route("/lots/<int:lot_id>", methods=["GET"])
@blp.response(200, LotSchema)
@any_user
def get_lot(lot_id):
    """Read one lot."""
    return lot_out(visible_lot(lot_id))


@blp.route("/lots", methods=["POST"])
@blp.arguments(LotSchema)
@blp.response(201, LotSchema)
@roles("admin")
def create_lot(data):
    """Register a lot by hand (admin); it holds no stock until a movement brings some."""
    errors = {}
    if db.session.get(Product, data["product_id"]) is None:
        errors["product_id"] = [_("Unknown product.")]
    if db.session.get(Cooperative, data["cooperative_id"]) is None:
        errors["cooperative_id"] = [_("Unknown cooperative.")]
    if db.session.execute(select(Lot.id).where(Lot.code == data["code"])).scalar():
        errors["code"] = [_("Already used.")]
    _check_dates(data, errors)
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    lot = Lot(origin_type="manual", **data)
    db.session.add(lot)
    db.session.commit()
    return lot_out(lot)


@blp.route("/lots/<int:lot_id>", methods=["PATCH"])
@blp.arguments(LotUpdateSchema)
@blp.response(200, LotSchema)
@roles("admin")
def update_lot(data, lot_id):
    """Correct a lot's dates (admin)."""
    lot = db.session.get(Lot, lot_id) or abort(404)
    merged = {k: getattr(lot, k) for k in ("harvest_date", "production_date", "best_before")}
    merged.update(data)
    errors = {}
    _check_dates(merged, errors)
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    for key, value in data.items():
        setattr(lot, key, value)
    db.session.commit()
    return lot_out(lot)


def _check_dates(data, errors):
    """Best-before cannot come before harvest or production."""
    bb = data.get("best_before")
    for name in ("harvest_date", "production_date"):
        if bb and data.get(name) and bb < data[name]:
            errors["best_before"] = [_("The best-before date cannot come before the harvest or production date.")]


@blp.route("/stock", methods=["GET"])
@blp.arguments(StockArgsSchema, location="query")
@blp.response(200, StockPage)
@blp.alt_response(403, description="A cooperative asking for another cooperative's stock")
@any_user
def list_stock(args):
    """Stock on hand at real locations, first-expired first, filtered and paginated.

    A cooperative user sees only its own lots; a cashier only the shops they work at.
    """
    b, lot = StockBalance, Lot
    query = (
        select(b.lot_id, lot.code.label("lot_code"), lot.product_id, b.location_id,
               lot.cooperative_id, b.quantity, lot.best_before)
        .join(lot, lot.id == b.lot_id)
        .join(Location, Location.id == b.location_id)
        .where(b.quantity != 0, Location.kind.in_(REAL_KINDS))
        .order_by(lot.best_before.is_(None), lot.best_before, b.lot_id, b.location_id)
    )
    for name, column in (("location_id", b.location_id), ("product_id", lot.product_id),
                         ("lot_id", b.lot_id), ("cooperative_id", lot.cooperative_id)):
        if args.get(name):
            query = query.where(column == args[name])
    query = only_my_cooperative(query, lot.cooperative_id, args.get("cooperative_id"))
    if current_user.role == "cashier":
        query = only_my_shops(query, b.location_id)
    page = paginate(query, args, db.session)
    page["items"] = [row._asdict() for row in page["items"]]
    return page
