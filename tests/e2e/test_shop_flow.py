"""The cashier's day in the browser: open the till with 200 MAD, sell by scanning label codes
(typed followed by Enter, as a USB scanner does), take cash and give the change, print the
receipt, refund a line, close the till counting the drawer, and read the Z report. Also the
POS screen in Arabic, right-to-left, for the stands' cashier.

The shop's stock comes from the demo activity (the transfers area's demo replenishes the
airport shop and the Oujda stand from the warehouse); the lots sold are found through the API.
"""
import re
from decimal import Decimal
from urllib.parse import quote

import pytest

from tests.e2e.helpers import (amount, api_get, api_send, api_token, box, computed_style, login,
                               pdf_text, pos_scan, visible_errors)

FLOAT = Decimal("200.00")
CASH_HANDED = Decimal("500.00")


def sellable_lots(live_server, token, count=2):
    """`count` lots on hand at the cashier's shop, priced, sold by the piece, at least 3 left:
    [(location id, scan answer)] as the POS would get them."""
    found = []
    for row in api_get(live_server, "/api/v1/stock?per_page=100", token)["items"]:
        status, item = api_send(live_server, "GET",
                                f"/api/v1/shops/{row['location_id']}/scan?code={quote(row['lot_code'])}",
                                token)
        if (status == 200 and item["unit_price"] and item["uom"] == "pc"
                and Decimal(item["available"]) >= 3):
            found.append((row["location_id"], item))
        if len(found) == count:
            return found
    pytest.fail(f"the demo data left fewer than {count} sellable lots at the cashier's shop")


def close_open_till(page, live_server, token):
    """The demo leaves today's till open: close it (through the API, counting exactly what is
    expected) so the test starts the day the way a cashier does, with the drawer closed."""
    page.goto("/shop/")
    for href in page.eval_on_selector_all("a[href$='/close']", "as => as.map(a => a.getAttribute('href'))"):
        session_id = int(href.split("/")[-2])
        session = api_get(live_server, f"/api/v1/cash-sessions/{session_id}", token)
        status, body = api_send(live_server, "POST", f"/api/v1/cash-sessions/{session_id}/close", token,
                                {"counted_cash": session["expected_cash"]})
        assert status == 200, body


def scan(page, code):
    """Scan with the focus where the till keeps it (the scan field)."""
    assert page.evaluate("document.activeElement.id") == "scan", "the scan field lost the focus"
    pos_scan(page, code)


def test_cashier_sells_refunds_and_closes_the_till(page, live_server, tmp_path):
    token = api_token(live_server, "caissier")
    (shop_id, first), (_same, second) = sellable_lots(live_server, token)
    p1, p2 = Decimal(first["unit_price"]), Decimal(second["unit_price"])
    total = 2 * p1 + p2
    assert total <= CASH_HANDED, "the demo prices changed: choose another amount handed over"
    change = CASH_HANDED - total

    login(page, "caissier")
    close_open_till(page, live_server, token)

    # Open the till: the opening float counted into the drawer.
    page.goto("/shop/")
    page.fill(f"#float-{shop_id}", "200")
    with page.expect_navigation():
        page.click(f"form[action$='/shop/{shop_id}/open'] button")
    assert page.url.endswith(f"/shop/{shop_id}/pos"), visible_errors(page)
    session_id = int(page.get_attribute("a[href$='/close']", "href").split("/")[-2])

    # Sell: the first lot scanned twice (the line goes to 2), the second once.
    page.wait_for_function("() => document.activeElement.id === 'scan'")
    scan(page, first["lot_code"])
    scan(page, second["lot_code"])
    scan(page, first["lot_code"])
    assert page.locator("#cart tr").count() == 2
    assert [page.input_value(f"#cart tr:nth-child({n}) input[data-field=quantity]") for n in (1, 2)] == ["2", "1"]
    assert amount(page.inner_text("#total")) == total

    # A wrong barcode: a clear message, nothing added.
    scan(page, "6111234567890")
    assert "alert-danger" in page.get_attribute("#pos-message", "class") or \
        "alert-warning" in page.get_attribute("#pos-message", "class")
    assert page.locator("#cart tr").count() == 2

    # Cash: 500 MAD handed over, the change shows as it is typed; Enter pays.
    page.click("#pay-cash")
    page.keyboard.type("500")
    assert amount(page.inner_text("#change")) == change
    page.keyboard.press("Enter")
    page.locator("#last-sale:not(.d-none)").wait_for()
    assert amount(page.inner_text("#last-change")) == change
    assert page.locator("#cart input").count() == 0, "the cart was not emptied for the next sale"
    assert not page.js_errors

    # The receipt, as the "Print receipt" button opens it (a new tab that prints itself).
    with page.context.expect_page() as opened:
        page.click("#last-receipt")
    receipt = opened.value
    receipt.wait_for_load_state()
    assert "/receipt" in receipt.url
    ticket = receipt.inner_text("article.ticket")
    assert first["lot_code"] in ticket and second["lot_code"] in ticket
    sale_number = receipt.inner_text("article.ticket strong").strip()
    assert sale_number
    pdf = receipt.request.get(receipt.get_attribute("a[href$='receipt.pdf']", "href"))
    assert pdf.status == 200
    text = pdf_text(pdf.body(), tmp_path)
    assert sale_number in text
    figures = {amount(m) for m in re.findall(r"-?\d[\d\s\u202f\u00a0]*[.,]\d\d\b", text)}
    assert {CASH_HANDED, change, total} <= figures, text

    # Refund one box of the first line (back on the shelf), paid back in cash.
    with receipt.expect_navigation():
        receipt.click("a[href$='/refund']")
    receipt.locator("input[name^='qty-']").first.fill("1")
    receipt.fill("input[name=reason]", "Boîte abîmée, le client la rapporte")
    with receipt.expect_navigation():
        receipt.click("form button[type=submit]")
    assert "/receipt" in receipt.url, visible_errors(receipt)
    assert "Boîte abîmée" in receipt.inner_text("article.ticket")
    receipt.close()

    # Close the till: the drawer holds the float, plus the cash kept, less the refund.
    expected_cash = FLOAT + total - p1
    page.goto(f"/shop/sessions/{session_id}/close")
    page.fill("input[name=counted_cash]", str(expected_cash))  # a number field: its own format
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert page.url.endswith(f"/shop/sessions/{session_id}/z"), visible_errors(page)

    def z(name):
        """A figure of the Z report."""
        return amount(page.inner_text(f"[data-z={name}]"))

    assert z("sales_count") == 1
    assert z("sales_total") == total
    assert z("by_method_cash") == total
    assert z("refunds_total") == -p1
    assert z("expected_cash") == expected_cash
    assert z("counted_cash") == expected_cash
    assert z("difference") == 0
    # The API agrees with the page.
    figures = api_get(live_server, f"/api/v1/cash-sessions/{session_id}", token)
    assert Decimal(figures["expected_cash"]) == expected_cash
    assert Decimal(figures["refunds_total"]) == p1


def test_pos_screen_in_arabic_is_right_to_left(page, live_server):
    """The stands' cashier works in Arabic: the POS screen mirrors (scan field and cart on the
    right, the payment card on the left) and a scanned item shows its Arabic name."""
    token = api_token(live_server, "caissier.stand")
    shop_id, item = sellable_lots(live_server, token, count=1)[0]
    login(page, "caissier.stand", language="ar")
    page.goto("/shop/")
    if page.locator(f"form[action$='/shop/{shop_id}/open']").count():
        with page.expect_navigation():
            page.click(f"form[action$='/shop/{shop_id}/open'] button")
    page.goto(f"/shop/{shop_id}/pos")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert computed_style(page, "#pos", "direction") == "rtl"
    width = page.viewport_size["width"]
    scan_box, pay_box = box(page, "#scan"), box(page, "#pay-button")
    assert scan_box["x"] + scan_box["width"] > width * 0.6, "the scan field should start on the right"
    assert pay_box["x"] < width / 2, "the payment card should sit on the left"
    assert computed_style(page, "#scan", "text-align") in ("start", "right")

    page.wait_for_function("() => document.activeElement.id === 'scan'")
    scan(page, item["lot_code"])
    line = page.locator("#cart tr").first
    assert item["name_ar"] in line.inner_text()
    # The line's total cell lies left of its name cell, as Arabic reads.
    name_cell, total_cell = line.locator("td").nth(0).bounding_box(), line.locator("td").nth(4).bounding_box()
    assert total_cell["x"] < name_cell["x"]
    assert not page.js_errors


def test_quantity_above_the_stock_is_refused_while_typing(page, live_server, tmp_path):
    """A line's quantity raised above what the shop has of the lot shows a translated message
    beside the line at once (each key, before Pay), Pay is refused, and the message goes when
    the quantity is fixed: in Arabic, from the keyboard alone."""
    token = api_token(live_server, "caissier.stand")
    shop_id, item = sellable_lots(live_server, token, count=1)[0]
    available = Decimal(item["available"])
    login(page, "caissier.stand", language="ar")
    page.goto("/shop/")
    if page.locator(f"form[action$='/shop/{shop_id}/open']").count():
        with page.expect_navigation():
            page.click(f"form[action$='/shop/{shop_id}/open'] button")
    page.goto(f"/shop/{shop_id}/pos")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_function("() => document.activeElement.id === 'scan'")
    scan(page, item["lot_code"])
    field = "#quantity-0"
    page.focus(field)
    page.keyboard.press("Control+A")
    page.keyboard.type(str(int(available) + 1))
    # Shown while typing, before any change event or Pay.
    page.locator("#quantity-error-0").wait_for()
    message = page.inner_text("#quantity-error-0")
    assert "سوى" in message, message
    assert str(int(available)) in message.replace("\u202f", "").replace(".", "").replace(" ", "")
    assert page.get_attribute(field, "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "quantity-0", "typing lost the focus"
    # Tab away (the change is kept) and press F2: refused, nothing posted, focus back on the line.
    page.keyboard.press("Tab")
    page.keyboard.press("F2")
    page.wait_for_function("() => document.activeElement.id === 'quantity-0'")
    assert page.locator("#last-sale.d-none").count() == 1
    assert "alert-danger" in page.get_attribute("#pos-message", "class")
    assert page.locator("#quantity-error-0").count() == 1
    page.screenshot(path=str(tmp_path / "till-over-stock-ar.png"), full_page=True)
    # Fixed: the message leaves as the right quantity is typed.
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.wait_for_function("() => !document.getElementById('quantity-error-0')")
    assert page.get_attribute(field, "aria-invalid") is None
    page.keyboard.press("Enter")
    page.evaluate("localStorage.clear()")
    assert not page.js_errors
