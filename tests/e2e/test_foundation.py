"""The foundation in a real browser: signing in per role, menus and refusals, Arabic laid out
right-to-left, the login page on a phone."""
import pytest

from tests.e2e.helpers import (DEMO_LOGINS, ROLES, box, computed_style, has_horizontal_scroll,
                               login, logout, menu_links, open_menu, switch_language, user_for_role,
                               visible_errors)

USERNAMES = [username for username, _p, _r, _w in DEMO_LOGINS]
_menus = {}


def menu_of(browser, live_server, username):
    """The menu a user is offered after signing in (cached per session: demo users don't change)."""
    if username not in _menus:
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        login(page, username)
        _menus[username] = menu_links(page)
        context.close()
    return _menus[username]


@pytest.mark.parametrize("username", USERNAMES)
def test_each_demo_user_signs_in_and_opens_every_entry_of_its_menu(page, username):
    login(page, username)
    assert page.evaluate("document.documentElement.lang") in ("fr", "ar", "en")
    for href in menu_links(page):
        response = page.goto(href)
        assert response.status == 200, f"{username}: menu entry {href} answered {response.status}"
    assert not page.js_errors


def test_admin_is_offered_the_users_page_and_others_are_not(browser, live_server):
    assert "/admin/users" in menu_of(browser, live_server, "admin")
    for username in USERNAMES:
        if ROLES[username] != "admin":
            menu = menu_of(browser, live_server, username)
            assert not [href for href in menu if href.startswith("/admin")], (username, menu)


# Operators are left out: they legitimately open pages on other menus (the replenishment
# requests cashiers file are theirs to fulfil). Cashiers and cooperatives are the outside roles.
@pytest.mark.parametrize("username", [u for u in USERNAMES if ROLES[u] in ("cashier", "cooperative")])
def test_entries_of_other_roles_menus_are_refused(page, browser, live_server, username):
    """What a cashier or cooperative is not offered, it cannot open by typing the address."""
    own = set(menu_of(browser, live_server, username))
    others = {href for other in USERNAMES if ROLES[other] != ROLES[username]
              for href in menu_of(browser, live_server, other)} - own
    login(page, username)
    for href in sorted(others):
        response = page.goto(href)
        assert response.status in (403, 404), f"{username} opened {href}: {response.status}"


@pytest.mark.parametrize("username", [u for u in USERNAMES if ROLES[u] != "admin"])
def test_admin_menu_entries_are_refused_to_every_other_role(page, browser, live_server, username):
    admin_only = [h for h in menu_of(browser, live_server, "admin") if h.startswith("/admin")]
    assert "/admin/users" in admin_only
    login(page, username)
    for href in admin_only:
        response = page.goto(href)
        assert response.status == 403, f"{username} opened {href}: {response.status}"


def test_cashier_is_not_offered_user_management(page):
    login(page, user_for_role("cashier"))
    assert "/admin/users" not in menu_links(page)
    response = page.goto("/admin/users")
    assert response.status == 403


def test_cooperative_user_gets_the_403_page_on_admin(page):
    login(page, user_for_role("cooperative"))
    response = page.goto("/admin/")
    assert response.status == 403
    assert page.inner_text("main h1").strip() == "403"
    # The friendly page, with the way home, not a bare server error.
    assert page.locator("main a.btn[href='/']").count() == 1
    assert page.locator("form[action$='/logout']").count() == 1


def test_wrong_password_shows_a_message_and_stays_on_the_form(page):
    login(page, "admin", password="not-the-password", expect_success=False)
    assert "/login" in page.url
    assert visible_errors(page), "no message shown for a wrong password"
    assert page.input_value("input[name=username]") == "admin"


def test_sign_out_returns_to_the_login_page(page):
    login(page, "admin")
    logout(page)
    assert "/login" in page.url
    assert page.goto("/admin/").url.endswith("/login?next=/admin/?") or "/login" in page.url


def _assert_right_to_left(page):
    """dir=rtl, body direction rtl, the brand on the right half and the language buttons left."""
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert computed_style(page, "body", "direction") == "rtl"
    width = page.viewport_size["width"]
    brand = box(page, ".navbar-brand")
    assert brand["x"] > width / 2, f"brand at x={brand['x']} of {width}: not on the right"
    lang = box(page, "form[action*='/lang/'] button")
    assert lang["x"] + lang["width"] < width / 2, "language buttons should sit on the left"
    assert "bootstrap.rtl" in page.eval_on_selector_all(
        "link[rel=stylesheet]", "links => links.map(l => l.href).join(' ')")


def test_arabic_login_page_is_laid_out_right_to_left(page):
    page.goto("/login")
    assert page.get_attribute("html", "dir") == "ltr"
    assert computed_style(page, "body", "direction") == "ltr"
    assert box(page, ".navbar-brand")["x"] < page.viewport_size["width"] / 2
    switch_language(page, "ar")
    _assert_right_to_left(page)
    assert "تسجيل الدخول" in page.inner_text("h1")  # "Sign in"
    # The form's labels and fields follow: a label starts at the right edge of its field.
    label, field = box(page, "label[for=username]"), box(page, "input[name=username]")
    assert abs((label["x"] + label["width"]) - (field["x"] + field["width"])) < 20
    switch_language(page, "fr")
    assert page.get_attribute("html", "dir") == "ltr"


def test_arabic_speaking_cashier_works_right_to_left(page):
    """The stands' cashier chose Arabic: every page she opens is right-to-left."""
    username = "caissier.stand"
    login(page, username, language="ar")
    _assert_right_to_left(page)
    page.goto("/account")
    _assert_right_to_left(page)
    signout = box(page, "form[action$='/logout'] button")
    assert signout["x"] < page.viewport_size["width"] / 2


def test_login_page_fits_a_phone(phone_page):
    page = phone_page
    page.goto("/login")
    assert not has_horizontal_scroll(page)
    width = page.viewport_size["width"]
    for selector in ("input[name=username]", "input[name=password]", "form button[type=submit]"):
        element = box(page, selector)
        assert element["x"] >= 0 and element["x"] + element["width"] <= width, selector
        assert element["height"] >= 30, f"{selector} is too small to tap"
    assert page.locator(".navbar-toggler").is_visible()
    login(page, "caissier")
    assert not has_horizontal_scroll(page)


def test_arabic_on_a_phone_has_no_sideways_scroll(phone_page):
    page = phone_page
    page.goto("/login")
    switch_language(page, "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert not has_horizontal_scroll(page)
    open_menu(page)
    assert not has_horizontal_scroll(page)


@pytest.mark.parametrize("path", ["/admin/", "/admin/cooperatives", "/admin/products",
                                  "/admin/locations", "/admin/users", "/admin/products/new"])
def test_admin_pages_fit_a_phone(phone_page, path):
    """Tables scroll inside their own box, never the whole page."""
    page = phone_page
    login(page, "admin")
    page.goto(path)
    assert not has_horizontal_scroll(page), f"{path} is wider than a phone"
