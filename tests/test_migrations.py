"""Upgrading a SQLite database that holds data: batch migrations rebuild tables (copy, DROP,
rename) that other rows point at — users, once there are tokens, sales and audit entries.
migrations/env.py turns SQLite's foreign keys off for the migration, checks every reference
before the commit and turns them back on; without that, `make run` on last month's database
stopped at the first rebuild of `users` (FOREIGN KEY constraint failed)."""
import sqlite3

import pytest
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.conftest import PG_URL, make_config
from wsgi import create_app

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's table rebuilds")


def test_a_database_with_users_and_their_rows_upgrades_to_head(tmp_path):
    path = tmp_path / "old.sqlite"
    app = create_app(make_config(f"sqlite:///{path}"))
    with app.app_context():
        upgrade(revision="0011_audit_books")  # before the migrations that rebuild users
        db.engine.dispose()
    raw = sqlite3.connect(path)
    raw.execute("INSERT INTO users (id, username, full_name, password_hash, role, locale, active, "
                "created_at, session_version) VALUES (7, 'ancien', 'Ancien', 'x', 'cashier', 'fr', 1, "
                "'2026-01-01 10:00:00', 0)")
    raw.execute("INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (7, 'h', '2026-01-01 10:00:00')")
    raw.execute("INSERT INTO audit_entries (created_at, user_id, action, object_type) "
                "VALUES ('2026-01-01 10:00:00', 7, 'update', 'user')")
    raw.commit()
    raw.close()
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT username, role FROM users WHERE id = 7").one() == ("ancien", "cashier")
            assert conn.exec_driver_sql("SELECT count(*) FROM api_tokens WHERE user_id = 7").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM audit_entries WHERE user_id = 7").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the app
        downgrade(revision="0012_reports_observatory")  # the rebuild back works with data too
        upgrade()
        db.engine.dispose()
