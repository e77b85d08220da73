"""A statement as CSV, streamed: a year of a busy cooperative is ~58,000 lines (8 MB). The
entries are read in keyset chunks of the covering index as plain driver tuples and written
to the client chunk by chunk: neither the rows nor the text are ever held whole."""


from flask import Response, stream_with_context
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.documents import document_labels
from models.consignment import balance
from models.clock import LocalIso
from models.consignment_statements import cents_text, period_bounds, platform_timezone, stored_cents
from models.stock import Location, Lot
from portal.helpers import STATEMENT_CSV_HEADER
from web.csvfile import LINE_END, SPECIAL_TEXT, Writer, page_dialect, word
from web.labels import ENTRY_KIND_LABELS
from web.inputs import content_disposition
from portal.statement_json import keyset_rows

CHUNK = 2000  # entries read, and lines written, per piece of the answer
FIRST_CHUNK = 500  # the first piece smaller: the first bytes leave sooner
_PLAIN_TEXT = SPECIAL_TEXT.match  # None for a text cell written as it is (Writer.text)


def entry_lines(out, rows, running, kinds, labels, lots, places, stamp):
    """(CSV text of driver rows (statement_query(plain=dialect)), running balance in centimes
    after them): one `%` template per entry, each cell exactly as `out.row` writes it
    (web.csvfile.Writer): text cells neutralised and quoted by `out.text` (kinds, lots,
    products and outlets once each); times local (`stamp`, a models.clock.LocalIso) from the
    stored UTC text; amount and running balance from integer centimes as `cents_text` writes
    them (no float, no Decimal); the other figures as the driver gives them (PostgreSQL: the
    numerics' texts; SQLite: REALs, written with the column's scale as `scaled_text` does);
    the numbers then given the dialect's decimal sign together (nothing else in that part of
    the line has a dot). The same text as writing each entry's cells through `out.row`,
    several times faster."""
    text, delimiter, sign = out.text, out.delimiter, out.sign
    head = delimiter.join(["%d"] + ["%s"] * 6) + delimiter
    # quantity, gross, rate, commission, amount (cents_text), running balance (cents_text inline)
    figures = delimiter.join(["%s"] * 5 + ["%s%d.%02d"]) + LINE_END
    plain = _PLAIN_TEXT
    cells = {}

    def field(value):
        """A memoized text cell."""
        found = cells.get(value)
        if found is None:
            found = cells[value] = text(value)
        return found

    kind_cells = {k: field(v) for k, v in kinds.items()}
    lot_cells = {lot_id: (field(code or ""), field(product or "")) for lot_id, (code, product) in lots.items()}
    no_lot = ("", "")
    place_cells = {}
    amounts = {}  # cents -> cents_text: a year's amounts repeat (a few thousand values)
    heads, tails = [], []
    hour_of = stamp.hours.get  # LocalIso's hours, read here: its call was a sixth of the CSV
    for (eid, created, kind, cents, gross, rate, commission, qty, lot_id, location_id,
         doc_type, doc_id, _ref, _note, _number) in rows:
        running += cents
        lot_code, product = lot_cells.get(lot_id, no_lot)
        if location_id is None:
            place = ""
        else:
            place = place_cells.get(location_id)
            if place is None:
                place = place_cells[location_id] = field(places.get(location_id, ""))
        label = labels.get((doc_type, doc_id))
        if label:
            label = label if label.__class__ is str and plain(label) is None else text(label)
        # stamp(created), its common case inline: the stored UTC text of an hour already known
        # whose offset is whole and constant (LocalIso.__call__'s own test), else the call.
        hour = hour_of(created[:13]) if created.__class__ is str else None
        if hour and len(created) >= 19 and created[16] == ":" and created[19:20] in ("", "."):
            local = hour[0] + created[13:19] + hour[1]
        else:
            local = stamp(created)
        heads.append(head % (
            eid, kind_cells[kind] if kind in kind_cells else field(kind), local, label or "",
            lot_code, product, place))
        amount = amounts.get(cents)
        if amount is None:
            amount = amounts[cents] = cents_text(cents)
        whole = -running if running < 0 else running
        # scaled_text: a numeric's text as it is, a REAL (or an integer) with the column's scale.
        tails.append(figures % (
            "" if qty is None else qty if qty.__class__ is str else "%.3f" % qty,
            "" if gross is None else gross if gross.__class__ is str else "%.2f" % gross,
            "" if rate is None else rate if rate.__class__ is str else "%.4f" % rate,
            "" if commission is None else commission if commission.__class__ is str else "%.2f" % commission,
            amount, "-" if running < 0 else "", whole // 100, whole % 100))
    if sign != ".":
        tails = [t.replace(".", sign) for t in tails]
    return "".join(map(str.__add__, heads, tails)), running


def _labels(lines):
    """{(document_type, document_id): label} of driver rows (statement_query): receipt
    numbers for sales and refunds (as the shop's document labeler words them), the registry
    for the few other documents."""
    receipt, refund_of = _("Receipt %(number)s"), _("Refund on receipt %(number)s")
    labels, others = {}, {}
    for line in lines:
        doc_type, doc_id, number = line[10], line[11], line[14]
        if doc_type is None or doc_id is None:
            continue
        if number is not None and doc_type in ("sale", "refund"):
            labels[(doc_type, doc_id)] = (receipt if doc_type == "sale" else refund_of) % {"number": number}
        else:
            others.setdefault(doc_type, set()).add(doc_id)
    for doc_type, ids in others.items():
        for doc_id, info in document_labels(doc_type, ids).items():
            labels[(doc_type, doc_id)] = info.get("label")
    return labels


def statement_csv(cooperative_id, date_from, date_to, filename, locale="fr"):
    """The streamed CSV answer: opening balance, one line per entry, closing balance (the
    columns of STATEMENT_CSV_HEADER; UTF-8 with BOM for spreadsheet programs).

    Read in keyset chunks of CHUNK entries of the covering index (portal.statement_json
    .keyset_rows), each labelled and written as it comes: the first bytes leave after one
    chunk, not after the whole year."""
    start, end = period_bounds(date_from, date_to)
    opening = stored_cents(balance(cooperative_id, until=start)["balance"])
    arabic = locale == "ar"
    places = {r.id: r.name_ar if arabic else r.name_fr
              for r in db.session.execute(select(Location.id, Location.name_fr, Location.name_ar))}
    stamp = LocalIso(platform_timezone())  # local ISO times, the zone asked once an hour
    pad = [""] * 11
    dialect = page_dialect()
    # Words, signs and headers are taken here, in the request (the rows stream after it).
    edges = {"opening_balance": _("Opening balance"), "closing_balance": _("Closing balance")}
    opening_word, closing_word = (word(code, edges, dialect)
                                  for code in ("opening_balance", "closing_balance"))
    kinds = {code: word(code, ENTRY_KIND_LABELS, dialect) for code in ENTRY_KIND_LABELS}
    first = keyset_rows(cooperative_id, start, end, None, FIRST_CHUNK, plain=True)  # read before the answer starts

    def lot_names(rows):
        ids = {r[8] for r in rows if r[8] is not None}
        return {r.id: (r.code, r.name_ar if arabic else r.name_fr) for r in db.session.execute(
            select(Lot.id, Lot.code, Product.name_fr, Product.name_ar).join(Product, Product.id == Lot.product_id)
            .where(Lot.id.in_(ids)))} if ids else {}

    out = Writer(dialect)  # the app's one CSV writer
    out.header(STATEMENT_CSV_HEADER)

    def generate():
        """The CSV text, CHUNK lines at a time."""
        out.row(["", opening_word, *pad, cents_text(opening)])
        running, rows, asked = opening, first, FIRST_CHUNK
        while rows:
            text, running = entry_lines(out, rows, running, kinds, _labels(rows), lot_names(rows), places, stamp)
            out.lines(text)
            yield out.drain()
            if len(rows) < asked:
                break
            rows, asked = keyset_rows(cooperative_id, start, end, (rows[-1][1], rows[-1][0]), CHUNK, plain=True), CHUNK
        out.row(["", closing_word, *pad, cents_text(running)])
        yield out.drain()

    return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition("attachment", filename)})
