"""Benchmark: the order services on a fresh small database — confirming (FEFO reservation
under row locks) and delivering (movements + consignment entries) 3-line orders, one after
the other, in-process. Prints the median and p95 milliseconds per transaction.

    python bench/orders_bench.py                      # SQLite file made for the run
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/h_orders \
        python bench/orders_bench.py                  # PostgreSQL (the database is RESET)

Options: --orders N (default 200).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("TADAMON_NO_APP", "1")
SKUS = ("DAT-AZ-500", "HUI-EV-1L", "MIE-TH-250")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or \
        f"sqlite:///{tempfile.mkdtemp()}/orders_bench.sqlite"
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from config import DevelopmentConfig
    from demo import seed_demo
    from extensions import db
    from models.catalogue import Product
    from models.cooperatives import Cooperative
    from models.ledger import move
    from models.masterdata import virtual_location
    from models.orders import Buyer
    from models.orders_drafts import create_order
    from models.orders_posting import confirm_order, deliver_order, prepare_order, ship_order
    from models.stock import Location, Lot
    from wsgi import create_app

    app = create_app(type("BenchConfig", (DevelopmentConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        seed_demo(activity=False)
        wh = db.session.execute(select(Location).where(Location.code == "WH-STOCK")).scalar_one()
        coop = db.session.execute(select(Cooperative)).scalars().first()
        products = [db.session.execute(select(Product).where(Product.sku == s)).scalar_one()
                    for s in SKUS]
        for i, product in enumerate(products):
            for j in range(5):  # five lots per product: FEFO has a choice to make
                lot = Lot(code=f"B-{i}-{j}", product=product, cooperative=coop)
                db.session.add(lot)
                db.session.flush()
                move(lot.id, Decimal(10 ** 6), virtual_location("SUPPLIERS").id, wh.id,
                     kind="reception")
        buyer = db.session.execute(select(Buyer)).scalars().first()
        db.session.commit()
        ids = []
        for _ in range(args.orders):
            order = create_order(buyer_id=buyer.id, location_id=wh.id, lines=[
                {"product_id": p.id, "quantity": "3"} for p in products])
            ids.append(order.id)
        db.session.commit()
        timings = {"confirm": [], "deliver": []}
        for order_id in ids:
            start = time.perf_counter()
            confirm_order(order_id)
            db.session.commit()
            timings["confirm"].append(time.perf_counter() - start)
            prepare_order(order_id)
            ship_order(order_id)
            db.session.commit()
            start = time.perf_counter()
            deliver_order(order_id)
            db.session.commit()
            timings["deliver"].append(time.perf_counter() - start)
        dialect = db.engine.dialect.name
    for name, values in timings.items():
        values = sorted(v * 1000 for v in values)
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{dialect:10} {name:8} {len(values)} orders of 3 lines: median "
              f"{statistics.median(values):.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
