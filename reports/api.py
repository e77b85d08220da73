"""The reports over the API (admins and the observer) and the open data (public).

Every answer: decimals as strings, dates ISO 8601. Reports compare with the same period a year
before (`previous_*`). The open data's cells built from fewer than 3 cooperatives are left out.
"""
import io
import json
import zipfile

from flask import Response, jsonify
from flask_smorest import Blueprint

from auth.access import public, roles
from models import reports_provinces
from reports.building import REPORTS, jsonable, period, today
from reports.map_svg import population
from reports.open_data import datapackage, provinces_csv, sales_monthly_csv
from reports.schemas import (MapArgsSchema, PeriodArgsSchema, RevenueArgsSchema, SalesArgsSchema,
                             StockArgsSchema)
from web.scope import may_read_reports

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1",
                description="The observatory: reports, provinces and open data")
READERS = ("admin", "observer")
JSON_DOC = {"200": {"description": "The report (decimals as strings, dates ISO 8601)",
                    "content": {"application/json": {"schema": {"type": "object"}}}}}


def _answer(name, args):
    may_read_reports()
    d0, d1 = period(args.get("date_from"), args.get("date_to"))
    _t, builder, *_rest = REPORTS[name]
    return jsonify(jsonable(builder(args, d0, d1)))


@blp.route("/reports/sales", methods=["GET"])
@blp.arguments(SalesArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@roles(*READERS)
def sales(args):
    """Sales (quantity, retail value, commission, owed) by family, product, cooperative,
    province, outlet or month, and the same period a year before."""
    return _answer("sales", args)


@blp.route("/reports/volumes", methods=["GET"])
@blp.arguments(PeriodArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@roles(*READERS)
def volumes(args):
    """Volumes received, accepted, rejected, packaged (with yield) and sold; losses by cause."""
    return _answer("volumes", args)


@blp.route("/reports/stock", methods=["GET"])
@blp.arguments(StockArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@roles(*READERS)
def stock(args):
    """Stock on hand by age and value at risk of expiry, by outlet or cooperative (today)."""
    return _answer("stock", args)


@blp.route("/reports/revenue", methods=["GET"])
@blp.arguments(RevenueArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@roles(*READERS)
def revenue(args):
    """The cooperatives' revenue (owed, paid, pending) by cooperative or province, per member,
    with women's and youth shares."""
    return _answer("revenue", args)


@blp.route("/reports/value-chain", methods=["GET"])
@blp.arguments(PeriodArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@roles(*READERS)
def value_chain(args):
    """Per product family: cooperative's share, commission, packaging fees; days to sale."""
    return _answer("value-chain", args)


@blp.route("/reports/sell-through", methods=["GET"])
@blp.arguments(PeriodArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@roles(*READERS)
def sell_through(args):
    """Sold ÷ received per outlet, and the airport shop against the stands."""
    return _answer("sell-through", args)


@blp.route("/reports/provinces", methods=["GET"])
@blp.arguments(MapArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@roles(*READERS)
def provinces(args):
    """The map's figures per province: cooperatives, members, volume received, revenue,
    revenue per inhabitant (HCP census 2024)."""
    may_read_reports()
    d0, d1 = period(args.get("date_from"), args.get("date_to"))
    return jsonify(jsonable({"from": d0, "to": d1, "measure": args["measure"],
                             "provinces": reports_provinces.province_figures(d0, d1, population())}))


# --- open data (public) ---------------------------------------------------------------------

def _open_period(args):
    """Default: the last twelve months up to today."""
    return period(args.get("date_from"), args.get("date_to"))


@blp.route("/open-data/sales-monthly", methods=["GET"])
@blp.doc(security=[])  # open data: no token
@blp.arguments(PeriodArgsSchema, location="query")
@blp.doc(responses=JSON_DOC)
@public
def open_sales_monthly(args):
    """Monthly sales by province × product family × outlet type; cells built from fewer than
    3 cooperatives are left out (CC BY 4.0)."""
    d0, d1 = _open_period(args)
    return jsonify(jsonable({"from": d0, "to": d1, "threshold": reports_provinces.SMALL_CELL,
                             "rows": reports_provinces.open_data_monthly(d0, d1)}))


@blp.route("/open-data/datapackage.json", methods=["GET"])
@blp.doc(security=[])  # open data: no token
@blp.doc(responses=JSON_DOC)
@public
def open_datapackage():
    """The Frictionless data package descriptor of the open data."""
    return jsonify(datapackage())


@blp.route("/open-data/sales-monthly.csv", methods=["GET"])
@blp.doc(security=[])  # open data: no token
@blp.arguments(PeriodArgsSchema, location="query")
@blp.doc(responses={"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}})
@public
def open_sales_monthly_csv(args):
    """The monthly sales as CSV (comma-separated, dot decimals, UTF-8)."""
    d0, d1 = _open_period(args)
    return Response(sales_monthly_csv(d0, d1), content_type="text/csv; charset=utf-8")


@blp.route("/open-data/provinces.csv", methods=["GET"])
@blp.doc(security=[])  # open data: no token
@blp.doc(responses={"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}})
@public
def open_provinces_csv():
    """Cooperatives and inhabitants per province (CSV)."""
    return Response(provinces_csv(), content_type="text/csv; charset=utf-8")


@blp.route("/open-data/tadamon-open-data.zip", methods=["GET"])
@blp.doc(security=[])  # open data: no token
@blp.arguments(PeriodArgsSchema, location="query")
@blp.doc(responses={"200": {"description": "The data package (zip)",
                            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}})
@public
def open_data_zip(args):
    """The whole data package: datapackage.json and its CSV files, in one zip."""
    d0, d1 = _open_period(args)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("datapackage.json", json.dumps(datapackage(), ensure_ascii=False, indent=1))
        z.writestr("sales-monthly.csv", sales_monthly_csv(d0, d1))
        z.writestr("provinces.csv", provinces_csv())
    return Response(buf.getvalue(), content_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="tadamon-open-data-{today()}.zip"'})
