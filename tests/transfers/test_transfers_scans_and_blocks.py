"""Issue 13 in the transfer, return, count and request forms: scans through the one resolver
(GS1 with its lot, a lot code, an EAN-13 only when one lot of it is on hand there, otherwise
the candidates listed); a blocked lot is refused in a transfer (services, not only pages)."""
from decimal import Decimal

import pytest

from extensions import db
from models.errors import DomainError
from models.ledger import available, integrity_mismatches
from models.stock_blocks import block_lot, unblock_lot
from models.transfers import Transfer
from models import transfers_posting
from tests.transfers.transfer_helpers import FIGUIG, TAOURIRT, TODAY, make_lot, product


def gs1(gtin, lot_code, best_before):
    """A GS1-128 string as a scanner types it."""
    return f"]C1010{gtin}17{best_before:%y%m%d}10{lot_code}"


def new_transfer(client, ids, code, qty="1"):
    """POST the new-transfer form with one line."""
    return client.post("/transfers/new", data={
        "from_location_id": ids["WH-STOCK"], "to_location_id": ids["SHOP-AIRPORT"], "kind": "",
        "lines-0-lot_code": code, "lines-0-quantity": qty})


def test_transfer_form_reads_every_label_scan(auth, stock, ids):
    operator = auth.client_for("operateur")
    dates = product("DAT-AZ-500")
    late = db.session.get(__import__("models.stock", fromlist=["Lot"]).Lot, stock["late"])
    r = new_transfer(operator, ids, gs1(dates.gtin, late.code, late.best_before))
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    transfer = db.session.get(Transfer, int(r.headers["Location"].rstrip("/").split("/")[-1]))
    assert [line.lot_id for line in transfer.lines] == [stock["late"]]
    # The EAN-13 names two usable lots of dates here: the form lists them, chooses neither.
    r = new_transfer(operator, ids, dates.gtin)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "DAT-L-001" in html and "DAT-L-002" in html
    assert "DAT-L-EXP" not in html.split("is-invalid", 1)[1][:2000]
    # The oil's EAN-13: one lot in the warehouse, taken directly.
    r = new_transfer(operator, ids, product("HUI-EV-1L").gtin)
    assert r.status_code == 302


def test_blocked_lot_is_refused_in_a_transfer(auth, stock, ids):
    operator = auth.client_for("operateur")
    r = operator.post(f"/warehouse/lots/{stock['late']}/block",
                      data={"reason": "Rappel DAT", "descendants": "1", "from": "recall"})
    assert r.status_code == 302 and "/recall" in r.headers["Location"]
    r = new_transfer(operator, ids, "DAT-L-002")
    assert r.status_code == 422 and "Rappel DAT" in r.get_data(as_text=True)
    with pytest.raises(DomainError) as err:
        transfers_posting.create_transfer(ids["WH-STOCK"], ids["SHOP-AIRPORT"],
                                          [{"lot_id": stock["late"], "quantity": "1"}])
    assert err.value.code == "lot_blocked"
    db.session.rollback()
    # Unblocking needs a reason.
    r = operator.post(f"/warehouse/lots/{stock['late']}/unblock", data={"reason": ""})
    assert r.status_code == 303
    assert operator.post(f"/warehouse/lots/{stock['late']}/unblock",
                         data={"reason": "Analyse conforme"}).status_code == 302
    assert new_transfer(operator, ids, "DAT-L-002").status_code == 302


def test_dispatch_of_a_lot_blocked_after_drafting_is_refused(auth, stock, ids):
    transfer = transfers_posting.create_transfer(ids["WH-STOCK"], ids["SHOP-AIRPORT"],
                                                 [{"lot_id": stock["early"], "quantity": "2"}])
    block_lot(stock["early"], "Rappel")
    db.session.commit()
    with pytest.raises(DomainError) as err:
        transfers_posting.dispatch_transfer(transfer.id)
    assert err.value.code == "lot_blocked"
    db.session.rollback()
    assert available(stock["early"], ids["WH-STOCK"]) == Decimal("50")
    # Back to its cooperative is still allowed.
    from models.transfers_returns import create_cooperative_return
    from tests.transfers.transfer_helpers import coop

    create_cooperative_return(coop(FIGUIG).id, ids["WH-STOCK"],
                              [{"lot_id": stock["early"], "quantity": "5"}], "Rappel")
    db.session.commit()
    assert available(stock["early"], ids["WH-STOCK"]) == Decimal("45")
    unblock_lot(stock["early"], "fin")
    db.session.commit()
    assert integrity_mismatches() == []


def test_count_and_request_forms_take_scans(auth, stock, ids):
    operator = auth.client_for("operateur")
    r = operator.post("/transfers/counts", data={"location_id": ids["WH-STOCK"]})
    assert r.status_code == 302
    url = r.headers["Location"]
    # A GS1 scan of a lot in the add row is read as that lot.
    oil = product("HUI-EV-1L")
    make_lot("HUI-L-NEW", "HUI-EV-1L", TAOURIRT, TODAY.replace(year=TODAY.year + 2), 0 or 1, at="SHOP-AIRPORT")
    db.session.commit()
    r = operator.post(url, data={"add_lot_code": gs1(oil.gtin, "HUI-L-NEW", TODAY.replace(year=TODAY.year + 2)),
                                 "add_counted": "1"})
    assert r.status_code == 302
    assert "HUI-L-NEW" in operator.get(url).get_data(as_text=True)
    # A replenishment request line takes a scanned EAN-13 as its product.
    cashier = auth.client_for("caissier")
    r = cashier.post("/transfers/requests", data={"shop_id": ids["SHOP-AIRPORT"], "lines-0-product_id": "0",
                                                  "lines-0-code": oil.gtin, "lines-0-quantity": "3"})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    r = cashier.post("/transfers/requests", data={"shop_id": ids["SHOP-AIRPORT"], "lines-0-product_id": "0",
                                                  "lines-0-code": "NOPE-123", "lines-0-quantity": "3"})
    assert r.status_code == 422


def test_count_sheet_carries_each_lots_barcode(stock, ids, tmp_path):
    import shutil
    import subprocess

    from models import transfers_counts
    from transfers.documents_pdf import count_sheet

    if not (shutil.which("pdftoppm") and shutil.which("zbarimg")):
        pytest.skip("poppler-utils or zbar-tools not installed")
    count = transfers_counts.start_count(ids["WH-STOCK"])
    db.session.commit()
    (tmp_path / "sheet.pdf").write_bytes(count_sheet(count))
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(tmp_path / "sheet.pdf"), str(tmp_path / "p")],
                   check=True)
    found = set()
    for png in tmp_path.glob("p*.png"):
        out = subprocess.run(["zbarimg", "--nodbus", "--quiet", str(png)], capture_output=True, text=True)
        found |= {line.split(":", 1)[1] for line in out.stdout.splitlines() if line}
    assert {"DAT-L-EXP", "DAT-L-001", "DAT-L-002", "HUI-L-001"} <= found
