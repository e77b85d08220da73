"""Invoices, credit notes, payments and balances: staff invoice delivered orders, record
payments and credit returned goods; a buyer reads its own invoices and balance."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from auth.access import roles
from extensions import db
from models import orders_invoices
from models.errors import DomainError
from models.orders import Buyer, BuyerPayment, Invoice
from orders import bp, documents_pdf
from orders.forms import CreditNoteForm, PaymentForm
from orders.views import platform_identity
from web.api import pdf_response
from web.locale import AmountError, parse_amount
from web.scope import STAFF, is_staff, only_my_buyer, visible_invoice, visible_order


@bp.route("/invoices")
@roles(*STAFF, "buyer")
def invoices():
    """Invoices and credit notes, newest first (a buyer: its own, with its balance)."""
    query = only_my_buyer(select(Invoice).order_by(Invoice.id.desc()).limit(300), Invoice.buyer_id)
    rows = db.session.execute(query).scalars().all()
    balance = buyer = None
    if current_user.role == "buyer":
        buyer = db.session.get(Buyer, current_user.buyer_id)
        balance = orders_invoices.buyer_balance(current_user.buyer_id)
    due = {inv.id: orders_invoices.outstanding(inv) for inv in rows if inv.kind == "invoice"}
    return render_template("orders/invoices.html", rows=rows, balance=balance, buyer=buyer, due=due)


@bp.route("/<int:order_id>/invoice", methods=["POST"])
@roles(*STAFF)
def invoice_order(order_id):
    """Invoice a delivered order."""
    visible_order(order_id)
    try:
        invoice = orders_invoices.invoice_order(order_id, user_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("orders.detail", order_id=order_id))
    db.session.commit()
    flash(_("Invoice %(number)s issued.", number=invoice.number), "success")
    return redirect(url_for("orders.invoice", invoice_id=invoice.id))


@bp.route("/invoices/<int:invoice_id>")
@roles(*STAFF, "buyer")
def invoice(invoice_id):
    """An invoice or credit note: lines, totals, payments; staff record payments and returns."""
    inv = visible_invoice(invoice_id)
    payments = db.session.execute(select(BuyerPayment).where(BuyerPayment.invoice_id == inv.id)
                                  .order_by(BuyerPayment.id)).scalars().all()
    notes = db.session.execute(select(Invoice).where(Invoice.credited_invoice_id == inv.id)
                               .order_by(Invoice.id)).scalars().all()
    return render_template("orders/invoice.html", inv=inv, payments=payments, notes=notes,
                           due=orders_invoices.outstanding(inv) if inv.kind == "invoice" else None,
                           staff=is_staff(), payment_form=PaymentForm(),
                           credit_form=CreditNoteForm())


@bp.route("/invoices/<int:invoice_id>.pdf")
@roles(*STAFF, "buyer")
def invoice_pdf(invoice_id):
    """The invoice or credit note as a PDF, French and Arabic, both parties' identifiers."""
    inv = visible_invoice(invoice_id)
    return pdf_response(documents_pdf.invoice(inv, platform_identity()), f"{inv.number}.pdf")


@bp.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
@roles(*STAFF)
def add_payment(invoice_id):
    """Record money received against an invoice (partial allowed)."""
    inv = visible_invoice(invoice_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        return redirect(url_for("orders.invoice", invoice_id=inv.id))
    try:
        orders_invoices.record_payment(inv.id, amount=form.amount.data, method=form.method.data,
                                       reference=form.reference.data, user_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Payment recorded."), "success")
    return redirect(url_for("orders.invoice", invoice_id=inv.id))


@bp.route("/invoices/<int:invoice_id>/credit-note", methods=["POST"])
@roles(*STAFF)
def add_credit_note(invoice_id):
    """Goods returned: a credit note (`return-<order line id>` quantities, French commas)."""
    inv = visible_invoice(invoice_id)
    form = CreditNoteForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the credit note."), "danger")
        return redirect(url_for("orders.invoice", invoice_id=inv.id))
    returns = {}
    for line in inv.lines:
        raw = request.form.get(f"return-{line.order_line_id}")
        if raw is None or not raw.strip():
            continue
        try:
            returns[line.order_line_id] = parse_amount(raw, places=3)
        except AmountError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("orders.invoice", invoice_id=inv.id))
    try:
        note = orders_invoices.credit_note(inv.id, returns=returns, reason=form.reason.data,
                                           restock=form.restock.data, user_id=current_user.id)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("orders.invoice", invoice_id=inv.id))
    db.session.commit()
    flash(_("Credit note %(number)s issued.", number=note.number), "success")
    return redirect(url_for("orders.invoice", invoice_id=note.id))
