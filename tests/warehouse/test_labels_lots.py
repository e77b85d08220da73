"""Issue 13: every label names its lot in the symbol a scanner reads first — the top symbol of
a split label carries (10); layouts with room add a GS1 DataMatrix (01)(17)(10) (dmtxread)."""
import shutil
import subprocess

import pytest
from PIL import Image

from models.stock_codes import parse_gs1
from tests.warehouse.test_labels import DPI, GTIN, NO_GTIN, WITH_GTIN, decode_pdf, zbar
from warehouse.labels_pdf import LAYOUTS, gs1_datamatrix_string, render_labels

DMTXREAD = shutil.which("dmtxread")
needs_tools = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                 reason="zbar-tools or poppler-utils not installed")


def _label_png(pdf, layout, folder, slot=0):
    """The first page's label `slot` as its own PNG."""
    decode_pdf(pdf, folder)
    lay = LAYOUTS[layout]
    scale = DPI / 72
    image = Image.open(sorted(folder.glob("p*.png"))[0])
    x, y = lay.position(slot)
    top = image.height - (y + lay.label_h) * scale
    crop = folder / f"label{slot}.png"
    image.crop((int(x * scale), int(top), int((x + lay.label_w) * scale),
                int(top + lay.label_h * scale))).save(crop)
    return crop, image.crop((int(x * scale), int(top), int((x + lay.label_w) * scale),
                             int(top + lay.label_h * scale)))


@needs_tools
@pytest.mark.parametrize("layout", [name for name, lay in LAYOUTS.items() if lay.split_gs1])
def test_top_symbol_of_a_split_label_names_the_lot(layout, tmp_path):
    pdf = render_labels([(WITH_GTIN, 1)], layout)
    _path, label = _label_png(pdf, layout, tmp_path)
    # The bar area is the lower half; its upper part is the top symbol.
    w, h = label.size
    bars = label.crop((0, int(h * 0.45), w, h))
    top = bars.crop((0, 0, w, bars.size[1] // 2))
    top.save(tmp_path / "top.png")
    symbols = [s for s in zbar(tmp_path / "top.png") if s.startswith("CODE-128:")]
    assert len(symbols) == 1
    parts = parse_gs1(symbols[0].split(":", 1)[1])
    assert parts["10"] == WITH_GTIN.lot_code


@pytest.mark.skipif(not DMTXREAD, reason="dmtxread (dmtx-utils) not installed")
@pytest.mark.parametrize("layout", [name for name, lay in LAYOUTS.items() if lay.datamatrix])
def test_datamatrix_carries_gtin_best_before_and_lot(layout, tmp_path):
    pdf = render_labels([(WITH_GTIN, 1), (NO_GTIN, 1)], layout)
    path, _label = _label_png(pdf, layout, tmp_path)
    out = subprocess.run([DMTXREAD, "-n", "-N1", "-G", "29", str(path)], capture_output=True)
    text = out.stdout.decode("latin-1").strip()
    assert parse_gs1(text) == {"01": "0" + GTIN, "17": "271015", "10": "DAT-2611-0007"}, text
    codewords = subprocess.run([DMTXREAD, "-c", "-N1", str(path)], capture_output=True, text=True)
    assert codewords.stdout.splitlines()[0] == "d:232"  # FNC1 first: a GS1 DataMatrix


def test_datamatrix_string_is_built_by_stdnum():
    assert gs1_datamatrix_string(WITH_GTIN) == "\x1d0106119204100011" "17271015" "10DAT-2611-0007"


def test_lot_search_resolves_scans(client, auth, ids):
    """GET /lots/resolve: the one resolver over the API."""
    from models.warehouse_receptions import receive
    from extensions import db

    rec = receive(cooperative_id=ids["figuig"], location_id=ids["pack"], lines=[{
        "product_id": ids["dates"], "quantity_delivered": "10", "quantity_accepted": "10"}])
    db.session.commit()
    lot = rec.lines[0].lot
    h = auth.headers("operateur")
    r = client.get("/api/v1/lots/resolve", query_string={"code": lot.code, "location_id": ids["pack"]},
                   headers=h)
    assert r.status_code == 200 and r.get_json()["lot_id"] == lot.id
    assert client.get("/api/v1/lots/resolve", query_string={"code": "nothing-here"},
                      headers=h).status_code == 404
    assert client.get("/api/v1/lots/resolve", query_string={"code": lot.code},
                      headers=auth.headers("caissier")).status_code == 403
