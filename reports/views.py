"""The reports' pages, for admins and the read-only observer: each report with its chart, its
table (the chart's text alternative) and its CSV; the map of the provinces; the open data."""
from flask import render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from auth.access import public, roles
from models import reports_provinces
from reports import bp
from reports.building import BREAKDOWN_LABELS, REPORTS, as_text, build, cell, csv_response, period
from reports.forms import ReportForm
from reports.map_svg import map_svg, outlines, population
from reports.tables import province_table
from web.locale import day, figure as fmt
from web.scope import may_read_reports

READERS = ("admin", "observer")


def fmt_date(value):
    """A day of a period in the reader's language (medium format)."""
    return day(value, fmt="medium") if value else ""

MEASURE_LABELS = {
    "cooperatives": _l("Cooperatives"), "members": _l("Members"),
    "received": _l("Volume received (kg or l)"), "revenue": _l("Cooperatives' revenue (MAD)"),
    "revenue_per_inhabitant": _l("Revenue per inhabitant (MAD)"),
}
MEASURE_KINDS = {"cooperatives": "int", "members": "int", "received": "qty", "revenue": "money",
                 "revenue_per_inhabitant": "per"}


def _form(breakdowns=(), measures=()):
    """The filter form with its choices; 400 on a bad date or choice."""
    form = ReportForm(request.args)
    form.by.choices = [(b, BREAKDOWN_LABELS[b]) for b in breakdowns]
    form.measure.choices = [(m, MEASURE_LABELS[m]) for m in measures]
    if request.args and not form.validate():
        return form, False
    return form, True


@bp.route("/")
@roles(*READERS)
def index():
    """The list of reports, the map and the open data."""
    may_read_reports()
    return render_template("reports/index.html", reports=REPORTS)


def report_page(name):
    """One report: filters, chart, tables, CSV (`format=csv`)."""
    may_read_reports()
    title, _b, _t, _c, breakdowns, has_period = REPORTS[name]
    form, ok = _form(breakdowns)
    if not ok:
        return render_template("reports/report.html", name=name, title=title, form=form,
                               has_period=has_period, breakdowns=breakdowns, tables=[], chart=None,
                               cell=cell, report=None), 400
    d0, d1 = period(form.date_from.data, form.date_to.data)
    by = form.by.data if breakdowns and form.by.data in breakdowns else (breakdowns[0] if breakdowns else None)
    report, shown, chart = build(name, {"by": by}, d0, d1)
    if request.args.get("format") == "csv":
        suffix = f"-{by}" if by else ""
        return csv_response(f"{name}{suffix}-{d0}-{d1}.csv", shown)
    form.date_from.data, form.date_to.data, form.by.data = d0, d1, by
    return render_template("reports/report.html", name=name, title=title, form=form, report=report,
                           has_period=has_period, breakdowns=breakdowns, tables=as_text(shown), chart=chart,
                           cell=cell, d0=d0, d1=d1, fmt_date=fmt_date)


for _name in REPORTS:
    view = roles(*READERS)(lambda _n=_name: report_page(_n))
    view.__name__ = "report_" + _name.replace("-", "_")
    view.__doc__ = f"The {_name} report."
    bp.add_url_rule(f"/{_name}", endpoint=view.__name__, view_func=view)


def _both(message):
    """A message in French and in Arabic, whatever the reader's language (the map's legend)."""
    out = []
    for lang in ("fr", "ar"):
        with force_locale(lang):
            out.append(str(message))
    return out


@bp.route("/map")
@roles(*READERS)
def map_page():
    """The eight provinces and prefectures shaded by a measure, with the figures' table."""
    may_read_reports()
    form, ok = _form((), reports_provinces.MAP_MEASURES)
    measure = form.measure.data if ok and form.measure.data in reports_provinces.MAP_MEASURES else "revenue"
    d0, d1 = period(form.date_from.data if ok else None, form.date_to.data if ok else None)
    figures = reports_provinces.province_figures(d0, d1, population())
    _rings, names_ar = outlines()
    shown = province_table(figures, names_ar)
    if ok and request.args.get("format") == "csv":
        return csv_response(f"provinces-{d0}-{d1}.csv", shown)
    kind = MEASURE_KINDS[measure]
    legend_fr, legend_ar = _both(MEASURE_LABELS[measure])
    no_data_fr, no_data_ar = _both(_l("No data"))
    title_fr, title_ar = _both(_l("The Oriental Region's provinces and prefectures"))
    svg = map_svg({f["province"]: f[measure] for f in figures}, title_fr, title_ar,
                  lambda v: fmt(v, kind), legend_fr, legend_ar, no_data_fr, no_data_ar)
    form.date_from.data, form.date_to.data, form.measure.data = d0, d1, measure
    status = 200 if ok else 400
    return render_template("reports/map.html", form=form, svg=svg, tables=as_text(shown), cell=cell,
                           measure=measure, d0=d0, d1=d1, fmt_date=fmt_date), status


@bp.route("/open-data")
@public
def open_data():
    """What the open data holds, its licence and its downloads (public)."""
    return render_template("reports/open_data.html", threshold=reports_provinces.SMALL_CELL)
