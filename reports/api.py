"""Reports API."""
from flask_smorest import Blueprint

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1")
