"""The statement of a period as a bilingual (French / Arabic) A4 PDF: every entry on a line,
its running balance, the totals and the head of the cooperative's hash chain.

No Flask here: callers pass plain data (the statement dict of models.consignment_statements and
its cooperative) and get bytes back. The entries' text is written as PDF operators through
cached runs (`_Runs`) and measured with cached widths (`_Widths`): a year's statement has
hundreds of thousands of strings.
"""
import io
from bisect import bisect_right
from datetime import datetime
from functools import reduce
from itertools import accumulate
from operator import add

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from documents.pdf import FONT, FONT_BOLD, ar, draw_bilingual_heading, legal_line, register_fonts, shape
from portal.documents_pdf import KIND_NAMES, _canvas, amount, mad, qty
from web import locale

def _describe(entry, labels, lang="fr"):
    """One statement line's wording in French or Arabic: kind, document, product, outlet.
    The document label is the document's number (its translated word dropped: the kind
    already says it in the line's language)."""
    names = KIND_NAMES.get(entry["kind"], (entry["kind"], entry["kind"]))
    parts = [names[0] if lang == "fr" else names[-1]]
    doc = labels.get((entry["document_type"], entry["document_id"]))
    if doc:
        parts.append(_document_number(doc))
    product = entry.get("product_" + lang) or entry.get("product_fr")
    if product:
        parts.append(product)
    place = entry.get("location_" + lang) or entry.get("location_fr")
    if place:
        parts.append(("@ " if lang == "fr" else "في ") + place)
    if entry.get("reference") and entry["kind"] == "payout":
        parts.append(("réf. " if lang == "fr" else "مرجع ") + entry["reference"])
    return " · ".join(parts)


def _document_number(label):
    """"Vente VEN-0001" / "وصل VEN-0001" → "VEN-0001" (the part with a digit)."""
    label = str(label)
    if " " not in label:  # a receipt number as it is (most lines of a statement)
        return label
    words = [w for w in label.split() if any(ch.isdigit() for ch in w)]
    return " ".join(words) if words else str(label)


class _Widths:
    """String widths of the embedded font, by character, cached: right-aligned figures are
    measured without reportlab's per-call machinery (a year's statement has ~300,000)."""

    def __init__(self, font, size):
        self.font, self.size, self.chars = font, size, {}

    def __call__(self, text):
        """The width of `text`: its characters' widths added in order from 0.0."""
        chars = self.chars
        try:
            return reduce(add, map(chars.__getitem__, text), 0.0)
        except KeyError:
            for ch in set(text) - chars.keys():
                chars[ch] = pdfmetrics.stringWidth(ch, self.font, self.size)
            return reduce(add, map(chars.__getitem__, text), 0.0)


def _fit(text, width, widths):
    """`text` cut (with "…") to fit `width` points: its longest start that fits with "…"
    (the widths of its starts added in order, as `widths` adds them; bisected)."""
    if widths(text) <= width:
        return text
    ellipsis = widths("…")
    starts = list(accumulate(map(widths.chars.__getitem__, text), initial=0.0))
    keep = bisect_right(starts, width, key=lambda w: w + ellipsis) - 1
    return text[:max(keep, 0)] + "…"


class _Runs:
    """Text shown in the embedded font, written straight as PDF operators for the page stream:
    what reportlab's TextObject.textOut writes (the font's subset codes, escaped), without its
    per-string machinery (splitString char by char, fp_str, a font switch per run), which was
    most of a year's statement (~500,000 strings).

    The first time a character is seen, reportlab's own `splitString` places it in a subset of
    the document's font (so the font embedded is the same kind of subset, with every glyph
    used); afterwards a text of characters of subset 0 is encoded with one `str.translate`.
    Text with characters of other subsets (rare: Arabic, when many glyphs are used) is written
    run by run with its font switches, and cached. The operators assume subset 0 is the current
    font (`start` sets it) and leave it so."""

    def __init__(self, canvas, font_name, size):
        from reportlab.lib.rl_accel import escapePDF

        self.font, self.doc, self.escape = pdfmetrics.getFont(font_name), canvas._doc, escapePDF
        self.size = size
        self.known, self.table, self.slow, self.names = set(), {}, {}, {}
        self.start = f"{self._name(0)} {size} Tf"

    def _name(self, subset):
        name = self.names.get(subset)
        if name is None:
            name = self.names[subset] = self.font.getSubsetInternalName(subset, self.doc)
        return name

    def __call__(self, text):
        """The operators showing `text` at the text origin."""
        if self.known.issuperset(text):
            return "(" + text.translate(self.table) + ") Tj"
        found = self.slow.get(text)
        if found is None:
            found = self.slow[text] = self._encode(text)
        return found

    def _encode(self, text):
        """Through reportlab's splitString (assigning glyphs), learning subset 0's codes."""
        ops = []
        for subset, codes in self.font.splitString(text, self.doc):
            if subset:
                ops.append(f"{self._name(subset)} {self.size} Tf ({self.escape(codes)}) Tj {self.start}")
            else:
                ops.append(f"({self.escape(codes)}) Tj")
        assignments = self.font.state[self.doc].assignments
        for ch in set(text):
            n = assignments.get(32 if ch == "\xa0" else ord(ch))
            if n is not None and n < 256:
                self.known.add(ch)
                self.table[ord(ch)] = self.escape(bytes((n,)))
        return " ".join(ops)


# Columns of the statement table: (left edge, width) in mm, from the left margin of 12 mm.
_COLS = (22, 82, 10, 17, 15, 18, 22)
ROW_HEIGHT = 23.5  # points: three lines of 6.5 pt (French, Arabic, lot)


def statement_pdf(stmt, cooperative, tz, labels=None):
    """The statement of a period as an A4 PDF (bytes). `labels` maps (document_type,
    document_id) to a document's label (receipt number, slip number...).

    Drawn straight on the canvas, one fixed-height row per entry (French wording, Arabic
    wording, lot), not through platypus tables and paragraphs: a year of a busy cooperative
    is ~60,000 entries (~2,000 pages), which platypus measured and wrapped cell by cell for
    minutes. Each distinct wording is shaped (Arabic) and fitted once."""
    register_fonts()
    labels = labels or {}
    buf = io.BytesIO()
    width, height = A4
    period = f"{locale.day(stmt['from'], 'fr')} – {locale.day(stmt['to'], 'fr')}"
    c = _canvas(buf, pagesize=A4)
    c.setTitle(f"Relevé {cooperative.name_fr} {period}")
    left, right = 12 * mm, width - 12 * mm
    edges = [left]
    for w in _COLS:
        edges.append(edges[-1] + w * mm)
    top, bottom = height - 36 * mm, 16 * mm
    size = 6.5
    widths = _Widths(FONT, size)
    desc_width = _COLS[1] * mm - 3
    page = [0]

    def page_form():
        """What every page repeats (headings, cooperative, period, footnotes, the table's
        heading row), drawn once as a form XObject that each page shows: shaping and
        drawing it again on each of ~2,000 pages was a fifth of a year's statement."""
        c.beginForm("statement-page")
        c.saveState()
        draw_bilingual_heading(c, 15 * mm, width - 15 * mm, height - 18 * mm,
                               "Relevé de consignation", "كشف حساب الإيداع")
        c.setFont(FONT, 9)
        c.drawString(15 * mm, height - 25 * mm, cooperative.name_fr)
        c.drawRightString(width - 15 * mm, height - 25 * mm, ar(cooperative.name_ar))
        c.drawString(15 * mm, height - 30 * mm, f"Période / {ar('الفترة')} : {period}")
        c.drawRightString(width - 15 * mm, height - 30 * mm, f"N° {cooperative.registration_number}")
        c.setFont(FONT, 7)
        c.drawString(15 * mm, 10 * mm, "Tadamon – heures de Casablanca (Africa/Casablanca); "
                                       "période du premier jour 00:00 au dernier jour inclus.")
        c.drawString(15 * mm, 6.5 * mm, shape(legal_line()))
        c.restoreState()
        # The table's heading row, on every page.
        y = top
        c.setFillColor(colors.HexColor("#d1e7dd"))
        c.rect(left, y - 17, right - left, 17, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont(FONT_BOLD, size)
        heads = (("Date", "التاريخ"), ("Opération", "العملية"), ("Qté", "الكمية"), ("Brut", "الإجمالي"),
                 ("Comm.", "العمولة"), ("Montant", "المبلغ"), ("Solde", "الرصيد"))
        for i, (fr, arabic) in enumerate(heads):
            if i < 2:
                c.drawString(edges[i] + 2, y - 7, fr)
                c.drawString(edges[i] + 2, y - 14, ar(arabic))
            else:
                c.drawRightString(edges[i + 1] - 2, y - 7, fr)
                c.drawRightString(edges[i + 1] - 2, y - 14, ar(arabic))
        c.setLineWidth(0.5)
        c.line(left, y - 17, right, y - 17)
        c.endForm()

    def header():
        page[0] += 1
        if page[0] == 1:
            page_form()
        c.doForm("statement-page")
        c.setFillColor(colors.black)
        c.setFont(FONT, 7)
        c.drawRightString(width - 15 * mm, 10 * mm, f"{page[0]}")
        return top - 17

    def special_row(y, text, value):
        """The opening or closing balance line (bold)."""
        c.setFont(FONT_BOLD, 7)
        c.drawString(edges[1] + 2, y - 10, text)
        c.drawRightString(right - 2, y - 10, mad(value))
        return y - 14

    shaped = {}

    def wording(entry, lang):
        key = (lang, entry["kind"], entry.get("product_" + lang) or entry.get("product_fr"),
               entry.get("location_" + lang) or entry.get("location_fr"),
               entry["reference"] if entry["kind"] == "payout" else None)
        text = shaped.get(key)
        if text is None:
            bare = dict(entry, document_type=None, document_id=None)  # the number comes first, apart
            text = shaped[key] = shape(_describe(bare, {}, lang))
        return text

    fitted, stamps, rows, ys, starts, cuts = {}, {}, {}, {}, {}, {}
    widths("0123456789")
    same_width = ({ord(d): "0" for d in "123456789"}  # digits of one width in the font: one key
                  if len({widths.chars[d] for d in "0123456789"}) == 1 else {})
    moment = locale.moments("fr")  # locale.moment(value, "fr"), each day and minute formatted once
    lang = locale.language()  # once, not for each of ~300,000 figures
    y = header()
    y = special_row(y, "Solde d'ouverture / " + ar("الرصيد الافتتاحي"), stmt["opening_balance"])
    runs = _Runs(c, FONT, size)
    grey = "%s rg" % fp_str(colors.HexColor("#f3f3f3").rgb())  # what canvas.setFillColor writes
    code = c._code  # the page's operators: each entry's text object written as one string
    row_width = right - left
    x_desc, x_ar_end = edges[1] + 2, edges[2] - 2
    date_at = f"BT {runs.start} 1 0 0 1 {fp_str(edges[0] + 2)} "
    desc_at = f"1 0 0 1 {fp_str(x_desc)} "
    # The amount from its centimes when the statement gives them (paged_statement(plain=True)).
    plain = bool(stmt["entries"]) and "amount_cents" in stmt["entries"][0]
    columns = [(edges[i + 1] - 2, name, kind, {}) for i, name, kind in (
        (2, "quantity", "q"), (3, "gross", "a"), (4, "commission", "a"),
        (5, "amount_cents", "c") if plain else (5, "amount", "a"))]
    balance_end = edges[7] - 2
    money_cents = locale.money_cents

    def figure(value, kind, x_end, known):
        """(Tm start, rest of the run) of a right-aligned figure, formatted (the one locale
        layer), measured and encoded once per value and column (`known`)."""
        text = (qty(value, lang) if kind == "q" else money_cents(value, lang) if kind == "c"
                else amount(value, lang))
        if not text:
            known[value] = None
            return None
        x = x_end - widths(text)
        at = starts.get(x)  # figures of one width start at one place: few distinct
        if at is None:
            at = starts[x] = f"1 0 0 1 {fp_str(x)} "
        found = known[value] = (at, " Tm " + runs(text))
        return found

    def row_texts(e):
        """What a row's kind, product, outlet (and payout reference) give, worked out once:
        (French wording before and after the document number, the Arabic run, the lot run)."""
        fr = wording(e, "fr")
        head, tail = fr.split(" · ", 1) if " · " in fr else (fr, None)
        arabic = wording(e, "ar")
        cut = _fit(arabic, desc_width, widths)
        lot = e.get("lot_code")
        return (fr, head, tail, (f"1 0 0 1 {fp_str(x_ar_end - widths(cut))} ", " Tm " + runs(cut)),
                " Tm " + runs(f"Lot {lot}") if lot else None)

    for n, e in enumerate(stmt["entries"]):
        if y - ROW_HEIGHT < bottom:
            c.showPage()
            y = header()
            code = c._code
        place = ys.get(y)
        if place is None:  # the few row positions of a page, formatted once
            baseline = y - 7  # the three lines' baselines, computed as textOut's origins were
            place = ys[y] = (fp_str(baseline - 7.5), fp_str(baseline), fp_str(baseline - 15),
                             f"{grey} {fp_str(left)} {fp_str(y - ROW_HEIGHT)} {fp_str(row_width)} {fp_str(ROW_HEIGHT)} re f 0 0 0 rg ")
        middle, top_line, lot_line, shade = place
        created = e["created_at"]
        # The minute: of the stored UTC text ("YYYY-MM-DD HH:MM…", paged_statement(plain=True)),
        # or of a datetime.
        minute = created[:16] if created.__class__ is str else created.replace(second=0, microsecond=0)
        stamp = stamps.get(minute)
        if stamp is None:  # the one locale layer (its day and time texts cached)
            stamp = stamps[minute] = runs(moment(
                datetime.fromisoformat(minute) if minute.__class__ is str else minute))
        kind = e["kind"]
        key = (kind, e["lot_id"], e["location_id"], e["reference"] if kind == "payout" else None)
        texts = rows.get(key)
        if texts is None:
            texts = rows[key] = row_texts(e)
        fr, head, tail, (ar_at, ar_run), lot_run = texts
        doc = labels.get((e["document_type"], e["document_id"]))
        number = _document_number(doc) if doc else ""
        if number:
            # Every line is distinct by its number: its fit is found once per line of the
            # same characters' widths (its digits, of one width, read as "0": the same sums).
            line = f"{head} {number} · {tail}" if tail is not None else f"{fr} {number}"
            like = number.translate(same_width)
            shape_key = (head, like, tail) if tail is not None else (fr, like, None)
            keep = cuts.get(shape_key, False)
            if keep is False:
                cut = _fit(line, desc_width, widths)
                keep = cuts[shape_key] = None if cut is line else len(cut) - 1
            run = " Tm " + runs(line if keep is None else line[:keep] + "…")
        else:
            run = fitted.get(fr)
            if run is None:
                run = fitted[fr] = " Tm " + runs(_fit(fr, desc_width, widths))
        parts = [shade if n % 2 else "", date_at, middle, " Tm ", stamp, " ", desc_at, top_line, run, " ",
                 ar_at, middle, ar_run]
        if lot_run:
            parts += [" ", desc_at, lot_line, lot_run]
        for x_end, name, kind, known in columns:
            value = e[name]
            if value is not None:
                found = known[value] if value in known else figure(value, kind, x_end, known)
                if found:
                    parts += [" ", found[0], middle, found[1]]
        # The running balance: a new figure on every row, formatted from its centimes when
        # the statement gives them (paged_statement), as locale.money formats the Decimal.
        cents = e.get("running_cents")
        text = amount(e["running_balance"], lang) if cents is None else money_cents(cents, lang)
        if text:
            x = balance_end - widths(text)
            at = starts.get(x)
            if at is None:
                at = starts[x] = f"1 0 0 1 {fp_str(x)} "
            parts += [" ", at, middle, " Tm ", runs(text)]
        parts.append(" ET")
        code.append("".join(parts))
        y -= ROW_HEIGHT
    if y - 14 - 120 < bottom:
        c.showPage()
        y = header()
    c.setLineWidth(0.5)
    c.line(left, y, right, y)
    y = special_row(y, "Solde de clôture / " + ar("الرصيد الختامي"), stmt["closing_balance"]) - 10
    totals = stmt["totals"]
    summary = [
        ("Ventes brutes / " + ar("المبيعات الإجمالية"), mad(stmt["gross"])),
        ("Commission / " + ar("العمولة"), mad(-stmt["commission"])),
        ("Ventes nettes (ventes et remboursements) / " + ar("صافي المبيعات"),
         mad(totals["sale"] + totals["refund"])),
        ("Frais / " + ar("الرسوم"), mad(totals["fee"])),
        ("Paiements / " + ar("الأداءات"), mad(totals["payout"])),
        ("Ajustements / " + ar("التسويات"), mad(totals["adjustment"])),
        ("Variation de la période / " + ar("تغير الفترة"),
         mad(stmt["closing_balance"] - stmt["opening_balance"])),
    ]
    c.setFont(FONT, 8)
    x0 = right - 130 * mm
    for i, (label, value) in enumerate(summary):
        if i == len(summary) - 1:
            c.line(x0, y + 3, right, y + 3)
        c.drawString(x0, y - 6, label)
        c.drawRightString(right, y - 6, value)
        y -= 11
    from models.consignment import chain_head

    head = chain_head(cooperative.id) or "—"
    y -= 10
    c.setFont(FONT, 7)
    c.drawString(left, y, "Empreinte du registre (SHA-256, dernière écriture) / " + ar("بصمة السجل") + " :")
    c.setFont(FONT, 6)
    c.drawString(left, y - 9, head)
    c.showPage()
    c.save()
    return buf.getvalue()
