"""Bad input, listed, for the areas: warehouse, transfers, shop and portal forms and endpoints.

The same tables and checks as tests/test_bad_input.py (the foundation's), extended with:
- `prepare`: what must exist before the form or endpoint makes sense (a lot in stock, a
  dispatched transfer, an open till, a sale), made through the services and committed before
  the database is snapshotted;
- dotted field paths in API bodies ("lines.0.quantity") for the nested lines;
- action forms (a button posting to a state change): refused by a redirect to a page showing
  the message, never a 500, nothing written.

Each bad value must get a 4xx (or, for action forms, the redirect and its message), a message
naming what is wrong and the database exactly as it was.
"""
import copy
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models.clock import today as local_today
from tests.test_bad_input import (API_BAD, FORM_BAD, LONG, NUL, assert_error_format, field_errors,
                                  first_id, snapshot)

# Kinds of fields the foundation's tables do not have.
FORM_BAD_AREAS = {
    **FORM_BAD,
    # What lands in a lot-code field: a code that does not exist, a product's barcode, a wrong
    # GTIN, Arabic, emoji, a very long string.
    "lot_code": [("unknown", "LOT-0000-9999"), ("a GTIN", "6111234567890"), ("Arabic", "تمر-١٢"),
                 ("emoji", "🌴🌴"), ("10000 chars", LONG)],
    # Quantities read straight from request.form by the page (no WTForms field).
    "raw_decimal": [("negative", "-5"), ("1e30", "1e30"), ("letters", "douze"), ("NaN", "NaN"),
                    ("Infinity", "Infinity"), ("two commas", "1,2,5"), ("emoji", "12🌴"),
                    ("10000 chars", LONG)],
}
API_BAD_AREAS = {
    **API_BAD,
    # A reference to a row: a body's id of a location, lot, product, sale line.
    "ref": [("negative", -1), ("zero", 0), ("10**20", 10**20), ("2**31", 2**31), ("decimal", 2.5),
            ("empty", ""), ("null", None), ("unknown", 99_999_999)],
    # A reference where null means something (the platform, not a cooperative).
    "nullable_ref": [("negative", -1), ("zero", 0), ("10**20", 10**20), ("decimal", 2.5),
                     ("empty", ""), ("unknown", 99_999_999)],
    # A choice where null means something (every category): no null among the bad values.
    "nullable_choice": [("unknown", "Atlantis"), ("10000 chars", LONG), ("number", 3)],
    "money": [("decimal comma", "12,5"), ("negative", "-5"), ("zero", "0"), ("1e30", "1e30"),
              ("10**20", str(10**20)), ("JSON number", 12.5), ("letters", "douze"), ("NaN", "NaN"),
              ("emoji", "12🌴"), ("fraction of a centime", "200.005")],
}


# --- Data the forms and endpoints need, made through the services -----------------------------

def loc(code):
    """A location's id by code."""
    return first_id("locations", code=code)


def product(sku):
    """A product's id by SKU."""
    return first_id("products", sku=sku)


def user(username):
    """A user's id by username."""
    return first_id("users", username=username)


def coop_figuig():
    """The Figuig dates cooperative (the demo's first)."""
    return first_id("cooperatives")


class Made(dict):
    """What `prepare` functions made, for URLs and bodies (reset for every test)."""


MADE = Made()


def _receive(location_code, sku, quantity):
    """A reception of one product at a location: returns its lot."""
    from models.warehouse_receptions import receive

    rec = receive(cooperative_id=coop_figuig(), location_id=loc(location_code),
                  lines=[{"product_id": product(sku), "quantity_delivered": Decimal(quantity),
                          "quantity_accepted": Decimal(quantity)}], user_id=user("operateur"))
    return rec.lines[0].lot


def bulk_dates():
    """100 kg of bulk dates at the warehouse's reception zone."""
    MADE["bulk"] = _receive("WH-RECEPTION", "DAT-AZ-VRAC", 100)


def boxes_in_stock():
    """50 boxes of dates in the warehouse's stock zone."""
    MADE["boxes"] = _receive("WH-STOCK", "DAT-AZ-500", 50)


def dispatched_transfer():
    """20 boxes dispatched from the warehouse to the airport shop, not yet received."""
    from models import transfers_posting

    boxes_in_stock()
    transfer = transfers_posting.create_transfer(loc("WH-STOCK"), loc("SHOP-AIRPORT"),
                                            [{"lot_id": MADE["boxes"].id, "quantity": Decimal(20)}],
                                            user_id=user("operateur"))
    transfers_posting.dispatch_transfer(transfer.id, user_id=user("operateur"))
    MADE["transfer"] = transfer


def open_count():
    """A stock count started at the warehouse's stock zone, which holds boxes."""
    from models.transfers_counts import start_count

    boxes_in_stock()
    MADE["count"] = start_count(loc("WH-STOCK"), user_id=user("operateur"))


def counted_count():
    """The stock count with its one lot counted (two boxes short): ready to post."""
    from models.transfers_counts import record_counts

    open_count()
    record_counts(MADE["count"].id, [{"lot_id": MADE["boxes"].id, "counted": Decimal(48)}])


def open_till():
    """Boxes at the airport shop (received from the warehouse) and the cashier's open till."""
    from models import transfers_posting
    from models.sales_cash_sessions import open_session

    dispatched_transfer()
    transfers_posting.receive_transfer(MADE["transfer"].id, [], user_id=user("caissier"))
    MADE["session"] = open_session(location_id=loc("SHOP-AIRPORT"), cashier_id=user("caissier"),
                                   opening_float=Decimal("200"))


def sale():
    """A sale of two boxes at the airport shop, paid cash."""
    from flask import current_app

    from models.sales_posting import LineRequest, PaymentRequest, post_sale

    open_till()
    summary, _created = post_sale(
        location_id=loc("SHOP-AIRPORT"), user_id=user("caissier"), client_ref="bad-input-sale",
        lines=[LineRequest(quantity=Decimal(2), lot_id=MADE["boxes"].id)],
        payments=[PaymentRequest("cash", Decimal("200"))],
        max_discount_rate=current_app.config["MAX_LINE_DISCOUNT_RATE"])
    MADE["sale"] = summary


def run_prepare(spec):
    """Make what the spec needs and commit it (the snapshot comes after)."""
    MADE.clear()
    if spec.prepare:
        spec.prepare()
        db.session.commit()


# --- Specs ------------------------------------------------------------------------------------

def _call(value):
    """A value, or what a function returns now (URLs and bodies depend on the data)."""
    return value() if callable(value) else value


@dataclass
class AreaForm:
    """A page form: who posts it where, a valid submission, its fields' kinds, its tables.
    `action`: a button's form answered by a redirect (303) to a page showing the message."""

    name: str
    user: str
    url: object
    valid: object
    fields: dict
    tables: tuple
    prepare: object = None
    action: bool = False
    unmarked: tuple = ()  # fields read by hand (not WTForms): the message is an alert
    prefixed: tuple = ()  # inputs named "<field>-<lot or line id>" on the page
    success: tuple = (302, 303)


@dataclass
class AreaApi:
    """An API operation with a JSON body; field names may be dotted paths into the body."""

    name: str
    user: str
    method: str
    url: object
    valid: object
    fields: dict
    tables: tuple
    prepare: object = None
    success: tuple = (200, 201)


PRICE_LIST_TABLES = ("price_lists", "price_list_items", "audit_entries")


def price_list():
    """An empty price list (its id in MADE)."""
    from models.orders_prices import save_price_list

    MADE["price_list"] = save_price_list(name="Épiciers").id


STOCK = ("stock_movements", "stock_balances", "lots", "lot_parents")
CONSIGNMENT = ("consignment_entries", "consignment_balances")
RECEPTION_TABLES = ("receptions", "reception_lines", *STOCK, *CONSIGNMENT)
PACKAGING_TABLES = ("packaging_runs", "packaging_inputs", *STOCK, *CONSIGNMENT)
TRANSFER_TABLES = ("transfers", "transfer_lines", *STOCK)
SALE_TABLES = ("sales", "sale_lines", "sale_payments", "cash_sessions", *STOCK, *CONSIGNMENT)
REFUND_TABLES = ("refunds", "refund_lines", "sale_lines", "cash_sessions", *STOCK, *CONSIGNMENT)
PAYOUT_TABLES = ("payouts", *CONSIGNMENT)


def reception_form():
    """A valid reception: 100 kg of dates, 2 rejected with a reason."""
    return {"cooperative_id": coop_figuig(), "location_id": loc("WH-RECEPTION"), "note": "Livraison",
            "lines-0-product_id": product("DAT-AZ-VRAC"), "lines-0-quantity_delivered": "100",
            "lines-0-quantity_accepted": "98", "lines-0-quantity_rejected": "2",
            "lines-0-rejection_reason": "Fruits abîmés", "lines-0-harvest_date": "2026-10-01",
            "lines-0-best_before": ""}


def packaging_form():
    """A valid run: 50 kg of the bulk lot into 100 boxes of 500 g."""
    return {"location_id": loc("WH-RECEPTION"), "inputs-0-lot_id": MADE["bulk"].id,
            "inputs-0-quantity": "50", "output_product_id": product("DAT-AZ-500"),
            "output_units": "100", "waste_quantity": "0", "best_before": "", "note": ""}


def transfer_form():
    """A valid draft: 10 boxes from the warehouse to the airport shop."""
    return {"from_location_id": loc("WH-STOCK"), "to_location_id": loc("SHOP-AIRPORT"), "kind": "",
            "note": "Réassort", "lines-0-lot_code": MADE["boxes"].code, "lines-0-quantity": "10"}


def receive_form():
    """The transfer arrived with one box broken."""
    lot_id = MADE["boxes"].id
    return {f"received-{lot_id}": "19", f"reason-{lot_id}": "Une boîte cassée"}


def request_form():
    """The airport shop asks for 12 boxes."""
    return {"shop_id": loc("SHOP-AIRPORT"), "note": "Pour le week-end",
            "lines-0-product_id": product("DAT-AZ-500"), "lines-0-quantity": "12"}


def count_sheet_form():
    """48 boxes counted where 50 were expected."""
    lot_id = MADE["boxes"].id
    return {f"counted-{lot_id}": "48", f"note-{lot_id}": "Deux boîtes introuvables", "add_lot_code": ""}


def coop_return_form():
    """Five boxes handed back to the cooperative."""
    return {"cooperative_id": coop_figuig(), "location_id": loc("WH-STOCK"),
            "reason": "Étiquetage à refaire", "lines-0-lot_code": MADE["boxes"].code,
            "lines-0-quantity": "5"}


def refund_form():
    """One of the two boxes refunded in cash, back on the shelf."""
    line_id = MADE["sale"]["lines"][0]["id"]
    return {f"qty-{line_id}": "1", f"restock-{line_id}": "1", "reason": "Boîte abîmée",
            "method": "cash"}


def payout_form():
    """An advance paid by bank transfer (the demo master data owes nothing yet)."""
    return {"cooperative_id": coop_figuig(), "amount": "1500", "paid_on": local_today().isoformat(),
            "method": "bank_transfer", "reference": "VIR-2026-118",
            "override_reason": "Avance sur la récolte"}


FORMS = [
    AreaForm("reception", "operateur", "/warehouse/receptions/new", reception_form,
             {"cooperative_id": "choice", "location_id": "choice", "note": "text",
              "lines-0-product_id": "choice", "lines-0-quantity_delivered": "decimal",
              "lines-0-quantity_accepted": "decimal", "lines-0-quantity_rejected": "decimal",
              "lines-0-rejection_reason": "text", "lines-0-harvest_date": "date",
              "lines-0-best_before": "date"}, RECEPTION_TABLES,
             unmarked=("lines-0-product_id",)),  # an unknown product leaves a blank line
    AreaForm("packaging run", "operateur", "/warehouse/packaging/new", packaging_form,
             {"location_id": "choice", "inputs-0-lot_id": "choice", "inputs-0-quantity": "decimal",
              "output_product_id": "choice", "output_units": "int", "waste_quantity": "decimal",
              "best_before": "date", "note": "text"}, PACKAGING_TABLES, prepare=bulk_dates,
             unmarked=("inputs-0-lot_id",)),  # an unknown lot leaves a blank input
    AreaForm("transfer", "operateur", "/transfers/new", transfer_form,
             {"from_location_id": "choice", "to_location_id": "choice", "kind": "choice",
              "note": "text", "lines-0-lot_code": "lot_code", "lines-0-quantity": "decimal"},
             TRANSFER_TABLES, prepare=boxes_in_stock),
    AreaForm("receive transfer", "caissier", lambda: f"/transfers/{MADE['transfer'].id}/receive",
             receive_form, {"received": "raw_decimal", "reason": "text"}, TRANSFER_TABLES,
             prepare=dispatched_transfer, action=True, prefixed=("received", "reason")),
    AreaForm("replenishment request", "caissier", "/transfers/requests", request_form,
             {"shop_id": "choice", "note": "text", "lines-0-product_id": "choice",
              "lines-0-quantity": "decimal"}, ("replenishment_requests", "replenishment_lines")),
    AreaForm("start a count", "operateur", "/transfers/counts", lambda: {"location_id": loc("WH-STOCK")},
             {"location_id": "choice"}, ("stock_counts", "stock_count_lines")),
    AreaForm("count sheet", "operateur", lambda: f"/transfers/counts/{MADE['count'].id}",
             count_sheet_form, {"counted": "raw_decimal", "note": "text"},
             ("stock_count_lines",), prepare=open_count, action=True, prefixed=("counted", "note")),
    AreaForm("count sheet: a lot found on the shelf", "operateur",
             lambda: f"/transfers/counts/{MADE['count'].id}",
             lambda: {"add_lot_code": MADE["found"].code, "add_counted": "3"},
             {"add_lot_code": "lot_code", "add_counted": "raw_decimal"}, ("stock_count_lines",),
             prepare=lambda: (open_count(), MADE.update(found=_receive("WH-STOCK", "HUI-EV-1L", 3))),
             action=True),
    AreaForm("return to cooperative", "operateur", "/transfers/cooperative-returns", coop_return_form,
             {"cooperative_id": "choice", "location_id": "choice", "reason": "required_text",
              "lines-0-lot_code": "lot_code", "lines-0-quantity": "decimal"},
             ("cooperative_returns", "cooperative_return_lines", *STOCK, *CONSIGNMENT),
             prepare=boxes_in_stock),
    AreaForm("open the till", "caissier", lambda: f"/shop/{loc('SHOP-AIRPORT')}/open",
             {"opening_float": "200"}, {"opening_float": "decimal"}, ("cash_sessions",), action=True),
    AreaForm("close the till", "caissier", lambda: f"/shop/sessions/{MADE['session'].id}/close",
             {"counted_cash": "200", "note": ""}, {"counted_cash": "decimal", "note": "text"},
             ("cash_sessions",), prepare=open_till),
    AreaForm("refund", "caissier", lambda: f"/shop/sales/{MADE['sale']['id']}/refund", refund_form,
             {"qty": "raw_decimal", "reason": "required_text", "method": "choice"}, REFUND_TABLES,
             prepare=sale, unmarked=("qty",), prefixed=("qty",)),
    AreaForm("payout", "admin", "/portal/admin/payouts/new", payout_form,
             {"cooperative_id": "choice", "amount": "decimal", "paid_on": "date", "method": "choice",
              "reference": "text", "override_reason": "text"}, PAYOUT_TABLES),
    AreaForm("commission rule", "admin", "/portal/admin/commission",
             {"which": "rule", "cooperative_id": "0", "category": "dates", "channel": "pickup",
              "rate_percent": "12,5"},
             {"cooperative_id": "choice", "category": "choice", "channel": "choice",
              "rate_percent": "decimal"},
             ("commission_rules", "commission_rate_changes", "cooperatives")),
    AreaForm("price list", "admin", "/orders/price-lists", {"name": "Hôtels d'Oujda – فنادق"},
             {"name": "required_text"}, PRICE_LIST_TABLES),
    AreaForm("price list prices", "admin", lambda: f"/orders/price-lists/{MADE['price_list']}",
             lambda: {"name": "Épiciers", f"price-{product('MIE-TH-500')}": "1 234,50"},
             {"name": "required_text", "price": "raw_decimal"}, PRICE_LIST_TABLES,
             prepare=lambda: price_list(), prefixed=("price",)),
    AreaForm("packaging fee", "admin", "/portal/admin/commission", {"which": "fee", "per_unit": "0,50"},
             {"per_unit": "decimal"}, ("consignment_settings",)),
]

def form_field_name(spec, name, data):
    """The posted name of a field: prefixed ones ("counted") get the row's suffix."""
    if name in spec.prefixed:
        return next(k for k in data if k.startswith(name + "-"))
    return name


# --- API --------------------------------------------------------------------------------------

def api_reception():
    """POST /receptions: 100 kg of dates, 2 rejected."""
    return {"cooperative_id": coop_figuig(), "location_id": loc("WH-RECEPTION"), "note": "Livraison",
            "lines": [{"product_id": product("DAT-AZ-VRAC"), "quantity_delivered": "100",
                       "quantity_accepted": "98", "quantity_rejected": "2",
                       "rejection_reason": "Fruits abîmés", "harvest_date": "2026-10-01"}]}


def api_packaging():
    """POST /packaging-runs: 50 kg into 100 boxes."""
    return {"location_id": loc("WH-RECEPTION"), "output_product_id": product("DAT-AZ-500"),
            "output_units": 100, "waste_quantity": "0",
            "inputs": [{"lot_id": MADE["bulk"].id, "quantity": "50"}]}


def api_transfer():
    """POST /transfers: 10 boxes to the airport shop."""
    return {"from_location_id": loc("WH-STOCK"), "to_location_id": loc("SHOP-AIRPORT"),
            "note": "Réassort", "lines": [{"lot_id": MADE["boxes"].id, "quantity": "10"}]}


def api_receive():
    """POST /transfers/{id}/receive: one box broken."""
    return {"lines": [{"lot_id": MADE["boxes"].id, "quantity_received": "19",
                       "reason": "Une boîte cassée"}]}


def api_request():
    """POST /replenishment-requests."""
    return {"shop_id": loc("SHOP-AIRPORT"), "note": "Week-end",
            "lines": [{"product_id": product("DAT-AZ-500"), "quantity": "12"}]}


def api_count_lines():
    """PUT /stock-counts/{id}/lines."""
    return {"lines": [{"lot_id": MADE["boxes"].id, "counted": "48", "note": "Deux manquent"}]}


def api_coop_return():
    """POST /cooperative-returns."""
    return {"cooperative_id": coop_figuig(), "location_id": loc("WH-STOCK"),
            "reason": "Étiquetage à refaire", "lines": [{"lot_id": MADE["boxes"].id, "quantity": "5"}]}


def api_sale():
    """POST /sales: two boxes, 200 MAD cash."""
    return {"location_id": loc("SHOP-AIRPORT"), "client_ref": "till-1-0001",
            "lines": [{"lot_id": MADE["boxes"].id, "quantity": "2", "discount": "0.00"}],
            "payments": [{"method": "cash", "amount": "200.00"}]}


def api_refund():
    """POST /sales/{id}/refunds: one box back on the shelf."""
    return {"reason": "Boîte abîmée", "method": "cash",
            "lines": [{"sale_line_id": MADE["sale"]["lines"][0]["id"], "quantity": "1",
                       "restock": True}]}


def api_payout():
    """POST /payouts: an advance."""
    return {"cooperative_id": coop_figuig(), "amount": "1500.00", "method": "bank_transfer",
            "reference": "VIR-2026-118", "paid_on": local_today().isoformat(),
            "override_reason": "Avance sur la récolte"}


LINE = "lines.0."
APIS = [
    AreaApi("reception", "operateur", "POST", "/api/v1/receptions", api_reception,
            {"cooperative_id": "ref", "location_id": "ref", "note": "text", LINE + "product_id": "ref",
             LINE + "quantity_delivered": "decimal", LINE + "quantity_accepted": "decimal",
             LINE + "quantity_rejected": "decimal", LINE + "rejection_reason": "text",
             LINE + "harvest_date": "date", LINE + "best_before": "date"}, RECEPTION_TABLES),
    AreaApi("packaging run", "operateur", "POST", "/api/v1/packaging-runs", api_packaging,
            {"location_id": "ref", "output_product_id": "ref", "output_units": "int",
             "waste_quantity": "decimal", "best_before": "date", "note": "text",
             "inputs.0.lot_id": "ref", "inputs.0.quantity": "decimal"}, PACKAGING_TABLES,
            prepare=bulk_dates),
    AreaApi("transfer", "operateur", "POST", "/api/v1/transfers", api_transfer,
            {"from_location_id": "ref", "to_location_id": "ref", "kind": "choice", "note": "text",
             LINE + "lot_id": "ref", LINE + "quantity": "decimal"}, TRANSFER_TABLES,
            prepare=boxes_in_stock),
    AreaApi("receive transfer", "caissier", "POST",
            lambda: f"/api/v1/transfers/{MADE['transfer'].id}/receive", api_receive,
            {LINE + "lot_id": "ref", LINE + "quantity_received": "decimal", LINE + "reason": "text"},
            TRANSFER_TABLES, prepare=dispatched_transfer),
    AreaApi("replenishment request", "caissier", "POST", "/api/v1/replenishment-requests",
            api_request, {"shop_id": "ref", "note": "text", LINE + "product_id": "ref",
                          LINE + "quantity": "decimal"},
            ("replenishment_requests", "replenishment_lines")),
    AreaApi("start a count", "operateur", "POST", "/api/v1/stock-counts",
            lambda: {"location_id": loc("WH-STOCK")}, {"location_id": "ref"},
            ("stock_counts", "stock_count_lines")),
    AreaApi("count lines", "operateur", "PUT", lambda: f"/api/v1/stock-counts/{MADE['count'].id}/lines",
            api_count_lines, {LINE + "lot_id": "ref", LINE + "counted": "decimal", LINE + "note": "text"},
            ("stock_count_lines",), prepare=open_count),
    AreaApi("post a count", "operateur", "POST", lambda: f"/api/v1/stock-counts/{MADE['count'].id}/post",
            {"reason": "Inventaire mensuel"}, {"reason": "required_text"},
            ("stock_counts", "stock_count_lines", *STOCK), prepare=counted_count),
    AreaApi("return to cooperative", "operateur", "POST", "/api/v1/cooperative-returns",
            api_coop_return, {"cooperative_id": "ref", "location_id": "ref", "reason": "required_text",
                              LINE + "lot_id": "ref", LINE + "quantity": "decimal"},
            ("cooperative_returns", "cooperative_return_lines", *STOCK, *CONSIGNMENT),
            prepare=boxes_in_stock),
    AreaApi("sale", "caissier", "POST", "/api/v1/sales", api_sale,
            {"location_id": "ref", "client_ref": "required_text", LINE + "lot_id": "ref",
             LINE + "quantity": "decimal", LINE + "discount": "decimal",
             "payments.0.method": "choice", "payments.0.amount": "money"}, SALE_TABLES,
            prepare=open_till),
    AreaApi("refund", "caissier", "POST", lambda: f"/api/v1/sales/{MADE['sale']['id']}/refunds",
            api_refund, {"reason": "required_text", "method": "choice", LINE + "sale_line_id": "ref",
                         LINE + "quantity": "decimal", LINE + "restock": "bool"}, REFUND_TABLES,
            prepare=sale),
    AreaApi("open the till", "caissier", "POST", "/api/v1/cash-sessions",
            lambda: {"location_id": loc("SHOP-AIRPORT"), "opening_float": "200.00"},
            {"location_id": "ref", "opening_float": "decimal"}, ("cash_sessions",)),
    AreaApi("close the till", "caissier", "POST",
            lambda: f"/api/v1/cash-sessions/{MADE['session'].id}/close",
            {"counted_cash": "200.00", "note": "RAS"}, {"counted_cash": "decimal", "note": "text"},
            ("cash_sessions",), prepare=open_till),
    AreaApi("payout", "admin", "POST", "/api/v1/payouts", api_payout,
            {"cooperative_id": "ref", "amount": "money", "method": "choice", "reference": "text",
             "paid_on": "date", "override_reason": "text"}, PAYOUT_TABLES),
    AreaApi("commission rate", "admin", "PUT", "/api/v1/commission-rates",
            lambda: {"cooperative_id": coop_figuig(), "category": "dates", "channel": "delivery",
                     "rate": "0.1250"},
            {"cooperative_id": "nullable_ref", "category": "nullable_choice",
             "channel": "nullable_choice", "rate": "decimal"},
            ("commission_rules", "commission_rate_changes", "cooperatives")),
    AreaApi("price list", "admin", "POST", "/api/v1/price-lists",
            lambda: {"name": "Export", "prices": [{"product_id": product("MIE-TH-500"),
                                                   "unit_price": "40.00"}]},
            {"name": "required_text", "prices.0.product_id": "ref", "prices.0.unit_price": "decimal"},
            PRICE_LIST_TABLES),
    AreaApi("price list change", "admin", "PUT", lambda: f"/api/v1/price-lists/{MADE['price_list']}",
            lambda: {"name": "Export 2027", "prices": [{"product_id": product("MIE-TH-500"),
                                                        "unit_price": "40.00"}]},
            {"name": "text", "prices.0.product_id": "ref", "prices.0.unit_price": "decimal"},
            PRICE_LIST_TABLES, prepare=lambda: price_list()),
    AreaApi("packaging fee", "admin", "PUT", "/api/v1/commission-rates/packaging-fee",
            {"packaging_fee_per_unit": "0.50"}, {"packaging_fee_per_unit": "decimal"},
            ("consignment_settings",)),
]


def set_path(body, path, value):
    """A copy of `body` with the dotted `path` ("lines.0.quantity") set to `value`."""
    body = copy.deepcopy(body)
    target, parts = body, path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    target[parts[-1]] = value
    return body


def names_field(fields, path):
    """Whether an error's `fields` point at `path`: flat ("lines.0.quantity"), nested
    ({"lines": {"0": {"quantity": …}}}), or at its line ("lines.0") for a line-level rule."""
    parts = path.split(".")
    if any(".".join(parts[:n]) in fields for n in range(max(len(parts) - 1, 1), len(parts) + 1)):
        return True
    node = fields
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


# --- Tests ------------------------------------------------------------------------------------

def form_cases():
    """(spec, field, kind) for every form and field."""
    for spec in FORMS:
        for name, kind in spec.fields.items():
            yield pytest.param(spec, name, kind, id=f"{spec.name}-{name}")


def api_cases():
    """(spec, field, kind) for every API operation and field."""
    for spec in APIS:
        for name, kind in spec.fields.items():
            yield pytest.param(spec, name, kind, id=f"{spec.name}-{name}")


ALERT = re.compile(r'class="alert[^"]*alert-(danger|warning)[^"]*"[^>]*>\s*([^<]*\S)')


@pytest.mark.parametrize("spec", FORMS, ids=lambda s: s.name)
def test_valid_area_form_is_accepted(auth, spec):
    run_prepare(spec)
    client = auth.client_for(spec.user)
    before = snapshot(spec.tables)
    response = client.post(_call(spec.url), data=_call(spec.valid))
    assert response.status_code in spec.success, field_errors(response.get_data(as_text=True))
    if spec.action:  # a redirect either way: the table must show it did something
        follow = client.get(response.headers["Location"]).get_data(as_text=True)
        assert not ALERT.search(follow), ALERT.search(follow).group(2)
    assert snapshot(spec.tables) != before, "the valid submission wrote nothing"


@pytest.mark.parametrize("spec", APIS, ids=lambda s: s.name)
def test_valid_area_api_body_is_accepted(client, auth, spec):
    run_prepare(spec)
    response = client.open(_call(spec.url), method=spec.method, json=_call(spec.valid),
                           headers=auth.headers(spec.user))
    assert response.status_code in spec.success, response.get_json()


@pytest.mark.parametrize(("spec", "name", "kind"), form_cases())
def test_area_form_refuses_bad_values(auth, subtests, spec, name, kind):
    run_prepare(spec)
    client = auth.client_for(spec.user)
    url, valid = _call(spec.url), _call(spec.valid)
    posted = form_field_name(spec, name, valid)
    for label, value in FORM_BAD_AREAS[kind]:
        with subtests.test(msg=label, value=value[:40]):
            before = snapshot(spec.tables)
            response = client.post(url, data={**valid, posted: value})
            html = response.get_data(as_text=True)
            assert response.status_code < 500 and "Traceback" not in html, html[:300]
            if response.status_code == 400:  # refused before the form (a NUL character)
                assert "NUL" in html
            elif spec.action:
                assert response.status_code in (302, 303), response.status_code
                shown = client.get(response.headers["Location"]).get_data(as_text=True)
                alert = ALERT.search(shown)
                assert alert and len(alert.group(2)) < 300, f"no message shown for {posted}={value[:20]!r}"
            else:
                assert response.status_code == 422, (response.status_code, html[:300])
                invalid, messages = field_errors(html)
                assert messages and all(len(m) < 300 for m in messages)
                if name not in spec.unmarked:
                    assert posted in invalid, f"{posted} not marked invalid; invalid: {invalid}, {messages}"
            assert snapshot(spec.tables) == before


@pytest.mark.parametrize(("spec", "name", "kind"), api_cases())
def test_area_api_refuses_bad_values(client, auth, subtests, spec, name, kind):
    run_prepare(spec)
    headers = auth.headers(spec.user)
    url, valid = _call(spec.url), _call(spec.valid)
    for label, value in API_BAD_AREAS[kind]:
        with subtests.test(msg=label, value=repr(value)[:40]):
            before = snapshot(spec.tables)
            response = client.open(url, method=spec.method, json=set_path(valid, name, value),
                                   headers=headers)
            error = assert_error_format(response)
            if label == "unknown" and kind.endswith("ref"):  # a well-formed id of nothing (or elsewhere)
                assert response.status_code in (403, 404, 409, 422), error
            else:
                assert response.status_code == 422, error
                assert names_field(error["fields"], name), f"{name} not named: {error}"
            assert snapshot(spec.tables) == before


# --- Scans, query parameters and mistyped addresses -------------------------------------------

def _shop():
    """The airport shop's id."""
    return loc("SHOP-AIRPORT")


QUERIES = [
    # (name, user, URL (built once the data is prepared), acceptable statuses, prepare)
    ("scan: a GTIN with a wrong check digit", "caissier",
     lambda: f"/api/v1/shops/{_shop()}/scan?code=6111234567890", {404, 422}, open_till),
    ("scan: a product GTIN not stocked here", "caissier",
     lambda: f"/api/v1/shops/{_shop()}/scan?code=6119204200018", {404, 409}, open_till),
    ("scan: empty", "caissier", lambda: f"/api/v1/shops/{_shop()}/scan?code=", {422}, None),
    ("scan: no code", "caissier", lambda: f"/api/v1/shops/{_shop()}/scan", {422}, None),
    ("scan: 10000 chars", "caissier", lambda: f"/api/v1/shops/{_shop()}/scan?code={LONG}", {414, 422}, None),
    ("scan: Arabic", "caissier", lambda: f"/api/v1/shops/{_shop()}/scan?code=تمر", {404}, None),
    ("scan: emoji", "caissier", lambda: f"/api/v1/shops/{_shop()}/scan?code=🌴", {404}, None),
    ("scan: NUL", "caissier", lambda: f"/api/v1/shops/{_shop()}/scan?code=DAT%00", {400, 422}, None),
    ("scan: GS1 with a broken AI", "caissier",
     lambda: f"/api/v1/shops/{_shop()}/scan?code=]C1019999", {404, 422}, None),
    ("scan: another shop", "caissier", lambda: f"/api/v1/shops/{loc('STAND-OUJDA')}/scan?code=X", {403}, None),
    ("search: 10000 chars", "caissier", lambda: f"/api/v1/shops/{_shop()}/products?q={LONG}", {414, 422}, None),
    ("search: empty", "caissier", lambda: f"/api/v1/shops/{_shop()}/products?q=", {422}, None),
    ("labels: 0 copies", "operateur", lambda: f"/api/v1/lots/{MADE['boxes'].id}/labels.pdf?copies=0",
     {422}, boxes_in_stock),
    ("labels: negative copies", "operateur",
     lambda: f"/api/v1/lots/{MADE['boxes'].id}/labels.pdf?copies=-1", {422}, boxes_in_stock),
    ("labels: huge copies", "operateur",
     lambda: f"/api/v1/lots/{MADE['boxes'].id}/labels.pdf?copies=99999999999999999999", {422}, boxes_in_stock),
    ("labels: copies in letters", "operateur",
     lambda: f"/api/v1/lots/{MADE['boxes'].id}/labels.pdf?copies=dix", {422}, boxes_in_stock),
    ("labels: unknown layout", "operateur",
     lambda: f"/api/v1/lots/{MADE['boxes'].id}/labels.pdf?layout=A3", {422}, boxes_in_stock),
    ("labels: start past the sheet", "operateur",
     lambda: f"/api/v1/lots/{MADE['boxes'].id}/labels.pdf?start=25", {422}, boxes_in_stock),
    ("labels: price=peut-être", "operateur",
     lambda: f"/api/v1/lots/{MADE['boxes'].id}/labels.pdf?price=peut-%C3%AAtre", {422}, boxes_in_stock),
    ("labels: unknown lot", "operateur", lambda: "/api/v1/lots/99999999/labels.pdf", {404}, None),
    ("labels page: copies=-1", "operateur",
     lambda: f"/warehouse/lots/{MADE['boxes'].id}/labels?copies=-1&layout=a4-3x8", {200, 422}, boxes_in_stock),
    ("statement: day first", "admin",
     lambda: f"/api/v1/cooperatives/{coop_figuig()}/statement?from=31/12/2026", {422}, None),
    ("statement: month 13", "admin",
     lambda: f"/api/v1/cooperatives/{coop_figuig()}/statement?to=2026-13-01", {422}, None),
    ("statement: 30 February", "admin",
     lambda: f"/api/v1/cooperatives/{coop_figuig()}/statement?from=2026-02-30", {422}, None),
    ("statement: ends before it starts", "admin",
     lambda: f"/api/v1/cooperatives/{coop_figuig()}/statement?from=2026-12-31&to=2026-01-01", {422}, None),
    ("statement: year 0001 to 9999", "admin",
     lambda: f"/api/v1/cooperatives/{coop_figuig()}/statement?from=0001-01-01&to=9999-12-31", {200, 422}, None),
    ("statement: format xls", "admin",
     lambda: f"/api/v1/cooperatives/{coop_figuig()}/statement?format=xls", {422}, None),
    ("statement: Arabic date", "admin",
     lambda: f"/api/v1/cooperatives/{coop_figuig()}/statement?from=٢٠٢٦-٠١-٠١", {200, 422}, None),
    ("statement page: month 13", "admin",
     lambda: f"/portal/cooperatives/{coop_figuig()}/statement?from=2026-13-01", {200, 422}, None),
    ("statement page: ends before it starts", "admin",
     lambda: f"/portal/cooperatives/{coop_figuig()}/statement?from=2026-12-31&to=2026-01-01",
     {200, 422}, None),
    ("transfers: unknown state", "operateur", lambda: "/api/v1/transfers?state=lost", {422}, None),
    ("transfers: page 0", "operateur", lambda: "/api/v1/transfers?page=0", {422}, None),
    ("payouts: huge cooperative id", "admin",
     lambda: "/api/v1/payouts?cooperative_id=99999999999999999999", {422}, None),
    ("sale: id past PostgreSQL integers", "caissier", lambda: "/api/v1/sales/2147483648", {404}, None),
    ("receipt of an unknown sale", "caissier", lambda: "/shop/sales/99999999/receipt", {404}, None),
]


@pytest.mark.parametrize(("name", "username", "url", "statuses", "prepare"), QUERIES,
                         ids=[q[0] for q in QUERIES])
def test_bad_query_parameters_are_4xx(client, auth, name, username, url, statuses, prepare):
    MADE.clear()
    if prepare:
        prepare()
        db.session.commit()
    address = url()
    headers = auth.headers(username) if address.startswith("/api/") else {}
    web = auth.client_for(username) if not address.startswith("/api/") else client
    response = web.get(address, headers=headers)
    assert response.status_code in statuses, (response.status_code, response.get_data()[:300])
    if address.startswith("/api/") and response.status_code >= 400:
        assert_error_format(response)
    if response.status_code == 200 and not address.startswith("/api/"):
        assert "is-invalid" in response.get_data(as_text=True) or "alert" in response.get_data(as_text=True)


# --- The sale's own bad inputs: a wrong barcode, a decimal comma, more than on hand ------------

THE_LOT = "the lot in stock"  # replaced by the prepared lot's id


@pytest.mark.parametrize(("label", "line", "statuses"), [
    ("GTIN with a wrong check digit", {"barcode": "6111234567890", "quantity": "1"}, {404, 409, 422}),
    ("unknown lot code", {"barcode": "LOT-INCONNU", "quantity": "1"}, {404, 409, 422}),
    ("Arabic barcode", {"barcode": "تمر", "quantity": "1"}, {404, 409, 422}),
    ("both lot and barcode", {"lot_id": THE_LOT, "barcode": "X", "quantity": "1"}, {422}),
    ("neither lot nor barcode", {"quantity": "1"}, {422}),
    ("decimal comma", {"lot_id": THE_LOT, "quantity": "1,5"}, {422}),
    ("more than on hand", {"lot_id": THE_LOT, "quantity": "31"}, {409, 422}),
    ("a third of a box", {"lot_id": THE_LOT, "quantity": "0.333"}, {409, 422}),
    ("discount above the limit", {"lot_id": THE_LOT, "quantity": "1", "discount": "50.00"}, {409, 422}),
], ids=lambda v: v if isinstance(v, str) else "")
def test_sale_refuses_what_a_till_or_scanner_gets_wrong(client, auth, label, line, statuses):
    open_till()
    db.session.commit()
    body = api_sale()
    body["lines"][0] = {k: (MADE["boxes"].id if v == THE_LOT else v) for k, v in line.items()}
    before = snapshot(SALE_TABLES)
    response = client.post("/api/v1/sales", json=body, headers=auth.headers("caissier"))
    error = assert_error_format(response)
    assert response.status_code in statuses, error
    assert snapshot(SALE_TABLES) == before


def test_refund_of_more_than_sold_is_refused_and_writes_nothing(client, auth):
    sale()
    db.session.commit()
    body = api_refund()
    body["lines"][0]["quantity"] = "3"
    before = snapshot(REFUND_TABLES)
    response = client.post(f"/api/v1/sales/{MADE['sale']['id']}/refunds", json=body,
                           headers=auth.headers("caissier"))
    error = assert_error_format(response)
    assert response.status_code in (409, 422), error
    assert snapshot(REFUND_TABLES) == before


def test_payout_with_arabic_and_emoji_reference_is_stored_as_typed(client, auth):
    from models.consignment_payouts import Payout

    body = {**api_payout(), "reference": "تحويل رقم ١٢ 🌴"}
    response = client.post("/api/v1/payouts", json=body, headers=auth.headers("admin"))
    assert response.status_code == 201, response.get_json()
    db.session.rollback()
    stored = db.session.execute(select(Payout.reference).order_by(Payout.id.desc())).scalar()
    assert stored == "تحويل رقم ١٢ 🌴"


def test_nul_in_a_lot_code_is_refused(auth):
    boxes_in_stock()
    db.session.commit()
    client = auth.client_for("operateur")
    data = {**transfer_form(), "lines-0-lot_code": NUL}
    response = client.post("/transfers/new", data=data)
    assert response.status_code == 400

