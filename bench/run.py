"""The benchmark run (`make bench`): SQLite and PostgreSQL side by side, against a year of
generated data (bench/generate.py, made first when missing).

    .venv/bin/python bench/run.py                       # SQLite, and PostgreSQL if reachable
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/tadamon_bench bench/run.py
    bench/run.py --only sqlite --sales 300 --scale 0.1

For each database: 3-line sales through POST /api/v1/sales under gunicorn with 1, 4 and 16
clients (throughput, p50/p95/p99, errors) beside the same transaction in bare sqlite3 /
psycopg (bench/sales_bench.py), then the read paths timed over several runs (median, p95):
the stock page (operator), GET /api/v1/stock, a cooperative's balance, a year's statement
(JSON), the recall of a bulk lot and 1,000 labels (PDF). The sales posted stay in the
database (a few thousand sales on top of a year's ~670,000).
"""
import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from base64 import b64encode
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("TADAMON_NO_APP", "1")

import generate  # noqa: E402
import sales_bench  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/tadamon_bench"
YEAR = ("2025-12-01", "2026-11-30")
TARGETS = {  # metric -> (limit, "min" or "max", text)
    "ratio_sqlite": (0.25, "min", ">= 25% of bare"), "ratio_pg": (0.50, "min", ">= 50% of bare"),
    "p99_4": (50.0, "max", "< 50 ms"), "errors_16": (0, "max", "0"),
    "balance": (20.0, "max", "< 20 ms"), "statement": (500.0, "max", "< 500 ms"),
    "stock_page": (100.0, "max", "< 100 ms"), "stock_api": (100.0, "max", "< 100 ms"),
    "labels": (3000.0, "max", "< 3 s"), "recall": (None, None, "-"),
    # issue 18: the statement in pages, its CSV and PDF, the portal's and stock pages
    "statement_page": (100.0, "max", "<= 100 ms"), "csv_first": (200.0, "max", "<= 200 ms"),
    "csv_last": (1500.0, "max", "<= 1.5 s"), "statement_pdf": (5000.0, "max", "<= 5 s"),
    "page_150": (150.0, "max", "<= 150 ms"),
    # issue 17: every report and the map
    "report": (300.0, "max", "<= 300 ms"),
}


def has_data(url):
    """True when the database already holds generated sale lines."""
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite") and not os.path.exists(url.split("///", 1)[1]):
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return (conn.execute(text("SELECT count(*) FROM sale_lines WHERE id < 1000")).scalar() or 0) > 0
    except Exception:  # noqa: BLE001 - no schema yet, or no server
        return False
    finally:
        engine.dispose()


def pg_reachable(url):
    """True when PostgreSQL answers at `url` (creating the database if the server is up)."""
    try:
        import psycopg

        psycopg.connect(generate.pg_dsn(url), connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001
        pass
    try:
        import psycopg

        base, name = generate.pg_dsn(url).rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception:  # noqa: BLE001
        return False


def prepare_sales(url):
    """Three cheap lots with plenty of stock at SHOP-AIRPORT (received through the ledger)
    and an open till for the demo cashier; the ids a bench sale uses, and the read targets."""
    from sqlalchemy import func, select, text

    from extensions import db
    from models.sales_cash_sessions import open_session
    from models.catalogue import Product
    from models.ledger import move
    from models.masterdata import virtual_location
    from models.stock import Location, Lot
    from models.users import User

    app = generate.make_app(url)
    with app.app_context():
        shop = db.session.execute(select(Location).where(Location.code == "SHOP-AIRPORT")).scalar_one()
        cashier = db.session.execute(select(User).where(User.username == "caissier")).scalar_one()
        products = db.session.execute(select(Product).where(Product.kind == "unit", Product.retail_price <= 90)
                                      .order_by(Product.id).limit(3)).scalars().all()
        stamp = int(time.time())
        lots = []
        for i, product in enumerate(products):
            lot = Lot(code=f"BENCH-{stamp}-{i}", product_id=product.id, cooperative_id=1 + i)
            db.session.add(lot)
            db.session.flush()
            move(lot.id, Decimal(1_000_000), virtual_location("SUPPLIERS").id, shop.id, kind="reception")
            lots.append(lot.id)
        if not db.session.execute(text("SELECT id FROM cash_sessions WHERE location_id = :s AND cashier_id = :c "
                                       "AND closed_at IS NULL"), {"s": shop.id, "c": cashier.id}).first():
            open_session(location_id=shop.id, cashier_id=cashier.id, opening_float=Decimal(0))
        db.session.commit()
        # Read targets: the cooperative with the most entries, a bulk lot of mid-year.
        coop = db.session.execute(text(
            "SELECT cooperative_id FROM consignment_entries GROUP BY cooperative_id "
            "ORDER BY count(*) DESC LIMIT 1")).scalar()
        bulk_lot = db.session.execute(text(
            "SELECT l.id FROM lots l JOIN products p ON p.id = l.product_id "
            "WHERE p.kind = 'bulk' AND l.origin_type = 'reception' ORDER BY l.id")).scalars().all()
        label_lot = db.session.execute(select(func.max(Lot.id)).where(Lot.origin_type == "packaging_run")).scalar()
        ids = {"shop": shop.id, "lots": lots, "cashier": cashier.id, "coop": coop,
               "bulk_lot": bulk_lot[len(bulk_lot) // 2], "label_lot": label_lot}
        db.session.remove()
        db.engine.dispose()
    return ids


class Client:
    """A keep-alive HTTP client with a bearer token or a session cookie."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        self.headers = {}

    def get(self, path):
        """GET; returns (status, body bytes). A keep-alive connection gunicorn closed while
        this client was idle is opened again (once)."""
        try:
            self.conn.request("GET", path, headers=self.headers)
            resp = self.conn.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.reconnect()
            self.conn.request("GET", path, headers=self.headers)
            resp = self.conn.getresponse()
        return resp.status, resp.read(), resp

    def reconnect(self):
        """A fresh connection (same credentials)."""
        self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)

    def token(self, username, password):
        """Authenticate with a bearer token from POST /api/v1/tokens."""
        basic = b64encode(f"{username}:{password}".encode()).decode()
        self.conn.request("POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
        self.headers = {"Authorization": "Bearer " + json.loads(self.conn.getresponse().read())["token"]}
        return self

    def login(self, username, password):
        """Sign in through the login form (CSRF token and session cookie)."""
        _s, body, resp = self.get("/login")
        cookie = resp.getheader("Set-Cookie", "").split(";")[0]
        csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
        form = f"csrf_token={csrf}&username={username}&password={password}"
        self.conn.request("POST", "/login", body=form, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        resp = self.conn.getresponse()
        resp.read()
        self.headers = {"Cookie": (resp.getheader("Set-Cookie") or cookie).split(";")[0]}
        return self


def timed(client, path, runs):
    """Median and p95 (nearest rank) in ms of `runs` GETs after one warm-up; checks 200."""
    status, body, _r = client.get(path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        status, body, _r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert status == 200, (path, status)
    times.sort()
    return {"median": statistics.median(times), "p95": times[min(len(times) - 1, round(0.95 * len(times)))],
            "runs": runs, "bytes": len(body)}


def bench_reads(port, ids, runs):
    """The read paths against the generated year."""
    admin = Client(port).token("admin", "demo-admin")
    operator = Client(port).login("operateur", "demo-operateur")
    coop, frm, to = ids["coop"], *YEAR
    out = {
        "stock_page": timed(operator, "/warehouse/stock", runs),
        "stock_api": timed(admin, "/api/v1/stock", runs),
        "balance": timed(admin, f"/api/v1/cooperatives/{coop}/balance", runs * 2),
        "statement": timed(admin, f"/api/v1/cooperatives/{coop}/statement?from={frm}&to={to}", runs),
        "recall": timed(admin, f"/api/v1/lots/{ids['bulk_lot']}/recall", runs),
        "labels": timed(admin, f"/api/v1/lots/{ids['label_lot']}/labels.pdf?copies=1000", max(3, runs // 2)),
    }
    status, body, _r = admin.get(f"/api/v1/cooperatives/{coop}/statement?from={frm}&to={to}")
    out["statement"]["entries"] = len(json.loads(body)["entries"])
    return out


def timed_stream(client, path, runs):
    """First byte and last byte of a streamed answer (ms, medians of `runs` after a warm-up)."""
    def once():
        t0 = time.perf_counter()
        client.conn.request("GET", path, headers=client.headers)
        resp = client.conn.getresponse()
        assert resp.status == 200, (path, resp.status)
        first = resp.read(1)
        t1 = time.perf_counter()
        rest = resp.read()
        t2 = time.perf_counter()
        return (t1 - t0) * 1000, (t2 - t0) * 1000, len(first) + len(rest)

    client.get(path)  # warm-up, and a live connection
    firsts, lasts, size = [], [], 0
    for _ in range(runs):
        f, last, size = once()
        firsts.append(f)
        lasts.append(last)
    return {"first": statistics.median(firsts), "median": statistics.median(lasts), "p95": max(lasts),
            "runs": runs, "bytes": size}


def statement_pages(client, coop, limit=500):
    """Walk a year's statement in cursor pages of `limit`: every page timed (ms)."""
    from urllib.parse import quote

    frm, to = YEAR
    base = f"/api/v1/cooperatives/{coop}/statement/entries?from={frm}&to={to}&limit={limit}"
    client.get(base)  # warm-up (and a live connection)
    times, cursor, entries = [], None, 0
    while True:
        t0 = time.perf_counter()
        status, body, _r = client.get(base + (f"&cursor={quote(cursor)}" if cursor else ""))
        times.append((time.perf_counter() - t0) * 1000)
        assert status == 200, (status, body[:300])
        page = json.loads(body)
        entries += len(page["entries"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ordered = sorted(times)
    return {"median": statistics.median(times), "p95": ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))],
            "max": ordered[-1], "first": times[0], "last": times[-1], "pages": len(times), "entries": entries}


def bench_portal_reads(port, ids, runs):
    """Issue 18's read targets: the statement in cursor pages, its CSV streamed and its PDF,
    the portal's pages and the stock pages at a year's volume."""
    admin = Client(port).token("admin", "demo-admin")
    web = Client(port).login("admin", "demo-admin")
    operator = Client(port).login("operateur", "demo-operateur")
    coop, (frm, to) = ids["coop"], YEAR
    stmt = f"/api/v1/cooperatives/{coop}/statement?from={frm}&to={to}"
    out = {
        "statement_pages": statement_pages(admin, coop),
        "statement_csv": timed_stream(admin, stmt + "&format=csv", max(3, runs // 2)),
        "portal_home": timed(web, f"/portal/cooperatives/{coop}/", runs),
        "portal_sales": timed(web, f"/portal/cooperatives/{coop}/sales", runs),
        "portal_statement": timed(web, f"/portal/cooperatives/{coop}/statement?from={frm}&to={to}", runs),
        "portal_stock": timed(web, f"/portal/cooperatives/{coop}/stock", runs),
        "stock_page": timed(operator, "/warehouse/stock", runs),
        "shop_stock": timed(operator, f"/warehouse/stock?location_id={ids['shop']}", runs),
    }
    out["statement_pdf"] = timed(admin, stmt + "&format=pdf", 1)  # last: the longest
    return out


def bench_sales(url, ids, args, workers, threads):
    """Sales through gunicorn at each level, the bare reference, and the read paths."""
    port = sales_bench.free_port()
    proc = sales_bench.start_gunicorn(url, port, workers, threads)
    levels = {}
    try:
        if not args.reads_only:
            token = sales_bench.get_token(port)
            sales_bench.run_level(port, token, ids["shop"], ids["lots"], 1, 30)  # warm-up
            for clients in (1, 4, 16):
                elapsed, lat, errors = sales_bench.run_level(port, token, ids["shop"], ids["lots"], clients,
                                                             args.sales)
                levels[clients] = {"rate": len(lat) / elapsed, "p50": sales_bench.pct(lat, 50),
                                   "p95": sales_bench.pct(lat, 95), "p99": sales_bench.pct(lat, 99),
                                   "errors": len(errors), "error_sample": [str(e) for e in errors[:3]],
                                   "load": os.getloadavg()[0]}
                print(f"{clients} client(s): {levels[clients]}", flush=True)
        reads = None
        if not args.sales_only:
            reads = bench_reads(port, ids, args.runs)
            reads.update(bench_portal_reads(port, ids, args.runs))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: its threads did not finish in time
            proc.kill()
            proc.wait()
    if args.reads_only:
        return {"levels": levels, "bare": None, "ratio": None, "reads": reads,
                "gunicorn": f"-w {workers} --threads {threads}"}
    times = sales_bench.bare_reference(url, ids["shop"], ids["lots"], ids["cashier"], args.sales)
    bare = {"rate": len(times) / sum(times), "p50": sales_bench.pct(times, 50), "p99": sales_bench.pct(times, 99),
            "load": os.getloadavg()[0]}
    # The same transaction from 4 connections at once: the floor under the API's p99 at 4.
    elapsed, times4 = sales_bench.bare_reference_concurrent(url, ids["shop"], ids["lots"], ids["cashier"],
                                                            args.sales, 4)
    bare["at4"] = {"rate": len(times4) / elapsed, "p50": sales_bench.pct(times4, 50),
                   "p99": sales_bench.pct(times4, 99)}
    best = max(level["rate"] for level in levels.values())
    return {"levels": levels, "bare": bare, "ratio": best / bare["rate"], "reads": reads,
            "gunicorn": f"-w {workers} --threads {threads}"}


def counts(url):
    """Sale lines and consignment entries in the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        result = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("sale_lines", "consignment_entries", "stock_movements", "lots")}
    engine.dispose()
    return result


def verdict(metric, value):
    """'met' / 'NOT met' / '' against the target."""
    limit, sense, _text = TARGETS.get(metric, (None, None, ""))
    if limit is None:
        return ""
    ok = value >= limit if sense == "min" else (value <= limit if metric == "errors_16" else value < limit)
    return "met" if ok else "NOT met"


def report(results):
    """Print the side-by-side table."""
    kinds = list(results)
    print()
    print(f"{'':34}" + "".join(f"{k:>22}" for k in kinds) + f"  {'target':>16}")

    def row(label, metric, fmt, getter):
        cells, marks = [], []
        for k in kinds:
            value = getter(results[k], k)
            cells.append(f"{fmt.format(value):>22}")
            m = metric(k) if callable(metric) else metric
            marks.append(verdict(m, value))
        m = metric(kinds[0]) if callable(metric) else metric
        target = TARGETS.get(m, (None, None, ""))[2] if m else ""
        print(f"{label:34}" + "".join(cells) + f"  {target:>16}  " + " / ".join(x for x in marks if x))

    row("data: sale lines", None, "{:,}", lambda r, k: r["counts"]["sale_lines"])
    row("gunicorn", None, "{}", lambda r, k: r["gunicorn"])
    if all(results[k]["levels"] for k in kinds):
        sales_rows(row)
    if any(results[k]["reads"] is None for k in kinds):  # --sales-only
        return
    for metric, label in (("stock_page", "stock page (operator) ms"), ("stock_api", "GET /api/v1/stock ms"),
                          ("balance", "cooperative balance ms"), ("statement", "year's statement (JSON) ms"),
                          ("recall", "recall of a bulk lot ms"), ("labels", "1,000 labels (PDF) ms")):
        row(f"{label}, median", metric, "{:.1f}", lambda r, k, m=metric: r["reads"][m]["median"])
        row("  p95", None, "{:.1f}", lambda r, k, m=metric: r["reads"][m]["p95"])
    row("statement entries", None, "{:,}", lambda r, k: r["reads"]["statement"]["entries"])
    if not all("statement_pages" in results[k]["reads"] for k in kinds):
        return
    pages = lambda r: r["reads"]["statement_pages"]  # noqa: E731
    row("statement pages of 500", None, "{:,}", lambda r, k: pages(r)["pages"])
    row("  any page ms (slowest)", "statement_page", "{:.1f}", lambda r, k: pages(r)["max"])
    row("  page median / p95 ms", None, "{}", lambda r, k: f"{pages(r)['median']:.1f} / {pages(r)['p95']:.1f}")
    row("  first / last page ms", None, "{}", lambda r, k: f"{pages(r)['first']:.1f} / {pages(r)['last']:.1f}")
    row("year's CSV first byte ms", "csv_first", "{:.1f}", lambda r, k: r["reads"]["statement_csv"]["first"])
    row("year's CSV last byte ms", "csv_last", "{:.1f}", lambda r, k: r["reads"]["statement_csv"]["median"])
    row("year's statement PDF ms", "statement_pdf", "{:.0f}", lambda r, k: r["reads"]["statement_pdf"]["median"])
    for metric, label in (("portal_home", "portal home"), ("portal_sales", "portal sales"),
                          ("portal_statement", "portal statement page (year)"),
                          ("portal_stock", "portal stock (cooperative)"),
                          ("stock_page", "stock page (operator)"), ("shop_stock", "shop stock (operator)")):
        row(f"{label} ms, median", "page_150", "{:.1f}", lambda r, k, m=metric: r["reads"][m]["median"])
    if not all(results[k].get("reports") for k in kinds):
        return
    for period in results[kinds[0]]["reports"]["periods"]:
        print(f"reports, period {period} (median ms, in process)")
        for i, (name, *_figures) in enumerate(results[kinds[0]]["reports"]["periods"][period]):
            row(f"  {name}", "report", "{:.1f}", lambda r, k, i=i, p=period: r["reports"]["periods"][p][i][1])


def sales_rows(row):
    """The sale path's rows of the table."""
    for c in (1, 4, 16):
        row(f"API sales/s, {c} client(s)", None, "{:.1f}", lambda r, k, c=c: r["levels"][c]["rate"])
        row("  p50 / p95 ms", None, "{}", lambda r, k, c=c: f"{r['levels'][c]['p50']:.1f} / {r['levels'][c]['p95']:.1f}")
        row("  p99 ms", "p99_4" if c == 4 else None, "{:.1f}", lambda r, k, c=c: r["levels"][c]["p99"])
        row("  errors", "errors_16" if c == 16 else None, "{}", lambda r, k, c=c: r["levels"][c]["errors"])
        row("  load average (1 min)", None, "{:.1f}", lambda r, k, c=c: r["levels"][c].get("load", 0))
    row("bare SQL sales/s (1 connection)", None, "{:.1f}", lambda r, k: r["bare"]["rate"])
    row("  bare p50 / p99 ms", None, "{}", lambda r, k: f"{r['bare']['p50']:.2f} / {r['bare']['p99']:.2f}")
    row("  load average (1 min)", None, "{:.1f}", lambda r, k: r["bare"].get("load", 0))
    row("bare SQL at 4 connections sales/s", None, "{:.1f}", lambda r, k: r["bare"]["at4"]["rate"])
    row("  bare p50 / p99 ms at 4", None, "{}",
        lambda r, k: f"{r['bare']['at4']['p50']:.2f} / {r['bare']['at4']['p99']:.2f}")
    row("API best / bare throughput", lambda k: "ratio_sqlite" if k == "SQLite" else "ratio_pg", "{:.0%}",
        lambda r, k: r["ratio"])


def migrate_to_head(url):
    """Bring an existing benchmark database to the latest migration (indexes, tables)."""
    from flask_migrate import upgrade

    from extensions import db

    app = generate.make_app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def main():
    """Generate when missing, run each database, print the table, save bench/results.json."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sales", type=int, default=400, help="sales per concurrency level")
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each read")
    parser.add_argument("--scale", type=float, default=1.0, help="scale when generating (1 = 2M lines)")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--sales-only", action="store_true", help="the sales and the bare reference, no reads")
    parser.add_argument("--reads-only", action="store_true", help="skip the sale path (reads and reports only)")
    parser.add_argument("--no-reports", action="store_true", help="skip the reports (bench/reports_bench.py)")
    parser.add_argument("--sqlite-url", default=os.environ.get("BENCH_SQLITE_URL") or generate.DEFAULT_SQLITE)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL") or PG_DEFAULT)
    parser.add_argument("--sqlite-gunicorn", default="1x16", help="workers x threads for SQLite")
    parser.add_argument("--pg-gunicorn", default="2x8", help="workers x threads for PostgreSQL")
    args = parser.parse_args()
    targets = []
    if args.only != "postgresql":
        targets.append(("SQLite", args.sqlite_url, args.sqlite_gunicorn))
    if args.only != "sqlite":
        if pg_reachable(args.pg_url):
            targets.append(("PostgreSQL", args.pg_url, args.pg_gunicorn))
        else:
            print(f"PostgreSQL not reachable at {args.pg_url}: skipped")
    results = {}
    for kind, url, shape in targets:
        if not has_data(url):
            print(f"== {kind}: generating the year's data (scale {args.scale})")
            generate.generate(url, args.scale)
        else:
            migrate_to_head(url)
        print(f"== {kind}: {url}")
        ids = prepare_sales(url)
        workers, threads = (int(x) for x in shape.split("x"))
        results[kind] = bench_sales(url, ids, args, workers, threads)
        results[kind]["counts"] = counts(url)
        if not args.no_reports and not args.sales_only:
            import reports_bench

            results[kind]["reports"] = reports_bench.run(url, max(3, args.runs // 2))
        print(json.dumps({k: v for k, v in results[kind].items() if k != "levels"}, default=str)[:400])
    report(results)
    with open(os.path.join(HERE, "results.json"), "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "load_average": os.getloadavg(),
                   "results": results}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
