"""The shared scan vectors (tests/fixtures/scan_vectors.json) against the till's offline script
(static/js/till_scan.js) in Chromium, on the catalogue the server gives the till for the same
world: the answers must be the server's (tests/shop/test_scan_vectors.py)."""
import json
from pathlib import Path

from models.clock import today
from models.sales_offline import catalogue
from tests.fixtures.scan_world import build_world, vectors

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "till_scan.js"

RESOLVE = """([codes, cat, day]) => codes.map(code => {
  const r = window.TadamonScan.resolve(code, cat, day);
  if (r.lot) return {lot: r.lot.lot_code};
  if (r.error === "choose_lot") return {error: r.error, candidates: r.candidates.map(c => c.lot_code)};
  return {error: r.error};
})"""


def test_the_tills_script_resolves_every_vector_like_the_server(app, browser):
    with app.test_request_context():
        shop_id = build_world()
        cat = json.loads(json.dumps(catalogue(shop_id)))
        day = today().isoformat()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><title>vectors</title>")
        page.add_script_tag(path=str(SCRIPT))
        cases = vectors()
        got = page.evaluate(RESOLVE, [[code for code, _ in cases], cat, day])
    finally:
        context.close()
    wrong = [(code, expected, answer) for (code, expected), answer in zip(cases, got) if answer != expected]
    assert not wrong, wrong
