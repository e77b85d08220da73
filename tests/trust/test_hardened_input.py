"""Every class of bad input from issue 12 answers 4xx in the error format, tables unchanged:
deep nesting, lone surrogates, dates at 9999-12-31, huge ids and pages in query strings, an
Arabic lot code in a download's name, bodies over MAX_CONTENT_LENGTH; business dates in range."""
from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import func, select

from extensions import db
from models.clock import today as local_today
from models.stock import Lot
from tests.shop.shop_helpers import FIGUIG, coop, loc

COUNTED = ("sales", "products", "stock_movements", "consignment_entries", "payouts", "lots")


def forget():
    g.pop("_login_user", None)
    g.pop("auth_via", None)


def counts():
    db.session.rollback()
    return {name: db.session.execute(select(func.count()).select_from(db.metadata.tables[name])).scalar()
            for name in COUNTED}


def assert_error(response, status):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert set(body["error"]) >= {"code", "message", "fields"}, body
    return body["error"]


@pytest.fixture
def admin(auth):
    return auth.headers("admin")


@pytest.mark.parametrize("path", ["/api/v1/sales", "/api/v1/products"])
def test_json_nested_100000_deep_is_400(app, admin, path):
    before = counts()
    body = "[" * 100_000 + "]" * 100_000
    response = app.test_client().post(path, data=body, content_type="application/json", headers=admin)
    assert_error(response, 400)
    body = '{"name_fr": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}"
    response = app.test_client().post(path, data=body, content_type="application/json", headers=admin)
    assert "nested" in assert_error(response, 400)["message"]
    assert counts() == before


def test_lone_surrogates_are_422_naming_the_field(app, admin):
    before = counts()
    sale = '{"location_id": 1, "client_ref": "\\ud800", "lines": [], "payments": []}'
    error = assert_error(app.test_client().post("/api/v1/sales", data=sale, content_type="application/json",
                                                headers=admin), 422)
    assert "client_ref" in error["fields"]
    product = ('{"sku": "X-1", "name_fr": "Dattes \\udfff", "name_ar": "تمر", "category": "dates",'
               ' "unit": "kg", "retail_price": "10.00"}')
    error = assert_error(app.test_client().post("/api/v1/products", data=product,
                                                content_type="application/json", headers=admin), 422)
    assert "name_fr" in error["fields"]
    assert counts() == before


def test_request_get_json_checks_too(app):
    """Flask's own get_json (pages posting JSON) gets the same checks."""
    from web.inputs import JSONInputError

    with app.test_request_context("/x", method="POST", data='{"a": "\\ud800"}', content_type="application/json"):
        from flask import request
        with pytest.raises(JSONInputError):
            request.get_json()


@pytest.mark.parametrize("fmt", ["json", "csv", "pdf"])
def test_statement_periods_at_9999_are_4xx(app, admin, fmt):
    coop_id = coop(FIGUIG).id
    for query in (f"from=9999-12-31&to=9999-12-31&format={fmt}", f"from=2026-01-01&to=9999-12-31&format={fmt}",
                  f"to=9999-12-31&format={fmt}"):
        response = app.test_client().get(f"/api/v1/cooperatives/{coop_id}/statement?{query}", headers=admin)
        assert_error(response, 422)


def test_sales_period_at_9999_is_4xx(app, admin):
    coop_id = coop(FIGUIG).id
    response = app.test_client().get(f"/api/v1/cooperatives/{coop_id}/sales?from=9999-12-31&to=9999-12-31",
                                     headers=admin)
    assert_error(response, 422)


@pytest.mark.parametrize("fmt", ["", "csv", "pdf"])
def test_portal_pages_refuse_9999_with_a_message(app, auth, fmt):
    client = auth.client_for("admin")
    coop_id = coop(FIGUIG).id
    for page in ("statement", "sales"):
        forget()
        response = client.get(f"/portal/cooperatives/{coop_id}/{page}?from=9999-12-31&to=9999-12-31&format={fmt}")
        assert response.status_code == 422, (page, response.status_code)
        assert "1900-01-01" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/api/v1/products?page=9223372036854775808",
    "/api/v1/products?page=99999999999999999999&per_page=10",
    "/api/v1/tokens?user_id=9223372036854775808",
])
def test_huge_numbers_in_api_query_strings_are_4xx(app, admin, url):
    response = app.test_client().get(url, headers=admin)
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


@pytest.mark.parametrize("url", [
    "/warehouse/stock?page=9223372036854775808",
    "/warehouse/stock?location_id=9223372036854775808",
    "/transfers/shop-stock?location_id=18446744073709551616",
])
def test_huge_numbers_in_page_query_strings_are_4xx(app, auth, url):
    client = auth.client_for("admin")
    forget()
    response = client.get(url)
    assert 400 <= response.status_code < 500, response.status_code


def test_portal_page_number_past_int64_is_4xx(app, auth):
    client = auth.client_for("admin")
    forget()
    coop_id = coop(FIGUIG).id
    for page in ("sales", "statement"):
        response = client.get(f"/portal/cooperatives/{coop_id}/{page}?page=9223372036854775808")
        assert 400 <= response.status_code < 500, (page, response.status_code)


def test_arabic_lot_code_in_a_download_name(app, admin):
    from decimal import Decimal

    from models.ledger import move
    from models.masterdata import virtual_location
    from tests.shop.shop_helpers import product

    lot = Lot(code="تمر-٠١", product=product("DAT-AZ-500"), cooperative=coop(FIGUIG),
              best_before=local_today() + timedelta(days=200))
    db.session.add(lot)
    db.session.flush()
    move(lot.id, Decimal(3), virtual_location("SUPPLIERS").id, loc("WH-STOCK").id, kind="reception")
    db.session.commit()
    response = app.test_client().get(f"/api/v1/lots/{lot.id}/labels.pdf", headers=admin)
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")  # what gunicorn must be able to send
    assert "filename*=UTF-8''labels-%D8%AA%D9%85%D8%B1-%D9%A0%D9%A1.pdf" in header
    assert header.startswith("inline; filename=\"labels-")


def test_content_disposition_helper():
    from web.inputs import content_disposition

    assert content_disposition("attachment", "a.csv") == 'attachment; filename="a.csv"'
    value = content_disposition("attachment", 'ré"sumé.pdf')
    assert value.isascii() and "filename*=UTF-8''r%C3%A9%22sum%C3%A9.pdf" in value


def test_bodies_over_the_limit_are_413(app, admin):
    before = counts()
    lines = ",".join('{"lot_code": "X", "quantity": "1"}' for _ in range(40_000))
    body = '{"location_id": 1, "client_ref": "big", "lines": [' + lines + '], "payments": []}'
    assert len(body) > 1024 * 1024
    response = app.test_client().post("/api/v1/sales", data=body, content_type="application/json", headers=admin)
    assert_error(response, 413)
    assert counts() == before


def test_form_bodies_over_the_limit_are_413(app, auth):
    client = auth.client_for("admin")
    forget()
    response = client.post("/admin/products/new", data={"sku": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413


def test_payout_dates_within_a_sane_range(app, admin):
    before = counts()
    coop_id = coop(FIGUIG).id
    for paid_on in ("0001-01-01", "1999-12-31", (local_today() + timedelta(days=2)).isoformat(), "9999-12-31"):
        body = {"cooperative_id": coop_id, "amount": "1.00", "method": "cash", "paid_on": paid_on}
        response = app.test_client().post("/api/v1/payouts", json=body, headers=admin)
        error = assert_error(response, 422)
        assert error["fields"], error
    assert counts() == before


@pytest.mark.parametrize("paid_on, shown", [("0001-01-01", "1900-01-01"), ("1999-12-31", "2000-01-01")])
def test_payout_page_refuses_old_dates_with_a_message(app, auth, paid_on, shown):
    before = counts()
    client = auth.client_for("admin")
    forget()
    coop_id = coop(FIGUIG).id
    response = client.post("/portal/admin/payouts/new", data={
        "cooperative_id": coop_id, "amount": "1,00", "paid_on": paid_on, "method": "cash"})
    assert response.status_code in (400, 422)
    assert shown in response.get_data(as_text=True)
    assert counts() == before


def test_reception_harvest_date_in_year_one_is_refused(app):
    from models.warehouse import parse_date

    errors = {}
    assert parse_date("0001-01-01", errors, "harvest_date") is None and "harvest_date" in errors
    assert parse_date("2026-05-01", {}, "harvest_date") == date(2026, 5, 1)


def test_overflow_anywhere_is_a_4xx_not_a_500(db_uri):
    """The safety net: an OverflowError a check missed answers 422 (JSON on the API)."""
    from tests.conftest import make_config
    from wsgi import create_app

    from auth.access import public

    app = create_app(make_config(db_uri))

    @app.route("/api/v1/_overflow")
    @public
    def _overflow():
        raise OverflowError("date value out of range")

    with app.app_context():
        assert_error(app.test_client().get("/api/v1/_overflow"), 422)
        db.engine.dispose()
