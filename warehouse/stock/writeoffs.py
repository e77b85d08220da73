"""Write-offs: goods broken, spoiled or lost, taken out of stock with a cause and a reason
(models.stock_writeoffs). Operators and admins anywhere; a cashier at their own shops only.
Pages (list, new by scanning the label, one write-off) and the API."""
import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf import FlaskForm
from marshmallow import validate as v
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from auth.access import roles
from extensions import db
from models.compensations import Compensation
from models.errors import DomainError
from models.stock import REAL_KINDS, KIND_TRANSIT, Location
from models.stock_writeoffs import CAUSE_LABELS, CAUSES, DOC_WRITE_OFF, WriteOff, write_off
from warehouse import bp
from warehouse.views import _show_errors as show_errors
from web.api import page_schema, paginate
from web.fields import Dec, Int, ListArgsSchema
from web.forms import AmountField
from web.audit import STATUS_LABELS
from web.labels import UOM_LABELS
from web.locale import language
from web.scans import scanned_lot
from web.scope import SHOP_ROLES, my_locations, only_my_shops, require_shop, visible_write_off

PER_PAGE = 50

blp = Blueprint("write_offs_api", __name__, url_prefix="/api/v1",
                description="Write-offs: goods broken, spoiled or lost")


# ------------------------------------------------------------------------------------- API

class WriteOffInSchema(ma.Schema):
    """POST /write-offs: a lot at a location, how much, why."""

    lot_id = Int(required=True)
    location_id = Int(required=True)
    quantity = Dec(required=True)
    cause = ma.fields.String(required=True, validate=v.OneOf(CAUSES))
    reason = ma.fields.String(required=True, validate=v.Length(1, 255))


class WriteOffSchema(ma.Schema):
    """A write-off as recorded, with the compensation it opened (or the loss borne)."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    lot_id = ma.fields.Integer(required=True)
    lot_code = ma.fields.String(required=True)
    location_id = ma.fields.Integer(required=True)
    quantity = Dec(required=True)
    cause = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)
    created_by_id = ma.fields.Integer(allow_none=True)
    compensation_id = ma.fields.Integer(allow_none=True)
    compensation_status = ma.fields.String(allow_none=True)


class WriteOffArgsSchema(ListArgsSchema):
    """?location_id=…&page=…"""

    location_id = Int()


WriteOffPage = page_schema(WriteOffSchema, "WriteOffPage")


def _compensations(ids):
    """{write-off id: Compensation} of the given write-offs."""
    if not ids:
        return {}
    rows = db.session.execute(select(Compensation).where(
        Compensation.document_type == DOC_WRITE_OFF, Compensation.document_id.in_(ids))).scalars()
    return {c.document_id: c for c in rows}


def _out(row, comp):
    """The API's dict of a write-off."""
    return {"id": row.id, "number": row.number, "lot_id": row.lot_id, "lot_code": row.lot.code,
            "location_id": row.location_id, "quantity": row.quantity, "cause": row.cause,
            "reason": row.reason, "created_at": row.created_at, "created_by_id": row.created_by_id,
            "compensation_id": comp.id if comp else None,
            "compensation_status": comp.status if comp else None}


def _visible_query(location_id=None):
    """Write-offs this user may read (a cashier: their shops'), newest first."""
    query = select(WriteOff).order_by(WriteOff.created_at.desc(), WriteOff.id.desc())
    if location_id:
        query = query.where(WriteOff.location_id == location_id)
    return only_my_shops(query, WriteOff.location_id)


@blp.route("/write-offs", methods=["GET"])
@blp.arguments(WriteOffArgsSchema, location="query")
@blp.response(200, WriteOffPage)
@roles(*SHOP_ROLES)
def api_list(args):
    """Write-offs, newest first (a cashier sees those of their shops)."""
    page = paginate(_visible_query(args.get("location_id")), args, db.session)
    rows = [r[0] for r in page["items"]]
    comps = _compensations([r.id for r in rows])
    page["items"] = [_out(r, comps.get(r.id)) for r in rows]
    return page


@blp.route("/write-offs/<int:write_off_id>", methods=["GET"])
@blp.response(200, WriteOffSchema)
@roles(*SHOP_ROLES)
def api_get(write_off_id):
    """One write-off."""
    row = visible_write_off(write_off_id)
    return _out(row, _compensations([row.id]).get(row.id))


@blp.route("/write-offs", methods=["POST"])
@blp.arguments(WriteOffInSchema)
@blp.response(201, WriteOffSchema)
@blp.alt_response(403, description="A cashier writes off only at their own shops")
@blp.alt_response(404, description="Unknown lot")
@blp.alt_response(409, description="`insufficient_stock`: less on hand than written off")
@roles(*SHOP_ROLES)
def api_create(data):
    """Write goods off: stock to the loss location, a compensation proposed to the cooperative
    for damaged or lost goods (expired or defective goods are the cooperative's loss)."""
    require_shop(data["location_id"])
    row = write_off(user_id=current_user.id, **data)
    db.session.commit()
    return _out(row, _compensations([row.id]).get(row.id))


# ----------------------------------------------------------------------------------- pages

class WriteOffForm(FlaskForm):
    """A write-off as a person records it: scan the label, say how many and why."""

    location_id = SelectField(_l("Where"), coerce=int, validators=[DataRequired()])
    lot_code = StringField(_l("Lot (scan the label or type the code)"),
                           validators=[DataRequired(), Length(max=120)])
    quantity = AmountField(_l("Quantity"), places=3, validators=[DataRequired()])
    cause = SelectField(_l("Cause"), choices=[(c, CAUSE_LABELS[c]) for c in CAUSES],
                        validators=[DataRequired()])
    reason = StringField(_l("What happened"), validators=[DataRequired(), Length(max=255)])


def _labels():
    """The label tables the write-off templates show."""
    return {"cause_labels": CAUSE_LABELS, "uom_labels": UOM_LABELS, "status_labels": STATUS_LABELS}


def _places():
    """The warehouse zones and shops this user may write off at."""
    rows = db.session.execute(select(Location).where(
        Location.kind.in_(REAL_KINDS), Location.kind != KIND_TRANSIT, Location.active.is_(True))
        .order_by(Location.kind.desc(), Location.code)).scalars().all()
    return my_locations(rows)


@bp.route("/write-offs")
@roles(*SHOP_ROLES)
def write_offs():
    """The write-offs, newest first, by place."""
    places = _places()
    location_id = request.args.get("location_id", type=int)
    if location_id and location_id not in {p.id for p in places}:
        location_id = None
    page = max(1, request.args.get("page", 1, type=int))
    query = _visible_query(location_id)
    rows = db.session.execute(query.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).scalars().all()
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    return render_template("warehouse/write_offs.html", rows=rows, places=places,
                           location_id=location_id, page=page, more=more,
                           compensations=_compensations([r.id for r in rows]), **_labels())


@bp.route("/write-offs/new", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def write_off_new():
    """Record a write-off: the lot scanned where it is, the quantity, the cause, the reason."""
    form = WriteOffForm()
    places = _places()
    lang = language()
    form.location_id.choices = [(p.id, p.name(lang)) for p in places]
    if request.method == "GET":
        form.location_id.data = request.args.get("location_id", type=int) or \
            (places[0].id if places else None)
        if request.args.get("lot"):
            form.lot_code.data = request.args.get("lot", "")[:120]
    status = 200
    if form.validate_on_submit():
        require_shop(form.location_id.data)
        lot_id, problem = scanned_lot(form.lot_code.data.strip(), form.location_id.data,
                                      usable_only=False)
        if lot_id is None:
            form.lot_code.errors = list(form.lot_code.errors) + [problem]
        else:
            try:
                row = write_off(lot_id=lot_id, location_id=form.location_id.data,
                                quantity=form.quantity.data, cause=form.cause.data,
                                reason=form.reason.data, user_id=current_user.id)
            except DomainError as exc:
                db.session.rollback()
                show_errors(form, exc)
            else:
                db.session.commit()
                flash(_("Write-off %(number)s recorded: %(lot)s left the stock.",
                        number=row.number, lot=row.lot.code), "success")
                return redirect(url_for("warehouse.write_off_page", write_off_id=row.id))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("warehouse/write_off_form.html", form=form), status


@bp.route("/write-offs/<int:write_off_id>")
@roles(*SHOP_ROLES)
def write_off_page(write_off_id):
    """One write-off: what, where, why, and what the cooperative is offered."""
    row = visible_write_off(write_off_id)
    return render_template("warehouse/write_off.html", row=row,
                           compensation=_compensations([row.id]).get(row.id), **_labels())
