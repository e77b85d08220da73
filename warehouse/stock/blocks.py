"""Blocking lots: from a lot's page or its recall page (the lot and, by choice, the lots made
from it), and over the API. Operators and admins only; a reason each way; who and when are
recorded by models.stock_blocks."""
import marshmallow as ma
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate as v

from auth.access import roles
from extensions import db
from models.errors import DomainError
from models.stock import Lot
from models.stock_blocks import block_lot, block_lots, unblock_lot
from models.stock_traceability import genealogy
from warehouse import bp
from models.stock_codes import resolve_lot
from web.fields import StrictBoolean
from web.scope import SHOP_ROLES, STAFF, require_shop

blp = Blueprint("lot_blocks_api", __name__, url_prefix="/api/v1",
                description="Blocking and unblocking lots (recalls)")


class BlockInSchema(ma.Schema):
    """POST /lots/{id}/block: a reason; `descendants` blocks the lots made from it too."""

    reason = ma.fields.String(required=True, validate=v.Length(1, 255))
    descendants = StrictBoolean(load_default=False)


class UnblockInSchema(ma.Schema):
    """POST /lots/{id}/unblock: a reason."""

    reason = ma.fields.String(required=True, validate=v.Length(1, 255))


class LotBlockOutSchema(ma.Schema):
    """A block or unblock as recorded."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    lot_id = ma.fields.Integer(required=True)
    action = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    recall_lot_id = ma.fields.Integer(allow_none=True)
    user_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class BlockOutSchema(ma.Schema):
    """The blocks a POST /block wrote (the lot, and its descendants when asked)."""

    items = ma.fields.List(ma.fields.Nested(LotBlockOutSchema), required=True)


class ResolveArgsSchema(ma.Schema):
    """?code=…&location_id=…: a scan (lot code, GS1, EAN-13, GTIN-14) and where."""

    code = ma.fields.String(required=True, validate=v.Length(1, 120))
    location_id = ma.fields.Integer(validate=v.Range(1, 2**31 - 1))


class ResolvedLotSchema(ma.Schema):
    """The lot a code names, with its stock at the location asked about."""

    class Meta:
        ordered = True

    lot_id = ma.fields.Integer(required=True)
    lot_code = ma.fields.String(required=True)
    product_id = ma.fields.Integer(required=True)
    name_fr = ma.fields.String(required=True)
    name_ar = ma.fields.String(required=True)
    best_before = ma.fields.Date(allow_none=True)
    available = ma.fields.String(required=True)
    cooperative_id = ma.fields.Integer()
    cooperative_fr = ma.fields.String()
    cooperative_ar = ma.fields.String()


@blp.route("/lots/resolve", methods=["GET"])
@blp.arguments(ResolveArgsSchema, location="query")
@blp.response(200, ResolvedLotSchema)
@blp.alt_response(404, description="`unknown_code`")
@blp.alt_response(409, description="`choose_lot`: a product-only code names several lots on hand "
                                   "there (`error.fields.candidates`, first-expiring first); "
                                   "`no_stock`: none")
@roles(*SHOP_ROLES)
def api_resolve(args):
    """The lot search: the one resolver of scans, as the count, transfer and return forms use it
    (every lot on hand, blocked or expired included: a count names them all)."""
    location_id = args.get("location_id")
    if location_id is not None:
        require_shop(location_id)
    elif current_user.role == "cashier":
        abort(403)
    return resolve_lot(args["code"], location_id, usable_only=False)


def _lot_or_404(lot_id):
    """The lot, or 404."""
    return db.session.get(Lot, lot_id) or abort(404)


def _family(lot, with_descendants):
    """The lot's id, and its descendants' when asked."""
    ids = [lot.id]
    if with_descendants:
        ids += [d["lot"].id for d in genealogy(lot)["descendants"]]
    return ids


@blp.route("/lots/<int:lot_id>/block", methods=["POST"])
@blp.arguments(BlockInSchema)
@blp.response(201, BlockOutSchema)
@blp.alt_response(404, description="No such lot")
@blp.alt_response(409, description="`already_blocked`")
@roles(*STAFF)
def api_block(data, lot_id):
    """Block a lot (and, with `descendants`, every lot made from it): the till, transfers,
    packaging and restocking refunds refuse it until it is unblocked."""
    lot = _lot_or_404(lot_id)
    if data["descendants"]:
        made = block_lots(_family(lot, True), data["reason"], user_id=current_user.id,
                          recall_lot_id=lot.id)
        if not made:
            raise DomainError(_("Lot %(lot)s is already blocked.", lot=lot.code), code="already_blocked")
    else:
        made = [block_lot(lot.id, data["reason"], user_id=current_user.id)]
    db.session.commit()
    return {"items": made}


@blp.route("/lots/<int:lot_id>/unblock", methods=["POST"])
@blp.arguments(UnblockInSchema)
@blp.response(201, LotBlockOutSchema)
@blp.alt_response(404, description="No such lot")
@blp.alt_response(409, description="`not_blocked`")
@roles(*STAFF)
def api_unblock(data, lot_id):
    """Lift a lot's block, with a reason."""
    lot = _lot_or_404(lot_id)
    row = unblock_lot(lot.id, data["reason"], user_id=current_user.id)
    db.session.commit()
    return row


def _back(lot_id):
    """Back to the recall page or the lot's page, whichever the form came from."""
    if request.form.get("from") == "recall":
        return redirect(url_for("warehouse.lot_recall", lot_id=lot_id))
    return redirect(url_for("warehouse.lot", lot_id=lot_id))


@bp.route("/lots/<int:lot_id>/block", methods=["POST"])
@roles(*STAFF)
def block_page(lot_id):
    """Block from a page: the lot, and its descendants when ticked (the recall page)."""
    lot = _lot_or_404(lot_id)
    reason = (request.form.get("reason") or "").strip()
    with_descendants = request.form.get("descendants") == "1"
    from_recall = request.form.get("from") == "recall"
    try:
        made = block_lots(_family(lot, with_descendants), reason, user_id=current_user.id,
                          recall_lot_id=lot.id if from_recall else None)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(lot.id), 303
    db.session.commit()
    codes = ", ".join(row.lot.code for row in made) or lot.code
    flash(_("Blocked: %(lots)s. The till, transfers and packaging refuse them.", lots=codes), "success")
    return _back(lot.id)


@bp.route("/lots/<int:lot_id>/unblock", methods=["POST"])
@roles(*STAFF)
def unblock_page(lot_id):
    """Unblock from a page, with a reason."""
    lot = _lot_or_404(lot_id)
    try:
        unblock_lot(lot.id, request.form.get("reason"), user_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _back(lot.id), 303
    db.session.commit()
    flash(_("Lot %(lot)s unblocked.", lot=lot.code), "success")
    return _back(lot.id)

