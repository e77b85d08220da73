"""What the portal's pages and API share: who may see which cooperative, periods, CSV."""
import csv
import io

from flask import Response, current_app
from flask_login import current_user

from models.documents import document_labels, numbered_labeler, register_document_type
from models.consignment_statements import default_period, platform_timezone




def period_or_default(date_from, date_to):
    """A (from, to) pair: missing ends default to the current month so far."""
    default_from, default_to = default_period(today())
    return date_from or default_from, date_to or default_to


def today():
    """Today in the platform's time zone (a Moroccan evening is not tomorrow in UTC)."""
    from datetime import datetime

    return datetime.now(platform_timezone()).date()


def csv_response(filename, header, rows):
    """A CSV download (UTF-8 with BOM so spreadsheet programs read Arabic names right)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to a text/* mimetype itself.
    return Response(buf.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


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


def format_time(value, fmt="short"):
    """A stored naive UTC time shown in the platform's time zone and the user's locale."""
    from flask_babel import format_datetime

    return format_datetime(value, fmt) if value is not None else ""


def format_day(value):
    """A date in the user's locale (medium: 3 mars 2026)."""
    from flask_babel import format_date

    return format_date(value, "medium") if value is not None else ""
