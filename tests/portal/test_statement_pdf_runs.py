"""Issue 18: the year's statement PDF writes its entries' text itself (portal.statement_pdf
._Runs: reportlab's subset codes, encoded once per character), fits wordings by bisection, and
formats its times through web.locale.moments. Each must give what reportlab's text object,
the character-by-character fit and web.locale.moment gave."""
import random
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from reportlab.lib.pagesizes import A4

from documents.pdf import FONT, register_fonts, shape
from portal.documents_pdf import _canvas
from portal.statement_pdf import _fit, _Runs, _Widths
from web import locale

needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")


def _old_fit(text, width, widths):
    """The fit the statement used before: one character off at a time."""
    if widths(text) <= width:
        return text
    while text and widths(text + "…") > width:
        text = text[:-1]
    return text + "…"


def test_fit_cuts_where_the_old_fit_cut():
    register_fonts()
    widths = _Widths(FONT, 6.5)
    rng = random.Random(18)
    alphabet = "abcdefghijklmnopqrstuvwxyz ÉéèàçÀ·@°0123456789-" + "بيعمنتجمعبأرقمفيرواقتضامني"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        width = rng.choice([0.0, 1.0, 5.0, 50.0, 120.5, 229.3, 400.0])
        assert _fit(text, width, widths) == _old_fit(text, width, widths), (text, width)
        assert widths(text) == _old_widths(text)


def _old_widths(text):
    from reportlab.pdfbase import pdfmetrics

    total = 0.0
    for ch in text:
        total += pdfmetrics.stringWidth(ch, FONT, 6.5)
    return total


def _strings():
    """Latin, accents, figures with narrow no-break spaces, shaped Arabic, PDF specials, and
    enough distinct glyphs to fill reportlab's first 256-glyph subset and open others."""
    many = "".join(chr(c) for c in range(0x0400, 0x0480)) + "".join(chr(c) for c in range(0x0100, 0x0180)) \
        + "".join(chr(c) for c in range(0x0390, 0x03D0))
    texts = ["Vente VEN-0001-000123 · Dattes Medjool · @ Boutique Aéroport", "1\u202f234,50", "-12,50",
             "Lot ALM-2512-0397", "(parenthèses) et \\ barre", "02/03/2026 10:00", "\xa0nbsp\xa0",
             shape("بيع · منتج معبأ رقم 281 · في رواق تضامني رقم 5"), shape("1.234,50 درهم")]
    texts += [many[i:i + 40] for i in range(0, len(many), 40)]
    texts += ["mix " + many[-30:] + " fin", "Ünïcödé again after the switch"]
    return texts


def _pdf(tmp_path, name, draw):
    register_fonts()
    path = tmp_path / f"{name}.pdf"
    c = _canvas(str(path), pagesize=A4)
    draw(c)
    c.showPage()
    c.save()
    return path


@needs_poppler
def test_runs_draw_what_reportlab_text_objects_draw(tmp_path):
    texts = _strings()

    def with_text_objects(c):
        for n, text in enumerate(texts):
            t = c.beginText()
            t.setFont(FONT, 6.5)
            t.setTextOrigin(20, 800 - 16 * n)
            t.textOut(text)
            c.drawText(t)

    def with_runs(c):
        runs = _Runs(c, FONT, 6.5)
        first = [runs(text) for text in texts]
        for n, text in enumerate(texts):  # again: now from the table (or the cache)
            assert runs(text) == first[n]
            c._code.append(f"BT {runs.start} 1 0 0 1 20 {800 - 16 * n} Tm {runs(text)} ET")

    old, new = _pdf(tmp_path, "old", with_text_objects), _pdf(tmp_path, "new", with_runs)
    text = {p: subprocess.run(["pdftotext", "-raw", str(p), "-"], capture_output=True, text=True,
                              check=True).stdout for p in (old, new)}
    assert text[old] == text[new]
    assert "1\u202f234,50" in text[new] or "1 234,50" in text[new]
    for p in (old, new):
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(p), str(tmp_path / p.stem)], check=True)
    assert (tmp_path / "old-1.png").read_bytes() == (tmp_path / "new-1.png").read_bytes()


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_moments_are_moment(app, lang):
    zone = ZoneInfo("Africa/Casablanca")
    times = []
    t, previous = datetime(2026, 1, 1), None
    while t < datetime(2027, 1, 1):  # the clock changes of 2026 (Ramadan), hour by hour
        offset = t.replace(tzinfo=timezone.utc).astimezone(zone).utcoffset()
        if previous is not None and offset != previous:
            times += [t + timedelta(seconds=d) for d in (-3601, -61, -1, 0, 59, 3599)]
        previous = offset
        t += timedelta(hours=1)
    times += [datetime(2026, 11, 29, 23, 0), datetime(2026, 11, 29, 22, 59, 59), datetime(2026, 12, 31, 23, 30)]
    with app.test_request_context("/"):
        for seconds in (False, True):
            fmt = locale.moments(lang, seconds)
            for moment in times + times:
                assert fmt(moment) == locale.moment(moment, lang, seconds), moment
            assert fmt(None) == ""


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_money_cents_is_money(app, lang):
    """The statement PDF's running balance: locale.money_cents(c) is locale.money of c centimes."""
    from decimal import Decimal

    rng = random.Random(15)
    values = [0, 1, -1, 5, -5, 99, -99, 100, -100, 101, 99999, 100000, -100000, 123456789, -123456789,
              10 ** 15, -(10 ** 15) - 7] + [rng.randint(-10 ** 12, 10 ** 12) for _ in range(5000)]
    with app.test_request_context("/"):
        for cents in values:
            assert locale.money_cents(cents, lang) == locale.money(Decimal(cents).scaleb(-2), lang), cents


def test_lines_whose_digits_differ_fit_alike():
    """statement_pdf fits a French line once per shape, its number's digits read as "0": the
    font's digits have one width, so such lines are cut at the same place."""
    register_fonts()
    widths = _Widths(FONT, 6.5)
    widths("0123456789")
    assert len({widths.chars[d] for d in "0123456789"}) == 1
    same_width = {ord(d): "0" for d in "123456789"}
    rng = random.Random(1815)
    words = ["Vente", "Remboursement", "Huile d'argan cosmétique 250 ml", "@ Boutique Aéroport Marrakech",
             "Amlou aux amandes", "Savon noir", "@ Rabat", "Couscous d'orge complet"]
    for _ in range(2000):
        head, tail = rng.choice(words[:2]), " · ".join(rng.sample(words[2:], rng.randint(0, 3)))
        width = rng.choice([60.0, 120.5, 229.3])
        number = "VEN-" + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 9)))
        line = f"{head} {number} · {tail}"
        like = f"{head} {number.translate(same_width)} · {tail}"
        cut, cut_like = _fit(line, width, widths), _fit(like, width, widths)
        assert len(cut) == len(cut_like) and (cut is line) == (cut_like is like)
        assert cut == (line if cut_like is like else line[:len(cut_like) - 1] + "…")
