"""The till's hot path, straight to the driver: hand-written SQL on the DB-API cursor of the
session's own connection (same transaction, same locks as everything else in the request).

Why: at a year's volume a sale is ~20 statements, and SQLAlchemy's execution machinery
(statement building, cache key, compiled-parameter processing, result set-up) cost ~0.3 ms of
Python each on the bench machine, against ~0.02 ms in the driver (bench/README.md, "sale
path"). Only the sale path uses this; everything else keeps SQLAlchemy.

What SQLAlchemy did for us and is done here:
* parameters written `:name`, turned into the driver's style once per statement (cached);
* values bound as SQLAlchemy binds them: on SQLite Decimal → float (Numeric there has no
  native decimal), datetime → "YYYY-MM-DD HH:MM:SS.ffffff", date → ISO text; PostgreSQL
  (psycopg) takes them natively;
* driver errors re-raised as SQLAlchemy's (IntegrityError, OperationalError…), so callers'
  `except IntegrityError` and the API's 503 keep working;
* results read back typed where it matters (`dec`, `day`).
"""
import re
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, exc as sa_exc
from sqlalchemy.orm import Session

from extensions import db

_NAME = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_SQL = {}


def connection():
    """(DB-API connection, dialect name) of the session's connection, its transaction begun
    (on SQLite the `begin` listener of web/database.py takes BEGIN IMMEDIATE as usual).
    Remembered in the session's info from the transaction's begin to its end (asking the
    session for its connection on every statement cost ~0.1 ms)."""
    session = db.session()
    known = session.info.get(_KEY)
    if known is not None:
        return known
    conn = session.connection()
    known = session.info[_KEY] = (conn.connection.driver_connection, conn.dialect.name)
    return known


_KEY = "rawsql.connection"


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction):
    """The transaction ended (commit, rollback, close): its connection is no longer ours."""
    if transaction.parent is None:
        session.info.pop(_KEY, None)
        session.info.pop(_PIPE, None)


def _sql(sql, dialect):
    """`sql` with :name parameters in the driver's style (psycopg: %(name)s), cached."""
    key = (sql, dialect)
    out = _SQL.get(key)
    if out is None:
        out = sql if dialect == "sqlite" else _NAME.sub(r"%(\1)s", sql.replace("%", "%%"))
        _SQL[key] = out
    return out


def _sqlite_value(value):
    """A value bound as SQLAlchemy binds it on SQLite."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:"
                f"{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _params(params, dialect):
    if dialect != "sqlite" or params is None:
        return params
    return {k: _sqlite_value(v) for k, v in params.items()}


def _raise(error, sql, params, dbapi):
    """A driver error as SQLAlchemy raises it (IntegrityError, OperationalError, …)."""
    raise sa_exc.DBAPIError.instance(sql, params, error, dbapi.Error) from error


def execute(sql, params=None):
    """Run one statement; returns the driver's cursor (fetchone/fetchall)."""
    raw, dialect = connection()
    text = _sql(sql, dialect)
    values = _params(params, dialect)
    cursor = raw.cursor()
    try:
        cursor.execute(text, values) if values is not None else cursor.execute(text)
    except _dbapi(dialect).Error as error:
        _raise(error, text, values, _dbapi(dialect))
    return cursor


def executemany(sql, rows):
    """Run one statement for each parameter set (one prepared statement)."""
    raw, dialect = connection()
    text = _sql(sql, dialect)
    cursor = raw.cursor()
    try:
        cursor.executemany(text, [_params(r, dialect) for r in rows])
    except _dbapi(dialect).Error as error:
        _raise(error, text, rows, _dbapi(dialect))
    return cursor


@contextmanager
def pipeline():
    """PostgreSQL: psycopg's pipeline mode for the block. Statements whose results nobody reads
    (inserts, updates) go out without waiting for their answer; the next read (a fetch), or
    the end of the block, sends them and waits once. Errors come back at that point, raised
    as SQLAlchemy's. SQLite: nothing to do (no round trips).

    Only statements of this module may run inside (SQLAlchemy's result handling needs each
    answer at once): a path that needs SQLAlchemy (an error's details) calls
    `leave_pipeline()` first."""
    raw, dialect = connection()
    session = db.session()
    if dialect != "postgresql" or session.info.get(_PIPE) is not None:
        yield
        return
    pipe = raw.pipeline()
    pipe.__enter__()
    session.info[_PIPE] = pipe
    try:
        yield
    except BaseException as exc:
        if session.info.pop(_PIPE, None) is not None:
            pipe.__exit__(type(exc), exc, exc.__traceback__)  # discards, keeps our error
        import psycopg

        if isinstance(exc, psycopg.Error):  # answered at a fetch inside the block
            _raise(exc, "(pipeline)", None, psycopg)
        raise
    leave_pipeline()


_PIPE = "rawsql.pipeline"


def leave_pipeline():
    """End the pipeline mode of `pipeline()` now, if on: what was sent is answered (errors
    raised as SQLAlchemy's) and SQLAlchemy may use the connection again."""
    pipe = db.session().info.pop(_PIPE, None)
    if pipe is None:
        return
    import psycopg

    try:
        pipe.__exit__(None, None, None)
    except psycopg.Error as error:
        _raise(error, "(pipeline)", None, psycopg)


def _dbapi(dialect):
    if dialect == "sqlite":
        import sqlite3

        return sqlite3
    import psycopg

    return psycopg


_INSERTS = {}
CHUNK = 100  # rows per INSERT (SQLite binds at most 32,766 values)


def insert(table, rows, returning=None):
    """One multi-row INSERT of `rows` (dicts with the same keys) into `table`; with
    `returning` (a column name), that column of each row in insertion order."""
    if not rows:
        return []
    if len(rows) > CHUNK:
        return [i for at in range(0, len(rows), CHUNK)
                for i in insert(table, rows[at:at + CHUNK], returning)]
    columns = tuple(rows[0])
    key = (table, columns, len(rows), returning)
    sql = _INSERTS.get(key)
    if sql is None:
        values = ", ".join("(" + ", ".join(f":{c}_{i}" for c in columns) + ")" for i in range(len(rows)))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"
        if returning:
            sql += f" RETURNING {returning}"
        _INSERTS[key] = sql
    params = {f"{c}_{i}": row[c] for i, row in enumerate(rows) for c in columns}
    cursor = execute(sql, params)
    if not returning:
        return []
    # Ids come from one sequence / rowid in VALUES order: sorted, they are the rows' in order.
    return sorted(r[0] for r in cursor.fetchall())


def driver_rows(query):
    """The rows of a SQLAlchemy select as the DB-API driver returns them (tuples of the
    driver's types), in the session's transaction: a year's statement wrapped row by row in
    SQLAlchemy Rows cost a fifth of the answer. The select's values (internal: ids, datetimes,
    constants) are written into its text."""
    conn = db.session.connection()
    return fetch_text(str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))


def fetch_text(sql):
    """Every row of a complete SQL text (no parameters), as the driver returns them, on the
    session's connection and in its transaction."""
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def in_list(name, values):
    """(":name_0, :name_1, …", {name_0: …}) for an IN list of `values` (SQLite has no arrays)."""
    values = list(values)
    return (", ".join(f":{name}_{i}" for i in range(len(values))),
            {f"{name}_{i}": v for i, v in enumerate(values)})


def dec(value, scale):
    """A Numeric read back as SQLAlchemy gives it: Decimal at the column's scale (SQLite
    returns int/float; PostgreSQL already a Decimal)."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(f"{value:.{scale}f}")


def day(value):
    """A Date read back (SQLite returns its ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def moment(value):
    """A DateTime read back (SQLite returns its text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)
