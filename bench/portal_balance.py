"""Benchmark: a cooperative's balance, a month's statement and the overview over millions of
consignment entries on PostgreSQL. Prints figures; asserts nothing.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tadamon_bench \
      TADAMON_NO_APP=1 .venv/bin/python bench/portal_balance.py [entries]

The database is emptied and migrated first: never point it at real data.
"""
import os
import sys
import time
from datetime import date

from sqlalchemy import text

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TADAMON_NO_APP", "1")

from config import TestingConfig  # noqa: E402
from extensions import db  # noqa: E402
from wsgi import create_app  # noqa: E402


def timed(label, fn, repeat=5):
    """Run fn `repeat` times; print the best and the median in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{label:<46} best {times[0]:8.1f} ms   median {times[len(times) // 2]:8.1f} ms")
    return result


def main(n):
    """Load n entries spread over 11 cooperatives and two years, then time the reads."""
    from flask_migrate import upgrade

    from demo import seed_demo
    from models.consignment import balance
    from models.consignment_statements import overview, statement

    url = os.environ["BENCH_DATABASE_URL"]
    app = create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        seed_demo(activity=False)
        db.session.commit()
        start = time.perf_counter()
        db.session.execute(text("""
            INSERT INTO consignment_entries (cooperative_id, created_at, kind, amount, gross,
                                             commission_rate, commission, quantity)
            SELECT 1 + (i % 11), timestamp '2025-01-01' + (i * interval '1 minute') * (1051200.0 / :n),
                   CASE WHEN i % 50 = 0 THEN 'refund' ELSE 'sale' END,
                   CASE WHEN i % 50 = 0 THEN -44.00 ELSE 44.00 END,
                   CASE WHEN i % 50 = 0 THEN -50.00 ELSE 50.00 END, 0.12,
                   CASE WHEN i % 50 = 0 THEN -6.00 ELSE 6.00 END, 1
            FROM generate_series(1, :n) AS i"""), {"n": n})
        db.session.commit()
        # What autovacuum does soon after a bulk load: statistics and the visibility map,
        # without which PostgreSQL cannot answer from the covering index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE consignment_entries"))
        print(f"{n} entries loaded in {time.perf_counter() - start:.1f} s "
              f"(~{n // 11} per cooperative)")
        timed("balance(cooperative)", lambda: balance(1))
        timed("balance(cooperative, until=2026-06-01)",
              lambda: balance(1, until=date(2026, 6, 1)))
        stmt = timed("statement(cooperative, one month)",
                     lambda: statement(1, date(2026, 3, 1), date(2026, 3, 31)))
        print(f"   ({len(stmt['entries'])} entries in the month)")
        timed("overview(every cooperative)", lambda: overview("balance", True), repeat=3)
        plan = db.session.execute(text(
            "EXPLAIN SELECT sum(amount) FROM consignment_entries WHERE cooperative_id = 1")).scalars().all()
        print("plan of the balance sum:", " / ".join(line.strip() for line in plan[:4]))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)
