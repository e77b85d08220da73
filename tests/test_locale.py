"""Issue 11: the one locale layer (web/locale.py), the shared fields (web/fields.py), the one
PDF bidi function (documents/pdf.shape), the one CSV writer (web/csvfile.py), the one clock."""
import io
import subprocess
import unicodedata
from datetime import datetime
from decimal import Decimal

import pytest

from documents.pdf import FONT, register_fonts, shape
from web import locale
from web.csvfile import csv_text


@pytest.mark.parametrize("typed,value", [
    ("12,5", "12.5"), ("1 234,50", "1234.50"), ("1\u00a0234,50", "1234.50"),
    ("1\u202f234,50", "1234.50"), ("1234.50", "1234.50"), ("\u200f12,5\u200e", "12.5"),
    ("\u2068500,00\u2069", "500.00"), ("١٢٫٥", "12.5"), ("-3", "-3"), ("  7 ", "7"),
])
def test_amounts_are_read_as_a_person_types_them(typed, value):
    assert locale.parse_amount(typed, "fr") == Decimal(value)


@pytest.mark.parametrize("typed", ["12 5", "1.234,5", "1,234.50", "abc", "12,5,3", "NaN", "1e5", "Infinity"])
def test_ambiguous_or_nonsense_is_refused_not_guessed(typed):
    with pytest.raises(locale.AmountError):
        locale.parse_amount(typed, "fr")


def test_arabic_grouping_in_arabic():
    assert locale.parse_amount("1.234,50", "ar") == Decimal("1234.50")
    assert locale.parse_amount("", "ar") is None


def test_one_format_per_language():
    assert locale.money(Decimal("1234.5"), "fr") == "1\u202f234,50"
    assert locale.money(Decimal("-10.5"), "fr").startswith("-")
    assert locale.money(Decimal("1234.5"), "ar").replace("\u200e", "").replace("\u061c", "") == "1.234,50"
    assert locale.qty(Decimal("25.000"), "fr") == "25"
    assert locale.qty(Decimal("2.500"), "fr") == "2,5"
    assert "E" not in locale.qty(Decimal("2E+1"), "fr")


def test_one_clock_zoneinfo_from_config(app):
    with app.app_context():
        moment = datetime(2026, 11, 29, 18, 3)  # stored naive UTC
        assert locale.to_local(moment).strftime("%H:%M") == "19:03"
        assert locale.moment(moment, "fr") == "29/11/2026 19:03"
        assert locale.clock_time(moment, "ar") == "19:03"
        assert locale.platform_tz().key == app.config["BABEL_DEFAULT_TIMEZONE"]


def test_line_rows_ignore_blank_rows_and_name_the_row(app):
    from werkzeug.datastructures import MultiDict

    from transfers.forms import TransferForm

    with app.test_request_context("/", method="POST", headers={"Accept-Language": "fr"}):
        data = MultiDict({"from_location_id": "1", "to_location_id": "2", "kind": "",
                          "lines-0-lot_code": "L-1", "lines-0-quantity": "1 234,5",
                          "lines-1-lot_code": "", "lines-1-quantity": "",
                          "lines-2-lot_code": "L-2", "lines-2-quantity": "douze"})
        form = TransferForm(formdata=data, meta={"csrf": False})
        form.from_location_id.choices = [(1, "a")]
        form.to_location_id.choices = [(2, "b")]
        assert not form.validate()
        assert form.lines[0].quantity.data == Decimal("1234.5")
        assert form.lines[1].quantity.errors == [] and form.lines[0].quantity.errors == []
        assert form.lines[2].quantity.errors[0].startswith("Ligne 3")
        assert [i for i, _row in form.lines.filled()] == [0, 2]


def test_amount_inputs_are_text_with_a_decimal_keyboard(app):
    from shop.forms import CloseTillForm

    with app.test_request_context("/"):
        html = str(CloseTillForm(meta={"csrf": False}).counted_cash())
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "number" not in html


def _pdf_text(draw, tmp_path):
    from reportlab.pdfgen import canvas

    register_fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(FONT, 11)
    draw(c)
    c.save()
    path = tmp_path / "t.pdf"
    path.write_bytes(buf.getvalue())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return "".join(ch for ch in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(ch) != "Cf")


def test_mixed_lines_read_back_in_order_and_isolates_never_fail(tmp_path):
    line = "Vente · \u2068وصل البيع\u2069 VEN-0001 · \u2067تمور مجهول\u2069"
    text = _pdf_text(lambda c: (c.drawString(40, 700, shape(line)),
                                c.drawRightString(550, 650, shape("الاسترجاع: -10,50 درهم"))), tmp_path)
    assert "وصل البيع" in text and "تمور مجهول" in text and "VEN-0001" in text
    assert "-10,50" in text and "الاسترجاع" in text
    for odd in ("\u2066\u2067\u2068\u2069", "\u202e\u202dabc\u202c", "\x00\x1b", "", None):
        shape(odd)


def test_csv_cells_never_become_formulas():
    text = csv_text(["product", "amount"], [["=HYPERLINK(\"x\")", Decimal("-12.50")],
                                            ["+1", "-3.5"], ["@SUM(A1)", None], ["\tx", 1]])
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[1].endswith(",-12.50")
    assert lines[2] == "'+1,-3.5" and lines[3] == "'@SUM(A1)," and lines[4].startswith("'\tx")


def test_sheet_dialect_is_french_excel_ready(app):
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        text = csv_text(["lot", "quantity"], [["L-1", Decimal("2.500")]], dialect="sheet")
    assert text.startswith("\ufeff") and text.splitlines()[1] == "L-1;2,500"
    assert text.splitlines()[0].lstrip("\ufeff") == "Lot;Quantité"


def test_negative_figures_on_arabic_pages_keep_their_sign_in_front(app):
    """In a right-to-left page "-6,00" would show as "6,00-": the page filters put a
    left-to-right mark before a negative figure in Arabic (as CLDR's ar-MA minus sign), and
    nothing anywhere else (French pages, positive figures, PDFs and CSVs use the bare text)."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ a|money }}|{{ q|qty }}|{{ r|percent }}|{{ p|money }}"
    values = {"a": Decimal("-1234.5"), "q": Decimal("-6"), "r": Decimal("-0.155"), "p": Decimal("6")}
    with app.test_request_context():
        with force_locale("ar"):
            arabic = render_template_string(template, **values).split("|")
        with force_locale("fr"):
            french = render_template_string(template, **values).split("|")
    assert [text[0] for text in arabic[:3]] == [locale.LRM] * 3, arabic
    assert arabic[0] == locale.LRM + locale.money(Decimal("-1234.5"), "ar")
    assert arabic[3] == locale.money(Decimal("6"), "ar") and locale.LRM not in arabic[3]
    assert french == [locale.money(Decimal("-1234.5"), "fr"), "-6", locale.percent(Decimal("-0.155"), "fr"),
                      "6,00"], french
    assert locale.LRM not in locale.money(Decimal("-6"), "ar")  # PDFs and CSVs: the bare text
