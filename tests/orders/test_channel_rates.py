"""Commission rates per channel: a rate set for orders applies to a delivered order line and
not to a till sale, the statement shows the frozen rate, the precedence of the rules, the
admin page (French decimal comma, Arabic), and the cooperative's sales by channel."""
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import refresh
from sqlalchemy import select

from extensions import db
from models.clock import today as local_today
from models.consignment import CommissionRateChange, ConsignmentEntry
from models.consignment_rates import commission_rates_for, pick_rate, set_commission_rate
from models.consignment_statements import statement
from models.errors import ValidationFailed
from models.orders import DOC_ORDER
from models.orders_drafts import create_order
from models.orders_posting import confirm_order, deliver_order, prepare_order, ship_order
from tests.orders.conftest import HONEY, JERADA, buyer
from tests.shop.shop_helpers import coop, loc, product

D = Decimal


def _deliver(lines, at="WH-STOCK", fulfilment="delivery", who="Hôtel"):
    order = create_order(buyer_id=buyer(who).id, location_id=loc(at).id, fulfilment=fulfilment,
                         lines=[{"product_id": product(sku).id, "quantity": q} for sku, q in lines])
    confirm_order(order.id)
    prepare_order(order.id)
    ship_order(order.id)
    deliver_order(order.id)
    db.session.commit()
    return order


def _entry_rates(document_type, document_id):
    return {e.lot_id: e.commission_rate for e in db.session.execute(select(ConsignmentEntry).where(
        ConsignmentEntry.document_type == document_type,
        ConsignmentEntry.document_id == document_id)).scalars()}


def test_a_channel_rate_applies_to_an_order_line_and_not_to_a_till_sale(app, client, auth, make_lot):
    jerada = coop(JERADA).id
    set_commission_rate(category="honey", channel="delivery", rate=D("0.07"))
    set_commission_rate(channel="pickup", rate=D("0.09"))
    db.session.commit()
    warehouse_lot = make_lot(HONEY, JERADA, 10)
    airport_lot = make_lot(HONEY, JERADA, 10, at="SHOP-AIRPORT")
    order = _deliver([(HONEY, "4")])
    assert _entry_rates(DOC_ORDER, order.id) == {warehouse_lot.id: D("0.07")}
    pickup = _deliver([(HONEY, "2")], at="SHOP-AIRPORT", fulfilment="pickup", who="Samir")
    assert _entry_rates(DOC_ORDER, pickup.id) == {airport_lot.id: D("0.09")}
    # The till at the airport sells the same honey at the platform default.
    headers = auth.headers("caissier")
    airport = loc("SHOP-AIRPORT").id
    assert client.post("/api/v1/cash-sessions", json={"location_id": airport, "opening_float": "200"},
                       headers=headers).status_code == 201
    r = client.post("/api/v1/sales", headers=headers, json={
        "location_id": airport, "client_ref": "chan-1",
        "lines": [{"lot_id": airport_lot.id, "quantity": "1"}],
        "payments": [{"method": "cash", "amount": "500"}]})
    assert r.status_code == 201, r.get_json()
    sale_rate = db.session.execute(select(ConsignmentEntry.commission_rate).where(
        ConsignmentEntry.document_type == "sale", ConsignmentEntry.lot_id == airport_lot.id)).scalar()
    assert sale_rate == D("0.15")
    # The statement shows each line at its own frozen rate.
    day = local_today()
    lines = {(e["document_type"], e["document_id"]): e for e in statement(jerada, day, day)["entries"]
             if e["kind"] == "sale"}
    assert lines[(DOC_ORDER, order.id)]["commission_rate"] == D("0.07")
    assert lines[(DOC_ORDER, pickup.id)]["commission_rate"] == D("0.09")
    order_line = lines[(DOC_ORDER, order.id)]
    assert order_line["commission"] == (order_line["gross"] * D("0.07")).quantize(D("0.01"))
    # A later change of the rate never touches what was delivered.
    set_commission_rate(category="honey", channel="delivery", rate=D("0.03"))
    db.session.commit()
    assert _entry_rates(DOC_ORDER, order.id) == {warehouse_lot.id: D("0.07")}
    # The cooperative sees its sales by channel, orders beside the till.
    admin = auth.client_for("admin")
    page = admin.get(f"/portal/cooperatives/{jerada}/sales")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Commandes livrées" in text and "Ventes en caisse" in text and "Commandes retirées" in text
    only_pickups = admin.get(
        f"/portal/cooperatives/{jerada}/sales?channel=pickup&format=csv").get_data(as_text=True)
    assert only_pickups.count("\n") == 2  # the header and the one pick-up line
    assert admin.get(f"/portal/cooperatives/{jerada}/sales?channel=web").status_code == 422


def test_precedence_cooperative_then_category_then_channel(app):
    jerada = coop(JERADA).id
    pair = {(jerada, "honey")}

    def rate(channel):
        return commission_rates_for(pair, channel=channel)[(jerada, "honey")]

    assert rate("delivery") == D("0.15")                     # the configured default
    set_commission_rate(rate=D("0.14"))
    assert rate("delivery") == D("0.14")                     # platform
    set_commission_rate(channel="delivery", rate=D("0.13"))
    assert rate("delivery") == D("0.13") and rate("till") == D("0.14")  # platform + channel
    set_commission_rate(category="honey", rate=D("0.12"))
    assert rate("delivery") == D("0.12")                     # platform + category beats channel
    set_commission_rate(category="honey", channel="delivery", rate=D("0.11"))
    assert rate("delivery") == D("0.11") and rate("till") == D("0.12")
    set_commission_rate(cooperative_id=jerada, rate=D("0.10"))
    assert rate("delivery") == D("0.10")                     # the cooperative's own rate
    set_commission_rate(cooperative_id=jerada, channel="delivery", rate=D("0.09"))
    assert rate("delivery") == D("0.09") and rate("till") == D("0.10")
    set_commission_rate(cooperative_id=jerada, category="honey", rate=D("0.08"))
    assert rate("delivery") == D("0.08")
    set_commission_rate(cooperative_id=jerada, category="honey", channel="delivery", rate=D("0.07"))
    assert rate("delivery") == D("0.07") and rate("pickup") == D("0.08") and rate(None) == D("0.08")
    # Removing the most specific rule gives the next one back; the history keeps both.
    set_commission_rate(cooperative_id=jerada, category="honey", channel="delivery", rate=None)
    assert rate("delivery") == D("0.08")
    db.session.commit()
    history = db.session.execute(select(CommissionRateChange).where(
        CommissionRateChange.cooperative_id == jerada, CommissionRateChange.category == "honey",
        CommissionRateChange.channel == "delivery").order_by(CommissionRateChange.id)).scalars().all()
    assert [h.rate for h in history] == [D("0.07"), None]
    # The rule itself, written once.
    rules = {(None, None, "till"): D("0.2"), (None, "honey", None): D("0.3")}
    assert pick_rate(rules, None, 1, "honey", D("0.15"), "till") == D("0.3")
    assert pick_rate(rules, D("0.05"), 1, "honey", D("0.15"), "till") == D("0.05")
    assert pick_rate(rules, None, 1, "dates", D("0.15"), "till") == D("0.2")
    assert pick_rate(rules, None, 1, "dates", D("0.15"), None) == D("0.15")


def test_a_scheduled_channel_rate_takes_effect_on_its_day(app):
    jerada = coop(JERADA).id
    later = local_today() + timedelta(days=3)
    set_commission_rate(channel="delivery", rate=D("0.05"), effective_from=later)
    db.session.commit()
    pair = {(jerada, "honey")}
    assert commission_rates_for(pair, channel="delivery")[(jerada, "honey")] == D("0.15")
    assert commission_rates_for(pair, as_of=later, channel="delivery")[(jerada, "honey")] == D("0.05")
    with pytest.raises(ValidationFailed):
        set_commission_rate(channel="web", rate=D("0.05"))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_commission_page_sets_a_channel_rate_with_a_decimal_comma(auth, lang):
    admin = auth.client_for("admin")
    admin.post(f"/lang/{lang}")
    refresh()  # the suite's app context keeps a request's locale in `g`
    jerada = coop(JERADA).id
    r = admin.post("/portal/admin/commission", data={
        "which": "rule", "cooperative_id": str(jerada), "category": "honey",
        "channel": "pickup", "rate_percent": "7,5"})
    assert r.status_code == 302, r.get_data(as_text=True)[:800]
    assert commission_rates_for({(jerada, "honey")}, channel="pickup")[(jerada, "honey")] == D("0.075")
    page = admin.get("/portal/admin/commission").get_data(as_text=True)
    assert "7,50" in page and ("الطلبيات المستلَمة من المتجر" if lang == "ar" else "Commandes retirées") in page
    assert ('dir="rtl"' in page) == (lang == "ar")
    # Bad input: a form error, nothing written.
    before = db.session.execute(select(CommissionRateChange.id)).all()
    r = admin.post("/portal/admin/commission", data={
        "which": "rule", "cooperative_id": "0", "channel": "nowhere", "rate_percent": "5"})
    assert r.status_code == 422
    r = admin.post("/portal/admin/commission", data={
        "which": "rule", "cooperative_id": "0", "channel": "till", "rate_percent": "١٢٠"})
    assert r.status_code == 422
    assert db.session.execute(select(CommissionRateChange.id)).all() == before
    # The change is in the audit log.
    from models.audit import AuditEntry

    logged = db.session.execute(select(AuditEntry).where(
        AuditEntry.object_type == "commission_rate")).scalars().all()
    assert any(e.after_data.get("channel") == "pickup" for e in logged)
