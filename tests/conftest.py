"""Fixtures shared by the whole suite: app, client, runner, logins and API tokens.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. The
schema always comes from the Alembic migrations, so they are tested too.
"""
import base64
import os
import shutil

import pytest
from sqlalchemy import text

os.environ.setdefault("TADAMON_NO_APP", "1")

from config import TestingConfig  # noqa: E402
from extensions import db  # noqa: E402
from wsgi import create_app  # noqa: E402

PG_URL = os.environ.get("TEST_DATABASE_URL")
from demo import DEMO_LOGINS  # noqa: E402

PASSWORDS = {username: password for username, password, _role, _what in DEMO_LOGINS}


def make_config(uri, **overrides):
    """A TestingConfig subclass pointing at `uri`."""
    return type("PerTestConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": uri, **overrides})


def _seed(app):
    """Migrated schema plus demo data, committed."""
    from demo import seed_demo

    with app.app_context():
        seed_demo(activity=False)
        db.session.commit()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated and seeded SQLite file, copied for every test."""
    if PG_URL:
        return None
    from flask_migrate import upgrade

    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    _seed(app)
    with app.app_context():
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema():
    """On PostgreSQL: a fresh schema from the migrations, once per session."""
    if not PG_URL:
        return None
    from flask_migrate import upgrade

    app = create_app(make_config(PG_URL))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return PG_URL


_PG_SNAPSHOT = {}


def _reset_pg(app):
    """Empty every table and load the demo data again. The first time: TRUNCATE and seed
    through the app, then keep each table's rows (COPY, by column name) and the sequences.
    Afterwards: one transaction with triggers off (the sealed books refuse DELETE; foreign
    keys are checked by triggers too) deletes every row, copies the seeded rows back and
    resets the sequences — the same state, ~10x faster than TRUNCATE + seeding."""
    from models.masterdata import ensure_virtual_locations

    with app.app_context():
        names = [t.name for t in db.metadata.sorted_tables]
        snapshot = _PG_SNAPSHOT.get(tuple(names))
        if snapshot is not None and _restore_pg(snapshot):
            return
        with db.engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(names) + " RESTART IDENTITY CASCADE"))
        ensure_virtual_locations()
        db.session.commit()
    _seed(app)
    with app.app_context():
        _PG_SNAPSHOT[tuple(names)] = _snapshot_pg(names)


def _columns_pg(cursor, table):
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                   "AND table_name = %s ORDER BY ordinal_position", (table,))
    return tuple(row[0] for row in cursor.fetchall())


def _snapshot_pg(names):
    """{'tables': [(table, columns, COPY data)], 'sequences': [(name, last_value, is_called)]}."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()
        tables = []
        for table in names:
            columns = _columns_pg(cursor, table)
            data = bytearray()
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) TO STDOUT") as copy:
                for chunk in copy:
                    data += chunk
            tables.append((table, columns, bytes(data)))
        cursor.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        sequences = []
        for (name,) in cursor.fetchall():
            cursor.execute(f"SELECT last_value, is_called FROM {name}")
            sequences.append((name, *cursor.fetchone()))
        raw.driver_connection.rollback()
        return {"tables": tables, "sequences": sequences}
    finally:
        raw.close()


def _restore_pg(snapshot):
    """Put the snapshot back; False (nothing changed) when a table's columns moved (a
    migration test went down and up again), so the caller seeds the slow way."""
    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        cursor = conn.cursor()
        for table, columns, _data in snapshot["tables"]:
            if _columns_pg(cursor, table) != columns:
                conn.rollback()
                return False
        try:
            cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # not a superuser: seed the slow way
            conn.rollback()
            return False
        for table, columns, data in snapshot["tables"]:
            cursor.execute(f"DELETE FROM {table}")
            if data:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(data)
        for name, last_value, is_called in snapshot["sequences"]:
            cursor.execute("SELECT setval(%s, %s, %s)", (name, last_value, is_called))
        conn.commit()
        return True
    except Exception:
        raw.driver_connection.rollback()
        raise
    finally:
        raw.close()


@pytest.fixture
def db_uri(tmp_path, sqlite_template, pg_schema):
    """The database URI of this test, holding the demo data."""
    if PG_URL:
        return PG_URL
    target = tmp_path / "test.sqlite"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app_config():
    """Config overrides a test module may replace."""
    return {}


@pytest.fixture
def app(db_uri, app_config):
    """The app on a database holding the demo data."""
    application = create_app(make_config(db_uri, **app_config))
    if PG_URL:
        _reset_pg(application)
    ctx = application.app_context()
    ctx.push()
    yield application
    db.session.remove()
    ctx.pop()
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """The CLI runner."""
    return app.test_cli_runner()


class Auth:
    """Sign in as a demo user through the login page, or get an API token."""

    def __init__(self, app):
        self.app = app

    def login(self, client, username):
        """Sign `client` in as `username` (a demo user)."""
        response = client.post("/login", data={"username": username,
                                               "password": PASSWORDS[username]})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    def client_for(self, username):
        """A fresh client signed in as `username`."""
        return self.login(self.app.test_client(), username)

    def token(self, username):
        """A bearer token for `username`."""
        basic = base64.b64encode(f"{username}:{PASSWORDS[username]}".encode()).decode()
        response = self.app.test_client().post("/api/v1/tokens",
                                               headers={"Authorization": f"Basic {basic}"})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["token"]

    def headers(self, username):
        """Authorization headers for `username`."""
        return {"Authorization": f"Bearer {self.token(username)}"}


@pytest.fixture
def auth(app):
    """Helpers to sign in as demo users."""
    return Auth(app)


def user_by_role(role):
    """The demo username of the first user with `role`."""
    from demo import DEMO_LOGINS

    return next(u for u, _p, r, _w in DEMO_LOGINS if r == role)
