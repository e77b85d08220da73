"""The admin's consignment pages: every cooperative's balance, payouts, commission rules and
the packaging fee. Each POST: validate the form → call the service → commit once."""
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from web.csvfile import page_dialect, word
from web.labels import CATEGORY_LABELS, CHANNEL_LABELS
from auth.access import roles
from extensions import db
from models.consignment import CommissionRule, balance, packaging_fee_per_unit, set_packaging_fee
from models.consignment_rates import rate_history, set_commission_rate
from models.cooperatives import Cooperative
from models.errors import DomainError
from models.consignment_payouts import Payout, record_payout
from models.consignment_statements import overview as balances_overview
from portal import bp
from portal.forms import CommissionRuleForm, PackagingFeeForm, PayoutForm
from web.labels import PAYOUT_METHOD_LABELS as METHOD_LABELS
from portal.helpers import csv_response, today

SORTS = ("name", "owed", "fees", "paid", "balance")


@bp.route("/admin/overview")
@roles("admin")
def overview():
    """Every cooperative's owed, fees, paid and balance, with totals; sortable; CSV."""
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    descending = request.args.get("dir") == "desc"
    data = balances_overview(sort, descending)
    if request.args.get("format") == "csv":
        rows = [[i["cooperative_id"], i["name_fr"], i["name_ar"], i["province"], i["owed"],
                 i["fees"], i["paid"], i["adjustments"], i["balance"]] for i in data["items"]]
        t = data["totals"]
        rows.append(["", word("total", {"total": _("Total")}, page_dialect()).upper(), "", "", t["owed"], t["fees"], t["paid"], t["adjustments"], t["balance"]])
        return csv_response("consignment-balances.csv", ["cooperative_id", "name_fr", "name_ar",
                            "province", "owed", "fees", "paid", "adjustments", "balance"], rows)
    return render_template("portal/overview.html", data=data, sort=sort, descending=descending)


def _cooperative_choices():
    """(id, name) of every cooperative, for the admin's selects."""
    return [(c.id, c.name_fr) for c in db.session.execute(
        select(Cooperative).order_by(Cooperative.name_fr)).scalars()]


@bp.route("/admin/payouts")
@roles("admin")
def payouts():
    """Every payout, newest first, filterable by cooperative."""
    coop_id = request.args.get("cooperative_id", type=int)
    query = select(Payout).order_by(Payout.created_at.desc(), Payout.id.desc()).limit(500)
    if coop_id:
        query = query.where(Payout.cooperative_id == coop_id)
    rows = db.session.execute(query).scalars().all()
    return render_template("portal/payouts.html", rows=rows, coop_id=coop_id,
                           cooperatives=_cooperative_choices(), method_labels=METHOD_LABELS)


@bp.route("/admin/payouts/new", methods=["GET", "POST"])
@roles("admin")
def payout_new():
    """Record a payout: the balance is checked under a lock; more needs a reason."""
    form = PayoutForm()
    form.cooperative_id.choices = [(0, "—")] + _cooperative_choices()
    if request.method == "GET":
        form.cooperative_id.data = request.args.get("cooperative_id", 0, type=int)
        form.paid_on.data = today()
    coop = db.session.get(Cooperative, form.cooperative_id.data) if form.cooperative_id.data else None
    status = 200
    if form.validate_on_submit():
        try:
            payout = record_payout(
                cooperative_id=form.cooperative_id.data, amount=form.amount.data,
                method=form.method.data, reference=form.reference.data,
                paid_on=form.paid_on.data, override_reason=form.override_reason.data,
                user_id=current_user.id, today=today())
        except DomainError as exc:
            db.session.rollback()
            for name, messages in exc.fields.items():
                if name in form and name not in ("amount",):
                    form[name].errors = list(form[name].errors) + [str(m) for m in messages]
            flash(exc.message, "danger")
            status = exc.status
        else:
            db.session.commit()
            flash(_("Payout %(number)s recorded.", number=payout.number), "success")
            return redirect(url_for("portal.payouts", cooperative_id=payout.cooperative_id))
    elif request.method == "POST":
        status = 422
    current = balance(coop.id) if coop else None
    return render_template("portal/payout_new.html", form=form, coop=coop, current=current), status


@bp.route("/admin/commission", methods=["GET", "POST"])
@roles("admin")
def commission():
    """Commission rates (platform default, per category, per cooperative, per channel) and
    the fee."""
    form = CommissionRuleForm()
    form.cooperative_id.choices = [(0, _("Platform (every cooperative)"))] + _cooperative_choices()
    fee_form = PackagingFeeForm()
    status = 200
    if request.method == "POST":
        target = form if request.form.get("which") == "rule" else fee_form
        if target.validate():
            try:
                if target is form:
                    set_commission_rate(cooperative_id=form.cooperative_id.data or None,
                                        category=form.category.data or None,
                                        channel=form.channel.data or None,
                                        rate=form.rate_percent.data / Decimal(100),
                                        effective_from=form.effective_from.data,
                                        user_id=current_user.id)
                else:
                    set_packaging_fee(fee_form.per_unit.data or 0, user_id=current_user.id)
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
                status = exc.status
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("portal.commission"))
        else:
            status = 422
    if request.method == "GET":
        fee_form.per_unit.data = packaging_fee_per_unit()
    return render_template("portal/commission.html", form=form, fee_form=fee_form,
                           **_rates_context()), status


def _rates_context():
    """The rules and per-cooperative rates the commission page lists."""
    rules = db.session.execute(select(CommissionRule).order_by(
        CommissionRule.cooperative_id.is_not(None), CommissionRule.cooperative_id,
        CommissionRule.category.is_not(None), CommissionRule.category,
        CommissionRule.channel.is_not(None), CommissionRule.channel)).scalars().all()
    coops = db.session.execute(select(Cooperative).order_by(Cooperative.name_fr)).scalars().all()
    names = {c.id: c for c in coops}
    return {"rules": rules, "coops": coops, "names": names, "category_labels": CATEGORY_LABELS,
            "channel_labels": CHANNEL_LABELS,
            "history": rate_history()[:200], "today": today()}


@bp.route("/admin/commission/rules/<int:rule_id>/delete", methods=["POST"])
@roles("admin")
def commission_rule_delete(rule_id):
    """Remove a rule: the next more general rule applies to future sales."""
    rule = db.session.get(CommissionRule, rule_id) or abort(404)
    set_commission_rate(cooperative_id=rule.cooperative_id, category=rule.category,
                        channel=rule.channel, rate=None, user_id=current_user.id)
    db.session.commit()
    flash(_("Rule removed."), "success")
    return redirect(url_for("portal.commission"))


@bp.route("/admin/commission/cooperatives/<int:coop_id>/clear", methods=["POST"])
@roles("admin")
def commission_cooperative_clear(coop_id):
    """Clear a cooperative's own rate: the platform's rules apply to its future sales."""
    if db.session.get(Cooperative, coop_id) is None:
        abort(404)
    set_commission_rate(cooperative_id=coop_id, rate=None, user_id=current_user.id)
    db.session.commit()
    flash(_("Rule removed."), "success")
    return redirect(url_for("portal.commission"))
