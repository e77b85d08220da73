"""Credit notes: each refund's own numbered document (AV-AIR-000012), an 80 mm printout in
French and Arabic, from the API and from the receipt page."""
from decimal import Decimal

from sqlalchemy import select, update

from auth.access import roles
from extensions import db
from models.catalogue import Product
from models.errors import NotFound
from models.sales import Refund, RefundLine, Sale, SaleLine
from models.stock import Lot
from shop import bp
from shop.api import PDF, blp, visible_sale
from shop.receipt_data import _person, _shop, local_time
from shop.receipts_pdf import METHODS, Ticket, _header, fmt, fmt_qty
from web.api import pdf_response
from web.database import writes


def credit_note_data(refund_id):
    """Everything a credit note prints, as plain values."""
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound("No such refund.")
    sale = db.session.get(Sale, refund.sale_id)
    rows = db.session.execute(
        select(RefundLine, SaleLine.unit_price, Product.name_fr, Product.name_ar, Lot.code)
        .join(SaleLine, SaleLine.id == RefundLine.sale_line_id)
        .join(Product, Product.id == SaleLine.product_id).join(Lot, Lot.id == SaleLine.lot_id)
        .where(RefundLine.refund_id == refund_id).order_by(RefundLine.id)).all()
    return {**_shop(sale.location_id), "id": refund.id, "number": refund.number or f"#{refund.id}",
            "sale_number": sale.number, "date": local_time(refund.created_at),
            "cashier": _person(refund.user_id), "reason": refund.reason, "method": refund.method,
            "total": refund.total, "print_count": refund.print_count,
            "lines": [{"name_fr": fr, "name_ar": ar_name, "lot_code": code, "quantity": line.quantity,
                       "unit_price": price, "amount": line.amount, "restock": line.restock}
                      for line, price, fr, ar_name, code in rows]}


def render_credit_note(data, copy=False):
    """The 80 mm credit note (PDF bytes)."""
    t = Ticket()
    _header(t, data)
    t.rule()
    t.center("AVOIR – REMBOURSEMENT", size=11, bold=True)
    t.center("إشعار دائن – استرجاع", size=11, bold=True, arabic=True)
    if copy:
        t.center("DUPLICATA – COPIE", size=9, bold=True)
        t.center("نسخة مكررة", size=9, bold=True, arabic=True)
    t.pair("Avoir N°", "إشعار رقم", data["number"], bold=True)
    t.pair("Ticket d'origine", "الوصل الأصلي", data["sale_number"])
    t.pair("Date", "التاريخ", data["date"])
    t.pair("Caisse", "أمين الصندوق", data["cashier"])
    t.rule()
    for line in data["lines"]:
        t.text(line["name_fr"], line["name_ar"], size=8, bold=True)
        t.pair(f"{fmt_qty(line['quantity'])} × {fmt(line['unit_price'])}", "", "-" + fmt(line["amount"]))
        t.text(f"Lot {line['lot_code']}", size=6)
        if not line["restock"]:
            t.pair("Retiré (endommagé)", "مسحوب (تالف)", "")
    t.rule()
    fr, arabic = METHODS[data["method"]]
    t.pair("TOTAL REMBOURSÉ MAD", "المبلغ المسترجع (درهم)", "-" + fmt(data["total"]), size=10, bold=True)
    t.pair(fr, arabic, fmt(Decimal(data["total"])))
    t.text(f"Motif : {data['reason']}", size=7)
    t.rule()
    t.center("Merci de soutenir les coopératives !", size=8)
    t.center("شكرا لدعمكم للتعاونيات", size=8, arabic=True)
    return t.render(data["number"])


def _print(refund_id):
    """Check the refund is the user's to see, count the print, and render it."""
    refund = db.session.get(Refund, refund_id)
    if refund is None:
        raise NotFound("No such refund.")
    visible_sale(refund.sale_id)
    db.session.commit()  # end the read transaction: the print count is written in a fresh one
    table = Refund.__table__
    count = db.session.execute(update(table).where(table.c.id == refund_id)
                               .values(print_count=table.c.print_count + 1)
                               .returning(table.c.print_count)).scalar()
    db.session.commit()
    data = credit_note_data(refund_id)
    return pdf_response(render_credit_note(data, copy=count > 1), f"credit-note-{data['number']}.pdf")


@blp.route("/refunds/<int:refund_id>/credit-note.pdf", methods=["GET"])
@blp.doc(responses=PDF)
@roles("cashier", "admin")
@writes
def credit_note_pdf(refund_id):
    """The refund's credit note, 80 mm, French and Arabic; every print after the first says COPY."""
    return _print(refund_id)


@bp.route("/refunds/<int:refund_id>/credit-note.pdf")
@roles("cashier", "admin")
@writes
def credit_note(refund_id):
    """The credit note from the receipt page."""
    return _print(refund_id)
