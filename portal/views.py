"""The cooperative's pages (also open to admins, for any cooperative): home, stock by outlet,
receptions, sales, statement, payouts, a lot. A cooperative user opening another
cooperative's page gets 404, as if it did not exist."""
from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from web.csvfile import page_dialect, word
from web.locale import moments
from web.labels import UOM_LABELS
from auth.access import roles
from web.scope import sees_payout_details, visible_cooperative
from extensions import db
from models.consignment import balance
from models.consignment_payouts import Payout
from models.consignment_statement_pages import paged_statement
from models.consignment_statements import period_bounds, platform_timezone
from portal import bp, queries
from portal.charts import sales_chart_svg
from portal.forms import PeriodForm
from web.labels import CHANNEL_LABELS, ENTRY_KIND_LABELS as KIND_LABELS, PAYOUT_METHOD_LABELS as METHOD_LABELS
from web.api import pdf_response
from portal.helpers import (csv_response, entry_document_labels, is_admin, statement_document,
                            period_or_default, today)
from portal.documents_pdf import local_time, payout_slip_pdf
from portal.statement_pdf import statement_pdf
from portal.statement_csv import statement_csv

STATEMENT_PAGE = 200  # entries per page of the statement page


def _resolved(labels):
    """Lazy labels translated once for the page (a statement page shows 400 of them): the same
    text a lazy label gives the template (its __html__ is its text, as is this Markup's)."""
    return {key: Markup(str(label)) for key, label in labels.items()}


def _common(coop, active):
    """What every portal page's template needs: the cooperative, the tab, labels, and `when`:
    the local date and time of a stored time, the text of `|portal_time` with Babel and the
    time zone asked once per page (web.locale.moments), not twice per row."""
    return {"coop": coop, "active": active, "kind_labels": _resolved(KIND_LABELS), "uom_labels": UOM_LABELS,
            "method_labels": METHOD_LABELS, "is_admin": is_admin(), "when": moments()}


@bp.route("/")
@roles("cooperative", "admin")
def index():
    """A cooperative's home; an admin lands on the overview of every cooperative."""
    if current_user.role == "admin":
        return redirect(url_for("portal.overview"))
    return dashboard(current_user.cooperative_id)


@bp.route("/cooperatives/<int:coop_id>/")
@roles("cooperative", "admin")
def dashboard(coop_id):
    """Owed, fees, paid and the balance; gross and commission; the chart by month and outlet."""
    coop = visible_cooperative(coop_id)
    figures = balance(coop.id)
    totals = queries.sales_totals(coop.id)
    months, series = queries.sales_by_month_and_outlet(coop.id, today=today())
    chart = sales_chart_svg(_("Sales by month and outlet (MAD, gross)"), months, series,
                            _("No sales yet"))
    chart_phone = sales_chart_svg(_("Sales by month and outlet (MAD, gross)"), months, series,
                                  _("No sales yet"), phone=True)
    recent = db.session.execute(queries.sales_query(coop.id).limit(5)).all()
    return render_template("portal/dashboard.html", figures=figures, totals=totals, chart=chart,
                           chart_phone=chart_phone, chart_series=series,
                           chart_months=[format_date(date(int(m[:4]), int(m[5:7]), 1), "LLLL y") for m in months],
                           recent=recent, **_common(coop, "dashboard"))


@bp.route("/cooperatives/<int:coop_id>/stock")
@roles("cooperative", "admin")
def stock(coop_id):
    """On hand by outlet (warehouse zones, each shop and stand, in transit), lot by lot."""
    coop = visible_cooperative(coop_id)
    groups = queries.stock_by_outlet(coop.id)
    if request.args.get("format") == "csv":
        dialect = page_dialect()
        rows = ([loc.code, loc.name_fr, r.sku, r.product_fr, r.lot_code, r.best_before, r.quantity,
                 word(r.uom, UOM_LABELS, dialect)]
                for loc, items in groups for r in items)
        return csv_response(f"stock-{coop.id}.csv", ["location_code", "location", "sku", "product",
                                                     "lot", "best_before", "quantity", "unit"], rows)
    from datetime import timedelta

    from portal.helpers import config

    from models.stock_blocks import current_blocks

    warn = today() + timedelta(days=config("EXPIRY_WARNING_DAYS"))
    # The blocks in force on every lot shown, one query (not one per outlet).
    blocks = current_blocks({r.lot_id for _location, rows in groups for r in rows})
    return render_template("portal/stock.html", groups=groups, today=today(), warn=warn, blocks=blocks,
                           **_common(coop, "stock"))


@bp.route("/cooperatives/<int:coop_id>/receptions")
@roles("cooperative", "admin")
def receptions(coop_id):
    """Each delivery the warehouse received from the cooperative, its lots and receipt."""
    coop = visible_cooperative(coop_id)
    return render_template("portal/receptions.html", receptions=queries.receptions(coop.id),
                           **_common(coop, "receptions"))


def _period_form(coop=None, with_outlets=False):
    """The period filter from the query string, with the outlets where the goods sold."""
    form = PeriodForm(request.args, meta={"csrf": False})
    form.location_id.choices = [(0, _("All outlets"))]
    form.channel.choices = [("", _("Every channel"))] + list(CHANNEL_LABELS.items())
    if with_outlets and coop is not None:
        form.location_id.choices += [(loc.id, loc.name(str(_locale()))) for loc in queries.sale_outlets(coop.id)]
    valid = form.validate()
    if not valid:
        return form, None, None
    return form, form.date_from.data, form.date_to.data


def _locale():
    """The page's locale."""
    from flask_babel import get_locale

    return get_locale() or "fr"


@bp.route("/cooperatives/<int:coop_id>/sales")
@roles("cooperative", "admin")
def sales(coop_id):
    """Sales and refunds of the cooperative's goods, by period and outlet; CSV."""
    coop = visible_cooperative(coop_id)
    form, date_from, date_to = _period_form(coop, with_outlets=True)
    if form.errors:
        return render_template("portal/sales.html", form=form, page=None, totals=None,
                               **_common(coop, "sales")), 422
    start, end = period_bounds(date_from, date_to) if date_from and date_to else (None, None)
    if date_from and not date_to:
        start = period_bounds(date_from, date_from)[0]
    if date_to and not date_from:
        end = period_bounds(date_to, date_to)[1]
    location_id = form.location_id.data or None
    channel = form.channel.data or None
    query = queries.sales_query(coop.id, start, end, location_id, channel)
    if request.args.get("format") == "csv":
        tz = platform_timezone()
        dialect = page_dialect()

        def rows():
            for chunk in _chunks(db.session.execute(query), 1000):
                channels = queries.entry_channels(chunk)
                for r in chunk:
                    yield [r.id, local_time(r.created_at, tz).isoformat(timespec="seconds"),
                           word(r.kind, KIND_LABELS, dialect), r.location_fr, r.product_fr,
                           r.lot_code, r.quantity, queries.unit_price(r), r.gross,
                           r.commission_rate, r.commission, r.amount,
                           word(channels.get(r.id), CHANNEL_LABELS, dialect)]
        # The channel comes last: the columns before it keep their places for readers of the file.
        return csv_response(f"sales-{coop.id}.csv", ["entry_id", "time", "kind", "outlet", "product",
                                                     "lot", "quantity", "unit_price", "gross",
                                                     "commission_rate", "commission", "owed",
                                                     "channel"], rows())
    # The totals, the lines by channel and the pages' count from the summary tables (the
    # order entries alone read from the ledger): a year's entries are not scanned three times.
    totals, by_channel = queries.sales_page_sums(coop.id, date_from, date_to, start, end, location_id)
    if channel:
        totals = by_channel.get(channel) or dict(queries.ZERO_SUMS)
    number, per_page = max(1, request.args.get("page", 1, type=int)), 50
    page = {"items": db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).all(),
            "page": number, "per_page": per_page, "total": totals["lines"]}
    qs = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    return render_template("portal/sales.html", form=form, page=page, totals=totals, qs=qs,
                           unit_price=queries.unit_price, channel_labels=_resolved(CHANNEL_LABELS),
                           channels=queries.entry_channels(page["items"]), by_channel=by_channel,
                           **_common(coop, "sales"))


def _chunks(rows, size):
    """Lists of up to `size` rows of an iterable (the CSV names each chunk's channels at once)."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@bp.route("/cooperatives/<int:coop_id>/statement")
@roles("cooperative", "admin")
def statement_page(coop_id):
    """The statement of a period, line by line with the running balance; PDF and CSV."""
    coop = visible_cooperative(coop_id)
    form, date_from, date_to = _period_form()
    if form.errors:
        return render_template("portal/statement.html", form=form, stmt=None, labels={},
                               **_common(coop, "statement")), 422
    date_from, date_to = period_or_default(date_from, date_to)
    form.date_from.data, form.date_to.data = date_from, date_to
    fmt = request.args.get("format")
    name = f"statement-{coop.id}-{date_from}-{date_to}"
    if fmt == "pdf":
        stmt, labels = statement_document(coop.id, date_from, date_to)
        return pdf_response(statement_pdf(stmt, coop, platform_timezone(), labels), name + ".pdf")
    if fmt == "csv":
        return statement_csv(coop.id, date_from, date_to, name + ".csv", str(_locale()))
    # The page shows STATEMENT_PAGE entries at a time (a year can be 58,000); the balances,
    # totals and the PDF / CSV cover the whole period.
    stmt = paged_statement(coop.id, date_from, date_to, request.args.get("page", 1, type=int),
                          STATEMENT_PAGE)
    labels = entry_document_labels(stmt["entries"])
    qs = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    return render_template("portal/statement.html", form=form, stmt=stmt, labels=labels, qs=qs,
                           **_common(coop, "statement"))


@bp.route("/cooperatives/<int:coop_id>/payouts")
@roles("cooperative", "admin")
def cooperative_payouts(coop_id):
    """The payouts made to the cooperative, newest first, with their slips."""
    coop = visible_cooperative(coop_id)
    rows = db.session.execute(select(Payout).where(Payout.cooperative_id == coop.id)
                              .order_by(Payout.paid_on.desc(), Payout.id.desc())).scalars().all()
    return render_template("portal/cooperative_payouts.html", rows=rows, **_common(coop, "payouts"))


@bp.route("/cooperatives/<int:coop_id>/lots/<int:lot_id>")
@roles("cooperative", "admin")
def lot(coop_id, lot_id):
    """One of the cooperative's lots: where it is now and what of it sold."""
    coop = visible_cooperative(coop_id)
    detail = queries.lot_detail(coop.id, lot_id)
    if detail is None:
        abort(404)
    return render_template("portal/lot.html", detail=detail, unit_price=queries.unit_price,
                           **_common(coop, "stock"))


@bp.route("/payouts/<int:payout_id>/slip.pdf")
@roles("cooperative", "admin")
def payout_slip(payout_id):
    """A payout's slip (bank details on the admin's copy only)."""
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        abort(404)
    coop = visible_cooperative(payout.cooperative_id)
    by = payout.user.full_name or payout.user.username if payout.user else None
    data = payout_slip_pdf(payout, coop, platform_timezone(), include_bank=sees_payout_details(), paid_by=by)
    return pdf_response(data, f"{payout.number}.pdf")
