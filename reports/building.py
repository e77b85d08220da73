"""What the pages and the API share: each report's builder, tables and chart, periods, the
locale CSV and the JSON form of a report (decimals as strings, dates ISO 8601)."""
import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import Response, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import reports as R
from models import reports_revenue, reports_stock
from reports import tables
from reports.charts import bar_chart, stacked_chart
from web.locale import change as fmt_change, figure as fmt


def today():
    """Today in the platform's zone (models.clock)."""
    from models.clock import today as local_today

    return local_today()


def period(date_from, date_to):
    """The asked period; missing ends default to the last twelve months up to today."""
    date_to = date_to or today()
    if date_from is None:
        date_from = R.year_before(date_to, date_to)[0] + timedelta(days=1)
    return date_from, date_to


def _sales(args, d0, d1):
    return R.sales_report(args.get("by") or "family", d0, d1)


def _stock(args, d0, d1):
    return reports_stock.stock_ageing(today(), current_app.config.get("EXPIRY_WARNING_DAYS", 30), args.get("by") or "outlet")


def _revenue(args, d0, d1):
    return reports_revenue.revenue(d0, d1, args.get("by") or "cooperative")


def _sales_chart(report, table):
    rows = table["rows"] if report["dimension"] == "month" else table["rows"]
    series = {_("This period"): [r["gross"] for r in rows],
              _("A year before"): [r["previous"] for r in rows]}
    return bar_chart(_("Sales (MAD)"), [r["name"] for r in rows], series,
                     horizontal=report["dimension"] != "month")


def _volumes_chart(report, table):
    rows = table["rows"]
    names = [f'{r["family"]} ({r["unit"]})' for r in rows]
    return bar_chart(_("Volumes (kg or litres, pieces)"), names,
                     {_("Accepted"): [r["accepted"] for r in rows], _("Sold"): [r["sold"] for r in rows]},
                     kind="qty")


def _stock_chart(report, table):
    rows = table["rows"]
    series = {str(tables.AGE_LABELS[i]): [r[f"age{i}"] for r in rows] for i in range(len(tables.AGE_LABELS))}
    return stacked_chart(_("Stock value by age (MAD)"), [r["name"] for r in rows], series)


def _revenue_chart(report, table):
    rows = table["rows"]
    return bar_chart(_("Owed to the cooperatives (MAD)"), [r["name"] for r in rows],
                     {_("This period"): [r["owed"] for r in rows], _("A year before"): [r["previous"] for r in rows]})


def _value_chain_chart(report, table):
    rows = table["rows"]
    return stacked_chart(_("Where each dirham of retail goes (MAD)"), [r["family"] for r in rows],
                         {_("Cooperatives"): [r["cooperative"] for r in rows],
                          _("Platform commission"): [r["commission"] for r in rows],
                          _("Packaging fees"): [r["fees"] for r in rows]})


def _sell_through_chart(report, table):
    rows = table["rows"]
    return bar_chart(_("Sell-through (sold ÷ received)"), [r["name"] for r in rows],
                     {_("This period"): [r["ratio"] for r in rows],
                      _("A year before"): [r["previous"] for r in rows]}, kind="rate")


# name -> (title, builder, tables, chart, breakdowns, has period)
REPORTS = {
    "sales": (_l("Sales"), _sales, tables.sales_table, _sales_chart, R.SALES_DIMENSIONS, True),
    "volumes": (_l("Volumes and losses"), lambda a, d0, d1: reports_stock.volumes(d0, d1), tables.volumes_tables,
                _volumes_chart, (), True),
    "stock": (_l("Stock ageing and expiry"), _stock, tables.stock_tables, _stock_chart,
              ("outlet", "cooperative"), False),
    "revenue": (_l("Cooperatives' revenue"), _revenue, tables.revenue_tables, _revenue_chart,
                ("cooperative", "province"), True),
    "value-chain": (_l("Value chain"), lambda a, d0, d1: reports_revenue.value_chain(d0, d1), tables.value_chain_tables,
                    _value_chain_chart, (), True),
    "sell-through": (_l("Sell-through"), lambda a, d0, d1: reports_stock.sell_through(d0, d1),
                     tables.sell_through_tables, _sell_through_chart, (), True),
}
BREAKDOWN_LABELS = {**tables.DIMENSION_LABELS}


def build(name, args, d0, d1):
    """The report `name` for the period: (report dict, tables, chart SVG)."""
    _title, builder, to_tables, chart, _by, _p = REPORTS[name]
    report = builder(args, d0, d1)
    shown = to_tables(report)
    return report, shown, chart(report, shown[0])


def cell(value, kind, grouping=True):
    """One table cell as text in the reader's language."""
    if kind == "text":
        return "" if value is None else str(value)
    if kind == "change":
        return fmt_change(value["current"], value["previous"])
    return fmt(value, kind, grouping=grouping)


def as_text(shown):
    """Each table's cells as display text, computed once in Python (a 500-row table through
    Jinja macros cost more than its queries)."""
    for t in shown:
        cols = t["columns"]
        t["cells"] = [[("" if row.get(k) is None else cell(row.get(k), kind)) for k, _h, kind in cols]
                      for row in t["rows"]]
        t["total_cells"] = ([("" if t["total"].get(k) is None else cell(t["total"].get(k), kind))
                             for k, _h, kind in cols] if t["total"] else None)
        t["numeric"] = [kind != "text" for _k, _h, kind in cols]
    return shown


def csv_response(filename, shown):
    """The report's tables as CSV in the reader's language: ';' between fields (the decimal
    separator may be a comma), numbers without grouping, a BOM for spreadsheet programs."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, delimiter=";")
    for i, t in enumerate(shown):
        if i:
            writer.writerow([])
        if len(shown) > 1:
            writer.writerow([t["title"]])
        writer.writerow([str(h) for _k, h, _kind in t["columns"]])
        for row in t["rows"] + ([t["total"]] if t["total"] else []):
            writer.writerow([cell(row.get(k), kind, grouping=False) if row.get(k) is not None else ""
                             for k, _h, kind in t["columns"]])
    return Response(buf.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def jsonable(value):
    """Decimals as strings, dates ISO 8601, tuples and sets as lists, keys as strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value
