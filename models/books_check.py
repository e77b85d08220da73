"""The proofs `flask integrity-check` adds over the books: every sale line has its stock
movement and its consignment entry at the frozen rate, payments cover each sale, refunds
reverse what they say, approved compensations have their entry, and each hash chain
verifies. Each problem names its row: {"problem", "row", "detail"}."""
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.books import chain_hash, entry_values, sale_values
from models.compensations import compensation_problems
from models.stock_writeoffs import write_off_problems
from models.consignment import ConsignmentBalance, ConsignmentEntry
from models.sales import Refund, RefundLine, Sale, SaleLine, SalePayment
from models.stock import StockMovement
from models.types import money, quantity as q3


def _problem(problem, row, detail):
    return {"problem": problem, "row": row, "detail": detail}


def _sums(query):
    return {tuple(r[:-2]): (r[-2], r[-1]) for r in db.session.execute(query)}


def sale_line_problems():
    """Each sale's lines, per lot, against its movements and its entries (quantity, gross,
    frozen rate)."""
    line, mv, e = SaleLine, StockMovement, ConsignmentEntry
    lines = _sums(select(line.sale_id, line.lot_id, line.commission_rate,
                         func.sum(line.quantity), func.sum(line.total))
                  .group_by(line.sale_id, line.lot_id, line.commission_rate))
    moved = {k: v[0] for k, v in _sums(
        select(mv.document_id, mv.lot_id, func.sum(mv.quantity), func.count())
        .where(mv.document_type == "sale", mv.kind == "sale").group_by(mv.document_id, mv.lot_id)).items()}
    owed = _sums(select(e.document_id, e.lot_id, e.commission_rate, func.sum(e.quantity), func.sum(e.gross))
                 .where(e.document_type == "sale", e.kind == "sale")
                 .group_by(e.document_id, e.lot_id, e.commission_rate))
    problems = []
    per_lot = defaultdict(Decimal)
    for (sale_id, lot_id, rate), (qty, total) in lines.items():
        per_lot[(sale_id, lot_id)] += q3(qty)
        entry = owed.get((sale_id, lot_id, rate))
        if entry is None or q3(entry[0]) != q3(qty) or money(entry[1]) != money(total):
            problems.append(_problem("sale line without its entry", f"sale {sale_id}",
                                     f"lot {lot_id}: line {q3(qty)} for {money(total)} at rate {rate}, "
                                     f"entry {entry and (q3(entry[0]), money(entry[1]))}"))
    for (sale_id, lot_id), qty in per_lot.items():
        if q3(moved.get((sale_id, lot_id)) or 0) != qty:
            problems.append(_problem("sale line without its movement", f"sale {sale_id}",
                                     f"lot {lot_id}: sold {qty}, moved {moved.get((sale_id, lot_id))}"))
    for (sale_id, lot_id, rate) in owed.keys() - lines.keys():
        problems.append(_problem("entry without its sale line", f"sale {sale_id}",
                                 f"lot {lot_id} at rate {rate}"))
    return problems


def payment_problems():
    """Sales whose payments less the change given are not their total."""
    paid = dict(db.session.execute(select(SalePayment.sale_id, func.sum(SalePayment.amount))
                                   .group_by(SalePayment.sale_id)).all())
    problems = []
    for sale_id, number, total, change in db.session.execute(
            select(Sale.id, Sale.number, Sale.total, Sale.change).order_by(Sale.id)):
        if money(paid.get(sale_id) or 0) - money(change) != money(total):
            problems.append(_problem("payments do not cover the sale", f"sale {sale_id} ({number})",
                                     f"total {money(total)}, paid {money(paid.get(sale_id) or 0)}, "
                                     f"change {money(change)}"))
    return problems


def refund_problems():
    """Refunds whose lines, movements or entries do not say what the refund says."""
    rl, mv, e = RefundLine, StockMovement, ConsignmentEntry
    line_sums = _sums(select(rl.refund_id, func.sum(rl.amount), func.sum(rl.quantity)).group_by(rl.refund_id))
    moved = _sums(select(mv.document_id, func.sum(mv.quantity), func.count())
                  .where(mv.document_type == "refund").group_by(mv.document_id))
    reversed_ = _sums(select(e.document_id, func.sum(e.gross), func.sum(e.quantity))
                      .where(e.document_type == "refund", e.kind == "refund").group_by(e.document_id))
    problems = []
    for refund_id, number, total in db.session.execute(
            select(Refund.id, Refund.number, Refund.total).order_by(Refund.id)):
        amount, qty = line_sums.get((refund_id,), (0, 0))
        row = f"refund {refund_id} ({number})"
        if money(amount) != money(total):
            problems.append(_problem("refund lines differ from the refund", row,
                                     f"total {money(total)}, lines {money(amount)}"))
        if q3(moved.get((refund_id,), (0,))[0] or 0) != q3(qty):
            problems.append(_problem("refund without its movements", row,
                                     f"lines {q3(qty)}, moved {moved.get((refund_id,))}"))
        gross, eqty = reversed_.get((refund_id,), (0, 0))
        if money(-(gross or 0)) != money(total) or q3(eqty or 0) != q3(qty):
            problems.append(_problem("refund without its reversing entries", row,
                                     f"total {money(total)}, entries {money(-(gross or 0))}"))
    refunded = dict(db.session.execute(select(rl.sale_line_id, func.sum(rl.quantity)).group_by(rl.sale_line_id)).all())
    for line_id, sale_id, qty in db.session.execute(
            select(SaleLine.id, SaleLine.sale_id, SaleLine.refunded_quantity).where(SaleLine.refunded_quantity > 0)
            .order_by(SaleLine.id)):
        if q3(refunded.get(line_id) or 0) != q3(qty):
            problems.append(_problem("refunded quantity differs from the refunds", f"sale line {line_id}",
                                     f"sale {sale_id}: {q3(qty)} marked, {refunded.get(line_id)} refunded"))
    for line_id in refunded.keys() - {r for r in db.session.execute(
            select(SaleLine.id).where(SaleLine.refunded_quantity > 0)).scalars()}:
        problems.append(_problem("refunded quantity differs from the refunds", f"sale line {line_id}",
                                 f"refunded {refunded[line_id]}, none marked"))
    return problems


def chain_problems():
    """The first row breaking each shop's chain of sales and each cooperative's chain of
    entries (its hash does not follow from the previous one and its own fields), and heads
    that are not their chain's last hash."""
    problems = []
    lines, payments = defaultdict(list), defaultdict(list)
    for row in db.session.execute(select(SaleLine.__table__).order_by(SaleLine.id)).mappings():
        lines[row["sale_id"]].append(row)
    for row in db.session.execute(select(SalePayment.__table__).order_by(SalePayment.id)).mappings():
        payments[row["sale_id"]].append(row)
    heads, broken = {}, set()
    for sale in db.session.execute(select(Sale.__table__).order_by(Sale.location_id, Sale.seq)).mappings():
        shop = sale["location_id"]
        if shop in broken:
            continue
        expected = chain_hash(heads.get(shop), sale_values(sale, lines[sale["id"]], payments[sale["id"]]))
        if sale["chain_hash"] != expected:
            broken.add(shop)
            problems.append(_problem("sales chain broken", f"sale {sale['id']} ({sale['number']})",
                                     f"shop {shop}: the hash does not follow from the previous sale "
                                     f"and this sale's fields"))
        heads[shop] = sale["chain_hash"]
    heads, broken = {}, set()
    for entry in db.session.execute(select(ConsignmentEntry.__table__)
                                    .order_by(ConsignmentEntry.cooperative_id, ConsignmentEntry.id)).mappings():
        coop = entry["cooperative_id"]
        if coop in broken:
            continue
        if entry["chain_hash"] != chain_hash(heads.get(coop), entry_values(entry)):
            broken.add(coop)
            problems.append(_problem("consignment chain broken", f"consignment entry {entry['id']}",
                                     f"cooperative {coop}: the hash does not follow from the previous "
                                     f"entry and this entry's fields"))
        heads[coop] = entry["chain_hash"]
    for coop, head in db.session.execute(select(ConsignmentBalance.cooperative_id, ConsignmentBalance.chain_head)):
        if coop not in broken and head != heads.get(coop):
            problems.append(_problem("consignment chain head differs", f"cooperative {coop}",
                                     "the running balance's head is not the last entry's hash"))
    return problems


def books_problems():
    """Every problem of the books, sales first."""
    return (sale_line_problems() + payment_problems() + refund_problems()
            + [_problem("approved compensation without its entry", f"compensation {c['compensation_id']}",
                        f"amount {c['amount']}, entry {c['entry_amount']}") for c in compensation_problems()]
            + [_problem("write-off without its loss movement", f"write-off {w['write_off_id']}",
                        f"quantity {w['quantity']}, moved {w['moved']}") for w in write_off_problems()]
            + chain_problems())
