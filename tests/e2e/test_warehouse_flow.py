"""The operator's day in the browser: receive a cooperative's delivery through the reception
form, package part of it through the packaging-run form, and open the labels PDF."""
import re

from tests.e2e.helpers import (amount, login, pdf_barcodes, pdf_text, select_option_containing,
                               visible_errors)

BULK_DATES = "DAT-AZ-VRAC"      # Aziza dates in bulk, sold by the kg
BOX_500G = "DAT-AZ-500"         # the 500 g box, GTIN 6119204100011
BOX_GTIN = "6119204100011"


def receive_dates(page):
    """Fill and send the reception form: 100 kg delivered, 98 accepted, 2 rejected with a
    reason. Returns the new lot's (id, code) read from the reception page."""
    page.goto("/warehouse/receptions/new")
    select_option_containing(page, "select[name=cooperative_id]", "Zenaga")
    select_option_containing(page, "select[name=location_id]", "réception")
    select_option_containing(page, "select[name='lines-0-product_id']", f"({BULK_DATES})")
    page.fill("input[name='lines-0-quantity_delivered']", "100")
    page.fill("input[name='lines-0-quantity_accepted']", "98")
    page.fill("input[name='lines-0-quantity_rejected']", "2")
    page.fill("input[name='lines-0-rejection_reason']", "Fruits abîmés par la pluie")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert re.search(r"/warehouse/receptions/\d+$", page.url), visible_errors(page)
    row = page.locator("table tbody tr").first
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert amount(cells[1]) == 100 and amount(cells[2]) == 98 and amount(cells[3]) == 2, cells
    assert cells[4] == "Fruits abîmés par la pluie"
    lot_link = row.locator("a[href*='/warehouse/lots/']")
    lot_id = int(lot_link.get_attribute("href").rstrip("/").split("/")[-1])
    return lot_id, lot_link.inner_text().strip()


def test_operator_receives_packages_and_prints_labels(page, tmp_path):
    login(page, "operateur")  # in French, whatever an earlier test of this worker left
    bulk_lot_id, bulk_code = receive_dates(page)

    # The reception's "Package" button opens the run form with the new lot chosen.
    with page.expect_navigation():
        page.click(f"a[href$='/warehouse/packaging/new?lot_id={bulk_lot_id}']")
    assert page.input_value("select[name='inputs-0-lot_id']") == str(bulk_lot_id)
    select_option_containing(page, "select[name=location_id]", "réception")  # where the lot is
    page.fill("input[name='inputs-0-quantity']", "50")
    select_option_containing(page, "select[name=output_product_id]", f"({BOX_500G})")
    page.fill("input[name=output_units]", "100")
    page.fill("input[name=waste_quantity]", "0")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert re.search(r"/warehouse/packaging/\d+$", page.url), visible_errors(page)
    # The run's figures, by position (labels are translated): units packed, consumed.
    figures = page.locator("dl dd").all_inner_texts()
    assert amount(figures[1]) == 100, figures
    assert amount(figures[5].split()[0]) == 50, figures
    output_code = page.locator("dl dd a[href*='/warehouse/lots/']").first.inner_text().strip()
    assert output_code and output_code != bulk_code

    # What is left of the bulk lot: 98 accepted − 50 packaged.
    page.goto(f"/warehouse/lots/{bulk_lot_id}")
    assert "48" in page.inner_text("main")

    # Labels: the run's button, the options form (one label per box by default), the PDF link.
    page.go_back()
    with page.expect_navigation():
        page.click("a[href*='/labels']")
    assert page.input_value("input[name=copies]") == "100"
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    link = page.locator("a[href*='labels.pdf']")
    assert link.count() == 1, visible_errors(page)
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    text = pdf_text(pdf, tmp_path)
    assert output_code in text
    assert text.count(output_code) >= 24  # a full A4 sheet of 3 × 8 on the first page at least
    # One barcode read back as a scanner would: GS1 data with the box's GTIN and the lot.
    codes = pdf_barcodes(pdf, tmp_path)
    assert codes, "zbarimg read no barcode on the labels"
    assert any(BOX_GTIN in c for c in codes) and any(output_code in c for c in codes), codes[:4]
