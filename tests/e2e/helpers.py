"""What a person does in the browser, as functions other areas' browser tests reuse.

    from tests.e2e.helpers import login, menu_links, switch_language
    def test_something(page):
        login(page, "operateur")
        page.goto("/warehouse/receptions/new")
        ...

Selectors rely on structure (form actions, names, ids), not on translated text, so a test
works in every language. Playwright is imported inside functions: the default `pytest` run
collects nothing from here without it.
"""
import base64
import json
import urllib.request

from demo import DEMO_LOGINS

PASSWORDS = {username: password for username, password, _role, _what in DEMO_LOGINS}
ROLES = {username: role for username, _password, role, _what in DEMO_LOGINS}


def user_for_role(role):
    """The first demo username with this role."""
    return next(u for u, _p, r, _w in DEMO_LOGINS if r == role)


def login(page, username, password=None, expect_success=True, language="fr"):
    """Sign in through the login form as a person does: type, then click the button.

    The language is remembered on the user, and the tests of one worker share a database, so a
    test starts from a known state: the page in `language` (French by default; None keeps
    whatever the user last chose)."""
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password if password is not None else PASSWORDS[username])
    with page.expect_navigation():
        page.click("form button[type=submit]")
    if expect_success:
        assert "/login" not in page.url, f"{username} could not sign in: {visible_errors(page)}"
        assert page.locator("form[action$='/logout']").count() == 1
        if language and page.get_attribute("html", "lang") != language:
            switch_language(page, language)
    return page


def logout(page):
    """Sign out with the navbar's button (a POST carrying the CSRF token)."""
    open_menu(page)
    with page.expect_navigation():
        page.click("form[action$='/logout'] button")


def open_menu(page):
    """On a narrow screen the navbar is collapsed: tap the toggler to open it."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and page.locator("#mainnav").is_hidden():
        toggler.click()
        page.locator("#mainnav.show").wait_for()


def switch_language(page, code):
    """Press the navbar's button for language `code` ("fr", "ar", "en")."""
    open_menu(page)
    with page.expect_navigation():
        page.click(f"form[action$='/lang/{code}'] button")


def menu_links(page):
    """The hrefs of the navbar's menu (what this user is offered)."""
    return page.eval_on_selector_all("#mainnav .navbar-nav a.nav-link",
                                     "links => links.map(a => a.getAttribute('href'))")


def visible_errors(page):
    """Validation messages and alerts shown on the page (for assertion messages)."""
    return page.eval_on_selector_all(".invalid-feedback, .alert, .text-danger",
                                     "nodes => nodes.map(n => n.innerText.trim()).filter(Boolean)")


def csrf_token(page):
    """The CSRF token of the current page (for fetch() calls a page's JavaScript would make)."""
    return page.get_attribute("meta[name=csrf-token]", "content")


def has_horizontal_scroll(page):
    """True when the document is wider than the viewport (a phone user would scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def box(page, selector):
    """The bounding box {x, y, width, height} of the first element matching `selector`."""
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not displayed"
    return found


def computed_style(page, selector, prop):
    """A computed CSS property of the first element matching `selector`."""
    return page.eval_on_selector(selector, "(el, p) => getComputedStyle(el).getPropertyValue(p)", prop)


def api_token(live_server, username):
    """A bearer token for a demo user, from POST /api/v1/tokens (for API calls beside the UI)."""
    basic = base64.b64encode(f"{username}:{PASSWORDS[username]}".encode()).decode()
    request = urllib.request.Request(live_server.url + "/api/v1/tokens", method="POST",
                                     headers={"Authorization": f"Basic {basic}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def api_get(live_server, path, token):
    """GET an API path with a bearer token; the decoded JSON."""
    request = urllib.request.Request(live_server.url + path,
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def api_send(live_server, method, path, token, body=None):
    """An API call with a bearer token and a JSON body: (status, decoded JSON or None)."""
    import urllib.error

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(live_server.url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:  # a 4xx is an answer a test may expect
        return exc.code, json.loads(exc.read() or b"null")


def amount(text):
    """A figure as a page shows it ("1 234,50", "-12,00", "330.00 MAD") as a Decimal."""
    import re
    from decimal import Decimal

    cleaned = re.sub(r"[^\d,.\-−]", "", text).replace("−", "-")
    if "," in cleaned and "." in cleaned:  # grouped: "1,234.50" (English), "1.234,50" (Arabic)
        grouping = "," if cleaned.rindex(".") > cleaned.rindex(",") else "."
        cleaned = cleaned.replace(grouping, "")
    return Decimal(cleaned.replace(",", "."))


def select_option_containing(page, selector, text):
    """Choose, in the select `selector`, the first option whose label contains `text` (labels
    are translated names; the test knows a code or a distinctive word). Returns its value."""
    value = page.eval_on_selector(
        selector, "(sel, t) => { const o = [...sel.options].find(o => o.text.includes(t));"
                  " return o ? o.value : null; }", text)
    assert value, f"no option containing {text!r} in {selector}"
    page.select_option(selector, value)
    return value


def pdf_text(data, tmp_path):
    """The text of a PDF (pdftotext, layout kept), after checking it is one."""
    import subprocess

    assert data[:5] == b"%PDF-", f"not a PDF: {data[:40]!r}"
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_barcodes(data, tmp_path, resolution=300):
    """The barcodes zbarimg reads on the PDF's first page (pdftoppm at `resolution` dpi)."""
    import subprocess

    path = tmp_path / "barcodes.pdf"
    path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(resolution), "-f", "1", "-l", "1", "-png", str(path),
                    str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    result = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True)
    return [line for line in result.stdout.splitlines() if line.strip()]


POS_STATE_JS = ("() => { const m = document.getElementById('pos-message');"
                " const rows = [...document.querySelectorAll('#cart tr')].map(r => r.textContent +"
                " [...r.querySelectorAll('input')].map(i => i.value).join('|'));"
                " return (m.classList.contains('d-none') ? '' : m.textContent) + '#' + rows.join('/'); }")


def pos_scan(page, code):
    """Type a code into the POS's focused field and press Enter, as the scanner does; wait for
    the answer: its message or the cart changes (two lots of one product answer with the same
    "Added: name", so the message alone is not enough)."""
    before = page.evaluate(POS_STATE_JS)
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_function(f"before => ({POS_STATE_JS})() !== before", arg=before)
