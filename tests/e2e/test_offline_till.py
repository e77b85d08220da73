"""The till keeps selling with no connection, and never loses or doubles a sale (issue 15).

The test owns its server (gunicorn on a fixed port, so the origin — and the service worker,
IndexedDB and cookies with it — stays the same) to stop, kill and start again:

1. The cashier opens the till online: the service worker caches the page, the till keeps the
   shop's catalogue in IndexedDB and reserves receipt numbers for this device.
2. Offline — the browser context set offline AND the server stopped — the page reloads (the
   service worker serves it) and five sales are sold by scanning a GS1-128, an EAN-13 and lot
   codes, one of them more than the server's stock; one receipt is printed from the browser.
3. The browser context is closed and opened again, still offline: the five sales still wait.
4. The server comes back: the five sales post in order; the server is killed in the middle of
   the sync (after recording a sale, before its answer) and started again; in the end each
   sale is recorded exactly once, device numbers are gapless, stock and consignment entries
   are right, the shortfall is on the operator's page, and `integrity-check` is clean.
"""
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.e2e.conftest import (CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, LiveServer, free_port,
                                run_cli, server_env, wait_until_up)
from tests.e2e.helpers import login

GTIN_A, GTIN_B = "6119990001011", "6119990001028"


class OwnServer:
    """gunicorn on one database and one port, that the test stops and starts again."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.database_url = f"sqlite:///{tmp / 'offline.sqlite'}"
        self.env = server_env(self.database_url)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / "gunicorn.log"
        self.process = None

    def start(self):
        log_file = open(self.log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
             "--threads", "4", "--access-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True)  # its own process group: a kill takes its worker too
        wait_until_up(LiveServer(self.url, self.database_url, self.log, self.process))

    def stop(self, sig=signal.SIGTERM):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
        self.process = None

    def kill(self):
        """As a power cut: SIGKILL, no clean shutdown."""
        self.stop(signal.SIGKILL)

    def posts(self, status):
        """How many POST /api/v1/offline-sales the server answered with `status`."""
        text = self.log.read_text(errors="replace")
        return len(re.findall(rf'"POST /api/v1/offline-sales HTTP/1.1" {status} ', text))


def in_app(database_url):
    """An app on the test's database, for setting up and checking (not serving)."""
    from tests.conftest import make_config
    from wsgi import create_app

    return create_app(make_config(database_url))


def build_stock(database_url):
    """Four lots at the airport shop: A and B have a product GTIN (one lot each), C is scanned
    by its lot code, D has a single piece (sold three times over offline)."""
    from extensions import db
    from models.catalogue import Product
    from models.clock import today
    from models.cooperatives import Cooperative
    from models.ledger import move
    from models.masterdata import virtual_location
    from models.stock import Location, Lot

    app = in_app(database_url)
    with app.test_request_context():
        shop = db.session.execute(select(Location).where(Location.code == "SHOP-AIRPORT")).scalar_one()
        coop = db.session.execute(select(Cooperative).order_by(Cooperative.id)).scalars().first()
        lots = {}
        for key, gtin, qty, price in (("A", GTIN_A, 10, "12.00"), ("B", GTIN_B, 10, "20.00"),
                                      ("C", None, 10, "35.50"), ("D", None, 1, "50.00")):
            product = Product(sku=f"OFF-{key}", gtin=gtin, name_fr=f"Hors ligne {key}",
                              name_ar=f"دون اتصال {key}", category="dates", kind="unit", uom="pc",
                              retail_price=Decimal(price))
            lot = Lot(code=f"OFF-LOT-{key}", product=product, cooperative=coop,
                      best_before=today() + timedelta(days=90))
            db.session.add_all([product, lot])
            db.session.flush()
            move(lot.id, Decimal(qty), virtual_location("SUPPLIERS").id, shop.id, kind="reception")
            lots[key] = lot.id
        db.session.commit()
        return shop.id, lots


def scan(page, code):
    """Type a code and Enter into the scan field, as the scanner does; wait for the answer."""
    page.focus("#scan")
    before = page.inner_text("#pos-message")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_function("before => { const m = document.getElementById('pos-message');"
                           " return !m.classList.contains('d-none') && m.textContent !== before; }",
                           arg=before)


def pay_exact(page):
    """Exact cash, then pay (F2); wait for the sale kept on the device."""
    before = page.inner_text("#last-number") if page.locator("#last-number").count() else ""
    page.click("#exact-cash")
    page.keyboard.press("F2")
    page.wait_for_function("before => document.getElementById('last-number').textContent !== before",
                           arg=before)
    return page.inner_text("#last-number")


def sign_in_again(page, username):
    """Sign in unless the session survived the browser's restart."""
    page.goto("/login")
    if page.locator("input[name=username]").count():
        login(page, username)


def queued(page):
    return int(page.get_attribute("#offline-banner", "data-queued") or 0)


def open_context(browser, profile, base_url, offline=False):
    """A persistent Chromium context (its service worker, IndexedDB and cookies on disk)."""
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        base_url=base_url, viewport=DESKTOP, locale="fr-FR", offline=offline)
    context.set_default_timeout(15_000)
    context.add_init_script("window.__prints = []; window.print = () => window.__prints.push("
                            "document.getElementById('offline-receipt').innerText);")
    return context


@pytest.fixture
def own_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("offline-till")
    server = OwnServer(tmp)
    run_cli(server.env, "db", "upgrade")
    run_cli(server.env, "seed-demo")
    server.ids = build_stock(server.database_url)
    server.start()
    yield server
    server.stop()


def test_the_till_sells_offline_and_every_sale_reaches_the_server_once(browser, own_server, tmp_path):
    server = own_server
    shop_id, lots = server.ids
    pos_url = f"/shop/{shop_id}/pos"
    profile = tmp_path / "profile"

    # 1. Online: open the till; the service worker, the catalogue and the receipt numbers.
    context = open_context(browser, profile, server.url)
    page = context.new_page()
    login(page, "caissier")
    page.goto("/shop/")
    if page.locator(f"#float-{shop_id}").count():
        page.fill(f"#float-{shop_id}", "200")
        with page.expect_navigation():
            page.click(f"form[action$='/shop/{shop_id}/open'] button")
    page.goto(pos_url)
    page.wait_for_function("() => document.getElementById('pos').dataset.offlineReady === '1'")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker's control
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => document.getElementById('pos').dataset.offlineReady === '1'")
    page.wait_for_function(f"() => caches.match(location.origin + '{pos_url}').then(r => !!r)")
    session_id = int(page.get_attribute("#pos", "data-session-id"))

    # 2. Offline: no network, and no server either.
    context.set_offline(True)
    server.stop()
    page.reload()
    page.wait_for_selector("#pos")
    page.wait_for_function("() => document.getElementById('pos').dataset.offlineReady === '1'")
    assert page.get_attribute("#offline-banner", "data-offline") == "1"
    assert page.is_visible("#offline-banner")

    numbers = []
    scan(page, f"]C1010{GTIN_A}17991231" + "10OFF-LOT-A")  # GS1-128 with the lot
    numbers.append(pay_exact(page))
    page.click("#last-print-offline")
    printed = page.evaluate("() => window.__prints")
    assert len(printed) == 1 and numbers[0].split(" · ")[-1] in printed[0]
    scan(page, GTIN_B)                                          # EAN-13
    numbers.append(pay_exact(page))
    scan(page, "OFF-LOT-C")                                     # lot code
    numbers.append(pay_exact(page))
    scan(page, "off-lot-a")
    scan(page, GTIN_B)
    numbers.append(pay_exact(page))
    scan(page, "OFF-LOT-D")                                     # 1 on hand: sell 3
    page.fill("#quantity-0", "3")
    page.press("#quantity-0", "Enter")
    page.wait_for_function("() => document.getElementById('total').textContent.replace(/\\s/g, '').startsWith('150')")
    numbers.append(pay_exact(page))
    assert all(n.startswith("Vente gardée sur cet appareil · ") for n in numbers), numbers
    device_numbers = [n.split(" · ")[-1] for n in numbers]
    prefix = device_numbers[0].rsplit("-", 1)[0]
    assert re.fullmatch(r"AIR-T\d+", prefix), device_numbers
    seqs = [int(n.rsplit("-", 1)[1]) for n in device_numbers]
    assert seqs == list(range(seqs[0], seqs[0] + 5)), device_numbers
    assert queued(page) == 5

    # 3. The browser closed and opened again, still offline: the queue is still there.
    context.close()
    context = open_context(browser, profile, server.url, offline=True)
    page = context.new_page()
    page.goto(pos_url)
    page.wait_for_function("() => document.getElementById('pos').dataset.offlineReady === '1'")
    assert queued(page) == 5

    # 4. Back online. The server is killed after it recorded the second sale but before its
    #    answer reached the till; started again, the till sends the rest.
    calls = {"n": 0, "killed": False, "armed": False}

    def cut_power(route):
        calls.setdefault("log", []).append((calls["armed"], route.request.post_data_json.get("device_seq")))
        if not calls["armed"]:
            route.continue_()
            return
        calls["n"] += 1
        if calls["n"] == 2:
            route.fetch()          # the server records the sale...
            server.kill()          # ...and dies before the till hears back
            route.abort("connectionrefused")
            calls["killed"] = True
            return
        route.continue_()

    page.route("**/api/v1/offline-sales", cut_power)
    server.start()
    context.set_offline(False)
    sign_in_again(page, "caissier")  # the sign-in ended with the browser's restart
    calls["armed"] = True
    page.goto(pos_url)
    deadline = time.monotonic() + 60
    while not calls["killed"] and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert calls["killed"], "the till did not send its queue"
    page.wait_for_timeout(1500)
    assert queued(page) >= 3, (calls, server.log.read_text(errors="replace")[-2500:])
    server.start()
    try:
        page.wait_for_function("() => document.getElementById('offline-banner').dataset.queued === '0'",
                               timeout=90_000)
    except Exception:
        pytest.fail(f"queue not sent: {page.inner_text('#offline-banner')!r} {page.url}\n"
                    f"{server.log.read_text(errors='replace')[-3000:]}")
    assert page.locator("#offline-attention li").count() == 0

    # Exactly once, in order, gapless per device; stock, entries, shortfall, integrity. The
    # sale whose answer was lost was sent again and answered "already recorded" (200).
    assert server.posts(200) >= 1
    check_server(server, shop_id, lots, session_id, device_numbers)
    context.close()
    operator = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="fr-FR")
    try:
        page = operator.new_page()
        login(page, "operateur")
        page.goto("/shop/offline-issues")
        row = page.locator("#offline-issues tr[data-lot='OFF-LOT-D'][data-kind='shortfall']")
        assert row.count() == 1 and "2" in row.inner_text()
    finally:
        operator.close()
    out = run_cli(server.env, "integrity-check")
    assert "integrity-check: ok" in out, out


def check_server(server, shop_id, lots, session_id, device_numbers):
    """What the server recorded: five sales once each, in order, and the goods and money."""
    from extensions import db
    from models.consignment import ConsignmentEntry
    from models.ledger import available
    from models.masterdata import virtual_location
    from models.sales import Sale, SaleLine
    from models.sales_offline import OfflineSale, OfflineSaleIssue

    app = in_app(server.database_url)
    with app.app_context():
        rows = db.session.execute(select(OfflineSale, Sale).join(Sale, Sale.id == OfflineSale.sale_id)
                                  .order_by(OfflineSale.device_seq)).all()
        assert [o.device_number for o, _s in rows] == device_numbers
        assert [s.id for _o, s in rows] == sorted(s.id for _o, s in rows), "posted out of order"
        assert len({s.client_ref for _o, s in rows}) == 5
        assert all(s.cash_session_id == session_id for _o, s in rows)
        sold_at = [o.sold_at for o, _s in rows]
        assert sold_at == sorted(sold_at)
        sale_ids = [s.id for _o, s in rows]
        lines = db.session.execute(select(SaleLine).where(SaleLine.sale_id.in_(sale_ids))).scalars().all()
        assert len(lines) == 6
        entries = db.session.execute(select(ConsignmentEntry).where(
            ConsignmentEntry.document_type == "sale", ConsignmentEntry.document_id.in_(sale_ids))).scalars().all()
        assert len(entries) == 6
        assert sum(e.gross for e in entries) == sum(s.total for _o, s in rows)
        expected = {"A": 8, "B": 8, "C": 9, "D": 0}
        for key, qty in expected.items():
            assert available(lots[key], shop_id) == Decimal(qty), key
        assert available(lots["D"], virtual_location("UNRECONCILED").id) == Decimal(-2)
        issue = db.session.execute(select(OfflineSaleIssue)).scalar_one()
        assert issue.kind == "shortfall" and issue.quantity == Decimal(2)
        db.session.remove()
        db.engine.dispose()

