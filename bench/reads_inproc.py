"""Issue 18's reads timed in process (Flask test client, no HTTP, no gunicorn): one read or all
of them, median of a few runs, and optionally a cProfile of one run. Quick to run against the
bench year while working on one read; `bench/run.py --reads-only` stays the measure over HTTP.

    .venv/bin/python bench/reads_inproc.py                           # every read, instance/bench.sqlite
    .venv/bin/python bench/reads_inproc.py --read csv --runs 3
    .venv/bin/python bench/reads_inproc.py --read pdf --runs 1 --profile 30
    .venv/bin/python bench/reads_inproc.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_x

Reads: page (the statement's cursor pages of 500, every page of the year), csv (the year's
statement CSV streamed through the API: first chunk and last byte), csv_page (the same from
the portal page, French sheet), pdf, portal_home, portal_sales, portal_statement,
portal_stock, stock_page, shop_stock.
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from base64 import b64encode
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("TADAMON_NO_APP", "1")

import generate  # noqa: E402

YEAR = ("2025-12-01", "2026-11-30")
READS = ("page", "csv", "csv_page", "pdf", "portal_home", "portal_sales", "portal_statement",
         "portal_stock", "stock_page", "shop_stock")
TARGETS = {"page": 100, "csv": 1500, "csv_page": 1500, "pdf": 5000}  # ms; pages 150


def setup(url):
    """(app, ids, clients): the cooperative with the most entries, the airport shop, and test
    clients for the admin (API token and web session) and the operator."""
    from sqlalchemy import text

    from extensions import db

    app = generate.make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        coop = db.session.execute(text(
            "SELECT cooperative_id FROM consignment_entries GROUP BY cooperative_id "
            "ORDER BY count(*) DESC LIMIT 1")).scalar()
        shop = db.session.execute(text("SELECT id FROM locations WHERE code = 'SHOP-AIRPORT'")).scalar()
        entries = db.session.execute(text(
            "SELECT count(*) FROM consignment_entries WHERE cooperative_id = :c "
            "AND created_at >= :a AND created_at < :b"), {"c": coop, "a": YEAR[0], "b": "2026-12-01"}).scalar()
        db.session.remove()
    web, operator, api = app.test_client(), app.test_client(), app.test_client()
    web.post("/login", data={"username": "admin", "password": "demo-admin"})
    operator.post("/login", data={"username": "operateur", "password": "demo-operateur"})
    basic = b64encode(b"admin:demo-admin").decode()
    token = api.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    return app, {"coop": coop, "shop": shop, "entries": entries}, (web, operator, api, headers)


class ServerCpu:
    """CPU time (ms) of the PostgreSQL backends serving this database, from /proc (the server
    runs on this machine): what a read costs the server beside this process's own CPU. None
    for SQLite, or when /proc cannot be read."""

    def __init__(self, url):
        self.conn = None
        if url.startswith("postgresql"):
            import psycopg

            self.conn = psycopg.connect(generate.pg_dsn(url), autocommit=True)
            self.tick = 1000 / os.sysconf("SC_CLK_TCK")

    def __call__(self):
        if self.conn is None:
            return None
        pids = [r[0] for r in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                return None
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        return total * self.tick


SERVER_CPU = None  # a ServerCpu once main() has the URL


def one(read, ids, clients):
    """Run a read once: (ms, extra figures)."""
    web, operator, api, headers = clients
    coop, (frm, to) = ids["coop"], YEAR
    stmt = f"/api/v1/cooperatives/{coop}/statement?from={frm}&to={to}"
    s0 = SERVER_CPU() if SERVER_CPU else None
    t0, c0 = time.perf_counter(), time.process_time()
    extra = {}
    if read == "page":
        base = f"/api/v1/cooperatives/{coop}/statement/entries?from={frm}&to={to}&limit=500"
        cursor, times = None, []
        while True:
            t1 = time.perf_counter()
            r = api.get(base + (f"&cursor={quote(cursor)}" if cursor else ""), headers=headers)
            times.append((time.perf_counter() - t1) * 1000)
            assert r.status_code == 200, r.data[:300]
            cursor = json.loads(r.data)["next_cursor"]
            if cursor is None:
                break
        times.sort()
        extra = {"pages": len(times), "page_median": statistics.median(times), "page_max": times[-1]}
    elif read in ("csv", "csv_page"):
        path = (stmt + "&format=csv") if read == "csv" else \
            f"/portal/cooperatives/{coop}/statement?from={frm}&to={to}&format=csv"
        r = (api.get(path, headers=headers, buffered=False) if read == "csv"
             else web.get(path, buffered=False))
        assert r.status_code == 200
        chunks = iter(r.response)
        size = len(next(chunks))
        extra["first"] = (time.perf_counter() - t0) * 1000
        for chunk in chunks:
            size += len(chunk)
        r.close()
        extra["bytes"] = size
    else:
        client, path = {
            "pdf": (api, stmt + "&format=pdf"),
            "portal_home": (web, f"/portal/cooperatives/{coop}/"),
            "portal_sales": (web, f"/portal/cooperatives/{coop}/sales"),
            "portal_statement": (web, f"/portal/cooperatives/{coop}/statement?from={frm}&to={to}"),
            "portal_stock": (web, f"/portal/cooperatives/{coop}/stock"),
            "stock_page": (operator, "/warehouse/stock"),
            "shop_stock": (operator, f"/warehouse/stock?location_id={ids['shop']}"),
        }[read]
        r = client.get(path, headers=headers) if client is api else client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.data[:300])
        extra["bytes"] = len(r.data)
    extra["cpu"] = (time.process_time() - c0) * 1000  # this process's CPU: less swayed by others' load
    s1 = SERVER_CPU() if s0 is not None else None
    if s1 is not None:
        extra["db_cpu"] = s1 - s0  # the PostgreSQL backends' CPU (10 ms ticks)
    return (time.perf_counter() - t0) * 1000, extra


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=generate.DEFAULT_SQLITE)
    parser.add_argument("--read", action="append", choices=READS, help="a read to time (repeatable); all by default")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile one more run of each read and print its N costliest functions")
    args = parser.parse_args()
    app, ids, clients = setup(args.url)
    global SERVER_CPU
    SERVER_CPU = ServerCpu(args.url)
    print(f"{args.url}: cooperative {ids['coop']}, {ids['entries']:,} entries in the year; "
          f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    for read in args.read or READS:
        one(read, ids, clients)  # warm-up
        runs = [one(read, ids, clients) for _ in range(args.runs)]
        times = sorted(t for t, _e in runs)
        extra = dict(runs[len(runs) // 2][1])
        cpus = sorted(e["cpu"] for _t, e in runs)
        extra["cpu"], extra["cpu_min"] = statistics.median(cpus), cpus[0]  # this process's CPU ms
        if all("db_cpu" in e for _t, e in runs):
            extra["db_cpu"] = statistics.median(e["db_cpu"] for _t, e in runs)
        figures = " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in extra.items())
        target = TARGETS.get(read, 150)
        print(f"  {read:17} median {statistics.median(times):9.1f} ms  min {times[0]:9.1f}  "
              f"(target {target} ms)  {figures}  load {os.getloadavg()[0]:.2f}", flush=True)
        if args.profile:
            prof = cProfile.Profile(time.process_time)  # CPU time: others' load does not count
            prof.enable()
            one(read, ids, clients)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(args.profile)
            print(out.getvalue())


if __name__ == "__main__":
    main()
