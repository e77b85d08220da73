"""CLI commands: flask --app wsgi create-user | seed-demo | integrity-check | backup."""
import os
import shutil
import subprocess
import sys
from datetime import datetime

import click
from flask import current_app
from sqlalchemy import func, select

from extensions import db
from models.cooperatives import Cooperative
from models.stock import Location
from models.users import ROLES, User


def register(app):
    """Attach the commands to the app's CLI."""
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(integrity_check)
    app.cli.add_command(rebuild_report_summaries)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--shop", "shops", multiple=True, help="Shop code (cashiers), repeatable.")
@click.option("--cooperative", "cooperative_id", type=int, help="Cooperative id (cooperative users).")
@click.option("--full-name", default=None)
@click.option("--locale", type=click.Choice(["fr", "ar", "en"]), default="fr")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(username, role, shops, cooperative_id, full_name, locale, password_stdin):
    """Create a user with a role; the password comes from stdin or a prompt."""
    if db.session.execute(select(User.id).where(User.username == username)).scalar():
        raise click.ClickException(f"user {username!r} already exists")
    if role == "cooperative":
        if not cooperative_id or db.session.get(Cooperative, cooperative_id) is None:
            raise click.ClickException("a cooperative user needs --cooperative ID of an existing cooperative")
    elif cooperative_id:
        raise click.ClickException("--cooperative is only for the cooperative role")
    if shops and role != "cashier":
        raise click.ClickException("--shop is only for the cashier role")
    if role == "cashier" and not shops:
        raise click.ClickException("a cashier needs at least one --shop CODE")
    locations = []
    for code in shops:
        loc = db.session.execute(select(Location).where(Location.code == code)).scalar()
        if loc is None or loc.kind != "shop":
            raise click.ClickException(f"no shop with code {code!r}")
        locations.append(loc)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("the password needs at least 8 characters")
    user = User(username=username, role=role, full_name=full_name, locale=locale,
                cooperative_id=cooperative_id)
    user.set_password(password)
    user.shops = locations
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {username} (id {user.id})")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(if_empty):
    """Load the demo data: cooperatives, products, locations, one user per role."""
    from demo import DEMO_LOGINS, seed_demo as load

    if db.session.execute(select(func.count(User.id))).scalar():
        if if_empty:
            click.echo("database already has data: demo not loaded")
            return
        raise click.ClickException("the database is not empty")
    summary = load()
    db.session.commit()
    click.echo("demo data loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    print_logins(DEMO_LOGINS)


def print_logins(logins):
    """Print the demo logins for a newcomer."""
    click.echo("demo logins (username / password — role):")
    for username, password, role, what in logins:
        click.echo(f"  {username:18} {password:18} {role:12} {what}")


@click.command("integrity-check")
def integrity_check():
    """Prove every balance equals the ledger's sums, no real location is negative, each
    cooperative's running consignment totals equal its entries, and the books hold (sale
    lines with their movements and entries, payments, refunds, compensations, hash chains)."""
    from models.books_check import books_problems
    from models.consignment import consignment_balance_mismatches
    from models.ledger import integrity_mismatches

    from models.report_summaries import summary_mismatches

    problems = integrity_mismatches()
    accounts = consignment_balance_mismatches()
    summaries = summary_mismatches()
    books = books_problems()
    if not problems and not accounts and not books and not summaries:
        click.echo("integrity-check: ok, every balance equals the ledger and the books hold")
        return
    for b in books:
        click.echo(f"{b['problem']}: {b['row']}: {b['detail']}", err=True)
    for p in problems:
        click.echo(f"{p['problem']}: lot {p['lot_id']} at location {p['location_id']}: "
                   f"balance {p['balance']} but ledger {p['ledger']}", err=True)
    for a in accounts:
        click.echo(f"consignment mismatch: cooperative {a['cooperative_id']}: running totals "
                   f"(owed, fees, paid, adjustments) {a['kept']} but entries {a['ledger']}", err=True)
    for m in summaries[:50]:
        click.echo(f"report summary mismatch: {m['table']} {m['key']}: kept {m['kept']} but entries "
                   f"{m['ledger']}", err=True)
    if summaries:
        click.echo(f"integrity-check: {len(summaries)} report summary row(s) differ from the "
                   "consignment entries (flask rebuild-report-summaries)", err=True)
    click.echo(f"integrity-check: {len(problems) + len(accounts) + len(books) + len(summaries)} "
               "problem(s)", err=True)
    sys.exit(1)


@click.command("rebuild-report-summaries")
def rebuild_report_summaries():
    """Recompute the reports' daily and monthly sums and the open data's cells from the
    consignment entries (after a bulk load or a restore); integrity-check proves they equal
    the entries."""
    from models.report_summaries import rebuild

    rows = rebuild()
    db.session.commit()
    click.echo(f"rebuild-report-summaries: {rows} row(s) written")


@click.command("backup")
@click.option("--output", "-o", type=click.Path(), default=None,
              help="File to write (default instance/backups/tadamon-<time>.*).")
def backup(output):
    """Back up the database: SQLite's online backup, or pg_dump for PostgreSQL (a consistent
    snapshot while the app keeps serving; the password travels in PGPASSWORD, never on the
    command line, where any local user could read it)."""
    engine = db.engine
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = os.path.join(current_app.instance_path, "backups")
    os.makedirs(folder, exist_ok=True)
    if engine.dialect.name == "sqlite":
        import sqlite3

        target = output or os.path.join(folder, f"tadamon-{stamp}.sqlite")
        source = sqlite3.connect(engine.url.database)
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
    else:
        if shutil.which("pg_dump") is None:
            raise click.ClickException("pg_dump not found")
        target = output or os.path.join(folder, f"tadamon-{stamp}.dump")
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", target],
                       check=True, env=pg_environment(engine.url))
    click.echo(f"backup written to {target}")


def pg_environment(url):
    """libpq's environment for `url`: host, port, user, database and password as PG* variables
    (a process's environment is private to its user; its arguments are not)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for name, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                        ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[name] = str(value)
    return env


def database_is_empty(engine):
    """True when the database holds no table with a row (a fresh or blank database)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            if name == "alembic_version":
                continue
            if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
                return False
    return True


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(backup_file, force):
    """Restore a backup made by `flask backup` into this app's database, which must be empty
    (or --force: everything in it is replaced). Stop the app first; run integrity-check after."""
    engine = db.engine
    if not database_is_empty(engine) and not force:
        raise click.ClickException("the database is not empty: restore refused (use --force to "
                                   "replace everything in it)")
    db.session.remove()
    engine.dispose()
    if engine.dialect.name == "sqlite":
        import sqlite3

        source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{backup_file} is not a sound SQLite database")
        dest = sqlite3.connect(engine.url.database)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
    else:
        if shutil.which("pg_restore") is None:
            raise click.ClickException("pg_restore not found")
        from sqlalchemy import text

        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        result = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                 "--single-transaction", "--dbname", engine.url.database or "",
                                 backup_file], env=pg_environment(engine.url),
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise click.ClickException("pg_restore failed: " + result.stderr.strip()[-2000:])
    engine.dispose()
    click.echo(f"restored {backup_file}; now run integrity-check")
