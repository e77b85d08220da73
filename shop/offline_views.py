"""The offline till's pages: its service worker (scoped to one shop's till) and the list of
what offline sales left to settle (stock shortfalls, lots blocked or expired since)."""
from flask import current_app, flash, redirect, render_template, send_from_directory, url_for
from flask_babel import gettext as _

from auth.access import public, roles
from extensions import db
from models.errors import DomainError
from models.sales_offline import open_issues, settle_issue
from shop import bp
from shop.forms import SettleIssueForm


def offline_context(shop):
    """What the POS page needs to work offline: URLs, the zone, the script's strings."""
    from models import clock

    return {
        "sw_url": url_for("shop.till_service_worker", location_id=shop.id),
        "sw_scope": url_for("shop.index") + f"{shop.id}/",
        "catalogue_url": url_for("shop_offline_api.shop_catalogue", location_id=shop.id),
        "devices_url": url_for("shop_offline_api.create_device", location_id=shop.id),
        "offline_sales_url": url_for("shop_offline_api.create_offline_sale"),
        "timezone": clock.platform_tz().key,
        "messages": {
            "offline_banner": _("Offline: sales are kept on this device and sent when the connection returns."),
            "waiting": _("Sales waiting to be sent: %(n)s"),
            "sign_in": _("Sign in again to send them."),
            "queued_sale": _("Sale kept on this device"),
            "no_numbers": _("This device has no receipt numbers left: connect it to the server once to reserve more."),
            "no_catalogue": _("This device has no catalogue yet: open the till once with a connection."),
            "unknown_code": _("Unknown code %(code)s."),
            "out_of_stock": _("Nothing left of lot %(lot)s at this shop."),
            "lot_expired": _("Lot %(lot)s has expired: do not sell it."),
            "lot_blocked": _("Lot %(lot)s is blocked: do not sell or move it; set it aside."),
            "choose_lot": _("Several lots of this product are here: choose the one in hand "
                            "(arrows, then Enter)."),
            "mad": _("MAD"),
        },
    }


@bp.route("/<int:location_id>/till-sw.js")
@public
def till_service_worker(location_id):
    """The till's service worker; its scope is this shop's pages (/shop/<id>/)."""
    response = send_from_directory(current_app.static_folder, "js/till_sw.js",
                                   mimetype="application/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline-issues")
@roles("operator", "admin")
def offline_issues():
    """What offline sales left to settle: shortfalls to check at the next count, and lots
    sold offline although blocked or expired by the time they synced."""
    return render_template("shop/offline_issues.html", rows=open_issues(), form=SettleIssueForm())


@bp.route("/offline-issues/<int:issue_id>/settle", methods=["POST"])
@roles("operator", "admin")
def settle_offline_issue(issue_id):
    """Mark an issue settled (counted, or dealt with)."""
    form = SettleIssueForm()
    if form.validate_on_submit():
        try:
            settle_issue(issue_id)
            db.session.commit()
            flash(_("Marked as settled."), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
    return redirect(url_for("shop.offline_issues"))
