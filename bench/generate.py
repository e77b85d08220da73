"""Generate a year of a region's data into a fresh database, fast, consistent, deterministic.

    .venv/bin/python bench/generate.py                      # instance/bench.sqlite, full scale
    .venv/bin/python bench/generate.py --scale 0.01         # 20,000 sale lines
    .venv/bin/python bench/generate.py --url postgresql+psycopg://postgres@127.0.0.1:5432/tadamon_bench

50 cooperatives, 500 products, 20 outlets (4 warehouse zones, 16 shops/stands) and, at scale 1,
2 million sale lines with the receptions, packaging runs, transfers, stock movements and
balances, sales, payments, cash sessions, payouts and consignment entries they imply.

The schema comes from the migrations; master data goes through the ORM, the year's rows are
generated in Python (bench/gen_rows.py) and bulk-loaded (sqlite3 executemany, PostgreSQL
COPY), not posted one by one through the services: that would take hours. Consistency is
by construction and proven at the end (integrity check: balances = ledger sums; sale entries
= sale lines at their frozen rates). THE DATABASE IS EMPTIED FIRST: never point it at real data.
"""
import argparse
import os
import sys
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TADAMON_NO_APP", "1")

DEFAULT_SQLITE = "sqlite:///" + os.path.join(ROOT, "instance", "bench.sqlite")


def make_app(url):
    """The app bound to `url` (development settings otherwise)."""
    from config import DevelopmentConfig
    from wsgi import create_app

    return create_app(type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def reset(url):
    """Remove the SQLite file, or drop and recreate PostgreSQL's public schema."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        import psycopg

        with psycopg.connect(pg_dsn(url), autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")


def pg_dsn(url):
    """A SQLAlchemy postgresql+psycopg URL as a libpq one."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Loader:
    """Bulk insert of tuples: executemany in one transaction (SQLite), COPY (PostgreSQL)."""

    def __init__(self, url):
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            self.conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
            # A bulk load of a scratch database: durability per statement buys nothing.
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("PRAGMA cache_size=-400000")
            self.conn.execute("BEGIN")
        else:
            import psycopg

            self.conn = psycopg.connect(pg_dsn(url))
        self.cur = self.conn.cursor()

    def insert(self, table, columns, rows):
        """Append `rows` (tuples in `columns` order) to `table`."""
        if not rows:
            return
        cols = columns.split()
        quoted = ", ".join(f'"{c}"' for c in cols)
        if self.sqlite:
            marks = ", ".join("?" * len(cols))
            self.cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)
        else:
            with self.cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def execute(self, sql, params=()):
        """One statement (placeholders in this driver's style)."""
        self.cur.execute(sql, params)
        return self.cur

    def commit(self):
        """Commit the load and close."""
        if self.sqlite:
            self.conn.execute("COMMIT")
        else:
            self.conn.commit()
        self.conn.close()


def id_starts(tables):
    """The next free id of every table (max + 1)."""
    from sqlalchemy import text

    from extensions import db

    return {t: (db.session.execute(text(f"SELECT max(id) FROM {t}")).scalar() or 0) + 1 for t in tables}


def frozen_rate_table(region):
    """(cooperative, category) -> rate in ten-thousandths, by the POS's precedence."""
    from models.sales_posting import frozen_rates

    pairs = {(c, u[5]) for c in region.coops for u in region.units}
    return {k: int(v * 10000) for k, v in frozen_rates(pairs).items()}


def finish(loader, gen, region):
    """Balances, receipt and transfer counters, then commit."""
    now = datetime(2026, 11, 28, 21, 0).isoformat(" ", "microseconds")
    loader.insert("stock_balances", "id lot_id location_id quantity updated_at", gen.balance_rows(now))
    ph = "?" if loader.sqlite else "%s"
    for shop, code in region.shops:
        loader.execute(f"DELETE FROM receipt_counters WHERE location_id = {ph}", (shop,))
        prefix = "".join(ch for ch in code.split("-")[-1].upper() if ch.isalnum())[:3] or "SHP"
        loader.execute(f"INSERT INTO receipt_counters (location_id, prefix, last_number) VALUES ({ph}, {ph}, {ph})",
                       (shop, prefix, gen.receipt_seq[shop]))
    for year, last in gen.transfer_seq.items():
        loader.execute(f"DELETE FROM transfer_counters WHERE prefix = 'TR' AND year = {ph}", (year,))
        loader.execute(f"INSERT INTO transfer_counters (prefix, year, last) VALUES ('TR', {ph}, {ph})", (year, last))
    # Cooperatives' running consignment totals, as migration 0007 fills them from the entries.
    loader.execute("DELETE FROM consignment_balances")
    loader.execute("""
        INSERT INTO consignment_balances (cooperative_id, owed, fees, paid, adjustments, updated_at)
        SELECT cooperative_id, coalesce(sum(CASE WHEN kind IN ('sale', 'refund') THEN amount ELSE 0 END), 0),
               coalesce(sum(CASE WHEN kind = 'fee' THEN amount ELSE 0 END), 0),
               coalesce(sum(CASE WHEN kind = 'payout' THEN amount ELSE 0 END), 0),
               coalesce(sum(CASE WHEN kind = 'adjustment' THEN amount ELSE 0 END), 0), CURRENT_TIMESTAMP
        FROM consignment_entries GROUP BY cooperative_id""")
    if not loader.sqlite:
        for table in list(gen.ids.next) + ["stock_balances"]:
            loader.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 1) FROM {table}))")
    loader.commit()


def seal_books():
    """The bulk-loaded sales and entries carry no hash: lift the seals, write every chain
    (models.books.backfill_chains, one chain at a time) and the cooperatives' heads, seal
    again, so `flask integrity-check` finds the chains whole. In the app context, committed."""
    import sqlalchemy as sa

    from extensions import db
    from models import books

    conn = db.session.connection()
    dialect = conn.dialect.name
    for statement in books.unseal_statements(dialect, keep_function=True):
        conn.execute(sa.text(statement))
    books.backfill_chains(conn)
    inspector = sa.inspect(conn)
    for statement in books.seal_statements(dialect, lambda t: [c["name"] for c in inspector.get_columns(t)]):
        conn.execute(sa.text(statement))
    db.session.commit()


def analyze(url):
    """Fresh statistics (and PostgreSQL's visibility map), as after autovacuum."""
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.split("///", 1)[1])
        conn.execute("ANALYZE")
        conn.close()
    else:
        import psycopg

        with psycopg.connect(pg_dsn(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


def consignment_mismatches():
    """Sale lines whose consignment entry is missing or differs (gross, frozen rate, owed)."""
    from sqlalchemy import text

    from extensions import db

    return db.session.execute(text("""
        SELECT count(*) FROM sale_lines l
        LEFT JOIN consignment_entries e
          ON e.document_type = 'sale' AND e.document_id = l.sale_id AND e.lot_id = l.lot_id
             AND e.kind = 'sale'
        WHERE e.id IS NULL OR e.cooperative_id <> l.cooperative_id
           OR abs(e.gross - l.total) > 0.001 OR abs(e.commission_rate - l.commission_rate) > 0.00001
           OR abs(e.amount - (e.gross - e.commission)) > 0.001
           OR abs(e.commission - round(l.total * l.commission_rate + 0.00001, 2)) > 0.001""")).scalar()


def generate(url, scale=1.0, seed=7, check=True, log=print):
    """Reset `url`, migrate, load the demo master data topped up, generate the year, check it.
    Returns {table: rows} counts (and 'seconds')."""
    from flask_migrate import upgrade

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from gen_master import prepare_master
    from gen_rows import MONTHS, ORDER, COLUMNS, Generator

    from demo import seed_demo
    from extensions import db
    from models.consignment import packaging_fee_per_unit

    t0 = time.perf_counter()
    reset(url)
    app = make_app(url)
    with app.app_context():
        upgrade()
        seed_demo(activity=False)
        db.session.commit()
        region = prepare_master(seed)
        gen = Generator(region, scale=scale, seed=seed, rates=frozen_rate_table(region),
                        fee_cents=int(packaging_fee_per_unit() * 100),
                        id_start=id_starts([t for t in ORDER if t != "lot_parents"] + ["stock_balances"]))
        db.session.remove()
        db.engine.dispose()
        log(f"master data ready in {time.perf_counter() - t0:.1f} s; generating {MONTHS} months "
            f"at scale {scale} ({round(2_000_000 * scale):,} sale lines wanted)")
        loader = Loader(url)
        for m in range(MONTHS):
            rows = gen.month(m)
            for table in ORDER:
                loader.insert(table, COLUMNS[table], rows[table])
            log(f"  month {m + 1:2d}: {len(rows['sale_lines']):>8,} sale lines  "
                f"({time.perf_counter() - t0:.0f} s)")
        finish(loader, gen, region)
        t1 = time.perf_counter()
        from models.report_summaries import rebuild

        written = rebuild()  # the reports' summary tables, as post_entries keeps them
        db.session.commit()
        log(f"loaded in {time.perf_counter() - t0:.1f} s ({written:,} summary rows in "
            f"{time.perf_counter() - t1:.1f} s); chaining the books")
        t1 = time.perf_counter()
        seal_books()
        log(f"books chained and sealed in {time.perf_counter() - t1:.1f} s; analyzing")
        analyze(url)
        counts = dict(gen.counts, seconds=round(time.perf_counter() - t0, 1))
        if check:
            from models.ledger import integrity_mismatches

            t1 = time.perf_counter()
            from models.consignment import consignment_balance_mismatches

            from models.report_summaries import summary_mismatches

            from models.books_check import books_problems

            problems = (integrity_mismatches() + consignment_balance_mismatches() + summary_mismatches()
                        + books_problems())
            bad = consignment_mismatches()
            log(f"integrity: {len(problems)} stock problem(s), {bad} sale line(s) without their "
                f"consignment entry ({time.perf_counter() - t1:.1f} s)")
            counts["integrity_problems"] = len(problems) + bad
            db.session.remove()
        db.engine.dispose()
    return counts


def main():
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL") or DEFAULT_SQLITE,
                        help="database URL (default $DATABASE_URL or instance/bench.sqlite)")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 2 million sale lines")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-check", action="store_true", help="skip the integrity check")
    args = parser.parse_args()
    counts = generate(args.url, args.scale, args.seed, check=not args.no_check)
    print(", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in counts.items()))
    if counts.get("integrity_problems"):
        sys.exit(1)


if __name__ == "__main__":
    main()
