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

# One user per role, and the stands' cashier (Arabic by default, two shops).
USERS = ["admin", "operateur", "caissier", "caissier.stand", "coop.figuig"]


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
