"""Bad input, listed: every form and API endpoint gets what people really type or send.

Empty and blank values, negative and huge numbers (1e30, 10**20), 10,000-character strings,
malformed dates ("31/12/2026", "2026-13-01"), decimals with a comma, letters and emoji where a
number belongs, a GTIN with a wrong check digit, bodies that are not JSON objects, NUL
characters. Each must get a 4xx, a message naming what is wrong, and leave the database exactly
as it was (every row of the tables concerned compared before and after).

Table-driven: an area adds its forms to FORMS and its endpoints to APIS (and, if it needs one, a
kind of field to FORM_BAD / API_BAD); the cases are generated from the tables.

Decided here: a French decimal comma ("12,5", "1 234,50") is accepted in forms, where people
type it (admin.forms.LocalDecimalField), and refused by the JSON API with 422 (machines send
"12.5"; guessing would hide client bugs). See GOOD_FORM_INPUT and test_api_refuses_a_decimal_comma.
"""
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from extensions import db

LONG = "x" * 10_000
NUL = "Huile\x00d'olive"

# --- What people type into forms, by kind of field --------------------------------------------
FORM_BAD = {
    "required_text": [("empty", ""), ("blank", "   "), ("10000 chars", LONG), ("NUL", NUL)],
    "text": [("10000 chars", LONG), ("NUL", NUL)],
    "decimal": [("negative", "-5"), ("1e30", "1e30"), ("10**20", str(10**20)), ("letters", "douze"),
                ("NaN", "NaN"), ("Infinity", "Infinity"), ("two commas", "1,2,5"),
                ("dot and comma", "1.234,50"), ("emoji", "12🌴")],
    "int": [("negative", "-1"), ("10**20", str(10**20)), ("decimal comma", "2,5"),
            ("decimal", "2.5"), ("1e30", "1e30"), ("letters", "dix"), ("emoji", "3🌴")],
    "gtin": [("wrong check digit", "6111234567890"), ("12 digits", "611123456789"),
             ("letters", "61112345678X5"), ("spaces", "611 123 456 789")],
    "date": [("day first", "31/12/2026"), ("month 13", "2026-13-01"), ("30 February", "2026-02-30"),
             ("words", "demain")],
    "choice": [("unknown", "Atlantis"), ("10000 chars", LONG)],
    "email": [("no at sign", "cooperative.example.com"), ("10000 chars", LONG + "@example.com")],
    "password": [("too short", "abc"), ("10000 chars", LONG)],
}

# --- What clients send to the JSON API, by kind of field ---------------------------------------
API_BAD = {
    "required_text": [("empty", ""), ("null", None), ("number", 12), ("10000 chars", LONG), ("NUL", NUL)],
    "text": [("10000 chars", LONG), ("number", 12), ("NUL", NUL)],
    "decimal": [("decimal comma", "12,5"), ("negative", "-5"), ("1e30", "1e30"), ("10**20", str(10**20)),
                ("JSON number", 12.5), ("letters", "douze"), ("NaN", "NaN"), ("emoji", "12🌴")],
    "int": [("negative", -1), ("10**20", 10**20), ("2**31", 2**31), ("decimal", 2.5), ("string", "3"),
            ("empty", "")],
    "gtin": [("wrong check digit", "6111234567890"), ("12 digits", "611123456789"),
             ("letters", "61112345678X5")],
    "date": [("day first", "31/12/2026"), ("month 13", "2026-13-01"), ("30 February", "2026-02-30"),
             ("empty", "")],
    "choice": [("unknown", "Atlantis"), ("10000 chars", LONG), ("null", None)],
    "bool": [("string", "yes"), ("number", 1)],
    "email": [("no at sign", "cooperative.example.com")],
}

# Whole bodies that are not what any endpoint takes: (label, request kwargs).
API_BAD_BODIES = [
    ("no body", {}),
    ("JSON list", {"json": []}),
    ("JSON string", {"json": "produit"}),
    ("JSON null", {"data": "null", "content_type": "application/json"}),
    ("invalid JSON", {"data": "{\"sku\": ", "content_type": "application/json"}),
    ("form-encoded", {"data": {"sku": "X"}}),
    ("NUL in a key", {"json": {"\x00": "x"}}),
]


def first_id(table_name, **where):
    """The smallest id of a table's rows matching `where` (demo data), for URLs and bodies."""
    table = db.metadata.tables[table_name]
    query = select(table.c.id).order_by(table.c.id)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    return db.session.execute(query).scalars().first()


@dataclass
class FormSpec:
    """A page form: who posts it where, a valid submission, its fields' kinds, its tables."""

    name: str
    user: str
    url: object  # a string, or a function (called in the app context) returning one
    valid: dict
    fields: dict
    tables: tuple
    success: tuple = (302, 303)

    def resolve_url(self):
        """The URL, computed now if it depends on the data."""
        return self.url() if callable(self.url) else self.url


@dataclass
class ApiSpec:
    """An API operation taking a JSON body: method, URL, a valid body, fields' kinds, tables."""

    name: str
    user: str
    method: str
    url: object
    valid: object  # a dict, or a function returning one
    fields: dict
    tables: tuple
    success: tuple = (200, 201)

    def resolve_url(self):
        """The URL, computed now if it depends on the data."""
        return self.url() if callable(self.url) else self.url

    def resolve_body(self):
        """A valid body, computed now if it depends on the data."""
        return dict(self.valid() if callable(self.valid) else self.valid)


PRODUCT_FORM = {
    "sku": "DAT-AZ-500-N", "name_fr": "Dattes Aziza – boîte 500 g", "name_ar": "تمر عزيزة – علبة 500 غ",
    "category": "dates", "kind": "unit", "uom": "pc", "net_content": "0.5", "content_uom": "kg",
    "gtin": "6111234567895", "retail_price": "65", "shelf_life_days": "365", "allergens": "",
    "description": "Récolte de Figuig", "active": "y",
}
COOPERATIVE_FORM = {
    "name_fr": "Coopérative Nakhil Bouarfa", "name_ar": "تعاونية نخيل بوعرفة",
    "registration_number": "ODCO-2026-7777", "province": "Figuig", "phone": "+212 536 00 00 00",
    "email": "nakhil@example.com", "address": "Bouarfa", "members_total": "24",
    "members_women": "20", "members_youth": "6", "commission_rate": "0.12", "active": "y",
}
LOCATION_FORM = {
    "code": "STAND-JERADA", "name_fr": "Stand solidaire Jerada", "name_ar": "الرواق التضامني جرادة",
    "kind": "shop", "address": "Place centrale, Jerada", "province": "Jerada", "active": "y",
}
USER_FORM = {
    "username": "samira", "full_name": "Samira B.", "role": "operator", "locale": "fr",
    "cooperative_id": "0", "password": "mot-de-passe-solide", "active": "y",
}
PRODUCT_FIELDS = {"sku": "required_text", "name_fr": "required_text", "name_ar": "required_text",
                  "category": "choice", "net_content": "decimal", "gtin": "gtin",
                  "retail_price": "decimal", "shelf_life_days": "int", "allergens": "text",
                  "description": "text"}
COOPERATIVE_FIELDS = {"name_fr": "required_text", "name_ar": "required_text",
                      "registration_number": "required_text", "province": "choice",
                      "phone": "text", "email": "email", "address": "text",
                      "members_total": "int", "members_women": "int", "commission_rate": "decimal",
                      "payout_account": "text"}
LOCATION_FIELDS = {"code": "required_text", "name_fr": "required_text", "name_ar": "required_text",
                   "kind": "choice", "address": "text", "province": "choice"}
USER_FIELDS = {"username": "required_text", "full_name": "text", "role": "choice",
               "locale": "choice", "password": "password"}

FORMS = [
    FormSpec("new product", "admin", "/admin/products/new", PRODUCT_FORM, PRODUCT_FIELDS, ("products",)),
    FormSpec("edit product", "admin", lambda: f"/admin/products/{first_id('products')}",
             PRODUCT_FORM, PRODUCT_FIELDS, ("products",)),
    FormSpec("new cooperative", "admin", "/admin/cooperatives/new", COOPERATIVE_FORM,
             COOPERATIVE_FIELDS, ("cooperatives",)),
    FormSpec("edit cooperative", "admin", lambda: f"/admin/cooperatives/{first_id('cooperatives')}",
             COOPERATIVE_FORM, COOPERATIVE_FIELDS, ("cooperatives",)),
    FormSpec("new location", "admin", "/admin/locations/new", LOCATION_FORM, LOCATION_FIELDS, ("locations",)),
    FormSpec("new user", "admin", "/admin/users/new", USER_FORM, USER_FIELDS, ("users", "user_shops")),
]

API_PRODUCT = {
    "sku": "DAT-AZ-500-N", "name_fr": "Dattes Aziza – boîte 500 g", "name_ar": "تمر عزيزة – علبة 500 غ",
    "category": "dates", "kind": "unit", "uom": "pc", "net_content": "0.5", "content_uom": "kg",
    "gtin": "6111234567895", "retail_price": "65.00", "shelf_life_days": 365, "active": True,
}
API_COOPERATIVE = {
    "name_fr": "Coopérative Nakhil Bouarfa", "name_ar": "تعاونية نخيل بوعرفة",
    "registration_number": "ODCO-2026-7777", "province": "Figuig", "email": "nakhil@example.com",
    "members_total": 24, "members_women": 20, "members_youth": 6, "commission_rate": "0.12",
}
API_LOCATION = {"code": "STAND-JERADA", "name_fr": "Stand solidaire Jerada",
                "name_ar": "الرواق التضامني جرادة", "kind": "shop", "province": "Jerada"}


def api_lot():
    """A valid lot body on the demo data."""
    return {"code": "LOT-FIG-2026-001", "product_id": first_id("products"),
            "cooperative_id": first_id("cooperatives"), "harvest_date": "2026-10-01",
            "production_date": "2026-10-05", "best_before": "2027-10-01"}


API_PRODUCT_FIELDS = {"sku": "required_text", "name_fr": "required_text", "name_ar": "required_text",
                      "category": "choice", "kind": "choice", "net_content": "decimal", "gtin": "gtin",
                      "retail_price": "decimal", "shelf_life_days": "int", "description": "text",
                      "active": "bool"}
API_COOPERATIVE_FIELDS = {"name_fr": "required_text", "name_ar": "required_text",
                          "registration_number": "required_text", "province": "choice",
                          "email": "email", "members_total": "int", "commission_rate": "decimal",
                          "active": "bool"}
API_LOCATION_FIELDS = {"code": "required_text", "name_fr": "required_text", "kind": "choice",
                       "address": "text", "active": "bool"}
API_LOT_FIELDS = {"code": "required_text", "product_id": "int", "cooperative_id": "int",
                  "harvest_date": "date", "production_date": "date", "best_before": "date"}

APIS = [
    ApiSpec("create product", "admin", "POST", "/api/v1/products", API_PRODUCT, API_PRODUCT_FIELDS,
            ("products",)),
    ApiSpec("edit product", "admin", "PATCH", lambda: f"/api/v1/products/{first_id('products')}",
            API_PRODUCT, API_PRODUCT_FIELDS, ("products",)),
    ApiSpec("create cooperative", "admin", "POST", "/api/v1/cooperatives", API_COOPERATIVE,
            API_COOPERATIVE_FIELDS, ("cooperatives",)),
    ApiSpec("edit cooperative", "admin", "PATCH",
            lambda: f"/api/v1/cooperatives/{first_id('cooperatives')}", API_COOPERATIVE,
            API_COOPERATIVE_FIELDS, ("cooperatives",)),
    ApiSpec("create location", "admin", "POST", "/api/v1/locations", API_LOCATION,
            API_LOCATION_FIELDS, ("locations",)),
    ApiSpec("create lot", "admin", "POST", "/api/v1/lots", api_lot, API_LOT_FIELDS, ("lots",)),
]

# Addresses people mistype: (user, URL, acceptable statuses).
BAD_URLS = [
    ("admin", "/admin/products/99999999999999999999", {404}),
    ("admin", "/admin/products/2147483648", {404}),
    ("admin", "/admin/products/-1", {404}),
    ("admin", "/admin/products/abc", {404}),
    ("admin", "/api/v1/products/99999999999999999999", {404}),
    ("admin", "/api/v1/lots/2147483648", {404}),
    ("admin", "/api/v1/stock?product_id=99999999999999999999", {422}),
    ("admin", "/api/v1/stock?lot_id=abc", {422}),
    ("admin", "/api/v1/products?page=0", {422}),
    ("admin", "/api/v1/products?per_page=100000", {422}),
    ("admin", "/api/v1/products?q=" + "x" * 10_000, {414, 422}),
    ("admin", "/api/v1/products?q=%00", {400, 422}),
    ("admin", "/admin/products?q=%00", {400}),
]


def form_cases():
    """(spec, field, kind) for every form and field; the bad values run as subtests."""
    for spec in FORMS:
        for name, kind in spec.fields.items():
            yield pytest.param(spec, name, kind, id=f"{spec.name}-{name}")


def api_cases():
    """(spec, field, kind) for every API operation and field; the bad values run as subtests."""
    for spec in APIS:
        for name, kind in spec.fields.items():
            yield pytest.param(spec, name, kind, id=f"{spec.name}-{name}")


def snapshot(tables):
    """Every row of the tables, in a comparable form (a fresh read: the request committed or not)."""
    db.session.rollback()
    rows = {}
    for name in tables:
        table = db.metadata.tables[name]
        rows[name] = sorted(tuple(map(repr, row)) for row in db.session.execute(select(table)).all())
    return rows


class FieldErrors(HTMLParser):
    """Collect, from a rendered form, which fields are marked invalid and the messages shown."""

    def __init__(self):
        super().__init__()
        self.invalid = set()
        self.messages = []
        self._in_feedback = 0

    def handle_starttag(self, tag, attrs):
        """Note invalid inputs and enter feedback blocks."""
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag in ("input", "select", "textarea") and "is-invalid" in classes:
            self.invalid.add(attrs.get("name"))
        if tag == "div" and ("invalid-feedback" in classes or "alert-danger" in classes):
            self._in_feedback += 1

    def handle_endtag(self, tag):
        """Leave a feedback block."""
        if tag == "div" and self._in_feedback:
            self._in_feedback -= 1

    def handle_data(self, data):
        """Keep the text of feedback blocks."""
        if self._in_feedback and data.strip():
            self.messages.append(data.strip())


def field_errors(html):
    """(invalid field names, messages) of a rendered form."""
    parser = FieldErrors()
    parser.feed(html)
    return parser.invalid, parser.messages


# --- The tables are not vacuous: each valid submission is accepted ----------------------------

@pytest.mark.parametrize("spec", FORMS, ids=lambda s: s.name)
def test_valid_form_submission_is_accepted(auth, spec):
    client = auth.client_for(spec.user)
    response = client.post(spec.resolve_url(), data=spec.valid)
    assert response.status_code in spec.success, field_errors(response.get_data(as_text=True))


@pytest.mark.parametrize("spec", APIS, ids=lambda s: s.name)
def test_valid_api_body_is_accepted(client, auth, spec):
    response = client.open(spec.resolve_url(), method=spec.method, json=spec.resolve_body(),
                           headers=auth.headers(spec.user))
    assert response.status_code in spec.success, response.get_json()


# --- Forms ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "name", "kind"), form_cases())
def test_form_refuses_bad_values(auth, subtests, spec, name, kind):
    client = auth.client_for(spec.user)
    url = spec.resolve_url()
    for label, value in FORM_BAD[kind]:
        with subtests.test(msg=label, value=value[:40]):
            before = snapshot(spec.tables)  # per value: one leak fails its own subtest only
            response = client.post(url, data={**spec.valid, name: value})
            html = response.get_data(as_text=True)
            assert 400 <= response.status_code < 500, (response.status_code, html[:300])
            if response.status_code == 422:
                invalid, messages = field_errors(html)
                assert name in invalid, f"{name} not marked invalid; invalid: {invalid}, {messages}"
                assert messages and all(len(m) < 300 for m in messages)
            else:  # refused before the form (a NUL character): the error page says why
                assert response.status_code == 400 and "NUL" in html
            assert "Traceback" not in html
            assert snapshot(spec.tables) == before


# --- API --------------------------------------------------------------------------------------

def assert_error_format(response, status_range=(400, 500)):
    """A 4xx in the one error format, with a message a person can read."""
    assert status_range[0] <= response.status_code < status_range[1], (response.status_code,
                                                                       response.get_data()[:300])
    body = response.get_json()
    assert body and set(body["error"]) == {"code", "message", "fields"}, body
    assert body["error"]["message"] and len(body["error"]["message"]) < 300
    return body["error"]


@pytest.mark.parametrize(("spec", "name", "kind"), api_cases())
def test_api_refuses_bad_values(client, auth, subtests, spec, name, kind):
    headers = auth.headers(spec.user)
    url = spec.resolve_url()
    for label, value in API_BAD[kind]:
        with subtests.test(msg=label, value=repr(value)[:40]):
            before = snapshot(spec.tables)
            response = client.open(url, method=spec.method, json={**spec.resolve_body(), name: value},
                                   headers=headers)
            error = assert_error_format(response)
            assert response.status_code == 422, error
            assert name in error["fields"], f"{name} not named: {error}"
            assert snapshot(spec.tables) == before


@pytest.mark.parametrize("spec", APIS, ids=lambda s: s.name)
def test_api_refuses_bodies_that_are_not_json_objects(client, auth, subtests, spec):
    headers = auth.headers(spec.user)
    url = spec.resolve_url()
    for label, kwargs in API_BAD_BODIES:
        with subtests.test(msg=label):
            before = snapshot(spec.tables)
            response = client.open(url, method=spec.method, headers=headers, **kwargs)
            error = assert_error_format(response)
            assert response.status_code in (400, 415, 422), (label, error)
            assert snapshot(spec.tables) == before


def test_mistyped_addresses_are_4xx(auth, subtests):
    tokens = {}
    for user, url, statuses in BAD_URLS:
        with subtests.test(msg=url[:60]):
            client = auth.client_for(user)
            headers = {}
            if url.startswith("/api/"):
                tokens.setdefault(user, auth.headers(user))
                headers = tokens[user]
            response = client.get(url, headers=headers)
            assert response.status_code in statuses, (url, response.status_code, response.get_data()[:200])


# --- What people type that is right, if unusual: accepted and stored as meant ------------------

GOOD_FORM_INPUT = [
    # (form field, typed, column value stored)
    ("retail_price", "12,5", Decimal("12.50")),
    ("retail_price", "1 234,50", Decimal("1234.50")),
    ("retail_price", " 65 ", Decimal("65.00")),
    ("net_content", "0,25", Decimal("0.250")),
    ("name_ar", "تمر عزيزة 🌴 – علبة", "تمر عزيزة 🌴 – علبة"),
    ("name_fr", "Dattes « Aziza » 🌴", "Dattes « Aziza » 🌴"),
    ("shelf_life_days", "١٢٠", 120),  # Arabic-Indic digits, as an Arabic keyboard types them
]


@pytest.mark.parametrize(("name", "typed", "stored"), GOOD_FORM_INPUT,
                         ids=[f"{g[0]}={g[1]}" for g in GOOD_FORM_INPUT])
def test_form_accepts_what_people_type(auth, name, typed, stored):
    from models.catalogue import Product

    client = auth.client_for("admin")
    response = client.post("/admin/products/new", data={**PRODUCT_FORM, name: typed})
    assert response.status_code == 302, field_errors(response.get_data(as_text=True))
    db.session.rollback()
    product = db.session.execute(select(Product).where(Product.sku == PRODUCT_FORM["sku"])).scalar_one()
    assert getattr(product, name) == stored


def test_form_shows_a_decimal_comma_back_as_typed_when_another_field_is_wrong(auth):
    client = auth.client_for("admin")
    response = client.post("/admin/products/new",
                           data={**PRODUCT_FORM, "retail_price": "12,5", "gtin": "6111234567890"})
    assert response.status_code == 422
    assert 'value="12,5"' in response.get_data(as_text=True)


def test_commission_rate_with_a_comma_in_the_cooperative_form(auth):
    from models.cooperatives import Cooperative

    client = auth.client_for("admin")
    response = client.post("/admin/cooperatives/new", data={**COOPERATIVE_FORM, "commission_rate": "0,15"})
    assert response.status_code == 302
    db.session.rollback()
    coop = db.session.execute(select(Cooperative).where(
        Cooperative.registration_number == COOPERATIVE_FORM["registration_number"])).scalar_one()
    assert coop.commission_rate == Decimal("0.15")


def test_api_refuses_a_decimal_comma_and_says_how_to_write_it(client, auth):
    response = client.post("/api/v1/products", json={**API_PRODUCT, "retail_price": "12,5"},
                           headers=auth.headers("admin"))
    error = assert_error_format(response)
    assert response.status_code == 422
    assert "12.50" in " ".join(error["fields"]["retail_price"])


def test_api_stores_arabic_and_emoji_as_sent(client, auth):
    name = "تمر عزيزة 🌴 – علبة"
    response = client.post("/api/v1/products", json={**API_PRODUCT, "name_ar": name},
                           headers=auth.headers("admin"))
    assert response.status_code == 201
    assert response.get_json()["name_ar"] == name


@pytest.mark.parametrize(("name", "typed"), [("retail_price", "douze"), ("retail_price", "NaN"),
                                             ("shelf_life_days", "dix")])
def test_unreadable_number_gets_one_message_not_a_range_too(auth, name, typed):
    client = auth.client_for("admin")
    response = client.post("/admin/products/new", data={**PRODUCT_FORM, name: typed})
    assert response.status_code == 422
    invalid, messages = field_errors(response.get_data(as_text=True))
    assert invalid == {name} and len(messages) == 1, messages
