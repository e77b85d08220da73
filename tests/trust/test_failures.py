"""Faults answer 503 "unavailable" with Retry-After (JSON on the API, a translated page
elsewhere), one log line each, nothing saved; /healthz and /readyz for a load balancer."""
import logging
import os

import pytest
from flask import g
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import OperationalError

from extensions import db
from tests.conftest import PG_URL, make_config


def forget():
    g.pop("_login_user", None)
    g.pop("auth_via", None)


class DatabaseDown:
    """Every statement fails as when PostgreSQL stopped mid-request."""

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.fail)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.fail)

    @staticmethod
    def fail(conn, cursor, statement, parameters, context, executemany):
        raise OperationalError(statement, parameters,
                               Exception("server closed the connection unexpectedly"))


def test_api_write_with_the_database_down_is_503_json(app, auth, caplog):
    headers = auth.headers("admin")
    forget()
    body = {"code": "WH-Z", "name_fr": "Zone Z", "name_ar": "منطقة", "kind": "warehouse"}
    app.logger.addHandler(caplog.handler)  # whatever other tests did to logging's tree
    try:
        with caplog.at_level(logging.ERROR), DatabaseDown(db.engine):
            response = app.test_client().post("/api/v1/locations", json=body, headers=headers)
    finally:
        app.logger.removeHandler(caplog.handler)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    error = response.get_json()["error"]
    assert error["code"] == "unavailable" and error["message"]
    # (one record may reach the capture twice: through our handler and by propagation)
    lines = list({id(r): r for r in caplog.records if "unavailable" in r.getMessage()}.values())
    assert len(lines) == 1 and "\n" not in lines[0].getMessage()
    assert lines[0].exc_info is None  # one line, no traceback
    forget()
    assert app.test_client().get("/api/v1/locations", headers=headers).status_code == 200
    assert db.session.execute(select(func.count()).select_from(
        db.metadata.tables["locations"]).where(text("code = 'WH-Z'"))).scalar() == 0


@pytest.mark.parametrize("lang, words", [("fr", "indisponible"), ("ar", "غير متاحة"), ("en", "unavailable")])
def test_page_with_the_database_down_is_a_translated_503(app, auth, lang, words):
    client = auth.client_for("caissier")
    with client.session_transaction() as session:
        session["lang"] = lang
    forget()
    with DatabaseDown(db.engine):
        response = client.get("/shop/")
    assert response.status_code == 503 and response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert words in html and f'lang="{lang}"' in html
    forget()
    assert client.get("/shop/").status_code == 200  # the session survived the outage


def test_login_page_post_with_the_database_down(app):
    with DatabaseDown(db.engine):
        response = app.test_client().post("/login", data={"username": "admin", "password": "x"})
    assert response.status_code == 503


def test_healthz_needs_no_database(app):
    with DatabaseDown(db.engine):
        response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz(app):
    response = app.test_client().get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "ready"
    with DatabaseDown(db.engine):
        response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"]["code"] == "unavailable"


def test_readyz_refuses_a_schema_behind_the_code(app):
    old = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.session.execute(text("UPDATE alembic_version SET version_num = '0008_perf_indexes'"))
    db.session.commit()
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503 and "migrations" in response.get_json()["error"]["message"]
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": old})
        db.session.commit()


def test_disk_full_is_503(app, auth):
    """SQLite: no page may be added (as on a full disk): SQLITE_FULL → 503, nothing saved."""
    if PG_URL:
        pytest.skip("simulated with SQLite's max_page_count")
    headers = auth.headers("admin")
    forget()
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def full(dbapi_connection, record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    db.engine.dispose()
    event.listen(db.engine, "connect", full)
    try:
        rows = [{"code": f"WH-F{i}", "name_fr": "Zone " + "x" * 150, "name_ar": "منطقة", "kind": "warehouse"}
                for i in range(200)]
        statuses = set()
        for body in rows:
            statuses.add(app.test_client().post("/api/v1/locations", json=body, headers=headers).status_code)
            forget()
            if 503 in statuses:
                break
        assert 503 in statuses, statuses
    finally:
        event.remove(db.engine, "connect", full)
        db.engine.dispose()


def test_disk_full_oserror_is_503(db_uri):
    from auth.access import public
    from wsgi import create_app

    app = create_app(make_config(db_uri))

    @app.route("/api/v1/_full")
    @public
    def _full():
        raise OSError(28, "No space left on device")

    with app.app_context():
        response = app.test_client().get("/api/v1/_full")
        assert response.status_code == 503 and response.get_json()["error"]["reason"] == "disk_full"
        db.engine.dispose()


def test_read_only_sqlite_is_503(db_uri, tmp_path):
    if PG_URL:
        pytest.skip("SQLite only")
    from wsgi import create_app

    path = db_uri.removeprefix("sqlite:///")
    ro = create_app(make_config(f"sqlite:///file:{path}?mode=ro&uri=true"))
    with ro.app_context():
        client = ro.test_client()
        assert client.get("/healthz").status_code == 200

        response = client.post("/login", data={"username": "admin", "password": "demo-admin"})
        assert response.status_code == 503  # the login attempt cannot be recorded
        assert "Retry-After" in response.headers
        db.engine.dispose()
    assert os.path.exists(path)
