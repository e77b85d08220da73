"""Issue 11's acceptance: a working day in the browser, every form of every role.

For each role (admin, operator, cashier, cooperative) and each language (French, Arabic) the
test crawls the pages the user can reach from the menu (links of the same site, two clicks
deep), finds EVERY HTML form on them (a form added tomorrow is covered without editing this
file) and submits each as a person would:

- amounts and quantities (inputs with `inputmode=decimal`) typed the local way: "12,5" and a
  thousands-grouped "1 234,50" in French, "1.234,50" or "12,5" in Arabic;
- the first line of a line-row form filled, the other rows left blank;
- free text in Arabic with direction marks and isolates (what a phone pastes);
- a select on its first real choice, a date today, a password the user's own.

Each submission must answer below 500, and when it does not save (4xx) show a message beside a
field or in an alert, in the page's language (no English message on a French or Arabic page).
Every response the browser receives while doing so (page, fetch, redirect) must be below 500.
"""
import re
from urllib.parse import urljoin, urlparse

import pytest

from tests.e2e.conftest import DESKTOP, seeded_server
from tests.e2e.helpers import PASSWORDS, login, switch_language

ROLE_USERS = ["caissier", "coop.figuig", "operateur", "admin", "acheteur.hotel"]
LANGS = ["fr", "ar"]
MAX_PAGES = 45
SKIP_LINK = re.compile(r"(/logout|/lang/|\.pdf|\.csv|\.png|\.svg|/api/|/static/|/print|download"
                       r"|receipt|/labels\?|slip|/z\b|z-report|z_report|format=)", re.I)
ARABIC_TEXT = "\u2068تمور \u200fمجهول\u2069 \u200e(test)"
ENGLISH_HINTS = re.compile(r"\b(Not a valid|This field is required|Invalid [Cc]hoice|must be|"
                           r"Field must|is not a valid|cannot be|Please|Unknown)\b")
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")

FILL_JS = r"""
([form, values]) => {
  const filledRows = new Set();
  const rowOf = (el) => { const m = (el.name || '').match(/^([a-z_]+)-(\d+)-/); return m ? m[1] + m[2] : null; };
  const firstRow = (el) => { const m = (el.name || '').match(/^[a-z_]+-(\d+)-/); return !m || m[1] === '0'; };
  let decimalIndex = 0;
  for (const el of form.elements) {
    if (el.disabled || el.readOnly || el.type === 'hidden' || el.type === 'submit' || el.type === 'button') continue;
    if (!firstRow(el)) continue;            // rows after the first are left blank
    const name = (el.name || '');
    if (el.tagName === 'SELECT') {
      const opt = [...el.options].find(o => o.value !== '' && !o.disabled);
      if (opt && (el.value === '' || el.selectedIndex < 0)) el.value = opt.value;
      if (el.multiple && opt) opt.selected = true;
    } else if (el.type === 'checkbox' || el.type === 'radio') {
      // left as the page offers them
    } else if (el.type === 'password') {
      el.value = values.password;
    } else if (el.type === 'date') {
      if (!el.value) el.value = values.today;
    } else if (el.type === 'email') {
      el.value = 'personne' + values.stamp + '@example.ma';
    } else if (el.getAttribute('inputmode') === 'decimal' || el.inputMode === 'decimal') {
      el.value = values.decimals[decimalIndex % values.decimals.length]; decimalIndex++;
    } else if (el.type === 'number') {
      if (!el.value) el.value = '1';
    } else if (el.type === 'search' || /code|scan|q$|^q|search|gtin|number/i.test(name)) {
      if (!el.value) el.value = values.code;
    } else if (/username|login/i.test(name)) {
      el.value = 'user' + values.stamp;
    } else if (el.tagName === 'TEXTAREA' || el.type === 'text' || el.type === '' || el.type === 'tel') {
      if (!el.value || /note|reason|name|address|comment|reference/i.test(name)) el.value = values.text;
    }
  }
  return true;
}
"""


def _same_site_links(page, base):
    """Links of this page that stay on the site and are pages (not downloads or actions)."""
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(base, href)
        parsed = urlparse(url)
        if parsed.netloc != urlparse(base).netloc or SKIP_LINK.search(parsed.path + "?" + parsed.query):
            continue
        found.append(parsed.path + (("?" + parsed.query) if parsed.query else ""))
    return found


def _form_signature(form):
    """What makes two forms the same form: action path (ids folded) and input names."""
    action = re.sub(r"\d+", "N", urlparse(form["action"] or "").path)
    names = sorted(set(re.sub(r"-\d+-", "-N-", n) for n in form["names"]))
    return (form["method"], action, tuple(names))


def method_is_post(signature):
    return signature[0] == "post"


def _forms_on(page):
    return page.eval_on_selector_all(
        "form", "fs => fs.map((f, i) => ({index: i, action: new URL(f.getAttribute('action') || location.href, location.href).href,"
                " method: (f.getAttribute('method') || 'get').toLowerCase(),"
                " names: [...f.elements].map(e => e.name).filter(Boolean),"
                " isLang: /\\/lang\\//.test(f.getAttribute('action') || ''),"
                " isLogout: /\\/logout/.test(f.getAttribute('action') || '')}))")


def _messages(page):
    return page.eval_on_selector_all(
        ".invalid-feedback, .alert, .text-danger, [role=alert]",
        "ns => ns.map(n => n.innerText.trim()).filter(Boolean)")


def _use_language(page, lang):
    """Switch the interface language unless it is already the page's."""
    if page.evaluate("document.documentElement.lang") != lang:
        switch_language(page, lang)


def _crawl(page, base):
    """Pages reachable from the menu and home, two clicks deep (at most MAX_PAGES)."""
    seen, queue, pages = set(), ["/"], []
    queue += page.eval_on_selector_all("#mainnav a.nav-link", "as => as.map(a => a.getAttribute('href'))")
    depth = {q: 0 for q in queue}
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        key = re.sub(r"\d+", "N", path)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(path)
        assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
        if response.status >= 400 or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        pages.append(path)
        if depth[path] < 2:
            for link in _same_site_links(page, base):
                if link not in depth:
                    depth[link] = depth[path] + 1
                    queue.append(link)
    return pages


def _settle(page, document_request):
    """Wait until a submitted form's answer is the page shown (redirects followed)."""
    if document_request:
        for _ in range(80):
            try:
                if page.evaluate("!window.__beforeSubmit"):
                    break
            except Exception:  # noqa: BLE001 - the old document is going away
                pass
            page.wait_for_timeout(100)
    else:
        page.wait_for_timeout(400)
    try:
        page.wait_for_load_state("load", timeout=8000)
    except Exception:  # noqa: BLE001
        pass


def _submit(page, index, values):
    """Fill form number `index` as a person would and submit it; the POST/GET response."""
    form = page.locator("form").nth(index)
    handle = form.element_handle()
    page.evaluate(FILL_JS, [handle, values])
    method = (handle.get_attribute("method") or "get").lower()
    page.evaluate("window.__beforeSubmit = true")
    try:
        with page.expect_response(lambda r: r.request.resource_type in ("document", "fetch", "xhr")
                                  and r.request.method == method.upper(), timeout=5000) as info:
            page.evaluate("f => (f.requestSubmit ? f.requestSubmit() : f.submit())", handle)
        response = info.value
    except Exception:  # noqa: BLE001 - a form whose script answers without a request
        return None
    _settle(page, response.request.resource_type == "document")
    return response


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A server of its own: this test edits whatever a form offers (names, rates, users), so
    it must not change the demo data the other browser tests read."""
    with seeded_server(tmp_path_factory.mktemp("every-form"), "forms") as server:
        yield server


@pytest.fixture
def form_page(browser, own_server):
    """A desktop page on this module's own server."""
    context = browser.new_context(base_url=own_server.url, viewport=DESKTOP, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("username", ROLE_USERS)
def test_every_form_takes_what_a_person_types(form_page, own_server, username, lang):
    page, live_server = form_page, own_server
    failures, bad_statuses, covered = [], [], []
    page.on("response", lambda r: r.status >= 500 and bad_statuses.append(f"{r.request.method} {r.url} {r.status}"))
    login(page, username)
    _use_language(page, lang)
    base = live_server.url
    pages = _crawl(page, base)
    assert len(pages) >= 3, pages
    done = set()
    stamp = 0
    for path in pages:
        page.goto(path)
        for form in _forms_on(page):
            if form["isLang"] or form["isLogout"]:
                continue
            signature = _form_signature(form)
            if signature in done:
                continue
            done.add(signature)
            stamp += 1
            decimals = ["12,5", "1 234,50"] if lang == "fr" else ["12,5", "1.234,50"]
            values = {"decimals": decimals, "text": ARABIC_TEXT, "code": "]C1" + "0106111234567895",
                      "today": page.evaluate("new Date().toISOString().slice(0, 10)"),
                      "password": PASSWORDS[username], "stamp": f"{lang}{stamp}"}
            page.goto(path)
            forms_now = _forms_on(page)
            match = [f for f in forms_now if _form_signature(f) == signature]
            if not match:
                continue
            response = _submit(page, match[0]["index"], values)
            covered.append((path, signature[1]))
            if response is None:
                continue
            if response.status >= 500:
                failures.append(f"{path} form {signature[1]}: {response.status}")
                continue
            if response.status < 400 and method_is_post(signature):
                shown = page.inner_text("body").replace("\u202f", " ").replace("\u00a0", " ")
                for wrong in ("123 450", "123.450", "123450"):  # "1 234,50" read 100 times too big
                    if wrong in shown:
                        failures.append(f"{path} form {signature[1]}: {wrong} shown after typing 1 234,50")
            if 400 <= response.status < 500 and "text/html" in (response.headers.get("content-type") or ""):
                shown = _messages(page)
                if not shown:
                    failures.append(f"{path} form {signature[1]}: {response.status} without a message")
                for message in shown:
                    if lang == "fr" and ENGLISH_HINTS.search(message):
                        failures.append(f"{path} form {signature[1]}: English message {message!r}")
                    if lang == "ar" and not ARABIC_LETTER.search(message):
                        failures.append(f"{path} form {signature[1]}: untranslated message {message!r}")
            if "/login" in page.url or page.locator("form[action$='/logout']").count() == 0:  # a form signed us out
                login(page, username)
                _use_language(page, lang)
    print(f"{username}/{lang}: {len(pages)} pages, {len(covered)} forms submitted")
    assert not bad_statuses, bad_statuses
    assert not failures, "\n".join(failures)
    assert covered, "no form found"
