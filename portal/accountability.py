"""The admin's accountability pages of the consignment: compensations proposed for losses
(approve, or reject with a reason), payout reversals, and the same over the API. Each POST:
validate → call the service → commit once."""
from datetime import timezone

import marshmallow as ma
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import validate as v
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from auth.access import roles
from extensions import db
from models import audit
from models.compensations import LOSS_KINDS, BORNE_KINDS, STATUSES, Compensation, approve, reject
from models.consignment_payouts import reverse_payout
from models.errors import DomainError
from portal import bp
from web.fields import Dec

blp = Blueprint("accountability_api", __name__, url_prefix="/api/v1",
                description="Compensations for losses and payout reversals")


def _compensations(status=None, cooperative_id=None, limit=500):
    query = (select(Compensation).options(selectinload(Compensation.cooperative),
                                          selectinload(Compensation.product),
                                          selectinload(Compensation.lot))
             .order_by(Compensation.id.desc()).limit(limit))
    if status:
        query = query.where(Compensation.status == status)
    if cooperative_id:
        query = query.where(Compensation.cooperative_id == cooperative_id)
    return db.session.execute(query).scalars().all()


@bp.route("/admin/compensations")
@roles("admin")
def compensations():
    """Losses of the cooperatives' goods: proposals to decide, decisions, losses borne."""
    status = request.args.get("status", "proposed")
    status = status if status in STATUSES or status == "all" else "proposed"
    rows = _compensations(None if status == "all" else status)
    return render_template("portal/compensations.html", rows=rows, status=status, statuses=STATUSES)


@bp.route("/admin/compensations/<int:compensation_id>/approve", methods=["POST"])
@roles("admin")
def compensation_approve(compensation_id):
    """Credit the cooperative with the proposal's value."""
    try:
        comp = approve(compensation_id, user_id=current_user.id, note=request.form.get("note"))
        audit.record("approve", "compensation", comp.id, after={"amount": comp.amount, "entry_id": comp.entry_id})
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("portal.compensations")), 303
    db.session.commit()
    flash(_("Compensation %(number)s approved: the cooperative is credited.", number=comp.number), "success")
    return redirect(url_for("portal.compensations"))


@bp.route("/admin/compensations/<int:compensation_id>/reject", methods=["POST"])
@roles("admin")
def compensation_reject(compensation_id):
    """Refuse a proposal with the reason."""
    try:
        comp = reject(compensation_id, reason=request.form.get("reason"), user_id=current_user.id)
        audit.record("reject", "compensation", comp.id, after={"reason": comp.decision_note})
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("portal.compensations")), 303
    db.session.commit()
    flash(_("Compensation %(number)s rejected.", number=comp.number), "success")
    return redirect(url_for("portal.compensations"))


@bp.route("/admin/payouts/<int:payout_id>/reverse", methods=["POST"])
@roles("admin")
def payout_reverse(payout_id):
    """Reverse a payout with a reason: a reversing entry gives the amount back."""
    try:
        reversal = reverse_payout(payout_id=payout_id, reason=request.form.get("reason"),
                                  user_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(exc.message, "danger")
        return redirect(url_for("portal.payouts")), 303
    db.session.commit()
    flash(_("Payout %(number)s reversed.", number=reversal.payout.number), "success")
    return redirect(url_for("portal.payouts", cooperative_id=reversal.payout.cooperative_id))


# --- API -----------------------------------------------------------------------------------

def _utc(naive):
    return naive.replace(tzinfo=timezone.utc) if naive is not None else None


class CompensationSchema(ma.Schema):
    """A loss of a cooperative's goods and its compensation."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    number = ma.fields.String(required=True)
    cooperative_id = ma.fields.Integer(required=True)
    product_id = ma.fields.Integer(required=True)
    lot_id = ma.fields.Integer(allow_none=True)
    location_id = ma.fields.Integer(allow_none=True)
    quantity = Dec(required=True)
    loss_kind = ma.fields.String(required=True, validate=v.OneOf(LOSS_KINDS + BORNE_KINDS))
    document_type = ma.fields.String(required=True)
    document_id = ma.fields.Integer(required=True)
    reason = ma.fields.String(allow_none=True)
    basis = ma.fields.String(required=True)
    retail_price = Dec(allow_none=True)
    commission_rate = Dec(allow_none=True)
    unit_value = Dec(required=True)
    amount = Dec(required=True)
    status = ma.fields.String(required=True, validate=v.OneOf(STATUSES))
    created_at = ma.fields.DateTime(required=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    entry_id = ma.fields.Integer(allow_none=True)


class CompensationListArgs(ma.Schema):
    """Filters of GET /compensations."""

    class Meta:
        unknown = ma.EXCLUDE

    status = ma.fields.String(validate=v.OneOf(STATUSES))
    cooperative_id = ma.fields.Integer(validate=v.Range(1, 2**31 - 1))


class DecisionSchema(ma.Schema):
    """An approval (optional note) or a rejection (reason required)."""

    note = ma.fields.String(allow_none=True, validate=v.Length(max=255))
    reason = ma.fields.String(allow_none=True, validate=v.Length(max=255))


class ReversalSchema(ma.Schema):
    """Why a payout is reversed."""

    reason = ma.fields.String(required=True, validate=v.Length(min=1, max=255))


class ReversalOutSchema(ma.Schema):
    """A payout reversal."""

    class Meta:
        ordered = True

    id = ma.fields.Integer(required=True)
    payout_id = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


def _out(comp):
    return {**{k: getattr(comp, k) for k in CompensationSchema().fields if k not in ("created_at", "decided_at")},
            "created_at": _utc(comp.created_at), "decided_at": _utc(comp.decided_at)}


@blp.route("/compensations", methods=["GET"])
@blp.arguments(CompensationListArgs, location="query")
@blp.response(200, CompensationSchema(many=True))
@roles("admin")
def list_compensations(args):
    """Compensations, newest first (at most 500), by status and cooperative."""
    return [_out(c) for c in _compensations(args.get("status"), args.get("cooperative_id"))]


@blp.route("/compensations/<int:compensation_id>/approve", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.response(200, CompensationSchema)
@blp.alt_response(404, description="No such compensation")
@blp.alt_response(409, description="Already decided, or without value")
@roles("admin")
def approve_compensation(data, compensation_id):
    """Approve: a consignment credit (adjustment) on the cooperative's statement."""
    comp = approve(compensation_id, user_id=current_user.id, note=data.get("note"))
    audit.record("approve", "compensation", comp.id, after={"amount": comp.amount, "entry_id": comp.entry_id})
    db.session.commit()
    return _out(comp)


@blp.route("/compensations/<int:compensation_id>/reject", methods=["POST"])
@blp.arguments(DecisionSchema)
@blp.response(200, CompensationSchema)
@blp.alt_response(404, description="No such compensation")
@blp.alt_response(409, description="Already decided")
@roles("admin")
def reject_compensation(data, compensation_id):
    """Reject with a reason (422 without one)."""
    comp = reject(compensation_id, reason=data.get("reason"), user_id=current_user.id)
    audit.record("reject", "compensation", comp.id, after={"reason": comp.decision_note})
    db.session.commit()
    return _out(comp)


@blp.route("/payouts/<int:payout_id>/reverse", methods=["POST"])
@blp.arguments(ReversalSchema)
@blp.response(201, ReversalOutSchema)
@blp.alt_response(404, description="No such payout")
@blp.alt_response(409, description="Already reversed")
@roles("admin")
def reverse(data, payout_id):
    """Reverse a payout with a reason: a reversing entry restores the balance."""
    reversal = reverse_payout(payout_id=payout_id, reason=data["reason"], user_id=current_user.id)
    db.session.commit()
    return {"id": reversal.id, "payout_id": reversal.payout_id, "reason": reversal.reason,
            "created_at": _utc(reversal.created_at)}
