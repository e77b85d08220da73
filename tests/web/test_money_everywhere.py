"""Issue 11, one format: a money amount reads the same on pages (web.locale), on PDFs (the 80 mm
receipt's fmt), in reports (tables, charts, map: web.locale.figure) and on the portal's chart,
in French and in Arabic."""
from decimal import Decimal

import pytest

from portal.charts import sales_chart_svg
from web.locale import figure as fmt
from shop.receipts_pdf import fmt as receipt_fmt
from web import locale

AMOUNTS = [Decimal("1234.50"), Decimal("-1080.64"), Decimal("0.05"), Decimal("1342.88"),
           Decimal("6990")]


@pytest.mark.parametrize("lang,grouped", [("fr", "1\u202f234,50"), ("ar", "1.234,50")])
def test_money_reads_the_same_on_pages_pdfs_reports_and_charts(app, lang, grouped):
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        assert locale.language() == lang
        assert locale.money(AMOUNTS[0]) == grouped
        for value in AMOUNTS:
            page = locale.money(value)
            assert receipt_fmt(value) == page, (lang, value)          # receipts and Z reports
            assert fmt(value, "money") == page, (lang, value)         # report tables
            assert fmt(value, "int") == locale.number(value, 0)       # report charts' axes
        assert "-1" in locale.money(AMOUNTS[1]) and not locale.money(AMOUNTS[1]).endswith("-")
        # The portal's chart: its values are grouped as the page's amounts are.
        svg = sales_chart_svg("t", ["2026-03"], {"Boutique": [12345]}, "none")
        assert locale.number(Decimal(12345), 0) in svg
        other = "12 345" if lang == "ar" else "12.345"
        assert other not in svg
