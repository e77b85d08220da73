"""Labels: every barcode on every label of every layout decodes (zbar) to the right GTIN,
best-before and lot; bars respect GS1's minimum X-dimension; the API's options work."""
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from tests.warehouse.conftest import client_as, forget_user
from warehouse.labels_pdf import GS1_X_MIN, LAYOUTS, LabelData, code128, gs1_element_strings, render_labels

ZBAR = shutil.which("zbarimg")
PDFTOPPM = shutil.which("pdftoppm")
needs_zbar = pytest.mark.skipif(not (ZBAR and PDFTOPPM),
                                reason="zbarimg (zbar-tools) or pdftoppm (poppler-utils) not installed")
DPI = 300
GTIN = "6119204100011"
WITH_GTIN = LabelData("DAT-2611-0007", "Dattes Aziza – boîte 500 g", "تمور عزيزة – علبة 500 غ",
                      "Coopérative Zenaga des dattes de Figuig", "تعاونية زناكة لتمور فكيك", "500 g",
                      date(2027, 10, 15), GTIN, Decimal("55.00"))
NO_GTIN = LabelData("DAT-2611-0012", "Dattes Boufeggous – barquette 500 g", "تمور بوفقوس – علبة 500 غ",
                    "Coopérative Zenaga des dattes de Figuig", "تعاونية زناكة لتمور فكيك", "500 g",
                    date(2027, 6, 30))


def zbar(path):
    """Symbols zbar reads in one image, as "TYPE:data" strings."""
    out = subprocess.run([ZBAR, "--nodbus", "--quiet", str(path)], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if line]


def decode_pdf(pdf, folder):
    """Rasterise a PDF at 300 dpi and decode every page."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "labels.pdf").write_bytes(pdf)
    subprocess.run([PDFTOPPM, "-r", str(DPI), "-png", str(folder / "labels.pdf"), str(folder / "p")],
                   check=True)
    return [s for png in sorted(folder.glob("p*.png")) for s in zbar(png)]


def decode_each_label(pdf, layout, folder, count, start=1):
    """Decode each label on its own (zbar reports identical symbols on one image once)."""
    decode_pdf(pdf, folder)
    lay = LAYOUTS[layout]
    scale = DPI / 72
    pages = sorted(folder.glob("p*.png"))
    found = []
    for n in range(count):
        slot = start - 1 + n
        page, index = divmod(slot, lay.per_page)
        x, y = lay.position(index)
        image = Image.open(pages[page])
        top = image.height - (y + lay.label_h) * scale
        box = (int(x * scale), int(top), int((x + lay.label_w) * scale), int(top + lay.label_h * scale))
        crop = folder / f"label{n}.png"
        image.crop(box).save(crop)
        found.append(zbar(crop))
    return found


@needs_zbar
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_barcode_of_every_label_decodes(layout, tmp_path):
    per_page = LAYOUTS[layout].per_page
    start = 3 if per_page > 1 else 1
    pdf = render_labels([(WITH_GTIN, 2), (NO_GTIN, 1)], layout, start=start)
    labels = decode_each_label(pdf, layout, tmp_path, 3, start)
    for symbols in labels[:2]:
        data = "".join(s.split(":", 1)[1] for s in symbols if s.startswith("CODE-128:"))
        assert f"EAN-13:{GTIN}" in symbols
        # (01) GTIN-14, (17) best-before, (10) lot last — in one symbol or two.
        assert data in ("0106119204100011" "17271015" "10DAT-2611-0007",
                        "10DAT-2611-0007" "0106119204100011" "17271015"), symbols
    assert labels[2] == ["CODE-128:DAT-2611-0012"]


@needs_zbar
def test_start_skips_used_positions(tmp_path):
    pdf = render_labels([(NO_GTIN, 1)], "a4-3x8", start=5)
    labels = decode_each_label(pdf, "a4-3x8", tmp_path, 1, start=1)
    assert labels == [[]]  # position 1 left empty
    assert decode_each_label(pdf, "a4-3x8", tmp_path / "b", 1, start=5) == [["CODE-128:DAT-2611-0012"]]


def test_bars_respect_gs1_minimum_and_fit_the_label():
    for layout in LAYOUTS.values():
        assert layout.gs1_x >= GS1_X_MIN
        split, full = gs1_element_strings(WITH_GTIN)
        for value, _hri in (split if layout.split_gs1 else full):
            assert code128(value, layout.gs1_x, 20).width <= layout.label_w


def test_gs1_lot_comes_last():
    _split, full = gs1_element_strings(WITH_GTIN)
    assert full[0][0] == "\xf1" + "0106119204100011" + "17271015" + "10DAT-2611-0007"
    assert full[0][1] == "(01)06119204100011(17)271015(10)DAT-2611-0007"


def test_labels_api_options(app, auth, ids):
    from models.warehouse_packaging import package
    from models.warehouse_receptions import receive

    rec = receive(cooperative_id=ids["figuig"], location_id=ids["pack"], lines=[{
        "product_id": ids["dates"], "quantity_delivered": "10", "quantity_accepted": "10"}])
    run = package(location_id=ids["pack"], inputs=[{"lot_id": rec.lines[0].lot_id, "quantity": "5"}],
                  output_product_id=ids["box500"], output_units=10)
    from extensions import db

    db.session.commit()
    client = auth.client_for("operateur")
    url = f"/api/v1/lots/{run.output_lot_id}/labels.pdf"
    r = client.get(url + "?copies=30&layout=a4-2x7&start=3&price=1")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.data.count(b"/Type /Page\n") + r.data.count(b"/Type /Page ") >= 1
    assert client.get(url + "?layout=a5").status_code == 422
    assert client.get(url + "?copies=0").status_code == 422
    assert client.get("/api/v1/lots/999999/labels.pdf").status_code == 404
    cashier = client_as(auth, "caissier")
    assert cashier.get(url).status_code == 403
    forget_user()
    page = client.get(f"/warehouse/lots/{run.output_lot_id}/labels?copies=10&layout=58x40&start=1")
    assert page.status_code == 200 and "labels.pdf" in page.get_data(as_text=True)
