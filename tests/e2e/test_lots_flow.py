"""Issue 13 in the browser — the right lot, every time:
- at the till, the top symbol of a split 58x40 label sells the printed lot;
- the EAN-13 of a product stocked in two cooperatives' lots opens the lot picker (keyboard:
  first-expiring preselected, arrows, Enter) and sells the chosen lot, which the right
  cooperative's statement shows;
- the transfer form accepts each label's scans;
- a lot blocked from the recall page is refused at the till and in a transfer, in French and
  Arabic; integrity-check is clean after.

The lots are made here (on the live server's database, through the services) so the test
does not depend on, nor disturb, the demo's stock."""
import subprocess
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from PIL import Image

from tests.e2e.conftest import run_cli, server_env
from tests.e2e.helpers import api_send, api_token, login, pos_scan, switch_language
from models.clock import today as local_today

TODAY = local_today()


@pytest.fixture(scope="module")
def lots(live_server):
    """A product with a GTIN; lots A (Taourirt) and B (Jerada) at the airport shop, lot C
    (Taourirt) at the warehouse and the airport. Returns codes and ids."""
    from stdnum import ean
    from sqlalchemy import select

    from config import TestingConfig
    from extensions import db
    from models.catalogue import Product
    from models.cooperatives import Cooperative
    from models.ledger import move
    from models.masterdata import virtual_location
    from models.stock import Location, Lot
    from wsgi import create_app

    config = type("E2EDb", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": live_server.database_url})
    app = create_app(config)
    with app.app_context():
        base = "611920499901"
        gtin = base + ean.calc_check_digit(base)
        product = Product(sku="E2E-HUI-25CL", name_fr="Huile d'olive – flacon 25 cl (e2e)",
                          name_ar="زيت الزيتون – قنينة 25 سل", category="olive_oil", kind="unit",
                          uom="pc", net_content=Decimal("0.250"), content_uom="l",
                          retail_price=Decimal("30.00"), shelf_life_days=365, gtin=gtin)
        db.session.add(product)
        coops = {c.registration_number: c for c in db.session.execute(select(Cooperative)).scalars()}
        loc = {l.code: l for l in db.session.execute(select(Location)).scalars()}
        made = {}
        for name, reg, days, where in (("A", "ODCO-2011-0955", 100, {"SHOP-AIRPORT": 5}),
                                       ("B", "ODCO-2013-1562", 200, {"SHOP-AIRPORT": 5}),
                                       ("C", "ODCO-2011-0955", 300, {"WH-STOCK": 8, "SHOP-AIRPORT": 2})):
            lot = Lot(code=f"E2E-HUI-{name}", product=product, cooperative=coops[reg],
                      best_before=TODAY + timedelta(days=days), origin_type="manual")
            db.session.add(lot)
            db.session.flush()
            for code, qty in where.items():
                move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, loc[code].id, kind="reception")
            made[name] = {"id": lot.id, "code": lot.code, "coop_id": lot.cooperative_id}
        db.session.commit()
        made["gtin"] = gtin
        made["best_before_C"] = TODAY + timedelta(days=300)
        made["locations"] = {code: l.id for code, l in loc.items()}
        db.session.remove()
        db.engine.dispose()
    return made


def label_scans(live_server, token, lot_id, tmp_path):
    """What a scanner reads on the lot's 58x40 label: {"top", "bottom", "ean"} (zbar's data:
    GS1 without its leading FNC1)."""
    import urllib.request

    tmp_path.mkdir(parents=True, exist_ok=True)

    request = urllib.request.Request(f"{live_server.url}/api/v1/lots/{lot_id}/labels.pdf?layout=58x40&copies=1",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        (tmp_path / "label.pdf").write_bytes(response.read())
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", str(tmp_path / "label.pdf"),
                    str(tmp_path / "label")], check=True)
    image = Image.open(next(tmp_path.glob("label*.png")))
    w, h = image.size
    parts = {"upper": image.crop((0, 0, w, int(h * 0.45))),
             "top": image.crop((0, int(h * 0.45), w, int(h * 0.72))),
             "bottom": image.crop((0, int(h * 0.72), w, h))}
    found = {}
    for name, crop in parts.items():
        crop.save(tmp_path / f"{name}.png")
        out = subprocess.run(["zbarimg", "--nodbus", "--quiet", str(tmp_path / f"{name}.png")],
                             capture_output=True, text=True).stdout.splitlines()
        for line in out:
            kind, data = line.split(":", 1)
            found["ean" if kind == "EAN-13" else name] = data
    return found


def pos(page, live_server):
    """The cashier's POS screen at the airport (the demo leaves the till open; else open it)."""
    page.goto("/shop/")
    link = page.locator("a[href$='/pos']").first
    if link.count() == 0:
        page.fill("input[name=opening_float]", "200")
        page.locator("form[action$='/open'] button").first.click()
    else:
        link.click()
    page.wait_for_selector("#scan")
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_selector("#scan")


def scan(page, code):
    """Type a code and Enter into the scan field, as the scanner does; wait for the POS's answer."""
    page.focus("#scan")
    pos_scan(page, code)


def pay_exact(page):
    """Exact cash, F2; returns the sale number shown."""
    before = page.inner_text("#last-number")
    page.click("#exact-cash")
    page.keyboard.press("F2")
    page.wait_for_function("before => { const t = document.getElementById('last-number').textContent;"
                           " return t.length > 0 && t !== before; }", arg=before)
    return page.inner_text("#last-number").split("·")[-1].strip()


def last_sale_lots(live_server, token, number):
    """The lot ids of the airport's sale `number`."""
    for sale_id in range(1, 5000):
        status, body = api_send(live_server, "GET", f"/api/v1/sales/{sale_id}", token)
        if status == 404:
            break
        if status == 200 and body["number"] == number:
            return [line["lot_id"] for line in body["lines"]]
    pytest.fail(f"sale {number} not found")


def test_the_right_lot_every_time(page, live_server, lots, tmp_path):
    operator_token = api_token(live_server, "operateur")
    admin_token = api_token(live_server, "admin")
    scans_a = label_scans(live_server, operator_token, lots["A"]["id"], tmp_path / "a")
    assert scans_a["top"] == "10" + lots["A"]["code"], scans_a
    assert scans_a["ean"] == lots["gtin"]

    # 1. The top symbol of lot A's split label sells lot A.
    login(page, "caissier")
    pos(page, live_server)
    scan(page, scans_a["top"])
    assert lots["A"]["code"] in page.inner_text("#cart")
    number_a = pay_exact(page)
    assert last_sale_lots(live_server, admin_token, number_a) == [lots["A"]["id"]]

    # 2. The EAN-13 names three lots here: the picker, first-expiring preselected; choose B.
    scan(page, lots["gtin"])
    page.wait_for_selector("#lot-picker")
    options = page.locator("#lot-picker [role=option]")
    assert options.count() == 3
    assert options.nth(0).get_attribute("aria-selected") == "true"
    assert lots["A"]["code"] in options.nth(0).inner_text()
    assert "Best before" in options.nth(0).inner_text() or "DDM" in options.nth(0).inner_text() \
        or "consommer" in options.nth(0).inner_text()
    assert page.evaluate("document.activeElement.id") == "lot-picker"
    page.keyboard.press("ArrowDown")
    assert lots["B"]["code"] in page.locator("#lot-picker [aria-selected=true]").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#lot-picker", state="detached")
    assert lots["B"]["code"] in page.inner_text("#cart")
    number_b = pay_exact(page)
    assert last_sale_lots(live_server, admin_token, number_b) == [lots["B"]["id"]]
    statement = page.context.browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    login(statement, "admin")
    statement.goto(f"/portal/cooperatives/{lots['B']['coop_id']}/statement")
    assert number_b in statement.content()
    statement.goto(f"/portal/cooperatives/{lots['A']['coop_id']}/statement")
    assert number_b not in statement.content() and number_a in statement.content()
    statement.context.close()

    # 3. The transfer form accepts each of lot C's label scans (C is the only lot of the
    #    product in the warehouse, so even the product-only symbols name it there).
    scans_c = label_scans(live_server, operator_token, lots["C"]["id"], tmp_path / "c")
    operator = page.context.browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    login(operator, "operateur")
    wh, stand = lots["locations"]["WH-STOCK"], lots["locations"]["STAND-OUJDA"]
    for code in (scans_c["top"], scans_c["bottom"], scans_c["ean"]):
        operator.goto("/transfers/new")
        operator.select_option("select[name=from_location_id]", str(wh))
        operator.select_option("select[name=to_location_id]", str(stand))
        operator.fill("input[name='lines-0-lot_code']", code)
        operator.fill("input[name='lines-0-quantity']", "1")
        with operator.expect_navigation():
            operator.locator("form button.btn-success, form button[type=submit]").last.click()
        assert "/transfers/new" not in operator.url, (
            code, operator.eval_on_selector_all(".invalid-feedback, .alert", "es => es.map(e => e.textContent)"))
        assert lots["C"]["code"] in operator.content()
        operator.locator("form[action$='/cancel'] button").first.click()

    # 4. Block C from its recall page (with its descendants).
    operator.goto(f"/warehouse/lots/{lots['C']['id']}/recall")
    operator.fill("#block-reason", "Rappel E2E-HUI-C : bouchon défectueux")
    with operator.expect_navigation():
        operator.click("#block-button")
    assert "lot-blocked" in operator.content()

    # ... refused at the till, naming the recall, in French then Arabic.
    scan(page, lots["C"]["code"])
    message = page.inner_text("#pos-message")
    assert "bloqué" in message and "E2E-HUI-C" in message and "bouchon" in message, message
    switch_language(page, "ar")
    pos(page, live_server)
    scan(page, lots["C"]["code"])
    message = page.inner_text("#pos-message")
    assert "E2E-HUI-C" in message and "موقوف" in message, message
    assert page.evaluate("document.documentElement.dir") == "rtl"

    # ... and in a transfer, in French then Arabic.
    for language, word in (("fr", "bloqué"), ("ar", "موقوف")):
        if language == "ar":
            switch_language(operator, "ar")
        operator.goto("/transfers/new")
        operator.select_option("select[name=from_location_id]", str(wh))
        operator.select_option("select[name=to_location_id]", str(stand))
        operator.fill("input[name='lines-0-lot_code']", lots["C"]["code"])
        operator.fill("input[name='lines-0-quantity']", "1")
        with operator.expect_navigation():
            operator.locator("form button.btn-success, form button[type=submit]").last.click()
        assert word in operator.content(), operator.content()[-3000:]
    status, body = api_send(live_server, "GET",
                            f"/api/v1/shops/{lots['locations']['SHOP-AIRPORT']}/scan?code={quote(lots['C']['code'])}",
                            admin_token)
    assert status == 409 and body["error"]["code"] == "lot_blocked"
    assert page.js_errors == []

    # integrity-check is clean after.
    run_cli(server_env(live_server.database_url), "integrity-check")
