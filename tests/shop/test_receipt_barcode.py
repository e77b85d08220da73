"""Issue 11, finding a sale for a refund: the receipt number as a Code 128 barcode on the printed
receipt (PDF) and on its page (inline SVG the CSP allows), read back by zbarimg; the shop's
sales list searched by receipt number, a scan of the barcode opening the sale's refund screen."""
import re
import shutil
import subprocess

import pytest

from tests.shop.shop_helpers import sale_body

needs_zbar = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                reason="zbarimg and pdftoppm (Debian's zbar-tools, poppler-utils)")


def _sale(client, headers, airport, shop_stock, ref="ref-bar"):
    """One sale at the airport shop (the sale JSON)."""
    r = client.post("/api/v1/sales", headers=headers, json=sale_body(
        airport.id, [{"lot_id": shop_stock["dates"].id, "quantity": "1"}],
        [{"method": "cash", "amount": "100"}], client_ref=ref))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _zbar(path):
    """The codes zbarimg reads in an image."""
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(path)], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line.strip()]


@needs_zbar
def test_receipt_pdf_carries_the_number_as_a_barcode(client, cashier_headers, airport, shop_stock,
                                                     open_till, tmp_path):
    sale = _sale(client, cashier_headers, airport, shop_stock)
    pdf = client.get(f"/api/v1/sales/{sale['id']}/receipt.pdf", headers=cashier_headers)
    assert pdf.status_code == 200
    (tmp_path / "r.pdf").write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "p")], check=True)
    found = [code for image in sorted(tmp_path.glob("p*.png")) for code in _zbar(image)]
    assert found == [sale["number"]]


@needs_zbar
def test_receipt_page_draws_the_barcode_as_inline_svg(auth, client, cashier_headers, airport,
                                                       shop_stock, open_till, tmp_path):
    sale = _sale(client, cashier_headers, airport, shop_stock)
    page = auth.client_for("caissier").get(f"/shop/sales/{sale['id']}/receipt")
    html = page.get_data(as_text=True)
    svg = re.search(r"<svg[^>]*class=\"barcode\".*?</svg>", html, re.S).group(0)
    # Inline, so the CSP must allow it: no style attribute, no script, no external reference.
    assert "style=" not in svg and "<script" not in svg and "href" not in svg
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert 'role="img"' in svg and sale["number"] in svg  # its label for screen readers
    # Read back: the SVG rasterised (chromium-free: reportlab's svglib is not here, so draw the
    # rectangles ourselves at 10 px per mm) and decoded by zbarimg.
    from PIL import Image, ImageDraw

    def mm(value):
        return float(value.replace("mm", "")) * 10

    width, height = (mm(v) for v in re.search(r'width="([\d.]+mm)" height="([\d.]+mm)"', svg).groups())
    image = Image.new("L", (int(width) + 40, int(height) + 40), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in re.findall(r'<rect x="([\d.]+mm)" y="([\d.]+mm)" width="([\d.]+mm)" height="([\d.]+mm)" fill="black"', svg):
        draw.rectangle([mm(x) + 20, mm(y) + 20, mm(x) + mm(w) + 20 - 1, mm(y) + mm(h) + 20], fill=0)
    image.save(tmp_path / "svg.png")
    assert _zbar(tmp_path / "svg.png") == [sale["number"]]


def test_sales_list_finds_a_receipt_and_a_scan_opens_its_refund(auth, client, cashier_headers,
                                                               airport, shop_stock, open_till):
    first = _sale(client, cashier_headers, airport, shop_stock, "ref-a")
    second = _sale(client, cashier_headers, airport, shop_stock, "ref-b")
    web = auth.client_for("caissier")
    page = f"/shop/{airport.id}/sales"
    html = web.get(page).get_data(as_text=True)
    assert 'name="q"' in html and first["number"] in html and second["number"] in html
    # A scan types the whole number (with the scanner's ]C0 prefix, or in lower case): the sale opens.
    for scanned in (second["number"], "]C0" + second["number"], second["number"].lower(), f"  {second['number']} "):
        r = web.get(page, query_string={"q": scanned})
        assert r.status_code == 302, scanned
        assert r.headers["Location"].endswith(f"/shop/sales/{second['id']}/refund")
    # Part of a number lists the matching receipts only.
    tail = first["number"][-3:]
    html = web.get(page, query_string={"q": tail}).get_data(as_text=True)
    assert first["number"] in html and second["number"] not in html
    # Nothing: a message beside the box, no 500 on wildcards.
    for nothing in ("NOPE-0", "%", "_", "\\"):
        r = web.get(page, query_string={"q": nothing})
        assert r.status_code == 200 and 'id="sale-none"' in r.get_data(as_text=True)
    # Another shop's cashier cannot search this shop.
    assert auth.client_for("caissier.stand").get(page, query_string={"q": first["number"]}).status_code == 403
