"""WCAG 2.1 AA in the browser: axe-core on every page each role can reach, in French and in
Arabic, at 1366 px and at 390 px; a test fails on any critical or serious violation.

The pages are found, not listed: the role's menu, then the links on those pages (detail pages:
a lot, a reception, a transfer, a receipt, a Z report...), one page per route pattern, as deep
as links go. A page added to a menu, or linked from one, is audited without touching this file.
Two things are made rather than found:
- the documents the demo has none of (an order and its invoice, a price list, a draft
  transfer, a return to a cooperative, a stock count with differences, a write-off) are
  created on this module's own server before crawling, so their lists link to them;
- the navbar's lot search is sent twice, with a text that finds several lots and one that
  finds none.
`test_every_page_is_audited` then compares the route patterns audited with the app's URL map
(GET pages that answer HTML): a page no role reaches fails it, named.
"""
import os
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import quote, urlsplit

import pytest

from tests.e2e.a11y import AXE, NARROW, WIDE, crawl, page_pattern, run_axe
from tests.e2e.conftest import _new_page, seeded_server
from tests.e2e.helpers import login, menu_links, switch_language

# One user per role (the stands' cashier, Arabic by default, works the till in test_a11y_till).
USERS = ["admin", "operateur", "caissier", "coop.figuig", "observatoire", "acheteur.hotel"]
# The navbar's lot search, as typed: part of the code of the lots made here, and a miss.
FIND_SOME, FIND_NONE = "A11Y-LOT", "A11Y-NOWHERE"
# GET routes that are no page of a role: probes, the sign-in page (audited by
# test_login_page_is_accessible), documents and files.
NOT_PAGES = re.compile(r"^/(healthz|readyz|login)$|^/(api|static|bootstrap)/"
                       r"|\.(pdf|csv|png|svg|js|json|xml|txt|zip)$")

# Route patterns audited per user on this worker (a crawl that ran to its end).
REACHED = {}


def make_documents(database_url):
    """What the demo has none of, made through the services on the server's database: lots
    of a product of their own at the warehouse (so nothing the demo holds is touched); an order
    the hotel's buyer placed, delivered and invoiced, and a second one confirmed (its pick
    list); a price list the hotel uses; a draft transfer; a return to the cooperative; an open
    stock count with a difference; a write-off."""
    from sqlalchemy import select

    from config import TestingConfig
    from extensions import db
    from models import orders_drafts, orders_invoices, orders_posting, orders_prices
    from models.catalogue import Product
    from models.clock import today
    from models.cooperatives import Cooperative
    from models.ledger import move
    from models.masterdata import virtual_location
    from models.orders import Buyer
    from models.stock import Location, Lot
    from models.stock_writeoffs import write_off
    from models.transfers_counts import record_counts, start_count
    from models.transfers_posting import create_transfer
    from models.transfers_returns import create_cooperative_return
    from models.users import User
    from wsgi import create_app

    config = type("A11yDb", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url})
    app = create_app(config)
    with app.app_context():
        users = {u.username: u for u in db.session.execute(select(User)).scalars()}
        admin, operator, buyer_user = users["admin"], users["operateur"], users["acheteur.hotel"]
        loc = {l.code: l for l in db.session.execute(select(Location)).scalars()}
        stock, shop = loc["WH-STOCK"], loc["SHOP-AIRPORT"]
        coop = db.session.execute(select(Cooperative).where(
            Cooperative.registration_number == "ODCO-2011-0955")).scalar_one()
        product = Product(sku="A11Y-HUI-50CL", name_fr="Huile d'olive – bouteille 50 cl (a11y)",
                          name_ar="زيت الزيتون – قنينة 50 سل", category="olive_oil", kind="unit",
                          uom="pc", net_content=Decimal("0.500"), content_uom="l",
                          retail_price=Decimal("55.00"), shelf_life_days=365)
        db.session.add(product)
        lots = []
        for n, qty in ((1, 60), (2, 20)):
            lot = Lot(code=f"{FIND_SOME}-{n}", product=product, cooperative=coop,
                      best_before=today() + timedelta(days=200 + n), origin_type="manual")
            db.session.add(lot)
            db.session.flush()
            move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, stock.id, kind="reception")
            lots.append(lot)
        first, second = lots

        price_list = orders_prices.save_price_list(
            name="Hôtellerie – tarif a11y", prices={product.id: "48.50"}, user_id=admin.id)
        buyer = db.session.get(Buyer, buyer_user.buyer_id)
        buyer.price_list_id = price_list.id

        invoiced = orders_drafts.create_order(
            buyer_id=buyer.id, location_id=stock.id, user_id=buyer_user.id,
            lines=[{"product_id": product.id, "quantity": Decimal(3)}])
        for step in (orders_posting.confirm_order, orders_posting.prepare_order,
                     orders_posting.ship_order, orders_posting.deliver_order):
            step(invoiced.id, user_id=operator.id)
        orders_invoices.invoice_order(invoiced.id, user_id=admin.id)
        confirmed = orders_drafts.create_order(
            buyer_id=buyer.id, location_id=stock.id, user_id=buyer_user.id,
            lines=[{"product_id": product.id, "quantity": Decimal(2)}])
        orders_posting.confirm_order(confirmed.id, user_id=operator.id)

        create_transfer(stock.id, shop.id, [{"lot_id": first.id, "quantity": "4"}],
                        user_id=operator.id, note="a11y")
        create_cooperative_return(coop.id, stock.id, [{"lot_id": second.id, "quantity": "1"}],
                                  "Bouchons qui fuient", user_id=operator.id)
        write_off(lot_id=first.id, location_id=stock.id, quantity="1", cause="damaged",
                  reason="Bouteille cassée au déchargement", user_id=operator.id)
        count = start_count(stock.id, user_id=operator.id)
        record_counts(count.id, [{"lot_id": first.id, "counted": "50", "note": "a11y"}])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def a11y_server(tmp_path_factory):
    """A server of this module's own, with the documents of make_documents: they give the
    crawl links to pages the demo has no object for, and change no other test's data."""
    with seeded_server(tmp_path_factory.mktemp("a11y"), "a11y") as server:
        make_documents(server.database_url)
        yield server


@pytest.fixture
def page(request, browser, a11y_server):
    """A desktop page on this module's server (screenshot on failure)."""
    yield from _new_page(request, browser, a11y_server, WIDE)


@pytest.fixture(scope="session", autouse=True)
def _axe_installed():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make e2e` installs it (npm install axe-core@4)")


def audit(page, label, found):
    """axe at both widths on the loaded page; violations recorded under `label`. A page also
    has exactly one h1 (printable documents included)."""
    h1 = page.locator("h1").count()
    if h1 != 1:
        found.append(f"{label} has {h1} h1 elements (one expected)")
    for name, viewport in (("1366", WIDE), ("390", NARROW)):
        page.set_viewport_size(viewport)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        for rule, impact, help_text, nodes in run_axe(page):
            found.append(f"{label} @{name}px [{impact}] {rule}: {help_text}\n      " + "\n      ".join(nodes))


def report(found, pages):
    """An assertion message: every violation, then the pages audited."""
    if os.environ.get("A11Y_REPORT"):
        with open(os.environ["A11Y_REPORT"], "a") as out:
            out.write("\n".join(found) + "\n")
    return f"{len(found)} violation(s) on {len(pages)} page(s):\n" + "\n".join(found) + \
        "\naudited: " + " ".join(pages)


def start_paths(page, username):
    """Where a signed-in user's crawl starts: the landing page, home, the menu, the account,
    and the navbar's lot search sent as a person types it (when the navbar has one). The
    cashier's till is opened first: the POS screen is reachable only with the till open."""
    if username == "caissier":
        page.goto("/shop/")
        opener = page.locator("form[action$='/open'] button")
        if opener.count():
            with page.expect_navigation():
                opener.first.click()
        page.goto("/")
    start = [urlsplit(page.url).path, "/"] + menu_links(page) + ["/account"]
    search = page.locator("form.nav-lot-search")
    if search.count():
        action = urlsplit(search.first.get_attribute("action")).path
        start += [f"{action}?code={quote(FIND_SOME)}", f"{action}?code={quote(FIND_NONE)}"]
    return start


def route_pattern(path):
    """The route pattern of a crawled path: ids replaced, query string dropped."""
    return page_pattern(urlsplit(path).path)


def app_pages():
    """The app's HTML pages as route patterns (GET routes but the API, files and probes)."""
    from config import TestingConfig
    from wsgi import create_app

    app = create_app(TestingConfig)
    pages = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not NOT_PAGES.search(rule.rule):
            pages.add(re.sub(r"<(?:int:)?\w+>", "<id>", rule.rule))
    return pages


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_login_page_is_accessible(page, lang):
    page.goto("/login")
    if page.get_attribute("html", "lang") != lang:
        switch_language(page, lang)
    assert page.evaluate("document.activeElement.name") == "username", "the username is not focused"
    found = []
    audit(page, "/login", found)
    assert not found, report(found, ["/login"])


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("username", USERS)
def test_every_page_of_the_role_is_accessible(page, a11y_server, username, lang):
    login(page, username)
    original = page.get_attribute("html", "lang")
    if original != lang:
        switch_language(page, lang)
    try:
        assert page.get_attribute("html", "lang") == lang
        start = start_paths(page, username)
        found, pages = [], []
        for path in crawl(page, a11y_server.url, start):
            pages.append(path)
            audit(page, path, found)
            page.set_viewport_size(WIDE)
        REACHED[username] = {route_pattern(p) for p in pages}
        assert len(pages) >= len(menu_links(page)), pages
        assert not found, report(found, pages)
    finally:  # the language is remembered on the user: leave the demo user as it was
        page.set_viewport_size(WIDE)
        if page.get_attribute("html", "lang") != original:
            page.goto("/account")
            switch_language(page, original)


def test_every_page_is_audited(page, a11y_server):
    """Every HTML page of the app is reached by some role's crawl (the crawls of this worker's
    audits, and a crawl without axe for a role this worker has not audited)."""
    for username in USERS:
        if username not in REACHED:
            page.context.clear_cookies()
            login(page, username, language=None)
            start = start_paths(page, username)
            REACHED[username] = {route_pattern(p) for p in
                                 crawl(page, a11y_server.url, start)}
    audited = set().union(*REACHED.values())
    missing = sorted(app_pages() - audited)
    assert not missing, "pages no role's crawl reaches (give them a link, or make the object " \
        "they show in make_documents): " + ", ".join(missing)


# Forms sent empty or wrong, as a hurried user does: after the failed submit the page says so
# at the top, each error is tied to its field, the focus is on the first field in error, and
# axe still finds nothing. (username, page, fields to fill before sending)
FAILED_SUBMITS = [
    ("admin", "/admin/products/new", {}),
    ("admin", "/admin/cooperatives/new", {"input[name=members_total]": "beaucoup"}),
    ("admin", "/transfers/new", {"input[name='lines-0-lot_code']": "NOPE", "input[name='lines-0-quantity']": "x"}),
    ("operateur", "/warehouse/receptions/new", {}),
]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_failed_submit_is_summarised_tied_and_focused(page, lang):
    found = []
    for username, path, fill in FAILED_SUBMITS:
        page.context.clear_cookies()
        login(page, username)
        original = page.get_attribute("html", "lang")
        if original != lang:
            switch_language(page, lang)
        try:
            page.goto(path)
            for selector, value in fill.items():
                page.fill(selector, value)
            with page.expect_navigation():
                page.click("main form button[type=submit]:not([name])")
            summary = page.locator(".error-summary")
            assert summary.count() == 1, f"{path}: no error summary"
            assert summary.locator("a").count() >= 1
            first = page.locator("main form .is-invalid").first
            assert page.evaluate("el => el === document.activeElement", first.element_handle()), \
                f"{path}: the focus is not on the first field in error"
            for field in page.locator("main form input.is-invalid, main form select.is-invalid").all():
                assert field.get_attribute("aria-invalid") == "true", path
                described = (field.get_attribute("aria-describedby") or "").split()
                messages = [page.inner_text(f"[id='{i}']") for i in described if page.locator(f"[id='{i}']").count()]
                assert any(m.strip() for m in messages), f"{path}: {field.get_attribute('name')} has no message tied"
                assert page.evaluate("el => !!(el.labels.length || el.getAttribute('aria-label'))",
                                     field.element_handle())
            audit(page, f"{path} (after a failed submit)", found)
        finally:
            page.set_viewport_size(WIDE)
            if original != lang:
                page.goto("/account")
                switch_language(page, original)
    assert not found, report(found, [p for _u, p, _f in FAILED_SUBMITS])
