"""CLI: create-user, seed-demo, integrity-check and backup."""
from extensions import db
from models.users import User


def test_create_user_with_password_from_stdin(runner, app):
    result = runner.invoke(args=["create-user", "amina", "--role", "cashier", "--shop", "SHOP-AIRPORT",
                                 "--shop", "STAND-OUJDA", "--password-stdin"], input="s3cret-pass\n")
    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(username="amina").one()
    assert user.role == "cashier" and {s.code for s in user.shops} == {"SHOP-AIRPORT", "STAND-OUJDA"}
    assert user.check_password("s3cret-pass")


def test_create_user_refuses_inconsistent_links(runner):
    cases = [
        ["create-user", "x1", "--role", "cooperative", "--password-stdin"],
        ["create-user", "x2", "--role", "operator", "--cooperative", "1", "--password-stdin"],
        ["create-user", "x3", "--role", "cashier", "--password-stdin"],
        ["create-user", "x4", "--role", "cashier", "--shop", "NOPE", "--password-stdin"],
        ["create-user", "admin", "--role", "admin", "--password-stdin"],
    ]
    for args in cases:
        result = runner.invoke(args=args, input="long-enough-pass\n")
        assert result.exit_code != 0, args
    assert runner.invoke(args=["create-user", "x5", "--role", "admin", "--password-stdin"],
                         input="short\n").exit_code != 0
    assert db.session.query(User).filter(User.username.like("x%")).count() == 0


def test_create_cooperative_user(runner):
    from models.cooperatives import Cooperative

    coop = db.session.query(Cooperative).first()
    result = runner.invoke(args=["create-user", "tresoriere", "--role", "cooperative",
                                 "--cooperative", str(coop.id), "--password-stdin"], input="tresor-2026\n")
    assert result.exit_code == 0, result.output
    assert db.session.query(User).filter_by(username="tresoriere").one().cooperative_id == coop.id


def test_seed_demo_refuses_a_non_empty_database(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code != 0
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "already" in result.output


def test_integrity_check_passes_on_demo(runner):
    result = runner.invoke(args=["integrity-check"])
    assert result.exit_code == 0 and "ok" in result.output


def test_backup_sqlite(runner, app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        return
    target = tmp_path / "b.sqlite"
    result = runner.invoke(args=["backup", "-o", str(target)])
    assert result.exit_code == 0, result.output
    import sqlite3

    assert sqlite3.connect(target).execute("select count(*) from users").fetchone()[0] >= 4


def test_a_cli_command_leaves_its_sqlite_writes_in_the_database_file(tmp_path):
    """`flask` run as a process (the app built by wsgi.py, its objects frozen out of the
    collector): at exit its connections are closed, so SQLite has checkpointed the write-ahead
    log into the database file and removed it. A copy or a rename of the file alone holds the
    data (the browser tests' seeding renames it)."""
    import os
    import sqlite3
    import subprocess
    import sys

    database = tmp_path / "cli.sqlite"
    env = {k: v for k, v in os.environ.items() if k not in ("TADAMON_NO_APP", "TEST_DATABASE_URL")}
    env.update({"TADAMON_CONFIG": "development", "DATABASE_URL": f"sqlite:///{database}"})
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for args in (("db", "upgrade"), ("seed-demo",)):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=root,
                                env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
    assert not (tmp_path / "cli.sqlite-wal").exists()
    moved = tmp_path / "moved.sqlite"
    database.rename(moved)
    with sqlite3.connect(moved) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE username = 'admin'").fetchone()[0] == 1
