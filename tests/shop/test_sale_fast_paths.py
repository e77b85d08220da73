"""The sale's fast paths give exactly what the declared schemas give: the cart read without
marshmallow's field machinery, the sale written back field by field (shop/schemas.py), and
the sale path's statements on the driver (models.rawsql) read back as SQLAlchemy reads them."""
from datetime import datetime
from decimal import Decimal

import marshmallow as ma
import pytest
from sqlalchemy import select

from extensions import db
from models.books import chain_hash, sale_values
from models.sales import Sale, SaleLine, SalePayment
from shop.schemas import SaleInSchema, SaleOutSchema, _fast_sale

GOOD = [
    {"location_id": 3, "client_ref": "r-1", "lines": [{"lot_id": 7, "quantity": "1"}]},
    {"location_id": 3, "client_ref": "r-2", "lines": [{"lot_id": 7, "quantity": "2.5", "discount": "0.50"},
                                                      {"barcode": "LOT-1", "quantity": "1", "discount": None}],
     "payments": [{"method": "cash", "amount": "300"}, {"method": "card", "amount": "12.5"}]},
    {"location_id": 2**31 - 1, "client_ref": "x" * 64, "lines": [{"lot_id": 1, "quantity": "100000"}],
     "payments": []},
]

# Each goes through marshmallow (the fast path declines), whatever marshmallow then says.
UNUSUAL = [
    {"location_id": "3", "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "1"}]},
    {"location_id": True, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "1"}]},
    {"location_id": 3, "client_ref": "", "lines": [{"lot_id": 7, "quantity": "1"}]},
    {"location_id": 3, "client_ref": "r", "lines": []},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "barcode": "X", "quantity": "1"}]},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": 1}]},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "١"}]},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "0"}]},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "1", "discount": "0.005"}]},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "1", "extra": 1}]},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "1"}], "other": 1},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "1"}],
     "payments": [{"method": "cheque", "amount": "1"}]},
    {"location_id": 3, "client_ref": "r", "lines": [{"lot_id": 7, "quantity": "1"}],
     "payments": [{"method": "cash", "amount": "0"}]},
    [],
]


def _declared_load(data):
    return ma.Schema.load(SaleInSchema(), data)


@pytest.mark.parametrize("body", GOOD)
def test_a_usual_cart_reads_as_the_schema_reads_it(body):
    fast = _fast_sale(body)
    assert fast is not None
    assert fast == _declared_load(body)
    assert SaleInSchema().load(body) == fast


@pytest.mark.parametrize("body", UNUSUAL)
def test_anything_unusual_goes_through_the_schema(body):
    assert _fast_sale(body) is None
    try:
        expected = _declared_load(body)
    except ma.ValidationError as exc:
        with pytest.raises(ma.ValidationError) as caught:
            SaleInSchema().load(body)
        assert caught.value.messages == exc.messages
    else:
        assert SaleInSchema().load(body) == expected


def test_a_sale_is_written_as_the_schema_writes_it():
    sale = {"id": 5, "number": "AIR-000005", "location_id": 3, "cash_session_id": 2, "client_ref": "r",
            "created_at": datetime(2026, 11, 29, 23, 5, 1, 120), "subtotal": Decimal("117.00"),
            "discount_total": Decimal("0"), "total": Decimal("117.00"), "paid": Decimal("300"),
            "change": Decimal("183.00"), "print_count": 0, "seq": 5, "chain_hash": "ab",
            "lines": [{"id": 9, "lot_id": 7, "product_id": 1, "quantity": Decimal("1.000"),
                       "unit_price": Decimal("34.00"), "discount": Decimal("0.00"), "total": Decimal("34"),
                       "commission_rate": Decimal("0.1500"), "refunded_quantity": Decimal(0), "sale_id": 5}],
            "payments": [{"method": "cash", "amount": Decimal("300.00")}]}
    declared = ma.Schema.dump(SaleOutSchema(), sale)
    assert SaleOutSchema().dump(sale) == declared
    assert list(SaleOutSchema().dump(sale)) == list(declared)
    partial = {k: v for k, v in sale.items() if k not in ("paid", "payments")}
    partial["discount_total"] = None
    assert SaleOutSchema().dump(partial) == ma.Schema.dump(SaleOutSchema(), partial)


def test_a_sale_posted_on_the_driver_reads_back_as_written(client, cashier_headers, airport, shop_stock,
                                                           open_till):
    lot = shop_stock["dates"]
    body = {"location_id": airport.id, "client_ref": "fast-1",
            "lines": [{"lot_id": lot.id, "quantity": "2", "discount": "0.50"}],
            "payments": [{"method": "cash", "amount": "500"}]}
    r = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert r.status_code == 201, r.get_json()
    answer = r.get_json()
    db.session.expire_all()
    sale = db.session.get(Sale, answer["id"])
    lines = db.session.execute(select(SaleLine).where(SaleLine.sale_id == sale.id)).scalars().all()
    payments = db.session.execute(select(SalePayment).where(SalePayment.sale_id == sale.id)).scalars().all()
    assert [ln.id for ln in lines] == [ln["id"] for ln in answer["lines"]]
    assert lines[0].quantity == Decimal("2.000") and lines[0].discount == Decimal("0.50")
    assert str(sale.total) == answer["total"]
    assert sale.created_at == datetime.fromisoformat(answer["created_at"]).replace(tzinfo=None)
    previous = db.session.execute(select(Sale.chain_hash).where(Sale.location_id == sale.location_id,
                                                               Sale.seq == sale.seq - 1)).scalar()
    as_read = lambda obj, names: {n: getattr(obj, n) for n in names}  # noqa: E731
    from models.books import PAYMENT_FIELDS, SALE_FIELDS, SALE_LINE_FIELDS

    values = sale_values(as_read(sale, SALE_FIELDS), [as_read(ln, SALE_LINE_FIELDS) for ln in lines],
                         [as_read(p, PAYMENT_FIELDS) for p in payments])
    assert chain_hash(previous, values) == sale.chain_hash
    # The same cart again: the same sale, 200.
    again = client.post("/api/v1/sales", json=body, headers=cashier_headers)
    assert again.status_code == 200
    replay = again.get_json()
    for line in replay["lines"] + answer["lines"]:  # "0" when posted, "0.000" read back (as before)
        assert Decimal(line.pop("refunded_quantity")) == 0
    assert replay == answer
