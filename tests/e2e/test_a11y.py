"""WCAG 2.1 AA in the browser: axe-core on every page each role can reach, in French and in
Arabic, at 1366 px and at 390 px; a test fails on any critical or serious violation.

The pages are found, not listed: the role's menu, then the links on those pages (detail pages:
a lot, a reception, a transfer, a receipt, a Z report...), one page per route pattern. A page
added to a menu, or linked from one, is audited without touching this file.
"""
import os

import pytest

from tests.e2e.a11y import AXE, NARROW, WIDE, crawl, run_axe
from tests.e2e.helpers import login, menu_links, switch_language

# One user per role (the stands' cashier, Arabic by default, works the till in test_a11y_till).
USERS = ["admin", "operateur", "caissier", "coop.figuig"]


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
def test_every_page_of_the_role_is_accessible(page, live_server, username, lang):
    login(page, username)
    original = page.get_attribute("html", "lang")
    if original != lang:
        switch_language(page, lang)
    try:
        assert page.get_attribute("html", "lang") == lang
        if username == "caissier":  # the POS screen is reachable only with the till open
            page.goto("/shop/")
            opener = page.locator("form[action$='/open'] button")
            if opener.count():
                with page.expect_navigation():
                    opener.first.click()
            page.goto("/")
        start = [urlsplit_path(page.url)] + menu_links(page) + ["/account"]
        found, pages = [], []
        for path in crawl(page, live_server.url, start):
            pages.append(path)
            audit(page, path, found)
            page.set_viewport_size(WIDE)
        assert len(pages) >= len(menu_links(page)), pages
        assert not found, report(found, pages)
    finally:  # the language is remembered on the user: leave the demo user as it was
        page.set_viewport_size(WIDE)
        if page.get_attribute("html", "lang") != original:
            page.goto("/account")
            switch_language(page, original)


def urlsplit_path(url):
    """The path of a URL."""
    from urllib.parse import urlsplit

    return urlsplit(url).path


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
