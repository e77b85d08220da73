"""Arabic-Indic (٠-٩) and Eastern Arabic (۰-۹) digits, as Arabic keyboards type them, read as
Latin digits wherever a number is typed: one function, web.digits.normalize_digits."""
from decimal import Decimal

import pytest

from web.digits import normalize_digits


@pytest.mark.parametrize("typed,read", [
    ("١٠٠٠", "1000"), ("۱۰۰۰", "1000"), ("١٢٫٥", "12.5"), ("۱۲,۵", "12,5"), ("١ ٢٣٤,٥٠", "1 234,50"),
    ("12.5", "12.5"), ("", ""), ("abc", "abc"), ("1٬000", "1٬000"), (None, None), (12, 12),
])
def test_normalize_digits(typed, read):
    assert normalize_digits(typed) == read


def test_local_decimal_and_integer_fields_read_arabic_digits(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import Form

    from admin.forms import LocalDecimalField, LocalIntegerField

    class Sample(Form):
        price = LocalDecimalField()
        count = LocalIntegerField()

    with app.test_request_context():
        form = Sample(MultiDict({"price": "١ ٢٣٤,٥٠", "count": "۴۲"}))
        assert form.validate(), form.errors
        assert form.price.data == Decimal("1234.50") and form.count.data == 42
        form = Sample(MultiDict({"price": "١٢٫٥", "count": "٣"}))
        assert form.validate() and form.price.data == Decimal("12.5") and form.count.data == 3
        form = Sample(MultiDict({"price": "١x", "count": "٣.٥"}))
        assert not form.validate() and set(form.errors) == {"price", "count"}


def test_api_decimal_strings_take_the_same_digits(client, cashier_headers, airport, shop_stock, open_till):
    """The JSON API follows the forms' rule: "١٠٠٠" is "1000", "٢" is "2"; a comma stays refused."""
    from tests.shop.shop_helpers import sale_body

    body = sale_body(airport.id, [{"lot_id": shop_stock["oil"].id, "quantity": "٢"}],
                     [{"method": "cash", "amount": "١٠٠٠"}])
    r = client.post("/api/v1/sales", headers=cashier_headers, json=body)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["total"], r.get_json()["change"]) == ("220.00", "780.00")
    body = sale_body(airport.id, [{"lot_id": shop_stock["oil"].id, "quantity": "1"}],
                     [{"method": "cash", "amount": "١٠٠٠,٥"}])
    r = client.post("/api/v1/sales", headers=cashier_headers, json=body)
    assert r.status_code == 422 and "amount" in str(r.get_json()["error"]["fields"])


def test_openapi_documents_the_digits_it_takes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "\u0660-\u0669" in str(spec) or "\\u0660" in str(spec)


def test_close_till_reads_arabic_digits(auth, airport, open_till):
    """The counted cash typed on an Arabic keyboard: ٢٠٠ is 200."""
    web = auth.client_for("caissier")
    r = web.post(f"/shop/sessions/{open_till['id']}/close", data={"counted_cash": "٢٠٠"})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    z = web.get(f"/shop/sessions/{open_till['id']}/z").get_data(as_text=True)
    assert 'data-z="counted_cash">200,00' in z
