"""The region's observatory: reports (sales, volumes, stock ageing, cooperatives' revenue,
value chain, sell-through), the map of the eight provinces and the open data. For admins and
the read-only observer, who sees aggregates and no personal data; the open data is public."""
from flask import Blueprint

bp = Blueprint("reports", __name__)


def register(app, api):
    """Pages under /reports, resources under /api/v1/reports and /api/v1/open-data."""
    from reports import views  # noqa: F401  (routes register on the blueprint)
    from reports.api import blp as api_blp

    app.register_blueprint(bp, url_prefix="/reports")
    api.register_blueprint(api_blp)
