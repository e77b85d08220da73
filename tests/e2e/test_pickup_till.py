"""A traveller's pre-order at the airport till, keyboard only, in French and in Arabic: the
order (confirmed through the API, as an operator would) waits at the airport shop; the
cashier scans its number into the till's scan box, the pre-order opens with what is due and
the hand-over button focused, the payment method is chosen with the arrow keys, Enter hands
it over and takes the payment, back at the till; the X report of the open till lists the
pre-order with its number, and the expected cash counts it when paid in cash."""
from decimal import Decimal

import pytest

from tests.e2e.helpers import amount, api_get, api_send, api_token, login, visible_errors
from tests.e2e.test_shop_flow import sellable_lots


def _preorder(live_server, shop_id, item):
    """A pick-up order of one unit for the demo traveller at the shop, confirmed."""
    admin = api_token(live_server, "admin")
    buyers = api_get(live_server, "/api/v1/buyers?per_page=100", admin)["items"]
    traveller = next(b for b in buyers if b["kind"] == "private")
    status, order = api_send(live_server, "POST", "/api/v1/orders", admin, {
        "buyer_id": traveller["id"], "location_id": shop_id, "fulfilment": "pickup",
        "lines": [{"product_id": item["product_id"], "quantity": "1"}]})
    assert status == 201, order
    status, body = api_send(live_server, "POST", f"/api/v1/orders/{order['id']}/confirm", admin, {})
    assert status == 200, body
    return order


def _till(page, shop_id):
    """The till of the shop, opened with a float of 100 when it is not open yet."""
    page.goto("/shop/")
    if page.locator(f"#float-{shop_id}").count():
        page.fill(f"#float-{shop_id}", "100")
        with page.expect_navigation():
            page.press(f"#float-{shop_id}", "Enter")
    else:
        page.goto(f"/shop/{shop_id}/pos")
    assert page.url.endswith(f"/shop/{shop_id}/pos"), visible_errors(page)
    page.wait_for_function("() => document.activeElement.id === 'scan'")
    return int(page.get_attribute("#pos", "data-session-id"))


@pytest.mark.parametrize("lang, method", [("fr", "cash"), ("ar", "card")])
def test_preorder_scanned_at_the_till_and_paid_keyboard_only(page, live_server, lang, method):
    token = api_token(live_server, "caissier")
    (shop_id, item), = sellable_lots(live_server, token, count=1)
    order = _preorder(live_server, shop_id, item)
    login(page, "caissier", language=lang)
    session_id = _till(page, shop_id)
    before = api_get(live_server, f"/api/v1/cash-sessions/{session_id}", token)
    assert page.locator("#pos-pickups").count() == 1

    # The scanner types the order number and Enter into the till's scan box.
    with page.expect_navigation():
        page.keyboard.type(order["number"])
        page.keyboard.press("Enter")
    assert "/orders/pickups" in page.url and page.locator("#pickup-opened").count() == 1, \
        visible_errors(page)
    assert page.get_attribute("html", "lang") == lang
    page.wait_for_function("() => document.activeElement.id === 'hand-over'")
    due = amount(page.inner_text("#pickup-due"))
    assert due > 0
    page.screenshot(path=f"tests/e2e/screenshots/pickup-opened-{lang}.png", full_page=True)
    # Choose the method with the keyboard: Shift+Tab to the checked radio, arrows to move.
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.name") == "method"
    for _ in range(3):
        if page.evaluate("document.activeElement.value") == method:
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == method
    assert page.is_checked(f"input[name=method][value={method}]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "hand-over"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/shop/{shop_id}/pos"), visible_errors(page)
    assert any(order["number"] in text for text in visible_errors(page)), visible_errors(page)
    page.wait_for_function("() => document.activeElement.id === 'scan'")

    after = api_get(live_server, f"/api/v1/cash-sessions/{session_id}", token)
    assert Decimal(after["preorders_by_method"][method]) \
        == Decimal(before["preorders_by_method"][method]) + due
    cash = due if method == "cash" else Decimal(0)
    assert Decimal(after["expected_cash"]) == Decimal(before["expected_cash"]) + cash
    page.goto(f"/shop/sessions/{session_id}/z")
    assert order["number"] in page.inner_text("#z-preorders")
    page.screenshot(path=f"tests/e2e/screenshots/pickup-z-{lang}.png", full_page=True)
