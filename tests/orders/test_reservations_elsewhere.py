"""What confirmed orders reserve is not available to anything else: a transfer drafted (by the
service or the page), a replenishment proposal, a return to the cooperative and the till's scan
all count on hand less reserved, so that the ledger never refuses the dispatch later; a line
asking more gets a clear error naming the lot and what is reserved."""
from decimal import Decimal
from urllib.parse import quote

import pytest

from extensions import db
from models.errors import DomainError
from models.orders_drafts import create_order
from models.orders_posting import confirm_order
from models.transfers_posting import create_transfer, dispatch_transfer, propose_fefo
from models.transfers_replenishment import create_request, fulfil_request
from models.transfers_returns import create_cooperative_return
from tests.orders.conftest import HONEY, JERADA, buyer
from tests.shop.shop_helpers import coop, loc, product


def _reserve(quantity, at="WH-STOCK", who="Hôtel", fulfilment="delivery"):
    order = create_order(buyer_id=buyer(who).id, location_id=loc(at).id, fulfilment=fulfilment,
                         lines=[{"product_id": product(HONEY).id, "quantity": quantity}])
    confirm_order(order.id)
    db.session.commit()
    return order


def test_a_transfer_drafts_only_what_is_available(app, make_lot):
    lot = make_lot(HONEY, JERADA, 10, code="LO-MIEL-R1")
    _reserve("7")
    with pytest.raises(DomainError) as caught:
        create_transfer(loc("WH-STOCK").id, loc("SHOP-AIRPORT").id,
                        [{"lot_id": lot.id, "quantity": "4"}])
    assert caught.value.code == "insufficient_stock"
    message = caught.value.fields["lines"]["0"]["quantity"][0]
    assert "LO-MIEL-R1" in message and "7" in message and "3" in message, message
    db.session.rollback()
    transfer = create_transfer(loc("WH-STOCK").id, loc("SHOP-AIRPORT").id,
                               [{"lot_id": lot.id, "quantity": "3"}])
    dispatch_transfer(transfer.id)  # the ledger agrees: 3 were free
    db.session.commit()
    assert transfer.state == "dispatched"


def test_the_transfer_page_names_the_lot_and_what_is_reserved(auth, make_lot):
    make_lot(HONEY, JERADA, 10, code="LO-MIEL-R2")
    _reserve("6")
    operator = auth.client_for("operateur")
    response = operator.post("/transfers/new", data={
        "from_location_id": loc("WH-STOCK").id, "to_location_id": loc("SHOP-AIRPORT").id,
        "kind": "", "lines-0-lot_code": "LO-MIEL-R2", "lines-0-quantity": "5,5"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "LO-MIEL-R2" in page and "réservé" in page and "is-invalid" in page
    ok = operator.post("/transfers/new", data={
        "from_location_id": loc("WH-STOCK").id, "to_location_id": loc("SHOP-AIRPORT").id,
        "kind": "", "lines-0-lot_code": "LO-MIEL-R2", "lines-0-quantity": "4"})
    assert ok.status_code == 302


def test_replenishment_proposes_the_lots_orders_do_not_hold(app, make_lot):
    early = make_lot(HONEY, JERADA, 5, days=60)
    late = make_lot(HONEY, JERADA, 8, days=300)
    _reserve("5")  # the whole early lot, first-expired first
    lines, short = propose_fefo(loc("WH-STOCK").id, {product(HONEY).id: Decimal(6)})
    assert [(x["lot_id"], x["quantity"]) for x in lines] == [(late.id, Decimal(6))]
    assert short == {}
    request = create_request(loc("SHOP-AIRPORT").id,
                             [{"product_id": product(HONEY).id, "quantity": "10"}])
    transfer, shortages = fulfil_request(request.id)
    assert [(line.lot_id, line.quantity) for line in transfer.lines] == [(late.id, Decimal(8))]
    assert shortages == {product(HONEY).id: Decimal(2)}
    assert early.id not in {line.lot_id for line in transfer.lines}
    dispatch_transfer(transfer.id)
    db.session.commit()


def test_a_return_to_the_cooperative_leaves_what_orders_hold(app, make_lot):
    lot = make_lot(HONEY, JERADA, 10, code="LO-MIEL-R3")
    _reserve("9")
    with pytest.raises(DomainError) as caught:
        create_cooperative_return(coop(JERADA).id, loc("WH-STOCK").id,
                                  [{"lot_id": lot.id, "quantity": "2"}], "Pots fendus")
    assert caught.value.code == "insufficient_stock"
    assert "LO-MIEL-R3" in caught.value.fields["lines"]["0"]["quantity"][0]
    db.session.rollback()
    create_cooperative_return(coop(JERADA).id, loc("WH-STOCK").id,
                              [{"lot_id": lot.id, "quantity": "1"}], "Pot fendu")
    db.session.commit()


def test_the_till_does_not_offer_what_a_preorder_holds(auth, make_lot):
    held = make_lot(HONEY, JERADA, 2, at="SHOP-AIRPORT", days=40, code="LO-MIEL-R4")
    free = make_lot(HONEY, JERADA, 3, at="SHOP-AIRPORT", days=300, code="LO-MIEL-R5")
    _reserve("2", at="SHOP-AIRPORT", who="Samir", fulfilment="pickup")
    cashier = auth.client_for("caissier")
    shop = loc("SHOP-AIRPORT").id
    by_lot = cashier.get(f"/api/v1/shops/{shop}/scan?code=LO-MIEL-R4")
    assert by_lot.status_code == 409 and by_lot.get_json()["error"]["code"] == "out_of_stock"
    gtin = product(HONEY).gtin
    if gtin:  # the product's barcode sells the lot no pre-order holds
        by_product = cashier.get(f"/api/v1/shops/{shop}/scan?code={quote(gtin)}")
        assert by_product.status_code == 200, by_product.get_json()
        assert by_product.get_json()["lot_id"] == free.id
        assert by_product.get_json()["available"] == "3.000"
    found = cashier.get(f"/api/v1/shops/{shop}/products?q=LO-MIEL-R").get_json()["items"]
    assert [item["lot_id"] for item in found] == [free.id]
    assert held.id != free.id
