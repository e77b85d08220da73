"""Profile the sale path in process: 3-line sales through POST /api/v1/sales with the Flask
test client (no HTTP server), on a database `bench/run.py` prepared (a year's data).

    .venv/bin/python bench/profile_sale.py --url sqlite:///instance/bench.sqlite --sales 300
    .venv/bin/python bench/profile_sale.py --url postgresql+psycopg://... --profile out.prof

Prints per sale: wall p50/mean, SQL statements and time in the driver (a cursor listener),
and with --profile the top functions of a cProfile run (cumulative and own time).
"""
import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from base64 import b64encode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("TADAMON_NO_APP", "1")

import generate  # noqa: E402
import run  # noqa: E402


def main():
    """Prepare lots and a till, warm up, time, optionally profile."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--sales", type=int, default=300)
    parser.add_argument("--profile", help="write a cProfile file here and print its top")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() once the app is built, as wsgi.py does for a served app")
    args = parser.parse_args()
    from sqlalchemy import event

    from extensions import db

    ids = run.prepare_sales(args.url)
    app = generate.make_app(args.url)
    import gc

    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    client = app.test_client()
    basic = b64encode(b"caissier:demo-caissier").decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    stats = {"n": 0, "t": 0.0}

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        stats["n"] += 1
        stats["t"] += time.perf_counter() - conn.info.pop("t0", time.perf_counter())

    def sale():
        body = json.dumps({"location_id": ids["shop"], "client_ref": str(uuid.uuid4()),
                           "lines": [{"lot_id": lot, "quantity": "1"} for lot in ids["lots"]],
                           "payments": [{"method": "cash", "amount": "300"}]})
        resp = client.post("/api/v1/sales", data=body, headers=headers)
        assert resp.status_code == 201, resp.get_data(as_text=True)

    for _ in range(30):
        sale()
    pauses = {0: [], 1: [], 2: []}  # the collector's pauses by generation, seconds
    started = {}

    def _gc(phase, info):
        if phase == "start":
            started["t"] = time.perf_counter()
        elif "t" in started:
            pauses[info["generation"]].append(time.perf_counter() - started.pop("t"))

    gc.callbacks.append(_gc)
    times = []
    stats.update(n=0, t=0.0)
    cpu0 = time.process_time()
    for _ in range(args.sales):
        t0 = time.perf_counter()
        sale()
        times.append(time.perf_counter() - t0)
    n = len(times)
    cpu = (time.process_time() - cpu0) / n * 1000
    print(f"{args.url.split('+')[0].split(':')[0]}: {n} sales, p50 {statistics.median(times) * 1000:.2f} ms, "
          f"mean {statistics.mean(times) * 1000:.2f} ms, CPU {cpu:.2f} ms, "
          f"{stats['n'] / n:.1f} SQLAlchemy statements and "
          f"{stats['t'] / n * 1000:.2f} ms in the driver per sale; load {os.getloadavg()[0]:.2f}")
    gc.callbacks.remove(_gc)
    ordered = sorted(times)
    print(f"  p99 {ordered[min(n - 1, round(0.99 * n))] * 1000:.2f} ms, max {ordered[-1] * 1000:.2f} ms; "
          f"objects tracked {len(gc.get_objects())}, frozen {gc.get_freeze_count()}; collector pauses: " + ", ".join(
              f"gen{g} {len(v)} x (max {max(v, default=0) * 1000:.2f} ms, total {sum(v) * 1000:.1f} ms)"
              for g, v in pauses.items()))
    if args.profile:
        prof = cProfile.Profile(time.process_time)  # CPU time: the machine is shared
        prof.enable()
        for _ in range(args.sales):
            sale()
        prof.disable()
        prof.dump_stats(args.profile)
        p = pstats.Stats(args.profile)
        p.sort_stats("cumulative").print_stats(args.top)
        p.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
