"""Tills selling the last units of a lot at the same moment never oversell; one cart posted
twice at once is recorded once. Threads, on SQLite and on PostgreSQL."""
import threading
from decimal import Decimal

from tests.shop.shop_helpers import FIGUIG, loc, user
from sqlalchemy import func, select

from extensions import db
from models.sales_cash_sessions import open_session
from models.errors import DomainError
from models.ledger import available, integrity_mismatches
from models.sales_posting import LineRequest, PaymentRequest, post_sale
from models.sales import Sale


def _run(app, n, job):
    """Run job(i) in n threads released together; returns their results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = job(i)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                results[i] = exc.code
            except Exception as exc:  # noqa: BLE001 - any other failure is a bug to report
                db.session.rollback()
                results[i] = repr(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_eight_tills_race_for_the_last_three_boxes(app, make_lot):
    shop = loc("SHOP-AIRPORT").id
    lot = make_lot("DAT-AZ-500", FIGUIG, 3)
    cashier = user("caissier").id
    open_session(location_id=shop, cashier_id=cashier, opening_float=Decimal(0))
    db.session.commit()
    lot_id = lot.id
    db.session.remove()

    def sell(i):
        summary, created = post_sale(
            location_id=shop, user_id=cashier, client_ref=f"till-{i}",
            lines=[LineRequest(quantity=Decimal(1), lot_id=lot_id)],
            payments=[PaymentRequest("cash", Decimal("55"))], max_discount_rate=Decimal("0.2"))
        return summary["number"]

    results = _run(app, 8, sell)
    numbers = sorted(r for r in results if r and r.startswith("AIR-"))
    assert numbers == ["AIR-000001", "AIR-000002", "AIR-000003"], results
    assert sorted(r for r in results if not r.startswith("AIR-")) == ["insufficient_stock"] * 5
    assert available(lot_id, shop) == Decimal(0)
    assert integrity_mismatches() == []


def test_one_cart_posted_four_times_at_once_is_one_sale(app, auth, make_lot):
    shop = loc("SHOP-AIRPORT").id
    lot = make_lot("DAT-AZ-500", FIGUIG, 10)
    headers = auth.headers("caissier")
    client = app.test_client()
    assert client.post("/api/v1/cash-sessions", json={"location_id": shop, "opening_float": "0"},
                       headers=headers).status_code == 201
    body = {"location_id": shop, "client_ref": "dup-cart", "lines": [{"lot_id": lot.id, "quantity": "2"}],
            "payments": [{"method": "cash", "amount": "110"}]}
    lot_id = lot.id
    db.session.remove()

    def post(i):
        r = app.test_client().post("/api/v1/sales", json=body, headers=headers)
        return (r.status_code, r.get_json().get("id"))

    results = _run(app, 4, post)
    assert sorted(code for code, _ in results) == [200, 200, 200, 201], results
    assert len({sale_id for _, sale_id in results}) == 1
    assert db.session.execute(select(func.count(Sale.id))).scalar() == 1
    assert available(lot_id, shop) == Decimal(8)
    assert integrity_mismatches() == []


def test_lost_race_on_client_ref_answers_with_the_winner(client, auth, make_lot, monkeypatch):
    """The unique constraint catches what the look-up missed: rollback, answer 200 with it."""
    import models.sales_posting

    shop = loc("SHOP-AIRPORT").id
    lot = make_lot("DAT-AZ-500", FIGUIG, 10)
    headers = auth.headers("caissier")
    client.post("/api/v1/cash-sessions", json={"location_id": shop, "opening_float": "0"}, headers=headers)
    body = {"location_id": shop, "client_ref": "raced", "lines": [{"lot_id": lot.id, "quantity": "1"}],
            "payments": [{"method": "cash", "amount": "55"}]}
    first = client.post("/api/v1/sales", json=body, headers=headers).get_json()
    monkeypatch.setattr(models.sales_posting, "find_sale", lambda *a: None)  # as if the winner had not committed yet
    r = client.post("/api/v1/sales", json=body, headers=headers)
    assert r.status_code == 200 and r.get_json()["id"] == first["id"]
    assert r.get_json()["number"] == "AIR-000001"
    assert available(lot.id, shop) == Decimal(9)
