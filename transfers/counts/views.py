"""Stock-count pages (scanner-friendly count sheet, differences report, posting) and returns
to cooperatives (with their printable slip)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models import transfers_returns, transfers_counts
from models.cooperatives import Cooperative
from models.errors import DomainError
from models.stock import Lot
from models.transfers import CooperativeReturn, StockCount
from transfers import bp
from web.scope import (SHOP_ROLES, STAFF, my_locations, only_my_shops, require_shop,
                       visible_coop_return, visible_count)
from transfers.forms import CoopReturnForm, CountPostForm, CountStartForm, pad_rows
from transfers.queries import real_locations
from transfers.views import _locale, lines_from_rows, show_error
from web.scans import scanned_lot
from web.digits import normalize_digits


def _count_locations():
    """Where this user may count: staff anywhere real, a cashier at their shops."""
    return my_locations(real_locations())


@bp.route("/counts", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def counts():
    """Stock counts, and the form to start one (the expected quantities are snapshotted)."""
    form = CountStartForm()
    locations = _count_locations()
    form.location_id.choices = [(loc.id, loc.name(_locale())) for loc in locations]
    if form.validate_on_submit():
        try:
            require_shop(form.location_id.data)
            count = transfers_counts.start_count(form.location_id.data, user_id=current_user.id)
        except DomainError as exc:
            show_error(exc)
        else:
            db.session.commit()
            flash(_("Count %(number)s started.", number=count.number), "success")
            return redirect(url_for("transfers.count", count_id=count.id))
    query = select(StockCount).order_by(StockCount.id.desc()).limit(100)
    query = only_my_shops(query, StockCount.location_id)
    rows = db.session.execute(query).scalars().all()
    status = 422 if request.method == "POST" else 200
    return render_template("transfers/counts.html", form=form, rows=rows), status


def _posted_lines(count):
    """Read the sheet's inputs (counted-<lot id>, note-<lot id>) and an added lot code."""
    lines = []
    for line in count.lines:
        raw = request.form.get(f"counted-{line.lot_id}")
        if raw is None:
            continue
        lines.append({"lot_id": line.lot_id, "counted": normalize_digits(raw).strip().replace(",", ".") or None,
                      "note": request.form.get(f"note-{line.lot_id}", "")})
    code = (request.form.get("add_lot_code") or "").strip()
    if code:
        lot_id, problem = scanned_lot(code, count.location_id, usable_only=False)
        lot = db.session.get(Lot, lot_id) if lot_id else None
        if lot is None and problem and problem != _("Unknown lot."):
            flash(problem, "danger")
        elif lot is None:
            shown = code if len(code) <= 40 else code[:40] + "…"  # a scanner gone mad: keep it short
            flash(_("No lot with code %(code)s.", code=shown), "danger")
        elif lot.id not in {line.lot_id for line in count.lines}:
            qty = normalize_digits(request.form.get("add_counted") or "").strip().replace(",", ".") or None
            lines.append({"lot_id": lot.id, "counted": qty, "note": _("Found during the count")})
    return lines


@bp.route("/counts/<int:count_id>", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def count(count_id):
    """The on-screen count sheet: scan a lot code + Enter to jump to its row, type the count."""
    count = visible_count(count_id)
    if request.method == "POST":
        lines = _posted_lines(count)
        if lines:
            try:
                transfers_counts.record_counts(count.id, lines)
            except DomainError as exc:
                show_error(exc)
                return redirect(url_for("transfers.count", count_id=count.id)), 303
            db.session.commit()
            flash(_("Counts saved."), "success")
        if request.form.get("next") == "differences":
            return redirect(url_for("transfers.count_differences", count_id=count.id))
        return redirect(url_for("transfers.count", count_id=count.id))
    return render_template("transfers/count.html", count=count, picker_messages={
        "choose_lot": _("Several lots of this product are here: choose the one in hand "
                        "(arrows, then Enter)."),
        "cooperative": _("Cooperative"), "best_before": _("Best before"), "on_hand": _("On hand")})


@bp.route("/counts/<int:count_id>/differences", methods=["GET", "POST"])
@roles(*SHOP_ROLES)
def count_differences(count_id):
    """The differences report, then posting it with a reason."""
    count = visible_count(count_id)
    form = CountPostForm()
    if count.state == "open" and form.validate_on_submit():
        try:
            transfers_counts.post_count(count.id, form.reason.data, user_id=current_user.id)
        except DomainError as exc:
            show_error(exc)
        else:
            db.session.commit()
            flash(_("Count %(number)s posted.", number=count.number), "success")
            return redirect(url_for("transfers.count_differences", count_id=count.id))
    report = transfers_counts.differences(count)
    status = 422 if request.method == "POST" else 200
    return render_template("transfers/count_differences.html", count=count, report=report,
                           form=form), status


@bp.route("/counts/<int:count_id>/cancel", methods=["POST"])
@roles(*SHOP_ROLES)
def cancel_count(count_id):
    """Abandon an open count."""
    count = visible_count(count_id)
    try:
        transfers_counts.cancel_count(count.id)
    except DomainError as exc:
        show_error(exc)
        return redirect(url_for("transfers.count", count_id=count_id)), 303
    db.session.commit()
    flash(_("Count cancelled."), "success")
    return redirect(url_for("transfers.counts"))


@bp.route("/cooperative-returns", methods=["GET", "POST"])
@roles(*STAFF)
def coop_returns():
    """Returns to cooperatives, and the form to hand goods back (they leave consignment)."""
    form = CoopReturnForm()
    if request.method == "GET":
        pad_rows(form.lines, 6)
    form.cooperative_id.choices = [(c.id, c.name(_locale())) for c in db.session.execute(
        select(Cooperative).order_by(Cooperative.name_fr)).scalars()]
    form.location_id.choices = [(loc.id, loc.name(_locale())) for loc in real_locations()]
    if form.validate_on_submit():
        lines, index_map, bad = lines_from_rows(form.lines, location_id=form.location_id.data,
                                                usable_only=False)
        if not bad:
            try:
                ret = transfers_returns.create_cooperative_return(
                    form.cooperative_id.data, form.location_id.data, lines, form.reason.data,
                    user_id=current_user.id)
            except DomainError as exc:
                show_error(exc, form.lines, index_map)
            else:
                db.session.commit()
                flash(_("Return %(number)s recorded: print the slip for signature.",
                        number=ret.number), "success")
                return redirect(url_for("transfers.coop_return", return_id=ret.id))
    rows = db.session.execute(select(CooperativeReturn).order_by(CooperativeReturn.id.desc())
                              .limit(100)).scalars().all()
    status = 422 if request.method == "POST" else 200
    return render_template("transfers/coop_returns.html", form=form, rows=rows), status


@bp.route("/cooperative-returns/<int:return_id>")
@roles(*STAFF)
def coop_return(return_id):
    """One return to a cooperative, with its slip."""
    ret = visible_coop_return(return_id)
    if ret is None:
        abort(404)
    return render_template("transfers/coop_return.html", ret=ret)
