"""Invoices, credit notes and payments of the buyers, and their balance.

An invoice is written for a delivered order (delivered → invoiced): one line per product
handed over, at the line's frozen price before tax, with the VAT rate of the product's
category from configuration (0 % allowed); its due date follows the buyer's payment terms.
Invoices and credit notes are numbered per year without gaps (FA-2026-00001, AV-2026-00001)
from a counter row locked until commit. A credit note for goods returned puts them back on
the shelf or writes them off (like a till refund) and reverses the cooperative's entry at the
rate frozen at delivery. Payments are partial or whole, by method; the balance is invoices
less credit notes less payments. Flush, never commit.
"""
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from extensions import db
from models import clock
from models.consignment import ConsignmentEntry
from models.consignment_posting import post_entries, sale_line_entry
from models.cooperatives import utcnow
from models.errors import DomainError, NotFound, ValidationFailed
from models.ledger import Move, post_movements
from models.masterdata import virtual_location
from models.orders import (BUYER_PAYMENT_METHODS, DOC_CREDIT_NOTE, DOC_ORDER, BuyerPayment,
                           Invoice, InvoiceCounter, InvoiceLine)
from models.orders_audit import record, record_invoice
from models.orders_posting import WrongState, lock_order
from models.settings import setting
from models.types import money, quantity as round_quantity

SERIES = {"invoice": "FA", "credit_note": "AV"}


def tax_rate(category):
    """The VAT rate of a product category on buyers' invoices (configuration)."""
    rates = setting("ORDER_TAX_RATES") or {}
    rate = rates.get(category, setting("ORDER_TAX_DEFAULT_RATE", Decimal("0.20")))
    return Decimal(str(rate))


def take_number(kind, year):
    """(seq, number) of the next document of a series in a year, gapless: the counter row is
    locked by the UPDATE until commit (a rolled-back invoice gives its number back)."""
    table = InvoiceCounter.__table__
    bump = (update(table).where(table.c.kind == kind, table.c.year == year)
            .values(last_number=table.c.last_number + 1).returning(table.c.last_number))
    seq = db.session.execute(bump).scalar()
    if seq is None:
        from sqlalchemy.dialects import postgresql, sqlite

        ins = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        db.session.execute(ins(table).values(kind=kind, year=year, last_number=0)
                           .on_conflict_do_nothing(index_elements=["kind", "year"]))
        seq = db.session.execute(bump).scalar()
    return seq, f"{SERIES[kind]}-{year}-{seq:05d}"


def _line_amounts(quantity, unit_price, rate):
    net = money(quantity * unit_price)
    tax = money(net * rate)
    return net, tax, net + tax


def invoice_order(order_id, *, user_id=None, on=None):
    """Invoice a delivered order (→ invoiced). Returns the invoice."""
    order = lock_order(order_id)
    if order.state != "delivered":
        raise WrongState(_("Only a delivered order is invoiced."), fields={"state": order.state})
    issued = on or clock.today()
    lines = []
    for line in order.lines:
        qty = line.delivered_quantity or Decimal(0)
        if qty <= 0:
            continue
        rate = tax_rate(line.product.category)
        net, tax, total = _line_amounts(qty, line.unit_price, rate)
        lines.append(InvoiceLine(order_line_id=line.id, product_id=line.product_id, quantity=qty,
                                 unit_price=line.unit_price, tax_rate=rate, net=net, tax=tax,
                                 total=total))
    if not lines:
        raise DomainError(_("Nothing was handed over: there is nothing to invoice."),
                          code="nothing_to_invoice")
    seq, number = take_number("invoice", issued.year)
    invoice = Invoice(kind="invoice", year=issued.year, seq=seq, number=number,
                      buyer_id=order.buyer_id, order_id=order.id, issued_on=issued,
                      due_on=issued + timedelta(days=order.buyer.payment_terms_days or 0),
                      total_net=sum((x.net for x in lines), Decimal(0)),
                      total_tax=sum((x.tax for x in lines), Decimal(0)),
                      total=sum((x.total for x in lines), Decimal(0)), created_by_id=user_id)
    invoice.lines = lines
    db.session.add(invoice)
    order.state = "invoiced"
    order.invoiced_at = utcnow()
    db.session.flush()
    record("invoice", order, user_id=user_id, before={"state": "delivered"}, invoice=invoice.number)
    record_invoice("issue", invoice, user_id=user_id, number=invoice.number, order=order.number,
                   total=invoice.total, due_on=invoice.due_on.isoformat())
    return invoice


def lock_invoice(invoice_id):
    """The invoice, its row locked until commit."""
    invoice = db.session.execute(select(Invoice).where(Invoice.id == invoice_id).with_for_update()
                                 .execution_options(populate_existing=True)).scalar()
    if invoice is None:
        raise NotFound(_("Unknown invoice."))
    return invoice


def paid_on_invoice(invoice_id):
    """What the buyer has paid against an invoice."""
    return money(db.session.execute(select(func.coalesce(func.sum(BuyerPayment.amount), 0))
                                    .where(BuyerPayment.invoice_id == invoice_id)).scalar())


def credited_on_invoice(invoice_id):
    """The total of the credit notes against an invoice."""
    return money(db.session.execute(select(func.coalesce(func.sum(Invoice.total), 0)).where(
        Invoice.credited_invoice_id == invoice_id, Invoice.kind == "credit_note")).scalar())


def outstanding(invoice):
    """What is still due on an invoice: its total less credit notes and payments."""
    return invoice.total - credited_on_invoice(invoice.id) - paid_on_invoice(invoice.id)


def record_payment(invoice_id, *, amount, method, reference=None, user_id=None, on=None,
                   cash_session_id=None):
    """A payment (partial or whole) against an invoice; more than is due is refused.
    `cash_session_id`: taken at a shop's till, in that cashier's open session
    (models/orders_pickup.py)."""
    try:
        amount = money(Decimal(str(amount)))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(_("The amount must be a number."), fields={"amount": [str(amount)]})
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed(_("The amount must be positive."), fields={"amount": [str(amount)]})
    if method not in BUYER_PAYMENT_METHODS:
        raise ValidationFailed(_("Unknown payment method."), fields={"method": [str(method)]})
    invoice = lock_invoice(invoice_id)
    if invoice.kind != "invoice":
        raise DomainError(_("Payments are recorded against invoices."), code="not_an_invoice")
    due = outstanding(invoice)
    if amount > due:
        raise DomainError(_("%(amount)s is more than the %(due)s still due on %(number)s.",
                            amount=amount, due=due, number=invoice.number),
                          code="overpayment", fields={"amount": str(amount), "due": str(due)})
    payment = BuyerPayment(buyer_id=invoice.buyer_id, invoice_id=invoice.id, amount=amount,
                           method=method, paid_on=on or clock.today(),
                           reference=(reference or None), created_by_id=user_id,
                           cash_session_id=cash_session_id)
    db.session.add(payment)
    db.session.flush()
    record_invoice("payment", invoice, user_id=user_id, before={"due": due}, due=due - amount,
                   amount=amount, method=method, reference=payment.reference,
                   paid_on=payment.paid_on.isoformat())
    return payment


def returnable(invoice):
    """{(order line id, lot id): quantity still returnable} for an invoice: what was handed
    over of each lot, less what earlier credit notes took back."""
    left = {}
    order = invoice.order
    for line in order.lines:
        for held in line.lots:
            if held.delivered:
                key = (line.id, held.lot_id)
                left[key] = left.get(key, Decimal(0)) + held.delivered
    for row in db.session.execute(
            select(InvoiceLine.order_line_id, InvoiceLine.lot_id, func.sum(InvoiceLine.quantity))
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(Invoice.credited_invoice_id == invoice.id, Invoice.kind == "credit_note")
            .group_by(InvoiceLine.order_line_id, InvoiceLine.lot_id)):
        key = (row[0], row[1])
        left[key] = left.get(key, Decimal(0)) - row[2]
    return left


def credit_note(invoice_id, *, returns, reason, restock=True, user_id=None, on=None):
    """A credit note for goods returned: `returns` maps order line id → quantity. The lots
    go back on the shelf of the order's location (or are written off as damaged), and each
    lot's cooperative entry is reversed at the rate frozen at delivery. Returns the note."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the credit note."),
                               fields={"reason": [_("Give the reason for the credit note.")]})
    invoice = lock_invoice(invoice_id)
    if invoice.kind != "invoice":
        raise DomainError(_("A credit note is made against an invoice."), code="not_an_invoice")
    order = lock_order(invoice.order_id)
    lines = {line.id: line for line in order.lines}
    left = returnable(invoice)
    inv_lines = {x.order_line_id: x for x in invoice.lines}
    wanted = {}
    for key, value in (returns or {}).items():
        try:
            line_id = int(key)
            qty = round_quantity(Decimal(str(value))) if value not in (None, "") else Decimal(0)
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationFailed(_("Quantity must be a number."), fields={"returns": {str(key): [str(value)]}})
        if not qty.is_finite() or qty < 0:
            raise ValidationFailed(_("Quantity must be positive."), fields={"returns": {str(key): [str(value)]}})
        if qty == 0:
            continue
        if line_id not in lines or line_id not in inv_lines:
            raise ValidationFailed(_("Unknown order line."), fields={"returns": {str(key): [str(value)]}})
        wanted[line_id] = wanted.get(line_id, Decimal(0)) + qty
    if not wanted:
        raise ValidationFailed(_("Say how much of which line comes back."), code="empty",
                               fields={"returns": [_("Say how much of which line comes back.")]})
    allocation = []
    for line_id, qty in wanted.items():
        line = lines[line_id]
        for held in reversed(line.lots):  # the last-expiring lots back first
            avail = left.get((line_id, held.lot_id), Decimal(0))
            take = min(avail, qty)
            if take > 0:
                allocation.append((line, held, take))
                left[(line_id, held.lot_id)] = avail - take
                qty -= take
        if qty > 0:
            raise DomainError(_("%(product)s: more returned than was invoiced.",
                                product=line.product.name_fr), code="return_exceeds_invoice",
                              fields={"returns": {str(line_id): [str(wanted[line_id])]}})
    issued = on or clock.today()
    note_lines = []
    for line, held, qty in allocation:
        rate = inv_lines[line.id].tax_rate
        net, tax, total = _line_amounts(qty, line.unit_price, rate)
        note_lines.append(InvoiceLine(order_line_id=line.id, product_id=line.product_id,
                                      lot_id=held.lot_id, quantity=qty, unit_price=line.unit_price,
                                      tax_rate=rate, net=net, tax=tax, total=total))
    seq, number = take_number("credit_note", issued.year)
    note = Invoice(kind="credit_note", year=issued.year, seq=seq, number=number,
                   buyer_id=invoice.buyer_id, order_id=order.id, credited_invoice_id=invoice.id,
                   issued_on=issued, due_on=issued, reason=reason[:255], created_by_id=user_id,
                   total_net=sum((x.net for x in note_lines), Decimal(0)),
                   total_tax=sum((x.tax for x in note_lines), Decimal(0)),
                   total=sum((x.total for x in note_lines), Decimal(0)))
    note.lines = note_lines
    db.session.add(note)
    db.session.flush()
    customers = virtual_location("CUSTOMERS").id
    target = order.location_id if restock else virtual_location("LOSS").id
    now = utcnow()
    post_movements([Move(held.lot_id, qty, customers, target) for _l, held, qty in allocation],
                   kind="refund" if restock else "loss", user_id=user_id,
                   document_type=DOC_CREDIT_NOTE, document_id=note.id, at=now,
                   note=None if restock else "written off: damaged")
    rates = _frozen_rates(order.id)
    post_entries([sale_line_entry(
        cooperative_id=held.lot.cooperative_id, category=line.product.category,
        gross=money(qty * line.unit_price), lot_id=held.lot_id, quantity=qty,
        location_id=held.location_id, document_type=DOC_CREDIT_NOTE, document_id=note.id,
        user_id=user_id, at=now, kind="refund", rate=rates.get(held.lot_id))
        for line, held, qty in allocation])
    if not restock:
        from models.compensations import record_losses

        record_losses([{"lot_id": held.lot_id, "quantity": qty, "location_id": held.location_id}
                       for _l, held, qty in allocation], loss_kind="refund_damaged",
                      document_type=DOC_CREDIT_NOTE, document_id=note.id, user_id=user_id,
                      reason=reason)
    db.session.flush()
    returned = "; ".join(f"{line.product.sku} × {held.lot.code} × {qty.normalize():f}"
                         for line, held, qty in allocation)
    record_invoice("issue", note, user_id=user_id, number=note.number, credits=invoice.number,
                   order=order.number, total=note.total, reason=note.reason,
                   restock="1" if restock else "0", returned=returned)
    record_invoice("credit_note", invoice, user_id=user_id, credit_note=note.number,
                   total=note.total)
    return note


def _frozen_rates(order_id):
    """{lot id: commission rate} of the order's delivery entries (the rate frozen then)."""
    return dict(db.session.execute(
        select(ConsignmentEntry.lot_id, ConsignmentEntry.commission_rate).where(
            ConsignmentEntry.document_type == DOC_ORDER, ConsignmentEntry.document_id == order_id,
            ConsignmentEntry.kind == "sale")).all())


def buyer_balance(buyer_id):
    """{"invoiced", "credited", "paid", "balance"} of a buyer (balance: what it owes)."""
    invoiced = money(db.session.execute(select(func.coalesce(func.sum(Invoice.total), 0)).where(
        Invoice.buyer_id == buyer_id, Invoice.kind == "invoice")).scalar())
    credited = money(db.session.execute(select(func.coalesce(func.sum(Invoice.total), 0)).where(
        Invoice.buyer_id == buyer_id, Invoice.kind == "credit_note")).scalar())
    paid = money(db.session.execute(select(func.coalesce(func.sum(BuyerPayment.amount), 0)).where(
        BuyerPayment.buyer_id == buyer_id)).scalar())
    return {"invoiced": invoiced, "credited": credited, "paid": paid,
            "balance": invoiced - credited - paid}


def invoice_numbering_problems():
    """Series whose numbers have gaps or do not match their counter (integrity-check)."""
    problems = []
    rows = db.session.execute(select(Invoice.kind, Invoice.year, func.count(), func.max(Invoice.seq))
                              .group_by(Invoice.kind, Invoice.year)).all()
    counters = {(c.kind, c.year): c.last_number for c in db.session.execute(
        select(InvoiceCounter)).scalars()}
    for kind, year, count, top in rows:
        if count != top or counters.get((kind, year)) != top:
            problems.append({"problem": "invoice numbers with a gap", "row": f"{kind} {year}",
                             "detail": f"{count} documents, last number {top}, counter "
                                       f"{counters.get((kind, year))}"})
    return problems
