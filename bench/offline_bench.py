"""Benchmark of the offline till's server side, in process (Flask test client, SQLite file
made for the run, or PostgreSQL through BENCH_DATABASE_URL — that database is RESET):

- the catalogue a till downloads (GET /api/v1/shops/<id>/catalogue): size and time;
- a queue of N offline sales (2 lines each) synced one after another, as a till does after
  a day without connection: ms per sale, then the same queue posted again (all answered
  "already recorded"): ms per repeat; and N ordinary online sales of the same carts, for
  reference (the ratio matters more than the figures on a shared machine).

    TADAMON_NO_APP=1 .venv/bin/python bench/offline_bench.py [--sales 200]
"""
import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TADAMON_NO_APP", "1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sales", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/offline_bench.sqlite"
    from sqlalchemy import text

    from bench.sales_bench import prepare
    from config import DevelopmentConfig
    from extensions import db
    from models.cooperatives import utcnow
    from wsgi import create_app

    shop_id, lot_ids, _cashier = prepare(url)
    app = create_app(type("OfflineBench", (DevelopmentConfig,), {
        "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False}))
    client = app.test_client()
    client.post("/login", data={"username": "caissier", "password": "demo-caissier"})
    start = time.perf_counter()
    cat = client.get(f"/api/v1/shops/{shop_id}/catalogue")
    cat_ms = (time.perf_counter() - start) * 1000
    assert cat.status_code == 200, cat.get_data(as_text=True)[:300]
    body = cat.get_json()
    with app.app_context():
        session_id = db.session.execute(text("SELECT id FROM cash_sessions WHERE location_id = :s "
                                             "AND closed_at IS NULL ORDER BY id DESC"),
                                        {"s": shop_id}).scalar()
    device = client.post(f"/api/v1/shops/{shop_id}/devices", json={}).get_json()
    client.post(f"/api/v1/devices/{device['id']}/receipt-blocks", json={"size": args.sales})
    base = utcnow() - timedelta(hours=8)
    queue = [{"location_id": shop_id, "client_ref": f"bench-off-{device['id']}-{i}",
              "device_id": device["id"], "device_seq": i + 1, "cash_session_id": session_id,
              "sold_at": (base + timedelta(seconds=60 * i)).isoformat() + "Z",
              "lines": [{"lot_id": lot_ids[i % len(lot_ids)], "quantity": "1"},
                        {"lot_id": lot_ids[(i + 1) % len(lot_ids)], "quantity": "2"}],
              "payments": [{"method": "cash", "amount": "1000"}]} for i in range(args.sales)]
    timings = {}
    for label, expected in (("offline sales, first sync", 201), ("offline sales, repeat", 200)):
        start = time.perf_counter()
        for sale in queue:
            r = client.post("/api/v1/offline-sales", json=sale)
            assert r.status_code == expected, r.get_json()
        timings[label] = (time.perf_counter() - start) * 1000 / len(queue)
    online = [{"location_id": shop_id, "client_ref": f"bench-on-{device['id']}-{i}",
               "lines": sale["lines"], "payments": sale["payments"]} for i, sale in enumerate(queue)]
    start = time.perf_counter()
    for sale in online:
        r = client.post("/api/v1/sales", json=sale)
        assert r.status_code == 201, r.get_json()
    timings["online sale, same cart (reference)"] = (time.perf_counter() - start) * 1000 / len(online)
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{kind}: catalogue {len(body['lots'])} lots, {len(json.dumps(body)) / 1024:.1f} KiB, "
          f"{cat_ms:.1f} ms")
    for label, ms in timings.items():
        print(f"{kind}: {label}: {ms:.1f} ms per sale ({len(queue)} sales, 2 lines)")


if __name__ == "__main__":
    main()
