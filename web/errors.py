"""Error answers: JSON on API paths, a friendly page elsewhere; domain errors become 4xx and
nothing half-written survives (every handler rolls the session back)."""
from flask import render_template
from werkzeug.exceptions import HTTPException

from extensions import db
from web.api import error_response, http_error_json, wants_json


def register(app):
    """JSON errors on API paths, friendly pages elsewhere; domain errors become 4xx."""
    from flask_babel import gettext as _
    from sqlalchemy.exc import DataError, IntegrityError

    from models.errors import DomainError

    def handle_http(exc):
        db.session.rollback()
        if wants_json():
            return http_error_json(exc)
        if exc.code == 405:
            return exc
        return render_template("errors.html", code=exc.code, message=exc.description), exc.code

    def handle_domain(exc):
        db.session.rollback()
        if wants_json():
            return error_response(exc.status, exc.message, exc.code, exc.fields)
        return render_template("errors.html", code=exc.status, message=exc.message), exc.status

    def handle_unexpected(exc):
        db.session.rollback()
        app.logger.exception("unhandled error")
        if wants_json():
            return error_response(500, "Internal error", "internal_error")
        return render_template("errors.html", code=500, message=None), 500

    def handle_integrity(exc):
        """A constraint the checks before it missed (a race between two requests): 409."""
        db.session.rollback()
        app.logger.warning("integrity error: %s", exc.orig)
        message = _("This conflicts with data saved in the meantime. Reload and try again.")
        if wants_json():
            return error_response(409, message, "conflict")
        return render_template("errors.html", code=409, message=message), 409

    def handle_data_error(exc):
        """A value the database cannot store (out of range, NUL character): 422, not a 500."""
        db.session.rollback()
        app.logger.warning("data error: %s", exc.orig)
        message = _("A value is out of range or contains characters that cannot be stored.")
        if wants_json():
            return error_response(422, message, "validation_error")
        return render_template("errors.html", code=422, message=message), 422

    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(IntegrityError, handle_integrity)
    app.register_error_handler(DataError, handle_data_error)
    if not app.debug:
        app.register_error_handler(Exception, handle_unexpected)
