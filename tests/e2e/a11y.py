"""Accessibility helpers for the browser tests: axe-core injected into the page by the test, and
a crawler that finds a role's pages by following its menu and the links on those pages.

axe-core comes from the npm registry (`make e2e` runs `npm install axe-core@4` into
tests/e2e/node_modules when it is missing); the app never serves it.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("critical", "serious")
WIDE = {"width": 1366, "height": 800}
NARROW = {"width": 390, "height": 844}

# Links a crawler must not follow: downloads, printouts that print themselves, the API docs,
# and anything that is not a page of the app.
_SKIP = re.compile(r"\.(pdf|csv|png|json)$|^/api/|^/static/|^/bootstrap/|/logout$|/lang/")


def page_pattern(path):
    """A route pattern for a path: ids replaced, so one lot page stands for all lots."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def crawl_links(page, base_url):
    """Same-site page links of the current page (menu and content), without query strings."""
    hrefs = page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base_url or _SKIP.search(parts.path):
            continue
        found.append(parts.path)
    return found


def run_axe(page):
    """axe-core's WCAG 2.0/2.1 A and AA rules (plus best practices) on the current page: the
    violations of critical or serious impact, as (rule id, impact, help, [targets])."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's Content-Security-Policy (scripts
        # of the app's own origin and nonce only) rightly refuses an injected <script> tag.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations'],
              runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => [v.id, v.impact, v.help,
              v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n')[1])]);
        }""")
    return [v for v in result if v[1] in FAILING_IMPACTS]


def crawl(page, base_url, start, max_pages=None, depth=None):
    """Breadth-first over the pages reachable from `start` (the menu links and the home page),
    one page per route pattern (a path with a query string is a pattern of its own), `depth`
    clicks deep and at most `max_pages` patterns (None: no limit, as deep as links go).
    Yields each path after loading it."""
    seen, queue = set(), [(path, 0) for path in start]
    while queue and (max_pages is None or len(seen) < max_pages):
        path, level = queue.pop(0)
        pattern = page_pattern(path)
        if pattern in seen:
            continue
        seen.add(pattern)
        response = page.goto(path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        page.wait_for_load_state("load")
        yield path
        if depth is None or level < depth:
            queue.extend((link, level + 1) for link in crawl_links(page, base_url)
                         if page_pattern(link) not in seen)
