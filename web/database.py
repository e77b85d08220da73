"""The database seen from a request: SQLite's pragmas and write lock taken up front, the
in-process gate that queues a worker's SQLite writers, and the `writes` marker for GET views
that write. PostgreSQL needs none of it: row locks do the work there."""
import threading

from flask import g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from extensions import db


def writes(view):
    """Mark a GET view that writes (e.g. counts a receipt reprint), so SQLite takes the
    write lock up front for it as for a POST."""
    view.writes = True
    return view


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    """SQLite: WAL, a busy timeout, foreign keys, and BEGIN issued by us (see _sqlite_begin).
    PostgreSQL: no JIT compilation (below)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        # PostgreSQL JIT-compiles a query whose planned cost passes jit_above_cost (100,000;
        # inlining and optimisation past 500,000). The app's long reads are index-driven and
        # priced high by their per-row look-ups: a year's statement (~58,000 entries, each
        # with its receipt number by primary key) is planned at ~900,000 and runs in ~0.5 s,
        # of which JIT took ~0.34 s more (EXPLAIN ANALYZE, bench year); the sale path and the
        # reports are priced below the threshold. Off for the app's sessions: a setting of
        # the executor only, the same answers. bench/README.md, "perf18".
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: take the write lock up front for anything but a read-only request, so a
    transaction never fails upgrading from read to write under concurrency."""
    if conn.dialect.name != "sqlite":
        return
    from flask import has_request_context

    read_only = has_request_context() and not request_writes()
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def request_writes():
    """True when this request may write: an unsafe method, or a view marked @writes."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        return True
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return bool(getattr(view, "writes", False))


# SQLite has one writer at a time. Writers racing for its file lock sleep in the busy
# handler (tail latency of seconds, FIELD-NOTES); queueing a worker's writers on one
# in-process lock is fair and fast. PostgreSQL is not gated: row locks do the work there.
_SQLITE_WRITE_LOCK = threading.Lock()


def _acquire_write_gate():
    """before_request, first of all (before authentication opens a transaction)."""
    if db.engine.dialect.name == "sqlite" and request_writes():
        _SQLITE_WRITE_LOCK.acquire()
        g.sqlite_write_gate = True


def _release_write_gate(exc=None):
    """teardown_request: end any transaction left open, then let the next writer in."""
    if g.pop("sqlite_write_gate", False):
        try:
            db.session.rollback()
        finally:
            _SQLITE_WRITE_LOCK.release()


def register(app):
    """Queue SQLite writers on the gate for every request (first before_request of all);
    `<int:...>` URL parts within the database's integer range."""
    app.url_map.converters["int"] = DatabaseIntegerConverter  # before any rule is added
    app.before_request(_acquire_write_gate)
    app.teardown_request(_release_write_gate)
    app.teardown_request(_end_transaction)


def _end_transaction(exc):
    """No transaction outlives its request: what a view did not commit is rolled back.
    (The app context usually ends here too and removes the session; a test holding one
    open keeps its objects, merely expired.)"""
    db.session.rollback()
    user = g.pop("_login_user", None)
    if user is not None and hasattr(user, "__dict__"):
        user.__dict__.pop("_token_shop_ids", None)  # auth.services.user_for_token
    g.pop("auth_via", None)


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:...>` in URLs, capped at 2**31 - 1 (PostgreSQL's integer): a larger id is a 404,
    not a 500 from the database driver (SQLite overflows past 2**63)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)
