"""Issue 11, words not codes: no template prints a unit or movement code as it is stored (every
one goes through web.labels' translated tables, `|unit`, `movement_label()`...), and no PDF
writes a date with strftime (web.locale.day / moment: one format, one clock)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Shown as text (an attribute value such as data-kind="{{ r.kind }}" is for scripts and tests).
RAW_CODE = re.compile(r"(?<!=\")\{\{[^}]*\.(uom|content_uom|kind|unit|location_kind)\s*\}\}")
PDF_MODULES = ["warehouse/reception_pdf.py", "warehouse/labels_pdf.py", "transfers/documents_pdf.py",
               "transfers/count_sheet_pdf.py", "portal/documents_pdf.py", "portal/statement_pdf.py",
               "shop/receipts_pdf.py", "shop/receipt_data.py", "documents/pdf.py"]


def test_templates_print_no_raw_unit_or_kind():
    found = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in (ROOT / "templates").rglob("*.html")
             for m in RAW_CODE.finditer(path.read_text(encoding="utf-8"))]
    assert not found, "codes shown as stored (use |unit, movement_label(), ...):\n" + "\n".join(found)


def test_pdfs_format_dates_through_the_locale_layer():
    found = [name for name in PDF_MODULES if "strftime(" in (ROOT / name).read_text(encoding="utf-8")]
    assert not found, f"strftime in {found}: use web.locale.day / moment"


def test_units_on_printed_documents_are_words(app):
    from warehouse.labels_pdf import net_content_text
    from warehouse.reception_pdf import _qty
    from web.labels import pdf_unit

    assert _qty(__import__("decimal").Decimal("26.500"), "kg") == "26,5 kg"
    assert _qty(__import__("decimal").Decimal("12"), "pc") == "12 pce"
    assert pdf_unit("pc", "ar") == "قطعة" and net_content_text("2", "pc") == "2 pce"
