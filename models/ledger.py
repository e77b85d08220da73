"""The stock-ledger service: the one writer of stock movements and balances.

Every stock change in Tadamon calls `post_movements` (or `move` for one line). In one
transaction it locks the balance rows it touches, ordered by id so two writers never
deadlock, refuses to take a real location below zero, writes the immutable movements and
updates the balances. It flushes through Core and never commits: the caller owns the
transaction.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from sqlalchemy import select, update

from extensions import db
from models import rawsql
from models.cooperatives import utcnow
from models.errors import InsufficientStock, ValidationFailed
from models.stock import (KIND_CUSTOMER, KIND_PRODUCTION, KIND_TRANSIT, MOVEMENT_KINDS,
                          VIRTUAL_KINDS, Location, Lot, StockBalance, StockMovement)
from models.stock_blocks import LotHeld, held_lots, maybe_held
from models.types import quantity as round_quantity


@dataclass(frozen=True)
class Move:
    """One line to post: `quantity` of `lot_id` from one location to another."""

    lot_id: int
    quantity: Decimal
    from_location_id: int
    to_location_id: int
    note: str | None = None


def move(lot_id, quantity, from_location_id, to_location_id, **kwargs):
    """Post a single movement. See `post_movements` for the keyword arguments."""
    return post_movements(
        [Move(lot_id, quantity, from_location_id, to_location_id)], **kwargs
    )


def _insert_missing_balances(keys):
    """Create zero balances for (lot, location) pairs that have none, racing writers tolerated
    (INSERT … ON CONFLICT DO NOTHING, one prepared statement, in key order)."""
    now = utcnow()
    rawsql.executemany(
        "INSERT INTO stock_balances (lot_id, location_id, quantity, updated_at) "
        "VALUES (:lot_id, :location_id, :quantity, :updated_at) "
        "ON CONFLICT (lot_id, location_id) DO NOTHING",
        [{"lot_id": lot, "location_id": loc, "quantity": Decimal(0), "updated_at": now}
         for lot, loc in keys])


class _Locked(NamedTuple):
    """A balance row read under its lock, with its location's kind."""

    id: int
    lot_id: int
    location_id: int
    quantity: Decimal
    location_kind: str
    reserved: Decimal


LOCK_BALANCES = ("SELECT b.id, b.lot_id, b.location_id, b.quantity, l.kind, b.reserved FROM stock_balances b "
                 "JOIN locations l ON l.id = b.location_id WHERE ")


def _lock_balances(keys):
    """SELECT … FOR UPDATE the balance rows, in id order (no-op clause on SQLite,
    where the write transaction was taken up front by BEGIN IMMEDIATE), with each row's
    location kind. Returns {(lot, location): row}; keys without a balance row are absent.
    One statement on the driver (models.rawsql): this runs in every sale."""
    _raw, dialect = rawsql.connection()
    if dialect == "sqlite":
        # SQLite plans a row-value IN (VALUES …) as a scan of every balance (3.7 ms at 39k
        # rows); lot IN (…) AND location IN (…) searches the unique (lot, location) index.
        # It returns the cross product, a superset: keep the asked keys. (No row locks on
        # SQLite to over-take: BEGIN IMMEDIATE holds the database.)
        wanted = set(keys)
        lots, params = rawsql.in_list("lot", sorted({k[0] for k in wanted}))
        locs, more = rawsql.in_list("loc", sorted({k[1] for k in wanted}))
        params.update(more)
        sql = f"{LOCK_BALANCES}b.lot_id IN ({lots}) AND b.location_id IN ({locs}) ORDER BY b.id"
        rows = (_Locked(r[0], r[1], r[2], rawsql.dec(r[3], 3), r[4], rawsql.dec(r[5], 3))
                for r in rawsql.execute(sql, params).fetchall())
        return {(r.lot_id, r.location_id): r for r in rows if (r.lot_id, r.location_id) in wanted}
    pairs = ", ".join(f"(:lot_{i}, :loc_{i})" for i in range(len(keys)))
    params = {}
    for i, (lot, loc) in enumerate(keys):
        params[f"lot_{i}"], params[f"loc_{i}"] = lot, loc
    sql = f"{LOCK_BALANCES}(b.lot_id, b.location_id) IN ({pairs}) ORDER BY b.id FOR UPDATE OF b"
    return {(r[1], r[2]): _Locked(*r) for r in rawsql.execute(sql, params).fetchall()}


def _validate(moves, kind):
    """Reject malformed movements before touching the database."""
    if kind not in MOVEMENT_KINDS:
        raise ValidationFailed(f"Unknown movement kind {kind!r}", fields={"kind": [kind]})
    if not moves:
        raise ValidationFailed("No movement to post", code="empty")
    clean = []
    for m in moves:
        try:
            qty = Decimal(m.quantity)
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationFailed("Quantity must be a number", fields={"quantity": [str(m.quantity)]})
        if not qty.is_finite() or qty <= 0:
            raise ValidationFailed("Quantity must be positive", fields={"quantity": [str(qty)]})
        if m.from_location_id == m.to_location_id:
            raise ValidationFailed("Source and destination are the same location")
        clean.append(Move(m.lot_id, round_quantity(qty), m.from_location_id, m.to_location_id, m.note))
    return clean


def post_movements(moves, *, kind, user_id=None, document_type=None, document_id=None,
                   note=None, at=None, allow_held=False, releasing=None):
    """Post `moves` atomically: lock, check, write movements, update balances.

    Raises InsufficientStock (naming lot, location, available and asked) when a real
    location would go below what orders reserve there (below zero when nothing is), and
    ValidationFailed for malformed input. Nothing is written in either case. Returns the
    list of validated moves. `allow_held`: a sale already made offline
    (models.sales_offline_posting) still leaves when its lot was blocked or expired since.
    `releasing` ({(lot, location): quantity}) gives back an order's reservation under the
    same locks first (its delivery).
    """
    moves = _validate(moves, kind) if moves or not releasing else []
    releasing = {k: round_quantity(Decimal(q)) for k, q in (releasing or {}).items() if q}
    keys = sorted({(m.lot_id, m.from_location_id) for m in moves}
                  | {(m.lot_id, m.to_location_id) for m in moves} | set(releasing))
    # SQLite (one writer at a time, no row locks): usually every balance row exists already
    # (a shop's lot, the customers' side), so one read does. PostgreSQL keeps the order that
    # cannot deadlock: check locations, create missing rows (key order), lock (id order).
    sqlite_db = rawsql.connection()[1] == "sqlite"
    locked = _lock_balances(keys) if sqlite_db else {}
    if len(locked) < len(keys):
        location_ids = sorted({loc for _, loc in keys})
        ids, params = rawsql.in_list("loc", location_ids)
        known = {r[0] for r in rawsql.execute(f"SELECT id FROM locations WHERE id IN ({ids})",
                                              params).fetchall()}
        missing = set(location_ids) - known
        if missing:
            raise ValidationFailed("Unknown location", code="unknown_location",
                                   fields={"location_id": sorted(missing)}, status=422)
        _insert_missing_balances([key for key in keys if key not in locked])
        locked = _lock_balances(keys)
    kinds = {loc: row.location_kind for (_lot, loc), row in locked.items()}
    if not allow_held:
        _refuse_held_lots(moves, kind, kinds)
    reserved = {key: row.reserved - releasing.get(key, Decimal(0)) for key, row in locked.items()}
    if any(qty < 0 for qty in reserved.values()):
        raise ValidationFailed("Releasing more than is reserved", code="not_reserved")

    deltas = {key: Decimal(0) for key in keys}
    taken = {key: Decimal(0) for key in keys}
    for m in moves:
        deltas[(m.lot_id, m.from_location_id)] -= m.quantity
        taken[(m.lot_id, m.from_location_id)] += m.quantity
        deltas[(m.lot_id, m.to_location_id)] += m.quantity

    for key in keys:
        lot_id, loc_id = key
        new_qty = locked[key].quantity + deltas[key]
        # What confirmed orders reserve may not leave (DESIGN "Reservation"): an order's own
        # delivery releases its reservation first, in the same transaction.
        floor = reserved[key] if deltas[key] < 0 else 0
        if new_qty < floor and kinds[loc_id] not in VIRTUAL_KINDS:
            rawsql.leave_pipeline()  # SQLAlchemy below (models.rawsql.pipeline)
            lot = db.session.get(Lot, lot_id)
            loc = db.session.get(Location, loc_id)
            raise InsufficientStock(
                lot_id=lot_id, lot_code=lot.code if lot else str(lot_id),
                location_id=loc_id, location_name=loc.name_fr,
                available=locked[key].quantity - reserved[key], requested=taken[key],
            )

    now = at or utcnow()
    changed = [
        {"b_id": locked[key].id, "b_qty": locked[key].quantity + delta, "b_at": now}
        for key, delta in deltas.items() if delta != 0
    ]
    if changed:
        rawsql.executemany("UPDATE stock_balances SET quantity = :b_qty, updated_at = :b_at "
                           "WHERE id = :b_id", changed)
    if releasing:
        rawsql.executemany("UPDATE stock_balances SET reserved = :b_reserved WHERE id = :b_id",
                           [{"b_id": locked[key].id, "b_reserved": reserved[key]}
                            for key in sorted(releasing)])
    if not moves:
        return moves
    rawsql.insert("stock_movements", [
        {
            "created_at": now, "lot_id": m.lot_id, "quantity": m.quantity,
            "from_location_id": m.from_location_id, "to_location_id": m.to_location_id,
            "kind": kind, "document_type": document_type, "document_id": document_id,
            "user_id": user_id, "note": m.note or note,
        }
        for m in moves
    ])
    return moves


# A blocked or expired lot may not leave for these (a sale, the road of a transfer, a
# packaging run)...
HELD_LOT_REFUSED_DESTINATIONS = (KIND_CUSTOMER, KIND_TRANSIT, KIND_PRODUCTION)


def _refuse_held_lots(moves, kind, kinds):
    """DESIGN "Blocked lot": no stock of a blocked or expired lot leaves for a customer (a
    sale), the road (a transfer's dispatch) or a packaging run, nor comes back from a customer
    onto a shelf (a refund restocked). The loss and adjustment locations and its cooperative
    still take it, goods on the road still arrive, and a return from a shop to the warehouse
    (kind "return": a recall gathers its goods) still leaves. Raises LotHeld (409)."""
    if kind == "return":
        return
    suspect = [m for m in moves if kinds[m.to_location_id] in HELD_LOT_REFUSED_DESTINATIONS
               or (kinds[m.from_location_id] == KIND_CUSTOMER
                   and kinds[m.to_location_id] not in VIRTUAL_KINDS)]
    if not suspect:
        return
    lot_ids = {m.lot_id for m in suspect}
    if not maybe_held(lot_ids):
        return
    rawsql.leave_pipeline()  # SQLAlchemy below (models.rawsql.pipeline)
    held = held_lots(lot_ids)
    for m in suspect:
        if m.lot_id in held:
            code, block, best_before = held[m.lot_id]
            raise LotHeld(m.lot_id, code, block=block, best_before=best_before,
                          location_id=m.from_location_id)


def available(lot_id, location_id):
    """Quantity of a lot on hand at a location (no lock: for display and proposals)."""
    qty = db.session.execute(
        select(StockBalance.quantity).where(
            StockBalance.lot_id == lot_id, StockBalance.location_id == location_id
        )
    ).scalar()
    return qty if qty is not None else Decimal(0)


def integrity_mismatches():
    """Every (lot, location) whose balance differs from the ledger's sums; empty when sound."""
    mv = StockMovement.__table__
    bal = StockBalance.__table__
    inflow = select(mv.c.lot_id, mv.c.to_location_id.label("location_id"),
                    mv.c.quantity.label("qty"))
    outflow = select(mv.c.lot_id, mv.c.from_location_id.label("location_id"),
                     (-mv.c.quantity).label("qty"))
    flows = inflow.union_all(outflow).subquery()
    sums = dict(
        ((r.lot_id, r.location_id), Decimal(r.total or 0))
        for r in db.session.execute(
            select(flows.c.lot_id, flows.c.location_id, db.func.sum(flows.c.qty).label("total"))
            .group_by(flows.c.lot_id, flows.c.location_id)
        )
    )
    balances = {
        (r.lot_id, r.location_id): Decimal(r.quantity)
        for r in db.session.execute(select(bal.c.lot_id, bal.c.location_id, bal.c.quantity))
    }
    real = set(db.session.execute(
        select(Location.id).where(Location.kind.not_in(VIRTUAL_KINDS))).scalars())
    problems = []
    for key in sorted(sums.keys() | balances.keys()):
        ledger = round_quantity(sums.get(key, Decimal(0)))
        balance = round_quantity(balances.get(key, Decimal(0)))
        if ledger != balance:
            problems.append({"lot_id": key[0], "location_id": key[1],
                             "balance": balance, "ledger": ledger, "problem": "mismatch"})
        elif balance < 0 and key[1] in real:
            problems.append({"lot_id": key[0], "location_id": key[1],
                             "balance": balance, "ledger": ledger, "problem": "negative"})
    return problems


# --- reservations: stock held for confirmed orders (DESIGN "Reservation") ----------------------

def lock_reservable(product_ids, location_id):
    """The balance rows of the products' lots at a location that hold stock, locked FOR UPDATE
    in id order (the order post_movements takes them), with each lot's product and
    best-before: what a confirmation reserves from, first-expired first."""
    table = StockBalance.__table__
    stmt = (select(table.c.id, table.c.lot_id, table.c.location_id, table.c.quantity,
                   table.c.reserved, Lot.product_id, Lot.best_before)
            .join(Lot, Lot.id == table.c.lot_id)
            .where(Lot.product_id.in_(sorted(product_ids)), table.c.location_id == location_id,
                   table.c.quantity > 0)
            .order_by(table.c.id))
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=table)
    return db.session.execute(stmt).all()


def _change_reserved(holds, sign):
    """Add (sign +1) or take back (-1) reserved quantities: `holds` maps (lot, location) to a
    quantity. Under the balances' row locks; reserved stays within 0..quantity."""
    holds = {key: round_quantity(Decimal(qty)) for key, qty in holds.items() if qty}
    if not holds:
        return
    locked = _lock_balances(sorted(holds))
    changed = []
    for key, qty in sorted(holds.items()):
        row = locked.get(key)
        on_hand = row.quantity if row is not None else Decimal(0)
        reserved = row.reserved if row is not None else Decimal(0)
        new_reserved = reserved + sign * qty
        if sign > 0 and new_reserved > on_hand:
            lot = db.session.get(Lot, key[0])
            loc = db.session.get(Location, key[1])
            raise InsufficientStock(lot_id=key[0], lot_code=lot.code if lot else str(key[0]),
                                    location_id=key[1], location_name=loc.name_fr if loc else "",
                                    available=on_hand - reserved, requested=qty)
        if new_reserved < 0:
            raise ValidationFailed("Releasing more than is reserved", code="not_reserved",
                                   fields={"lot_id": key[0], "location_id": key[1]})
        changed.append({"b_id": row.id, "b_reserved": new_reserved})
    table = StockBalance.__table__
    db.session.execute(update(table).where(table.c.id == db.bindparam("b_id"))
                       .values(reserved=db.bindparam("b_reserved")), changed,
                       execution_options={"synchronize_session": False})


def reserve(holds):
    """Hold stock for orders: {(lot_id, location_id): quantity}. Raises InsufficientStock
    when a lot has less available (on hand less reserved) than asked. Flushes, never commits."""
    _change_reserved(holds, 1)


def release(holds):
    """Give reserved stock back to the shelf: {(lot_id, location_id): quantity}."""
    _change_reserved(holds, -1)


def available_to_promise(lot_id, location_id):
    """On hand less reserved, for a lot at a location (no lock: for display)."""
    row = db.session.execute(
        select(StockBalance.quantity, StockBalance.reserved).where(
            StockBalance.lot_id == lot_id, StockBalance.location_id == location_id)).first()
    return (row.quantity - row.reserved) if row is not None else Decimal(0)
