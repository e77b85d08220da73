"""What the portal's pages and API share: who may see which cooperative, periods, CSV."""


from flask import Response, current_app
from flask_login import current_user

from models.documents import document_labels, numbered_labeler, register_document_type
from models.consignment_statements import default_period
from models import clock
from web.csvfile import csv_text, page_dialect
from web.inputs import content_disposition




def period_or_default(date_from, date_to):
    """A (from, to) pair: missing ends default to the current month so far."""
    default_from, default_to = default_period(today())
    return date_from or default_from, date_to or default_to


def today():
    """Today in the platform's time zone (a Moroccan evening is not tomorrow in UTC)."""

    return clock.today()


def csv_response(filename, header, rows):
    """A CSV download (UTF-8 with BOM so spreadsheet programs read Arabic names right)."""
    text = csv_text(header, rows, page_dialect())  # the app's one CSV writer
    # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to a text/* mimetype itself.
    return Response(text, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": content_disposition("attachment", filename)})


STATEMENT_CSV_HEADER = ["entry_id", "kind", "time", "document", "lot", "product", "outlet",
                        "quantity", "gross", "commission_rate", "commission", "amount",
                        "running_balance"]


def entry_document_labels(entries):
    """{(document_type, document_id): label} for the documents entries point to."""
    by_type = {}
    for e in entries:
        if e["document_type"] and e["document_id"] is not None:
            by_type.setdefault(e["document_type"], set()).add(e["document_id"])
    labels = {}
    for doc_type, ids in by_type.items():
        for doc_id, info in document_labels(doc_type, ids).items():
            labels[(doc_type, doc_id)] = info.get("label")
    return labels


def statement_document(cooperative_id, date_from, date_to):
    """(statement, labels) of a whole period for the PDF: the entries read as tuples
    (paged_statement, one page of everything; amounts in centimes, times and figures as
    text) and the sales' and refunds' labels from the receipt numbers read with them; the
    registry labels the few other documents."""
    from models.consignment_statement_pages import paged_statement

    stmt = paged_statement(cooperative_id, date_from, date_to, 1, None, plain=True)
    labels, others = {}, []
    for e in stmt["entries"]:
        if e["receipt_number"] is not None and e["document_type"] in ("sale", "refund"):
            labels[(e["document_type"], e["document_id"])] = e["receipt_number"]
        else:
            others.append(e)
    labels.update(entry_document_labels(others))
    return stmt, labels


def register_documents():
    """Let traceability and statement pages name payouts."""
    from models.consignment_payouts import Payout

    register_document_type("payout", numbered_labeler(
        Payout, "portal.payout_slip", "payout_id", number=lambda pid: f"PAY-{pid:06d}"))
    from models.compensations import Compensation
    from models.consignment_payouts import PayoutReversal

    register_document_type("compensation", numbered_labeler(
        Compensation, "portal.compensations", "compensation_id", number=lambda cid: f"CMP-{cid:06d}"))
    register_document_type("payout_reversal", numbered_labeler(
        PayoutReversal, "portal.payouts", "reversal_id", number=lambda rid: f"PAY-R-{rid:06d}"))


def is_admin():
    """True for an admin (payout details and every cooperative)."""
    return current_user.is_authenticated and current_user.role == "admin"


def config(name):
    """A config value (keeps views short)."""
    return current_app.config[name]
