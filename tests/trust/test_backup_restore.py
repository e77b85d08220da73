"""The backup drill, on SQLite and on PostgreSQL: back up while tills sell, restore into an
empty database, integrity-check, and find the same rows and balances; restore refuses a
database holding data unless --force; pg_dump never sees the password on its command line."""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import g
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from extensions import db
from models.clock import today as local_today
from models.ledger import move
from models.masterdata import virtual_location
from models.stock import Lot
from tests.conftest import PG_URL, make_config
from tests.shop.shop_helpers import FIGUIG, coop, loc, product
from wsgi import create_app

TILLS, SALES_PER_TILL = 4, 12


def snapshot(engine):
    """Row counts of every table, the stock balances and the cooperatives' running totals."""
    db.session.rollback()  # outside a request SQLite begins IMMEDIATE: hold no lock here
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                  for t in db.metadata.sorted_tables}
        balances = sorted(tuple(map(str, r)) for r in conn.execute(
            text("SELECT lot_id, location_id, quantity FROM stock_balances")))
        owed = sorted(tuple(map(str, r)) for r in conn.execute(
            text("SELECT cooperative_id, SUM(amount) FROM consignment_entries GROUP BY cooperative_id")))
    return {"counts": counts, "balances": balances, "owed": owed}


@pytest.fixture
def target_uri(tmp_path):
    """An empty database to restore into."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    url = make_url(PG_URL)
    name = f"{url.database}_restore"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield url.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class TargetRunner:
    """The CLI of another app (the restore target), run in that app's context."""

    def __init__(self, target):
        self.target, self.runner = target, target.test_cli_runner()

    def invoke(self, args):
        with self.target.app_context():
            try:
                return self.runner.invoke(args=args)
            finally:
                db.session.remove()
                db.engine.dispose()


def stock_at_airport(units):
    lot = Lot(code="DRILL-001", product=product("DAT-AZ-500"), cooperative=coop(FIGUIG),
              best_before=local_today() + timedelta(days=200))
    db.session.add(lot)
    db.session.flush()
    move(lot.id, Decimal(units), virtual_location("SUPPLIERS").id, loc("SHOP-AIRPORT").id, kind="reception")
    db.session.commit()
    return lot


def sell(app, headers, shop_id, till, results):
    """One till posting its sales one after the other."""
    client = app.test_client()
    for n in range(SALES_PER_TILL):
        body = {"location_id": shop_id, "client_ref": f"drill-{till}-{n}",
                "lines": [{"barcode": "DRILL-001", "quantity": "1"}],
                "payments": [{"method": "cash", "amount": "55.00"}]}
        with app.app_context():
            response = client.post("/api/v1/sales", json=body, headers=headers)
            results.append(response.status_code)
            if response.status_code != 201:
                results.append(response.get_json())


def test_backup_under_load_restore_integrity_check(app, auth, runner, tmp_path, target_uri):
    lot = stock_at_airport(500)
    headers = auth.headers("caissier")
    g.pop("auth_via", None)
    shop_id, lot_id = loc("SHOP-AIRPORT").id, lot.id
    opened = app.test_client().post("/api/v1/cash-sessions", json={"location_id": shop_id,
                                                                    "opening_float": "200"}, headers=headers)
    assert opened.status_code == 201, opened.get_json()
    g.pop("auth_via", None)
    before = snapshot(db.engine)
    results = []
    tills = [threading.Thread(target=sell, args=(app, headers, shop_id, i, results)) for i in range(TILLS)]
    for t in tills:
        t.start()
    under_load = tmp_path / "under-load.backup"
    out = runner.invoke(args=["backup", "-o", str(under_load)])
    assert out.exit_code == 0, out.output
    for t in tills:
        t.join()
    assert results.count(201) == TILLS * SALES_PER_TILL, results
    after = snapshot(db.engine)
    quiet = tmp_path / "quiet.backup"
    assert runner.invoke(args=["backup", "-o", str(quiet)]).exit_code == 0

    target = create_app(make_config(target_uri))
    cli = TargetRunner(target)
    # The quiescent backup: everything equal.
    out = cli.invoke(args=["restore", str(quiet)])
    assert out.exit_code == 0, out.output
    out = cli.invoke(args=["integrity-check"])
    assert out.exit_code == 0, out.output
    with target.app_context():
        assert snapshot(db.engine) == after
        db.engine.dispose()
    # A database holding data is not overwritten without --force.
    out = cli.invoke(args=["restore", str(under_load)])
    assert out.exit_code != 0 and "not empty" in out.output
    # The backup taken under load: a consistent moment between before and after.
    out = cli.invoke(args=["restore", "--force", str(under_load)])
    assert out.exit_code == 0, out.output
    out = cli.invoke(args=["integrity-check"])
    assert out.exit_code == 0, out.output
    with target.app_context():
        restored = snapshot(db.engine)
        sold = before["counts"]["sales"], restored["counts"]["sales"], after["counts"]["sales"]
        assert sold[0] <= sold[1] <= sold[2], sold
        on_shelf = db.session.execute(text("SELECT quantity FROM stock_balances WHERE lot_id = :l AND "
                                           "location_id = :s"), {"l": lot_id, "s": shop_id}).scalar()
        assert Decimal(on_shelf) == 500 - (sold[1] - sold[0])
        db.session.remove()
        db.engine.dispose()


def test_pg_dump_gets_no_password_on_its_command_line(app, runner, monkeypatch, tmp_path):
    import subprocess

    import commands

    calls = []
    monkeypatch.setattr(commands.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append((args, kw)))
    url = make_url("postgresql+psycopg://tadamon:s3cret-pass@db.local:5433/tadamon")
    monkeypatch.setattr(type(db.engine), "url", property(lambda self: url), raising=False)
    monkeypatch.setattr(type(db.engine), "dialect", property(lambda self: type("D", (), {"name": "postgresql"})()),
                        raising=False)
    out = runner.invoke(args=["backup", "-o", str(tmp_path / "x.dump")])
    assert out.exit_code == 0, out.output
    (args, kw), = calls
    assert not any("s3cret" in a for a in args), args
    env = kw["env"]
    assert (env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "s3cret-pass", "db.local", "5433", "tadamon", "tadamon")


def test_restore_refuses_a_database_with_data(app, runner, tmp_path):
    backup = tmp_path / "b.backup"
    assert runner.invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    out = runner.invoke(args=["restore", str(backup)])
    assert out.exit_code != 0 and "not empty" in out.output
