"""Query arguments of the reports' API (the answers are built from the services' dicts, with
decimals as strings and dates as ISO 8601)."""
import marshmallow as ma
from marshmallow import validate as v

from models.reports import SALES_DIMENSIONS
from models.reports_provinces import MAP_MEASURES


class PeriodArgsSchema(ma.Schema):
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (local days, both included; default the last 12 months)."""

    date_from = ma.fields.Date(data_key="from", load_default=None)
    date_to = ma.fields.Date(data_key="to", load_default=None)


class SalesArgsSchema(PeriodArgsSchema):
    """Sales by family, product, cooperative, province, outlet or month."""

    by = ma.fields.String(load_default="family", validate=v.OneOf(SALES_DIMENSIONS))


class StockArgsSchema(ma.Schema):
    """Stock ageing by outlet or cooperative (now)."""

    by = ma.fields.String(load_default="outlet", validate=v.OneOf(("outlet", "cooperative")))


class RevenueArgsSchema(PeriodArgsSchema):
    """The cooperatives' revenue by cooperative or province."""

    by = ma.fields.String(load_default="cooperative", validate=v.OneOf(("cooperative", "province")))


class MapArgsSchema(PeriodArgsSchema):
    """The provinces' figures (the map's data)."""

    measure = ma.fields.String(load_default="revenue", validate=v.OneOf(MAP_MEASURES))
