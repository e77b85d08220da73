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
    """Prove every balance equals the ledger's sums, no real location is negative, and each
    cooperative's running consignment totals equal its entries."""
    from models.consignment import consignment_balance_mismatches
    from models.ledger import integrity_mismatches

    from models.report_summaries import summary_mismatches

    problems = integrity_mismatches()
    accounts = consignment_balance_mismatches()
    summaries = summary_mismatches()
    for s in summaries[:50]:
        click.echo(f"report summary mismatch: {s['table']} {s['key']}: kept {s['kept']} but entries "
                   f"{s['ledger']}", err=True)
    if summaries:
        click.echo(f"integrity-check: {len(summaries)} report summary row(s) differ from the "
                   "consignment entries (flask rebuild-report-summaries)", err=True)
        sys.exit(1)
    if not problems and not accounts:
        click.echo("integrity-check: ok, every balance equals the ledger")
        return
    for p in problems:
        click.echo(f"{p['problem']}: lot {p['lot_id']} at location {p['location_id']}: "
                   f"balance {p['balance']} but ledger {p['ledger']}", err=True)
    for a in accounts:
        click.echo(f"consignment mismatch: cooperative {a['cooperative_id']}: running totals "
                   f"(owed, fees, paid, adjustments) {a['kept']} but entries {a['ledger']}", err=True)
    click.echo(f"integrity-check: {len(problems) + len(accounts)} problem(s)", err=True)
    sys.exit(1)


@click.command("rebuild-report-summaries")
def rebuild_report_summaries():
    """Recompute the reports' daily and monthly sums from the consignment entries (after a bulk
    load or a restore); integrity-check proves they equal the entries."""
    from models.report_summaries import rebuild

    rows = rebuild()
    db.session.commit()
    click.echo(f"rebuild-report-summaries: {rows} row(s) written")


@click.command("backup")
@click.option("--output", "-o", type=click.Path(), default=None,
              help="File to write (default instance/backups/tadamon-<time>.*).")
def backup(output):
    """Back up the database: SQLite's online backup, or pg_dump for PostgreSQL."""
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
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_dump", "--format=custom", "--file", target, url], check=True)
    click.echo(f"backup written to {target}")
