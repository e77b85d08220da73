"""The audit log page: every recorded change, filtered by who, object type, object and
period; CSV beside it."""
from datetime import datetime, timedelta

from flask import Response, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from admin import bp
from auth.access import roles
from extensions import db
from models.audit import AuditEntry
from models.clock import local_midnight_utc, to_local
from models.users import User
from web.audit import OBJECT_LABELS, local_datetime

LIMIT = 500


def _date(name):
    """A YYYY-MM-DD query argument, or None (an unreadable one is ignored, not a 500)."""
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
    except ValueError:
        return None


def _utc(day):
    """Midnight of a Moroccan day, as the stored naive UTC."""
    return local_midnight_utc(day)


def audit_query(args):
    """The filtered entries, newest first, and the filters as read."""
    filters = {"user_id": args.get("user_id", type=int), "object_type": args.get("object_type") or None,
               "object_id": (args.get("object_id") or "").strip()[:40] or None,
               "date_from": _date("date_from"), "date_to": _date("date_to")}
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters["user_id"]:
        query = query.where(AuditEntry.user_id == filters["user_id"])
    if filters["object_type"]:
        query = query.where(AuditEntry.object_type == filters["object_type"])
    if filters["object_id"]:
        query = query.where(AuditEntry.object_id == filters["object_id"])
    if filters["date_from"]:
        query = query.where(AuditEntry.created_at >= _utc(filters["date_from"]))
    if filters["date_to"]:
        query = query.where(AuditEntry.created_at < _utc(filters["date_to"] + timedelta(days=1)))
    return query, filters


def _csv(entries):
    """The entries as CSV through the app's one writer (BOM, formula cells neutralised, the
    page's dialect: the admin's language), streamed."""
    from web.csvfile import Writer, page_dialect

    # Made in the request (its language and dialect); the rows are written as they stream.
    out = Writer(page_dialect())
    out.header(["id", "time", "user", "address", "action", "object_type", "object_id",
                "before", "after"])

    def rows():
        for e in entries:
            out.row([e.id, to_local(e.created_at).replace(tzinfo=None),
                     e.user.username if e.user else "", e.address or "", e.action,
                     e.object_type, e.object_id or "", e.before or "", e.after or ""])
            yield out.drain()
        yield out.drain()

    return Response(rows(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})


@bp.route("/audit")
@roles("admin")
def audit_log():
    """Who changed what, when and from where (the last 500 matching; CSV: all matching)."""
    query, filters = audit_query(request.args)
    if request.args.get("format") == "csv":
        return _csv(db.session.execute(query.options(selectinload(AuditEntry.user))).scalars().all())
    entries = db.session.execute(query.options(selectinload(AuditEntry.user)).limit(LIMIT)).scalars().all()
    users = db.session.execute(select(User.id, User.username).order_by(User.username)).all()
    # The CSV link keeps the filters; a `format` typed in the address is the link's own.
    csv_url = url_for("admin.audit_log", **{**request.args.to_dict(), "format": "csv"})
    return render_template("admin/audit.html", entries=entries, filters=filters, users=users,
                           object_types=OBJECT_LABELS, limit=LIMIT, local_datetime=local_datetime,
                           csv_url=csv_url)
