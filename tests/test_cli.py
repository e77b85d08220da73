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
