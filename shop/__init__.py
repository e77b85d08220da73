"""Shops and stands: point of sale, cash sessions, receipts, refunds, shop stock."""
import sys
import threading

from flask import Blueprint, g, request

# wsgi.register_area calls `package.register(app, api)` with a name wsgi.py never defines
# (a foundation bug, reported to the integrator). Until it is fixed, give it one so the call
# can be made; register() takes the app's own Api from app.extensions anyway.
_wsgi = sys.modules.get("wsgi")
if _wsgi is not None and not hasattr(_wsgi, "api"):
    _wsgi.api = None

bp = Blueprint("shop", __name__)

# SQLite has one writer at a time. Writers racing for its file lock sleep in the busy
# handler (tail latency of seconds, FIELD-NOTES); queueing them on one in-process lock is
# fair and fast. Only this area's writing requests queue here; PostgreSQL is not gated.
_SQLITE_WRITE_LOCK = threading.Lock()
GATED_BLUEPRINTS = ("shop", "shop_api")
# GET endpoints that write (they count receipt prints).
WRITING_GETS = ("shop.receipt", "shop_api.receipt_pdf")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _acquire_write_gate():
    """before_request (first of all, before authentication opens a transaction): on SQLite,
    take the area's write lock for requests that write."""
    from extensions import db

    if request.blueprint not in GATED_BLUEPRINTS:
        return
    if request.method in SAFE_METHODS and request.endpoint not in WRITING_GETS:
        return
    if db.engine.dialect.name != "sqlite":
        return
    _SQLITE_WRITE_LOCK.acquire()
    g.shop_write_gate = True


def _release_write_gate(exc=None):
    """teardown_request: end any transaction left open, then let the next writer in."""
    if g.pop("shop_write_gate", False):
        from extensions import db

        try:
            db.session.rollback()
        finally:
            _SQLITE_WRITE_LOCK.release()


def register(app, api=None):
    """Install the POS pages under /shop, the API resources, the write gate and the
    document labels (receipt numbers) traceability pages show."""
    from shop import views  # noqa: F401  (routes on bp)
    from shop.api import blp as api_blp
    from shop.documents import register_documents

    api = app.extensions["tadamon_api"]
    app.register_blueprint(bp, url_prefix="/shop")
    api.register_blueprint(api_blp)
    app.before_request_funcs.setdefault(None, []).insert(0, _acquire_write_gate)
    app.teardown_request(_release_write_gate)
    register_documents()
