"""Under the Content-Security-Policy the pages still work in a real browser: no violation on
any menu page of any role, Swagger UI renders, and a cookie replayed after sign-out opens
nothing."""
import pytest

from tests.e2e.helpers import DEMO_LOGINS, login, logout, menu_links

USERNAMES = sorted({username for username, _p, _r, _w in DEMO_LOGINS})[:6]


def watch_csp(page):
    """Collect the browser's Content-Security-Policy complaints on this page."""
    violations = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return violations


@pytest.mark.parametrize("username", USERNAMES)
def test_menu_pages_raise_no_csp_violation(page, username):
    violations = watch_csp(page)
    login(page, username)
    for href in menu_links(page):
        response = page.goto(href)
        assert response.status == 200, href
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
    page.goto("/account/security")
    assert not violations, violations
    assert not page.js_errors


def test_swagger_ui_renders_under_the_csp(page):
    violations = watch_csp(page)
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Tadamon API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert not violations, violations
    assert not page.js_errors


def test_inline_page_scripts_run_with_their_nonce(page):
    """The transfer form's scanner script (a nonce'd inline script) runs: Enter in a lot code
    moves to its quantity instead of submitting."""
    violations = watch_csp(page)
    login(page, "operateur")
    page.goto("/transfers/new")
    field = page.locator('input[name$="-lot_code"]').first
    field.fill("X")
    field.press("Enter")
    assert "/transfers/new" in page.url
    focused = page.evaluate("document.activeElement.name || ''")
    assert focused.endswith("quantity"), focused
    assert not violations, violations


def test_cookie_replayed_after_sign_out_opens_nothing(browser, live_server, page):
    login(page, "caissier")
    cookies = page.context.cookies()
    logout(page)
    thief = browser.new_context(base_url=live_server.url)
    thief.add_cookies(cookies)
    other = thief.new_page()
    other.goto("/shop/")
    assert "/login" in other.url
    thief.close()
