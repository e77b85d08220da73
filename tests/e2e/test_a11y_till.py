"""The till without a mouse, in French and in Arabic: sign in, open the till, find a product by
name with the arrow keys, scan another, try a discount over the limit (an error, announced at
once), pay cash typed in Arabic-Indic digits (١٠٠٠ is 1000), hear the change, close the till.
Every step is a key press; the only address typed is the login page's."""
from decimal import Decimal

import pytest

from tests.e2e.helpers import amount, api_get, api_token, visible_errors
from tests.e2e.test_shop_flow import sellable_lots

CASHIERS = {"fr": "caissier", "ar": "caissier.stand"}


def focused(page):
    """A short description of the focused element."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? (e.tagName + '#' + e.id + '[' + (e.getAttribute('name') || e.getAttribute('href') || '') + ']') : ''; }""")


def tab_to(page, selector, limit=80, backwards=False):
    """Press Tab (Shift+Tab) until the element matching `selector` has the focus."""
    for _ in range(limit):
        if page.evaluate("s => { const e = document.activeElement; return !!e && e.matches(s); }", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    pytest.fail(f"{selector} not reached with the keyboard; focus on {focused(page)}")


def wait_message(page, before):
    """Wait until the till shows a new message."""
    page.wait_for_function("before => { const m = document.getElementById('pos-message');"
                           " return !m.classList.contains('d-none') && m.textContent !== before; }", arg=before)


def type_and_enter(page, text):
    """Type into the focused field, press Enter, wait for the till's answer."""
    before = page.inner_text("#pos-message")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    wait_message(page, before)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_keyboard_only_sale_payment_and_close(page, live_server, lang):
    username = CASHIERS[lang]
    token = api_token(live_server, username)
    (shop_id, first), (_shop, second) = sellable_lots(live_server, token)

    # Sign in: the username field has the focus on arrival.
    page.goto("/login")
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type({"caissier": "demo-caissier", "caissier.stand": "demo-stand"}[username])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if page.get_attribute("html", "lang") != lang:  # the language buttons are in the menu bar
        tab_to(page, f"form[action$='/lang/{lang}'] button")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == lang
    # The first Tab reaches the skip link; it takes the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    # Open the till for the shop (or go to its POS screen when it is already open).
    if not page.url.rstrip("/").endswith("/shop"):
        tab_to(page, "a[href='/shop/']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    if page.locator(f"#float-{shop_id}").count():
        tab_to(page, f"#float-{shop_id}")
        page.keyboard.press("Control+A")
        page.keyboard.type("٢٠٠" if lang == "ar" else "200")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        tab_to(page, f"a[href$='/shop/{shop_id}/pos']")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.url.endswith(f"/shop/{shop_id}/pos"), visible_errors(page)
    page.wait_for_function("() => document.activeElement.id === 'scan'")
    page.evaluate("localStorage.clear()")
    if page.locator("#cart input").count():
        page.reload()
        page.wait_for_function("() => document.activeElement.id === 'scan'")

    # Search by name: the results take the focus; arrow keys move, Enter adds.
    name = first["name_ar"] if lang == "ar" else first["name_fr"]
    word = max(name.split(), key=len)
    page.keyboard.type(word)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('#search-results') !== null")
    count = page.locator("#search-results button").count()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("[...document.querySelectorAll('#search-results button')].indexOf(document.activeElement)") \
        == min(1, count - 1)
    page.keyboard.press("Home")
    target = page.locator("#search-results button", has_text=first["lot_code"])
    for _ in range(count):
        if page.evaluate("el => el === document.activeElement", target.element_handle()):
            break
        page.keyboard.press("ArrowDown")
    before = page.inner_text("#pos-message")
    page.keyboard.press("Enter")
    wait_message(page, before)
    assert page.evaluate("document.activeElement.id") == "scan"
    # Scan the second lot as the scanner does.
    type_and_enter(page, second["lot_code"])
    assert page.locator("#cart tr").count() == 2

    # The cart's fields are named in the page's language, after their product.
    quantity = page.locator("#cart input[data-field=quantity]").first
    label = quantity.get_attribute("aria-label")
    assert label.startswith({"fr": "Quantité", "ar": "الكمية"}[lang]), label
    assert "qty" not in label and (first["name_fr"] in label or first["name_ar"] in label)
    # Additions and the total are announced (politely; a stock warning assertively).
    page.wait_for_function("() => (document.getElementById('pos-status').textContent"
                           " + document.getElementById('pos-alert').textContent) !== ''")

    # A discount over the limit: an error with its message, announced at once, focus kept.
    tab_to(page, "#discount-0")
    page.keyboard.type("999")
    page.keyboard.press("Tab")
    page.wait_for_function("() => document.getElementById('pos-alert').textContent !== ''")
    assert "alert-danger" in page.get_attribute("#pos-message", "class")
    assert page.evaluate("document.activeElement.id") == "discount-0"
    assert page.get_attribute("#discount-0", "aria-invalid") == "true"
    error = page.inner_text("#" + page.get_attribute("#discount-0", "aria-describedby"))
    assert error and error == page.inner_text("#pos-message").split(" (")[0] + error[len(error.split(" (")[0]):]
    page.keyboard.press("F2")  # paying is refused while the discount is wrong
    assert page.locator("#last-sale.d-none").count() == 1
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")  # back to the scan field
    page.wait_for_function("() => document.activeElement.id === 'scan'")
    page.wait_for_function("() => !document.getElementById('discount-0').hasAttribute('aria-invalid')")

    # Pay cash typed in Arabic-Indic digits: ١٠٠٠ is 1000; the change is announced.
    total = amount(page.inner_text("#total"))
    assert total == Decimal(first["unit_price"]) + Decimal(second["unit_price"])
    tab_to(page, "#pay-cash")
    page.keyboard.type("١٠٠٠")
    assert amount(page.inner_text("#change")) == Decimal("1000") - total
    page.wait_for_function("() => document.getElementById('pos-status').textContent.includes("
                           "document.getElementById('change').textContent)")
    page.keyboard.press("Enter")
    page.locator("#last-sale:not(.d-none)").wait_for()
    assert amount(page.inner_text("#last-change")) == Decimal("1000") - total
    sale_id = int(page.get_attribute("#last-receipt", "href").split("/")[-2])
    sale = api_get(live_server, f"/api/v1/sales/{sale_id}", token)
    assert [(p["method"], p["amount"]) for p in sale["payments"]] == [("cash", "1000.00")]
    assert page.evaluate("document.activeElement.id") == "scan"
    assert not page.js_errors

    # Close the till: the link in the POS header, the counted cash, Enter; the Z report.
    tab_to(page, "a[href$='/close']", backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "input[name=counted_cash]")
    page.keyboard.type("١٢٠٠" if lang == "ar" else "1200")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if page.locator("input[name=confirm_difference]").count():
        # A count this far from the expected cash asks for a confirmation, ticked from the
        # keyboard (Space), then Enter in the amount again.
        tab_to(page, "input[name=confirm_difference]")
        page.keyboard.press("Space")
        tab_to(page, "input[name=counted_cash]", backwards=True)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.url.endswith("/z"), visible_errors(page)
    assert page.locator("h1").count() == 1
    assert amount(page.inner_text("[data-z=counted_cash]")) == Decimal("1200")
