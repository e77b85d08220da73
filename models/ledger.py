"""The stock-ledger service: the one writer of stock movements and balances.

Every stock change in Tadamon calls `post_movements` (or `move` for one line). In one
transaction it locks the balance rows it touches, ordered by id so two writers never
deadlock, refuses to take a real location below zero, writes the immutable movements and
updates the balances. It flushes through Core and never commits: the caller owns the
transaction.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models.cooperatives import utcnow
from models.errors import InsufficientStock, ValidationFailed
from models.stock import (KIND_CUSTOMER, KIND_PRODUCTION, KIND_TRANSIT, MOVEMENT_KINDS,
                          VIRTUAL_KINDS, Location, Lot, StockBalance, StockMovement)
from models.stock_blocks import LotHeld, held_lots
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
    """Create zero balances for (lot, location) pairs that have none, racing writers tolerated."""
    dialect = db.session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = ins(StockBalance.__table__).on_conflict_do_nothing(
        index_elements=["lot_id", "location_id"]
    )
    db.session.execute(
        stmt,
        [
            {"lot_id": lot, "location_id": loc, "quantity": Decimal(0), "updated_at": now}
            for lot, loc in keys
        ],
    )


def _lock_balances(keys):
    """SELECT … FOR UPDATE the balance rows, in id order (no-op clause on SQLite,
    where the write transaction was taken up front by BEGIN IMMEDIATE), with each row's
    location kind. Returns {(lot, location): row}; keys without a balance row are absent."""
    table = StockBalance.__table__
    loc = Location.__table__
    stmt = (select(table.c.id, table.c.lot_id, table.c.location_id, table.c.quantity,
                   loc.c.kind.label("location_kind"))
            .join(loc, loc.c.id == table.c.location_id).order_by(table.c.id))
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite plans a row-value IN (VALUES …) as a scan of every balance (3.7 ms at 39k
        # rows); lot IN (…) AND location IN (…) searches the unique (lot, location) index.
        # It returns the cross product, a superset: keep the asked keys. (No row locks on
        # SQLite to over-take: BEGIN IMMEDIATE holds the database.)
        wanted = set(keys)
        stmt = stmt.where(table.c.lot_id.in_({k[0] for k in wanted}),
                          table.c.location_id.in_({k[1] for k in wanted}))
        return {(r.lot_id, r.location_id): r for r in db.session.execute(stmt)
                if (r.lot_id, r.location_id) in wanted}
    stmt = (stmt.where(tuple_(table.c.lot_id, table.c.location_id).in_(list(keys)))
            .with_for_update(of=table))
    return {(r.lot_id, r.location_id): r for r in db.session.execute(stmt)}


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
                   note=None, at=None, allow_held=False):
    """Post `moves` atomically: lock, check, write movements, update balances.

    Raises InsufficientStock (naming lot, location, available and asked) when a real
    location would go negative, ValidationFailed for malformed input. Nothing is written
    in either case. Returns the list of validated moves. `allow_held`: a sale already made
    offline (models.sales_offline) still leaves when its lot was blocked or expired since.
    """
    moves = _validate(moves, kind)
    keys = sorted({(m.lot_id, m.from_location_id) for m in moves}
                  | {(m.lot_id, m.to_location_id) for m in moves})
    # SQLite (one writer at a time, no row locks): usually every balance row exists already
    # (a shop's lot, the customers' side), so one read does. PostgreSQL keeps the order that
    # cannot deadlock: check locations, create missing rows (key order), lock (id order).
    sqlite_db = db.session.get_bind().dialect.name == "sqlite"
    locked = _lock_balances(keys) if sqlite_db else {}
    if len(locked) < len(keys):
        location_ids = {loc for _, loc in keys}
        known = set(db.session.execute(
            select(Location.id).where(Location.id.in_(location_ids))).scalars())
        missing = location_ids - known
        if missing:
            raise ValidationFailed("Unknown location", code="unknown_location",
                                   fields={"location_id": sorted(missing)}, status=422)
        _insert_missing_balances([key for key in keys if key not in locked])
        locked = _lock_balances(keys)
    kinds = {loc: row.location_kind for (_lot, loc), row in locked.items()}
    if not allow_held:
        _refuse_held_lots(moves, kind, kinds)

    deltas = {key: Decimal(0) for key in keys}
    taken = {key: Decimal(0) for key in keys}
    for m in moves:
        deltas[(m.lot_id, m.from_location_id)] -= m.quantity
        taken[(m.lot_id, m.from_location_id)] += m.quantity
        deltas[(m.lot_id, m.to_location_id)] += m.quantity

    for key in keys:
        lot_id, loc_id = key
        new_qty = locked[key].quantity + deltas[key]
        if new_qty < 0 and kinds[loc_id] not in VIRTUAL_KINDS:
            lot = db.session.get(Lot, lot_id)
            loc = db.session.get(Location, loc_id)
            raise InsufficientStock(
                lot_id=lot_id, lot_code=lot.code if lot else str(lot_id),
                location_id=loc_id, location_name=loc.name_fr,
                available=locked[key].quantity, requested=taken[key],
            )

    now = at or utcnow()
    table = StockBalance.__table__
    changed = [
        {"b_id": locked[key].id, "b_qty": locked[key].quantity + delta, "b_at": now}
        for key, delta in deltas.items() if delta != 0
    ]
    if changed:
        db.session.execute(
            update(table)
            .where(table.c.id == db.bindparam("b_id"))
            .values(quantity=db.bindparam("b_qty"), updated_at=db.bindparam("b_at")),
            changed,
            execution_options={"synchronize_session": False},
        )
    db.session.execute(
        StockMovement.__table__.insert(),
        [
            {
                "created_at": now, "lot_id": m.lot_id, "quantity": m.quantity,
                "from_location_id": m.from_location_id, "to_location_id": m.to_location_id,
                "kind": kind, "document_type": document_type, "document_id": document_id,
                "user_id": user_id, "note": m.note or note,
            }
            for m in moves
        ],
    )
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
    held = held_lots({m.lot_id for m in suspect})
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
