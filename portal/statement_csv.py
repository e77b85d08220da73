"""A statement as CSV, streamed: a year of a busy cooperative is ~58,000 lines (8 MB). The
entries are read at once as plain tuples (models.consignment_statements.statement_lines); the text is
written to the client in chunks as it is made, never held whole."""


from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import db
from models.catalogue import Product
from models.documents import document_labels
from models.consignment_statements import cents_text, platform_timezone, statement_lines
from models.stock import Location, Lot
from portal.helpers import STATEMENT_CSV_HEADER
from portal.documents_pdf import local_time
from web.csvfile import Writer, page_dialect, word
from web.labels import ENTRY_KIND_LABELS
from web.inputs import content_disposition

CHUNK = 2000  # lines per piece of the answer


def _labels(lines):
    """{(document_type, document_id): label}: receipt numbers for sales and refunds (as the
    shop's document labeler words them), the registry for the few other documents."""
    receipt, refund_of = _("Receipt %(number)s"), _("Refund on receipt %(number)s")
    labels, others = {}, {}
    for line in lines:
        doc_type, doc_id, number = line[11], line[12], line[15]
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
    columns of STATEMENT_CSV_HEADER; UTF-8 with BOM for spreadsheet programs)."""
    head, lines = statement_lines(cooperative_id, date_from, date_to)
    lines = list(lines)  # read inside the request; only the writing is streamed
    labels = _labels(lines)
    arabic = locale == "ar"
    lots = {r.id: (r.code, r.name_ar if arabic else r.name_fr) for r in db.session.execute(
        select(Lot.id, Lot.code, Product.name_fr, Product.name_ar).join(Product, Product.id == Lot.product_id)
        .where(Lot.id.in_({x[9] for x in lines if x[9] is not None})))} if lines else {}
    places = {r.id: r.name_ar if arabic else r.name_fr
              for r in db.session.execute(select(Location.id, Location.name_fr, Location.name_ar))}
    tz = platform_timezone()
    pad = [""] * 11
    dialect = page_dialect()
    # Words, signs and headers are taken here, in the request (the rows stream after it).
    edges = {"opening_balance": _("Opening balance"), "closing_balance": _("Closing balance")}
    opening, closing = (word(code, edges, dialect) for code in ("opening_balance", "closing_balance"))
    kinds = {code: word(code, ENTRY_KIND_LABELS, dialect) for code in ENTRY_KIND_LABELS}
    out = Writer(dialect)  # the app's one CSV writer
    out.header(STATEMENT_CSV_HEADER)

    def generate():
        """The CSV text, CHUNK lines at a time."""
        out.row(["", opening, *pad, cents_text(head["opening_cents"])])
        for n, (eid, created, kind, amount, running, gross, rate, commission, qty, lot_id,
                location_id, doc_type, doc_id, _ref, _note, _number) in enumerate(lines, 1):
            lot_code, product = lots.get(lot_id, ("", ""))
            out.row([eid, kinds.get(kind, kind), local_time(created, tz).isoformat(timespec="seconds"),
                             labels.get((doc_type, doc_id), ""), lot_code or "", product or "",
                             places.get(location_id, "") if location_id is not None else "",
                             qty or "", gross or "", rate or "", commission or "",
                             cents_text(amount), cents_text(running)])
            if n % CHUNK == 0:
                yield out.drain()
        out.row(["", closing, *pad, cents_text(head["closing_cents"])])
        yield out.drain()

    return Response(generate(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition("attachment", filename)})
