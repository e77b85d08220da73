"""Issue 11, finding things in the browser: the navbar's lot search (operator), and the shop's
sales searched by receipt number, the receipt's barcode read back by zbarimg from the screen
and a typed or scanned number opening the sale's refund screen (cashier). In French and Arabic;
pages are also saved as PNG under $TADAMON_SHOTS when it is set (to look at them)."""
import os
import subprocess
from pathlib import Path

from tests.e2e.helpers import api_get, api_token, login, switch_language, visible_errors

SHOTS = os.environ.get("TADAMON_SHOTS")


def shot(page, name):
    """Keep a picture of the page when asked to."""
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def find_in_navbar(page, text):
    """Type into the navbar's lot search and press Enter, as a scanner does."""
    box = page.locator("#nav-lot-code")
    if not box.is_visible():
        page.click(".navbar-toggler")
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")


def test_operator_finds_a_lot_from_the_navbar(page, live_server):
    token = api_token(live_server, "operateur")
    lot_code = api_get(live_server, "/api/v1/stock?per_page=5", token)["items"][0]["lot_code"]
    login(page, "operateur")
    for lang in ("fr", "ar"):
        page.goto("/warehouse/stock")
        if page.get_attribute("html", "lang") != lang:
            switch_language(page, lang)
        # A whole code opens the lot's page (history and traceability).
        find_in_navbar(page, f" {lot_code.lower()} ")
        assert "/warehouse/lots/" in page.url and lot_code in page.inner_text("h1"), visible_errors(page)
        shot(page, f"lot-page-{lang}")
        # Part of a code lists the lots that hold it.
        find_in_navbar(page, lot_code[:3])
        if "/warehouse/lots/find" in page.url:
            assert page.locator("table a[href*='/warehouse/lots/']").count() >= 1
            shot(page, f"lot-find-list-{lang}")
        # Nothing: a message beside the box, in the page's language.
        find_in_navbar(page, "ZZZ-NOPE-42")
        message = page.inner_text("#find-none")
        assert ("Aucun lot" in message) if lang == "fr" else ("لا توجد حصة" in message)
        shot(page, f"lot-find-none-{lang}")
        # The stock page offers sold-out and consumed lots on request.
        page.goto("/warehouse/stock?sold_out=1")
        assert page.is_checked("#sold_out")
        shot(page, f"stock-sold-out-{lang}")
    switch_language(page, "fr")
    assert not page.js_errors


def test_cashier_finds_a_sale_by_receipt_number_and_its_barcode(page, live_server, tmp_path):
    login(page, "caissier")
    page.goto("/shop/")
    page.click("a[href$='/sales']")
    page.wait_for_load_state()
    sales_url = page.url
    number = page.inner_text("table tbody tr td bdi").strip()
    assert number, "the demo left no sale at the cashier's shop"
    for lang in ("fr", "ar"):
        page.goto(sales_url)
        if page.get_attribute("html", "lang") != lang:
            switch_language(page, lang)
        shot(page, f"sales-{lang}")
        # The receipt page shows the number as a barcode a scanner reads back.
        page.goto(sales_url)
        page.click("table tbody tr:first-child a[href$='/receipt']")
        page.wait_for_load_state()
        barcode = page.locator(".receipt-barcode svg")
        assert barcode.is_visible()
        image = tmp_path / f"barcode-{lang}.png"
        # The very SVG the page drew, by Chromium, four times larger (it scales: a viewBox), as
        # a scanner's camera sees it.
        drawn = page.context.new_page()
        drawn.set_content("<body style='margin:40px;background:#fff'>" + barcode.evaluate("e => e.outerHTML")
                          + "</body>")
        drawn.eval_on_selector("svg", "svg => { svg.style.width = '800px'; svg.style.height = 'auto'; }")
        drawn.locator("svg").screenshot(path=str(image))
        drawn.close()
        read = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
        assert read.stdout.split() == [number]
        shot(page, f"receipt-{lang}")
        # The scan typed into the sales search opens the sale's refund screen.
        page.goto(sales_url)
        page.fill("#sale-q", "]C0" + number)
        with page.expect_navigation():
            page.press("#sale-q", "Enter")
        assert page.url.endswith("/refund") and number in page.inner_text("h1")
        # A number of no sale here: said beside the box.
        page.goto(sales_url)
        page.fill("#sale-q", "NOPE-0")
        with page.expect_navigation():
            page.press("#sale-q", "Enter")
        assert page.locator("#sale-none").is_visible()
        shot(page, f"sales-none-{lang}")
    switch_language(page, "fr")
    assert not page.js_errors
