"""What receipts and Z reports show, gathered from the database as plain dicts for
shop/receipts_pdf.py (PDF) and the print-friendly pages."""
from sqlalchemy import select

from extensions import db
from models.sales_cash_sessions import z_report
from models.catalogue import Product
from models.cooperatives import utcnow
from models.errors import NotFound
from models.sales import Refund, Sale, SaleLine
from models.stock import Location, Lot
from models.users import User
from web import locale


def local_time(moment):
    """A stored UTC time as the platform's local date and time, in the user's language
    (web.locale.moment: one clock and one format for pages and printouts)."""
    return locale.moment(moment)


def legal_lines():
    """The platform's legal identifiers from config (ICE, IF, RC, address), as printed lines."""
    from flask import current_app

    cfg = current_app.config
    ids = " · ".join(f"{label} {cfg.get(key)}" for label, key in
                     (("ICE", "PLATFORM_ICE"), ("IF", "PLATFORM_IF"), ("RC", "PLATFORM_RC")) if cfg.get(key))
    return [line for line in (cfg.get("PLATFORM_LEGAL_NAME"), cfg.get("PLATFORM_ADDRESS"), ids) if line]


def _shop(location_id):
    """Shop names and address, and the platform's legal lines."""
    loc = db.session.get(Location, location_id)
    return {"shop_fr": loc.name_fr, "shop_ar": loc.name_ar, "address": loc.address or "",
            "legal": legal_lines()}


def _person(user_id):
    """A user's display name."""
    user = db.session.get(User, user_id)
    return (user.full_name or user.username) if user else ""


def receipt_data(sale_id):
    """Everything a receipt prints, as plain values."""
    sale = db.session.get(Sale, sale_id)
    if sale is None:
        raise NotFound("No such sale.")
    rows = db.session.execute(
        select(SaleLine, Product.name_fr, Product.name_ar, Lot.code)
        .join(Product, Product.id == SaleLine.product_id).join(Lot, Lot.id == SaleLine.lot_id)
        .where(SaleLine.sale_id == sale_id).order_by(SaleLine.id)).all()
    refunds = db.session.execute(select(Refund).where(Refund.sale_id == sale_id)
                                 .order_by(Refund.id)).scalars().all()
    return {
        **_shop(sale.location_id), "id": sale.id, "number": sale.number,
        "date": local_time(sale.created_at), "cashier": _person(sale.cashier_id),
        "subtotal": sale.subtotal, "discount_total": sale.discount_total, "total": sale.total,
        "change": sale.change, "print_count": sale.print_count,
        "lines": [{"id": line.id, "name_fr": name_fr, "name_ar": name_ar, "lot_code": code,
                   "quantity": line.quantity, "unit_price": line.unit_price,
                   "gross": line.total + line.discount, "discount": line.discount,
                   "total": line.total, "refunded_quantity": line.refunded_quantity}
                  for line, name_fr, name_ar, code in rows],
        "payments": [{"method": p.method, "amount": p.amount} for p in sale.payments],
        "refunds": [{"id": r.id, "number": r.number, "date": local_time(r.created_at), "reason": r.reason,
                     "total": r.total, "method": r.method} for r in refunds],
    }


def late_sales(session):
    """The offline till's figures of a session (models/sales_offline.py)."""
    from models.sales_offline import late_sales as offline_figures

    return offline_figures(session)


def z_context(session):
    """The Z report figures with names and local times, for the page and the PDF."""
    data = z_report(session)
    data.update(_shop(session.location_id))
    data.update(late_sales(session))  # sales made offline, and those synced after the close
    data.update({"cashier": _person(session.cashier_id), "opened": local_time(session.opened_at),
                 "closed": local_time(session.closed_at) if session.closed_at else "",
                 "printed": local_time(utcnow())})
    return data
