"""Benchmark: 3-line sales posted through the API under gunicorn, with 1, 4 and 16 clients,
beside the same transaction in bare SQL (sqlite3, or psycopg on PostgreSQL) as a reference.

    python bench/sales_bench.py                       # SQLite file made for the run
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tadamon_shop_bench \
        python bench/sales_bench.py                   # PostgreSQL (the database is RESET)

Prints throughput, p50/p95/p99 latency and errors per level, the bare-SQL reference and the
ratio. Options: --sales N per level (default 300), --levels 1,4,16, --workers, --threads.
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TADAMON_NO_APP", "1")
SKUS = ("DAT-AZ-500", "HUI-EV-1L", "MIE-TH-250")


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url):
    """Migrate, load the demo data, put 3 big lots in SHOP-AIRPORT, open the cashier's till.
    Returns (shop id, [lot ids], cashier id)."""
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from config import DevelopmentConfig
    from demo import seed_demo
    from extensions import db
    from models.sales_cash_sessions import open_session
    from models.catalogue import Product
    from models.ledger import move
    from models.masterdata import virtual_location
    from models.stock import Location, Lot
    from models.users import User
    from wsgi import create_app

    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        seed_demo(activity=False)
        shop = db.session.execute(select(Location).where(Location.code == "SHOP-AIRPORT")).scalar_one()
        cashier = db.session.execute(select(User).where(User.username == "caissier")).scalar_one()
        lots = []
        for i, sku in enumerate(SKUS):
            product = db.session.execute(select(Product).where(Product.sku == sku)).scalar_one()
            lot = Lot(code=f"BENCH-{i}", product=product, cooperative_id=1 + i)
            db.session.add(lot)
            db.session.flush()
            move(lot.id, Decimal(1_000_000), virtual_location("SUPPLIERS").id, shop.id, kind="reception")
            lots.append(lot.id)
        open_session(location_id=shop.id, cashier_id=cashier.id, opening_float=Decimal(0))
        db.session.commit()
        ids = (shop.id, lots, cashier.id)
        db.engine.dispose()
    return ids


def start_gunicorn(url, port, workers, threads):
    """gunicorn serving wsgi:app on 127.0.0.1:port; waits until it answers."""
    env = dict(os.environ, DATABASE_URL=url, TADAMON_CONFIG="development", TADAMON_NO_APP="0")
    proc = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", str(workers),
         "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env)
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def get_token(port):
    """A bearer token for the demo cashier."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    basic = base64.b64encode(b"caissier:demo-caissier").decode()
    conn.request("POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
    return json.loads(conn.getresponse().read())["token"]


def run_level(port, token, shop, lots, clients, total):
    """`total` sales posted by `clients` threads, each on its own keep-alive connection."""
    per_client = total // clients
    latencies, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine, bad = [], []
        barrier.wait()
        for _ in range(per_client):
            body = json.dumps({"location_id": shop, "client_ref": str(uuid.uuid4()),
                               "lines": [{"lot_id": lot, "quantity": "1"} for lot in lots],
                               "payments": [{"method": "cash", "amount": "300"}]})
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/sales", body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 201:
                    bad.append(resp.status)
            except (OSError, http.client.HTTPException) as exc:
                bad.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    return _together(client, clients, barrier), latencies, errors


def _together(client, clients, barrier):
    """`clients` threads running `client` from the same instant (each waits at `barrier`,
    which counts this thread too): the seconds until the last one is done."""
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def pct(values, p):
    """The p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


# The same sale in bare SQL: look-ups, counter, sale, balances locked and updated,
# movements, lines, payment, consignment entries: one transaction.
def bare_sale(cur, ph, shop, lots, customers, session_id, cashier, ref, now, returning_ok=True):
    """One 3-line sale with a DB-API cursor (`ph` is the placeholder style)."""
    q = lambda sql: sql.replace("?", ph)
    cur.execute(q("SELECT id FROM sales WHERE location_id = ? AND client_ref = ?"), (shop, ref))
    cur.fetchone()
    cur.execute(q("SELECT l.id, p.retail_price, l.cooperative_id FROM lots l JOIN products p ON p.id = l.product_id "
                  "WHERE l.id IN (?, ?, ?)"), tuple(lots))
    rows = cur.fetchall()
    cur.execute(q("UPDATE receipt_counters SET last_number = last_number + 1 WHERE location_id = ? "
                  "RETURNING last_number, prefix"), (shop,))
    seq, prefix = cur.fetchone()
    total = sum(Decimal(str(r[1])) for r in rows)
    cur.execute(q("INSERT INTO sales (location_id, cashier_id, cash_session_id, client_ref, seq, number, "
                  "created_at, subtotal, discount_total, total, paid, change, print_count) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 300, ?, 0) RETURNING id"),
                (shop, cashier, session_id, ref, seq, f"{prefix}-{seq:06d}", now, str(total), str(total),
                 str(Decimal(300) - total)))
    sale_id = cur.fetchone()[0]
    cur.execute(q("SELECT id, lot_id, location_id, quantity FROM stock_balances WHERE lot_id IN (?, ?, ?) "
                  "AND location_id IN (?, ?) ORDER BY id" + (" FOR UPDATE" if ph == "%s" else "")),
                (*lots, shop, customers))
    for bal_id, lot_id, loc_id, qty in cur.fetchall():
        delta = -1 if loc_id == shop else 1
        cur.execute(q("UPDATE stock_balances SET quantity = ?, updated_at = ? WHERE id = ?"),
                    (str(Decimal(str(qty)) + delta), now, bal_id))
    cur.executemany(q("INSERT INTO stock_movements (created_at, lot_id, quantity, from_location_id, "
                      "to_location_id, kind, document_type, document_id, user_id) "
                      "VALUES (?, ?, 1, ?, ?, 'sale', 'sale', ?, ?)"),
                    [(now, r[0], shop, customers, sale_id, cashier) for r in rows])
    cur.executemany(q("INSERT INTO sale_lines (sale_id, lot_id, product_id, cooperative_id, quantity, unit_price, "
                      "discount, total, commission_rate, refunded_quantity, refunded_amount) "
                      "VALUES (?, ?, 1, ?, 1, ?, 0, ?, 0.15, 0, 0)"),
                    [(sale_id, r[0], r[2], str(r[1]), str(r[1])) for r in rows])
    cur.execute(q("INSERT INTO sale_payments (sale_id, method, amount) VALUES (?, 'cash', 300)"), (sale_id,))
    cur.executemany(q("INSERT INTO consignment_entries (cooperative_id, created_at, kind, amount, gross, "
                      "commission_rate, commission, lot_id, quantity, location_id, document_type, document_id) "
                      "VALUES (?, ?, 'sale', ?, ?, 0.15, ?, ?, 1, ?, 'sale', ?)"),
                    [(r[2], now, str(Decimal(str(r[1])) * Decimal("0.85")), str(r[1]),
                      str(Decimal(str(r[1])) * Decimal("0.15")), r[0], shop, sale_id) for r in rows])


def bare_reference(url, shop, lots, cashier, count):
    """Seconds per sale of the bare-SQL transaction, serially (one connection)."""
    return _bare_client(url, shop, lots, cashier, count)


def bare_reference_concurrent(url, shop, lots, cashier, count, clients):
    """The bare-SQL transaction from `clients` threads at once, each on its own connection,
    on the same lots (so on the same balance rows, as the API's clients): (elapsed seconds,
    seconds per sale). The floor under the API's latency at that level: a closed loop of
    `clients` callers waits for the others' transactions whatever the code above them."""
    per_client = count // clients
    results, barrier = [], threading.Barrier(clients + 1)

    def client():
        results.append(_bare_client(url, shop, lots, cashier, per_client, barrier))

    elapsed = _together(client, clients, barrier)
    return elapsed, [x for times in results for x in times]


def _bare_client(url, shop, lots, cashier, count, barrier=None):
    """`count` bare sales on one new connection; seconds per sale."""
    from datetime import datetime

    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA synchronous=NORMAL")
        ph, begin = "?", "BEGIN IMMEDIATE"
    else:
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
        ph, begin = "%s", "BEGIN"
    cur = conn.cursor()
    cur.execute("SELECT id FROM locations WHERE code = 'CUSTOMERS'")
    customers = cur.fetchone()[0]
    cur.execute(f"SELECT id FROM cash_sessions WHERE location_id = {shop} AND closed_at IS NULL")
    session_id = cur.fetchone()[0]
    times = []
    if barrier is not None:
        barrier.wait()
    for _ in range(count):
        t0 = time.perf_counter()
        cur.execute(begin)
        bare_sale(cur, ph, shop, lots, customers, session_id, cashier, str(uuid.uuid4()),
                  datetime.utcnow().isoformat(sep=" ") if ph == "?" else datetime.utcnow())
        cur.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    conn.close()
    return times


def main():
    """Prepare the database, start gunicorn, run each level, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sales", type=int, default=300, help="sales per level")
    parser.add_argument("--levels", default="1,4,16")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="tadamon-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
    shop, lots, cashier = prepare(url)
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    port = free_port()
    proc = start_gunicorn(url, port, args.workers, args.threads)
    try:
        token = get_token(port)
        run_level(port, token, shop, lots, 1, 20)  # warm-up
        print(f"3-line sales through POST /api/v1/sales — {kind}, gunicorn -w {args.workers} "
              f"--threads {args.threads}, {args.sales} sales per level")
        print(f"{'clients':>7} {'sales/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        best, p50_one = 0.0, None
        for clients in (int(c) for c in args.levels.split(",")):
            elapsed, lat, errors = run_level(port, token, shop, lots, clients, args.sales)
            rate = len(lat) / elapsed
            best = max(best, rate)
            p50_one = p50_one or pct(lat, 50)
            print(f"{clients:>7} {rate:>9.1f} {pct(lat, 50):>8.1f} {pct(lat, 95):>8.1f} "
                  f"{pct(lat, 99):>8.1f} {len(errors):>7}" + (f"  {errors[:5]}" if errors else ""))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    times = bare_reference(url, shop, lots, cashier, args.sales)
    bare_rate = len(times) / sum(times)
    print(f"bare SQL reference ({'sqlite3' if kind == 'SQLite' else 'psycopg'}, same transaction, 1 connection): "
          f"{bare_rate:.1f} sales/s, p50 {pct(times, 50):.2f} ms, p99 {pct(times, 99):.2f} ms")
    print(f"ratio: bare SQL does {bare_rate / best:.1f}x the API's best throughput; "
          f"API p50 at {args.levels.split(',')[0]} client(s) is {p50_one / pct(times, 50):.1f}x the bare p50 "
          f"(HTTP, auth, validation, ORM included)")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
